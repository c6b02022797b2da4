"""MkDocs hook: measured figures: learning on real data, and the benchmarks.

Learning (the optimisation chapter): `lcspec.bench.learn` runs at build time with its fixed seeds (about
15 s, learning_run.py), so the strategy table and the step-size sweep, placed at their markers in
the chapter's text, are always those of the code being documented (pictures.py draws its plots). Benchmarks (the performance page) depend on the machine and take minutes, so the page
shows the last `python -m lcspec.bench.run` recorded in bench/results.json, with its date and machine.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]  # the checkout the site is built from

import learning_run, markers  # a sibling hook module: MkDocs loads hooks with their folder on sys.path
from spec_pages import page_uri

RESULTS = ROOT / "bench" / "results.json"
PERFORMANCE_PAGE = "performance.md"
MARKER = "<!-- benchmark results -->"
# In the optimisation chapter's text: where the learning run's two tables go.
STRATEGIES_MARKER = "<!-- learning: strategies -->"
STEP_SIZES_MARKER = "<!-- learning: step sizes -->"


def on_config(config):
    learning_run.reset()  # `mkdocs serve`: each rebuild reruns the learning on the code as it now is
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == page_uri("optimization"):
        for marker in (STRATEGIES_MARKER, STEP_SIZES_MARKER):
            if marker not in markdown:
                raise ValueError(f"the optimisation chapter must contain {marker!r} where the table goes")
        return markdown.replace(STRATEGIES_MARKER, strategies_table()).replace(STEP_SIZES_MARKER, step_sizes_table())
    if page.file.src_uri == PERFORMANCE_PAGE:
        if MARKER not in markdown:
            raise ValueError(f"{PERFORMANCE_PAGE} must contain {MARKER!r} where the figures go")
        return markers.fill(markdown, MARKER, benchmark_section(), PERFORMANCE_PAGE)
    return markdown


def how() -> str:
    data = learning_run.summary()["data"]
    n = data["train"]
    return (f"scikit-learn's 8×8 digits, split {n}/{data['val']}/{data['test']} with seed {data['seed']}, "
            f"mean-centred with the training mean, bias trick; $\\lambda = {data['reg']:g}$; every strategy "
            f"gets {learning_run.BUDGET} full evaluations of the training loss, counted in examples (a mini-batch "
            f"of {data['batch_size']} costs {data['batch_size']}). Computed when this page was built, by "
            "`python -m lcspec.bench.learn`.")


def strategies_table() -> str:
    rows = ["| loss | strategy | picked on validation | training loss | test accuracy |", "|---|---|---|---:|---:|"]
    for key, row in learning_run.summary()["strategies"].items():
        loss_name, strategy = key.split("/")
        rows.append(f"| {loss_name} | `{strategy}` | {row['hyperparameter']} = {row['value']:g} | "
                    f"{row['train_loss']:.4f} | {row['test_accuracy']:.3f} |")
    return ("**The same comparison on real data**, run with the reference functions when this page was built: "
            + how() + "\n\n" + "\n".join(rows))


def step_sizes_table() -> str:
    sweep = learning_run.summary()["step_size_sweep"]
    steps = ["| step size | SVM loss after one step | softmax loss after one step |", "|---:|---:|---:|",
             f"| (before) | {sweep['svm']['initial_loss']:.4f} | {sweep['softmax']['initial_loss']:.4f} |"]
    for i, lr in enumerate(sweep["step_sizes"]):
        steps.append(f"| {lr:.0e} | {sweep['svm']['loss_after_one_step'][i]:.4f} | "
                     f"{sweep['softmax']['loss_after_one_step'][i]:.4f} |")
    return ('??? note "The same sweep on the digits, computed when this page was built"\n\n'
            + "\n".join("    " + line for line in steps))


def benchmark_section() -> str:
    if not RESULTS.is_file():
        return '!!! note "No benchmark results"\n\n    Run `python -m lcspec.bench.run` to record them in bench/results.json.'
    data = json.loads(RESULTS.read_text())
    machine = ", ".join(f"{k} {v}" for k, v in data["machine"].items())
    out = [f"Recorded {data['date']} ({data['mode']} run) on: {machine}."]
    groups: dict[str, list[dict]] = {}
    for entry in data["results"]:
        groups.setdefault(entry["name"].split(".")[0], []).append(entry)
    for group, entries in groups.items():
        out.append(f"## {group.capitalize()}")
        # What every row of the group is compared with is said once, above the table; the column keeps the rest.
        shared, rest = common_parts([e["compared_to"] for e in entries])
        if shared:
            out.append(f"All compared to: {shared}.".replace("|", "\\|"))
        # A measure whose every row is compared with the same thing says it once, below the table.
        said, rest = measure_parts(entries, rest)
        column = any(rest)
        rows = ["| what | implementation | measure | value |" + (" compared to |" if column else ""),
                "|---|---|---|---:|" + ("---|" if column else "")]
        for e, compared in zip(entries, rest):  # names are group.subject[.implementation].measure
            _, subject, *by, measure = e["name"].split(".")
            cells = [f"`{subject}`", " ".join(by), measure.replace("_", " "), value(e)]
            cells += [compared.replace("|", "\\|")] if column else []  # a | in a cell would end it
            rows.append("| " + " | ".join(cells) + " |")
        out.append("\n".join(rows))
        if said:
            out.append("Each measure compared with: " + "; ".join(
                f"**{m.replace('_', ' ')}**, {text}".replace("|", "\\|") for m, text in said.items()) + ".")
        if any(e["unit"] == "eps" for e in entries):
            out.append(EPS_NOTE)
    return "\n\n".join(p for p in out if p)


def common_parts(texts: list[str]) -> tuple[str, list[str]]:
    """The comma-separated parts at the start of every text (said once), and what is left of each."""
    if len(texts) < 2:
        return "", texts
    split = [[part.strip() for part in text.split(", ")] for text in texts]
    n = 0
    while all(len(s) > n + 1 for s in split) and len({tuple(s[: n + 1]) for s in split}) == 1:
        n += 1
    return ", ".join(split[0][:n]) if n else "", [", ".join(s[n:]) for s in split]


def measure_parts(entries: list[dict], rest: list[str]) -> tuple[dict[str, str], list[str]]:
    """The measures (the name's last part) of two rows or more that are all compared with the same thing, with
    that thing (said once), and what is left of each row's comparison: nothing for those measures."""
    by_measure: dict[str, set[str]] = {}
    count: Counter = Counter()
    for e, compared in zip(entries, rest):
        measure = e["name"].rsplit(".", 1)[1]
        by_measure.setdefault(measure, set()).add(compared)
        count[measure] += 1
    said = {m: next(iter(texts)) for m, texts in by_measure.items() if count[m] > 1 and len(texts) == 1 and all(texts)}
    return said, ["" if e["name"].rsplit(".", 1)[1] in said else compared for e, compared in zip(entries, rest)]


EPSILON = 2.0**-52  # float64's machine epsilon
EPS_NOTE = (
    "An error in **ε** is a multiple of float64's machine epsilon, $\\varepsilon = 2^{-52} \\approx 2.2 \\times "
    "10^{-16}$: a few ε is as accurate as float64 allows. An error of about $4.5 \\times 10^{15}$ ε is "
    "$1/\\varepsilon$, a relative error of 1: the result has no correct digit, typically a log-probability "
    "such as $-10^{-20}$ returned as 0."
)


def value(e: dict) -> str:
    """A measured figure with its unit; an error in ε of a relative error near 1 or above says so."""
    if e["unit"] != "eps":
        return f"{e['value']:.4g} {e['unit']}"
    text = f"{e['value']:.4g} ε"
    if e["value"] * EPSILON >= 0.5:
        text += f" (relative error {e['value'] * EPSILON:.2g}: no correct digit)"
    return text
