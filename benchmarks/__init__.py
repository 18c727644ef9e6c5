"""Benchmarks: fsjobstore against Toil's own job stores (``python -m benchmarks``).

Not part of the pytest suite: these measure, they never assert.
"""
