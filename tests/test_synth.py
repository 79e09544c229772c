"""Synthetic control against the published weights (Basque Country, West Germany) and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab.errors import CommunityLabError
from communitylab.intervention import predictor_table, simplex_weights, synthetic_control
from tests.conftest import real

BASQUE = "Basque Country (Pais Vasco)"


def _basque():
    b = pd.read_csv(real("synth", "basque.csv"))
    b["year"] = b["year"].astype(int)
    odd = range(1961, 1970, 2)
    specs = [(c, range(1964, 1970)) for c in ("school.illit", "school.prim", "school.med", "school.high", "school.post.high",
                                              "invest")]
    specs += [("gdpcap", range(1960, 1970))]
    specs += [(c, odd) for c in ("sec.agriculture", "sec.energy", "sec.industry", "sec.construction", "sec.services.venta",
                                 "sec.services.nonventa")]
    specs += [("popdens", [1969])]
    return (b.pivot(index="year", columns="regionname", values="gdpcap"),
            predictor_table(b, unit="regionname", time="year", specs=specs))


def test_basque_weights_are_the_published_ones():
    # Abadie & Gardeazabal (2003): Cataluña 0.8508, Madrid 0.1492 (every region, Spain's aggregate included, as donors)
    outcomes, predictors = _basque()
    sc = synthetic_control(outcomes, BASQUE, 1970, predictors=predictors, fit_period=range(1960, 1970), placebos=False)
    w = sc.weights[sc.weights > 0.001]
    assert set(w.index) == {"Cataluna", "Madrid (Comunidad De)"}
    assert w["Cataluna"] == pytest.approx(0.8508, abs=0.005) and w["Madrid (Comunidad De)"] == pytest.approx(0.1492, abs=0.005)
    assert sc.weights.sum() == pytest.approx(1.0) and (sc.weights >= 0).all()
    assert sc.effect < 0  # the Basque economy fell behind its synthetic twin after terrorism began


def test_west_germany_weights_effect_and_placebo_rank():
    # Abadie, Diamond & Hainmueller (2015): V from the 1971-80 training fit validated on 1981-90, then applied to the
    # 1981-90 predictors; Austria 0.42, USA 0.22, Japan 0.16, Switzerland 0.11, Netherlands 0.09
    g = pd.read_csv(real("synth", "germany.csv"))
    outcomes = g.pivot(index="year", columns="country", values="gdp")

    def predictors(first, schooling, invest):
        specs = [(c, range(first, first + 10)) for c in ("gdp", "trade", "infrate", "industry")]
        return predictor_table(g, unit="country", time="year", specs=[*specs, ("schooling", schooling), (invest, [1980])])

    train = synthetic_control(outcomes, "West Germany", 1991, predictors=predictors(1971, [1970, 1975], "invest70"),
                              fit_period=range(1981, 1991), placebos=False)
    sc = synthetic_control(outcomes, "West Germany", 1990, predictors=predictors(1981, [1980, 1985], "invest80"),
                           custom_v=train.v.to_numpy())
    published = {"Austria": 0.42, "USA": 0.22, "Japan": 0.16, "Switzerland": 0.11, "Netherlands": 0.09}
    w = sc.weights[sc.weights > 0.001]
    assert set(w.index) == set(published)
    for country, weight in published.items():
        assert w[country] == pytest.approx(weight, abs=0.01), country
    # the gap after reunification: about 1,600 USD per head a year below the synthetic West Germany (ADH 2015, fig. 2)
    assert -1700 < sc.effect < -1400
    # no placebo country has a larger post/pre RMSPE ratio (ADH 2015, fig. 5): p = 1/17
    assert sc.p_value == pytest.approx(1 / 17)
    assert len(sc.placebos) == 16


def test_an_exact_mix_is_recovered_with_its_effect():
    t = np.arange(30)
    rng = np.random.default_rng(0)
    donors = pd.DataFrame({f"d{i}": 50 + rng.normal(0, 5) + rng.normal(0, 1, 30).cumsum() for i in range(6)}, index=t)
    treated = 0.6 * donors["d1"] + 0.4 * donors["d4"] + np.where(t >= 20, 7.0, 0.0)
    sc = synthetic_control(donors.assign(treated=treated), "treated", 20)
    assert sc.weights["d1"] == pytest.approx(0.6, abs=1e-4) and sc.weights["d4"] == pytest.approx(0.4, abs=1e-4)
    assert sc.effect == pytest.approx(7.0, abs=1e-3) and sc.pre_rmspe < 1e-3
    assert sc.p_value == pytest.approx(1 / 7)  # the largest ratio of 7: the treated one
    assert "close enough to trust" in sc.fit_quality()


def test_simplex_weights_solve_the_quadratic_programme():
    rng = np.random.default_rng(1)
    x0 = rng.normal(size=(5, 4))
    x1 = rng.normal(size=5)
    v = rng.uniform(0.1, 1, 5)
    w = simplex_weights(x1, x0, v)
    loss = lambda u: (x1 - x0 @ u) @ (v * (x1 - x0 @ u))  # noqa: E731
    for _ in range(2000):  # no point of the simplex does better
        u = rng.dirichlet(np.ones(4))
        assert loss(w) <= loss(u) + 1e-10


def test_bad_panels_are_refused_with_a_typed_error():
    y = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 3, 4], "t": [1.5, 2.5, 3.5]})
    with pytest.raises(CommunityLabError, match="two donor"):
        synthetic_control(y[["a", "t"]], "t", 2)
    with pytest.raises(CommunityLabError, match="not a column"):
        synthetic_control(y, "x", 2)
    with pytest.raises(CommunityLabError, match="missing outcomes"):
        synthetic_control(y.assign(b=[2.0, np.nan, 4]), "t", 2)
    with pytest.raises(CommunityLabError, match="no period before"):
        synthetic_control(y, "t", 0)
