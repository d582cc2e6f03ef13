"""Run a benchmark stage in a spawned child of its own, so its time and peak memory are its own.

A child that dies before it reports (an import error, an OOM kill) must not leave the parent
waiting on its queue for ever: the parent polls, and raises naming the child's exit code.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module


def results_from_children(target, args_per_child: list[tuple], expected: int) -> list:
    """Start one spawned child per `args_per_child` entry, each called as
    `target(*args, queue)`, and collect `expected` results from their shared queue."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    children = [context.Process(target=target, args=(*args, queue)) for args in args_per_child]
    for child in children:
        child.start()
    results = []
    try:
        while len(results) < expected:
            try:
                results.append(queue.get(timeout=2))
            except queue_module.Empty:
                dead = [c for c in children if not c.is_alive() and c.exitcode != 0]
                if dead or not any(c.is_alive() for c in children) and queue.empty():
                    codes = ", ".join(f"{c.name} exit code {c.exitcode}" for c in children)
                    raise RuntimeError(f"a benchmark child stopped before reporting ({codes}); "
                                       "its traceback is above") from None
    finally:
        for child in children:
            child.join(timeout=None if len(results) >= expected else 5)
            if child.is_alive():
                child.kill()
    return results


def result_from_child(target, *args) -> dict:
    """`target(*args, queue)` in one spawned child; what it put on the queue."""
    return results_from_children(target, [args], expected=1)[0]
