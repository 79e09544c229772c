"""Run a study notebook safely and render it as a shareable report.

``run_study("community_health", {"source": "twcs-sample"})`` executes ``notebooks/<study>.ipynb``
with papermill, then writes, for a run id like ``20261123T101500Z-4242-9f3a`` (time, process, random)::

    reports/<study>/<run id>/report.html     code hidden (nbconvert, no input, no prompts)
    reports/<study>/<run id>/executed.ipynb  the executed notebook
    reports/<study>/<run id>/summary.json    headline figures the study recorded (schema: communitylab/schemas/summary-2.schema.json)
    reports/<study>/<run id>/manifest.json   parameters, input hashes, package versions, times
    reports/<study>/latest.html              copy of the newest *good* report
    reports/<study>/latest.json              which run that is

Safety for scheduled runs: everything is written in a staging folder and moved into place with
one rename; ``latest.html`` is replaced atomically (``os.replace``) only after a successful run.
A failing run raises :class:`StudyFailed` and leaves ``reports/<study>/failed-<run id>/`` with
the executed notebook (traceback included) and ``error.txt`` beside, never over, the last good
report.

Two runs of one study never interleave: each holds ``reports/<study>/.lock`` (an operating-system
lock, released even when the process is killed) and the second waits (``wait`` seconds) or stops
with :class:`StudyBusy`. A run killed mid-way leaves its staging folder, which the next run moves
aside as ``failed-<run id>``; ``latest.html`` stays the last good report. A reports folder that
cannot be written raises :class:`OutputError` before the kernel starts, or, if the disk fills
while writing, after removing what it had staged.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import platform
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from communitylab.errors import CommunityLabError, ParameterError
from communitylab.files import packaged_folder, sha256_file
from communitylab.parameters import check_types, check_values
from communitylab.privacy import key_fingerprint, redact_text
from communitylab.summary import MIME, read_summary

__all__ = ["StudyFailed", "StudyInputError", "StudyBusy", "OutputError", "new_run_id", "study_lock", "RunResult", "notebook_dir",
           "list_studies", "run_study", "render_html", "check_parameters"]

#: Errors raised inside a study that mean its input was bad (a file that breaks its format, a
#: source that does not exist, a value the study refuses): the run exits 2, not 1.
INPUT_ERRORS = ("DataValidationError", "ParameterError", "InputTooLarge", "FileNotFoundError", "NotADirectoryError",
                "IsADirectoryError")
#: The operating system's "cannot write" errors (full disk, quota, read-only, permission).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}

log = logging.getLogger("communitylab")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in a kernel's traceback
SUMMARY_SCHEMA = "communitylab.summary/2"  # communitylab/schemas/summary-2.schema.json (version 1 kept for earlier runs)
PACKAGES = ("communitylab", "pandas", "numpy", "scipy", "statsmodels", "ibis-framework", "duckdb", "sqlglot",
            "matplotlib", "seaborn", "papermill", "nbconvert")


class StudyBusy(CommunityLabError, RuntimeError):
    """Another run of the same study holds its lock (two cron jobs overlapping)."""

    def __init__(self, study: str, study_root: Path, holder: str, wait: float | None):
        self.study, self.study_root = study, study_root
        super().__init__(
            f"another run of {study!r} is writing to {study_root} ({holder or 'holder unknown'}); waited {wait or 0:g} s. "
            "Nothing was written; run again later or give --wait SECONDS"
        )


class OutputError(CommunityLabError, RuntimeError):
    """A folder the run must write cannot be written (read-only, full disk, not a folder): the
    reports folder, or the kit's configuration folder (``what``)."""

    def __init__(self, study_root: Path, exc: OSError, *, what: str = "reports"):
        self.study_root = study_root
        super().__init__(
            f"cannot write {what} to {study_root}: {exc.strerror or exc}. Nothing was published; the last good report is untouched"
        )


class StudyFailed(CommunityLabError, RuntimeError):
    """A study raised; ``failed_dir`` holds the executed notebook with the traceback.

    Attributes
    ----------
    ename, evalue : str
        The name and value of the exception the study raised (papermill's), when known.
    cell_index : int or None
        The failing cell's position in the notebook; ``cell_source`` its code.
    traceback : str
        The notebook's traceback, as plain text (also in ``error.txt``).
    """

    def __init__(self, study: str, failed_dir: Path, reason: str, *, ename: str = "", evalue: str = "",
                 cell_index: int | None = None, cell_source: str = "", traceback: str = ""):
        self.study, self.failed_dir, self.reason, self.ename, self.evalue = study, failed_dir, reason, ename, evalue
        self.cell_index, self.cell_source, self.traceback = cell_index, cell_source, traceback
        super().__init__(f"study {study!r} failed: {reason}\n  executed notebook and error: {failed_dir}\n  the last good report was left untouched")


class StudyInputError(StudyFailed, ValueError):
    """A study stopped on bad input (a damaged or missing file, a refused value): exit 2.

    The failed run's folder is kept for diagnosis as for any :class:`StudyFailed`."""


@dataclass
class RunResult:
    study: str
    run_id: str
    run_dir: Path
    report: Path
    summary: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def notebook_dir() -> Path:
    """Where studies live (``COMMUNITYLAB_NOTEBOOKS`` overrides).

    Installed from a wheel, the studies ship inside the package (``communitylab/studies``); in a
    source checkout (editable install) they are the repository's ``notebooks/``.
    """
    env = os.environ.get("COMMUNITYLAB_NOTEBOOKS")
    if env:
        return Path(env)
    return packaged_folder("studies", "notebooks")


def _study_path(study: str, nb_dir: Path) -> Path:
    """The notebook of a registered study; a name that is not one (a path, ``..``, a typo) is refused."""
    available = sorted(p.stem for p in nb_dir.glob("*.ipynb"))
    if study not in available:
        kind = "a study name, not a path" if any(c in study for c in "/\\") or study.startswith(".") else "one of the studies"
        raise ParameterError(f"no study {study!r}: expected {kind}; available: {', '.join(available)}")
    return nb_dir / f"{study}.ipynb"


def list_studies(nb_dir: Path | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """``{study: {parameter: {"type", "default", "help"}}}`` read from each parameters cell."""
    import papermill as pm

    nb_dir = nb_dir or notebook_dir()
    out = {}
    for path in sorted(nb_dir.glob("*.ipynb")):
        params = pm.inspect_notebook(str(path))
        out[path.stem] = {
            name: {"type": p["inferred_type_name"], "default": p["default"], "help": p["help"]} for name, p in params.items()
        }
    return out


def _file_hashes(parameters: Mapping[str, Any]) -> dict[str, str]:
    from communitylab.datasets import DATASETS, dataset_path

    hashes: dict[str, str] = {}
    for value in parameters.values():
        if not isinstance(value, str) or value.strip() in ("", ".", ".."):
            continue
        path = dataset_path(value) if value in DATASETS else Path(value)
        if not path.exists():
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            hashes[str(f)] = sha256_file(f)
    return hashes


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _check_engine() -> None:
    """A Spark master named by the environment must answer before a kernel starts (an
    :class:`~communitylab.errors.EngineUnavailable` naming it within seconds, and no failed run)."""
    from communitylab.engine import check_reachable, engine_from_environment

    settings = engine_from_environment()
    if settings["backend"] == "pyspark":
        check_reachable(settings["master"], timeout=10.0)


def _engine_settings() -> dict[str, str]:
    """Where the study's queries run, as the kernel reads it from the environment
    (:func:`~communitylab.engine.engine_from_environment`), with the pyspark version for Spark."""
    from communitylab.engine import engine_from_environment

    out = engine_from_environment()
    if out["backend"] == "pyspark":
        try:
            out["pyspark"] = metadata.version("pyspark")
        except metadata.PackageNotFoundError:
            out["pyspark"] = "not installed"
    return out


def render_html(executed: Path, *, show_personal_data: bool = False, title: str | None = None) -> tuple[str, int]:
    """HTML with code, prompts and cells tagged ``remove_cell`` hidden; e-mails redacted.

    ``title``: the page's title (what a browser tab and a PDF's properties show; escaped by
    nbconvert's template); default the notebook's name.
    Returns the HTML and the number of e-mail addresses redacted (0 when personal data is shown).
    """
    import nbformat

    from communitylab import rendering

    nb = nbformat.read(str(executed), as_version=4)
    if title:
        nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [_escaped_markdown(o) for o in cell.get("outputs", []) if MIME not in o.get("data", {})]
    html, _ = _html_exporter().from_notebook_node(nb)
    # a shared report loads nothing from the network: no require.js or MathJax from a CDN (the
    # reports use neither), so it opens offline without errors and tells no third party it was opened
    html = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", html)
    html = rendering.finish(html)
    if show_personal_data:
        return html, 0
    return redact_text(html)


_MARKDOWN = None


def _html_exporter():
    """The report's exporter: code, prompts and cells tagged ``remove_cell`` hidden."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.log.setLevel(logging.ERROR)  # its note on missing alt text: the captions become the alt text (rendering.finish)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, enabled=True), enabled=True)
    return exporter


def _warm_renderer() -> None:
    """Load nbconvert and compile its HTML template (about 2 s on first use), so that
    :func:`render_html` after a study's run takes a fraction of a second. Best effort: any failure
    here shows again, with its message, in :func:`render_html` itself."""
    try:
        import nbformat

        _html_exporter().from_notebook_node(nbformat.v4.new_notebook())
        markdown_to_safe_html("")
    except Exception:  # noqa: BLE001 (render_html reports it)
        return


def markdown_to_safe_html(text: str) -> str:
    """Markdown as HTML with any HTML inside it shown as text, never as markup.

    A study's Markdown output interpolates names, file names and parameters (a community named
    ``<img src=x onerror=...>``); nbconvert would pass raw HTML through, so the report renders the
    Markdown itself with HTML escaped.

    Examples
    --------
    >>> markdown_to_safe_html("## Summary of <img src=x onerror=alert(1)>")
    '<h2>Summary of &lt;img src=x onerror=alert(1)&gt;</h2>\\n'
    """
    global _MARKDOWN
    if _MARKDOWN is None:
        import mistune

        _MARKDOWN = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    return _MARKDOWN(text)


def _escaped_markdown(output: Any) -> Any:
    """An output whose Markdown is rendered here with HTML escaped (see :func:`markdown_to_safe_html`)."""
    data = output.get("data") if isinstance(output, dict) else None
    if not data or "text/markdown" not in data:
        return output
    text = data["text/markdown"]
    output["data"] = {"text/html": markdown_to_safe_html("".join(text) if isinstance(text, list) else text)}
    return output


def report_title(study: str, summary: Mapping[str, Any]) -> str:
    """"Community health — Acme forum": the study in words, then the community it is about when
    the study recorded one (``community``)."""
    words = study.replace("_", " ").capitalize()
    community = summary.get("community")
    return f"{words} — {community}" if isinstance(community, str) and community else words


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def _atomic_copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def new_run_id(now: dt.datetime | None = None) -> str:
    """``YYYYmmddTHHMMSSZ-<pid>-<8 random hex>``: sorts by time, unique across processes and within a second."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}-{secrets.token_hex(4)}"


@contextmanager
def study_lock(study_root: Path, study: str, wait: float | None) -> Iterator[None]:
    """Hold ``<study_root>/.lock`` for one run, so that two runs of a study never interleave.

    ``wait``: seconds to wait for a running study to finish (None: no limit; 0: fail at once).
    The lock is the operating system's (``flock``): a killed run releases it by dying. Holding it,
    leftovers of killed runs (``.staging-*``) are moved aside as ``failed-<run id>`` folders.

    Raises
    ------
    StudyBusy
        Another run still holds the lock after ``wait`` seconds.
    OutputError
        The reports folder cannot be written.
    """
    import fcntl

    try:
        study_root.mkdir(parents=True, exist_ok=True)
        fd = os.open(study_root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(study_root, exc) from exc
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                    raise StudyBusy(study, study_root, holder, wait) from None
                time.sleep(0.2)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}".encode(), 0)
            for stale in study_root.glob(".staging-*"):
                failed = study_root / f"failed-{stale.name.removeprefix('.staging-')}"
                (stale / "error.txt").write_text("interrupted: the run was killed before it finished; nothing was published\n")
                os.rename(stale, failed)
        except OSError as exc:
            raise OutputError(study_root, exc) from exc
        yield
    finally:
        os.close(fd)  # releases the lock


def run_study(
    study: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    out_dir: str | os.PathLike = "reports",
    run_id: str | None = None,
    nb_dir: Path | None = None,
    kernel_name: str = "python3",
    progress: bool = True,
    execution_timeout: int | None = 1800,
    raw_parameters: Mapping[str, str] | None = None,
    wait: float | None = 0,
) -> RunResult:
    """Execute one study and publish its report atomically (see the module docstring).

    Parameters
    ----------
    study : str
        Notebook name without ``.ipynb``.
    parameters : mapping, optional
        Values for the notebook's parameters cell; an unknown name is an error (papermill only
        warns), so a typo cannot silently run the defaults; each value is checked against the
        cell's type before any kernel starts (:func:`check_parameters`).
    out_dir : path
        Reports root.
    run_id : str, optional
        Folder name of this run; default :func:`new_run_id` (unique even for runs started in the
        same second).
    wait : float or None
        Seconds to wait while another run of the same study holds its lock (None: no limit).

    Raises
    ------
    StudyFailed
        The notebook raised; see ``failed_dir``.
    EngineUnavailable
        ``COMMUNITYLAB_ENGINE=pyspark`` and no Spark master answers at ``COMMUNITYLAB_SPARK_MASTER``.
    StudyBusy
        Another run of the study is still running after ``wait`` seconds; nothing was written.
    OutputError
        The reports folder cannot be written (read-only, full, ...); nothing was published and the
        last good report is untouched.
    """
    import papermill as pm

    nb_dir = nb_dir or notebook_dir()
    path = _study_path(study, nb_dir)
    parameters = dict(parameters or {})
    known = pm.inspect_notebook(str(path))
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ParameterError(f"study {study!r} has no parameter(s) {unknown}; it takes {sorted(known)}")
    parameters = check_parameters(study, known, parameters, raw_parameters)
    _check_privacy_key()
    _check_engine()
    study_root = Path(out_dir) / study
    with study_lock(study_root, study, wait):
        started = dt.datetime.now(dt.UTC)
        run_id = run_id or new_run_id(started)
        final = study_root / run_id
        if final.exists():
            raise FileExistsError(f"{final} exists already; pass another run_id")
        staging = study_root / f".staging-{run_id}"
        try:
            staging.mkdir()
        except OSError as exc:
            raise OutputError(study_root, exc) from exc
        try:
            return _execute_and_publish(study, path, nb_dir, known, parameters, study_root, run_id, staging, final, started,
                                        kernel_name, progress, execution_timeout)
        except OSError as exc:  # read-only or full disk while writing: publish nothing, keep the last good report
            shutil.rmtree(staging, ignore_errors=True)
            raise OutputError(study_root, exc) from exc


def _execute_and_publish(study, path, nb_dir, known, parameters, study_root, run_id, staging, final, started,
                         kernel_name, progress, execution_timeout) -> RunResult:
    import papermill as pm

    executed = staging / "executed.ipynb"
    manifest: dict[str, Any] = {
        "study": study,
        "run_id": run_id,
        "notebook": str(path),
        "parameters": parameters,
        "defaults": {k: v["default"] for k, v in known.items()},
        "inputs_sha256": _file_hashes({**{k: _literal(v["default"]) for k, v in known.items()}, **parameters}),
        "versions": _versions(),
        "engine": _engine_settings(),
        "platform": platform.platform(),
        "privacy_key": key_fingerprint(),
        "started_utc": started.isoformat(),
    }
    t0 = time.perf_counter()
    if progress:
        log.info("%s: executing %s (run %s)", study, path.name, run_id)
    warm = threading.Thread(target=_warm_renderer, name="communitylab-warm-renderer", daemon=True)
    warm.start()  # the runner waits on the kernel meanwhile: the report's renderer loads in that time, not after it
    try:
        pm.execute_notebook(
            str(path), str(executed), parameters=parameters, kernel_name=kernel_name,
            # the caller's folder: a relative source is the caller's file, as in `inspect`
            progress_bar=progress, cwd=os.getcwd(), execution_timeout=execution_timeout,
            # the kernel's own log lines (e.g. its warning about TCP transport) stay out of a
            # scheduled run's terminal; the notebook's errors still fail the run
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except Exception as exc:  # papermill wraps the notebook's error; keep everything for diagnosis
        disk = _write_error(exc, study_root)
        if disk is not None:  # the disk filled (or turned read-only) under the run: nothing half-written is kept
            shutil.rmtree(staging, ignore_errors=True)
            raise disk from exc
        manifest.update(status="failed", error=f"{type(exc).__name__}: {exc}", seconds=round(time.perf_counter() - t0, 2))
        trace = _ANSI.sub("", "\n".join(getattr(exc, "traceback", None) or []))
        (staging / "error.txt").write_text(f"{type(exc).__name__}: {exc}\n" + (f"\n{trace}\n" if trace else ""))
        _write_json(staging / "manifest.json", manifest)
        failed = study_root / f"failed-{run_id}"
        os.rename(staging, failed)
        ename, evalue = str(getattr(exc, "ename", "")), str(getattr(exc, "evalue", ""))
        reason = (f"{ename}: {evalue}" if ename else str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__)
        cls = StudyInputError if ename in INPUT_ERRORS else StudyFailed
        raise cls(study, failed, reason, ename=ename, evalue=evalue, cell_index=getattr(exc, "cell_index", None),
                  cell_source=str(getattr(exc, "source", "") or ""), traceback=trace) from exc
    if progress:
        log.info("%s: rendering the report", study)
    show_personal = bool(parameters.get("show_personal_data", _literal(known.get("show_personal_data", {}).get("default", "False"))))
    if not show_personal:
        manifest["parameters"] = _scrub_personal_parameters(executed, parameters)
        _scrub_source_paths(executed, manifest)
    summary = read_summary(executed)
    warm.join()
    html, redacted = render_html(executed, show_personal_data=show_personal, title=report_title(study, summary))
    (staging / "report.html").write_text(html, encoding="utf-8")
    envelope = {"_schema": SUMMARY_SCHEMA, "_study": study, "_run_id": run_id, "_finished_utc": dt.datetime.now(dt.UTC).isoformat()}
    _write_json(staging / "summary.json", {**envelope, **summary})
    manifest.update(
        status="ok", seconds=round(time.perf_counter() - t0, 2), finished_utc=dt.datetime.now(dt.UTC).isoformat(),
        show_personal_data=show_personal, emails_redacted=redacted,
    )
    _write_json(staging / "manifest.json", manifest)
    os.rename(staging, final)  # atomic publish of the run folder
    _atomic_copy(final / "report.html", study_root / "latest.html")
    _write_json(study_root / ".latest.json.tmp", {"run_id": run_id, "report": str(final / "report.html")})
    os.replace(study_root / ".latest.json.tmp", study_root / "latest.json")
    if progress:
        log.info("%s: report at %s (%s s)", study, final / "report.html", manifest["seconds"])
    return RunResult(study, run_id, final, final / "report.html", summary, manifest)


#: Parameters whose values name people (host accounts are staff members): pseudonymized in the
#: manifest and in the executed notebook unless personal data are shown.
PERSONAL_PARAMETERS = ("hosts",)


def _scrub_personal_parameters(executed: Path, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the values of :data:`PERSONAL_PARAMETERS` by their pseudonyms in the executed
    notebook (papermill's injected cell and metadata); return the parameters as the manifest keeps them."""
    import nbformat

    from communitylab.privacy import pseudonym

    names = {str(v): pseudonym(v) for key in PERSONAL_PARAMETERS for v in (parameters.get(key) or [])}
    if not names:
        return dict(parameters)
    kept = {k: ([names.get(str(x), x) for x in v] if k in PERSONAL_PARAMETERS and isinstance(v, list) else v) for k, v in parameters.items()}
    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            for real, label in names.items():
                cell.source = cell.source.replace(repr(real), repr(label)).replace(f'"{real}"', f'"{label}"')
    papermill = nb.metadata.get("papermill", {})
    if "parameters" in papermill:
        papermill["parameters"] = {**papermill["parameters"], **{k: kept[k] for k in PERSONAL_PARAMETERS if k in kept}}
    nbformat.write(nb, str(executed))
    return kept


#: Parameters whose values may be local paths: named by file name and content hash only (as in the
#: report) in the manifest and the executed notebook unless personal data are shown; a folder's
#: path may name the client or the analyst.
PATH_PARAMETERS = ("source", "your_export", "compare_sources", "transactions", "responses", "codebook")


def _scrub_source_paths(executed: Path, manifest: dict[str, Any]) -> None:
    """Replace every local path given in :data:`PATH_PARAMETERS` (as given and resolved) by its
    :func:`~communitylab.report.source_label` in the executed notebook and the manifest."""
    from communitylab.locations import is_uri
    from communitylab.report import source_label

    labels: dict[str, str] = {}
    for key in PATH_PARAMETERS:
        value = manifest["parameters"].get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and is_uri(v):  # a store's URI names its host or bucket: its last part only
                labels[v] = labels[json.dumps(v)[1:-1]] = source_label(v)
                continue
            if not isinstance(v, str) or not v.strip() or v.startswith("sim:") or not Path(v).expanduser().exists():
                continue
            label = source_label(v)
            if label == v:  # a registered name: nothing local to hide
                continue
            for form in {v, str(Path(v).expanduser()), str(Path(v).expanduser().resolve())}:
                if os.sep in form:  # a bare file name names no folder
                    labels[form] = labels[json.dumps(form)[1:-1]] = label
    if not labels:
        return
    # one pass, longest first: a label (which holds the file name) is never scrubbed again
    pattern = re.compile("|".join(re.escape(p) for p in sorted(labels, key=len, reverse=True)))

    def scrub(text: str) -> str:
        return pattern.sub(lambda m: labels[m.group(0)], text)

    executed.write_text(scrub(executed.read_text(encoding="utf-8")), encoding="utf-8")
    manifest["parameters"] = json.loads(scrub(json.dumps(manifest["parameters"])))
    manifest["inputs_sha256"] = {scrub(k): h for k, h in manifest["inputs_sha256"].items()}


def check_parameters(
    study: str, known: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any], raw: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Check each value's type against the study's parameters cell, then its allowed values
    (:mod:`communitylab.parameters`), before any kernel starts.

    Raises
    ------
    ParameterError
        A value of the wrong type, or outside what its parameter allows.
    """
    out = check_types(study, known, parameters, raw)
    check_values(study, out)
    return out


def _check_privacy_key() -> None:
    """Read (or create) the privacy key before anything is staged: a damaged key or an unwritable
    configuration folder stops the run with a message naming it, and leaves nothing behind."""
    from communitylab.errors import ConfigError
    from communitylab.privacy import key_path, privacy_key

    try:
        privacy_key()
    except ConfigError:
        raise
    except OSError as exc:
        raise OutputError(key_path().parent, exc, what="the privacy key") from exc


def _write_error(exc: BaseException, study_root: Path) -> OutputError | None:
    """An :class:`OutputError` for ``study_root`` when ``exc`` (or what caused it) is the system refusing a write."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in _WRITE_ERRNOS:
            return OutputError(study_root, cur)
        cur = cur.__cause__ or cur.__context__
    return None


def _literal(text: Any) -> Any:
    """papermill gives defaults as source text; turn literals back into values."""
    import ast

    if not isinstance(text, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
