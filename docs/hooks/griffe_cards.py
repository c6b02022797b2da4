"""Griffe extension (loaded by mkdocstrings): each reference function's card says what specifies and checks it.

A function's docstring states its formula, conventions, arguments and return value. What the
specification says about it lives in spec/clauses.toml and the property suite, so this extension adds
it to the docstring when the site is built, instead of restating it by hand:

- **Raises**: the exceptions of chapter 0's clauses that constrain the function (CONV-3 to CONV-9,
  each with its type as the clause's text states it), as a Google-style section;
- **Specified by**: its chapter and the clauses that name it, with their levels;
- **Checked by**: the property tests of those clauses (the conventions' tests run over every
  function and are referred to once).

Clause IDs are written plainly (the clause_links hook links them on whichever page shows the card);
the chapter and the tests are autorefs identifiers (`[...][chapter-hinge]`), so they resolve from the
chapter pages and the API page alike.
"""

from __future__ import annotations

import re

import griffe


from lcspec import reference
from lcspec.harness.clauses import chapters, clauses  # noqa: E402
from lcspec.harness.laws import clause_ids_of, property_tests

DONE = "<!-- lcspec card -->"  # a docstring is extended once, however often griffe visits the object


def level(clause: dict) -> str:
    return clause.get("level", "core")


def defined_in(name: str) -> str | None:
    for key, chapter in chapters().items():
        if name in chapter["defines"]:
            return key
    return None


def raises(name: str) -> str:
    """A Google-style Raises section from the conventions clauses that constrain `name`."""
    by_type: dict[str, list[str]] = {}
    for cid, c in clauses().items():
        if c["chapter"] != "conventions" or name not in c["functions"]:
            continue
        for error in dict.fromkeys(re.findall(r"`(TypeError|ValueError)`", c["text"])):
            by_type.setdefault(error, []).append(f"{c['title'].lower()} ({cid})")
    if not by_type:
        return ""
    items = [f"    {error}: {'; '.join(reasons)}." for error, reasons in sorted(by_type.items())]
    return "Raises:\n" + "\n".join(items)


def card(name: str) -> str:
    key = defined_in(name)
    own = [c for c in clauses().values() if name in c["functions"] and c["chapter"] != "conventions"]
    if name in reference.STRATEGIES:  # reference-only: the clauses of their chapter that name no function
        own += [c for c in clauses().values() if c["chapter"] == key and not c["functions"] and c not in own]
    conventions = [c["id"] for c in clauses().values() if name in c["functions"] and c["chapter"] == "conventions"]
    lines = []
    if key is not None:
        title = chapters()[key]["title"]
        number = int(chapters()[key]["file"][:2])
        spec = ", ".join(f"{c['id']} ({level(c)})" for c in own) or "no clause of its own"
        lines.append(f"**Specified by** [chapter {number}, {title}][chapter-{key}]: {spec}.")
        if conventions:
            lines.append("Conventions: " + ", ".join(conventions) + ".")
    ids = {c["id"] for c in own}
    tests = [n.split("::")[1] for n, fn in property_tests() if ids & set(clause_ids_of(fn))]
    if tests:
        lines.append("**Checked by** the tests of these clauses: " + ", ".join(f"[`{t}`][{t}]" for t in tests) + ".")
    return "\n\n".join(lines)


class SpecCards(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if not obj.is_function or obj.docstring is None or DONE in obj.docstring.value:
            return
        if not obj.path.startswith("reference.") or obj.name.startswith("_") or defined_in(obj.name) is None:
            return
        extra = [part for part in (raises(obj.name), card(obj.name)) if part]
        obj.docstring.value = "\n\n".join([obj.docstring.value.rstrip(), *extra, DONE])
