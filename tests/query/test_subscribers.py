"""``Subscribers`` (the subscriptions of one cache key) reads and changes like a dict."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rtkq._query._subscribers import NO_OPTIONS, Subscribers

ids = st.sampled_from(["a", "b", "c", "d"])
steps = st.lists(
    st.tuples(st.sampled_from(["set", "discard"]), ids, st.sampled_from([NO_OPTIONS, {"p": 1}]))
)


@given(ids, steps)
def test_every_step_matches_a_dict(first: str, plan: list[Any]) -> None:
    ours, model = Subscribers(first, NO_OPTIONS), {first: NO_OPTIONS}
    for op, sub_id, options in plan:
        if op == "set":
            ours.set(sub_id, options)
            model[sub_id] = options
        else:
            assert ours.discard(sub_id) == (sub_id in model)
            model.pop(sub_id, None)
        assert dict(ours) == model and list(ours) == list(model) and len(ours) == len(model)
        assert bool(ours) == bool(model)
        assert list(ours.options()) == list(model.values())
        for sub_id in "abcd":
            assert (sub_id in ours) == (sub_id in model)
            assert ours.get(sub_id) == model.get(sub_id)


def test_a_missing_id_raises_key_error_and_repr_shows_the_mapping() -> None:
    subs = Subscribers("a", NO_OPTIONS)
    try:
        subs["zz"]
    except KeyError as exc:
        assert exc.args == ("zz",)
    else:  # pragma: no cover - the assertion above must run
        raise AssertionError("no KeyError")
    assert repr(subs) == "Subscribers({'a': mappingproxy({})})"
    assert subs == {"a": {}}
