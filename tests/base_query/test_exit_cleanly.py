"""An application that exits right after ``await store.aclose()`` leaves nothing behind.

The script runs in a fresh interpreter with ``-X dev`` (asyncio debug mode, all
warnings shown) and ResourceWarning as an error, against the live server: whatever
rtkq left running or open would show on its stderr when the interpreter exits.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("_exit_script.py")
LEFT_BEHIND = ("Task was destroyed but it is pending", "ResourceWarning", "unclosed")


def _run(base_url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-X",
            "dev",
            "-W",
            "error::ResourceWarning",
            str(SCRIPT),
            base_url,
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("runner", [(), ("--own-loop",)], ids=["asyncio.run", "own-loop"])
def test_exiting_after_aclose_prints_no_warning(base_url: str, runner: tuple[str, ...]) -> None:
    done = _run(base_url, *runner)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "lifecycle ended",
        "slow: Aborted",
        "flaky: Aborted",
        "closed; tasks left: 0",
    ]
    for text in LEFT_BEHIND:
        assert text not in done.stderr


def test_without_aclose_the_same_script_leaves_open_connections(base_url: str) -> None:
    # The check above can fail: skipping the close leaves the pooled connections open.
    done = _run(base_url, "--no-close")
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning: unclosed" in done.stderr
