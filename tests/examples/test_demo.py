"""``examples/run_demo.py`` (what ``make demo`` runs) end to end, as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from .conftest import EXAMPLES

STEP_MARKERS = [
    # de-duplication, with the server's counter as proof
    "step 1: de-duplication",
    "✔ 5 initiates -> 1 request (GET /posts x1)",
    # a cache hit
    "✔ get_posts(None) again -> 0 requests",
    # invalidation: which entries a mutation invalidated and refetched
    "add_post invalidates Post/LIST, provided by: get_posts(null)",
    "refetched: get_posts(null)",
    "✔ only get_posts(null) was refetched",
    "✔ refetched get_comments(1) only",
    # the optimistic update, shown before the server answers
    "action optimistic/layerAdded get_post(1)",
    "before the server answers: mutation is pending",
    "✔ get_post(1) shows 'Edited optimistically' while update_post is pending",
    # a forced failure, rolled back
    "server: the next 1 writes will fail (POST /admin/fail-next)",
    'action executeMutation/rejected update_post({"id":1,"title":"This edit will fail"})',
    "action optimistic/layerRemoved get_post(1)",
    "✔ rolled back: get_post(1) and the list show 'Edited optimistically' again",
    # concurrent layers: a failed edit keeps the other pending edit
    "✔ B's layer dropped; A's layer survives",
    "✔ A's and B's invalidations refetched get_post(1) once (GET /posts/{id} x1)",
    # retry and bad input
    "✔ 2 requests: the failed one and the retry",
    'unwrap() raised QueryError; .error = {"data": {"detail": [{"field": "title"',
    "✔ 422 names 'title'",
    # one cache for three processes, through Redis
    "step 10: shared cache",
    "✔ 3 workers x 3 posts -> 3 requests (one per key: GET /posts/{id} x3)",
    "✔ worker-2 and worker-3 show 'Edited in worker-1'",
    "✔ 1 refetch of get_post(1) for all 3 workers (GET /posts/{id} x1)",
    # the end
    "summary",
    "server request counter (GET /stats)",
    "demo finished: all checks passed",
    "server stopped",
]


def _run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "run_demo.py"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_the_demo_runs_every_step_and_exits_0() -> None:
    result = _run_demo()
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    missing = [marker for marker in STEP_MARKERS if marker not in out]
    assert not missing, f"missing from the demo output: {missing}\n{out}"
    assert "✘" not in out
    assert out.count("✔") >= 20
    # Markers appear in the order of the steps.
    position = 0
    for marker in STEP_MARKERS:
        position = out.find(marker, position)
        assert position >= 0, f"{marker!r} is out of order in:\n{out}"
    # Every action line names an action type the api dispatched.
    assert out.count("action executeQuery/pending get_posts(null)") >= 3
    assert "Watch it in the Redux DevTools (time travel included): make demo DEVTOOLS=1" in out
    assert result.stderr == ""


def test_the_demo_says_clearly_when_its_port_is_taken() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run_demo("--port", str(port))
    assert result.returncode == 2
    assert f"error: the demo server cannot bind 127.0.0.1:{port}" in result.stderr
    assert "demo finished" not in result.stdout
