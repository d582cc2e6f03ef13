"""Tests for customer segmentation: k search, rule-table names, stable names across retrains."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from commerce_pipeline.ml.segments import (
    SEGMENT_FEATURES,
    SEGMENT_NAMES,
    STABILITY_THRESHOLD,
    _Silhouette,
    fit_segments,
    name_clusters,
)

# (recency_days, frequency, monetary, profile_strength) per blob; frequency 1 = one-timers.
BLOBS = {
    "recent_frequent_big": (5, 20, 2000.0, 85),
    "recent_one_timer": (5, 1, 40.0, 40),
    "old_big_spender": (300, 15, 1500.0, 75),
    "old_one_timer": (320, 1, 35.0, 30),
}
EXPECTED_NAMES = {"recent_frequent_big": "Champions", "recent_one_timer": "New",
                  "old_big_spender": "At Risk", "old_one_timer": "Lost"}


def make_blobs(n_per_blob: int, seed: int, blobs: tuple[str, ...] = tuple(BLOBS)) -> pd.DataFrame:
    """Clearly separated customer groups, with a `blob` column saying which one a row is from."""
    rng = np.random.default_rng(seed)
    parts = []
    for blob in blobs:
        recency, frequency, monetary, strength = BLOBS[blob]
        parts.append(pd.DataFrame({
            "recency_days": rng.normal(recency, 3 if recency < 50 else 20, n_per_blob)
            .clip(0).round().astype(int),
            "frequency": rng.normal(frequency, 2, n_per_blob).clip(1).round().astype(int)
            if frequency > 1 else np.ones(n_per_blob, dtype=int),
            "monetary": rng.normal(monetary, monetary * 0.1, n_per_blob),
            "profile_strength": rng.normal(strength, 5, n_per_blob)
            .clip(0, 100).round().astype(int),
            "blob": blob,
        }))
    frame = pd.concat(parts, ignore_index=True)
    frame["profile_id"] = [f"p{i:07d}" for i in range(len(frame))]
    return frame


def features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="blob")


def name_by_blob(model, frame: pd.DataFrame) -> dict[str, str]:
    """The single segment name each blob's rows got (fails if a blob is split)."""
    assigned = model.assign(features(frame))
    by_blob = pd.Series(assigned.to_numpy(), index=frame["blob"].to_numpy()).groupby(level=0)
    assert (by_blob.nunique() == 1).all(), "a blob was split across segments"
    return by_blob.first().to_dict()


def label_by_blob(model, frame: pd.DataFrame) -> dict[str, int]:
    labels = model.kmeans.predict(model.transform.apply(features(frame).set_index("profile_id")))
    return pd.Series(labels, index=frame["blob"].to_numpy()).groupby(level=0).first().to_dict()


@pytest.fixture(scope="module")
def blobs() -> pd.DataFrame:
    return make_blobs(200, seed=1)


@pytest.fixture(scope="module")
def model(blobs):
    return fit_segments(features(blobs), k_range=(2, 8), seed=0)


@pytest.mark.parametrize("blob_names", [tuple(BLOBS)[:3], tuple(BLOBS)])
def test_k_search_picks_the_number_of_separated_blobs(blob_names):
    result = fit_segments(features(make_blobs(150, seed=3, blobs=blob_names)), k_range=(2, 8))
    assert result.k == len(blob_names)
    assert max(result.silhouette_by_k, key=result.silhouette_by_k.get) == len(blob_names)
    assert sorted(result.silhouette_by_k) == list(range(2, 9))
    assert result.silhouette == pytest.approx(result.silhouette_by_k[result.k], abs=0.02)


@pytest.mark.parametrize("size", [300, 800])  # a subsample of the rows; all of them, shuffled
def test_silhouette_with_shared_distances_is_sklearns_sampled_silhouette_exactly(size):
    X = np.random.default_rng(4).normal(size=(800, 4))
    silhouette = _Silhouette(X, size, seed=7)
    for k in (2, 5):
        labels = np.arange(len(X)) % k
        assert silhouette(labels) == silhouette_score(X, labels, sample_size=size, random_state=7)


def test_blobs_get_their_rule_table_names(model, blobs):
    assert name_by_blob(model, blobs) == EXPECTED_NAMES


def test_names_are_unique_for_every_k(blobs):
    for k in range(2, 9):
        result = fit_segments(features(blobs), k_range=(k, k))
        assert sorted(result.names) == list(range(k))
        assert len(set(result.names.values())) == k
        assert set(result.names.values()) <= set(SEGMENT_NAMES)
        assert list(result.centroids["name"]) == [result.names[c] for c in range(k)]


def test_rule_table_names_eight_clusters_at_their_prototypes():
    # (recency_days, frequency, monetary) so that freshness/value land near each prototype.
    rows = {"Champions": (0, 50, 5000), "Lost": (400, 1, 0), "At Risk": (400, 50, 5000),
            "New": (0, 1, 0), "Need Attention": (200, 7, 70), "Hibernating": (280, 3, 14),
            "Loyal": (140, 23, 900), "Potential Loyalist": (40, 7, 70)}
    centroids = pd.DataFrame([(*v, 50) for v in rows.values()], columns=list(SEGMENT_FEATURES))
    names = name_clusters(centroids)
    assert names == dict(enumerate(rows))


def test_refit_on_perturbed_shuffled_data_keeps_every_blob_name_when_labels_permute(model, blobs):
    # Fresh noise, a bootstrap-style resample and shuffled rows; seed 1 makes KMeans number
    # the clusters differently from the previous model.
    fresh = make_blobs(200, seed=2)
    resampled = fresh.sample(frac=0.9, random_state=5).sample(frac=1.0, random_state=6)
    refit = fit_segments(features(resampled), k_range=(2, 8), seed=1, previous=model)
    assert label_by_blob(refit, fresh) != label_by_blob(model, fresh)  # numbers did permute
    assert name_by_blob(refit, fresh) == name_by_blob(model, blobs) == EXPECTED_NAMES


def test_close_clusters_inherit_previous_names_over_the_rule_table(model, blobs):
    # Rename the old big spenders "Loyal" in the previous model: the rule table would say
    # At Risk, but an unmoved cluster keeps whatever name it had.
    renamed = {c: "Loyal" if n == "At Risk" else n for c, n in model.names.items()}
    centroids = model.centroids.assign(name=lambda f: f.index.map(renamed))
    previous = dataclasses.replace(model, names=renamed, centroids=centroids)
    refit = fit_segments(features(make_blobs(200, seed=4)), k_range=(2, 8), previous=previous)
    assert sorted(refit.names.values()) == ["Champions", "Lost", "Loyal", "New"]


def test_name_clusters_follows_centroids_not_label_numbers(model):
    order = [3, 1, 0, 2]  # relabel: new cluster i is old cluster order[i]
    permuted = model.centroids.iloc[order].reset_index(drop=True)
    names = name_clusters(permuted, previous=model)
    assert names == {i: model.names[old] for i, old in enumerate(order)}


def test_cluster_that_moved_past_the_threshold_is_renamed_by_the_rule_table(model):
    centroids = model.centroids.copy()
    at_risk = centroids.index[centroids["name"] == "At Risk"][0]
    # Old big spenders turn into middling customers, ~1.9 standardised units from where they were.
    centroids.loc[at_risk, ["recency_days", "frequency", "monetary"]] = [150.0, 4.0, 120.0]
    moved = model.transform.apply(centroids.loc[[at_risk]]) - model.transform.apply(
        model.centroids.loc[[at_risk]])
    assert np.linalg.norm(moved) > STABILITY_THRESHOLD
    names = name_clusters(centroids, previous=model)
    assert names[at_risk] == "Need Attention"
    assert {n for c, n in names.items() if c != at_risk} == {"Champions", "New", "Lost"}


def test_same_seed_is_deterministic(blobs, model):
    again = fit_segments(features(blobs), k_range=(2, 8), seed=0)
    np.testing.assert_array_equal(again.kmeans.labels_, model.kmeans.labels_)
    pd.testing.assert_frame_equal(again.centroids, model.centroids)
    assert again.names == model.names
    assert again.silhouette_by_k == model.silhouette_by_k


def test_row_order_does_not_change_the_model(blobs, model):
    shuffled = fit_segments(features(blobs.sample(frac=1.0, random_state=9)), k_range=(2, 8))
    pd.testing.assert_frame_equal(shuffled.centroids, model.centroids)


def test_assign_matches_the_models_own_labels_for_training_rows(blobs, model):
    training = features(blobs).set_index("profile_id").sort_index()  # labels_ follow this order
    assigned = model.assign(training)
    expected = [model.names[label] for label in model.kmeans.labels_]
    assert assigned.tolist() == expected
    assert assigned.index.equals(training.index)


def test_too_few_rows_raises_a_clear_error(blobs):
    with pytest.raises(ValueError, match="need at least 4 profiles to try k=3 segments, got 3"):
        fit_segments(features(blobs).head(3))


def test_too_few_distinct_rows_raises_a_clear_error(blobs):
    same = pd.concat([features(blobs).head(1)] * 10, ignore_index=True)
    same["profile_id"] = [f"dup{i}" for i in range(10)]
    with pytest.raises(ValueError, match="need at least 4 distinct feature rows .* got 1"):
        fit_segments(same)


def test_large_input_searches_k_on_a_sample_and_fits_all_rows():
    large = make_blobs(50_000, seed=8)
    result = fit_segments(features(large))
    assert (result.n_rows, result.n_sample) == (200_000, 10_000)
    assert result.k == 4
    assert result.centroids["size"].sum() == 200_000
    assert sorted(result.centroids["size"]) == [50_000] * 4
    assert name_by_blob(result, large) == EXPECTED_NAMES


def test_model_pickles_and_assigns_identically(blobs, model):
    restored = pickle.loads(pickle.dumps(model))
    pd.testing.assert_series_equal(restored.assign(features(blobs)), model.assign(features(blobs)))
    assert restored.names == model.names


def test_centroids_are_member_medians_in_original_units(blobs, model):
    champions = model.centroids.set_index("name").loc["Champions"]
    members = blobs[blobs["blob"] == "recent_frequent_big"]
    for column in SEGMENT_FEATURES:
        assert champions[column] == pytest.approx(members[column].median())
    assert champions["size"] == 200
    assert champions["recency_days"] == pytest.approx(5, abs=2)
    assert champions["monetary"] == pytest.approx(2000, rel=0.05)
