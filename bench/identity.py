"""Identity benchmark: identifier extraction and resolution, against a networkx baseline.

    python -m bench.identity --size small            # 10k customers (about 50k orders)
    python -m bench.identity --customers 2000 --json bench/identity.json
    python -m bench.identity --size medium --stand-in 5 --repeat 3   # about 2M rows
    python -m bench.identity --identifiers rows.pkl  # rows saved by --save-identifiers

The store comes from the simulator (with its ground truth, so quality is printed beside
speed). Resolution and the baselines each run in their own process on the same identifier
rows, so each peak memory is that stage's own. Two baselines: a bare networkx component
search over the same linking edges (built untimed), and the plain pipeline from identifier
rows to components (pandas self-join of records sharing a usable value, then networkx), with
no guards, queue, stable ids or history; resolution is timed from identifier rows to profiles
with all of those. Ratios are baseline seconds over ours, in wall time and in CPU time (the
machine is shared: CPU time is the steadier of the two). `--repeat` runs the three in turn
that many times and reports each round's ratios and their median. `--stand-in N` repeats
the rows N times, each copy with its own keys and values (so copies never link): a large
store's row count without generating one.
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.children import result_from_child
from bench.common import machine as _machine
from bench.common import peak_rss_mb as _peak_rss_mb
from bench.common import size_arguments


def _timed(stage: str, rows: int, work) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    out = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"stage": stage, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "rows": rows,
            "rows_per_second": round(rows / seconds), "peak_rss_mb": round(_peak_rss_mb()), **out}


def _resolve(path: str, queue) -> None:
    import pandas as pd

    from commerce_pipeline.identity.resolution import resolve

    identifiers = pd.read_pickle(path)
    baseline_mb = _peak_rss_mb()
    result = None

    def first():
        nonlocal result
        result = resolve(identifiers, run_id="bench")
        return {"profiles": result.stats["profiles"], "phases": result.seconds}

    figures = _timed("identity_resolution", len(identifiers), first)
    again = time.perf_counter()
    resolve(identifiers, result.members, run_id="bench-2")  # the steady state: nothing changed
    result.members.to_pickle(path + ".members")
    queue.put({**figures, "rss_after_load_mb": round(baseline_mb),
               "rerun_seconds": round(time.perf_counter() - again, 2)})


def _networkx(path: str, queue) -> None:
    import networkx as nx
    import pandas as pd

    from commerce_pipeline.identity.graph import identity_graph, star_edges

    identifiers = pd.read_pickle(path)
    records, links = identity_graph(identifiers)
    edges = star_edges(links)  # the same edges resolution links on

    def search():
        graph = nx.Graph()
        graph.add_nodes_from(range(len(records)))
        graph.add_edges_from(zip(edges.src.tolist(), edges.dst.tolist()))
        return {"profiles": sum(1 for _ in nx.connected_components(graph))}

    queue.put(_timed("networkx_baseline", len(identifiers), search))


def _plain_pipeline(path: str, queue) -> None:
    """The textbook version: pandas self-join of records sharing a usable value, then networkx."""
    import networkx as nx
    import pandas as pd

    identifiers = pd.read_pickle(path)

    def pipeline():
        usable = identifiers[identifiers["excluded_reason"].isna() & (identifiers["kind"] != "source_id")]
        usable = usable[["source_key", "kind", "match_key"]]
        pairs = usable.merge(usable, on=["kind", "match_key"])
        pairs = pairs[pairs["source_key_x"] < pairs["source_key_y"]]
        graph = nx.Graph()
        graph.add_nodes_from(identifiers.loc[identifiers["kind"] == "source_id", "source_key"])
        graph.add_edges_from(zip(pairs["source_key_x"], pairs["source_key_y"]))
        return {"profiles": sum(1 for _ in nx.connected_components(graph))}

    queue.put(_timed("pandas_networkx_pipeline", len(identifiers), pipeline))


def stand_in(identifiers, copies: int):
    """The rows `copies` times; copy i > 0 prefixes its keys and match keys with "i/", so no
    two copies share a record or a value (a larger store of unlinked, same-shaped people)."""
    parts = [identifiers]
    for i in range(1, copies):
        parts.append(identifiers.assign(source_key=f"{i}/" + identifiers["source_key"],
                                        match_key=f"{i}/" + identifiers["match_key"]))
    return pd.concat(parts, ignore_index=True)


def _ratios(ours: dict, networkx: dict, plain: dict) -> dict:
    def over(key):
        return {"vs_networkx_on_same_edges": round(networkx[key] / max(ours[key], 1e-9), 2),
                "vs_pandas_networkx_pipeline": round(plain[key] / max(ours[key], 1e-9), 2)}
    return {"wall": over("seconds"), "cpu": over("cpu_seconds")}


def _median_stage(runs: list[dict]) -> dict:
    """The run with the median wall time, with every run's seconds beside it."""
    chosen = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    return {**chosen, "all_seconds": [r["seconds"] for r in runs],
            "all_cpu_seconds": [r["cpu_seconds"] for r in runs]}


def compare(path: str, repeat: int) -> tuple[list[dict], list[dict], Path]:
    """Resolution and both baselines on the rows pickled at `path`, in turn, `repeat` times:
    (their stages at the median, each round's ratios, resolution's members)."""
    rounds = [[result_from_child(target, path) for target in (_resolve, _networkx, _plain_pipeline)]
              for _ in range(max(repeat, 1))]
    stages = [_median_stage([r[i] for r in rounds]) for i in range(3)]
    return stages, [_ratios(*r) for r in rounds], Path(path + ".members")


class _Records:
    """A stand-in store serving some records: identity_inputs' mapping applied a page at a time."""

    def __init__(self, resource: str, records: list[dict]):
        self.resource, self.items = resource, records

    def records(self, resource: str, keep: bool = True) -> list[dict]:
        return self.items if resource == self.resource else []


def staged_in_pages(store, resource: str, page_size: int = 20_000):
    """identity_inputs' rows of one resource, a page of records decoded at a time: a large
    store's 2.1M orders decoded at once, with their staged rows, filled the machine."""
    from commerce_pipeline.simulator.paging import PageArgs
    from commerce_pipeline.simulator.staged import identity_inputs

    after = None
    while True:
        page = store.page(resource, "ID", PageArgs(first=page_size, after=after))
        customers, orders = identity_inputs(_Records(resource, page.items))
        yield from customers if resource == "customers" else orders
        if not page.has_next:
            return
        after = page.keys[-1]


def _extracted(customers: int, seed: int) -> tuple[list[dict], pd.DataFrame, dict, int]:
    """(stages, identifier rows, the store's ground truth, its orders): the store is dropped
    before resolution's children start."""
    from commerce_pipeline.identity.identifiers import identifier_frame
    from commerce_pipeline.simulator import generate_store

    started = time.perf_counter()
    store = generate_store("bench-store", seed=seed, customers=customers)
    orders = store.count("orders")
    stages = [{"stage": "generate_store", "seconds": round(time.perf_counter() - started, 2),
               "rows": orders, "peak_rss_mb": round(_peak_rss_mb())}]
    started, cpu = time.perf_counter(), time.process_time()
    identifiers = identifier_frame(staged_in_pages(store, "customers"), staged_in_pages(store, "orders"))
    seconds = time.perf_counter() - started
    stages.append({"stage": "identifier_extraction", "seconds": round(seconds, 2),
                   "cpu_seconds": round(time.process_time() - cpu, 2), "rows": len(identifiers),
                   "rows_per_second": round(len(identifiers) / seconds),
                   "peak_rss_mb": round(_peak_rss_mb())})
    return stages, identifiers, store.ground_truth, orders


def run(customers: int, seed: int = 7, copies: int = 1, repeat: int = 1,
        identifiers_path: Path | None = None, save_to: Path | None = None) -> dict:
    from commerce_pipeline.identity.quality import ground_truth, pairwise_quality

    stages, truth, orders = [], None, None
    if identifiers_path:
        identifiers = pd.read_pickle(identifiers_path)
    else:
        stages, identifiers, truth, orders = _extracted(customers, seed)
        gc.collect()  # the store's memory back before the children start
        if save_to:
            identifiers.to_pickle(save_to)
    frame = stand_in(identifiers, copies) if copies > 1 else identifiers
    n_rows = len(frame)
    with tempfile.TemporaryDirectory() as workdir:
        path = str(Path(workdir) / "identifiers.pkl")
        frame.to_pickle(path)
        del frame, identifiers  # each child reads its own copy
        compared, rounds, members_path = compare(path, repeat)
        members = pd.read_pickle(members_path)
    stages += compared
    speedup = {kind: {name: round(statistics.median(r[kind][name] for r in rounds), 2)
                      for name in rounds[0][kind]}
               for kind in ("wall", "cpu")}
    quality = None
    if truth is not None:  # over the store's own accounts (the first copy's keys)
        quality = pairwise_quality(members, ground_truth(truth)["account_person"])
    return {"customers": customers if truth is not None else None, "orders": orders,
            "identifier_rows": n_rows, "copies": copies, "machine": _machine(), "stages": stages,
            "speedup": speedup["wall"], "speedup_cpu": speedup["cpu"], "rounds": rounds,
            "quality": quality}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stand-in", type=int, default=1, metavar="N",
                        help="resolve the rows repeated N times, copies unlinked")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the three, in turn")
    parser.add_argument("--identifiers", type=Path, help="identifier rows pickled by --save-identifiers")
    parser.add_argument("--save-identifiers", type=Path, help="pickle the extracted rows here")
    customers, json_path = size_arguments(__doc__, parser)
    args = parser.parse_known_args()[0]
    figures = run(customers, copies=args.stand_in, repeat=args.repeat,
                  identifiers_path=args.identifiers, save_to=args.save_identifiers)
    print(f"{figures['customers']} customers, {figures['orders']} orders, "
          f"{figures['identifier_rows']} identifier rows ({figures['copies']} copies); {figures['machine']}")
    print(f"{'stage':<26}{'seconds':>9}{'cpu s':>8}{'rows':>10}{'rows/s':>11}{'peak MB':>9}")
    for s in figures["stages"]:
        print(f"{s['stage']:<26}{s['seconds']:>9}{s.get('cpu_seconds', ''):>8}{s['rows']:>10}"
              f"{s.get('rows_per_second', ''):>11}{s.get('peak_rss_mb', ''):>9}")
    resolution = next(s for s in figures["stages"] if s["stage"] == "identity_resolution")
    print(f"resolution phases (s): {resolution['phases']}; re-run {resolution['rerun_seconds']} s")
    if len(figures["rounds"]) > 1:
        for name in ("seconds", "cpu_seconds"):
            print(f"{name} per round: " + "; ".join(f"{s['stage']} {s['all_' + name]}"
                                                    for s in figures["stages"] if "all_seconds" in s))
    print(f"speed-up of resolution (baseline seconds / ours, median of rounds): wall {figures['speedup']}, "
          f"cpu {figures['speedup_cpu']}")
    if figures["quality"]:
        print(f"quality: {figures['quality']}")
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
