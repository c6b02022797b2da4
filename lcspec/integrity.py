"""Whether lcspec's installed files are the ones its distribution installed, checked before a run.

A wheel's RECORD lists every file it installed with its sha256. A file of the package that differs from
its hash, or a Python file in the package that RECORD does not list (a law module dropped beside the
others would be collected as a law), means something other than pip changed the judge: it refuses to
judge. An editable install (a checkout) has no hashes to check: git is its record.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.metadata
import json
import os
import sys
from pathlib import Path

import lcspec


def _digest(path: Path) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()


def changed_files() -> list[str]:
    """The installed package's files that are not as its RECORD says (empty for an editable install)."""
    try:
        dist = importlib.metadata.distribution("lcspec")
    except importlib.metadata.PackageNotFoundError:
        return []  # run from a source tree without installing it: nothing was recorded
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct.get("dir_info", {}).get("editable") or not dist.files:
        return []
    package = Path(lcspec.__file__).resolve().parent
    if Path(dist.locate_file("lcspec")).resolve() != package:
        return [f"{package} (imported) is not the lcspec that pip installed at {dist.locate_file('lcspec')}"]
    found, listed = [], set()
    for entry in dist.files:
        path = Path(dist.locate_file(entry)).resolve()
        if not path.is_relative_to(package):
            continue
        listed.add(path)
        if entry.hash is None:
            continue
        if not path.is_file():
            found.append(f"{path} (missing)")
        elif _digest(path) != f"{entry.hash.mode}={entry.hash.value}":
            found.append(f"{path} (changed)")
    found += [f"{path} (not installed by pip)" for path in package.rglob("*.py") if path.resolve() not in listed]
    return found


class ChangedDuringTheRun(ImportError):
    """The judge was about to import a module whose file changed after the implementation started."""


class ImportsFrozen:
    """A meta path finder, first on `sys.meta_path` once the implementation has started: the judge imports no
    module whose file was written (its ctime, which no process can set back) since `since`. Without a sandbox
    the implementation can write into the judge's site-packages; a module the judge imports late (Hypothesis
    reporting a failure, say) must not be one it planted."""

    def __init__(self, since: float):
        self.since = since

    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        origin = getattr(spec, "origin", None)
        if origin and os.path.isfile(origin) and os.stat(origin).st_ctime >= self.since:
            raise ChangedDuringTheRun(f"the judge refuses to import {name} from {origin}: the file changed while "
                                      "the implementation ran")
        return None  # the usual finders import it

    def __enter__(self) -> "ImportsFrozen":
        sys.meta_path.insert(0, self)
        return self

    def __exit__(self, *exc) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
