"""Every study in notebooks/ runs end to end through the runner on its default (bundled) data."""

from __future__ import annotations

import json

import nbformat
import pytest

from communitylab.runner import notebook_dir, run_study

STUDIES = sorted(p.stem for p in notebook_dir().glob("*.ipynb"))


@pytest.mark.notebooks
@pytest.mark.parametrize("study", STUDIES)
def test_study_runs_and_reports(study, tmp_path):
    result = run_study(study, out_dir=tmp_path, run_id="t", progress=False)
    html = result.report.read_text()
    assert "Traceback" not in html and len(result.summary) > 0
    assert json.loads((result.run_dir / "manifest.json").read_text())["status"] == "ok"


@pytest.mark.parametrize("study", STUDIES)
def test_notebook_is_committed_clean(study):
    nb = nbformat.read(notebook_dir() / f"{study}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert ":" in line and "=" in line and "#" in line, f"parameter lines need a type hint and a comment: {line}"


@pytest.mark.notebooks
@pytest.mark.parametrize("source", ["digg-reply", "sim:lapsing_host"])
def test_health_study_runs_on_an_edge_list_and_a_scenario(source, tmp_path):
    result = run_study("community_health", {"source": source, "compare_sources": []}, out_dir=tmp_path, run_id="s", progress=False)
    assert result.summary["verdict"] in ("thriving conversation", "brand-centric audience", "fragile", "dormant")
    if source == "sim:lapsing_host":
        assert result.summary["verdict"] == "fragile"


@pytest.mark.notebooks
def test_survey_study_weights_the_simulated_survey(tmp_path):
    result = run_study("member_survey", {"responses": "simulated"}, out_dir=tmp_path, run_id="w", progress=False)
    rows = {row["index"]: row for row in result.summary["weighting"]}
    assert list(rows) == ["unweighted", "post-stratified (segment)", "post-stratified (region)", "raked (segment, region)"]
    assert rows["raked (segment, region)"]["design_effect"] > 1 and "cronbach_alpha" in result.summary
    html = result.report.read_text()
    assert "No member-base margins" not in html


@pytest.mark.notebooks
def test_revitalization_study_with_dates_as_parameters(tmp_path):
    dates = {"appoint a community manager": "2024-05-21", "lead the conversation": "2024-06-19"}
    result = run_study("revitalization_study", {"milestones": dates, "outcome": "member_posts", "cov_type": "hac"}, out_dir=tmp_path, run_id="r", progress=False)
    s = result.summary
    assert [e["phase"] for e in s["effects"]] == list(dates) and s["impact"]["ratio_low"] > 1
    assert [row["verdict"] for row in s["before_after"]] == ["dormant", "thriving conversation"]


@pytest.mark.notebooks
def test_revitalization_study_without_dates_fails_loudly(tmp_path):
    from communitylab.runner import StudyFailed

    with pytest.raises(StudyFailed, match="dated interventions for 'twcs-sample'"):
        run_study("revitalization_study", {"source": "twcs-sample"}, out_dir=tmp_path, run_id="f", progress=False)
