"""MkDocs hook: a hand-written page links the spec by its path in the repository, and the site rewrites it.

The hand-written pages (docs/pages/...) are read in two places: as Markdown source (on a forge, in an
editor), where a relative link resolves from the file's own folder in the repository, and in the site.
So a page links a chapter by the path that resolves in the repository, `../../spec/02-multiclass-svm.md`
from docs/pages/index.md, and this hook rewrites each link that leaves docs/pages to the page the site
makes of the same file: spec/ is published at spec/ (spec_pages.py), the folder itself as its README.md.
A link to a file of the repository that the site does not publish fails the build.

The clause index is the one page with no file of its own: it is made from spec/clauses.toml, so the
source links it as `clauses.toml#clause-index` (the records themselves, read as source), and the site
as its page.

Links inside code (fenced blocks and inline code spans) are not links and are left alone. The hook runs
after the hooks that fill generated blocks (markers.py), whose text for a reader of the source it never
sees.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = {ROOT / "spec": "spec"}  # a folder of the repository -> where the site publishes its files
FOLDER_PAGE = "README.md"  # a link to a published folder opens its README's page
ALIASES = {("spec/clauses.toml", "clause-index"): "spec/clause-index.md"}  # (site file, fragment) -> page

# Code is matched first and kept as it is; a link's target is the part of `](...)` before a title.
_TOKENS = re.compile(
    r"(?P<fence>^[ \t]*(?P<ticks>```|~~~)[^\n]*\n.*?^[ \t]*(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<quote>`+).+?(?P=quote))"
    r"|\]\((?P<target>[^)\s]+)(?P<rest>(?:\s+\"[^\"]*\")?\))",
    re.MULTILINE | re.DOTALL,
)


def is_relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:|/|#", target, re.IGNORECASE)


def link_targets(markdown: str) -> list[str]:
    """Every link target of the Markdown outside code, in order."""
    return [m["target"] for m in _TOKENS.finditer(markdown) if m["target"]]


def site_uri(target: Path, fragment: str) -> tuple[str, str] | None:
    """(the site file, the fragment to keep) of a repository path outside docs_dir, or None if unpublished."""
    for folder, uri in PUBLISHED.items():
        if target == folder or folder in target.parents:
            inner = target.relative_to(folder).as_posix()
            site = f"{uri}/{inner}" if inner != "." else uri
            if target.is_dir():
                site = f"{site}/{FOLDER_PAGE}"
            if (site, fragment) in ALIASES:
                return ALIASES[(site, fragment)], ""
            return site, fragment
    return None


def on_page_markdown(markdown, page, config, files):
    source = page.file.abs_src_path
    docs_dir = Path(config["docs_dir"]).resolve()
    if page.file.generated_by or not source or docs_dir not in Path(source).resolve().parents:
        return markdown  # a generated page: its links are the site's own
    folder = Path(source).resolve().parent

    def rewrite(m):
        if not m["target"] or not is_relative(m["target"]):
            return m[0]
        path, _, fragment = m["target"].partition("#")
        target = Path(os.path.normpath(folder / path))
        if target == docs_dir or docs_dir in target.parents:
            return m[0]  # inside the site's own pages: MkDocs resolves it
        found = site_uri(target, fragment)
        if found is None or files.get_file_from_path(found[0]) is None:
            raise PluginError(f"{page.file.src_uri}: the link {m['target']} leads to a file of the repository "
                              "that the site does not publish")
        url = get_relative_url(found[0], page.file.src_uri) + (f"#{found[1]}" if found[1] else "")
        return f"]({url}{m['rest']}"

    return _TOKENS.sub(rewrite, markdown)
