from __future__ import annotations

from typing import Any

import pytest

from rtkq import Action, apply_middleware, compose, configure_store, create_slice, create_store


def counter(state: Any, action: Action) -> Any:
    if state is None:
        return 0
    return state + 1 if action.type == "inc" else state


def test_compose_runs_right_to_left() -> None:
    assert compose(lambda x: x + 1, lambda x: x * 2)(5) == 11
    assert compose()(7) == 7
    single = lambda x: x  # noqa: E731
    assert compose(single) is single
    assert compose(str, lambda a, b: a + b)(1, 2) == "3"


def _logger(name: str, log: list[str]) -> Any:
    def middleware(api: Any) -> Any:
        def wrap(next_: Any) -> Any:
            def handle(action: Any) -> Any:
                log.append(f"{name} before {getattr(action, 'type', action)}")
                result = next_(action)
                log.append(f"{name} after")
                return result

            return handle

        return wrap

    return middleware


def test_middleware_wrap_dispatch_in_order() -> None:
    log: list[str] = []
    store = create_store(counter, None, apply_middleware(_logger("a", log), _logger("b", log)))
    assert store.dispatch(Action("inc")) == Action("inc")
    assert log == ["a before inc", "b before inc", "b after", "a after"]
    assert store.get_state() == 1


def test_middleware_api_dispatch_runs_the_whole_chain() -> None:
    log: list[str] = []

    def doubler(api: Any) -> Any:
        def wrap(next_: Any) -> Any:
            def handle(action: Any) -> Any:
                if action.type == "double":
                    api.dispatch(Action("inc"))
                    return api.dispatch(Action("inc"))
                return next_(action)

            return handle

        return wrap

    store = create_store(counter, None, apply_middleware(doubler, _logger("log", log)))
    store.dispatch(Action("double"))
    assert store.get_state() == 2
    assert log.count("log before inc") == 2
    assert store.dispatch(Action("inc")) == Action("inc")


def test_middleware_may_swallow_or_replace_actions() -> None:
    def only_inc(api: Any) -> Any:
        return lambda next_: lambda action: next_(action) if action.type == "inc" else "dropped"

    store = create_store(counter, None, apply_middleware(only_inc))
    assert store.dispatch(Action("dec")) == "dropped"
    assert store.get_state() == 0


def test_middleware_get_state_reads_the_store() -> None:
    seen: list[Any] = []

    def spy(api: Any) -> Any:
        def wrap(next_: Any) -> Any:
            def handle(action: Any) -> Any:
                seen.append(api.get_state())
                return next_(action)

            return handle

        return wrap

    store = create_store(counter, 10, apply_middleware(spy))
    store.dispatch(Action("inc"))
    assert seen == [10]


def test_dispatching_while_building_the_chain_is_refused() -> None:
    def eager(api: Any) -> Any:
        api.dispatch(Action("inc"))
        return lambda next_: next_

    with pytest.raises(
        RuntimeError, match=r"dispatched while the middleware chain was being built"
    ):
        create_store(counter, None, apply_middleware(eager))


def test_non_callable_middleware_is_refused() -> None:
    with pytest.raises(TypeError, match=r"each middleware to be a function, got 'int'"):
        apply_middleware(3)  # type: ignore[arg-type]


# -- configure_store and thunks ----------------------------------------------------


def test_configure_store_combines_a_dict_of_reducers() -> None:
    slice_ = create_slice("n", 0, {"inc": lambda s, a: s + 1})
    store = configure_store({"n": slice_.reducer})
    store.dispatch(slice_.actions.inc())
    assert store.get_state()["n"] == 1


def test_a_thunk_gets_dispatch_get_state_and_extra_and_its_result_is_returned() -> None:
    store = configure_store(counter, extra_argument="extra")

    def thunk(dispatch: Any, get_state: Any, extra: Any) -> Any:
        dispatch(Action("inc"))
        return (get_state(), extra)

    assert store.dispatch(thunk) == (1, "extra")
    assert store.extra_argument == "extra"


def test_thunks_can_dispatch_thunks() -> None:
    store = configure_store(counter)
    inner = lambda dispatch, get_state, extra: dispatch(Action("inc"))  # noqa: E731
    assert store.dispatch(lambda d, g, e: d(inner)) == Action("inc")
    assert store.get_state() == 1


def test_thunk_middleware_runs_before_the_given_middleware() -> None:
    log: list[str] = []
    store = configure_store(counter, middleware=[_logger("m", log)])
    store.dispatch(lambda dispatch, get_state, extra: dispatch(Action("inc")))
    assert log == ["m before inc", "m after"]  # the thunk itself never reached m


def test_configure_store_preloaded_state() -> None:
    assert configure_store(counter, preloaded_state=5).get_state() == 5


def test_configure_store_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"function or a dict of slice reducers, got 'int'"):
        configure_store(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"middleware to be a list, got 'function'"):
        configure_store(counter, middleware=lambda api: api)  # type: ignore[arg-type]


def test_uncalled_action_creator_passes_the_thunk_middleware_to_a_clear_error() -> None:
    slice_ = create_slice("n", 0, {"inc": lambda s, a: s + 1})
    store = configure_store({"n": slice_.reducer})
    with pytest.raises(TypeError, match=r"action creator 'n/inc'"):
        store.dispatch(slice_.actions.inc)
