"""Drafts of typed records: frozen dataclasses, pydantic models and msgspec structs."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import msgspec
import pydantic
import pytest

from rtkq import apply_patches, freeze, produce, produce_with_patches


class Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    id: int
    title: str
    tags: tuple[str, ...] = ()
    notes: list[dict[str, Any]] = []


class Author(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    name: str


class Book(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    title: str
    author: Author
    by_year: dict[str, list[int]] = {}


@dataclasses.dataclass(frozen=True)
class Record:
    id: int
    title: str
    tags: tuple[str, ...] = ()
    notes: list[dict[str, Any]] = dataclasses.field(default_factory=list)


class Struct(msgspec.Struct, frozen=True):
    id: int
    title: str
    tags: tuple[str, ...] = ()
    notes: list[dict[str, Any]] = []


KINDS = [Model, Record, Struct]


def make(kind: Any, **fields: Any) -> Any:
    values = {"id": 1, "title": "First", "tags": ("a",), "notes": [{"n": 1}], **fields}
    return kind(**values)


def check_round_trip(base: Any, recipe: Any) -> tuple[Any, list[Any], list[Any]]:
    new, patches, inverse = produce_with_patches(base, recipe)
    assert apply_patches(base, patches) == new
    assert apply_patches(new, inverse) == base
    return new, patches, inverse


@pytest.mark.parametrize("kind", KINDS)
def test_assigning_a_field_writes_a_copy_and_a_field_patch(kind: Any) -> None:
    post = make(kind)
    base = freeze([post, make(kind, id=2)])

    def rename(draft: Any) -> None:
        draft[0].title = "Renamed"

    new, patches, inverse = check_round_trip(base, rename)
    assert type(new[0]) is kind
    assert new[0] == make(kind, title="Renamed")
    assert post.title == "First"  # the cached record is never changed
    assert new[1] is base[1]
    assert new[0].notes is post.notes  # untouched fields are shared
    assert patches == [{"op": "replace", "path": [0, "title"], "value": "Renamed"}]
    assert inverse == [{"op": "replace", "path": [0, "title"], "value": "First"}]


@pytest.mark.parametrize("kind", KINDS)
def test_appending_to_tuple_and_list_fields_keeps_their_types(kind: Any) -> None:
    base = freeze({"post": make(kind)})

    def edit(draft: Any) -> None:
        draft["post"].tags.append("b")
        draft["post"].notes.append({"n": 2})
        draft["post"].notes[0]["seen"] = True

    new, patches, _ = check_round_trip(base, edit)
    post = new["post"]
    assert post.tags == ("a", "b") and type(post.tags) is tuple
    assert post.notes == [{"n": 1, "seen": True}, {"n": 2}]
    assert type(post.notes) is list and type(post.notes[0]) is dict
    assert [patch["path"] for patch in patches] == [["post", "tags"], ["post", "notes"]]


def test_untouched_elements_of_a_changed_field_are_the_original_objects() -> None:
    base = make(Model, notes=[{"n": 1}, {"n": 2}])
    first, second = base.notes
    new = produce(base, lambda draft: draft.notes[1].update(seen=True))
    assert new.notes[0] is first
    assert new.notes[1] == {"n": 2, "seen": True} and second == {"n": 2}


def test_a_record_as_the_base_and_nested_records_and_dict_fields() -> None:
    book = Book(title="T", author=Author(name="Ann"), by_year={"2020": [1]})

    def edit(draft: Any) -> None:
        draft.author.name = "Bea"
        draft.by_year["2020"].append(2)
        draft.by_year["2021"] = [3]

    new, patches, _ = check_round_trip(book, edit)
    assert new == Book(title="T", author=Author(name="Bea"), by_year={"2020": [1, 2], "2021": [3]})
    assert type(new.author) is Author and type(new.by_year["2020"]) is list
    assert [patch["path"] for patch in patches] == [["author"], ["by_year"]]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_field_is_an_attribute_error_and_nothing_changes(kind: Any) -> None:
    base = freeze([make(kind)])

    def typo(draft: Any) -> None:
        draft[0].title = "Changed"
        draft[0].titel = "x"

    name = kind.__qualname__
    with pytest.raises(AttributeError, match=rf"'{name}' \(\w+ record\) has no field 'titel'"):
        produce(base, typo)
    assert base[0].title == "First"
    with pytest.raises(AttributeError, match="has no field 'nope'; its fields are"):
        produce(base, lambda draft: draft[0].nope)


def test_a_field_cannot_be_deleted_and_an_equal_write_is_no_change() -> None:
    base = make(Record)
    with pytest.raises(AttributeError, match="Cannot delete field 'title'"):
        produce(base, lambda draft: delattr(draft, "title"))
    assert produce(base, lambda draft: setattr(draft, "title", "First")) is base

    def read(draft: Any) -> None:
        assert list(draft.tags) == ["a"]

    assert produce(base, read) is base  # a read is no change


def test_assigning_a_list_to_a_tuple_field_stores_a_tuple() -> None:
    new = produce(make(Struct), lambda draft: setattr(draft, "tags", ["x", "y"]))
    assert new.tags == ("x", "y") and type(new.tags) is tuple


def test_patches_written_by_hand_address_fields_and_reach_inside_them() -> None:
    base = freeze([make(Model), make(Model, id=2)])
    new = apply_patches(
        base,
        [
            {"op": "replace", "path": [1, "title"], "value": "Second"},
            {"op": "add", "path": [1, "tags", 1], "value": "z"},
            {"op": "replace", "path": [1, "notes", 0, "n"], "value": 9},
        ],
    )
    assert new[1] == make(Model, id=2, title="Second", tags=("a", "z"), notes=[{"n": 9}])
    assert type(new[1].tags) is tuple and new[0] is base[0]
    same = apply_patches(base, [{"op": "replace", "path": [0, "tags", 0], "value": "a"}])
    assert same is base


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"op": "add", "path": [0, "extra"], "value": 1}, "without the field 'extra'"),
        ({"op": "remove", "path": [0, "title"]}, "its field 'title' can only be replaced"),
        ({"op": "replace", "path": [0, "nope", 0], "value": 1}, "without the field 'nope'"),
    ],
)
def test_bad_record_patches_name_the_field_and_apply_nothing(patch: Any, match: str) -> None:
    base = freeze([make(Record)])
    with pytest.raises(ValueError, match=match):
        apply_patches(base, [patch])


def test_a_record_type_that_is_not_frozen_warns_once_per_type() -> None:
    @dataclasses.dataclass
    class Loose:
        id: int

    class LooseModel(pydantic.BaseModel):
        id: int

    with pytest.warns(RuntimeWarning, match=r"'.*Loose' \(dataclass record\) is not frozen"):
        freeze([Loose(1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        freeze([Loose(2)])  # once per type
        produce(freeze([1]), lambda draft: draft.append(Loose(3)))
    with pytest.warns(RuntimeWarning, match=r"ConfigDict\(frozen=True\)"):
        produce(freeze([1]), lambda draft: draft.append({"m": LooseModel(id=1)}))
