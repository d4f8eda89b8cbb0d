"""Stand-ins for what the API slice passes to a base query."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def make_api(**overrides: Any) -> SimpleNamespace:
    """A stand-in for the API slice's ``BaseQueryApi``."""
    fields: dict[str, Any] = {
        "signal": SimpleNamespace(aborted=False),
        "dispatch": lambda action: action,
        "get_state": lambda: {"auth": {"token": "t0k3n"}},
        "extra": {"tenant": "acme"},
        "endpoint": "get_post",
        "type": "query",
        "forced": False,
        "arg": 7,
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)
