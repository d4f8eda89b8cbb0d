"""The rtkq (and python-redux) side of ``bench_peers``: one function per scenario.

Each ``_scenario_*`` takes the api and the sizes dict of :func:`benchmarks.bench_peers.sizes`
and returns rows named from :data:`NAMES`, which the Node peers use too.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from typing import Any

from benchmarks._harness import Row, measure, measure_async, row_from_times
from benchmarks._node_peer import memory_row
from rtkq import Action, Tag, configure_store, create_api

REDUX_IMPL = "python-redux"

NAMES = {
    "dispatch": "1 dispatch plain action, api middleware mounted",
    "upsert_entries": "2 populate: one upsert_query_entries",
    "upsert_data": "2 populate: upsert_query_data per entry, awaited",
    "upsert_one": "2 populate: one write per entry (sync)",
    "initiate": "3 initiate distinct args, awaited",
    "invalidate_dispatch": "4 invalidate 1 tag of n subscribed: dispatch",
    "invalidate_land": "4 invalidate 1 tag of n subscribed: refetch landed",
    "update": "5 update_query_data 1 item of n-list",
    "undo": "5 undo() of that update",
    "select": "6 select(arg)(state) calls over cached entries",
    "select_cached": "6 made selectors, same state (memo hit)",
    "memory": "7 memory per cached entry, 1 subscriber",
}


def make_api() -> Any:
    """The api both sides build: same endpoints, tags and data shapes."""
    return create_api(
        base_query=lambda args, api, extra: {"data": None},
        tag_types=["Item"],
        keep_unused_data_for=3600.0,
        endpoints=lambda build: {
            "get_item": build.query(
                query_fn=lambda id, api, extra, base: {"data": item(id)},
                provides_tags=lambda result, error, id: [Tag("Item", id)],
            ),
            "list_items": build.query(
                query_fn=lambda arg, api, extra, base: {"data": []},
                provides_tags=[Tag("Item", "LIST")],
            ),
        },
    )


def item(i: int) -> dict[str, Any]:
    return {"id": i, "name": f"item {i}"}


def make_store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def _redux_store() -> tuple[Any, Any]:
    """python-redux: one slice, one pass-through action middleware (as bench_store)."""
    from redux import BaseAction, BaseCombineReducerState, Store, StoreOptions
    from redux import combine_reducers as redux_combine

    class Plain(BaseAction):
        pass

    class Root(BaseCombineReducerState):
        api: int

    def reducer(state: int | None, action: Any) -> int:
        return 0 if state is None else state

    combined, _ = redux_combine(Root, api=reducer)
    store: Any = Store(
        combined, options=StoreOptions(auto_init=True, action_middlewares=[lambda a: a])
    )
    return store, Plain()


def _dispatch_loop(dispatch: Any, action: Any, n: int) -> None:
    for _ in range(n):
        dispatch(action)


def _scenario_dispatch(api: Any, cfg: dict[str, Any]) -> list[Row]:
    n = cfg["dispatch_n"]
    store = make_store(api)
    action = Action("plain/action")
    ours = measure(
        NAMES["dispatch"],
        lambda: _dispatch_loop(store.dispatch, action, n),
        n=n,
        ops=n,
        repeat=cfg["repeat"],
        warmup=cfg["warmup"],
    )
    rstore, raction = _redux_store()
    theirs = measure(
        NAMES["dispatch"],
        lambda: _dispatch_loop(rstore.dispatch, raction, n),
        n=n,
        ops=n,
        repeat=cfg["repeat"],
        warmup=cfg["warmup"],
        impl=REDUX_IMPL,
        note="no api middleware (python-redux has none); one pass-through middleware",
    )
    rstore.clean_up()
    return [ours, theirs]


def _scenario_populate(api: Any, cfg: dict[str, Any]) -> list[Row]:
    def entries(n: int) -> list[dict[str, Any]]:
        return [{"endpoint_name": "get_item", "arg": i, "value": item(i)} for i in range(n)]

    async def upsert_entries(setup: tuple[Any, list[dict[str, Any]]]) -> float:
        store, items = setup
        start = time.perf_counter()
        store.dispatch(api.util.upsert_query_entries(items))
        return time.perf_counter() - start

    async def upsert_one_by_one(setup: tuple[Any, list[dict[str, Any]]]) -> float:
        store, items = setup
        upsert = api.util.upsert_query_entries
        dispatch = store.dispatch
        start = time.perf_counter()
        for one in items:
            dispatch(upsert([one]))  # one action and one new state per entry
        return time.perf_counter() - start

    rows: list[Row] = []
    for name, timed, ns in (
        (NAMES["upsert_entries"], upsert_entries, cfg["populate_ns"]),
        (NAMES["upsert_one"], upsert_one_by_one, cfg["upsert_one_ns"]),
    ):
        for n in ns:

            async def fresh_with_entries(n: int = n) -> tuple[Any, list[dict[str, Any]]]:
                return make_store(api), entries(n)

            rows.append(
                measure_async(
                    name,
                    timed,
                    n=n,
                    ops=n,
                    setup=fresh_with_entries,
                    repeat=cfg["repeat"],
                    warmup=cfg["warmup"],
                )
            )

    async def fresh() -> Any:
        return make_store(api)

    def upsert_data(m: int) -> Any:
        async def timed(store: Any) -> float:
            start = time.perf_counter()
            upsert = api.util.upsert_query_data
            handles = [store.dispatch(upsert("get_item", i, item(i))) for i in range(m)]
            for handle in handles:
                await handle
            return time.perf_counter() - start

        return timed

    for m in cfg["upsert_data_ours_ns"]:
        rows.append(
            measure_async(
                NAMES["upsert_data"],
                upsert_data(m),
                n=m,
                ops=m,
                setup=fresh,
                repeat=cfg["repeat"],
                warmup=cfg["warmup"],
            )
        )
    return rows


def _scenario_initiate(api: Any, cfg: dict[str, Any]) -> list[Row]:
    async def fresh() -> Any:
        return make_store(api)

    def timed(n: int) -> Any:
        async def run(store: Any) -> float:
            start = time.perf_counter()
            initiate = api.endpoints.get_item.initiate
            handles = [store.dispatch(initiate(i)) for i in range(n)]
            for handle in handles:
                await handle
            return time.perf_counter() - start

        return run

    return [
        measure_async(
            NAMES["initiate"],
            timed(n),
            n=n,
            ops=n,
            setup=fresh,
            repeat=cfg["repeat"],
            warmup=cfg["warmup"],
        )
        for n in cfg["initiate_ns"]
    ]


async def _subscribed_store(api: Any, n: int) -> Any:
    store = make_store(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_item", "arg": i, "value": item(i)} for i in range(n)]
        )
    )
    initiate = api.endpoints.get_item.initiate
    handles = [store.dispatch(initiate(i)) for i in range(n)]
    for handle in handles:
        await handle
    return store


def _scenario_invalidate(api: Any, cfg: dict[str, Any], n: int) -> list[Row]:
    inner = cfg["inner"]

    async def body() -> tuple[list[float], list[float]]:
        store = await _subscribed_store(api, n)
        running = api.util.get_running_queries_thunk
        dispatch_times: list[float] = []
        land_times: list[float] = []
        gc.collect()
        gc.disable()
        try:
            for op in range((cfg["warmup"] + cfg["repeat"]) * inner):
                tag = Tag("Item", op * 7919 % n)
                t0 = time.perf_counter()
                store.dispatch(api.util.invalidate_tags([tag]))
                t1 = time.perf_counter()
                for handle in store.dispatch(running()):
                    await handle
                t2 = time.perf_counter()
                if op >= cfg["warmup"] * inner:
                    dispatch_times.append(t1 - t0)
                    land_times.append(t2 - t0)
        finally:
            gc.enable()
        entry = api.endpoints.get_item.select(0)(store.get_state())
        if not entry.is_success:
            raise AssertionError(f"entry 0 is {entry.status} after the refetches")
        return dispatch_times, land_times

    dispatch_times, land_times = asyncio.run(body())
    return [
        row_from_times(NAMES["invalidate_dispatch"], dispatch_times, n=n),
        row_from_times(NAMES["invalidate_land"], land_times, n=n),
    ]


def _scenario_update(api: Any, cfg: dict[str, Any], n: int) -> list[Row]:
    inner = cfg["inner"]

    async def body() -> tuple[list[float], list[float]]:
        store = make_store(api)
        data = [{"id": i, "name": f"item {i}", "done": False} for i in range(n)]
        store.dispatch(
            api.util.upsert_query_entries(
                [{"endpoint_name": "list_items", "arg": None, "value": data}]
            )
        )
        update_times: list[float] = []
        undo_times: list[float] = []
        gc.collect()
        gc.disable()
        try:
            for op in range((cfg["warmup"] + cfg["repeat"]) * inner):
                k = op * 7919 % n

                def recipe(draft: Any, k: int = k) -> None:
                    draft[k]["done"] = True

                t0 = time.perf_counter()
                patch = store.dispatch(api.util.update_query_data("list_items", None, recipe))
                t1 = time.perf_counter()
                patch.undo()
                t2 = time.perf_counter()
                if len(patch.patches) != 1:
                    raise AssertionError(f"expected one patch, got {patch.patches!r}")
                if op >= cfg["warmup"] * inner:
                    update_times.append(t1 - t0)
                    undo_times.append(t2 - t1)
        finally:
            gc.enable()
        final = api.endpoints.list_items.select(None)(store.get_state()).data
        if len(final) != n or any(x["done"] for x in final):
            raise AssertionError("undo() did not restore the list")
        return update_times, undo_times

    update_times, undo_times = asyncio.run(body())
    return [
        row_from_times(NAMES["update"], update_times, n=n),
        row_from_times(NAMES["undo"], undo_times, n=n),
    ]


def _scenario_select(api: Any, cfg: dict[str, Any]) -> list[Row]:
    calls, entries = cfg["select_calls"], cfg["select_entries"]
    store = make_store(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_item", "arg": i, "value": item(i)} for i in range(entries)]
        )
    )
    state = store.get_state()
    select = api.endpoints.get_item.select

    def loop() -> None:
        for i in range(calls):
            select(i % entries)(state)

    made = [select(i) for i in range(entries)]
    for selector in made:
        selector(state)  # the next call with this state is a memo hit

    def calls_of(functions: list[Any]) -> Any:
        def run() -> None:
            for i in range(calls):
                functions[i % entries](state)

        return run

    def timed(name: str, run: Any, note: str = "") -> Row:
        return measure(
            name, run, n=calls, ops=calls, repeat=cfg["repeat"], warmup=cfg["warmup"], note=note
        )

    if made[entries - 1](state).data != item(entries - 1):
        raise AssertionError("a made selector returned the wrong entry")
    # CPython's floor for this loop: the same calls of a function that only returns its
    # argument (no memo at all). Shown in the note, not as a peer.
    floor = timed("floor", calls_of([lambda state: state] * entries))
    # ... and of a C builtin (no Python frame at all): what any selector CPython can
    # call costs in this loop, the bound below which no memo hit can go.
    floor_c = timed("floor", calls_of([id] * entries))
    hits = timed(NAMES["select_cached"], calls_of(made), f"{entries:,} selectors")
    hits["note"] += (
        f"; the same loop calling `lambda state: state`: {floor['median_s'] * 1e3:.2f} ms, "
        f"calling the builtin `id`: {floor_c['median_s'] * 1e3:.2f} ms"
    )
    return [timed(NAMES["select"], loop, f"{entries:,} entries"), hits]


def _scenario_memory(api: Any, cfg: dict[str, Any]) -> list[Row]:
    """Bytes retained per entry: one upsert of n entries, then one ``initiate`` each."""
    n = cfg["memory_n"]

    def fill(m: int) -> Any:
        return asyncio.run(_subscribed_store(api, m))

    fill(100)  # load and warm the code paths outside the trace
    values = []
    for _ in range(3):
        gc.collect()
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            store = fill(n)
            gc.collect()
            end, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        queries = store.get_state()[api.reducer_path]["queries"]
        subscribed = api.runtime_for(store.dispatch).subscriptions
        if len(queries) != n or sum(len(s) for s in subscribed.values()) != n:
            raise AssertionError("memory: wrong number of entries or subscriptions")
        values.append((end - start) / n)
        del store, queries, subscribed
    return [memory_row(NAMES["memory"], "rtkq", n, sorted(values)[1], "tracemalloc")]


def rtkq_rows(cfg: dict[str, Any], only: set[str] | None = None) -> list[Row]:
    """Every rtkq (and python-redux) row for the sizes ``cfg``; ``only`` picks scenarios."""
    want = lambda key: not only or key in only  # noqa: E731
    api = make_api()
    rows: list[Row] = []
    if want("dispatch"):
        rows += _scenario_dispatch(api, cfg)
    if want("populate"):
        rows += _scenario_populate(api, cfg)
    if want("initiate"):
        rows += _scenario_initiate(api, cfg)
    if want("invalidate"):
        for n in cfg["invalidate_ns"]:
            rows += _scenario_invalidate(api, cfg, n)
    if want("update"):
        for n in cfg["update_ns"]:
            rows += _scenario_update(api, cfg, n)
    if want("select"):
        rows += _scenario_select(api, cfg)
    if want("memory"):
        rows += _scenario_memory(api, cfg)
    return rows
