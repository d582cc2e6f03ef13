"""dbt made ready in the background when a tenant's run starts, for its first dbt step.

A run's first in-process dbt step (staging) paid for dbt's start: importing what dbt's commands
need and reading the project's saved parse into a Manifest, about 2.5 s of CPU, while the step
before it (ingestion) mostly waits on Shopify's bulk operation. The dbt resource starts this
warm-up in a thread of its own when the run sets its resources up (transform/resource.py): it
parses for the arguments and environment the tenant's dbt steps will have, so the staging step
finds the parse kept (transform/in_process.py) and starts building at once.

Safe beside the run's steps: it takes in_process's lock like any invocation (a dbt step that
starts first, or while it parses, waits for it, then reuses its parse), it opens no warehouse
(a parse does not connect), and it writes only the tenant's dbt target folder, which the staging
step would write the same way. A failure here only means the step parses for itself.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from commerce_pipeline.storage import tenant_dbt_target

logger = logging.getLogger(__name__)


def step_environment(project_dir: str | Path, profiles_dir: str | Path | None,
                     target_path: Path) -> dict[str, str]:
    """The dbt variables of the environment DbtCliResource.cli gives a step's dbt (those that
    choose the parse, where dbt reads and writes it, and its log format)."""
    return {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_FORMAT": "json",
        "DBT_TARGET_PATH": os.fspath(target_path),
        "DBT_LOG_PATH": os.fspath(target_path),
        **({"DBT_PROFILES_DIR": str(profiles_dir)} if profiles_dir else {}),
        "DBT_PROJECT_DIR": str(project_dir),
    }


def warm_up(tenant: str, project_dir: str | Path, profiles_dir: str | Path | None,
            control_db_url: str) -> bool:
    """Import dbt and keep the parse the tenant's dbt steps will use; True when it is kept."""
    from commerce_pipeline.transform import in_process
    from commerce_pipeline.transform.assets import build_args
    from commerce_pipeline.transform.invocation import seed_target_parse

    target = tenant_dbt_target(tenant)
    seed_target_parse(Path(project_dir), target)
    env = step_environment(project_dir, profiles_dir, target)
    return in_process.keep_parse(build_args(tenant, control_db_url), env)


def _warm_up_quietly(*args) -> None:
    try:
        warm_up(*args)
    except Exception:  # noqa: BLE001 - the step will parse for itself and report any real error
        logger.debug("dbt warm-up failed", exc_info=True)


def start_warm_up(tenant: str, project_dir: str | Path, profiles_dir: str | Path | None,
                  control_db_url: str) -> threading.Thread:
    """warm_up in a daemon thread (a run that ends first does not wait for it)."""
    thread = threading.Thread(target=_warm_up_quietly, name="dbt-warm-up", daemon=True,
                              args=(tenant, project_dir, profiles_dir, control_db_url))
    thread.start()
    return thread
