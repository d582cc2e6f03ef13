"""Prepare the local Dagster instance (DAGSTER_HOME) for the embedded default."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from commerce_pipeline.settings import Settings

TEMPLATE = Path(__file__).parent / "instance" / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME with our dagster.yaml if it has none; export it for this process."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(TEMPLATE, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
