"""A store's latent truth (who is who, who churned) written out as JSON; the API never serves it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from commerce_pipeline.simulator.store import Store


def write_ground_truth(store: Store, path: str | Path) -> Path:
    """The store's latent truth as JSON (never served over the API)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable(store.ground_truth), indent=1, sort_keys=True))
    return path


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in (sorted(value) if isinstance(value, set) else value)]
    return value
