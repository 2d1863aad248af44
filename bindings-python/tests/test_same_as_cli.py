"""Same answer everywhere: the package equals the CLI, field for field, for
`score` and for `score_many` on a list, a pandas DataFrame, a pyarrow Table
and a polars DataFrame, on the shared cases and on every pack's examples."""

from __future__ import annotations

import math
from typing import Any, Dict, List

import pytest

import chamdiem
from conftest import pack_examples, run_cli

PACKS = ["vn.enterprise", "tay-ninh.enterprise"]


def flat(line: Dict[str, Any]) -> Dict[str, Any]:
    """A CLI JSON line as one table row: objects as dotted columns."""
    row: Dict[str, Any] = {}
    for key, value in line.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                row[f"{key}.{sub}"] = v
        else:
            row[key] = value
    return row


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def plain(value: Any) -> Any:
    """A table cell as plain Python (numpy arrays and scalars, pandas NA)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return None if missing(value) else value


def assert_rows_equal(rows: List[Dict[str, Any]], lines: List[Dict[str, Any]]) -> None:
    assert len(rows) == len(lines)
    for i, (row, line) in enumerate(zip(rows, lines)):
        want = flat(line)
        # Every column of the CLI's line is in the row, with its value; a
        # column the line lacks (a criterion of an unscored record) is empty.
        for column, value in row.items():
            got = plain(value)
            if column in want:
                assert got == want[column], (i, line.get("id"), column, got, want[column])
            else:
                assert got is None, (i, column, got)
        assert set(want) <= set(row), (i, set(want) - set(row))


def with_nulls(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The records as a table holds them: every column in every row, `null`
    where a record had no key (as an empty CSV cell)."""
    keys: List[str] = []
    for record in records:
        keys.extend(k for k in record if k not in keys)
    return [{k: record.get(k) for k in keys} for record in records]


def arrow_friendly(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The records whose values have their column's usual type (a column of
    numbers with the text "nhiều" in it cannot be an Arrow column)."""
    from collections import Counter

    def kind(value: Any) -> str:
        return "number" if type(value) in (int, float) else type(value).__name__

    counts: Dict[str, Counter] = {}
    for record in records:
        for key, value in record.items():
            if value is not None:
                counts.setdefault(key, Counter())[kind(value)] += 1
    usual = {key: c.most_common(1)[0][0] for key, c in counts.items()}
    return [r for r in records
            if all(v is None or kind(v) == usual[k] for k, v in r.items())]


@pytest.mark.parametrize("pack_id", PACKS)
def test_score_and_score_many_on_a_list_equal_the_cli(pack_id, cases, tmp_path) -> None:
    pack = chamdiem.load_pack(pack_id)
    lines = run_cli(pack_id, "2024", cases, tmp_path)
    assert [pack.score(r, period="2024").to_dict() for r in cases] == lines
    assert pack.score_many(cases, period="2024") == lines
    statuses = {line["status"] for line in lines}
    assert statuses == {"scored", "not_applicable", "error"}


def test_the_shared_cases_agree_with_the_reference_scorer(cli_cases) -> None:
    # The expected file was written by an independent Python scorer.
    from conftest import ROOT, read_jsonl

    expected = read_jsonl(ROOT / "tests" / "cases" / "vn.enterprise-2024.expected.jsonl")
    pack = chamdiem.load_pack("vn.enterprise")
    cases = read_jsonl(ROOT / "tests" / "cases" / "vn.enterprise-2024.input.jsonl")
    got = pack.score_many(cases, period="2024")
    for mine, want in zip(got, expected):
        for key in ("id", "status", "total", "class", "class_label", "groups", "criteria", "gates"):
            assert mine[key] == want[key], (want["id"], key)
        assert [e["field"] for e in mine["errors"]] == [e["field"] for e in want["errors"]]


@pytest.mark.parametrize("pack_id", PACKS)
def test_score_many_on_pandas_equals_the_cli(pack_id, cases, tmp_path) -> None:
    pandas = pytest.importorskip("pandas")
    records = with_nulls(cases)
    lines = run_cli(pack_id, "2024", records, tmp_path)
    frame = pandas.DataFrame(records, index=[f"r{i}" for i in range(len(records))])
    out = chamdiem.load_pack(pack_id).score_many(frame, period="2024")
    assert isinstance(out, pandas.DataFrame)
    assert list(out.index) == list(frame.index)
    assert out["total"].dtype == "float64"
    assert_rows_equal(out.to_dict("records"), lines)


@pytest.mark.parametrize("pack_id", PACKS)
def test_score_many_on_pyarrow_equals_the_cli(pack_id, cases, tmp_path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    records = with_nulls(arrow_friendly(cases))
    assert len(records) > 250
    lines = run_cli(pack_id, "2024", records, tmp_path)
    table = pyarrow.Table.from_pylist(records)
    out = chamdiem.load_pack(pack_id).score_many(table, period="2024")
    assert isinstance(out, pyarrow.Table)
    assert out.schema.field("total").type == pyarrow.float64()
    assert_rows_equal(out.to_pylist(), lines)
    # A batch of records is a table too.
    batch = table.to_batches()[0]
    assert chamdiem.load_pack(pack_id).score_many(batch, period="2024").num_rows == batch.num_rows


@pytest.mark.parametrize("pack_id", PACKS)
def test_score_many_on_polars_equals_the_cli(pack_id, cases, tmp_path) -> None:
    polars = pytest.importorskip("polars")
    records = with_nulls(arrow_friendly(cases))
    lines = run_cli(pack_id, "2024", records, tmp_path)
    frame = polars.from_dicts(records, infer_schema_length=None)
    out = chamdiem.load_pack(pack_id).score_many(frame, period="2024")
    assert isinstance(out, polars.DataFrame)
    assert out.schema["total"] == polars.Float64
    assert_rows_equal(out.to_dicts(), lines)


def test_dates_as_date_objects_score_as_iso_text(cases) -> None:
    import datetime

    pack = chamdiem.load_pack("vn.enterprise")
    record = dict(cases[0])
    as_dates = dict(record)
    as_dates["workers_conference_date"] = datetime.date.fromisoformat(record["workers_conference_date"])
    as_dates["periodic_dialogue_dates"] = [
        datetime.datetime.fromisoformat(d) for d in record["periodic_dialogue_dates"]]
    assert pack.score(as_dates, period="2024") == pack.score(record, period="2024")
    # A time of day is not a date: the record is refused, not silently truncated.
    with_time = dict(record, workers_conference_date=datetime.datetime(2024, 2, 7, 9, 30))
    result = pack.score(with_time, period="2024")
    assert result.status == "error"
    assert [e["field"] for e in result.errors] == ["workers_conference_date"]


EXAMPLE_GROUPS = list(pack_examples())


@pytest.mark.parametrize("pack_id,period,examples", EXAMPLE_GROUPS,
                         ids=[f"{p}-{q}" for p, q, _ in EXAMPLE_GROUPS])
def test_pack_examples_equal_the_cli(pack_id, period, examples, tmp_path) -> None:
    pack = chamdiem.load_pack(pack_id)
    records = [e["record"] for e in examples]
    if any("error" in e["expect"] for e in examples):
        assert all("error" in e["expect"] for e in examples)
        with pytest.raises(chamdiem.ChamdiemError) as error:
            pack.score(records[0], period=period)
        assert examples[0]["expect"]["error"] in str(error.value)
        return
    lines = run_cli(pack_id, period, records, tmp_path)
    assert [pack.score(r, period=period).to_dict() for r in records] == lines
    assert pack.score_many(records, period=period) == lines
    pandas = pytest.importorskip("pandas")
    rows = with_nulls([r for r in records if isinstance(r, dict)])
    assert_rows_equal(
        pack.score_many(pandas.DataFrame(rows), period=period).to_dict("records"),
        run_cli(pack_id, period, rows, tmp_path),
    )
