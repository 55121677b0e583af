"""Benchmarks: a generator of synthetic minutes and the script behind ``make bench`` (writes BENCHMARKS.md)."""
