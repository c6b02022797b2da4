// Typeset the math that pymdownx.arithmatex (generic mode) wrapped in .arithmatex elements:
// inline math arrives as \( ... \), display math as \[ ... \]. Errors are shown in place
// (throwOnError: false gives a .katex-error element), which the browser test looks for.
document$.subscribe(({ body }) => {
  for (const el of body.querySelectorAll(".arithmatex")) {
    const source = el.textContent.trim();
    const display = source.startsWith("\\[");
    katex.render(source.slice(2, -2), el, { displayMode: display, throwOnError: false });
  }
});
