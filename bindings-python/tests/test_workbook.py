"""Excel in: the template filled as a person fills it (openpyxl, dates as
real Excel dates, Có/Không from the drop-down, numbers as numbers), then
scored by the command and by the package: the same results as the JSON of
the same records."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

import chamdiem
from conftest import CLI, ROOT, read_jsonl

openpyxl = pytest.importorskip("openpyxl")

PACK = "vn.enterprise"
EXAMPLES = ROOT / "examples" / "doanh-nghiep-2024.jsonl"


def _date(text: Any) -> Any:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def fill(template: Path, records: List[Dict[str, Any]], out: Path) -> None:
    """Types `records` into the template, one row each from row 3."""
    book = openpyxl.load_workbook(template)
    sheet = book["Dữ liệu"]
    keys = [cell.value for cell in sheet[2]]
    for i, record in enumerate(records):
        for j, key in enumerate(keys):
            value = record.get(key)
            cell = sheet.cell(row=3 + i, column=1 + j)
            if value is None:
                continue  # left empty
            if isinstance(value, bool):
                cell.value = "Có" if value else "Không"
            elif isinstance(value, list):
                # Several dates in one cell, as the notes say: dd/mm/yyyy; dd/mm/yyyy
                cell.value = "; ".join(
                    _date(v).strftime("%d/%m/%Y") if _date(v) else str(v) for v in value
                )
            elif key.endswith("_date") and _date(value):
                cell.value = _date(value)  # a real Excel date
                cell.number_format = "dd/mm/yyyy"
            else:
                cell.value = value  # numbers stay numbers; a wrong text stays text
    book.save(out)


def complete_records(pack: chamdiem.Pack) -> List[Dict[str, Any]]:
    """The example records that give every declared field (a blank cell reads
    as an empty CSV cell, so an absent key has no cell to stand for it)."""
    keys = [f["name"] for f in pack.schema()]
    return [r for r in read_jsonl(EXAMPLES) if all(k in r for k in keys)]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], cwd=cwd, capture_output=True, text=True)


def test_template_filled_with_openpyxl_scores_as_the_json(tmp_path: Path) -> None:
    pack = chamdiem.load_pack(PACK)
    template = tmp_path / "mau-cham-diem.xlsx"
    data = pack.template(template)
    assert template.read_bytes() == data

    # What openpyxl sees: labels over keys, the drop-downs and checks.
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[:2] == ["Dữ liệu", "Ghi chú"]
    sheet = book["Dữ liệu"]
    schema = pack.schema()
    assert [c.value for c in sheet[2]] == [f["name"] for f in schema]
    assert [c.value for c in sheet[1]] == [
        f["label"] + (" *" if f["required"] else "") for f in schema
    ]
    assert sheet.freeze_panes == "A3"
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    column = {f["name"]: openpyxl.utils.get_column_letter(i + 1) for i, f in enumerate(schema)}
    has_union = validations[f"{column['has_union']}3:{column['has_union']}2002"]
    assert has_union.type == "list" and has_union.formula1 == '"Có,Không"'
    employees = validations[f"{column['employees']}3:{column['employees']}2002"]
    assert employees.type == "whole" and employees.operator == "greaterThanOrEqual"
    assert employees.formula1 == "0"
    conference = validations[
        f"{column['workers_conference_date']}3:{column['workers_conference_date']}2002"
    ]
    assert conference.type == "date"
    notes = [c for row in book["Ghi chú"].iter_rows(values_only=True) for c in row if c]
    assert pack.fingerprint in notes and pack.id in notes

    records = complete_records(pack)
    assert len(records) > 200
    filled = tmp_path / "cong-doan-a.xlsx"
    fill(template, records, filled)
    as_json = tmp_path / "cong-doan-a.jsonl"
    as_json.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )

    from_xlsx = cli("score", filled.name, "--period", "2024", "--pack", PACK, cwd=tmp_path)
    from_json = cli("score", as_json.name, "--period", "2024", "--pack", PACK, cwd=tmp_path)
    assert from_xlsx.returncode == from_json.returncode == 1, from_xlsx.stderr  # some records are in error
    xlsx_results = [json.loads(line) for line in from_xlsx.stdout.splitlines()]
    json_results = [json.loads(line) for line in from_json.stdout.splitlines()]
    assert len(xlsx_results) == len(json_results) == len(records)
    for i, (x, j) in enumerate(zip(xlsx_results, json_results)):
        source = x.pop("source")
        assert source == {"file": filled.name, "sheet": "Dữ liệu", "row": 3 + i}
        assert x == j
    statuses = {r["status"] for r in json_results}
    assert statuses == {"scored", "not_applicable", "error"}

    # The package reads the same workbook the same way (path, or bytes).
    by_path = pack.score_many(str(filled), period="2024")
    assert [dict(r, source=None) for r in by_path] == [dict(r, source=None) for r in json_results]
    assert by_path[0]["source"] == {"file": str(filled), "sheet": "Dữ liệu", "row": 3}
    by_bytes = pack.score_workbook(filled.read_bytes(), period="2024", sheet="Dữ liệu")
    assert [r["total"] for r in by_bytes] == [r["total"] for r in json_results]


def test_formula_without_value_and_broken_workbooks_are_refused(tmp_path: Path) -> None:
    pack = chamdiem.load_pack(PACK)
    template = tmp_path / "mau.xlsx"
    pack.template(template)
    book = openpyxl.load_workbook(template)
    sheet = book["Dữ liệu"]
    keys = [c.value for c in sheet[2]]
    sheet.cell(row=3, column=1, value="X1")
    # openpyxl saves a formula without its computed value.
    sheet.cell(row=3, column=1 + keys.index("employees"), value="=100+20")
    formula = tmp_path / "cong-thuc.xlsx"
    book.save(formula)
    run = cli("score", formula.name, "--period", "2024", cwd=tmp_path)
    assert run.returncode == 2
    assert "công thức chưa được tính" in run.stderr
    with pytest.raises(chamdiem.InputError, match="công thức chưa được tính"):
        pack.score_workbook(formula, period="2024")

    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(formula.read_bytes()[:2000])
    with pytest.raises(chamdiem.InputError, match="bị hỏng"):
        pack.score_many(broken, period="2024")
    with pytest.raises(chamdiem.InputError, match="không có trang tính"):
        pack.score_workbook(template, period="2024", sheet="Trang khác")


def test_a_workbook_path_is_read_as_the_file_it_names(tmp_path: Path) -> None:
    """A path that does not exist is FileNotFoundError; a named pipe (say, a
    download streamed into it) is read like a file, not reported missing."""
    import os
    import threading

    pack = chamdiem.load_pack(PACK)
    template = tmp_path / "mau.xlsx"
    pack.template(template)
    filled = tmp_path / "du-lieu.xlsx"
    fill(template, complete_records(pack)[:20], filled)
    with pytest.raises(FileNotFoundError):
        pack.score_workbook(tmp_path / "khong-co", period="2024")

    pipe = tmp_path / "ong-dan"  # no extension: the format is told from the bytes
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(filled.read_bytes()))
    writer.start()
    try:
        from_pipe = pack.score_workbook(pipe, period="2024")
    finally:
        writer.join(timeout=30)
    from_file = pack.score_workbook(filled, period="2024")
    assert len(from_pipe) == len(from_file) == 20
    assert [dict(r, source=None) for r in from_pipe] == [dict(r, source=None) for r in from_file]
