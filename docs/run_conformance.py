"""Run the property suite on each implementation of docs/conformance.toml, for the conformance page.

    python docs/run_conformance.py [OUT_DIR]      (default build/conformance)

Writes OUT_DIR/<n>.json per implementation (pytest's --conformance-json, schema in tests/report.py)
and OUT_DIR/skipped.json for those that could not be run and why. An implementation that fails
clauses is a result, not an error; a run that writes no report is an error. Without the conformance
plugin (no --conformance-json option in the suite) it writes nothing, and the page says so.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "docs" / "conformance.toml"


def plugin_available() -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "--help", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout
    return "--conformance-json" in help_text


def why_not(entry: dict) -> str | None:
    if "file" in entry and not (ROOT / entry["file"]).is_file():
        return f"{entry['file']} is not in this checkout"
    if "module" in entry and importlib.util.find_spec(entry["module"]) is None:
        return f"its library `{entry['module']}` is not installed"
    return None


def main(out: Path) -> int:
    if out.exists():
        shutil.rmtree(out)
    if not plugin_available():
        print("run_conformance: the suite has no --conformance-json option yet; nothing to run")
        return 0
    out.mkdir(parents=True)
    skipped = {}
    entries = tomllib.loads(CONFIG.read_text())["implementation"]
    for n, entry in enumerate(entries):
        reason = why_not(entry)
        if reason:
            skipped[entry["impl"]] = reason
            continue
        report = out / f"{n:02d}.json"
        cmd = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
               f"--impl={entry['impl']}", f"--conformance-json={report}"]
        print("run_conformance:", " ".join(cmd[2:]), flush=True)
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if not report.is_file():
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            print(f"run_conformance: {entry['impl']} wrote no report (exit {done.returncode})", file=sys.stderr)
            return 1
    (out / "skipped.json").write_text(json.dumps(skipped, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "conformance"))
