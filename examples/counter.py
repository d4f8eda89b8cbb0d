"""A counter store: a slice, a memoized selector and a watcher printing transitions."""

from __future__ import annotations

from rtkq import configure_store, create_selector, create_slice

counter = create_slice(
    "counter",
    {"value": 0, "step": 1},
    {
        "increment": lambda state, action: state.set("value", state["value"] + state["step"]),
        "set_step": lambda state, action: state.set("step", action.payload),
    },
)
store = configure_store({"counter": counter.reducer})

is_even = create_selector(lambda state: state["counter"]["value"], lambda v: v % 2 == 0)
store.watch(is_even, lambda new, old: print(f"  parity changed: even={old} -> even={new}"))
store.subscribe(lambda: print(f"state: {dict(store.get_state()['counter'])}"))

store.dispatch(counter.actions.increment())
store.dispatch(counter.actions.set_step(2))
store.dispatch(counter.actions.increment())
store.dispatch(counter.actions.increment())
store.dispatch(counter.actions.set_step(1))
store.dispatch(counter.actions.increment())
print(f"is_even recomputed {is_even.recomputations()} times for 6 dispatches")
