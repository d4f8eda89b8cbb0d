"""Running a JavaScript peer (``benchmarks/peers/<name>/bench.mjs``) on Node.

A peer folder holds ``package.json`` with an exact version, the committed
``package-lock.json`` and ``bench.mjs``. On first use (or when the lock file is newer than
the install) ``npm ci`` installs ``node_modules`` from the lock; then ``bench.mjs`` runs
once with ``NODE_ENV=production`` and ``--expose-gc``, gets the sizes as one JSON argument
and prints one JSON object per line: a timing row, a memory row (``unit: "bytes"``), and
last ``{"done": true, ...versions}``. Anything that goes wrong comes back as a reason
string, so the table can show the peer as unavailable and say why.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

from benchmarks._harness import Row

PEERS_DIR = pathlib.Path(__file__).parent / "peers"


def ensure_node_modules(peer_dir: pathlib.Path) -> str | None:
    """Install the pinned peer with ``npm ci`` when needed; return why not, or None."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "node not found on PATH"
    marker = peer_dir / "node_modules" / ".package-lock.json"
    lock = peer_dir / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return None
    if npm is None:
        return "npm not found on PATH (needed once for npm ci)"
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm ci failed: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"npm ci failed (exit {done.returncode}): {' | '.join(tail)}"
    return None


def run_node_peer(
    folder: str, impl: str, config: dict[str, Any]
) -> tuple[list[Row], dict[str, Any], str | None]:
    """Run ``peers/<folder>/bench.mjs``: its rows, its ``done`` record, why it failed."""
    peer_dir = PEERS_DIR / folder
    reason = ensure_node_modules(peer_dir)
    if reason is not None:
        return [], {}, reason
    env = {**os.environ, "NODE_ENV": "production"}
    try:
        done = subprocess.run(
            ["node", "--expose-gc", "bench.mjs", json.dumps(config)],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=1800,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], {}, f"node run failed: {exc}"
    rows: list[Row] = []
    versions: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if record.get("done"):
            versions = {k: v for k, v in record.items() if k != "done"}
        elif record.get("unit") == "bytes":
            rows.append(memory_row(record["scenario"], impl, record["n"], record["value"]))
        else:
            rows.append(
                {
                    **record,
                    "impl": impl,
                    "per_op_us": record["median_s"] / record["ops"] * 1e6,
                    "note": "",
                }
            )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return rows, versions, f"node exited {done.returncode}: {' | '.join(tail)}"
    return rows, versions, None


def memory_row(scenario: str, impl: str, n: int, bytes_per_entry: float, note: str = "") -> Row:
    """A row for a memory figure: ``value`` bytes per entry (``unit`` says so), no timing."""
    return {
        "scenario": scenario,
        "impl": impl,
        "n": n,
        "ops": n,
        "unit": "bytes",
        "value": bytes_per_entry,
        "median_s": None,
        "min_s": None,
        "max_s": None,
        "per_op_us": None,
        "runs": 1,
        "note": note,
    }
