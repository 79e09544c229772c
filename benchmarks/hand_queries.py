"""The reference a reader can check: each benchmarked metric as one hand-written DuckDB query.

Same definitions as ``communitylab.engagement`` (see each function's docstring there), over the
same Parquet store, with the host flags computed the same way. Like the kit, they join and group the
integer keys the store carries beside the ids (``member_key, to_member_key, thread_key``; the ids
come from the store's dictionary where a result names members). The benchmark times each of these
beside the kit's own Ibis expression and prints the ratio.
"""

from __future__ import annotations

SETUP = """
CREATE OR REPLACE VIEW members AS SELECT id, key FROM read_parquet('{path}/_keys/members.pq');
CREATE OR REPLACE VIEW threads AS SELECT id, key FROM read_parquet('{path}/_keys/threads.pq');
CREATE OR REPLACE VIEW ev AS
SELECT member_key AS member_id, kind, created_at, thread_key AS thread_id, to_member_key AS to_member_id,
       coalesce(member_key IN ({host_keys}), false) AS is_host,
       coalesce(to_member_key IN ({host_keys}), false) AS to_host
FROM read_parquet('{path}/**/*.parquet');
"""

QUERIES: dict[str, str] = {
    # per month: active (non-host) members, of whom new / returning / resurrected, dormant ones, and events by kind
    "activity_by_period": """
        WITH mp AS (SELECT DISTINCT member_id, date_trunc('month', created_at) AS period FROM ev
                    WHERE kind IN ('post', 'reply', 'reaction') AND member_id IS NOT NULL AND NOT is_host),
             w AS (SELECT period, lag(period) OVER (PARTITION BY member_id ORDER BY period) AS prev,
                          lead(period) OVER (PARTITION BY member_id ORDER BY period) AS nxt FROM mp),
             m AS (SELECT period, count(*) AS active, count(*) FILTER (WHERE prev IS NULL) AS new,
                          count(*) FILTER (WHERE prev = period - INTERVAL 1 MONTH) AS returning,
                          count(*) FILTER (WHERE prev < period - INTERVAL 1 MONTH) AS resurrected FROM w GROUP BY 1),
             d AS (SELECT period + INTERVAL 1 MONTH AS period, count(*) AS dormant FROM w
                   WHERE nxt IS NULL OR nxt <> period + INTERVAL 1 MONTH GROUP BY 1),
             k AS (SELECT date_trunc('month', created_at) AS period, count(*) FILTER (WHERE kind = 'post') AS posts,
                          count(*) FILTER (WHERE kind = 'reply') AS replies, count(*) FILTER (WHERE kind = 'reaction') AS reactions
                   FROM ev WHERE kind IN ('post', 'reply', 'reaction') GROUP BY 1)
        SELECT k.*, m.active, m.new, m.returning, m.resurrected, d.dormant FROM k LEFT JOIN m USING (period) LEFT JOIN d USING (period)""",
    # replies by direction (author of the parent)
    "reply_direction_matrix": """
        SELECT CASE WHEN to_member_id IS NULL THEN 'unknown'
                    WHEN NOT is_host AND NOT to_host THEN 'member->member'
                    WHEN NOT is_host THEN 'member->host'
                    WHEN NOT to_host THEN 'host->member' ELSE 'host->host' END AS direction,
               count(*) AS replies
        FROM ev WHERE kind = 'reply' AND member_id IS NOT NULL GROUP BY 1""",
    # posts left-joined to their first reply by someone else, with that replier's host flag (a tie: the member's),
    # named by thread id and ordered by posting time, as the kit returns them
    "first_replies": """
        WITH p AS (SELECT thread_id, member_id, created_at, is_host FROM ev WHERE kind = 'post' AND thread_id IS NOT NULL),
             r AS (SELECT thread_id, member_id, created_at, is_host FROM ev WHERE kind = 'reply' AND thread_id IS NOT NULL),
             f AS (SELECT p.thread_id, min(r.created_at) AS first_reply_at, arg_min(r.is_host, (r.created_at, r.is_host)) AS first_host
                   FROM p JOIN r ON r.thread_id = p.thread_id
                   WHERE (r.member_id IS NULL OR p.member_id IS NULL OR r.member_id <> p.member_id) AND r.created_at >= p.created_at
                   GROUP BY p.thread_id)
        SELECT t.id AS thread_id, p.created_at AS posted_at, p.is_host, f.first_reply_at, f.first_host
        FROM p LEFT JOIN f ON f.thread_id = p.thread_id JOIN threads t ON t.key = p.thread_id
        ORDER BY posted_at, thread_id""",
    # KONECT reciprocity: distinct directed pairs whose reverse exists
    "reciprocity": """
        WITH pairs AS (SELECT DISTINCT member_id AS u, to_member_id AS v FROM ev
                       WHERE kind = 'reply' AND member_id IS NOT NULL AND to_member_id IS NOT NULL)
        SELECT count(r.u)::DOUBLE / count(*) AS reciprocity FROM pairs p LEFT JOIN pairs r ON p.u = r.v AND p.v = r.u""",
    # posts and replies per non-host member, every member in the log present (zeros included)
    "contributions_per_member": """
        WITH c AS (SELECT member_id AS k, count(*) FILTER (WHERE kind IN ('post', 'reply')) AS contributions FROM ev
                   WHERE NOT is_host AND member_id IS NOT NULL GROUP BY 1)
        SELECT m.id AS member_id, c.contributions FROM c JOIN members m ON m.key = c.k ORDER BY contributions DESC, member_id""",
    # pairs of members (either direction) that exchange more than once
    "repeated_ties": """
        WITH p AS (SELECT least(member_id, to_member_id) AS a, greatest(member_id, to_member_id) AS b, count(*) AS n FROM ev
                   WHERE kind = 'reply' AND member_id IS NOT NULL AND to_member_id IS NOT NULL AND member_id <> to_member_id
                   GROUP BY 1, 2)
        SELECT count(*) AS pairs, count(*) FILTER (WHERE n >= 2) AS repeated FROM p""",
}


def connect(path: str, hosts: set[str], memory_limit: str = "8GB"):
    """A DuckDB connection with the ``ev`` view over the store, with the kit's DuckDB settings
    (``communitylab.engine.DUCKDB_SETTINGS``): the two sides differ in their queries only."""
    import duckdb

    from communitylab.engine import DUCKDB_SETTINGS

    con = duckdb.connect(config={**DUCKDB_SETTINGS, "memory_limit": memory_limit})
    quoted = ", ".join("'" + h.replace("'", "''") + "'" for h in sorted(hosts))
    keys = con.execute(f"SELECT key FROM read_parquet('{path}/_keys/members.pq') WHERE id IN ({quoted})").fetchall()
    con.execute(SETUP.format(host_keys=", ".join(str(k) for (k,) in keys) or "NULL", path=path))
    return con


def same_numbers(name: str, kit, hand) -> bool:
    """Whether the kit's result and the hand-written query's result carry the same numbers."""
    if name == "activity_by_period":
        cols = ["active", "new", "returning", "resurrected", "dormant", "posts", "replies", "reactions"]
        k = kit.set_index(kit["period"].dt.tz_localize(None))[cols]
        h = hand.set_index("period").sort_index().reindex(k.index).fillna(0)[cols]
        return bool((k.astype("int64").to_numpy() == h.astype("int64").to_numpy()).all())
    if name == "reply_direction_matrix":
        got = dict(zip(hand["direction"], hand["replies"]))
        return all(int(n) == int(got.get(d, 0)) for d, n in zip(kit["direction"], kit["replies"]))
    if name == "first_replies":
        return (kit["thread_id"].tolist() == hand["thread_id"].tolist() and int(kit["answered"].sum()) == int(hand["first_reply_at"].notna().sum())
                and int(kit["first_replier_is_host"].fillna(False).sum()) == int(hand["first_host"].fillna(False).sum()))
    if name == "reciprocity":
        return abs(kit - float(hand.iloc[0, 0])) < 1e-12
    if name == "contributions_per_member":
        return kit["member_id"].tolist() == hand["member_id"].tolist() and kit["contributions"].tolist() == hand["contributions"].tolist()
    if name == "repeated_ties":
        return int(kit["pairs"]) == int(hand["pairs"].iloc[0]) and int(kit["repeated"]) == int(hand["repeated"].iloc[0])
    raise KeyError(name)

