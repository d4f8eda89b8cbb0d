"""Observers bound to Textual widgets (``pip install "rtkq[textual]"``).

``bind(widget, observer, callback)`` ties an observer to a widget's lifetime: the
callback gets each result on the app's loop, and the observer is closed when the widget
unmounts, so a screen keeps no list of handles or unwatch functions::

    from rtkq.textual import bind

    class PostTitle(Static):
        def on_mount(self) -> None:
            self.post = bind(self, get_post.observe(store, 1), self.show)

        def show(self, result: QueryResult[Post]) -> None:
            self.update("loading..." if result.is_loading else result.data["title"])
"""

from __future__ import annotations

try:
    import textual  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        'rtkq.textual needs Textual, which is not installed. Install it with: pip install "rtkq[textual]"'
    ) from exc

from ._textual._bind import WORKER_GROUP, bind

__all__ = ["WORKER_GROUP", "bind"]
