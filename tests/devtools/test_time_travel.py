"""Time travel driven by a monitor through the real DevTools server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from rtkq import configure_store, create_slice
from rtkq.devtools import DevToolsLink, DevToolsWarning, connect_devtools

from ._monitor import Monitor, View, watch

todos = create_slice(
    "todos",
    (),
    {
        "add": lambda state, action: (*state, action.payload),
        "clear": lambda state, action: (),
    },
)


@dataclass
class Session:
    store: Any
    link: DevToolsLink
    monitor: Monitor
    view: View

    @property
    def socket(self) -> str:
        assert self.view.socket is not None
        return self.view.socket

    async def dispatch(self, action: dict[str, Any], resent: bool = True) -> None:
        """Send a lifted action; wait for the STATE the store sends back (if any)."""
        before = len(self.monitor.seen)
        await self.monitor.dispatch(self.socket, self.link.instance_id, action)
        if resent:
            self.view.lifted = None  # the next STATE replaces the view
            await watch(self.monitor, self.link.instance_id, lambda v: True, view=self.view)
            assert self.monitor.seen[before:][-1]["type"] == "STATE"

    async def settle(self, until: Any) -> None:
        await watch(self.monitor, self.link.instance_id, until, view=self.view)


@pytest.fixture
async def session(devtools_server: Any, monitor: Monitor) -> AsyncIterator[Session]:
    store = configure_store({"todos": todos.reducer})
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        for item in ("a", "b", "c"):
            store.dispatch(todos.actions.add(item))
        await watch(monitor, link.instance_id, lambda v: len(v.staged) == 4, view=view)
        yield Session(store, link, monitor, view)


def items(store: Any) -> tuple[str, ...]:
    return tuple(store.get_state()["todos"])


async def test_jumping_shows_a_past_state_and_notifies_watchers(session: Session) -> None:
    seen: list[Any] = []
    session.store.watch(lambda s: s["todos"], lambda new, old: seen.append(tuple(new)))
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 1}, resent=False)
    await session.dispatch({"type": "JUMP_TO_ACTION", "actionId": 2}, resent=False)
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 0}, resent=False)
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 3}, resent=False)
    # A message after the jumps: every jump has been handled by then.
    await session.dispatch({"type": "COMMIT"})
    assert seen == [("a",), ("a", "b"), (), ("a", "b", "c")]
    assert items(session.store) == ("a", "b", "c")


async def test_an_action_dispatched_while_in_the_past_is_appended(session: Session) -> None:
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 1}, resent=False)
    await session.dispatch({"type": "LOCK_CHANGES", "status": False})  # a barrier
    assert items(session.store) == ("a",)
    session.store.dispatch(todos.actions.add("d"))
    # As in Redux: recorded after the last action, while the store keeps showing the past.
    assert items(session.store) == ("a",)
    await session.settle(lambda v: len(v.staged) == 5)
    assert session.view.states[-1]["todos"] == ["a", "b", "c", "d"]
    assert session.link.history.index == 1
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 4}, resent=False)
    await session.dispatch({"type": "LOCK_CHANGES", "status": False})
    assert items(session.store) == ("a", "b", "c", "d")


async def test_toggling_an_action_replays_the_history_without_it(session: Session) -> None:
    await session.dispatch({"type": "TOGGLE_ACTION", "id": 2})
    assert items(session.store) == ("a", "c")
    assert session.view.lifted is not None
    assert session.view.lifted["skippedActionIds"] == [2]
    assert session.view.states[-1]["todos"] == ["a", "c"]
    assert session.view.states[2]["todos"] == ["a"]  # the skipped action changes nothing
    await session.dispatch({"type": "TOGGLE_ACTION", "id": 2})
    assert items(session.store) == ("a", "b", "c")
    # Sweep drops skipped actions for good.
    await session.dispatch({"type": "TOGGLE_ACTION", "id": 1})
    await session.dispatch({"type": "SWEEP"})
    assert session.view.types == ["@@INIT", "todos/add", "todos/add"]
    assert items(session.store) == ("b", "c")


async def test_reordering_replays_in_the_new_order(session: Session) -> None:
    await session.dispatch({"type": "REORDER_ACTION", "actionId": 3, "beforeActionId": 1})
    assert session.view.staged == [0, 3, 1, 2]
    assert items(session.store) == ("c", "a", "b")
    await session.dispatch({"type": "REORDER_ACTION", "actionId": 3, "beforeActionId": 99})
    assert session.view.staged == [0, 1, 2, 3]
    assert items(session.store) == ("a", "b", "c")


async def test_commit_rollback_and_reset(session: Session) -> None:
    await session.dispatch({"type": "JUMP_TO_STATE", "index": 2}, resent=False)
    await session.dispatch({"type": "COMMIT"})
    assert session.view.types == ["@@INIT"]
    assert session.view.state == {"todos": ["a", "b"]}
    session.store.dispatch(todos.actions.add("x"))
    await session.settle(lambda v: len(v.staged) == 2)
    await session.dispatch({"type": "ROLLBACK"})
    assert items(session.store) == ("a", "b")  # back to the committed state
    await session.dispatch({"type": "RESET"})
    assert items(session.store) == ()  # the state when the store was connected
    assert session.view.types == ["@@INIT"]


async def test_pause_and_lock(session: Session) -> None:
    await session.dispatch({"type": "PAUSE_RECORDING", "status": True})
    assert session.view.lifted is not None and session.view.lifted["isPaused"] is True
    session.store.dispatch(todos.actions.add("d"))
    assert items(session.store) == ("a", "b", "c", "d")  # the store works on ...
    assert session.link.history.staged == [0]  # ... unrecorded
    await session.dispatch({"type": "PAUSE_RECORDING", "status": False})
    assert session.view.types == ["@@INIT"]
    assert session.view.state == {"todos": ["a", "b", "c", "d"]}
    await session.dispatch({"type": "LOCK_CHANGES", "status": True})
    assert session.view.lifted is not None and session.view.lifted["isLocked"] is True
    session.store.dispatch(todos.actions.clear())
    assert items(session.store) == ("a", "b", "c", "d")  # locked: actions change nothing
    await session.dispatch({"type": "LOCK_CHANGES", "status": False})
    session.store.dispatch(todos.actions.clear())
    assert items(session.store) == ()


async def test_an_exported_history_imports_back(session: Session) -> None:
    await session.monitor.send(
        session.socket, {"type": "EXPORT", "instanceId": session.link.instance_id}
    )
    exported = await session.monitor.next("EXPORT", session.link.instance_id)
    # The file the web UI saves: the payload and committed state as sent.
    file_text = json.dumps(
        {"payload": json.dumps(exported["payload"]), "preloadedState": exported["committedState"]}
    )
    await session.dispatch({"type": "RESET"})
    assert items(session.store) == ()
    await session.monitor.send(
        session.socket,
        {"type": "IMPORT", "state": file_text, "instanceId": session.link.instance_id},
    )
    session.view.lifted = None
    await session.settle(lambda v: True)
    assert session.view.types == ["@@INIT", "todos/add", "todos/add", "todos/add"]
    assert items(session.store) == ("a", "b", "c")


async def test_a_lifted_state_imports_with_its_skips_and_position(session: Session) -> None:
    lifted = {
        "actionsById": {
            "0": {"type": "PERFORM_ACTION", "action": {"type": "@@INIT"}},
            "5": {"type": "PERFORM_ACTION", "action": {"type": "todos/add", "payload": "x"}},
            "6": {"type": "PERFORM_ACTION", "action": {"type": "todos/add", "payload": "y"}},
            "7": {"type": "PERFORM_ACTION", "action": {"type": "todos/add", "payload": "z"}},
        },
        "stagedActionIds": [0, 5, 6, 7],
        "skippedActionIds": [6],
        "currentStateIndex": 3,
        "computedStates": [],
    }
    await session.dispatch({"type": "IMPORT_STATE", "nextLiftedState": lifted})
    assert items(session.store) == ("x", "z")
    assert session.view.lifted is not None
    assert session.view.lifted["skippedActionIds"] == [2]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "Expecting property name"),
        ('{"hello": 1}', "not a Redux DevTools history"),
        ('[{"type": "todos/add", "payload": "x"}, {"payload": 1}]', "action 1 .* no string 'type'"),
        ('[{"type": "todos/boom"}]', "replay failed"),
    ],
)
async def test_an_import_that_is_not_a_valid_history_changes_nothing(
    session: Session, text: str, reason: str
) -> None:
    def boom(state: Any, action: Any) -> Any:
        if action.type == "todos/boom":
            raise ValueError("replay failed")
        return todos.reducer(state, action)

    session.store.replace_reducer(boom_reducer(boom))
    await session.settle(lambda v: len(v.staged) == 5)  # the replace action
    before = (session.link.history.snapshot(), session.store.get_state())
    await session.monitor.send(
        session.socket, {"type": "IMPORT", "state": text, "instanceId": session.link.instance_id}
    )
    error = await session.monitor.next("ERROR", session.link.instance_id)
    assert error["payload"].startswith("Import failed, nothing changed: ")
    assert __import__("re").search(reason, error["payload"])
    after = (session.link.history.snapshot(), session.store.get_state())
    assert after[1] is before[1]
    assert after[0].staged == before[0].staged and after[0].states == before[0].states


def boom_reducer(todos_reducer: Any) -> Any:
    from rtkq import combine_reducers

    return combine_reducers({"todos": todos_reducer})


async def test_a_jump_to_a_state_that_does_not_exist_is_ignored_with_a_warning(
    session: Session,
) -> None:
    with pytest.warns(DevToolsWarning, match="no state at index 9"):
        await session.dispatch({"type": "JUMP_TO_STATE", "index": 9}, resent=False)
        await session.dispatch({"type": "LOCK_CHANGES", "status": False})
    assert items(session.store) == ("a", "b", "c")
