"""Pack.report and chamdiem.diff from the installed package: the same
numbers as the command's report and diff, class counts recounted from the
command's score lines, DataFrames, and files written (the workbook read back
with openpyxl)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest

import chamdiem
from conftest import ARTIFACTS, CLI, ROOT, read_jsonl

EXAMPLES = ROOT / "examples" / "doanh-nghiep-2024.jsonl"
DISTRICT = "tay-ninh.duong-minh-chau.enterprise"


def cli_json(*args: str) -> Dict[str, Any]:
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def cli_lines(pack: str) -> List[Dict[str, Any]]:
    done = subprocess.run(
        [str(CLI), "score", str(EXAMPLES), "--pack", pack, "--period", "2024"],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def records() -> List[Dict[str, Any]]:
    return read_jsonl(EXAMPLES)


def test_report_equals_the_command_and_recounts(records: List[Dict[str, Any]], tmp_path: Path) -> None:
    pack = chamdiem.load_pack(DISTRICT)
    report = pack.report(records, period="2024", by="unit")
    assert report == cli_json("report", str(EXAMPLES), "--pack", DISTRICT, "--period", "2024", "--format", "json")
    lines = cli_lines(DISTRICT)
    classes = Counter(line["class"] for line in lines if line["status"] == "scored")
    assert report["total"]["classes"] == [classes[c["code"]] for c in report["classes"]]
    per_unit = Counter(line.get("unit") or "(không ghi)" for line in lines)
    assert {g["name"]: g["records"] for g in report["groups"]} == dict(per_unit)
    assert report["deadline"]["due"] == "2024-11-05"
    assert pack.report(records, period="2024-H1")["deadline"]["id"] == "bao_cao_6_thang"


def test_report_from_a_dataframe_by_province(records: List[Dict[str, Any]]) -> None:
    pd = pytest.importorskip("pandas")
    pack = chamdiem.load_pack(DISTRICT)
    frame = pd.DataFrame(records)
    report = pack.report(frame, period="2024", by="province")
    assert report["by"] == "province"
    # A DataFrame gives every record every column, NaN where a record had no
    # value: an empty cell, as in a CSV file. So the DataFrame of the JSONL
    # records reports as the command does on the CSV of the same records
    # (a record whose key was absent from its JSON line is an error there,
    # and scored with an empty cell here).
    from_csv = cli_json(
        "report", str(EXAMPLES.with_suffix(".csv")), "--pack", DISTRICT,
        "--period", "2024", "--by", "province", "--format", "json",
    )
    assert report["total"] == from_csv["total"]
    assert report["groups"] == from_csv["groups"]
    from_list = pack.report(records, period="2024", by="province")
    assert from_list["total"]["records"] == report["total"]["records"]
    with pytest.raises(chamdiem.InputError):
        pack.report(records, period="2024", by="xa")


def test_report_files(records: List[Dict[str, Any]], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    pack = chamdiem.load_pack(DISTRICT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    xlsx = ARTIFACTS / "bao-cao.xlsx"
    report = pack.report(records, period="2024", output=xlsx)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Tổng hợp", "Bản ghi", "Tiêu chí", "Xếp hạng", "Ghi chú"]
    summary = book["Tổng hợp"]
    total_row = 5 + len(report["groups"]) + 1
    assert summary.cell(total_row, 1).value == "Tổng cộng"
    assert summary.cell(total_row, 2).value == 300
    assert [summary.cell(total_row, 4 + i).value for i in range(4)] == report["total"]["classes"]
    sheet = book["Bản ghi"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize in (9, "9")
    assert sheet.max_row == 301
    html = tmp_path / "bao-cao.html"
    pack.report(records, period="2024", output=html)
    assert html.read_text(encoding="utf-8").count('<g class="bar"') == len(report["groups"])
    with pytest.raises(ValueError, match=".pdf"):
        pack.report(records, period="2024", output=tmp_path / "x.pdf")


def test_diff_dataframes_match_the_command(records: List[Dict[str, Any]], tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    result = chamdiem.diff(records, "vn.enterprise", chamdiem.load_pack("tay-ninh.enterprise"), period="2024")
    expected = cli_json(
        "diff", str(EXAMPLES), "--old", "vn.enterprise", "--new", "tay-ninh.enterprise",
        "--period", "2024", "--format", "json",
    )
    assert result.data == expected
    # The matrix recounted from two score runs.
    def outcome(line: Dict[str, Any]) -> str:
        return line["class_label"] if line["status"] == "scored" else (
            "Không thuộc đối tượng" if line["status"] == "not_applicable" else "Lỗi")
    pairs = Counter(zip(map(outcome, cli_lines("vn.enterprise")), map(outcome, cli_lines("tay-ninh.enterprise"))))
    for (old, new), n in pairs.items():
        assert result.matrix.loc[old, new] == n
    assert int(result.matrix.values.sum()) == 300
    moved = sum(n for (old, new), n in pairs.items() if old != new)
    assert moved > 0
    assert int(result.summary.loc[0, "changed_class"]) == moved
    assert len(result.moved) == moved
    assert all(result.moved["old_class"] != result.moved["new_class"])
    out = tmp_path / "so-sanh.csv"
    chamdiem.diff(records, "vn.enterprise", "tay-ninh.enterprise", period="2024", output=out)
    assert len(out.read_text(encoding="utf-8").strip().splitlines()) == moved + 1
