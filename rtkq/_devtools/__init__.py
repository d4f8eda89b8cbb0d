"""The Redux DevTools link (``rtkq.devtools``); needs the ``websockets`` package."""
