"""Tables cross as Arrow columns (the C stream interface, read in Rust): the
results equal the CLI's for typed columns of every kind the engine reads
(integers of each width, floats with NaN, nullable integers, booleans,
categories, text of each Arrow layout, dates, timestamps, lists of dates,
tables of several batches), and a table that cannot cross that way is scored
row by row, says why, and gives the same results."""

from __future__ import annotations

import datetime
import json
import sys
import warnings
from typing import Any, Dict, List

import pytest

import chamdiem
from conftest import run_cli
from test_same_as_cli import arrow_friendly, assert_rows_equal, with_nulls

PERIOD = "2024"


@pytest.fixture(scope="module")
def records(cases: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The shared cases whose columns have one type each, every key in every record."""
    rows = with_nulls(arrow_friendly(cases))
    assert len(rows) > 250
    # Missing values of every kind a column can hold.
    assert any(r["employees"] is None for r in rows)
    assert any(r["workers_conference_date"] is None for r in rows)
    assert any(r["periodic_dialogue_dates"] is None for r in rows)
    return rows


def is_date(text: Any) -> bool:
    try:
        datetime.date.fromisoformat(text)
        return True
    except (TypeError, ValueError):
        return False


@pytest.fixture(scope="module")
def typed(records) -> List[Dict[str, Any]]:
    """The records whose dates are valid ISO dates (a date column holds no other)."""
    rows = [r for r in records
            if (r["workers_conference_date"] is None or is_date(r["workers_conference_date"]))
            and all(is_date(d) for d in r["periodic_dialogue_dates"] or [])]
    assert len(rows) > 200
    return rows


@pytest.fixture(scope="module")
def expected(typed, tmp_path_factory) -> List[Dict[str, Any]]:
    return run_cli("vn.enterprise", PERIOD, typed, tmp_path_factory.mktemp("cli"))


def fast(score: Any) -> Any:
    """Runs `score()` with the slow path as an error: the table must cross as Arrow."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", chamdiem.SlowPathWarning)
        warnings.simplefilter("ignore", chamdiem.IgnoredColumnsWarning)
        return score()


def to_date(text: Any) -> Any:
    return None if text is None else datetime.date.fromisoformat(text)


def test_a_list_of_dicts_gives_the_cli_json_exactly(typed, expected) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    got = pack.score_many(typed, period=PERIOD)
    # Byte for byte once written again: same keys, order, ints and floats.
    dump = lambda rows: [json.dumps(r, ensure_ascii=False) for r in rows]  # noqa: E731
    assert dump(got) == dump(expected)
    assert {r["status"] for r in got} == {"scored", "not_applicable", "error"}


def test_pandas_typed_columns_cross_as_arrow(typed, expected) -> None:
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pandas.DataFrame(typed)
    # NaT for a missing date, pd.NA for a missing count, a category, lists of dates.
    frame["workers_conference_date"] = pandas.to_datetime(frame["workers_conference_date"])
    frame["employees"] = frame["employees"].astype("Int64")
    frame["ownership"] = frame["ownership"].astype("category")
    frame["periodic_dialogue_dates"] = [
        None if v is None else [to_date(d) for d in v] for v in frame["periodic_dialogue_dates"]
    ]
    assert frame["employees"].isna().any() and frame["workers_conference_date"].isna().any()
    out = fast(lambda: chamdiem.load_pack("vn.enterprise").score_many(frame, period=PERIOD))
    assert isinstance(out, pandas.DataFrame)
    assert_rows_equal(out.to_dict("records"), expected)


def test_pyarrow_typed_columns_and_several_batches_cross_as_arrow(typed, expected) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    table = pyarrow.Table.from_pylist(typed)
    retyped = {
        "workers_conference_date": pyarrow.date32(),
        "periodic_dialogue_dates": pyarrow.large_list(pyarrow.date32()),
        "employees": pyarrow.int32(),
        "strikes": pyarrow.int8(),
        "dialogue_requests": pyarrow.float32(),
        "name": pyarrow.large_string(),
        "unit": pyarrow.string_view(),
    }
    for name, kind in retyped.items():
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).cast(kind))
    i = table.schema.get_field_index("ownership")
    table = table.set_column(i, "ownership", table.column("ownership").dictionary_encode())
    # Four batches: rows are found across them.
    n = table.num_rows
    chunked = pyarrow.concat_tables(
        [table.slice(0, 7), table.slice(7, 100), table.slice(107, 1), table.slice(108)]
    )
    assert len(chunked.to_batches()) == 4
    out = fast(lambda: chamdiem.load_pack("vn.enterprise").score_many(chunked, period=PERIOD))
    assert isinstance(out, pyarrow.Table) and out.num_rows == n
    assert out.schema.field("total").type == pyarrow.float64()
    assert_rows_equal(out.to_pylist(), expected)


def test_polars_typed_columns_cross_as_arrow(typed, expected) -> None:
    polars = pytest.importorskip("polars")
    frame = polars.from_dicts(typed, infer_schema_length=None).with_columns(
        polars.col("workers_conference_date").str.to_date(),
        polars.col("periodic_dialogue_dates").list.eval(polars.element().str.to_date()),
        polars.col("ownership").cast(polars.Categorical),
        polars.col("employees").cast(polars.UInt32),
    )
    assert frame.schema["workers_conference_date"] == polars.Date
    out = fast(lambda: chamdiem.load_pack("vn.enterprise").score_many(frame, period=PERIOD))
    assert isinstance(out, polars.DataFrame)
    assert out.schema["total"] == polars.Float64
    assert_rows_equal(out.to_dicts(), expected)


def test_a_time_of_day_is_refused_as_on_the_dict_path(typed) -> None:
    pandas = pytest.importorskip("pandas")
    pyarrow = pytest.importorskip("pyarrow")
    pack = chamdiem.load_pack("vn.enterprise")
    rows = [dict(r) for r in typed[:40]]
    when = [r["workers_conference_date"] for r in rows]
    moments = [None if d is None else datetime.datetime.fromisoformat(d) for d in when]
    moments[0] = datetime.datetime(2024, 2, 7, 9, 30)
    moments[1] = datetime.datetime(2024, 2, 7, 0, 0, 0, 250)
    by_dicts = pack.score_many(
        [dict(r, workers_conference_date=m) for r, m in zip(rows, moments)], period=PERIOD)
    assert [e["field"] for e in by_dicts[0]["errors"]] == ["workers_conference_date"]
    assert "2024-02-07T09:30:00" in by_dicts[0]["errors"][0]["message"]
    frame = pandas.DataFrame(rows)
    frame["workers_conference_date"] = pandas.Series(moments, dtype="datetime64[us]")
    table = pyarrow.Table.from_pandas(frame, preserve_index=False)
    for data in (frame, table):
        out = fast(lambda: pack.score_many(data, period=PERIOD))
        rows_out = out.to_dict("records") if isinstance(out, pandas.DataFrame) else out.to_pylist()
        assert_rows_equal(rows_out, by_dicts)


def test_tables_that_cannot_cross_as_arrow_say_why_and_agree(cases, records, typed, monkeypatch) -> None:
    pandas = pytest.importorskip("pandas")
    pack = chamdiem.load_pack("vn.enterprise")
    # A column of numbers with a text in it (a typing mistake in a survey).
    mixed = with_nulls(cases)
    assert any(isinstance(r.get("employees"), str) for r in mixed)
    with pytest.warns(chamdiem.SlowPathWarning, match="employees"):
        out = pack.score_many(pandas.DataFrame(mixed), period=PERIOD)
    assert_rows_equal(out.to_dict("records"), pack.score_many(mixed, period=PERIOD))
    # Timestamps with a time zone.
    frame = pandas.DataFrame(typed)
    frame["workers_conference_date"] = pandas.to_datetime(
        frame["workers_conference_date"]).dt.tz_localize("Asia/Ho_Chi_Minh")
    with pytest.warns(chamdiem.SlowPathWarning, match="time zone"):
        out = pack.score_many(frame, period=PERIOD)
    by_dicts = pack.score_many(frame.to_dict("records"), period=PERIOD)
    assert_rows_equal(out.to_dict("records"), by_dicts)
    assert any(e["field"] == "workers_conference_date" for r in by_dicts for e in r["errors"])
    # pandas without pyarrow.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.warns(chamdiem.SlowPathWarning, match="pyarrow"):
        out = pack.score_many(pandas.DataFrame(records), period=PERIOD)
    assert_rows_equal(out.to_dict("records"), pack.score_many(records, period=PERIOD))


def test_progress_on_an_arrow_table(records, capsys) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    table = pyarrow.Table.from_pylist(records)
    out = fast(lambda: chamdiem.load_pack("vn.enterprise").score_many(
        table, period=PERIOD, progress=True))
    assert out.num_rows == len(records)
    err = capsys.readouterr().err
    assert "Chấm điểm" in err and f"{len(records)}/{len(records)}" in err


def test_pandas_columns_as_read_from_json_cross_as_arrow(records, tmp_path) -> None:
    # Dates as text (some of them invalid), lists of texts, numbers as floats with NaN.
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pandas.DataFrame(records)
    assert frame["employees"].dtype == "float64" and frame["employees"].isna().any()
    out = fast(lambda: chamdiem.load_pack("vn.enterprise").score_many(frame, period=PERIOD))
    assert_rows_equal(out.to_dict("records"), run_cli("vn.enterprise", PERIOD, records, tmp_path))


# A band with a condition, so that results have `unmet` entries.
CONDITIONED = """
extends("vn.enterprise");
pack(#{ id: "thu.dieu-kien", title: "Thử điều kiện của mức", version: "1" });
change_band("tot", #{ requires: |r| r.strikes == 0 && r.democracy_fines == 0,
                     condition: "không đình công, không bị xử phạt" });
"""


@pytest.mark.parametrize("pack_id", ["vn.enterprise", "tay-ninh.duong-minh-chau.enterprise", "conditioned"])
def test_results_built_as_arrow_equal_results_built_from_lists(records, pack_id, monkeypatch) -> None:
    """A pyarrow Table's results are Arrow columns built in Rust: the same
    table, type for type and value for value, as the one built from the
    native side's Python columns (the pandas path's)."""
    pyarrow = pytest.importorskip("pyarrow")
    from chamdiem import _arrow_stream, _build_table

    pack = (chamdiem.Pack.from_sources({"pack.rhai": CONDITIONED}, entry="pack.rhai")
            if pack_id == "conditioned" else chamdiem.load_pack(pack_id))
    table = pyarrow.Table.from_pylist(records)
    stream, why = _arrow_stream("arrow", table)
    assert why is None
    names, columns = pack._native.score_arrow(stream, PERIOD, None)
    error_keys = list(json.loads(pack._native.error_line(PERIOD))["errors"][0])
    from_lists = _build_table("arrow", table, names, columns, error_keys)

    def not_from_lists(*args: Any) -> None:
        raise AssertionError("a pyarrow Table's results were built from lists")

    monkeypatch.setattr(chamdiem, "_build_table", not_from_lists)
    as_arrow = fast(lambda: pack.score_many(table, period=PERIOD))
    as_polars = fast(lambda: pack.score_many(pytest.importorskip("polars").from_arrow(table), period=PERIOD))
    assert as_polars.to_arrow().to_pylist() == as_arrow.to_pylist()
    assert as_arrow.schema == from_lists.schema
    assert as_arrow.equals(from_lists)
    rows = as_arrow.to_pylist()
    # Every part of a result is in the comparison.
    assert {"scored", "error"} <= {r["status"] for r in rows}
    assert any(r["gates"] for r in rows)
    assert any(r["unmet"] for r in rows) == (pack_id == "conditioned")
    assert any(r["errors"] for r in rows)
    assert any(r["total"] is None for r in rows)

    # A DataFrame's results come from the same Arrow table: the same frame,
    # dtype for dtype, as pandas builds from the native side's lists.
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(records, index=[3 * i + 7 for i in range(len(records))])
    stream, why = _arrow_stream("pandas", frame)
    assert why is None
    names, columns = pack._native.score_arrow(stream, PERIOD, None)
    frame_from_lists = _build_table("pandas", frame, names, columns, error_keys)
    as_pandas = fast(lambda: pack.score_many(frame, period=PERIOD))
    pandas.testing.assert_frame_equal(as_pandas, frame_from_lists, check_exact=True)
    # Nested cells are Python lists, as before, not NumPy arrays.
    assert all(type(v) is list for name in ("gates", "unmet", "errors") for v in as_pandas[name])


def test_a_column_with_no_values_is_missing_everywhere(records, tmp_path) -> None:
    """A column whose every cell is missing (Arrow's null type: pandas makes
    it from an all-None column) reads as missing in every row, as on the
    JSON path, in a pyarrow Table and in a DataFrame."""
    pyarrow = pytest.importorskip("pyarrow")
    pandas = pytest.importorskip("pandas")
    rows = [dict(r, workers_conference_date=None, name=None) for r in records]
    expected = run_cli("vn.enterprise", PERIOD, rows, tmp_path)
    table = pyarrow.Table.from_pylist(rows)
    assert pyarrow.types.is_null(table.schema.field("workers_conference_date").type)
    pack = chamdiem.load_pack("vn.enterprise")
    assert_rows_equal(fast(lambda: pack.score_many(table, period=PERIOD)).to_pylist(), expected)
    frame = pandas.DataFrame(rows)
    out = fast(lambda: pack.score_many(frame, period=PERIOD))
    assert_rows_equal(out.to_dict("records"), expected)


def test_a_field_moved_to_the_index_is_still_read(typed, expected) -> None:
    """``df.set_index("id")`` (or a MultiIndex of fields) leaves the fields
    readable, as pyarrow keeps a named index: score_many, report, diff and
    sensitivity all see them; the results keep the frame's own index."""
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pack = chamdiem.load_pack("vn.enterprise")
    frame = pandas.DataFrame(typed)
    by_id = frame.set_index("id")
    out = fast(lambda: pack.score_many(by_id, period=PERIOD))
    assert list(out.index) == list(by_id.index)
    assert_rows_equal(out.to_dict("records"), expected)
    by_two = frame.set_index(["unit", "id"])
    out = fast(lambda: pack.score_many(by_two, period=PERIOD))
    assert list(out.index) == list(by_two.index)
    assert_rows_equal(out.to_dict("records"), expected)

    # The row-by-row path reads the index the same way.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = by_id.astype({"employees": object})
        mixed.iloc[0, mixed.columns.get_loc("employees")] = "nhiều"
        slow = pack.score_many(mixed, period=PERIOD)
    assert list(slow["id"])[1:] == [r["id"] for r in expected][1:]
    assert slow["errors"].iloc[0][0]["field"] == "employees"

    assert pack.report(by_id, period=PERIOD) == pack.report(frame, period=PERIOD)
    assert chamdiem.diff(by_id, pack, "tay-ninh.enterprise", period=PERIOD).summary.equals(
        chamdiem.diff(frame, pack, "tay-ninh.enterprise", period=PERIOD).summary
    )
    got, _ = pack.sensitivity(by_id, period=PERIOD, samples=20)
    want, _ = pack.sensitivity(frame, period=PERIOD, samples=20)
    assert got.equals(want)
