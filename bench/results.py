"""One benchmark figure, and the JSON file that holds a run's figures with the machine they came from."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import NamedTuple

import numpy as np


class Figure(NamedTuple):
    """One measured number: what it is, its value and unit, and what it is measured against."""

    name: str
    value: float
    unit: str
    compared_to: str


def machine() -> dict:
    """Where the figures came from: CPU, cores and the numeric libraries' versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    return info


def write(path: Path, figures: list[Figure], mode: str, notes: list[str]) -> None:
    # The performance page reads each name as group.subject[.implementation].measure (docs/hooks/measurements.py).
    unnamed = [f.name for f in figures if len(f.name.split(".")) < 3]
    if unnamed:
        raise ValueError(f"figure names must be group.subject[.implementation].measure, got {unnamed}")
    document = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "mode": mode,
        "notes": notes,
        "results": [fig._asdict() for fig in figures],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
