"""An application that exits right after using rtkq (run by test_exit_cleanly.py).

Usage: ``python _exit_script.py BASE_URL [--no-close] [--own-loop]``. It leaves a slow
query, a mutation, a polling subscription, a retry waiting for its backoff and a cache
lifecycle running, then closes the store (unless ``--no-close``) and returns from
``main``. ``--own-loop`` runs ``main`` with ``loop.run_until_complete`` and closes the
loop, which (unlike ``asyncio.run``) does not cancel the tasks left behind.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

from rtkq import configure_store, create_api, fetch_base_query, retry


async def main(base_url: str, *, close: bool) -> None:
    async def on_cache_entry_added(arg: Any, ctx: Any) -> None:
        await ctx.cache_entry_removed
        print("lifecycle ended", flush=True)

    api = create_api(
        base_query=retry(fetch_base_query(base_url), max_retries=3),
        endpoints=lambda build: {
            "slow": build.query(
                query=lambda key: f"slow?key={key}&seconds=30",
                on_cache_entry_added=on_cache_entry_added,
            ),
            "flaky": build.query(query=lambda key: f"flaky/{key}?fail=99"),
            "status": build.query(query=lambda code: f"status/{code}"),
            "echo": build.mutation(
                query=lambda body: {"url": "echo", "method": "POST", "body": body}
            ),
        },
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    polled = store.dispatch(
        api.endpoints.status.initiate(200, subscription_options={"polling_interval": 0.05})
    )
    await polled
    slow = store.dispatch(api.endpoints.slow.initiate("exit"))
    flaky = store.dispatch(api.endpoints.flaky.initiate(f"exit-{id(store)}"))
    store.dispatch(api.endpoints.echo.initiate({"x": 1}))
    await asyncio.sleep(0.3)  # polls a few times; the retry waits for its backoff
    if close:
        await store.aclose()
        print("slow:", (await slow).error["error"], flush=True)
        print("flaky:", (await flaky).error["error"], flush=True)
        leftover = asyncio.all_tasks() - {asyncio.current_task()}
        print(f"closed; tasks left: {len(leftover)}", flush=True)


def run(argv: list[str]) -> None:
    coro = main(argv[0], close="--no-close" not in argv[1:])
    if "--own-loop" in argv[1:]:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(coro)
        loop.close()
    else:
        asyncio.run(coro)


if __name__ == "__main__":
    run(sys.argv[1:])
    gc.collect()  # what is left behind is reported now, not maybe at exit
