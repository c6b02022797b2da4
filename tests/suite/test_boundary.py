"""The process boundary, drawn in code: what runs in the child (the protocol, the loaders) imports nothing of the
judge (pytest, Hypothesis, the guard, the session, the verdict), so the child is small and no arrow runs back up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lcspec
from tests.suite.runs import ROOT

PACKAGE = Path(lcspec.__file__).resolve().parent
CHILD_SIDE = [PACKAGE / "protocol", PACKAGE / "harness" / "loading"]
ALLOWED = ("lcspec.protocol", "lcspec.harness.loading", "lcspec.reference", "lcspec.timelimit")
JUDGE_ONLY = ("pytest", "_pytest", "hypothesis")


def _imports(path: Path) -> set[str]:
    """The modules a file imports, relative imports resolved against its package."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(p for p in (base, node.module) if p)
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names if node.module is None}
    return {name.removesuffix(".__init__") for name in found}


def test_no_import_runs_from_the_child_side_into_the_judge():
    wrong = {}
    for folder in CHILD_SIDE:
        for path in folder.rglob("*.py"):
            for name in _imports(path):
                judge = name.startswith("lcspec.") and not name.startswith(ALLOWED) and name != "lcspec.harness"
                if judge or name.split(".")[0] in JUDGE_ONLY:
                    wrong.setdefault(str(path.relative_to(PACKAGE)), []).append(name)
    assert not wrong, f"the child side imports the judge: {wrong}"


def test_the_child_never_imports_pytest_or_hypothesis_even_loading_an_assignment():
    fixture = ROOT / "tests" / "suite" / "fixtures" / "cs231n_assignment"
    probe = ("import sys\nfrom lcspec.protocol import pyserver\nfrom lcspec.harness.loading import served\n"
             f"served.load('cs231n:{fixture}', 'vectorized')\n"
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', 'hypothesis') "
             "or m.startswith(('lcspec.harness.guard', 'lcspec.harness.session', 'lcspec.harness.verdict')))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"the child imported the judge's modules: {done.stdout}"
