# pyright: strict
"""Negative cases: both checkers must reject every line whose comment says it is a type
error, and no other line."""

from __future__ import annotations

from typing import Any

from rtkq import InfiniteQueryContext, configure_store, create_api

from ._models import Page, Post, PostPatch

api = create_api(tag_types=["Post"])
store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


@api.query(response_schema=Post)
def get_post(id: int) -> str:
    return f"posts/{id}"


@api.mutation(response_schema=Post)
def update_post(arg: PostPatch) -> dict[str, Any]:
    return {"url": f"posts/{arg.id}", "method": "PATCH"}


@api.infinite_query(
    response_schema=Page,
    infinite_query_options={
        "initial_page_param": 0,
        "get_next_page_param": lambda last, pages, param, params, arg: None,
    },
)
def list_pages(ctx: InfiniteQueryContext[str]) -> str:
    return "pages"


api.query(provides_tag=["Post"])  # type error: unknown option
api.mutation(keep_unused_data_for=5.0)  # type error: a query-only option
api.query(keep_unused_data_for="long")  # type error: wrong option type
api.infinite_query(response_schema=Page)  # type error: infinite_query_options missing
api.query(on_schema_failure=lambda exc: None)  # type error: the hook takes (exc, info)

get_post.initiate("1")  # type error: wrong arg type
get_post.select("1")  # type error: wrong arg type
get_post.initiate(1, subscribe="yes")  # type error: wrong option type
get_post.initiate(1, fixed_cache_key="k")  # type error: a mutation option
update_post.initiate({"id": 1})  # type error: wrong arg type
update_post.select(1)  # type error: a request id is a str
list_pages.initiate("q", direction="sideways")  # type error: no such direction
store.dispatch(42)  # type error: neither an action nor a thunk
get_post.observe(store, "1")  # type error: wrong arg type
get_post.observe(store, 1, polling=5.0)  # type error: unknown option
get_post.query_state(store, None)  # type error: wrong arg type
update_post.mutation_observer(store, fixed_cache_key=1)  # type error: a str


async def main() -> None:
    handle = store.dispatch(get_post.initiate(1))
    title: str = (await handle).data  # type error: data is Post | None
    count: int = await handle.unwrap()  # type error: the result is a Post
    handle.fetch_next_page()  # type error: only infinite handles page
    patched = store.dispatch(update_post.initiate(PostPatch(id=1)))
    saved: str = await patched.unwrap()  # type error: the result is a Post
    print(title, count, saved)
