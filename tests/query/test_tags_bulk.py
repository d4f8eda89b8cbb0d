"""``replace_provided_many`` (bulk upserts, hydrate) equals one ``replace_provided`` per entry."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rtkq import Tag
from rtkq._query._tags import EMPTY_PROVIDED, replace_provided, replace_provided_many

tags = st.lists(
    st.builds(Tag, st.sampled_from(["A", "B"]), st.sampled_from([None, 0, 1, "", "LIST"])),
    max_size=3,
)
batches = st.lists(
    st.lists(st.tuples(st.sampled_from([f"k{i}" for i in range(5)]), tags), max_size=6),
    max_size=5,
)


@settings(max_examples=300)
@given(batches)
def test_bulk_replacement_matches_one_by_one(steps: list[list[tuple[str, list[Tag]]]]) -> None:
    one_by_one = bulk = EMPTY_PROVIDED
    for pairs in steps:
        for key, provided in pairs:
            one_by_one = replace_provided(one_by_one, key, provided)
        before = bulk
        bulk = replace_provided_many(bulk, pairs)
        assert bulk == one_by_one
        if not pairs:
            assert bulk is before  # unchanged means the same object


def test_bulk_update_small_and_large_batches_agree() -> None:
    from pyrsistent import pmap

    from rtkq._query._tags import bulk_update

    base = pmap({f"k{i}": i for i in range(100)})
    small = bulk_update(base, {"k1": -1, "new": 7}, ["k2", "absent"])  # evolver path
    large = bulk_update(base, {f"n{i}": i for i in range(60)}, ["k3"])  # removal: evolver
    rebuilt = bulk_update(base, {f"n{i}": i for i in range(60)})  # large: rebuilt
    assert small == {**{k: v for k, v in base.items() if k != "k2"}, "k1": -1, "new": 7}
    assert "k3" not in large and large["n59"] == 59 and len(large) == 159
    assert rebuilt == {**base, **{f"n{i}": i for i in range(60)}}
    assert bulk_update(base, {}, ["absent"]) is base  # nothing to do: the same object
