"""A Textual TUI over the posts api: the store drives the screen.

The widgets never fetch or keep data themselves. Each holds an observer bound to its
lifetime with ``rtkq.textual.bind`` and re-renders when the observer's result changes;
nothing is unsubscribed by hand (unmounting closes the observers):

- the posts table observes ``get_posts.observe(store, None)``;
- the detail pane observes ``get_post`` and ``get_comments`` and moves both to the
  highlighted post with ``set_arg`` (no post yet: ``skip_token``);
- the status bar follows ``store.changes(...)`` of ``api.util.is_mutating(state)``:
  the pending-mutations indicator.

Keys: up/down select a post, ``p`` publishes/unpublishes it (an optimistic update: the
table and the detail change at once and roll back if the server refuses), ``e`` edits
its title (Enter saves, Escape cancels), ``r`` refetches, ``x`` makes the server fail
the next write (to watch a rollback), ``q`` quits.

    python examples/textual_posts.py                 # starts its own server (300 ms latency)
    python examples/textual_posts.py --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import json
import operator
import sys
from typing import Any, ClassVar

import httpx
from posts_api import Comment, Post, PostChanges, PostsApi, make_api
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Static

from rtkq import (
    Api,
    MutationHandle,
    QueryObserver,
    QueryResult,
    Store,
    configure_store,
    skip_token,
    thaw,
)
from rtkq.textual import bind

__all__ = ["PostsApp", "main"]


def _published(value: Any) -> str:
    return "yes" if value else "no"


class PostsApp(App[None]):
    """Posts list, detail, edit, an optimistic toggle and a pending-mutations indicator."""

    TITLE = "rtkq posts"
    CSS = """
    #main { height: 1fr; }
    #posts { width: 55%; }
    #detail { width: 45%; padding: 0 1; border-left: solid $accent; }
    #title { text-style: bold; }
    #comments { margin-top: 1; }
    #editor { display: none; }
    #editor.editing { display: block; }
    #status { height: 1; background: $boost; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        ("p", "toggle_published", "Publish/unpublish"),
        ("e", "edit", "Edit title"),
        ("r", "refetch", "Refetch"),
        ("x", "fail_next", "Fail next write"),
        Binding("escape", "cancel_edit", "Cancel", show=False),
        ("q", "quit", "Quit"),
    ]

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.posts: PostsApi = make_api(base_url)  # typed endpoints: posts.get_post, ...
        self.api: Api = self.posts.api
        self.store: Store = configure_store(
            reducer={self.api.reducer_path: self.api.reducer}, middleware=[self.api.middleware]
        )
        self.selected: int | None = None
        self.message = ""
        self._pending = 0
        # The observers, made in on_mount (they need the running loop).
        self.post_list: QueryObserver[list[Post]]
        self.post_view: QueryObserver[Post]
        self.comment_list: QueryObserver[list[Comment]]

    # -- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield DataTable(id="posts", cursor_type="row", zebra_stripes=True)
            with Vertical(id="detail"):
                yield Static("", id="title")
                yield Static("", id="meta")
                yield Static("", id="body")
                yield Static("", id="comments")
                yield Input(placeholder="New title; Enter saves, Escape cancels", id="editor")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#posts", DataTable)
        table.add_column("id", key="id")
        table.add_column("title", key="title")
        table.add_column("published", key="published")
        posts, store = self.posts, self.store
        detail = self.query_one("#detail", Vertical)
        self.post_list = bind(table, posts.get_posts.observe(store, None), self.render_posts)
        self.post_view = bind(detail, posts.get_post.observe(store, skip_token), self.render_post)
        self.comment_list = bind(
            detail, posts.get_comments.observe(store, skip_token), self.render_comments
        )
        status = self.query_one("#status", Static)
        bind(status, store.changes(self._count_pending, equals=operator.eq), self._pending_changed)
        self.render_status()

    async def on_unmount(self) -> None:
        # Abort what still runs (e.g. a refetch), stop the timers and close the HTTP
        # client, so that nothing outlives the app (observers close with it).
        await self.store.aclose()

    # -- rendering (called with each observer's new result) ----------------------
    def render_posts(self, state: QueryResult[list[Post]]) -> None:
        table = self.query_one("#posts", DataTable)
        posts = state.data
        if posts is None:
            self.render_status("loading posts..." if state.is_fetching else _error(state.error))
            return
        ids = [str(post.id) for post in posts]
        if [key.value for key in table.rows] == ids:
            for post in posts:  # same rows: update cells in place, the cursor stays put
                row = str(post.id)
                table.update_cell(row, "title", post.title)
                table.update_cell(row, "published", _published(post.published))
        else:
            cursor = table.cursor_row
            table.clear()
            for post in posts:
                table.add_row(
                    str(post.id), post.title, _published(post.published), key=str(post.id)
                )
            if posts:
                table.move_cursor(row=min(max(cursor, 0), len(posts) - 1))
        if self.selected is None and posts:
            self.select_post(posts[0].id)

    def render_post(self, state: QueryResult[Post]) -> None:
        # current_data: the highlighted post only (data would keep showing the
        # previous post while this one loads).
        post = state.current_data
        if post is None:
            text = "loading..." if state.is_fetching or state.is_uninitialized else ""
            self.query_one("#title", Static).update(text or _error(state.error))
            return
        fetching = " (refreshing)" if state.is_fetching else ""
        self.query_one("#title", Static).update(f"#{post.id} {post.title}")
        self.query_one("#meta", Static).update(f"published: {_published(post.published)}{fetching}")
        self.query_one("#body", Static).update(post.body or "(no body)")

    def render_comments(self, state: QueryResult[list[Comment]]) -> None:
        comments = state.current_data or []
        lines = [f"- {comment.body}" for comment in comments]
        self.query_one("#comments", Static).update(
            "\n".join([f"comments ({len(comments)}):", *lines])
            if state.current_data is not None
            else ""
        )

    def render_status(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        indicator = f"pending mutations: {self._pending}"
        self.query_one("#status", Static).update(
            f"{indicator}  |  {self.message}" if self.message else indicator
        )

    def _count_pending(self, state: Any) -> int:
        return int(self.api.util.is_mutating(state))

    def _pending_changed(self, count: int) -> None:
        self._pending = count
        self.render_status()

    # -- selection ---------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.select_post(int(event.row_key.value))

    def select_post(self, post_id: int) -> None:
        """Move the detail pane's observers to ``post_id`` (the previous post is dropped)."""
        if post_id == self.selected:
            return
        self.selected = post_id
        self.post_view.set_arg(post_id)
        self.comment_list.set_arg(post_id)

    def _selected_post(self) -> Post | None:
        if self.selected is None:
            return None
        return self.post_view.result.current_data

    # -- actions -----------------------------------------------------------------
    def action_toggle_published(self) -> None:
        post = self._selected_post()
        if post is not None:
            self.update_post(PostChanges(id=post.id, published=not post.published))

    def action_edit(self) -> None:
        post = self._selected_post()
        if post is None:
            return
        editor = self.query_one("#editor", Input)
        editor.value = post.title
        editor.add_class("editing")
        editor.focus()

    def action_cancel_edit(self) -> None:
        editor = self.query_one("#editor", Input)
        editor.remove_class("editing")
        self.query_one("#posts", DataTable).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_cancel_edit()
        if self.selected is not None:
            self.update_post(PostChanges(id=self.selected, title=event.value))

    def action_refetch(self) -> None:
        self.post_list.refetch()
        if self.selected is not None:
            self.post_view.refetch()
            self.comment_list.refetch()

    def action_fail_next(self) -> None:
        async def fail_next() -> None:
            async with httpx.AsyncClient(base_url=self.base_url) as client:
                await client.post("/admin/fail-next", json={"count": 1})
            self.render_status("the server will fail the next write")

        self.run_worker(fail_next(), group="admin")

    def update_post(self, change: PostChanges) -> None:
        """Send ``update_post`` (optimistic); report the outcome in the status bar."""
        handle: MutationHandle[Post] = self.store.dispatch(self.posts.update_post.initiate(change))
        fields = ", ".join(change.changes())
        self.render_status(f"saving {fields} of post {change.id}...")

        async def settle() -> None:
            result = await handle
            if "error" in result:
                self.render_status(
                    f"rolled back: saving post {change.id} failed ({_error(result['error'])})"
                )
            else:
                self.render_status(f"saved post {change.id}")

        self.run_worker(settle(), group="mutations")


def _error(error: Any) -> str:
    error = thaw(error)
    if isinstance(error, dict) and "status" in error:
        data = error.get("data")
        detail = data.get("error") if isinstance(data, dict) else data
        return f"{error['status']}: {detail}" if detail else str(error["status"])
    return json.dumps(error, default=str)


def main(argv: list[str] | None = None) -> int:
    """Run the TUI against ``--url``, or against a posts server started here."""
    parser = argparse.ArgumentParser(description="A Textual TUI over the rtkq posts api.")
    parser.add_argument("--url", help="a running posts server; default: start one")
    parser.add_argument("--latency", type=float, default=0.3, help="for the server started here")
    args = parser.parse_args(argv)
    if args.url:
        PostsApp(args.url).run()
        return 0
    from posts_server import create_app, running_server

    app = create_app(None, latency=args.latency)
    try:
        with running_server(app) as base_url:
            PostsApp(base_url).run()
    finally:
        app.state.server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
