"""The built site in a real browser: every page, served on 127.0.0.1, opened in headless Chromium.

Run after `mkdocs build` (the site in ./site, or LCSPEC_SITE): `pytest docs/tests/test_site.py`.
Needs Debian's chromium at /usr/bin/chromium (or LCSPEC_CHROMIUM) and the `playwright` package; the
browser build that `playwright install` would download is never used.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("LCSPEC_SITE", ROOT / "site"))
CHROMIUM = os.environ.get("LCSPEC_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")) if SITE.is_dir() else []

# Run in the page once it has loaded: what a reader would see as broken math.
FIND_BROKEN_MATH = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('.katex-error'))
    problems.push('math error: ' + el.title + ' in ' + el.textContent.slice(0, 120));
  for (const el of document.querySelectorAll('.arithmatex'))
    if (!el.querySelector('.katex, .katex-error')) problems.push('not typeset: ' + el.textContent.slice(0, 120));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    if (node.parentElement.closest('pre, code, script, style, .katex, .katex-error, textarea')) continue;
    const text = node.textContent;
    if (text.includes('$$') || /\\\\[\\(\\[]/.test(text) || /\\$[^$\\s][^$]*\\$/.test(text))
      problems.push('raw TeX: ' + text.trim().slice(0, 120));
  }
  return problems;
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run `mkdocs build` first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=SITE))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_the_site_has_every_kind_of_page():
    """The build produced the pages this test is meant to look at."""
    assert "index.html" in PAGES
    assert any(p.startswith("spec/") for p in PAGES), PAGES
    assert "api/index.html" in PAGES and "conformance/index.html" in PAGES


def offline_page(browser, **options):
    """(context, page, outside, errors): a new page whose requests may go to 127.0.0.1 only (any other is
    aborted and its URL kept in `outside`), with every console or page error kept in `errors`."""
    context = browser.new_context(**options)
    page = context.new_page()
    outside, errors = [], []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, outside, errors


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(browser, base_url, path):
    """Opened in Chromium: math typeset, pictures loaded, no console error, no request off 127.0.0.1."""
    context, page, outside, errors = offline_page(browser)
    failed = []
    page.on("requestfailed", lambda req: failed.append(f"{req.url}: {req.failure}"))
    response = page.goto(base_url + path, wait_until="networkidle")
    assert response is not None and (response.ok or path == "404.html")
    page.wait_for_function("() => document.readyState === 'complete'")

    problems = page.evaluate(FIND_BROKEN_MATH)
    images = page.evaluate("() => Array.from(document.images, i => [i.src, i.complete, i.naturalWidth])")
    problems += [f"image not loaded: {src}" for src, complete, width in images if not (complete and width > 0)]
    problems += [f"request to another host: {url}" for url in outside]
    problems += [f"request failed: {f}" for f in failed] + [f"console error: {e}" for e in errors]
    context.close()
    assert not problems, "\n".join(problems)


def test_a_chapter_page_shows_what_a_reader_needs(browser, base_url):
    """The hinge-loss page: the notes named, pictures in the text, typeset clause math with its tests under
    it, the reference's card and code, examples."""
    page = browser.new_page()
    page.goto(base_url + "spec/02-multiclass-svm/", wait_until="networkidle")
    sections = page.eval_on_selector_all("h2", "hs => hs.map(h => h.id)")
    assert [s for s in sections if s in ("clauses", "reference-functions", "worked-examples")] == [
        "clauses", "reference-functions", "worked-examples"], sections
    assert "properties" not in sections and "pictures" not in sections  # both now sit where they belong
    assert page.locator("h3#HINGE-1 ~ p .katex").count() > 0  # the clause's formula is typeset
    assert page.locator("[id='reference.hinge_losses']").count() == 1
    assert page.locator("details", has_text="def hinge_losses(S, y, delta=1.0)").count() == 1  # its source
    assert page.locator("table .katex").count() > 0  # worked examples, typeset
    assert page.locator("figure img[src$='.svg']").count() >= 1
    assert page.locator("h3#HINGE-1 ~ ul details pre").count() > 0  # a test's source, folded, under its clause
    law = page.locator("li", has=page.locator("[id='test_hinge_losses_sum_the_violated_margins_of_the_wrong_classes']"))
    assert law.locator(".katex").count() > 0 and "Σ" not in law.first.inner_text().split("tests/")[0]
    card = page.locator("[id='reference.hinge_losses'] ~ div.doc-contents").first
    for needed in ("Parameters", "Returns", "Raises", "Specified by", "Checked by"):
        assert needed in card.inner_text(), needed
    assert card.locator("a[href='#chapter-hinge']").count() == 1  # back to the chapter
    page.close()


# ---------------------------------------------------------------------------------------------------
# Following the spec around the site: clause <-> function, tests, worked example, picture; the notes.

sys.path.insert(0, str(ROOT))
from lcspec.harness.clauses import chapters, clauses  # noqa: E402

CHAPTER_PAGES = {key: f"spec/{c['file'][:-3]}/index.html" for key, c in chapters().items()}


def html(path: str) -> str:
    return (SITE / path).read_text(encoding="utf-8")


def ids_in(text: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', text))


@pytest.mark.parametrize("key", list(chapters()))
def test_every_chapter_names_and_links_the_cs231n_notes(key):
    text = html(CHAPTER_PAGES[key])
    assert re.search(r'href="https://cs231n\.github\.io/(linear-classify|optimization-1)/#\w+"', text)
    assert "Follows the CS231n notes" in text


@pytest.mark.parametrize("clause_id", list(clauses()))
def test_each_clause_has_its_anchor_and_one_hop_links(clause_id):
    """The clause's heading anchor exists; from it one link each reaches its functions, its tests, its worked
    example and its picture, and every such link lands on an anchor that exists."""
    clause = clauses()[clause_id]
    page = CHAPTER_PAGES[clause["chapter"]]
    text = html(page)
    assert f'id="{clause_id}"' in text
    section = text[text.index(f'id="{clause_id}"') :]
    section = section[: section.find("<h3", 10) if "<h3" in section[10:] else len(section)]
    facts = re.search(r'<p class="clause-facts">(.*?)</p>', section, re.S)
    assert facts, f"{clause_id} has no line of facts"
    for f in clause["functions"]:
        assert f'href="#reference.{f}"' in facts[1] or f"#reference.{f}\"" in facts[1], f
    assert "Checked by" in section
    for href in re.findall(r'href="([^"]*#[^"]+)"', facts[1] + section):
        if href.startswith("http"):
            continue
        target, _, anchor = href.partition("#")
        target_page = (Path(page).parent / target / "index.html") if target else Path(page)
        if target.endswith(".html"):
            target_page = Path(page).parent / target
        resolved = os.path.normpath(target_page)
        assert anchor in ids_in(html(resolved)), f"{clause_id}: {href} leads nowhere"
        if anchor.startswith(("golden-", "example-")):  # and the worked example links back to the clause
            row = text[text.index(f'id="{anchor}"') :]
            assert f'href="#{clause_id}"' in row[: row.index("</tr>")], f"{anchor} does not link back to {clause_id}"


def test_each_function_card_links_back_to_its_clauses_and_chapter():
    for key, chapter in chapters().items():
        text = html(CHAPTER_PAGES[key])
        for f in chapter["defines"]:
            card = text[text.index(f'id="reference.{f}"') :]
            card = card[: card.find('class="doc doc-heading"', 40) if 'class="doc doc-heading"' in card[40:] else len(card)]
            assert f'href="#chapter-{key}"' in card, f
            assert "Specified by" in card and "Checked by" in card, f


def test_each_test_has_one_entry_with_its_source():
    """A test that checks several clauses (CONV-3 to CONV-9 share one) is shown once, linked from the others."""
    shown = [m for key in chapters() for m in re.findall(r"tests/test_\w+\.py::(\w+)", html(CHAPTER_PAGES[key]))]
    repeated = sorted({t for t in shown if shown.count(t) > 1})
    assert not repeated, repeated
    assert "test_bad_input_raises_a_clear_error" in shown


def test_each_picture_sits_in_its_chapters_text():
    """Every figure is placed before the clauses, inside the prose, and a clause links to each."""
    every_page = "".join(html(page) for page in CHAPTER_PAGES.values())
    for key in chapters():
        text = html(CHAPTER_PAGES[key])
        clauses_at = text.index('id="clauses"')
        for m in re.finditer(r'<figure id="(figure-[\w-]+)"', text):
            assert m.start() < clauses_at, f"{m[1]} sits below the text of {key}"
            assert f'#{m[1]}"' in every_page, f"no clause links to {m[1]}"
    assert any("<figure" in html(CHAPTER_PAGES[k]) for k in ("scores", "regularization", "gradients"))


def test_the_machine_readable_spec_can_be_downloaded():
    assert (SITE / "spec" / "clauses.toml").read_bytes() == (ROOT / "spec" / "clauses.toml").read_bytes()
    golden = sorted(p.name for p in (ROOT / "spec" / "golden").glob("*.json"))
    assert golden and all((SITE / "spec" / "golden" / name).is_file() for name in golden)
    index = html("spec/clause-index/index.html")
    assert 'href="../clauses.toml"' in index and 'href="../golden/' in index
    assert all(f'#{cid}"' in index for cid in clauses())
    assert "About the spec" in html("index.html")  # spec/README.md is a page


def test_searching_a_clause_id_finds_its_clause(browser, base_url):
    """Typed into search, a clause ID lists its clause among the results, and Enter opens the clause."""
    for clause_id, chapter in (("HINGE-2", "02-multiclass-svm"), ("SOFTMAX-6", "03-softmax-cross-entropy"),
                               ("CONV-10", "00-conventions")):
        page = browser.new_page()
        page.goto(base_url + "guides/validate/", wait_until="networkidle")
        page.locator("input.md-search__input").focus()
        page.keyboard.type(clause_id)
        page.locator(f".md-search-result__link[href$='#{clause_id}']").first.wait_for(state="attached", timeout=10_000)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/spec/{chapter}/#{clause_id}", timeout=10_000)
        page.close()


@pytest.mark.parametrize("width", [1400, 390])
def test_display_math_fits_the_column(browser, base_url, width):
    """No display formula of the chapters is wider than its column at a desktop width; on a phone only
    the tables may scroll, not the §2.3 derivation."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base_url + "spec/02-multiclass-svm/", wait_until="networkidle")
    clipped = page.evaluate("""() => Array.from(document.querySelectorAll('.md-content div.arithmatex'))
        .filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.textContent.slice(0, 80))""")
    page.close()
    if width == 390:
        clipped = [c for c in clipped if "Longleftrightarrow" in c or "⟺" in c]
    assert not clipped, clipped


def test_long_command_lines_fit(browser, base_url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(base_url + "spec/libraries/", wait_until="networkidle")
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('.md-content pre > code'))
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 80))""")
    page.close()
    assert not cut, cut
