"""dagster-dbt's DbtCliInvocation with dbt run in this process (transform/in_process.py).

Only where the dbt output comes from changes: instead of reading a subprocess's stdout, the
invocation runs dbt in process (in a thread of its own) when its events are first read and goes
through the JSON log lines as dbt prints them. dagster-dbt's own code turns those lines into
Dagster events (materializations, asset check results), reports errors and raises, exactly as
for its subprocess.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from dagster import get_dagster_logger
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster_dbt.core.dbt_cli_invocation import (
    PARTIAL_PARSE_FILE_NAME,
    DbtCliInvocation,
    _get_dbt_target_path,
)

from commerce_pipeline.transform import in_process

logger = get_dagster_logger()


def seed_target_parse(project_dir: Path, target_path: Path) -> None:
    """As dagster-dbt does: a new target folder starts from the project's saved parse."""
    source = _get_dbt_target_path()
    if not source.is_absolute():
        source = project_dir / source
    source, destination = source / PARTIAL_PARSE_FILE_NAME, target_path / PARTIAL_PARSE_FILE_NAME
    if source.exists() and not destination.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)


@dataclass
class DbtRun:
    """Stands in for the subprocess.Popen that DbtCliInvocation reads `args` and the exit code
    from; `returncode` is None until dbt has run."""

    args: list[str]
    returncode: int | None = None
    stdout: None = None

    def wait(self, timeout: float | None = None) -> int | None:
        return self.returncode

    def send_signal(self, signal: int) -> None:
        pass  # in_process.DbtThread passes an interrupt on to dbt's thread itself


@dataclass
class InProcessDbtCliInvocation(DbtCliInvocation):
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def run(cls, args: Sequence[str], env: dict[str, str], manifest, dagster_dbt_translator,
            project_dir, target_path, raise_on_error, context, adapter, cli_version,
            dbt_project=None) -> InProcessDbtCliInvocation:
        """DbtCliInvocation.run without starting a process (dbt runs when its events are read)."""
        seed_target_parse(project_dir, target_path)
        invocation = cls(process=DbtRun(list(args)), manifest=manifest,
                         dagster_dbt_translator=dagster_dbt_translator, project_dir=project_dir,
                         target_path=target_path, raise_on_error=raise_on_error, context=context,
                         adapter=adapter, cli_version=cli_version, project=dbt_project, env=env)
        logger.info(f"Running dbt command in process: `{invocation.dbt_command}`.")
        return invocation

    def _stream_stdout(self) -> Iterator[str | dict[str, Any]]:
        if self.process.returncode is not None:
            return  # already run and read, like a finished process's closed stdout
        run = in_process.DbtThread(self.process.args[1:], self.env)  # [0] is the executable
        for line in run:  # as dbt writes them
            try:
                raw_event = orjson.loads(line)
                if raw_event["info"]["level"] == "error":
                    self._error_messages.append(raw_event["info"]["msg"])
            except (orjson.JSONDecodeError, KeyError, TypeError):
                yield line
                continue
            yield raw_event
        outcome = run.outcome
        self.process.returncode = outcome.returncode
        if isinstance(outcome.exception, (KeyboardInterrupt, DagsterExecutionInterruptedError)):
            raise outcome.exception  # a run being stopped, not a dbt failure (dbtRunner caught it)
        if outcome.exception is not None:
            self._error_messages.append(f"{type(outcome.exception).__name__}: {outcome.exception}")
