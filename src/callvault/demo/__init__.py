"""Realistic demo data for a first run."""
