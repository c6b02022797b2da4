// The demo page's DOM: the plot, the handles, the tables and the buttons. Every number it shows comes
// from linear.js (pure functions, no DOM); this file only keeps the state, draws it and reacts to the reader.
//
// After every change the whole state is written, as JSON, to the data-state attribute of #lc-demo (the
// data set, W, b, the options and every computed figure), which docs/tests/test_demo.py reads.

import { LOSSES, demoLoss, demoStep, rng, toyData } from "./linear.js";

const COLOURS = ["#e53935", "#43a047", "#1e88e5"]; // class 0, 1, 2
const TINTS = ["rgba(229,57,53,0.13)", "rgba(67,160,71,0.13)", "rgba(30,136,229,0.13)"];
const REGS = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const RATES = [0.001, 0.01, 0.03, 0.1, 0.3, 1];
const NUDGE = 0.1; // what one click of a +/- button adds
const ARROW = 2; // an arrow is drawn ARROW times as long as its w_k, in the plane's units
const RUN_STEPS = 20;
const VIEW = 5; // the plot shows [-VIEW, VIEW] on both axes
const SIZE = 440; // CSS pixels
const INITIAL = { seed: 1, W: [[0.8, 0.6], [-0.9, 0.4], [0.2, -1.0]], b: [0.5, -0.5, 0.0] };

const fmt = (v, digits = 3) => (Object.is(v, -0) ? 0 : v).toFixed(digits).replace(/^-(0\.0*)$/, "$1");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

class Demo {
  constructor(root) {
    this.root = root;
    this.seed = INITIAL.seed;
    Object.assign(this, toyData(this.seed));
    this.W = INITIAL.W.map((r) => [...r]);
    this.b = [...INITIAL.b];
    this.loss = "svm";
    this.reg = 0.01;
    this.delta = 1;
    this.penaliseBias = false;
    this.learningRate = 0.1;
    this.steps = 0;
    this.history = [];
    this.running = false;
    this.hover = -1;
    this.drag = null;
    this.build();
    this.update({ fresh: true });
  }

  options() {
    return { loss: this.loss, reg: this.reg, delta: this.delta, penaliseBias: this.penaliseBias };
  }

  // ------------------------------------------------------------ building the DOM once

  build() {
    const lossChoice = el("fieldset", { class: "lc-demo__choice" }, el("legend", {}, "Loss"));
    for (const [key, { name }] of Object.entries(LOSSES)) {
      lossChoice.append(el("label", {}, el("input", {
        type: "radio", name: "lc-loss", value: key, checked: key === this.loss,
        onchange: () => { this.loss = key; this.update({ fresh: true }); },
      }), " " + name));
    }
    this.regOut = el("output", { id: "lc-reg-value" });
    const regSlider = el("input", {
      type: "range", id: "lc-reg", min: 0, max: REGS.length - 1, step: 1, value: REGS.indexOf(this.reg),
      "aria-label": "regularisation strength lambda",
      oninput: (e) => { this.reg = REGS[Number(e.target.value)]; this.update({ fresh: true }); },
    });
    const rateSelect = el("select", {
      id: "lc-rate", "aria-label": "step size",
      onchange: (e) => { this.learningRate = Number(e.target.value); this.writeState(); },
    }, ...RATES.map((r) => el("option", { value: r, selected: r === this.learningRate }, String(r))));
    const biasBox = el("input", {
      type: "checkbox", id: "lc-penalise-bias",
      onchange: (e) => { this.penaliseBias = e.target.checked; this.update({ fresh: true }); },
    });
    this.stepButton = el("button", { type: "button", id: "lc-step", onclick: () => this.step() }, "One step");
    this.runButton = el("button", { type: "button", id: "lc-run", onclick: () => this.run(RUN_STEPS) }, `Run ${RUN_STEPS} steps`);
    const redraw = el("button", { type: "button", id: "lc-redraw", onclick: () => this.redraw() }, "Re-draw data");
    const reset = el("button", { type: "button", id: "lc-reset", onclick: () => this.reset() }, "Reset W, b");
    // As in the CS231n demo: descend until stopped, and start again from random weights.
    this.goButton = el("button", { type: "button", id: "lc-go", onclick: () => this.toggle() }, "Start");
    const randomise = el("button", { type: "button", id: "lc-randomise", onclick: () => this.randomise() }, "Randomise W, b");

    this.canvas = el("canvas", { id: "lc-plot", role: "img", "aria-label": "the plane, the three classes' points and score lines" });
    this.tooltip = el("div", { class: "lc-demo__tooltip", hidden: true });
    this.paramTable = el("table", { id: "lc-params" });
    this.summary = el("table", { id: "lc-summary" });
    this.exampleTable = el("table", { id: "lc-examples" });
    this.history$ = el("canvas", { id: "lc-history", "aria-label": "total loss after each step" });
    this.historyNote = el("p", { class: "lc-demo__note", id: "lc-history-note" });
    this.status = el("p", { class: "lc-demo__status", role: "status" });

    const controls = el("div", { class: "lc-demo__controls" },
      lossChoice,
      el("div", { class: "lc-demo__row" }, el("label", { for: "lc-reg" }, "λ = "), this.regOut, regSlider),
      el("div", { class: "lc-demo__row" }, el("label", {}, biasBox, " penalise b too (bias trick)")),
      el("div", { class: "lc-demo__row" }, el("span", {}, "Δ = 1 (the SVMs' margin)")),
      el("div", { class: "lc-demo__row" }, el("label", { for: "lc-rate" }, "step size "), rateSelect),
      el("div", { class: "lc-demo__row" }, this.stepButton, this.runButton, this.goButton),
      el("div", { class: "lc-demo__row" }, randomise, reset, redraw),
    );
    this.root.replaceChildren(
      el("div", { class: "lc-demo__top" },
        el("div", { class: "lc-demo__plot" }, this.canvas, this.tooltip),
        el("div", { class: "lc-demo__side" }, controls, el("div", { class: "lc-demo__table" }, this.summary), this.history$, this.historyNote)),
      this.status,
      el("div", { class: "lc-demo__table" }, this.paramTable),
      el("div", { class: "lc-demo__table" }, this.exampleTable),
    );

    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = SIZE * ratio; // drawn in SIZE x SIZE units; the style sheet scales it to fit
    this.canvas.height = SIZE * ratio;
    this.ctx = this.canvas.getContext("2d");
    this.ctx.scale(ratio, ratio);
    this.history$.width = 260 * ratio;
    this.history$.height = 70 * ratio;
    this.history$.style.width = "260px";
    this.history$.style.height = "70px";
    this.hctx = this.history$.getContext("2d");
    this.hctx.scale(ratio, ratio);

    this.canvas.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.canvas.addEventListener("pointermove", (e) => this.pointerMove(e));
    this.canvas.addEventListener("pointerup", (e) => this.pointerUp(e));
    this.canvas.addEventListener("pointercancel", (e) => this.pointerUp(e));
    this.canvas.addEventListener("pointerleave", () => { if (!this.drag) this.setHover(-1); });
  }

  // ------------------------------------------------------------ state changes

  update({ fresh = false } = {}) {
    try {
      this.result = demoLoss(this.X, this.y, this.W, this.b, this.options());
      this.status.textContent = "";
    } catch (error) {
      this.status.textContent = `Cannot compute the loss: ${error.message}`;
      throw error;
    }
    if (fresh) this.history = [this.result.total];
    this.draw();
    this.renderTables();
    this.drawHistory();
    this.writeState();
  }

  step() {
    try {
      const next = demoStep(this.X, this.y, this.W, this.b, this.options(), this.learningRate);
      this.W = next.W;
      this.b = next.b;
    } catch (error) { // a step so large that W overflows: say so and keep the old W
      this.status.textContent = `The step failed: ${error.message}`;
      this.running = false;
      return false;
    }
    this.steps += 1;
    this.update();
    this.history.push(this.result.total);
    this.drawHistory();
    this.writeState();
    return true;
  }

  run(n) {
    if (this.running) return;
    this.running = true;
    this.setBusy(true);
    let left = n;
    const tick = () => {
      if (left > 0 && this.running && this.step()) {
        left -= 1;
        setTimeout(tick, 40);
      } else {
        this.running = false;
        this.setBusy(false);
      }
    };
    tick();
  }

  setBusy(busy) {
    this.stepButton.disabled = busy;
    this.runButton.disabled = busy;
    this.goButton.textContent = busy ? "Stop" : "Start";
    this.writeState();
  }

  // Start: a step every 40 ms until Stop (or until a step fails); Stop ends a run of either kind.
  toggle() {
    if (this.running) {
      this.running = false;
      return;
    }
    this.run(Infinity);
  }

  // Every weight and bias drawn afresh, uniformly in [-2, 2] (seeded: the n-th press gives the same W, b on
  // every machine), the loss chart restarted.
  randomise() {
    this.randomDraws = (this.randomDraws ?? 0) + 1;
    const { uniform } = rng(1000 + this.randomDraws);
    this.W = this.W.map((row) => row.map(() => 4 * uniform() - 2));
    this.b = this.b.map(() => 4 * uniform() - 2);
    this.steps = 0;
    this.update({ fresh: true });
  }

  redraw() {
    this.seed += 1;
    Object.assign(this, toyData(this.seed));
    this.update({ fresh: true });
  }

  reset() {
    this.W = INITIAL.W.map((r) => [...r]);
    this.b = [...INITIAL.b];
    this.steps = 0;
    this.update({ fresh: true });
  }

  nudge(k, which, sign) {
    if (which === 2) this.b = this.b.map((v, j) => (j === k ? v + sign * NUDGE : v));
    else this.W = this.W.map((row, j) => row.map((v, d) => (j === k && d === which ? v + sign * NUDGE : v)));
    this.update({ fresh: true });
  }

  writeState() {
    const r = this.result;
    this.root.dataset.state = JSON.stringify({
      seed: this.seed, X: this.X, y: this.y, W: this.W, b: this.b,
      loss: this.loss, reg: this.reg, delta: this.delta, penaliseBias: this.penaliseBias,
      learningRate: this.learningRate, steps: this.steps, running: this.running,
      scores: r.S, perExample: r.perExample, dataLoss: r.dataLoss, penalty: r.penalty, total: r.total,
      dW: r.dW, db: r.db, accuracy: r.accuracy,
    });
    this.root.dataset.running = String(this.running);
  }

  // ------------------------------------------------------------ the plot

  toPx([x, y]) {
    return [((x + VIEW) / (2 * VIEW)) * SIZE, ((VIEW - y) / (2 * VIEW)) * SIZE];
  }

  toPlane([px, py]) {
    return [(px / SIZE) * 2 * VIEW - VIEW, VIEW - (py / SIZE) * 2 * VIEW];
  }

  // Class k's handles: the base, the point of its zero-score line nearest the origin, and the tip,
  // base + ARROW * w_k. Dragging the base moves the line (b_k), dragging the tip turns and stretches w_k.
  handles(k) {
    const w = this.W[k];
    const norm2 = w[0] * w[0] + w[1] * w[1];
    const base = norm2 > 0 ? [(-this.b[k] * w[0]) / norm2, (-this.b[k] * w[1]) / norm2] : [0, 0];
    return { base, tip: [base[0] + ARROW * w[0], base[1] + ARROW * w[1]] };
  }

  draw() {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, SIZE, SIZE);
    // Each region tinted by the class that scores highest there (ties to the lowest index, as predict).
    const cell = 4;
    for (let py = 0; py < SIZE; py += cell) {
      for (let px = 0; px < SIZE; px += cell) {
        const [x, y] = this.toPlane([px + cell / 2, py + cell / 2]);
        let best = 0, top = -Infinity;
        for (let k = 0; k < 3; k++) {
          const s = this.W[k][0] * x + this.W[k][1] * y + this.b[k];
          if (s > top) { top = s; best = k; }
        }
        ctx.fillStyle = TINTS[best];
        ctx.fillRect(px, py, cell, cell);
      }
    }
    // axes
    ctx.strokeStyle = "rgba(0,0,0,0.25)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    const [ox, oy] = this.toPx([0, 0]);
    ctx.moveTo(0, oy); ctx.lineTo(SIZE, oy); ctx.moveTo(ox, 0); ctx.lineTo(ox, SIZE);
    ctx.stroke();
    // Each class's zero-score line w_k . x + b_k = 0, and its normal w_k from the base handle.
    for (let k = 0; k < 3; k++) {
      const w = this.W[k];
      const { base, tip } = this.handles(k);
      ctx.strokeStyle = COLOURS[k];
      ctx.fillStyle = COLOURS[k];
      ctx.lineWidth = 2;
      if (w[0] !== 0 || w[1] !== 0) {
        const along = [-w[1], w[0]];
        const far = (4 * VIEW) / Math.hypot(...along);
        const a = this.toPx([base[0] - along[0] * far, base[1] - along[1] * far]);
        const c = this.toPx([base[0] + along[0] * far, base[1] + along[1] * far]);
        ctx.beginPath(); ctx.moveTo(...a); ctx.lineTo(...c); ctx.stroke();
      }
      const p = this.toPx(base), q = this.toPx(tip);
      ctx.beginPath(); ctx.moveTo(...p); ctx.lineTo(...q); ctx.stroke();
      ctx.beginPath(); ctx.arc(...p, 5, 0, 2 * Math.PI); ctx.fill();
      const angle = Math.atan2(q[1] - p[1], q[0] - p[0]);
      ctx.beginPath();
      ctx.moveTo(...q);
      ctx.lineTo(q[0] - 10 * Math.cos(angle - 0.4), q[1] - 10 * Math.sin(angle - 0.4));
      ctx.lineTo(q[0] - 10 * Math.cos(angle + 0.4), q[1] - 10 * Math.sin(angle + 0.4));
      ctx.closePath(); ctx.fill();
    }
    // The examples: filled with their class's colour, ringed in black when they cost something.
    this.X.forEach((x, i) => {
      const [px, py] = this.toPx(x);
      ctx.beginPath();
      ctx.arc(px, py, i === this.hover ? 8 : 6, 0, 2 * Math.PI);
      ctx.fillStyle = COLOURS[this.y[i]];
      ctx.fill();
      ctx.lineWidth = this.result.perExample[i] > 0 ? 2.5 : 1;
      ctx.strokeStyle = this.result.perExample[i] > 0 ? "#000" : "#fff";
      ctx.stroke();
    });
  }

  drawHistory() {
    const ctx = this.hctx, w = 260, h = 70, pad = 6;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "rgba(0,0,0,0.04)";
    ctx.fillRect(0, 0, w, h);
    const values = this.history;
    this.historyNote.textContent = values.length < 2
      ? "The total loss after each step will be charted here."
      : `Total loss over ${values.length - 1} step${values.length > 2 ? "s" : ""}: ${fmt(values[0], 4)} → ${fmt(values.at(-1), 4)}`;
    if (values.length < 2) return;
    const lo = Math.min(...values), hi = Math.max(...values);
    const span = hi - lo || 1;
    ctx.strokeStyle = "#3f51b5";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = pad + ((w - 2 * pad) * i) / (values.length - 1);
      const y = h - pad - ((h - 2 * pad) * (v - lo)) / span;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }

  // ------------------------------------------------------------ the reader's pointer

  eventPx(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [((e.clientX - rect.left) / rect.width) * SIZE, ((e.clientY - rect.top) / rect.height) * SIZE];
  }

  pointerDown(e) {
    const at = this.eventPx(e);
    const near = (p) => Math.hypot(p[0] - at[0], p[1] - at[1]) < 10;
    for (let k = 0; k < 3; k++) {
      const { base, tip } = this.handles(k);
      const part = near(this.toPx(tip)) ? "tip" : near(this.toPx(base)) ? "base" : null;
      if (part) {
        this.drag = { k, part, base };
        this.canvas.setPointerCapture(e.pointerId);
        e.preventDefault();
        return;
      }
    }
  }

  pointerMove(e) {
    const at = this.eventPx(e);
    if (!this.drag) {
      const i = this.X.findIndex((x) => { const p = this.toPx(x); return Math.hypot(p[0] - at[0], p[1] - at[1]) < 9; });
      this.setHover(i, at);
      return;
    }
    const { k, part, base } = this.drag;
    const q = this.toPlane(at);
    if (part === "base") { // keep w_k, move the line through q
      this.b = this.b.map((v, j) => (j === k ? -(this.W[k][0] * q[0] + this.W[k][1] * q[1]) : v));
    } else { // w_k = (q - base) / ARROW, the line still through base
      const w = [(q[0] - base[0]) / ARROW, (q[1] - base[1]) / ARROW];
      this.W = this.W.map((row, j) => (j === k ? w : row));
      this.b = this.b.map((v, j) => (j === k ? -(w[0] * base[0] + w[1] * base[1]) : v));
    }
    this.update({ fresh: true });
  }

  pointerUp(e) {
    if (this.drag && this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.drag = null;
  }

  setHover(i, at) {
    if (i !== this.hover) {
      this.hover = i;
      this.draw();
      for (const row of this.exampleTable.querySelectorAll("tbody tr")) row.classList.toggle("lc-demo__hover", Number(row.dataset.index) === i);
    }
    if (i < 0) { this.tooltip.hidden = true; return; }
    const s = this.result.S[i];
    this.tooltip.textContent = `example ${i}, class ${this.y[i]}: scores ${s.map((v) => fmt(v, 2)).join(", ")}; Lᵢ = ${fmt(this.result.perExample[i])}`;
    const shown = this.canvas.getBoundingClientRect().width / SIZE; // CSS pixels per drawing unit
    this.tooltip.style.left = `${at[0] * shown + 12}px`;
    this.tooltip.style.top = `${at[1] * shown + 12}px`;
    this.tooltip.hidden = false;
  }

  // ------------------------------------------------------------ the tables

  renderTables() {
    const r = this.result;
    const swatch = (k) => el("span", { class: "lc-demo__swatch", style: `background:${COLOURS[k]}` });
    const head = (...names) => el("thead", {}, el("tr", {}, ...names.map((n) => el("th", {}, n))));

    const names = ["W[k][0]", "W[k][1]", "b[k]"];
    const grads = (k) => [r.dW[k][0], r.dW[k][1], r.db[k]];
    this.paramTable.replaceChildren(
      head("class k", ...names.map((n) => `${n} and its gradient`)),
      el("tbody", {}, ...[0, 1, 2].map((k) => el("tr", {},
        el("td", {}, swatch(k), ` ${k}`),
        ...[this.W[k][0], this.W[k][1], this.b[k]].map((v, which) => el("td", { class: "lc-demo__param" },
          el("button", { type: "button", class: "lc-demo__nudge", "aria-label": `decrease ${names[which].replace("k", k)}`, onclick: () => this.nudge(k, which, -1) }, "−"),
          el("span", { class: "lc-demo__value", "data-param": `${which === 2 ? "b" : "W"}-${k}${which === 2 ? "" : `-${which}`}` }, fmt(v, 2)),
          el("button", { type: "button", class: "lc-demo__nudge", "aria-label": `increase ${names[which].replace("k", k)}`, onclick: () => this.nudge(k, which, +1) }, "+"),
          el("small", { class: "lc-demo__grad" }, ` ∂L ${fmt(grads(k)[which])}`),
        )),
      ))),
    );

    this.regOut.textContent = String(this.reg);
    const penalised = this.penaliseBias ? "W and b" : "W";
    this.summary.replaceChildren(el("tbody", {},
      el("tr", {}, el("th", {}, "data loss (mean of Lᵢ)"), el("td", { id: "lc-data-loss" }, fmt(r.dataLoss, 4))),
      el("tr", {}, el("th", {}, `penalty λ·R (${penalised})`), el("td", { id: "lc-penalty" }, fmt(r.penalty, 4))),
      el("tr", {}, el("th", {}, "total loss"), el("td", { id: "lc-total" }, el("strong", {}, fmt(r.total, 4)))),
      el("tr", {}, el("th", {}, "training accuracy"), el("td", { id: "lc-accuracy" }, fmt(r.accuracy, 2))),
      el("tr", {}, el("th", {}, "steps taken"), el("td", { id: "lc-steps" }, String(this.steps))),
    ));

    this.exampleTable.replaceChildren(
      head("i", "x₁", "x₂", "class", "s₀", "s₁", "s₂", `Lᵢ (${LOSSES[this.loss].name})`),
      el("tbody", {}, ...this.X.map((x, i) => el("tr", {
        "data-index": i,
        class: i === this.hover ? "lc-demo__hover" : null,
        onmouseenter: () => this.setHover(i, this.toPx(x)),
        onmouseleave: () => this.setHover(-1),
      },
        el("td", {}, String(i)),
        el("td", {}, fmt(x[0], 2)), el("td", {}, fmt(x[1], 2)),
        el("td", {}, swatch(this.y[i]), ` ${this.y[i]}`),
        ...r.S[i].map((s, k) => el("td", { class: k === this.y[i] ? "lc-demo__correct" : null }, fmt(s, 2))),
        el("td", { class: "lc-demo__loss" }, fmt(r.perExample[i])),
      ))),
    );
  }
}

const root = document.getElementById("lc-demo");
if (root) {
  root.demo = new Demo(root);
  root.dataset.ready = "true";
}
