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


def test_update_table_small_and_large_batches_agree() -> None:
    from pyrsistent import pmap

    from rtkq._types import new_table, update_table

    base = new_table({f"k{i}": i for i in range(100)})
    small = update_table(base, {"k1": -1, "new": 7}, ["k2", "absent"])  # mutation path
    large = update_table(base, {f"n{i}": i for i in range(60)}, ["k3"])  # removal: mutation
    rebuilt = update_table(base, {f"n{i}": i for i in range(60)})  # large: rebuilt
    assert dict(small) == {**{k: v for k, v in base.items() if k != "k2"}, "k1": -1, "new": 7}
    assert "k3" not in large and large["n59"] == 59 and len(large) == 159
    assert dict(rebuilt) == {**base, **{f"n{i}": i for i in range(60)}}
    assert update_table(base, {}, ["absent"]) is base  # nothing to do: the same object
    # a PMap (a preloaded state built by hand) becomes a table with the same items
    assert update_table(pmap({"a": 1}), {"b": 2}) == new_table({"a": 1, "b": 2})
