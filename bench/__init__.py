"""Benchmarks, load runs and fault drills, run by hand (never as timed tests in CI)."""
