"""Proof that `resolve` gives the same outputs as at another commit (a script, not a test).

    .venv/bin/python -m commerce_pipeline_tests.identity.compare_with_commit --ref HEAD \
        --frames /tmp/ids_20000.pkl /tmp/ids_100000.pkl --random 300

The same inputs go through `resolve` twice, each time in a process of its own: once with the
`commerce_pipeline` package as it was at `--ref` (unpacked with `git archive`) and once with
the work tree's. Members (values and dtypes), queue, history and stats must be equal. Inputs:
each `--frames` pickle (identifier rows) on a first run, a re-run with nothing new, and a run
on changed data with reviewers' decisions; and `--random` small random stores, most built with
`extract_identifiers` (guards, hubs, junk), some as raw rows (missing match keys, records
without a source id, object columns), each resolved twice in a chain.
"""

from __future__ import annotations

import argparse
import pickle
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FIRST_NAMES = ["Ann", "Bob", "ann", "Bill", "William", None, "", "Cy", "Zoë"]
EMAILS = ["ann@yahoo.com", "ANN@yahoo.com", "bob@aol.com", "test@test.com", "a.lee@gmail.com",
          "alee@gmail.com", "cy@example.com", None, "", "not-an-email", "zoe@mail.de"]
PHONES = ["212-555-0101", "+1 212 555 0101", "212-555-0202", "0000000000", "12", None,
          "(646) 555-0199", "+44 20 7946 0958"]


def _random_store(rng: random.Random) -> tuple[list[dict], list[dict]]:
    customers = [{"source_customer_key": f"shopify:{rng.randrange(1, 40)}",
                  "email_raw": rng.choice(EMAILS), "phone_raw": rng.choice(PHONES),
                  "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(["Lee", "Kim", None]),
                  "address_line1": rng.choice(["12 Oak St", "12 oak street", "4 Elm Rd", None]),
                  "address_zip": rng.choice(["10001", " 10001", "94110", None])}
                 for _ in range(rng.randrange(0, 25))]
    orders = [{"shopify_order_id": rng.randrange(1, 60), "email_raw": rng.choice(EMAILS),
               "phone_raw": rng.choice(PHONES),
               "shopify_customer_id": rng.choice([None, None, rng.randrange(1, 40)])}
              for _ in range(rng.randrange(0, 30))]
    return customers, orders


def _random_rows(rng: random.Random) -> pd.DataFrame:
    """Raw identifier rows no extraction would write: any kind, missing values, orphans."""
    kinds = ["source_id", "email", "phone", "whatsapp", "loyalty_id", "name_address"]
    rows = []
    for _ in range(rng.randrange(0, 40)):
        key = f"k{rng.randrange(0, 12)}"
        kind = rng.choice(kinds)
        match = key if kind == "source_id" else rng.choice([f"v{rng.randrange(0, 6)}", None])
        rows.append({"source_key": key, "source_kind": rng.choice(["customer", "guest_order"]),
                     "channel": "shopify", "kind": kind, "value": match, "match_key": match,
                     "given_name": rng.choice(["ann", "bob", None]), "priority": rng.randrange(0, 6),
                     "excluded_reason": rng.choice([None, None, None, "junk"])})
    frame = pd.DataFrame(rows, columns=["source_key", "source_kind", "channel", "kind", "value",
                                        "match_key", "given_name", "priority", "excluded_reason"])
    return frame.astype(object) if rng.random() < 0.3 else frame


def _identifiers(rng: random.Random) -> pd.DataFrame:
    from commerce_pipeline.identity.blocklist import Blocklist
    from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers

    if rng.random() < 0.25:
        return _random_rows(rng)
    rules = IdentifierRules(max_customers_per_value=rng.choice([2, 3, 5]),
                            blocklist=Blocklist(values=rng.choice([[], [("email", "bob@aol.com")]])))
    frame = pd.DataFrame(extract_identifiers(*_random_store(rng), rules))
    return frame.astype(object) if rng.random() < 0.1 else frame


def _changed(frame: pd.DataFrame) -> pd.DataFrame:
    """Every 17th record gone and every 29th row's match key moved to its neighbour's: some
    profiles split, some merge."""
    keys = frame["source_key"].drop_duplicates()
    frame = frame[~frame["source_key"].isin(set(keys.iloc[::17]))].reset_index(drop=True)
    match = frame["match_key"].to_numpy(dtype=object).copy()
    moved = [i for i in range(0, len(match) - 1, 29) if frame["kind"].iat[i] != "source_id"]
    match[moved] = match[[i + 1 for i in moved]]
    return frame.assign(match_key=match)


def cases(frame_paths: list[str], n_random: int, seed: int) -> list[dict]:
    """Each case: identifiers, previous (None or ("case", i): the members case i gave),
    decisions (or ("approve-half", i): decide case i's queue), max_accounts, run id, time."""
    out = []
    for path in frame_paths:
        frame, at = pd.read_pickle(path), len(out)
        out += [dict(identifiers=frame, previous=None, decisions={}, max_accounts=3),
                dict(identifiers=frame, previous=("case", at), decisions={}, max_accounts=3),
                dict(identifiers=_changed(frame), previous=("case", at),
                     decisions=("approve-half", at), max_accounts=3)]
    rng = random.Random(seed)
    for _ in range(n_random):
        at, max_accounts = len(out), rng.choice([1, 2, 3])
        out += [dict(identifiers=_identifiers(rng), previous=None, decisions={},
                     max_accounts=max_accounts),
                dict(identifiers=_identifiers(rng) if rng.random() < 0.7 else None,
                     previous=("case", at), decisions=("approve-half", at),
                     max_accounts=max_accounts)]
    for i, case in enumerate(out):
        case.update(run_id=f"run-{i}", now=T0 + timedelta(hours=i))
    return out


def _decide(queue: list[dict]) -> dict:
    return {q["group_key"]: {"decision": "approve" if i % 2 == 0 else "reject",
                             "decided_by": "kim", "decided_at": T0} for i, q in enumerate(queue)}


def worker(cases_path: str, out_path: str, package_root: str) -> None:
    import commerce_pipeline
    from commerce_pipeline.identity.resolution import resolve

    assert commerce_pipeline.__file__.startswith(package_root), commerce_pipeline.__file__
    all_cases, results = pd.read_pickle(cases_path), []
    for case in all_cases:
        identifiers = case["identifiers"]
        if identifiers is None:  # the same store again
            identifiers = all_cases[case["previous"][1]]["identifiers"]
        previous, decisions = case["previous"], case["decisions"]
        if previous is not None:
            earlier = results[previous[1]]
            previous = None if isinstance(earlier, str) else earlier[0]
            if isinstance(decisions, tuple):
                decisions = {} if isinstance(earlier, str) else _decide(earlier[1])
        try:
            r = resolve(identifiers, previous, decisions, max_accounts=case["max_accounts"],
                        run_id=case["run_id"], now=case["now"])
            results.append((r.members, r.queue, r.history, r.stats))
        except Exception as error:  # both sides must fail alike
            results.append(f"{type(error).__name__}: {error}")
    Path(out_path).write_bytes(pickle.dumps(results))


def _run_side(package_root: str, cases_path: str, out_path: str) -> list:
    """The worker in a fresh process: `commerce_pipeline` from `package_root`, this module
    from the work tree."""
    here = str(Path(__file__).resolve().parents[2])
    code = (f"import sys; sys.path[:0] = [sys.argv[1], {here!r}]; "
            "from commerce_pipeline_tests.identity.compare_with_commit import worker; "
            "worker(sys.argv[2], sys.argv[3], sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, package_root, cases_path, out_path], check=True)
    return pickle.loads(Path(out_path).read_bytes())


def _differences(i: int, old, new) -> list[str]:
    if isinstance(old, str) or isinstance(new, str):
        return [] if old == new else [f"case {i}: {old!r} != {new!r}"]
    problems = []
    try:
        pd.testing.assert_frame_equal(old[0], new[0], check_exact=True)
    except AssertionError as error:
        problems.append(f"case {i} members: {error}")
    for name, a, b in zip(("queue", "history", "stats"), old[1:], new[1:]):
        if a != b:
            problems.append(f"case {i} {name} differ")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--frames", nargs="*", default=[])
    parser.add_argument("--random", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        ref_root = Path(tmp) / "ref"
        ref_root.mkdir()
        archive = subprocess.run(["git", "-C", str(repo), "archive", args.ref, "commerce_pipeline"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(ref_root)], input=archive, check=True)
        cases_path = str(Path(tmp) / "cases.pkl")
        pd.to_pickle(cases(args.frames, args.random, args.seed), cases_path)
        old = _run_side(str(ref_root), cases_path, str(Path(tmp) / "old.pkl"))
        new = _run_side(str(repo), cases_path, str(Path(tmp) / "new.pkl"))
    problems = [p for i, (a, b) in enumerate(zip(old, new)) for p in _differences(i, a, b)]
    failed = sum(isinstance(r, str) for r in old)
    print(f"{len(old)} cases ({failed} raising alike on both sides); "
          f"{len(problems)} differences against {args.ref}")
    for problem in problems[:20]:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
