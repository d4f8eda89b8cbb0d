"""Observers (issue 15): what 1,000 observers add to a dispatch, ``set_arg``, lifecycle.

- **One entry changes under 1,000 observers.** ``n`` dispatches of
  ``update_query_data`` changing one cached entry, on a store with no observer and
  with 1,000 observers on distinct entries (one of them on the changed entry). The
  note gives the ratio to no observers (fastest runs, and medians) and the callbacks
  per dispatch (exactly 1). The target is under 2x. A row with 1,000 ``store.watch``
  watchers on the same entries' selectors shows what the per-store registry avoids:
  every such watcher's selector runs on every change of the api slice.
- **A dispatch that changes no observed entry**: the same with the changed entry
  observed by nobody: the note gives the callbacks run (0).
- **``set_arg`` to a cached arg** with 1k / 10k / 100k cached entries: the time per
  ``set_arg`` (subscribe the new arg, drop the old) must stay flat in the cache size
  (within 1.5x from 1k to 100k).
- **10,000 observers created and closed** (on cached entries kept for ever, so that
  closing schedules no collection timer): time per observer, the Python memory
  (tracemalloc) held after a second round of 10,000 compared with after the first
  (no growth left behind: only dict tables that keep their grown size), and the
  asyncio tasks, subscriptions and action taps left (none).
"""

from __future__ import annotations

import asyncio
import gc
import math
import time
import tracemalloc
from typing import Any

from benchmarks._harness import Row, measure, row_from_times
from rtkq import configure_store, create_api

OBSERVERS = 1_000


async def _never(args: Any, api: Any, extra: Any) -> Any:
    raise AssertionError("the benchmark starts no request")


def _store(entries: int, keep: float = 3600) -> tuple[Any, Any]:
    api = create_api(
        base_query=_never,
        keep_unused_data_for=keep,
        endpoints=lambda build: {"get_item": build.query(query=lambda arg: arg)},
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_item", "arg": i, "value": i} for i in range(entries)]
        )
    )
    return api, store


def _changing(api: Any, store: Any, arg: int, n: int) -> None:
    update = api.util.update_query_data
    for i in range(n):
        store.dispatch(update("get_item", arg, lambda draft, i=i: i))


def _dispatch_rows(n: int) -> list[Row]:
    rows: list[Row] = []
    for label, changed in (
        ("a dispatch changing one observed entry", 0),
        ("a dispatch changing an entry nobody observes", OBSERVERS + 1),
    ):
        base: Row | None = None
        for kind in ("none", "observers", "watchers"):
            if kind == "watchers" and changed != 0:
                continue
            api, store = _store(OBSERVERS + 2)
            calls = [0]

            def callback(*args: Any, calls: list[int] = calls) -> None:
                calls[0] += 1

            observers = []
            if kind == "observers":
                for i in range(OBSERVERS):
                    obs = api.endpoints.get_item.observe(store, i)
                    obs.subscribe(callback)
                    observers.append(obs)
            elif kind == "watchers":
                for i in range(OBSERVERS):
                    store.watch(api.endpoints.get_item.select(i), callback)
            name = {
                "none": "no observers",
                "observers": f"{OBSERVERS} observers",
                "watchers": f"{OBSERVERS} store.watch watchers (for comparison)",
            }[kind]
            runs = 6
            row = measure(
                f"{label}, {name}",
                lambda api=api, store=store, arg=changed: _changing(api, store, arg, n),
                n=n,
                ops=n,
                repeat=runs - 1,
            )
            if base is None:
                base = row
            else:
                per_dispatch = calls[0] / (runs * n)
                row["note"] = (
                    f"{row['min_s'] / base['min_s']:.2f}x no observers (fastest runs; "
                    f"medians {row['median_s'] / base['median_s']:.2f}x); "
                    f"callbacks per dispatch {per_dispatch:.2f}"
                )
            for obs in observers:
                obs.close()
            rows.append(row)
    return rows


def _set_arg_rows(sizes: list[int], switches: int) -> list[Row]:
    rows: list[Row] = []
    first: Row | None = None
    for entries in sizes:
        api, store = _store(entries)
        obs = api.endpoints.get_item.observe(store, 0)
        step = max(1, entries // 100)
        targets = [(i * step) % entries for i in range(1, 101)]

        def switch(obs: Any = obs, targets: list[int] = targets) -> None:
            for i in range(switches):
                obs.set_arg(targets[i % len(targets)])

        row = measure(
            f"set_arg to a cached arg, {entries:,} cached entries",
            switch,
            n=entries,
            ops=switches,
        )
        assert not obs.result.is_fetching
        obs.close()
        if first is None:
            first = row
        else:
            row["note"] = (
                f"{row['min_s'] / first['min_s']:.2f}x {first['n']:,} entries (fastest runs; "
                f"medians {row['median_s'] / first['median_s']:.2f}x)"
            )
        rows.append(row)
    return rows


async def _lifecycle_row(count: int) -> Row:
    # Entries are kept for ever here, so that closing schedules no collection timer:
    # what remains after a round is what observers (and subscriptions) leave.
    api, store = _store(count, keep=math.inf)
    endpoint = api.endpoints.get_item

    def round_trip() -> float:
        start = time.perf_counter()
        observers = [endpoint.observe(store, i) for i in range(count)]
        for obs in observers:
            obs.close()
        return time.perf_counter() - start

    round_trip()  # warm-up: tables (dicts) have grown to their size from here on
    await asyncio.sleep(0)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    times = [round_trip()]
    await asyncio.sleep(0)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    for _ in range(3):
        times.append(round_trip())
    tasks = len(asyncio.all_tasks()) - 1
    runtime = api.runtime_for(store.dispatch)
    subscribed = sum(len(subs) for subs in runtime.subscriptions.values())
    return row_from_times(
        f"{count:,} observers created and closed",
        times,
        n=count,
        ops=count,
        note=(
            f"memory growth after a second round {growth / 1024:.1f} KiB; tasks left "
            f"{tasks}; subscriptions left {subscribed}; action taps left "
            f"{len(runtime.action_taps)}"
        ),
    )


def run(quick: bool) -> list[Row]:
    n = 100 if quick else 2_000
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]

    async def main() -> list[Row]:
        rows = _dispatch_rows(n)
        rows += _set_arg_rows(sizes, 500 if quick else 10_000)
        rows.append(await _lifecycle_row(2_000 if quick else 10_000))
        return rows

    return asyncio.run(main())
