"""MkDocs hook: one page per spec chapter, generated from the sources so it cannot drift from them.

Each chapter page is, in reading order: the chapter's own Markdown (spec/0N-*.md) under a note of the
CS231n sections it follows (notes.py), with its pictures placed at their markers (pictures.py) and, in
the chapters whose text moves the weights, a pointer to the interactive demo at the line `<!-- demo -->`; its
clauses from spec/clauses.toml, each under a heading whose anchor is the clause ID (e.g. #HINGE-3),
with its level, functions, worked example and picture, and the property tests that check it (the law
each states, typeset by laws.py, and its source, shown once per test under the first clause it names);
the reference functions the chapter defines (mkdocstrings; griffe_cards.py adds what specifies and
checks each); worked examples computed by the reference at build time. Beside the chapters: spec/README.md
as the section's first page, a clause index, clauses.toml and the golden vectors to download, and
spec/CHANGELOG.md (its place in the nav is mkdocs.yml's).
"""

from __future__ import annotations

import inspect
import json
import pkgutil
import re
import textwrap

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File  # under ProperDocs, mkdocs.* is ProperDocs' own
from mkdocs.utils import get_relative_url


from lcspec import reference
import laws, markers, notes, pictures, worked_examples  # a sibling hook module: MkDocs loads hooks with their folder on sys.path
from lcspec.harness.clauses import SPEC_DIR, chapters, clauses
from lcspec.harness.laws import clause_ids_of, property_tests

NAV_SECTION = "Specification"
LIBRARIES = SPEC_DIR / "libraries.md"  # the spec's table of library conventions, after the chapters
LIBRARIES_URI = "spec/libraries.md"
CHANGELOG = SPEC_DIR / "CHANGELOG.md"  # the spec's versions; mkdocs.yml's nav lists the page
CHANGELOG_URI = "spec/CHANGELOG.md"
PROTOCOL = SPEC_DIR / "protocol.md"  # how a judge and an implementation in another process talk
PROTOCOL_URI = "spec/protocol.md"
README = SPEC_DIR / "README.md"  # what is normative: the spec's own introduction, the first page of the section
README_URI = "spec/README.md"  # served as spec/ (a README.md is its folder's index page)
CLAUSE_INDEX_URI = "spec/clause-index.md"
API_URI = "api.md"
CONTRACT_ANCHOR = "the-contract"  # the contract table's heading on the API page
CLAUSES_DOWNLOAD_NAME = "clauses.toml"  # beside the chapters: spec/clauses.toml, linked as written in spec/README.md
DOWNLOADS = ["clauses.toml", *sorted(f"golden/{p.name}" for p in (SPEC_DIR / "golden").glob("*.json"))]
# Markers in hand-written pages where generated Markdown goes (on_page_markdown; blocks of markers.py).
CONTRACT_MARKER = "<!-- contract table -->"
MODULES_MARKER = "<!-- reference modules -->"


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
            config.nav[i] = {NAV_SECTION: [{"About the spec": README_URI}, *pages, LIBRARIES_URI, PROTOCOL_URI,
                                           CLAUSE_INDEX_URI]}
            break
    else:
        raise PluginError(f"mkdocs.yml nav needs a '{NAV_SECTION}' entry for the chapters")
    return config


def on_files(files, config):
    for key in chapters():
        files.append(File.generated(config, page_uri(key), content=chapter_page(key)))
    # beside the chapters, so its links to them work as written
    files.append(File.generated(config, LIBRARIES_URI, content=LIBRARIES.read_text(encoding="utf-8")))
    files.append(File.generated(config, README_URI, content=README.read_text(encoding="utf-8")))
    files.append(File.generated(config, CHANGELOG_URI, content=CHANGELOG.read_text(encoding="utf-8")))
    files.append(File.generated(config, PROTOCOL_URI, content=list_blocks_indented(PROTOCOL.read_text(encoding="utf-8"))))
    files.append(File.generated(config, CLAUSE_INDEX_URI, content=clause_index()))
    index = {cid: f"{page_uri(c['chapter'])[:-3]}/#{cid}" for cid, c in clauses().items()}
    files.append(File.generated(config, "assets/clause-index.json", content=json.dumps(index, indent=0)))
    for name in DOWNLOADS:  # the machine-readable spec, downloadable beside the pages that link it
        files.append(File.generated(config, f"spec/{name}", abs_src_path=str(SPEC_DIR / name)))
    return files


# Paragraphs of a chapter's teaching text that are for implementers (floating-point detail a student can
# skip), by their bold run-in heads: each goes in a box of its own, up to the next run-in head or heading.
NUMERICS = {
    "softmax": ("Accuracy of the logarithm.", "Rounding of the shift."),
}


def box_numerics(key: str, text: str) -> str:
    """The chapter's text with each paragraph of NUMERICS[key] (and what follows it, up to the next bold
    run-in head or heading) in a box titled "For implementers"."""
    lines = text.split("\n")
    for head in NUMERICS.get(key, ()):
        start = next((i for i, line in enumerate(lines) if line.startswith(f"**{head}**")), None)
        if start is None:
            raise PluginError(f"{chapters()[key]['file']}: no paragraph starts with **{head}** (NUMERICS in spec_pages.py)")
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("#") or re.match(r"\*\*[^*]+\.\*\* ", lines[i])), len(lines))
        while end > start and not lines[end - 1].strip():
            end -= 1
        body = [("    " + line) if line.strip() else "" for line in lines[start:end]]
        title = head.rstrip(".").lower()
        lines[start:end] = [f'!!! note "For implementers: {title}"', ""] + body
    return "\n".join(lines)


def list_blocks_indented(text: str) -> str:
    """Blocks inside a numbered list item (code, tables) indented by 4, as Python-Markdown needs them.

    CommonMark (GitHub) takes an item's blocks at the 3 columns of "1. "; Python-Markdown ends the list
    there, so every item would be numbered 1. Each indented line of an item gets one more space.
    """
    out, in_item = [], False
    for line in text.splitlines():
        if re.match(r"\d+\. ", line):
            in_item = True
        elif line.strip() and not line.startswith(" "):
            in_item = False
        elif in_item and line.startswith("   "):
            line = " " + line
        out.append(line)
    return "\n".join(out) + "\n"


def chapter_page(key: str) -> str:
    chapter = chapters()[key]
    own = [c for c in clauses().values() if c["chapter"] == key]
    text = (SPEC_DIR / chapter["file"]).read_text(encoding="utf-8").strip()
    if not text.startswith("# "):
        text = f"# {chapter['title']}\n\n{text}"
    title, _, body = text.partition("\n")
    text = f"{title}\n\n[](){{#{chapter_anchor(key)}}}\n\n{notes.admonition(key)}\n{body}"
    text = pictures.place(key, text)
    text = box_numerics(key, text)
    text = place_demo_note(key, text)
    parts = [text, worked_examples.section(key), next_steps(key),
             clauses_section(key, own), functions_section(key)]
    return "\n\n".join(p for p in parts if p) + "\n"


# The chapters whose text moves a classifier's weights by hand, where the interactive demo lets a reader do it:
# the chapter's Markdown has a line DEMO_MARKER right after the paragraph (or picture) that does it.
DEMO_MARKER = "<!-- demo -->"
DEMO_CHAPTERS = {
    "scores": "drag each class's line and the arrow of its $w_k$, and watch the scores and the predicted regions change",
    "hinge": "move the classifier and watch each example's margins and hinge loss, and which examples are inside the margin",
    "softmax": "switch the demo to the softmax loss and watch the probabilities of each example as the scores move",
    "regularization": "raise $\\lambda$ and watch the penalty's share of the loss and the shrinking arrows",
    "optimization": "take gradient steps, run and stop them, randomise $W$ and start again, with the loss plotted step by step",
}
ASSIGNMENT_URI = "assignment.md"
DEMO_URI = "demo/index.md"


def demo_note(key: str) -> str:
    """A pointer to the interactive demo: what to do there that the chapter's text does on paper."""
    link = get_relative_url(DEMO_URI, page_uri(key))
    return f'!!! tip "Try it"\n\n    In the [interactive demo]({link}): {DEMO_CHAPTERS[key]}.'


def place_demo_note(key: str, text: str) -> str:
    """The chapter's text with its DEMO_MARKER line replaced by the pointer to the demo, where the text moves
    the weights; a chapter of DEMO_CHAPTERS without the line, or with it twice, or another chapter with it,
    fails the build."""
    found = text.count(f"\n{DEMO_MARKER}\n")
    if found != (key in DEMO_CHAPTERS) or text.count(DEMO_MARKER) != found:
        want = "one line" if key in DEMO_CHAPTERS else "no line"
        raise PluginError(f"{chapters()[key]['file']} must have {want} {DEMO_MARKER} (DEMO_CHAPTERS in spec_pages.py), "
                          f"has {text.count(DEMO_MARKER)}")
    return text.replace(f"\n{DEMO_MARKER}\n", f"\n{demo_note(key)}\n") if found else text


def next_steps(key: str) -> str:
    """The end of the teaching part: where a student checks their own code; what follows is the normative part."""
    link = get_relative_url(ASSIGNMENT_URI, page_uri(key))
    return (
        f'!!! success "Check your own code"\n\n    Wrote this in the CS231n assignment? '
        f"[Check your CS231n assignment]({link}) with one command, and read what it reports.\n\n"
        "---\n\n"
        "*What follows is the normative part of the chapter: its clauses, each with the property tests that check "
        "it (folded), and the reference functions it defines.*"
    )


def chapter_anchor(key: str) -> str:
    """The autorefs anchor at the top of a chapter's page: function cards link back to it."""
    return f"chapter-{key}"


def level(clause: dict) -> str:
    """A clause's level: "core" (every implementation must meet it) or "strict"; "core" when unstated."""
    return clause.get("level", "core")


def clauses_section(key: str, own: list[dict]) -> str:
    out = [
        "## Clauses {#clauses}",
        "The normative requirements of this chapter, as registered in "
        f"[`spec/clauses.toml`]({CLAUSES_DOWNLOAD_NAME}) (every clause of the spec: [clause index]({get_relative_url(CLAUSE_INDEX_URI, page_uri(key))})). "
        "Under each clause: its level, the functions it constrains, its worked example and picture where "
        "there is one, and the property tests that check it, each with the law it states.",
    ]
    for c in own:
        out.append(f"### {c['id']} · {c['title']} {{#{c['id']}}}")
        out.append(c["text"])
        out.append(clause_facts(c, page_uri(key)))
        out.append(clause_tests(c))
    return "\n\n".join(out)


def clause_facts(c: dict, here: str) -> str:
    """One line under a clause: level, functions, worked example, picture. A clause on every contract function
    (or all but a few) says so and links to the contract table, instead of listing nineteen names again."""
    facts = [f'<span class="clause-level clause-level--{level(c)}">{level(c)}</span>']
    left_out = [f for f in reference.CONTRACT if f not in c["functions"]]
    table = get_relative_url(API_URI, here) + f"#{CONTRACT_ANCHOR}"
    if len(c["functions"]) > len(reference.CONTRACT) // 2:
        but = (" but " + ", ".join(f"`{f}`" for f in left_out)) if left_out else ""
        facts.append(f"constrains [every contract function]({table}){but}")
    elif c["functions"]:
        facts.append("constrains " + ", ".join(f"[`{f}`][reference.{f}]" for f in c["functions"]))
    else:
        facts.append("constrains no contract function")
    example = worked_examples.example_anchor(c)
    if example:
        kind, _, text = example[1].partition(": ")
        facts.append(f"{kind}: [{text}]({example[0]})")
    for p in pictures.of_clause(c["id"]):
        facts.append(f"picture: [{p.label}]({get_relative_url(page_uri(p.chapter), here)}#{p.anchor})")
    return '<p class="clause-facts" markdown="span">' + " · ".join(facts) + "</p>"


def test_anchor(name: str) -> str:
    """The anchor of a test's entry: its function name (unique across the suite)."""
    return name.split("::")[1]


def tests_by_clause() -> dict[str, list]:
    found: dict[str, list] = {}
    for name, fn in property_tests():
        for cid in dict.fromkeys(clause_ids_of(fn)):  # a parametrized test may name a clause per case
            found.setdefault(cid, []).append((name, fn))
    return found


def home_clause(fn) -> str:
    """The clause under which a test's full entry (law and source) is shown: the first it names."""
    return clause_ids_of(fn)[0]


def test_url(name: str, fn, here: str) -> str:
    page = page_uri(clauses()[home_clause(fn)]["chapter"])
    return (get_relative_url(page, here) if page != here else "") + f"#{test_anchor(name)}"


def law(fn) -> str:
    """The test's law (its docstring's first paragraph) as Markdown with typeset maths."""
    first = (inspect.getdoc(fn) or "").split("\n\n")[0]
    return laws.law_markdown(" ".join(first.split()), set(reference.CONTRACT) | set(reference.STRATEGIES))


def clause_tests(c: dict) -> str:
    here = page_uri(c["chapter"])
    tests = tests_by_clause().get(c["id"], [])
    if not tests:
        return '!!! warning "No property test names this clause yet."'
    out = []
    for name, fn in tests:
        module, test = name.split("::")
        ids = clause_ids_of(fn)
        cases = ids.count(c["id"])
        counted = f" ({cases} of its {len(ids)} cases are this clause's)" if cases > 1 and len(set(ids)) > 1 else ""
        if home_clause(fn) != c["id"]:
            out.append(f"- {law(fn)} [`{test}`]({test_url(name, fn, here)}){counted}, shown under "
                       f"[{home_clause(fn)}]({clause_link(home_clause(fn), c)}).")
            continue
        others = [i for i in dict.fromkeys(ids) if i != c["id"]]
        also = " Also checks " + ", ".join(f"[{i}]({clause_link(i, c)})" for i in others) + "." if others else ""
        source = textwrap.dedent(inspect.getsource(fn)).rstrip()
        out.append(
            f"- [](){{#{test_anchor(name)}}}{law(fn)}{counted}{also}\n\n"
            f'    ??? example "`tests/{module}.py::{test}`"\n\n'
            "        ```python\n" + textwrap.indent(source, " " * 8) + "\n        ```"
        )
    # Folded: the laws are for implementers; a student reads the clause and its facts above.
    heading = f"Checked by {len(tests)} property test{'s' if len(tests) > 1 else ''}"
    return f'??? success "{heading}"\n\n' + textwrap.indent("\n\n".join(out), "    ")


def chapter_functions(key: str) -> list[str]:
    """The reference functions this chapter defines (the `defines` field of its record in clauses.toml)."""
    return list(chapters()[key]["defines"])


def functions_section(key: str) -> str:
    funcs = chapter_functions(key)
    if not funcs:
        return ""
    out = [
        "## Reference functions {#reference-functions}",
        "The reference functions this chapter defines, each folded under its signature and what it returns: "
        "open one for its parameters, what it raises, the clauses that specify it, the tests that check it, and "
        "its source. A link to a function opens its card.",
    ]
    for f in funcs:
        fn = getattr(reference, f)
        summary = inspect.getdoc(fn).splitlines()[0].replace('"', "'")
        out.append(f'??? abstract "`{f}{inspect.signature(fn)}`: {summary}"\n\n    ::: reference.{f}')
    return "\n\n".join(out)


def clause_link(clause_id: str, here: dict) -> str:
    return (
        f"#{clause_id}"
        if clauses()[clause_id]["chapter"] == here["chapter"]
        else clause_url(clause_id, page_uri(here["chapter"]))
    )


def clause_index() -> str:
    """The clause index page: every clause with its level, functions and tests."""
    here = CLAUSE_INDEX_URI
    out = [
        "# Clause index",
        "Every clause of the specification, in the order of [`spec/clauses.toml`](clauses.toml) "
        "(download it, and the [golden vectors](golden/worked_figures.json), to use the spec from another "
        "language). A clause's level is **core** when every conforming implementation must meet it and "
        "**strict** for the stricter guarantees that the reference keeps and the suite reports apart.",
    ]
    for key, chapter in chapters().items():
        own = [c for c in clauses().values() if c["chapter"] == key]
        if not own:
            continue
        out.append(f"## [{chapter['title']}]({get_relative_url(page_uri(key), here)})")
        rows = ["| clause | level | functions | tests |", "|---|---|---|---|"]
        for c in own:
            funcs = ", ".join(f"[`{f}`][reference.{f}]" for f in c["functions"]) or "—"
            tests = ", ".join(
                f"[`{test_anchor(n)}`]({test_url(n, fn, here)})" for n, fn in tests_by_clause().get(c["id"], [])
            )
            rows.append(f"| [{c['id']}]({clause_url(c['id'], here)}) {c['title']} | {level(c)} | {funcs} | {tests} |")
        out.append("\n".join(rows))
    return "\n\n".join(out) + "\n"


def on_page_markdown(markdown, page, config, files):
    """Hand-written pages take generated parts at markers: the contract table and the modules of the API page."""
    if CONTRACT_MARKER in markdown:
        markdown = markers.fill(markdown, CONTRACT_MARKER, contract_table(page.file.src_uri), page.file.src_uri)
    if MODULES_MARKER in markdown:
        markdown = markers.fill(markdown, MODULES_MARKER, reference_modules(page.file.src_uri), page.file.src_uri)
    return markdown


def card_url(name: str, here: str) -> str:
    """A relative link to a reference function's card, on the page of the chapter that defines it."""
    key = next(k for k, c in chapters().items() if name in c["defines"])
    return get_relative_url(page_uri(key), here) + f"#reference.{name}"


def contract_table(here: str) -> str:
    """Every contract function: its signature (linked to its card), what it is (the docstring's first line), and
    the chapter that specifies it."""
    defined_in = {f: key for key, chapter in chapters().items() for f in chapter["defines"]}
    rows = ["| function | what it returns | specified in |", "|---|---|---|"]
    for name in reference.CONTRACT:
        fn = getattr(reference, name)
        summary = inspect.getdoc(fn).splitlines()[0]
        key = defined_in[name]
        link = get_relative_url(page_uri(key), here)
        rows.append(f"| [`{name}{inspect.signature(fn)}`]({card_url(name, here)}) | {summary} | "
                    f"[{chapters()[key]['title']}]({link}) |")
    return "\n".join(rows)


def reference_modules(here: str = API_URI) -> str:
    """Per public module of `lcspec.reference`: its summary, its functions linked to their cards on the chapter
    pages (which this page does not repeat), and a card for each public name no chapter defines."""
    defined = {f: key for key, c in chapters().items() for f in c["defines"]}
    out = []
    for info in pkgutil.iter_modules(reference.__path__):
        if info.name.startswith("_"):
            continue
        module = getattr(reference, info.name, None) or __import__(f"lcspec.reference.{info.name}", fromlist=["_"])
        own = [n for n, v in vars(module).items()
               if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__]
        summary = (inspect.getdoc(module) or "").split("\n\n")[0]
        out.append(f"### `lcspec.reference.{info.name}`")
        out.append(" ".join(summary.split()))
        carded = [n for n in own if n in defined]
        if carded:
            out.append("\n".join(
                f"- [`{n}`]({card_url(n, here)}), specified in "
                f"[{chapters()[defined[n]]['title']}]({get_relative_url(page_uri(defined[n]), here)})"
                for n in carded))
        rest = [n for n in own if n not in defined]
        if rest:
            out.append(f"::: reference.{info.name}\n    options:\n      show_root_heading: false\n"
                       f"      members: [{', '.join(rest)}]\n      heading_level: 4")
    return "\n\n".join(out)
