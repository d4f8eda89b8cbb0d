"""rtkq side by side with RTK Query and TanStack Query on Node, and python-redux.

Same sizes and data shapes on every side. rtkq and RTK Query build one api
(``get_item(id) -> {"id", "name"}`` providing ``Item/id``; ``list_items() -> [...]``),
``query_fn`` answering at once, ``keep_unused_data_for`` 3600 s so no entry is collected
mid-run; TanStack Query uses keys ``["item", id]`` / ``["items"]`` with its own idiomatic
calls (benchmarks/README.md maps each scenario). The Node sides are
``peers/rtk-node/bench.mjs`` and ``peers/tanstack-node/bench.mjs``, run with the sizes built
here (``npm ci`` on first use, ``NODE_ENV=production``) once per scenario group, right
after rtkq's rows of that group: on a shared machine whose speed drifts over minutes, the
two sides of a ratio are then measured a few seconds apart, not ten minutes.
Scenarios (numbers as in benchmarks/README.md):

1. a plain action dispatched through a store with the api middleware mounted;
2. populating entries: one ``upsert_query_entries``; one (sync) write per entry; and one
   awaited ``upsert_query_data`` per entry;
3. ``initiate`` of distinct args, every request awaited;
4. ``invalidate_tags`` of one tag among n subscribed entries: the dispatch, and until the
   refetch lands (n = 1,000 / 10,000 / 100,000);
5. ``update_query_data`` changing one item of a cached list of n objects, and ``undo()``;

   (4 and 5 time each operation on its own: ``inner`` x (warm-up + repeat) operations on
   one store, the warm-up ones dropped; median, min and max are per operation.)
6. ``select(arg)(state)`` calls over 10,000 entries; and calls of selectors made once
   beforehand (every call a memo hit: same state);
7. memory: bytes retained per cached entry with one subscriber, 10,000 small entries
   (tracemalloc here, Node heap delta after GC on the Node sides).
"""

from __future__ import annotations

from typing import Any

from benchmarks._harness import Row
from benchmarks._node_peer import run_node_peer
from benchmarks._peers_rtkq import NAMES, REDUX_IMPL, rtkq_rows

__all__ = ["NAMES", "REDUX_IMPL", "info", "node_rows", "rtkq_rows", "run", "sizes"]

RTK_IMPL = "RTK Query (node)"
TANSTACK_IMPL = "TanStack (node)"
#: (folder under benchmarks/peers, impl name, key of its versions in latest.json)
NODE_PEERS = (("rtk-node", RTK_IMPL, "rtk_node"), ("tanstack-node", TANSTACK_IMPL, "tanstack_node"))

#: What the last run found out about the peers (merged into latest.json by __main__).
info: dict[str, Any] = {}


def sizes(quick: bool) -> dict[str, Any]:
    """The sizes both sides run (the Node script gets this dict as its config)."""
    if quick:
        return {
            "warmup": 1,
            "repeat": 3,
            "inner": 10,
            "dispatch_n": 10_000,
            "populate_ns": [1_000],
            "upsert_data_ns": [100],
            "upsert_data_ours_ns": [100, 1_000],
            "upsert_one_ns": [100, 1_000],
            "initiate_ns": [200],
            "invalidate_ns": [300, 1_000],
            "update_ns": [1_000, 10_000],
            "select_calls": 10_000,
            "select_entries": 1_000,
            "memory_n": 1_000,
        }
    return {
        "warmup": 1,
        "repeat": 5,
        "inner": 10,
        "dispatch_n": 100_000,
        "populate_ns": [1_000, 10_000, 100_000],
        # RTK Query's upsertQueryData is O(entries) per call (about 9 ms at 1,000 entries
        # here), so 10,000 of them take minutes per run: compared at 1,000 on both sides,
        # rtkq alone at 10,000.
        "upsert_data_ns": [1_000],
        "upsert_data_ours_ns": [1_000, 10_000],
        # One write per entry, each its own action (TanStack: one setQueryData per key).
        # RTK Query copies the queries object on each, so it runs upsert_data_ns only.
        "upsert_one_ns": [1_000, 10_000],
        "initiate_ns": [500, 1_000, 2_000],
        "invalidate_ns": [1_000, 10_000, 100_000],
        "update_ns": [1_000, 10_000, 100_000],
        "select_calls": 100_000,
        "select_entries": 10_000,
        "memory_n": 10_000,
    }


#: The rows of ours each Node peer also runs (TanStack has no store to dispatch a plain
#: action through, and no selector objects to make beforehand).
COVERS = {
    RTK_IMPL: set(NAMES.values()),
    # No async per-entry write either: its setQueryData (sync) stands for rtkq's
    # one-write-per-entry row, not for the awaited upsert_query_data thunks.
    TANSTACK_IMPL: set(NAMES.values())
    - {NAMES["dispatch"], NAMES["select_cached"], NAMES["upsert_data"]},
}


#: The scenario groups, in the order they run (keys of ``rtkq_rows``' ``only``).
GROUPS = ("dispatch", "populate", "initiate", "invalidate", "update", "select", "memory")


def node_rows(
    cfg: dict[str, Any], only: set[str] | None = None, skip: frozenset[str] = frozenset()
) -> list[Row]:
    """Run every Node peer with the sizes ``cfg``; a peer that fails gets placeholders.

    Peers whose ``info`` key is in ``skip`` are not run (and their ``info`` is left as
    it is): ``run`` skips a peer that already failed in an earlier group.
    """
    config = {**cfg, "names": NAMES, "only": sorted(only or ())}
    rows: list[Row] = []
    for folder, impl, key in NODE_PEERS:
        if key in skip:
            continue
        theirs, versions, reason = run_node_peer(folder, impl, config)
        info[key] = versions
        info[f"{key}_status"] = reason or "ok"
        rows += theirs
        if reason is not None:
            info[key]["unavailable"] = reason
    return rows


def _placeholders(ours: list[Row], theirs: list[Row]) -> list[Row]:
    """One row per rtkq row a failed peer left out, so the table says why it is empty."""
    have = {(r["impl"], r["scenario"], r["n"]) for r in theirs}
    out: list[Row] = []
    for _, impl, key in NODE_PEERS:
        reason = info.get(f"{key}_status", "ok")
        if reason == "ok":
            continue
        out += [
            {
                **row,
                "impl": impl,
                "median_s": None,
                "min_s": None,
                "max_s": None,
                "per_op_us": None,
                "value": None,
                "runs": 0,
                "note": f"unavailable: {reason}",
            }
            for row in ours
            if row["impl"] == "rtkq"
            and row["scenario"] in COVERS[impl]
            and (impl, row["scenario"], row["n"]) not in have
        ]
    return out


def run(quick: bool) -> list[Row]:
    """Every group: rtkq's rows, then each Node peer's rows of the same group."""
    cfg = sizes(quick)
    info.clear()
    rows: list[Row] = []
    theirs: list[Row] = []
    for group in GROUPS:
        rows += rtkq_rows(cfg, {group})
        failed = frozenset(k for _, _, k in NODE_PEERS if info.get(f"{k}_status", "ok") != "ok")
        theirs += node_rows(cfg, {group}, failed)
    return rows + theirs + _placeholders(rows, theirs)
