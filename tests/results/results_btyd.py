"""Published fits of the customer-value models, with their sources (the registered `cdnow` data set: communitylab.datasets.REGISTRY).

Each entry: the parameters as printed in the source and the decimals they were printed to; tests
compare with abs tolerance 1.5 x 10^-decimals (the printed value's rounding, plus slack for the
flat direction of the Pareto/NBD beta).
"""

# Fader, Hardie & Lee (2005a), Marketing Science 24(2), CDNOW sample, 39-week calibration.
# R BTYD: bgnbd.EstimateParameters(cdnowSummary$cal.cbs)
BGNBD_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "loglik": -9582.4}

# Same data; Pareto/NBD in FHL (2005b). R BTYD: pnbd.EstimateParameters(cal.cbs)
PARETO_CDNOW = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669, "loglik": -9595.0}

# Fader & Hardie (2013) note 025: Gamma-Gamma on the 946 CDNOW repeat buyers.
GAMMA_GAMMA_CDNOW = {"p": 6.25, "q": 3.74, "gamma": 15.44}
# Expected average spend of customers 1-10 (Hardie's note 025 spreadsheet).
GAMMA_GAMMA_EXPECTED_SPEND = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]

# Fader, Hardie & Shang (2010), Marketing Science 29(6), donations of the 1995 cohort (n = 6).
BGBB_DONATIONS = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
# Hardie note 010 spreadsheet: E[X(n)] for a new donor, n = 1..11.
BGBB_EXPECTED_X = [0.4985, 0.9233, 1.2969, 1.6323, 1.9381, 2.2202, 2.4826, 2.7285, 2.9603, 3.1798, 3.3887]
# P(alive in 2002) for (x, t_x) = (0, 0), (2, 4), (6, 6); donors with 0 and 6 repeat donations;
# total expected donations 2002-2006.
BGBB_PALIVE = [0.11, 0.59, 0.93]
BGBB_DONORS_0_AND_6 = [3454.9, 1253.1]
BGBB_TOTAL_2002_2006 = 12884.2

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1).
SBG_REGULAR = {"survivors": [1000, 631, 468, 382, 326, 289, 262, 241], "alpha": 0.704, "beta": 1.182}
SBG_HIGH_END = {"survivors": [1000, 869, 743, 653, 593, 551, 517, 491], "alpha": 0.668, "beta": 3.806}
