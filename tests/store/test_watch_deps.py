"""Watchers whose selectors declare the state keys they read (``depends_on``)."""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtkq import Action, configure_store, create_selector
from rtkq._store._selector import dependencies_of


def _counter(state: Any, action: Any) -> Any:
    if state is None:
        return 0
    if action.type == "counter/dec":
        return state - 1
    return state + 1 if action.type in ("counter/inc", "both") else state


def _other(state: Any, action: Any) -> Any:
    if state is None:
        return 0
    return state + 1 if action.type in ("other/inc", "both") else state


def _label(state: Any, action: Any) -> Any:
    if state is None:
        return "a"
    return action.payload if action.type == "label/set" else state


COUNTER, OTHER, BOTH = Action("counter/inc"), Action("other/inc"), Action("both")


def make_store() -> Any:
    return configure_store({"counter": _counter, "other": _other, "label": _label})


def declared(keys: tuple[str, ...], fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A counting selector that declares ``keys``; ``calls`` counts its runs."""

    def selector(state: Any) -> Any:
        selector.calls += 1  # type: ignore[attr-defined]
        return fn(state)

    selector.calls = 0  # type: ignore[attr-defined]
    selector.depends_on = keys  # type: ignore[attr-defined]
    return selector


def test_a_declared_watcher_is_skipped_for_other_slices_and_fires_for_its_own() -> None:
    store = make_store()
    select = declared(("counter",), lambda s: s["counter"])
    seen: list[tuple[int, int]] = []
    store.watch(select, lambda new, old: seen.append((new, old)))
    assert select.calls == 1  # type: ignore[attr-defined]
    for _ in range(5):
        store.dispatch(OTHER)
    store.dispatch(Action("nobody"))
    assert select.calls == 1  # type: ignore[attr-defined]
    assert seen == []
    store.dispatch(COUNTER)
    store.dispatch(BOTH)
    assert seen == [(1, 0), (2, 1)]
    assert select.calls == 3  # type: ignore[attr-defined]


def test_a_selector_on_several_keys_runs_when_any_of_them_changes() -> None:
    store = make_store()
    total = declared(("counter", "other"), lambda s: s["counter"] + s["other"])
    seen: list[int] = []
    store.watch(total, lambda new, old: seen.append(new), equals=operator.eq)
    store.dispatch(Action("label/set", "b"))
    assert total.calls == 1  # type: ignore[attr-defined]
    store.dispatch(OTHER)
    store.dispatch(COUNTER)
    store.dispatch(BOTH)
    assert seen == [1, 2, 4]
    assert total.calls == 4  # type: ignore[attr-defined]


def test_the_same_keys_in_any_order_share_a_group_and_no_keys_means_constant() -> None:
    store = make_store()
    one = declared(("counter", "label"), lambda s: f"{s['label']}{s['counter']}")
    two = declared(("label", "counter", "label"), lambda s: f"{s['counter']}{s['label']}")
    constant = declared((), lambda s: "constant")
    for selector in (one, two, constant):
        store.watch(selector, lambda new, old: None)
    assert len(store._watches._group_list) == 2
    store.dispatch(OTHER)
    store.dispatch(COUNTER)
    assert [one.calls, two.calls, constant.calls] == [2, 2, 1]  # type: ignore[attr-defined]


def test_create_selector_over_key_getters_derives_the_union_of_their_keys() -> None:
    plain = create_selector(lambda s: s["counter"], lambda c: c)
    by_getter = create_selector(operator.itemgetter("counter"), lambda c: c)
    two = create_selector(operator.itemgetter("counter", "other"), lambda pair: pair)
    nested = create_selector(by_getter, declared(("other", "counter"), len), lambda a, b: a)
    mixed = create_selector(by_getter, lambda s: s["label"], lambda a, b: a)
    assert plain.depends_on is None
    assert by_getter.depends_on == ("counter",)
    assert two.depends_on == ("counter", "other")
    assert nested.depends_on == ("counter", "other")
    assert mixed.depends_on is None  # one input declares nothing: unknown
    mixed.depends_on = ("counter", "label")
    assert mixed.depends_on == ("counter", "label")
    mixed.depends_on = None  # back to the derived value
    assert mixed.depends_on is None
    assert dependencies_of(operator.itemgetter(slice(0, 2))) is None


def test_a_memoized_selector_with_derived_keys_is_not_called_for_other_slices() -> None:
    store = make_store()
    calls: list[int] = []

    def double(counter: int) -> int:
        calls.append(counter)
        return counter * 2

    doubled = create_selector(operator.itemgetter("counter"), double)
    seen: list[int] = []
    store.watch(doubled, lambda new, old: seen.append(new))
    for _ in range(3):
        store.dispatch(OTHER)
    store.dispatch(COUNTER)
    assert seen == [2]
    assert calls == [0, 1]


@pytest.mark.parametrize(
    ("depends_on", "message"),
    [
        ("counter", r"got 'str' \('counter'\)\. Write e\.g\. depends_on = \('counter',\)"),
        ({"counter": 1}, r"to be a tuple of top-level state keys or None, got 'dict'"),
        ((["counter"],), r"holds an unhashable key"),
    ],
)
def test_a_malformed_declaration_is_refused(depends_on: Any, message: str) -> None:
    store = make_store()

    def selector(state: Any) -> Any:
        return state["counter"]

    selector.depends_on = depends_on  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=message):
        store.watch(selector, lambda new, old: None)
    memoized = create_selector(operator.itemgetter("counter"), lambda c: c)
    with pytest.raises(TypeError, match=message):
        memoized.depends_on = depends_on
    assert store._watches.watchers == ()


def test_a_wrong_declaration_misses_changes_it_did_not_declare() -> None:
    # The declaration is trusted, not checked: reading an undeclared key is the
    # selector author's mistake, and the watcher then misses that key's changes.
    store = make_store()
    wrong = declared(("other",), lambda s: s["counter"])
    seen: list[int] = []
    store.watch(wrong, lambda new, old: seen.append(new))
    store.dispatch(COUNTER)
    assert seen == []
    store.dispatch(BOTH)  # "other" changed: it runs and catches up
    assert seen == [2]


def test_callbacks_run_in_registration_order_across_groups() -> None:
    store = make_store()
    order: list[str] = []

    def watch(name: str, selector: Callable[[Any], Any]) -> None:
        store.watch(selector, lambda new, old: order.append(name))

    watch("a", operator.itemgetter("counter"))
    watch("b", lambda s: (s["counter"], s["other"]))  # declares nothing
    watch("c", operator.itemgetter("other"))
    watch("d", create_selector(operator.itemgetter("counter"), lambda c: c))
    watch("e", operator.itemgetter("label"))
    watch("f", operator.itemgetter("other"))
    store.dispatch(BOTH)  # every group but "label" runs
    assert order == ["a", "b", "c", "d", "f"]
    order.clear()
    store.dispatch(OTHER)  # two groups run: "c"/"f" and the undeclared one
    assert order == ["b", "c", "f"]


def test_a_raising_declared_selector_raises_again_on_the_next_dispatch() -> None:
    store = make_store()

    def fragile(state: Any) -> Any:
        if state["counter"] > 0:
            raise LookupError("selector failed")
        return 0

    fragile.depends_on = ("counter",)  # type: ignore[attr-defined]
    store.watch(fragile, lambda new, old: None)
    with pytest.raises(LookupError, match="selector failed"):
        store.dispatch(COUNTER)
    with pytest.raises(LookupError, match="selector failed"):  # as without a declaration
        store.dispatch(OTHER)


def test_a_missing_key_or_a_state_that_is_no_mapping_runs_the_selector() -> None:
    def grow(state: Any, action: Any) -> Any:
        if state is None:
            return {}
        return {**state, action.type: True} if action.type.startswith("k") else state

    store = configure_store(grow)
    late = declared(("k1",), lambda s: s.get("k1"))
    seen: list[Any] = []
    store.watch(late, lambda new, old: seen.append(new))
    store.dispatch(Action("k0"))
    store.dispatch(Action("k1"))
    assert seen == [True]
    store.dispatch(Action("k2"))
    assert late.calls == 3  # type: ignore[attr-defined]  # k1 exists now: skipped

    number = configure_store(lambda state, action: (state or 0) + 1)
    parity = declared(("x",), lambda s: s % 2)
    flips: list[int] = []
    number.watch(parity, lambda new, old: flips.append(new), equals=operator.eq)
    number.dispatch(Action("tick"))
    number.dispatch(Action("tick"))
    assert flips == [0, 1]


def test_a_watcher_added_mid_dispatch_joins_its_group_without_missing_changes() -> None:
    store = make_store()
    seen: list[tuple[str, int, int]] = []
    first = declared(("counter",), lambda s: s["counter"])
    second = declared(("counter",), lambda s: s["counter"])
    store.watch(first, lambda new, old: seen.append(("first", new, old)))

    def add_second() -> None:  # a listener runs before the watchers, on the new state
        unsubscribe()
        store.watch(second, lambda new, old: seen.append(("second", new, old)))

    unsubscribe = store.subscribe(add_second)
    store.dispatch(COUNTER)
    assert seen == [("first", 1, 0)]
    store.dispatch(OTHER)
    assert first.calls == 2 and second.calls == 2  # type: ignore[attr-defined]
    store.dispatch(COUNTER)
    assert seen[1:] == [("first", 2, 1), ("second", 2, 1)]


def test_a_watcher_added_while_its_slice_moves_back_still_sees_the_move() -> None:
    # The group's other watchers last selected counter 0; the newcomer selects 1; a
    # nested dispatch brings back the very same object 0. Comparing with what the
    # group saw would skip it; the newcomer must still hear (0, 1).
    store = make_store()
    seen: list[tuple[str, int, int]] = []
    store.watch(operator.itemgetter("counter"), lambda new, old: seen.append(("first", new, old)))

    def add_second_then_undo() -> None:
        unsubscribe()
        store.watch(
            operator.itemgetter("counter"), lambda new, old: seen.append(("second", new, old))
        )
        store.dispatch(Action("counter/dec"))

    unsubscribe = store.subscribe(add_second_then_undo)
    store.dispatch(COUNTER)
    assert store.get_state()["counter"] == 0
    assert seen == [("second", 0, 1)]


def test_unsubscribing_a_whole_group_drops_it_and_a_new_one_starts_fresh() -> None:
    store = make_store()
    seen: list[int] = []
    unsubscribe = store.watch(operator.itemgetter("counter"), lambda new, old: seen.append(new))
    unsubscribe()
    assert store._watches._group_list == ()
    store.dispatch(COUNTER)
    store.watch(operator.itemgetter("counter"), lambda new, old: seen.append(new))
    store.dispatch(OTHER)
    store.dispatch(COUNTER)
    assert seen == [2]


@pytest.mark.parametrize("selector", [lambda s: s["counter"], operator.itemgetter("counter")])
def test_every_change_is_seen_once_across_threads(selector: Callable[[Any], Any]) -> None:
    store = make_store()
    seen: list[int] = []
    lock = threading.Lock()

    def record(new: int, old: int) -> None:
        with lock:
            seen.append(new)

    store.watch(selector, record)

    def work(action: Action) -> None:
        for _ in range(1_000):
            store.dispatch(action)

    threads = [threading.Thread(target=work, args=(a,)) for a in (COUNTER, OTHER) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get_state()["counter"] == 2_000
    assert len(seen) == len(set(seen))
    assert max(seen) == 2_000


ACTIONS = [
    COUNTER,
    OTHER,
    BOTH,
    Action("nobody"),
    Action("label/set", "a"),
    Action("label/set", "b"),
]
SELECTORS: list[tuple[tuple[str, ...], Callable[[Any], Any]]] = [
    (("counter",), lambda s: s["counter"]),
    (("other",), lambda s: s["other"] // 2),
    (("counter", "other"), lambda s: (s["counter"] + s["other"]) % 3),
    (("label",), lambda s: s["label"]),
    (("label", "counter"), lambda s: f"{s['label']}{s['counter'] % 2}"),
]


@settings(max_examples=60, deadline=None)
@given(
    watchers=st.lists(st.sampled_from(range(len(SELECTORS))), min_size=1, max_size=8),
    actions=st.lists(st.sampled_from(ACTIONS), max_size=30),
)
def test_declaring_dependencies_never_changes_what_callbacks_see(
    watchers: list[int], actions: list[Action]
) -> None:
    logs: list[list[tuple[int, Any, Any]]] = []
    for declare in (False, True):
        store = make_store()
        log: list[tuple[int, Any, Any]] = []
        for position, index in enumerate(watchers):
            keys, fn = SELECTORS[index]
            selector = declared(keys, fn) if declare else (lambda s, fn=fn: fn(s))
            store.watch(
                selector,
                lambda new, old, p=position, log=log: log.append((p, new, old)),
                equals=operator.eq,
            )
        for action in actions:
            store.dispatch(action)
        logs.append(log)
    assert logs[0] == logs[1]
