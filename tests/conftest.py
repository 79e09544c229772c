"""Shared fixtures: tiny hand-made logs, and the registered real data sets.

Real data reach the tests through the data registry (:mod:`communitylab.datasets`): from
``COMMUNITYLAB_DATA_DIR`` or, when that is unset, from ``../shared/data`` beside the repository when
it exists (developer machines and CI). A test whose data set is absent is skipped with the reason
and the fetch command; with ``COMMUNITYLAB_REQUIRE_DATA=1`` (as ``.ci/run`` sets) it fails instead.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd
import pytest

from communitylab import Community
from communitylab.errors import DatasetMissing

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"  # what the project made itself (the seed survey)
SHARED = ROOT.parent / "shared" / "data"  # present on developer machines and CI, not in a user's clone
NOW = pd.Timestamp("2025-01-01", tz="UTC")
if "COMMUNITYLAB_DATA_DIR" not in os.environ and SHARED.is_dir():
    os.environ["COMMUNITYLAB_DATA_DIR"] = str(SHARED)
#: where the tests' real data are read from (a test may point the kit at another data folder)
REAL_DATA = os.environ.get("COMMUNITYLAB_DATA_DIR")


def real(name: str, file: str | None = None) -> Path:
    """A registered data set's verified folder (several files) or file; absent: skipped (or failed in CI)."""
    from communitylab.datasets import REGISTRY, dataset_file, dataset_folder

    if file is None and len(REGISTRY[name].files) > 1:
        return dataset_folder(name, data_dir=REAL_DATA)
    return dataset_file(name, file, data_dir=REAL_DATA)


def real_text(name: str, file: str | None = None) -> str:
    """The text of one file of a registered data set (plain or gzip in the data folder)."""
    path = real(name, file)
    return (gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()).decode("utf-8-sig")


def _absent(exc: DatasetMissing):
    if os.environ.get("COMMUNITYLAB_REQUIRE_DATA", "") not in ("", "0"):
        raise exc  # CI runs every real-data test: an absent data set fails there
    pytest.skip(f"real data absent: {exc}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    try:
        return (yield)
    except DatasetMissing as exc:
        _absent(exc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except DatasetMissing as exc:
        _absent(exc)


@pytest.fixture(autouse=True, scope="session")
def _private_config_dir(tmp_path_factory):
    """The privacy key the tests generate, and the results they keep, live in temporary folders,
    never in the user's config or cache."""
    import os

    os.environ["COMMUNITYLAB_CONFIG_DIR"] = str(tmp_path_factory.mktemp("config"))
    os.environ.pop("COMMUNITYLAB_PRIVACY_KEY", None)
    # kept results (result_cache) too: never the user's cache folder, and the defaults as a user has them
    os.environ["COMMUNITYLAB_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    for name in ("COMMUNITYLAB_CACHE", "COMMUNITYLAB_CACHE_MIN_EVENTS"):
        os.environ.pop(name, None)
    yield


def tiny_events() -> pd.DataFrame:
    """A hand-computed log. Host: ``h``. Threads: t1 (by a, answered by b after 2 h, then h),
    t2 (by h, answered by a after 30 min, a's reply answered by b), t3 (by c, never answered;
    c answers itself), plus a reaction, a join and a leave."""
    rows = [
        ("j1", "a", "join", "2024-01-01 00:00", None, None),
        ("t1", "a", "post", "2024-01-02 10:00", "t1", None),
        ("r1", "b", "reply", "2024-01-02 12:00", "t1", "t1"),
        ("r2", "h", "reply", "2024-01-02 13:00", "t1", "t1"),
        ("t2", "h", "post", "2024-01-03 09:00", "t2", None),
        ("r3", "a", "reply", "2024-01-03 09:30", "t2", "t2"),
        ("r4", "b", "reply", "2024-01-03 10:00", "t2", "r3"),
        ("x1", "c", "reaction", "2024-01-03 11:00", "t2", "t2"),
        ("t3", "c", "post", "2024-02-01 08:00", "t3", None),
        ("r5", "c", "reply", "2024-02-01 09:00", "t3", "t3"),
        ("l1", "b", "leave", "2024-02-10 00:00", None, None),
    ]
    df = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return df


@pytest.fixture
def tiny() -> Community:
    return Community.from_frames(tiny_events(), hosts=["h"], name="tiny", now=NOW)
