"""``communitylab run | list | demo | inspect | formats | history | datasets``: the studies and the data door from the command line.

Exit codes (scheduled runs can act on them):

== ==================================================================================================
0  success
1  a study failed: ``reports/<study>/failed-<run id>/`` keeps the traceback; the last good report
   is untouched
2  bad input: an unknown study (a study is a name from ``communitylab list``, never a path) or
   parameter, a parameter of the wrong type or outside its allowed values, a file that is missing,
   breaks its format or passes a safety limit (the study's failed folder is kept as for exit 1),
   a damaged privacy key
3  busy: another run of the same study was still running after ``--wait`` seconds; nothing written
4  the reports folder (or the configuration folder that keeps the privacy key) cannot be written:
   read-only, full, not a folder; nothing published, nothing half-written kept
== ==================================================================================================
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

import yaml

from communitylab.errors import CommunityLabError
from communitylab.runner import (
    OutputError,
    StudyBusy,
    StudyFailed,
    StudyInputError,
    list_studies,
    new_run_id,
    run_study,
)
from communitylab.schema import DataValidationError

DEMO_STUDIES = ("getting_started", "community_health", "churn_vs_acquisition", "member_survey", "revitalization_study")


#: ``communitylab run``'s exit code and message prefix by error, the first that matches (see the epilog)
_RUN_EXIT_CODES = (
    (StudyInputError, 2, "bad input: "),
    (StudyFailed, 1, ""),
    (StudyBusy, 3, ""),
    (OutputError, 4, ""),
    ((CommunityLabError, ValueError, OSError), 2, ""),  # refused parameters, a damaged privacy key, a Spark master that does not answer
)


def _value(text: str):
    """Parse a -p value as papermill does: YAML scalars (ints, floats, booleans, lists, mappings), else text."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _source_options(pairs: Sequence[Sequence[str]]) -> dict:
    """``-p NAME VALUE`` pairs of a source (inspect, import): format, start, end and name as text,
    the others (hosts, columns, kinds) parsed as papermill parses them."""
    return {name: (value if name in ("format", "start", "end", "name") else _value(value)) for name, value in pairs}


def _demo_runs(available: dict) -> list[tuple[str, dict, str]]:
    """What ``demo`` runs: the health study on every other simulator scenario and on every registered
    data set present in the data folder (run folders named for it), the revitalization study on the
    revitalized scenario's eight dated steps, then each study with its defaults (so ``latest.html``
    is the default run)."""
    from communitylab.datasets import DATASETS, status
    from communitylab.simulate import SCENARIOS

    runs: list[tuple[str, dict, str]] = []
    if "community_health" in available:
        default = available["community_health"]["source"]["default"].strip("'\"")
        sources = [f"sim:{s}" for s in SCENARIOS if f"sim:{s}" != default] + [n for n in DATASETS if status(n) == "present"]
        runs += [("community_health", {"source": src}, src.replace(":", "-")) for src in sources]
    if "revitalization_study" in available:
        runs.append(("revitalization_study", {"source": "sim:revitalized"}, "sim-revitalized"))
    studies = [s for s in DEMO_STUDIES if s in available] + [s for s in available if s not in DEMO_STUDIES]
    return runs + [(study, {}, "") for study in studies]


def _datasets_command(args) -> int:
    """``communitylab datasets [list]`` and ``communitylab datasets fetch NAME ... [--from PATH]``."""
    from communitylab.datasets import REGISTRY, data_home, describe_datasets, fetch

    if args.action == "list":
        table = describe_datasets()[["name", "status", "size", "licence", "description"]]
        print(f"data folder: {data_home()}  (COMMUNITYLAB_DATA_DIR moves it)\n")
        print(table.to_string(index=False))
        return 0
    names = [n for n, d in REGISTRY.items() if d.downloadable] if args.all else args.names
    if not names:
        print("communitylab: name the data sets to fetch (communitylab datasets lists them), or give --all", file=sys.stderr)
        return 2
    if args.source and len(names) != 1:
        print("communitylab: --from takes one data set at a time", file=sys.stderr)
        return 2
    for name in names:
        try:
            folder = fetch(name, source=args.source, progress=not args.quiet)
        except (CommunityLabError, OSError) as exc:
            print(f"communitylab: {name}: {exc}", file=sys.stderr)
            return 2
        d = REGISTRY[name]
        print(f"{name}: {folder} (verified, {d.size_text})\n  licence:  {d.licence}\n  cite:     {d.citation}\n  origin:   {d.origin}")
    return 0


def _setup_logging(*, verbose: bool, quiet: bool) -> None:
    """The ``communitylab`` logger to stderr: progress at INFO, every step with ``--verbose``,
    warnings only with ``--quiet``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[communitylab] %(message)s"))
    logger = logging.getLogger("communitylab")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="communitylab", description="Run communitylab studies and render reports.",
                                     epilog="exit codes: 0 ok, 1 a study failed, 2 bad input (study, parameter, file), 3 busy, 4 cannot write the reports")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step (the subcommands' --quiet: warnings only)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one study (communitylab run STUDY --help lists its parameters)", add_help=False)
    run.add_argument("study", nargs="?")
    run.add_argument("-h", "--help", action="store_true", help="show the study's parameters (or this help) and exit")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run.add_argument("--out", default="reports", help="reports folder (default: reports)")
    run.add_argument("--run-id", default=None)
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--pdf", action="store_true", help="also write report.pdf (headless Chromium from the distribution)")
    run.add_argument("--paper", choices=["a4", "letter", "a3", "legal"], default="a4", help="the PDF's paper size (default a4)")
    run.add_argument("--wait", type=float, default=3600.0, metavar="SECONDS",
                     help="wait this long for another run of the same study to finish (default 3600; 0: exit 3 at once)")
    sub.add_parser("list", help="list the studies and their parameters")
    sub.add_parser("formats", help="list the export formats a source can be in")
    hist = sub.add_parser("history", help="the headline figures of a study's past runs, as a trend table (and chart)")
    hist.add_argument("study")
    hist.add_argument("--out", default="reports", help="reports folder (default: reports)")
    hist.add_argument("--json", action="store_true", help="print the table as JSON records")
    hist.add_argument("--chart", metavar="PNG", help="also draw the numeric figures over the runs into this file")
    insp = sub.add_parser("inspect", help="what a source holds (format, hosts, load report, counts), without running a study")
    insp.add_argument("source")
    insp.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                      help="format, hosts, columns, kinds, start, end or name")
    insp.add_argument("--json", action="store_true", help="print one JSON object")
    imp = sub.add_parser("import", help="append an export to a Parquet store (created if missing; events already in it are "
                                        "skipped; the hosts are kept beside it)")
    imp.add_argument("source")
    imp.add_argument("store")
    imp.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="format, hosts, columns, kinds, start or end, as for inspect")
    data = sub.add_parser("datasets", help="the registered third-party data sets: list them, or fetch one into the data folder")
    data.add_argument("action", nargs="?", choices=["list", "fetch"], default="list")
    data.add_argument("names", nargs="*", metavar="NAME")
    data.add_argument("--all", action="store_true", help="fetch every data set the kit can download")
    data.add_argument("--from", dest="source", metavar="PATH",
                      help="take the files from a local copy (folder, file, .zip, .tar.*, .7z) instead of downloading")
    data.add_argument("--quiet", action="store_true", help="no progress bar")
    demo = sub.add_parser("demo", help="run every study on simulated data and the seed survey (no download), "
                                       "and the health study on every data set present")
    demo.add_argument("--out", default="reports")
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--wait", type=float, default=3600.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    _setup_logging(verbose=args.verbose, quiet=getattr(args, "quiet", False))

    if args.command == "list":
        for study, params in list_studies().items():
            print(study)
            for name, p in params.items():
                print(f"  {name}: {p['type']} = {p['default']}  # {p['help']}")
        return 0
    if args.command == "formats":
        from communitylab.loaders.formats import FORMATS

        for f in FORMATS.values():
            print(f"{f.name}\n  reads:     {f.reads}\n  maps:      {f.maps}\n  host rule: {f.host_rule}")
        return 0
    if args.command == "datasets":
        return _datasets_command(args)
    if args.command == "history":
        from communitylab.history import plot_history, run_history

        try:
            table = run_history(args.study, args.out)
        except (FileNotFoundError, CommunityLabError) as exc:
            print(f"communitylab: {exc}", file=sys.stderr)
            return 2
        if args.chart:
            plot_history(table).savefig(args.chart, dpi=120)
        if args.json:
            print(table.to_json(orient="records", date_format="iso", indent=2))
        else:
            print(table.to_string(index=False))
        return 0
    if args.command == "import":
        from communitylab.loaders.importing import import_source

        options = _source_options(args.parameter)
        unknown = set(options) - {"format", "hosts", "columns", "kinds", "start", "end"}
        if unknown:
            print(f"communitylab: import takes -p format, hosts, columns, kinds, start or end; not {', '.join(sorted(unknown))}",
                  file=sys.stderr)
            return 2
        try:
            result = import_source(args.source, args.store, **options)
        except (CommunityLabError, ValueError, OSError) as exc:
            print(f"communitylab: {exc}", file=sys.stderr)
            return 2
        print(result)
        return 0
    if args.command == "inspect":
        from communitylab.inspect import format_inspection, inspect_source

        options = _source_options(args.parameter)
        try:
            community, info = inspect_source(args.source, options)
        except (DataValidationError, CommunityLabError, ValueError, OSError) as exc:
            print(f"communitylab: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(info, indent=2, default=str))
        else:
            print(format_inspection(info, sorted(community.hosts)))
        return 0
    if args.command == "run" and (args.help or not args.study):
        studies = list_studies()
        if args.study and args.study in studies:
            print(f"usage: communitylab run {args.study} [-p NAME VALUE ...] [--out DIR] [--run-id ID] [--wait SECONDS] [--quiet]\n")
            print(f"parameters of {args.study} (give each as -p NAME VALUE):")
            for name, p in studies[args.study].items():
                print(f"  {name}: {p['type']} = {p['default']}\n      {p['help']}")
            return 0
        run.print_help()
        if args.study:
            print(f"\ncommunitylab: no study {args.study!r}; studies: {', '.join(studies)}", file=sys.stderr)
            return 2
        return 0 if args.help else 2
    if args.command == "run":
        params = {name: _value(value) for name, value in args.parameter}
        raw = dict(args.parameter)
        try:
            result = run_study(args.study, params, out_dir=args.out, run_id=args.run_id, progress=not args.quiet, raw_parameters=raw,
                               wait=args.wait)
        except (StudyFailed, StudyBusy, OutputError, CommunityLabError, ValueError, OSError) as exc:
            code, prefix = next((code, prefix) for kinds, code, prefix in _RUN_EXIT_CODES if isinstance(exc, kinds))
            print(f"communitylab: {prefix}{exc}", file=sys.stderr)
            return code
        print(result.report)
        if args.pdf:
            from communitylab.browser import ChromiumMissing, html_to_pdf

            try:
                print(html_to_pdf(result.report, result.run_dir / "report.pdf", paper=args.paper))
            except ChromiumMissing as exc:
                print(f"communitylab: the report is written; no PDF: {exc}", file=sys.stderr)
        return 0
    available = list_studies()
    failures = []
    for study, params, label in _demo_runs(available):
        try:
            run_id = f"{new_run_id()}-{label}" if label else None
            result = run_study(study, params, out_dir=args.out, run_id=run_id, progress=not args.quiet, wait=args.wait)
            print(f"{study}{f' ({label})' if label else ''}: {result.report}")
        except OutputError as exc:
            print(f"communitylab: {exc}", file=sys.stderr)
            return 4
        except (StudyFailed, StudyBusy) as exc:
            print(f"communitylab: {exc}", file=sys.stderr)
            failures.append(f"{study} ({label})" if label else study)
    if failures:
        print(f"communitylab: {len(failures)} study(ies) failed: {failures}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
