"""How long an instructor waits: a correct CS231n folder's verdict, a broken one's first failure, a class, and
the reference's whole run, each through `lcspec check` as a user runs it (the sandbox as it comes: auto).

Targets (issue "Grade a class"), printed as ratios and never asserted: a correct folder in 10 s, a broken
folder's first failure in 5 s, a class of 100 folders in 10 minutes on two cores, the reference in 15 s.
A class is measured on `CLASS` copies of the example (half of them broken) judged two at a time, twice: from an
empty example cache, as the first folders of a class are judged, and again with the cache that run left, as every
later folder is. A class of 100 is projected as the first run plus (100 - CLASS)/CLASS of the second; projecting
the first alone would count the first folders' drawing 100/CLASS times over.

Every run has an example cache of its own, fresh where a figure says "first" (lcspec/harness/examples.py): the
first folder judged on a machine draws every law's examples; every later one (a student's rerun, the rest of a
class, a Gradescope image whose setup judged one folder) replays them. The class starts with an empty cache.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .results import Figure

EXAMPLE = Path(__file__).resolve().parents[1] / "tests" / "suite" / "fixtures" / "cs231n_assignment"
BROKEN_EDIT = ("loss /= num_train", "loss /= 1")  # the svm loss not divided by N: a mistake students make
CLASS = {"quick": 4, "full": 12}
TARGETS = {"correct": 10.0, "first_failure": 5.0, "class_of_100": 600.0, "reference": 15.0}


def _folder(where: Path, name: str, broken: bool) -> Path:
    folder = where / name
    shutil.copytree(EXAMPLE, folder)
    if broken:
        svm = folder / "cs231n" / "classifiers" / "linear_svm.py"
        svm.write_text(svm.read_text().replace(*BROKEN_EDIT, 1))
    return folder


def _timed(*arguments: str, cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lcspec", "check", *arguments], cwd=cwd, capture_output=True,
                          text=True)
    return time.perf_counter() - start, (done.stdout.strip().splitlines() or ["(no output)"])[-1]


def run(quick: bool, progress) -> tuple[list[Figure], list[str]]:
    if not EXAMPLE.is_dir():  # tests/suite is not installed: an installed lcspec has no example folder to copy
        raise SystemExit(f"lcspec.bench.grading copies the example folder {EXAMPLE}, which only a checkout of lcspec "
                         "has (git clone it, then pip install -e '.[bench]' there)")
    size = CLASS["quick" if quick else "full"]
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        correct, broken = _folder(where, "correct", False), _folder(where, "broken", True)
        cache = f"--example-cache={where / 'cache'}"
        progress("grading: a correct CS231n folder, the first on this machine (an empty example cache)")
        seconds_first, said_first = _timed(f"cs231n:{correct}", cache, cwd=where)
        progress("grading: the same folder again (its examples cached)")
        seconds_correct, said_correct = _timed(f"cs231n:{correct}", cache, cwd=where)
        progress("grading: a broken folder's first failure (-x)")
        seconds_broken, said_broken = _timed(f"cs231n:{broken}", cache, "--", "-x", cwd=where)
        progress(f"grading: a class of {size} folders, two at a time, from an empty example cache")
        folders = [_folder(where, f"student{i:03d}", i % 2 == 1) for i in range(size)]
        seconds_class, said_class = _timed(*(f"cs231n:{f}" for f in folders), "--jobs=2",
                                           f"--report-dir={where / 'reports'}",
                                           f"--example-cache={where / 'class-cache'}", cwd=where)
        progress(f"grading: the same {size} folders again, from the example cache the class left")
        seconds_class_warm, said_class_warm = _timed(*(f"cs231n:{f}" for f in folders), "--jobs=2",
                                                     f"--report-dir={where / 'reports-again'}",
                                                     f"--example-cache={where / 'class-cache'}", cwd=where)
        reference_cache = f"--example-cache={where / 'reference-cache'}"
        progress("grading: the reference's whole run, the first (an empty example cache)")
        seconds_reference_first, said_reference = _timed("reference", reference_cache, cwd=where)
        progress("grading: the reference's whole run again (its examples cached)")
        seconds_reference, said_reference_again = _timed("reference", reference_cache, cwd=where)
    projected = seconds_class + seconds_class_warm * (100 - size) / size
    figures = [
        Figure("grading.correct_folder_first.seconds", seconds_first, "s",
               "lcspec check cs231n:FOLDER, the bundled example, with an empty example cache"),
        Figure("grading.correct_folder.seconds", seconds_correct, "s", "the same, its examples cached"),
        Figure("grading.correct_folder.ratio", seconds_correct / TARGETS["correct"], "x", "of the 10 s target (cached)"),
        Figure("grading.first_failure.seconds", seconds_broken, "s", "lcspec check cs231n:FOLDER -- -x, svm loss not / N"),
        Figure("grading.first_failure.ratio", seconds_broken / TARGETS["first_failure"], "x", "of the 5 s target"),
        Figure("grading.class.seconds", seconds_class, "s", f"{size} folders, half broken, --jobs=2, an empty cache"),
        Figure("grading.class_warm.seconds", seconds_class_warm, "s", f"the same {size} folders, the cache warm"),
        Figure("grading.class_of_100.seconds", projected, "s",
               f"projected: the {size} from an empty cache, then {100 - size} at the warm rate"),
        Figure("grading.class_of_100.ratio", projected / TARGETS["class_of_100"], "x", "of the 10 minute target"),
        Figure("grading.reference_first.seconds", seconds_reference_first, "s",
               "lcspec check reference (every law), with an empty example cache"),
        Figure("grading.reference.seconds", seconds_reference, "s", "the same, its examples cached"),
        Figure("grading.reference.ratio", seconds_reference / TARGETS["reference"], "x", "of the 15 s target (cached)"),
    ]
    notes = [f"correct folder, first: {said_first}", f"correct folder, cached: {said_correct}",
             f"broken folder: {said_broken}", f"class: {said_class}", f"class, cache warm: {said_class_warm}",
             f"reference, first: {said_reference}",
             f"reference, cached: {said_reference_again}"]
    return figures, notes


if __name__ == "__main__":  # python -m lcspec.bench.grading [--quick]: this part alone
    started = time.perf_counter()
    found, said = run("--quick" in sys.argv, lambda message: print(f"[{time.perf_counter() - started:6.1f} s] {message}"))
    for figure in found:
        print(f"{figure.name}: {figure.value:.3g} {figure.unit} ({figure.compared_to})")
    for note in said:
        print("note:", note)
