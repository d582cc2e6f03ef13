"""Which in-process dbt invocations can share one parse of the project (dbt's Manifest), and the
`dbt parse` invocation that makes it (transform/in_process.py keeps the parses)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

# The options that change what dbt parses: --vars (rendered into the models), the profile and
# target (schema and database come from them), and which project and profiles it reads.
PARSE_OPTIONS = ("--vars", "--profile", "--target", "--project-dir", "--profiles-dir")
PARSE_ENV = ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR")
# Options a `parse` invocation should share with the build it stands in for.
PARSE_PASSED_ON = (*PARSE_OPTIONS, "--log-level-file", "--log-level", "--log-format")
PARSE_PASSED_ON_FLAGS = ("--no-write-json", "--no-partial-parse", "--no-use-colors")


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


def project_fingerprint(args: Sequence[str], env: Mapping[str, str]) -> tuple:
    """What changes when the project's files do: each file's path, size and modification time
    under the project and profiles folders (dbt's own output folders left out). About a
    millisecond for this project; a kept parse is used only while this is unchanged."""
    folders = {option_value(args, o) or env.get(e) or "." for o, e in
               (("--project-dir", "DBT_PROJECT_DIR"), ("--profiles-dir", "DBT_PROFILES_DIR"))}
    out = []
    for folder in sorted(folders):
        for root, dirs, files in os.walk(folder):
            if root == folder:  # dbt writes these; the project's sources are elsewhere
                dirs[:] = [d for d in dirs if d not in ("target", "logs", ".git")]
            for name in files:
                stat = os.stat(os.path.join(root, name))
                out.append((root, name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(out))


def has_ephemeral_models(manifest) -> bool:
    """dbt marks a compiled node's ephemeral CTEs as injected and never resets the mark, so a
    Manifest kept across invocations would lose them on the second compile: such a project
    parses for every invocation (still in process)."""
    return any(getattr(node.config, "materialized", None) == "ephemeral"
               for node in manifest.nodes.values())
