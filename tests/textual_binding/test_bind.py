"""``rtkq.textual.bind``: observers tied to a widget's lifetime, results on the app's loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from rtkq import QueryResult
from rtkq.textual import WORKER_GROUP, bind
from tests.query._support import FakeBaseQuery, make_api, make_store


class Title(Static):
    """A widget that shows one item through an observer it owns."""

    def __init__(self, app_state: Any, arg: Any) -> None:
        super().__init__("", id="title")
        self.app_state = app_state
        self.arg = arg
        self.seen: list[QueryResult[Any]] = []
        self.threads: set[int] = set()
        self.obs: Any = None

    def on_mount(self) -> None:
        api, store = self.app_state
        self.obs = bind(self, api.endpoints.get_item.observe(store, self.arg), self.show)

    def show(self, result: QueryResult[Any]) -> None:
        self.seen.append(result)
        self.threads.add(threading.get_ident())
        self.update("loading" if result.is_loading else f"item {result.data}")


class Screenful(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.bq = FakeBaseQuery(delay=0.05)
        self.api = make_api(base_query=self.bq)
        self.store: Any = None

    def compose(self) -> ComposeResult:
        self.store = make_store(self.api)
        yield Title((self.api, self.store), 1)


async def _until(pilot: Any, condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not met")


async def test_results_reach_the_widget_and_unmount_closes_the_observer() -> None:
    app = Screenful()
    async with app.run_test() as pilot:
        title = app.query_one(Title)
        await _until(pilot, lambda: title.seen and title.seen[-1].is_success)
        assert [r.status.value for r in title.seen] == ["pending", "fulfilled"]
        assert str(title.render()) == "item 1"
        assert title.threads == {threading.get_ident()}  # the app's loop thread
        obs = title.obs
        runtime = app.api.runtime_for(app.store.dispatch)
        assert len(runtime.subscriptions["get_item(1)"]) == 1
        await title.remove()
        await _until(pilot, lambda: obs.closed)
        assert runtime.subscriptions.get("get_item(1)") is None
        assert runtime.action_taps == ()


async def test_a_slow_widget_sees_the_latest_result_and_app_exit_closes() -> None:
    app = Screenful()
    async with app.run_test() as pilot:
        title = app.query_one(Title)
        await _until(pilot, lambda: title.seen and title.seen[-1].is_success)
        obs = title.obs
        for arg in (2, 3, 4):  # no loop turn in between: the widget sees the last one
            obs.set_arg(arg)
        await _until(pilot, lambda: title.seen[-1].current_data == 4)
        assert all(r.arg not in (2, 3) for r in title.seen)
        assert [w.group for w in title.workers] == [WORKER_GROUP]
    assert obs.closed  # the app exited: its workers were cancelled


async def test_async_callbacks_and_store_changes_sources() -> None:
    got: list[Any] = []

    class Counter(Static):
        def on_mount(self) -> None:
            app = self.app
            assert isinstance(app, Plain)
            self.changes = bind(self, app.store.changes(lambda s: s["api"]["config"]), self.show)

        async def show(self, config: Any) -> None:
            await asyncio.sleep(0)
            got.append(config["online"])

    class Plain(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.api = make_api(base_query=FakeBaseQuery())
            self.store = make_store(self.api)

        def compose(self) -> ComposeResult:
            yield Counter()

    from rtkq import on_offline, on_online

    app = Plain()
    async with app.run_test() as pilot:
        await _until(pilot, lambda: got == [True])
        app.store.dispatch(on_offline())
        await _until(pilot, lambda: got == [True, False])
        counter = app.query_one(Counter)
        await counter.remove()
        await pilot.pause(0.05)
        assert counter.changes.pending == 0
        app.store.dispatch(on_online())
        await pilot.pause(0.05)
        assert got == [True, False]  # closed with the widget


async def test_bad_sources_and_callbacks() -> None:
    class Bare(App[None]):
        pass

    app = Bare()
    async with app.run_test():
        with pytest.raises(TypeError, match=r"bind\(\) expected an observer .* got 'int'"):
            bind(app, 3)
        with pytest.raises(TypeError, match=r"bind\(\) expected callback to be a function"):
            bind(app, app.workers, "print")  # type: ignore[arg-type]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_import_rtkq_never_imports_textual() -> None:
    result = _run("import sys, rtkq; print('textual' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_rtkq_textual_without_textual_says_what_to_install() -> None:
    result = _run("import sys; sys.modules['textual'] = None; import rtkq.textual")
    assert result.returncode != 0
    assert 'pip install "rtkq[textual]"' in result.stderr
    assert "ImportError" in result.stderr
