"""MkDocs hook: the conformance page (placeholder until the plugin lands)."""

from __future__ import annotations


def on_page_markdown(markdown, page, config, files):
    return markdown
