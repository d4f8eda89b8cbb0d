"""``create_slice``: a reducer and its action creators from a dict of case reducers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from .._freeze import freeze
from .._types import Reducer
from ._action import ActionCreator

__all__ = ["Slice", "create_slice"]

CaseReducer = Callable[[Any, Any], Any]


class Slice:
    """What :func:`create_slice` returns: ``name``, ``reducer`` and ``actions``."""

    __slots__ = ("actions", "initial_state", "name", "reducer")

    def __init__(
        self, name: str, initial_state: Any, reducer: Reducer, actions: SimpleNamespace
    ) -> None:
        self.name = name
        self.initial_state = initial_state
        self.reducer = reducer
        self.actions = actions

    def __repr__(self) -> str:
        return f"<Slice {self.name!r} actions={sorted(vars(self.actions))}>"


def create_slice(
    name: str,
    initial_state: Any,
    reducers: Mapping[str, CaseReducer] | Iterable[tuple[str, CaseReducer]],
) -> Slice:
    """Create a slice of state.

    Args:
        name: prefix of the action types: ``f"{name}/{reducer_name}"``.
        initial_state: the slice's state before any action (frozen on the way in).
        reducers: case reducers ``(state, action) -> new_state`` by name: a dict, or
            a list of ``(name, case_reducer)`` pairs (handy when the cases are built
            programmatically). A case reducer that returns ``None`` leaves the state
            unchanged.

    Raises:
        TypeError: ``name`` is not a non-empty string, ``reducers`` is neither a dict
            nor a list of pairs, or a case reducer is not callable.
        ValueError: two case reducers share a name (after ``str()``).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"A slice needs a non-empty str name, got {name!r}.")
    pairs = _case_pairs(name, reducers)
    initial = freeze(initial_state)
    cases: dict[str, CaseReducer] = {}
    creators: dict[str, ActionCreator] = {}
    for case_name, case in pairs:
        key = str(case_name)
        if key in creators:
            raise ValueError(
                f"Slice {name!r} has two case reducers named {key!r}. Give each a unique name."
            )
        if not callable(case):
            raise TypeError(
                f"Case reducer {key!r} of slice {name!r} is not callable (got "
                f"{type(case).__name__!r}). Pass a function (state, action) -> state."
            )
        action_type = f"{name}/{key}"
        cases[action_type] = case
        creators[key] = ActionCreator(action_type)

    def reducer(state: Any, action: Any) -> Any:
        if state is None:
            state = initial
        case = cases.get(action.type)
        if case is None:
            return state
        result = case(state, action)
        return state if result is None else result

    return Slice(name, initial, reducer, SimpleNamespace(**creators))


def _case_pairs(name: str, reducers: Any) -> list[tuple[Any, Any]]:
    if isinstance(reducers, Mapping):
        return list(reducers.items())
    if isinstance(reducers, (list, tuple)) and all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in reducers
    ):
        return list(reducers)
    raise TypeError(
        f"Expected the reducers of slice {name!r} to be a dict of case reducers or a "
        f"list of (name, case_reducer) pairs, got {type(reducers).__name__!r}."
    )
