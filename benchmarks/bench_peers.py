"""rtkq side by side with RTK Query on Node and python-redux, same sizes and data shapes.

One api (``get_item(id) -> {"id", "name"}`` providing ``Item/id``; ``list_items() -> [...]``),
``query_fn`` answering at once, ``keep_unused_data_for`` 3600 s on both sides so no entry
is collected mid-run. The Node side is ``peers/rtk-node/bench.mjs``, run once per
invocation with the sizes built here (``npm ci`` on first use, ``NODE_ENV=production``).
Scenarios (numbers as in benchmarks/README.md):

1. a plain action dispatched through a store with the api middleware mounted;
2. populating entries: one ``upsert_query_entries``, and one ``upsert_query_data`` each;
3. ``initiate`` of distinct args, every request awaited;
4. ``invalidate_tags`` of one tag among n subscribed entries: the dispatch, and until the
   refetch lands (n = 1,000 / 10,000 / 100,000);
5. ``update_query_data`` changing one item of a cached list of n objects, and ``undo()``;

   (4 and 5 time each operation on its own: ``inner`` x (warm-up + repeat) operations on
   one store, the warm-up ones dropped; median, min and max are per operation.)
6. ``select(arg)(state)`` calls over 10,000 entries.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import pathlib
import shutil
import subprocess
import time
from typing import Any

from benchmarks._harness import Row, measure, measure_async, row_from_times
from rtkq import Action, Tag, configure_store, create_api

PEER_DIR = pathlib.Path(__file__).parent / "peers" / "rtk-node"
NODE_IMPL = "RTK Query (node)"
REDUX_IMPL = "python-redux"

NAMES = {
    "dispatch": "1 dispatch plain action, api middleware mounted",
    "upsert_entries": "2 populate: one upsert_query_entries",
    "upsert_data": "2 populate: upsert_query_data per entry, awaited",
    "initiate": "3 initiate distinct args, awaited",
    "invalidate_dispatch": "4 invalidate 1 tag of n subscribed: dispatch",
    "invalidate_land": "4 invalidate 1 tag of n subscribed: refetch landed",
    "update": "5 update_query_data 1 item of n-list",
    "undo": "5 undo() of that update",
    "select": "6 select(arg)(state) calls over cached entries",
}

#: What the last run found out about the peers (merged into latest.json by __main__).
info: dict[str, Any] = {}


def sizes(quick: bool) -> dict[str, Any]:
    """The sizes both sides run (the Node script gets this dict as its config)."""
    if quick:
        return {
            "warmup": 1,
            "repeat": 5,
            "inner": 10,
            "dispatch_n": 20_000,
            "populate_n": 1_000,
            "upsert_data_ns": [200],
            "initiate_n": 300,
            "invalidate_ns": [1_000, 3_000],
            "update_ns": [1_000, 10_000],
            "select_calls": 20_000,
            "select_entries": 1_000,
        }
    return {
        "warmup": 1,
        "repeat": 5,
        "inner": 10,
        "dispatch_n": 100_000,
        "populate_n": 10_000,
        # RTK Query's upsertQueryData is O(entries) per call (about 9 ms at 1,000 entries
        # here), so 10,000 of them take minutes per run: compared at 1,000 on both sides,
        # rtkq alone at 10,000.
        "upsert_data_ns": [1_000],
        "initiate_n": 2_000,
        "invalidate_ns": [1_000, 10_000, 100_000],
        "update_ns": [1_000, 10_000, 100_000],
        "select_calls": 100_000,
        "select_entries": 10_000,
    }


# -- the rtkq side ------------------------------------------------------------------
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
    n = cfg["populate_n"]
    entries = lambda: [  # noqa: E731
        {"endpoint_name": "get_item", "arg": i, "value": item(i)} for i in range(n)
    ]

    async def fresh_with_entries() -> tuple[Any, list[dict[str, Any]]]:
        return make_store(api), entries()

    async def upsert_entries(setup: tuple[Any, list[dict[str, Any]]]) -> float:
        store, items = setup
        start = time.perf_counter()
        store.dispatch(api.util.upsert_query_entries(items))
        return time.perf_counter() - start

    rows = [
        measure_async(
            NAMES["upsert_entries"],
            upsert_entries,
            n=n,
            ops=n,
            setup=fresh_with_entries,
            repeat=cfg["repeat"],
            warmup=cfg["warmup"],
        )
    ]

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

    for m in sorted({*cfg["upsert_data_ns"], n}):
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
    n = cfg["initiate_n"]

    async def fresh() -> Any:
        return make_store(api)

    async def timed(store: Any) -> float:
        start = time.perf_counter()
        initiate = api.endpoints.get_item.initiate
        handles = [store.dispatch(initiate(i)) for i in range(n)]
        for handle in handles:
            await handle
        return time.perf_counter() - start

    return [
        measure_async(
            NAMES["initiate"],
            timed,
            n=n,
            ops=n,
            setup=fresh,
            repeat=cfg["repeat"],
            warmup=cfg["warmup"],
        )
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

    return [
        measure(
            NAMES["select"],
            loop,
            n=calls,
            ops=calls,
            repeat=cfg["repeat"],
            warmup=cfg["warmup"],
            note=f"{entries:,} entries",
        )
    ]


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
    return rows


# -- the Node side ------------------------------------------------------------------
def _ensure_node_modules() -> str | None:
    """Install the pinned RTK with ``npm ci`` when needed; return why not, or None."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "node not found on PATH"
    marker = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return None
    if npm is None:
        return "npm not found on PATH (needed once for npm ci)"
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEER_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm ci failed: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"npm ci failed (exit {done.returncode}): {' | '.join(tail)}"
    return None


def node_rows(cfg: dict[str, Any], only: set[str] | None = None) -> tuple[list[Row], str | None]:
    """Run the Node peer with the same sizes; return its rows and why it failed, if it did."""
    reason = _ensure_node_modules()
    if reason is not None:
        return [], reason
    config = {**cfg, "names": NAMES, "only": sorted(only or ())}
    env = {**os.environ, "NODE_ENV": "production"}
    try:
        done = subprocess.run(
            ["node", "--expose-gc", "bench.mjs", json.dumps(config)],
            cwd=PEER_DIR,
            capture_output=True,
            text=True,
            timeout=1800,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], f"node run failed: {exc}"
    rows: list[Row] = []
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if record.get("done"):
            info["rtk_node"] = {k: v for k, v in record.items() if k != "done"}
            continue
        rows.append(
            {
                **record,
                "impl": NODE_IMPL,
                "per_op_us": record["median_s"] / record["ops"] * 1e6,
                "note": "",
            }
        )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return rows, f"node exited {done.returncode}: {' | '.join(tail)}"
    return rows, None


def run(quick: bool) -> list[Row]:
    cfg = sizes(quick)
    rows = rtkq_rows(cfg)
    theirs, reason = node_rows(cfg)
    info["rtk_node_status"] = reason or "ok"
    if reason is not None:
        # One placeholder per rtkq row, so the table says why the peer column is empty.
        theirs += [
            {
                **row,
                "impl": NODE_IMPL,
                "median_s": None,
                "min_s": None,
                "max_s": None,
                "per_op_us": None,
                "runs": 0,
                "note": f"unavailable: {reason}",
            }
            for row in rows
            if row["impl"] == "rtkq"
        ]
    return rows + theirs
