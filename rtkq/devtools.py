"""Watch and time-travel a store in the real Redux DevTools.

``pip install "rtkq[devtools]"``, start the remote server JavaScript apps use
(``npx @redux-devtools/cli --port=8000``, or ``make demo DEVTOOLS=1``), then::

    from rtkq.devtools import connect_devtools

    async with await connect_devtools(store, "127.0.0.1", 8000, name="posts"):
        ...  # every action and state shows in the DevTools; jump, skip, import, export
"""

from __future__ import annotations

try:
    import websockets  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        'rtkq.devtools needs the websockets package. Install it with: pip install "rtkq[devtools]"'
    ) from exc

from ._devtools._connect import connect_devtools
from ._devtools._link import DEFAULT_FEATURES, DevToolsLink, DevToolsWarning

__all__ = ["DEFAULT_FEATURES", "DevToolsLink", "DevToolsWarning", "connect_devtools"]
