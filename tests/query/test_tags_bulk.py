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
