"""Run every ``benchmarks/bench_*.py`` scenario, print a table, write results/latest.json."""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import platform
import sys
import time

HERE = pathlib.Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    parser.add_argument("only", nargs="*", help="topics to run (default: all)")
    args = parser.parse_args()
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        topic = path.stem.removeprefix("bench_")
        if args.only and topic not in args.only:
            continue
        module = importlib.import_module(f"benchmarks.{path.stem}")
        print(f"== {topic}", flush=True)
        for row in module.run(args.quick):
            row.setdefault("topic", topic)
            rows.append(row)
            print(
                f"  {row['scenario']:<52} {row['impl']:<14} n={row['n']:<9} "
                f"median {row['median_s'] * 1e3:10.3f} ms  per op {row['per_op_us']:10.3f} us"
                + (f"  {row['note']}" if row.get("note") else ""),
                flush=True,
            )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        },
        "rows": rows,
    }
    (out / "latest.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
