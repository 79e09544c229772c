"""The runner: reports, summary and manifest; failures never replace a good report."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from communitylab.cli import main
from communitylab.errors import ParameterError
from communitylab.runner import StudyFailed, list_studies, run_study


def _study(folder, name="probe"):
    params = new_code_cell('value: int = 2  # a number\nfail: bool = False  # raise on purpose\nshow_personal_data: bool = False  # show e-mails\n'
                           'names: list = []  # a list\nsleep: float = 0.0  # seconds to sleep (a slow run)')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(
        "import time\nfrom communitylab import summary\n"
        "time.sleep(sleep)\n"
        "if fail:\n    raise RuntimeError('the study broke on purpose')\n"
        "print('contact: someone@example.org')\n"
        "summary.record(double=value * 2, names=names)"
    )
    nb = new_notebook(cells=[params, body])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@pytest.fixture
def nb_dir(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    return _study(d)


def test_success_writes_report_summary_manifest(nb_dir, tmp_path):
    out = tmp_path / "reports"
    r = run_study("probe", {"value": 5}, out_dir=out, run_id="r1", nb_dir=nb_dir, progress=False)
    assert r.summary == {"double": 10, "names": []}
    written = json.loads((out / "probe/r1/summary.json").read_text())
    assert {k: v for k, v in written.items() if not k.startswith("_")} == {"double": 10, "names": []}
    assert (written["_schema"], written["_study"], written["_run_id"]) == ("communitylab.summary/2", "probe", "r1")
    manifest = json.loads((out / "probe/r1/manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["parameters"] == {"value": 5} and "pandas" in manifest["versions"]
    html = (out / "probe/latest.html").read_text()
    assert "someone@example.org" not in html and "[e-mail redacted]" in html
    assert "summary.record" not in html  # code hidden
    assert 'src="https://' not in html  # nothing loaded from the network when a client opens it
    assert json.loads((out / "probe/latest.json").read_text())["run_id"] == "r1"


def test_failure_keeps_the_last_good_report(nb_dir, tmp_path):
    out = tmp_path / "reports"
    run_study("probe", {"value": 1}, out_dir=out, run_id="good", nb_dir=nb_dir, progress=False)
    before = (out / "probe/latest.html").read_bytes()
    with pytest.raises(StudyFailed) as err:
        run_study("probe", {"fail": True}, out_dir=out, run_id="bad", nb_dir=nb_dir, progress=False)
    failed = out / "probe/failed-bad"
    assert err.value.failed_dir == failed and "broke on purpose" in str(err.value)
    assert (out / "probe/latest.html").read_bytes() == before
    assert not (out / "probe/bad").exists()
    assert "broke on purpose" in (failed / "executed.ipynb").read_text()
    assert "RuntimeError" in (failed / "error.txt").read_text()
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed"


def test_personal_data_only_when_asked(nb_dir, tmp_path):
    r = run_study("probe", {"show_personal_data": True}, out_dir=tmp_path, run_id="p", nb_dir=nb_dir, progress=False)
    assert "someone@example.org" in r.report.read_text()


def test_unknown_parameter_and_study_are_errors(nb_dir, tmp_path):
    with pytest.raises(ParameterError, match="valeu"):
        run_study("probe", {"valeu": 1}, out_dir=tmp_path, nb_dir=nb_dir, progress=False)
    with pytest.raises(ParameterError, match="probe"):
        run_study("nope", out_dir=tmp_path, nb_dir=nb_dir, progress=False)


def test_cli_run_exit_codes(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    assert main(["run", "probe", "-p", "value", "3", "--out", str(tmp_path), "--quiet"]) == 0
    assert main(["run", "probe", "-p", "fail", "true", "--out", str(tmp_path), "--quiet", "--run-id", "x"]) == 1
    assert "last good report was left untouched" in capsys.readouterr().err
    assert list_studies(nb_dir)["probe"]["value"]["default"] == "2"


def test_the_cli_logs_progress_through_logging(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    assert main(["run", "probe", "--out", str(tmp_path), "--run-id", "a"]) == 0
    err = capsys.readouterr().err
    assert "[communitylab] probe: report at" in err  # INFO on the communitylab logger, to stderr
    assert main(["run", "probe", "--out", str(tmp_path), "--run-id", "b", "--quiet"]) == 0
    assert "report at" not in capsys.readouterr().err  # --quiet: warnings only
    import logging

    assert main(["--verbose", "run", "probe", "--out", str(tmp_path), "--run-id", "c", "--quiet"]) == 0
    assert logging.getLogger("communitylab").level == logging.DEBUG
    logging.getLogger("communitylab").setLevel(logging.NOTSET)


# ---- scheduled runs under faults


def test_run_ids_are_unique_within_a_second():
    import datetime as dt

    from communitylab.runner import new_run_id

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = {new_run_id(now) for _ in range(50)}
    assert len(ids) == 50 and all(i.startswith("20260101T000000Z-") for i in ids)


def test_two_overlapping_runs_do_not_interleave(nb_dir, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMMUNITYLAB_NOTEBOOKS": str(nb_dir)}
    cmd = [sys.executable, "-m", "communitylab.cli", "run", "probe", "-p", "sleep", "2", "--out", str(tmp_path), "--quiet", "--wait", "300"]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    assert [p.wait(timeout=600) for p in runs] == [0, 0]
    done = sorted(p.name for p in (tmp_path / "probe").iterdir() if p.is_dir())
    assert len(done) == 2 and not any(n.startswith((".staging", "failed")) for n in done)
    assert json.loads((tmp_path / "probe/latest.json").read_text())["run_id"] in done


def test_a_busy_study_exits_3_or_waits(nb_dir, tmp_path, monkeypatch, capsys):
    import threading
    import time

    from communitylab.runner import study_lock

    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    held = study_lock(tmp_path / "probe", "probe", 0)
    held.__enter__()
    t0 = time.monotonic()
    assert main(["run", "probe", "--out", str(tmp_path), "--quiet", "--wait", "0"]) == 3
    assert time.monotonic() - t0 < 5 and "another run of 'probe'" in capsys.readouterr().err
    assert not [p for p in (tmp_path / "probe").iterdir() if p.name != ".lock"]  # nothing written
    threading.Timer(1.5, held.__exit__, (None, None, None)).start()
    t0 = time.monotonic()
    assert main(["run", "probe", "--out", str(tmp_path), "--quiet", "--wait", "60"]) == 0
    assert time.monotonic() - t0 >= 1.5


def test_a_killed_run_leaves_the_last_good_report(nb_dir, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    run_study("probe", {"value": 1}, out_dir=tmp_path, run_id="good", nb_dir=nb_dir, progress=False)
    good = (tmp_path / "probe/latest.html").read_bytes()
    env = {**os.environ, "COMMUNITYLAB_NOTEBOOKS": str(nb_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "communitylab.cli", "run", "probe", "-p", "sleep", "60", "--out", str(tmp_path),
                             "--quiet", "--run-id", "killed"], env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = tmp_path / "probe/.staging-killed"
    deadline = time.monotonic() + 120
    while not (staging / "executed.ipynb").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (tmp_path / "probe/latest.html").read_bytes() == good
    assert json.loads((tmp_path / "probe/latest.json").read_text())["run_id"] == "good"
    # the next run takes the lock at once and moves the leftover aside
    run_study("probe", {"value": 2}, out_dir=tmp_path, run_id="next", nb_dir=nb_dir, progress=False)
    assert "interrupted" in (tmp_path / "probe/failed-killed/error.txt").read_text()
    assert not staging.exists() and json.loads((tmp_path / "probe/latest.json").read_text())["run_id"] == "next"


def test_unwritable_reports_folder_exits_4_before_the_kernel(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    not_a_folder = tmp_path / "reports"
    not_a_folder.write_text("a file where the reports folder should be")
    assert main(["run", "probe", "--out", str(not_a_folder), "--quiet"]) == 4
    assert "cannot write reports to" in capsys.readouterr().err


def test_full_disk_while_writing_publishes_nothing(nb_dir, tmp_path, monkeypatch):
    import errno

    from communitylab import runner

    run_study("probe", {"value": 1}, out_dir=tmp_path, run_id="good", nb_dir=nb_dir, progress=False)
    good = (tmp_path / "probe/latest.html").read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner, "render_html", full)
    with pytest.raises(runner.OutputError, match="No space left on device.*last good report is untouched"):
        run_study("probe", {"value": 2}, out_dir=tmp_path, run_id="full", nb_dir=nb_dir, progress=False)
    assert (tmp_path / "probe/latest.html").read_bytes() == good
    assert sorted(p.name for p in (tmp_path / "probe").iterdir()) == [".lock", "good", "latest.html", "latest.json"]


def test_parameter_types_are_checked_before_the_kernel(nb_dir, tmp_path, monkeypatch, capsys):
    import time

    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    t0 = time.monotonic()
    assert main(["run", "probe", "-p", "value", "many", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert time.monotonic() - t0 < 5
    assert "parameter 'value' expects int" in err and "got 'many'" in err
    # a bare value for a list parameter is a one-element list (stated rule)
    assert main(["run", "probe", "-p", "names", "alice", "--out", str(tmp_path), "--quiet", "--run-id", "l"]) == 0
    assert json.loads((tmp_path / "probe/l/summary.json").read_text())["names"] == ["alice"]


def test_run_study_help_lists_its_parameters(nb_dir, monkeypatch, capsys):
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    assert main(["run", "probe", "--help"]) == 0
    out = capsys.readouterr().out
    assert "value: int = 2" in out and "a number" in out and "-p NAME VALUE" in out
    assert main(["run", "nope", "--help"]) == 2


def test_a_scheduled_run_prints_no_kernel_noise(nb_dir, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMMUNITYLAB_NOTEBOOKS": str(nb_dir)}
    proc = subprocess.run([sys.executable, "-m", "communitylab.cli", "run", "probe", "--out", str(tmp_path), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    assert "TCP" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    assert proc.stdout.strip().endswith("report.html")


def test_history_of_past_runs(nb_dir, tmp_path, monkeypatch, capsys):
    from communitylab.history import run_history

    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    assert main(["history", "probe", "--out", str(tmp_path)]) == 2  # no run yet
    for value, run_id in ((1, "w1"), (5, "w2")):
        run_study("probe", {"value": value}, out_dir=tmp_path, run_id=run_id, nb_dir=nb_dir, progress=False)
    with pytest.raises(StudyFailed):
        run_study("probe", {"fail": True}, out_dir=tmp_path, run_id="w3", nb_dir=nb_dir, progress=False)
    table = run_history("probe", tmp_path)
    assert list(table["run_id"]) == ["w1", "w2"] and list(table["double"]) == [2, 10]  # the failed run is left out
    chart = tmp_path / "trend.png"
    capsys.readouterr()
    assert main(["history", "probe", "--out", str(tmp_path), "--json", "--chart", str(chart)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["double"] for r in rows] == [2, 10] and chart.stat().st_size > 1000


def test_pdf_or_a_clear_message(nb_dir, tmp_path, monkeypatch, capsys):
    from communitylab.browser import find_chromium

    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    if find_chromium() is not None:
        import re

        assert main(["run", "probe", "--out", str(tmp_path), "--quiet", "--run-id", "p", "--pdf"]) == 0
        pdf = (tmp_path / "probe/p/report.pdf").read_bytes()
        assert pdf[:5] == b"%PDF-"
        width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
        assert (round(width), round(height)) == (595, 842)  # A4 by default, not Chromium's Letter
        assert main(["run", "probe", "--out", str(tmp_path), "--quiet", "--run-id", "l", "--pdf", "--paper", "letter"]) == 0
        letter = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", (tmp_path / "probe/l/report.pdf").read_bytes()).groups()
        assert tuple(round(float(v)) for v in letter) == (612, 792)
        assert not list((tmp_path / "probe/p").glob(".*.print.html"))  # the printable copy is removed
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("COMMUNITYLAB_CHROMIUM", raising=False)
    assert main(["run", "probe", "--out", str(tmp_path), "--quiet", "--run-id", "q", "--pdf"]) == 0
    assert "no PDF: no Chromium found" in capsys.readouterr().err and (tmp_path / "probe/q/report.html").exists()
