"""What every benchmark shares: the sizes, the simulator's throttle switched off, the command
line, the machine's description (with a speed probe) and a process's own peak memory."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path

SIZES = {"small": 10_000, "medium": 100_000, "large": 500_000}
# The simulator's leaky bucket made so large that it never throttles: our own cost shows.
THROTTLE_OFF = {"bucket_size": 10**9, "restore_rate": 10.0**9}


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{cpu_model()}, speed probe {speed_probe_ms()} ms")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu unknown"


def speed_probe_ms(rounds: int = 5) -> int:
    """Milliseconds one core takes for a fixed piece of the work our stages do in Python (decode
    JSON records, sort them, hash a field), the median of `rounds`. Machines of one kind were
    seen here running the same code 1.4-1.7x apart on different days: a figure read beside its
    probe says whether the code or the machine changed (lower is faster)."""
    lines = [json.dumps({"id": f"gid://shopify/Customer/{i}", "email": f"c{i}@example.com",
                         "total": i * 1.25, "tags": ["vip", str(i % 7)]}) for i in range(20_000)]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        rows = sorted((json.loads(line) for line in lines), key=lambda row: row["email"])
        sum(hashlib.sha1(row["email"].encode()).digest()[0] for row in rows)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000)


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
