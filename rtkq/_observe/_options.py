"""The keywords observers take, checked once with messages that name what is wrong."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LAZY_OPTIONS",
    "QUERY_OPTIONS",
    "ObserveOptions",
    "check_keywords",
    "check_store",
    "options_from",
]

#: Every keyword of ``endpoint.observe`` and ``QueryObserver.set_options``.
QUERY_OPTIONS = (
    "skip",
    "select_from_result",
    "polling_interval",
    "skip_polling_if_unfocused",
    "refetch_on_focus",
    "refetch_on_reconnect",
    "refetch_on_mount_or_arg_change",
)
#: ``lazy_observe`` and ``LazyQueryObserver.set_options``: nothing to skip, no mount.
LAZY_OPTIONS = (
    "select_from_result",
    "polling_interval",
    "skip_polling_if_unfocused",
    "refetch_on_focus",
    "refetch_on_reconnect",
)
_SUBSCRIPTION = (
    "polling_interval",
    "skip_polling_if_unfocused",
    "refetch_on_focus",
    "refetch_on_reconnect",
)


@dataclass(frozen=True, slots=True)
class ObserveOptions:
    """The options of one query observer (defaults as in ``endpoint.observe``)."""

    skip: bool = False
    select_from_result: Callable[[Any], Any] | None = None
    polling_interval: float = 0
    skip_polling_if_unfocused: bool = False
    refetch_on_focus: bool | None = None
    refetch_on_reconnect: bool | None = None
    refetch_on_mount_or_arg_change: bool | float | None = None

    def subscription_options(self) -> dict[str, Any]:
        """What the engine's subscription keeps; ``None`` means "the api's default"."""
        options = {name: getattr(self, name) for name in _SUBSCRIPTION}
        return {name: value for name, value in options.items() if value is not None}


def check_keywords(what: str, given: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """Raise ``TypeError`` naming the first unknown keyword and the known ones."""
    for name in given:
        if name not in known:
            raise TypeError(
                f"{what} got an unexpected keyword {name!r}. Known keywords: {', '.join(known)}."
            )


def _check_value(what: str, name: str, value: Any) -> None:
    if name == "select_from_result":
        if value is not None and not callable(value):
            raise TypeError(
                f"{what}: select_from_result must be a function result -> value or None, "
                f"got {type(value).__name__!r} ({value!r})."
            )
    elif name == "polling_interval":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(
                f"{what}: polling_interval must be seconds >= 0 (0 turns polling off), "
                f"got {value!r}."
            )
    elif name == "refetch_on_mount_or_arg_change":
        if value is not None and (
            not isinstance(value, (bool, int, float)) or (not isinstance(value, bool) and value < 0)
        ):
            raise ValueError(
                f"{what}: refetch_on_mount_or_arg_change must be True, False, seconds >= 0 "
                f"or None (the api's default), got {value!r}."
            )
    elif name in ("skip", "skip_polling_if_unfocused"):
        if not isinstance(value, bool):
            raise TypeError(f"{what}: {name} must be True or False, got {value!r}.")
    elif value is not None and not isinstance(value, bool):
        raise TypeError(
            f"{what}: {name} must be True, False or None (the api's default), got {value!r}."
        )


def options_from(
    what: str, base: ObserveOptions, given: Mapping[str, Any], known: tuple[str, ...]
) -> ObserveOptions:
    """``base`` updated with ``given``, after checking names and values."""
    check_keywords(what, given, known)
    for name, value in given.items():
        _check_value(what, name, value)
    return dataclasses.replace(base, **given) if given else base


def check_store(what: str, store: Any) -> None:
    """A store is what ``configure_store`` returns; anything else is a ``TypeError``."""
    if not callable(getattr(store, "dispatch", None)) or not callable(
        getattr(store, "get_state", None)
    ):
        raise TypeError(
            f"{what} expected a store as its first argument, got {type(store).__name__!r} "
            f"({store!r}). Pass the store made by configure_store(...), then the arg."
        )
