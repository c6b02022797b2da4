"""MkDocs hook: pictures drawn with matplotlib at build time, shown where the chapter's text discusses them.

Each picture is a function returning a figure, registered with the chapter it illustrates, the clauses
it illustrates and a caption that says what it shows and how it was made. A chapter's Markdown shows a
picture with a line `<!-- figure: NAME -->` at the paragraph that discusses it; spec_pages.py calls
`place` to put the figure there, numbered in the chapter's order (Figure 2.1, ...), and each clause
the picture illustrates links to it. The hook adds the SVGs to the site under figures/. All pictures
share one style (STYLE) and one format (SVG), and are reproducible: fixed seeds, a fixed SVG hash salt
and no date in the metadata. Three come from the learning run on real data (learning_run.py).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

import matplotlib

matplotlib.use("Agg")  # no display: draw to files only
import matplotlib.pyplot as plt
import numpy as np  # noqa: E402
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File  # noqa: E402 - under ProperDocs, mkdocs.* is ProperDocs' own


from lcspec import reference as ref
import learning_run, worked_examples  # a sibling hook module: MkDocs loads hooks with their folder on sys.path
from lcspec.harness.clauses import SPEC_DIR, chapters

SEED = 231
N, D, K = 100, 20, 10  # the synthetic problem every landscape picture uses
MARKER = re.compile(r"^<!-- figure: ([a-z0-9-]+) -->$", re.MULTILINE)  # where a chapter's text shows a picture
# One look for every picture: labels and legends legible at the width of the text column.
STYLE = {
    "svg.hashsalt": "lcspec",
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "viridis",
}
WIDE, TALL = 9.0, 3.6  # inches: two panels side by side, the width of the text column


@dataclass(frozen=True)
class Picture:
    name: str
    chapter: str
    title: str
    caption: str
    draw: Callable[[], plt.Figure]
    clauses: tuple[str, ...] = ()  # the clauses it illustrates: each links to the picture

    @property
    def uri(self) -> str:
        return f"figures/{self.name}.svg"

    @property
    def anchor(self) -> str:
        return f"figure-{self.name}"

    @property
    def number(self) -> str:
        """Its number in its chapter, in the order the chapter's text shows pictures: 2.1, 2.2, ..."""
        chapter = chapters()[self.chapter]
        shown = MARKER.findall((SPEC_DIR / chapter["file"]).read_text(encoding="utf-8"))
        return f"{int(chapter['file'][:2])}.{shown.index(self.name) + 1}"

    @property
    def label(self) -> str:
        return f"Figure {self.number}"


def problem(seed: int = SEED):
    """A random linear-classification problem: N examples in D dimensions, K classes, and a W."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    y = rng.integers(0, K, size=N)
    W = rng.normal(scale=0.1, size=(K, D))
    return rng, X, y, W


def svm_data_loss(W, X, y):
    return float(ref.hinge_losses(ref.scores(X, W), y).mean())


def softmax_data_loss(W, X, y):
    return float(ref.cross_entropy_losses(ref.scores(X, W), y).mean())


def draw_score_geometry():
    X, W, b, labels = worked_examples.X, worked_examples.W, worked_examples.b, worked_examples.X_labels
    names = ["class 0", "class 1", "class 2"]
    g = np.linspace(-3, 6, 361)  # wide enough for every class's zero line (class 2's is at x2 = 4.8)
    G = np.array(np.meshgrid(g, g)).reshape(2, -1).T
    regions = ref.predict(ref.scores(G, W, b)).reshape(len(g), len(g))
    fig, ax = plt.subplots(figsize=(6, 6.2), constrained_layout=True)
    ax.contourf(g, g, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=["C0", "C1", "C2"], alpha=0.15)
    for k in range(len(W)):
        w, bk = W[k], b[k]
        # the line w.x + b = 0, and the direction w in which the score grows
        if abs(w[1]) > 1e-12:
            ax.plot(g, -(w[0] * g + bk) / w[1], color=f"C{k}", label=f"score of {names[k]} = 0")
        else:
            ax.axvline(-bk / w[0], color=f"C{k}", label=f"score of {names[k]} = 0")
        foot = -bk * w / (w @ w)
        ax.annotate("", xy=foot + 0.8 * w / np.linalg.norm(w), xytext=foot,
                    arrowprops={"arrowstyle": "->", "color": f"C{k}", "lw": 2})
    for k in range(3):
        pts = X[labels == k]
        ax.scatter(pts[:, 0], pts[:, 1], color=f"C{k}", edgecolor="black", s=60, zorder=3)
    ax.set(xlim=(-3, 6), ylim=(-3, 6), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2)  # below: it hides no line
    return fig


def template_grid(Ws, row_labels):
    """Each W's ten 8x8 templates (the weights of each digit class without the bias column), five to a row so
    that each is drawn large enough to read, all on one colour scale (the largest |weight| of every W shown),
    so that templates of different W compare by colour."""
    Ws = [np.asarray(W)[:, :64] for W in Ws]
    scale = max(float(np.abs(W).max()) for W in Ws) or 1.0
    fig, axes = plt.subplots(2 * len(Ws), 5, figsize=(WIDE * 0.75, 2.8 * len(Ws) + 0.4), constrained_layout=True,
                             squeeze=False)
    for r, (W, label) in enumerate(zip(Ws, row_labels)):
        for k in range(10):
            ax = axes[2 * r + k // 5, k % 5]
            image = ax.imshow(W[k].reshape(8, 8), cmap="RdBu_r", vmin=-scale, vmax=scale)
            ax.set_xticks([]), ax.set_yticks([])
            ax.grid(False)
            ax.set_title(str(k), fontsize=10, pad=2)
        axes[2 * r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    fig.colorbar(image, ax=axes, shrink=0.5 if len(Ws) > 1 else 0.9, label="weight (one scale for the whole figure)")
    return fig


def draw_templates():
    row = learning_run.summary()["strategies"]["softmax/gradient_descent"]
    return template_grid([row["W"]], ["learned W"])


def penalty_runs():
    """Softmax on the digits by gradient descent, for increasing λ: the final weights of each run."""
    from lcspec.bench import learn

    (X, y), _, _ = learn.digits_split()
    W0 = np.zeros((10, X.shape[1]))
    runs = []
    for reg in (0.0, 1e-2, 1e-1, 1.0):
        result = ref.gradient_descent(lambda W, r=reg: ref.softmax_loss(W, X, y, r), W0, 0.1, 300)
        runs.append((reg, result.W))
    return runs


def draw_penalty_templates():
    runs = penalty_runs()
    labels = [f"λ = {reg:g}\n‖W‖ = {np.linalg.norm(W[:, :64]):.2f}" for reg, W in runs]
    return template_grid([W for _, W in runs], labels)


def draw_gradcheck_error():
    rng = np.random.default_rng(SEED)
    X, y = rng.normal(size=(20, 5)), rng.integers(0, 4, size=20)
    W = rng.normal(size=(4, 5))
    loss = lambda V: ref.softmax_loss(V, X, y, 0.1)[0]  # noqa: E731
    exact = ref.softmax_loss(W, X, y, 0.1)[1]
    hs = np.logspace(-12, -1, 45)
    centered = [ref.relative_error(exact, ref.numerical_gradient(loss, W, h=h)) for h in hs]
    one_sided = [ref.relative_error(exact, ref.numerical_gradient(loss, W, h=h, centered=False)) for h in hs]
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    ax.loglog(hs, one_sided, "o-", ms=3, label="one-sided $[f(x+h)-f(x)]/h$")
    ax.loglog(hs, centered, "s-", ms=3, label="centered $[f(x+h)-f(x-h)]/2h$")
    ax.loglog(hs, hs, ":", color="grey", label="slope 1 ($\\propto h$)")
    ax.loglog(hs, hs**2, "--", color="grey", label="slope 2 ($\\propto h^2$)")
    ax.axvline(1e-5, color="black", lw=1, alpha=0.5)
    ax.text(1.3e-5, 1e-14, "default h", fontsize=10)
    ax.set(xlabel="step h", ylabel="relative error against dW", ylim=(1e-15, 10))
    ax.legend(loc="upper left")
    return fig


def correct_score_sweep(low: float, high: float):
    """(s, S, y): the correct class's score swept from `low` to `high`, its two rivals held at 1.0 and −0.5."""
    s = np.linspace(low, high, 401)
    return s, np.column_stack([s, np.broadcast_to(np.array([1.0, -0.5]), (len(s), 2))]), np.zeros(len(s), dtype=int)


def draw_hinge_variants():
    s, S, y = correct_score_sweep(-3.0, 4.0)
    fig, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
    ax.plot(s, ref.hinge_losses(S, y), label="Weston–Watkins (hinge_losses)")
    ax.plot(s, ref.squared_hinge_losses(S, y), label="squared (squared_hinge_losses)")
    ax.plot(s, ref.crammer_singer_losses(S, y), "--", label="Crammer–Singer (crammer_singer_losses)")
    ax.set(xlabel="score of the correct class (rivals at 1.0 and −0.5), Δ = 1", ylabel="loss of the example",
           ylim=(-0.3, 12))
    ax.legend()
    return fig


def draw_ray():
    rng, X, y, W = problem()
    V = rng.normal(size=W.shape)
    a = np.linspace(-1.0, 1.0, 401)
    fig, axes = plt.subplots(1, 2, figsize=(WIDE, TALL), constrained_layout=True)
    for ax, rows, title in [(axes[0], slice(0, 1), "one example"), (axes[1], slice(0, N), f"mean over {N} examples")]:
        ax.plot(a, [svm_data_loss(W + t * V, X[rows], y[rows]) for t in a], label="multiclass SVM")
        ax.plot(a, [softmax_data_loss(W + t * V, X[rows], y[rows]) for t in a], label="softmax")
        ax.set(title=title, xlabel="a", ylabel="data loss L(W + aV)")
    axes[0].legend()
    return fig


def draw_plane():
    rng, X, y, W = problem()
    V1, V2 = rng.normal(size=W.shape), rng.normal(size=W.shape)
    grid = np.linspace(-1.0, 1.0, 81)
    fig, axes = plt.subplots(1, 2, figsize=(WIDE, 4.0), constrained_layout=True)
    for ax, (rows, label) in zip(axes, [(slice(0, 1), "one example"), (slice(0, N), f"mean over {N} examples")]):
        Z = np.array([[svm_data_loss(W + a * V1 + b * V2, X[rows], y[rows]) for a in grid] for b in grid])
        im = ax.imshow(Z, origin="lower", extent=(-1, 1, -1, 1))
        ax.contour(grid, grid, Z, levels=12, colors="white", linewidths=0.5)  # the level sets show the facets
        ax.set(title=label, xlabel="a", ylabel="b")
        ax.grid(False)
        fig.colorbar(im, ax=ax, shrink=0.85, label="SVM loss L(W + aV₁ + bV₂)")
    return fig


def draw_softmax_temperature():
    s = np.array([3.2, 5.1, -1.7])
    c = np.logspace(-2, 1.3, 200)
    P = np.array([ref.softmax((t * s)[None, :])[0] for t in c])
    fig, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
    for k, name in enumerate(["cat (3.2)", "car (5.1)", "frog (−1.7)"]):
        ax.semilogx(c, P[:, k], label=name)
    ax.axhline(1 / 3, color="grey", linestyle="--", label="uniform 1/3")
    ax.set(xlabel="scale c of the scores", ylabel="softmax probability", ylim=(0, 1))
    ax.legend()
    return fig


def draw_svm_vs_softmax():
    s_correct, S, labels = correct_score_sweep(-3.0, 5.0)
    fig, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
    ax.plot(s_correct, ref.hinge_losses(S, labels), label="multiclass SVM (Δ = 1)")
    ax.plot(s_correct, ref.cross_entropy_losses(S, labels), label="softmax cross-entropy")
    ax.set(xlabel="score of the correct class (rivals at 1.0 and −0.5)", ylabel="loss of the example")
    ax.legend()
    return fig


def draw_loss_curves():
    run = learning_run.summary()
    n_train = run["data"]["train"]
    batch = run["data"]["batch_size"]
    fig, axes = plt.subplots(1, 2, figsize=(WIDE, 5.6), sharex=True, constrained_layout=True)
    for ax, loss_name in zip(axes, ("svm", "softmax")):
        for key, row in run["strategies"].items():
            if not key.startswith(loss_name + "/"):
                continue
            strategy = key.split("/")[1]
            x = np.asarray(row["curve"]["examples"]) / n_train
            y = np.asarray(row["curve"]["loss"])
            if strategy == "minibatch_sgd":  # batch losses are noisy: their mean over each pass
                per_pass = n_train // batch
                x = x[per_pass - 1 :: per_pass]
                y = y[: len(y) // per_pass * per_pass].reshape(-1, per_pass).mean(axis=1)
            style = {"ls": "--", "zorder": 3} if strategy == "gradient_descent" else {}
            ax.plot(x, y, label=f"{strategy} ({row['hyperparameter']} = {row['value']:g})", **style)
        ax.set(title=f"{loss_name} loss", xlabel="examples evaluated / N_train", ylabel="training loss",
               xscale="log", yscale="log")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))  # below the axes: it hides no curve
    return fig


def draw_step_sizes():
    sweep = learning_run.summary()["step_size_sweep"]
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    for loss_name in ("svm", "softmax"):
        (line,) = ax.plot(sweep["step_sizes"], sweep[loss_name]["loss_after_one_step"], "o-", label=loss_name)
        ax.axhline(sweep[loss_name]["initial_loss"], color=line.get_color(), ls=":", lw=1.2)
    ax.set(xscale="log", yscale="log", xlabel="step size α", ylabel="training loss after one step")
    ax.legend(title="dotted: before the step")
    return fig


def _learning_how() -> str:
    data = learning_run.summary()["data"]
    return (f"scikit-learn's 8×8 digits, {data['train']} training images (seed {data['seed']}), mean-centred, "
            f"bias trick, $\\lambda = {data['reg']:g}$; computed when this page was built by `lcspec.bench.learn`")


PICTURES = [
    Picture(
        "score-geometry", "scores", "The score function on 2-D data",
        "The three classes of the worked examples' toy problem ($W$ and $b$ below, `scores(X, W, b)`) in the "
        "plane of the two features: each line is where one class's score is 0, the arrow is $w_k$, the "
        "direction in which that score grows, and the shading is the class `predict` picks at each point. "
        "The dots are the four examples $X$, coloured by their label: this untrained $W$ classifies one of "
        "them right, the kind of failure a loss (chapters 2 and 3) measures. Moving $b_k$ shifts a line "
        "parallel to itself; changing $w_k$ rotates it. Deterministic: no random numbers.",
        draw_score_geometry, ("SCORE-1", "SCORE-5"),
    ),
    Picture(
        "digit-templates", "scores", "Learned templates",
        "The ten rows of $W$ that gradient descent learned for the softmax loss on the digits, without "
        "the bias column, each drawn as an 8×8 image (red positive, blue negative, on the colour scale "
        "beside them): each is a template that the class's score matches against the input by an "
        "inner product. Taken from the learning run of chapter 6: {how}.",
        draw_templates, ("SCORE-1",),
    ),
    Picture(
        "hinge-variants", "hinge", "The three multiclass hinge losses",
        "One example with three classes: the rivals score 1.0 and −0.5 and the correct class's score "
        "moves. All three losses are 0 once every margin is met (HINGE-3); the Weston–Watkins loss adds "
        "the two violated margins, the Crammer–Singer loss charges only the larger, and the squared hinge "
        "squares each. Deterministic: no random numbers.",
        draw_hinge_variants, ("HINGE-1", "HINGE-10", "HINGE-11"),
    ),
    Picture(
        "softmax-scale", "softmax", "Softmax as the scores are scaled",
        "`softmax` of the scores $c \\cdot (3.2, 5.1, -1.7)$ for scales $c$ from 0.01 to 20: shrinking the "
        "scores makes the distribution uniform, growing them makes it peaky (all mass on the top class). "
        "Deterministic: no random numbers.",
        draw_softmax_temperature, ("SOFTMAX-5",),
    ),
    Picture(
        "svm-vs-softmax", "softmax", "SVM and softmax on the same scores",
        "One example with three classes: the rivals score 1.0 and −0.5 and the correct class's score moves. "
        "The hinge loss (`hinge_losses`) reaches exactly 0 once the margin $\\Delta = 1$ is met and stops "
        "caring; the cross-entropy (`cross_entropy_losses`) keeps rewarding a larger lead but never reaches 0. "
        "Deterministic: no random numbers.",
        draw_svm_vs_softmax, ("SOFTMAX-8", "HINGE-3"),
    ),
    Picture(
        "penalty-templates", "regularization", "W under an increasing penalty",
        "The softmax classifier of the digits trained by 300 steps of gradient descent (rate 0.1, from "
        "$W = 0$) for four strengths $\\lambda$ of the L2 penalty: each pair of rows is the learned $W$ drawn as ten "
        "8×8 templates, with its norm, all four on one colour scale, so a paler template has smaller weights. As $\\lambda$ grows the weights shrink and spread out, and the "
        "templates lose the fine pixel-level detail that only fits the training images. Made with "
        "`softmax_loss` and `gradient_descent` on the split of `lcspec.bench.learn`.",
        draw_penalty_templates, ("REG-1", "REG-3"),
    ),
    Picture(
        "gradcheck-error", "gradients", "Finite-difference error against the step",
        "The relative error (`relative_error`) of `numerical_gradient` against the analytic `dW` of "
        "`softmax_loss` (N = 20, D = 5, K = 4, $\\lambda = 0.1$, random $W$, seed "
        f"{SEED}) for 45 steps $h$ from $10^{{-12}}$ to $10^{{-1}}$. For large $h$ the truncation error "
        "dominates and falls with slope 1 (one-sided) or 2 (centered); for small $h$ the rounding error, "
        "about $\\varepsilon/h$, takes over. The centered error bottoms out near $h = 10^{-5}$, the default.",
        draw_gradcheck_error, ("GRAD-5", "GRAD-6", "GRAD-1"),
    ),
    Picture(
        "loss-ray", "optimization", "The SVM and softmax losses along a ray",
        f"The data loss $L(W + aV)$ of both losses along one random direction $V$ through a random $W$: for "
        f"one example the SVM loss is piecewise linear with a few kinks and the softmax loss smooth; the "
        f"mean over {N} examples is convex for both, the SVM's with so many kinks that it looks smooth. Made "
        f"from `hinge_losses`, `cross_entropy_losses` and `scores` on a standard-normal problem with "
        f"N = {N}, D = {D}, K = {K}, $W \\sim \\mathcal{{N}}(0, 0.1^2)$, seed {SEED}.",
        draw_ray, ("HINGE-9",),
    ),
    Picture(
        "svm-plane", "optimization", "The SVM loss over a plane",
        f"The SVM data loss over a random plane $W + aV_1 + bV_2$: one example gives flat-faced polygonal "
        f"pieces, the mean over {N} examples a bowl. Same problem as the figure above (seed {SEED}), an "
        "81 × 81 grid.",
        draw_plane, ("HINGE-9",),
    ),
    Picture(
        "loss-curves", "optimization", "Loss curves of the four strategies",
        "Training loss against examples evaluated (log scales), per strategy, for the SVM and the softmax "
        "loss; mini-batch SGD's batch losses averaged over each pass; the hyperparameter of each picked on "
        "the validation set. {how}.",
        draw_loss_curves, ("OPT-6",),
    ),
    Picture(
        "step-sizes", "optimization", "One step, many step sizes",
        "The training loss after a single full-batch gradient step from the same start, for step sizes "
        "$10^{{-10}}$ to $10^{{2}}$, as in the notes' table; dotted, the loss before the step. {how}.",
        draw_step_sizes, ("OPT-2",),
    ),
]


def svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def by_name() -> dict[str, Picture]:
    return {p.name: p for p in PICTURES}


def of_clause(clause_id: str) -> list[Picture]:
    return [p for p in PICTURES if clause_id in p.clauses]


def caption(p: Picture) -> str:
    text = p.caption.format(how=_learning_how()) if "{how}" in p.caption else p.caption
    if p.clauses:
        text += " Illustrates " + ", ".join(p.clauses) + "."
    return text


def figure(p: Picture) -> str:
    """The figure's Markdown, linking to figures/ from spec/<chapter>.md."""
    return (
        f'<figure markdown="span" id="{p.anchor}">\n  ![{p.title}](../{p.uri})\n'
        f'  <figcaption markdown="span">**{p.label}. {p.title}.** {caption(p)}</figcaption>\n</figure>'
    )


def place(key: str, text: str) -> str:
    """The chapter's text with each `<!-- figure: NAME -->` line replaced by that picture."""
    pictures = by_name()

    def replace(m):
        p = pictures.get(m[1])
        if p is None or p.chapter != key:
            raise PluginError(f"{chapters()[key]['file']}: no picture {m[1]!r} for this chapter")
        return figure(p)

    missing = [p.name for p in PICTURES if p.chapter == key and p.name not in MARKER.findall(text)]
    if missing:
        raise PluginError(f"{chapters()[key]['file']} shows no marker <!-- figure: NAME --> for {missing}")
    return MARKER.sub(replace, text)


def on_files(files, config):
    with plt.rc_context(STYLE):
        for p in PICTURES:
            files.append(File.generated(config, p.uri, content=svg(p.draw())))
    return files
