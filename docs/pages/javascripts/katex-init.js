// Typeset the math that pymdownx.arithmatex (generic mode) wrapped in .arithmatex elements:
// inline math arrives as \( ... \), display math as \[ ... \].
// KaTeX's throwOnError: false would draw an unknown command (\* say) as red source text that looks
// typeset; so errors are thrown, caught and shown in place as a .katex-error element with the
// message, which the browser test (docs/tests/test_site.py) looks for.
// A heading's math reaches the tables of contents as plain \( ... \) text: auto-render typesets it
// there (a formula it cannot parse goes to console.error, which the browser test also sees).
function typeset(el) {
  const source = el.textContent.trim();
  try {
    katex.render(source.slice(2, -2), el, { displayMode: source.startsWith("\\["), throwOnError: true });
  } catch (error) {
    if (!(error instanceof katex.ParseError)) throw error;
    const shown = document.createElement("span");
    shown.className = "katex-error";
    shown.title = error.message;
    shown.textContent = source;
    el.replaceChildren(shown);
  }
}

document$.subscribe(({ body }) => {
  body.querySelectorAll(".arithmatex").forEach(typeset);
  for (const nav of body.querySelectorAll(".md-nav")) {
    renderMathInElement(nav, { delimiters: [{ left: "\\(", right: "\\)", display: false }], throwOnError: true });
  }
});
