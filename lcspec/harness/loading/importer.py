"""Importing the code under test, and saying in one paragraph why it cannot be imported.

`Importer().spec(spec)` imports what `--impl` names: a dotted module, a path to a .py file, or
`module:attribute`; `Importer().file(path)` and `.module(name)` import one file or module. Every
import runs under the stand-in for `past.builtins` (lcspec/harness/loading/python2.py), and a stand-in that was used
is recorded in the importer's `notes`, which the run prints in its header.

A failure is a :class:`LoadError` whose message names the file and the line and says what to change:
a module that is not installed (for `past`, the `future` package), Python 2 code (from the
SyntaxError, or from Python 2 builtins the code uses without defining them, found when the file is
loaded rather than on every call), or whatever else the file's own code raised while it ran.
`nothing_provided` words the error for code that defines none of the names looked for, with the
nearest names it does define (a typo such as `svmloss_vectorized`).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from lcspec.harness.loading import python2


USAGE_ERROR = 2
"""The exit status of a run that could not judge what --impl names (it cannot be loaded, or provides nothing):
a usage error, as command-line tools have it; nothing was judged, so there is no verdict either way."""


class CannotExpress(Exception):
    """A layout has no counterpart for these arguments (Δ = 0 where the margin is scaled away): the call is
    refused, and a judge discards the example rather than fail it. Declared up front wherever it can be."""


class LoadError(Exception):
    """The code under test cannot be loaded; the message says why and what to change, in one paragraph."""


def shown(path) -> str:
    """A path as the user would write it: relative to the working directory when it lies inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _culprit(exc: BaseException) -> tuple[str | None, int | None]:
    """The file and line of the innermost frame of `exc` that is in a real file outside the import machinery."""
    machinery = (Path(__file__).resolve(), Path(importlib.__file__).resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<") and Path(f.filename).resolve() not in machinery]
    return (frames[-1].filename, frames[-1].lineno) if frames else (None, None)


def _source(path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def python2_error(path, line: int, text: str, fix: str) -> LoadError:
    return LoadError(f"{shown(path)} is Python 2 code (line {line}: {text.strip()!r}); the suite runs on "
                     f"Python 3: change {fix}")


def nothing_provided(where: str, owner, wanted) -> LoadError:
    """The error for `owner` (a module or class) defining none of the names in `wanted`."""
    defined = sorted(n for n in dir(owner) if not n.startswith("_") and callable(getattr(owner, n, None)))
    near = []
    for name in wanted:
        near += [m for m in difflib.get_close_matches(name, defined, n=3, cutoff=0.7) if m not in near]
    found = (f"the nearest names it defines: {', '.join(near)}" if near
             else f"it defines {', '.join(defined[:12])}{', ...' if len(defined) > 12 else ''}" if defined
             else "it defines no functions")
    return LoadError(f"{where} provides none of the names looked for ({', '.join(wanted)}); {found}")


class Importer:
    """Imports code under test, remembering which files got the stand-in for `past.builtins`."""

    def __init__(self):
        self.stood_in: list[str] = []  # the files whose `from past.builtins import xrange` got the stand-in

    @property
    def notes(self) -> list[str]:
        """What the run should say about how the code was loaded: the stand-in for past.builtins, if used."""
        if not self.stood_in:
            return []
        return [f"`from past.builtins import xrange` got Python 3's range in {', '.join(self.stood_in)}: the "
                "`future` package is not installed, and lcspec stands in for that one name while loading"]

    def spec(self, spec: str):
        """What `--impl=spec` names: a path to a .py file, a dotted module name, or `module:attribute`."""
        path = Path(spec)
        if spec.endswith(".py") or path.is_file():
            if not path.is_file():
                raise LoadError(f"no such file {spec}")
            return self.file(path)
        if "/" in spec or spec.startswith("."):  # a path, not a module name: it names nothing that exists
            raise LoadError(f"no such file or folder {spec}")
        module_name, _, attribute = spec.partition(":")
        module = self.module(module_name)
        if attribute and not hasattr(module, attribute):
            raise nothing_provided(f"{module_name}", module, [attribute])
        return getattr(module, attribute) if attribute else module

    def file(self, path: Path, name: str | None = None) -> ModuleType:
        """Import the file at `path` as a module named `name` (default lcspec_impl_<stem>); modules beside
        it can be imported by it, as when it is run as a script."""
        path = Path(path)
        name = name or f"lcspec_impl_{path.stem}"
        if str(path.resolve().parent) not in sys.path:
            sys.path.append(str(path.resolve().parent))
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            self._run(module_spec.loader.exec_module, module, what=path)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module

    def module(self, name: str) -> ModuleType:
        """Import the module `name` as Python's import statement would where lcspec was run (`python -m` puts the
        working directory on the path; the `lcspec` command does not, so it is added, after what is installed)."""
        if str(Path.cwd()) not in sys.path and "" not in sys.path:
            sys.path.append(str(Path.cwd()))
        return self._run(importlib.import_module, name, what=name)

    def _run(self, load, argument, what):
        """`load(argument)` under the `past` stand-in, its failures turned into LoadErrors; then the check for
        Python 2 builtins the loaded file uses without defining them. Nothing is written beside the code
        (no __pycache__ in a student's folder)."""
        writes, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        with python2.PastStandIn() as stand_in:
            try:
                result = load(argument)
            except LoadError:
                raise
            except Exception as exc:  # the file's own code failed while it ran
                raise self._explained(exc, what) from None
            finally:
                sys.dont_write_bytecode = writes
        module = result if isinstance(result, ModuleType) else argument
        if stand_in.used:
            self.stood_in.append(Path(getattr(module, "__file__", None) or str(what)).name)
        self.check_python3(module)
        return result

    @staticmethod
    def check_python3(module: ModuleType) -> None:
        """Refuse a loaded module whose code uses Python 2 builtins it does not define (it would fail at every call)."""
        path = getattr(module, "__file__", None)
        if not path or not str(path).endswith(".py"):
            return
        source = _source(path)
        try:
            undefined = python2.undefined_builtins(source, vars(module))
        except SyntaxError:
            return  # it was imported, so Python could parse it
        if undefined:
            name, line = undefined[0]
            text = source.splitlines()[line - 1]
            raise python2_error(path, line, text, f"{name} -> {python2.REPLACEMENTS[name]}")

    @staticmethod
    def _explained(exc: Exception, what) -> LoadError:
        target = shown(what) if isinstance(what, Path) else what
        file, line = _culprit(exc)
        culprit = f"{shown(file)}, line {line}," if file else target
        if isinstance(exc, SyntaxError):
            file, line = exc.filename or file, exc.lineno
            source = _source(file) if file else ""
            fix = python2.hint(source, exc)
            text = (exc.text or "").strip() or (source.splitlines()[line - 1] if line and source else "")
            if fix:
                return python2_error(file, line, text, fix)
            return LoadError(f"importing {target} raised SyntaxError: {exc.msg} ({shown(file) if file else target}, "
                             f"line {line}: {text!r})")
        if isinstance(exc, NameError) and exc.name in python2.REPLACEMENTS:
            text = _source(file).splitlines()[line - 1] if file else exc.name
            return python2_error(file or what, line, text, f"{exc.name} -> {python2.REPLACEMENTS[exc.name]}")
        missing = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        if missing and missing.split(".")[0] == "past":
            return LoadError(f"{culprit} imports from past ({exc}): past.builtins comes from the "
                             "`future` package, `pip install future`; lcspec stands in for `past.builtins.xrange` "
                             "only, and this file wants more")
        if isinstance(exc, ModuleNotFoundError) and file is None:
            return LoadError(f"cannot import {target} ({exc}): --impl takes a dotted module name importable from "
                             "here, a path to a .py file, module:attribute or cs231n:PATH")
        if isinstance(exc, ModuleNotFoundError):
            return LoadError(f"{culprit} imports {exc.name}, which is not installed ({exc}); is its library installed?")
        where = f" ({shown(file)}, line {line})" if file else ""
        return LoadError(f"importing {target} raised {type(exc).__name__}: {exc}{where}")
