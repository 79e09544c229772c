"""The baseline: the benchmark's core panel written in plain pandas (whole log in memory).

It computes what the kit's functions return, with the same definitions (see each function in
``communitylab.engagement``), so that both sides do the same work:

* ``activity_by_period``: per month, active non-host members and their lifecycle (new, returning,
  resurrected, dormant), and posts per month;
* ``reply_direction_matrix``: replies by direction;
* ``reciprocity`` (KONECT) and ``degree_gini``;
* ``contributions_per_member``: posts and replies per non-host member, every member in the log
  present (zeros included), sorted;
* ``first_replies``: one row per post, its first reply by someone else (time and host flag), hours
  to it or to the end of observation, sorted by posting time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _lifecycle(act: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per month: active, new, returning, resurrected and dormant non-host members."""
    m = act.loc[~act["is_host"] & act["member_id"].notna(), ["member_id", "created_at"]]
    mp = pd.DataFrame({"member_id": m["member_id"], "period": m["created_at"].dt.to_period("M")}).drop_duplicates()
    mp = mp.sort_values(["member_id", "period"])
    mp["k"] = mp["period"].array.asi8  # month ordinals: consecutive months differ by 1
    same = mp["member_id"].eq(mp["member_id"].shift())
    prev = mp["k"].shift().where(same)
    nxt = mp["k"].shift(-1).where(mp["member_id"].eq(mp["member_id"].shift(-1)))
    active = mp.groupby("k").size()
    new = prev.isna().groupby(mp["k"]).sum()
    returning = (prev == mp["k"] - 1).groupby(mp["k"]).sum()
    gone = mp.loc[nxt.isna() | (nxt != mp["k"] + 1), "k"] + 1
    dormant = gone.value_counts()
    months = np.arange(mp["k"].min(), mp["k"].max() + 1)  # as the kit: dormancy after the last month is not shown
    out = pd.DataFrame({"active": active, "new": new, "returning": returning}).reindex(months, fill_value=0)
    out["dormant"] = dormant.reindex(months, fill_value=0)
    out["resurrected"] = out["active"] - out["new"] - out["returning"]
    return {c: out[c].to_numpy() for c in out.columns}


def _first_replies(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per post: the first reply by someone else, its host flag, and hours (censored at the end)."""
    posts = ev.loc[(ev["kind"] == "post") & ev["thread_id"].notna(), ["thread_id", "member_id", "created_at", "is_host"]]
    replies = ev.loc[(ev["kind"] == "reply") & ev["thread_id"].notna(), ["thread_id", "member_id", "created_at", "is_host"]]
    j = posts.merge(replies, on="thread_id", suffixes=("", "_r"))
    other = j["member_id_r"].isna() | j["member_id"].isna() | (j["member_id_r"] != j["member_id"])
    j = j[other & (j["created_at_r"] >= j["created_at"])]
    j = j.sort_values(["created_at_r", "is_host_r"]).drop_duplicates("thread_id")  # at a tie, a member's reply first
    first = j.set_index("thread_id")[["created_at_r", "is_host_r"]]
    out = posts.rename(columns={"created_at": "posted_at", "is_host": "author_is_host"}).join(first, on="thread_id")
    out = out.rename(columns={"created_at_r": "first_reply_at", "is_host_r": "first_replier_is_host"})
    out["answered"] = out["first_reply_at"].notna()
    stop = out["first_reply_at"].where(out["answered"], ev["created_at"].max())
    out["hours"] = (stop - out["posted_at"]).dt.total_seconds() / 3600.0
    return out.sort_values("posted_at").reset_index(drop=True)


def pandas_panel(path: str, hosts: set[str]) -> dict[str, object]:
    """The core panel from ``pd.read_parquet``, reduced to the numbers the benchmark compares."""
    ev = pd.read_parquet(path, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id", "to_member_id"])
    ev["is_host"] = ev["member_id"].isin(hosts)
    ev["to_host"] = ev["to_member_id"].isin(hosts)
    out: dict[str, object] = {}
    # activity: lifecycle of non-host members per month, and posts per month
    act = ev[ev["kind"].isin(["post", "reply", "reaction"])]
    life = _lifecycle(act)
    out["active_per_month"] = life["active"]
    for k in ("new", "returning", "resurrected", "dormant"):
        out[k] = int(life[k].sum())
    out["posts_per_month"] = (act["kind"] == "post").groupby(act["created_at"].dt.to_period("M")).sum().to_numpy()
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
    # contributions per member: every non-host member in the log, zeros included, sorted
    members = ev.loc[~ev["is_host"] & ev["member_id"].notna()]
    contrib = members["kind"].isin(["post", "reply"]).groupby(members["member_id"]).sum()
    contrib = contrib.rename("contributions").reset_index().sort_values(["contributions", "member_id"], ascending=[False, True])
    out["contributors"] = int((contrib["contributions"] > 0).sum())
    # first reply per post by someone else
    first = _first_replies(ev)
    out["answered_threads"] = int(first["answered"].sum())
    out["first_by_host"] = int(first["first_replier_is_host"].fillna(False).astype(bool).sum())
    return out
