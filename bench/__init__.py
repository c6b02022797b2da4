"""Benchmarks of the reference (speed against the matrix-product floor, NumPy, PyTorch and naive
loops; accuracy against a 50-digit oracle; the suite's wall time) and learning on real data.

`python bench/run.py [--quick]` runs the benchmarks; `python -m bench.learn [--quick]` the learning.
"""
