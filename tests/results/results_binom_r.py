"""R ``binom::binom.confint(x, n, tol = 1e-8)`` 95% intervals, as statsmodels ships them for its own
proportion tests (statsmodels/stats/tests/results/results_proportion.py, ``res_binom``; BSD-3-Clause,
Josef Perktold). binom's "exact" is Clopper-Pearson, "bayes" the Jeffreys interval, "asymptotic" Wald.
Values are copied as printed there; (1, 30) and (29, 30) carry 7 significant digits only. At 1/30 and
29/30 binom.bayes returns its highest-density interval, not the equal-tailed Jeffreys interval, so
those two Jeffreys rows are left out (statsmodels skips them too)."""

# (k, n): {method: (ci_low, ci_high)}
BINOM_CONFINT = {
    (18, 20): {
        "wilson": (0.6989663547715128, 0.972133518786232),
        "clopper-pearson": (0.6830172859809176, 0.9876514728297052),
        "jeffreys": (0.716146742695748, 0.97862751197755),
        "wald": (0.768521618913513, 1.031478381086487),
    },
    (4, 20): {
        "wilson": (0.0806576625797981, 0.4160174322518935),
        "clopper-pearson": (0.05733399705003284, 0.436614002996668),
        "jeffreys": (0.07152005247873425, 0.4082257625169254),
        "wald": (0.0246954918846837, 0.3753045081153163),
    },
    (4, 200): {
        "wilson": (0.00780442641634947, 0.05028708690582643),
        "clopper-pearson": (0.005475565879556443, 0.05041360908989634),
        "jeffreys": (0.00678759879519299, 0.0468465669668423),
        "wald": (0.000597346459104517, 0.0394026535408955),
    },
    (190, 200): {
        "wilson": (0.910421851861224, 0.972617354399236),
        "clopper-pearson": (0.9099724622986486, 0.975765834527891),
        "wald": (0.919794926420966, 0.980205073579034),
    },
    (1, 30): {
        "wilson": (0.00590859, 0.16670391),
        "clopper-pearson": (0.0008435709, 0.17216946),
        "wald": (-0.0309007, 0.09756737),
    },
    (29, 30): {
        "wilson": (0.8332961, 0.9940914),
        "clopper-pearson": (0.8278305, 0.9991564),
        "wald": (0.9024326, 1.0309007),
    },
}
