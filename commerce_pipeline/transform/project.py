"""The dbt project, loaded once: its manifest is generated (`make prepare`), never committed."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` this parses the project when the manifest is stale.
dbt_project.prepare_if_dev()
