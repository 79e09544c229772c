"""Data by name: third-party data sets through the registry, the simulator's scenarios, and the
data the project made itself (the seed survey).

No third-party data ship with the kit: each registered data set is fetched once from its
publisher (or a pinned public copy) into the data folder and verified by its checksum
(:mod:`communitylab.datasets.registry`, ``communitylab datasets``).

Examples
--------
>>> from communitylab import datasets
>>> community = datasets.load_community("sim:living")
>>> community.name
'living'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from communitylab.datasets.fetch import dataset_file, dataset_folder, fetch, missing_message, status
from communitylab.datasets.registry import REGISTRY, data_home, project_data_dir
from communitylab.errors import ParameterError

__all__ = ["DATASETS", "REGISTRY", "data_home", "project_data_dir", "dataset_path", "dataset_file", "dataset_folder",
           "fetch", "status", "missing_message", "load_community", "load_comparisons", "load_milestones", "load_transactions",
           "load_survey", "describe_datasets"]

#: The registered data sets a study can take as ``source`` (communities), by name.
DATASETS = {name: d for name, d in REGISTRY.items() if d.format}


def dataset_path(name: str) -> Path:
    """Where a registered community data set is read from, verified: its folder (Stack Exchange) or its file.

    Raises
    ------
    DatasetMissing
        It has not been fetched (the message gives the command).
    """
    d = REGISTRY[name] if name in REGISTRY else None
    if d is None:
        raise KeyError(f"unknown data set {name!r}; registered: {sorted(REGISTRY)}")
    return dataset_folder(name) if len(d.files) > 1 else dataset_file(name)


def load_transactions(source: str = "simulated", *, seed: int = 0) -> pd.DataFrame:
    """Transactions as ``customer_id, date, value``.

    ``"simulated"``: a CDNOW-like log drawn from Fader, Hardie & Lee's published fits (no download);
    ``"cdnow"``: the CDNOW 1/10 sample (after ``communitylab datasets fetch cdnow``); otherwise a CSV
    with those columns.
    """
    if source == "simulated":
        from communitylab.retention.models.simulate import simulate_transactions

        return simulate_transactions(seed=seed)
    if source in ("cdnow", "cdnow-sample"):
        raw = pd.read_csv(dataset_file("cdnow", "CDNOW_sample.txt"), sep=r"\s+", header=None,
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
        seed_dir = project_data_dir() / "seed-survey"
        path, codebook = seed_dir / "responses.csv", codebook or str(seed_dir / "codebook.yml")
    else:
        path = Path(source)
    if not codebook:
        raise ParameterError("a codebook (YAML) is needed for a survey export")
    cb = load_codebook(codebook)
    r = read_responses(path, cb)
    return {"responses": r, "codebook": cb, "margins": None, "id_col": r.columns[0]}


def describe_datasets() -> pd.DataFrame:
    """The registered data sets: ``name, description, status, size, licence, folder``.

    ``status`` is ``present`` (verified), ``missing`` or ``differs`` (a checksum); nothing is downloaded.
    """
    return pd.DataFrame([{"name": d.name, "description": d.description, "status": status(d.name), "size": d.size_text,
                          "licence": d.licence, "folder": str(data_home() / d.name)} for d in REGISTRY.values()])


def _simulated(source: str):
    """``"sim:<scenario>[:seed=N][:days=N]"`` -> the simulated community with its truth;
    ``"sim:common_shock[:comparison=N][:seed=N]"`` -> a community of the common-shock panel."""
    from communitylab.errors import ParameterError
    from communitylab.simulate import N_COMPARISON, SCENARIOS, simulate, simulate_common_shock

    parts = source.split(":")
    scenario, opts = parts[1], parts[2:]
    shock = scenario == "common_shock"
    options = {"seed": 0, "comparison": 0} if shock else {"seed": 0, "days": 365}
    for opt in opts:
        key, _, value = opt.partition("=")
        if (key not in options or not value.isdigit() or (key == "days" and int(value) < 7)
                or (key == "comparison" and not 1 <= int(value) <= N_COMPARISON)):
            raise ParameterError(f"source {source!r}: expected sim:<scenario>, optionally followed by :seed=<whole number> and "
                                 f":days=<whole number, at least 7> (sim:common_shock: :comparison=<1 to {N_COMPARISON}>); "
                                 f"got {opt!r}")
        options[key] = int(value)
    if shock:
        index = options["comparison"]
        return simulate_common_shock("comparison" if index else "treated", index=max(index, 1), seed=options["seed"])
    if scenario not in SCENARIOS:
        raise ParameterError(f"source {source!r}: no scenario {scenario!r}; expected one of {', '.join(SCENARIOS)}, common_shock")
    return simulate(scenario, **options)


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
    """Load a community from a registered data set's name, a simulator scenario (``sim:living``), or a path.

    Parameters
    ----------
    source : str
        ``"stackexchange-beer"`` (a registered name, once fetched), ``"sim:brand_centric"`` (optionally
        ``"sim:living:seed=3"``, ``"sim:living:days=730"``), a store's URI (``file:///shared/forum``,
        ``s3a://bucket/forum``: see :func:`~communitylab.loaders.open_store`), or a path to an export of any format in
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
    from communitylab.locations import is_uri

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
    if is_uri(source):  # a Parquet store on storage a cluster shares, read where it is
        return _with_events(load_source(source, format or "store", hosts=hosts, name=name, start=start, end=end, **kwargs),
                            source, start, end)
    if source in DATASETS:
        return _with_events(load_source(dataset_path(source), DATASETS[source].format, hosts=hosts, name=name or source, start=start, end=end, **kwargs),
                            source, start, end)
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{source!r} is neither a registered data set ({', '.join(DATASETS)}), a 'sim:' scenario, nor an existing path")
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


def load_comparisons(source: str, comparison: Sequence[str] | None = None) -> list[str]:
    """The comparison communities' sources for an intervention study: ``comparison`` as given, or,
    when it is empty, a simulated scenario's own comparison communities (``sim:common_shock``
    brings eight); other sources have none unless named.

    Examples
    --------
    >>> load_comparisons("sim:common_shock")[:2]
    ['sim:common_shock:comparison=1', 'sim:common_shock:comparison=2']
    >>> load_comparisons("export.zip", ["other-channel.zip"])
    ['other-channel.zip']
    """
    if comparison:
        return [str(c) for c in comparison]
    if source.startswith("sim:"):
        return list(_simulated(source).truth.get("comparisons", []))
    return []


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
