"""``make demo DEVTOOLS=1``: the demo's store in the real DevTools server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_demo_starts_the_devtools_server_and_connects_its_store() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "run_demo.py"), "--devtools"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        stdin=subprocess.DEVNULL,  # not a terminal: no pauses
        timeout=90,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Redux DevTools server at http://127.0.0.1:" in out
    assert "Redux DevTools: connected. Open http://127.0.0.1:" in out
    assert "listed as 'rtkq demo'" in out
    assert "demo finished: all checks passed" in out
    assert out.rstrip().endswith("Redux DevTools server stopped")
    assert "make demo DEVTOOLS=1" not in out
    assert result.stderr == ""
