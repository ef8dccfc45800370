"""Benchmarks a person runs with `make bench`; each writes bench/results/<name>.json."""
