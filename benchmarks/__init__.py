"""Benchmarks: each ``bench_*.py`` module has ``run() -> list[BenchTable]``.

``make bench`` prints them all.
"""
