"""Decorator endpoints (``@api.query`` and friends): declaring, naming and running them.

Their types are pinned by ``tests/typing``; these tests pin what happens at run time,
against a real HTTP server.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtkq import (
    InfiniteQueryContext,
    InfiniteQueryEndpoint,
    InfiniteQueryState,
    MutationEndpoint,
    QueryEndpoint,
    QueryState,
    Tag,
    create_api,
    fetch_base_query,
    skip_token,
)

from ._support import make_store

_posts: dict[int, dict[str, Any]] = {}


async def _get_post(request: Request) -> JSONResponse:
    post_id = int(request.path_params["id"])
    return JSONResponse({"id": post_id, "title": _posts.get(post_id, {}).get("title", "")})


async def _patch_post(request: Request) -> JSONResponse:
    post_id = int(request.path_params["id"])
    _posts[post_id] = {"title": (await request.json())["title"]}
    return JSONResponse({"id": post_id, **_posts[post_id]})


async def _numbers(request: Request) -> JSONResponse:
    start = int(request.query_params["from"])
    return JSONResponse(list(range(start, start + 3)))


app = Starlette(
    routes=[
        Route("/posts/{id:int}", _get_post, methods=["GET"]),
        Route("/posts/{id:int}", _patch_post, methods=["PATCH"]),
        Route("/numbers", _numbers),
    ]
)


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server(app))


async def test_query_and_mutation_decorators_run_against_a_server(base_url: str) -> None:
    async with fetch_base_query(base_url) as base_query:
        api = create_api(base_query=base_query, tag_types=["Post"])

        @api.query(provides_tags=lambda result, error, post_id: [Tag("Post", post_id)])
        def get_post(post_id: int) -> str:
            return f"posts/{post_id}"

        @api.mutation(invalidates_tags=lambda result, error, arg: [Tag("Post", arg["id"])])
        def rename_post(arg: dict[str, Any]) -> dict[str, Any]:
            return {"url": f"posts/{arg['id']}", "method": "PATCH", "body": {"title": arg["title"]}}

        assert isinstance(get_post, QueryEndpoint) and get_post.name == "get_post"
        assert isinstance(rename_post, MutationEndpoint)
        assert api.endpoints.get_post is get_post and api.endpoints["rename_post"] is rename_post
        store = make_store(api)
        handle = store.dispatch(get_post.initiate(7))
        state = await handle
        assert state.data == {"id": 7, "title": ""}
        assert get_post.select(7)(store.get_state()) is state

        result = await store.dispatch(rename_post.initiate({"id": 7, "title": "typed"}))
        assert result == {"data": {"id": 7, "title": "typed"}}
        await store.dispatch(get_post.initiate(7))  # the invalidated entry refetched
        assert get_post.select(7)(store.get_state()).data == {"id": 7, "title": "typed"}
        handle.unsubscribe()


async def test_query_fn_and_mutation_fn_decorators() -> None:
    api = create_api()
    seen: list[Any] = []

    @api.query_fn(result_type=int)
    async def double(arg: int, bq_api: Any, extra_options: Any, base_query: Any) -> Any:
        seen.append(bq_api.endpoint)
        return {"data": arg * 2}

    @api.mutation_fn(result_type=str)
    def shout(arg: str, bq_api: Any, extra_options: Any, base_query: Any) -> Any:
        return {"data": arg.upper()}

    store = make_store(api)
    assert await store.dispatch(double.initiate(21)).unwrap() == 42
    assert await store.dispatch(shout.initiate("hi")).unwrap() == "HI"
    assert seen == ["double"]
    assert double.definition.query_fn is not None and double.definition.query is None


async def test_infinite_query_decorator_pages(base_url: str) -> None:
    async with fetch_base_query(base_url) as base_query:
        api = create_api(base_query=base_query)

        @api.infinite_query(
            infinite_query_options={
                "initial_page_param": 0,
                "get_next_page_param": lambda last, pages, param, params, arg: param + 3,
            }
        )
        def numbers(ctx: InfiniteQueryContext[str]) -> dict[str, Any]:
            return {"url": "numbers", "params": {"from": ctx.page_param, "label": ctx.query_arg}}

        assert isinstance(numbers, InfiniteQueryEndpoint)
        store = make_store(api)
        handle = store.dispatch(numbers.initiate("a"))
        await handle
        state = await handle.fetch_next_page()
        assert isinstance(state, InfiniteQueryState)
        assert [list(page) for page in state.data["pages"]] == [[0, 1, 2], [3, 4, 5]]
        assert list(state.data["page_params"]) == [0, 3]
        handle.unsubscribe()


async def test_endpoints_declared_after_the_store_exists() -> None:
    api = create_api()
    store = make_store(api)
    assert len(api.endpoints) == 0

    @api.query_fn()
    def late(arg: str, bq_api: Any, extra_options: Any, base_query: Any) -> Any:
        return {"data": f"late {arg}"}

    assert await store.dispatch(late.initiate("one")).unwrap() == "late one"
    assert list(api.endpoints) == ["late"]


def test_a_duplicate_name_is_a_value_error_and_keeps_the_first_endpoint() -> None:
    api = create_api(endpoints=lambda build: {"get_item": build.query(query=lambda arg: arg)})
    first = api.endpoints.get_item

    with pytest.raises(ValueError, match="Endpoint 'get_item' already exists in api 'api'"):

        @api.query()
        def get_item(arg: int) -> str:
            return str(arg)

    assert api.endpoints.get_item is first

    @api.mutation()
    def save(arg: int) -> str:
        return str(arg)

    with pytest.raises(ValueError, match=r"'save' already exists.*another name"):

        @api.mutation_fn()
        def save(arg: int, bq_api: Any, extra_options: Any, base_query: Any) -> Any:
            return {"data": arg}

    assert isinstance(api.endpoints.save, MutationEndpoint)


def test_bad_declarations_name_what_is_wrong_and_add_nothing() -> None:
    api = create_api(tag_types=["Post"])
    with pytest.raises(TypeError, match=r"Unknown option\(s\) \['provides_tag'\]"):
        api.query(provides_tag=["Post"])  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"name '<lambda>'.*decorate a def, not a lambda"):
        api.query()(lambda arg: arg)
    with pytest.raises(TypeError, match=r"@api.query_fn\(...\) decorates a function, got 'int'"):
        api.query_fn()(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'Comment'.*not in tag_types"):

        @api.query(provides_tags=["Comment"])
        def get_comment(arg: int) -> str:
            return str(arg)

    with pytest.raises(ValueError, match="no initial_page_param"):

        @api.infinite_query(infinite_query_options={})  # type: ignore[typeddict-item]
        def pages(ctx: InfiniteQueryContext[int]) -> str:
            return "pages"

    assert len(api.endpoints) == 0


def test_result_type_and_a_none_response_schema_are_not_endpoint_options() -> None:
    api = create_api()

    @api.query(result_type=dict, response_schema=None)
    def get_thing(arg: int) -> str:
        return f"things/{arg}"

    assert "result_type" not in get_thing.definition.options
    assert "response_schema" not in get_thing.definition.options


def test_dict_builder_endpoints_are_the_typed_classes_too() -> None:
    api = create_api(
        endpoints=lambda build: {
            "q": build.query(query=lambda arg: arg),
            "m": build.mutation(query=lambda arg: arg),
            "i": build.infinite_query(
                query=lambda ctx: ctx,
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda *_: None,
                },
            ),
        }
    )
    assert type(api.endpoints.q) is QueryEndpoint
    assert type(api.endpoints.m) is MutationEndpoint
    assert type(api.endpoints.i) is InfiniteQueryEndpoint
    # An infinite entry that is not cached yet still has the paging flags.
    state = api.endpoints.i.select("x")({"api": {"queries": {}}})
    assert isinstance(state, InfiniteQueryState) and not state.has_next_page
    assert api.endpoints.i.select(skip_token)(None).is_uninitialized
    assert type(api.endpoints.q.select(1)({"api": {"queries": {}}})) is QueryState
