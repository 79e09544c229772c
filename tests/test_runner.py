"""The runner: reports, summary and manifest; failures never replace a good report."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from communitylab.cli import main
from communitylab.runner import StudyFailed, list_studies, run_study


def _study(folder, name="probe"):
    params = new_code_cell('value: int = 2  # a number\nfail: bool = False  # raise on purpose\nshow_personal_data: bool = False  # show e-mails')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(
        "from communitylab import summary\n"
        "if fail:\n    raise RuntimeError('the study broke on purpose')\n"
        "print('contact: someone@example.org')\n"
        "summary.record(double=value * 2)"
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
    assert r.summary == {"double": 10}
    assert json.loads((out / "probe/r1/summary.json").read_text()) == {"double": 10}
    manifest = json.loads((out / "probe/r1/manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["parameters"] == {"value": 5} and "pandas" in manifest["versions"]
    html = (out / "probe/latest.html").read_text()
    assert "someone@example.org" not in html and "[e-mail redacted]" in html
    assert "summary.record" not in html  # code hidden
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
    with pytest.raises(ValueError, match="valeu"):
        run_study("probe", {"valeu": 1}, out_dir=tmp_path, nb_dir=nb_dir, progress=False)
    with pytest.raises(FileNotFoundError, match="probe"):
        run_study("nope", out_dir=tmp_path, nb_dir=nb_dir, progress=False)


def test_cli_run_exit_codes(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMUNITYLAB_NOTEBOOKS", str(nb_dir))
    assert main(["run", "probe", "-p", "value", "3", "--out", str(tmp_path), "--quiet"]) == 0
    assert main(["run", "probe", "-p", "fail", "true", "--out", str(tmp_path), "--quiet", "--run-id", "x"]) == 1
    assert "last good report was left untouched" in capsys.readouterr().err
    assert list_studies(nb_dir)["probe"]["value"]["default"] == "2"
