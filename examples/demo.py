"""A guided tour of rtkq against the posts server, printed as a colored trace.

Each step prints the actions the store dispatches (a logging middleware), the cache
entries with their status, and the server's request counter (``GET /stats``), then
checks what it claims with a ``✔`` (or ``✘``) line. It ends with a summary table and
exits 0 when every check passed, 1 otherwise.

    python examples/demo.py http://127.0.0.1:8000     # against a running posts_server
    python examples/run_demo.py                       # starts a server itself (make demo)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from demo_shared import step_shared_cache
from posts_api import (
    POSTS_LIST,
    NewComment,
    NewPost,
    Post,
    PostChanges,
    PostsApi,
    comments_list_tag,
    make_api,
)
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from rtkq import (
    Api,
    QueryError,
    QueryState,
    Store,
    configure_store,
    default_serialize_query_args,
    thaw,
)

__all__ = ["main", "run_demo"]

_ACTION_STYLES = {"pending": "yellow", "fulfilled": "green", "rejected": "red"}


@dataclass
class _Step:
    name: str
    shows: str
    requests: int = 0
    checks: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for ok, _ in self.checks)


class Demo:
    """The store, the api, an HTTP client for the server's admin routes, and the trace."""

    def __init__(self, base_url: str, console: Console) -> None:
        self.console = console
        self.posts: PostsApi = make_api(base_url)  # typed endpoints: posts.get_post, ...
        self.api: Api = self.posts.api
        self.started: list[str] = []  # cache keys of every query request, in order
        self.store: Store = configure_store(
            reducer={self.api.reducer_path: self.api.reducer},
            middleware=[self.api.middleware, self._log_actions],
        )
        self.server = httpx.AsyncClient(base_url=base_url, timeout=10.0)
        self.steps: list[_Step] = []
        self._stats: dict[str, int] = {}

    # -- tracing -----------------------------------------------------------------
    def _log_actions(self, _api: Any) -> Callable[[Any], Any]:
        """A middleware printing the type of every action that reaches the reducer."""
        types = self.api.action_types
        prefix = f"{self.api.reducer_path}/"

        def wrap(next_: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def log(action: Any) -> Any:
                if action.type == types.query_pending:
                    self.started.append(action.meta["query_cache_key"])
                if not action.type.startswith("@@"):
                    self._print_action(action, prefix)
                return next_(action)

            return log

        return wrap

    def _print_action(self, action: Any, prefix: str) -> None:
        kind = action.type.removeprefix(prefix)
        style = _ACTION_STYLES.get(kind.rsplit("/", 1)[-1], "cyan")
        meta = action.meta if isinstance(action.meta, Mapping) else {}
        payload = action.payload if isinstance(action.payload, Mapping) else {}
        subject = meta.get("query_cache_key") or payload.get("query_cache_key") or ""
        if not subject and "endpoint_name" in meta:
            arg = meta.get("arg")
            if isinstance(arg, BaseModel):  # a mutation's arg: shown as its JSON
                arg = arg.model_dump(exclude_unset=True)
            subject = default_serialize_query_args(meta["endpoint_name"], arg)
        self.console.print(
            f"    [dim]action[/] [{style}]{kind}[/] [dim]{subject}[/]", soft_wrap=True
        )

    def heading(self, step: _Step) -> None:
        self.console.print()
        self.console.rule(f"[bold]step {len(self.steps)}: {step.name}[/] — {step.shows}")

    def note(self, text: str) -> None:
        self.console.print(f"  {text}", soft_wrap=True)

    def check(self, step: _Step, ok: bool, text: str) -> None:
        step.checks.append((ok, text))
        mark = "[bold green]✔[/]" if ok else "[bold red]✘[/]"
        self.console.print(f"  {mark} {text}", soft_wrap=True)

    def cache_table(self) -> None:
        table = Table(title="cache entries", title_justify="left", show_edge=False)
        for column in ("query cache key", "status", "fetching", "data"):
            table.add_column(column)
        for key, entry in sorted(self.queries().items()):
            status_style = _ACTION_STYLES.get(entry.status.value, "white")
            table.add_row(
                key,
                f"[{status_style}]{entry.status.value}[/]",
                "yes" if entry.is_fetching else "",
                _summary(entry.data if entry.error is None else entry.error),
            )
        self.console.print(table)

    # -- state and server --------------------------------------------------------
    def queries(self) -> Mapping[str, QueryState]:
        queries: Mapping[str, QueryState] = self.store.get_state()[self.api.reducer_path]["queries"]
        return queries

    def post(self, post_id: int) -> Post:
        """The cached post ``post_id`` (a ``Post``: the data ``response_schema`` made)."""
        data = self.posts.get_post.select(post_id)(self.store.get_state()).data
        assert data is not None, f"post {post_id} is not cached"
        return data

    def post_list(self) -> list[Post]:
        data = self.posts.get_posts.select(None)(self.store.get_state()).data
        assert data is not None, "the post list is not cached"
        return data

    async def stats(self) -> dict[str, int]:
        response = await self.server.get("/stats")
        routes: dict[str, int] = response.json()["routes"]
        return routes

    async def requests_since_last(self, step: _Step) -> dict[str, int]:
        """Per-route requests since the previous call; prints them."""
        now = await self.stats()
        delta = {k: v - self._stats.get(k, 0) for k, v in now.items() if v != self._stats.get(k)}
        self._stats = now
        step.requests += sum(delta.values())
        shown = ", ".join(f"{route} x{n}" for route, n in sorted(delta.items())) or "none"
        self.note(f"[magenta]server requests[/]: {shown}")
        return delta

    async def fail_next(self, count: int, scope: str = "writes") -> None:
        response = await self.server.post("/admin/fail-next", json={"count": count, "scope": scope})
        response.raise_for_status()
        self.note(f"[red]server[/]: the next {count} {scope} will fail (POST /admin/fail-next)")

    async def set_latency(self, seconds: float) -> float:
        """Set the server's latency; returns the previous one."""
        response = await self.server.post("/admin/latency", json={"seconds": seconds})
        response.raise_for_status()
        self.note(f"[red]server[/]: latency {seconds * 1000:.0f} ms (POST /admin/latency)")
        previous: float = response.json()["previous"]
        return previous

    async def until_server_has(self, route: str, count: int) -> None:
        """Wait (at most 5 s) until the server has received ``count`` requests on ``route``."""
        for _ in range(500):
            if (await self.stats()).get(route, 0) >= count:
                return
            await asyncio.sleep(0.01)
        raise RuntimeError(f"The server never received request {count} on {route}.")

    async def idle(self) -> None:
        """Wait until no query runs (invalidation refetches included)."""
        for _ in range(1000):
            handles = self.store.dispatch(self.api.util.get_running_queries_thunk())
            if handles:
                await asyncio.gather(*handles)
                continue
            await asyncio.sleep(0.01)  # let settled requests flush delayed invalidations
            if not self.store.dispatch(self.api.util.get_running_queries_thunk()):
                return
        raise RuntimeError("Queries kept running; the demo cannot reach a quiet state.")

    async def until(self, selector: Callable[[Any], Any], predicate: Callable[[Any], bool]) -> Any:
        """Wait (at most 5 s) until ``predicate(selector(state))`` holds."""
        value = selector(self.store.get_state())
        if predicate(value):
            return value
        found: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def changed(new: Any, _old: Any) -> None:
            if predicate(new) and not found.done():
                found.set_result(new)

        unwatch = self.store.watch(selector, changed)
        try:
            return await asyncio.wait_for(found, timeout=5.0)
        finally:
            unwatch()

    def start(self, name: str, shows: str) -> _Step:
        step = _Step(name, shows)
        self.steps.append(step)
        self.heading(step)
        return step


def _error_text(error: Any) -> str:
    """An error payload with its keys sorted, so the trace reads the same every run."""
    return json.dumps(thaw(error), sort_keys=True)


def _summary(data: Any) -> str:
    if isinstance(data, Post):
        return f"#{data.id} {data.title!r} published={data.published}"
    if isinstance(data, BaseModel):
        return repr(data)
    data = thaw(data)
    if isinstance(data, list):
        ids = ", ".join(str(getattr(item, "id", "?")) for item in data)
        return f"{len(data)} items (ids {ids})"
    return repr(data) if data is not None else ""


# -- the steps -------------------------------------------------------------------
async def step_dedupe(demo: Demo) -> None:
    step = demo.start("de-duplication", "5 identical concurrent initiates, 1 request")
    get_posts = demo.posts.get_posts
    handles = [demo.store.dispatch(get_posts.initiate(None)) for _ in range(5)]
    demo.note(f"dispatched {len(handles)} x get_posts.initiate(None) without awaiting")
    states = await asyncio.gather(*handles)
    demo.cache_table()
    delta = await demo.requests_since_last(step)
    demo.check(step, all(s.is_success for s in states), "all 5 handles settled with the data")
    demo.check(step, delta.get("GET /posts") == 1, "5 initiates -> 1 request (GET /posts x1)")
    for handle in handles[1:]:
        handle.unsubscribe()


async def step_cache_hit(demo: Demo) -> None:
    step = demo.start("cache hit", "a subscribed entry is served from the cache")
    handle = demo.store.dispatch(demo.posts.get_posts.initiate(None))
    state = await handle
    delta = await demo.requests_since_last(step)
    demo.check(step, state.is_success and not delta, "get_posts(None) again -> 0 requests")
    handle.unsubscribe()


async def step_invalidation(demo: Demo) -> None:
    step = demo.start("invalidation", "add_post invalidates Post/LIST and refetches the list")
    post = demo.store.dispatch(demo.posts.get_post.initiate(1))
    await post
    await demo.requests_since_last(step)
    state = demo.store.get_state()
    hit = [e["query_cache_key"] for e in demo.api.util.select_invalidated_by(state, [POSTS_LIST])]
    demo.note(f"add_post invalidates [cyan]Post/LIST[/], provided by: {', '.join(hit)}")
    before = len(demo.started)
    created = await demo.store.dispatch(
        demo.posts.add_post.initiate(NewPost(title="Written by the demo", body="Hi."))
    ).unwrap()
    await demo.idle()
    refetched = demo.started[before:]
    demo.note(f"created post #{created.id}; refetched: {', '.join(refetched) or 'nothing'}")
    demo.cache_table()
    delta = await demo.requests_since_last(step)
    posts = demo.post_list()
    demo.check(step, refetched == ["get_posts(null)"], "only get_posts(null) was refetched")
    demo.check(step, len(posts) == 4, "the cached list now has the new post (4 posts)")
    demo.check(
        step,
        delta == {"POST /posts": 1, "GET /posts": 1},
        "requests: POST /posts x1, GET /posts x1 (get_post(1) untouched)",
    )


async def step_comments(demo: Demo) -> None:
    step = demo.start("tags per post", "a comment invalidates only its post's comment list")
    first = demo.store.dispatch(demo.posts.get_comments.initiate(1))
    second = demo.store.dispatch(demo.posts.get_comments.initiate(2))
    await asyncio.gather(first, second)
    await demo.requests_since_last(step)
    before = len(demo.started)
    demo.note(f"add_comment invalidates [cyan]{comments_list_tag(1)}[/]")
    await demo.store.dispatch(
        demo.posts.add_comment.initiate(NewComment(post_id=1, body="From the demo."))
    ).unwrap()
    await demo.idle()
    refetched = demo.started[before:]
    delta = await demo.requests_since_last(step)
    demo.check(step, refetched == ["get_comments(1)"], "refetched get_comments(1) only")
    comments = demo.posts.get_comments.select(1)(demo.store.get_state()).data or []
    demo.check(step, len(comments) == 3, "post 1 now has 3 comments")
    demo.check(step, "GET /posts/{id}/comments" in delta, "one comments request was sent")
    first.unsubscribe()
    second.unsubscribe()


async def step_optimistic(demo: Demo) -> None:
    step = demo.start("optimistic update", "the change shows before the server answers")
    title = "Edited optimistically"
    mutation = demo.store.dispatch(demo.posts.update_post.initiate(PostChanges(id=1, title=title)))
    select_post = demo.posts.get_post.select(1)
    shown = await demo.until(select_post, lambda s: s.data is not None and s.data.title == title)
    status = demo.posts.update_post.select(mutation.request_id)(demo.store.get_state())
    demo.note(f"[bold]before the server answers[/]: mutation is [yellow]{status.status.value}[/]")
    demo.cache_table()
    demo.check(
        step,
        status.status.value == "pending" and shown.data.title == title,
        f"get_post(1) shows {title!r} while update_post is pending",
    )
    listed = demo.post_list()[0].title
    demo.check(step, listed == title, "the cached list shows it too (a second layer)")
    before = len(demo.started)
    result = await mutation
    await demo.idle()
    demo.note(
        f"server answered {_summary(result.get('data'))}; refetched: "
        f"{', '.join(demo.started[before:])}"
    )
    await demo.requests_since_last(step)
    demo.check(
        step,
        demo.post(1).title == title and "data" in result,
        "the server confirmed it; the refetched data keeps the title",
    )


async def step_rollback(demo: Demo) -> None:
    step = demo.start("rollback", "a forced server failure drops the optimistic layer")
    await demo.fail_next(1)
    kept = demo.post(1).title
    doomed = "This edit will fail"
    mutation = demo.store.dispatch(demo.posts.update_post.initiate(PostChanges(id=1, title=doomed)))
    select_post = demo.posts.get_post.select(1)
    await demo.until(select_post, lambda s: s.data is not None and s.data.title == doomed)
    demo.note(f"optimistic: get_post(1) shows {doomed!r}")
    before = len(demo.started)
    result = await mutation
    await demo.idle()
    error = thaw(result.get("error"))
    demo.note(f"mutation rejected with [red]{_error_text(error)}[/]")
    demo.note(
        "a failed mutation with an error payload still invalidates its tags (as in RTK "
        f"Query), so the server data was refetched: {', '.join(demo.started[before:])}"
    )
    demo.cache_table()
    await demo.requests_since_last(step)
    demo.check(step, isinstance(error, dict) and error.get("status") == 500, "update_post got 500")
    demo.check(
        step,
        demo.post(1).title == kept and demo.post_list()[0].title == kept,
        f"rolled back: get_post(1) and the list show {kept!r} again",
    )


async def step_layers(demo: Demo) -> None:
    step = demo.start("layers", "a failed edit does not undo a concurrent one")
    posts = demo.posts
    title = demo.post(1).title
    previous = await demo.set_latency(0.4)
    publish = demo.store.dispatch(posts.update_post.initiate(PostChanges(id=1, published=False)))
    await demo.until_server_has("PATCH /posts/{id}", demo._stats.get("PATCH /posts/{id}", 0) + 1)
    demo.note("update_post A (published=False) is at the server, answering in 400 ms")
    await demo.set_latency(previous)
    await demo.fail_next(1)
    doomed = demo.store.dispatch(posts.update_post.initiate(PostChanges(id=1, title="Doomed edit")))
    await demo.until(
        posts.get_post.select(1),
        lambda s: s.data is not None and s.data.title == "Doomed edit",
    )
    shown = demo.post(1)
    demo.note(
        f"both layers applied: title={shown.title!r} published={shown.published} "
        "(update_post B changed the title)"
    )
    result = await doomed
    demo.note(f"update_post B rejected with [red]{_error_text(result.get('error'))}[/]")
    after = demo.post(1)
    pending = demo.api.util.is_mutating(demo.store.get_state(), "update_post")
    demo.note(
        f"after B's rollback: title={after.title!r} published={after.published}, "
        f"{pending} update still pending (B's invalidation waits for it: delayed mode)"
    )
    demo.cache_table()
    demo.check(
        step,
        after.title == title and after.published is False and pending == 1,
        "B's layer dropped; A's layer survives",
    )
    await publish
    await demo.idle()
    confirmed = demo.post(1)
    delta = await demo.requests_since_last(step)
    demo.check(
        step,
        confirmed.published is False and confirmed.title == title,
        "A confirmed by the server: published=False, title unchanged",
    )
    demo.check(
        step,
        delta.get("GET /posts/{id}") == 1,
        "A's and B's invalidations refetched get_post(1) once (GET /posts/{id} x1)",
    )


async def step_retry(demo: Demo) -> None:
    step = demo.start("retry", "a failed read is sent again by retry()")
    await demo.fail_next(1, scope="reads")
    handle = demo.store.dispatch(demo.posts.get_post.initiate(2, subscribe=False))
    state = await handle
    delta = await demo.requests_since_last(step)
    demo.check(step, state.is_success, "get_post(2) succeeded after the failure")
    demo.check(step, delta.get("GET /posts/{id}") == 2, "2 requests: the failed one and the retry")


async def step_validation(demo: Demo) -> None:
    step = demo.start("bad input", "a 422 from the server arrives as QueryError.error")
    try:
        await demo.store.dispatch(demo.posts.add_post.initiate(NewPost(title="   "))).unwrap()
    except QueryError as exc:
        error = thaw(exc.error)
        demo.note(f"unwrap() raised QueryError; .error = [red]{_error_text(error)}[/]")
        fields = [d["field"] for d in error.get("data", {}).get("detail", [])]
        demo.check(step, error.get("status") == 422 and fields == ["title"], "422 names 'title'")
    else:
        demo.check(step, False, "add_post with a blank title should have failed")
    await demo.idle()  # its error payload still invalidated Post/LIST: the list refetches
    await demo.requests_since_last(step)


def summary(demo: Demo, stats: Mapping[str, int]) -> None:
    demo.console.print()
    table = Table(title="summary", title_justify="left")
    for column in ("step", "shows", "requests", "checks"):
        table.add_column(column)
    for step in demo.steps:
        passed = sum(ok for ok, _ in step.checks)
        mark = "[green]✔[/]" if step.ok else "[red]✘[/]"
        table.add_row(
            step.name, step.shows, str(step.requests), f"{mark} {passed}/{len(step.checks)}"
        )
    demo.console.print(table)
    routes = Table(title="server request counter (GET /stats)", title_justify="left")
    routes.add_column("route")
    routes.add_column("requests", justify="right")
    for route, count in sorted(stats.items()):
        routes.add_row(route, str(count))
    demo.console.print(routes)


STEPS = (
    step_dedupe,
    step_cache_hit,
    step_invalidation,
    step_comments,
    step_optimistic,
    step_rollback,
    step_layers,
    step_retry,
    step_validation,
    step_shared_cache,
)


async def run_demo(
    base_url: str, console: Console | None = None, *, devtools_port: int | None = None
) -> bool:
    """Run every step against the server at ``base_url``; True when all checks passed.

    With ``devtools_port``, the store is shown in the Redux DevTools server on that
    loopback port; in a terminal the demo waits for Enter before it starts (time to
    connect the DevTools) and before it ends (time to look around).
    """
    if console is None:
        console = Console(highlight=False)
        if not console.is_terminal:  # piped or captured: wide enough for the tables
            console = Console(highlight=False, width=110)
    demo = Demo(base_url, console)
    console.print(f"[bold]rtkq demo[/] against the posts server at {base_url}")
    try:
        if devtools_port is not None:
            await watch_in_devtools(demo, devtools_port)
        await demo.server.post("/admin/reset-stats")
        for step in STEPS:
            await step(demo)
        await demo.idle()
        summary(demo, await demo.stats())
        if devtools_port is not None:
            await pause(demo.console, "the DevTools show the whole demo; press Enter to end it")
    finally:
        # Aborts what still runs, stops polling and timers, closes rtkq's HTTP client.
        await demo.store.aclose()
        await demo.server.aclose()
    ok = all(step.ok for step in demo.steps)
    verdict = "[bold green]all checks passed[/]" if ok else "[bold red]some checks failed[/]"
    console.print(f"demo finished: {verdict}")
    return ok


async def watch_in_devtools(demo: Demo, port: int) -> None:
    """Connect the demo's store to the Redux DevTools server on ``port``."""
    from rtkq.devtools import connect_devtools

    link = await connect_devtools(demo.store, port=port, name="rtkq demo", max_age=500)
    state = "connected" if link.connected else "not reachable yet (retrying)"
    demo.console.print(
        f"[bold]Redux DevTools[/]: {state}. Open http://127.0.0.1:{port}/ , then Settings "
        f"-> Connection: custom, hostname 127.0.0.1, port {port}, Connect; the store is "
        "listed as 'rtkq demo' (its queries are in the RTK Query tab)."
    )
    await pause(demo.console, "press Enter to start the demo")


async def pause(console: Console, prompt: str) -> None:
    """Wait for Enter in a terminal; go on at once when the input is not one."""
    if sys.stdin.isatty():
        console.print(f"[dim]{prompt}[/]")
        await asyncio.to_thread(sys.stdin.readline)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``demo.py BASE_URL``; returns the exit status."""
    parser = argparse.ArgumentParser(description="The rtkq demo, against a running server.")
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    try:
        return 0 if asyncio.run(run_demo(args.base_url)) else 1
    except httpx.TransportError as exc:
        print(f"error: cannot reach the posts server at {args.base_url}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
