"""Environment actions: focus and network changes an application reports."""

from __future__ import annotations

from .._store._action import create_action
from ._action_types import FOCUSED, OFFLINE, ONLINE, UNFOCUSED

__all__ = ["on_focus", "on_focus_lost", "on_offline", "on_online"]

on_focus = create_action(FOCUSED)
"""Dispatch when the application's window gains focus (drives ``refetch_on_focus``)."""

on_focus_lost = create_action(UNFOCUSED)
"""Dispatch when the window loses focus (drives ``skip_polling_if_unfocused``)."""

on_online = create_action(ONLINE)
"""Dispatch when the network comes back (drives ``refetch_on_reconnect``)."""

on_offline = create_action(OFFLINE)
"""Dispatch when the network goes away (mutations pause while offline)."""
