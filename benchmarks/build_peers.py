"""Build the peer table and the dormancy forecast from the panel of real community histories.

    .venv/bin/python benchmarks/build_peers.py [PANEL]        (./run peers)

PANEL defaults to ``../shared/data/panel`` beside the repository; the registered community data
sets present in the data folder are added. Each community is loaded through the kit's own
connectors and cut every six months from a year after its first member post, as long as the six
months after the cut are observed (BerliOS lists are censored at 2013-10-01: their host shut down,
which is not their communities' death). Writes ``data/peers/peer_cuts.csv``, ``forecast.json``,
``calibration.png`` and ``README.md``; the raw panel is never copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import math
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "peers"
log = logging.getLogger("build_peers")

#: Lists whose archives end because lists.berlios.de shut down (the panel README), not by themselves
BERLIOS_END = pd.Timestamp("2013-10-01", tz="UTC")
NOT_BERLIOS = {"mailinglist-clearwater", "mailinglist-microbit"}
#: Related communities stay in one cross-validation fold (the panel README's pairs)
GROUPS = {"mailinglist-gpsd-dev": "gpsd", "mailinglist-gpsd-users": "gpsd", "mailinglist-fetchmail-devel": "fetchmail",
          "mailinglist-fetchmail-users": "fetchmail", "mailinglist-opensim-dev": "opensim", "mailinglist-opensim-users": "opensim",
          "mailinglist-x2go-dev": "x2go", "mailinglist-x2go-user": "x2go", "network-bitcoin-alpha": "bitcoin",
          "network-bitcoin-otc": "bitcoin"}
SIGNALS = ("member_contributions_per_week", "reciprocity", "repeated_ties", "answered_share", "member_to_member_share", "top1_share")


def community_cuts(name: str, source: str) -> list[dict]:
    """Every cut of one community: features, verdict and signals before it, what happened after."""
    from communitylab import datasets
    from communitylab.engagement import health_verdict
    from communitylab.engagement.peers import (
        MIN_CONTRIBUTIONS,
        activity_features,
        kind_of,
        member_contributions,
        went_quiet,
    )

    community = datasets.load_community(source)
    contrib = member_contributions(community)
    first, last = contrib["created_at"].min(), contrib["created_at"].max()
    observed_to = last.tz_convert("UTC").tz_localize(None).to_period("M").to_timestamp().tz_localize("UTC")  # the last month may be partial
    berlios = name.startswith("mailinglist-") and name not in NOT_BERLIOS
    censored_at = min(observed_to, BERLIOS_END) if berlios else observed_to
    cut = first.tz_convert("UTC").tz_localize(None).to_period("M").to_timestamp().tz_localize("UTC") + pd.DateOffset(months=12)
    rows = []
    while cut + pd.DateOffset(months=6) <= censored_at:
        feats = activity_features(contrib, cut)
        before, after, quiet = went_quiet(contrib, cut)
        verdict = health_verdict(community.window(cut - pd.DateOffset(months=12), cut))
        signals = {r["id"]: r["value"] for _, r in verdict.signals.iterrows() if r["status"] == "ok"}
        rows.append({"community": name, "kind": kind_of(community), "group": GROUPS.get(name, name), "cut": cut.date().isoformat(),
                     **feats, **{s: signals.get(s, np.nan) for s in SIGNALS}, "verdict": verdict.label,
                     "contributions_next_6m": after, "eligible": before >= MIN_CONTRIBUTIONS, "went_quiet": bool(quiet)})
        cut = cut + pd.DateOffset(months=6)
    log.info("%s: %d cuts (%s)", name, len(rows), "censored at 2013-10 (BerliOS)" if berlios else "to the end of its data")
    return rows


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def fit(table: pd.DataFrame, features: tuple[str, ...]):
    """Logistic regression on standardized features; covariance clustered by community group."""
    import statsmodels.api as sm

    mean, scale = table[list(features)].mean(), table[list(features)].std(ddof=0).replace(0, 1)
    x = sm.add_constant(((table[list(features)] - mean) / scale).to_numpy(float), has_constant="add")
    groups = pd.factorize(table["group"])[0]
    res = sm.GLM(table["went_quiet"].astype(float).to_numpy(), x, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    return res, mean, scale


def predict(res, mean, scale, table, features) -> np.ndarray:
    import statsmodels.api as sm

    x = sm.add_constant(((table[list(features)] - mean) / scale).to_numpy(float), has_constant="add")
    return res.predict(x)


def validate(table: pd.DataFrame, features: tuple[str, ...]) -> dict:
    """Leave one community group out: AUC, Brier score, calibration by decile; the trend and the verdict as baselines."""
    p = np.full(len(table), np.nan)
    for g in table["group"].unique():
        test = (table["group"] == g).to_numpy()
        res, mean, scale = fit(table[~test], features)
        p[test] = predict(res, mean, scale, table[test], features)
    y = table["went_quiet"].astype(int).to_numpy()
    deciles = pd.qcut(pd.Series(p).rank(method="first"), 10, labels=False)
    calib = (pd.DataFrame({"decile": deciles + 1, "p": p, "y": y}).groupby("decile")
             .agg(n=("y", "size"), predicted=("p", "mean"), observed=("y", "mean")).reset_index())
    order = {"thriving conversation": 0, "fragile": 1, "declining": 2}
    labelled = table["verdict"].map(order)
    by_label = (table.assign(y=y).groupby("verdict").agg(cuts=("y", "size"), went_quiet=("y", "sum")).reset_index())
    by_label["share"] = by_label["went_quiet"] / by_label["cuts"]
    known = labelled.notna().to_numpy()
    return {
        "n_cuts": int(len(table)), "n_quiet": int(y.sum()), "n_communities": int(table["community"].nunique()),
        "n_folds": int(table["group"].nunique()),
        "auc": auc(p, y), "brier": float(np.mean((p - y) ** 2)), "brier_base_rate": float(np.mean((y.mean() - y) ** 2)),
        "auc_trend": auc(-table["trend_3m"].to_numpy(float), y),
        "auc_verdict": auc(labelled[known].to_numpy(float), y[known]),
        "calibration": calib.round(4).to_dict("records"),
        "by_label": by_label.round(4).to_dict("records"),
        "predictions": [round(float(v), 5) for v in p],
    }


def calibration_chart(v: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from communitylab.plots import theme

    theme.use()
    c = pd.DataFrame(v["calibration"])
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect calibration")
    ax.scatter(c["predicted"], c["observed"], s=12 + 2 * c["n"], zorder=3, label="decile of forecasts (size: cuts)")
    ax.set_xlabel("forecast probability of going quiet (mean of decile)")
    ax.set_ylabel("share that went quiet")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Leave-one-community-out: AUC {v['auc']:.2f}, {v['n_communities']} communities", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    from communitylab.datasets import DATASETS, status
    from communitylab.engagement.peers import FEATURES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("panel", nargs="?", default=str(ROOT.parent / "shared" / "data" / "panel"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--refit", action="store_true", help="refit and revalidate the forecast on the shipped peer_cuts.csv "
                    "(no panel needed)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.refit:
        table = pd.read_csv(OUT / "peer_cuts.csv", parse_dates=["cut"])
        registered = json.loads((OUT / "forecast.json").read_text())["built"]["registered"]
    else:
        panel = Path(args.panel)
        if not panel.is_dir():
            log.error("no panel folder at %s", panel)
            return 2
        sources = [(d.name, str(d)) for d in sorted(panel.iterdir()) if d.is_dir()]
        sources += [(n, n) for n in DATASETS if status(n) == "present"]
        registered = [n for n, s in sources if not Path(s).is_dir()]
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = [r for part in pool.map(community_cuts, *zip(*sources, strict=True)) for r in part]
        table = pd.DataFrame(rows)
        OUT.mkdir(parents=True, exist_ok=True)
        table.to_csv(OUT / "peer_cuts.csv", index=False, float_format="%.6g")
    model_rows = table[table["eligible"]].reset_index(drop=True)
    res, mean, scale = fit(model_rows, FEATURES)
    v = validate(model_rows, FEATURES)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    model = {
        "features": list(FEATURES), "mean": mean.to_dict(), "scale": scale.to_dict(),
        "median": model_rows[list(FEATURES)].median().to_dict(),
        "coef": [float(b) for b in res.params], "cov": np.asarray(res.cov_params()).tolist(),
        "se": [float(s) for s in res.bse], "validation": {k: x for k, x in v.items() if k != "predictions"},
        "built": {"date": dt.date.today().isoformat(), "kit_commit": commit, "panel": "../shared/data/panel (README: 34 communities)",
                  "registered": registered, "refit_from_table": bool(args.refit)},
    }
    (OUT / "forecast.json").write_text(json.dumps(model, indent=1, default=float) + "\n")
    calibration_chart(v, OUT / "calibration.png")
    log.info("%d cuts of %d communities, %d eligible, %d went quiet; LOCO AUC %.3f (trend %.3f, verdict %.3f), Brier %.4f (base %.4f)",
             len(table), table["community"].nunique(), len(model_rows), v["n_quiet"], v["auc"], v["auc_trend"], v["auc_verdict"],
             v["brier"], v["brier_base_rate"])
    for r in v["calibration"]:
        log.info("  decile %2d: n %3d, forecast %.3f, observed %.3f", r["decile"], r["n"], r["predicted"], r["observed"])
    for r in v["by_label"]:
        log.info("  %-28s %3d cuts, %3d went quiet (%.0f%%)", r["verdict"], r["cuts"], r["went_quiet"], 100 * r["share"])
    coef = dict(zip(["intercept", *FEATURES], res.params, strict=True))
    log.info("coefficients (standardized): %s", ", ".join(f"{k} {b:+.2f}" for k, b in coef.items()))
    return 0 if math.isfinite(v["auc"]) else 1


if __name__ == "__main__":
    sys.exit(main())
