"""`commerce-pipeline models`: per-tenant model settings and the registry's versions."""

from click.testing import CliRunner

from commerce_pipeline.cli import main
from commerce_pipeline.ml.registry import record
from commerce_pipeline.ml.trained import TrainedModel


def _run(*args):
    return CliRunner().invoke(main, ["models", *args])


def test_settings_show_defaults_and_mark_what_the_tenant_changed():
    changed = _run("settings", "shop-a", "--set", "churn_window_days=60", "--by", "ana")
    assert changed.exit_code == 0, changed.output
    row = next(line for line in changed.output.splitlines() if line.startswith("churn_window_days"))
    assert row.split()[1:] == ["60", "tenant"]
    shown = _run("settings", "shop-a").output
    assert any(line.split()[:3] == ["value_window_days", "180", "default"] for line in shown.splitlines())


def test_a_bad_setting_is_refused_with_the_reason_and_nothing_is_stored():
    refused = _run("settings", "shop-a", "--set", "churn_window_days=-5")
    assert refused.exit_code != 0
    assert "churn_window_days must be a positive whole number" in refused.output
    shown = _run("settings", "shop-a").output.splitlines()
    assert any(line.split() == ["churn_window_days", "90", "default"] for line in shown)


def test_versions_list_each_training_with_its_verdict():
    record(TrainedModel("churn_model", "shop-a", "skipped", "not trained: 12 customers have ordered"),
           run_id="r1")
    listed = _run("versions", "shop-a")
    assert listed.exit_code == 0, listed.output
    assert "churn_model" in listed.output and "skipped" in listed.output
    assert "not trained: 12 customers have ordered" in listed.output
