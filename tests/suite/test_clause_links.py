"""The spec and the suite name each other: every clause is checked, every property names its clause."""

from __future__ import annotations

import pytest

from lcspec import reference
from lcspec.harness.clauses import LEVELS, SPEC_DIR, chapters, clauses, registry
from lcspec.harness.laws import clause_ids_of, clause_sets_of, property_tests


def test_every_property_test_names_known_clauses_and_states_its_law():
    problems = []
    known = clauses()
    for name, fn in property_tests():
        ids = clause_ids_of(fn)
        if not ids:
            problems.append(f"{name} names no clause")
        problems += [f"{name} names unknown clause {i}" for i in ids if i not in known]
        if not (fn.__doc__ or "").strip():
            problems.append(f"{name} has no docstring stating its law")
    assert not problems, "\n".join(problems)


def test_every_clause_has_a_level_and_every_test_checks_clauses_of_one_level():
    """A test's level is that of its clauses (lcspec/harness/clauses.py): a test mixing levels would fail a core clause on
    inputs only the strict one asks about."""
    problems = [f"{cid}: level {c.get('level')!r} is not one of {LEVELS}" for cid, c in clauses().items()
                if c.get("level") not in LEVELS]
    for name, fn in property_tests():
        for ids in clause_sets_of(fn):
            levels = {clauses()[i]["level"] for i in ids if i in clauses()}
            if len(levels) > 1:
                problems.append(f"{name} checks {sorted(ids)}, clauses of levels {sorted(levels)}")
    assert not problems, "\n".join(problems)


def test_every_clause_is_checked_by_a_test():
    checked = {i for _, fn in property_tests() for i in clause_ids_of(fn)}
    unchecked = [i for i in clauses() if i not in checked]
    assert not unchecked, f"clauses with no test: {unchecked}"


def test_clause_records_are_well_formed():
    problems = []
    for cid, clause in clauses().items():
        if clause["chapter"] not in chapters():
            problems.append(f"{cid}: unknown chapter {clause['chapter']}")
        if not cid.startswith(cid.split("-")[0] + "-") or not cid.split("-")[1].isdigit():
            problems.append(f"{cid}: IDs are PREFIX-NUMBER")
        problems += [f"{cid}: {f} is not a contract function" for f in clause["functions"] if f not in reference.CONTRACT]
        if not clause["title"].strip() or not clause["text"].strip():
            problems.append(f"{cid}: empty title or text")
    ids = [c["id"] for c in registry()["clause"]]
    assert len(set(ids)) == len(ids), "duplicate clause IDs"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", list(chapters()))
def test_every_chapter_exists_and_cites_each_of_its_clauses(key):
    """A chapter's prose refers to each of its clauses by ID, so the reader meets every clause in context."""
    path = SPEC_DIR / chapters()[key]["file"]
    assert path.is_file(), f"missing chapter {path.name}"
    text = path.read_text()
    missing = [cid for cid, c in clauses().items() if c["chapter"] == key and cid not in text]
    assert not missing, f"{path.name} does not cite {missing}"


def test_every_contract_function_is_constrained_by_some_clause():
    constrained = {f for c in clauses().values() for f in c["functions"]}
    assert set(reference.CONTRACT) <= constrained, set(reference.CONTRACT) - constrained


def test_every_reference_function_is_defined_by_exactly_one_chapter():
    defined = [f for chapter in chapters().values() for f in chapter["defines"]]
    assert sorted(defined) == sorted([*reference.CONTRACT, *reference.STRATEGIES])


def test_spec_and_page_text_holds_no_control_characters():
    """No spec file or hand-written page holds a control character: the usual one is a TeX `\\frac` written through a
    Python string that was not raw, which leaves a form feed and `rac` for KaTeX to choke on."""
    allowed = {"\t"}  # the repository is LF-only, so a \r is a lost \rvert or \rho
    problems = [
        f"{path.relative_to(SPEC_DIR.parent)}:{line}: {ch!r}"
        for folder in (SPEC_DIR, SPEC_DIR.parent / "docs" / "pages")
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".md", ".toml", ".json", ".js", ".css"}
        for line, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)  # not splitlines(): it splits at \f
        for ch in text
        if ch not in allowed and (ord(ch) < 32 or ord(ch) == 127)
    ]
    assert not problems, "\n".join(problems)
