"""MkDocs hook: every clause ID written in running text links to the clause, wherever it is cited.

A Python-Markdown tree processor finds the registry's clause IDs (HINGE-3, ...) in text, outside code,
math, headings and existing links, and wraps each in a link to its anchor on its chapter's page. It
runs before MkDocs resolves links, so the targets are checked like any hand-written link.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor


from spec_pages import clause_url
from lcspec.harness.clauses import clauses

SKIP_TAGS = {"a", "autoref", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6"}
CLAUSE_ID = re.compile(r"\b(" + "|".join(sorted(map(re.escape, clauses()), key=len, reverse=True)) + r")\b")
current_page = {"src_uri": "index.md"}  # the page being converted, set by on_page_markdown


def _skipped(el) -> bool:
    return el.tag in SKIP_TAGS or "arithmatex" in (el.get("class") or "")


def _links(text: str) -> tuple[str, list]:
    """Split text at clause IDs: the text before the first, and (link element) per ID with its tail."""
    parts = CLAUSE_ID.split(text)
    links = []
    for i in range(1, len(parts), 2):
        link = etree.Element("a", href=clause_url(parts[i], current_page["src_uri"]))
        link.text, link.tail = parts[i], parts[i + 1]
        links.append(link)
    return parts[0], links


class ClauseLinker(Treeprocessor):
    def run(self, root):
        self._walk(root)

    def _walk(self, parent):
        if parent.text and not _skipped(parent):
            parent.text, links = _links(parent.text)
            for n, link in enumerate(links):
                parent.insert(n, link)
        for child in list(parent):
            if not _skipped(child):
                self._walk(child)
            if child.tail and not _skipped(parent):
                child.tail, links = _links(child.tail)
                at = list(parent).index(child) + 1
                for n, link in enumerate(links):
                    parent.insert(at + n, link)


class ClauseLinks(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(ClauseLinker(md), "lcspec_clause_links", 5)  # after inline, before relpath (0)


def on_config(config):
    config.markdown_extensions.append(ClauseLinks())
    return config


def on_page_markdown(markdown, page, config, files):
    current_page["src_uri"] = page.file.src_uri
    return markdown
