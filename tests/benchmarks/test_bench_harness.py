"""Smoke tests of the benchmark runner: quick mode on tiny scenarios, latest.json's shape.

The runner calls ``asyncio.run``; under pytest-asyncio that would orphan the test's own
event loop, so the tests are async and run the runner in a worker thread.
"""

from __future__ import annotations

import asyncio
import gc
import json
import pathlib
import sys
import types
from typing import Any

import pytest

from benchmarks import _node_peer, bench_peers
from benchmarks.__main__ import main, plot_scaling, run_topics, scaling_series, table
from benchmarks._harness import measure, row_from_times
from benchmarks._node_peer import memory_row
from benchmarks._plot import draw_topic

ROW_KEYS = {"scenario", "impl", "n", "ops", "median_s", "min_s", "max_s", "per_op_us", "runs"}


async def test_runner_writes_latest_json_and_prints_peer_ratio(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--quick", "--out", str(tmp_path), "--module", "bench_tiny"]
    code = await asyncio.to_thread(main, argv)
    assert code == 0
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["quick"] is True
    assert {"python", "platform", "processor", "cpus"} <= set(report["machine"])
    assert {"python", "rtkq", "pyrsistent", "python-redux"} <= set(report["versions"])
    assert report["peers"] == {"tiny": {"tiny": "ok"}}
    rows = report["rows"]
    assert [r["scenario"] for r in rows] == [
        "sum a range",
        "sum a range",
        "await sleep(0)",
        "by hand",
    ]
    for row in rows:
        assert set(row) >= ROW_KEYS
        assert row["topic"] == "tiny"
        assert row["runs"] >= 5
        assert row["min_s"] <= row["median_s"] <= row["max_s"]
    printed = capsys.readouterr().out
    ratio = rows[1]["median_s"] / rows[0]["median_s"]
    assert f"{ratio:.2f}x" in printed  # the peer sits beside the rtkq row, with the ratio
    assert "== tiny" in printed
    assert "scaling plots not drawn (quick mode; --plots draws them)" in printed
    assert not list(tmp_path.glob("*.png"))


def test_row_from_times_takes_median_min_max() -> None:
    row = row_from_times("s", [0.003, 0.001, 0.002, 0.005, 0.004], n=10, ops=2)
    assert (row["median_s"], row["min_s"], row["max_s"]) == (0.003, 0.001, 0.005)
    assert row["per_op_us"] == pytest.approx(1500.0)
    assert row["runs"] == 5


def test_measure_keeps_the_collector_off_unless_asked_and_on_again_after() -> None:
    seen: list[bool] = []
    measure("off", lambda: seen.append(gc.isenabled()), n=1, repeat=2)
    measure("on", lambda: seen.append(gc.isenabled()), n=1, repeat=2, collector=True)
    assert seen == [False] * 3 + [True] * 3  # one warm-up each
    assert gc.isenabled()


def _tiny_sizes() -> dict[str, Any]:
    return {
        "warmup": 1,
        "repeat": 5,
        "inner": 2,
        "dispatch_n": 50,
        "populate_ns": [20],
        "upsert_data_ns": [10],
        "upsert_data_ours_ns": [10, 20],
        "upsert_one_ns": [10, 20],
        "initiate_ns": [10],
        "invalidate_ns": [20, 40],
        "update_ns": [20, 40],
        "select_calls": 50,
        "select_entries": 10,
        "memory_n": 30,
    }


async def test_peer_scenarios_run_on_the_rtkq_side_at_tiny_sizes() -> None:
    rows = await asyncio.to_thread(bench_peers.rtkq_rows, _tiny_sizes())
    by_scenario = {(r["scenario"], r["impl"], r["n"]) for r in rows}
    names = bench_peers.NAMES
    assert (names["dispatch"], "python-redux", 50) in by_scenario
    assert (names["upsert_data"], "rtkq", 10) in by_scenario
    assert (names["upsert_data"], "rtkq", 20) in by_scenario
    assert (names["upsert_entries"], "rtkq", 20) in by_scenario
    assert {(names["upsert_one"], "rtkq", 10), (names["upsert_one"], "rtkq", 20)} <= by_scenario
    assert (names["initiate"], "rtkq", 10) in by_scenario
    for key in ("invalidate_dispatch", "invalidate_land", "update", "undo"):
        assert {(names[key], "rtkq", 20), (names[key], "rtkq", 40)} <= by_scenario
    assert (names["select"], "rtkq", 50) in by_scenario
    assert (names["select_cached"], "rtkq", 50) in by_scenario
    (hits,) = [r for r in rows if r["scenario"] == names["select_cached"]]
    assert "`lambda state: state`" in hits["note"]  # the CPython call floor beside it
    timed = [r for r in rows if r.get("unit") != "bytes"]
    assert all(r["runs"] >= 5 for r in timed)
    (memory,) = [r for r in rows if r.get("unit") == "bytes"]
    assert memory["scenario"] == names["memory"] and memory["n"] == 30
    assert 100 < memory["value"] < 100_000  # bytes retained per entry: plausible, not zero


async def test_missing_node_is_reported_and_python_rows_still_print(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_node_peer.shutil, "which", lambda name: None)
    theirs = bench_peers.node_rows(_tiny_sizes())
    assert theirs == []
    assert bench_peers.info["rtk_node_status"] == "node not found on PATH"
    assert bench_peers.info["tanstack_node_status"] == "node not found on PATH"
    ours = await asyncio.to_thread(bench_peers.rtkq_rows, _tiny_sizes(), {"select"})
    placeholders = bench_peers._placeholders(ours, theirs)
    # RTK Query covers both select rows; TanStack has no made-selector scenario.
    assert sorted((p["impl"], p["scenario"]) for p in placeholders) == sorted(
        [
            (bench_peers.RTK_IMPL, bench_peers.NAMES["select"]),
            (bench_peers.RTK_IMPL, bench_peers.NAMES["select_cached"]),
            (bench_peers.TANSTACK_IMPL, bench_peers.NAMES["select"]),
        ]
    )
    printed = table([{**r, "topic": "peers"} for r in [*ours, *placeholders]])
    assert "unavailable" in printed
    assert "node not found on PATH" in printed
    assert ours[0]["scenario"][:40] in printed


def test_memory_rows_compare_bytes() -> None:
    ours = memory_row("memory", "rtkq", 10, 500.0)
    theirs = memory_row("memory", bench_peers.TANSTACK_IMPL, 10, 2000.0)
    printed = table([{**r, "topic": "peers"} for r in (ours, theirs)])
    assert "500 B" in printed and "2,000 B" in printed
    assert "4.00x" in printed  # the peer keeps 4x the bytes per entry


def test_scaling_plots_cover_every_scenario_timed_at_several_n(tmp_path: pathlib.Path) -> None:
    def row(topic: str, scenario: str, impl: str, n: int) -> dict[str, Any]:
        return {**row_from_times(scenario, [n * 1e-6], n=n, ops=1, impl=impl), "topic": topic}

    rows = [
        row("a", "grows", "rtkq", 10),
        row("a", "grows", "rtkq", 100),
        row("a", "grows", "RTK Query (node)", 10),
        row("a", "grows", "RTK Query (node)", 100),
        row("a", "one n", "rtkq", 10),
        row("b", "one n", "rtkq", 10),
        {**memory_row("memory", "rtkq", 10, 1.0), "topic": "a"},
        {**memory_row("memory", "rtkq", 20, 1.0), "topic": "a"},
        # The http topic's side is fetch_base_query, its peer bare httpx.
        row("http", "at once", "fetch_base_query", 10),
        row("http", "at once", "fetch_base_query", 100),
        row("http", "at once", "httpx", 10),
        row("http", "at once", "httpx", 100),
    ]
    series = scaling_series(rows)
    assert list(series) == ["a", "http"]
    assert list(series["a"]) == ["grows"]
    assert series["http"]["at once"]["httpx"] == [(10, 10 * 1e-6), (100, 100 * 1e-6)]
    assert series["a"]["grows"]["RTK Query (node)"] == [(10, 10 * 1e-6), (100, 100 * 1e-6)]
    written = plot_scaling(rows, tmp_path)
    assert written == [tmp_path / "scaling-a.png", tmp_path / "scaling-http.png"]
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in written)


def test_scaling_plots_drawn_in_parallel_match_plots_drawn_here(tmp_path: pathlib.Path) -> None:
    def row(topic: str, scenario: str, n: int) -> dict[str, Any]:
        return {**row_from_times(scenario, [n * 1e-6], n=n, ops=1), "topic": topic}

    rows = [row(topic, s, n) for topic in ("a", "b", "c") for s in ("x", "y") for n in (10, 100)]
    written = plot_scaling(rows, tmp_path)  # shared out over this process and others
    assert written == [tmp_path / f"scaling-{topic}.png" for topic in ("a", "b", "c")]
    series = scaling_series(rows)
    (tmp_path / "here").mkdir()
    for topic, path in zip(("a", "b", "c"), written, strict=True):
        here = pathlib.Path(draw_topic(topic, series[topic], str(tmp_path / "here")))
        assert path.read_bytes() == here.read_bytes()


def test_each_topic_runs_with_what_earlier_topics_left_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def probe(name: str) -> types.ModuleType:
        module = types.ModuleType(name)

        def run(quick: bool) -> list[dict[str, Any]]:
            seen.append(gc.get_freeze_count())
            return [row_from_times(name, [0.001], n=1)]

        module.run = run  # type: ignore[attr-defined]
        return module

    for name in ("bench_probe_one", "bench_probe_two"):
        monkeypatch.setitem(sys.modules, name, probe(name))
    rows, _, timings = run_topics(["bench_probe_one", "bench_probe_two"], [], True)
    assert [r["topic"] for r in rows] == ["probe_one", "probe_two"]
    assert list(timings) == ["probe_one", "probe_two"]
    assert seen[0] > 0 and seen[1] > 0  # frozen before each topic
    assert gc.get_freeze_count() == 0  # and unfrozen after the run


async def test_a_quick_run_writes_beside_the_full_results_not_over_them(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.__main__ as runner

    monkeypatch.setattr(runner, "HERE", tmp_path)
    assert await asyncio.to_thread(main, ["--quick", "--module", "bench_tiny"]) == 0
    assert json.loads((tmp_path / "results" / "quick" / "latest.json").read_text())["quick"]
    assert not (tmp_path / "results" / "latest.json").exists()


def test_peers_run_each_group_then_its_node_peers_and_drop_a_failed_peer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str]] = []

    def fake_rtkq_rows(cfg: dict[str, Any], only: set[str] | None = None) -> list[Any]:
        (group,) = only or {"all"}
        calls.append(("rtkq", group))
        return []

    def fake_node(folder: str, impl: str, config: dict[str, Any]) -> tuple[list[Any], Any, Any]:
        (group,) = config["only"]
        calls.append((folder, group))
        if folder == "tanstack-node" and group == "populate":
            return [], {}, "node run failed: boom"
        return [], {"node": "v0"}, None

    monkeypatch.setattr(bench_peers, "rtkq_rows", fake_rtkq_rows)
    monkeypatch.setattr(bench_peers, "run_node_peer", fake_node)
    bench_peers.run(quick=True)
    # rtkq then both peers, group by group, so a ratio's two sides run seconds apart.
    assert calls[:6] == [
        ("rtkq", "dispatch"),
        ("rtk-node", "dispatch"),
        ("tanstack-node", "dispatch"),
        ("rtkq", "populate"),
        ("rtk-node", "populate"),
        ("tanstack-node", "populate"),
    ]
    assert [group for side, group in calls if side == "rtkq"] == list(bench_peers.GROUPS)
    assert [g for side, g in calls if side == "rtk-node"] == list(bench_peers.GROUPS)
    # TanStack failed once: not run again, and its first reason is what the table shows.
    assert [g for side, g in calls if side == "tanstack-node"] == ["dispatch", "populate"]
    assert bench_peers.info["tanstack_node_status"] == "node run failed: boom"
    assert bench_peers.info["rtk_node_status"] == "ok"
