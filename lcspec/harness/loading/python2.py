"""Python 2 in code under test: recognised when the code is loaded and named in one line.

CS231n's assignment code was written for Python 2 and then ported with the `future` package, so its
files begin with `from past.builtins import xrange`. Students' copies keep that line, and older
copies are Python 2 throughout (print statements, `except E, e`, `xrange` with no import). The
suite runs on Python 3, so it deals with these when it loads the code:

* `hint(source, error)` names the Python 2 idiom on the line of a SyntaxError and its Python 3
  form ("print x -> print(x)"), or returns None when the line shows no Python 2 idiom;
* `undefined_builtins(source, namespace)` finds names of Python 2 builtins (`xrange`, `raw_input`,
  ...) that the code uses but neither binds nor imports. A file that calls `xrange` only inside
  its functions imports without error and would then fail on every call with the same NameError;
* `PastStandIn` stands in for the `future` package's `past.builtins` while a file is loaded, when
  `future` is not installed. It provides `xrange` (as Python 3's `range`) and nothing else: that
  is all CS231n code takes from `past`. Any other import from `past` still fails, and the loading
  error then says to `pip install future`.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.util
import re
import sys

REPLACEMENTS = {
    "xrange": "range",
    "raw_input": "input",
    "unicode": "str",
    "basestring": "str",
    "long": "int",
    "unichr": "chr",
    "reduce": "functools.reduce",
    "execfile": "exec(open(path).read())",
    "cmp": "(a > b) - (a < b)",
    "file": "open",
}
"""Python 2 builtins that Python 3 does not define, with what to write instead."""

IDIOMS = (
    (re.compile(r"^\s*print\s*>>"), "print >>f, x -> print(x, file=f)"),
    (re.compile(r"^\s*print\b(?!\s*[(=.\[])"), "print x -> print(x)"),
    (re.compile(r"\bexcept\b[^:#]*,\s*\w+\s*:"), "except E, e: -> except E as e:"),
    (re.compile(r"^\s*raise\s+[\w.]+\s*,"), "raise E, message -> raise E(message)"),
    (re.compile(r"^\s*exec\b(?!\s*\()"), "exec code -> exec(code)"),
    (re.compile(r"`[^`]+`"), "`x` -> repr(x)"),
    (re.compile(r"<>"), "a <> b -> a != b"),
    (re.compile(r"\b\d+[lL]\b"), "10L -> 10"),
    (re.compile(r"(?<![\w.])0\d+\b"), "0777 -> 0o777"),
    (re.compile(r"\b[uU][rR]['\"]"), "ur'...' -> r'...'"),
    (re.compile(r"\blambda\s*\("), "lambda (a, b): ... -> lambda a, b: ..."),
)
"""Python 2 syntax, recognised on the line of a SyntaxError, with its Python 3 form."""


def hint(source: str, error: SyntaxError) -> str | None:
    """The Python 2 idiom on the SyntaxError's line, as "old -> new", or None if the line shows none."""
    if isinstance(error, TabError):
        return "indent with spaces only (Python 3 refuses a mix of tabs and spaces)"
    if "Missing parentheses in call to 'print'" in str(error.msg):
        return "print x -> print(x)"
    lines = source.splitlines()
    line = lines[error.lineno - 1] if error.lineno and 0 < error.lineno <= len(lines) else error.text or ""
    return next((fix for pattern, fix in IDIOMS if pattern.search(line)), None)


def _bound(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere: assigned, defined, imported, a parameter, a global."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def undefined_builtins(source: str, namespace: dict) -> list[tuple[str, int]]:
    """(name, line) of each Python 2 builtin the code uses that it does not bind and `namespace` lacks.

    `namespace` is the loaded module's: a name brought in by `from ... import *` counts as defined.
    """
    tree = ast.parse(source)
    bound = _bound(tree)
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in REPLACEMENTS
                and node.id not in bound and node.id not in namespace):
            found[node.id] = min(found.get(node.id, node.lineno), node.lineno)
    return sorted(found.items(), key=lambda item: item[1])


class PastStandIn(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """While installed (`with PastStandIn() as stand_in:`), `past.builtins` is found even without `future`.

    It is the last finder on `sys.meta_path`, so an installed `future` always wins. On leaving, the
    finder and the modules it made are removed again; `used` says whether any code imported them.
    """

    NAMES = ("past", "past.builtins")

    def __init__(self):
        self.used = False

    def __enter__(self) -> "PastStandIn":
        sys.meta_path.append(self)
        return self

    def __exit__(self, *exc) -> None:
        sys.meta_path.remove(self)
        for name in self.NAMES:
            module = sys.modules.get(name)
            if module is not None and getattr(module.__spec__, "loader", None) is self:
                del sys.modules[name]

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.NAMES:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=fullname == "past")

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        if module.__name__ == "past.builtins":
            module.xrange = range
            self.used = True


REPRODUCTION_STAND_IN = [
    "    # your files import past.builtins.xrange and the `future` package is not installed: stand in for it",
    "    import sys, types; sys.modules['past'] = types.ModuleType('past')",
    "    sys.modules['past.builtins'] = types.SimpleNamespace(xrange=range)"]
"""The lines a reproduction starts with where the student's files got the stand-in (`stand_in` in its entry)."""
