"""The built site in a real browser: every page, served on 127.0.0.1, opened in headless Chromium.

Run after `mkdocs build` (the site in ./site, or LCSPEC_SITE): `pytest docs/tests/test_site.py`.
Needs Debian's chromium at /usr/bin/chromium (or LCSPEC_CHROMIUM) and the `playwright` package; the
browser build that `playwright install` would download is never used.
"""

from __future__ import annotations

import functools
import http.server
import os
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


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(browser, base_url, path):
    """Opened in Chromium: math typeset, pictures loaded, no console error, no request off 127.0.0.1."""
    context = browser.new_context()
    page = context.new_page()
    outside, errors, failed = [], [], []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
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
    """The hinge-loss page: typeset clause math, the reference's code, examples, pictures, properties."""
    page = browser.new_page()
    page.goto(base_url + "spec/02-multiclass-svm/", wait_until="networkidle")
    sections = page.eval_on_selector_all("h2", "hs => hs.map(h => h.id)")
    assert [
        s for s in sections if s in ("clauses", "reference-functions", "worked-examples", "pictures", "properties")
    ] == ["clauses", "reference-functions", "worked-examples", "pictures", "properties"], sections
    assert page.locator("h3#HINGE-1 ~ p .katex").count() > 0  # the clause's formula is typeset
    assert page.locator("[id='reference.hinge_losses']").count() == 1
    assert page.locator("details", has_text="def hinge_losses(S, y, delta=1.0)").count() == 1  # its source
    assert page.locator("table .katex").count() > 0  # worked examples, typeset
    assert page.locator("figure img[src$='.svg']").count() >= 2
    assert page.locator("h3#HINGE-1-properties ~ ul details pre").count() > 0  # a test's source, folded
    page.close()
