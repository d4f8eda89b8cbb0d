"""Invalidation racing requests: "delayed" queuing, in-flight entries, de-duplication."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryStatus, Tag, create_api

from ._tags_support import DELAY, SETTLE, Counting, Gate, make_store, queries

pytestmark = pytest.mark.looptime

KEY = "get_eaten(null)"


class Bananas:
    """RTK's race-condition fixture: a counter read by a query and bumped by a mutation,
    each request held at its own gate until the test releases it."""

    def __init__(self, **options: Any) -> None:
        self.eaten = 0
        self.reads = Gate()
        self.eats = Gate()

        async def eat(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
            await self.eats.wait()
            self.eaten += 1
            return {"data": None}

        async def get_eaten(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
            result = self.eaten
            await self.reads.wait()
            return {"data": result}

        self.api = create_api(
            tag_types=["Banana"],
            endpoints=lambda build: {
                "eat": build.mutation(query_fn=eat, invalidates_tags=["Banana"]),
                "get_eaten": build.query(query_fn=get_eaten, provides_tags=["Banana"]),
            },
            **options,
        )
        self.store = make_store(self.api)

    def entry(self) -> Any:
        return queries(self.store, self.api).get(KEY)


async def tick() -> None:
    await asyncio.sleep(DELAY)


@pytest.mark.parametrize("behavior", ["delayed", "immediately"])
async def test_a_mutation_invalidates_a_fulfilled_query(behavior: str) -> None:
    b = Bananas(invalidation_behavior=behavior)
    b.store.dispatch(b.api.endpoints.get_eaten.initiate(None))
    await b.reads.release()
    await tick()
    assert (b.entry().status, b.entry().data) == (QueryStatus.FULFILLED, 0)

    mutation = b.store.dispatch(b.api.endpoints.eat.initiate(None))
    await b.eats.release()
    await tick()
    assert b.store.get_state()["api"]["mutations"][mutation.request_id].is_success
    assert (b.entry().status, b.entry().data) == (QueryStatus.PENDING, 0)

    await b.reads.release()
    await tick()
    assert (b.entry().status, b.entry().data) == (QueryStatus.FULFILLED, 1)
    assert b.reads.started == 2


@pytest.mark.parametrize("behavior", ["delayed", "immediately"])
async def test_a_mutation_that_finishes_while_the_query_is_in_flight_still_refetches(
    behavior: str,
) -> None:
    # RTK refetches here only in "delayed" mode; rtkq in both (contract §4).
    b = Bananas(invalidation_behavior=behavior)
    b.store.dispatch(b.api.endpoints.get_eaten.initiate(None))
    mutation = b.store.dispatch(b.api.endpoints.eat.initiate(None))
    await b.eats.release()
    await tick()
    assert b.store.get_state()["api"]["mutations"][mutation.request_id].is_success

    await b.reads.release()  # the read started before the mutation: stale 0
    await tick()
    assert (b.entry().status, b.entry().data) == (QueryStatus.PENDING, 0)

    await b.reads.release()
    await tick()
    assert (b.entry().status, b.entry().data) == (QueryStatus.FULFILLED, 1)
    assert b.reads.started == 2


async def test_delayed_invalidation_waits_for_every_request_and_refetches_once() -> None:
    b = Bananas()
    b.store.dispatch(b.api.endpoints.get_eaten.initiate(None))
    await b.reads.release()
    await tick()
    b.store.dispatch(b.api.endpoints.eat.initiate(None))
    b.store.dispatch(b.api.endpoints.eat.initiate(None))
    await b.eats.release()
    await tick()
    # One mutation settled, the other still runs: its invalidation waits.
    assert b.entry().status is QueryStatus.FULFILLED
    assert b.reads.started == 1
    await b.eats.release()
    await tick()
    # Both settled: one refetch for both invalidations, reading both bananas.
    assert b.reads.started == 2
    await b.reads.release()
    await tick()
    assert (b.entry().data, b.reads.started, b.reads.waiting) == (2, 2, [])


async def test_immediately_refetches_while_another_mutation_runs() -> None:
    b = Bananas(invalidation_behavior="immediately")
    b.store.dispatch(b.api.endpoints.get_eaten.initiate(None))
    await b.reads.release()
    await tick()
    b.store.dispatch(b.api.endpoints.eat.initiate(None))
    b.store.dispatch(b.api.endpoints.eat.initiate(None))
    await b.eats.release()
    await tick()
    assert b.reads.started == 2  # did not wait for the second mutation
    await b.reads.release()
    await tick()
    assert b.entry().data == 1
    await b.eats.release()
    await tick()
    await b.reads.release()
    await tick()
    assert (b.entry().data, b.reads.started) == (2, 3)


async def test_delayed_invalidate_tags_waits_for_an_unrelated_query() -> None:
    counting = Counting()
    slow = Gate()

    async def slow_fn(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
        await slow.wait()
        return {"data": arg}

    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(query_fn=counting.fn("get_post"), provides_tags=["Post"]),
            "slow": build.query(query_fn=slow_fn),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.endpoints.slow.initiate(None))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 1
    assert queries(store, api)["get_post(1)"].is_success
    await slow.release()
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 2


async def test_a_failed_or_aborted_request_also_flushes_delayed_invalidations() -> None:
    counting = Counting()
    gate = Gate()

    async def failing(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
        await gate.wait()
        if arg == "fail":
            return {"error": {"status": 500}}
        return {"data": arg}

    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(query_fn=counting.fn("get_post"), provides_tags=["Post"]),
            "other": build.query(query_fn=failing),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.endpoints.other.initiate("fail"))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    await gate.release()
    await asyncio.sleep(SETTLE)
    assert queries(store, api)['other("fail")'].is_error
    assert counting.calls["get_post"] == 2

    aborted = store.dispatch(api.endpoints.other.initiate("abort"))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 2
    aborted.abort()
    await asyncio.sleep(SETTLE)
    assert queries(store, api)['other("abort")'].error == {
        "status": "CUSTOM_ERROR",
        "error": "Aborted",
    }
    assert counting.calls["get_post"] == 3


async def test_delayed_invalidate_queries_waits_like_tags() -> None:
    counting = Counting()
    slow = Gate()

    async def slow_fn(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
        await slow.wait()
        return {"data": arg}

    api = create_api(
        endpoints=lambda build: {
            "get_user": build.query(query_fn=counting.fn("get_user")),
            "slow": build.query(query_fn=slow_fn),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_user.initiate(1))
    store.dispatch(api.endpoints.slow.initiate(None))
    keys = store.dispatch(api.util.invalidate_queries("get_user"))
    assert keys == ["get_user(1)"]
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_user"] == 1
    await slow.release()
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_user"] == 2


# -- rtkq fixes (contract §4) ------------------------------------------------------


def _data(api: Any, store: Any, arg: Any) -> Any:
    """The data of ``get_post(arg)`` in the store now."""
    return api.endpoints.get_post.select(arg)(store.get_state()).data


def _gated_posts(gate: Gate, counter: list[int], **options: Any) -> Any:
    async def get_post(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
        counter[0] += 1
        seen = counter[0]
        await gate.wait()
        return {"data": {"id": arg, "version": seen}}

    return create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query_fn=get_post, provides_tags=lambda r, e, a: [{"type": "Post", "id": a}]
            )
        },
        **options,
    )


@pytest.mark.parametrize("behavior", ["delayed", "immediately"])
async def test_an_invalidation_hitting_an_in_flight_entry_refetches_after_it_settles(
    behavior: str,
) -> None:
    gate, counter = Gate(), [0]
    api = _gated_posts(gate, counter, invalidation_behavior=behavior)
    store = make_store(api)
    store.dispatch(api.endpoints.get_post.initiate(0))
    await gate.release()
    await tick()
    handle = store.dispatch(api.endpoints.get_post.initiate(0, force_refetch=True))
    await tick()
    assert counter[0] == 2
    # Tag id 0 is an ordinary id; two invalidations hit the running request.
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 0}]))
    store.dispatch(api.util.invalidate_tags([Tag("Post", 0)]))
    await tick()
    assert counter[0] == 2
    await gate.release()
    await tick()
    assert counter[0] == 3  # refetched once, after the running request settled
    await gate.release()
    state = await handle
    assert state.data == {"id": 0, "version": 2}  # the handle settled with its request
    await tick()
    assert _data(api, store, 0) == {"id": 0, "version": 3}  # the entry got the refetch
    await asyncio.sleep(SETTLE)
    assert counter[0] == 3


async def test_an_invalidated_in_flight_entry_without_subscribers_is_removed_once_settled() -> None:
    gate, counter = Gate(), [0]
    api = _gated_posts(gate, counter, invalidation_behavior="immediately")
    store = make_store(api)
    store.dispatch(api.util.prefetch("get_post", 5))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    await gate.release()
    await asyncio.sleep(SETTLE)
    assert counter[0] == 1
    assert dict(queries(store, api)) == {}
    assert dict(store.get_state()["api"]["provided"]["keys"]) == {}


async def test_invalidate_queries_hitting_an_in_flight_entry_refetches_after_it_settles() -> None:
    gate, counter = Gate(), [0]
    api = _gated_posts(gate, counter)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.util.invalidate_queries("get_post"))
    await gate.release()
    await tick()
    assert counter[0] == 2
    await gate.release()
    assert (await handle).data == {"id": 1, "version": 1}  # settled with its request
    await tick()
    assert _data(api, store, 1) == {"id": 1, "version": 2}  # then the refetch landed


async def test_a_deduplicated_initiate_is_not_a_running_request() -> None:
    gate, counter = Gate(), [0]
    counting = Counting()
    api = _gated_posts(gate, counter)
    api.inject_endpoints(
        endpoints=lambda build: {
            "get_other": build.query(query_fn=counting.fn("other"), provides_tags=["Post"])
        }
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_other.initiate(None))
    first = store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": "LIST"}, "Post"]))
    # Joining the running request, a forced one, and a cache hit of another entry:
    # none of them starts a request, settles one, or flushes the queued invalidation.
    joined = store.dispatch(api.endpoints.get_post.initiate(1))
    forced = store.dispatch(api.endpoints.get_post.initiate(1, force_refetch=True))
    hit = store.dispatch(api.endpoints.get_other.initiate(None))
    await hit
    running = store.dispatch(api.util.get_running_queries_thunk())
    assert [h.query_cache_key for h in running] == ["get_post(1)"]
    await asyncio.sleep(SETTLE)
    assert (counter[0], counting.calls["other"]) == (1, 1)
    joined.unsubscribe()
    forced.unsubscribe()
    await asyncio.sleep(SETTLE)
    assert (counter[0], counting.calls["other"]) == (1, 1)

    await gate.release()  # the one real request settles: now the queue flushes
    await tick()
    assert counting.calls["other"] == 2
    assert counter[0] == 2  # get_post(1) provided {Post, 1}: hit by "Post"
    await gate.release()
    assert (await first).data == {"id": 1, "version": 1}  # settled with its request
    await tick()
    assert _data(api, store, 1) == {"id": 1, "version": 2}


async def test_a_query_started_while_invalidations_wait_is_invalidated_when_they_flush() -> None:
    gate, counter = Gate(), [0]
    api = _gated_posts(gate, counter)
    store = make_store(api)
    slow = store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 2}]))
    second = store.dispatch(api.endpoints.get_post.initiate(2))
    await gate.release()
    await gate.release()
    await tick()
    # Tags are matched when the queue flushes: get_post(2) now provides {Post, 2}.
    assert counter[0] == 3
    await gate.release()
    assert (await second).data == {"id": 2, "version": 2}  # settled with its request
    await tick()
    assert _data(api, store, 2) == {"id": 2, "version": 3}
    assert (await slow).data == {"id": 1, "version": 1}


async def test_reset_api_state_drops_queued_invalidations() -> None:
    gate, counter = Gate(), [0]
    counting = Counting()
    api = _gated_posts(gate, counter)
    api.inject_endpoints(
        endpoints=lambda build: {
            "get_other": build.query(query_fn=counting.fn("other"), provides_tags=["Post"])
        }
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_other.initiate(None))
    store.dispatch(api.endpoints.get_post.initiate(1))
    store.dispatch(api.util.invalidate_tags(["Post"]))
    store.dispatch(api.util.invalidate_queries("get_other"))
    store.dispatch(api.util.reset_api_state())
    await asyncio.sleep(SETTLE)
    runtime = api.runtime_for(store.dispatch)
    assert (runtime.pending_tags, runtime.pending_keys) == ([], {})
    assert counting.calls["other"] == 1
    assert dict(queries(store, api)) == {}
