"""Customer segments: KMeans on scaled RFM plus profile strength, with stable business names.

Pure Python: a DataFrame of per-profile features in, a picklable `SegmentModel` out. Cluster
numbers are arbitrary and change between retrains, so the names carry the meaning: they come
from a rule table over the centroids, and a retrain inherits the previous model's names for
clusters that have not moved (see `name_clusters`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_chunked, silhouette_score
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

SEGMENT_FEATURES = ("recency_days", "frequency", "monetary", "profile_strength")
# Order matters only as a tie-break in the name matching; prototypes below explain each name.
SEGMENT_NAMES = ("Champions", "Loyal", "Potential Loyalist", "New", "Need Attention",
                 "At Risk", "Hibernating", "Lost")
# Where each name sits on (freshness, value), both 0..1 relative to the model's own clusters.
NAME_PROTOTYPES: dict[str, tuple[float, float]] = {
    "Champions": (1.0, 1.0), "Loyal": (0.65, 0.8), "Potential Loyalist": (0.9, 0.5),
    "New": (1.0, 0.0), "Need Attention": (0.5, 0.5), "At Risk": (0.0, 1.0),
    "Hibernating": (0.3, 0.2), "Lost": (0.0, 0.0),
}
# Order counts and revenue have long tails; log1p keeps a few whales from owning the space.
LOG_FEATURES = ("frequency", "monetary")
N_INIT = 4  # KMeans restarts per k: enough on separated data, cheap on a 10k sample
SILHOUETTE_SAMPLE = 4_000  # silhouette is O(n^2): ~0.1 s at 4k rows against ~2 s at 10k
# A retrained cluster keeps its old name when its centroid moved at most this far, Euclidean,
# in the previous model's standardised space (1.0 = one standard deviation along one feature).
STABILITY_THRESHOLD = 1.0


@dataclass(frozen=True)
class FeatureTransform:
    """log1p on LOG_FEATURES (negatives clipped to 0: refunds), then standardisation."""

    feature_names: tuple[str, ...]
    log_features: tuple[str, ...]
    means: np.ndarray
    scales: np.ndarray

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> FeatureTransform:
        logged = _log(frame, SEGMENT_FEATURES, LOG_FEATURES)
        scales = logged.std(axis=0)
        scales[scales == 0] = 1.0  # a constant feature stays at 0 rather than dividing by 0
        return cls(SEGMENT_FEATURES, LOG_FEATURES, logged.mean(axis=0), scales)

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        return (_log(frame, self.feature_names, self.log_features) - self.means) / self.scales

    def invert(self, scaled: np.ndarray) -> np.ndarray:
        raw = scaled * self.scales + self.means
        for i, name in enumerate(self.feature_names):
            if name in self.log_features:
                raw[:, i] = np.expm1(raw[:, i])
        return raw


def _log(frame: pd.DataFrame, names: tuple[str, ...], log_names: tuple[str, ...]) -> np.ndarray:
    raw = frame.loc[:, list(names)].to_numpy(dtype=float, copy=True)
    for i, name in enumerate(names):
        if name in log_names:
            raw[:, i] = np.log1p(np.clip(raw[:, i], 0.0, None))
    return raw


@dataclass
class SegmentModel:
    k: int
    feature_names: tuple[str, ...]
    transform: FeatureTransform
    kmeans: KMeans  # labels_ follow the training rows sorted by profile_id
    names: dict[int, str]  # cluster label -> unique business name
    centroids: pd.DataFrame  # index cluster; member medians in original units, size, name
    silhouette: float  # final model's labels, on the k-search sample
    inertia: float  # final model, all rows, scaled space
    silhouette_by_k: dict[int, float]
    n_rows: int  # profiles the final model was fitted on
    n_sample: int  # rows in the k-search sample (== n_rows when no sampling was needed)

    def assign(self, features: pd.DataFrame) -> pd.Series:
        """Segment name per profile, indexed by profile_id, in the input's row order."""
        frame = _prepare(features)
        labels = self.kmeans.predict(self.transform.apply(frame))
        lookup = np.array([self.names[i] for i in range(self.k)], dtype=object)
        return pd.Series(lookup[labels], index=frame.index, name="segment")


def _prepare(features: pd.DataFrame) -> pd.DataFrame:
    """Feature columns as floats indexed by profile_id; rejects what KMeans would choke on."""
    frame = features.set_index("profile_id") if "profile_id" in features.columns else features
    missing = [c for c in SEGMENT_FEATURES if c not in frame.columns]
    if missing:
        raise ValueError(f"segment features are missing columns: {missing}")
    frame = frame.loc[:, list(SEGMENT_FEATURES)].astype(float).rename_axis("profile_id")
    if frame.index.has_duplicates:
        raise ValueError("segment features need one row per profile_id; found duplicates")
    if not np.isfinite(frame.to_numpy()).all():
        raise ValueError("segment features contain NaN or infinite values")
    return frame


class _Silhouette:
    """`silhouette_score(sample, labels, sample_size=size, random_state=seed)` for each labelling
    of one sample. Those are the same rows every time, so their distances are computed once (in
    the chunks sklearn computes them in: the same values, so the same scores) instead of per k."""

    def __init__(self, sample: np.ndarray, size: int, seed: int):
        self.rows = check_random_state(seed).permutation(len(sample))[:size]
        self.distances = np.vstack(list(pairwise_distances_chunked(sample[self.rows])))

    def __call__(self, labels: np.ndarray) -> float:
        return float(silhouette_score(self.distances, labels[self.rows], metric="precomputed"))


# One OpenMP/BLAS thread: KMeans on a 10k sample and a 4k-row silhouette are too small to
# share out; two threads spent ~4x the CPU on two cores (the labels are the same).
@threadpool_limits.wrap(limits=1)
def fit_segments(features: pd.DataFrame, *, k_range: tuple[int, int] = (3, 8), seed: int = 0,
                 previous: SegmentModel | None = None,
                 sample_size: int = 10_000) -> SegmentModel:
    """Choose k by silhouette on a sample, fit on all rows, and name the clusters.

    Rows are sorted by profile_id first, so the model depends on the set of profiles and the
    seed, not on row order. The k search fits KMeans (N_INIT restarts, random_state=seed) on a
    seeded sample of at most `sample_size` rows and scores each k with the silhouette on at
    most SILHOUETTE_SAMPLE of them; ties go to the smaller k. The chosen k is then refitted on
    ALL rows starting from the sample's centres (one cheap Lloyd run), so centroids, sizes and
    inertia describe every profile. Names come from `name_clusters(centroids, previous)`.
    """
    k_min, k_max = k_range
    if not 2 <= k_min <= k_max <= len(SEGMENT_NAMES):
        raise ValueError(f"k_range must satisfy 2 <= k_min <= k_max <= {len(SEGMENT_NAMES)} "
                         f"(one business name per cluster), got {k_range}")
    frame = _prepare(features)
    if len(frame) < k_min + 1:
        raise ValueError(f"need at least {k_min + 1} profiles to try k={k_min} segments, "
                         f"got {len(frame)}")
    try:
        frame = frame.sort_index()
    except TypeError:  # mixed id types cannot be ordered; keep the caller's order
        pass
    transform = FeatureTransform.fit(frame)
    X = transform.apply(frame)
    rng = np.random.default_rng(seed)
    sample_size = max(sample_size, k_min + 1)
    sample = X
    if len(X) > sample_size:
        sample = X[np.sort(rng.choice(len(X), sample_size, replace=False))]
    n_distinct = len(np.unique(sample, axis=0))
    candidates = [k for k in range(k_min, k_max + 1) if k < n_distinct]  # silhouette needs k < n
    if not candidates:
        raise ValueError(f"need at least {k_min + 1} distinct feature rows to try k={k_min} "
                         f"segments, got {n_distinct}")
    silhouette = _Silhouette(sample, min(len(sample), SILHOUETTE_SAMPLE), seed)
    by_k: dict[int, float] = {}
    centres: dict[int, np.ndarray] = {}
    for k in candidates:
        km = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(sample)
        by_k[k] = silhouette(km.labels_)
        centres[k] = km.cluster_centers_
    best_k = max(by_k, key=lambda k: (by_k[k], -k))
    final = KMeans(n_clusters=best_k, init=centres[best_k], n_init=1, random_state=seed).fit(X)
    # fit() centres X internally, which can flip exact ties; store what assign() will return.
    final.labels_ = final.predict(X)
    centroids = _centroids(frame, final, transform)
    names = name_clusters(centroids, previous)
    centroids["name"] = [names[c] for c in centroids.index]
    return SegmentModel(k=best_k, feature_names=SEGMENT_FEATURES, transform=transform,
                        kmeans=final, names=names, centroids=centroids,
                        silhouette=silhouette(final.predict(sample)),
                        inertia=float(final.inertia_), silhouette_by_k=by_k, n_rows=len(X),
                        n_sample=len(sample))


def _centroids(frame: pd.DataFrame, kmeans: KMeans, transform: FeatureTransform) -> pd.DataFrame:
    """Member medians in original units: readable ("5 days, 20 orders") and robust to whales."""
    k = kmeans.n_clusters
    labels = pd.Series(kmeans.labels_, index=frame.index)
    medians = frame.groupby(labels).median().reindex(range(k))
    centres = pd.DataFrame(transform.invert(kmeans.cluster_centers_), columns=medians.columns)
    medians = medians.fillna(centres)  # an empty cluster has no members: fall back to its centre
    medians["size"] = np.bincount(kmeans.labels_, minlength=k)
    return medians.rename_axis("cluster")


def _minmax(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return np.full(len(values), 0.5) if span == 0 else (values - values.min()) / span


def _rule_coordinates(centroids: pd.DataFrame) -> np.ndarray:
    """(freshness, value) per cluster, each min-max scaled across the clusters to 0..1."""
    freshness = _minmax(-centroids["recency_days"].to_numpy(dtype=float))
    logged = _log(centroids, ("frequency", "monetary"), LOG_FEATURES)
    value = _minmax((_minmax(logged[:, 0]) + _minmax(logged[:, 1])) / 2)
    return np.column_stack([freshness, value])


def name_clusters(centroids: pd.DataFrame,
                  previous: SegmentModel | None = None) -> dict[int, str]:
    """Unique business name per cluster, from centroids in original units (index = cluster).

    Rule table: each cluster gets a freshness (recency, lower days = fresher) and a value
    (mean of log1p frequency and log1p monetary, each min-max scaled) score, both min-max
    scaled across the clusters so the freshest/most valuable cluster scores 1 and the
    stalest/least valuable 0; profile_strength is clustered on but does not name. Each name
    has a prototype (freshness, value): Champions (1, 1), Loyal (0.65, 0.8), Potential
    Loyalist (0.9, 0.5), New (1, 0), Need Attention (0.5, 0.5), At Risk (0, 1), Hibernating
    (0.3, 0.2), Lost (0, 0); clusters and names are paired by the Hungarian algorithm
    minimising the total squared distance to the prototypes, so names are unique and up to
    eight clusters are always covered. Stability: with `previous`, both centroid tables are
    mapped into previous's standardised space and matched one-to-one (Hungarian, Euclidean);
    a matched cluster within STABILITY_THRESHOLD (1.0) inherits the previous name, and the
    rest are named by the rule table among the names not yet taken.
    """
    if len(centroids) > len(SEGMENT_NAMES):
        raise ValueError(f"at most {len(SEGMENT_NAMES)} clusters can be named, "
                         f"got {len(centroids)}")
    labels = [int(c) for c in centroids.index]
    names: dict[int, str] = {}
    if previous is not None:
        new = previous.transform.apply(centroids)
        old = previous.transform.apply(previous.centroids)
        distance = cdist(new, old)
        for row, col in zip(*linear_sum_assignment(distance)):
            if distance[row, col] <= STABILITY_THRESHOLD:
                names[labels[row]] = previous.names[int(previous.centroids.index[col])]
    free_rows = [i for i, label in enumerate(labels) if label not in names]
    free_names = [n for n in SEGMENT_NAMES if n not in names.values()]
    if free_rows:
        coords = _rule_coordinates(centroids)[free_rows]
        protos = np.array([NAME_PROTOTYPES[n] for n in free_names])
        cost = ((coords[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
        for row, col in zip(*linear_sum_assignment(cost)):
            names[labels[free_rows[row]]] = free_names[col]
    return dict(sorted(names.items()))
