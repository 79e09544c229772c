"""The baseline: the benchmark's metric panel written in plain pandas (whole log in memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pandas_panel(path: str, hosts: set[str]) -> dict[str, object]:
    """Same definitions as communitylab.engagement, computed from ``pd.read_parquet``."""
    ev = pd.read_parquet(path, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id", "to_member_id"])
    ev["is_host"] = ev["member_id"].isin(hosts)
    ev["to_host"] = ev["to_member_id"].isin(hosts)
    out: dict[str, object] = {}
    # activity: distinct active non-host members per month, and kinds per month
    act = ev[ev["kind"].isin(["post", "reply", "reaction"])]
    month = act["created_at"].dt.to_period("M")
    m = act.loc[~act["is_host"]]
    out["active_per_month"] = m.groupby(month[~act["is_host"]])["member_id"].nunique().to_numpy()
    out["posts_per_month"] = (act["kind"] == "post").groupby(month).sum().to_numpy()
    # directions
    rep = ev[(ev["kind"] == "reply") & ev["member_id"].notna() & ev["to_member_id"].notna()]
    d = np.where(~rep["is_host"] & ~rep["to_host"], "member->member", np.where(~rep["is_host"], "member->host", np.where(~rep["to_host"], "host->member", "host->host")))
    out["directions"] = pd.Series(d).value_counts().sort_index().to_dict()
    # reciprocity (KONECT)
    pairs = rep[["member_id", "to_member_id"]].drop_duplicates()
    rev = pairs.rename(columns={"member_id": "to_member_id", "to_member_id": "member_id"})
    out["reciprocity"] = len(pairs.merge(rev, on=["member_id", "to_member_id"])) / len(pairs)
    # degree Gini
    deg = pd.concat([rep["member_id"], rep["to_member_id"]]).value_counts().to_numpy(dtype=float)
    x = np.sort(deg)
    n = len(x)
    out["degree_gini"] = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * x.sum()))
    # contributions per member
    contrib = ev[~ev["is_host"] & ev["kind"].isin(["post", "reply"])].groupby("member_id").size()
    out["contributors"] = int((contrib > 0).sum())
    # first reply per thread by someone else
    posts = ev.loc[ev["kind"] == "post", ["thread_id", "member_id", "created_at"]]
    replies = ev.loc[ev["kind"] == "reply", ["thread_id", "member_id", "created_at"]]
    j = posts.merge(replies, on="thread_id", suffixes=("", "_r"))
    j = j[(j["member_id_r"] != j["member_id"]) & (j["created_at_r"] >= j["created_at"])]
    first = j.groupby("thread_id")["created_at_r"].min()
    out["answered_threads"] = int(len(first))
    return out
