"""MkDocs hook: date the build by the last commit, so the same commit builds byte-identical files.

MkDocs stamps its build date (SOURCE_DATE_EPOCH if set, else today) into sitemap.xml.gz; this sets
SOURCE_DATE_EPOCH to the commit time of HEAD unless the caller already chose one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def on_config(config):
    if "SOURCE_DATE_EPOCH" not in os.environ:
        commit_time = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        if commit_time:  # outside a git checkout the build is dated today, as MkDocs does by default
            os.environ["SOURCE_DATE_EPOCH"] = commit_time
    return config
