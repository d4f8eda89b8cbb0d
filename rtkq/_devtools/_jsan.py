"""jsan, the JSON dialect the Redux DevTools speak: plain JSON plus ``{"$jsan": ...}``.

On the way out, a container met a second time in one message is written as a reference
``{"$jsan": "$.path.to[0].first"}`` to where it was written first. States in a
history share most of their structure (pyrsistent maps are persistent), so a batch of
states costs about one state plus what each action changed. On the way in, references
and the special values jsan tags (``undefined``, ``NaN``, dates, ...) are resolved.

Frozen data is thawed: maps become objects (keys as strings), vectors, tuples and sets
become arrays, dataclasses objects of their fields, enums their value; anything else is
shown by its ``repr``.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from pyrsistent import PSet, PVector

from .._store._action import Action

__all__ = ["Encoder", "decode", "path_key"]

_WORD = re.compile(r"[A-Za-z0-9_]+", re.ASCII)
_PATH_PART = re.compile(r'\.([A-Za-z0-9_]+)|\[(\d+)\]|\["((?:[^\\"]|\\.)*)"\]', re.ASCII)
_SEQUENCES = (PVector, list, tuple)
_SETS = (PSet, set, frozenset)

# Converts an immutable value of one type to plain JSON (children through the encoder).
Special = Callable[[Any, "Encoder"], Any]
_PLAIN = frozenset({str, int, bool, type(None)})


def path_key(path: str, key: str) -> str | None:
    """The jsan path of ``key`` inside ``path``; ``None`` when jsan could not resolve it."""
    if _WORD.fullmatch(key):
        return f"{path}.{key}"
    if "\\" in key or '"' in key:
        return None  # jsan's path reader only unescapes \" : no reference to such keys
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, enum.Enum):
        return str(key.value)
    return str(key)


class Encoder:
    """Encode Python values to jsan, one document at a time.

    ``specials`` maps a type to a function ``(value, encoder) -> plain`` for immutable
    types that need a shape of their own (the api slice's entries). Their plain form is
    kept from one message to the next (an entry that did not change costs a lookup),
    and written in full wherever it occurs.

    Containers are remembered by identity until :meth:`reset`, so a document may only
    reference what it contains: call :meth:`reset` before each document, and
    :meth:`next_message` before each message (it forgets cached forms not used since
    the previous message).
    """

    def __init__(self, specials: Mapping[type, Special] | None = None) -> None:
        self._specials = dict(specials or {})
        # id -> (object, path): holding the object keeps its id from being reused.
        self._seen: dict[int, tuple[Any, str]] = {}
        # id -> (object, plain form), this message's and the previous one's.
        self._cache: dict[int, tuple[Any, Any]] = {}
        self._previous: dict[int, tuple[Any, Any]] = {}

    def reset(self) -> None:
        self._seen = {}

    def next_message(self) -> None:
        self._previous, self._cache = self._cache, {}
        self._seen = {}

    def dumps(self, value: Any) -> str:
        """Encode ``value`` as a whole jsan document (references are from its root)."""
        self.reset()
        try:
            return json.dumps(self.encode(value, "$"), ensure_ascii=False, allow_nan=False)
        finally:
            self.reset()

    def cached(self, value: Any, convert: Callable[[Any, Encoder], Any]) -> Any:
        """The plain form of immutable ``value``, ``convert(value, self)`` on a miss."""
        key = id(value)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._previous.get(key)
            if hit is None or hit[0] is not value:
                hit = (value, convert(value, self))
            self._cache[key] = hit
        return hit[1]

    def encode(self, value: Any, path: str | None) -> Any:
        """Return ``value`` as plain JSON; ``path`` is where it goes (``None``: unaddressable)."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is float:
            return value if math.isfinite(value) else _special_float(value)
        special = self._specials.get(kind)
        if special is not None:
            return self.cached(value, special)
        shape = _SHAPES.get(kind) or _shape(kind)
        if shape == "enum":
            return self.encode(value.value, path)
        if shape == "str":
            return str(value)
        if shape == "int":
            return int(value)
        if shape == "float":
            return self.encode(float(value), path)
        if shape == "bytes":
            return value.decode("utf-8", "replace")
        if shape == "repr":
            return repr(value)
        seen = self._seen.get(id(value))
        if seen is not None:
            return {"$jsan": seen[1]}
        if shape == "map":
            if not value:
                return {}
            self.remember(value, path)
            return self.encode_mapping(value.items(), path)
        if shape == "seq":
            if not value:
                return []
            self.remember(value, path)
            return self.encode_items(value, path)
        self.remember(value, path)
        if shape == "action":
            return self.encode_mapping(_action_fields(value), path)
        fields = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
        return self.encode_mapping(fields, path)

    def encode_mapping(self, items: Any, path: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        specials = self._specials
        for raw_key, item in items:
            key = raw_key if type(raw_key) is str else _key(raw_key)
            kind = type(item)
            if key == "$jsan":  # jsan wraps a literal "$jsan" key's value in an array
                out[key] = [self.encode(item, None)]
            elif kind in _PLAIN:
                out[key] = item
            elif kind in specials:
                out[key] = self.cached(item, specials[kind])
            else:
                out[key] = self.encode(item, None if path is None else path_key(path, key))
        return out

    def encode_items(self, items: Any, path: str | None) -> list[Any]:
        if path is None:
            return [self.encode(item, None) for item in items]
        return [self.encode(item, f"{path}[{index}]") for index, item in enumerate(items)]

    def remember(self, value: Any, path: str | None) -> None:
        """Write later occurrences of ``value`` (by identity) as references to ``path``."""
        if path is not None:
            self._seen[id(value)] = (value, path)

    def ref(self, value: Any) -> dict[str, str] | None:
        """A reference to where ``value`` was written in this document, if it was."""
        seen = self._seen.get(id(value))
        return None if seen is None else {"$jsan": seen[1]}


# How each type is written, decided once per type (abstract-class checks are slow).
_SHAPES: dict[type, str] = {}


def _shape(kind: type) -> str:
    if issubclass(kind, enum.Enum):
        shape = "enum"
    elif issubclass(kind, str):
        shape = "str"
    elif issubclass(kind, int):
        shape = "int"
    elif issubclass(kind, float):
        shape = "float"
    elif issubclass(kind, bytes):
        shape = "bytes"
    elif issubclass(kind, Mapping):
        shape = "map"
    elif issubclass(kind, _SEQUENCES + _SETS):
        shape = "seq"
    elif issubclass(kind, Action):
        shape = "action"
    elif dataclasses.is_dataclass(kind):
        shape = "dataclass"
    else:
        shape = "repr"
    _SHAPES[kind] = shape
    return shape


def _action_fields(action: Action) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = [("type", action.type)]
    if action.payload is not None:
        fields.append(("payload", action.payload))
    if action.meta is not None:
        fields.append(("meta", action.meta))
    if action.error is not None:
        fields.append(("error", action.error))
    return fields


def _special_float(value: float) -> dict[str, str]:
    if math.isnan(value):
        return {"$jsan": "n"}
    return {"$jsan": "i" if value > 0 else "y"}


# -- decoding -------------------------------------------------------------------------
def decode(text: str) -> Any:
    """Parse jsan text: JSON, then ``{"$jsan": ...}`` references and tagged values.

    Raises:
        ValueError: ``text`` is not JSON, or a reference points nowhere.
    """
    root = json.loads(text)
    if '"$jsan"' not in text:
        return root
    holder = [root]
    _resolve(holder, holder)
    return holder[0]


def _resolve(value: Any, holder: list[Any]) -> None:
    # Walks in document order, replacing references in place as jsan's retrocycle
    # does, so a reference may point through an earlier one.
    if isinstance(value, list):
        entries: Any = enumerate(value)
    elif isinstance(value, dict):
        if "$jsan" in value and isinstance(value["$jsan"], list) and value["$jsan"]:
            value["$jsan"] = value["$jsan"][0]
        entries = list(value.items())
    else:
        return
    for key, item in entries:
        if isinstance(item, dict) and isinstance(item.get("$jsan"), str) and len(item) == 1:
            value[key] = _restore(item["$jsan"], holder)
        else:
            _resolve(item, holder)


def _restore(tag: str, holder: list[Any]) -> Any:
    kind, rest = tag[:1], tag[1:]
    if kind == "$":
        return _follow(tag, holder[0])
    if kind == "u":
        return None
    if kind == "n":
        return math.nan
    if kind == "i":
        return math.inf
    if kind == "y":
        return -math.inf
    if kind == "d":
        return float(rest) if rest else None  # a date: milliseconds since the epoch
    if kind in ("m", "l"):
        return decode(rest)  # a Map's entries / a Set's items, as arrays
    return rest  # regex, function, error, symbol: their text


def _follow(path: str, root: Any) -> Any:
    node = root
    for match in _PATH_PART.finditer(path):
        word, index, quoted = match.groups()
        try:
            if index is not None:
                node = node[int(index)]
            else:
                key = word if word is not None else quoted.replace('\\"', '"')
                node = node[key]
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"jsan reference {path!r} points to nothing") from None
    return node
