"""How an `--impl` value becomes implementations under test.

`--impl` takes a dotted module name, a path to a .py file, `module:attribute`, or `cs231n:PATH` for
the CS231n assignment layout (PATH a file, a module or an assignment folder). The modules here:

* `importer`          imports the code under test, and says in one paragraph why it cannot be imported
* `python2`           the stand-in for `past.builtins`, and Python 2 code found before it runs
* `cs231n_files`      finds the files and functions of a CS231n assignment
* `cs231n_classifier` maps `LinearClassifier` and `eval_numerical_gradient` onto the contract
* `cs231n_layout`     maps the CS231n losses (W of shape (D, C), reg·ΣW²) onto the contract

It returns plain data (`Loaded`: the module, its label, variant and notes) and imports nothing of the
judge (no pytest, no Hypothesis, no guard): the bundled Python server runs it in the child process.
The judge wraps what it returns (lcspec/harness/inprocess.py for --in-process runs).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from lcspec import reference
from lcspec.harness.loading import cs231n_files, cs231n_layout
from lcspec.harness.loading.cs231n_layout import Cs231nLayout
from lcspec.harness.loading.importer import USAGE_ERROR, CannotExpress, Importer, LoadError, nothing_provided

CS231N = "cs231n:"

__all__ = ["CS231N", "USAGE_ERROR", "CannotExpress", "LoadError", "Loaded", "load", "loaded", "origin", "unguarded"]


@dataclasses.dataclass
class Loaded:
    """One implementation `--impl` selects, as plain data: the object whose functions are the contract's, the label
    reports name it by, the --impl value, its variant (a CS231n assignment's naive or vectorized) and the loader's
    notes (a stand-in module, what was mapped from what)."""

    module: object
    label: str
    spec: str
    variant: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)

    def provides(self, name: str) -> bool:
        return callable(getattr(self.module, name, None))


def load(spec: str):
    """Import an implementation from a dotted module name, a path to a .py file, or `module:attribute`
    (lcspec/harness/loading/importer.py; a failure is a LoadError saying why in one paragraph)."""
    return Importer().spec(spec)


def origin(spec: str) -> str:
    """Where `spec` was loaded from: the file of its module, the CS231n assignment folder, or the command (cmd:)."""
    if spec.startswith("cmd:"):
        return spec[len("cmd:"):]
    target = spec[len(CS231N):] if spec.startswith(CS231N) else spec
    if target.endswith(".py") or Path(target).exists():
        return str(Path(target).resolve())
    module = sys.modules.get(target.partition(":")[0])
    return getattr(module, "__file__", None) or target


def _cs231n_layouts(target: str) -> list[Cs231nLayout]:
    return cs231n_layout.layouts(cs231n_files.find(target))


def unguarded(spec: str, variant: str | None = None):
    """The raw object whose functions are tested, as `--impl=spec` selects it (used by reproductions)."""
    if spec == "reference":
        return reference
    if spec.startswith(CS231N):
        layouts = _cs231n_layouts(spec[len(CS231N):])
        return next((layout for layout in layouts if layout.variant == variant), layouts[-1])
    return load(spec)


def loaded(spec: str) -> list[Loaded]:
    """What `--impl=spec` selects: one implementation, or one per variant of a CS231n assignment.

    Each carries `notes`, the lines the run's header should print about it: how it was loaded (the
    stand-in for past.builtins), what a CS231n function was mapped from, what could not be mapped.
    Notes about the loading as a whole are on each implementation; print them once.
    """
    if spec.startswith(CS231N):
        return [Loaded(layout, f"{spec} ({layout.description})", spec, layout.variant, list(layout.notes))
                for layout in _cs231n_layouts(spec[len(CS231N):])]
    importer = Importer()
    module = reference if spec == "reference" else importer.spec(spec)
    if not any(callable(getattr(module, name, None)) for name in reference.CONTRACT):
        error = nothing_provided(spec, module, reference.CONTRACT)
        if any(callable(getattr(module, name, None)) for name in cs231n_files.LOSSES):
            raise LoadError(f"{error}; its names are the CS231n layout's: --impl=cs231n:{spec}")
        raise error
    return [Loaded(module, spec, spec, None, list(importer.notes))]
