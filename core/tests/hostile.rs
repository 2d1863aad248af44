//! Every hostile or broken pack in `tests/hostile/` fails with its own typed
//! error, naming the file and line, and the host goes on scoring.

use std::path::{Path, PathBuf};

use chamdiem::{CountingAllocator, Limits, Pack, PackLoader, Period, Scorer, Status};
use serde_json::Value;

// As in the `chamdiem` command: what lets the core bound a script's memory.
#[global_allocator]
static ALLOCATOR: CountingAllocator<std::alloc::System> =
    CountingAllocator::new(std::alloc::System);

/// The default limits, with those `overrides` names changed.
fn limits(overrides: Option<&Value>) -> Limits {
    let mut limits = Limits::default();
    for (name, value) in overrides.and_then(Value::as_object).into_iter().flatten() {
        let value = value.as_u64().unwrap();
        match name.as_str() {
            "max_time_ms" => limits.max_time_ms = value,
            "max_memory_bytes" => limits.max_memory_bytes = value,
            other => panic!("expected.json: unknown limit {other}"),
        }
    }
    limits
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn good_record() -> Value {
    let text = std::fs::read_to_string(repo().join("rules/vn.enterprise/examples.jsonl")).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    first["record"].clone()
}

#[test]
fn each_hostile_pack_fails_with_its_own_error() {
    let dir = repo().join("tests/hostile");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let period: Period = "2024".parse().unwrap();
    let record = good_record();
    let mut checked = 0;
    for (file, want) in expected.as_object().unwrap() {
        if file == "_" {
            continue;
        }
        let path = dir.join(file);
        let loader = PackLoader::new().with_limits(limits(want.get("limits")));
        let error = match (
            want["phase"].as_str().unwrap(),
            loader.load(path.to_str().unwrap()),
        ) {
            ("load", Err(error)) => error,
            ("load", Ok(_)) => panic!("{file}: loaded, but must not"),
            // On the test harness's thread (2 MiB of stack): the scorer must
            // give the rules a deep enough stack itself.
            ("score", Ok(pack)) => match Scorer::new(&pack, period).unwrap().score(&record) {
                Err(error) => error,
                Ok(result) => panic!("{file}: scored ({:?}), but must fail", result.status()),
            },
            (_, Err(error)) => panic!("{file}: must load, failed with {error}"),
            (phase, Ok(_)) => panic!("{file}: unknown phase {phase}"),
        };
        let json = serde_json::to_value(&error).unwrap();
        let message = error.to_string();
        assert_eq!(json["type"], want["type"], "{file}: {message}");
        if let Some(limit) = want.get("limit") {
            assert_eq!(&json["limit"], limit, "{file}: {message}");
        }
        if let Some(code) = want.get("code") {
            assert_eq!(&json["code"], code, "{file}: {message}");
            assert_eq!(error.code(), code.as_str().unwrap(), "{file}: {message}");
        }
        if let Some(in_file) = want.get("file") {
            let named = error.location().map_or("", |l| l.file.as_str());
            assert!(
                named.ends_with(in_file.as_str().unwrap()),
                "{file}: the error must be in {in_file}, not {named}: {message}"
            );
        }
        if let Some(line) = want.get("line") {
            assert_eq!(&json["location"]["line"], line, "{file}: {message}");
        }
        assert!(
            message.contains(file.as_str()),
            "{file}: the message must name the file: {message}"
        );
        checked += 1;

        // The host goes on: a good pack still scores.
        let pack = Pack::load("vn.enterprise").unwrap();
        let result = Scorer::new(&pack, period).unwrap().score(&record).unwrap();
        assert_eq!(result.status(), Status::Scored);
    }
    assert_eq!(checked, expected.as_object().unwrap().len() - 1);
}

#[test]
fn a_batch_with_a_hostile_rule_gives_every_record_an_error_line() {
    let pack = Pack::load(
        repo()
            .join("tests/hostile/loop-in-rule.rhai")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let batch = chamdiem::Batch::new(&pack, "2024".parse().unwrap()).unwrap();
    let inputs: Vec<_> = (0..5)
        .map(|_| chamdiem::RecordInput::Json(good_record()))
        .collect();
    let results = batch.score(&inputs);
    assert_eq!(results.len(), 5);
    for result in results {
        assert_eq!(result.status(), Status::Error);
        assert!(
            result.errors()[0].message.contains("max_operations"),
            "{:?}",
            result.errors()
        );
    }
}

#[test]
fn printing_scripts_do_not_reach_stdout_and_still_score() {
    let pack = Pack::load(repo().join("tests/hostile/prints.rhai").to_str().unwrap()).unwrap();
    let result = Scorer::new(&pack, "2024".parse().unwrap())
        .unwrap()
        .score(&good_record())
        .unwrap();
    assert_eq!(result.status(), Status::Scored);
}

#[test]
fn an_import_inside_the_function_that_uses_it_works() {
    let pack = Pack::load(
        repo()
            .join("tests/hostile/import-inside-function")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let mut scorer = Scorer::new(&pack, "2024".parse().unwrap()).unwrap();
    let mut record = good_record();
    // Two dialogue dates are needed now: one is not enough.
    for (dates, points) in [
        (serde_json::json!(["2024-03-01"]), "0"),
        (serde_json::json!(["2024-03-01", "2024-09-01"]), "10"),
    ] {
        record["periodic_dialogue_dates"] = dates;
        let result = scorer.score(&record).unwrap();
        assert_eq!(result.criterion("2.1").unwrap().to_string(), points);
    }
}
