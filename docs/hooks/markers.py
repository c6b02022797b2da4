"""Generated blocks in hand-written pages (imported by the hooks that fill them; not a hook itself).

A hand-written page under docs/pages asks for generated Markdown (the install command, the contract
table, a real report) with a block of three parts: the opening marker, the text a reader of the source
sees there (on a forge or in an editor, where nothing is generated), and the closing marker:

    <!-- install: the wheel -->
    The site built from this file shows here ... From a checkout: `python -m pip install .`
    <!-- /install: the wheel -->

`fill` replaces the whole block with the generated Markdown, so the built page never shows the source
text, and the source never shows an empty comment where something was meant to be.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError


def closing(marker: str) -> str:
    """'<!-- install: the wheel -->' -> '<!-- /install: the wheel -->'."""
    return marker.replace("<!-- ", "<!-- /", 1)


def block(marker: str) -> re.Pattern:
    """The block a marker opens: the marker, the source's text, the closing marker."""
    return re.compile(re.escape(marker) + r"\n(?P<source>.*?)\n" + re.escape(closing(marker)), re.DOTALL)


def fill(markdown: str, marker: str, generated: str, where: str) -> str:
    """`markdown` with each block opened by `marker` replaced by `generated`. A marker without its source
    text and closing marker fails the build: read as source, the page would show nothing in its place."""
    pattern = block(marker)
    found = list(pattern.finditer(markdown))
    if markdown.count(marker) != len(found) or any(not m["source"].strip() for m in found):
        raise PluginError(f"{where}: {marker} must be followed by the text a reader of the source sees in its "
                          f"place and then {closing(marker)} (docs/hooks/markers.py)")
    return pattern.sub(lambda _: generated, markdown)
