"""The `lcspec` command: judge implementations, read the clauses, name the version.

    lcspec check IMPL [IMPL ...] [options] [-- PYTEST-ARGS]
    lcspec grade REPORT-DIR [--rubric FILE] [--csv FILE] [--gradescope PATH]
    lcspec clauses [ID ...] [--function NAME] [--level core|strict]
    lcspec --version

`check` with one implementation runs the laws in this process through pytest and the plugin
(lcspec/plugin.py), exactly as `pytest tests --impl=IMPL` does in a checkout: the same report, JSON
and exit status; it prints a progress bar and lcspec's report, pytest's own output only with -v or
pytest arguments after `--`. A CS231n folder's variants (naive, vectorized) are judged at once, each in
a process of its own, where there are cores for them, and reported as one run. With several (or with
--grades), each is judged in a process of its own, as many at a time as the machine has cores, with
its JSON, JUnit XML and log in a report folder that holds that run only (a manifest names each
submission and its files), and a table at the end. `grade` (or `check --grades`) turns a report folder into a grade sheet (lcspec/grading.py).

Exit status: 0 every implementation conforms at the selected level, 1 one fails, 2 one could not be
judged (it cannot be loaded, provides nothing of the contract, a file named is missing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import lcspec
from lcspec.grading import BATCH_SCHEMA, MANIFEST
from lcspec.harness.clauses import LEVELS, chapters, clauses, spec_version, within
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
        "to a .py file, module:attribute, cs231n:PATH (a CS231n assignment's file, module or folder; "
        "cs231n:'FOLDER/*' stands for every folder that matches), or "
        "cmd:COMMAND (a program in any language that speaks spec/protocol.md). Each runs in a supervised process "
        "of its own.",
        epilog="Arguments after -- go to pytest as they are (e.g. -- -x -k softmax).")
    check.add_argument("impls", nargs="+", metavar="IMPL")
    add_shared(check.add_argument)
    check.add_argument("--json", metavar="PATH", help="write the JSON report here (one implementation)")
    check.add_argument("--junit", metavar="PATH", help="write JUnit XML here (one implementation)")
    check.add_argument("--report-dir", metavar="DIR", default=None,
                       help="a new or empty folder for this run's reports: each implementation's JSON, JUnit XML "
                       "and log, and a manifest (with several implementations, or one and this option; default: a "
                       "fresh folder under lcspec-reports/)")
    check.add_argument("--grades", metavar="FILE", help="also grade the batch: the CSV grade sheet here, and "
                       "Gradescope's results.json per submission in the report folder's gradescope/")
    check.add_argument("--rubric", metavar="FILE", help="with --grades: points per function (lcspec/grading.py; "
                       "default one point per function provided)")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="pytest's own output (its progress, tracebacks, Hypothesis's notes) around the report")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="several implementations: how many to judge at once (default: the number of cores, "
                       "%(default)s)")
    check.add_argument("--profile", default=None, metavar="NAME",
                       help="Hypothesis profile: ci (the default: derandomized, 60 examples per law), thorough "
                       "(600, a fresh seed each run), docs (10)")

    grading = commands.add_parser(
        "grade", help="a grade sheet from a report folder of `lcspec check A B ...`",
        description="Grade the submissions of a report folder: a CSV with one row per submission and one column per "
        "function, and Gradescope's autograder results.json per submission, with the reason for every point lost.")
    grading.add_argument("folder", metavar="REPORT-DIR")
    grading.add_argument("--rubric", metavar="FILE", help="points per function (default: one per function provided)")
    grading.add_argument("--csv", metavar="FILE", help="the grade sheet (default REPORT-DIR/grades.csv)")
    grading.add_argument("--gradescope", metavar="PATH", help="a folder for each submission's results.json "
                         "(default REPORT-DIR/gradescope/), or the results.json itself for a folder of one submission")

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
    if args.command == "grade":
        return grade(args)
    if args.rubric and not args.grades:
        print("lcspec: --rubric goes with --grades (or `lcspec grade REPORT-DIR --rubric FILE`)", file=sys.stderr)
        return USAGE_ERROR
    args.impls = [each for impl in args.impls for each in expanded(impl)]
    if len(args.impls) == 1 and not (args.grades or args.report_dir):  # a report folder: the batch's way
        return check_one(args.impls[0], args, extra)
    if args.json or args.junit:
        print("lcspec: --json and --junit name one file: with several implementations, use --report-dir", file=sys.stderr)
        return USAGE_ERROR
    return check_many(args, extra)


# ---------------------------------------------------------------------- check
def expanded(impl: str) -> list[str]:
    """`cs231n:PATTERN` with a wildcard stands for every folder PATTERN matches, in order, where it names none
    itself: a shell leaves `cs231n:submissions/*` as it is (no file's name starts with `cs231n:`), and a quoted one
    works in any shell. Anything else, and a pattern that matches no folder, is left as it is (and judged, or said
    to be missing, as such).

    >>> expanded("cs231n:/nonexistent-folder/*")
    ['cs231n:/nonexistent-folder/*']
    """
    prefix, _, pattern = impl.partition(":")
    if prefix != "cs231n" or not any(c in pattern for c in "*?[") or Path(pattern).exists():
        return [impl]
    import glob

    folders = sorted(p for p in glob.glob(os.path.expanduser(pattern)) if Path(p).is_dir())
    return [f"cs231n:{folder}" for folder in folders] or [impl]


def pytest_arguments(impl: str, args, json_path: str | None, junit_path: str | None, quiet: bool = False) -> list[str]:
    """The pytest command line that judges `impl`: the installed laws, the plugin, and nothing of the working
    directory's own pytest configuration (its ini file, conftest.py files, cache). `quiet`: without pytest's
    terminal reporter, so the run prints lcspec's progress bar and report only (lcspec/harness/progress.py)."""
    from lcspec.harness.laws import LAWS, law_files

    command = [*map(str, law_files()), "-p", "lcspec.plugin", "-c", os.devnull, "--rootdir", str(LAWS.parent),
               "--confcutdir", str(LAWS), "-p", "no:cacheprovider", f"--impl={impl}", *hand_on(args)]
    if json_path:
        command.append(f"--conformance-json={Path(json_path).resolve()}")
    if junit_path:  # made from the verdict (lcspec/harness/reports.py): a load error and an interruption get one too
        command.append(f"--conformance-junit={Path(junit_path).resolve()}")
    if quiet:
        command += ["-p", "no:terminal"]
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
    quiet = not (args.verbose or extra)
    variants = _variants_to_split(impl, args) if quiet else []
    if len(variants) > 1:
        return check_variants_apart(impl, variants, args)
    with tempfile.TemporaryDirectory(prefix="lcspec-") as scratch:
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(scratch, "hypothesis"))
        import pytest

        return int(pytest.main([*pytest_arguments(impl, args, args.json, args.junit, quiet), "-p",
                                "_hypothesis_pytestplugin", *extra]))


def _check_command(impl: str, args, *flags: str) -> list[str]:
    """`lcspec check impl` with `flags` and this run's shared options and profile, for a process of its own
    (-I: the working directory and PYTHONPATH never shadow lcspec's own modules)."""
    return [sys.executable, "-I", "-m", "lcspec", "check", impl, *flags, *hand_on(args),
            *[f"--profile={args.profile}"] * bool(args.profile)]


def _variants_to_split(impl: str, args) -> list[str]:
    """The variants of a CS231n assignment to judge at once, each in a process of its own: none where there is one
    core, one variant is asked for (--variant), the implementation runs in this process (--in-process), or the
    assignment's server cannot even start (the in-process run then reports why, as it always has)."""
    if not impl.startswith("cs231n:") or args.jobs < 2 or args.variant or args.in_process:
        return []
    from lcspec.harness.isolation import variants_of
    from lcspec.harness.loading import LoadError
    from lcspec.plugin import sandbox_of
    from lcspec.protocol.sandbox import SandboxUnavailable

    try:
        sandbox, _ = sandbox_of(impl, args.sandbox, args.memory_limit)
        return variants_of(impl, args.call_timeout, int(args.memory_limit * 2**30) or None, sandbox)
    except (LoadError, SandboxUnavailable):
        return []


def check_variants_apart(impl: str, variants: list[str], args) -> int:
    """Judge each variant of a CS231n assignment in a process of its own, at once (a folder's two variants are
    independent: on two cores its verdict comes in the time of the slower one), and report them as one run: the
    same report, JSON and JUnit, made by :func:`lcspec.harness.verdict.combined` from the parts' JSON."""
    from lcspec.harness import render
    from lcspec.harness.progress import LINE
    from lcspec.harness.reports import write_reports
    from lcspec.harness.verdict import combined

    for path in (args.json, args.junit):  # never a stale report: written anew at the end, whatever happens
        if path:
            Path(path).unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"lcspec: judging {impl}: its variants {', '.join(variants)} at once, each in a process of its own",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="lcspec-variants-") as scratch:
        parts = {}
        bars = sys.stderr.isatty()  # each part draws its progress bar on a line of its own; else its log has all
        for line, variant in enumerate(variants):
            json_path, log = Path(scratch) / f"{variant}.json", Path(scratch) / f"{variant}.log"
            command = _check_command(impl, args, f"--variant={variant}", "--jobs=1", f"--json={json_path}")
            with open(log, "w") as sink:
                parts[variant] = (subprocess.Popen(command, stdout=sink, stderr=None if bars else subprocess.STDOUT,
                                                   env=dict(os.environ, **{LINE: str(line)})), json_path, log)

        def stop(signum, frame):
            raise KeyboardInterrupt(signal.Signals(signum).name)

        for number in (signal.SIGTERM, signal.SIGHUP):  # a cancelled CI job: the parts stop too, with a report
            signal.signal(number, stop)
        try:
            statuses = {variant: process.wait() for variant, (process, _, _) in parts.items()}
        except KeyboardInterrupt:  # each part ends with its report (the plugin's SIGTERM handler), then this one
            for process, _, _ in parts.values():
                process.terminate()
            statuses = {variant: process.wait() for variant, (process, _, _) in parts.items()}
        reports = {}
        for variant, (_, json_path, log) in parts.items():
            reports[variant] = (json.loads(json_path.read_text()) if json_path.is_file()
                                else _no_report(f"the judge of the {variant} variant", statuses[variant], log))
    failed = next((r for r in reports.values() if "error" in r), None)
    data = failed or combined([reports[v] for v in variants], time.perf_counter() - started)
    write_reports(data, args.json, args.junit)
    if failed:
        print(f"lcspec: {failed['error']}", file=sys.stderr)
        return USAGE_ERROR
    render.print_report(data)
    return max(statuses.values())


def _stem(index: int, impl: str) -> str:
    """A file name for the reports of the index-th implementation: its spec, made safe."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", impl.removeprefix("cs231n:")).strip("._") or "impl"
    return f"{index:02d}-{name[-60:]}"


def _judge_apart(impl: str, stem: str, args, extra: list[str], out: Path, cores: int) -> dict:
    """Judge `impl` in a process of its own, which may use `cores` (a folder's variants at once); its report and
    log land in `out`."""
    report, junit, log = out / f"{stem}.json", out / f"{stem}.xml", out / f"{stem}.log"
    command = _check_command(impl, args, f"--json={report}", f"--junit={junit}", f"--jobs={cores}")
    command += ["--verbose"] * args.verbose
    command += ["--", *extra] if extra else []
    started = time.perf_counter()
    with open(log, "w") as sink:
        status = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, env=os.environ).returncode
    data = json.loads(report.read_text()) if report.is_file() else {"exit_ok": False, "error": "no report written"}
    return {"impl": impl, "exit": status, "seconds": time.perf_counter() - started, "data": data, "log": str(log)}


def _row(result: dict) -> dict:
    """A line of the batch's table: the verdict at each level (a level above the judged one says "not met", as
    information), the exit status, and what fails at the level judged, or the whole error."""
    data = result["data"]
    entries = data.get("implementations", [])
    level = data.get("level", "core")

    def at(lv):
        if "error" in data:
            return "error"
        if data.get("stopped"):
            return "stopped"
        said = overall([e["verdicts"][lv] for e in entries])  # the variants' verdicts, as a function's are combined
        return "not met" if said == "fails" and not within(lv, level) else said

    fails = sorted({f"{f.get('name', n)}: {c}" for e in entries for n, f in e["functions"].items()
                    for c in f.get("found", {}).get(level, [])})
    why = data["error"] if "error" in data else f"stopped: {data['stopped']}" if data.get("stopped") else "; ".join(fails)
    return {"impl": result["impl"], "core": at("core"), "strict": at("strict"), "exit": result["exit"],
            "seconds": result["seconds"], "fails": why}


def _same_submission(impl: str) -> str:
    """What `impl` names, whatever way it is written: a path resolved (cs231n:A/ and cs231n:./A are one)."""
    prefix = "cs231n:" if impl.startswith("cs231n:") else ""
    target = impl[len(prefix):]
    return prefix + str(Path(target).resolve()) if not impl.startswith("cmd:") and Path(target).exists() else impl


def _fresh_folder(asked: str | None) -> Path | str:
    """The run's report folder: `asked` if it is new or empty (else a sentence saying why not), or a fresh one
    under lcspec-reports/ named for the time."""
    if asked:
        out = Path(asked)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            return (f"--report-dir {asked} is not empty: a report folder holds one run, and this one would mix "
                    "with or overwrite it; name a new folder (or leave out --report-dir for a fresh one)")
        out.mkdir(parents=True, exist_ok=True)
        return out
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        out = Path("lcspec-reports") / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            out.mkdir(parents=True)
            return out
        except FileExistsError:
            continue
    return "lcspec-reports/ has no free folder name for this run"


def _no_report(judge: str, status: int, log: Path) -> dict:
    """The error report of a judge that stopped with exit `status` and wrote none: its status and its log's last line."""
    from lcspec.harness.reports import error_report

    last = next((line for line in reversed(log.read_text(errors="replace").splitlines()) if line.strip()), "") \
        if log.is_file() else ""
    return error_report(f"{judge} stopped with exit status {status} and wrote no report"
                        + (f"; its log ends: {last.strip()}" if last else ""))


def _settle(result: dict, stem: str, out: Path) -> dict:
    """A submission whose judge wrote no report (killed, or stopped before it could): write its report now, as
    an error naming the exit status and the log's last line, so every submission has its JSON and JUnit."""
    from lcspec.harness.reports import write_reports

    if (out / f"{stem}.json").is_file():
        return result
    data = _no_report("the judge", result["exit"], Path(result["log"]))
    write_reports(data, out / f"{stem}.json", out / f"{stem}.xml")
    return dict(result, data=data)


def check_many(args, extra: list[str]) -> int:
    from lcspec.harness.profiles import DEFAULT as DEFAULT_PROFILE
    from lcspec.harness.reports import write_atomically
    from lcspec.harness.render import table

    out = _fresh_folder(args.report_dir)
    if isinstance(out, str):
        print(f"lcspec: {out}", file=sys.stderr)
        return USAGE_ERROR
    jobs: dict[str, str] = {}  # impl -> stem, each submission once
    seen: dict[str, str] = {}
    for impl in args.impls:
        same = seen.setdefault(_same_submission(impl), impl)
        if same != impl:
            print(f"lcspec: {impl} names the same submission as {same}: judged once")
            continue
        jobs[impl] = _stem(len(jobs) + 1, impl)
    print(f"{version_text()}: judging {len(jobs)} implementation{'s' * (len(jobs) != 1)}, {args.jobs} at a time; "
          f"reports in {out}/")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        cores = max(1, args.jobs // max(1, min(args.jobs, len(jobs))))  # the cores no other submission is using
        futures = {pool.submit(_judge_apart, impl, stem, args, extra, out, cores): impl for impl, stem in jobs.items()}
        for future in concurrent.futures.as_completed(futures):
            impl = futures[future]
            result = results[impl] = _settle(future.result(), jobs[impl], out)
            row = _row(result)
            print(f"  done: {row['impl']} (core {row['core']}, strict {row['strict']}, exit {row['exit']}, "
                  f"{row['seconds']:.0f} s)", flush=True)
    manifest = {"schema": BATCH_SCHEMA, "lcspec": lcspec.__version__, "spec_version": spec_version(),
                "started": started, "level": args.level or "core", "profile": args.profile or DEFAULT_PROFILE,
                "submissions": [{"impl": impl, "name": stem, "json": f"{stem}.json", "junit": f"{stem}.xml",
                                 "log": f"{stem}.log", "exit": results[impl]["exit"],
                                 "seconds": round(results[impl]["seconds"], 1),
                                 "status": results[impl]["data"].get("status", "error")} for impl, stem in jobs.items()]}
    write_atomically(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    rows = [_row(results[impl]) for impl in jobs]
    print()
    print("\n".join(table(rows)))
    statuses = [r["exit"] for r in rows]
    worst = USAGE_ERROR if USAGE_ERROR in statuses else 1 if any(statuses) else 0
    if args.grades:
        done = _grade_folder(out, args.rubric, args.grades, None)
        worst = done if done else worst
    return worst


# ---------------------------------------------------------------------- grade
def _grade_folder(folder, rubric_path, csv_path, gradescope_path) -> int:
    from lcspec.grading import RubricError, grade_folder, load_rubric

    try:
        rubric = load_rubric(rubric_path) if rubric_path else None
        single = gradescope_path and str(gradescope_path).endswith(".json")
        sheet, rubric = grade_folder(folder, rubric, csv_path, None if single else gradescope_path,
                                     results_json=gradescope_path if single else None)
    except RubricError as exc:
        print(f"lcspec: {exc}", file=sys.stderr)
        return USAGE_ERROR
    total = sum(rubric["points"].values())
    print(f"\ngrades ({len(rubric['points'])} functions, {total:g} points): {csv_path or Path(folder) / 'grades.csv'}; "
          f"Gradescope results: {gradescope_path or Path(folder) / 'gradescope'}")
    return 0


def grade(args) -> int:
    """`lcspec grade REPORT-DIR`: the grade sheet and Gradescope results of a report folder (lcspec/grading.py)."""
    return _grade_folder(args.folder, args.rubric, args.csv, args.gradescope)


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
