"""``examples/streaming_updates.py``: a cache lifecycle streaming into a cached list."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from streaming_updates import run_example

from .conftest import EXAMPLES


@pytest.mark.looptime
async def test_streamed_messages_land_in_the_cache_and_the_stream_closes() -> None:
    lines: list[str] = []
    baseline = asyncio.all_tasks()
    texts = await run_example(lines.append, keep_for=60.0)
    assert texts == ["hello", "hi ada", "how are you?", "streaming!"]
    assert lines == [
        "stream opened for #general",
        "fetched: ['hello']",
        "bob posted: ['hello', 'hi ada']",
        "ada posted: ['hello', 'hi ada', 'how are you?']",
        "bob posted: ['hello', 'hi ada', 'how are you?', 'streaming!']",
        "one request, three pushed messages; listeners open: 1",
        "stream closed for #general",
        "entry removed: True; listeners open: 0",
    ]
    assert asyncio.all_tasks() - baseline == set()  # the pump task did not leak


def test_the_example_runs_as_a_script() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "streaming_updates.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "entry removed: True; listeners open: 0"
    assert "streaming!" in result.stdout
