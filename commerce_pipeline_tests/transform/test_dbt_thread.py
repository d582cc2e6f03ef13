"""dbt run in a thread of its own (transform/in_process.py, DbtThread): its log lines are read
while it works, its exit code is the CLI's, and a reader that stops or is interrupted still
leaves one invocation at a time and the DuckDB file closed. A small dbt project of its own
(numbered table models on DuckDB) keeps these quick."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from commerce_pipeline.transform import in_process
from commerce_pipeline.transform.parses import project_fingerprint

MODELS = 12


def write_project(root: Path, models: int = MODELS) -> dict[str, str]:
    """A dbt project with `models` table models in `root`, writing to `database(root)`; returns
    the environment to run it."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: threaded\nversion: '1.0'\nconfig-version: 2\nprofile: threaded\n"
        "models:\n  threaded:\n    +materialized: table\n")
    (root / "profiles.yml").write_text(
        f"threaded:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {database(root)}\n      threads: 1\n")
    for i in range(models):
        (root / "models" / f"m{i:02d}.sql").write_text(f"select {i} as x")
    return {"DBT_PROJECT_DIR": str(root), "DBT_PROFILES_DIR": str(root), "DBT_LOG_FORMAT": "json",
            "DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "target"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def database(root: Path) -> Path:
    return root.parent / "db.duckdb"  # outside the project, whose files key its kept parse


def models_built(lines: list[str]) -> int:
    names = [json.loads(line)["info"]["name"] for line in lines]
    return sum(name == "LogModelResult" for name in names)


def model_value(root: Path, model: str) -> int:
    with duckdb.connect(str(database(root)), read_only=True) as con:
        return con.execute(f"select x from {model}").fetchone()[0]


@pytest.fixture
def project(tmp_path) -> tuple[Path, dict[str, str]]:
    return tmp_path / "project", write_project(tmp_path / "project")


def test_dbt_log_lines_are_read_while_dbt_is_still_running(project):
    root, env = project
    run = in_process.DbtThread(["build"], env)
    lines = iter(run)
    first = next(lines)
    assert run.outcome is None and run._thread.is_alive()
    rest = list(lines)
    assert run.outcome.returncode == 0 and run.outcome.exception is None
    assert json.loads(first)["info"]["name"] == "MainReportVersion"
    assert models_built(rest) == MODELS


def test_a_failing_model_ends_with_the_clis_exit_code_for_failed_nodes(project):
    root, env = project
    (root / "models" / "m00.sql").write_text("select x from no_such_table")
    outcome = in_process.invoke(["build"], env)
    assert outcome.returncode == 1
    assert any(json.loads(line)["info"]["level"] == "error" for line in outcome.lines)


def test_a_reader_that_stops_early_stops_dbt_and_waits_for_it_to_close_its_duckdb_file(project):
    root, env = project
    run = in_process.DbtThread(["build"], env)
    lines = iter(run)
    while json.loads(next(lines))["info"]["name"] != "LogModelResult":
        pass  # a model built: dbt has the DuckDB file open
    lines.close()
    assert not run._thread.is_alive()
    assert in_process._LOCK.acquire(blocking=False)  # the next invocation may start
    in_process._LOCK.release()
    writer = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('create table t_free (x int)')"
    subprocess.run([sys.executable, "-c", writer, str(database(root))], check=True, timeout=60)


def test_an_interrupted_dbt_run_stops_before_its_remaining_models_and_says_why(tmp_path):
    env = write_project(tmp_path / "project", models=60)
    run = in_process.DbtThread(["build"], env)
    lines = iter(run)
    while "Concurrency" not in json.loads(next(lines))["info"]["msg"]:
        pass  # "Concurrency: 1 threads": dbt is about to run its nodes
    run.interrupt()
    rest = list(lines)
    assert isinstance(run.outcome.exception, KeyboardInterrupt) and run.outcome.returncode == 2
    assert models_built(rest) < 60


def test_a_kept_parse_is_not_used_once_a_model_of_the_project_changed(project):
    root, env = project
    assert in_process.invoke(["build", "--select", "m01"], env).returncode == 0
    assert model_value(root, "m01") == 1
    time.sleep(0.01)  # a modification time of its own, even on coarse clocks
    (root / "models" / "m01.sql").write_text("select 101 as x")
    assert in_process.invoke(["build", "--select", "m01"], env).returncode == 0
    assert model_value(root, "m01") == 101


def test_the_project_fingerprint_follows_its_files_but_not_what_dbt_writes(project):
    root, env = project
    before = project_fingerprint(["build"], env)
    (root / "target").mkdir(exist_ok=True)
    (root / "target" / "partial_parse.msgpack").write_bytes(b"x")
    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / "dbt.log").write_text("x")
    assert project_fingerprint(["build"], env) == before
    (root / "models" / "m99.sql").write_text("select 99 as x")
    assert project_fingerprint(["build"], env) != before
