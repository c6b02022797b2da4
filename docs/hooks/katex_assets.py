"""MkDocs hook: serve KaTeX from the site itself, so math is typeset with no request to another host.

KaTeX comes from the npm registry at the version pinned in docs/package-lock.json (`npm ci --prefix
docs`); this hook copies its script, its auto-render extension, stylesheet and fonts into the site under assets/katex/.
docs/pages/javascripts/katex-init.js then typesets what pymdownx.arithmatex marked as math.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File  # under ProperDocs, mkdocs.* is ProperDocs' own

DIST = Path(__file__).resolve().parents[1] / "node_modules" / "katex" / "dist"
FONTS = [f"fonts/{f.name}" for f in sorted((DIST / "fonts").glob("*.woff2"))]
SHIPPED = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js", *FONTS]


def on_config(config):
    if not FONTS or not all((DIST / name).is_file() for name in SHIPPED):
        raise PluginError(f"KaTeX is not installed in {DIST.parent}: run `npm ci --prefix docs` first")
    return config


def on_files(files, config):
    for name in SHIPPED:
        files.append(File.generated(config, f"assets/katex/{name}", abs_src_path=str(DIST / name)))
    return files
