"""Learning on real data: the notes' four strategies on scikit-learn's 8x8 digits.

    python -m lcspec.bench.learn            # full budget (about 20 s on two cores)
    python -m lcspec.bench.learn --quick    # a tenth of the budget, for CI
    python -m lcspec.bench.learn --out DIR  # where learning.json and the PNG plots go (default bench/out/)

The data ships inside scikit-learn (1,797 images of 64 pixels, 10 classes; nothing is downloaded).
It is split with a fixed seed into train/validation/test, mean-centred with the training mean, and
given the bias trick's constant feature. Every strategy then gets the same budget of loss
evaluations, counted in examples: one evaluation of the loss (with or without its gradient) on B
examples costs B, so a full-batch step costs N_train and a mini-batch step B. Each strategy's one
hyperparameter (scale, step size or learning rate) is picked from a short grid by validation
accuracy, and test accuracy is reported for the pick. All seeds are fixed: the table is
reproducible.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from lcspec import reference

SEED = 0
SPLIT = (1000, 300)  # train, validation; the remaining 497 images are the test set
REG = 1e-3
BATCH = 100
STEP_GRID = [10.0**e for e in range(-10, 3)]  # the notes' decades 1e-10..1e-1, continued until both losses blow up
LOSSES = {"svm": reference.svm_loss, "softmax": reference.softmax_loss}
GRIDS = {  # each strategy's hyperparameter and the values tried
    "random_search": ("scale", [1e-4, 1e-3, 1e-2, 1e-1]),
    "random_local_search": ("step_size", [1e-4, 1e-3, 1e-2, 1e-1]),
    "gradient_descent": ("learning_rate", [1e-3, 1e-2, 1e-1]),
    "minibatch_sgd": ("learning_rate", [1e-3, 1e-2, 1e-1]),
}
NOTES_ORDER = ("random_search", "random_local_search", "gradient_descent")  # the notes' ranking, worst first


def digits_split():
    """(X, y) for train, validation and test: mean-centred with the training mean, bias column appended."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(SEED).permutation(len(data.target))
    parts = np.split(order, np.cumsum(SPLIT))
    mean = data.data[parts[0]].mean(axis=0)
    return [(reference.append_ones(data.data[idx] - mean), data.target[idx]) for idx in parts]


def run_strategy(name, value, loss_fn, W0, train, budget, rng):
    """Run one strategy with hyperparameter `value` on `budget` full-training-set evaluations.

    Returns the result and the examples evaluated up to each entry of its loss history.
    """
    (X, y), n = train, len(train[1])
    if name == "random_search":
        result = reference.random_search(lambda W: loss_fn(W, X, y, REG)[0], W0.shape, rng, budget, value)
        used = n * np.arange(1, budget + 1)
    elif name == "random_local_search":  # its first evaluation is the starting point's
        result = reference.random_local_search(lambda W: loss_fn(W, X, y, REG)[0], W0, rng, budget - 1, value)
        used = n * np.arange(2, budget + 1)
    elif name == "gradient_descent":
        result = reference.gradient_descent(lambda W: loss_fn(W, X, y, REG), W0, value, budget)
        used = n * np.arange(1, budget + 1)
    else:
        steps = budget * n // BATCH
        result = reference.minibatch_sgd(lambda W, Xb, yb: loss_fn(W, Xb, yb, REG), W0, X, y, rng, value, BATCH, steps)
        used = BATCH * np.arange(1, steps + 1)
    return result, used


def accuracy(W, data):
    X, y = data
    return reference.accuracy(reference.scores(X, W), y)


def compare_strategies(train, val, test, W0, budget, bar):
    """For each loss and strategy: the validation-picked hyperparameter, accuracies and loss curve."""
    table = {}
    for loss_name, loss_fn in LOSSES.items():
        for k, (strategy, (hyper, values)) in enumerate(GRIDS.items()):
            best = None
            for i, value in enumerate(values):
                rng = np.random.default_rng([SEED, k, i])  # the same draws for both losses
                result, used = run_strategy(strategy, value, loss_fn, W0, train, budget, rng)
                val_acc = accuracy(result.W, val)
                if best is None or val_acc > best["val_accuracy"]:
                    best = {
                        "hyperparameter": hyper,
                        "value": value,
                        "val_accuracy": val_acc,
                        "test_accuracy": accuracy(result.W, test),
                        "train_loss": loss_fn(result.W, *train, REG)[0],
                        "examples_evaluated": int(used[-1]),
                        "curve": {"examples": used.tolist(), "loss": result.loss_history.tolist()},
                        "W": result.W.tolist(),  # the learned weights: the site draws them as templates
                    }
                bar.update()
            table[f"{loss_name}/{strategy}"] = best
    return table


def step_size_sweep(train, W0):
    """Loss after one full-batch gradient step from W0, for each step size of the decade grid."""
    sweep = {}
    for loss_name, loss_fn in LOSSES.items():
        start, dW = loss_fn(W0, *train, REG)
        after = [loss_fn(reference.sgd_step(W0, dW, lr), *train, REG)[0] for lr in STEP_GRID]
        sweep[loss_name] = {"initial_loss": start, "loss_after_one_step": after}
    return {"step_sizes": STEP_GRID, **sweep}


def print_tables(table, sweep, budget, n_train):
    print(f"\nTest accuracy per strategy (8x8 digits; budget {budget} x {n_train} = {budget * n_train:,} examples "
          "evaluated; hyperparameter picked on validation):")
    print(f"{'loss':8} {'strategy':20} {'hyperparameter':>22} {'train loss':>11} {'val acc':>8} {'test acc':>9}")
    for key, row in table.items():
        loss_name, strategy = key.split("/")
        hyper = f"{row['hyperparameter']}={row['value']:g}"
        print(f"{loss_name:8} {strategy:20} {hyper:>22} {row['train_loss']:>11.4f} "
              f"{row['val_accuracy']:>8.3f} {row['test_accuracy']:>9.3f}")
    verdicts = []
    for loss_name in LOSSES:
        acc = [table[f"{loss_name}/{strategy}"]["test_accuracy"] for strategy in NOTES_ORDER]
        verdicts.append(f"{loss_name} {'holds' if acc[0] < acc[1] < acc[2] else 'DOES NOT HOLD'}")
    print(f"The notes' ordering, {' < '.join(NOTES_ORDER)} in test accuracy: {', '.join(verdicts)}")
    print("\nLoss after one gradient step from the same start, per step size:")
    print(f"{'step size':>10} {'svm':>12} {'softmax':>12}")
    print(f"{'(start)':>10} {sweep['svm']['initial_loss']:>12.4f} {sweep['softmax']['initial_loss']:>12.4f}")
    for i, lr in enumerate(sweep["step_sizes"]):
        print(f"{lr:>10.0e} {sweep['svm']['loss_after_one_step'][i]:>12.4f} "
              f"{sweep['softmax']['loss_after_one_step'][i]:>12.4f}")


def plot(table, sweep, n_train, out: Path):
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(LOSSES), figsize=(11, 5), sharex=True)
    for ax, loss_name in zip(axes, LOSSES):
        for strategy in GRIDS:
            row = table[f"{loss_name}/{strategy}"]
            x = np.asarray(row["curve"]["examples"]) / n_train
            y = np.asarray(row["curve"]["loss"])
            label = f"{strategy} ({row['hyperparameter']}={row['value']:g})"
            if strategy == "minibatch_sgd":  # batch losses are noisy: plot their mean over each pass
                per_pass = n_train // BATCH
                x, y = x[per_pass - 1 :: per_pass], y[: len(y) // per_pass * per_pass].reshape(-1, per_pass).mean(axis=1)
                label += ", batch loss averaged per pass"
            # Gradient descent dashed and on top: mini-batch SGD can trace nearly the same curve and hide it.
            style = {"ls": "--", "lw": 1.5, "zorder": 3} if strategy == "gradient_descent" else {"lw": 1}
            ax.plot(x, y, label=label, **style)
        ax.set(title=f"{loss_name} loss", xlabel="examples evaluated / N_train", ylabel="training loss",
               xscale="log", yscale="log")  # log x: the gradient methods do most of their work in the first passes
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16))  # below: no curve is hidden
    fig.tight_layout()
    fig.savefig(out / "loss_curves.png", dpi=120)

    fig, ax = plt.subplots(figsize=(6, 4))
    for loss_name in LOSSES:
        line, = ax.plot(sweep["step_sizes"], sweep[loss_name]["loss_after_one_step"], "o-", label=loss_name)
        ax.axhline(sweep[loss_name]["initial_loss"], color=line.get_color(), ls=":", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="step size", ylabel="training loss after one step",
           title="One gradient step (dotted: loss before the step)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "step_sizes.png", dpi=120)
    plt.close("all")


def learn(budget: int, progress: bool = True) -> dict:
    """Compare the strategies and sweep the step size; returns the summary written to learning.json."""
    train, val, test = digits_split()
    W0 = np.random.default_rng(SEED).standard_normal((10, train[0].shape[1])) * 1e-3
    runs = len(LOSSES) * sum(len(values) for _, values in GRIDS.values())
    # One BLAS thread: these matrices are too small to gain from more, and idle threads only contend.
    with threadpool_limits(limits=1), tqdm(total=runs, desc="training runs", unit="run", disable=not progress) as bar:
        table = compare_strategies(train, val, test, W0, budget, bar)
        sweep = step_size_sweep(train, W0)
    return {
        "data": {"set": "sklearn digits 8x8", "train": len(train[1]), "val": len(val[1]), "test": len(test[1]),
                 "seed": SEED, "reg": REG, "batch_size": BATCH},
        "budget_full_evaluations": budget,
        "strategies": table,
        "step_size_sweep": sweep,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the budget")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args(argv)
    budget = 100 if args.quick else 1000  # full-training-set loss evaluations per run
    args.out.mkdir(parents=True, exist_ok=True)
    summary = learn(budget)
    n_train = summary["data"]["train"]
    print_tables(summary["strategies"], summary["step_size_sweep"], budget, n_train)
    (args.out / "learning.json").write_text(json.dumps(summary, indent=1) + "\n")
    plot(summary["strategies"], summary["step_size_sweep"], n_train, args.out)
    print(f"\nwrote learning.json, loss_curves.png and step_sizes.png to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
