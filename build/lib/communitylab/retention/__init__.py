"""Membership retention: cohorts, survival and customer-value models."""
