"""Small PNG charts of model evaluation, as bytes and as markdown for Dagster metadata.

Figures are built with matplotlib's object API (`Figure` drawn by the Agg canvas) rather than
pyplot: no screen or global backend choice is needed, nothing is registered in pyplot's figure
list, and each figure is freed as soon as its bytes are written, so repeated runs in a
long-lived Dagster process do not leak figures. Images are ~5x3.5 inches at 80 dpi, which keeps
each well under 100 kB once base64-encoded into run metadata.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

FIGSIZE = (5.0, 3.5)
DPI = 80


def markdown_image(png: bytes, alt: str) -> str:
    """`![alt](data:image/png;base64,...)`: an inline image Dagster's markdown metadata shows."""
    # Brackets or newlines in the alt text would end the markdown image syntax early.
    safe_alt = " ".join(alt.replace("[", "(").replace("]", ")").split())
    return f"![{safe_alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def _new_axes() -> tuple[Figure, Axes]:
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    """Render and drop the figure; Figure.savefig uses the Agg canvas when none is attached."""
    buffer = io.BytesIO()
    try:
        fig.tight_layout()
        fig.savefig(buffer, format="png", dpi=DPI)
    finally:
        fig.clear()  # break the artist references right away instead of waiting for gc
    return buffer.getvalue()


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def roc_curve_png(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], title: str,
                  auc: Mapping[str, float | None] | None = None) -> bytes:
    """Named ROC curves (model and baselines) as (fpr, tpr) pairs over the chance diagonal.

    `auc` maps a curve's name to its AUC, shown in the legend; names without one show none.
    Curves with no points (a single-class evaluation) are listed in the legend but not drawn.
    """
    fig, ax = _new_axes()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="chance")
    for name, (fpr, tpr) in curves.items():
        value = (auc or {}).get(name)
        label = f"{name} (AUC {value:.3f})" if _finite(value) else name
        ax.plot(list(fpr), list(tpr), linewidth=1.5, label=label)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate",
           ylabel="true positive rate", title=title)
    ax.legend(loc="lower right", fontsize="small")
    return _png(fig)


def decile_png(table: pd.DataFrame, title: str, column: str = "lift") -> bytes:
    """Bars of `column` ("lift" or "actual_rate") per decile from `metrics.decile_table`.

    For lift a line at 1 marks what a random ordering would give.
    """
    if column not in table.columns:
        raise ValueError(f"decile table has no column {column!r}")
    fig, ax = _new_axes()
    ax.bar(table["decile"].astype(str), table[column].astype(float), color="tab:blue")
    if column == "lift":
        ax.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="random")
        ax.legend(fontsize="small")
    ax.set(xlabel="decile (1 = highest score)", ylabel=column.replace("_", " "), title=title)
    return _png(fig)


def bar_png(values: Mapping[str, float], title: str, xlabel: str, top: int = 20) -> bytes:
    """Horizontal bars sorted descending (largest at the top), e.g. feature importance.

    Only the `top` largest are drawn, so a wide feature set stays legible at this size; the
    title then says so, so a reader does not take the chart for the whole set.
    """
    items = sorted(values.items(), key=lambda item: item[1], reverse=True)[:top]
    if len(values) > len(items):
        title = f"{title} (top {len(items)} of {len(values)})"
    fig, ax = _new_axes()
    if items:
        names, numbers = zip(*items)
        # barh draws the first item at the bottom; reverse so the largest sits on top.
        ax.barh(list(names)[::-1], list(numbers)[::-1], color="tab:blue")
        ax.tick_params(axis="y", labelsize="small")
    ax.set(xlabel=xlabel, title=title)
    return _png(fig)


def scatter_png(actual: ArrayLike, predicted: ArrayLike, title: str, *, log1p: bool = True,
                max_points: int = 5000, seed: int = 0) -> bytes:
    """Predicted against actual value with the y = x line, for the value model.

    log1p axes spread the long tail of customer value (negatives are clipped to 0 first, as
    log1p is undefined below -1). Over `max_points` rows a fixed-seed sample is drawn: more
    dots add nothing visible but time and file size.
    """
    x = np.asarray(actual, dtype=float).ravel()
    y = np.asarray(predicted, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"actual has {x.size} rows but predicted has {y.size}")
    if x.size > max_points:
        keep = np.random.default_rng(seed).choice(x.size, size=max_points, replace=False)
        x, y = x[keep], y[keep]
    if log1p:
        x, y = np.log1p(np.clip(x, 0, None)), np.log1p(np.clip(y, 0, None))
    fig, ax = _new_axes()
    ax.scatter(x, y, s=4, alpha=0.4, color="tab:blue", linewidths=0)
    finite = np.concatenate([x, y])
    finite = finite[np.isfinite(finite)]
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        ax.plot([low, high], [low, high], linestyle="--", color="grey", linewidth=1,
                label="predicted = actual")
        ax.legend(loc="upper left", fontsize="small")
    prefix = "log1p " if log1p else ""
    ax.set(xlabel=f"{prefix}actual", ylabel=f"{prefix}predicted", title=title)
    return _png(fig)
