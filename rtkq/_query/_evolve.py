"""Fast construction and copies of the frozen slot dataclasses the slice stores.

``dataclasses.replace`` and a frozen dataclass's keyword ``__init__`` cost several
microseconds per call (field introspection, one ``object.__setattr__`` per field), and
the request path makes two or three entries per request. The functions here build the
same objects from code generated once per class: the result is equal to (and
indistinguishable from) what ``dataclasses.replace`` / the constructor make.
``tests/query/test_evolve.py`` holds them to that for every field of every class.

The generated code fills a *writer*: an instance of a mutable class with exactly the
frozen class's memory layout (same bases, same slots), whose plain attribute stores the
interpreter specializes, then gives it the frozen class (``obj.__class__ = cls``, which
CPython allows between classes of one layout). That costs about half of writing each
slot through its member descriptor, which is what the code does instead where a
writer's class cannot be swapped (checked once per class).
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Collection
from typing import Any, TypeVar

__all__ = ["build", "build_positional", "evolve"]

T = TypeVar("T")

_EVOLVERS: dict[tuple[type, tuple[str, ...]], Callable[[Any, dict[str, Any]], Any]] = {}
_BUILDERS: dict[type, Callable[..., Any]] = {}
_POSITIONAL: dict[tuple[type, tuple[str, ...]], Callable[..., Any]] = {}


@functools.cache
def _writer(cls: type) -> type | None:
    """A mutable class of ``cls``'s layout whose instances can become ``cls`` instances,
    or ``None`` if this Python refuses the swap (then slots are written one by one)."""

    def body(namespace: dict[str, Any]) -> None:
        namespace["__slots__"] = cls.__dict__.get("__slots__", ())
        namespace["__setattr__"] = object.__setattr__
        namespace["__module__"] = __name__

    # The bases as written (``Generic[T]``, ``QueryState[...]``), as the class statement had
    bases = cls.__dict__.get("__orig_bases__", cls.__bases__)
    try:
        writer = types.new_class(f"_{cls.__name__}Writer", bases, exec_body=body)
        probe: Any = object.__new__(writer)
        probe.__class__ = cls
    except TypeError:
        return None
    return writer if type(probe) is cls else None


def _plan(cls: type) -> tuple[list[str], dict[str, Any], Callable[[str, str], str], list[str]]:
    """The field names, the namespace of the generated code, ``store(name, value)`` (the
    line that writes a field of ``obj``, made by ``_new(_writer)``) and the closing lines."""
    if "__post_init__" in dir(cls) or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} is not a plain slot dataclass; use dataclasses.replace")
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"{cls.__name__} has fields outside __init__; use dataclasses.replace")
    names = [f.name for f in fields]
    writer = _writer(cls)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_writer": writer or cls}
    if writer is not None:  # the writer becomes a ``_cls`` instance once filled
        closing = ["    obj.__class__ = _cls", "    return obj"]
        return names, namespace, lambda name, value: f"    obj.{name} = {value}", closing
    for name in names:
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
    return (
        names,
        namespace,
        lambda name, value: f"    _set_{name}(obj, {value})",
        ["    return obj"],
    )


def _make_evolver(cls: type, changed: tuple[str, ...]) -> Callable[[Any, dict[str, Any]], Any]:
    names, namespace, store, closing = _plan(cls)
    unknown = [name for name in changed if name not in names]
    if unknown:
        raise TypeError(f"{cls.__name__} has no field(s) {unknown}")
    lines = ["def evolve(entry, changes):", "    obj = _new(_writer)"]
    lines += [
        store(name, f"changes[{name!r}]" if name in changed else f"entry.{name}") for name in names
    ]
    lines += closing
    exec("\n".join(lines), namespace)
    evolver: Callable[[Any, dict[str, Any]], Any] = namespace["evolve"]
    return evolver


def _make_builder(cls: type, positional: tuple[str, ...] | None = None) -> Callable[..., Any]:
    """``build(*, field=default, ...)``; with ``positional``, ``build(<those fields>)``
    in that order, the other fields at their defaults."""
    names, namespace, store, closing = _plan(cls)
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    if any(default is dataclasses.MISSING for default in defaults.values()):
        raise TypeError(f"{cls.__name__} has fields without defaults; use its constructor")
    namespace.update({f"_default_{name}": value for name, value in defaults.items()})
    if positional is None:
        params = "*, " + ", ".join(f"{name}=_default_{name}" for name in names)
        given: Collection[str] = names
    else:
        unknown = [name for name in positional if name not in names]
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {unknown}")
        params, given = ", ".join(positional), positional
    lines = [f"def build({params}):", "    obj = _new(_writer)"]
    lines += [store(name, name if name in given else f"_default_{name}") for name in names]
    lines += closing
    exec("\n".join(lines), namespace)
    builder: Callable[..., Any] = namespace["build"]
    return builder


def evolve(entry: T, /, **changes: Any) -> T:
    """``dataclasses.replace(entry, **changes)`` for the slice's slot dataclasses.

    One function is generated per class and set of changed field names (call sites
    change a handful of fixed sets), which copies the other fields slot by slot.
    """
    spec = (type(entry), tuple(changes))
    evolver = _EVOLVERS.get(spec)
    if evolver is None:
        evolver = _EVOLVERS[spec] = _make_evolver(*spec)
    result: T = evolver(entry, changes)
    return result


def build(cls: type[T]) -> Callable[..., T]:
    """A keyword-only constructor of ``cls`` equal to ``cls(**fields)``, cheaper per call."""
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _make_builder(cls)
    return builder


def build_positional(cls: type[T], *names: str) -> Callable[..., T]:
    """A constructor of ``cls`` taking ``names`` positionally, in that order (the other
    fields get their defaults): for a hot call site that always sets the same fields, a
    positional call costs less than the keyword one of :func:`build`."""
    spec = (cls, names)
    builder = _POSITIONAL.get(spec)
    if builder is None:
        builder = _POSITIONAL[spec] = _make_builder(cls, names)
    return builder
