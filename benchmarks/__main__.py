"""Run every ``benchmarks/bench_*.py`` scenario, print a table, write results/latest.json.

``python -m benchmarks [--quick] [--plots] [topic ...]``. Rows are grouped by topic; a
row whose scenario and n also have a peer implementation (python-redux, RTK Query and
TanStack Query on Node, httpx) gets the peer's median and the ratio peer / rtkq (above 1:
rtkq is faster; for memory rows, ``unit: "bytes"``, rtkq keeps fewer bytes). For every
topic with a scenario measured at several n, results/scaling-<topic>.png plots cost per
operation over n (log-log, every implementation); quick mode draws them only with
``--plots``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import json
import pathlib
import platform
import sys
import time
from typing import Any

from benchmarks._plot import draw_all

HERE = pathlib.Path(__file__).parent
OURS = "rtkq"
#: Implementations shown as peers beside the row they compare with.
PEERS = frozenset({"python-redux", "RTK Query (node)", "TanStack (node)", "httpx"})


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
    for dist in (
        "rtkq",
        "pyrsistent",
        "immutables",
        "msgspec",
        "python-redux",
        "httpx",
        "matplotlib",
    ):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def _peer_versions(extra: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    peers = extra.get("peers", {})
    for key, package, field in (
        ("rtk_node", "@reduxjs/toolkit", "rtk"),
        ("tanstack_node", "@tanstack/query-core", "tanstack"),
    ):
        node = peers.get(key)
        if isinstance(node, dict) and node.get(field):
            found["node"] = str(node.get("node"))
            found[package] = str(node.get(field))
    return found


def _value(row: dict[str, Any]) -> float | None:
    """What a row compares by: bytes for a memory row, else the median seconds."""
    value = row.get("value") if row.get("unit") == "bytes" else row["median_s"]
    return None if value is None else float(value)


def _fmt_value(row: dict[str, Any]) -> str:
    if row.get("unit") == "bytes":
        return "-" if row.get("value") is None else f"{row['value']:,.0f} B"
    return _fmt_time(row["median_s"])


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
                f"{_fmt_value(row):>10} {_per_op(row):>9}"
            )
            note = row.get("note") or ""
            mine = peers.get(key, []) if row["impl"] not in PEERS else []
            if not mine:
                lines.append(left + f"  {'':<16} {'':>10} {'':>9}  {note}".rstrip())
                continue
            for i, peer in enumerate(mine):
                theirs, ours = _value(peer), _value(row)
                if theirs is None or not ours:
                    right = f"  {peer['impl'][:16]:<16} {'unavailable':>10} {'-':>9}"
                else:
                    right = (
                        f"  {peer['impl'][:16]:<16} {_fmt_value(peer):>10} {theirs / ours:>8.2f}x"
                    )
                head = left if i == 0 else " " * len(left)
                lines.append((head + right + (f"  {note}" if i == 0 and note else "")).rstrip())
        for footnote in footnotes:
            lines.append(f"  * {footnote}")
    return "\n".join(lines)


def _per_op(row: dict[str, Any]) -> str:
    if row["median_s"] is None or not row.get("ops") or row.get("unit") == "bytes":
        return "-"
    return _fmt_time(row["median_s"] / row["ops"])


def scaling_series(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, list[Any]]]]:
    """topic -> scenario -> impl -> [(n, seconds per op)] for scenarios timed at >= 2 n."""
    out: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for row in rows:
        if row.get("unit") == "bytes" or not row["median_s"] or not row.get("ops"):
            continue
        by_impl = out.setdefault(row["topic"], {}).setdefault(row["scenario"], {})
        by_impl.setdefault(row["impl"], []).append((row["n"], row["median_s"] / row["ops"]))
    for topic in list(out):
        for scenario in list(out[topic]):
            by_impl = out[topic][scenario]
            ours = by_impl.get(OURS) or by_impl.get("fetch_base_query", [])
            if len({n for n, _ in ours}) < 2:
                del out[topic][scenario]
            else:
                for points in out[topic][scenario].values():
                    points.sort()
        if not out[topic]:
            del out[topic]
    return out


def plot_scaling(rows: list[dict[str, Any]], out: pathlib.Path) -> list[pathlib.Path]:
    """One ``scaling-<topic>.png`` per topic with n-dependent scenarios (log-log).

    The figures are drawn in parallel worker processes (benchmarks/_plot.py).
    """
    return draw_all(scaling_series(rows), out)


def run_topics(
    modules: list[str], only: list[str], quick: bool
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, float]]:
    """Run each scenario module's ``run(quick)``: the rows, the modules' info, the seconds.

    Before each topic, what earlier topics left alive (imports, module-level state) is
    frozen out of the collector's sight (``gc.freeze``), so the ``gc.collect()`` before
    each timed run, and any automatic collection in a row that keeps gc on, cost the same
    whatever ran before (measured: up to 100k such objects late in a quick run, 30-200 ms
    per ``gc.collect()``). Unfrozen at the end.
    """
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    timings: dict[str, float] = {}
    try:
        for name in modules:
            topic = name.rsplit(".", 1)[-1].removeprefix("bench_")
            if only and topic not in only:
                continue
            module = importlib.import_module(name)
            print(f"-- running {topic}", flush=True)
            gc.collect()
            gc.freeze()
            start = time.perf_counter()
            for row in module.run(quick):
                row.setdefault("topic", topic)
                rows.append(row)
            timings[topic] = time.perf_counter() - start
            if isinstance(getattr(module, "info", None), dict):
                extra[topic] = dict(module.info)
    finally:
        gc.unfreeze()
    return rows, extra, timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=None,
        help="where latest.json goes (default: results/, and results/quick/ with --quick, "
        "so a quick run never replaces the committed full results)",
    )
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        help="run this scenario module (dotted path) instead of benchmarks/bench_*.py",
    )
    parser.add_argument(
        "--plots",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw the scaling plots (default: yes, but not with --quick)",
    )
    parser.add_argument("only", nargs="*", help="topics to run (default: all)")
    args = parser.parse_args(argv)
    modules = args.module or [f"benchmarks.{p.stem}" for p in sorted(HERE.glob("bench_*.py"))]
    rows, extra, timings = run_topics(modules, args.only, args.quick)
    print()
    print(table(rows))
    print()
    print("topic wall time: " + ", ".join(f"{t} {s:.1f} s" for t, s in timings.items()))
    out: pathlib.Path = args.out or (HERE / "results" / "quick" if args.quick else HERE / "results")
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
    # Quick mode leaves the plots out unless asked (--plots): drawing them is ~8 s of CPU
    # (text layout of log-scale ticks), and quick sizes are not the figures to plot.
    if args.plots or (args.plots is None and not args.quick):
        for path in plot_scaling(rows, out):
            print(f"wrote {path}")
    else:
        print("scaling plots not drawn (quick mode; --plots draws them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
