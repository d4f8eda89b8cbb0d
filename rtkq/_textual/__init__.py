"""The Textual binding (``rtkq.textual``); imports Textual, so only that module imports it."""
