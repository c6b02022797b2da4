// Searching for a clause ID (HINGE-2) and pressing Enter opens the clause itself.
// Material's search splits a query at its hyphens ("hinge", "2") and ranks by word frequency, so a clause
// whose title says "hinge" twice can outrank HINGE-2; the ID is exact, so it is looked up exactly instead,
// in assets/clause-index.json (written by docs/hooks/spec_pages.py: clause ID -> page and anchor).
document$.subscribe(() => {
  const input = document.querySelector(".md-search__input");
  if (!input || input.dataset.clauseJump) return;
  input.dataset.clauseJump = "yes";
  const root = JSON.parse(document.getElementById("__config").textContent).base; // "..", "." or "/" (404 page)
  const base = new URL(root.endsWith("/") ? root : root + "/", location.href);
  const index = fetch(new URL("assets/clause-index.json", base)).then((r) => r.json());
  input.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter") return;
      const id = input.value.trim().toUpperCase();
      if (!/^[A-Z]+-\d+$/.test(id)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      index.then((clauses) => {
        if (clauses[id]) location.href = new URL(clauses[id], base).href;
      });
    },
    true,
  );
});
