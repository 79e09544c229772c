"""The studies are jupytext pairs: each notebook has a percent-format twin that an analyst edits and
reviews as a diff; both must say the same thing."""

from __future__ import annotations

import jupytext
import pytest

from communitylab.runner import notebook_dir

STUDIES = sorted(p.stem for p in notebook_dir().glob("*.ipynb"))


def test_every_study_is_paired():
    assert STUDIES and all((notebook_dir() / f"{s}.py").exists() for s in STUDIES)
    config = (notebook_dir() / "jupytext.toml").read_text()
    assert 'formats = "ipynb,py:percent"' in config


@pytest.mark.parametrize("study", STUDIES)
def test_the_pair_is_in_sync(study):
    """Run `./run notebooks` (jupytext --sync) after editing either side."""
    ipynb = jupytext.read(notebook_dir() / f"{study}.ipynb")
    text = jupytext.read(notebook_dir() / f"{study}.py")

    def cells(nb):
        return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]

    assert cells(ipynb) == cells(text), f"{study}.ipynb and {study}.py differ: run ./run notebooks"
    assert ipynb.metadata["kernelspec"]["name"] == "python3"
