"""jsan: what the DevTools parse (their own parser runs on it in the browser tests)."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from typing import Any

import pytest
from pyrsistent import pmap, pset, pvector

from rtkq import Action, freeze
from rtkq._devtools._jsan import Encoder, decode, path_key


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int


def roundtrip(value: Any) -> Any:
    return decode(Encoder().dumps(value))


def test_frozen_data_is_thawed() -> None:
    value = freeze({"a": [1, 2, {"b": None}], "s": {3}, 4: "four", None: True})
    assert roundtrip(value) == {"a": [1, 2, {"b": None}], "s": [3], "4": "four", "null": True}


def test_other_values() -> None:
    value = {
        "enum": Color.RED,
        "point": Point(1, 2),
        "action": Action("x", payload=1),
        "bytes": b"hi",
        "tuple": (1, 2),
        "object": object(),
        "true key": {True: 1},
    }
    out = roundtrip(value)
    assert out["enum"] == "red"
    assert out["point"] == {"x": 1, "y": 2}
    assert out["action"] == {"type": "x", "payload": 1}
    assert out["bytes"] == "hi"
    assert out["tuple"] == [1, 2]
    assert out["object"].startswith("<")
    assert out["true key"] == {"true": 1}


def test_special_floats_are_tagged() -> None:
    text = Encoder().dumps([math.nan, math.inf, -math.inf, 1.5])
    assert json.loads(text) == [{"$jsan": "n"}, {"$jsan": "i"}, {"$jsan": "y"}, 1.5]
    out = decode(text)
    assert math.isnan(out[0]) and out[1:] == [math.inf, -math.inf, 1.5]


def test_shared_structure_is_written_once() -> None:
    shared = pmap({"big": pvector(range(100))})
    first = pmap({"cache": shared, "n": 1})
    second = first.set("n", 2)
    text = Encoder().dumps([first, second])
    assert json.loads(text)[1]["cache"] == {"$jsan": "$[0].cache"}
    assert decode(text) == [
        {"cache": {"big": list(range(100))}, "n": 1},
        {"cache": {"big": list(range(100))}, "n": 2},
    ]


def test_references_under_keys_that_are_not_words() -> None:
    shared = pvector([1, 2])
    value = {"get_post(1)": shared, "other": shared, 'q"uote': pset([shared])}  # ordered
    text = Encoder().dumps(value)
    assert json.loads(text)["other"] == {"$jsan": '$["get_post(1)"]'}
    assert decode(text)["other"] == [1, 2]
    assert path_key("$", 'a"b') is None  # jsan cannot address it: written in full


def test_a_literal_jsan_key_is_wrapped_as_jsan_does() -> None:
    text = Encoder().dumps({"$jsan": "x", "y": 1})
    assert json.loads(text) == {"$jsan": ["x"], "y": 1}
    assert decode(text) == {"$jsan": "x", "y": 1}


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("u", None), ("d1700000000000", 1.7e12), ("rgi,ab", "gi,ab"), ("l[1,2]", [1, 2])],
)
def test_tagged_values_from_the_devtools(tag: str, expected: Any) -> None:
    assert decode(json.dumps({"v": {"$jsan": tag}})) == {"v": expected}


def test_a_reference_to_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"jsan reference '\$.nope' points to nothing"):
        decode('{"a": {"$jsan": "$.nope"}}')
