"""Griffe extension (loaded by mkdocstrings): show a docstring's doctest examples as code.

The reference's docstrings put `>>>` examples straight into the text, which is right for doctest but
Markdown would read `>>>` as nested block quotes. This fences each run of doctest lines (the `>>>` and
`...` lines and the expected output up to the next blank line) as a `pycon` code block.
"""

from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    out, in_block = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(">>>") and not in_block:
            out.append("```pycon")
            in_block = True
        elif in_block and not line.strip():
            out.append("```")
            in_block = False
        out.append(line)
    if in_block:
        out.append("```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
