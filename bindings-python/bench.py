#!/usr/bin/env python3
"""Benchmark of the Python package (a benchmark, not a test: nothing is asserted
about time). Run from the repository root, in a virtual environment where the
package was installed from a release build (`pip install ./bindings-python`)
with pandas, pyarrow and zen-engine:

    python bindings-python/bench.py --count 200000

It scores the same records, held in memory, with:
- `pack.score_many` on a pandas DataFrame, a pyarrow Table, a polars DataFrame
  and a list of dicts;
- the core's own rate on the same cores: the release CLI (`target/release/chamdiem
  score`, built with `cargo build --release -p chamdiem-cli`) on the same
  records as JSON Lines, its output to /dev/null (reading, scoring and writing
  the JSON lines, all cores);
- `bench/reference_scorer.py`, the hand-written pure-Python scorer of
  `vn.enterprise` (the test oracle);
- GoRules ZEN (`zen-engine`), with the same rules as a ZEN decision (below),
  through its `evaluate_batch`.

The records are valid, applicable enterprises of `examples/generate.py` (the
ZEN decision has no validation step, so broken records would not be a like
comparison). Before timing, the results of all three engines are compared on
the first 2,000 records: totals and classes must agree. The measures run in
interleaved rounds (each measure once per round, `--rounds` rounds), and the
median of the rounds is reported, so that a busy moment of the machine does
not fall on one measure only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import reference_scorer  # noqa: E402

import chamdiem  # noqa: E402

PERIOD = "2024"


def records(count: int) -> List[Dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "generate.py"), "--count", str(count * 2),
         "--year", "2024", "--seed", "7", "--format", "jsonl"],
        capture_output=True, text=True, check=True,
    ).stdout
    pack = chamdiem.load_pack("vn.enterprise")
    all_records = [json.loads(line) for line in out.splitlines()]
    scored = pack.score_many(all_records, period=PERIOD)
    valid = [r for r, s in zip(all_records, scored) if s["status"] == "scored"]
    if len(valid) < count:
        raise SystemExit(f"only {len(valid)} applicable records generated")
    return valid[:count]


# ----------------------------------------------------------------- ZEN

def zen_decision() -> Dict[str, Any]:
    """vn.enterprise as a JDM decision: criteria, then groups and total, then class."""
    in_period = 'date({x}) >= date(start) and date({x}) <= date(end)'
    dialogue = f'some(periodic_dialogue_dates, {in_period.format(x="#")})'
    conference = (f'workers_conference_date != null and '
                  f'{in_period.format(x="workers_conference_date")}')
    art38 = ('(employees < 50 ? 3 : employees < 150 ? 4 : employees < 300 ? 9 : '
             'employees < 500 ? 14 : employees < 1000 ? 19 : 24)')
    criteria = {
        "c11": "regulation_issued ? 8 : 0",
        "c12": "regulation_issued and regulation_union_consulted ? 3 : 0",
        "c13": "regulation_issued and regulation_published ? 4 : 0",
        "c21": f"{dialogue} ? 10 : 0",
        "c22": f"dialogue_employee_reps >= {art38} ? 5 : 0",
        "c23": f"{dialogue} and dialogue_minutes_published ? 5 : 0",
        "c24": ("dialogue_requests == 0 ? 5 : "
                "round(500 * dialogue_requests_answered / dialogue_requests) / 100"),
        "c31": f"{conference} ? 15 : 0",
        "c32": f"{conference} and union_coorganised_conference ? 5 : 0",
        "c41": "disclosed_business ? 2.5 : 0",
        "c42": "disclosed_rules_pay_norms ? 2.5 : 0",
        "c43": "not collective_agreement_in_force or disclosed_collective_agreement ? 2.5 : 0",
        "c44": "disclosed_funds ? 2.5 : 0",
        "c45": "disclosed_contributions ? 2.5 : 0",
        "c46": "disclosed_rewards_discipline ? 2.5 : 0",
        "c51": ("2 * count([consulted_internal_rules, consulted_pay_norms, "
                "consulted_conditions], #)"),
        "c52": ("count([supervised_contracts, supervised_internal_rules, supervised_funds, "
                "supervised_contributions, supervised_rewards_discipline], #)"),
        "c53": "collective_agreement_in_force ? 4 : 0",
        "c61": "strikes == 0 ? 5 : 0",
        "c62": "collective_disputes == 0 ? 3 : 0",
        "c63": "democracy_fines == 0 ? 2 : 0",
        "g1_open": f"not regulation_issued or not ({dialogue}) or not ({conference})",
        "g2_open": "strikes > 0 or democracy_fines > 0",
    }
    groups = {
        "g1": "c11 + c12 + c13",
        "g2": "c21 + c22 + c23 + c24",
        "g3": "c31 + c32",
        "g4": "c41 + c42 + c43 + c44 + c45 + c46",
        "g5": "c51 + c52 + c53",
        "g6": "c61 + c62 + c63",
        "total": "round(100 * (c11 + c12 + c13 + c21 + c22 + c23 + c24 + c31 + c32 + c41 + c42"
                 " + c43 + c44 + c45 + c46 + c51 + c52 + c53 + c61 + c62 + c63)) / 100",
        "g1_open": "g1_open",
        "g2_open": "g2_open",
    }
    classify = {
        "total": "total",
        "band": "total >= 80 ? 3 : total >= 65 ? 2 : total >= 50 ? 1 : 0",
        "g3_open": ("g1 * 2 < 15 or g2 * 2 < 25 or g3 * 2 < 20 or g4 * 2 < 15 or g5 * 2 < 15 "
                    "or g6 * 2 < 10"),
        "g1_open": "g1_open",
        "g2_open": "g2_open",
    }
    final = {
        "total": "total",
        "class": ('min([band, g1_open or g2_open ? 1 : 3, g3_open ? 2 : 3]) == 3 ? "tot" : '
                  'min([band, g1_open or g2_open ? 1 : 3, g3_open ? 2 : 3]) == 2 ? "kha" : '
                  'min([band, g1_open or g2_open ? 1 : 3, g3_open ? 2 : 3]) == 1 ? '
                  '"trung_binh" : "yeu"'),
    }

    def node(name: str, expressions: Dict[str, str]) -> Dict[str, Any]:
        return {
            "id": name, "name": name, "type": "expressionNode", "position": {"x": 0, "y": 0},
            "content": {"expressions": [
                {"id": f"{name}-{key}", "key": key, "value": value}
                for key, value in expressions.items()]},
        }

    nodes = [{"id": "in", "name": "in", "type": "inputNode", "position": {"x": 0, "y": 0}},
             node("criteria", criteria), node("groups", groups), node("classify", classify),
             node("final", final),
             {"id": "out", "name": "out", "type": "outputNode", "position": {"x": 0, "y": 0}}]
    order = ["in", "criteria", "groups", "classify", "final", "out"]
    edges = [{"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
             for i, (a, b) in enumerate(zip(order, order[1:]))]
    return {"nodes": nodes, "edges": edges}


# -------------------------------------------------------------- timing

def seconds(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "chamdiem"))
    args = parser.parse_args()

    import statistics
    import tempfile

    import pandas
    import polars
    import pyarrow
    import zen

    data = records(args.count)
    frame = pandas.DataFrame(data)
    table = pyarrow.Table.from_pylist(data)
    polars_frame = polars.from_dicts(data, infer_schema_length=None)
    pack = chamdiem.load_pack("vn.enterprise")
    start_, end_ = reference_scorer.parse_period(PERIOD)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"vn": zen_decision()}}})
    period = {"start": "2024-01-01", "end": "2024-12-31"}

    # The engines agree before they are timed.
    sample = data[:2000]
    ours = pack.score_many(sample, period=PERIOD)
    oracle = [reference_scorer.score_record(r, start_, end_) for r in sample]
    theirs = engine.evaluate_batch([{"key": "vn", "context": {**r, **period}} for r in sample])
    for i, (a, b, c) in enumerate(zip(ours, oracle, theirs)):
        zen_result = c["data"]["result"]
        assert (a["total"], a["class"]) == (b["total"], b["class"]), (i, a, b)
        assert abs(zen_result["total"] - a["total"]) < 0.005 and zen_result["class"] == a["class"], \
            (i, a["total"], a["class"], zen_result)
    # Every table crosses as Arrow columns (no row-by-row fallback).
    import warnings
    warnings.simplefilter("error", chamdiem.SlowPathWarning)

    n = len(data)
    zen_requests = [{"key": "vn", "context": {**r, **period}} for r in data]
    jsonl = Path(tempfile.mkdtemp()) / "records.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data), encoding="utf-8")
    cli = [args.cli, "score", "--pack", "vn.enterprise", "--period", PERIOD, str(jsonl)]
    measures: Dict[str, Callable[[], Any]] = {
        "score_many, pandas DataFrame": lambda: pack.score_many(frame, period=PERIOD),
        "score_many, pyarrow Table": lambda: pack.score_many(table, period=PERIOD),
        "score_many, polars DataFrame": lambda: pack.score_many(polars_frame, period=PERIOD),
        "score_many, list of dicts": lambda: pack.score_many(data, period=PERIOD),
        "the core: release CLI, JSON Lines in and out": lambda: subprocess.run(
            cli, check=True, stdout=subprocess.DEVNULL),
        "reference_scorer.py (pure Python, 1 core)":
            lambda: [reference_scorer.score_record(r, start_, end_) for r in data],
        "zen-engine evaluate_batch": lambda: engine.evaluate_batch(zen_requests),
    }
    times: Dict[str, List[float]] = {name: [] for name in measures}
    for round_ in range(args.rounds):
        for name, run in measures.items():
            times[name].append(seconds(run))
        print(f"round {round_ + 1}: " + ", ".join(f"{n / t[-1]:,.0f}" for t in times.values()),
              file=sys.stderr)
    rates = {name: n / statistics.median(t) for name, t in times.items()}
    print(f"{n:,} valid records of vn.enterprise, period {PERIOD}, {os.cpu_count()} cores, "
          f"median of {args.rounds} interleaved rounds; records/s:")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} |")
    python = rates["reference_scorer.py (pure Python, 1 core)"]
    zen_rate = rates["zen-engine evaluate_batch"]
    core = rates["the core: release CLI, JSON Lines in and out"]
    for name in list(rates)[:4]:
        print(f"{name}: ÷ pure Python {rates[name] / python:.1f}×, ÷ ZEN {rates[name] / zen_rate:.1f}×, "
              f"core ÷ it {core / rates[name]:.2f}×")


if __name__ == "__main__":
    main()
