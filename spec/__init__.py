"""The spec's data, installed as `lcspec.spec`: the chapters, clauses.toml and the golden vectors.

This folder is language-neutral text and data; the file exists only so that the distribution can
carry it as a package (read with `importlib.resources`, see lcspec/harness/clauses.py).
"""
