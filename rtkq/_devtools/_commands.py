"""What the DevTools ask, turned into changes of the history.

``DISPATCH`` carries a lifted action (``JUMP_TO_STATE``, ``TOGGLE_ACTION``, ...);
``IMPORT`` the text of a history file. Both come from the network: anything that is
not what the DevTools send is a ``ValueError`` saying what was wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._freeze import freeze
from .._store._action import Action
from ._history import History
from ._jsan import decode

__all__ = ["JUMPS", "Change", "ImportedHistory", "parse_dispatch", "parse_import"]

Change = Callable[[History], None]
JUMPS = frozenset({"JUMP_TO_STATE", "JUMP_TO_ACTION"})


def _int(action: Mapping[str, Any], name: str) -> int:
    value = action.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{action.get('type')} needs an integer {name!r}, got {value!r}")
    return value


def _flag(action: Mapping[str, Any], name: str) -> bool:
    value = action.get(name)
    if not isinstance(value, bool):
        raise ValueError(f"{action.get('type')} needs a boolean {name!r}, got {value!r}")
    return value


def parse_dispatch(action: Any) -> Change:
    """The change a lifted action asks for.

    Raises:
        ValueError: ``action`` is not a lifted action the DevTools send.
    """
    if isinstance(action, str):
        action = decode(action)
    if not isinstance(action, Mapping) or not isinstance(action.get("type"), str):
        raise ValueError(f"a DISPATCH needs a lifted action with a 'type', got {action!r}")
    kind = action["type"]
    if kind == "JUMP_TO_STATE":
        index = _int(action, "index")
        return lambda h: h.jump_to_state(index)
    if kind == "JUMP_TO_ACTION":
        action_id = _int(action, "actionId")
        return lambda h: h.jump_to_action(action_id)
    if kind == "TOGGLE_ACTION":
        action_id = _int(action, "id")
        return lambda h: h.toggle(action_id)
    if kind == "SET_ACTIONS_ACTIVE":
        start, end, active = _int(action, "start"), _int(action, "end"), _flag(action, "active")
        return lambda h: h.set_active(start, end, active)
    if kind == "REORDER_ACTION":
        action_id, before = _int(action, "actionId"), _int(action, "beforeActionId")
        return lambda h: h.reorder(action_id, before)
    if kind == "LOCK_CHANGES":
        locked = _flag(action, "status")
        return lambda h: h.set_locked(locked)
    if kind == "PAUSE_RECORDING":
        paused = _flag(action, "status")
        return lambda h: h.set_paused(paused)
    if kind == "IMPORT_STATE":
        imported = parse_import(action.get("nextLiftedState"))
        return imported.apply
    simple: dict[str, Change] = {
        "COMMIT": History.commit,
        "ROLLBACK": History.rollback,
        "RESET": History.reset,
        "SWEEP": History.sweep,
    }
    if kind in simple:
        return simple[kind]
    raise ValueError(f"unknown lifted action type {kind!r}")


class ImportedHistory:
    """Actions to replay from the store's committed state, which to skip, where to stand."""

    def __init__(self, actions: list[Action], skipped: list[int], index: int | None) -> None:
        self.actions = actions
        self.skipped = skipped
        self.index = index

    def apply(self, history: History) -> None:
        history.replace(self.actions, skipped_positions=self.skipped, index=self.index)


def parse_import(text: Any) -> ImportedHistory:
    """Read a history file: an exported ``{"payload": actions, "preloadedState"}``, a
    lifted state (``actionsById``, ``stagedActionIds``, ...) or a list of actions.

    The actions are replayed from the store's committed state: a state that went
    through JSON cannot become the store's Python objects again.

    Raises:
        ValueError: the text is not one of those, or an action has no string ``type``.
    """
    data = decode(text) if isinstance(text, str) else text
    if isinstance(data, Mapping) and "payload" in data:
        payload = data["payload"]
        data = decode(payload) if isinstance(payload, str) else payload
    skipped: list[int] = []
    index = None
    if isinstance(data, Mapping) and "actionsById" in data and "stagedActionIds" in data:
        by_id, staged = data["actionsById"], data["stagedActionIds"]
        if not isinstance(by_id, Mapping) or not isinstance(staged, list):
            raise ValueError("actionsById must be an object and stagedActionIds an array")
        try:
            raw = [by_id[str(i)] for i in staged[1:]]
        except (KeyError, TypeError):
            raise ValueError("stagedActionIds names an action missing from actionsById") from None
        ids = data.get("skippedActionIds") or []
        skipped = [n for n, i in enumerate(staged) if n and i in ids]
        current = data.get("currentStateIndex")
        index = current if isinstance(current, int) and not isinstance(current, bool) else None
    elif isinstance(data, list):
        raw = data
    else:
        raise ValueError(
            "not a Redux DevTools history: expected an exported file ({payload, "
            "preloadedState}), a lifted state (actionsById, stagedActionIds, ...) or a list "
            f"of actions, got {_short(data)}"
        )
    return ImportedHistory([_action(item, n) for n, item in enumerate(raw)], skipped, index)


def _action(item: Any, position: int) -> Action:
    if isinstance(item, Mapping) and item.get("type") == "PERFORM_ACTION" and "action" in item:
        item = item["action"]
    if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
        raise ValueError(f"action {position} of the history has no string 'type': {_short(item)}")
    return Action(
        item["type"],
        freeze(item.get("payload")),
        freeze(item.get("meta")),
        freeze(item.get("error")),
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
