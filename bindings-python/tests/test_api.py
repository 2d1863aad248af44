"""The package's API: names, results, errors, descriptions."""

from __future__ import annotations

import copy
import json
import pickle
import sysconfig
import warnings
from pathlib import Path
from typing import Any, Dict

import pytest

import chamdiem
from conftest import ROOT, read_jsonl, run_cli


def test_the_installed_package_is_tested() -> None:
    # Not the source folder: the wheel installed in the virtual environment.
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(chamdiem.__file__).resolve().is_relative_to(site)
    assert (Path(chamdiem.__file__).parent / "py.typed").exists()


def test_packs_lists_the_built_in_packs_as_the_cli_does() -> None:
    listed = chamdiem.packs()
    ids = [p["id"] for p in listed]
    assert ids == sorted(p.name for p in (ROOT / "rules").iterdir())
    for p in listed:
        pack = chamdiem.load_pack(p["id"])
        assert (pack.id, pack.title, pack.version) == (p["id"], p["title"], p["version"])
        assert len(pack.fingerprint) == 64


def test_score_gives_attributes_and_the_cli_json(cases, cli_cases) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    result = pack.score(cases[0], period="2024")
    line = cli_cases[0]
    assert result.to_dict() == line
    assert result.status == line["status"] == "scored"
    assert result.total == line["total"]
    assert result.class_ == line["class"]
    assert result.class_label == line["class_label"]
    assert result.criteria == line["criteria"]
    assert result.groups == line["groups"]
    assert result.gates == line["gates"]
    assert result.reasons == line["reasons"]
    assert result.errors == line["errors"] == []
    assert result.period == line.get("period")
    assert result["pack"]["fingerprint"] == pack.fingerprint
    # to_dict gives a copy: changing it does not change the result.
    mine = result.to_dict()
    mine["criteria"]["1.1"] = -1
    assert result.to_dict() == line


def test_a_bad_record_is_an_error_result_not_an_exception(tmp_path) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    bad = {"id": "X1", "ownership": "private", "has_union": True, "employees": "nhiều"}
    result = pack.score(bad, period="2024")
    assert result.status == "error"
    fields = [e["field"] for e in result.errors]
    assert "employees" in fields and len(fields) > 20
    assert result.to_dict() == run_cli("vn.enterprise", "2024", [bad], tmp_path)[0]
    not_a_dict = pack.score([1, 2], period="2024")  # type: ignore[arg-type]
    assert not_a_dict.status == "error" and not_a_dict.errors[0]["field"] is None


def test_score_many_on_a_list_keeps_order_and_one_result_each(cases, cli_cases) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    mixed = [cases[0], "không phải bản ghi", cases[1], {"id": 7}]
    results = pack.score_many(mixed, period="2024")
    assert len(results) == 4
    assert results[0] == cli_cases[0] and results[2] == cli_cases[1]
    assert results[1]["status"] == results[3]["status"] == "error"
    assert pack.score_many([], period="2024") == []


def test_wrong_argument_types_raise_type_or_value_errors(cases) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    with pytest.raises(TypeError, match="period"):
        pack.score(cases[0], period=2024.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as bad_period:
        pack.score(cases[0], period="năm ngoái")
    assert isinstance(bad_period.value, chamdiem.InputError)
    assert bad_period.value.code == "period.invalid"
    with pytest.raises(TypeError, match="score_many expects"):
        pack.score_many("a.jsonl", period="2024")
    with pytest.raises(TypeError, match="score_many expects"):
        pack.score_many(42, period="2024")
    with pytest.raises(TypeError, match="keys must be str"):
        pack.score({1: "x"}, period="2024")  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="cannot score a value of type object"):
        pack.score({"id": object()}, period="2024")
    with pytest.raises(TypeError, match="load_pack expects"):
        chamdiem.load_pack(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="progress"):
        pack.score_many([], period="2024", progress="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        chamdiem.Pack()


def test_an_integer_year_is_a_period(cases) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    assert pack.score(cases[0], period=2024) == pack.score(cases[0], period="2024")


def test_a_pack_not_in_force_raises_an_input_error(cases) -> None:
    pack = chamdiem.load_pack("tay-ninh.duong-minh-chau.enterprise")
    with pytest.raises(chamdiem.InputError) as error:
        pack.score(cases[0], period="2026")
    assert "hiệu lực" in str(error.value)
    assert error.value.code == "pack.not_in_force"


def test_a_missing_pack_is_a_pack_error() -> None:
    with pytest.raises(chamdiem.PackError) as error:
        chamdiem.load_pack("vn.khong-co")
    assert error.value.code == "pack.not_found"
    assert "vn.khong-co" in str(error.value)


def test_hostile_packs_raise_with_file_line_and_code() -> None:
    expected = json.loads((ROOT / "tests" / "hostile" / "expected.json").read_text(encoding="utf-8"))
    checked = 0
    for name, want in expected.items():
        if name == "_" or want.get("phase") != "load" or not name.endswith(".rhai"):
            continue
        path = ROOT / "tests" / "hostile" / name
        with pytest.raises(chamdiem.PackError) as error:
            chamdiem.load_pack(str(path))
        e = error.value
        assert e.file is not None and e.file.endswith(".rhai"), name
        if want.get("line") is not None and want["type"] != "import":
            assert e.line == want["line"], (name, str(e))
        if want["type"] == "limit_exceeded":
            assert isinstance(e, chamdiem.LimitExceeded), name
            assert e.limit == want["limit"] and e.code == f"limit.{want['limit']}"
        else:
            assert not isinstance(e, chamdiem.LimitExceeded), name
        checked += 1
    assert checked >= 5


def test_a_rule_that_loops_gives_an_error_result_like_the_cli(cases, tmp_path) -> None:
    path = ROOT / "tests" / "hostile" / "loop-in-rule.rhai"
    pack = chamdiem.load_pack(str(path))
    record = cases[0]
    result = pack.score(record, period="2024")
    assert result.status == "error"
    assert "max_operations" in result.errors[0]["message"]
    assert result.to_dict() == run_cli(str(path), "2024", [record], tmp_path)[0]


def test_syntax_error_in_sources_names_file_line_and_column() -> None:
    text = 'extends("vn.enterprise");\n\nlet x = ;\n'
    with pytest.raises(chamdiem.PackError) as error:
        chamdiem.Pack.from_sources({"của-tôi.rhai": text}, entry="của-tôi.rhai")
    e = error.value
    assert (e.code, e.file, e.line) == ("pack.syntax", "của-tôi.rhai", 3)
    assert e.column is not None
    assert "của-tôi.rhai:3" in str(e)
    # Errors travel between processes.
    again = pickle.loads(pickle.dumps(e))
    assert (type(again), again.code, again.file, again.line, str(again)) == (
        type(e), e.code, e.file, e.line, str(e))


def test_from_sources_imports_its_own_files_and_runs_its_examples(cases) -> None:
    sources = chamdiem.Pack.built_in_sources("tay-ninh.enterprise")
    assert {"pack.rhai", "examples.jsonl"} <= set(sources)
    sources["lib/trong-so.rhai"] = "export const DOI_THOAI = 15;\nexport const HOI_NGHI = 10;\n"
    sources["pack.rhai"] = sources["pack.rhai"].replace(
        'change_criterion("2.1", #{ points: 12 });',
        'import "lib/trong-so" as w;\nchange_criterion("2.1", #{ points: w::DOI_THOAI });',
    ).replace('change_criterion("3.1", #{ points: 13 });',
              'change_criterion("3.1", #{ points: w::HOI_NGHI });')
    pack = chamdiem.Pack.from_sources(sources, entry="pack.rhai")
    assert "lib/trong-so.rhai" in pack.info()["sources"]
    assert {c["id"]: c["points"] for c in pack.info()["criteria"]}["2.1"] == 15
    result = pack.score(cases[0], period="2024")
    assert result.criteria["2.1"] in (0, 15) and result.status == "scored"
    # Its examples came along, and the changed weights make some fail.
    assert pack.test() != []
    with pytest.raises(chamdiem.PackError) as error:
        chamdiem.Pack.built_in_sources("vn.khong-co")
    assert error.value.code == "pack.not_found"


def test_records_that_hold_themselves_or_nest_too_deep_raise() -> None:
    """A dict that holds itself, or dicts nested 100,000 deep, is refused
    with a ValueError by `score` (it overflowed the stack and killed the
    interpreter) and is that record's error in `score_many`."""
    pack = chamdiem.load_pack("vn.enterprise")
    itself: Dict[str, Any] = {"id": "x"}
    itself["employees"] = itself
    deep: Dict[str, Any] = {}
    for _ in range(100_000):
        deep = {"a": deep}
    for record in (itself, {"id": "y", "employees": deep}, {"id": "z", "employees": [deep]}):
        with pytest.raises(ValueError, match="nests containers more than 32 deep"):
            pack.score(record, period="2024")
        results = pack.score_many([{"id": "a"}, record], period="2024")
        assert [r["status"] for r in results] == ["error", "error"]
        assert "32 deep" in results[1]["errors"][0]["message"]
        assert results[1]["id"] == record["id"]


def test_one_unreadable_record_does_not_stop_a_batch(cases) -> None:
    """A record holding a value the package does not score (bytes, an
    object, a set) makes `score` raise TypeError, but in a batch, of dicts
    or of DataFrame rows, it is that record's error and every other record
    gets its result, as in JavaScript's `scoreMany`."""
    pandas = pytest.importorskip("pandas")
    pack = chamdiem.load_pack("vn.enterprise")
    good = [c for c in cases if isinstance(c.get("id"), str)][:5]
    bad = [dict(good[1], employees=b"420"), dict(good[3], name=object()), dict(good[4], has_union={1})]
    with pytest.raises(TypeError, match="cannot score a value of type bytes"):
        pack.score(bad[0], period="2024")
    batch = [good[0], bad[0], good[2], bad[1], bad[2]]
    results = pack.score_many(batch, period="2024")
    alone = [pack.score(good[0], period="2024").to_dict(), pack.score(good[2], period="2024").to_dict()]
    assert [results[0], results[2]] == alone
    for i in (1, 3, 4):
        assert results[i]["status"] == "error" and results[i]["id"] == batch[i]["id"]
        (error,) = results[i]["errors"]
        assert error["code"] == "record.unreadable" and "không chấm được" in error["message"]
    frame = pandas.DataFrame(batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pack.score_many(frame, period="2024")
    assert list(table["status"]) == [r["status"] for r in results]
    assert list(table["id"]) == [r["id"] for r in batch]


def test_from_sources_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="entry"):
        chamdiem.Pack.from_sources({"a.rhai": ""}, entry="pack.rhai")
    with pytest.raises(TypeError, match="dict"):
        chamdiem.Pack.from_sources(["pack.rhai"], entry="pack.rhai")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        chamdiem.Pack.from_sources({"pack.rhai": b"x"}, entry="pack.rhai")  # type: ignore[dict-item]


def test_schema_lists_the_declared_fields() -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    schema = pack.schema()
    by_name = {f["name"]: f for f in schema}
    assert by_name["employees"]["type"] == "int" and by_name["employees"]["required"]
    assert by_name["ownership"]["values"]
    assert by_name["periodic_dialogue_dates"]["type"] == "list<date>"
    assert all(f["label"] for f in schema)
    frame = pack.schema_frame()
    assert list(frame["name"]) == [f["name"] for f in schema]


def test_info_describes_the_pack() -> None:
    pack = chamdiem.load_pack("tay-ninh.enterprise")
    info = pack.info()
    assert info["id"] == "tay-ninh.enterprise" and info["fingerprint"] == pack.fingerprint
    assert info["extends"] == ["vn.enterprise"]
    assert info["in_force_from"] == "2024-01-01"
    assert sum(c["points"] for c in info["criteria"]) == info["max_points"] == 100
    assert {c["id"]: c["points"] for c in info["criteria"]}["2.1"] == 12  # the province's weight
    assert [b["code"] for b in info["bands"]] == ["tot", "kha", "trung_binh", "yeu"]
    assert {b["code"]: b["min"] for b in info["bands"]}["tot"] == 85
    assert {g["id"] for g in info["gates"]} >= {"G1"}
    assert [f["name"] for f in info["fields"]] == [f["name"] for f in pack.schema()]


def test_pack_test_runs_the_examples() -> None:
    for p in chamdiem.packs():
        assert chamdiem.load_pack(p["id"]).test() == []
    source = (ROOT / "rules" / "tay-ninh.enterprise" / "pack.rhai").read_text(encoding="utf-8")
    copy_without_examples = chamdiem.Pack.from_sources({"pack.rhai": source})
    with pytest.raises(chamdiem.ChamdiemError) as error:
        copy_without_examples.test()
    assert "examples.jsonl" in str(error.value)


def test_pack_test_reports_failures(tmp_path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    source = ROOT / "rules" / "tay-ninh.enterprise"
    (folder / "pack.rhai").write_text((source / "pack.rhai").read_text(encoding="utf-8"), encoding="utf-8")
    examples = read_jsonl(source / "examples.jsonl")
    wrong = copy.deepcopy(examples[0])
    wrong["expect"] = {"status": "not_applicable"}
    lines = [json.dumps(e, ensure_ascii=False) for e in examples + [wrong]]
    (folder / "examples.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    failures = chamdiem.load_pack(str(folder)).test()
    assert len(failures) == 1
    assert failures[0]["line"] == len(examples) + 1
    assert "status" in failures[0]["failures"][0]


def test_explain_gives_the_vietnamese_breakdown(cases) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    text = pack.explain(cases[0], period="2024")
    assert cases[0]["id"] in text and "Tổng điểm" in text and "Xếp loại" in text


def test_a_misspelt_column_is_named_in_a_warning(cases) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(cases[:5]).rename(
        columns={"workers_conference_date": "workers_conferance_date"})
    pack = chamdiem.load_pack("vn.enterprise")
    with pytest.warns(chamdiem.IgnoredColumnsWarning, match="workers_conferance_date"):
        out = pack.score_many(frame, period="2024")
    # The field it stood for is missing, so those records are errors, not silently scored.
    scored_before = [r["status"] == "scored" for r in pack.score_many(cases[:5], period="2024")]
    for was_scored, status, errors in zip(scored_before, out["status"], out["errors"]):
        if was_scored:
            assert status == "error"
            assert [e["field"] for e in errors] == ["workers_conference_date"]


def test_progress_true_shows_a_bar(cases, capsys) -> None:
    pack = chamdiem.load_pack("vn.enterprise")
    results = pack.score_many(cases, period="2024", progress=True)
    assert len(results) == len(cases)
    err = capsys.readouterr().err
    assert "Chấm điểm" in err and f"{len(cases)}/{len(cases)}" in err
