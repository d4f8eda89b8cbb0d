"""Schemas on the request path, over real HTTP (contract §10).

Each schema's output replaces what it validated; a failure rejects the request with a
``SchemaError`` payload, raises nothing at the caller and keeps the last good data.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pydantic
import pytest

from rtkq import (
    QueryError,
    QueryStatus,
    SchemaError,
    SchemaFailureInfo,
    Tag,
    configure_store,
    create_api,
)
from rtkq._base_query import FetchBaseQuery
from rtkq._store._create_store import Store

from . import _app
from ._models import Post, PostStruct

FIRST = Post(id=1, title="First", tags=("a",))


def store_for(api: Any) -> Store:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def canned(key: str, body: Any, status: int = 200) -> None:
    _app.canned[key] = (status, body)


async def test_response_schema_output_is_what_the_cache_stores(bq: FetchBaseQuery) -> None:
    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_post": build.query(query=lambda id: f"posts/{id}", response_schema=Post),
            "get_posts": build.query(
                query=lambda _: "posts", response_schema=pydantic.TypeAdapter(list[Post])
            ),
        },
    )
    store = store_for(api)
    state = await store.dispatch(api.endpoints.get_post.initiate(1))
    assert state.status is QueryStatus.FULFILLED
    assert state.data == FIRST and type(state.data) is Post
    assert api.endpoints.get_post.select(1)(store.get_state()).data is state.data
    posts = await store.dispatch(api.endpoints.get_posts.initiate(None)).unwrap()
    assert [post.id for post in posts] == [1, 2, 3]
    assert all(type(post) is Post for post in posts)


async def test_a_changed_json_shape_rejects_and_keeps_the_last_good_data(
    bq: FetchBaseQuery,
) -> None:
    canned("shape", {"id": 7, "title": "Seven"})
    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_item": build.query(query=lambda key: f"canned/{key}", response_schema=Post)
        },
    )
    store = store_for(api)
    good = await store.dispatch(api.endpoints.get_item.initiate("shape"))
    assert good.data == Post(id=7, title="Seven")

    canned("shape", {"id": "seven", "name": "Seven"})
    handle = store.dispatch(api.endpoints.get_item.initiate("shape", force_refetch=True))
    state = await handle  # nothing raised at the caller
    assert state.status is QueryStatus.REJECTED
    assert state.data is good.data  # the last good data, the same object
    assert state.error["name"] == "SchemaError"
    assert state.error["schema_name"] == "response_schema"
    assert [issue["path"] for issue in state.error["issues"]] == [["id"], ["title"]]
    assert state.error["message"].startswith("response_schema rejected the value (2 issues)")
    with pytest.raises(QueryError) as caught:
        await store.dispatch(api.endpoints.get_item.initiate("shape", force_refetch=True)).unwrap()
    assert caught.value.error == state.error


async def test_arg_schema_output_is_the_arg_and_a_failure_sends_no_request(
    bq: FetchBaseQuery,
) -> None:
    seen: list[Any] = []

    def query(id: int) -> str:
        seen.append(id)
        return f"posts/{id}"

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_post": build.query(
                query=query,
                arg_schema=pydantic.TypeAdapter(pydantic.PositiveInt),
                transform_response=lambda data, meta, arg: {"arg": arg, "title": data["title"]},
            )
        },
    )
    store = store_for(api)
    state = await store.dispatch(api.endpoints.get_post.initiate("2"))
    assert seen == [2]
    assert state.data == {"arg": 2, "title": "Second"}
    assert state.original_args == "2"  # the cache key and the entry keep the given arg

    before = _app.hits["/posts/0"]
    rejected = await store.dispatch(api.endpoints.get_post.initiate(0))
    assert rejected.status is QueryStatus.REJECTED
    assert rejected.error["schema_name"] == "arg_schema"
    assert rejected.error["issues"][0]["path"] == []
    assert seen == [2] and _app.hits["/posts/0"] == before


async def test_raw_response_schema_feeds_transform_response_and_response_schema_checks_it(
    bq: FetchBaseQuery,
) -> None:
    received: list[Any] = []

    def by_id(posts: list[Post], meta: Any, arg: Any) -> dict[int, Post]:
        received.extend(posts)
        return {post.id: post for post in posts}

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "posts_by_id": build.query(
                query=lambda _: "posts",
                raw_response_schema=list[Post],
                transform_response=by_id,
                response_schema=dict[int, Post],
            ),
            "broken": build.query(
                query=lambda _: "posts",
                transform_response=lambda data, meta, arg: {"not-an-int": data[0]},
                response_schema=dict[int, Post],
            ),
        },
    )
    store = store_for(api)
    data = await store.dispatch(api.endpoints.posts_by_id.initiate(None)).unwrap()
    assert all(type(post) is Post for post in received)
    assert data[1] == FIRST and sorted(data) == [1, 2, 3]
    broken = await store.dispatch(api.endpoints.broken.initiate(None))
    assert broken.error["schema_name"] == "response_schema"
    assert broken.error["issues"][0]["path"] == ["not-an-int", "[key]"]


class NotFound(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    status: int
    data: dict[str, str]


async def test_error_schemas_validate_the_raw_and_the_stored_error(bq: FetchBaseQuery) -> None:
    transformed: list[Any] = []

    def transform_error(error: NotFound, meta: Any, arg: Any) -> dict[str, Any]:
        transformed.append(error)
        return {"code": error.status, "why": error.data["detail"]}

    def stored(error: Any) -> Any:
        if not isinstance(error.get("why"), str):
            raise ValueError("why must be a str")
        return {**error, "checked": True}

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                raw_error_response_schema=NotFound,
                transform_error_response=transform_error,
                error_response_schema=stored,
            ),
            "get_odd": build.query(
                query=lambda id: f"posts/{id}",
                transform_error_response=lambda error, meta, arg: {"why": 404},
                error_response_schema=stored,
            ),
        },
    )
    store = store_for(api)
    state = await store.dispatch(api.endpoints.get_post.initiate(99))
    assert transformed == [NotFound(status=404, data={"detail": "post 99 not found"})]
    assert state.error == {"code": 404, "why": "post 99 not found", "checked": True}
    odd = await store.dispatch(api.endpoints.get_odd.initiate(99))
    assert odd.error["schema_name"] == "error_response_schema"
    assert odd.error["issues"] == [{"message": "why must be a str", "path": []}]


async def test_meta_schema_output_is_the_meta_transforms_and_lifecycles_see(
    bq: FetchBaseQuery,
) -> None:
    seen: dict[str, Any] = {}
    lifecycle_done = asyncio.Event()

    def meta_schema(meta: Any) -> dict[str, Any]:
        return {
            "status": meta["response"].status_code,
            "total": meta["response"].headers["x-total"],
        }

    async def on_query_started(arg: Any, ctx: Any) -> None:
        seen["lifecycle"] = (await ctx.query_fulfilled)["meta"]
        lifecycle_done.set()

    def transform(data: Any, meta: Any, arg: Any) -> Any:
        seen["transform"] = meta
        return data

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_posts": build.query(
                query=lambda _: "posts",
                meta_schema=meta_schema,
                transform_response=transform,
                on_query_started=on_query_started,
            ),
            "needs_header": build.query(query=lambda id: f"posts/{id}", meta_schema=meta_schema),
        },
    )
    store = store_for(api)
    await store.dispatch(api.endpoints.get_posts.initiate(None))
    await lifecycle_done.wait()
    assert seen["transform"] == {"status": 200, "total": "3"}
    assert seen["lifecycle"] == {"status": 200, "total": "3"}
    missing = await store.dispatch(api.endpoints.needs_header.initiate(1))
    assert missing.error["schema_name"] == "meta_schema"
    assert "x-total" in missing.error["issues"][0]["message"]


async def test_on_schema_failure_hears_every_failure_endpoint_hook_first(
    bq: FetchBaseQuery,
) -> None:
    calls: list[tuple[str, SchemaError, SchemaFailureInfo]] = []
    canned("hooks", {"id": "x"})
    api = create_api(
        base_query=bq,
        on_schema_failure=lambda exc, info: calls.append(("api", exc, info)),
        endpoints=lambda build: {
            "get_item": build.query(
                query=lambda key: f"canned/{key}",
                response_schema=Post,
                on_schema_failure=lambda exc, info: calls.append(("endpoint", exc, info)),
            ),
            "save": build.mutation(
                query=lambda body: {"url": "echo", "method": "POST", "body": body},
                response_schema=Post,
            ),
        },
    )
    store = store_for(api)
    await store.dispatch(api.endpoints.get_item.initiate("hooks"))
    assert [who for who, _, _ in calls] == ["endpoint", "api"]
    exc, info = calls[0][1], calls[0][2]
    assert calls[1][1] is exc
    assert exc.schema_name == "response_schema" and exc.value == {"id": "x"}
    assert info == SchemaFailureInfo("get_item", "hooks", "query", 'get_item("hooks")')
    await store.dispatch(api.endpoints.save.initiate({"a": 1}))
    assert calls[2][0] == "api"
    assert calls[2][2] == SchemaFailureInfo("save", {"a": 1}, "mutation", None)


async def test_catch_schema_failure_gives_the_error_and_tags_still_apply(
    bq: FetchBaseQuery,
) -> None:
    canned("caught", {"id": "x"})
    fetches: list[Any] = []

    def catch(exc: SchemaError, info: SchemaFailureInfo) -> dict[str, Any]:
        return {"status": "CUSTOM_ERROR", "error": f"bad {info.endpoint}: {len(exc.issues)}"}

    def list_posts(_: Any) -> str:
        fetches.append(_)
        return "posts"

    api = create_api(
        base_query=bq,
        tag_types=["Post"],
        catch_schema_failure=catch,
        endpoints=lambda build: {
            "get_posts": build.query(query=list_posts, provides_tags=["Post"]),
            "save": build.mutation(
                query=lambda key: f"canned/{key}",
                response_schema=Post,
                invalidates_tags=["Post"],
            ),
        },
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.get_posts.initiate(None))
    await handle
    result = await store.dispatch(api.endpoints.save.initiate("caught"))
    assert result == {"error": {"status": "CUSTOM_ERROR", "error": "bad save: 2"}}
    running = store.dispatch(api.util.get_running_queries_thunk())
    assert len(running) == 1  # the caught failure still invalidated "Post": a refetch
    await running[0]
    assert len(fetches) == 2
    handle.unsubscribe()


async def test_an_uncaught_failure_provides_and_invalidates_nothing(bq: FetchBaseQuery) -> None:
    canned("uncaught", {"id": "x"})
    fetches: list[Any] = []

    def list_posts(_: Any) -> str:
        fetches.append(_)
        return "posts"

    api = create_api(
        base_query=bq,
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_posts": build.query(query=list_posts, provides_tags=["Post"]),
            "save": build.mutation(
                query=lambda key: f"canned/{key}",
                response_schema=Post,
                invalidates_tags=[Tag("Post")],
            ),
        },
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.get_posts.initiate(None))
    await handle
    result = await store.dispatch(api.endpoints.save.initiate("uncaught"))
    assert result["error"]["name"] == "SchemaError"
    assert store.dispatch(api.util.get_running_queries_thunk()) == []
    assert len(fetches) == 1
    handle.unsubscribe()


async def test_a_hook_that_raises_rejects_with_its_own_exception(bq: FetchBaseQuery) -> None:
    canned("raising", {"id": "x"})

    def on_failure(exc: SchemaError, info: Any) -> None:
        raise RuntimeError("hook broke")

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "get_item": build.query(
                query=lambda key: f"canned/{key}",
                response_schema=Post,
                on_schema_failure=on_failure,
                catch_schema_failure=lambda exc, info: {"never": True},
            )
        },
    )
    state = await store_for(api).dispatch(api.endpoints.get_item.initiate("raising"))
    assert state.error == {"name": "RuntimeError", "message": "hook broke"}


@pytest.mark.parametrize(
    ("api_skip", "endpoint_skip", "validated"),
    [
        (True, None, False),
        (["response_schema"], None, False),
        (["arg_schema"], None, True),
        (True, False, True),
        (False, ["response_schema", "meta_schema"], False),
        (False, True, False),
    ],
)
async def test_skip_schema_validation_api_wide_and_per_endpoint(
    bq: FetchBaseQuery, api_skip: Any, endpoint_skip: Any, validated: bool
) -> None:
    canned("skip", {"id": "1", "title": "One"})
    api = create_api(
        base_query=bq,
        skip_schema_validation=api_skip,
        endpoints=lambda build: {
            "get_item": build.query(
                query=lambda key: f"canned/{key}",
                response_schema=Post,
                skip_schema_validation=endpoint_skip,
            )
        },
    )
    data = await store_for(api).dispatch(api.endpoints.get_item.initiate("skip")).unwrap()
    if validated:
        assert data == Post(id=1, title="One")
    else:
        assert data == {"id": "1", "title": "One"}


async def test_infinite_response_schema_validates_each_page(bq: FetchBaseQuery) -> None:
    def page(ctx: Any) -> str:
        return f"posts?start={ctx.page_param}&size=1"

    api = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "pages": build.infinite_query(
                query=page,
                arg_schema=str,
                response_schema=list[PostStruct],
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda last, pages, param, params, arg: (
                        param + 1 if param < 3 else None
                    ),
                },
            )
        },
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.pages.initiate("all"))
    first = await handle
    assert list(first.data["pages"]) == [[PostStruct(1, "First", ["a"])]]
    second = await handle.fetch_next_page()
    assert [list(p) for p in second.data["pages"]] == [
        [PostStruct(1, "First", ["a"])],
        [PostStruct(2, "Second", [])],
    ]
    api_bad = create_api(
        base_query=bq,
        endpoints=lambda build: {
            "pages": build.infinite_query(
                query=page,
                response_schema=list[PostStruct],
                transform_response=lambda data, meta, arg: (
                    data if data[0]["id"] < 2 else [{"id": "two"}]
                ),
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda last, pages, param, params, arg: param + 1,
                },
            )
        },
    )
    bad_store = store_for(api_bad)
    bad_handle = bad_store.dispatch(api_bad.endpoints.pages.initiate("all"))
    kept = (await bad_handle).data
    failed = await bad_handle.fetch_next_page()
    assert failed.error["schema_name"] == "response_schema"
    assert failed.error["issues"][0]["path"] == [0, "id"]
    assert failed.data is kept and len(failed.data["pages"]) == 1


async def test_query_fn_endpoints_and_mutations_validate_too() -> None:
    async def unread(arg: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
        return {"data": {"count": arg}}

    api = create_api(
        endpoints=lambda build: {
            "unread": build.query(query_fn=unread, response_schema=lambda d: int(d["count"])),
            "rename": build.mutation(
                query_fn=lambda arg, api, extra, bq: {"data": {"id": 1, "title": arg}},
                arg_schema=str,
                response_schema=PostStruct,
            ),
        },
    )
    store = store_for(api)
    assert await store.dispatch(api.endpoints.unread.initiate("4")).unwrap() == 4
    renamed = await store.dispatch(api.endpoints.rename.initiate("New")).unwrap()
    assert renamed == PostStruct(1, "New", [])
    wrong = await store.dispatch(api.endpoints.rename.initiate(5))
    assert wrong["error"]["schema_name"] == "arg_schema"


async def test_decorator_endpoints_validate_like_the_dict_builder(bq: FetchBaseQuery) -> None:
    api = create_api(base_query=bq)
    failures: list[str] = []

    @api.query(response_schema=Post, on_schema_failure=lambda e, i: failures.append(i.endpoint))
    def get_post(id: int) -> str:
        return f"posts/{id}"

    @api.query(response_schema=list[PostStruct])
    def get_broken(key: str) -> str:
        return f"canned/{key}"

    canned("decorated", [{"id": 1}])
    store = store_for(api)
    post = await store.dispatch(get_post.initiate(1)).unwrap()
    assert post == FIRST
    broken = await store.dispatch(get_broken.initiate("decorated"))
    assert broken.error["schema_name"] == "response_schema"
    assert broken.error["issues"][0]["path"] == [0]
    assert failures == []
