"""Member surveys: codebooks, design-based estimates with finite-population corrections,
Likert and multi-select items, cross-tabulations, reliability and weighting."""
