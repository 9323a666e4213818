"""The report's JSON writer gives json.dumps(ensure_ascii=False, indent=1)'s bytes."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review_flow.jsontext import dumps_indented


class Colour(StrEnum):
    RED = "red"


def reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
    | st.sampled_from([Colour.RED, "中文\u3000\u200b\n\"\\", "\ud800", -0.0, 1e300])
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(values)
def test_same_bytes_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == reference(value)


@given(st.dictionaries(st.integers() | st.none() | st.booleans(), st.integers(), min_size=1))
def test_keys_json_converts_are_left_to_json(value: dict[object, int]) -> None:
    assert dumps_indented(value) == reference(value)


def test_unknown_types_raise_as_json_does() -> None:
    with pytest.raises(TypeError, match="set"):
        dumps_indented({"a": {1, 2}})
