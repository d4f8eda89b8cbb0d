# pyright: strict
"""Positive cases: mutation endpoints, infinite queries, dispatch, the dict builder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from typing_extensions import assert_type

from rtkq import (
    Action,
    InfiniteData,
    InfiniteQueryContext,
    InfiniteQueryEndpoint,
    InfiniteQueryHandle,
    InfiniteQueryObserver,
    InfiniteQueryResult,
    InfiniteQueryState,
    MutationEndpoint,
    MutationHandle,
    MutationObserver,
    MutationResult,
    MutationState,
    PatchCollection,
    QueryHandle,
    Tag,
    configure_store,
    create_action,
    create_api,
)

from ._models import Page, Post, PostPatch

api = create_api(tag_types=["Post"])
store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


@api.mutation(response_schema=Post, invalidates_tags=lambda r, e, arg: [Tag("Post", arg.id)])
def update_post(arg: PostPatch) -> dict[str, Any]:
    return {"url": f"posts/{arg.id}", "method": "PATCH", "body": arg}


@api.mutation_fn(result_type=bool, scope="posts")
def archive(post_id: int, bq_api: Any, extra_options: Any, base_query: Any) -> dict[str, bool]:
    return {"data": True}


@api.infinite_query(
    response_schema=Page,
    infinite_query_options={
        "initial_page_param": 0,
        "get_next_page_param": lambda last, pages, param, params, arg: last.next,
        "max_pages": 3,
    },
)
def list_pages(ctx: InfiniteQueryContext[str]) -> dict[str, Any]:
    return {"url": "pages", "params": {"q": ctx.query_arg, "cursor": ctx.page_param}}


assert_type(update_post, MutationEndpoint[PostPatch, Post])
assert_type(archive, MutationEndpoint[int, bool])
assert_type(list_pages, InfiniteQueryEndpoint[str, Page])
assert_type(update_post.select("request-id"), Callable[[Any], MutationState[Post]])
assert_type(list_pages.select("q")(store.get_state()), InfiniteQueryState[Page])

counter = create_action("counter/add")


def add_thunk(dispatch: Any, get_state: Any, extra: Any) -> int:
    return 41 + 1


async def main() -> None:
    handle = store.dispatch(update_post.initiate(PostPatch(id=1, title="t")))
    assert_type(handle, MutationHandle[Post])
    assert_type(await handle.unwrap(), Post)
    assert_type(await handle, dict[str, Any])
    assert_type(await store.dispatch(archive.initiate(3, fixed_cache_key="a")).unwrap(), bool)

    pages = store.dispatch(list_pages.initiate("q"))
    assert_type(pages, InfiniteQueryHandle[Page])
    assert_type(pages.fetch_next_page(), InfiniteQueryHandle[Page])
    state = await pages.fetch_previous_page()
    assert_type(state, InfiniteQueryState[Page])
    assert_type(state.data, InfiniteData[Page] | None)
    if state.data is not None:
        assert_type(state.data["pages"], Sequence[Page])
    assert_type(state.has_next_page, bool)
    more = store.dispatch(list_pages.initiate("q", direction="forward"))
    assert_type(more, InfiniteQueryHandle[Page])

    assert_type(store.dispatch(counter(1)), Action)
    assert_type(store.dispatch(Action("x")), Action)
    assert_type(store.dispatch(add_thunk), int)

    # api.util thunks give what they return too.
    patches = store.dispatch(api.util.update_query_data("list_pages", "q", lambda draft: None))
    assert_type(patches, PatchCollection)
    assert_type(store.dispatch(api.util.prefetch("list_pages", "q")), QueryHandle[Any])
    assert_type(store.dispatch(api.util.invalidate_queries("list_pages")), list[str])
    assert_type(store.dispatch(api.util.upsert_query_data("list_pages", "q", {})), QueryHandle[Any])


def thing_url(arg: int) -> str:
    return f"things/{arg}"


# The dict builder stays untyped: its endpoints are Any.
legacy = create_api(endpoints=lambda build: {"get_thing": build.query(query=thing_url)})
assert_type(legacy.endpoints.get_thing, Any)
assert_type(legacy.endpoints["get_thing"], Any)


def observers() -> None:
    saving = update_post.mutation_observer(store, fixed_cache_key="edit")
    assert_type(saving, MutationObserver[Post])
    assert_type(saving.result, MutationResult[Post])
    assert_type(saving.result.data, Post | None)
    paging = list_pages.observe(store, "q")
    assert_type(paging, InfiniteQueryObserver[InfiniteData[Page]])
    assert_type(paging.result, InfiniteQueryResult[InfiniteData[Page]])
    assert_type(paging.fetch_next_page(), InfiniteQueryHandle[Any])
