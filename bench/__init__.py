"""Benchmarks of the reference (speed against the matrix-product floor, NumPy, PyTorch and naive
loops; accuracy against a 50-digit oracle; the suite's wall time) and learning on real data.

`python -m lcspec.bench.run [--quick]` runs the benchmarks; `python -m lcspec.bench.learn [--quick]` the learning.
"""
