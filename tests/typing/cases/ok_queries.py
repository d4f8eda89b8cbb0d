# pyright: strict
"""Positive cases: query endpoints carry their arg and result types everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
from typing_extensions import assert_type

from rtkq import (
    LazyQueryObserver,
    QueryEndpoint,
    QueryHandle,
    QueryObserver,
    QueryResult,
    QueryState,
    QueryStateObserver,
    SchemaError,
    SchemaFailureInfo,
    Tag,
    configure_store,
    create_api,
    fetch_base_query,
    skip_token,
)

from ._models import Comment, Page, Post

api = create_api(base_query=fetch_base_query("http://127.0.0.1:8000/"), tag_types=["Post"])
store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


@api.query(response_schema=Post, provides_tags=lambda result, error, id: [Tag("Post", id)])
def get_post(id: int) -> str:
    return f"posts/{id}"


@api.query(response_schema=pydantic.TypeAdapter(list[Post]), keep_unused_data_for=5.0)
def get_posts(arg: None) -> str:
    return "posts"


@api.query(response_schema=list[Comment])
def get_comments(post_id: int) -> str:
    return f"posts/{post_id}/comments"


@api.query(response_schema=Page)
def get_page(cursor: int | None) -> dict[str, Any]:
    return {"url": "pages", "params": {"cursor": cursor}}


def parse_total(value: Any) -> float:
    return float(value)


@api.query(response_schema=parse_total)
def get_total(arg: str) -> str:
    return f"totals/{arg}"


def report(exc: SchemaError, info: SchemaFailureInfo) -> None:
    print(exc.schema_name, exc.issues, info.endpoint)


@api.query(
    result_type=int,
    arg_schema=pydantic.TypeAdapter(None),
    on_schema_failure=report,
    catch_schema_failure=lambda exc, info: {"status": "BAD_SHAPE", "issues": exc.issues},
    skip_schema_validation=["meta_schema"],
)
def count_posts(arg: None) -> str:
    return "posts/count"


@api.query()
def get_raw(path: str) -> str:
    return path


@api.query_fn(result_type=str)
async def greet(arg: str, bq_api: Any, extra_options: Any, base_query: Any) -> dict[str, str]:
    return {"data": f"hello {arg}"}


assert_type(get_post, QueryEndpoint[int, Post])
assert_type(get_posts, QueryEndpoint[None, list[Post]])
assert_type(get_comments, QueryEndpoint[int, list[Comment]])
assert_type(get_page, QueryEndpoint[int | None, Page])
assert_type(get_total, QueryEndpoint[str, float])
assert_type(count_posts, QueryEndpoint[None, int])
assert_type(get_raw, QueryEndpoint[str, Any])
assert_type(greet, QueryEndpoint[str, str])
assert_type(get_post.select(1), Callable[[Any], QueryState[Post]])
assert_type(get_post.select(skip_token)(store.get_state()).data, Post | None)
assert_type(get_posts.select(None)(store.get_state()), QueryState[list[Post]])


async def main() -> None:
    handle = store.dispatch(get_post.initiate(1))
    assert_type(handle, QueryHandle[Post])
    state = await handle
    assert_type(state, QueryState[Post])
    assert_type(state.data, Post | None)
    assert_type(await handle.unwrap(), Post)
    assert_type(handle.refetch(), QueryHandle[Post])
    assert_type(await store.dispatch(get_posts.initiate(None)).unwrap(), list[Post])
    assert_type(await store.dispatch(get_page.initiate(None)).unwrap(), Page)
    assert_type(await store.dispatch(greet.initiate("you")).unwrap(), str)
    refreshed = store.dispatch(
        get_total.initiate("x", subscribe=False, force_refetch=True, subscription_options={})
    )
    assert_type(refreshed, QueryHandle[float])
    if state.data is not None:
        assert_type(state.data.title, str)


def observers() -> None:
    observer = get_post.observe(store, 1, polling_interval=5.0, refetch_on_focus=True)
    assert_type(observer, QueryObserver[Post])
    assert_type(observer.result, QueryResult[Post])
    assert_type(observer.result.data, Post | None)
    assert_type(get_post.observe(store, skip_token, skip=True), QueryObserver[Post])
    assert_type(get_posts.lazy_observe(store), LazyQueryObserver[list[Post]])
    assert_type(get_post.query_state(store, 2).result.current_data, Post | None)
    assert_type(get_post.query_state(store, 2), QueryStateObserver[Post])
