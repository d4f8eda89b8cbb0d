"""Cost of ``store.watch`` watchers on the dispatch path.

``n`` dispatches on a store holding an api slice and two plain slices, with no watchers
or with 200 watchers whose selected values never change: 100 on endpoint selectors
(``api.endpoints.get_post.select(i)``) and 100 on ``create_selector`` over slice getters
that declare their dependency (``operator.itemgetter("quiet")``, or a function with
``depends_on = ("quiet",)``). Two kinds of action:

- one no reducer handles: the root state keeps its identity, no selector runs;
- one that changes another slice: the root state is new, but the watched slices keep
  their identity, so each group of watchers costs one identity check.

The target (issue 12) is under 3x the cost with no watchers; the note compares the
fastest runs (wall-clock medians are noisy on a shared machine) and gives the median
ratio too. For reference, one row shows the fallback for selectors that declare nothing
(100 memoized selectors, each called once per dispatch); it runs at the smallest size
only, being slow.
"""

from __future__ import annotations

import operator
from typing import Any

from benchmarks._harness import Row, measure
from rtkq import Action, configure_store, create_api, create_selector, create_slice

WATCHERS = 100


async def _never_called(args: Any, api: Any, extra_options: Any) -> dict[str, Any]:
    raise AssertionError("the benchmark starts no request")


def _select_quiet(state: Any) -> Any:
    return state["quiet"]


_select_quiet.depends_on = ("quiet",)  # type: ignore[attr-defined]


def _store(watchers: str) -> tuple[Any, Any]:
    """A store and an action changing the ``busy`` slice; ``watchers``: none|declared|plain."""
    api = create_api(
        base_query=_never_called,
        endpoints=lambda build: {"get_post": build.query(query=lambda id: f"posts/{id}")},
    )
    busy = create_slice("busy", 0, {"inc": lambda s, a: s + 1})
    quiet = create_slice("quiet", {"x": 1}, {"set": lambda s, a: s.set("x", a.payload)})
    store = configure_store(
        {api.reducer_path: api.reducer, "busy": busy.reducer, "quiet": quiet.reducer},
        middleware=[api.middleware],
    )
    for i in range(WATCHERS if watchers != "none" else 0):
        if watchers == "declared":
            store.watch(api.endpoints.get_post.select(i), lambda new, old: None)
            getter = operator.itemgetter("quiet") if i % 2 else _select_quiet
        else:
            getter = lambda s: s["quiet"]  # noqa: E731  (declares nothing)
        store.watch(create_selector(getter, lambda q, i=i: q["x"] + i), lambda new, old: None)
    return store, busy.actions.inc()


def _loop(dispatch: Any, action: Any, n: int) -> None:
    for _ in range(n):
        dispatch(action)


def run(quick: bool) -> list[Row]:
    sizes = [2_000] if quick else [10_000, 100_000]
    rows: list[Row] = []
    for n in sizes:
        cases: list[tuple[str, bool, str]] = [
            ("unhandled action", False, "declared"),
            ("action changing another slice", True, "declared"),
        ]
        if n == sizes[0]:
            cases.append(("action changing another slice", True, "plain"))
        for label, changing, kind in cases:
            base: Row | None = None
            for watchers in ("none", kind):
                store, inc = _store(watchers)
                action = inc if changing else Action("nobody/handles")
                count = 2 * WATCHERS if watchers == "declared" else WATCHERS
                name = {
                    "none": "no watchers",
                    "declared": f"{count} watchers (declared deps)",
                    "plain": f"{count} watchers (undeclared deps)",
                }[watchers]
                row = measure(
                    f"{label}, {name}",
                    lambda s=store, a=action, n=n: _loop(s.dispatch, a, n),
                    n=n,
                    ops=n,
                    repeat=5 if n <= 10_000 else 3,
                )
                if base is None:
                    base = row
                else:
                    # The fastest runs are the least disturbed by other processes.
                    row["note"] = (
                        f"{row['min_s'] / base['min_s']:.2f}x no watchers "
                        f"(fastest runs; medians {row['median_s'] / base['median_s']:.2f}x)"
                    )
                rows.append(row)
    return rows
