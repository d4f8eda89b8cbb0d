"""Typed records in the cache: drafts, undo, the not-frozen warning, persistence, bodies."""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any

import pydantic
import pytest

from rtkq import QueryStatus, SchemaError, configure_store, create_api
from rtkq._base_query import FetchBaseQuery
from rtkq._store._create_store import Store
from rtkq.persist import SQLitePersister, dehydrate

from ._models import Post, PostRecord, PostStruct


def store_for(api: Any) -> Store:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def posts_api(bq: Any, schema: Any, **options: Any) -> Any:
    return create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_posts": build.query(query=lambda _: "posts", response_schema=schema),
            "get_post": build.query(query=lambda id: f"posts/{id}", response_schema=Post),
            "pages": build.infinite_query(
                query=lambda ctx: f"posts?start={ctx.page_param}&size=2",
                response_schema=list[PostStruct],
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda last, pages, param, params, arg: (
                        param + 2 if last else None
                    ),
                },
            ),
            "save": build.mutation(
                query=lambda body: {"url": "echo", "method": "POST", "body": body}
            ),
        },
        **options,
    )


@pytest.mark.parametrize("record", [Post, PostRecord, PostStruct])
async def test_update_query_data_edits_cached_records_and_undo_restores_them(
    bq: FetchBaseQuery, record: Any
) -> None:
    api = posts_api(bq, list[record])
    store = store_for(api)
    handle = store.dispatch(api.endpoints.get_posts.initiate(None))
    before = (await handle).data
    assert type(before[0]) is record

    def edit(draft: Any) -> None:
        draft[0].title = "Edited"
        draft[2].tags.append("new")

    patches = store.dispatch(api.util.update_query_data("get_posts", None, edit))
    after = api.endpoints.get_posts.select(None)(store.get_state()).data
    assert after[0].title == "Edited" and type(after[0]) is record
    assert list(after[2].tags) == ["b", "c", "new"]
    assert type(after[2].tags) is type(before[2].tags)
    assert after[1] is before[1]
    assert [patch["path"] for patch in patches.patches] == [[0, "title"], [2, "tags"]]
    patches.undo()
    undone = api.endpoints.get_posts.select(None)(store.get_state()).data
    assert undone == before
    handle.unsubscribe()


async def test_an_unknown_field_in_update_query_data_raises_and_keeps_the_entry(
    bq: FetchBaseQuery,
) -> None:
    api = posts_api(bq, list[Post])
    store = store_for(api)
    before = (await store.dispatch(api.endpoints.get_posts.initiate(None))).data

    def typo(draft: Any) -> None:
        draft[0].name = "x"

    with pytest.raises(AttributeError, match=r"'Post' \(pydantic record\) has no field 'name'"):
        store.dispatch(api.util.update_query_data("get_posts", None, typo))
    assert api.endpoints.get_posts.select(None)(store.get_state()).data is before


@dataclasses.dataclass
class LoosePost:
    id: int
    title: str
    tags: list[str]


async def test_a_record_type_that_is_not_frozen_warns_once_when_first_stored(
    bq: FetchBaseQuery,
) -> None:
    api = posts_api(bq, list[LoosePost])
    store = store_for(api)
    with pytest.warns(RuntimeWarning, match=r"'LoosePost' \(dataclass record\) is not frozen"):
        state = await store.dispatch(api.endpoints.get_posts.initiate(None))
    assert state.status is QueryStatus.FULFILLED and type(state.data[0]) is LoosePost
    again = await store.dispatch(api.endpoints.get_posts.initiate(None, force_refetch=True))
    assert again.status is QueryStatus.FULFILLED  # no second warning (warnings are errors)


async def test_records_dehydrate_as_json_and_hydrate_through_response_schema(
    bq: FetchBaseQuery, tmp_path: pathlib.Path
) -> None:
    api = posts_api(bq, list[Post])
    store = store_for(api)
    await store.dispatch(api.endpoints.get_posts.initiate(None))
    await store.dispatch(api.endpoints.get_post.initiate(2))
    pages = store.dispatch(api.endpoints.pages.initiate("all"))
    await pages
    await pages.fetch_next_page()
    snapshot = dehydrate(store.get_state(), api)
    by_key = {item["query_cache_key"]: item["data"] for item in snapshot["queries"]}
    assert by_key["get_post(2)"] == {"id": 2, "title": "Second", "tags": []}
    assert by_key['pages("all")']["pages"][1] == [{"id": 3, "title": "Third", "tags": ["b", "c"]}]
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save(snapshot)

    fresh_api = posts_api(bq, list[Post])
    fresh = store_for(fresh_api)
    fresh.dispatch(fresh_api.util.hydrate(persister.load()))
    state = fresh.get_state()
    assert fresh_api.endpoints.get_post.select(2)(state).data == Post(id=2, title="Second")
    posts = fresh_api.endpoints.get_posts.select(None)(state).data
    assert [type(post) for post in posts] == [Post, Post, Post]
    restored_pages = fresh_api.endpoints.pages.select("all")(state).data["pages"]
    assert restored_pages[1][0] == PostStruct(3, "Third", ["b", "c"])


async def test_hydrate_drops_an_entry_that_no_longer_validates_and_applies_the_rest(
    bq: FetchBaseQuery,
) -> None:
    api = posts_api(bq, list[Post])
    store = store_for(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await store.dispatch(api.endpoints.get_post.initiate(2))
    snapshot = json.loads(json.dumps(dehydrate(store.get_state(), api)))
    for item in snapshot["queries"]:
        if item["query_cache_key"] == "get_post(1)":
            item["data"] = {"id": "one", "title": None}

    fresh_api = posts_api(bq, list[Post])
    fresh = store_for(fresh_api)
    with pytest.warns(RuntimeWarning, match=r"hydrate dropped the cached entry 'get_post\(1\)'"):
        fresh.dispatch(fresh_api.util.hydrate(snapshot))
    state = fresh.get_state()
    assert fresh_api.endpoints.get_post.select(1)(state).status is QueryStatus.UNINITIALIZED
    assert fresh_api.endpoints.get_post.select(2)(state).data == Post(id=2, title="Second")


class Draft(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, populate_by_name=True)

    title: str
    author_id: int = pydantic.Field(alias="authorId")


async def test_fetch_base_query_sends_records_as_json_bodies(bq: FetchBaseQuery) -> None:
    api = posts_api(bq, list[Post])
    store = store_for(api)
    sent = await store.dispatch(api.endpoints.save.initiate(Post(id=9, title="Nine", tags=("x",))))
    assert sent == {
        "data": {
            "content_type": "application/json",
            "json": {"id": 9, "title": "Nine", "tags": ["x"]},
        }
    }
    nested = await store.dispatch(
        api.endpoints.save.initiate(
            {
                "post": PostStruct(1, "One"),
                "records": [PostRecord(2, "Two", ["t"])],
                "draft": Draft(title="D", author_id=5),
            }
        )
    ).unwrap()
    assert nested["json"] == {
        "post": {"id": 1, "title": "One", "tags": []},
        "records": [{"id": 2, "title": "Two", "tags": ["t"]}],
        "draft": {"title": "D", "authorId": 5},
    }


class PostQuery(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    start: int = 0
    size: int = 2


async def test_a_record_arg_keys_like_its_fields_and_optimistic_layers_edit_records(
    bq: FetchBaseQuery,
) -> None:
    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "page": build.query(
                query=lambda q: f"posts?start={q.start}&size={q.size}",
                response_schema=list[Post],
            ),
            "rename": build.mutation(
                query=lambda body: {"url": "echo", "method": "POST", "body": body},
                on_query_started=rename_optimistically,
            ),
        },
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.page.initiate(PostQuery(size=2)))
    assert handle.query_cache_key == 'page({"size":2,"start":0})'
    assert api.endpoints.page.cache_key({"start": 0, "size": 2}) == handle.query_cache_key
    await handle
    await store.dispatch(api.endpoints.rename.initiate({"title": "Optimistic"}))
    data = api.endpoints.page.select(PostQuery())(store.get_state()).data
    assert data[0] == Post(id=1, title="First", tags=("a",))  # layer dropped on success
    assert seen_during_mutation == ["Optimistic"]
    handle.unsubscribe()


seen_during_mutation: list[str] = []


async def rename_optimistically(body: Any, ctx: Any) -> None:
    layer = ctx.optimistic(
        "page", PostQuery(), lambda draft: setattr(draft[0], "title", body["title"])
    )
    entry = ctx.get_state()["api"]["queries"]['page({"size":2,"start":0})']
    seen_during_mutation.append(entry.data[0].title)
    await ctx.query_fulfilled
    layer.undo()


async def test_upsert_query_data_validates_through_response_schema(bq: FetchBaseQuery) -> None:
    api = posts_api(bq, list[Post])
    store = store_for(api)
    handle = store.dispatch(
        api.util.upsert_query_data("get_post", 5, {"id": 5, "title": "Upserted"})
    )
    state = await handle
    assert state.data == Post(id=5, title="Upserted") and type(state.data) is Post
    await store.dispatch(
        api.util.upsert_query_data(
            "pages", "all", {"pages": [[{"id": 1, "title": "P"}]], "page_params": [0]}
        )
    )
    pages = api.endpoints.pages.select("all")(store.get_state()).data
    assert pages["pages"][0][0] == PostStruct(1, "P")
    with pytest.raises(SchemaError, match=r"response_schema rejected the value \(1 issue\): id"):
        store.dispatch(api.util.upsert_query_data("get_post", 5, {"id": "five", "title": "x"}))
    assert api.endpoints.get_post.select(5)(store.get_state()).data is state.data
