"""The data registry: third-party data fetched, verified and refused by checksum, never shipped."""

from __future__ import annotations

import dataclasses
import gzip
import http.server
import os
import re
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from communitylab import datasets
from communitylab.datasets import REGISTRY, fetch
from communitylab.errors import CommunityLabError, DatasetChecksumError, DatasetMissing, FetchError
from tests.conftest import ROOT, real


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A data folder holding nothing."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("COMMUNITYLAB_DATA_DIR", str(home))
    return home


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server over a folder: ``(folder, base URL)``."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def with_urls(monkeypatch, name: str, *urls: str) -> None:
    d = REGISTRY[name]
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(d, files=(dataclasses.replace(d.files[0], urls=urls),)))


def test_every_entry_names_its_origin_licence_citation_and_checksums():
    for d in REGISTRY.values():
        assert d.origin and d.licence and d.citation and d.description, d.name
        assert d.downloadable or "fetch" in d.how, f"{d.name}: neither downloadable nor told how to get it"
        for f in d.files:
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256) and f.size > 0, (d.name, f.name)
            assert all(u.startswith("https://") or u.startswith("http://") for u in f.urls)


def test_every_registered_data_set_verifies_in_the_data_folder():
    """The copies the tests read (../shared/data in CI) carry exactly the registered content."""
    for name, d in REGISTRY.items():
        path = real(name)
        assert path.exists() and datasets.status(name) == "present", name
        assert sum(1 for f in d.files if (path if path.is_dir() else path.parent).joinpath(f.name).exists()) == len(d.files)


def test_no_third_party_file_is_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    names = {Path(p).name.removesuffix(".gz") for p in tracked.stdout.splitlines()}
    third_party = {f.name for d in REGISTRY.values() for f in d.files}
    assert not names & third_party, sorted(names & third_party)


def test_an_absent_data_set_says_how_to_fetch_it(empty_home):
    with pytest.raises(DatasetMissing, match=r"communitylab datasets fetch collegemsg.*1\.2 MB.*Licence: SNAP") as err:
        datasets.load_community("collegemsg")
    assert isinstance(err.value, CommunityLabError) and isinstance(err.value, FileNotFoundError)
    assert str(empty_home / "collegemsg") in str(err.value)
    with pytest.raises(DatasetMissing, match="R ships them inside the package only"):
        datasets.dataset_file("api", "apisrs.csv")
    assert datasets.status("collegemsg") == "missing"


def test_a_changed_file_is_refused_not_read(empty_home):
    folder = empty_home / "sicily"
    folder.mkdir(parents=True)
    (folder / "sicily.csv").write_text("year,month,aces\n2002,1,728\n")
    assert datasets.status("sicily") == "differs"
    with pytest.raises(DatasetChecksumError, match=r"sicily\.csv: sha256 .* expected 63a867b3fc874842"):
        datasets.dataset_file("sicily")


def test_fetch_downloads_decompresses_and_verifies(empty_home, server, monkeypatch):
    folder, base = server
    original = real("collegemsg").read_bytes()
    (folder / "CollegeMsg.txt.gz").write_bytes(gzip.compress(original))
    with_urls(monkeypatch, "collegemsg", f"{base}/CollegeMsg.txt.gz")
    got = fetch("collegemsg", progress=False)
    assert got == empty_home / "collegemsg" and (got / "CollegeMsg.txt").read_bytes() == original
    assert not [p for p in got.iterdir() if p.name != "CollegeMsg.txt"], "no leftovers of the download"
    assert datasets.load_community("collegemsg").report.rows_loaded == 59_835
    (folder / "CollegeMsg.txt.gz").unlink()
    assert fetch("collegemsg", progress=False) == got  # present and verified: nothing downloaded again


def test_fetch_falls_back_to_the_next_location_and_names_every_failure(empty_home, server, monkeypatch):
    folder, base = server
    (folder / "wrong.csv").write_text("year,month\n")
    (folder / "sicily.csv").write_bytes(real("sicily").read_bytes())
    with_urls(monkeypatch, "sicily", f"{base}/gone.csv", f"{base}/wrong.csv", f"{base}/sicily.csv")
    got = fetch("sicily", progress=False)
    assert datasets.dataset_file("sicily") == got / "sicily.csv"
    (empty_home / "sicily" / "sicily.csv").unlink()
    with_urls(monkeypatch, "sicily", f"{base}/gone.csv", f"{base}/wrong.csv")
    with pytest.raises(FetchError) as err:
        fetch("sicily", progress=False)
    assert "gone.csv: 404" in str(err.value) and "wrong.csv" in str(err.value)
    assert not (empty_home / "sicily" / "sicily.csv").exists()


def test_fetch_from_a_local_archive_or_folder(empty_home, tmp_path):
    archive = tmp_path / "api-export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in REGISTRY["api"].files:
            z.write(real("api", f.name), f"export/{f.name}")
    assert fetch("api", source=archive, progress=False) == empty_home / "api"
    assert datasets.status("api") == "present"
    tar = tmp_path / "sicily.tar.bz2"
    with tarfile.open(tar, "w:bz2") as t:
        t.add(real("sicily"), "data/sicily.csv")
    fetch("sicily", source=tar)
    assert datasets.status("sicily") == "present"
    plain = tmp_path / "beer"
    plain.mkdir()
    for f in REGISTRY["stackexchange-beer"].files:
        with open(real("stackexchange-beer", f.name), "rb") as src, gzip.open(plain / f"{f.name}.gz", "wb") as dst:
            dst.write(src.read())
    fetch("stackexchange-beer", source=plain)
    assert datasets.load_community("stackexchange-beer").report.rows_loaded > 0


def test_fetch_from_a_copy_with_other_content_is_refused(empty_home, tmp_path):
    other = tmp_path / "twcs.csv"
    other.write_bytes(real("twcs-sample").read_bytes()[:-100])
    with pytest.raises(DatasetChecksumError, match="differs from the one the registry lists for twcs-sample"):
        fetch("twcs-sample", source=other)
    with pytest.raises(FetchError, match="holds no Posts.xml"):
        fetch("stackexchange-beer", source=tmp_path)
    assert datasets.status("twcs-sample") == "missing"


def test_the_cli_lists_fetches_and_refuses(empty_home, tmp_path):
    env = {**os.environ, "COMMUNITYLAB_DATA_DIR": str(empty_home)}
    cli = [sys.executable, "-m", "communitylab.cli"]
    listed = subprocess.run([*cli, "datasets"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert listed.returncode == 0 and str(empty_home) in listed.stdout
    assert all(re.search(rf"{name}\s+missing", listed.stdout) for name in REGISTRY)
    got = subprocess.run([*cli, "datasets", "fetch", "sicily", "--from", str(real("sicily"))], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert "verified" in got.stdout and "licence:" in got.stdout and "Lopez Bernal" in got.stdout
    run = subprocess.run([*cli, "run", "community_health", "-p", "source", "digg-reply", "--out", str(tmp_path / "reports")],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 2 and "communitylab datasets fetch digg-reply" in run.stderr and "Licence" in run.stderr
    assert not (tmp_path / "reports").exists()


def test_a_missing_data_set_skips_a_test_or_fails_it_in_ci(monkeypatch):
    from tests.conftest import _absent

    monkeypatch.delenv("COMMUNITYLAB_REQUIRE_DATA", raising=False)
    with pytest.raises(pytest.skip.Exception, match="real data absent: .*fetch"):
        _absent(DatasetMissing("data set 'x' ...; fetch it with `communitylab datasets fetch x`"))
    monkeypatch.setenv("COMMUNITYLAB_REQUIRE_DATA", "1")
    with pytest.raises(DatasetMissing):
        _absent(DatasetMissing("x"))


def test_the_studies_defaults_and_the_demo_need_no_download(empty_home, monkeypatch):
    from communitylab.cli import _demo_runs
    from communitylab.runner import list_studies

    studies = list_studies()
    defaults = {p: v["default"].strip("'\"") for s in studies.values() for p, v in s.items()
                if p in ("source", "transactions", "responses", "your_export")}
    assert not set(defaults.values()) & set(REGISTRY), defaults
    runs = _demo_runs(studies)
    assert {study for study, params, _ in runs if not params} == set(studies)  # every study with its defaults
    health = [params["source"] for study, params, _ in runs if params and study == "community_health"]
    assert health == ["sim:living", "sim:lapsing_host", "sim:dormant", "sim:revitalized"]  # sim:brand_centric is the default
    assert ("revitalization_study", {"source": "sim:revitalized"}, "sim-revitalized") in runs  # its eight steps, beside the default
    monkeypatch.setenv("COMMUNITYLAB_DATA_DIR", str(Path(real("sicily")).parent.parent))
    present = [params["source"] for study, params, _ in _demo_runs(studies)
               if study == "community_health" and params and not params["source"].startswith("sim:")]
    assert present == list(datasets.DATASETS)  # and the health study on every data set present
