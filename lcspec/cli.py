"""The `lcspec` command: judge implementations, read the clauses, name the version.

    lcspec check IMPL [IMPL ...] [options] [-- PYTEST-ARGS]
    lcspec clauses [ID ...] [--function NAME] [--level core|strict]
    lcspec --version

`check` with one implementation runs the laws in this process through pytest and the plugin
(lcspec/plugin.py), exactly as `pytest tests --impl=IMPL` does in a checkout: the same report, JSON
and exit status. With several, each is judged in a process of its own, as many at a time as the
machine has cores, with its JSON, JUnit XML and log in `--report-dir`, and a table at the end.

Exit status: 0 every implementation conforms at the selected level, 1 one fails, 2 one could not be
judged (it cannot be loaded, provides nothing of the contract, a file named is missing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import lcspec
from lcspec.harness.clauses import LEVELS, chapters, clauses, spec_version
from lcspec.harness.options import add_shared, hand_on
from lcspec.harness.verdict import overall
from lcspec.integrity import changed_files

USAGE_ERROR = 2


def version_text() -> str:
    return f"lcspec {lcspec.__version__} (spec {spec_version()})"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="lcspec", description="lcspec: the linear classifier's spec, and the judge of "
                                  "implementations of it.")
    top.add_argument("--version", action="version", version=version_text())
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="judge one or more implementations against the spec",
        description="Judge implementations against the spec, clause by clause. IMPL is a dotted module name, a path "
        "to a .py file, module:attribute, cs231n:PATH (a CS231n assignment's file, module or folder), or "
        "cmd:COMMAND (a program in any language that speaks spec/protocol.md). Each runs in a supervised process "
        "of its own.",
        epilog="Arguments after -- go to pytest as they are (e.g. -- -x -k softmax).")
    check.add_argument("impls", nargs="+", metavar="IMPL")
    add_shared(check.add_argument)
    check.add_argument("--json", metavar="PATH", help="write the JSON report here (one implementation)")
    check.add_argument("--junit", metavar="PATH", help="write JUnit XML here (one implementation)")
    check.add_argument("--report-dir", metavar="DIR", default="lcspec-reports",
                       help="several implementations: where each one's JSON, JUnit XML and log go (default %(default)s)")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="several implementations: how many to judge at once (default: the number of cores, "
                       "%(default)s)")
    check.add_argument("--profile", default=None, metavar="NAME",
                       help="Hypothesis profile: ci (the default: derandomized, 60 examples per law), thorough "
                       "(600, a fresh seed each run), docs (10)")

    listing = commands.add_parser("clauses", help="list the clauses, or show some in full",
                                  description="List the spec's clauses (ID, level, title, functions), or show the "
                                  "clauses named in full.")
    listing.add_argument("ids", nargs="*", metavar="ID")
    listing.add_argument("--function", metavar="NAME", help="only the clauses that constrain this contract function")
    listing.add_argument("--level", choices=LEVELS, help="only the clauses of this level")
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = parser().parse_args(argv)
    if args.command == "clauses":
        return show_clauses(args)
    if len(args.impls) == 1:
        return check_one(args.impls[0], args, extra)
    if args.json or args.junit:
        print("lcspec: --json and --junit name one file: with several implementations, use --report-dir", file=sys.stderr)
        return USAGE_ERROR
    return check_many(args, extra)


# ---------------------------------------------------------------------- check
def pytest_arguments(impl: str, args, json_path: str | None, junit_path: str | None) -> list[str]:
    """The pytest command line that judges `impl`: the installed laws, the plugin, and nothing of the working
    directory's own pytest configuration (its ini file, conftest.py files, cache)."""
    from lcspec.harness.laws import LAWS, law_files

    command = [*map(str, law_files()), "-p", "lcspec.plugin", "-c", os.devnull, "--rootdir", str(LAWS.parent),
               "--confcutdir", str(LAWS), "-p", "no:cacheprovider", f"--impl={impl}", *hand_on(args)]
    if json_path:
        command.append(f"--conformance-json={Path(json_path).resolve()}")
    if junit_path:
        command.append(f"--junitxml={Path(junit_path).resolve()}")
    if args.profile:
        command.append(f"--hypothesis-profile={args.profile}")
    return command


def check_one(impl: str, args, extra: list[str]) -> int:
    """Judge `impl` in this process. Only the plugins lcspec needs are loaded (not whatever pytest plugins the
    environment has installed: one that reorders or reseeds tests would change the verdict's examples), and
    Hypothesis keeps its files in a temporary folder, so the directory it runs from is left as it was.
    lcspec's own installed files are checked against the distribution's RECORD first."""
    changed = changed_files()
    if changed:
        print("lcspec: refusing to judge: lcspec's installed files are not those pip installed (reinstall lcspec):\n  "
              + "\n  ".join(changed), file=sys.stderr)
        return USAGE_ERROR
    with tempfile.TemporaryDirectory(prefix="lcspec-") as scratch:
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(scratch, "hypothesis"))
        import pytest

        return int(pytest.main([*pytest_arguments(impl, args, args.json, args.junit), "-p", "_hypothesis_pytestplugin",
                                *extra]))


def _stem(index: int, impl: str) -> str:
    """A file name for the reports of the index-th implementation: its spec, made safe."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", impl.removeprefix("cs231n:")).strip("._") or "impl"
    return f"{index:02d}-{name[-60:]}"


def _judge_apart(impl: str, stem: str, args, extra: list[str], out: Path) -> dict:
    """Judge `impl` in a process of its own; its report and log land in `out`."""
    report, junit, log = out / f"{stem}.json", out / f"{stem}.xml", out / f"{stem}.log"
    command = [sys.executable, "-I", "-m", "lcspec", "check", impl, f"--json={report}", f"--junit={junit}", *hand_on(args)]
    command += [f"--profile={args.profile}"] * bool(args.profile)
    command += ["--", *extra] if extra else []
    started = time.perf_counter()
    with open(log, "w") as sink:
        status = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, env=os.environ).returncode
    data = json.loads(report.read_text()) if report.is_file() else {"exit_ok": False, "error": "no report written"}
    return {"impl": impl, "exit": status, "seconds": time.perf_counter() - started, "data": data, "log": str(log)}


def _row(result: dict) -> dict:
    data = result["data"]
    entries = data.get("implementations", [])

    def at(level):
        if "error" in data:
            return "error"
        return overall([e["verdicts"][level] for e in entries])  # the variants' verdicts, as a function's are combined

    level = data.get("level", "core")
    fails = sorted({c for e in entries for f in e["functions"].values() for c in f.get("found", {}).get(level, [])})
    why = data["error"][:80] if "error" in data else ", ".join(fails)
    return {"impl": result["impl"], "core": at("core"), "strict": at("strict"), "exit": result["exit"],
            "seconds": result["seconds"], "fails": why}


def check_many(args, extra: list[str]) -> int:
    from lcspec.harness.render import table

    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = {impl: _stem(i, impl) for i, impl in enumerate(args.impls, 1)}
    print(f"{version_text()}: judging {len(jobs)} implementations, {args.jobs} at a time; reports in {out}/")
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(_judge_apart, impl, stem, args, extra, out): impl for impl, stem in jobs.items()}
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results[result["impl"]] = result
            row = _row(result)
            print(f"  done: {row['impl']} (core {row['core']}, strict {row['strict']}, exit {row['exit']}, "
                  f"{row['seconds']:.0f} s)", flush=True)
    rows = [_row(results[impl]) for impl in args.impls]
    print()
    print("\n".join(table(rows)))
    statuses = [r["exit"] for r in rows]
    return USAGE_ERROR if USAGE_ERROR in statuses else 1 if any(statuses) else 0


# ---------------------------------------------------------------------- clauses
def show_clauses(args) -> int:
    found = clauses()
    unknown = [i for i in args.ids if i not in found]
    if unknown:
        print(f"lcspec: no clause {', '.join(unknown)} in spec {spec_version()} (lcspec clauses lists them)",
              file=sys.stderr)
        return USAGE_ERROR
    chosen = [found[i] for i in args.ids] if args.ids else list(found.values())
    chosen = [c for c in chosen if (not args.function or args.function in c["functions"])
              and (not args.level or c["level"] == args.level)]
    if args.ids:
        for c in chosen:
            print(f"{c['id']} [{c['level']}] {c['title']}  ({chapters()[c['chapter']]['title']})")
            print(textwrap.indent(textwrap.fill(" ".join(c["text"].split()), 100), "    "))
            print(f"    functions: {', '.join(c['functions']) or '(the reference only)'}\n")
        return 0
    for c in chosen:
        print(f"{c['id']:<12} {c['level']:<7} {c['title']}  [{', '.join(c['functions']) or 'reference only'}]")
    print(f"\n{len(chosen)} clauses of spec {spec_version()}; `lcspec clauses ID` shows one in full.")
    return 0
