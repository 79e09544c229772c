"""Customer-value models fitted by maximum likelihood (scipy), with standard errors."""

from communitylab.retention.models._mle import NotFittedError
from communitylab.retention.models.bgbb import BetaGeoBetaBinomFitter
from communitylab.retention.models.bgnbd import BetaGeoFitter
from communitylab.retention.models.gamma_gamma import GammaGammaFitter
from communitylab.retention.models.pareto_nbd import ParetoNBDFitter
from communitylab.retention.models.sbg import ShiftedBetaGeometricFitter

__all__ = ["BetaGeoBetaBinomFitter", "BetaGeoFitter", "GammaGammaFitter", "NotFittedError", "ParetoNBDFitter", "ShiftedBetaGeometricFitter"]
