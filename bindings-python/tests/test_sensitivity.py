"""``Pack.sensitivity`` from the installed wheel: DataFrames with the same
numbers as the command's JSON for the same file, pack, samples and seed, and
the hand-checked case of the core's tests."""

from __future__ import annotations

import json
import subprocess

import pytest

import chamdiem
from conftest import CLI, ROOT, read_jsonl

pandas = pytest.importorskip("pandas")

HAND = """
pack(#{ id: "t.hand", title: "Tay", version: "1", max_points: 100 });
field("id", #{ type: "string" });
field("a", #{ type: "bool" });
field("b", #{ type: "int", min: 0, max: 4 });
group("1", #{ label: "Một" });
criterion("A", #{ group: "1", points: 50, label: "A", rule: |r| if r.a { pass("có") } else { fail("không") } });
criterion("B", #{ group: "1", points: 50, label: "B", rule: |r| part(r.b, 4, "phần") });
band("dat", #{ label: "Đạt", min: 50 });
band("chua", #{ label: "Chưa đạt", min: 0 });
"""


def test_the_hand_checked_case() -> None:
    # Under ±10 % A's points lie in [45, 55] and so does the threshold:
    # 100, 0, 75 and 25 points never move; exactly 50 (A alone) does.
    pack = chamdiem.Pack.from_sources({"pack.rhai": HAND})
    records = [
        {"id": "full", "a": True, "b": 4},
        {"id": "none", "a": False, "b": 0},
        {"id": "a-only", "a": True, "b": 0},
        {"id": "a-half", "a": True, "b": 2},
        {"id": "half", "a": False, "b": 2},
    ]
    per_record, per_criterion = pack.sensitivity(records, period="2024", samples=300, seed=4)
    stability = dict(zip(per_record["id"], per_record["stability"]))
    for sure in ["full", "none", "a-half", "half"]:
        assert stability[sure] == 1.0
    assert 0.0 < stability["a-only"] < 1.0
    row = per_record.set_index("id").loc["a-only"]
    assert row["share.dat"] + row["share.chua"] == pytest.approx(1.0)
    assert bool(row["knife_edge"]) is True
    # One at a time: A down 10 % (47.37 points) drops "a-only"; A up does not.
    a = per_criterion.set_index("id").loc["A"]
    assert (a["moved_up"], a["moved_down"], a["moved"]) == (0, 1, 1)
    assert a["points"] == 50
    # A DataFrame of the same records gives the same tables.
    framed, _ = pack.sensitivity(pandas.DataFrame(records), period="2024", samples=300, seed=4)
    assert framed.equals(per_record)


def test_the_same_numbers_as_the_command(tmp_path) -> None:
    source = ROOT / "examples" / "doanh-nghiep-2024.jsonl"
    records = read_jsonl(source)
    pack = chamdiem.load_pack("vn.enterprise")
    per_record, per_criterion, full = pack.sensitivity(
        records,
        period="2024", vary=0.1, samples=80, seed=9, full=True,
    )
    assert len(per_record) == 300
    out = tmp_path / "s.json"
    done = subprocess.run(
        [str(CLI), "sensitivity", str(source), "--period", "2024", "--samples", "80",
         "--seed", "9", "-o", str(out)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert done.returncode == 1, done.stderr  # the example file's 9 records in error
    cli = json.loads(out.read_text(encoding="utf-8"))
    assert full == cli
    stabilities = [r.get("stability") for r in cli["records"]]
    assert [None if pandas.isna(s) else s for s in per_record["stability"]] == stabilities
    assert list(per_criterion["moved"]) == [c["moved"] for c in cli["criteria"]]
    # The same seed, the same answer.
    again, _ = pack.sensitivity(records, period="2024", samples=80, seed=9)
    assert again.equals(per_record)


def test_bad_options_raise() -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    with pytest.raises(chamdiem.ChamdiemError):
        pack.sensitivity([], period="2024", vary=1.5)
    with pytest.raises(TypeError):
        pack.sensitivity("not records", period="2024")
    # Out of the integer types too: a ValueError saying what fits.
    for options in ({"samples": -5}, {"samples": 10**12}, {"seed": -1}, {"seed": 2**80}):
        with pytest.raises(ValueError, match="must be from"):
            pack.sensitivity([], period="2024", **options)  # type: ignore[arg-type]
