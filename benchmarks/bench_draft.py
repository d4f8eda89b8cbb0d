"""Drafts and patches: one-element updates and their undo, scaling over n.

The optimistic-update shapes: change one element of a frozen list of n items (or one
field of one dict inside a list of n dicts) with ``produce_with_patches``, then undo it
with ``apply_patches(new, inverse)``. Both must cost O(log n): the 1,000,000 case should
cost less than 3x the 1,000 case. Peak memory of one update+undo is measured with
tracemalloc in a separate, untimed run (tracing slows the code down).

Run: ``python -m benchmarks draft`` or ``python -m benchmarks.bench_draft`` (table).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from pyrsistent import pmap, pvector

from benchmarks._harness import Row, measure
from rtkq import apply_patches, produce_with_patches

UPDATES_PER_CALL = 200


def _set_item(index: int) -> Callable[[Any], None]:
    def recipe(draft: Any) -> None:
        draft[index] = -1

    return recipe


def _set_title(index: int) -> Callable[[Any], None]:
    def recipe(draft: Any) -> None:
        draft[index]["title"] = "x"

    return recipe


def _update_and_undo(base: Any, recipes: list[Callable[[Any], None]]) -> None:
    for recipe in recipes:
        new, _patches, inverse = produce_with_patches(base, recipe)
        apply_patches(new, inverse)


def _peak_bytes(base: Any, recipe: Callable[[Any], None]) -> int:
    _update_and_undo(base, [recipe])  # warm caches outside the trace
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        _update_and_undo(base, [recipe])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start


def _scenario(
    name: str, base: Any, make: Callable[[int], Callable[[Any], None]], n: int, repeat: int
) -> Row:
    step = max(1, n // UPDATES_PER_CALL)
    recipes = [make((i * step + 7) % n) for i in range(UPDATES_PER_CALL)]
    # sanity: the undo really restores the base
    new, _, inverse = produce_with_patches(base, recipes[0])
    assert new is not base and apply_patches(new, inverse) == base
    row = measure(
        name,
        lambda: _update_and_undo(base, recipes),
        n=n,
        ops=UPDATES_PER_CALL,
        repeat=repeat,
    )
    row["peak_kib"] = _peak_bytes(base, recipes[0]) / 1024
    row["note"] = f"peak {row['peak_kib']:.1f} KiB per update+undo"
    return row


def run(quick: bool) -> list[Row]:
    """Rows for n = 1,000 / 100,000 / 1,000,000 (dicts: up to 100,000 when quick)."""
    repeat = 3 if quick else 7
    rows: list[Row] = []
    for n in (1_000, 100_000, 1_000_000):
        numbers: Any = pvector(range(n))
        rows.append(_scenario("list[int]: set one item + undo", numbers, _set_item, n, repeat))
    dict_sizes = (1_000, 100_000) if quick else (1_000, 100_000, 1_000_000)
    for n in dict_sizes:
        posts: Any = pvector(
            [pmap({"id": i, "title": f"post {i}", "done": False}) for i in range(n)]
        )
        rows.append(
            _scenario("list[dict]: draft[i]['title'] = 'x' + undo", posts, _set_title, n, repeat)
        )
    return rows


def _table(rows: list[Row]) -> str:
    lines = [f"{'scenario':<46} {'n':>9} {'us/op':>9} {'x n=1k':>8} {'peak KiB':>9}"]
    first: dict[str, float] = {}
    for row in rows:
        first.setdefault(row["scenario"], row["per_op_us"])
        ratio = row["per_op_us"] / first[row["scenario"]]
        lines.append(
            f"{row['scenario']:<46} {row['n']:>9,} {row['per_op_us']:>9.2f} "
            f"{ratio:>8.2f} {row['peak_kib']:>9.1f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(_table(run("--quick" in sys.argv)))
