"""What every benchmark shares: the sizes, the simulator's throttle switched off, the command
line, the machine's description and a process's own peak memory."""

from __future__ import annotations

import argparse
import os
import platform
import resource
from pathlib import Path

SIZES = {"small": 10_000, "medium": 100_000, "large": 500_000}
# The simulator's leaky bucket made so large that it never throttles: our own cost shows.
THROTTLE_OFF = {"bucket_size": 10**9, "restore_rate": 10.0**9}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def peak_rss_mb() -> float:
    """This process's own peak RSS. Linux keeps ru_maxrss across fork+exec, so a spawned child
    would report its parent's peak; VmHWM belongs to the process's own address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def size_arguments(doc: str, parser: argparse.ArgumentParser | None = None) -> tuple[int, Path | None]:
    """(customers, json path) from the command line every benchmark shares; `parser` may carry
    a benchmark's own options (read them with its parse_known_args)."""
    parser = parser or argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--customers", type=int, help="overrides --size")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    return args.customers or SIZES[args.size], args.json
