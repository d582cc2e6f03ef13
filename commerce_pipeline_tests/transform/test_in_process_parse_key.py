"""Which dbt invocations share one kept parse, and the `dbt parse` that makes it."""

from commerce_pipeline.transform.parses import option_value, parse_args, parse_key

BUILD = ["build", "--no-write-json", "--log-level-file", "info", "--select", "tag:staging"]
ENV = {"DBT_PROJECT_DIR": "/p", "DBT_PROFILES_DIR": "/p", "DBT_TARGET_PATH": "/t/a"}


def test_an_option_value_is_read_in_either_spelling():
    assert option_value(["--vars", "{}"], "--vars") == "{}"
    assert option_value(["--vars={}"], "--vars") == "{}"
    assert option_value(["--select", "x"], "--vars") is None


def test_steps_of_different_tenants_and_selections_share_a_parse_when_the_vars_are_equal():
    other = ["build", "--select", "tag:serving"]
    assert parse_key(BUILD, ENV) == parse_key(other, {**ENV, "DBT_TARGET_PATH": "/t/b"})


def test_different_vars_need_a_parse_of_their_own():
    assert parse_key([*BUILD, "--vars", '{"a": 1}'], ENV) != parse_key(BUILD, ENV)
    assert parse_key([*BUILD, "--vars", '{"a": 1}'], ENV) != parse_key([*BUILD, "--vars", '{"a": 2}'], ENV)


def test_another_project_or_profile_needs_a_parse_of_its_own():
    assert parse_key(BUILD, {**ENV, "DBT_PROFILES_DIR": "/q"}) != parse_key(BUILD, ENV)
    assert parse_key([*BUILD, "--target", "postgres"], ENV) != parse_key(BUILD, ENV)


def test_the_parse_takes_the_builds_vars_profile_and_logging_but_not_its_selection():
    args = [*BUILD, "--vars", '{"a": 1}', "--target", "postgres"]
    assert parse_args(args) == ["parse", "--vars", '{"a": 1}', "--target", "postgres",
                                "--log-level-file", "info", "--no-write-json"]


def _manifest(*materializations):
    from types import SimpleNamespace

    nodes = {f"model.p.m{i}": SimpleNamespace(config=SimpleNamespace(materialized=m))
             for i, m in enumerate(materializations)}
    return SimpleNamespace(nodes=nodes)


def test_a_parse_with_ephemeral_models_is_not_kept_for_later_invocations():
    from commerce_pipeline.transform.parses import has_ephemeral_models

    assert has_ephemeral_models(_manifest("view", "ephemeral"))
    assert not has_ephemeral_models(_manifest("view", "table"))


def test_dbt_runs_in_process_unless_the_environment_says_no(monkeypatch):
    from commerce_pipeline.transform.project import dbt_project
    from commerce_pipeline.transform.resource import CommerceDbtCliResource

    resource = CommerceDbtCliResource(project_dir=dbt_project)
    monkeypatch.delenv("COMMERCE_DBT_IN_PROCESS", raising=False)
    assert resource.runs_in_process()
    for no in ("0", "false", "No"):
        monkeypatch.setenv("COMMERCE_DBT_IN_PROCESS", no)
        assert not resource.runs_in_process()
    monkeypatch.setenv("COMMERCE_DBT_IN_PROCESS", "1")
    assert resource.runs_in_process()
