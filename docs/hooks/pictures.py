"""MkDocs hook: pictures drawn with matplotlib from the reference functions, at build time.

Each picture is a function returning a figure, registered with the chapter it illustrates and a caption
that says what it shows and how it was made. The hook adds the SVGs to the site under figures/;
spec_pages.py places them on the chapter pages. Output is reproducible: fixed seeds, a fixed SVG
hash salt and no date in the metadata.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")  # no display: draw to files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402 - under ProperDocs, mkdocs.* is ProperDocs' own

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reference as ref  # noqa: E402

SEED = 231
N, D, K = 100, 20, 10  # the synthetic problem every landscape picture uses


@dataclass(frozen=True)
class Picture:
    name: str
    chapter: str
    title: str
    caption: str
    draw: Callable[[], plt.Figure]

    @property
    def uri(self) -> str:
        return f"figures/{self.name}.svg"


def problem(seed: int = SEED):
    """A random linear-classification problem: N examples in D dimensions, K classes, and a W."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    y = rng.integers(0, K, size=N)
    W = rng.normal(scale=0.1, size=(K, D))
    return rng, X, y, W


def svm_data_loss(W, X, y):
    return float(ref.hinge_losses(ref.scores(X, W), y).mean())


def draw_ray():
    rng, X, y, W = problem()
    V = rng.normal(size=W.shape)
    a = np.linspace(-1.0, 1.0, 401)
    one = [svm_data_loss(W + t * V, X[:1], y[:1]) for t in a]
    many = [svm_data_loss(W + t * V, X, y) for t in a]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), constrained_layout=True)
    axes[0].plot(a, one, color="C0")
    axes[0].set(title="one example", xlabel="a", ylabel="L(W + aV)")
    axes[1].plot(a, many, color="C1")
    axes[1].set(title=f"mean over {N} examples", xlabel="a")
    return fig


def draw_plane():
    rng, X, y, W = problem()
    V1, V2 = rng.normal(size=W.shape), rng.normal(size=W.shape)
    grid = np.linspace(-1.0, 1.0, 81)
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), constrained_layout=True)
    for ax, (rows, label) in zip(axes, [(slice(0, 1), "one example"), (slice(0, N), f"mean over {N} examples")]):
        Z = np.array([[svm_data_loss(W + a * V1 + b * V2, X[rows], y[rows]) for a in grid] for b in grid])
        im = ax.imshow(Z, origin="lower", extent=(-1, 1, -1, 1), cmap="viridis")
        ax.contour(grid, grid, Z, levels=12, colors="white", linewidths=0.5)  # the level sets show the facets
        ax.set(title=label, xlabel="a", ylabel="b")
        fig.colorbar(im, ax=ax, shrink=0.85, label="L(W + aV1 + bV2)")
    return fig


def draw_step_sweep():
    _, X, y, W = problem()
    reg = 0.1
    loss0, dW = ref.svm_loss(W, X, y, reg)
    rates = np.logspace(-4, 2, 121)
    after = [ref.svm_loss(ref.sgd_step(W, dW, r), X, y, reg)[0] for r in rates]
    fig, ax = plt.subplots(figsize=(6, 3.4), constrained_layout=True)
    ax.loglog(rates, after, color="C0", label="loss after one step")
    ax.axhline(loss0, color="grey", linestyle="--", label="loss before the step")
    best = rates[int(np.argmin(after))]
    ax.axvline(best, color="C2", linestyle=":", label=f"best rate ≈ {best:.2g}")
    ax.set(xlabel="learning rate α", ylabel="L(W − α∇L)")
    ax.legend()
    return fig


def draw_softmax_temperature():
    s = np.array([3.2, 5.1, -1.7])
    c = np.logspace(-2, 1.3, 200)
    P = np.array([ref.softmax((t * s)[None, :])[0] for t in c])
    fig, ax = plt.subplots(figsize=(6, 3.4), constrained_layout=True)
    for k, name in enumerate(["cat (3.2)", "car (5.1)", "frog (−1.7)"]):
        ax.semilogx(c, P[:, k], label=name)
    ax.axhline(1 / 3, color="grey", linestyle="--", label="uniform 1/3")
    ax.set(xlabel="scale c of the scores", ylabel="softmax probability", ylim=(0, 1))
    ax.legend()
    return fig


def draw_svm_vs_softmax():
    others = np.array([1.0, -0.5])
    s_correct = np.linspace(-3.0, 5.0, 401)
    S = np.column_stack([s_correct, np.broadcast_to(others, (len(s_correct), 2))])
    labels = np.zeros(len(s_correct), dtype=int)
    fig, ax = plt.subplots(figsize=(6, 3.4), constrained_layout=True)
    ax.plot(s_correct, ref.hinge_losses(S, labels), label="multiclass SVM (Δ = 1)")
    ax.plot(s_correct, ref.cross_entropy_losses(S, labels), label="softmax cross-entropy")
    ax.set(xlabel="score of the correct class (rivals at 1.0 and −0.5)", ylabel="loss of the example")
    ax.legend()
    return fig


PICTURES = [
    Picture(
        "svm-ray",
        "hinge",
        "The SVM loss along a ray",
        f"The multiclass SVM data loss $L(W + aV)$ along a random direction $V$ through a random $W$: for one "
        f"example it is piecewise linear with a few kinks (a sum of hinges), and the mean over {N} examples is "
        f"piecewise linear too, convex, with so many kinks that it looks smooth: a bowl. Made from `hinge_losses` and `scores` on a standard-normal "
        f"problem with N = {N}, D = {D}, K = {K}, $W \\sim \\mathcal{{N}}(0, 0.1^2)$, seed {SEED}.",
        draw_ray,
    ),
    Picture(
        "svm-plane",
        "hinge",
        "The SVM loss over a plane",
        f"The same loss over a random plane $W + aV_1 + bV_2$: one example gives flat-faced polygonal pieces, "
        f"the mean over {N} examples a bowl. Same problem as above (seed {SEED}), an 81 × 81 grid.",
        draw_plane,
    ),
    Picture(
        "step-sweep",
        "optimization",
        "One step across a sweep of learning rates",
        f"The full SVM loss ($\\lambda = 0.1$) after one gradient step $W - \\alpha\\nabla L$, for 121 rates "
        f"$\\alpha$ from $10^{{-4}}$ to $10^2$: tiny steps barely move, a good step goes down, larger steps "
        f"overshoot and the loss blows up. Made with `svm_loss` and `sgd_step` on the problem of the SVM "
        f"pictures (N = {N}, D = {D}, K = {K}, seed {SEED}).",
        draw_step_sweep,
    ),
    Picture(
        "softmax-scale",
        "softmax",
        "Softmax as the scores are scaled",
        "`softmax` of the scores $c \\cdot (3.2, 5.1, -1.7)$ for scales $c$ from 0.01 to 20: shrinking the "
        "scores makes the distribution uniform, growing them makes it peaky (all mass on the top class). "
        "Deterministic: no random numbers.",
        draw_softmax_temperature,
    ),
    Picture(
        "svm-vs-softmax",
        "softmax",
        "SVM and softmax on the same scores",
        "One example with three classes: the rivals score 1.0 and −0.5 and the correct class's score moves. "
        "The hinge loss (`hinge_losses`) reaches exactly 0 once the margin $\\Delta = 1$ is met and stops "
        "caring; the cross-entropy (`cross_entropy_losses`) keeps rewarding a larger lead but never reaches 0. "
        "Deterministic: no random numbers.",
        draw_svm_vs_softmax,
    ),
]


def svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def section(key: str) -> str:
    """The Markdown that shows a chapter's pictures, linking to figures/ from spec/<chapter>.md."""
    shown = [p for p in PICTURES if p.chapter == key]
    if not shown:
        return ""
    out = ["## Pictures {#pictures}"]
    for p in shown:
        out.append(
            f'### {p.title}\n\n<figure markdown="span">\n  ![{p.title}](../{p.uri})\n'
            f'  <figcaption markdown="span">{p.caption}</figcaption>\n</figure>'
        )
    return "\n\n".join(out)


def on_files(files, config):
    with plt.rc_context({"svg.hashsalt": "lcspec", "font.size": 9}):
        for p in PICTURES:
            files.append(File.generated(config, p.uri, content=svg(p.draw())))
    return files
