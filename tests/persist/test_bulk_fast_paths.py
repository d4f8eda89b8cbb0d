"""dehydrate / hydrate / SQLitePersister fast paths pinned against the plain ones.

dehydrate reads the queries map, the provided-tags index and the optimistic base in one
pass each; hydrate checks JSON-decoded entries with exact-type tests and falls back to
the complete checks for anything else. Both must give what the plain walks give.
"""

from __future__ import annotations

import json
import sqlite3
import time
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtkq import Tag, _json, configure_store, create_api, freeze
from rtkq._persist._snapshot import encode_snapshot
from rtkq._query._evolve import evolve
from rtkq.persist import SQLitePersister, dehydrate

from .test_json_fast_paths import _reference_to_json, json_values


def test_the_fast_paths_are_in_use_with_this_pyrsistent() -> None:
    # They read and build PMap buckets; with another layout they switch themselves off
    # (still correct, only slower), and this test says so.
    assert _json._FAST


def _api() -> Any:
    return create_api(
        base_query=lambda args, api, extra: {"data": None},
        tag_types=["Post", "Author"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda arg: "posts",
                provides_tags=lambda result, error, arg: [
                    {"type": "Post", "id": arg if isinstance(arg, int) else str(arg["id"])},
                    {"type": "Author", "id": ("of", arg if isinstance(arg, int) else None, 2.5)},
                    "Post",
                ],
            ),
        },
    )


def _store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def _filled(values: list[Any]) -> tuple[Any, Any]:
    api = _api()
    store = _store(api)
    entries = [
        {"endpoint_name": "get_post", "arg": {"id": i, "q": [i, "x"]} if i % 2 else i, "value": v}
        for i, v in enumerate(values)
    ]
    store.dispatch(api.util.upsert_query_entries(entries))
    return api, store


def _reference_queries(api_state: Any) -> list[dict[str, Any]]:
    """dehydrate's queries as the code before the fast paths made them."""
    base = api_state["optimistic"]["base"]
    provided_keys = api_state["provided"]["keys"]
    found = []
    for key, entry in api_state["queries"].items():
        if entry.fulfilled_at is None or entry.status.value not in ("fulfilled", "pending"):
            continue
        data = base[key] if base and key in base else entry.data
        found.append(
            {
                "query_cache_key": key,
                "endpoint_name": entry.endpoint_name,
                "original_args": _reference_to_json(entry.original_args),
                "data": _reference_to_json(data),
                "fulfilled_at": entry.fulfilled_at,
                "provided_tags": [
                    [tag.type, _reference_to_json(tag.id)] for tag in provided_keys.get(key, ())
                ],
            }
        )
    return found


@settings(max_examples=40, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=30))
def test_dehydrate_gives_the_plain_walks_snapshot_text(values: list[Any]) -> None:
    api, store = _filled(values)
    fast = dehydrate(store.get_state(), api)["queries"]
    slow = _reference_queries(store.get_state()[api.reducer_path])
    assert json.dumps(fast) == json.dumps(slow)  # same entries, values and key order


_tag_ids = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
    | st.tuples(st.integers(), st.text(max_size=2))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_tag_ids, json_values), min_size=1, max_size=20))
def test_dehydrate_of_one_tag_entries_gives_the_plain_walks_snapshot_text(
    entries: list[tuple[Any, Any]],
) -> None:
    # One tag per entry takes dehydrate's one-tag path; its id is any hashable JSON-ish
    # value (a tuple id becomes a list, a float id is checked like any float).
    api = create_api(
        base_query=lambda args, api, extra: {"data": None},
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda arg: "posts",
                provides_tags=lambda result, error, arg: [Tag("Post", arg[1])],
            ),
        },
    )
    store = _store(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [
                {"endpoint_name": "get_post", "arg": (i, tag_id), "value": value}
                for i, (tag_id, value) in enumerate(entries)
            ]
        )
    )
    snapshot = dehydrate(store.get_state(), api)
    fast = snapshot["queries"]
    slow = _reference_queries(store.get_state()[api.reducer_path])
    assert len(fast) == len(entries)
    assert all(len(item["provided_tags"]) == 1 for item in fast)
    assert json.dumps(fast) == json.dumps(slow)
    assert fast == slow


def _comparable(payload: dict[str, list[Any]]) -> Any:
    """The payload without request ids, each fulfilled_at cut to whole seconds."""
    return {
        "queries": [
            evolve(entry, request_id=None, started_at=None, fulfilled_at=int(entry.fulfilled_at))
            for entry in payload["queries"]
        ],
        "provided_tags": payload["provided_tags"],
        "mutations": [
            {k: v for k, v in item.items() if k != "request_id"} for item in payload["mutations"]
        ],
    }


class _TagList(list):  # type: ignore[type-arg]
    """A list, but not exactly one: takes hydrate's complete checks."""


def test_hydrate_payload_is_the_same_through_the_exact_and_the_complete_checks() -> None:
    api, store = _filled([{"a": [1, {"b": None}], "s": 0.5}, [1, "two"], "text", None, {}])
    snapshot = json.loads(json.dumps(dehydrate(store.get_state(), api)))
    assert ["Author", ["of", 0, 2.5]] in [
        tag for item in snapshot["queries"] for tag in item["provided_tags"]
    ]
    as_read = api.util.hydrate(snapshot).payload
    # Mappings that are not dicts, int seconds, list subclasses: the complete checks.
    other = {
        **snapshot,
        "queries": [
            types.MappingProxyType(
                {
                    **item,
                    "fulfilled_at": int(item["fulfilled_at"]),
                    "provided_tags": _TagList(item["provided_tags"]),
                }
            )
            for item in snapshot["queries"]
        ],
    }
    by_hand = api.util.hydrate(other).payload
    assert _comparable(by_hand) == _comparable(as_read)
    assert len(as_read["queries"]) == 5
    assert all(type(entry.fulfilled_at) is float for entry in by_hand["queries"])
    restored = _store(api)
    restored.dispatch(api.util.hydrate(snapshot))
    again = dehydrate(restored.get_state(), api)
    assert again["queries"] == snapshot["queries"]


def _entry(**changes: Any) -> dict[str, Any]:
    item = {
        "query_cache_key": "get_post(1)",
        "endpoint_name": "get_post",
        "original_args": 1,
        "data": {"t": 1},
        "fulfilled_at": time.time(),
        "provided_tags": [["Post", 1]],
    }
    item.update(changes)
    return item


@pytest.mark.parametrize(
    ("item", "match"),
    [
        (_entry(fulfilled_at=float("nan")), r"queries\[1\]\.fulfilled_at must be a finite number"),
        (_entry(fulfilled_at=True), r"queries\[1\]\.fulfilled_at must be a finite number"),
        (_entry(query_cache_key=3), r"queries\[1\]\.query_cache_key must be a str"),
        (_entry(endpoint_name=None), r"queries\[1\]\.endpoint_name must be a str, got None"),
        (
            _entry(provided_tags=[["Post", 1], ["Post", 2, 3]]),
            r"queries\[1\]\.provided_tags\[1\] must be a \[type, id\] pair",
        ),
        (_entry(provided_tags=[("Post", 1)]), r"queries\[1\]\.provided_tags\[0\] must be a"),
        (_entry(provided_tags={}), r"queries\[1\]\.provided_tags must be a list"),
        # checked even for entries that would be dropped (an endpoint the code lacks)
        (_entry(endpoint_name="gone", provided_tags=[[1, 2]]), r"provided_tags\[0\] must be"),
        ({k: v for k, v in _entry().items() if k != "data"}, r"queries\[1\] lacks \['data'\]"),
    ],
)
def test_malformed_entries_after_a_good_one_give_the_same_errors(
    item: dict[str, Any], match: str
) -> None:
    api = _api()
    snapshot = {"version": 1, "buster": "", "queries": [_entry(), item], "mutations": []}
    with pytest.raises(ValueError, match=match):
        api.util.hydrate(snapshot)


def test_entries_of_endpoints_the_code_lacks_are_dropped_and_dict_args_keyed() -> None:
    api = _api()
    items = [
        _entry(endpoint_name="gone", data=None),
        _entry(original_args={"x": [1, 2]}, provided_tags=[["Post", {"k": [1]}], ["Old", 1]]),
    ]
    payload = api.util.hydrate({"version": 1, "buster": "", "queries": items, "mutations": []})
    [written] = payload.payload["queries"]
    assert written.query_cache_key == 'get_post({"x":[1,2]})'
    assert written.original_args == freeze({"x": [1, 2]})
    [tags] = payload.payload["provided_tags"]
    assert tags == (Tag("Post", freeze({"k": [1]})),)
    assert type(tags[0]) is Tag


def test_a_snapshot_file_survives_save_load_hydrate_dehydrate(tmp_path: Path) -> None:
    api, store = _filled([{"n": i, "tags": ["a"], "f": i / 3} for i in range(500)])
    first = dehydrate(store.get_state(), api)
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save(first)
    restored = _store(api)
    restored.dispatch(api.util.hydrate(persister.load()))
    second = dehydrate(restored.get_state(), api)
    assert json.dumps(second["queries"]) == json.dumps(first["queries"])
    conn = sqlite3.connect(tmp_path / "cache.db")
    try:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 65536
    finally:
        conn.close()


def test_a_file_with_4k_pages_from_earlier_versions_loads_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = {"version": 1, "buster": "", "queries": [_entry()], "mutations": []}
    body, meta = encode_snapshot(old)
    conn = sqlite3.connect(path, isolation_level=None)  # as earlier versions wrote it
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE rtkq_snapshot (part TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO rtkq_snapshot VALUES ('body', ?)", (body,))
        conn.execute("INSERT INTO rtkq_snapshot VALUES ('meta', ?)", (json.dumps(meta),))
    finally:
        conn.close()
    persister = SQLitePersister(path)
    assert persister.load() == old
    newer = {**old, "buster": "v2"}
    persister.save(newer)
    assert persister.load() == newer
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    finally:
        conn.close()


def test_a_snapshot_holding_itself_is_refused_like_other_non_json(tmp_path: Path) -> None:
    circular: dict[str, Any] = {"version": 1, "queries": []}
    circular["queries"].append(circular)
    persister = SQLitePersister(tmp_path / "cache.db")
    with pytest.raises(TypeError, match="save\\(\\) writes JSON only"):
        persister.save(circular)
    assert persister.load() is None
