from __future__ import annotations

import asyncio

import pytest

from rtkq._store._eager_task import _start_eager_task_backport, start_eager_task


@pytest.mark.parametrize("start", [start_eager_task, _start_eager_task_backport])
async def test_first_step_runs_at_once_in_the_new_task(start: object) -> None:
    log: list[object] = []

    async def work() -> int:
        log.append(asyncio.current_task())
        await asyncio.sleep(0)
        log.append("resumed")
        return 7

    task = start(asyncio.get_running_loop(), work())  # type: ignore[operator]
    assert log == [task]
    assert asyncio.current_task() is not task
    assert await task == 7
    assert log == [task, "resumed"]


@pytest.mark.parametrize("start", [start_eager_task, _start_eager_task_backport])
async def test_results_and_errors_of_a_synchronous_coroutine(start: object) -> None:
    async def value() -> int:
        return 3

    async def boom() -> None:
        raise ValueError("eager boom")

    loop = asyncio.get_running_loop()
    assert await start(loop, value()) == 3  # type: ignore[operator]
    with pytest.raises(ValueError, match="eager boom"):
        await start(loop, boom())  # type: ignore[operator]


@pytest.mark.parametrize("start", [start_eager_task, _start_eager_task_backport])
async def test_cancelling_before_the_task_carried_on_reaches_the_coroutine(start: object) -> None:
    log: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("cancelled")
            raise
        finally:
            log.append("finally")

    task = start(asyncio.get_running_loop(), work())  # type: ignore[operator]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cancelled", "finally"]


async def test_cancelling_later_is_delivered_through_the_carried_task() -> None:
    log: list[str] = []

    async def work() -> None:
        await asyncio.sleep(0)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("cancelled")
            raise

    task = _start_eager_task_backport(asyncio.get_running_loop(), work())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cancelled"]
