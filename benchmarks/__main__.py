"""Run every ``benchmarks/bench_*.py`` scenario, print a table, write results/latest.json.

``python -m benchmarks [--quick] [topic ...]``. Rows are grouped by topic; a row whose
scenario and n also have a peer implementation (python-redux, RTK Query on Node) gets
the peer's median and the ratio peer / rtkq (above 1: rtkq is faster). When the peers
topic ran, results/scaling.png plots scenarios 4 and 5 over n.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import pathlib
import platform
import sys
import time
from typing import Any

HERE = pathlib.Path(__file__).parent
OURS = "rtkq"
#: Implementations shown as peers beside the row they compare with.
PEERS = frozenset({"python-redux", "RTK Query (node)", "httpx"})


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def _versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for dist in ("rtkq", "pyrsistent", "python-redux", "httpx", "matplotlib"):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def _peer_versions(extra: dict[str, Any]) -> dict[str, str]:
    node = extra.get("peers", {}).get("rtk_node")
    if not isinstance(node, dict):
        return {}
    return {"node": str(node.get("node")), "@reduxjs/toolkit": str(node.get("rtk"))}


def table(rows: list[dict[str, Any]]) -> str:
    """The printed table, grouped by topic; peers sit beside the row they compare with.

    A row whose impl is a known peer (``PEERS``) and that shares scenario and n with
    another row is shown beside it, with the ratio peer median / our median.
    """
    lines: list[str] = []
    header = (
        f"  {'scenario':<50} {'impl':<16} {'n':>8} {'median':>10} {'per op':>9}"
        f"  {'peer':<16} {'median':>10} {'peer/ours':>9}  note"
    )
    topics: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        topics.setdefault(row["topic"], []).append(row)
    for topic, group in topics.items():
        lines.append(f"== {topic}")
        lines.append(header)
        primary = {(r["scenario"], r["n"]) for r in group if r["impl"] not in PEERS}
        peers: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for row in group:
            if row["impl"] in PEERS and (row["scenario"], row["n"]) in primary:
                peers.setdefault((row["scenario"], row["n"]), []).append(row)
        # A peer's note is printed once under the topic when all its rows share it
        # (e.g. "unavailable: node not found"); per-row notes stay in latest.json.
        peer_notes: dict[str, set[str]] = {}
        for row in group:
            if row["impl"] in PEERS:
                peer_notes.setdefault(row["impl"], set()).add(row.get("note") or "")
        footnotes = {
            f"{impl}: {next(iter(notes))}": None
            for impl, notes in peer_notes.items()
            if len(notes) == 1 and next(iter(notes))
        }
        for row in group:
            key = (row["scenario"], row["n"])
            if row["impl"] in PEERS and key in primary:
                continue  # printed beside its primary row
            left = (
                f"  {row['scenario'][:50]:<50} {row['impl'][:16]:<16} {row['n']:>8,} "
                f"{_fmt_time(row['median_s']):>10} {_per_op(row):>9}"
            )
            note = row.get("note") or ""
            mine = peers.get(key, []) if row["impl"] not in PEERS else []
            if not mine:
                lines.append(left + f"  {'':<16} {'':>10} {'':>9}  {note}".rstrip())
                continue
            for i, peer in enumerate(mine):
                if peer["median_s"] is None or not row["median_s"]:
                    right = f"  {peer['impl'][:16]:<16} {'unavailable':>10} {'-':>9}"
                else:
                    ratio = peer["median_s"] / row["median_s"]
                    right = (
                        f"  {peer['impl'][:16]:<16} {_fmt_time(peer['median_s']):>10} "
                        f"{ratio:>8.2f}x"
                    )
                head = left if i == 0 else " " * len(left)
                lines.append((head + right + (f"  {note}" if i == 0 and note else "")).rstrip())
        for footnote in footnotes:
            lines.append(f"  * {footnote}")
    return "\n".join(lines)


def _per_op(row: dict[str, Any]) -> str:
    if row["median_s"] is None or not row.get("ops"):
        return "-"
    return _fmt_time(row["median_s"] / row["ops"])


def plot_scaling(rows: list[dict[str, Any]], path: pathlib.Path) -> bool:
    """Plot scenarios 4 and 5 over n (log-log, rtkq and RTK Query); False if impossible."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    wanted = [r for r in rows if r["topic"] == "peers" and r["scenario"][:1] in "45"]
    scenarios = list(dict.fromkeys(r["scenario"] for r in wanted))
    if not scenarios:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, number in zip(axes, "45", strict=True):
        for scenario in (s for s in scenarios if s.startswith(number)):
            for impl, style in ((OURS, "-o"), ("RTK Query (node)", "--s")):
                points = sorted(
                    (r["n"], r["median_s"] / r["ops"])
                    for r in wanted
                    if r["scenario"] == scenario and r["impl"] == impl and r["median_s"]
                )
                if points:
                    xs, ys = zip(*points, strict=True)
                    ax.plot(xs, [y * 1e6 for y in ys], style, label=f"{impl}: {scenario[2:]}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (cached entries / list length)")
        ax.set_ylabel("median per operation (us)")
        ax.set_title("4: invalidate one tag" if number == "4" else "5: update one item + undo")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    parser.add_argument(
        "--out", type=pathlib.Path, default=HERE / "results", help="where latest.json goes"
    )
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        help="run this scenario module (dotted path) instead of benchmarks/bench_*.py",
    )
    parser.add_argument("only", nargs="*", help="topics to run (default: all)")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    timings: dict[str, float] = {}
    modules = args.module or [f"benchmarks.{p.stem}" for p in sorted(HERE.glob("bench_*.py"))]
    for name in modules:
        topic = name.rsplit(".", 1)[-1].removeprefix("bench_")
        if args.only and topic not in args.only:
            continue
        module = importlib.import_module(name)
        print(f"-- running {topic}", flush=True)
        start = time.perf_counter()
        for row in module.run(args.quick):
            row.setdefault("topic", topic)
            rows.append(row)
        timings[topic] = time.perf_counter() - start
        if isinstance(getattr(module, "info", None), dict):
            extra[topic] = dict(module.info)
    print()
    print(table(rows))
    print()
    print("topic wall time: " + ", ".join(f"{t} {s:.1f} s" for t, s in timings.items()))
    out: pathlib.Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": __import__("os").cpu_count(),
        },
        "versions": {**_versions(), **_peer_versions(extra)},
        "peers": extra,
        "topic_seconds": timings,
        "rows": rows,
    }
    (out / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {out / 'latest.json'}")
    if plot_scaling(rows, out / "scaling.png"):
        print(f"wrote {out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
