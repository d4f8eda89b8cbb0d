"""Cost of ``store.watch`` watchers on the dispatch path.

``n`` dispatches with 0 or 100 watchers whose selected values never change: first with
actions no reducer handles (the root state keeps its identity, so no selector runs),
then with actions that change another slice (every watcher's memoized selector runs
once and returns its cached value). The target is under 3x the cost with no watchers.
"""

from __future__ import annotations

from typing import Any

from benchmarks._harness import Row, measure
from rtkq import Action, configure_store, create_selector, create_slice


def _store(watchers: int) -> tuple[Any, Any]:
    busy = create_slice("busy", 0, {"inc": lambda s, a: s + 1})
    quiet = create_slice("quiet", {"x": 1}, {"set": lambda s, a: s.set("x", a.payload)})
    store = configure_store({"busy": busy.reducer, "quiet": quiet.reducer})
    for i in range(watchers):
        selector = create_selector(lambda s: s["quiet"], lambda q, i=i: q["x"] + i)
        store.watch(selector, lambda new, old: None)
    return store, busy.actions.inc()


def _loop(dispatch: Any, action: Any, n: int) -> None:
    for _ in range(n):
        dispatch(action)


def run(quick: bool) -> list[Row]:
    sizes = [10_000] if quick else [10_000, 100_000]
    rows: list[Row] = []
    for n in sizes:
        for label, changing in (
            ("unhandled action", False),
            ("action changing another slice", True),
        ):
            base: Row | None = None
            for watchers in (0, 100):
                store, inc = _store(watchers)
                action = inc if changing else Action("nobody/handles")
                row = measure(
                    f"{label}, {watchers} watchers",
                    lambda s=store, a=action, n=n: _loop(s.dispatch, a, n),
                    n=n,
                    ops=n,
                    repeat=3,
                )
                if base is None:
                    base = row
                else:
                    row["note"] = f"{row['median_s'] / base['median_s']:.2f}x no watchers"
                rows.append(row)
    return rows
