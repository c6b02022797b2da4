"""Finding a CS231n assignment's functions, in one file or in an assignment folder.

`cs231n:PATH` names one file (or dotted module) that defines the losses, or an assignment folder:
its root (which holds cs231n/), cs231n/ itself, or cs231n/classifiers/. From a folder the suite
imports whichever of these exist:

    cs231n/classifiers/linear_svm.py         svm_loss_naive, svm_loss_vectorized
    cs231n/classifiers/softmax.py            softmax_loss_naive, softmax_loss_vectorized
    cs231n/classifiers/linear_classifier.py  LinearClassifier (its train and predict)
    cs231n/gradient_check.py                 eval_numerical_gradient

as the modules `cs231n.classifiers.linear_svm` and so on, so that their imports of each other
(`from cs231n.classifiers.linear_svm import *`) work as in the notebooks. The packages'
`__init__.py` files are not run: in the assignment they import every classifier, k-nearest
neighbours included, and one unfinished file must not stop the others from being judged. Any
`cs231n` modules imported before are set aside while the folder is imported and put back after,
so that several folders can be loaded in one process.

A file that is there but defines none of the names looked for in it (a typo) is a LoadError naming
the nearest names it does define; one of two names missing is a note in the run's header.

A file of a folder that cannot be imported (it raises, imports what is not installed, is Python 2
code, or does not finish within IMPORT_SECONDS) does not stop the others from being judged, nor
does it pass unseen: its functions are stood in for by ones with the assignment's signatures that
raise ImportError with the reason at every call, so they fail (and lose their points) with that
reason, and a note says so. Only a folder none of whose files can be imported is a LoadError.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable

from lcspec.timelimit import Hang, time_limit
from lcspec.harness.loading.importer import Importer, LoadError, shown, nothing_provided

LOSSES = ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized")
CLASSIFIER = "LinearClassifier"
GRADIENT_CHECK = "eval_numerical_gradient"
FILES = {
    "classifiers/linear_svm.py": LOSSES[:2],
    "classifiers/softmax.py": LOSSES[2:],
    "classifiers/linear_classifier.py": (CLASSIFIER,),
    "gradient_check.py": (GRADIENT_CHECK,),
}
"""The files of an assignment folder, relative to its cs231n/ package, and the names looked for in each."""
IMPORT_SECONDS = 15.0
"""Time one file of a folder may take to import (a training loop or an input() at module level never ends)."""
UNLOADABLE = "lcspec_unloadable"
"""The attribute that marks a stand-in for a function whose file could not be imported (its value: why)."""


@dataclasses.dataclass
class Assignment:
    """What a CS231n file or folder provides: its losses by name, its classifier class, its gradient check."""

    losses: dict[str, Callable]
    classifier: type | None = None
    gradient_check: Callable | None = None
    notes: list[str] = dataclasses.field(default_factory=list)


def find(target: str) -> Assignment:
    """The assignment `cs231n:target` names: a folder (see the module docstring), else a file or module."""
    if Path(target).is_dir():
        return _folder(Path(target))
    importer = Importer()
    module = importer.spec(target)
    found = _collected([module], importer.notes)
    if not (found.losses or found.classifier or found.gradient_check):
        raise nothing_provided(target, module, [*LOSSES, CLASSIFIER, GRADIENT_CHECK])
    _refuse_misspellings(target, module, [*LOSSES, CLASSIFIER, GRADIENT_CHECK])
    return found


def _collected(modules: list[ModuleType], notes: list[str]) -> Assignment:
    def first(name):
        return next((getattr(m, name) for m in modules if callable(getattr(m, name, None))), None)

    losses = {name: first(name) for name in LOSSES if first(name) is not None}
    classifier = first(CLASSIFIER)
    return Assignment(losses, classifier if isinstance(classifier, type) else None, first(GRADIENT_CHECK), notes)


def package_of(folder: Path) -> Path:
    """The cs231n/ package of an assignment folder given as its root, as cs231n/ or as cs231n/classifiers/."""
    folder = folder.resolve()
    for package in (folder / "cs231n", folder, folder.parent):
        if package.name == "cs231n" and package.is_dir() and any((package / f).is_file() for f in FILES):
            return package
    raise LoadError(f"{shown(folder)} is not a CS231n assignment folder: none of "
                    f"{', '.join('cs231n/' + f for f in FILES)} is in it (give the folder that holds cs231n/, "
                    "or cs231n/ itself, or cs231n/classifiers/, or one .py file)")


def _folder(folder: Path) -> Assignment:
    package = package_of(folder)
    importer = Importer()
    modules, lacking, failed = [], [], []
    with _bare_packages(package):
        for relative, wanted in FILES.items():
            if not (package / relative).is_file():
                continue
            name = "cs231n." + relative.removesuffix(".py").replace("/", ".")
            try:
                with time_limit(IMPORT_SECONDS):
                    module = importer.module(name)
            except Hang:
                sys.modules.pop(name, None)
                failed.append(LoadError(f"{shown(package / relative)} did not finish importing within "
                                        f"{IMPORT_SECONDS:g} s (code at module level that never ends: a training "
                                        "loop, input()?)"))
            except LoadError as exc:
                failed.append(exc)
            else:
                lacking += _lacking(package / relative, module, wanted)
                modules.append(module)
                continue
            modules.append(_stand_ins(relative, str(failed[-1])))
            names = ", ".join(f"{n}.train and .predict" if n == CLASSIFIER else n for n in wanted)
            lacking.append(f"{relative.rpartition('/')[2]} could not be imported, so {names} fail at every call: "
                           f"{failed[-1]}")
    if len(failed) == len(modules):
        raise failed[0]  # nothing of the folder can be imported: nothing to judge
    return _collected(modules, importer.notes + lacking)


def _stand_ins(relative: str, reason: str) -> ModuleType:
    """A module holding, for each name looked for in `relative`, a stand-in with the assignment's signature that
    raises ImportError(reason) at every call (marked with UNLOADABLE)."""
    def fail(*_, **__):
        raise ImportError(reason)

    def svm_loss_naive(W, X, y, reg): fail()
    def svm_loss_vectorized(W, X, y, reg): fail()
    def softmax_loss_naive(W, X, y, reg): fail()
    def softmax_loss_vectorized(W, X, y, reg): fail()
    def eval_numerical_gradient(f, x, verbose=True, h=0.00001): fail()

    class LinearClassifier:
        def __init__(self):
            self.W = None

        def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
            fail()

        def predict(self, X):
            fail()

    module = ModuleType(f"unloadable {relative}")
    for name in FILES[relative]:
        value = locals()[name]
        setattr(value, UNLOADABLE, reason)
        setattr(module, name, value)
    return module


def _lacking(path: Path, module: ModuleType, wanted: tuple[str, ...]) -> list[str]:
    """Refuse a file that defines none of `wanted`; a note on each one it lacks, with the nearest name it defines."""
    missing = [name for name in wanted if not callable(getattr(module, name, None))]
    if missing == list(wanted):
        raise nothing_provided(shown(path), module, wanted)
    _refuse_misspellings(shown(path), module, missing)
    return [f"{shown(path)} defines no {name}; its tests are skipped" for name in missing]


def _refuse_misspellings(where: str, module: ModuleType, wanted) -> None:
    """A usage error for a name of `wanted` the module lacks but nearly defines (`svm_loss_vectorised`): the
    notebook would fail on it, so a run must not pass over it as merely "not provided"."""
    defined = [n for n in vars(module) if not n.startswith("_") and callable(getattr(module, n))]
    for name in wanted:
        if callable(getattr(module, name, None)):
            continue
        near = [n for n in difflib.get_close_matches(name, defined, n=3, cutoff=0.8) if n not in wanted]
        if near:
            raise LoadError(f"{where} defines {near[0]}, not {name}: the assignment calls it {name}; rename it "
                            "(or remove it) and run again")


@contextlib.contextmanager
def _bare_packages(package: Path):
    """`cs231n` and `cs231n.classifiers` as packages of the folder whose __init__.py files are not run."""
    ours = [name for name in sys.modules if name == "cs231n" or name.startswith("cs231n.")]
    aside = {name: sys.modules.pop(name) for name in ours}
    top = ModuleType("cs231n")
    top.__path__ = [str(package)]
    classifiers = ModuleType("cs231n.classifiers")
    classifiers.__path__ = [str(package / "classifiers")]
    top.classifiers = classifiers
    sys.modules.update({"cs231n": top, "cs231n.classifiers": classifiers})
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "cs231n" or n.startswith("cs231n.")]:
            del sys.modules[name]
        sys.modules.update(aside)
