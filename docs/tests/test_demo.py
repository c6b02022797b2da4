"""The interactive demo (docs/pages/demo/) driven in headless Chromium, its numbers checked against the reference.

Run after `mkdocs build`, like test_site.py, whose server and browser fixtures it uses:
`pytest docs/tests/test_demo.py`. The page writes its whole state (data set, W, b, options and every
computed figure) as JSON to the data-state attribute of #lc-demo; each test reads it, recomputes the
figures with `reference`, and compares, at the tolerance of clause CONV-10 (`reference.tolerances.atol`)
for the full-precision state and to the shown digits for the tables. Every test also fails on a console
error or a request that leaves 127.0.0.1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lcspec import reference
from lcspec.reference.tolerances import atol
from test_site import PAGES, base_url, browser, offline_page  # noqa: F401  (fixtures: the site on 127.0.0.1, Chromium)

DEMO = "demo/index.html"
LOSSES = ("svm", "crammer_singer", "softmax")

pytestmark = pytest.mark.skipif(DEMO not in PAGES, reason="the built site has no demo page")


@pytest.fixture
def demo(browser, base_url):  # noqa: F811
    """The demo page, loaded offline; on teardown, no console error and no request to another host."""
    context, page, outside, errors = offline_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base_url + DEMO, wait_until="networkidle")
    page.wait_for_function("() => document.getElementById('lc-demo').dataset.ready === 'true'")
    yield page
    context.close()
    assert not outside, f"requests to other hosts: {outside}"
    assert not errors, f"console errors: {errors}"


def state(page) -> dict:
    return json.loads(page.get_attribute("#lc-demo", "data-state"))


def choose_loss(page, loss: str) -> dict:
    page.check(f"input[name='lc-loss'][value='{loss}']")
    shown = state(page)
    assert shown["loss"] == loss
    return shown


def reference_figures(s: dict) -> dict:
    """What the reference computes for the page's state: the spec's convention for the penalty (§4.1)."""
    X, y, W, b = np.array(s["X"]), np.array(s["y"]), np.array(s["W"]), np.array(s["b"])
    reg, delta = s["reg"], s["delta"]
    S = reference.scores(X, W, b)
    per_example = {
        "svm": lambda: reference.hinge_losses(S, y, delta),
        "crammer_singer": lambda: reference.crammer_singer_losses(S, y, delta),
        "softmax": lambda: reference.cross_entropy_losses(S, y),
    }[s["loss"]]()
    penalised = reference.fold_bias(W, b) if s["penaliseBias"] else W
    penalty = reg * reference.l2_penalty(penalised)
    Wb, Xb = reference.fold_bias(W, b), reference.append_ones(X)
    if s["loss"] == "crammer_singer":  # the contract has no Crammer-Singer gradient: finite differences
        def data_loss(V):
            return float(np.mean(reference.crammer_singer_losses(Xb @ V.T, y, delta)))
        grad = reference.numerical_gradient(data_loss, Wb)
    else:
        full = reference.svm_loss if s["loss"] == "svm" else reference.softmax_loss
        args = (delta,) if s["loss"] == "svm" else ()
        grad = full(Wb, Xb, y, 0.0, *args)[1]
    grad = grad + reference.l2_penalty_grad(penalised if s["penaliseBias"] else np.hstack([W, np.zeros((3, 1))]), reg)
    return {
        "scores": S, "perExample": per_example, "dataLoss": float(np.mean(per_example)), "penalty": penalty,
        "total": float(np.mean(per_example)) + penalty, "dW": grad[:, :2], "db": grad[:, 2],
    }


def assert_matches_reference(s: dict, grad_tol: float = 1e-9) -> None:
    want = reference_figures(s)
    K = len(s["W"])
    for key in ("scores", "perExample", "dataLoss", "penalty", "total"):
        got, expected = np.array(s[key]), np.array(want[key])
        tol = atol(expected, terms=K * len(s["X"]))
        assert np.allclose(got, expected, rtol=0, atol=tol), f"{s['loss']} {key}: page {got}, reference {expected}"
    for key in ("dW", "db"):
        got, expected = np.array(s[key]), want[key]
        assert reference.relative_error(got, expected) < grad_tol, f"{s['loss']} {key}: page {got}, reference {expected}"


def shown_losses(page) -> list[float]:
    return [float(t) for t in page.locator("#lc-examples td.lc-demo__loss").all_inner_texts()]


@pytest.mark.parametrize("loss", LOSSES)
def test_initial_per_example_losses_match_the_reference(demo, loss):
    """On the page's initial data set: every L_i, the data loss, the penalty, the total and the gradient
    are the reference's, and the table shows L_i to its three digits."""
    s = choose_loss(demo, loss)
    assert s["seed"] == 1 and s["steps"] == 0 and s["penaliseBias"] is False
    assert len(s["X"]) == len(s["y"]) == 12 and sorted(set(s["y"])) == [0, 1, 2]
    # Crammer-Singer's gradient is compared with finite differences of the reference's loss (no kink
    # near the initial point), the others with the reference's analytic gradient.
    assert_matches_reference(s, grad_tol=1e-6 if loss == "crammer_singer" else 1e-9)
    expected = reference_figures(s)["perExample"]
    assert shown_losses(demo) == pytest.approx(np.round(expected, 3), abs=1e-9)
    assert float(demo.inner_text("#lc-total")) == pytest.approx(round(s["total"], 4), abs=1e-9)


def test_switching_the_loss_changes_the_numbers(demo):
    """Each loss shows its own per-example values and total; switching back restores the first."""
    seen = {}
    for loss in LOSSES:
        choose_loss(demo, loss)
        seen[loss] = (tuple(shown_losses(demo)), demo.inner_text("#lc-total"))
        assert demo.inner_text("#lc-examples th:last-child").endswith(f"({ {'svm': 'Weston–Watkins multiclass SVM', 'crammer_singer': 'Crammer–Singer multiclass SVM', 'softmax': 'softmax cross-entropy'}[loss]})")
    assert len(set(seen.values())) == 3, seen
    choose_loss(demo, "svm")
    assert (tuple(shown_losses(demo)), demo.inner_text("#lc-total")) == seen["svm"]


@pytest.mark.parametrize("loss", LOSSES)
def test_a_gradient_step_lowers_the_total_loss(demo, loss):
    """One step: W and b move by -step * gradient (the reference's sgd_step), and the total loss drops."""
    before = choose_loss(demo, loss)
    demo.select_option("#lc-rate", "0.1")
    demo.click("#lc-step")
    after = state(demo)
    assert after["steps"] == 1
    assert after["total"] < before["total"], (before["total"], after["total"])
    assert np.allclose(after["W"], reference.sgd_step(before["W"], before["dW"], 0.1), rtol=0, atol=1e-15)
    assert np.allclose(after["b"], reference.sgd_step(before["b"], before["db"], 0.1), rtol=0, atol=1e-15)
    assert_matches_reference(after, grad_tol=1e-6 if loss == "crammer_singer" else 1e-9)
    assert float(demo.inner_text("#lc-total")) == pytest.approx(round(after["total"], 4), abs=1e-9)


def test_running_several_steps_keeps_lowering_the_loss(demo):
    """Run 20 steps (softmax, which is smooth): twenty steps taken, the loss lower after each."""
    choose_loss(demo, "softmax")
    start = state(demo)["total"]
    totals = []
    demo.expose_function("record", lambda total: totals.append(total))
    demo.evaluate("""() => new MutationObserver(() => {
        const s = JSON.parse(document.getElementById('lc-demo').dataset.state);
        window.record([s.steps, s.total]);
    }).observe(document.getElementById('lc-demo'), { attributes: true, attributeFilter: ['data-state'] })""")
    demo.click("#lc-run")
    demo.wait_for_function("() => document.getElementById('lc-demo').dataset.running === 'false'"
                           " && JSON.parse(document.getElementById('lc-demo').dataset.state).steps === 20")
    end = state(demo)
    assert end["steps"] == 20 and end["total"] < start
    by_step = dict(totals)
    losses = [start] + [by_step[n] for n in range(1, 21)]
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert_matches_reference(end)


def test_lambda_and_the_bias_penalty_follow_the_spec(demo):
    """λ from the slider; the penalty is λ·l2_penalty(W), or of the folded [W b] when the bias is ticked,
    in which case the total is svm_loss on the folded arrays (the bias trick)."""
    demo.eval_on_selector("#lc-reg", "(el) => { el.value = 6; el.dispatchEvent(new Event('input')); }")
    s = state(demo)
    assert s["reg"] == 0.1 and demo.inner_text("#lc-reg-value") == "0.1"
    assert s["penalty"] == pytest.approx(0.1 * reference.l2_penalty(s["W"]), rel=1e-15)
    assert_matches_reference(s)
    demo.check("#lc-penalise-bias")
    s = state(demo)
    W, b = np.array(s["W"]), np.array(s["b"])
    folded = reference.svm_loss(reference.fold_bias(W, b), reference.append_ones(s["X"]), s["y"], 0.1, 1.0)
    assert s["total"] == pytest.approx(folded[0], abs=atol(folded[0], terms=36))
    assert np.allclose(np.column_stack([s["dW"], s["db"]]), folded[1], rtol=0, atol=1e-14)
    assert_matches_reference(s)


def test_the_reader_moves_the_lines(demo):
    """A + button moves its parameter by 0.1; dragging a line's dot changes only b_k, its arrow head w_k."""
    before = state(demo)
    demo.click("button[aria-label='increase W[0][1]']")
    s = state(demo)
    assert s["W"][0][1] == pytest.approx(before["W"][0][1] + 0.1, abs=1e-15)
    assert demo.inner_text("[data-param='W-0-1']") == f"{s['W'][0][1]:.2f}"
    assert_matches_reference(s)

    box = demo.locator("#lc-plot").bounding_box()
    view, size = 5, box["width"]

    def px(point):
        return box["x"] + (point[0] + view) / (2 * view) * size, box["y"] + (view - point[1]) / (2 * view) * size

    def handles(s, k):
        w, bk = np.array(s["W"][k]), s["b"][k]
        base = -bk * w / (w @ w)
        return base, base + 2 * w

    base, tip = handles(s, 1)
    demo.mouse.move(*px(base))
    demo.mouse.down()
    demo.mouse.move(*px(base + np.array([0.5, 0.5])), steps=4)
    demo.mouse.up()
    moved = state(demo)
    assert moved["W"] == s["W"] and moved["b"][1] != s["b"][1] and moved["b"][0] == s["b"][0]
    assert_matches_reference(moved)

    base, tip = handles(moved, 2)
    demo.mouse.move(*px(tip))
    demo.mouse.down()
    demo.mouse.move(*px(tip + np.array([0.6, -0.4])), steps=4)
    demo.mouse.up()
    turned = state(demo)
    assert turned["W"][2] != moved["W"][2] and turned["W"][:2] == moved["W"][:2]
    assert abs(base @ np.array(turned["W"][2]) + turned["b"][2]) < 1e-12  # the line still passes through the dot
    assert_matches_reference(turned)


def test_hovering_an_example_shows_its_loss(demo):
    """Over a point: a tooltip with its L_i, and its row in the table highlighted."""
    s = state(demo)
    box = demo.locator("#lc-plot").bounding_box()
    x = s["X"][5]
    demo.mouse.move(box["x"] + (x[0] + 5) / 10 * box["width"], box["y"] + (5 - x[1]) / 10 * box["height"])
    tooltip = demo.locator(".lc-demo__tooltip")
    assert tooltip.is_visible()
    assert f"Lᵢ = {s['perExample'][5]:.3f}" in tooltip.inner_text()
    assert demo.locator("#lc-examples tr.lc-demo__hover").get_attribute("data-index") == "5"


def test_redrawing_gives_another_seeded_data_set(demo):
    """Re-draw: the next seed, other points, and the numbers still the reference's."""
    first = state(demo)
    demo.click("#lc-redraw")
    s = state(demo)
    assert s["seed"] == first["seed"] + 1 and s["X"] != first["X"] and s["W"] == first["W"]
    assert_matches_reference(s)


def test_start_runs_until_stop_and_randomise_draws_new_weights(demo):
    """Start descends step after step until Stop (more than one step, then no more); Randomise W, b gives
    other weights, the same on every machine for the same press, with the loss the reference computes."""
    before = state(demo)
    demo.click("#lc-go")
    assert demo.inner_text("#lc-go") == "Stop"
    demo.wait_for_function("() => JSON.parse(document.getElementById('lc-demo').dataset.state).steps >= 3")
    demo.click("#lc-go")
    demo.wait_for_function("() => document.getElementById('lc-demo').dataset.running === 'false'")
    stopped = state(demo)["steps"]
    demo.wait_for_timeout(300)
    assert state(demo)["steps"] == stopped >= 3 and demo.inner_text("#lc-go") == "Start"
    demo.click("#lc-randomise")
    first = state(demo)
    assert first["W"] != before["W"] and first["b"] != before["b"] and first["steps"] == 0
    assert all(-2 <= w <= 2 for row in first["W"] for w in row)
    assert_matches_reference(first)
    demo.reload(wait_until="networkidle")
    demo.wait_for_function("() => document.getElementById('lc-demo').dataset.ready === 'true'")
    demo.click("#lc-randomise")
    assert state(demo)["W"] == first["W"]  # seeded: the first press always gives the same W


def test_the_controls_sit_beside_the_canvas_at_1280_px(browser, base_url):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + DEMO, wait_until="networkidle")
    page.wait_for_function("() => document.getElementById('lc-demo').dataset.ready === 'true'")
    plot = page.locator("#lc-plot").bounding_box()
    side = page.locator(".lc-demo__side").bounding_box()
    assert side["x"] >= plot["x"] + plot["width"] and abs(side["y"] - plot["y"]) < 5, (plot, side)
    column = page.locator(".md-content__inner").bounding_box()
    table = page.locator("#lc-examples").bounding_box()
    assert table["x"] + table["width"] <= column["x"] + column["width"] + 1, (table, column)
    page.close()
