"""Schemas and typed records (issue 16): validation overhead, record updates, hydrate.

1. A 1,000-item list response through the whole request path (``initiate`` of a forced
   refetch, base query, validation, freeze, reducer, the awaited handle) with
   ``response_schema=TypeAdapter(list[Post])`` against the same endpoint without a
   schema. The base query decodes a fresh JSON body on every call, as
   ``fetch_base_query`` would, without the network noise. The floor is pydantic's own
   ``validate_python`` of the same list; msgspec's ``convert`` is shown beside it.
2. One record field update + ``undo()`` in a cached list of n pydantic records through
   ``update_query_data`` (target < 100 us, flat within 1.5x from 1k to 100k), next to
   the same update on plain dicts.
3. ``hydrate`` of 10,000 typed entries (each validated again by ``response_schema``),
   and the ``dehydrate`` that wrote them. Target: hydrate < 1 s.

Run: ``python -m benchmarks schema`` or ``python -m benchmarks.bench_schema`` (table).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from typing import Any

import msgspec
import pydantic

from benchmarks._harness import Row, measure, row_from_times
from rtkq import configure_store, create_api
from rtkq.persist import dehydrate

LIST_SIZE = 1_000


class Post(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    id: int
    title: str
    tags: tuple[str, ...] = ()
    done: bool = False


class PostStruct(msgspec.Struct, frozen=True):
    id: int
    title: str
    tags: tuple[str, ...] = ()
    done: bool = False


def _items(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "title": f"post {i}", "tags": ["a", "b"], "done": False} for i in range(n)]


def _store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def _list_api(body: bytes) -> Any:
    def base_query(args: Any, api: Any, extra: Any) -> Any:
        return {"data": json.loads(body)}

    return create_api(
        base_query=base_query,
        keep_unused_data_for=3600.0,
        endpoints=lambda build: {
            "plain": build.query(query=lambda _: "posts"),
            "typed": build.query(
                query=lambda _: "posts", response_schema=pydantic.TypeAdapter(list[Post])
            ),
            "structs": build.query(query=lambda _: "posts", response_schema=list[PostStruct]),
        },
    )


def _request_rows(quick: bool) -> list[Row]:
    body = json.dumps(_items(LIST_SIZE)).encode()
    api = _list_api(body)
    repeat = 3 if quick else 9
    per_run = 5 if quick else 30
    names = {"plain": "no schema", "typed": "TypeAdapter(list[Post])", "structs": "msgspec"}
    times: dict[str, list[float]] = {name: [] for name in names}

    async def one_run(store: Any, name: str) -> float:
        endpoint = api.endpoints[name]
        start = time.perf_counter()
        for _ in range(per_run):
            state = await store.dispatch(endpoint.initiate(None, force_refetch=True))
        elapsed = time.perf_counter() - start
        assert state.is_success and len(state.data) == LIST_SIZE
        return elapsed

    async def body_runs() -> None:
        store = _store(api)
        for i in range(repeat + 1):
            for name in names:  # interleaved, so drift hits every variant alike
                gc.collect()
                gc.disable()
                try:
                    elapsed = await one_run(store, name)
                finally:
                    gc.enable()
                if i:
                    times[name].append(elapsed)

    asyncio.run(body_runs())
    rows = [
        row_from_times(
            f"request {LIST_SIZE:,}-item list: {label}", times[name], n=LIST_SIZE, ops=per_run
        )
        for name, label in names.items()
    ]
    plain = statistics.median(times["plain"])
    for row, name in zip(rows, names, strict=True):
        row["note"] = f"{statistics.median(times[name]) / plain:.2f}x no schema"
    data = json.loads(body)
    adapter = pydantic.TypeAdapter(list[Post])
    floor = measure(
        f"floor: TypeAdapter(list[Post]).validate_python, {LIST_SIZE:,} items",
        lambda: [adapter.validate_python(data) for _ in range(per_run)],
        n=LIST_SIZE,
        ops=per_run,
        repeat=repeat,
    )
    schema_cost = statistics.median(times["typed"]) - plain
    floor["note"] = (
        f"schema path costs {schema_cost / per_run * 1e6:,.0f} us over no schema "
        f"per request; pydantic alone {floor['per_op_us']:,.0f} us"
    )
    convert = measure(
        f"floor: msgspec.convert(list[PostStruct]), {LIST_SIZE:,} items",
        lambda: [msgspec.convert(data, type=list[PostStruct]) for _ in range(per_run)],
        n=LIST_SIZE,
        ops=per_run,
        repeat=repeat,
    )
    return [*rows, floor, convert]


def _cached(n: int, typed: bool) -> tuple[Any, Any]:
    def query_fn(arg: Any, api: Any, extra: Any, base_query: Any) -> Any:
        return {"data": _items(n)}

    options: dict[str, Any] = {"response_schema": list[Post]} if typed else {}
    api = create_api(
        keep_unused_data_for=3600.0,
        endpoints=lambda build: {"get_posts": build.query(query_fn=query_fn, **options)},
    )
    store = _store(api)

    async def load() -> None:
        await store.dispatch(api.endpoints.get_posts.initiate(None))

    asyncio.run(load())
    return api, store


def _recipe(index: int, typed: bool) -> Any:
    if typed:

        def typed_recipe(draft: Any) -> None:
            draft[index].done = True

        return typed_recipe

    def plain_recipe(draft: Any) -> None:
        draft[index]["done"] = True

    return plain_recipe


def _update_rows(quick: bool) -> list[Row]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    ops = 200
    rows: list[Row] = []
    for typed in (True, False):
        first: float | None = None
        for n in sizes:
            api, store = _cached(n, typed)
            indices = [(i * (n // ops) + 7) % n for i in range(ops)]

            recipes = [_recipe(i, typed) for i in indices]
            before = api.endpoints.get_posts.select(None)(store.get_state()).data

            def update_and_undo(store: Any = store, api: Any = api, recipes: Any = recipes) -> None:
                for recipe in recipes:
                    store.dispatch(api.util.update_query_data("get_posts", None, recipe)).undo()

            update_and_undo()
            after = api.endpoints.get_posts.select(None)(store.get_state()).data
            assert after == before and (not typed or type(after[0]) is Post)
            kind = "pydantic records: draft[i].done = True" if typed else "dicts: draft[i]['done']"
            row = measure(
                f"update_query_data + undo, {kind}",
                update_and_undo,
                n=n,
                ops=ops,
                repeat=3 if quick else 7,
            )
            first = first or row["per_op_us"]
            row["note"] = f"{row['per_op_us'] / first:.2f}x n=1k"
            rows.append(row)
    return rows


def _hydrate_rows(quick: bool) -> list[Row]:
    n = 3_000 if quick else 10_000

    def make_api() -> Any:
        return create_api(
            base_query=lambda args, api, extra: {"data": None},
            endpoints=lambda build: {
                "get_post": build.query(query=lambda id: f"posts/{id}", response_schema=Post)
            },
        )

    api = make_api()
    store = _store(api)
    entries = [
        {"endpoint_name": "get_post", "arg": i, "value": Post(id=i, title=f"post {i}", tags=("a",))}
        for i in range(n)
    ]
    store.dispatch(api.util.upsert_query_entries(entries))
    state = store.get_state()
    write = measure(
        "dehydrate typed entries (records as JSON)",
        lambda: dehydrate(state, api),
        n=n,
        ops=n,
        repeat=3 if quick else 5,
    )
    snapshot = json.loads(json.dumps(dehydrate(state, api)))
    assert len(snapshot["queries"]) == n
    fresh_api = make_api()

    def hydrate(target: Any) -> None:
        target.dispatch(fresh_api.util.hydrate(snapshot))

    read = measure(
        "hydrate typed entries (response_schema validates each)",
        hydrate,
        n=n,
        ops=n,
        repeat=3 if quick else 5,
        setup=lambda: _store(fresh_api),
    )
    check = _store(fresh_api)
    hydrate(check)
    assert type(fresh_api.endpoints.get_post.select(5)(check.get_state()).data) is Post
    read["note"] = f"{read['median_s']:.3f} s for {n:,} (target < 1 s at 10,000)"
    write["note"] = f"{write['median_s']:.3f} s for {n:,}"
    return [write, read]


def run(quick: bool) -> list[Row]:
    return [*_request_rows(quick), *_update_rows(quick), *_hydrate_rows(quick)]


if __name__ == "__main__":
    import sys

    for row in run("--quick" in sys.argv):
        print(
            f"{row['scenario']:<66} {row['n']:>8,} {row['per_op_us']:>10.1f} us/op  {row['note']}"
        )
