"""A compiled bulk plan's object completer as one generated Python function.

The plan's general completer loops over a selection's fields and calls a small
closure per value; a bulk export runs it for millions of objects. Generated once
per selection, the same steps are straight-line code: each field read into a
local (the default resolver's `source.get(name)` or the field's resolver), the
same null, callable and serializer checks, strings, booleans, pass-through
scalars and enum names completed inline, and the result built as one dict
literal in selection order. Anything unusual goes through the same completer
closures the loop used, so values and `Irregular` cases are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# How a leaf completer may be inlined (set as `complete.inline` by bulk_plan._leaf).
STR, BOOL, PASS, ENUM = "str", "bool", "pass", "enum"


def _inline(i: int, complete: Callable, env: dict) -> str:
    """An expression completing the non-null local `v` like `complete(v, infos)`."""
    env[f"c{i}"] = complete
    kind = getattr(complete, "inline", None)
    if kind == STR:
        return f"v if type(v) is str else c{i}(v, infos)"
    if kind == BOOL:
        return f"v if type(v) is bool else c{i}(v, infos)"
    if kind == PASS:
        return "v"
    if kind == ENUM:
        env[f"n{i}"] = complete.names
        return f"n{i}[v] if type(v) is str and v in n{i} else c{i}(v, infos)"
    return f"c{i}(v, infos)"


def generate_object(fields: list[tuple], irregular: type[Exception]) -> Callable[[Any, list], dict]:
    """`complete_object(source, infos)` for fields (key, name, resolve, info index, args,
    complete, required), as bulk_plan._Plan.object collects them."""
    env: dict[str, Any] = {"Irregular": irregular, "Mapping": Mapping}
    code = ["def complete_object(source, infos):",
            "    if type(source) is dict or isinstance(source, Mapping):",
            "        get = source.get",
            "    else:",
            "        get = lambda name: getattr(source, name, None)"]
    for i, (_key, name, resolve, index, args, complete, required) in enumerate(fields):
        if resolve is None:  # graphql-core's default resolver
            code.append(f"    v = get({name!r})")
        else:
            env[f"r{i}"], env[f"a{i}"] = resolve, args
            code += ["    try:",
                     f"        v = r{i}(source, infos[{index}], **a{i})",
                     "    except Exception as exc:  # graphql-core: a field error",
                     "        raise Irregular(str(exc)) from exc"]
        code.append("    if v is None:")
        code.append(f"        raise Irregular('null for non-null {name}')" if required
                    else f"        v{i} = None")
        if resolve is None and getattr(complete, "inline", None) == STR:
            code += ["    elif type(v) is str:", f"        v{i} = v"]  # a str is never callable
        if resolve is None:
            code += ["    elif callable(v):", "        raise Irregular('callable field value')"]
        code += ["    else:", f"        v{i} = {_inline(i, complete, env)}"]
    items = ", ".join(f"{key!r}: v{i}" for i, (key, *_rest) in enumerate(fields))
    code.append(f"    return {{{items}}}")
    exec("\n".join(code), env)  # noqa: S102 - our own source, built from the schema's names
    return env["complete_object"]
