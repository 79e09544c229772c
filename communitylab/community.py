"""A community: its validated event log, its members, who the host is, and how it was loaded."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import pandas as pd

from communitylab.engine import Engine, default_engine
from communitylab.errors import ParameterError
from communitylab.result_cache import ResultCache
from communitylab.schema import EVENT_KINDS, LoadReport, validate_events, validate_members

__all__ = ["Community", "HostRule", "resolve_hosts", "cached", "core_of"]

HostRule = Iterable[str] | Callable[[pd.Series], pd.Series] | None


def resolve_hosts(member_ids: pd.Series, members: pd.DataFrame | None, hosts: HostRule) -> frozenset[str]:
    """Turn a host rule into the set of host member ids.

    Parameters
    ----------
    member_ids : Series
        Every distinct member id seen in the events.
    members : DataFrame, optional
        Members table; its ``is_host`` column is used when ``hosts`` is None.
    hosts : None, iterable of ids, or callable
        ``None``: the members table's ``is_host`` (no hosts without it); an iterable: those ids;
        a callable: a predicate taking a Series of member ids and returning a boolean Series, e.g.
        ``lambda ids: ~ids.str.isdigit()`` ("the author is not numeric").
    """
    ids = pd.Series(pd.unique(member_ids.dropna()), dtype="string")
    if hosts is None:
        if members is None or "is_host" not in members.columns:
            return frozenset()
        return frozenset(members.loc[members["is_host"], "member_id"].astype(str))
    if callable(hosts):
        mask = pd.Series(hosts(ids), index=ids.index).fillna(False).astype(bool)
        return frozenset(ids[mask].astype(str))
    if isinstance(hosts, str):
        hosts = [hosts]
    return frozenset(str(h) for h in hosts)


@dataclass
class Community:
    """An event log ready for metrics.

    Build one with :meth:`from_frames` or a loader in :mod:`communitylab.loaders`.

    Attributes
    ----------
    name : str
    events : ibis.Table
        The events, with two derived boolean columns ``is_host`` (the author is a host) and
        ``to_host`` (the member replied to is a host).
    engine : Engine
    members : DataFrame or None
    hosts : frozenset of str
    report : LoadReport
    frame : DataFrame or None
        The validated events as pandas when they were loaded into memory (None for a Parquet
        store registered lazily).
    format : str
        The export format it was read from (``slack``, ``mbox``, ...; empty when built by hand).
    origin_format : str
        For a Parquet store (``format`` ``store``), the export format its events were imported from
        (recorded by ``communitylab import``; empty when unknown or mixed).
    host_rule : str
        How the hosts were found, in words.
    core : ibis.Table
        The columns the metrics read, one row per event, built once in the engine: ``member_key,
        to_member_key, thread_key, kind, created_at, is_host, to_host``. For a store written by
        :func:`~communitylab.loaders.write_store` the keys are integers assigned once at write time
        (joins and groupings on integers, no id strings read); otherwise they are the ids
        themselves. :meth:`member_ids` and :meth:`thread_ids` turn keys back into ids. A core
        table read into the engine (``from_table(materialize=True)``) is read at its first use:
        a session whose metrics all come from the result cache never reads it.
    keys : dict or None
        The store's key dictionaries (``{"member": table, "thread": table}``, each ``id, key``), or
        None when the keys are the ids.
    host_keys : frozenset or None
        The hosts' integer keys when the core table has store keys (None: its keys are the ids,
        and the hosts are ``hosts``); see :meth:`is_host_key`.
    time_ordered : bool
        The events are read in time order, month by month (a store written by
        :func:`~communitylab.loaders.write_store`, whose files each hold one month): a large
        log's groupings by member and period then run part by part
        (:func:`~communitylab.engagement.periods.period_parts`).
    """

    name: str
    events: ibis.Table
    engine: Engine
    members: pd.DataFrame | None = None
    hosts: frozenset[str] = frozenset()
    report: LoadReport = field(default_factory=lambda: LoadReport(source="events"))
    frame: pd.DataFrame | None = None
    format: str = ""
    host_rule: str = ""
    origin_format: str = ""
    core: ibis.Table | None = None
    keys: dict[str, ibis.Table] | None = None
    host_keys: frozenset | None = None
    time_ordered: bool = False
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # where results are kept between sessions (a large store's community; see communitylab.result_cache)
    _results: ResultCache | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.__dict__.get("_core") is None:  # not ``self.core``: that would build a deferred core table
            self.core = core_of(self.events)

    def _get_core(self) -> ibis.Table:
        value = self.__dict__.get("_core")
        if isinstance(value, _Deferred):  # built at its first use, once
            value = self.__dict__["_core"] = value.build()
        return value

    def _set_core(self, value: ibis.Table | _Deferred | None) -> None:
        self.__dict__["_core"] = value

    def is_host_key(self, col: ibis.Value) -> ibis.Value:
        """Whether a member key column of :attr:`core` (or a table derived from it) is a host's:
        the rule behind the core's ``is_host``, for tables that aggregated the flag away."""
        return _is_one_of(col, self.hosts if self.host_keys is None else self.host_keys)

    def member_ids(self, expr: ibis.Table, key: str = "member_key", name: str = "member_id") -> ibis.Table:
        """``expr`` with its member key column ``key`` replaced by the member's id ``name``."""
        return self._ids(expr, "member", key, name)

    def thread_ids(self, expr: ibis.Table, key: str = "thread_key", name: str = "thread_id") -> ibis.Table:
        """``expr`` with its thread key column ``key`` replaced by the thread's id ``name``."""
        return self._ids(expr, "thread", key, name)

    def _ids(self, expr: ibis.Table, kind: str, key: str, name: str) -> ibis.Table:
        cols = [c if c != key else name for c in expr.columns]
        if self.keys is None:
            return expr if key == name else expr.rename({name: key}).select(cols)
        d = self.keys[kind].view()
        d = d.select(_k=d.key, _id=d.id)
        j = expr.left_join(d, expr[key] == d._k)
        return j.select(*[j[c] if c != name else j._id.name(name) for c in cols])

    def conversation(self) -> ibis.Table:
        """The shared conversation table, built once in the engine.

        Each event with its parent's author, time and host flag (``parent_author, parent_at,
        parent_is_host``) and its thread root's (``root_author, root_at, root_is_host``: the
        thread's earliest post), materialized as an engine table on first use, for analyses that
        need a reply's context. The built-in metrics read narrower shared tables, each built once
        per community and kept in the engine: :attr:`core` (each event's member, addressee and
        thread keys, kind, time and host flags: a reply's addressee was resolved from its parent
        when the log was loaded), the reply network (``engagement.conversation.reply_pairs``), the
        first reply of every thread (``engagement.responsiveness.first_replies_expr``) and each
        member's events per period (``engagement.activity.member_period_counts``); none
        re-joins the raw log. A community is treated as immutable: :meth:`window` and :meth:`on`
        return new communities with their own tables.
        """
        if "conversation" not in self._cache:
            t = self.events
            parents = t.select(p_id=t.event_id, parent_author=t.member_id, parent_at=t.created_at, parent_is_host=t.is_host)
            posts = t.filter((t.kind == "post") & t.thread_id.notnull())
            order = ibis.struct({"at": posts.created_at, "id": posts.event_id})  # ties at the same instant: by event id
            roots = posts.group_by(r_thread=posts.thread_id).aggregate(
                root_at=posts.created_at.min(), root_author=posts.member_id.argmin(order), root_is_host=posts.is_host.argmin(order),
            )
            j = t.left_join(parents, t.parent_id == parents.p_id).left_join(roots, t.thread_id == roots.r_thread)
            conv = j.select(*t.columns, "parent_author", "parent_at", "parent_is_host", "root_author", "root_at", "root_is_host")
            self._cache["conversation"] = self.engine.materialize(conv)
        return self._cache["conversation"]

    @classmethod
    def from_frames(
        cls,
        events: pd.DataFrame,
        members: pd.DataFrame | None = None,
        *,
        hosts: HostRule = None,
        name: str = "community",
        source: str = "events",
        engine: Engine | None = None,
        now: pd.Timestamp | None = None,
        report: LoadReport | None = None,
    ) -> Community:
        """Validate pandas tables and register them with an engine (DuckDB by default)."""
        frame, report = validate_events(events, source, now=now, report=report)
        if members is not None:
            members, _ = validate_members(members, f"{source} (members)", report=None)
        host_ids = resolve_hosts(frame["member_id"], members, hosts)
        engine = engine or default_engine()
        return cls(
            name=name,
            events=_with_host_flags(engine.register(frame), host_ids),
            engine=engine,
            members=members,
            hosts=host_ids,
            report=report,
            frame=frame,
        )

    @classmethod
    def from_table(
        cls,
        table: ibis.Table,
        engine: Engine,
        *,
        hosts: HostRule = None,
        members: pd.DataFrame | None = None,
        name: str = "community",
        report: LoadReport | None = None,
        materialize: bool = False,
        keys: dict[str, ibis.Table] | None = None,
        time_ordered: bool = False,
    ) -> Community:
        """Wrap an engine table already in the canonical schema (e.g. a registered Parquet store).

        ``keys``: the store's key dictionaries when ``table`` carries integer ``member_key,
        to_member_key, thread_key`` columns (see :attr:`core`). ``materialize``: compute the core
        table once into an engine table, which every metric then scans (instead of re-reading the
        source and re-testing each author against the host list in every query). ``time_ordered``:
        the table's rows come month by month (see the class's attribute)."""
        if callable(hosts):
            ids = engine.execute(table.select("member_id").distinct())["member_id"]
        else:
            ids = pd.Series([], dtype="string")
        host_ids = resolve_hosts(ids, members, hosts)
        events = engine.view(_with_host_flags(table, host_ids))
        host_keys = None
        if keys is not None and host_ids:  # host flags from the integer keys: no id strings read
            d = keys["member"]
            host_keys = engine.execute(d.filter(d.id.isin(sorted(host_ids))).select("key"))["key"].tolist()
            core = core_of(_with_host_flags(table, host_keys, "member_key", "to_member_key"))
        else:
            core = core_of(events)
        return cls(
            name=name,
            events=events,
            engine=engine,
            members=members,
            hosts=host_ids,
            report=report or LoadReport(source=name),
            # kinds as a DuckDB ENUM: a kind outside the contract becomes null (open_store counts those)
            core=_Deferred(lambda: engine.materialize(core, enums={"kind": EVENT_KINDS})) if materialize else engine.view(core),
            keys=keys,
            host_keys=None if keys is None else frozenset(host_keys or ()),
            time_ordered=time_ordered,
        )

    def on(self, engine: Engine) -> Community:
        """The same community registered on another engine (e.g. a Spark session)."""
        if self.frame is None:
            raise ParameterError("on() needs the events in memory; register the Parquet store with that engine")
        table = _with_host_flags(engine.register(self.frame), self.hosts)
        return replace(self, events=table, engine=engine, core=core_of(table), keys=None, host_keys=None, time_ordered=False)

    def window(self, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> Community:
        """The same community restricted to events with ``start <= created_at < end`` (UTC)."""
        def utc(bound: str | pd.Timestamp | None) -> pd.Timestamp | None:
            b = None if bound is None else pd.Timestamp(bound)
            return b if b is None else b.tz_localize("UTC") if b.tzinfo is None else b.tz_convert("UTC")

        lo, hi = utc(start), utc(end)

        def keep(table: ibis.Table) -> ibis.Table:
            for b, inside in ((lo, lambda c, v: c >= v), (hi, lambda c, v: c < v)):
                if b is not None:
                    table = table.filter(inside(table.created_at, b.tz_localize(None).to_pydatetime()))
            return table

        frame = self.frame
        if frame is not None and lo is not None:
            frame = frame[frame["created_at"] >= lo]
        if frame is not None and hi is not None:
            frame = frame[frame["created_at"] < hi]
        core = self.__dict__.get("_core")  # a deferred core table stays deferred: built when the window's is first used
        core = _Deferred(lambda: keep(self.core)) if isinstance(core, _Deferred) else keep(core)
        out = replace(self, events=keep(self.events), core=core, frame=frame)
        if self._results is not None:
            out._results = self._results.window((lo, hi))
        return out

    def last_event_at(self) -> pd.Timestamp:
        """The time of the log's last event (UTC; NaT for an empty log), computed once: the end of
        observation for metrics that censor at it. :func:`~communitylab.loaders.open_store` reads it
        in the pass that checks the store."""
        if "last_event_at" not in self._cache:
            self._cache["last_event_at"] = pd.Timestamp(self.execute(self.core.created_at.max()))
        return self._cache["last_event_at"]

    def set_last_event_at(self, when: pd.Timestamp) -> None:
        """Record the time of the log's last event when it was read another way (a store's check
        pass, or the record of an earlier one), so that :meth:`last_event_at` reads nothing."""
        self._cache["last_event_at"] = pd.Timestamp(when)

    def keep_results(self, results: ResultCache | None) -> None:
        """Keep this community's metric results between sessions in ``results`` (see
        :mod:`communitylab.result_cache`; None: only for this session)."""
        self._results = results

    def remember(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result stored under ``key``, computed by ``compute()`` at the first call only (and,
        for a community whose results are kept, read from or written to that cache)."""
        if key not in self._cache:
            self._cache[key] = compute() if self._results is None else self._results.fetch(key, compute)
        return self._cache[key]

    def remembers(self, key: Hashable) -> bool:
        """Whether a result is stored under ``key`` for this session."""
        return key in self._cache

    def execute(self, expr: ibis.Expr):
        """Run an Ibis expression on this community's engine (UTC-aware timestamps back)."""
        return self.engine.execute(expr)

    def to_pandas(self) -> pd.DataFrame:
        """All events as pandas (small logs only)."""
        return self.frame.copy() if self.frame is not None else self.execute(self.events)

    def __repr__(self) -> str:
        return (
            f"Community(name={self.name!r}, engine={self.engine.backend}, hosts={len(self.hosts)}, "
            f"rows_loaded={self.report.rows_loaded})"
        )


def cached(fn):
    """Compute a metric of a community once per argument set (results are copied out, so callers
    may modify them). The health verdict and the studies then share every signal they both show.

    For a community opened from a large Parquet store, results are also kept on disk and read back
    by a later session over the same, unchanged store (see :mod:`communitylab.result_cache`)."""
    import functools
    import inspect

    signature = inspect.signature(fn)

    def key_of(community, *args, **kwargs):
        # one key per argument set, however it is spelled (defaults filled in, keywords or positions)
        bound = signature.bind(community, *args, **kwargs)
        bound.apply_defaults()
        return (fn.__module__, fn.__qualname__, tuple(bound.arguments.items())[1:])

    @functools.wraps(fn)
    def wrapper(community, *args, **kwargs):
        key = key_of(community, *args, **kwargs)
        try:
            hash(key)
        except TypeError:
            return fn(community, *args, **kwargs)
        out = community.remember(key, functools.partial(fn, community, *args, **kwargs))
        if isinstance(out, tuple):  # e.g. (counts, transitions): each frame copied out
            return tuple(x.copy() if isinstance(x, pd.DataFrame | pd.Series) else x for x in out)
        return out.copy() if isinstance(out, pd.DataFrame | pd.Series) else out

    def computed(community, *args, **kwargs) -> bool:
        """Whether this metric was already computed for ``community`` with these arguments."""
        return community.remembers(key_of(community, *args, **kwargs))

    wrapper.computed = computed
    return wrapper


class _Deferred:
    """A table computed at its first use (see :attr:`Community.core`)."""

    def __init__(self, build: Callable[[], ibis.Table]) -> None:
        self.build = build


# the dataclass field ``core`` read through a property, so that a deferred core table is built at its first use
Community.core = property(Community._get_core, Community._set_core, doc=Community.__doc__ and "The core table (see the class's text).")


def core_of(events: ibis.Table) -> ibis.Table:
    """The core table of an events table with host flags (see :attr:`Community.core`): its integer
    keys when it carries them, else the ids themselves as keys."""
    t = events
    if {"member_key", "to_member_key", "thread_key"} <= set(t.columns):
        keys = {"member_key": t.member_key, "to_member_key": t.to_member_key, "thread_key": t.thread_key}
    else:
        keys = {"member_key": t.member_id, "to_member_key": t.to_member_id, "thread_key": t.thread_id}
    return t.select(**keys, kind=t.kind, created_at=t.created_at, is_host=t.is_host, to_host=t.to_host)


def _with_host_flags(table: ibis.Table, hosts: Iterable, author: str = "member_id", addressee: str = "to_member_id") -> ibis.Table:
    """``table`` with ``is_host`` / ``to_host``: its ``author`` / ``addressee`` column is one of
    ``hosts`` (ids, or the store's integer keys of the hosts with ``member_key, to_member_key``)."""
    return table.mutate(is_host=_is_one_of(table[author], hosts), to_host=_is_one_of(table[addressee], hosts))


def _is_one_of(col: ibis.Value, hosts: Iterable) -> ibis.Value:
    """The host rule: ``col`` is one of ``hosts`` (a missing value is not a host)."""
    host_list = sorted(hosts)
    return col.isin(host_list).fill_null(False) if host_list else ibis.literal(False)
