"""The conformance page and the validation guide's failing report, as built (see test_site.py for the setup).

Run after `mkdocs build` (the site in ./site, or LCSPEC_SITE): `pytest docs/tests/test_conformance_page.py`.
The page is checked whichever reports it was built from: the build's own runs (a plain `mkdocs build`)
or `python docs/run_conformance.py`'s (CI). The path without reports is also checked at the hook itself,
which runs the suite (or finds its cached results under build/docs-runs/).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("LCSPEC_SITE", ROOT / "site"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "hooks"))  # the hooks import each other by name, as MkDocs loads them

from docs.tests.test_site import base_url, browser  # noqa: E402,F401  (the served site and Chromium, shared)
from lcspec.harness.clauses import clauses  # noqa: E402

EXAMPLE = "cs231n:examples/cs231n_linear_classifier.py"


def html(path: str) -> str:
    if not (SITE / path).is_file():
        pytest.fail(f"no built page {SITE / path}: run `mkdocs build` first")
    return (SITE / path).read_text(encoding="utf-8")


def verdict_rows(text: str) -> dict[str, list[str]]:
    """The verdict table: run-as command -> [core, strict] cells, as text."""
    table = text[text.index('id="verdicts"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[cells[1]] = cells[2:]
    return rows


def test_the_reference_conforms_at_strict_and_the_example_at_core():
    rows = verdict_rows(html("conformance/index.html"))
    assert rows["lcspec check reference --level=strict"] == ["✔ conforms", "✔ conforms"], rows
    for variant in ("naive", "vectorized"):
        core, _ = rows[f"lcspec check {EXAMPLE} --level=core ({variant})"]
        assert core == "✔ conforms", rows


def test_the_page_says_where_its_results_come_from_and_nothing_of_the_clock():
    text = html("conformance/index.html")
    assert "Conformance as this build ran it" in text or "from <code>python docs/run_conformance.py</code>" in text
    assert "run time" not in text and " seconds" not in text
    assert str(ROOT) not in text


def test_the_clause_view_gives_each_clause_its_level_and_link():
    text = html("conformance/index.html")
    assert 'id="by-function"' in text and 'id="by-clause"' in text
    view = text[text.index('id="by-clause"') :]
    view = view[: view.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", view, re.S)[1:]
    shown = {}
    for row in rows:
        found = re.search(r'href="\.\./spec/([\w-]+)/#([A-Z]+-\d+)"', row)
        if found:
            level = re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[1])
            shown[found[2]] = (found[1], level)
    assert shown["HINGE-2"] == ("02-multiclass-svm", "core")
    assert shown["CONV-3"][1] == "strict"
    for cid, (chapter, level) in shown.items():
        assert level == clauses()[cid]["level"], cid
        assert f'id="{cid}"' in html(f"spec/{chapter}/index.html"), f"{cid}'s link leads nowhere"


def test_the_guide_shows_a_real_failing_report_naming_hinge_2():
    text = html("guides/validate/index.html")
    blocks = [re.sub(r"<[^>]+>", "", b) for b in re.findall(r"<pre.*?</pre>", text, re.S)]
    summary = next(b for b in blocks if "lcspec conformance: cs231n:tests/suite/fixtures/cs231n_student.py" in b)
    assert "HINGE-2 [core] fails" in summary and "SOFTMAX-11 [core] fails" in summary
    assert summary.rstrip().splitlines()[-1].startswith("lcspec: fails at level core")
    assert "run time" not in summary
    repro = next(b for b in blocks if "your function:   svm_loss_naive" in b)
    ours = re.search(r"your result: +(.*)", repro)[1]
    expected = re.search(r"expected: +(.*)", repro)[1]
    assert ours != expected, "the reproduction shows a call whose value is the reference's"
    assert str(ROOT) not in text and "/work/" not in text  # paths relative to the repository root


@pytest.mark.parametrize("width", [1400, 390])
def test_nothing_on_the_conformance_page_runs_past_the_content(browser, base_url, width):  # noqa: F811
    """Failure messages and long names wrap; only tables may scroll (on a phone), never the page."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base_url + "conformance/", wait_until="networkidle")
    past = page.evaluate("""(slack) => {
        const edge = document.querySelector('.md-content__inner').getBoundingClientRect().right;
        return Array.from(document.querySelectorAll('.md-content__inner *'))
          .filter(el => !el.closest('.md-typeset__scrollwrap, table, pre'))
          .filter(el => el.getBoundingClientRect().right > edge + slack)
          .map(el => el.tagName + ': ' + el.textContent.slice(0, 80));
    }""", 4)  # a code span's padding, repeated on each of its lines, may stand out by 3 px
    page_scrolls = page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
    page.close()
    assert not past, past
    assert not page_scrolls


def test_without_reports_the_build_runs_the_suite_itself(tmp_path, monkeypatch):
    """With build/conformance/ empty, the hook runs (or finds cached) the docs-profile runs of the reference
    and the CS231n example, and the page shows them."""
    import conformance_page

    monkeypatch.setattr(conformance_page, "REPORTS", tmp_path)
    conformance_page.on_config(None)
    text = conformance_page.matrix("conformance.md")
    assert "Conformance as this build ran it" in text
    assert "| [reference](#impl-reference) | `lcspec check reference --level=strict` | ✔ conforms | ✔ conforms |" in text
    assert f"`lcspec check {EXAMPLE} --level=core` (naive) | ✔ conforms |" in text
    assert "## By clause" in text and "| [HINGE-2](spec/02-multiclass-svm.md#HINGE-2) | <span class=\"cv-level cv-level--core\">core</span> |" in text


def test_with_reports_the_build_uses_them_and_runs_nothing(tmp_path, monkeypatch):
    """After `python docs/run_conformance.py` (CI: before `mkdocs build`) the page shows its reports, and the
    build starts no run of its own: the guide's report is cached too."""
    import conformance_page
    import conformance_runs

    monkeypatch.setattr(conformance_page, "REPORTS", tmp_path / "none")
    conformance_page.on_config(None)
    made = conformance_runs.page_reports()  # the build's own (cached) runs stand in for run_conformance.py's
    for report in made:
        (tmp_path / report.name).write_bytes(report.read_bytes())
    monkeypatch.setattr(conformance_page, "REPORTS", tmp_path)
    conformance_page.on_config(None)
    assert not conformance_runs._running, "the build ran the suite although reports were given"
    text = conformance_page.matrix("conformance.md")
    assert "from `python docs/run_conformance.py`" in text and "Conformance as this build ran it" not in text


def test_the_dashboard_colours_each_cell_and_links_each_failure_to_its_tests():
    """By clause: a column per implementation (the ports among them where built), every cell coloured by its
    status, and every failing or deviating cell a link to the list item that shows its failing tests."""
    text = html("conformance/index.html")
    view = text[text.index('id="by-clause"'):]
    view = view[view.index("<table"): view.index("</table>")]  # the table, not the legend above it
    cells = re.findall(r'<(a|span) class="cv cv--([\w-]+)"(?: href="#([^"]+)")?', view)
    assert cells and {kind for _, kind, _ in cells} >= {"conforms", "none"}
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    for tag, kind, target in cells:
        if kind in ("fails", "fails-beyond", "deviates"):
            assert tag == "a" and target in ids, (kind, target)
            item = text[text.index(f'id="{target}"'):]
            assert "fails:" in item[:3000] or "deviates, as declared" in item[:3000], target
    header = view[: view.index("</thead>")]
    assert "reference" in header
    if (ROOT / "examples" / "c" / "lcspec_c").is_file():  # built: the C port has its column, by its own name
        assert ">lcspec-c-port</a></th>" in header, header


def test_the_page_says_which_columns_only_a_full_run_has():
    """Built without run_conformance.py's reports, the page has no library adapter column and names each one
    as a column only a full run has; built with them, each adapter has its column or is listed as not run."""
    import conformance_page

    text = html("conformance/index.html")
    view = text[text.index('id="by-clause"'):]
    header = view[view.index("<table"): view.index("</thead>")]
    adapters = conformance_page.adapter_columns()
    assert adapters, "no library adapter in tests/adapters"
    if "Conformance as this build ran it" in text:
        note = text[text.index("Conformance as this build ran it"): text.index('id="verdicts"')]
        assert "Columns only a full run has" in note
        for name in adapters:
            assert f"<code>{name}</code>" in note, name
            assert f">{name}</a></th>" not in header, name
    else:
        not_run = text[text.index('id="not-run"'):] if 'id="not-run"' in text else ""
        for name in adapters:
            assert f">{name}</a></th>" in header or f"{name}_adapter" in not_run, name
