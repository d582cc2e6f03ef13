"""How good a resolution is, against ground truth (simulator stores ship one).

Pairwise precision and recall of "same person" over customer accounts: of the account
pairs we put in one profile, how many are one person; of the pairs that are one person,
how many we put together. Counted from group sizes, never by listing pairs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from commerce_pipeline.identity.normalize import normalize_email, normalize_phone


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_quality(members: pd.DataFrame, account_person: dict[str, int]) -> dict:
    """`members`: source_key, profile_id; `account_person`: account source key -> true person."""
    frame = members[members["source_key"].isin(account_person.keys())]
    frame = frame.assign(person=frame["source_key"].map(account_person))
    predicted = _pairs(frame.groupby("profile_id").size())
    actual = _pairs(frame.groupby("person").size())
    correct = _pairs(frame.groupby(["profile_id", "person"]).size())
    largest = frame.groupby("profile_id").size().max() if len(frame) else 0
    return {
        "pairwise_precision": round(correct / predicted, 4) if predicted else 1.0,
        "pairwise_recall": round(correct / actual, 4) if actual else 1.0,
        "true_pairs": actual, "predicted_pairs": predicted, "correct_pairs": correct,
        "accounts_evaluated": len(frame), "largest_profile_accounts": int(largest),
    }


def identifier_leaks(members: pd.DataFrame, identifiers: pd.DataFrame, values: set[str],
                     account_person: dict[str, int]) -> int:
    """Profiles in which a junk or hub value is held by accounts of two different true persons
    AND those accounts were merged: each such profile is a merge the value must not cause."""
    rows = identifiers[identifiers["value"].isin(values)][["source_key", "value"]]
    rows = rows.merge(members[["source_key", "profile_id"]], on="source_key")
    rows = rows.assign(person=rows["source_key"].map(account_person)).dropna(subset=["person"])
    persons = rows.groupby(["profile_id", "value"])["person"].nunique()
    return int((persons > 1).sum())


def ground_truth(truth: dict) -> dict:
    """Account source key -> person, and the junk and hub values, from a store's ground truth
    (the simulator's `Store.ground_truth`, or that dict read back from its JSON file)."""
    return {"account_person": {f"shopify:{cid}": person
                               for cid, person in truth["customer_person"].items()},
            "junk": set(truth.get("junk_identifiers", [])), "hubs": set(truth.get("hub_identifiers", []))}


def load_ground_truth(path: Path) -> dict | None:
    """ground_truth() of a tenant's ground-truth file; None without a file."""
    if not path.exists():
        return None
    return ground_truth(json.loads(path.read_text()))


def junk_and_hub_values(truth: dict) -> set[str]:
    """The truth's junk and hub values as written and as identifier rows hold them (normalised)."""
    raw = truth["junk"] | truth["hubs"]
    return {v for r in raw for v in (normalize_email(r), normalize_phone(r), r) if v}


def resolution_quality(members: pd.DataFrame, identifiers: pd.DataFrame, truth: dict) -> dict:
    """pairwise_quality, plus how many profiles a junk or hub value merged across persons."""
    quality = pairwise_quality(members, truth["account_person"])
    quality["junk_or_hub_merges"] = identifier_leaks(members, identifiers, junk_and_hub_values(truth),
                                                     truth["account_person"])
    return quality
