"""``Subscriptions`` (every cache key's subscribers) reads and changes like a dict of dicts."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rtkq._query._subscribers import NO_OPTIONS, Subscriptions

keys = st.sampled_from(["k1", "k2"])
ids = st.sampled_from(["a", "b", "c"])
steps = st.lists(
    st.tuples(
        st.sampled_from(["add", "discard"]), keys, ids, st.sampled_from([NO_OPTIONS, {"p": 1}])
    )
)


@given(steps)
def test_every_step_matches_a_dict_of_dicts(plan: list[Any]) -> None:
    ours, model = Subscriptions(), {}
    for op, key, sub_id, options in plan:
        subs = model.get(key)
        if op == "add":
            assert ours.add(key, sub_id, options) == (subs is not None)
            model.setdefault(key, {})[sub_id] = options
        else:
            assert ours.discard(key, sub_id) == (subs is not None and sub_id in subs)
            if subs is not None:
                subs.pop(sub_id, None)
                if not subs:
                    del model[key]
        assert ours == model and dict(ours) == model and list(ours) == list(model)
        assert len(ours) == len(model) and list(ours.keys()) == list(model.keys())
        for key in ("k1", "k2"):
            assert (key in ours) == (key in model)
            assert list(ours.options(key)) == list(model.get(key, {}).values())
            if ours.plain(key):  # only ever one subscriber without options
                assert list(model[key].values()) == [NO_OPTIONS]
            if key in model:
                assert list(ours[key].items()) == list(model[key].items())
            for sub_id in "abc":
                assert ours.has(key, sub_id) == (sub_id in model.get(key, {}))


def test_one_plain_subscriber_is_stored_as_its_request_id() -> None:
    table = Subscriptions()
    request_id = "abc123-1"
    table.add("get(1)", request_id, NO_OPTIONS)
    assert table._held["get(1)"] is request_id  # no object per subscription
    assert table.plain("get(1)") and not table.plain("get(2)")
    table.add("get(2)", "x", {"polling_interval": 1})
    assert not table.plain("get(2)")
    table.discard("get(2)", "x")
    assert table["get(1)"] == {request_id: {}} and table["get(1)"][request_id] is NO_OPTIONS
    assert table.get("get(2)") is None
    assert repr(table) == "Subscriptions({'get(1)': {'abc123-1': mappingproxy({})}})"
    try:
        table["get(1)"]["x"] = {}  # type: ignore[index]
    except TypeError:
        pass
    else:  # pragma: no cover - the assertion above must run
        raise AssertionError("a subscribers view could be written")
    table.clear()
    assert table == {} and not table.has("get(1)", request_id)
