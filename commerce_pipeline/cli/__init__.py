"""`commerce-pipeline`: the command-line face of the project.

Subcommands live in their own modules and are imported lazily so `--help` stays fast.
"""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command or group
_COMMANDS = {
    "tenants": "commerce_pipeline.cli.tenants:tenants",
    "simulate": "commerce_pipeline.cli.simulate:simulate",
    "demo": "commerce_pipeline.cli.demo:demo",
    "sql": "commerce_pipeline.cli.sql:sql",
    "sync": "commerce_pipeline.cli.sync:sync",
    "init": "commerce_pipeline.cli.init:init",
    "identity": "commerce_pipeline.cli.identity:identity",
    "models": "commerce_pipeline.cli.models:models",
    "campaigns": "commerce_pipeline.cli.campaigns:campaigns",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(_COMMANDS)

    def get_command(self, ctx, name):
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=_LazyGroup)
def main() -> None:
    """Multi-tenant commerce intelligence on Dagster."""


if __name__ == "__main__":  # pragma: no cover
    main()
