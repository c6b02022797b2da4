"""MkDocs hook: the lcspec wheel, built from this checkout, served with the site as its install.

lcspec is not on PyPI and the repository has no public address to `pip install` from, so the site
ships the package itself: `python -m build --wheel` (dated by the last commit through
SOURCE_DATE_EPOCH, which build_date.py sets, so the same commit builds the same file) into
build/docs-wheel/<hash of its sources>/, published as download/<wheel>. The build starts when the
site's is configured and is waited for when the files are collected.

A hand-written page asks for the install with a block opened by INSTALL_MARKER (markers.py): it becomes
the download link and the command that installs the file, named as built.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

import markers  # a sibling module: MkDocs loads hooks with their folder on sys.path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "docs-wheel"
SOURCES = ("pyproject.toml", "README.md", "reference", "tests", "spec", "lcspec", "bench")
DOWNLOAD_DIR = "download"
INSTALL_MARKER = "<!-- install: the wheel -->"

_build: dict = {}


def sources_hash() -> str:
    digest = hashlib.sha256(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    for top in SOURCES:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for f in files:
            digest.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def on_config(config):
    out = CACHE / sources_hash()
    _build.clear()
    _build["dir"] = out
    if not list(out.glob("*.whl")):
        out.mkdir(parents=True, exist_ok=True)
        log = (out / "build.log").open("w")
        _build["child"] = subprocess.Popen([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return config


def wheel() -> Path:
    """The wheel this build serves (waiting for it to be built)."""
    out = _build["dir"]
    child = _build.pop("child", None)
    if child is not None and child.wait() != 0:
        raise PluginError("python -m build --wheel failed:\n" + (out / "build.log").read_text()[-3000:])
    found = sorted(out.glob("*.whl"))
    if len(found) != 1:
        raise PluginError(f"expected one wheel in {out}, found {found}")
    for old in CACHE.iterdir():  # keep only the current sources' wheel
        if old != out and old.is_dir():
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
    return found[0]


def on_files(files, config):
    path = wheel()
    files.append(File.generated(config, f"{DOWNLOAD_DIR}/{path.name}", abs_src_path=str(path)))
    return files


def install(here: str) -> str:
    """Markdown: the download link and the command that installs it."""
    name = wheel().name
    url = get_relative_url(f"{DOWNLOAD_DIR}/{name}", here)
    return (f"Download [`{name}`]({url}) (the package as this site was built from it), then install it; pip "
            "fetches its dependencies (NumPy, Hypothesis, pytest) from PyPI:\n\n"
            f"```bash\npython -m pip install ./{name}\nlcspec --version\n```")


def on_page_markdown(markdown, page, config, files):
    if INSTALL_MARKER in markdown:
        markdown = markers.fill(markdown, INSTALL_MARKER, install(page.file.src_uri), page.file.src_uri)
    return markdown
