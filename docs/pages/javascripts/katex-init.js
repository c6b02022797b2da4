// Typeset the math that pymdownx.arithmatex (generic mode) wrapped in .arithmatex elements:
// inline math arrives as \( ... \), display math as \[ ... \].
// KaTeX's throwOnError: false would draw an unknown command (\* say) as red source text that looks
// typeset; so errors are thrown, caught and shown in place as a .katex-error element with the
// message, which the browser test (docs/tests/test_site.py) looks for.
// A heading's math reaches the tables of contents as plain \( ... \) text: auto-render typesets it
// there (a formula it cannot parse goes to console.error, which the browser test also sees).
//
// A display formula wider than its column is broken over lines: it is typeset again as
// \displaystyle math in text mode, where KaTeX may break a line after a relation (=, ≤) or a binary
// operator (+, −) at the formula's top level, and after the separators (", \qquad") between the parts
// of a formula, which get an \allowbreak. It is checked again whenever the window's width changes.
function typeset(el) {
  const source = el.dataset.tex ?? el.textContent.trim();
  el.dataset.tex = source;
  const display = source.startsWith("\\[");
  try {
    katex.render(source.slice(2, -2), el, { displayMode: display, throwOnError: true });
    if (display) breakIfTooWide(el, source.slice(2, -2));
  } catch (error) {
    if (!(error instanceof katex.ParseError)) throw error;
    const shown = document.createElement("span");
    shown.className = "katex-error";
    shown.title = error.message;
    shown.textContent = source;
    el.replaceChildren(shown);
  }
}

// `tex` with \allowbreak after each top-level separator: a comma or semicolon followed by a space
// command, or a \qquad or \quad on its own.
function withBreaks(tex) {
  let depth = 0;
  let out = "";
  for (let i = 0; i < tex.length; i++) {
    const rest = tex.slice(i);
    if (tex[i] === "\\") {
      const command = rest.match(/^\\(left|right|begin|end|[a-zA-Z]+|.)/)[0];
      if (command === "\\left" || command === "\\begin") depth++;
      if (command === "\\right" || command === "\\end") depth--;
      out += command;
      i += command.length - 1;
      if (depth === 0 && (command === "\\qquad" || command === "\\quad")) out += "\\allowbreak ";
      continue;
    }
    if (tex[i] === "{") depth++;
    if (tex[i] === "}") depth--;
    out += tex[i];
    if (depth === 0 && (tex[i] === "," || tex[i] === ";") && /^.\s*\\(qquad|quad|;|,)/.test(rest)) out += "\\allowbreak ";
  }
  return out;
}

function breakIfTooWide(el, tex) {
  el.classList.remove("lc-math-broken");
  if (el.scrollWidth <= el.clientWidth + 1) return;
  katex.render("\\displaystyle " + withBreaks(tex), el, { displayMode: false, throwOnError: true });
  el.classList.add("lc-math-broken");
}

let lastWidth = window.innerWidth;
window.addEventListener("resize", () => {
  if (window.innerWidth === lastWidth) return;
  lastWidth = window.innerWidth;
  document.querySelectorAll("div.arithmatex").forEach(typeset);
});

document$.subscribe(({ body }) => {
  body.querySelectorAll(".arithmatex").forEach(typeset);
  // Measured before KaTeX's fonts arrive, a formula is narrower than it will be: measure again then.
  document.fonts.ready.then(() => body.querySelectorAll("div.arithmatex").forEach(typeset));
  for (const nav of body.querySelectorAll(".md-nav")) {
    renderMathInElement(nav, { delimiters: [{ left: "\\(", right: "\\)", display: false }], throwOnError: true });
  }
});
