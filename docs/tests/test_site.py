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
    # Teaching first: the worked examples a student compares numbers with, then the normative part.
    assert [s for s in sections if s in ("clauses", "reference-functions", "worked-examples")] == [
        "worked-examples", "clauses", "reference-functions"], sections
    assert "properties" not in sections and "pictures" not in sections  # both now sit where they belong
    assert page.locator("h3#HINGE-1 ~ p .katex").count() > 0  # the clause's formula is typeset
    assert page.locator("[id='reference.hinge_losses']").count() == 1
    # its source, folded once (inside its card, itself folded)
    assert page.locator("details:not(:has(details))", has_text="def hinge_losses(S, y, delta=1.0)").count() == 1
    assert page.locator("details", has=page.locator("[id='reference.hinge_losses']")).count() == 1
    assert page.locator("table .katex").count() > 0  # worked examples, typeset
    assert page.locator("figure img[src$='.svg']").count() >= 1
    # the tests under their clause, folded, each test's source folded again inside
    tests = page.locator("h3#HINGE-1 ~ details", has_text="Checked by").first
    assert tests.get_attribute("open") is None
    assert tests.locator("ul details pre").count() > 0
    law = page.locator("li", has=page.locator("[id='test_hinge_losses_sum_the_violated_margins_of_the_wrong_classes']"))
    assert law.locator(".katex").count() > 0 and "Σ" not in law.first.inner_text().split("tests/")[0]
    page.locator("details", has=page.locator("[id='reference.hinge_losses']")).locator("summary").first.click()
    card = page.locator("[id='reference.hinge_losses'] ~ div.doc-contents").first
    for needed in ("Parameters", "Returns", "Raises", "Specified by", "Checked by"):
        assert needed in card.inner_text(), needed
    assert card.locator("a[href='#chapter-hinge']").count() == 1  # back to the chapter
    page.close()


# ---------------------------------------------------------------------------------------------------
# Following the spec around the site: clause <-> function, tests, worked example, picture; the notes.

sys.path.insert(0, str(ROOT))
from lcspec.harness.clauses import chapters, clauses  # noqa: E402
from lcspec.reference import CONTRACT  # noqa: E402

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
    if len(clause["functions"]) > len(CONTRACT) // 2:  # most of the contract: one link to the contract table
        assert 'api/#the-contract"' in facts[1] and "every contract function" in facts[1], facts[1]
        assert all(f"`{f}`" not in facts[1] for f in clause["functions"])  # the names are not repeated
    for f in clause["functions"] if len(clause["functions"]) <= len(CONTRACT) // 2 else ():
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


# Run in a page: every display formula, table and figure of the content wider than its column (a formula
# that overflows its own box, a table or picture that reaches past the column's edges), and a page that
# scrolls sideways.
FIND_TOO_WIDE = """() => {
  const column = document.querySelector('.md-content__inner').getBoundingClientRect();
  const found = [];
  const text = (el) => el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 80);
  for (const d of document.querySelectorAll('.md-content div.arithmatex'))
    if (d.scrollWidth > d.clientWidth + 1) found.push(`equation ${d.scrollWidth} px in ${d.clientWidth} px: ${text(d)}`);
  for (const el of document.querySelectorAll('.md-content table, .md-content img, .md-content canvas, .md-content figure')) {
    if (el.closest('.katex') || el.closest('details:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < column.left - 1 || r.right > column.right + 1))
      found.push(`${el.tagName.toLowerCase()} ${Math.round(r.width)} px in ${Math.round(column.width)} px: ${text(el) || el.src}`);
  }
  for (const td of document.querySelectorAll('.md-content td'))
    if (td.scrollWidth > td.clientWidth + 1 && !td.closest('.katex')) found.push(`table cell overflows: ${text(td)}`);
  if (document.documentElement.scrollWidth > window.innerWidth) found.push('the page scrolls sideways');
  return found;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_no_equation_table_or_figure_is_wider_than_its_column(browser, base_url, width):
    """Every page at a desktop width (1280 px, both sidebars shown) and at a phone's (390 px): a formula too
    wide is broken over lines, a table stacks its cells on a phone, pictures scale to the column."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    for path in PAGES:
        if path == "404.html":
            continue
        page.goto(base_url + path, wait_until="networkidle")
        problems += [f"{path}: {p}" for p in page.evaluate(FIND_TOO_WIDE)]
    page.close()
    assert not problems, "\n".join(problems)


def test_a_too_wide_equation_is_broken_over_lines(browser, base_url):
    """The notes' worked SVM example (chapter 2) and chapter 5's Taylor expansions, which overflow a 748 px
    column in one line, show whole, on several lines, at 1280 px: "= 8" is visible."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path, needle in (("spec/02-multiclass-svm/", "11 - 13 + 10"), ("spec/05-gradients/", "f''(x)")):
        page.goto(base_url + path, wait_until="networkidle")
        # KaTeX's fonts may still be loading then; the page measures its formulas again once they have arrived.
        page.evaluate("() => document.fonts.ready.then(() => document.fonts.status)")
        shown = page.evaluate("""(needle) => Array.from(document.querySelectorAll('div.arithmatex'))
            .filter(d => d.dataset.tex.includes(needle))
            .map(d => [d.classList.contains('lc-math-broken'), d.scrollWidth <= d.clientWidth + 1,
                       d.getBoundingClientRect().height])""", needle)
        assert shown and all(broken and fits for broken, fits, _ in shown), (path, shown)
    page.close()


def test_long_command_lines_fit(browser, base_url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(base_url + "spec/libraries/", wait_until="networkidle")
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('.md-content pre > code'))
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 80))""")
    page.close()
    assert not cut, cut


# ---------------------------------------------------------------------------------------------------
# The three readers: a student, an implementer, an instructor.

def test_a_new_reader_reaches_chapter_1s_first_worked_example_and_the_assignment_check_in_one_click(browser, base_url):
    """From the home page, one click opens chapter 1, whose first worked example (the notes' headline figure,
    computed) sits above its clauses; another click opens "Check your CS231n assignment"."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url, wait_until="networkidle")
    page.locator(".md-content a", has_text="chapter 1, the score function").first.click()
    page.wait_for_url("**/spec/01-score-function/")
    example = page.locator("[id='example-scores-1']")
    assert example.count() == 1
    row = page.locator("tr", has=example)
    assert "scores(x_cat, W_notes, b_notes)" in row.inner_text()
    shown = re.sub(r"\s", "", row.locator(".katex-mathml").first.inner_text()).replace("−", "-")
    assert "[-96.8437.960.75]" in shown.replace("\u200b", ""), shown
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert ids.index("example-scores-1") < ids.index("clauses")
    page.goto(base_url, wait_until="networkidle")
    page.locator(".md-content a", has_text="Check your CS231n assignment").first.click()
    page.wait_for_url("**/assignment/")
    assert page.locator("h1").inner_text().startswith("Check your CS231n assignment")
    page.close()


MISTAKE_CLAUSES = {  # the clause each mistake's report must name at core
    "kink-counted": "HINGE-2", "global-max-shift": "SOFTMAX-11", "half-reg": "REG-4",
    "missing-mean": "GRAD-1", "missing-reg-grad": "GRAD-1",
}


def plain(text: str) -> str:
    """A page's text without its tags (a highlighted code block splits its words among spans)."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", text))


def test_the_assignment_page_shows_real_reports_of_the_five_common_mistakes():
    """Each mistake: the code that differs from the correct example, and a report from a real run that fails
    at core on the clause the mistake breaks; the passing example's report conforms; the install is a file
    the site serves."""
    text = html("assignment/index.html")
    for anchor, clause in MISTAKE_CLAUSES.items():
        assert f'id="{anchor}"' in text, anchor
        section = text[text.index(f'id="{anchor}"'):]
        section = section[: section.find("<h3", 10) if "<h3" in section[10:] else section.find("<h2")]
        assert "language-diff" in section or "diff" in section, anchor
        assert re.search(rf"core: fails \([^)]*{clause}", section), (anchor, clause)
        assert "lcspec conformance: cs231n:docs/mistakes/" in section, anchor
    passing = text[text.index('id="reading-the-verdict"'):text.index('id="the-five-most-common-mistakes"')]
    assert "verdict: conforms at level core" in passing and "core: fails" not in passing
    wheel = re.search(r'href="(\.\./download/lcspec-[^"]+\.whl)"', text)
    assert wheel and (SITE / "assignment" / wheel[1]).resolve().is_file(), "no wheel to download"
    assert "pip install ./lcspec-" in plain(text)
    for key in chapters():  # every chapter ends its teaching with the way here
        if key != "conventions":
            assert 'href="../../assignment/"' in html(CHAPTER_PAGES[key]), key


def test_the_wheel_the_site_serves_is_the_package():
    import zipfile

    (wheel,) = (SITE / "download").glob("lcspec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "lcspec/reference/hinge.py" in names and "lcspec/cli.py" in names
    assert not any(n.startswith(("reference/", "tests/")) for n in names)


def test_the_api_page_names_the_package_as_it_is_imported():
    """lcspec.reference, not `reference`; each function links to its one card on its chapter's page; no card
    is repeated here."""
    text = html("api/index.html")
    assert "from lcspec import reference" in re.sub(r"<[^>]+>", "", text)
    assert "import reference\n" not in re.sub(r"<[^>]+>", "", text)
    assert 'id="reference.hinge_losses"' not in text and 'id="reference.hinge.hinge_losses"' not in text
    assert 'href="../spec/04-regularization/#reference.softmax_loss"' in text
    assert 'id="the-contract"' in text


def test_each_readers_question_has_a_page_that_answers_it():
    """A student's "is my svm_loss right?", an implementer's "what exactly is softmax_loss's convention?"."""
    student = plain(html("assignment/index.html"))
    assert "lcspec check cs231n:assignment1" in student and "svm_loss_vectorized" in student
    implementer = html("spec/04-regularization/index.html")
    card = implementer[implementer.index('id="reference.softmax_loss"'):]
    assert "Specified by" in card and "REG-4" in card


def test_the_protocols_numbered_steps_are_one_list():
    """§2's steps (hello, the handshake answer, ...) render as one list numbered 1, 2, 3, not 1, 1, 1, 2."""
    text = html("spec/protocol/index.html")
    section = text[text.index("<strong>hello</strong>") - 400 :]
    first_list = section[section.rindex("<ol", 0, 400) :]
    assert "<strong>The handshake answer</strong>" in first_list[: first_list.index("</ol>")]


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """The site under /sub/lcspec/, as a project's pages are served; a missing page gets 404.html, status 404."""

    PREFIX = "/sub/lcspec/"

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        path = urlsplit(path).path
        inner = path[len(self.PREFIX):] if path.startswith(self.PREFIX) else "\0missing"
        return super().translate_path("/" + inner)

    def send_head(self):
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if "\0" in str(target) or not target.is_file():
            body = (SITE / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        return super().send_head()


def test_the_404_page_works_under_a_sub_path(browser):
    """Served at /sub/lcspec/, a missing page deep inside shows the 404 page styled, its KaTeX and scripts
    loaded, and its link home leads to /sub/lcspec/."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=SITE))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/sub/lcspec/"
    page = browser.new_page()
    failed = []  # the page's probes for its root (assets/clause-index.json) may miss on the way; nothing else
    page.on("response", lambda r: r.status >= 400 and "/no/such/" not in r.url
            and not r.url.endswith("assets/clause-index.json") and failed.append(r.url))
    response = page.goto(root + "no/such/page/", wait_until="networkidle")
    assert response.status == 404
    assert not failed, failed
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") != "static"
    home = page.evaluate("() => document.querySelector('a.md-header__button.md-logo').href")
    assert home == root, home
    page.close()
    server.shutdown()
    server.server_close()


def test_chapter_3s_numerics_for_implementers_sit_in_boxes():
    """TwoSum and log1p are floating-point detail: each in a "For implementers" box, not in the running text."""
    text = html(CHAPTER_PAGES["softmax"])
    teaching = text[: text.index('id="worked-examples"')]
    boxes = re.findall(r'<div class="admonition note">\s*<p class="admonition-title">For implementers:(.*?)</div>',
                       teaching, re.S)
    assert len(boxes) == 2, len(boxes)
    assert "log1p" in boxes[0] and "TwoSum" in boxes[1]
    outside = re.sub(r'<div class="admonition note">\s*<p class="admonition-title">For implementers:.*?</div>', "",
                     teaching, flags=re.S)
    assert "TwoSum" not in outside


def test_a_link_to_a_folded_function_card_opens_it(browser, base_url):
    """The cards are folded below the clauses; following a clause's link to its function shows the card."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "spec/02-multiclass-svm/", wait_until="networkidle")
    card = page.locator("[id='reference.hinge_losses']")
    assert not card.is_visible()  # folded
    page.locator("p.clause-facts a[href='#reference.hinge_losses']").first.click()
    card.wait_for(state="visible", timeout=5_000)
    assert page.evaluate("() => { const r = document.getElementById('reference.hinge_losses').getBoundingClientRect();"
                         " return r.top >= 0 && r.top < innerHeight; }")
    page.close()


def test_every_install_command_on_the_site_works():
    """No placeholder URL and no package name that PyPI does not have: the pages that install lcspec link the
    wheel the site serves."""
    for path in PAGES:
        text = plain(html(path))
        assert "the repository's URL" not in text, path
        assert not re.search(r"pip install (-U )?lcspec(\s|$)", text), path
    for path in ("assignment/index.html", "guides/validate/index.html", "guides/ci/index.html", "guides/grade/index.html"):
        assert re.search(r'href="(\.\./)+download/lcspec-[^"]+\.whl"', html(path)), path



# ---------------------------------------------------------------------------------------------------
# The hand-written pages read as source (on a forge, in an editor) and in the site: generated blocks and links.

HAND_WRITTEN = sorted(p for p in (ROOT / "docs").rglob("*.md") if "node_modules" not in p.parts)
OPENING = re.compile(r"<!-- (?!/)(.+?) -->")


def outside_code(markdown: str) -> str:
    """The Markdown without its fenced code blocks and inline code spans."""
    markdown = re.sub(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", "", markdown)
    return re.sub(r"(`+).+?\1", "", markdown, flags=re.S)


def built_page(source: Path) -> str:
    """The built HTML of a hand-written page (docs/pages/guides/ci.md -> guides/ci/index.html)."""
    uri = source.relative_to(ROOT / "docs" / "pages").with_suffix("").as_posix()
    return "index.html" if uri == "index" else uri.removesuffix("/index") + "/index.html"


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_generated_block_shows_a_reader_of_the_source_what_goes_there(path):
    """Read as Markdown, a page shows no bare marker: each `<!-- NAME -->` is followed by text for the reader of
    the source and closed by `<!-- /NAME -->`."""
    text = path.read_text(encoding="utf-8")
    for m in OPENING.finditer(text):
        end = text.find(f"<!-- /{m[1]} -->", m.end())
        assert end > 0, f"{m[0]} is never closed"
        assert re.search(r"\w{3,}", text[m.end():end]), f"{m[0]} shows a reader of the source nothing"


def test_the_site_shows_what_the_blocks_generate_not_the_text_for_the_source():
    blocks = 0
    for path in HAND_WRITTEN:
        text = path.read_text(encoding="utf-8")
        for m in OPENING.finditer(text):
            source = text[m.end(): text.index(f"<!-- /{m[1]} -->", m.end())]
            words = " ".join(re.sub(r"[*`]", "", source).split()[:6])
            assert words not in plain(html(built_page(path))), (path.name, m[0])
            blocks += 1
    assert blocks >= 10, blocks


def relative_targets(markdown: str) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)", outside_code(markdown))
    targets += re.findall(r'\b(?:href|src)="([^"]+)"', outside_code(markdown))
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|/|#", t, re.I)]


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_of_a_page_resolves_in_the_repository(path):
    """Read as source, each relative link leads to a file (or folder) of the repository, from the page's folder."""
    targets = relative_targets(path.read_text(encoding="utf-8"))
    missing = [t for t in targets if not (path.parent / t.partition("#")[0]).exists()]
    assert not missing, missing


def test_the_link_checks_see_the_links_to_the_spec():
    """The pages link the spec by its path in the repository, and the check above sees those links."""
    targets = relative_targets((ROOT / "docs" / "pages" / "guides" / "validate.md").read_text(encoding="utf-8"))
    assert "../../../spec/00-conventions.md#CONV-10" in targets, targets
    assert "../../spec/01-score-function.md" in relative_targets((ROOT / "docs" / "pages" / "index.md").read_text())


def site_target(page: str, url: str) -> tuple[Path, str]:
    """(the built file, the fragment) a relative URL of a built page leads to."""
    path, fragment = urlsplit(url).path, urlsplit(url).fragment
    target = Path(os.path.normpath(Path(page).parent / path)) if path else Path(page)
    if path.endswith("/") or (SITE / target).is_dir():
        target = target / "index.html"
    return target, fragment


def test_every_relative_link_of_the_built_site_resolves():
    """Each relative href and src of each built page (but the 404 page, which takes its <base> at run time) leads
    to a file of the site; a fragment on a link to a page leads to an id on it."""
    problems, seen = [], 0
    for page in PAGES:
        if page == "404.html":
            continue
        text = html(page)
        for url in re.findall(r'\b(?:href|src)="([^"]+)"', text):
            if re.match(r"[a-z][a-z0-9+.-]*:|/|#", url, re.I):
                continue
            seen += 1
            target, fragment = site_target(page, url)
            if not (SITE / target).is_file():
                problems.append(f"{page}: {url} (no {target})")
            elif fragment and target.suffix == ".html" and fragment not in ids_in(html(target.as_posix())):
                problems.append(f"{page}: {url} (no id {fragment})")
    assert seen > 1000, seen
    assert not problems, "\n".join(problems[:40])


# The sentence of each chapter's text that moves the weights, and the demo pointer that must sit in its section.
DEMO_NEAR = {
    "scores": "rotates the hyperplane",
    "hinge": "confident win, not just a win",
    "softmax": "Halving the scores moves every probability",
    "regularization": "The penalty also prefers",
    "optimization": "performs one step",
}


@pytest.mark.parametrize("key", list(DEMO_NEAR))
def test_the_demo_is_linked_where_the_text_moves_the_weights(key):
    """The chapter's "Try it" pointer to the interactive demo sits in the section whose text moves the weights."""
    text = html(CHAPTER_PAGES[key])
    at = text.index(DEMO_NEAR[key])
    start = text.rfind("<h2", 0, at)
    end = text.find("<h2", at)
    section = text[start:end]
    assert 'href="../../demo/"' in section and "Try it" in section, key
    content = text[text.index('class="md-content"'):]  # not the navigation, which links the demo too
    assert content.count('href="../../demo/"') == 1, key


def test_the_home_page_links_the_demo():
    assert 'href="demo/"' in html("index.html")


def test_the_performance_page_explains_eps_and_says_each_comparison_once():
    """An error in ε is explained beside the table; no table repeats one "compared to" text row after row (what
    every row, or every row of a measure, is compared with is said once)."""
    text = html("performance/index.html")
    assert "machine epsilon" in plain(text) and "2^{-52}" in text
    tables = re.findall(r"<table>(.*?)</table>", text, re.S)
    assert len(tables) >= 3
    for table in tables:
        head = [plain(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
        if "compared to" not in head:
            continue
        at = head.index("compared to")
        cells = [plain(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[at]).strip()
                 for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
        repeated = {c: cells.count(c) for c in cells if c and cells.count(c) > 2}
        assert not repeated, repeated
