"""What the store sends: states, actions and histories in the DevTools' shapes.

An api slice is sent the way RTK Query's looks, so that the DevTools' RTK Query tab
recognises it: ``queries`` and ``mutations`` entries with RTK's field names
(``endpointName``, ``startedTimeStamp`` in milliseconds, ...), ``provided`` as
``{tags: {type: {id: [cache keys]}}, keys: {cache key: [tags]}}``, ``config``, and the
``subscriptions`` that the api's runtime holds (they are not store state).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._query._types import InfiniteQueryState, MutationState, QueryState, Tag
from ._history import Recorded, Snapshot
from ._jsan import Encoder, path_key

if TYPE_CHECKING:
    from .._query._runtime import Runtime

__all__ = ["MessageEncoder", "is_api_slice"]

_PLAIN = frozenset({str, int, bool, float})
_API_KEYS = ("queries", "mutations", "provided", "config")
_NO_ID = "__internal_without_id"  # the RTK Query tab's key for a tag without an id
_MS_FIELDS = {"started_at": "startedTimeStamp", "fulfilled_at": "fulfilledTimeStamp"}


def is_api_slice(value: Any) -> bool:
    """Whether ``value`` looks like an api slice (the runtime probe confirms it)."""
    return isinstance(value, Mapping) and all(key in value for key in _API_KEYS)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_FIELDS: dict[type, list[tuple[str, str, bool]]] = {}


def _entry(value: Any, encoder: Encoder) -> dict[str, Any]:
    fields = _FIELDS.get(type(value))
    if fields is None:
        fields = _FIELDS[type(value)] = [
            (f.name, _MS_FIELDS.get(f.name) or _camel(f.name), f.name in _MS_FIELDS)
            for f in dataclasses.fields(value)
        ]
    out: dict[str, Any] = {}
    for name, key, ms in fields:
        item = getattr(value, name)
        if item is None:
            continue  # RTK leaves unset fields undefined
        if ms:
            out[key] = round(item * 1000)
        elif type(item) in _PLAIN:
            out[key] = item
        else:
            out[key] = encoder.encode(item, None)
    return out


def _tag(value: Any, encoder: Encoder) -> dict[str, Any]:
    if value.id is None:
        return {"type": value.type}
    return {"type": value.type, "id": encoder.encode(value.id, None)}


def _tags_list(value: Any, encoder: Encoder) -> list[Any]:
    return [encoder.encode(tag, None) for tag in value]


_SPECIALS = {
    QueryState: _entry,
    InfiniteQueryState: _entry,
    MutationState: _entry,
    Tag: _tag,
}


class MessageEncoder:
    """Serializes histories for one store (knowing its api slices' runtimes)."""

    def __init__(self, runtimes: Mapping[str, Runtime]) -> None:
        self.runtimes = dict(runtimes)
        self._encoder = Encoder(_SPECIALS)
        self._subscriptions: dict[str, Any] = {}

    # -- whole messages ---------------------------------------------------------------
    def lifted(self, snap: Snapshot) -> str:
        """The history as a lifted state (the payload of a ``STATE`` message)."""
        enc = self._start()
        try:
            body: dict[str, Any] = {
                "actionsById": {
                    str(i): self._perform(snap.actions[i], f"$.actionsById[{json.dumps(str(i))}]")
                    for i in snap.staged
                },
                "computedStates": [
                    self._computed(state, error, f"$.computedStates[{n}]")
                    for n, (state, error) in enumerate(zip(snap.states, snap.errors, strict=True))
                ],
                "committedState": self.state(snap.committed, "$.committedState"),
                "currentStateIndex": snap.index,
                "nextActionId": snap.next_id,
                "skippedActionIds": snap.skipped,
                "stagedActionIds": snap.staged,
                "isLocked": snap.locked,
                "isPaused": snap.paused,
            }
            return json.dumps(body, ensure_ascii=False, allow_nan=False)
        finally:
            enc.reset()

    def actions(self, new: list[tuple[int, Recorded, Any]]) -> tuple[str, str]:
        """``(action, payload)`` of an ``ACTION`` message: one action, or a batch as arrays."""
        enc = self._start()
        try:
            action: Any
            if len(new) == 1:
                _, recorded, state = new[0]
                payload = self.state(state, "$")
                enc.reset()
                action = self._perform(recorded, "$")
            else:
                payload = [self.state(s, f"$[{n}]") for n, (_, _, s) in enumerate(new)]
                enc.reset()
                action = [self._perform(r, f"$[{n}]") for n, (_, r, _) in enumerate(new)]
            dump = json.dumps
            return (
                dump(action, ensure_ascii=False, allow_nan=False),
                dump(payload, ensure_ascii=False, allow_nan=False),
            )
        finally:
            enc.reset()

    def export(self, snap: Snapshot) -> tuple[str, str]:
        """``(payload, committedState)`` of an ``EXPORT``: the staged actions and their base."""
        enc = self._start()
        try:
            actions = [snap.actions[i].action for i in snap.staged[1:]]
            payload = json.dumps(enc.encode(actions, "$"), ensure_ascii=False, allow_nan=False)
            enc.reset()
            committed = json.dumps(self.state(snap.committed, "$"), allow_nan=False)
            return payload, committed
        finally:
            enc.reset()

    # -- parts --------------------------------------------------------------------------
    def _start(self) -> Encoder:
        self._encoder.next_message()
        self._subscriptions = {}  # taken once per message, shared by its states
        return self._encoder

    def _perform(self, recorded: Recorded, path: str) -> dict[str, Any]:
        return {
            "type": "PERFORM_ACTION",
            "action": self._encoder.encode(recorded.action, path_key(path, "action")),
            "timestamp": round(recorded.timestamp),
        }

    def _computed(self, state: Any, error: str | None, path: str) -> dict[str, Any]:
        entry = {"state": self.state(state, path_key(path, "state"))}
        if error is not None:
            entry["error"] = error
        return entry

    def state(self, state: Any, path: str | None) -> Any:
        """One store state as plain JSON (api slices in RTK Query's shape)."""
        enc = self._encoder
        if not isinstance(state, Mapping) or not any(
            isinstance(state.get(p), Mapping) for p in self.runtimes
        ):
            return enc.encode(state, path)
        ref = enc.ref(state)
        if ref is not None:
            return ref
        enc.remember(state, path)
        out: dict[str, Any] = {}
        for key, value in state.items():
            child = None if path is None else path_key(path, str(key))
            if key in self.runtimes and is_api_slice(value):
                out[str(key)] = enc.ref(value) or self._api_slice(key, value, child)
            else:
                out[str(key)] = enc.encode(value, child)
        return out

    def _api_slice(self, reducer_path: str, value: Any, path: str | None) -> dict[str, Any]:
        enc = self._encoder
        enc.remember(value, path)
        out: dict[str, Any] = {}
        for key, item in value.items():
            child = None if path is None else path_key(path, key)
            out[key] = self._provided(item, child) if key == "provided" else enc.encode(item, child)
        subs = self._subscriptions.get(reducer_path)
        if subs is None:
            subs = self._subscriptions[reducer_path] = _subscriptions(self.runtimes[reducer_path])
        child = None if path is None else path_key(path, "subscriptions")
        out["subscriptions"] = enc.encode(subs, child)
        return out

    def _provided(self, provided: Any, path: str | None) -> Any:
        enc = self._encoder
        tags = provided.get("tags") if isinstance(provided, Mapping) else None
        if not isinstance(tags, Mapping):
            return enc.encode(provided, path)
        ref = enc.ref(provided)
        if ref is not None:
            return ref
        enc.remember(provided, path)
        tags_path = None if path is None else path_key(path, "tags")
        keys_path = None if path is None else path_key(path, "keys")
        keys = provided.get("keys", {})
        return {
            "tags": enc.ref(tags) or self._tags(tags, tags_path),
            "keys": enc.ref(keys) or self._keys(keys, keys_path),
        }

    def _keys(self, keys: Mapping[Any, Any], path: str | None) -> dict[str, Any]:
        # {cache key: [tags]}: one entry per cached query, most unchanged between states.
        enc = self._encoder
        enc.remember(keys, path)
        return {str(key): enc.cached(tags, _tags_list) for key, tags in keys.items()}

    def _tags(self, tags: Mapping[Any, Any], path: str | None) -> dict[str, Any]:
        # {type: {id: {cache keys}}}; ids without an id under the tab's own key.
        enc = self._encoder
        enc.remember(tags, path)
        out: dict[str, Any] = {}
        for tag_type, ids in tags.items():
            type_path = None if path is None else path_key(path, str(tag_type))
            ref = enc.ref(ids)
            if ref is not None:
                out[str(tag_type)] = ref
                continue
            enc.remember(ids, type_path)
            by_id: dict[str, Any] = {}
            for tag_id, keys in ids.items():
                name = _NO_ID if tag_id is None else str(tag_id)
                by_id[name] = enc.cached(keys, _sorted_keys)
            out[str(tag_type)] = by_id
        return out


def _sorted_keys(keys: Any, encoder: Encoder) -> list[Any]:
    return sorted(keys, key=str)


def _subscriptions(runtime: Runtime) -> dict[str, Any]:
    return {
        key: {
            request_id: {_camel(k): v for k, v in options.items()}
            for request_id, options in subs.items()
        }
        for key, subs in runtime.subscriptions.items()
        if subs
    }
