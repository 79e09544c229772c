"""R ``survey`` package reference values (Lumley), printed in its tests/api.Rout.save and quoted in
data/api/README.md."""

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
