"""`pip install .` (not only editable) ships the studies and the data the project made (the seed
survey), and no third-party data: the demo works from the installed package alone, far from the
repository, without any download."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    import shutil

    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy of what the package is built from: the build leaves the checkout untouched
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("communitylab", "notebooks", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True, cwd=out)
    return next(out.glob("communitylab-*.whl"))


def test_the_wheel_carries_the_studies_and_the_project_data_only(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    studies = {n for n in names if n.startswith("communitylab/studies/")}
    for study in ("community_health", "churn_vs_acquisition", "member_survey", "revitalization_study", "getting_started"):
        assert f"communitylab/studies/{study}.ipynb" in studies and f"communitylab/studies/{study}.py" in studies
    data = {n.removeprefix("communitylab/bundled_data/") for n in names if n.startswith("communitylab/bundled_data/")}
    for f in (ROOT / "data").rglob("*"):
        if f.is_file():
            assert f.relative_to(ROOT / "data").as_posix() in data, f"{f} is not in the wheel"
    from communitylab.datasets import REGISTRY

    third_party = {f.name for d in REGISTRY.values() for f in d.files}
    shipped = {n.rsplit("/", 1)[-1].removesuffix(".gz") for n in names}
    assert not third_party & shipped, f"third-party data in the wheel: {sorted(third_party & shipped)}"
    assert "communitylab/datasets/registry.py" in names
    assert "communitylab/schemas/summary-1.schema.json" in names and "communitylab/schemas/summary-2.schema.json" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


@pytest.mark.notebooks
def test_a_study_runs_from_the_installed_package_alone(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True,
                   capture_output=True)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("COMMUNITYLAB_NOTEBOOKS", None)
    env.pop("COMMUNITYLAB_DATA_DIR", None)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # an empty data folder: nothing fetched
    probe = subprocess.run([sys.executable, "-c", "import communitylab, communitylab.runner as r, communitylab.datasets as d;"
                            "print(communitylab.__file__); print(r.notebook_dir()); print(d.project_data_dir())"],
                           check=True, capture_output=True, text=True, env=env, cwd=away)
    where = probe.stdout.split()
    assert all(w.startswith(str(site)) for w in where), where
    run = subprocess.run([sys.executable, "-m", "communitylab.cli", "run", "getting_started", "--out", str(away / "reports"), "--quiet"],
                         capture_output=True, text=True, env=env, cwd=away)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (away / "reports" / "getting_started" / "latest.html").stat().st_size > 10_000


def test_importing_the_metrics_leaves_scipy_and_statsmodels_unloaded():
    """The engagement metrics and the loaders import without SciPy and statsmodels (about 60 MB
    and half a second): the functions that need them import them when called."""
    code = ("import sys, communitylab.engagement, communitylab.loaders;"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'statsmodels'}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_api_reference_lists_every_public_module():
    import re

    from tests.conftest import ROOT

    listed = set(re.findall(r"\.\. automodule:: (\S+)", "".join(p.read_text() for p in (ROOT / "docs" / "api").glob("*.rst"))))
    modules = set()
    for path in (ROOT / "communitylab").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(p.startswith("_") for p in parts) and parts[-1] not in ("cli", "bootstrap"):
            modules.add(".".join(parts))
    assert modules == listed, modules ^ listed
