"""Benchmarks, run by hand (`python -m bench.onboarding`); never part of the test suite."""
