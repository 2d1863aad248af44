//! The shared cases, the built-in packs' examples, and packs written outside
//! the repository.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use chamdiem::{
    Batch, InputFormat, Pack, PackLoader, Period, RecordInput, ScoreResult, Scorer, Status,
};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn period() -> Period {
    "2024".parse().unwrap()
}

fn read(pack: &Pack, path: &Path, format: InputFormat) -> Vec<ScoreResult> {
    let file = std::fs::File::open(path).unwrap();
    let mut warnings = Vec::new();
    let records =
        chamdiem::read_records(Box::new(BufReader::new(file)), format, pack, &mut warnings)
            .unwrap();
    let batch = Batch::new(pack, period()).unwrap();
    let mut results = Vec::new();
    batch
        .stream(
            records,
            |r| r,
            |r| {
                results.push(r);
                Ok(())
            },
        )
        .unwrap();
    results
}

/// The fields every binding compares.
fn comparable(result: &Value) -> Value {
    let errors: Vec<Value> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    json!({
        "id": result["id"], "name": result["name"], "province": result["province"],
        "unit": result["unit"], "period": result["period"], "status": result["status"], "total": result["total"],
        "class": result["class"], "class_label": result["class_label"], "groups": result["groups"],
        "criteria": result["criteria"], "gates": result["gates"], "errors": errors,
    })
}

#[test]
fn shared_cases_match_the_independent_reference_scorer() {
    let pack = Pack::load("vn.enterprise").unwrap();
    let results = read(
        &pack,
        &repo().join("tests/cases/vn.enterprise-2024.input.jsonl"),
        InputFormat::JsonLines,
    );
    let expected =
        std::fs::read_to_string(repo().join("tests/cases/vn.enterprise-2024.expected.jsonl"))
            .unwrap();
    let expected: Vec<Value> = expected
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), expected.len());
    let mut statuses = std::collections::BTreeMap::new();
    for (got, want) in results.iter().zip(&expected) {
        let got = serde_json::to_value(got).unwrap();
        assert_eq!(comparable(&got), comparable(want));
        *statuses
            .entry(got["status"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    // The file is varied: every status and every class occurs.
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    for class in ["tot", "kha", "trung_binh", "yeu"] {
        assert!(
            results.iter().any(|r| r.class() == Some(class)),
            "no {class}"
        );
    }
}

#[test]
fn csv_gives_the_same_results_as_json_lines() {
    let pack = Pack::load("vn.enterprise").unwrap();
    let jsonl = read(
        &pack,
        &repo().join("examples/doanh-nghiep-2024.jsonl"),
        InputFormat::JsonLines,
    );
    let csv = read(
        &pack,
        &repo().join("examples/doanh-nghiep-2024.csv"),
        InputFormat::Csv,
    );
    assert_eq!(jsonl.len(), csv.len());
    let differing: Vec<_> = jsonl
        .iter()
        .zip(&csv)
        .filter(|(a, b)| {
            comparable(&serde_json::to_value(a).unwrap())
                != comparable(&serde_json::to_value(b).unwrap())
        })
        .map(|(a, _)| a.id().unwrap_or_default().to_string())
        .collect();
    // One record misspells `workers_conference_date` as an extra column; in
    // CSV the real column is there and empty, which means "no conference".
    // Another lacks the yes/no key `union_coorganised_conference` (an error in
    // JSON); in CSV its cell is empty, which means "no", as an unticked box.
    assert_eq!(differing, ["3958420446", "3938533292"]);
}

#[test]
fn every_built_in_pack_passes_its_examples() {
    for id in Pack::built_in_ids() {
        let pack = Pack::load(id).unwrap();
        let outcomes = chamdiem::selftest::run_examples(&pack).unwrap();
        assert!(!outcomes.is_empty(), "{id} has no examples");
        for outcome in outcomes {
            assert!(
                outcome.passed(),
                "{id}: {} (line {}): {:?}",
                outcome.name,
                outcome.line,
                outcome.failures
            );
        }
    }
}

#[test]
fn a_failing_example_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.rhai"),
        "extends(\"vn.enterprise\");\npack(#{ id: \"x\", title: \"x\", version: \"1\" });\n",
    )
    .unwrap();
    let line = r#"{"name": "sai", "period": "2024", "record": {"id": "1", "ownership": "state"}, "expect": {"status": "scored"}}"#;
    std::fs::write(dir.path().join("examples.jsonl"), format!("{line}\n")).unwrap();
    let pack = PackLoader::new().load_path(dir.path()).unwrap();
    let outcomes = chamdiem::selftest::run_examples(&pack).unwrap();
    assert!(!outcomes[0].passed());
    assert!(
        outcomes[0].failures[0].contains("not_applicable"),
        "{:?}",
        outcomes[0].failures
    );
}

fn sample(pack: &Pack) -> Value {
    let text = std::fs::read_to_string(repo().join("rules/vn.enterprise/examples.jsonl")).unwrap();
    let record =
        serde_json::from_str::<Value>(text.lines().next().unwrap()).unwrap()["record"].clone();
    assert!(pack
        .fields()
        .iter()
        .all(|f| !f.required || record.get(&f.name).is_some()));
    record
}

#[test]
fn a_pack_outside_the_repo_extends_the_national_pack() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(lib.join("common.rhai"), "fn khong_vi_pham(n) { n == 0 }\n").unwrap();
    std::fs::write(
        dir.path().join("pack.rhai"),
        r#"
extends("vn.enterprise");
pack(#{ id: "thu-nghiem.enterprise", title: "Thử nghiệm", version: "2025.1", in_force_from: "2024-01-01" });
// 1.1 worth 10, 1.3 worth 2; Tốt from 90, Khá from 70.
change_criterion("1.1", #{ points: 10 });
change_criterion("1.3", #{ points: 2 });
change_band("tot", #{ min: 90 });
change_band("kha", #{ min: 70 });
// Drop 6.2 and give its 3 points to a new criterion read from a new field.
remove_criterion("6.2");
field("training_sessions", #{ type: "int", min: 0, required: false, label: "Số buổi tập huấn về dân chủ ở cơ sở" });
criterion("6.4", #{
    group: "6", points: 3, label: "Tổ chức tập huấn",
    rule: |r| {
        import "lib/common" as c;
        if c::khong_vi_pham(r.collective_disputes) && r.training_sessions != () && r.training_sessions > 0 {
            pass("Có tập huấn")
        } else {
            fail("Chưa tập huấn")
        }
    },
});
// A stricter dialogue rule: two distinct dates. 2.3 and G1 use it too.
fn dialogue_held(r, p) { p.count_dates(r.periodic_dialogue_dates) >= 2 }
"#,
    )
    .unwrap();
    let pack = Pack::load(dir.path().to_str().unwrap()).unwrap();
    assert_eq!(pack.id(), "thu-nghiem.enterprise");
    assert_eq!(pack.extends(), ["vn.enterprise"]);
    assert_eq!(pack.criterion("1.1").unwrap().points.to_string(), "10");
    assert!(pack.criterion("6.2").is_none());
    assert_eq!(pack.bands()[0].min.to_string(), "90");
    assert_eq!(pack.sources().len(), 3, "{:?}", pack.sources());

    let mut scorer = Scorer::new(&pack, period()).unwrap();
    let mut record = sample(&pack);
    record["training_sessions"] = json!(2);
    record["periodic_dialogue_dates"] = json!(["2024-06-20", "2024-11-02"]);
    let result = scorer.score(&record).unwrap();
    assert_eq!(result.status(), Status::Scored, "{:?}", result.errors());
    assert_eq!(result.total().unwrap().to_string(), "100");
    assert_eq!(result.criterion("6.4").unwrap().to_string(), "3");

    // One dialogue date is no longer enough: 2.1, 2.3 and G1 follow the new helper.
    record["periodic_dialogue_dates"] = json!(["2024-06-20"]);
    let result = scorer.score(&record).unwrap();
    assert_eq!(result.criterion("2.1").unwrap().to_string(), "0");
    assert_eq!(result.criterion("2.3").unwrap().to_string(), "0");
    assert_eq!(result.total().unwrap().to_string(), "85");
    assert_eq!(result.gates().collect::<Vec<_>>(), ["G1", "G3"]);

    // 91 and Tốt nationally; here 1.2 weighs the same, 6.4 replaces 6.2: 88, only Khá.
    record["periodic_dialogue_dates"] = json!(["2024-06-20", "2024-11-02"]);
    record["dialogue_employee_reps"] = json!(0);
    record["supervised_funds"] = json!(false);
    record["training_sessions"] = json!(0);
    record["regulation_union_consulted"] = json!(false);
    let result = scorer.score(&record).unwrap();
    assert_eq!(result.total().unwrap().to_string(), "88");
    assert_eq!(result.class(), Some("kha"));
    let national = Scorer::new(&Pack::load("vn.enterprise").unwrap(), period())
        .unwrap()
        .score(&record)
        .unwrap();
    assert_eq!(national.total().unwrap().to_string(), "91");
    assert_eq!(national.class(), Some("tot"));
    assert_ne!(result.pack().fingerprint, national.pack().fingerprint);
}

#[test]
fn the_fingerprint_follows_the_exact_sources() {
    let source =
        "extends(\"vn.enterprise\");\npack(#{ id: \"a\", title: \"a\", version: \"1\" });\n";
    let a = Pack::from_source("a.rhai", source).unwrap();
    let b = Pack::from_source("b.rhai", source).unwrap();
    let c = Pack::from_source("a.rhai", &format!("{source}// một dòng chú thích\n")).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), c.fingerprint());
    assert_ne!(
        a.fingerprint(),
        Pack::load("vn.enterprise").unwrap().fingerprint()
    );
    assert_eq!(a.fingerprint().len(), 64);
}

#[test]
fn a_pack_not_in_force_refuses_the_period() {
    let pack = Pack::load("tay-ninh.duong-minh-chau.enterprise").unwrap();
    assert!(Scorer::new(&pack, "2024".parse().unwrap()).is_ok());
    assert!(Scorer::new(&pack, "2025-01-01..2025-06-30".parse().unwrap()).is_ok());
    let error = Scorer::new(&pack, "2026".parse().unwrap()).err().unwrap();
    assert!(
        matches!(error, chamdiem::Error::NotInForce { .. }),
        "{error}"
    );
    assert_eq!(pack.calendar().len(), 2);
    assert_eq!((pack.calendar()[1].month, pack.calendar()[1].day), (11, 5));
}

#[test]
fn parallel_batches_keep_order_and_match_one_by_one_scoring() {
    let pack = Pack::load("tay-ninh.enterprise").unwrap();
    let text = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl")).unwrap();
    let mut inputs: Vec<RecordInput> = Vec::new();
    for _ in 0..10 {
        inputs.extend(text.lines().map(|l| RecordInput::JsonLine(l.to_string())));
    }
    inputs.insert(17, RecordInput::JsonLine("{ không phải json".into()));
    let batch = Batch::new(&pack, period()).unwrap();
    let parallel: Vec<String> = batch.score_map(&inputs, |r| r.to_json_line());
    let mut scorer = Scorer::new(&pack, period()).unwrap();
    let sequential: Vec<String> = inputs
        .iter()
        .map(|i| scorer.score_input(i).to_json_line())
        .collect();
    assert_eq!(parallel.len(), inputs.len());
    assert_eq!(parallel, sequential);
    assert!(parallel[17].contains("\"status\":\"error\""));
}

#[test]
fn memoised_results_equal_fresh_ones() {
    // A fresh scorer per record never hits its memo; a shared one mostly does.
    let pack = Pack::load("vn.enterprise").unwrap();
    let text = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl")).unwrap();
    let mut shared = Scorer::new(&pack, period()).unwrap();
    for line in text.lines() {
        let warm = shared.score_json_line(line).unwrap().to_json_line();
        let cold = Scorer::new(&pack, period())
            .unwrap()
            .score_json_line(line)
            .unwrap()
            .to_json_line();
        assert_eq!(warm, cold);
    }
}

#[test]
fn the_fast_json_line_is_exactly_what_serde_writes() {
    let mut inputs: Vec<RecordInput> =
        std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl"))
            .unwrap()
            .lines()
            .map(|l| RecordInput::JsonLine(l.to_string()))
            .collect();
    inputs.push(RecordInput::JsonLine("{ hỏng".into()));
    inputs.push(RecordInput::Json(json!({"id": 7, "ownership": "state"})));
    inputs.push(RecordInput::Unreadable {
        id: None,
        message: "dòng \"lạ\"\n".into(),
    });
    for id in Pack::built_in_ids() {
        let pack = Pack::load(id).unwrap();
        for result in Batch::new(&pack, period()).unwrap().score(&inputs) {
            assert_eq!(
                result.to_json_line(),
                serde_json::to_string(&result).unwrap()
            );
        }
    }
    // A pack with a band condition: carried fields, the period and `unmet`
    // all in one line.
    let pack = Pack::load(repo().join("tests/packs/vd.xuat-sac").to_str().unwrap()).unwrap();
    let mut record = sample(&pack);
    record["collective_disputes"] = 1.into();
    inputs.push(RecordInput::Json(record));
    let results = Batch::new(&pack, period()).unwrap().score(&inputs);
    let last = results.last().unwrap();
    assert_eq!(last.unmet().count(), 1);
    assert!(last.carried().any(|(name, _)| name == "name"));
    for result in &results {
        assert_eq!(
            result.to_json_line(),
            serde_json::to_string(result).unwrap()
        );
    }
}

#[test]
fn the_pack_a_new_user_wrote_from_the_guide_passes_its_examples() {
    // Written by someone who read only docs/pack-guide.md: a standalone
    // 50-point sheet for cooperatives, with its own fields, gates and examples.
    let pack = Pack::load(repo().join("tests/packs/vd.hop-tac-xa").to_str().unwrap()).unwrap();
    assert_eq!(
        (pack.id(), pack.max_points().to_string().as_str()),
        ("vd.hop-tac-xa", "50")
    );
    let outcomes = chamdiem::selftest::run_examples(&pack).unwrap();
    assert!(outcomes.len() >= 10);
    for outcome in outcomes {
        assert!(outcome.passed(), "{}: {:?}", outcome.name, outcome.failures);
    }
}

#[test]
fn a_band_condition_unmet_drops_to_the_next_band_and_says_why() {
    let pack = Pack::load(repo().join("tests/packs/vd.xuat-sac").to_str().unwrap()).unwrap();
    let xuat_sac = &pack.bands()[0];
    assert!(xuat_sac.has_condition);
    let outcomes = chamdiem::selftest::run_examples(&pack).unwrap();
    assert_eq!(outcomes.len(), 4);
    for outcome in &outcomes {
        assert!(outcome.passed(), "{}: {:?}", outcome.name, outcome.failures);
    }
    // The same through the library's result: the reason is Vietnamese and
    // apart from the gates.
    let mut record = sample(&pack);
    record["collective_disputes"] = 1.into();
    let result = Scorer::new(&pack, period())
        .unwrap()
        .score(&record)
        .unwrap();
    assert_eq!(result.class(), Some("tot"));
    assert_eq!(result.gates().count(), 0);
    let unmet: Vec<(&str, &str)> = result.unmet().collect();
    assert_eq!(unmet.len(), 1);
    assert_eq!(unmet[0].0, "xuat_sac");
    assert!(
        unmet[0].1.contains("Xuất sắc") && unmet[0].1.contains("tranh chấp"),
        "{}",
        unmet[0].1
    );
    let json: Value = serde_json::from_str(&result.to_json_line()).unwrap();
    assert_eq!(json["unmet"][0]["band"], "xuat_sac");
    assert_eq!(json, serde_json::to_value(&result).unwrap());
}

#[test]
fn the_lowest_band_may_not_have_a_condition() {
    let error = Pack::from_source(
        "t.rhai",
        r#"extends("vn.enterprise"); pack(#{ id: "t", title: "t", version: "0" });
change_band("yeu", #{ requires: |r, p, s| false });"#,
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("không được có điều kiện"),
        "{error}"
    );
}

#[test]
fn dates_need_four_digit_years_and_say_which_forms_are_accepted() {
    let pack = Pack::load("vn.enterprise").unwrap();
    let mut scorer = Scorer::new(&pack, period()).unwrap();
    let base = sample(&pack);
    for bad in ["15/06/24", "24-06-15", "-2024-06-15"] {
        let mut record = base.clone();
        record["workers_conference_date"] = bad.into();
        let result = scorer.score(&record).unwrap();
        assert_eq!(result.status(), Status::Error, "{bad}");
        let error = &result.errors()[0];
        assert_eq!(error.field.as_deref(), Some("workers_conference_date"));
        assert_eq!(error.code, "record.date");
        assert!(
            error.message.contains(chamdiem::DATE_FORMS),
            "{}",
            error.message
        );
    }
    let mut record = base.clone();
    record["employees"] = serde_json::from_str("99999999999999999999").unwrap();
    let result = scorer.score(&record).unwrap();
    assert_eq!(result.errors()[0].code, "record.range");
    assert!(
        result.errors()[0].message.contains("64-bit"),
        "{}",
        result.errors()[0].message
    );
}

#[test]
fn exact_ratio_and_calendar_helpers() {
    let pack = Pack::from_source(
        "t.rhai",
        r#"pack(#{ id:"t", title:"t", version:"0" }); field("id", #{type:"string"});
field("a", #{type:"int"}); field("b", #{type:"int"}); field("d", #{type:"date"});
group("1", #{label:"G"});
criterion("1.1", #{ group:"1", points:1, label:"tỉ lệ", rule: |r| if ratio_at_least(r.a, r.b, 0.9) { pass("") } else { fail("") } });
criterion("1.2", #{ group:"1", points:1, label:"tháng", rule: |r| pass(`${add_months(r.d, 1)} ${add_years(r.d, 1)} ${add_months(r.d, -13)}`) });
band("a", #{label:"A", min:0});"#,
    )
    .unwrap();
    let mut scorer = Scorer::new(&pack, period()).unwrap();
    let mut score = |a: i64, b: i64, d: &str| {
        let r = scorer
            .score(&serde_json::json!({"id":"1","a":a,"b":b,"d":d}))
            .unwrap();
        let out = (
            r.criterion("1.1").unwrap().to_string(),
            r.reasons().nth(1).unwrap().1.to_string(),
        );
        out
    };
    // 9/10 is exactly 0.9: no float rounding; huge counts do not overflow.
    assert_eq!(score(9, 10, "2024-01-31").0, "1");
    assert_eq!(score(8_999_999, 10_000_000, "2024-01-31").0, "0");
    assert_eq!(score(i64::MAX - 1, i64::MAX, "2024-01-31").0, "1");
    assert_eq!(
        score(1, 2, "2024-01-31").1,
        "2024-02-29 2025-01-31 2022-12-31"
    );
    assert_eq!(
        score(1, 2, "2024-02-29").1,
        "2024-03-29 2025-02-28 2023-01-29"
    );
}

#[test]
fn any_serde_source_scores_like_json() {
    let pack = Pack::load("vn.enterprise").unwrap();
    let mut scorer = Scorer::new(&pack, period()).unwrap();
    let text =
        std::fs::read_to_string(repo().join("tests/cases/vn.enterprise-2024.input.jsonl")).unwrap();
    for line in text.lines().take(60) {
        let value: Value = serde_json::from_str(line).unwrap();
        let from_value = scorer.score_input(&chamdiem::RecordInput::Json(value.clone()));
        // A deserializer that is not JSON text: serde_json::Value's own.
        let from_serde = scorer.score_from(value);
        let mut from_text = serde_json::Deserializer::from_str(line);
        let from_text = scorer.score_from(&mut from_text);
        assert_eq!(from_serde.to_json_line(), from_value.to_json_line());
        assert_eq!(from_text.to_json_line(), from_value.to_json_line());
    }
    let not_a_record = scorer.score_from(serde_json::json!([1, 2]));
    assert_eq!(not_a_record.status(), Status::Error);
    assert_eq!(not_a_record.errors()[0].code, "record.unreadable");
    // A key given twice is an error here too, as in a JSON line, with its id.
    let line = r#"{"id":"K9","employees":3,"employees":4}"#;
    let repeated = scorer.score_from(&mut serde_json::Deserializer::from_str(line));
    let as_line = scorer.score_json_line(line).unwrap();
    assert_eq!(repeated.status(), Status::Error);
    assert_eq!(repeated.id(), Some("K9"));
    assert!(repeated.errors()[0].message.contains("\"employees\""));
    assert_eq!(repeated.to_json_line(), as_line.to_json_line());
}
