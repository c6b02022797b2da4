// Typeset the math that pymdownx.arithmatex (generic mode) wrapped in .arithmatex elements:
// inline math arrives as \( ... \), display math as \[ ... \]. Errors are shown in place
// (throwOnError: false gives a .katex-error element), which the browser test looks for.
// A heading's math reaches the tables of contents as plain \( ... \) text: auto-render typesets it there.
document$.subscribe(({ body }) => {
  for (const el of body.querySelectorAll(".arithmatex")) {
    const source = el.textContent.trim();
    const display = source.startsWith("\\[");
    katex.render(source.slice(2, -2), el, { displayMode: display, throwOnError: false });
  }
  for (const nav of body.querySelectorAll(".md-nav")) {
    renderMathInElement(nav, { delimiters: [{ left: "\\(", right: "\\)", display: false }], throwOnError: false });
  }
});
