"""The dbt resource for these assets: dagster-dbt's, without two costs it pays in the Dagster
process for every dbt step that the dbt process itself repeats anyway.

- It runs `dbt --version` in a subprocess (about 2 s of dbt imports, once per resource
  instance) to learn which dbt it will run. When that is the `dbt` installed beside this Python,
  the installed dbt-core's version is the answer, read without starting dbt.
- It builds a dbt adapter in the Dagster process on every `cli()` call (about 1 s: it loads the
  profile, the project and dbt's macros). dagster-dbt uses that adapter only to fetch row counts
  or column metadata (`.fetch_row_counts()`, `.fetch_column_metadata()`), which these assets do
  not ask for; without it those calls would add nothing.

Both override private members of dagster-dbt's DbtCliResource (pinned in setup.py); a test checks
they still exist, so an upgrade that renames them fails loudly instead of silently paying again.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class CommerceDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        executable = shutil.which(str(self.dbt_executable))
        if executable and Path(executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # some other dbt: ask it

    def _initialize_dbt_core_adapter(self, args: Sequence[str]):
        return None
