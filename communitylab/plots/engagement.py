"""Figures of the community-health study: DataFrames in, matplotlib Axes out (``ax=`` accepted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.plots.theme import PALETTE, date_axis, new_axes, whole_ticks

__all__ = ["plot_activity", "plot_direction_matrix", "plot_lorenz", "plot_reply_survival", "plot_reply_network", "network_layout", "plot_comparison", "plot_peer_percentiles", "activity_caption"]


def plot_activity(activity: pd.DataFrame, ax=None, *, title: str = "Activity per period"):
    """Active members per period (bars: new / returning / resurrected) and, when hosts wrote any,
    the hosts' posts and replies per period (line, right axis); counts on whole-number ticks.

    :func:`activity_caption` says in words what this draws, from the same table.
    """
    ax = new_axes(ax)
    x = activity["period"].dt.tz_localize(None)
    width = (x.diff().median() if len(x) > 1 else pd.Timedelta(days=30)) * 0.8
    bottom = np.zeros(len(activity))
    for col, color in (("new", PALETTE["accent"]), ("returning", PALETTE["member"]), ("resurrected", PALETTE["neutral"])):
        ax.bar(x, activity[col], width=width, bottom=bottom, color=color, label=f"{col} members", align="edge")
        bottom += activity[col].to_numpy()
    host = _host_contributions(activity)
    if host is not None:
        ax2 = ax.twinx()
        ax2.plot(x + width / 2, host, color=PALETTE["host"], marker="o", ms=3, label="host posts and replies")
        ax2.set_ylabel("host posts and replies", color=PALETTE["host"])
        whole_ticks(ax2)
        ax2.set_ylim(bottom=0)
        ax2.spines[["top"]].set_visible(False)
    whole_ticks(ax)
    ax.set_ylabel("active members")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False, fontsize=8)  # below the axis, never over the bars
    date_axis(ax)
    return ax


def _host_contributions(activity: pd.DataFrame) -> pd.Series | None:
    """The hosts' posts and replies per period, or None when hosts wrote none (no line is drawn)."""
    cols = [c for c in ("host_posts", "host_replies") if c in activity.columns]
    if not cols:
        return None
    host = activity[cols].sum(axis=1)
    return host if host.sum() > 0 else None


def activity_caption(activity: pd.DataFrame, period: str) -> str:
    """The caption of :func:`plot_activity` for this table: what its bars and its line count."""
    line = ("; the orange line (right axis) counts the hosts' posts and replies each " + period
            if _host_contributions(activity) is not None else "; the hosts wrote nothing in this period, so there is no host line")
    return (f"Members active each {period} of the active period (hosts excluded), split into new, returning and resurrected "
            f"members{line}.")


def plot_direction_matrix(directions: pd.DataFrame, ax=None):
    """2×2 heat map of replies by direction (author kind → replied-to kind), counts and shares."""
    ax = new_axes(ax, figsize=(4.5, 4))
    d = directions.set_index("direction")
    m = np.array([[d.loc["member->member", "replies"], d.loc["member->host", "replies"]],
                  [d.loc["host->member", "replies"], d.loc["host->host", "replies"]]], dtype=float)
    total = m.sum() or 1.0
    ax.imshow(m / total, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            ax.text(j, i, f"{int(m[i, j]):,}\n{m[i, j] / total:.0%}", ha="center", va="center",
                    color="white" if m[i, j] / total > 0.5 else "black")
    ax.set_xticks([0, 1], ["to member", "to host"])
    ax.set_yticks([0, 1], ["member", "host"])
    ax.set_xlabel("replied to")
    ax.set_ylabel("reply written by")
    unknown = int(d.loc["unknown", "replies"]) if "unknown" in d.index else 0
    ax.set_title("Who replies to whom" + (f"\n({unknown:,} replies to unknown parents not shown)" if unknown else ""), fontsize=10)
    return ax


def plot_lorenz(lorenz: pd.DataFrame, ax=None, *, gini: float | None = None, label: str = "members"):
    """Lorenz curve of contributions, with the equality line."""
    ax = new_axes(ax, figsize=(4.5, 4))
    ax.plot([0, 1], [0, 1], color=PALETTE["neutral"], ls="--", lw=1, label="perfect equality")
    ax.plot(lorenz["share_of_members"], lorenz["share_of_contributions"], color=PALETTE["member"], label=label)
    ax.set_xlabel("share of members (fewest contributions first)")
    ax.set_ylabel("share of contributions")
    ax.set_title("Participation inequality" + (f" (Gini {gini:.2f})" if gini is not None else ""))
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_reply_survival(curve: pd.DataFrame, ax=None, *, max_hours: float = 24 * 14):
    """Kaplan–Meier share of threads still waiting for a first reply, with its band."""
    ax = new_axes(ax)
    c = curve[curve["hours"] <= max_hours]
    ax.step(np.r_[0, c["hours"]], np.r_[1, c["waiting"]], where="post", color=PALETTE["member"], label="still waiting")
    ax.fill_between(np.r_[0, c["hours"]], np.r_[1, c["ci_low"]], np.r_[1, c["ci_high"]], step="post", alpha=0.25, color=PALETTE["member"], label="95% CI")
    for h, lab in ((1, "1 h"), (24, "1 day"), (168, "1 week")):
        if h <= max_hours:
            ax.axvline(h, color=PALETTE["neutral"], lw=0.8, ls=":")
            ax.text(h, 1.0, lab, fontsize=7, va="bottom")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, max(float(c["hours"].max()) if len(c) else 1.0, 1.0))  # time to reply starts at 0: no negative hours
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("hours since the thread was posted")
    ax.set_ylabel("share still unanswered")
    ax.set_title("Time to first reply (unanswered threads censored)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def _heaviest(edges: pd.DataFrame, max_edges: int) -> pd.DataFrame:
    """The ``max_edges`` heaviest edges between two different members (ties broken by id: deterministic)."""
    return edges[edges["src"] != edges["dst"]].sort_values(["n", "src", "dst"], ascending=[False, True, True]).head(max_edges)


def network_layout(*edge_tables: pd.DataFrame, max_edges: int = 400, seed: int = 0) -> dict:
    """One seeded spring layout for the heaviest edges of every table given, so that panels drawn
    with it (with and without the host) keep each member in the same place.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"src": ["a", "b"], "dst": ["b", "c"], "n": [2, 1]})
    >>> sorted(network_layout(e))
    ['a', 'b', 'c']
    """
    import networkx as nx

    g = nx.Graph()
    for edges in edge_tables:
        e = _heaviest(edges, max_edges)
        g.add_edges_from(zip(e["src"], e["dst"]))
    if g.number_of_nodes() == 0:
        return {}
    return nx.spring_layout(g, seed=seed, k=1.5 / np.sqrt(g.number_of_nodes()))


def plot_reply_network(edges: pd.DataFrame, ax=None, *, max_edges: int = 400, seed: int = 0, title: str = "Reply network",
                       positions: dict | None = None):
    """Reply network drawn from its ``max_edges`` heaviest edges (hosts in the host colour); seeded
    spring layout, or ``positions`` from :func:`network_layout` to share one layout across panels.

    Keeping whole edges (not the most connected nodes) keeps each hub with its spokes, so a
    hub-and-spoke audience looks like one.
    """
    import networkx as nx

    ax = new_axes(ax, figsize=(5, 5))
    e = _heaviest(edges, max_edges)
    g = nx.Graph()
    for s, d, n in e[["src", "dst", "n"]].itertuples(index=False):
        g.add_edge(s, d, weight=g.get_edge_data(s, d, {"weight": 0})["weight"] + n)
    hosts = set(edges.loc[edges["src_is_host"], "src"]) | set(edges.loc[edges["dst_is_host"], "dst"])
    if g.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no replies between members", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    pos = positions if positions is not None and all(n in positions for n in g.nodes) else network_layout(edges, max_edges=max_edges, seed=seed)
    deg = dict(g.degree())
    nx.draw_networkx_edges(g, pos, ax=ax, alpha=0.35, width=0.6, edge_color="#555555")
    for group, color in ((False, PALETTE["member"]), (True, PALETTE["host"])):  # hosts drawn on top
        nodes = [n for n in g.nodes if (n in hosts) == group]
        sizes = np.clip([12 + 4 * deg[n] for n in nodes], 12, 300)
        nx.draw_networkx_nodes(g, pos, nodelist=nodes, ax=ax, node_color=color, node_size=sizes, linewidths=0)
    ax.set_title(f"{title}\n({g.number_of_edges()} heaviest of {edges.attrs.get('pairs', len(edges)):,} reply pairs)", fontsize=10)
    ax.set_axis_off()
    return ax


def plot_comparison(table: pd.DataFrame, metric: str = "reply_earning_share", ax=None):
    """Dot-and-interval chart of one metric across communities (``ci_low``/``ci_high`` if present)."""
    ax = new_axes(ax)
    t = table.sort_values(metric)
    y = np.arange(len(t))
    ax.scatter(t[metric], y, color=PALETTE["member"], zorder=3)
    if metric == "reply_earning_share" and {"ci_low", "ci_high"} <= set(t.columns):
        ax.hlines(y, t["ci_low"], t["ci_high"], color=PALETTE["member"])
    ax.set_yticks(y, t["community"])
    ax.set_xlabel(metric.replace("_", " "))
    ax.set_title("Communities side by side")
    return ax




def plot_peer_percentiles(table: pd.DataFrame, ax=None, title: str | None = None):
    """Where a community stands among real peer communities: one row per signal, its percentile
    among all peers (filled) and among peers of its kind (hollow), the middle half of peers shaded.

    ``table`` is :func:`communitylab.engagement.peer_percentiles`'s result.
    """
    ax = new_axes(ax)
    t = table.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(t))
    ax.axvspan(25, 75, color="0.92", zorder=0, label="middle half of peers")
    ax.scatter(100 * t["percentile_all"], y, color=PALETTE["member"], zorder=3, label="among all peers")
    if t["percentile_kind"].notna().any():
        ax.scatter(100 * t["percentile_kind"], y, facecolors="none", edgecolors=PALETTE["host"], zorder=3,
                   label="among peers of its kind")
    ax.set_yticks(y, [f"{s}\n{v}" for s, v in zip(t["signal"], t["shown"], strict=True)], fontsize=8)
    ax.set_xlim(-3, 103)
    ax.set_xlabel("percentile among the peer communities (100: above all of them)")
    n = int(table["n_all"].max()) if len(table) else 0
    ax.set_title(title or f"Where this community stands among {n} real communities")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    return ax
