"""What ``communitylab run`` does with what a user or a file hands it: study names only, sources
from the caller's folder, values checked before the kernel, bad input exit 2, a failed write
exit 4 with nothing half-written, and nothing planted in a file or a parameter live in a report."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from communitylab import datasets
from communitylab.cli import main
from communitylab.runner import OutputError, StudyInputError, run_study
from tests.loaders.exports import EXPORTS

PLANT = '<img src=x onerror=alert(1)>"\'&<script>alert(2)</script>'


def _notebook(folder, name, params: str, body: str):
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """A kit whose studies live in ``kit/notebooks``; its own ``data.txt`` says "kit"."""
    root = tmp_path / "kit"
    nb = root / "notebooks"
    nb.mkdir(parents=True)
    (root / "data.txt").write_text("kit")
    _notebook(nb, "reader", 'source: str = "data.txt"  # a file to read',
              "from pathlib import Path\nfrom communitylab import summary, datasets\n"
              "if not Path(source).exists():\n    raise FileNotFoundError(source)\n"
              "summary.record(text=Path(source).read_text())")
    _notebook(nb, "loader", 'source: str = ""  # an export',
              "from communitylab import datasets, summary\nc = datasets.load_community(source)\nsummary.record(n=len(c.frame))")
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb))
    return nb


def test_a_relative_source_is_the_callers_file(kit, tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "data.txt").write_text("user")
    monkeypatch.chdir(user)
    r = run_study("reader", {"source": "data.txt"}, out_dir="reports", run_id="r", progress=False)
    assert r.summary == {"text": "user"}
    assert (user / "reports/reader/r/report.html").exists()
    import hashlib

    assert r.manifest["inputs_sha256"] == {"data.txt": hashlib.sha256(b"user").hexdigest()}


def test_a_study_is_a_name_never_a_path(kit, tmp_path, monkeypatch, capsys):
    evil = tmp_path / "elsewhere"
    evil.mkdir()
    _notebook(evil, "evil", "x: int = 1", f"open({str(tmp_path / 'ran')!r}, 'w').write('ran')")
    monkeypatch.chdir(tmp_path)
    for name in (str(evil / "evil"), "../kit/notebooks/reader", "elsewhere/evil", ".."):
        assert main(["run", name, "--out", str(tmp_path / "out"), "--quiet"]) == 2, name
        assert "expected a study name, not a path" in capsys.readouterr().err
    assert not (tmp_path / "ran").exists()
    assert not (tmp_path / "out").exists()


def test_bad_input_inside_the_study_exits_2_and_keeps_the_failed_run(kit, tmp_path, capsys):
    bad = tmp_path / "events.csv"
    bad.write_text("event_id,member_id,kind,created_at\ne1,m1,post,2024-01-01\ne2,m2,post,notadate\n")
    assert main(["run", "loader", "-p", "source", str(bad), "--out", str(tmp_path / "out"), "--quiet", "--run-id", "x"]) == 2
    err = capsys.readouterr().err
    assert "bad input" in err and "DataValidationError" in err and "events.csv" in err and "lines 3" in err
    assert (tmp_path / "out/loader/failed-x/executed.ipynb").exists()
    assert main(["run", "reader", "-p", "source", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out"), "--quiet"]) == 2


def test_a_full_disk_while_executing_exits_4_with_nothing_half_written(kit, tmp_path, monkeypatch, capsys):
    import errno

    import papermill

    def fills_the_disk(path, out, **kwargs):
        open(out, "w").write('{"cells": [')  # half a notebook, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", out)

    monkeypatch.setattr(papermill, "execute_notebook", fills_the_disk)
    assert main(["run", "reader", "--out", str(tmp_path / "out"), "--quiet"]) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out/reader").iterdir()) == [".lock"]


def test_a_damaged_privacy_key_is_named_and_nothing_is_staged(kit, tmp_path, monkeypatch, capsys):
    config = tmp_path / "config"
    config.mkdir()
    (config / "privacy.key").write_text("not a key\n")
    monkeypatch.setenv("COMMUNITYLAB_CONFIG_DIR", str(config))
    assert main(["run", "reader", "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "privacy.key: line 1: expected the privacy key, 64 hexadecimal digits" in err and "non-hexadecimal" not in err
    assert not (tmp_path / "out").exists()


def test_an_unwritable_config_folder_is_named_not_the_reports(kit, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "config"
    blocker.write_text("a file where the configuration folder should be")
    monkeypatch.setenv("COMMUNITYLAB_CONFIG_DIR", str(blocker / "communitylab"))
    assert main(["run", "reader", "--out", str(tmp_path / "out"), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "cannot write the privacy key to" in err and str(blocker) in err and "reports" not in err.split("Nothing")[0]


@pytest.mark.parametrize("argv, message", [
    (["-p", "period", "fortnight"], "parameter 'period' expects one of day, week, month (or empty); got 'fortnight'"),
    (["-p", "start", "notadate"], "parameter 'start' expects a date"),
    (["-p", "start", "2024-05-01", "-p", "end", "2024-01-01"], "'start' (2024-05-01) must come before 'end'"),
    (["-p", "n_boot", "-5"], "parameter 'n_boot' expects a whole number ≥ 1"),
    (["-p", "brand_m2m_max", ".nan"], "parameter 'brand_m2m_max' expects float (a finite number)"),
    (["-p", "brand_m2m_max", "1.5"], "parameter 'brand_m2m_max' expects a number ≥ 0 and ≤ 1"),
    (["-p", "hosts", "[a, b"], "parameter 'hosts' expects list"),
    (["-p", "format", "excel"], "parameter 'format' expects one of"),
    (["-p", "seed", "-1"], "parameter 'seed' expects a whole number ≥ 0"),
])
def test_study_parameters_are_checked_before_the_kernel(argv, message, tmp_path, capsys):
    import time

    t0 = time.monotonic()
    assert main(["run", "community_health", *argv, "--out", str(tmp_path), "--quiet"]) == 2
    assert message in capsys.readouterr().err
    assert time.monotonic() - t0 < 10 and not (tmp_path / "community_health").exists()


def test_hosts_given_for_a_scenario_are_used():
    c = datasets.load_community("sim:living", hosts=["m1", "m2"])
    assert c.hosts == frozenset({"m1", "m2"}) and c.host_rule == "given by the user"
    with pytest.raises(ValueError, match="no scenario 'nope'"):
        datasets.load_community("sim:nope")


class _LiveMarkup(HTMLParser):
    """Every element or attribute a planted string could have made live."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and not (dict(attrs).get("src") or "").startswith("data:"):
            self.found.append(f"<img src={dict(attrs).get('src')!r}>")
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag):
        self._in_script = False


def live_markup(html: str) -> list[str]:
    p = _LiveMarkup()
    p.feed(html)
    return p.found


def test_the_live_markup_check_finds_what_is_planted():
    assert live_markup(f"<h2>{PLANT}</h2>") != []
    import html

    assert live_markup(f"<h2>{html.escape(PLANT)}</h2>") == []


@pytest.mark.notebooks
def test_nothing_planted_in_a_file_or_a_parameter_is_live_in_the_health_report(tmp_path):
    """Community name, file name, channel names, member ids and hosts all carry markup; the report
    shows them (personal data on, so that member ids reach the tables) and none is live."""
    lines = ["event_id,member_id,kind,created_at,thread_id,parent_id,channel"]
    members = [f"{PLANT}{i}" for i in range(6)]
    k = 0
    for day in range(1, 28):
        for j in range(3):
            k += 1
            t = f"t{k}"
            lines.append(f'{t},"{members[(day + j) % 6].replace(chr(34), chr(34) * 2)}",post,2024-03-{day:02d}T0{j}:00:00Z,{t},,"{PLANT}"')
            for r in range(2):
                k += 1
                who = members[(day + j + r + 1) % 6].replace('"', '""')
                lines.append(f'r{k},"{who}",reply,2024-03-{day:02d}T1{r}:00:00Z,{t},{t},"#{PLANT}"')
    src = tmp_path / "<img src=x onerror=alert(3)>.csv"
    src.write_text("\n".join(lines) + "\n")
    r = run_study("community_health", {"source": str(src), "format": "events", "community_name": PLANT, "hosts": [members[0]],
                                       "compare_sources": [], "n_boot": 50, "show_personal_data": True},
                  out_dir=tmp_path / "out", run_id="x", progress=False)
    html = r.report.read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, as text
    assert live_markup(html) == []


@pytest.mark.notebooks
def test_nothing_planted_in_survey_answers_is_live_in_the_survey_report(tmp_path):
    import pandas as pd

    from communitylab.datasets import project_data_dir

    seed = project_data_dir() / "seed-survey"
    responses = pd.read_csv(seed / "responses.csv")
    responses.loc[:3, "q7_suggestions"] = PLANT
    path = tmp_path / "responses.csv"
    responses.to_csv(path, index=False)
    r = run_study("member_survey", {"responses": str(path), "codebook": str(seed / "codebook.yml"), "show_personal_data": True},
                  out_dir=tmp_path / "out", run_id="s", progress=False)
    html = r.report.read_text()
    assert "onerror=alert(1)" in html.replace("&#x27;", "'")  # the answers are shown ...
    assert live_markup(html) == []  # ... as text


def test_manifest_of_a_run_names_what_was_read(kit, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.txt").write_text("mine")
    r = run_study("reader", {}, out_dir="out", run_id="d", progress=False)  # the default, also from the caller's folder
    assert r.summary == {"text": "mine"}
    assert json.loads((tmp_path / "out/reader/d/manifest.json").read_text())["inputs_sha256"].keys() == {"data.txt"}


def test_manifest_and_executed_notebook_name_a_source_by_file_name_and_hash(kit, tmp_path):
    """A source's folder may name the client or the analyst: like the report, the manifest and the
    executed notebook keep only the file name and its hash, unless personal data are shown."""
    private = tmp_path / "clients" / "acme-corp-private"
    private.mkdir(parents=True)
    (private / "data.txt").write_text("theirs")
    r = run_study("reader", {"source": str(private / "data.txt")}, out_dir=tmp_path / "out", run_id="p", progress=False)
    assert r.summary == {"text": "theirs"}
    for name in ("manifest.json", "executed.ipynb", "report.html"):
        text = (r.run_dir / name).read_text()
        assert "acme-corp-private" not in text, name
    manifest = json.loads((r.run_dir / "manifest.json").read_text())
    assert manifest["parameters"]["source"].startswith("data.txt, sha256 ")
    assert list(manifest["inputs_sha256"]) == [manifest["parameters"]["source"]]


def test_inspect_reads_the_same_relative_source_as_run(tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXPORTS / "slack", tmp_path / "tests/fixtures/exports/slack")
    assert main(["inspect", "tests/fixtures/exports/slack", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_loaded"] > 0


def test_study_input_error_is_a_study_failure_and_a_value_error():
    assert issubclass(StudyInputError, ValueError) and issubclass(OutputError, RuntimeError)


def test_a_store_named_by_its_uri_is_read_where_it_is_and_named_by_its_last_part(kit, tmp_path):
    """``-p source file:///shared/...`` (as a cluster names shared storage): loaded as a store,
    and the manifest and notebook keep only the store's name, not the folders (or bucket) above it."""
    from communitylab.loaders import write_store
    from communitylab.simulate import simulate

    _notebook(kit, "store_reader", 'source: str = ""  # a store',
              "from communitylab import datasets, summary\nc = datasets.load_community(source)\n"
              "summary.record(n=int(c.execute(c.events.count())))")
    store = tmp_path / "acme-corp-private" / "forum"
    events = simulate("living", seed=1, n_members=40, days=60).events
    write_store(events, store)
    uri = f"file://{store}"
    r = run_study("store_reader", {"source": uri}, out_dir=tmp_path / "out", run_id="u", progress=False)
    assert r.summary["n"] == len(events)
    for name in ("manifest.json", "executed.ipynb", "report.html"):
        assert "acme-corp-private" not in (r.run_dir / name).read_text(), name
    assert json.loads((r.run_dir / "manifest.json").read_text())["parameters"]["source"] == "forum"
    with pytest.raises(ValueError, match="only a Parquet store is read from a URI"):
        datasets.load_community(uri, format="mbox")


def test_a_spark_master_that_does_not_answer_is_named_before_any_kernel(kit, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMMUNITYLAB_ENGINE", "pyspark")
    monkeypatch.setenv("COMMUNITYLAB_SPARK_MASTER", "spark://127.0.0.1:9")
    assert main(["run", "reader", "--out", "reports"]) == 2
    err = capsys.readouterr().err
    assert "no Spark master answers at spark://127.0.0.1:9" in err and "Traceback" not in err
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.ipynb"))
