"""A generated object completer does what the plan's per-field closures do, field by field."""

import pytest

from commerce_pipeline.simulator.bulk_plan import Irregular
from commerce_pipeline.simulator.plan_codegen import ENUM, STR, generate_object


def _leaf(kind, **extra):
    def complete(v, _):
        return ("serialized", v)
    complete.inline = kind
    for name, value in extra.items():
        setattr(complete, name, value)
    return complete


FIELDS = [("id", "id", None, None, {}, _leaf(STR), True),
          ("s", "state", None, None, {}, _leaf(ENUM, names={"ON": "ON"}), False)]


def test_fields_come_out_under_their_keys_in_selection_order():
    out = generate_object(FIELDS, Irregular)({"state": "ON", "id": "gid://x/1"}, [])
    assert list(out.items()) == [("id", "gid://x/1"), ("s", "ON")]


def test_a_value_the_inline_path_does_not_know_goes_to_the_completer():
    out = generate_object(FIELDS, Irregular)({"id": 7, "state": "OFF"}, [])
    assert out == {"id": ("serialized", 7), "s": ("serialized", "OFF")}


def test_null_for_a_non_null_field_is_irregular():
    with pytest.raises(Irregular):
        generate_object(FIELDS, Irregular)({"state": "ON"}, [])


def test_a_resolver_that_raises_is_irregular():
    def resolve(source, info, **args):
        raise ValueError("boom")
    fields = [("r", "r", resolve, 0, {"first": 1}, _leaf(STR), False)]
    with pytest.raises(Irregular):
        generate_object(fields, Irregular)({}, [None])
