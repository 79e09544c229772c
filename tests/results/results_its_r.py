"""R ``glm`` on the registered ``sicily`` series (Lopez Bernal, Cummins & Gasparrini 2017, the tutorial's models).

Computed with R 4.2.2 (Debian), printing ``summary(m)$coefficients`` and ``summary(m)$dispersion``;
``s1, c1, s2, c2`` are ``sin/cos(2 pi k month / 12)``, k = 1, 2 (tsModel's ``harmonic(month, 2, 12)``).

  m1 <- glm(aces ~ offset(log(stdpop)) + smokban + time, family=poisson, data)
  m2 <- glm(aces ~ offset(log(stdpop)) + smokban + time, family=quasipoisson, data)
  m3 <- glm(aces ~ offset(log(stdpop)) + smokban + time + s1 + c1 + s2 + c2, family=quasipoisson, data)
  m4 <- glm(aces ~ offset(log(stdpop)) + smokban + time + I(time-36):smokban + s1 + c1 + s2 + c2,
            family=quasipoisson, data)

The paper prints the rate ratios of m1, 0.894 (0.865-0.925), and of m3, 0.885 (0.839-0.933).
"""

# model: {term: (estimate, se)}, plus dispersion
SICILY = {
    "m1": {"dispersion": 1.0, "smokban": (-0.1116284426, 0.01722476506), "time": (0.004944992032, 0.0004992295493)},
    "m2": {"dispersion": 3.559194632, "smokban": (-0.1116284426, 0.03249594536), "time": (0.004944992032, 0.0009418378771)},
    "m3": {
        "dispersion": 2.262186415,
        "smokban": (-0.1220867929, 0.02703110726),
        "time": (0.005389219541, 0.0007955372324),
        "s1": (0.03709672671, 0.01002407109),
        "c1": (0.03816077551, 0.00968481482),
        "s2": (-0.01821220232, 0.009643504464),
        "c2": (0.01476338825, 0.00972209535),
    },
    "m4": {
        "dispersion": 2.274562545,
        "smokban": (-0.1318591712, 0.02979129924),
        "time": (0.005102602197, 0.0008745281404),
        "slope": (0.001482227998, 0.001854631632),
    },
}
PUBLISHED_RATE_RATIO = {"m1": (0.894, 0.865, 0.925), "m3": (0.885, 0.839, 0.933)}
