"""The implementation under test, seen through a guard.

Tests never call an implementation directly: they call `impl.<name>(...)`, where `impl` wraps the
module under test. The wrapper enforces what every call must satisfy (CONV-2: arguments are never
modified) and turns a function the implementation does not provide into a skip, so an
implementation of part of the contract is judged on that part only.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import reference


def load(spec: str) -> ModuleType:
    """Import an implementation from a dotted module name or a path to a .py file."""
    path = Path(spec)
    if spec.endswith(".py") or path.is_file():
        if not path.is_file():
            raise FileNotFoundError(f"--impl: no such file {spec}")
        name = f"lcspec_impl_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def _snapshot(value):
    """A bit-exact copy of an array-like argument, or None for anything that is not one."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) if isinstance(v, (list, np.ndarray)) else v for v in value]
    return None


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.dtype == after.dtype
            and before.shape == after.shape
            and before.tobytes() == after.tobytes()
        )
    return before == after if not isinstance(before, list) else (
        isinstance(after, list) and len(before) == len(after) and all(map(_unchanged, before, after))
    )


class Implementation:
    """An implementation module behind the guard. `impl.name` returns the guarded function."""

    def __init__(self, module: ModuleType, label: str | None = None):
        self.module = module
        self.label = label or module.__name__

    def provides(self, name: str) -> bool:
        return callable(getattr(self.module, name, None))

    def __getattr__(self, name: str):
        if name not in reference.CONTRACT:
            raise AttributeError(f"{name!r} is not a contract function")
        if not self.provides(name):
            pytest.skip(f"{name}: not provided by {self.label}")
        return _guarded(name, getattr(self.module, name))

    def __repr__(self) -> str:
        return f"Implementation({self.label})"


def _guarded(name: str, fn):
    signature = inspect.signature(getattr(reference, name))

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs).arguments
        except TypeError:
            bound = {f"argument {i}": a for i, a in enumerate(args)} | kwargs
        before = {k: _snapshot(v) for k, v in bound.items()}
        result = fn(*args, **kwargs)
        for arg, snap in before.items():
            if snap is not None and not _unchanged(snap, bound[arg]):
                raise AssertionError(f"{name} modified its argument {arg} in place (CONV-2)")
        return result

    return call
