"""The dbt resource for these assets: dagster-dbt's, without two costs it pays in the Dagster
process for every dbt step that the dbt process itself repeats anyway.

- It runs `dbt --version` in a subprocess (about 2 s of dbt imports, once per resource
  instance) to learn which dbt it will run. When that is the `dbt` installed beside this Python,
  the installed dbt-core's version is the answer, read without starting dbt.
- It builds a dbt adapter in the Dagster process on every `cli()` call (about 1 s: it loads the
  profile, the project and dbt's macros). dagster-dbt uses that adapter only to fetch row counts
  or column metadata (`.fetch_row_counts()`, `.fetch_column_metadata()`), which these assets do
  not ask for; without it those calls would add nothing.

And by default it runs dbt in this process (transform/in_process.py, transform/invocation.py)
instead of a `dbt` subprocess per step, which paid about 3 s of dbt start-up each time. When a
tenant's run sets its resources up, it starts dbt's warm-up (transform/warm_up.py) in the
background, so the run's first dbt step finds dbt imported and the project parsed.
`in_process=False`, or COMMERCE_DBT_IN_PROCESS=0 in the environment, runs the subprocess again.

These override private members of dagster-dbt's DbtCliResource (pinned in setup.py); a test checks
they still exist, so an upgrade that renames them fails loudly instead of silently paying again.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster import InitResourceContext
from dagster._core.storage.tags import PARTITION_NAME_TAG
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation
from packaging import version
from pydantic import Field

from commerce_pipeline.settings import get_settings
from commerce_pipeline.transform.invocation import InProcessDbtCliInvocation
from commerce_pipeline.transform.warm_up import start_warm_up


def in_process_default() -> bool:
    """dbt runs in process unless COMMERCE_DBT_IN_PROCESS is 0/false/no (settings.py)."""
    return get_settings().dbt_in_process


@contextmanager
def _invocations_in_process():
    """DbtCliResource.cli ends with `DbtCliInvocation.run(...)`, the module's name for the class:
    while cli() runs, that name is the in-process invocation (its run starts no process). The
    rest of cli() (selection from the context, the environment, the target folder) is unchanged."""
    dagster_dbt_resource.DbtCliInvocation = InProcessDbtCliInvocation
    try:
        yield
    finally:
        dagster_dbt_resource.DbtCliInvocation = DbtCliInvocation


class CommerceDbtCliResource(DbtCliResource):
    in_process: bool | None = Field(
        default=None, description="run dbt in this process; None: COMMERCE_DBT_IN_PROCESS (default yes)"
    )

    def runs_in_process(self) -> bool:
        """In process only with the dbt installed beside this Python (the one it would import)."""
        wanted = in_process_default() if self.in_process is None else self.in_process
        return wanted and self._runs_this_pythons_dbt()

    def _runs_this_pythons_dbt(self) -> bool:
        executable = shutil.which(str(self.dbt_executable))
        return bool(executable) and Path(executable).parent == Path(sys.executable).parent

    def setup_for_execution(self, context: InitResourceContext) -> None:
        super().setup_for_execution(context)
        run = context.dagster_run
        tenant = run.tags.get(PARTITION_NAME_TAG) if run is not None else None
        if tenant and self.runs_in_process():
            # The registry's default control database, as TenantRegistryResource's: where a
            # run configures another, the warm parse may not be the one its steps need.
            start_warm_up(tenant, self.project_dir, self.profiles_dir, get_settings().control_db_url)

    def cli(self, args: Sequence[str], **kwargs):
        if not self.runs_in_process():
            return super().cli(args, **kwargs)
        with _invocations_in_process():
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        if self._runs_this_pythons_dbt():
            return version.parse(installed_version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # some other dbt: ask it

    def _initialize_dbt_core_adapter(self, args: Sequence[str]):
        return None
