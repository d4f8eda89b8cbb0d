"""apply_patches: replay semantics and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import pset

from rtkq import apply_patches, freeze, thaw

BASE = freeze({"a": [1, 2, 3], "m": {"k": "v"}, "s": {"x"}, "n": 5})


def test_ops_on_maps_lists_sets_and_root() -> None:
    new = apply_patches(
        BASE,
        [
            {"op": "add", "path": ["a", 0], "value": 0},
            {"op": "add", "path": ["a", "-"], "value": 4},
            {"op": "remove", "path": ["a", 1]},
            {"op": "replace", "path": ["a", 0], "value": {"plain": [1]}},
            {"op": "add", "path": ["m", "k2"], "value": "v2"},
            {"op": "add", "path": ["m", "k"], "value": "V"},
            {"op": "remove", "path": ["n"]},
            {"op": "add", "path": ["s", "y"], "value": "y"},
            {"op": "remove", "path": ["s", "x"]},
        ],
    )
    assert thaw(new) == {
        "a": [{"plain": [1]}, 2, 3, 4],
        "m": {"k": "V", "k2": "v2"},
        "s": {"y"},
    }
    assert new["s"] == pset(["y"])
    assert apply_patches(BASE, [{"op": "replace", "path": [], "value": [1]}]) == freeze([1])
    assert apply_patches(BASE, [{"op": "add", "path": [], "value": 2}]) == 2


def test_untouched_parts_keep_identity_and_noop_keeps_base() -> None:
    new = apply_patches(BASE, [{"op": "replace", "path": ["a", 0], "value": 9}])
    assert new["m"] is BASE["m"]
    assert apply_patches(BASE, [{"op": "replace", "path": ["n"], "value": 5}]) is BASE
    assert apply_patches(BASE, []) is BASE


def test_frozen_patches_are_accepted() -> None:
    patch = freeze({"op": "replace", "path": ["m", "k"], "value": "w"})
    assert apply_patches(BASE, [patch])["m"]["k"] == "w"


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        (
            {"op": "replace", "path": ["nope"], "value": 1},
            r"patch 1 \('replace' at path \['nope'\]\).*'nope' does not exist",
        ),
        ({"op": "remove", "path": ["m", "zz"]}, r"patch 1 .*\['m', 'zz'\]"),
        ({"op": "add", "path": ["nope", "x"], "value": 1}, r"patch 1 .*does not exist"),
        ({"op": "replace", "path": ["a", 3], "value": 1}, r"patch 1 .*out of range"),
        ({"op": "add", "path": ["a", 5], "value": 1}, r"out of range"),
        ({"op": "remove", "path": ["a", -1]}, r"out of range"),
        ({"op": "remove", "path": ["a", "0"]}, r"not an integer index"),
        ({"op": "replace", "path": ["a", True], "value": 1}, r"not an integer index"),
        ({"op": "add", "path": ["n", "x"], "value": 1}, r"'int', not a map"),
        ({"op": "replace", "path": ["n", "x", "y"], "value": 1}, r"'int', not a map"),
        ({"op": "replace", "path": ["s", "x"], "value": 1}, r"set"),
        ({"op": "remove", "path": ["s", "nope"]}, r"not a member"),
        ({"op": "remove", "path": []}, r"cannot be removed"),
        (
            {"op": "move", "path": ["a"], "from": ["m"]},
            r"Patch 1 at path \['a'\] has unknown op 'move'",
        ),
        ({"op": "add", "path": ["a", 0]}, r"Patch 1 .*no 'value'"),
        ({"op": "add", "path": "a/0", "value": 1}, r"Patch 1 has path"),
        ("not a patch", r"Patch 1 is a 'str'"),
    ],
)
def test_bad_patches_are_value_errors_and_nothing_is_applied(patch: Any, match: str) -> None:
    good = {"op": "replace", "path": ["m", "k"], "value": "changed"}
    with pytest.raises(ValueError, match=match):
        apply_patches(BASE, [good, patch])
    assert BASE["m"]["k"] == "v"


def test_unhashable_path_key_is_type_error() -> None:
    with pytest.raises(TypeError, match=r"patch 0 .*'list'"):
        apply_patches(BASE, [{"op": "add", "path": [["x"]], "value": 1}])


def test_non_freezable_patch_value_is_type_error() -> None:
    with pytest.raises(TypeError, match=r"Patch 0 .*'bytearray'"):
        apply_patches(BASE, [{"op": "add", "path": ["b"], "value": bytearray()}])


def test_patches_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="list of patches"):
        apply_patches(BASE, {"op": "add", "path": [], "value": 1})  # type: ignore[arg-type]


def test_plain_base_is_frozen() -> None:
    new = apply_patches({"a": [1]}, [{"op": "add", "path": ["a", 1], "value": {"b": 2}}])
    assert new == freeze({"a": [1, {"b": 2}]})
    assert thaw(new) == {"a": [1, {"b": 2}]}
