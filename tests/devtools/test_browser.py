"""The real DevTools web UI (served by ``@redux-devtools/cli``) in headless Chromium.

One browser session for the whole tier: connect the UI to the server, find the store by
its name, read its action list and the RTK Query tab with a real query, then click
Jump and watch the store's state change. The screenshot in the README comes from here:
``RTKQ_SCREENSHOTS=1`` writes it to docs/ (otherwise it goes to a temporary directory).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtkq import configure_store, create_api, create_slice, fetch_base_query
from rtkq.devtools import connect_devtools
from tests._live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"  # Debian's package; `make test` installs it when missing
DOCS = Path(__file__).resolve().parents[2] / "docs"

counter = create_slice("counter", 0, {"inc": lambda state, action: state + 1})


async def get_post(request: Request) -> JSONResponse:
    post_id = int(request.path_params["id"])
    return JSONResponse({"id": post_id, "title": f"Post {post_id}", "body": "Hello DevTools"})


app = Starlette(routes=[Route("/posts/{id}", get_post)])


async def connect_ui(page: Page, url: str, port: int) -> None:
    """What a user does once: Settings, a custom connection to the server, Connect."""
    await page.goto(url)
    await page.get_by_text("Settings", exact=True).click()
    await page.locator("#root_type-1").check()  # "custom"
    await page.locator("#root_hostname").fill("127.0.0.1")
    await page.locator("#root_port").fill(str(port))
    await page.get_by_role("button", name="Connect", exact=True).click()
    await page.get_by_text("Actions", exact=True).click()


async def wait_for(predicate: Any, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_the_web_ui_shows_the_store_and_jumps_it(
    devtools_server: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    shots = DOCS if os.environ.get("RTKQ_SCREENSHOTS") == "1" else tmp_path
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs it"
    api = create_api(
        base_query=fetch_base_query(live_server(app)),
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            )
        },
    )
    store = configure_store(
        {"counter": counter.reducer, api.reducer_path: api.reducer}, middleware=[api.middleware]
    )
    async with (
        store,
        await connect_devtools(store, port=devtools_server.port, name="rtkq posts demo"),
    ):
        post = store.dispatch(api.endpoints.get_post.initiate(1))
        await post
        store.dispatch(counter.actions.inc())
        store.dispatch(counter.actions.inc())
        assert store.get_state()["counter"] == 2

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 720})
                page.set_default_timeout(15_000)
                await connect_ui(page, devtools_server.url, devtools_server.port)

                # The action list: every action the store reduced, in order.
                rows = page.get_by_text("counter/inc", exact=True)
                await rows.nth(1).wait_for()
                for kind in ("@@INIT", "api/executeQuery/pending", "api/executeQuery/fulfilled"):
                    await page.get_by_text(kind, exact=True).wait_for()

                # The instance list names the store.
                await page.get_by_text("Select...").click(force=True)
                await page.get_by_text("rtkq posts demo", exact=True).wait_for()
                await page.keyboard.press("Escape")

                # The RTK Query tab: the query, its status, its data and its tags.
                await page.get_by_text("RTK Query", exact=True).click()
                await page.get_by_text("get_post(1)", exact=True).click()
                await page.get_by_text("fulfilled", exact=True).first.wait_for()
                await page.get_by_text("Data", exact=True).click()
                await page.get_by_text('"Hello DevTools"').first.wait_for()
                shot = shots / "devtools-rtk-query.png"
                await page.screenshot(path=str(shot))
                assert shot.read_bytes().startswith(b"\x89PNG")
                await page.get_by_text("Tags(1)", exact=True).click()
                await page.get_by_text('"Post"', exact=True).first.wait_for()

                # Jump to the state after the first counter/inc: the store shows it.
                await page.get_by_text("Inspector", exact=True).click()
                rows = page.locator('[aria-roledescription="sortable"]')
                first_inc = rows.filter(has_text="counter/inc").first
                await first_inc.hover()  # the Jump button shows on hover
                await first_inc.get_by_text("Jump", exact=True).click()
                await wait_for(lambda: store.get_state()["counter"] == 1)
                assert store.get_state()[api.reducer_path]["queries"]  # the query is still there
            finally:
                await browser.close()
