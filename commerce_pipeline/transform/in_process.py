"""dbt run inside this process (dbt's own `dbtRunner`) instead of a `dbt` subprocess per step.

A `dbt` process paid about 3 s before doing any work (importing dbt, then reading the saved
parse) for each of a tenant's three dbt steps. Here dbt is imported once per process and the
parsed project (dbt's Manifest) is kept per distinct parse and handed to later invocations
(https://docs.getdbt.com/reference/programmatic-invocations#reusing-objects).

What a run must not carry over to the next, since dbt's state is process-wide:
- one invocation at a time (flags, adapters, event logger and invocation context are global);
- the environment dagster-dbt gives its subprocess (DBT_TARGET_PATH names the tenant's folder,
  which is how transform/duckdb_tenant.py finds the tenant's DuckDB file) is set for the
  invocation only;
- dbt-duckdb keeps its DuckDB connection open in a class attribute after dbt returns
  (`keep_open`, dbt-labs/dbt-core#11980): it is closed after every invocation, so the tenant's
  file is free for the Python steps that write to it next, and for the next tenant.

dbt prints its JSON log lines (DBT_LOG_FORMAT=json) to a stream set with dbt_common's
`capture_stdout_logs`: the same lines the subprocess wrote to its stdout, which dagster-dbt then
turns into Dagster events exactly as it does for a subprocess (transform/resource.py).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

# The options that change what dbt parses: --vars (rendered into the models), the profile and
# target (schema and database come from them), and which project and profiles it reads.
PARSE_OPTIONS = ("--vars", "--profile", "--target", "--project-dir", "--profiles-dir")
PARSE_ENV = ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR")
# Options a `parse` invocation should share with the build it stands in for.
PARSE_PASSED_ON = (*PARSE_OPTIONS, "--log-level-file", "--log-level", "--log-format")
PARSE_PASSED_ON_FLAGS = ("--no-write-json", "--no-partial-parse", "--no-use-colors")
MANIFESTS_KEPT = 8  # Postgres tenants each have their own parse (their schema is in --vars)

_LOCK = threading.RLock()
_manifests: OrderedDict[tuple, object] = OrderedDict()


def option_value(args: Sequence[str], name: str) -> str | None:
    """The value given to option `name` in args (`--x v` or `--x=v`), the last one if repeated."""
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def parse_key(args: Sequence[str], env: Mapping[str, str]) -> tuple:
    """What two invocations must share to use the same parse of the project."""
    return (tuple(option_value(args, o) for o in PARSE_OPTIONS)
            + tuple(env.get(name) for name in PARSE_ENV))


def parse_args(args: Sequence[str]) -> list[str]:
    """`dbt parse` with the options of `args` that shape the parse and its logging."""
    out = ["parse"]
    for name in PARSE_PASSED_ON:
        value = option_value(args, name)
        if value is not None:
            out += [name, value]
    return out + [flag for flag in PARSE_PASSED_ON_FLAGS if flag in args]


@dataclass
class DbtOutcome:
    """What a dbt invocation left: its exit code as the `dbt` CLI would have returned it, the
    log lines it printed and the exception that stopped it, if any."""

    returncode: int
    lines: list[str] = field(default_factory=list)
    exception: BaseException | None = None


class _Lines:
    """A text stream keeping each log line dbt writes (one write per line, newline-terminated)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.extend(line for line in text.splitlines() if line.strip())
        return len(text)

    def flush(self) -> None:
        pass


@contextmanager
def _environ(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ has `env`'s values inside the block, as the subprocess's environment would.
    Only the differing keys change (other threads may read the environment meanwhile)."""
    changed = {k: os.environ.get(k) for k, v in env.items() if os.environ.get(k) != v}
    os.environ.update({k: env[k] for k in changed})
    try:
        yield
    finally:
        for k, old in changed.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between invocations (if it was used)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
        DuckDBConnectionManager.close_all_connections()


def _returncode(result) -> int:
    """The `dbt` CLI's exit code for a dbtRunnerResult: 0 ok, 1 failed nodes, 2 dbt failed."""
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


def _manifest_for(args: Sequence[str], env: Mapping[str, str], out: _Lines):
    """The parse for these args: kept from an earlier invocation, or made now (dbt reads the
    saved parse in the target folder, as the subprocess did). Returns (manifest, failed outcome)."""
    from dbt.cli.main import dbtRunner

    key = parse_key(args, env)
    if key in _manifests:
        _manifests.move_to_end(key)
        return _manifests[key], None
    result = dbtRunner().invoke(parse_args(args))
    if not result.success:
        return None, DbtOutcome(_returncode(result), out.lines, result.exception)
    if not has_ephemeral_models(result.result):
        _manifests[key] = result.result
    while len(_manifests) > MANIFESTS_KEPT:
        _manifests.popitem(last=False)
    return result.result, None


def has_ephemeral_models(manifest) -> bool:
    """dbt marks a compiled node's ephemeral CTEs as injected and never resets the mark, so a
    Manifest kept across invocations would lose them on the second compile: such a project
    parses for every invocation (still in process)."""
    return any(getattr(node.config, "materialized", None) == "ephemeral"
               for node in manifest.nodes.values())


def invoke(args: Sequence[str], env: Mapping[str, str]) -> DbtOutcome:
    """Run `dbt <args>` in this process with environment `env`, as the CLI would run it."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    out = _Lines()
    with _LOCK, _environ(env):
        capture_stdout_logs(out)
        try:
            manifest, failed = _manifest_for(args, env, out)
            if failed is not None:
                return failed
            result = dbtRunner(manifest=manifest).invoke(list(args))
            return DbtOutcome(_returncode(result), out.lines, result.exception)
        finally:
            stop_capture_stdout_logs()
            _close_duckdb()


def forget_parses() -> None:
    """Drop the kept parses (the next invocation of each parses again)."""
    with _LOCK:
        _manifests.clear()
