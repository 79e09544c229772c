"""Find, verify and fetch the registered data sets (downloads through ``pooch``).

Examples
--------
>>> from communitylab.datasets.fetch import status
>>> status("collegemsg") in ("present", "missing", "differs")
True
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

from communitylab.datasets.registry import REGISTRY, DataFile, Dataset, data_home
from communitylab.errors import DatasetChecksumError, DatasetMissing, FetchError, ParameterError
from communitylab.files import sha256_file

__all__ = ["dataset_folder", "dataset_file", "status", "fetch", "missing_message"]

log = logging.getLogger(__name__)
_VERIFIED: dict[tuple[str, int, int], str] = {}


def _entry(name: str) -> Dataset:
    if name not in REGISTRY:
        raise ParameterError(f"no registered data set {name!r}; registered: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def _sha256(path: Path) -> str:
    """sha256 of the content the kit reads: a ``.gz`` file's decompressed bytes."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = sha256_file(path, gunzip=path.suffix == ".gz")
    return _VERIFIED[key]


def _present(folder: Path, f: DataFile) -> Path | None:
    for candidate in (folder / f.name, folder / f"{f.name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _home(folder: str | Path | None) -> Path:
    return Path(folder).expanduser() if folder is not None else data_home()


def missing_message(name: str, *, data_dir: str | Path | None = None) -> str:
    """What a user reads when a data set is absent: where it was looked for, the fetch command,
    its size and licence."""
    d = _entry(name)
    get = (f"fetch it with `communitylab datasets fetch {name}` ({d.size_text})" if d.downloadable
           else f"get it as follows ({d.size_text}): {d.how}")
    return (f"data set {name!r} is not in {_home(data_dir) / name} (COMMUNITYLAB_DATA_DIR moves the data folder); "
            f"{get}. Licence: {d.licence}.")


def status(name: str, *, data_dir: str | Path | None = None) -> str:
    """``"present"`` (every file there and verified), ``"missing"`` or ``"differs"`` (a checksum).

    ``data_dir``: the data folder to look in (default :func:`~communitylab.datasets.data_home`).
    """
    d, folder = _entry(name), _home(data_dir) / name
    found = [_present(folder, f) for f in d.files]
    if any(p is None for p in found):
        return "missing"
    return "present" if all(_sha256(p) == f.sha256 for p, f in zip(found, d.files)) else "differs"


def dataset_folder(name: str, *, data_dir: str | Path | None = None) -> Path:
    """The verified folder of data set ``name`` (in ``data_dir``, default the data folder).

    Raises
    ------
    DatasetMissing
        A file is absent (the message says how to fetch it).
    DatasetChecksumError
        A file is there with other content.
    """
    d, folder = _entry(name), _home(data_dir) / name
    for f in d.files:
        path = _present(folder, f)
        if path is None:
            raise DatasetMissing(missing_message(name, data_dir=data_dir))
        got = _sha256(path)
        if got != f.sha256:
            raise DatasetChecksumError(
                f"{path}: sha256 {got[:16]}..., expected {f.sha256[:16]}... ({name} as the registry lists it; "
                f"another edition or a damaged copy). Fetch it again: `communitylab datasets fetch {name}`.")
    return folder


def dataset_file(name: str, file: str | None = None, *, data_dir: str | Path | None = None) -> Path:
    """The verified path of one file of data set ``name`` (its first file when ``file`` is empty)."""
    d = _entry(name)
    folder = dataset_folder(name, data_dir=data_dir)
    wanted = [f for f in d.files if f.name == file] if file else list(d.files[:1])
    if not wanted:
        raise ParameterError(f"data set {name!r} has no file {file!r}; its files: {', '.join(f.name for f in d.files)}")
    return _present(folder, wanted[0])  # type: ignore[return-value]


def fetch(name: str, *, source: str | Path | None = None, progress: bool = True, data_dir: str | Path | None = None) -> Path:
    """Put data set ``name`` in the data folder, verified, and return its folder.

    Files already there with the listed checksum are kept. Each missing file is downloaded from its
    locations in order (a progress bar on stderr) or, with ``source``, taken from a local copy: a
    folder, a single file, or an archive (``.zip``, ``.tar.*``, ``.7z`` with py7zr installed).

    Parameters
    ----------
    name : str
        A registered name (``communitylab datasets`` lists them).
    source : path, optional
        A local copy to take the files from instead of downloading.
    progress : bool
        Show a progress bar while downloading.
    data_dir : path, optional
        The data folder to fill (default :func:`~communitylab.datasets.data_home`).

    Raises
    ------
    FetchError
        No location served the file (each attempt is named).
    DatasetChecksumError
        A local copy's file has other content than the registry lists.
    """
    d = _entry(name)
    folder = _home(data_dir) / name
    todo = [f for f in d.files if (p := _present(folder, f)) is None or _sha256(p) != f.sha256]
    if not todo:
        log.info("%s: already present in %s", name, folder)
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if source is not None:
        _from_local(d, todo, Path(source).expanduser(), folder)
    else:
        if not all(f.urls for f in todo):
            raise FetchError(f"{name} cannot be downloaded by the kit: {d.how}")
        for f in todo:
            _download(f, folder, progress=progress)
    return dataset_folder(name, data_dir=data_dir)


def _download(f: DataFile, folder: Path, *, progress: bool) -> None:
    import pooch
    import requests

    errors = []
    for url in f.urls:
        try:
            with tempfile.TemporaryDirectory(dir=folder) as tmp:
                gz = url.endswith(".gz") and not f.name.endswith(".gz")
                got = Path(pooch.retrieve(url, known_hash=None if gz else f"sha256:{f.sha256}", fname=f.name + (".gz" if gz else ""),
                                          path=tmp, progressbar=progress))
                if gz:
                    plain = Path(tmp) / f.name
                    with gzip.open(got, "rb") as src, open(plain, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    got = plain
                if _sha256(got) != f.sha256:
                    raise ValueError(f"sha256 {_sha256(got)[:16]}... is not the listed {f.sha256[:16]}...")
                got.replace(folder / f.name)
                return
        except (requests.exceptions.RequestException, ValueError, OSError, EOFError) as exc:
            log.warning("%s: %s failed: %s", f.name, url, exc)
            errors.append(f"{url}: {exc}")
    raise FetchError(f"{f.name} could not be fetched from any location:\n  " + "\n  ".join(errors))


def _from_local(d: Dataset, todo: list[DataFile], source: Path, folder: Path) -> None:
    """Copy each file of ``todo`` out of a local folder, file or archive, reading no more of any
    member than the file's listed size (an archive cannot expand past what it should hold)."""
    if not source.exists():
        raise FetchError(f"{source}: no such file or folder")
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        members = _members(source, {f.name for f in todo}, Path(tmp))
        for f in todo:
            opener = members.get(f.name) or (members.get(source.name) if len(d.files) == 1 else None)
            if opener is None:
                raise FetchError(f"{source}: holds no {f.name} (the files {d.name} needs: "
                                 f"{', '.join(x.name for x in d.files)})")
            part = Path(tmp) / f"{f.name}.part"
            with opener() as src, open(part, "wb") as dst:
                h = hashlib.sha256()
                while chunk := src.read(min(1 << 20, f.size + 1 - dst.tell())):
                    h.update(chunk)
                    dst.write(chunk)
                    if dst.tell() > f.size:
                        break
            if h.hexdigest() != f.sha256:
                raise DatasetChecksumError(f"{source}: {f.name} differs from the one the registry lists for {d.name} "
                                           f"(sha256 {h.hexdigest()[:16]}..., expected {f.sha256[:16]}...). {d.how or d.origin}")
            part.replace(folder / f.name)


def _members(source: Path, wanted: set[str], tmp: Path) -> dict:
    """``{file name: opener}`` for the wanted files inside ``source`` (a folder, a file or an
    archive); a ``.gz`` copy of a wanted file opens decompressed."""
    def pick(name: str) -> str | None:
        base = name.rsplit("/", 1)[-1]
        return base if base in wanted else base[:-3] if base.endswith(".gz") and base[:-3] in wanted else None

    def unzip(opener, name: str):
        return (lambda: gzip.open(opener(), "rb")) if name.endswith(".gz") else opener

    out: dict = {}
    if source.is_dir():
        for p in sorted(source.rglob("*")):
            if p.is_file() and (key := pick(p.name)) and key not in out:
                out[key] = unzip(lambda p=p: open(p, "rb"), p.name)
    elif zipfile.is_zipfile(source):
        z = zipfile.ZipFile(source)
        for n in z.namelist():
            if (key := pick(n)) and key not in out:
                out[key] = unzip(lambda n=n: z.open(n), n)
    elif tarfile.is_tarfile(source):
        t = tarfile.open(source)
        for m in t.getmembers():
            if m.isfile() and (key := pick(m.name)) and key not in out:
                out[key] = unzip(lambda m=m: t.extractfile(m), m.name)
    elif source.suffix == ".7z":
        try:
            import py7zr
        except ImportError as exc:
            raise FetchError(f"{source}: a .7z archive needs py7zr (`pip install py7zr`), or extract it "
                             "yourself and pass the folder") from exc
        with py7zr.SevenZipFile(source) as z:
            names = [n for n in z.getnames() if pick(n)]
            z.extract(path=tmp / "7z", targets=names)
        return _members(tmp / "7z", wanted, tmp)
    else:
        out[pick(source.name) or source.name] = unzip(lambda: open(source, "rb"), source.name)
    return out
