"""``connect_devtools``: connect a store to the Redux DevTools remote server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._store._create_store import Store
from ._link import DEFAULT_FEATURES, DevToolsLink, new_instance_id

__all__ = ["connect_devtools"]


async def connect_devtools(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    name: str = "rtkq",
    instance_id: str | None = None,
    max_age: int = 50,
    features: Mapping[str, Any] | None = None,
    latency: float = 0.1,
) -> DevToolsLink:
    """Show ``store`` in the Redux DevTools served by ``@redux-devtools/cli`` at host:port.

    From now on every action the store reduces is recorded (at most ``max_age``
    entries, the oldest committed) and sent with the state after it; the DevTools can
    jump, skip (the history is replayed through the reducer), reorder, commit, reset,
    roll back, pause, lock, import and export. Api slices are sent in RTK Query's shape
    with their runtime's subscriptions, so the RTK Query tab shows them.

    Returns once the first connection attempt is over: connected, or (server down)
    after one ``DevToolsWarning``, retrying in the background with backoff. A dispatch
    never waits for the network: it records the action and wakes a sending task, which
    batches the actions of each ``latency`` seconds into one message.

    Args:
        store: the store to show.
        host: the DevTools server's host.
        port: the DevTools server's port.
        name: the instance name the DevTools list.
        instance_id: the instance's id (default: a random one).
        max_age: how many actions (the initial state included) the history keeps.
        features: DevTools features to turn on or off, over ``DEFAULT_FEATURES``.
        latency: seconds to gather actions after a send before sending again.

    Returns:
        A :class:`DevToolsLink`; ``await link.aclose()`` or ``async with`` disconnects.

    Raises:
        TypeError: ``store`` is not a store, or an argument has the wrong type.
        ValueError: ``port``, ``max_age``, ``latency`` or a feature name is out of range.
        RuntimeError: no running event loop, the store is connected already, or it
            is closed.
    """
    if not isinstance(store, Store):
        raise TypeError(
            f"Expected a store from configure_store()/create_store(), got {type(store).__name__!r}."
        )
    if not isinstance(host, str) or not host:
        raise TypeError(f"Expected host to be a host name such as '127.0.0.1', got {host!r}.")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"Expected port to be an int in 1..65535, got {port!r}.")
    if not isinstance(name, str):
        raise TypeError(f"Expected name to be a string, got {type(name).__name__!r}.")
    if instance_id is not None and not isinstance(instance_id, str):
        raise TypeError(f"Expected instance_id to be a string or None, got {instance_id!r}.")
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 2:
        raise ValueError(
            f"Expected max_age to be an int of at least 2 (the initial state and one "
            f"action), got {max_age!r}."
        )
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
        raise ValueError(f"Expected latency to be seconds >= 0, got {latency!r}.")
    merged = dict(DEFAULT_FEATURES)
    if features is not None:
        if not isinstance(features, Mapping):
            raise TypeError(f"Expected features to be a dict, got {type(features).__name__!r}.")
        unknown = sorted(set(features) - set(DEFAULT_FEATURES))
        if unknown:
            raise ValueError(
                f"Unknown DevTools features {unknown}; known: {sorted(DEFAULT_FEATURES)}."
            )
        merged.update(features)
    link = DevToolsLink(
        store,
        url=f"ws://{host}:{port}/socketcluster/",
        name=name,
        instance_id=instance_id if instance_id is not None else new_instance_id(),
        max_age=max_age,
        features=merged,
        latency=float(latency),
    )
    await link.start()
    return link
