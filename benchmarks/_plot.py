"""Drawing the scaling plots: one ``scaling-<topic>.png`` per topic (log-log).

Drawing is CPU work (about 1 s per figure here, mostly text layout of the log-scale tick
labels) and runs after the last timed scenario, so the figures are drawn in parallel
worker processes, one per core, each importing matplotlib once. The pictures are the same
as when drawn one after another in the runner.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
from typing import Any

#: topic -> scenario -> impl -> [(n, seconds per op)], as ``scaling_series`` returns.
Series = dict[str, dict[str, dict[str, list[Any]]]]

STYLES = {
    "rtkq": "-o",
    "fetch_base_query": "-o",
    "RTK Query (node)": "--s",
    "TanStack (node)": ":^",
    "python-redux": "-.v",
    "httpx": "-.d",
}


def draw_topic(topic: str, scenarios: dict[str, dict[str, list[Any]]], out: str) -> str:
    """Draw ``scaling-<topic>.png`` in ``out`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = len(scenarios)
    cols = min(count, 3)
    lines = (count + cols - 1) // cols
    fig, axes = plt.subplots(lines, cols, figsize=(5 * cols, 3.8 * lines), squeeze=False)
    for ax, (scenario, by_impl) in zip(axes.flat, scenarios.items(), strict=False):
        for impl, points in by_impl.items():
            xs, ys = zip(*points, strict=True)
            style = STYLES.get(impl, "-x")
            ax.plot(xs, [y * 1e6 for y in ys], style, label=impl)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(scenario, fontsize=8)
        ax.set_xlabel("n", fontsize=8)
        ax.set_ylabel("median us per op", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    fig.suptitle(f"{topic}: cost per operation over n (log-log)", fontsize=10)
    fig.tight_layout()
    path = pathlib.Path(out) / f"scaling-{topic}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return str(path)


def draw_all(series: Series, out: pathlib.Path) -> list[pathlib.Path]:
    """Every topic's figure, on up to one process per core; [] without matplotlib.

    The topics are split into one share per core (largest figures first, each to the
    share with the fewest panels so far); each share but the first is drawn by a
    ``python -m benchmarks._plot`` process reading its share as JSON on stdin, the first
    in this process meanwhile. The paths come back in the order of ``series``.
    """
    if not series or importlib.util.find_spec("matplotlib") is None:
        return []
    shares: list[Series] = [{} for _ in range(min(len(series), os.cpu_count() or 1))]
    for topic in sorted(series, key=lambda t: -len(series[t])):
        share = min(shares, key=lambda s: sum(len(scenarios) for scenarios in s.values()))
        share[topic] = series[topic]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks._plot", str(out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=pathlib.Path(__file__).resolve().parents[1],
        )
        for _ in shares[1:]
    ]
    for child, share in zip(children, shares[1:], strict=True):
        assert child.stdin is not None
        child.stdin.write(json.dumps(share))
        child.stdin.close()
    drawn = {t: pathlib.Path(draw_topic(t, s, str(out))) for t, s in shares[0].items()}
    for child in children:
        assert child.stdout is not None
        stdout = child.stdout.read()
        child.stdout.close()
        if child.wait() != 0:
            raise RuntimeError(f"drawing the scaling plots failed (exit {child.returncode})")
        drawn.update(
            {pathlib.Path(p).stem.removeprefix("scaling-"): pathlib.Path(p) for p in stdout.split()}
        )
    return [drawn[topic] for topic in series]


if __name__ == "__main__":
    for name, scenarios in json.load(sys.stdin).items():
        print(draw_topic(name, scenarios, sys.argv[1]), flush=True)
