"""Dispatch throughput of the store core, side by side with python-redux 0.25.4.

Each scenario builds a store with three slices and dispatches ``n`` actions:
an action no reducer handles, an action that changes one slice, and the same with
ten subscribers. rtkq runs through ``configure_store`` (thunk middleware installed);
python-redux runs its ``Store`` with ``combine_reducers`` and one pass-through action
middleware, the closest equivalent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from benchmarks._harness import Row, measure
from rtkq import Action, configure_store, create_slice


def _rtkq_store(subscribers: int) -> tuple[Any, Any]:
    def inc(state: int, action: Any) -> int:
        return state + 1

    counter = create_slice("counter", 0, {"inc": inc})
    other = create_slice("other", 0, {"inc": inc})
    third = create_slice("third", 0, {"inc": inc})
    store = configure_store(
        {"counter": counter.reducer, "other": other.reducer, "third": third.reducer}
    )
    for _ in range(subscribers):
        store.subscribe(lambda: None)
    return store, counter.actions.inc()


def _redux_store(subscribers: int) -> tuple[Any, Any, Any]:
    from immutable import Immutable
    from redux import BaseAction, BaseCombineReducerState, Store, StoreOptions
    from redux import combine_reducers as redux_combine

    class Inc(BaseAction):
        slice: str

    class Noop(BaseAction):
        pass

    class Counter(Immutable):
        value: int

    def make(name: str) -> Any:
        def reducer(state: Counter | None, action: Any) -> Counter:
            if state is None:
                return Counter(value=0)
            if isinstance(action, Inc) and action.slice == name:
                return replace(state, value=state.value + 1)
            return state

        return reducer

    class Root(BaseCombineReducerState):
        counter: Counter
        other: Counter
        third: Counter

    reducer, _ = redux_combine(
        Root, counter=make("counter"), other=make("other"), third=make("third")
    )
    store: Any = Store(
        reducer,
        options=StoreOptions(auto_init=True, action_middlewares=[lambda action: action]),
    )
    for _ in range(subscribers):
        store._subscribe(lambda state: None)  # what autorun and view use
    return store, Inc(slice="counter"), Noop()


def _loop(dispatch: Any, action: Any, n: int) -> None:
    for _ in range(n):
        dispatch(action)


def run(quick: bool) -> list[Row]:
    sizes = [10_000] if quick else [10_000, 100_000]
    repeat = 3 if quick else 5
    rows: list[Row] = []
    for n in sizes:
        for label, subscribers, handled in (
            ("unhandled action", 0, False),
            ("action changing one slice", 0, True),
            ("changing action, 10 subscribers", 10, True),
        ):
            store, inc = _rtkq_store(subscribers)
            action = inc if handled else Action("nobody/handles")
            ours = measure(
                label,
                lambda s=store, a=action, n=n: _loop(s.dispatch, a, n),
                n=n,
                ops=n,
                repeat=repeat,
            )
            rstore, rinc, rnoop = _redux_store(subscribers)
            raction = rinc if handled else rnoop
            theirs = measure(
                label,
                lambda s=rstore, a=raction, n=n: _loop(s.dispatch, a, n),
                n=n,
                ops=n,
                repeat=repeat,
                impl="python-redux",
            )
            rstore.clean_up()
            ratio = theirs["median_s"] / ours["median_s"]
            ours["note"] = f"{n / ours['median_s']:,.0f} actions/s, {ratio:.1f}x python-redux"
            theirs["note"] = f"{n / theirs['median_s']:,.0f} actions/s"
            rows += [ours, theirs]
    return rows
