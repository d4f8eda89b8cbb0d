"""The Textual example driven headlessly with ``App.run_test()`` against a real server."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from textual.pilot import Pilot
from textual_posts import PostsApp

from .conftest import PostsServer


def screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows right now, as plain text (like ``export_screenshot``)."""
    app = pilot.app
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def status(pilot: Pilot[None]) -> str:
    return str(pilot.app.query_one("#status").render())


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 5.0
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(pilot)}")
        await pilot.pause(0.01)


def shows(pilot: Pilot[None], *texts: str) -> Callable[[], bool]:
    def check() -> bool:
        screen = screen_text(pilot)
        return all(text in screen for text in texts)

    return check


async def test_lists_posts_and_follows_the_selection(posts_server: PostsServer) -> None:
    app = PostsApp(posts_server.url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, shows(pilot, "Caching server state", "#1 Hello, rtkq"), "posts")
        await wait_for(pilot, shows(pilot, "comments (2):", "- Welcome!"), "comments")
        screen = screen_text(pilot)
        assert "Optimistic updates" in screen
        assert "pending mutations: 0" in screen
        await pilot.press("down")
        await wait_for(pilot, shows(pilot, "#2 Caching server state"), "post 2 in the detail")
        await wait_for(pilot, shows(pilot, "- What about invalidation?"), "post 2's comments")
        assert "#1 Hello, rtkq" not in screen_text(pilot)


async def test_toggle_is_optimistic_and_pending_is_shown(
    slow_posts_server: PostsServer,
) -> None:
    server = slow_posts_server
    app = PostsApp(server.url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, shows(pilot, "#1 Hello, rtkq", "published: yes"), "post 1")
        server.state.latency = 0.5  # pilot.press waits for the app to settle (~0.2 s)
        await pilot.press("p")
        # The change is on screen while the server has not answered.
        await wait_for(pilot, shows(pilot, "published: no"), "the optimistic change")
        assert "pending mutations: 1" in screen_text(pilot)
        assert server.state.query("SELECT published FROM posts WHERE id = 1") == [
            {"published": True}
        ]
        await wait_for(pilot, shows(pilot, "pending mutations: 0", "saved post 1"), "saved")
        assert "published: no" in screen_text(pilot)
        assert server.state.query("SELECT published FROM posts WHERE id = 1") == [
            {"published": False}
        ]


async def test_a_failed_toggle_rolls_back_on_screen(slow_posts_server: PostsServer) -> None:
    server = slow_posts_server
    app = PostsApp(server.url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, shows(pilot, "#1 Hello, rtkq", "published: yes"), "post 1")
        server.fail_next(1)
        server.state.latency = 0.5
        await pilot.press("p")
        await wait_for(pilot, shows(pilot, "published: no", "pending mutations: 1"), "optimism")
        await wait_for(pilot, shows(pilot, "rolled back: saving post 1 failed (500"), "failure")
        screen = screen_text(pilot)
        assert "published: yes" in screen
        assert "rolled back" in screen
        assert "pending mutations: 0" in screen
        # The table row went back too.
        table = app.query_one("#posts")
        assert table.get_cell("1", "published") == "yes"  # type: ignore[attr-defined]
        assert server.stats()["PATCH /posts/{id}"] == 1


async def test_edit_a_title(posts_server: PostsServer) -> None:
    app = PostsApp(posts_server.url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, shows(pilot, "#1 Hello, rtkq"), "post 1")
        await pilot.press("down", "down")
        await wait_for(pilot, shows(pilot, "#3 Optimistic updates"), "post 3")
        await pilot.press("e")
        await pilot.press("ctrl+a", "ctrl+k", *"Renamed", "enter")
        await wait_for(pilot, shows(pilot, "#3 Renamed", "saved post 3"), "the new title")
        assert posts_server.state.query("SELECT title FROM posts WHERE id = 3") == [
            {"title": "Renamed"}
        ]
        await pilot.press("e", "escape")
        assert "#3 Renamed" in screen_text(pilot)


async def test_fail_next_key_makes_the_next_write_fail(posts_server: PostsServer) -> None:
    app = PostsApp(posts_server.url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, shows(pilot, "#1 Hello, rtkq"), "post 1")
        await pilot.press("x")
        await wait_for(pilot, shows(pilot, "the server will fail the next write"), "armed")
        await pilot.press("p")
        await wait_for(pilot, shows(pilot, "rolled back"), "the rollback")
        assert "published: yes" in screen_text(pilot)
