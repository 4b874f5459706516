"""The machine description and the Markdown tables of ``python -m bench``.

The report is written by :func:`autodiff.files.write_atomically` (re-exported here).
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata

from autodiff.files import write_atomically

__all__ = ["machine", "table", "write_atomically"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    """Markdown bullet lines describing this machine and the software measured."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores ({platform.machine()})",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({sys.implementation.name})",
        f"- numpy {_version('numpy')}, torch {_version('torch')} (one thread),"
        f" micrograd {_version('micrograd')}",
        f"- load average when the run started: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        " (other processes share this machine; times are this process's CPU time)",
    ]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
