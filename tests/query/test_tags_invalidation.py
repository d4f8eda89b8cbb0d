"""Invalidation by tags: what refetches, what is removed, counted by base-query calls."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryStatus, Tag, create_api, thaw

from ._tags_support import SETTLE, Counting, PostsBackend, make_store, queries

pytestmark = pytest.mark.looptime

TAG_TYPES = ["apple", "pear", "banana", "tomato", "cat", "dog", "giraffe"]

# provides_tags, invalidates_tags, should the providing query refetch
MATRIX: list[tuple[list[Any], list[Any], bool]] = [
    (["apple"], ["apple"], True),
    (["apple"], ["pear"], False),
    ([{"type": "apple"}], ["apple"], True),
    ([{"type": "apple"}], ["pear"], False),
    (["apple"], [{"type": "apple"}], True),
    (["apple"], [{"type": "pear"}], False),
    ([{"type": "apple", "id": 1}], [{"type": "apple"}], True),
    ([{"type": "pear", "id": 1}], ["apple"], False),
    (["apple"], [{"type": "apple", "id": 1}], False),
    (["pear"], [{"type": "apple", "id": 1}], False),
    ([{"type": "apple", "id": 1}], [{"type": "apple", "id": 1}], True),
    ([{"type": "apple", "id": 1}], [{"type": "apple", "id": 2}], False),
    ([Tag("apple", 1)], [{"type": "apple", "id": 1}], True),
    ([{"type": "apple", "id": 1}], [Tag("apple", 1)], True),
    (["apple"], [None], False),
    (["apple"], [None, "apple"], True),
    ([None, "apple"], ["apple"], True),
    (["apple", "banana", "tomato"], ["apple"], True),
    (["apple"], ["pear", "banana", "tomato"], False),
    (
        [{"type": "apple", "id": 1}, {"type": "apple", "id": 3}, {"type": "apple", "id": 4}],
        [{"type": "apple", "id": 1}],
        True,
    ),
    (
        [{"type": "apple", "id": 1}],
        [{"type": "apple", "id": 2}, {"type": "apple", "id": 3}, {"type": "apple", "id": 4}],
        False,
    ),
    # rtkq: 0 and "" are ordinary ids (contract §4).
    ([{"type": "apple", "id": 0}], [{"type": "apple", "id": 0}], True),
    ([{"type": "apple", "id": 0}], [{"type": "apple", "id": 1}], False),
    ([{"type": "apple", "id": 0}], ["apple"], True),
    ([{"type": "apple", "id": ""}], [{"type": "apple", "id": ""}], True),
    ([{"type": "apple", "id": ""}], [{"type": "apple", "id": 0}], False),
    (["apple"], [{"type": "apple", "id": 0}], False),
    ([{"type": "apple", "id": (1, "x")}], [Tag("apple", (1, "x"))], True),
    ([], ["apple"], False),
    (["apple"], [], False),
]


def _matrix_api(counting: Counting, provides: Any, invalidates: Any) -> Any:
    return create_api(
        tag_types=TAG_TYPES,
        endpoints=lambda build: {
            "providing": build.query(query_fn=counting.fn("providing"), provides_tags=provides),
            "unrelated": build.query(
                query_fn=counting.fn("unrelated"),
                provides_tags=["cat", "dog", {"type": "giraffe", "id": 8}],
            ),
            "invalidating": build.mutation(
                query_fn=counting.fn("invalidating"), invalidates_tags=invalidates
            ),
        },
    )


@pytest.mark.parametrize(("provides", "invalidates", "should"), MATRIX)
async def test_mutation_invalidation_matrix(provides: Any, invalidates: Any, should: bool) -> None:
    counting = Counting()
    api = _matrix_api(counting, provides, invalidates)
    store = make_store(api)
    await asyncio.gather(
        store.dispatch(api.endpoints.providing.initiate(None)),
        store.dispatch(api.endpoints.unrelated.initiate(None)),
    )
    expected = (
        [
            {
                "endpoint_name": "providing",
                "original_args": None,
                "query_cache_key": "providing(null)",
            }
        ]
        if should
        else []
    )
    assert api.util.select_invalidated_by(store.get_state(), invalidates) == expected

    await store.dispatch(api.endpoints.invalidating.initiate(None))
    await asyncio.sleep(SETTLE)
    assert counting.calls["providing"] == (2 if should else 1)
    assert counting.calls["unrelated"] == 1


@pytest.mark.parametrize(("provides", "invalidates", "should"), MATRIX)
async def test_invalidate_tags_matrix(provides: Any, invalidates: Any, should: bool) -> None:
    counting = Counting()
    api = _matrix_api(counting, provides, invalidates)
    store = make_store(api)
    await store.dispatch(api.endpoints.providing.initiate(None))
    store.dispatch(api.util.invalidate_tags(invalidates))
    await asyncio.sleep(SETTLE)
    assert counting.calls["providing"] == (2 if should else 1)
    assert queries(store, api)["providing(null)"].is_success


# -- the LIST-id pattern of the mutations guide -------------------------------------


async def _posts_store(**options: Any) -> tuple[PostsBackend, Any, Any]:
    backend = PostsBackend()
    api = backend.api(**options)
    store = make_store(api)
    await asyncio.gather(
        store.dispatch(api.endpoints.get_posts.initiate(None)),
        store.dispatch(api.endpoints.get_post.initiate(1)),
        store.dispatch(api.endpoints.get_post.initiate(2)),
    )
    return backend, api, store


async def test_adding_a_post_refetches_only_the_list() -> None:
    backend, api, store = await _posts_store()
    await store.dispatch(api.endpoints.add_post.initiate({"title": "three"}))
    await asyncio.sleep(SETTLE)
    assert backend.calls == {"get_posts": 2, "get_post(1)": 1, "get_post(2)": 1}
    titles = [p["title"] for p in queries(store, api)["get_posts(null)"].data]
    assert titles == ["one", "two", "three"]


async def test_updating_post_2_refetches_post_2_and_the_list_that_contains_it() -> None:
    backend, api, store = await _posts_store()
    await store.dispatch(api.endpoints.update_post.initiate({"id": 2, "title": "deux"}))
    await asyncio.sleep(SETTLE)
    assert backend.calls == {"get_posts": 2, "get_post(1)": 1, "get_post(2)": 2}
    assert queries(store, api)["get_post(2)"].data["title"] == "deux"
    assert queries(store, api)["get_posts(null)"].data[1]["title"] == "deux"


async def test_a_list_refetch_replaces_the_tags_it_provides() -> None:
    backend, api, store = await _posts_store()
    await store.dispatch(api.endpoints.add_post.initiate({"title": "three"}))
    await asyncio.sleep(SETTLE)
    # The refetched list now provides post 3: updating it refetches the list only.
    await store.dispatch(api.endpoints.update_post.initiate({"id": 3, "title": "trois"}))
    await asyncio.sleep(SETTLE)
    assert backend.calls == {"get_posts": 3, "get_post(1)": 1, "get_post(2)": 1}
    # Deleting post 1 refetches post 1 (now a 404) and the list, which drops post 1.
    await store.dispatch(api.endpoints.delete_post.initiate(1))
    await asyncio.sleep(SETTLE)
    assert backend.calls["get_posts"] == 4
    assert backend.calls["get_post(1)"] == 2
    assert queries(store, api)["get_post(1)"].error == {"status": 404}
    found = api.util.select_invalidated_by(store.get_state(), [Tag("Post", 1)])
    assert [f["query_cache_key"] for f in found] == ["get_post(1)"]


# -- refetch subscribed, remove unsubscribed ----------------------------------------


async def test_subscribed_entries_refetch_without_subscribing_and_unsubscribed_are_removed() -> (
    None
):
    backend, api, store = await _posts_store()
    handle = store.dispatch(api.endpoints.get_post.initiate(1, subscribe=False))
    prefetch = store.dispatch(api.util.prefetch("get_post", 3))
    await prefetch
    assert "get_post(3)" in queries(store, api)
    runtime = api.runtime_for(store.dispatch)
    subs_before = {key: set(subs) for key, subs in runtime.subscriptions.items()}

    store.dispatch(api.util.invalidate_tags(["Post"]))
    await asyncio.sleep(SETTLE)

    assert backend.calls["get_posts"] == 2
    assert backend.calls["get_post(1)"] == 2
    assert backend.calls["get_post(3)"] == 1  # not subscribed: removed, not refetched
    assert "get_post(3)" not in queries(store, api)
    assert {key: set(subs) for key, subs in runtime.subscriptions.items()} == subs_before
    assert handle.query_cache_key in queries(store, api)


async def test_a_removed_entry_leaves_the_provided_index() -> None:
    counting = Counting()
    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query_fn=counting.fn("get_post"), provides_tags=lambda r, e, a: [Tag("Post", a)]
            )
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(0, subscribe=False))
    provided = store.get_state()["api"]["provided"]
    assert set(provided["tags"]["Post"][0]) == {"get_post(0)"}
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 0}]))
    provided = store.get_state()["api"]["provided"]
    assert dict(provided["tags"]) == {} and dict(provided["keys"]) == {}
    assert dict(queries(store, api)) == {}
    assert counting.calls["get_post"] == 1


async def test_an_entry_that_provides_nothing_is_never_invalidated() -> None:
    counting = Counting()
    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {"plain": build.query(query_fn=counting.fn("plain"))},
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.plain.initiate(None))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["plain"] == 1


# -- when tags are (re)computed -------------------------------------------------------


def _flaky_api(counting: Counting, answers: list[Any], seen: list[Any]) -> Any:
    def provides(result: Any, error: Any, arg: Any) -> list[Any]:
        seen.append((result, error, arg))
        if error is not None:
            return [{"type": "Post", "id": "ERROR"}]
        return [Tag("Post", item) for item in result]

    return create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_posts": build.query(
                query_fn=counting.fn("get_posts", lambda arg: answers.pop(0)),
                provides_tags=provides,
            )
        },
    )


async def test_tags_are_recomputed_on_fulfill_and_on_error_value_replacing_old_ones() -> None:
    counting = Counting()
    seen: list[Any] = []
    answers: list[Any] = [{"data": [1, 2]}, {"error": {"status": 500}}, {"data": [3]}]
    api = _flaky_api(counting, answers, seen)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_posts.initiate("all"))
    await handle

    def provided() -> list[Tag]:
        return list(store.get_state()["api"]["provided"]["keys"]['get_posts("all")'])

    assert provided() == [Tag("Post", 1), Tag("Post", 2)]
    await handle.refetch()
    assert seen[-1] == (None, {"status": 500}, "all")
    assert provided() == [Tag("Post", "ERROR")]
    assert api.util.select_invalidated_by(store.get_state(), [Tag("Post", 1)]) == []
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": "ERROR"}]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_posts"] == 3
    assert provided() == [Tag("Post", 3)]
    assert list(queries(store, api)['get_posts("all")'].data) == [3]


async def test_a_query_whose_code_raises_keeps_its_previous_tags() -> None:
    counting = Counting()
    seen: list[Any] = []

    def answer(arg: Any) -> Any:
        if counting.calls["get_posts"] == 2:
            raise ConnectionError("down")
        return {"data": [1]}

    api = _flaky_api(counting, [], seen)
    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_posts": build.query(
                query_fn=counting.fn("get_posts", answer),
                provides_tags=lambda r, e, a: [Tag("Post", x) for x in r] if r else [],
            )
        },
    )
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_posts.initiate(None))
    await handle
    state = await handle.refetch()
    assert state.status is QueryStatus.REJECTED
    assert state.error["name"] == "ConnectionError"
    found = api.util.select_invalidated_by(store.get_state(), [Tag("Post", 1)])
    assert [f["query_cache_key"] for f in found] == ["get_posts(null)"]


# -- mutations: error values invalidate, exceptions do not -----------------------------


def _mutation_api(counting: Counting, mutation_answer: Any) -> Any:
    return create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query_fn=counting.fn("get_post"), provides_tags=lambda r, e, a: [Tag("Post", a)]
            ),
            "edit": build.mutation(
                query_fn=counting.fn("edit", mutation_answer),
                invalidates_tags=lambda r, e, a: [Tag("Post", a)],
            ),
        },
    )


async def test_a_mutation_that_returns_an_error_value_still_invalidates() -> None:
    counting = Counting()
    api = _mutation_api(counting, lambda arg: {"error": {"status": 409}})
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    result = await store.dispatch(api.endpoints.edit.initiate(1))
    assert result == {"error": {"status": 409}}
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 2


async def test_a_mutation_whose_code_raises_invalidates_nothing() -> None:
    counting = Counting()

    def answer(arg: Any) -> Any:
        raise RuntimeError("boom")

    api = _mutation_api(counting, answer)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    result = await store.dispatch(api.endpoints.edit.initiate(1))
    assert result["error"]["name"] == "RuntimeError"
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 1


async def test_an_aborted_mutation_invalidates_nothing() -> None:
    counting = Counting()
    api = _mutation_api(counting, None)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    handle = store.dispatch(api.endpoints.edit.initiate(1))
    handle.abort()
    result = await handle
    assert "error" in result
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 1


async def test_an_untracked_mutation_still_invalidates() -> None:
    counting = Counting()
    api = _mutation_api(counting, None)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await store.dispatch(api.endpoints.edit.initiate(1, track=False))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 2
    assert dict(store.get_state()["api"]["mutations"]) == {}


# -- entities ---------------------------------------------------------------------------


async def test_entities_provide_and_invalidate_the_whole_type() -> None:
    counting = Counting()
    api = create_api(
        tag_types=["Task", "User"],
        endpoints=lambda build: {
            "get_tasks": build.query(query_fn=counting.fn("get_tasks"), entities=["Task"]),
            "get_task": build.query(
                query_fn=counting.fn("get_task"),
                entities=["Task"],
                provides_tags=lambda r, e, a: [{"type": "User", "id": a}],
            ),
            "get_users": build.query(query_fn=counting.fn("get_users"), entities=["User"]),
            "create_task": build.mutation(query_fn=counting.fn("create"), entities="Task"),
            "touch_user": build.mutation(
                query_fn=counting.fn("touch"), invalidates_tags=[{"type": "User", "id": 7}]
            ),
        },
    )
    store = make_store(api)
    await asyncio.gather(
        store.dispatch(api.endpoints.get_tasks.initiate(None)),
        store.dispatch(api.endpoints.get_task.initiate(7)),
        store.dispatch(api.endpoints.get_users.initiate(None)),
    )
    await store.dispatch(api.endpoints.create_task.initiate({"title": "x"}))
    await asyncio.sleep(SETTLE)
    assert counting.calls == {
        "get_tasks": 2,
        "get_task": 2,
        "get_users": 1,
        "create": 1,
    }
    # Explicit tags combine with entities: get_task also provides {User, 7}.
    await store.dispatch(api.endpoints.touch_user.initiate(None))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_task"] == 3
    assert counting.calls["get_tasks"] == 2
    assert counting.calls["get_users"] == 1  # provides the bare type: not hit by an id


async def test_an_entity_mutation_that_raises_invalidates_nothing() -> None:
    counting = Counting()

    def answer(arg: Any) -> Any:
        raise ValueError("nope")

    api = create_api(
        tag_types=["Task"],
        endpoints=lambda build: {
            "get_tasks": build.query(query_fn=counting.fn("get_tasks"), entities=["Task"]),
            "create_task": build.mutation(query_fn=counting.fn("c", answer), entities=["Task"]),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_tasks.initiate(None))
    await store.dispatch(api.endpoints.create_task.initiate(None))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_tasks"] == 1


# -- select_invalidated_by ----------------------------------------------------------------


async def test_select_invalidated_by_lists_matching_entries_only() -> None:
    _, api, store = await _posts_store()
    state = store.get_state()
    found = api.util.select_invalidated_by(state, [{"type": "Post", "id": 2}])
    assert sorted(f["query_cache_key"] for f in found) == ["get_post(2)", "get_posts(null)"]
    by_key = {f["query_cache_key"]: f for f in found}
    assert by_key["get_post(2)"] == {
        "endpoint_name": "get_post",
        "original_args": 2,
        "query_cache_key": "get_post(2)",
    }
    assert len(api.util.select_invalidated_by(state, ["Post"])) == 3
    assert api.util.select_invalidated_by(state, [{"type": "Post", "id": 9}]) == []
    assert api.util.select_invalidated_by(state, [None]) == []
    assert api.util.select_invalidated_by(state, "Post") == found_all(state, api)
    with pytest.raises(ValueError, match="'Nope'"):
        api.util.select_invalidated_by(state, ["Nope"])


def found_all(state: Any, api: Any) -> list[Any]:
    return api.util.select_invalidated_by(state, [Tag("Post")])


# -- invalidate_queries --------------------------------------------------------------


def _search_api(counting: Counting) -> Any:
    return create_api(
        tag_types=[],
        endpoints=lambda build: {
            "search": build.query(query_fn=counting.fn("search")),
            "get_user": build.query(query_fn=counting.fn("get_user")),
        },
    )


async def _search_store(counting: Counting) -> tuple[Any, Any]:
    api = _search_api(counting)
    store = make_store(api)
    await asyncio.gather(
        store.dispatch(api.endpoints.search.initiate({"q": "a", "page": 1})),
        store.dispatch(api.endpoints.search.initiate({"q": "a", "page": 2})),
        store.dispatch(api.endpoints.search.initiate({"q": "b", "page": 1})),
        store.dispatch(api.endpoints.get_user.initiate(1)),
        store.dispatch(api.endpoints.get_user.initiate(2)),
    )
    counting.calls.clear()
    return api, store


async def test_invalidate_queries_by_endpoint() -> None:
    counting = Counting()
    api, store = await _search_store(counting)
    keys = store.dispatch(api.util.invalidate_queries("get_user"))
    await asyncio.sleep(SETTLE)
    assert sorted(keys) == ["get_user(1)", "get_user(2)"]
    assert counting.calls == {"get_user": 2}


async def test_invalidate_queries_by_arg_prefix() -> None:
    counting = Counting()
    api, store = await _search_store(counting)
    keys = store.dispatch(api.util.invalidate_queries("search", arg={"q": "a"}))
    await asyncio.sleep(SETTLE)
    assert len(keys) == 2
    assert counting.calls == {"search": 2}
    keys = store.dispatch(api.util.invalidate_queries(arg={"q": "b", "page": 1}))
    await asyncio.sleep(SETTLE)
    assert keys == ['search({"page":1,"q":"b"})']
    keys = store.dispatch(api.util.invalidate_queries("get_user", arg=2))
    await asyncio.sleep(SETTLE)
    assert keys == ["get_user(2)"]
    assert counting.calls == {"search": 3, "get_user": 1}


async def test_invalidate_queries_by_predicate_and_everything() -> None:
    counting = Counting()
    api, store = await _search_store(counting)
    keys = store.dispatch(
        api.util.invalidate_queries(predicate=lambda entry: entry.original_args == 1)
    )
    await asyncio.sleep(SETTLE)
    assert keys == ["get_user(1)"]
    assert counting.calls == {"get_user": 1}
    counting.calls.clear()
    store.dispatch(api.util.invalidate_queries())
    await asyncio.sleep(SETTLE)
    assert counting.calls == {"search": 3, "get_user": 2}


async def test_invalidate_queries_removes_unsubscribed_entries() -> None:
    counting = Counting()
    api = _search_api(counting)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_user.initiate(1, subscribe=False))
    store.dispatch(api.util.invalidate_queries("get_user"))
    await asyncio.sleep(SETTLE)
    assert dict(queries(store, api)) == {}
    assert counting.calls["get_user"] == 1


def test_invalidate_queries_with_an_unknown_endpoint_is_a_key_error() -> None:
    api = _search_api(Counting())
    with pytest.raises(KeyError, match="get_usr"):
        api.util.invalidate_queries("get_usr")


# -- update_provided_tags ----------------------------------------------------------------


def _list_api(counting: Counting) -> Any:
    return create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_posts": build.query(
                query_fn=counting.fn("get_posts", lambda arg: {"data": [{"id": 1}]}),
                provides_tags=lambda r, e, a: [Tag("Post", p["id"]) for p in r or ()],
            )
        },
    )


async def test_update_query_data_with_update_provided_tags_recomputes_tags() -> None:
    counting = Counting()
    api = _list_api(counting)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_posts.initiate(None))

    def add(draft: Any) -> None:
        draft.append({"id": 5})

    store.dispatch(api.util.update_query_data("get_posts", None, add))
    assert api.util.select_invalidated_by(store.get_state(), [Tag("Post", 5)]) == []
    store.dispatch(api.util.update_query_data("get_posts", None, add, update_provided_tags=True))
    found = api.util.select_invalidated_by(store.get_state(), [Tag("Post", 5)])
    assert [f["query_cache_key"] for f in found] == ["get_posts(null)"]
    store.dispatch(api.util.invalidate_tags([Tag("Post", 5)]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_posts"] == 2


async def test_update_provided_tags_without_a_data_change_still_recomputes() -> None:
    counting = Counting()
    api = _list_api(counting)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_posts.initiate(None))
    # Hand-written upsert gives data the tags were not computed from.
    store.dispatch(
        api.util.patch_query_data(
            "get_posts", None, [{"op": "add", "path": [1], "value": {"id": 9}}]
        )
    )
    assert api.util.select_invalidated_by(store.get_state(), [Tag("Post", 9)]) == []
    store.dispatch(
        api.util.update_query_data("get_posts", None, lambda d: None, update_provided_tags=True)
    )
    found = api.util.select_invalidated_by(store.get_state(), [Tag("Post", 9)])
    assert len(found) == 1


async def test_patch_query_data_with_update_provided_tags_recomputes_tags() -> None:
    counting = Counting()
    api = _list_api(counting)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_posts.initiate(None))
    store.dispatch(
        api.util.patch_query_data(
            "get_posts",
            None,
            [{"op": "replace", "path": [0, "id"], "value": 0}],
            update_provided_tags=True,
        )
    )
    state = store.get_state()
    assert api.util.select_invalidated_by(state, [Tag("Post", 1)]) == []
    assert len(api.util.select_invalidated_by(state, [Tag("Post", 0)])) == 1


async def test_upsert_query_entries_provides_tags() -> None:
    counting = Counting()
    api = _list_api(counting)
    store = make_store(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_posts", "arg": "x", "value": [{"id": 4}, {"id": 0}]}]
        )
    )
    state = store.get_state()
    assert len(api.util.select_invalidated_by(state, [{"type": "Post", "id": 0}])) == 1
    assert len(api.util.select_invalidated_by(state, [{"type": "Post", "id": 4}])) == 1
    handle = store.dispatch(api.endpoints.get_posts.initiate("x"))
    await handle
    assert counting.calls["get_posts"] == 0  # the upserted entry is a cache hit
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 0}]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_posts"] == 1
    assert list(queries(store, api)['get_posts("x")'].data) == [{"id": 1}]
    assert api.util.select_invalidated_by(store.get_state(), [{"type": "Post", "id": 0}]) == []


async def test_reset_api_state_empties_the_provided_index() -> None:
    _, api, store = await _posts_store()
    store.dispatch(api.util.reset_api_state())
    assert thaw(store.get_state()["api"]["provided"]) == {"tags": {}, "keys": {}}
    assert api.util.select_invalidated_by(store.get_state(), ["Post"]) == []
