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
turns into Dagster events exactly as it does for a subprocess (transform/invocation.py). dbt runs
in a thread of its own and its lines are read as it writes them, so Dagster stores each event
(a SQLite write, which releases the GIL) while dbt goes on, as it did beside the subprocess.
"""

from __future__ import annotations

import ctypes
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from commerce_pipeline.transform.parses import (
    has_ephemeral_models,
    parse_args,
    parse_key,
    project_fingerprint,
)

MANIFESTS_KEPT = 8  # Postgres tenants each have their own parse (their schema is in --vars)

_LOCK = threading.RLock()
_manifests: OrderedDict[tuple, object] = OrderedDict()


@dataclass
class DbtOutcome:
    """What a dbt invocation left: its exit code as the `dbt` CLI would have returned it, the
    log lines it printed and the exception that stopped it, if any."""

    returncode: int
    lines: list[str] = field(default_factory=list)
    exception: BaseException | None = None


class _Lines:
    """A text stream handing each log line dbt writes (one write per line) to `put`."""

    def __init__(self, put: Callable[[str], object]) -> None:
        self._put = put

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self._put(line)
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


def _kept_key(args: Sequence[str], env: Mapping[str, str]) -> tuple:
    """What a kept parse is found by: the parse's inputs and the project's files."""
    return parse_key(args, env), project_fingerprint(args, env)


def _manifest_for(args: Sequence[str], env: Mapping[str, str]):
    """The parse for these args: kept from an earlier invocation of the unchanged project, or
    made now (dbt reads the saved parse in the target folder, as the subprocess did).
    Returns (manifest, failed outcome)."""
    from dbt.cli.main import dbtRunner

    key = _kept_key(args, env)
    if key in _manifests:
        _manifests.move_to_end(key)
        return _manifests[key], None
    result = dbtRunner().invoke(parse_args(args))
    if not result.success:
        return None, DbtOutcome(_returncode(result), exception=result.exception)
    if not has_ephemeral_models(result.result):
        _manifests[key] = result.result
    while len(_manifests) > MANIFESTS_KEPT:
        _manifests.popitem(last=False)
    return result.result, None


def _run(args: Sequence[str], env: Mapping[str, str], put: Callable[[str], object]) -> DbtOutcome:
    """`dbt <args>` with environment `env`, as the CLI would run it; each log line to `put`."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    with _LOCK, _environ(env):
        capture_stdout_logs(_Lines(put))
        try:
            manifest, failed = _manifest_for(args, env)
            if failed is not None:
                return failed
            result = dbtRunner(manifest=manifest).invoke(list(args))
            return DbtOutcome(_returncode(result), exception=result.exception)
        finally:
            stop_capture_stdout_logs()
            _close_duckdb()


class DbtThread:
    """`dbt <args>` run in a thread of its own. Iterating yields its log lines as dbt writes them
    (so the caller turns them into Dagster events, SQLite writes, while dbt works on); `outcome`
    is set once the last line is read.

    Dagster's interrupts (a run being stopped) reach the reading thread: dbt then gets a
    KeyboardInterrupt in its own thread, as when it ran in the caller's (it stops at its next
    node and cancels its queries), and the reader waits for it to end and raises the interrupt.
    A reader that stops early (its step failed) stops dbt the same way and waits for it: one
    invocation at a time, and its DuckDB file closed before the next."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        self.outcome: DbtOutcome | None = None
        self._lines: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, args=(list(args), dict(env)),
                                        name="dbt-in-process", daemon=True)
        self._thread.start()

    def _work(self, args: list[str], env: dict[str, str]) -> None:
        try:
            outcome = _run(args, env, self._lines.put)
        except BaseException as error:  # noqa: BLE001 - handed to the reading thread
            outcome = DbtOutcome(2, exception=error)
            _close_duckdb()  # an interrupt may have landed in _run's own clean-up
        self._lines.put(outcome)

    def __iter__(self) -> Iterator[str]:
        try:
            while True:
                item = self._lines.get()
                if isinstance(item, DbtOutcome):
                    self.outcome = item
                    return
                yield item
        except BaseException:  # a run being stopped, or the reader failed: dbt stops too
            if self._thread.is_alive():
                self.interrupt()
            self._thread.join()
            raise

    def interrupt(self) -> None:
        """Raise KeyboardInterrupt in dbt's thread (delivered when it next runs Python code)."""
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread.ident),
                                                   ctypes.py_object(KeyboardInterrupt))


def keep_parse(args: Sequence[str], env: Mapping[str, str]) -> bool:
    """Import dbt and keep the parse that `dbt <args>` with `env` will use, without running it
    (transform/warm_up.py does this while a run's first steps work). dbt's log lines are dropped:
    no Dagster step reads them. True when such a parse is now kept."""
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    with _LOCK, _environ(env):
        capture_stdout_logs(_Lines(lambda line: None))
        try:
            _manifest, failed = _manifest_for(args, env)
        finally:
            stop_capture_stdout_logs()
        return failed is None and _kept_key(args, env) in _manifests


def invoke(args: Sequence[str], env: Mapping[str, str]) -> DbtOutcome:
    """Run `dbt <args>` in this process with environment `env`; its lines once it has ended."""
    run = DbtThread(args, env)
    lines = list(run)
    return DbtOutcome(run.outcome.returncode, lines, run.outcome.exception)


def forget_parses() -> None:
    """Drop the kept parses (the next invocation of each parses again)."""
    with _LOCK:
        _manifests.clear()
