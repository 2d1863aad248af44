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
