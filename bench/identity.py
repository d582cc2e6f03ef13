"""Identity benchmark: identifier extraction and resolution, against a networkx baseline.

    python -m bench.identity --size small            # 10k customers (about 50k orders)
    python -m bench.identity --customers 2000 --json bench/identity.json

The store comes from the simulator (with its ground truth, so quality is printed beside
speed). Resolution and the baseline each run in their own process on the same identifier
rows, so each peak memory is that stage's own. The baseline is the plain approach: given the
same linking edges (built untimed), a networkx graph and its connected components, with no
guards, queue, stable ids or history; resolution is timed from identifier rows to profiles
with all of those, so the ratio is our whole step against a bare component search.
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

from bench.ingest import _machine, _peak_rss_mb, size_arguments


def _resolve(path: str, queue) -> None:
    import pandas as pd

    from commerce_pipeline.identity.resolution import resolve

    identifiers = pd.read_pickle(path)
    baseline_mb = _peak_rss_mb()
    started = time.perf_counter()
    result = resolve(identifiers, run_id="bench")
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    resolve(identifiers, result.members, run_id="bench-2")  # the steady state: nothing changed
    rerun = time.perf_counter() - again
    result.members.to_pickle(path + ".members")
    queue.put({"stage": "identity_resolution", "seconds": round(seconds, 2), "rows": len(identifiers),
               "rows_per_second": round(len(identifiers) / seconds), "peak_rss_mb": round(_peak_rss_mb()),
               "rss_after_load_mb": round(baseline_mb), "rerun_seconds": round(rerun, 2),
               "profiles": result.stats["profiles"], "phases": result.seconds})


def _networkx(path: str, queue) -> None:
    import networkx as nx
    import pandas as pd

    from commerce_pipeline.identity.graph import identity_graph, star_edges

    identifiers = pd.read_pickle(path)
    records, links = identity_graph(identifiers)
    edges = star_edges(links)  # the same edges resolution links on
    started = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(range(len(records)))
    graph.add_edges_from(zip(edges.src.tolist(), edges.dst.tolist()))
    components = sum(1 for _ in nx.connected_components(graph))
    seconds = time.perf_counter() - started
    queue.put({"stage": "networkx_baseline", "seconds": round(seconds, 2), "rows": len(identifiers),
               "rows_per_second": round(len(identifiers) / seconds), "peak_rss_mb": round(_peak_rss_mb()),
               "profiles": components})


def _plain_pipeline(path: str, queue) -> None:
    """The textbook version: pandas self-join of records sharing a usable value, then networkx."""
    import networkx as nx
    import pandas as pd

    identifiers = pd.read_pickle(path)
    started = time.perf_counter()
    usable = identifiers[identifiers["excluded_reason"].isna() & (identifiers["kind"] != "source_id")]
    usable = usable[["source_key", "kind", "match_key"]]
    pairs = usable.merge(usable, on=["kind", "match_key"])
    pairs = pairs[pairs["source_key_x"] < pairs["source_key_y"]]
    graph = nx.Graph()
    graph.add_nodes_from(identifiers.loc[identifiers["kind"] == "source_id", "source_key"])
    graph.add_edges_from(zip(pairs["source_key_x"], pairs["source_key_y"]))
    components = sum(1 for _ in nx.connected_components(graph))
    seconds = time.perf_counter() - started
    queue.put({"stage": "pandas_networkx_pipeline", "seconds": round(seconds, 2), "rows": len(identifiers),
               "rows_per_second": round(len(identifiers) / seconds), "peak_rss_mb": round(_peak_rss_mb()),
               "profiles": components})


def _in_child(target, path: str) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(path, queue))
    child.start()
    out = queue.get()
    child.join()
    return out


def run(customers: int, seed: int = 7) -> dict:
    import pandas as pd

    from commerce_pipeline.identity.identifiers import extract_identifiers
    from commerce_pipeline.identity.quality import ground_truth, pairwise_quality
    from commerce_pipeline.simulator import generate_store
    from commerce_pipeline.simulator.staged import identity_inputs

    started = time.perf_counter()
    store = generate_store("bench-store", seed=seed, customers=customers)
    generated = time.perf_counter() - started
    customers_rows, orders = identity_inputs(store)
    started = time.perf_counter()
    identifiers = pd.DataFrame(extract_identifiers(customers_rows, orders))
    extracted = time.perf_counter() - started
    stages = [{"stage": "generate_store", "seconds": round(generated, 2), "rows": store.count("orders")},
              {"stage": "identifier_extraction", "seconds": round(extracted, 2), "rows": len(identifiers),
               "rows_per_second": round(len(identifiers) / extracted), "peak_rss_mb": round(_peak_rss_mb())}]
    with tempfile.TemporaryDirectory() as workdir:
        path = str(Path(workdir) / "identifiers.pkl")
        identifiers.to_pickle(path)
        stages.append(_in_child(_resolve, path))
        stages.append(_in_child(_networkx, path))
        stages.append(_in_child(_plain_pipeline, path))
        members = pd.read_pickle(path + ".members")
    truth = ground_truth(store.ground_truth)["account_person"]
    ours = max(stages[2]["seconds"], 1e-9)
    ratios = {"vs_networkx_on_same_edges": round(stages[3]["seconds"] / ours, 2),
              "vs_pandas_networkx_pipeline": round(stages[4]["seconds"] / ours, 2)}
    return {"customers": customers, "orders": store.count("orders"), "identifier_rows": len(identifiers),
            "machine": _machine(), "stages": stages, "speedup": ratios,
            "quality": pairwise_quality(members, truth)}


def main() -> None:
    customers, json_path = size_arguments(__doc__)
    figures = run(customers)
    print(f"{figures['customers']} customers, {figures['orders']} orders, "
          f"{figures['identifier_rows']} identifier rows; {figures['machine']}")
    print(f"{'stage':<24}{'seconds':>9}{'rows':>11}{'rows/s':>11}{'peak MB':>9}")
    for s in figures["stages"]:
        print(f"{s['stage']:<24}{s['seconds']:>9}{s['rows']:>11}{s.get('rows_per_second', ''):>11}"
              f"{s.get('peak_rss_mb', ''):>9}")
    resolution = figures["stages"][2]
    print(f"resolution phases (s): {resolution['phases']}; re-run {resolution['rerun_seconds']} s")
    print(f"speed-up of resolution (baseline seconds / ours): {figures['speedup']}")
    print(f"quality: {figures['quality']}")
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
