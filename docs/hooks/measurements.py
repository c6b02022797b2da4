"""MkDocs hook: measured figures: learning on real data, and the benchmarks.

Learning (the optimisation chapter): `bench.learn` runs at build time with its fixed seeds (about
15 s), so the strategy table, the step-size sweep and the plots are always those of the code being
documented. Benchmarks (the performance page) depend on the machine and take minutes, so the page
shows the last `python bench/run.py` recorded in bench/results.json, with its date and machine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from mkdocs.structure.files import File  # under ProperDocs, mkdocs.* is ProperDocs' own

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import learn  # noqa: E402
from docs.hooks.spec_pages import PROPERTIES_HEADING, page_uri  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
PERFORMANCE_PAGE = "performance.md"
MARKER = "<!-- benchmark results -->"
PLOTS = ("loss_curves.png", "step_sizes.png")
BUDGET = 1000  # full-training-set loss evaluations per strategy run, as `python -m bench.learn`

_summary: dict = {}


def on_files(files, config):
    _summary.clear()
    _summary.update(learn.learn(BUDGET, progress=False))
    with tempfile.TemporaryDirectory() as tmp:
        learn.plot(_summary["strategies"], _summary["step_size_sweep"], _summary["data"]["train"], Path(tmp))
        for name in PLOTS:
            files.append(File.generated(config, f"figures/learning/{name}", content=(Path(tmp) / name).read_bytes()))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == page_uri("optimization"):  # after the pictures, before the properties
        head, heading, properties = markdown.partition("\n" + PROPERTIES_HEADING + "\n")
        return head + "\n" + learning_section() + "\n" + heading + properties
    if page.file.src_uri == PERFORMANCE_PAGE:
        if MARKER not in markdown:
            raise ValueError(f"{PERFORMANCE_PAGE} must contain {MARKER!r} where the figures go")
        return markdown.replace(MARKER, benchmark_section())
    return markdown


def learning_section() -> str:
    data, sweep = _summary["data"], _summary["step_size_sweep"]
    n = data["train"]
    rows = ["| loss | strategy | picked on validation | training loss | test accuracy |", "|---|---|---|---:|---:|"]
    for key, row in _summary["strategies"].items():
        loss_name, strategy = key.split("/")
        rows.append(f"| {loss_name} | `{strategy}` | {row['hyperparameter']} = {row['value']:g} | "
                    f"{row['train_loss']:.4f} | {row['test_accuracy']:.3f} |")
    steps = ["| step size | SVM loss after one step | softmax loss after one step |", "|---:|---:|---:|",
             f"| (before) | {sweep['svm']['initial_loss']:.4f} | {sweep['softmax']['initial_loss']:.4f} |"]
    for i, lr in enumerate(sweep["step_sizes"]):
        steps.append(f"| {lr:.0e} | {sweep['svm']['loss_after_one_step'][i]:.4f} | "
                     f"{sweep['softmax']['loss_after_one_step'][i]:.4f} |")
    how = (f"scikit-learn's 8×8 digits, split {n}/{data['val']}/{data['test']} with seed {data['seed']}, "
           f"mean-centred with the training mean, bias trick; $\\lambda = {data['reg']:g}$; every strategy "
           f"gets {BUDGET} full evaluations of the training loss, counted in examples (a mini-batch of "
           f"{data['batch_size']} costs {data['batch_size']}). Computed when this page was built, by "
           "`python -m bench.learn`.")
    return "\n\n".join([
        "## Learning on real data {#learning-on-real-data}",
        "The notes' headline, reproduced with the reference functions: random search is bad, random "
        "local search is better, following the gradient works. " + how,
        "\n".join(rows),
        "### Loss curves",
        '<figure markdown="span">\n  ![Training loss of each strategy](../figures/learning/loss_curves.png)\n'
        '  <figcaption markdown="span">Training loss against examples evaluated, per strategy, '
        "for the SVM and the softmax loss (log scale).</figcaption>\n</figure>",
        "### One step, many step sizes",
        "The loss after a single full-batch gradient step from the same start: it creeps down for tiny "
        "steps, is lowest at a moderate one, then overshoots and blows up, as in the notes' table.",
        "\n".join(steps),
        '<figure markdown="span">\n  ![Loss after one step against step size](../figures/learning/step_sizes.png)\n'
        '  <figcaption markdown="span">Dotted: the loss before the step.</figcaption>\n</figure>',
    ])


def benchmark_section() -> str:
    if not RESULTS.is_file():
        return '!!! note "No benchmark results"\n\n    Run `python bench/run.py` to record them in bench/results.json.'
    data = json.loads(RESULTS.read_text())
    machine = ", ".join(f"{k} {v}" for k, v in data["machine"].items())
    out = [f"Recorded {data['date']} ({data['mode']} run) on: {machine}."]
    groups: dict[str, list[dict]] = {}
    for entry in data["results"]:
        groups.setdefault(entry["name"].split(".")[0], []).append(entry)
    for group, entries in groups.items():
        out.append(f"## {group.capitalize()}")
        rows = ["| what | implementation | measure | value | compared to |", "|---|---|---|---:|---|"]
        for e in entries:  # names are group.subject[.implementation].measure
            _, subject, *by, measure = e["name"].split(".")
            cells = [f"`{subject}`", " ".join(by), measure.replace("_", " "), f"{e['value']:.4g} {e['unit']}",
                     e["compared_to"].replace("|", "\\|")]  # a | in a cell would end it
            rows.append("| " + " | ".join(cells) + " |")
        out.append("\n".join(rows))
    return "\n\n".join(out)
