"""Every study in notebooks/ runs end to end through the runner on its default (simulated) data."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import communitylab
from communitylab.engagement import VERDICTS
from communitylab.runner import notebook_dir, run_study

STUDIES = sorted(p.stem for p in notebook_dir().glob("*.ipynb"))


@pytest.mark.notebooks
@pytest.mark.parametrize("study", STUDIES)
def test_study_runs_and_reports(study, tmp_path):
    import jsonschema

    result = run_study(study, out_dir=tmp_path, run_id="t", progress=False)
    html = result.report.read_text()
    assert "Traceback" not in html and len(result.summary) > 0
    assert json.loads((result.run_dir / "manifest.json").read_text())["status"] == "ok"
    schema = json.loads((Path(communitylab.__file__).parent / "schemas" / "summary-2.schema.json").read_text())
    jsonschema.validate(json.loads((result.run_dir / "summary.json").read_text()), schema)  # the documented, versioned schema
    check_reads_as_a_report(html, study)
    check_in_a_browser(result.report, study)
    if study != "getting_started":  # every study answers its question and says what to do, each action tied to its signal
        assert result.summary["answer"] and 3 <= len(result.summary["actions"]) <= 5, result.summary.get("actions")
        assert "What to do" in html


def check_reads_as_a_report(html: str, name: str) -> None:
    """The report opens with its summary and the figures that matter, then the contents; every table
    is formatted for people (no raw DataFrame HTML) and every figure has a caption under it."""
    import html as html_lib
    import re

    from communitylab.rendering import headings

    assert 'class="dataframe"' not in html, f"{name}: a raw DataFrame in the report"
    sections = [text for _, text in headings(html)]
    assert sections[0] == "Summary", f"{name}: the report does not open with its summary: {sections[:3]}"
    assert sections[-1] == "Glossary", f"{name}: the report does not end with its glossary: {sections[-3:]}"
    assert "The figures that matter" in html
    nav = html.index('<nav class="cl-toc"')
    assert html.index(">Summary<") < nav, f"{name}: the contents come before the summary"
    contents = html_lib.unescape(html[nav:html.index("</nav>", nav)])
    assert all(f">{t}</a>" in contents for t in sections[1:]), f"{name}: a section missing from the contents"
    images = [m.start() for m in re.finditer(r"<img ", html)]
    captions = [m.start() for m in re.finditer(r'<p class="cl-caption">', html)]
    assert len(images) == len(captions), f"{name}: {len(images)} figures, {len(captions)} captions"
    assert all(c > i for i, c in zip(images, captions)), f"{name}: a caption above its figure"
    assert "<title>Notebook</title>" not in html and re.search(r"<title>[A-Z][^<]+</title>", html), f"{name}: the page has no title"
    assert meaningless_figures(html) == [], f"{name}: figures that cannot mean anything"
    assert empty_tables(html) == [], f"{name}: a table with no rows"


def empty_tables(html: str) -> list[str]:
    """The titles of tables that show no row (a section that does not apply must say so in words)."""
    import re

    found = []
    for m in re.finditer(r"<table\b.*?</table>", html, flags=re.S):
        body = re.search(r"<tbody[^>]*>(.*?)</tbody>", m.group(0), flags=re.S)
        if body is not None and "<tr" not in body.group(1):
            title = re.search(r'class="[^"]*\bgt_title\b[^"]*"[^>]*>(.*?)<', m.group(0), flags=re.S)
            found.append(title.group(1).strip() if title else m.group(0)[:80])
    return found


#: What no report may show: an interval that tells nothing ("100% (100–100%)"), a missing number
#: printed as such, an infinity outside the stated phrase for an unbounded interval.
MEANINGLESS = [r"\(100–100%\)", r"\(0–0%\)", r"\bnan%?\b", r"\bNaN\b", r"\binf\b", r"∞(?!: too little data to bound it)"]


def meaningless_figures(html: str) -> list[str]:
    """Each place a report shows a figure that cannot mean anything (text outside tags, scripts and styles)."""
    import html as html_lib
    import re

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
    found = []
    for pattern in MEANINGLESS:
        found += [text[max(0, m.start() - 60):m.end() + 20].replace("\n", " ") for m in re.finditer(pattern, text)]
    return found


def test_the_empty_table_check_finds_one():
    import pandas as pd

    from communitylab import tables

    empty = tables.table(pd.DataFrame({"a": pd.Series([], dtype=float)}), title="Nothing").as_raw_html()
    full = tables.table(pd.DataFrame({"a": [1.0]}), title="Something").as_raw_html()
    assert empty_tables(empty + full) == ["Nothing"]


def test_the_report_check_finds_what_it_forbids():
    assert meaningless_figures("<td>100% (100–100%)</td><p>trend ∞ (6,205–∞)</p><td>nan</td>") != []
    assert len(meaningless_figures("<td>100% (100–100%)</td><p>trend ∞ (6,205–∞)</p><td>nan</td>")) == 4
    assert meaningless_figures("<td>100% (99.7–100%)</td><td>0.0161 (0–∞: too little data to bound it)</td><td>Nancy</td>") == []


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def check_in_a_browser(report: Path, name: str) -> None:
    """What a reader sees: every figure present and non-empty, nothing fetched from the network,
    no console error in headless Chromium, and a screenshot kept in test-artifacts/."""
    import base64
    import os
    import re

    from communitylab.browser import find_chromium, screenshot

    html = report.read_text()
    figures = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=\n]+)"', html)
    drawn = sum("image/png" in o.get("data", {}) for c in nbformat.read(report.with_name("executed.ipynb"), as_version=4).cells
                for o in c.get("outputs", []))
    assert len(figures) == drawn, f"{name}: {drawn} figures drawn, {len(figures)} in the report"
    assert all(len(base64.b64decode(f)) > 2000 for f in figures), f"{name}: an empty figure"
    assert 'src="http' not in html
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run does)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    errors = screenshot(report, shot)
    assert errors == [], errors
    assert shot.stat().st_size > 10_000


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
    assert result.summary["verdict"] in VERDICTS
    if source == "sim:lapsing_host":
        assert result.summary["verdict"] == "fragile"


@pytest.mark.notebooks
def test_health_study_judges_the_window_it_is_given(tmp_path):
    whole = run_study("community_health", {"source": "collegemsg", "compare_sources": []}, out_dir=tmp_path, run_id="all", progress=False)
    assert whole.summary["verdict"] == "declining" and "2004-04-15 to 2004-10-26" in whole.summary["window"]
    spring = run_study("community_health", {"source": "collegemsg", "compare_sources": [], "start": "2004-04-15", "end": "2004-06-15",
                                            "trajectory_weeks": 4.0}, out_dir=tmp_path, run_id="spring", progress=False)
    assert spring.summary["verdict"] == "thriving conversation" and spring.summary["window"].endswith("(9 weeks)")
    assert "declining" in whole.report.read_text() and [r["measure"] for r in whole.summary["trajectory"]] == ["active members", "member-to-member replies"]


@pytest.mark.notebooks
def test_survey_study_weights_the_simulated_survey(tmp_path):
    result = run_study("member_survey", {"responses": "simulated"}, out_dir=tmp_path, run_id="w", progress=False)
    rows = {row["index"]: row for row in result.summary["weighting"]}
    assert list(rows) == ["unweighted", "post-stratified (segment)", "post-stratified (region)", "raked (segment, region)"]
    assert rows["raked (segment, region)"]["design_effect"] > 1 and "cronbach_alpha" in result.summary
    html = result.report.read_text()
    assert "No member-base margins" not in html


@pytest.mark.notebooks
def test_survey_study_under_a_stratified_design(tmp_path):
    from communitylab.survey.simulate import simulate_member_survey

    params = {"responses": "simulated", "design_strata": "segment", "design_fpc": ["segment_size"]}
    s = run_study("member_survey", params, out_dir=tmp_path, run_id="d", progress=False).summary
    shares = {row["answer"]: row for row in s["design_shares"]["satisfaction"]}
    design_top2 = shares["Satisfied"]["share"] + shares["Very satisfied"]["share"]
    sim = simulate_member_survey()
    raw_top2 = sim["responses"]["satisfaction"].isin(["Satisfied", "Very satisfied"]).mean()
    truth = sim["truth"]["satisfied_share"]
    assert abs(design_top2 - truth) < abs(raw_top2 - truth) / 2  # the design corrects the partners' overrepresentation
    assert all(0 <= row["ci_low"] < row["share"] < row["ci_high"] <= 1 for row in s["design_shares"]["satisfaction"])
    assert s["segments"]["satisfaction"]["test"]["p_value"] < 0.05  # partners are more satisfied


@pytest.mark.notebooks
def test_revitalization_study_with_dates_as_parameters(tmp_path):
    dates = {"appoint a community manager": "2024-05-21", "lead the conversation": "2024-06-19"}
    result = run_study("revitalization_study", {"source": "sim:revitalized", "milestones": dates, "outcome": "member_posts",
                                                "cov_type": "hac"}, out_dir=tmp_path, run_id="r", progress=False)
    s = result.summary
    assert [e["phase"] for e in s["effects"]] == list(dates) and s["impact"]["ratio_low"] > 1
    assert [row["verdict"] for row in s["before_after"]] == ["dormant", "thriving conversation"]
    assert s["design"] == "before/after only" and s["comparison"] == [] and s["did"] is None


@pytest.mark.notebooks
def test_revitalization_study_against_comparison_communities(tmp_path):
    # the default: a common shock lifts every community; before/after alone credits the intervention with it
    result = run_study("revitalization_study", {}, out_dir=tmp_path, run_id="c", progress=False)
    s = result.summary
    did = s["did"][0]
    assert s["design"] == "difference in differences" and len(s["comparison"]) == 8
    assert did["ci_low"] < 1.25 < did["ci_high"] and did["pretrend_p"] > 0.1  # the simulated truth, parallel before
    assert s["impact"]["ratio_low"] > did["ci_high"]  # the before/after model alone overstates it
    assert abs(s["synthetic_control"][0]["ratio"] - 1.25) < 0.1
    html = result.report.read_text()
    assert "Against 8 comparison communities" in html and "synthetic community" in html


@pytest.mark.notebooks
def test_revitalization_study_without_dates_fails_loudly(tmp_path):
    from communitylab.runner import StudyFailed

    with pytest.raises(StudyFailed, match="dated interventions for 'twcs-sample'") as failed:
        run_study("revitalization_study", {"source": "twcs-sample"}, out_dir=tmp_path, run_id="f", progress=False)
    e = failed.value  # as papermill's error: the cell, the exception's name and value, the traceback
    assert e.ename == "DataValidationError" and "dated interventions" in e.evalue
    assert e.cell_index is not None and "load_milestones" in e.cell_source
    assert "load_milestones" in e.traceback and "\x1b[" not in e.traceback
    assert "load_milestones" in (e.failed_dir / "error.txt").read_text()


# ---- bring your own community: the health study from the CLI on every export format, leaking nothing

OWN_EXPORTS = [
    ("slack", []), ("discord", ["-p", "hosts", "[Moderator]"]), ("discourse", []), ("discourse-posts.csv", []),
    ("mailing-list.mbox", ["-p", "hosts", "'@project.org'"]), ("github", []), ("reddit-acmemakers.ndjson", []),
    ("facebook-page.json", []), ("twitter-mentions.json", ["-p", "hosts", "'@AcmeBrand'"]), ("support-export.csv", []),
    ("forum-events.csv", ["-p", "format", "events", "-p", "columns",
                          "{event_id: id, member_id: author, kind: type, created_at: time, parent_id: reply_to, thread_id: topic}",
                          "-p", "kinds", "{question: post, answer: reply, like: reaction}"]),
    ("community.yml", []),
]
# planted in the fixtures: real names, e-mail addresses, handles and message texts
PLANTED = ["Zelda", "Quixote", "Lovelace", "Yilmaz", "Maria Moderator", "Olga Owner", "Sam Staff", "Dana Dev", "Xena",
           "SECRET-TEXT", "zelda_q", "zelda-q", "U03MEMBER", "staffer_sam", "maint-mia", "+1 555 0100"]


def personal_data_in(folder) -> list[str]:
    """Planted personal data, or any e-mail address, found in a run's outputs (images left out)."""
    import re

    from communitylab.privacy import EMAIL_RE

    found = []
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = f.read_text(errors="replace")
        text = re.sub(r"(data:image/[a-z+]+;base64,|\"image/png\": \")[A-Za-z0-9+/=\\n]+", "", text)
        found += [f"{f.name}: {word}" for word in PLANTED if word in text]
        found += [f"{f.name}: {m}" for m in EMAIL_RE.findall(text)]
    return found


@pytest.mark.notebooks
@pytest.mark.parametrize("source, options", OWN_EXPORTS, ids=[s for s, _ in OWN_EXPORTS])
def test_health_study_runs_on_your_own_export_and_leaks_nothing(source, options, tmp_path):
    from communitylab.cli import main
    from tests.loaders.exports import EXPORTS, support_export

    path = support_export() if source == "support-export.csv" else EXPORTS / source  # made at test time, not committed
    code = main(["run", "community_health", "-p", "source", str(path), *options, "-p", "compare_sources", "[]",
                 "--out", str(tmp_path), "--run-id", "own", "--quiet"])
    assert code == 0
    run_dir = tmp_path / "community_health" / "own"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["verdict"] in VERDICTS
    assert summary["rows_loaded"] > 0
    html = (run_dir / "report.html").read_text()
    assert str(EXPORTS) not in html  # the report names the file and its hash, not the folder it sits in
    check_reads_as_a_report(html, source)
    assert personal_data_in(run_dir) == []
    if source == "community.yml":  # the channels (sources) side by side, beside the community itself
        names = [row["community"] for row in summary["comparison"]]
        assert set(names) == {"Acme makers", "Acme makers / slack", "Acme makers / forum", "Acme makers / mailing-list"}


def test_the_leak_detector_finds_what_is_planted(tmp_path):
    (tmp_path / "report.html").write_text('<p>by Zelda</p><img src="data:image/png;base64,QXVRZWxkYQ=="> write to a.b@example.org')
    assert personal_data_in(tmp_path) == ["report.html: Zelda", "report.html: a.b@example.org"]
    (tmp_path / "report.html").write_text('<img src="data:image/png;base64,ZelDaQuixote+Zelda/Yilmaz==">')
    assert personal_data_in(tmp_path) == []


def test_summary_schema_rejects_what_it_documents_against():
    import jsonschema

    schema = json.loads((Path(communitylab.__file__).parent / "schemas" / "summary-2.schema.json").read_text())
    good = {"_schema": "communitylab.summary/2", "_study": "community_health", "_run_id": "r", "_finished_utc": "2026-01-01T00:00:00+00:00",
            "verdict": "dormant", "rows_loaded": 3}
    jsonschema.validate(good, schema)
    for bad in ({**good, "verdict": "alive-ish"}, {k: v for k, v in good.items() if k != "_run_id"}, {**good, "rows_loaded": -1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


@pytest.mark.notebooks
def test_other_studies_leak_nothing_from_an_export_full_of_names(tmp_path):
    """The churn study on a Slack export (names, e-mails, texts) and transactions keyed by e-mail
    address, and getting_started on the same export: none of it reaches any output."""
    from tests.loaders.exports import EXPORTS

    tx = tmp_path / "transactions.csv"
    rows = ["customer_id,date,value"]
    for i, who in enumerate(["zelda.quixote@example.org", "yusuf.yilmaz@example.net", "ada.admin@acme.example"] * 40):
        rows.append(f"{who},1997-{1 + i % 12:02d}-{1 + i % 27:02d},{10 + i % 7}.5")
    tx.write_text("\n".join(rows) + "\n")
    churn = run_study("churn_vs_acquisition", {"source": str(EXPORTS / "slack"), "transactions": str(tx), "calibration_end": "1997-06-30"},
                      out_dir=tmp_path / "out", run_id="c", progress=False)
    start = run_study("getting_started", {"your_export": str(EXPORTS / "slack")}, out_dir=tmp_path / "out", run_id="g", progress=False)
    assert start.summary["own_export_format"] == "slack"
    for result in (churn, start):
        assert personal_data_in(result.run_dir) == [], result.study
        check_reads_as_a_report(result.report.read_text(), result.study)


@pytest.mark.notebooks
def test_survey_and_revitalization_studies_leak_nothing(tmp_path):
    """Open answers naming people, respondents identified by e-mail, an event log whose members are
    real names with message texts: none of it reaches any output of the survey or revitalization study."""
    import numpy as np
    import pandas as pd

    from communitylab.datasets import project_data_dir

    seed = project_data_dir() / "seed-survey"
    responses = pd.read_csv(seed / "responses.csv")
    responses["respondent"] = [f"member{i}.lovelace@example.org" for i in range(len(responses))]
    responses.loc[0, "q7_suggestions"] = "Zelda Quixote SECRET-TEXT should run the meetups; call +1 555 0100"
    responses.loc[1, "q7_suggestions"] = "write to zelda.q@example.org about Yilmaz"
    survey_csv = tmp_path / "responses.csv"
    responses.to_csv(survey_csv, index=False)
    survey = run_study("member_survey", {"responses": str(survey_csv), "codebook": str(seed / "codebook.yml")},
                       out_dir=tmp_path / "out", run_id="s", progress=False)

    rng = np.random.default_rng(0)
    names = ["Zelda Quixote", "Ada Lovelace", "Yusuf Yilmaz", "Xena Warrior", "Olga Owner"] + [f"Member {i}" for i in range(25)]
    rows, k = [], 0
    for week in range(40):
        for _ in range(int(rng.poisson(6 if week < 20 else 14))):
            k += 1
            when = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(days=7 * week + int(rng.integers(0, 7)), hours=int(rng.integers(0, 24)))
            rows.append({"id": f"e{k}", "author": names[int(rng.integers(0, len(names)))], "type": "post", "time": when.isoformat(),
                         "reply_to": "", "topic": f"e{k}", "body": "SECRET-TEXT from Zelda"})
            for _ in range(int(rng.integers(0, 3))):
                k += 1
                rows.append({"id": f"e{k}", "author": names[int(rng.integers(0, len(names)))], "type": "reply",
                             "time": (when + pd.Timedelta(hours=1 + k % 5)).isoformat(), "reply_to": rows[-1]["id"] if rows[-1]["type"] == "post" else rows[-1]["reply_to"],
                             "topic": rows[-1]["topic"], "body": "SECRET-TEXT reply by Lovelace"})
    log = tmp_path / "forum.csv"
    pd.DataFrame(rows).to_csv(log, index=False)
    revival = run_study("revitalization_study", {
        "source": str(log), "format": "events", "hosts": ["Olga Owner"], "milestones": {"relaunch": "2024-05-20"},
        "columns": {"event_id": "id", "member_id": "author", "kind": "type", "created_at": "time", "parent_id": "reply_to",
                    "thread_id": "topic"}}, out_dir=tmp_path / "out", run_id="r", progress=False)
    for result in (survey, revival):
        assert personal_data_in(result.run_dir) == [], result.study
        check_reads_as_a_report(result.report.read_text(), result.study)
