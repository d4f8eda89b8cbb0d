"""``evolve`` / ``build`` make exactly what ``dataclasses.replace`` / the constructor make."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtkq import InfiniteQueryState, MutationState, QueryState
from rtkq._query import _evolve
from rtkq._query._evolve import build, build_positional, evolve

CLASSES = [QueryState, InfiniteQueryState, MutationState]
values = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans())


@pytest.mark.parametrize("cls", CLASSES)
@given(data=st.data())
def test_evolve_equals_dataclasses_replace(cls: type[Any], data: st.DataObject) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    start = cls(**{name: data.draw(values) for name in names if name != "status"})
    changed = data.draw(st.lists(st.sampled_from(names), unique=True))
    changes = {name: data.draw(values) for name in changed if name != "status"}
    result = evolve(start, **changes)
    assert type(result) is cls
    assert result == dataclasses.replace(start, **changes)
    assert evolve(start) == start and evolve(start) is not start


@pytest.mark.parametrize("cls", CLASSES)
@given(data=st.data())
def test_build_equals_the_constructor(cls: type[Any], data: st.DataObject) -> None:
    names = [f.name for f in dataclasses.fields(cls) if f.name != "status"]
    given_fields = {name: data.draw(values) for name in data.draw(st.sets(st.sampled_from(names)))}
    made = build(cls)(**given_fields)
    assert type(made) is cls and made == cls(**given_fields)


@pytest.mark.parametrize("cls", CLASSES)
@given(data=st.data())
def test_build_positional_equals_the_constructor(cls: type[Any], data: st.DataObject) -> None:
    names = [f.name for f in dataclasses.fields(cls) if f.name != "status"]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    given_values = [data.draw(values) for _ in chosen]
    made = build_positional(cls, *chosen)(*given_values)
    assert type(made) is cls and made == cls(**dict(zip(chosen, given_values, strict=True)))
    assert build_positional(cls, *chosen) is build_positional(cls, *chosen)  # made once


def test_unknown_fields_are_refused_with_their_names() -> None:
    with pytest.raises(TypeError, match=r"QueryState has no field\(s\) \['nope'\]"):
        evolve(QueryState(), nope=1)
    with pytest.raises(TypeError, match="nope"):
        build(QueryState)(nope=1)
    with pytest.raises(TypeError, match=r"QueryState has no field\(s\) \['nope'\]"):
        build_positional(QueryState, "data", "nope")


def test_results_stay_frozen() -> None:
    entry = evolve(QueryState(), data=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.data = 2  # type: ignore[misc]


@pytest.mark.parametrize("cls", CLASSES)
def test_entries_are_filled_through_a_writer_of_the_same_layout(cls: type[Any]) -> None:
    writer = _evolve._writer(cls)
    assert writer is not None and writer.__slots__ == cls.__dict__["__slots__"]
    made = build(cls)(data=1)
    assert type(made) is cls
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.data = 2  # frozen once built


@pytest.mark.parametrize("cls", CLASSES)
def test_without_a_writer_each_slot_is_written_through_its_descriptor(
    cls: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_evolve, "_writer", lambda cls: None)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "status"]
    fields = {name: i for i, name in enumerate(names)}
    assert _evolve._make_builder(cls)(**fields) == cls(**fields)
    positional = _evolve._make_builder(cls, tuple(names))(*fields.values())
    assert positional == cls(**fields)
    start = cls(data=1)
    assert _evolve._make_evolver(cls, ("data",))(start, {"data": 2}) == cls(data=2)
    assert type(_evolve._make_evolver(cls, ())(start, {})) is cls


def test_a_class_that_cannot_get_a_writer_is_built_slot_by_slot() -> None:
    class Sealed:
        """Refuses new subclasses, as a base of a library class might."""

        __slots__ = ()

        def __init_subclass__(cls) -> None:
            if cls.__name__ != "Entry":
                raise TypeError("sealed")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Entry(Sealed):
        label: str = ""

    assert _evolve._writer(Entry) is None
    made = build(Entry)(label="x")
    assert type(made) is Entry and made == Entry("x")
    assert evolve(made, label="y") == Entry("y")
