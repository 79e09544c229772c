"""The example data bundled in ``data/``, by name, each with its provenance (see ``data/*/README.md``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["DATASETS", "data_dir", "dataset_path", "load_community", "load_milestones", "load_transactions", "load_survey", "describe_datasets"]


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # loader: stackexchange, edgelist, support_threads, file
    relpath: str
    description: str
    licence: str


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("stackexchange-beer", "stackexchange", "stackexchange-beer", "Beer Stack Exchange dump, 2014-2016 (591 questions)", "CC BY-SA 3.0"),
        Dataset("stackexchange-quantumcomputing", "stackexchange", "stackexchange-quantumcomputing", "Quantum Computing Stack Exchange, first 6 months of 2018", "CC BY-SA 3.0/4.0"),
        Dataset("collegemsg", "edgelist", "collegemsg/CollegeMsg.txt.gz", "UC Irvine student messages, 2004 (SNAP/KONECT)", "CC BY-SA 2.0 DE (KONECT)"),
        Dataset("digg-reply", "edgelist", "digg-reply/munmun_digg_reply.txt.gz", "Digg reply network, 2008 (KONECT)", "KONECT, attribution"),
        Dataset("twcs-sample", "support_threads", "twcs-sample/twcs_head.csv.gz", "Customer Support on Twitter, first 5,000 tweets (brands are hosts)", "CC BY-NC-SA 4.0"),
    )
}


def data_dir() -> Path:
    """The bundled data folder (``COMMUNITYLAB_DATA`` overrides).

    Installed from a wheel, the data ship inside the package (``communitylab/bundled_data``); in a
    source checkout (editable install) they are the repository's ``data/``.
    """
    env = os.environ.get("COMMUNITYLAB_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    return here / "bundled_data" if (here / "bundled_data").is_dir() else here.parent / "data"


def dataset_path(name: str) -> Path:
    """Path of a bundled data set."""
    if name not in DATASETS:
        raise KeyError(f"unknown data set {name!r}; bundled: {sorted(DATASETS)}")
    return data_dir() / DATASETS[name].relpath


def load_transactions(source: str = "cdnow") -> pd.DataFrame:
    """Transactions as ``customer_id, date, value``: the bundled CDNOW sample or a CSV with those columns."""
    if source in ("cdnow", "cdnow-sample"):
        raw = pd.read_csv(data_dir() / "cdnow/CDNOW_sample.txt.gz", sep=r"\s+", header=None,
                          names=["master_id", "customer_id", "date", "cds", "value"], dtype={"date": str, "customer_id": str})
        raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
        return raw[["customer_id", "date", "value"]]
    from communitylab.loaders.csv import read_table

    df = read_table(source)
    from communitylab.retention.models._mle import check_columns

    check_columns(df, ["customer_id", "date", "value"], source)
    df["date"] = pd.to_datetime(df["date"])
    df["value"] = pd.to_numeric(df["value"])
    return df


def load_survey(source: str = "seed-survey", codebook: str | None = None, *, seed: int = 0) -> dict:
    """A survey by name or path: ``{"responses", "codebook", "margins", "id_col"}``.

    ``"seed-survey"``: the reconstructed seed-000 survey (see ``data/seed-survey/README.md``);
    ``"simulated"``: a larger synthetic survey with segments and known margins; otherwise a
    CSV/XLSX path with ``codebook`` the YAML path.
    """
    from communitylab.survey.codebook import load_codebook, read_responses

    if source == "simulated":
        from communitylab.survey.simulate import simulate_member_survey

        sim = simulate_member_survey(seed=seed)
        cb = load_codebook(sim["codebook"])
        r = read_responses(sim["responses"].assign(respondent=range(1, len(sim["responses"]) + 1)), cb, source="simulated survey")
        return {"responses": r, "codebook": cb, "margins": sim["margins"], "id_col": "respondent"}
    if source == "seed-survey":
        path, codebook = data_dir() / "seed-survey/responses.csv", codebook or str(data_dir() / "seed-survey/codebook.yml")
    else:
        path = Path(source)
    if not codebook:
        raise ValueError("a codebook (YAML) is needed for a survey export")
    cb = load_codebook(codebook)
    r = read_responses(path, cb)
    return {"responses": r, "codebook": cb, "margins": None, "id_col": r.columns[0]}


def describe_datasets() -> pd.DataFrame:
    """The bundled data sets: ``name, description, licence, path``."""
    return pd.DataFrame([{"name": d.name, "description": d.description, "licence": d.licence, "path": str(dataset_path(d.name))} for d in DATASETS.values()])


def _simulated(source: str):
    """``"sim:<scenario>[:seed=N]"`` -> the simulated community with its truth."""
    from communitylab.errors import ParameterError
    from communitylab.simulate import SCENARIOS, simulate

    parts = source.split(":")
    scenario, opts = parts[1], parts[2:]
    seed = 0
    for opt in opts:
        key, _, value = opt.partition("=")
        if key != "seed" or not value.isdigit():
            raise ParameterError(f"source {source!r}: expected sim:<scenario> or sim:<scenario>:seed=<whole number>; got {opt!r}")
        seed = int(value)
    if scenario not in SCENARIOS:
        raise ParameterError(f"source {source!r}: no scenario {scenario!r}; expected one of {', '.join(SCENARIOS)}")
    return simulate(scenario, seed=seed)


def load_community(
    source: str,
    *,
    hosts=None,
    name: str | None = None,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    start: str | None = None,
    end: str | None = None,
    kind: str | None = None,
    **kwargs,
):
    """Load a community from a bundled data-set name, a simulator scenario (``sim:living``), or a path.

    Parameters
    ----------
    source : str
        ``"stackexchange-beer"`` (a bundled name), ``"sim:brand_centric"`` (optionally
        ``"sim:living:seed=3"``), or a path to an export of any format in
        :data:`communitylab.loaders.FORMATS` (Slack zip, Discord JSON, Discourse topics, mbox,
        GitHub API pages, Reddit JSON Lines, Facebook Graph JSON, Twitter/X API v2 JSON, a
        ``community.yml`` source file, a Stack Exchange dump, an edge list, any CSV/Parquet/JSONL).
    format : str, optional
        The export's format; sniffed from the path when empty (``kind`` is its old name).
    columns : mapping, optional
        ``{contract column: your column}`` for a generic table (``format="events"``).
    start, end : str, optional
        Keep events in ``[start, end)`` (UTC).
    """
    from communitylab.loaders.formats import load_source, window

    format = format or kind
    if source.startswith("sim:"):
        sim = _simulated(source)
        if not hosts:
            return _with_events(window(sim.community(name=name or sim.scenario), start, end), source, start, end)
        given = [hosts] if isinstance(hosts, str) else [str(h) for h in hosts]
        community = sim.community(name=name or sim.scenario, hosts=given)
        community.host_rule = "given by the user"
        community.report.notes.append(f"hosts given by the user ({len(given)}) replace the scenario's hosts")
        return _with_events(window(community, start, end), source, start, end)
    if source in DATASETS:
        fmt = {"support_threads": "twcs", "file": "events"}.get(DATASETS[source].kind, DATASETS[source].kind)
        return _with_events(load_source(dataset_path(source), fmt, hosts=hosts, name=name or source, start=start, end=end, **kwargs),
                            source, start, end)
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{source!r} is neither a bundled data set ({sorted(DATASETS)}), a 'sim:' scenario, nor an existing path")
    fmt = {"support_threads": "twcs", "file": "events"}.get(format or "", format)
    return _with_events(load_source(path, fmt, hosts=hosts, name=name, columns=columns or None, start=start, end=end, **kwargs),
                        str(path), start, end)


def _with_events(community, source: str, start: str | None, end: str | None):
    """The community, or a typed error when nothing is left to analyse (a header-only file, only
    future or placeholder dates, a window that holds nothing): a study cannot judge an empty log."""
    from communitylab.schema import DataValidationError

    n = len(community.frame) if community.frame is not None else int(community.execute(community.events.count()))
    if n:
        return community
    r = community.report
    why = "; ".join(f"{i['rule']}: {i['count']:,}" for i in r.issues if i["action"] == "excluded") or "the file holds no events"
    window = f" within {start or 'the start'} to {end or 'the end'}" if start or end else ""
    raise DataValidationError(source, "(events)", [], f"at least one event{window} to analyse; {r.rows_read:,} read, none left ({why})", 0)


def load_milestones(source: str, milestones: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Dated interventions for an intervention study: ``date, milestone`` (UTC), in date order.

    ``milestones`` maps a name to a date (``{"appoint a manager": "2024-05-21"}``). Without it, a
    simulated scenario (``"sim:revitalized"``) brings its own dated steps; any other source needs
    them, and says so.
    """
    from communitylab.schema import DataValidationError

    if milestones:
        names, raw = list(milestones), list(milestones.values())
        dates = pd.to_datetime(pd.Series(raw, dtype="object"), utc=True, errors="coerce")
        bad = dates.isna()
        if bad.any():
            rows = [f"{names[i]}={raw[i]!r}" for i in bad[bad].index[:5]]
            raise DataValidationError("milestones parameter", "date", rows, "dates such as '2024-05-21'", int(bad.sum()))
        out = pd.DataFrame({"date": dates, "milestone": [str(n) for n in names]})
    elif source.startswith("sim:"):
        sim = _simulated(source)
        if "milestones" not in sim.truth:
            raise DataValidationError("milestones parameter", "milestones", [], f"dated interventions (scenario {sim.scenario!r} has none; try sim:revitalized)", 0)
        out = sim.truth["milestones"]
    else:
        raise DataValidationError("milestones parameter", "milestones", [], f"dated interventions for {source!r}, e.g. {{'new rules': '2024-03-01'}}", 0)
    return out.sort_values("date", kind="stable").reset_index(drop=True)
