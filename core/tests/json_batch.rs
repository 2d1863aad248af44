//! `JsonBatch` (the JavaScript `scoreMany`'s format) gives back each
//! result's JSON line once every reason index is replaced by its text: for
//! every built-in pack, on the shared cases (broken lines included), with the
//! memo on and off, and with reasons made afresh for every record.

use chamdiem::{JsonBatch, Pack, Period, RecordInput, Scorer};
use serde_json::Value;

fn inputs() -> Vec<RecordInput> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/cases/vn.enterprise-2024.input.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut inputs: Vec<RecordInput> = text
        .lines()
        .map(|l| RecordInput::JsonLine(l.to_string()))
        .collect();
    inputs.push(RecordInput::JsonLine(
        r#"{"id":"mã \"lạ\" \\ 😀 \u2028","name":"Công ty “Ánh Dương” 😀\n\t\u0000"}"#.into(),
    ));
    inputs.push(RecordInput::JsonLine("42".into()));
    inputs.push(RecordInput::Unreadable {
        id: Some("ngày 😀".into()),
        message: "không đọc được".into(),
    });
    inputs
}

/// Scores the shared inputs both ways and compares, result by result.
fn check(pack: &Pack, memo: bool) {
    check_inputs(pack, memo, &inputs());
}

/// Scores `inputs` both ways and compares, result by result; the JSON lines.
fn check_inputs(pack: &Pack, memo: bool, inputs: &[RecordInput]) -> Vec<String> {
    let mut scorer = Scorer::new(pack, "2024".parse::<Period>().unwrap()).unwrap();
    scorer.set_memo(memo);
    let mut batch = JsonBatch::new();
    let mut lines = Vec::new();
    for input in inputs {
        let result = scorer.score_input(input);
        batch.push(&result);
        lines.push(result.to_json_line());
    }
    let strings: Vec<String> = batch.strings().map(String::from).collect();
    let body = batch.into_body();
    assert!(body.is_ascii(), "the body is ASCII");
    let Value::Array(results) = serde_json::from_str::<Value>(&body).unwrap() else {
        panic!("not an array")
    };
    assert_eq!(results.len(), lines.len());
    let mut scored = 0;
    for (mut result, line) in results.into_iter().zip(&lines) {
        if let Some(Value::Object(reasons)) = result.get_mut("reasons") {
            for value in reasons.values_mut() {
                let index = value.as_u64().expect("a reason is an index") as usize;
                *value = Value::String(strings[index].clone());
            }
            scored += usize::from(!reasons.is_empty());
        }
        let expected: Value = serde_json::from_str(line).unwrap();
        assert_eq!(result, expected, "{line}");
    }
    assert!(scored > 100, "{scored} results with reasons");
    if memo {
        assert!(strings.len() < 2000, "{} distinct texts", strings.len());
    }
    lines
}

#[test]
fn every_built_in_pack_with_the_memo_on_and_off() {
    for id in Pack::built_in_ids() {
        let pack = Pack::load(id).unwrap();
        check(&pack, true);
        check(&pack, false);
    }
}

#[test]
fn reasons_made_afresh_for_every_record() {
    let source = r#"extends("vn.enterprise");
pack(#{ id: "thu.ly_do", title: "Thử", version: "0" });
change_criterion("1.1", #{ rule: |r| pass("có 😀 \"trích\" " + r.name) });
"#;
    let pack = Pack::from_sources([("extra.rhai", source)], "extra.rhai")
        .unwrap_or_else(|e| panic!("{e}"));
    check(&pack, true);
}

#[test]
fn carried_lists_and_band_conditions_outside_ascii() {
    let source = r#"extends("vn.enterprise");
pack(#{ id: "thu.mang", title: "Thử “mảng” 😀", version: "0" });
field("nhan", #{ type: "list<string>", required: false, label: "Nhãn", carry: true });
change_band("tot", #{ requires: |r, p, s| r.regulation_published, condition: "đã công bố “quy chế” 😀 \\ \"x\"" });
"#;
    let pack =
        Pack::from_sources([("mang.rhai", source)], "mang.rhai").unwrap_or_else(|e| panic!("{e}"));
    let inputs: Vec<RecordInput> = inputs()
        .into_iter()
        .map(|input| match input {
            RecordInput::JsonLine(line) if line.starts_with('{') => RecordInput::JsonLine(format!(
                r#"{{"nhan":["Đà Nẵng","😀 \"x\" \\ \u2028"],{}"#,
                &line[1..]
            )),
            other => other,
        })
        .collect();
    check_inputs(&pack, false, &inputs);
    let lines = check_inputs(&pack, true, &inputs);
    // What the test is about did happen.
    let carried = r#""nhan":["Đà Nẵng","#;
    assert!(lines.iter().filter(|l| l.contains(carried)).count() > 100);
    assert!(lines
        .iter()
        .any(|l| l.contains(r#""unmet":[{"band":"tot""#)));
}
