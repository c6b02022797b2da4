"""MkDocs hook: one page per spec chapter, generated from the sources so it cannot drift from them.

Each chapter page is, in reading order: the chapter's own Markdown (spec/0N-*.md), its clauses from
spec/clauses.toml (each under a heading whose anchor is the clause ID, e.g. #HINGE-3), the reference
functions the chapter defines (mkdocstrings), worked examples computed by the reference at build
time, the chapter's pictures (hook pictures.py), and every property test of each clause: its law
(the test's docstring), its name, and its source folded.
"""

from __future__ import annotations

import inspect
import pkgutil
import sys
import textwrap
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File  # under ProperDocs, mkdocs.* is ProperDocs' own
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # this checkout's reference/ and tests/, not an installed copy
    sys.path.insert(0, str(ROOT))

import reference  # noqa: E402
from docs.hooks import pictures, worked_examples  # noqa: E402
from tests.clauses import SPEC_DIR, chapters, clauses  # noqa: E402
from tests.suite.test_clause_links import clause_ids_of, property_tests  # noqa: E402

NAV_SECTION = "Specification"
LIBRARIES = SPEC_DIR / "libraries.md"  # the spec's table of library conventions, after the chapters
LIBRARIES_URI = "spec/libraries.md"
# Markers in hand-written pages where generated Markdown goes (on_page_markdown).
CONTRACT_MARKER = "<!-- contract table -->"
LIBRARIES_MARKER = "<!-- spec/libraries.md -->"
MODULES_MARKER = "<!-- reference modules -->"
PROPERTIES_HEADING = "## Properties {#properties}"  # the last section of a chapter page; other hooks add theirs before it


def page_uri(key: str) -> str:
    """Where a chapter's page lives in the site (spec/02-multiclass-svm.md -> spec/02-multiclass-svm/)."""
    return f"spec/{chapters()[key]['file']}"


def clause_url(clause_id: str, from_uri: str) -> str:
    """A relative link from page `from_uri` to the clause's anchor on its chapter's page."""
    target = page_uri(clauses()[clause_id]["chapter"])
    return get_relative_url(target, from_uri) + f"#{clause_id}"


def on_config(config):
    missing = [c["file"] for c in chapters().values() if not (SPEC_DIR / c["file"]).is_file()]
    if missing:
        raise PluginError(f"spec/clauses.toml lists chapters that do not exist in spec/: {missing}")
    for i, item in enumerate(config.nav or []):
        if isinstance(item, dict) and NAV_SECTION in item:
            pages = [page_uri(key) for key in chapters()]
            config.nav[i] = {NAV_SECTION: [*pages, LIBRARIES_URI]}
            break
    else:
        raise PluginError(f"mkdocs.yml nav needs a '{NAV_SECTION}' entry for the chapters")
    return config


def on_files(files, config):
    for key in chapters():
        files.append(File.generated(config, page_uri(key), content=chapter_page(key)))
    # beside the chapters, so its links to them work as written
    files.append(File.generated(config, LIBRARIES_URI, content=LIBRARIES.read_text(encoding="utf-8")))
    return files


def chapter_page(key: str) -> str:
    chapter = chapters()[key]
    own = [c for c in clauses().values() if c["chapter"] == key]
    text = (SPEC_DIR / chapter["file"]).read_text(encoding="utf-8").strip()
    if not text.startswith("# "):
        text = f"# {chapter['title']}\n\n{text}"
    parts = [text, clauses_section(own), functions_section(key)]
    parts += [worked_examples.section(key), pictures.section(key), properties_section(own)]
    return "\n\n".join(p for p in parts if p) + "\n"


def clauses_section(own: list[dict]) -> str:
    out = ["## Clauses {#clauses}", "The normative requirements of this chapter, as registered in `spec/clauses.toml`."]
    for c in own:
        funcs = ", ".join(f"[`{f}`][reference.{f}]" for f in c["functions"])
        out.append(f"### {c['id']} · {c['title']} {{#{c['id']}}}")
        out.append(c["text"])
        meta = [f"[Properties that check it](#{c['id']}-properties)"]
        if funcs:
            meta.insert(0, f"Constrains {funcs}.")
        out.append(" ".join(meta))
    return "\n\n".join(out)


def chapter_functions(key: str) -> list[str]:
    """The reference functions this chapter defines (the `defines` field of its record in clauses.toml)."""
    return list(chapters()[key]["defines"])


def functions_section(key: str) -> str:
    funcs = chapter_functions(key)
    if not funcs:
        return ""
    out = ["## Reference functions {#reference-functions}", "Signature, docstring and source of each reference function this chapter defines."]
    out += [f"::: reference.{f}" for f in funcs]
    return "\n\n".join(out)


def tests_by_clause() -> dict[str, list]:
    found: dict[str, list] = {}
    for name, fn in property_tests():
        for cid in dict.fromkeys(clause_ids_of(fn)):  # a parametrized test may name a clause per case
            found.setdefault(cid, []).append((name, fn))
    return found


def properties_section(own: list[dict]) -> str:
    by_clause = tests_by_clause()
    out = [
        PROPERTIES_HEADING,
        "The property tests that check each clause, taken from the suite (`tests/test_*.py`): the law each "
        "states, and its source. Hypothesis draws the inputs; `impl` is the implementation under test.",
    ]
    for c in own:
        out.append(f"### Properties of {c['id']} {{#{c['id']}-properties}}")
        out.append(f"[{c['id']}](#{c['id']}) · {c['title']}")
        if not by_clause.get(c["id"]):
            out.append('!!! warning "No property test names this clause yet."')
        for name, fn in by_clause.get(c["id"], []):
            module, test = name.split("::")
            law = " ".join((fn.__doc__ or "").split())  # one line: it opens a list item
            source = textwrap.dedent(inspect.getsource(fn)).rstrip()
            others = [i for i in dict.fromkeys(clause_ids_of(fn)) if i != c["id"]]
            also = " Also checks " + ", ".join(f"[{i}]({clause_link(i, c)})" for i in others) + "." if others else ""
            out.append(
                f"- {law}{also}\n\n"
                f'    ??? example "`tests/{module}.py::{test}`"\n\n'
                "        ```python\n" + textwrap.indent(source, " " * 8) + "\n        ```"
            )
    return "\n\n".join(out)


def clause_link(clause_id: str, here: dict) -> str:
    return (
        f"#{clause_id}"
        if clauses()[clause_id]["chapter"] == here["chapter"]
        else clause_url(clause_id, page_uri(here["chapter"]))
    )


def on_page_markdown(markdown, page, config, files):
    """Hand-written pages take generated parts at markers: the contract table, the link to spec/libraries.md,
    the API blocks of the reference modules."""
    if CONTRACT_MARKER in markdown:
        markdown = markdown.replace(CONTRACT_MARKER, contract_table(page.file.src_uri))
    if LIBRARIES_MARKER in markdown:
        markdown = markdown.replace(LIBRARIES_MARKER, libraries_section(page.file.src_uri))
    if MODULES_MARKER in markdown:
        markdown = markdown.replace(MODULES_MARKER, reference_modules())
    return markdown


def contract_table(here: str) -> str:
    """Every contract function: its signature, what it is (the docstring's first line), where defined."""
    defined_in = {f: key for key, chapter in chapters().items() for f in chapter["defines"]}
    rows = ["| function | what it returns | defined in |", "|---|---|---|"]
    for name in reference.CONTRACT:
        fn = getattr(reference, name)
        summary = inspect.getdoc(fn).splitlines()[0]
        key = defined_in[name]
        link = get_relative_url(page_uri(key), here)
        rows.append(f"| `{name}{inspect.signature(fn)}` | {summary} | [{chapters()[key]['title']}]({link}) |")
    return "\n".join(rows)


def libraries_section(here: str) -> str:
    """A link to spec/libraries.md, the spec's own table of library conventions."""
    url = get_relative_url(LIBRARIES_URI, here)
    return f"The spec's table of how each library maps onto the contract: [library conventions]({url})."


def reference_modules() -> str:
    """A mkdocstrings block per public module of `reference`, alphabetically."""
    names = [m.name for m in pkgutil.iter_modules(reference.__path__) if not m.name.startswith("_")]
    return "\n\n".join(f"::: reference.{name}\n    options:\n      members_order: source" for name in names)
