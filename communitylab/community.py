"""A community: its validated event log, its members, who the host is, and how it was loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import ibis
import pandas as pd

from communitylab.engine import Engine, default_engine
from communitylab.schema import LoadReport, validate_events, validate_members

__all__ = ["Community", "HostRule", "resolve_hosts", "cached"]

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
    host_rule : str
        How the hosts were found, in words.
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
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def conversation(self) -> ibis.Table:
        """The shared conversation table, built once in the engine.

        Each event with its parent's author, time and host flag (``parent_author, parent_at,
        parent_is_host``) and its thread root's (``root_author, root_at, root_is_host``: the
        thread's earliest post), materialized as an engine table on first use, for analyses that
        need a reply's context. The built-in metrics read narrower shared tables, each built once
        per community and kept in the engine: :attr:`events` itself (each reply already carries its
        addressee ``to_member_id`` and the host flags ``is_host, to_host``), the reply network
        (``engagement.conversation._edges``) and the first reply of every thread
        (``engagement.responsiveness.first_replies_expr``); none re-joins the raw log. A community
        is treated as immutable: :meth:`window` and :meth:`on` return new communities with their
        own tables.
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
    ) -> Community:
        """Wrap an engine table already in the canonical schema (e.g. a registered Parquet store).

        ``materialize``: compute the table with its host flags once into an engine table, which
        every metric then scans (instead of re-reading the source and re-testing each author
        against the host list in every query)."""
        if callable(hosts):
            ids = engine.execute(table.select("member_id").distinct())["member_id"]
        else:
            ids = pd.Series([], dtype="string")
        host_ids = resolve_hosts(ids, members, hosts)
        events = _with_host_flags(table, host_ids)
        return cls(
            name=name,
            events=engine.materialize(events) if materialize else events,
            engine=engine,
            members=members,
            hosts=host_ids,
            report=report or LoadReport(source=name),
        )

    def on(self, engine: Engine) -> Community:
        """The same community registered on another engine (e.g. a Spark session)."""
        if self.frame is None:
            raise ValueError("on() needs the events in memory; register the Parquet store with that engine")
        table = _with_host_flags(engine.register(self.frame), self.hosts)
        return replace(self, events=table, engine=engine)

    def window(self, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> Community:
        """The same community restricted to events with ``start <= created_at < end`` (UTC)."""
        t, frame = self.events, self.frame
        for bound, keep in ((start, lambda c, b: c >= b), (end, lambda c, b: c < b)):
            if bound is None:
                continue
            b = pd.Timestamp(bound)
            b = b.tz_localize("UTC") if b.tzinfo is None else b.tz_convert("UTC")
            t = t.filter(keep(t.created_at, b.tz_localize(None).to_pydatetime()))
            if frame is not None:
                frame = frame[keep(frame["created_at"], b)]
        return replace(self, events=t, frame=frame)

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
    may modify them). The health verdict and the studies then share every signal they both show."""
    import functools
    import inspect

    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(community, *args, **kwargs):
        # one key per argument set, however it is spelled (defaults filled in, keywords or positions)
        bound = signature.bind(community, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__module__, fn.__qualname__, tuple(bound.arguments.items())[1:])
        try:
            hash(key)
        except TypeError:
            return fn(community, *args, **kwargs)
        store = community._cache
        if key not in store:
            store[key] = fn(community, *args, **kwargs)
        out = store[key]
        return out.copy() if isinstance(out, pd.DataFrame | pd.Series) else out

    return wrapper


def _with_host_flags(table: ibis.Table, hosts: frozenset[str]) -> ibis.Table:
    host_list = sorted(hosts)
    if host_list:
        is_host = table.member_id.isin(host_list).fill_null(False)
        to_host = table.to_member_id.isin(host_list).fill_null(False)
    else:
        is_host = to_host = ibis.literal(False)
    return table.mutate(is_host=is_host, to_host=to_host)
