"""retry: attempts, backoff on the loop clock, retry.fail, abort, and a real flaky server."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest

from rtkq import fetch_base_query, retry
from rtkq._base_query import RetryFailError, default_backoff
from rtkq._base_query._retry import default_backoff_delay

from ._app import state
from ._fakes import make_api

ERROR = {"status": 500, "data": "boom"}


async def no_wait(attempt: int, max_retries: int) -> None:
    return None


class Scripted:
    """A base query that plays back a script: results to return or exceptions to raise."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.calls: list[tuple[Any, Any, Any]] = []
        self.times: list[float] = []

    async def __call__(self, args: Any, api: Any, extra_options: Any) -> Any:
        self.calls.append((args, api, extra_options))
        self.times.append(asyncio.get_running_loop().time())
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, BaseException):
            raise step
        if callable(step):
            return step()
        return step


async def test_flaky_real_endpoint_succeeds_on_the_third_attempt(base_url: str) -> None:
    key = uuid.uuid4().hex
    waits: list[tuple[int, int]] = []

    async def record(attempt: int, max_retries: int) -> None:
        waits.append((attempt, max_retries))

    async with fetch_base_query(base_url) as fbq:
        bq = retry(fbq, max_retries=3, backoff=record)
        result = await bq(f"flaky/{key}?fail=2", make_api())
    assert result["data"] == {"attempt": 3}
    assert state.hits[f"flaky:{key}"] == 3
    assert waits == [(1, 3), (2, 3)]


async def test_flaky_real_endpoint_gives_up_after_max_retries(base_url: str) -> None:
    key = uuid.uuid4().hex
    bq = retry(fetch_base_query(base_url), max_retries=2, backoff=no_wait)
    try:
        result = await bq(f"flaky/{key}?fail=10", make_api())
    finally:
        await bq.aclose()
    assert result["error"] == {"status": 500, "data": {"attempt": 3, "error": "try again"}}
    assert state.hits[f"flaky:{key}"] == 3


async def test_success_returns_the_base_query_result_itself() -> None:
    ok = {"data": 1, "meta": None}
    inner = Scripted(ok)
    assert await retry(inner, backoff=no_wait)("a", make_api(), None) is ok
    assert len(inner.calls) == 1


async def test_default_sends_max_retries_plus_one_times() -> None:
    inner = Scripted({"error": ERROR, "meta": "m"})
    result = await retry(inner, backoff=no_wait)("a", make_api())
    assert result == {"error": ERROR, "meta": "m"}
    assert len(inner.calls) == 6


async def test_extra_options_override_per_endpoint_and_pass_through() -> None:
    inner = Scripted({"error": ERROR})
    waits: list[int] = []
    options = {"max_retries": 1, "backoff": lambda attempt, max_: waits.append(attempt)}
    await retry(inner, max_retries=5, backoff=no_wait)("a", make_api(), options)
    assert len(inner.calls) == 2
    assert waits == [1]
    assert inner.calls[0][2] is options


async def test_max_retries_zero_sends_once() -> None:
    inner = Scripted({"error": ERROR})
    await retry(inner, max_retries=0)("a", make_api())
    assert len(inner.calls) == 1


async def test_retry_condition_gets_error_args_and_ctx() -> None:
    inner = Scripted(
        {"error": {"status": 503}}, {"error": {"status": 503}}, {"error": {"status": 400}}
    )
    seen: list[tuple[Any, Any, Mapping[str, Any]]] = []
    api = make_api()

    def only_5xx(error: Any, args: Any, ctx: Mapping[str, Any]) -> bool:
        seen.append((error, args, ctx))
        return bool(error["status"] >= 500)

    result = await retry(inner, retry_condition=only_5xx, backoff=no_wait)("a", api, {"x": 1})
    assert result["error"] == {"status": 400}
    assert [(e["status"], a, c["attempt"]) for e, a, c in seen] == [
        (503, "a", 1),
        (503, "a", 2),
        (400, "a", 3),
    ]
    assert seen[0][2]["base_query_api"] is api
    assert seen[0][2]["extra_options"] == {"x": 1}


async def test_retry_condition_from_extra_options_wins() -> None:
    inner = Scripted({"error": ERROR})
    never = {"retry_condition": lambda error, args, ctx: False}
    await retry(inner, backoff=no_wait)("a", make_api(), never)
    assert len(inner.calls) == 1


async def test_exceptions_are_retried_then_raised() -> None:
    inner = Scripted(ConnectionError("down"))
    with pytest.raises(ConnectionError, match="down"):
        await retry(inner, max_retries=2, backoff=no_wait)("a", make_api())
    assert len(inner.calls) == 3


async def test_an_exception_then_success_settles_with_the_data() -> None:
    inner = Scripted(RuntimeError("once"), {"data": "ok"})
    assert await retry(inner, backoff=no_wait)("a", make_api()) == {"data": "ok"}


async def test_retry_fail_stops_at_once() -> None:
    def give_up() -> Any:
        retry.fail({"status": 401, "data": "who are you"}, meta={"m": 1})

    inner = Scripted(give_up)
    result = await retry(inner, backoff=no_wait)("a", make_api())
    assert result == {"error": {"status": 401, "data": "who are you"}, "meta": {"m": 1}}
    assert len(inner.calls) == 1


def test_retry_fail_outside_retry_is_an_ordinary_exception() -> None:
    with pytest.raises(RetryFailError, match=r"retry.fail.*'status': 401") as info:
        retry.fail({"status": 401})
    assert info.value.error == {"status": 401}
    assert info.value.meta is None
    assert isinstance(info.value, Exception)


async def test_sync_base_query_and_sync_backoff_work() -> None:
    calls: list[int] = []
    waits: list[tuple[int, int]] = []

    def sync_bq(args: Any, api: Any, extra_options: Any) -> dict[str, Any]:
        calls.append(1)
        return {"data": len(calls)} if len(calls) == 3 else {"error": ERROR}

    bq = retry(sync_bq, max_retries=4, backoff=lambda a, m: waits.append((a, m)))
    assert await bq("a", make_api()) == {"data": 3}
    assert waits == [(1, 4), (2, 4)]


@pytest.mark.looptime
async def test_default_backoff_doubles_on_the_loop_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.5)
    inner = Scripted({"error": ERROR}, {"error": ERROR}, {"error": ERROR}, {"data": "ok"})
    result = await retry(inner)("a", make_api())
    assert result == {"data": "ok"}
    gaps = [round(b - a, 6) for a, b in zip(inner.times, inner.times[1:], strict=False)]
    assert gaps == [0.54, 1.08, 2.16]  # (0.5 + 0.4) * 0.3 s * 2**attempt


@pytest.mark.looptime
async def test_default_backoff_is_capped_at_max_retries() -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    await default_backoff(9, 2)
    assert 0.4 * 0.3 * 4 <= loop.time() - start < 1.4 * 0.3 * 4
    assert default_backoff_delay(9, 2, 0.0) == default_backoff_delay(2, 2, 0.0)
    assert default_backoff_delay(1, 5, 0.0) == pytest.approx(0.24)
    assert default_backoff_delay(1, 5, 1.0) == pytest.approx(0.84)


async def test_abort_before_an_attempt_sends_nothing() -> None:
    inner = Scripted({"data": 1})
    api = make_api(signal=SimpleNamespace(aborted=True))
    result = await retry(inner)("a", api)
    assert result == {"error": {"status": "CUSTOM_ERROR", "error": "Aborted"}, "meta": None}
    assert inner.calls == []


async def test_abort_during_backoff_stops_retrying() -> None:
    api = make_api()
    inner = Scripted({"error": ERROR})

    def abort_while_waiting(attempt: int, max_retries: int) -> None:
        api.signal.aborted = True

    result = await retry(inner, backoff=abort_while_waiting)("a", api)
    assert result["error"] == {"status": "CUSTOM_ERROR", "error": "Aborted"}
    assert len(inner.calls) == 1


@pytest.mark.looptime
async def test_cancelling_during_the_backoff_propagates() -> None:
    inner = Scripted({"error": ERROR})
    task = asyncio.ensure_future(retry(inner)("a", make_api()))
    await asyncio.sleep(0.1)  # first attempt done, the first backoff (>= 0.24 s) running
    assert len(inner.calls) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(60)
    assert len(inner.calls) == 1


async def test_cancelling_during_an_attempt_is_not_retried() -> None:
    started = asyncio.Event()
    calls: list[int] = []

    async def hangs(args: Any, api: Any, extra_options: Any) -> Any:
        calls.append(1)
        started.set()
        await asyncio.Event().wait()

    task = asyncio.ensure_future(retry(hangs, backoff=no_wait)("a", make_api()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == [1]


def test_bad_options_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"max_retries .* -1"):
        retry(Scripted({"data": 1}), max_retries=-1)
    with pytest.raises(TypeError, match="backoff"):
        retry(Scripted({"data": 1}), backoff=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"base_query .* 'str'"):
        retry("http://x")  # type: ignore[arg-type]


async def test_bad_extra_options_raise_from_the_call() -> None:
    with pytest.raises(ValueError, match=r"max_retries .* 'many'"):
        await retry(Scripted({"data": 1}))("a", make_api(), {"max_retries": "many"})


async def test_aclose_closes_the_wrapped_fetch_base_query(base_url: str) -> None:
    fbq = fetch_base_query(base_url)
    bq = retry(fbq)
    await bq("status/200", make_api())
    client = fbq.client
    assert client is not None
    await bq.aclose()
    assert client.is_closed
    await retry(Scripted({"data": 1})).aclose()  # nothing to close: no error
