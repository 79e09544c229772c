"""One meaning per word: every term a study's glossary lists is defined once."""

from __future__ import annotations

import re

import pytest

from communitylab.glossary import GLOSSARY, glossary_markdown
from communitylab.runner import notebook_dir


def test_every_study_ends_with_defined_terms():
    for path in sorted(notebook_dir().glob("*.py")):
        calls = re.findall(r"report\.glossary\((\[.*?\])\)", path.read_text(), flags=re.S)
        assert len(calls) == 1, path.name
        terms = eval(calls[0])  # noqa: S307 (a literal list in the kit's own notebook)
        assert terms and all(t in GLOSSARY for t in terms), (path.name, [t for t in terms if t not in GLOSSARY])


def test_an_undefined_term_is_an_error():
    with pytest.raises(KeyError):
        glossary_markdown(["engagement"])
    assert glossary_markdown(["lapsed"]).startswith("## Glossary\n\n- **Lapsed**: a member active in the period before")
