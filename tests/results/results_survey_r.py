"""R ``survey`` package reference values (Lumley), printed in its tests/api.Rout.save and quoted in
the registered ``api`` data set's provenance."""

# svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc); svymean(~api00, dstrat)
STRAT_MEAN_API00 = 662.2873632
STRAT_SE_API00 = 9.4089408
# same design without fpc
STRAT_SE_API00_NOFPC = 9.5361323
# svydesign(id=~1, fpc=~fpc, data=apisrs); svymean(~api00); svytotal(~enroll)
SRS_MEAN_API00 = 656.585
SRS_SE_API00 = 9.249722039
SRS_TOTAL_ENROLL = 3621074.34
SRS_SE_ENROLL = 169519.654

# Calibration, computed with R 4.2 / survey 4.1-1 (Debian r-cran-survey) on apisrs, with
#   pop.types   <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
#   pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
#   apisrs$awards01 <- as.numeric(apisrs$awards == "Yes")
#   d  <- svydesign(id=~1, weights=~pw, data=apisrs)          # "nofpc"
#   d  <- svydesign(id=~1, fpc=~fpc, data=apisrs)             # "fpc"
#   ps <- postStratify(d, ~stype, pop.types); svymean(~api00, ps); svymean(~awards01, ps)
#   rk <- rake(d, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
#              control=list(maxit=1000, epsilon=1e-13))       # converged, unlike R's default epsilon=1
#   svymean(~api00, rk); svymean(~awards01, rk); weights(rk)
POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
CALIBRATED = {
    # (calibration, variable, fpc): (mean, SE)
    ("poststratify", "api00", False): (656.781580953, 9.30804643018),
    ("poststratify", "awards01", False): (0.621277506036, 0.0328487799966),
    ("rake", "api00", False): (657.791546332, 8.97171225786),
    ("rake", "awards01", False): (0.628981615702, 0.0273661441801),
    ("poststratify", "api00", True): (656.781580953, 9.15653816165),
    ("poststratify", "awards01", True): (0.621277506036, 0.032314096181),
    ("rake", "api00", True): (657.791546332, 8.82567854389),
    ("rake", "awards01", True): (0.628981615702, 0.0269207019327),
}
# weights(rk) of a school with stype "E", sch.wide "Yes" and of one with "H", "No"
RAKE_WEIGHT_E_YES = 31.3963659491
RAKE_WEIGHT_H_NO = 29.0031026806
# apisrs$w2 <- ifelse(apisrs$stype == "E", 2, 1); svymean(~awards01, svydesign(id=~1, weights=~w2, data=apisrs))
FIXED_WEIGHTS_AWARDS = (0.657894736842, 0.0341981035581)
