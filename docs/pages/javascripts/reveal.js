// A link to something inside a folded block (a function's card, a clause's tests) opens the block, and
// every block around it, before the page scrolls there: on load and whenever the address's #target changes.
function reveal() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  let folded = false;
  for (let el = target.parentElement; el; el = el.parentElement) {
    if (el.tagName === "DETAILS" && !el.open) {
      el.open = true;
      folded = true;
    }
  }
  if (folded) target.scrollIntoView();
}
window.addEventListener("hashchange", reveal);
document$.subscribe(() => reveal());
