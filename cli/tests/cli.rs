//! The `chamdiem` command on real files, as a user runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chamdiem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap()
}

fn chamdiem_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

fn first_message(result: &Value) -> &str {
    result["errors"][0]["message"].as_str().unwrap()
}

const EXAMPLE: &str = "examples/doanh-nghiep-2024.jsonl";

#[test]
fn scores_the_example_file_one_line_per_record_in_order() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No progress bar in piped output: only the note that two records'
    // misspelt keys were ignored (and those records are errors).
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bị bỏ qua: employes, workers_conferance_date"),
        "{stderr}"
    );
    let results = lines(&out);
    let input = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    let ids: Vec<Value> = input
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(results.len(), ids.len());
    for (result, id) in results.iter().zip(&ids) {
        assert_eq!(&result["id"], id);
        let mut keys: Vec<&str> = result
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "class",
                "class_label",
                "criteria",
                "errors",
                "gates",
                "groups",
                "id",
                "pack",
                "reasons",
                "status",
                "total",
                "unmet"
            ]
        );
        assert_eq!(result["pack"]["id"], "vn.enterprise");
        assert_eq!(result["pack"]["fingerprint"].as_str().unwrap().len(), 64);
    }
    let labels: Vec<&str> = results
        .iter()
        .filter_map(|r| r["class_label"].as_str())
        .collect();
    for label in ["Tốt", "Khá", "Trung bình", "Yếu"] {
        assert!(labels.contains(&label), "{label}");
    }
}

#[test]
fn the_default_pack_is_national_and_stdin_reads_json_lines() {
    let input = std::fs::read(repo().join(EXAMPLE)).unwrap();
    let from_file = chamdiem(&["score", EXAMPLE, "--period", "2024"]);
    let from_dash = chamdiem_stdin(&["score", "-", "--period", "2024"], &input);
    let from_none = chamdiem_stdin(
        &["score", "--period", "2024", "--pack", "vn.enterprise"],
        &input,
    );
    assert!(from_dash.status.success() && from_none.status.success());
    assert_eq!(from_file.stdout, from_dash.stdout);
    assert_eq!(from_file.stdout, from_none.stdout);
}

#[test]
fn json_array_and_csv_inputs_give_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    let array = format!("[{}]", input.lines().collect::<Vec<_>>().join(",\n"));
    let array_path = dir.path().join("doanh-nghiep.json");
    std::fs::write(&array_path, array).unwrap();
    let jsonl = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    let json = lines(&chamdiem(&[
        "score",
        array_path.to_str().unwrap(),
        "--period",
        "2024",
    ]));
    assert_eq!(jsonl, json);
    let csv = lines(&chamdiem(&[
        "score",
        "examples/doanh-nghiep-2024.csv",
        "--period",
        "2024",
    ]));
    assert_eq!(csv.len(), jsonl.len());
    let same = csv
        .iter()
        .zip(&jsonl)
        .filter(|(a, b)| a["total"] == b["total"] && a["status"] == b["status"])
        .count();
    assert_eq!(
        same,
        jsonl.len() - 1,
        "only the record with a misspelt column differs"
    );
}

#[test]
fn csv_output_flattens_the_same_fields_in_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ket-qua.csv");
    let out = chamdiem(&[
        "score",
        EXAMPLE,
        "--period",
        "2024",
        "--format",
        "csv",
        "--output",
        path.to_str().unwrap(),
        "--bom",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "id",
        "status",
        "total",
        "class_label",
        "groups.2",
        "criteria.2.4",
        "gates",
        "reasons.2.1",
        "errors",
        "pack.fingerprint",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing from {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    let jsonl = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    let total = header.iter().position(|h| h == "total").unwrap();
    let label = header.iter().position(|h| h == "class_label").unwrap();
    for (row, json) in rows.iter().zip(&jsonl) {
        assert_eq!(
            row[total],
            json["total"]
                .as_f64()
                .map(|t| t.to_string())
                .unwrap_or_default()
        );
        assert_eq!(&row[label], json["class_label"].as_str().unwrap_or(""));
    }
}

#[test]
fn table_output_explains_each_criterion() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "--format", "table"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("══ ").count(), 300);
    // Every block is headed by the id and, when given, the name.
    assert!(
        text.lines()
            .filter(|l| l.starts_with("══ ") && l.contains(" · "))
            .count()
            > 250
    );
    assert!(text.contains("Tiêu chí"));
    assert!(text.contains("Nhóm 2 — Đối thoại tại nơi làm việc"));
    assert!(text.contains("Đã tổ chức đối thoại định kỳ trong kỳ đánh giá"));
    assert!(text.contains("Tổng điểm: "));
    assert!(text.contains("Xếp loại: Trung bình"));
    assert!(text.contains("Không thuộc đối tượng chấm điểm"));
    assert!(text.contains("dữ liệu có lỗi"));
}

#[test]
fn bad_records_get_their_own_error_line_and_the_batch_goes_on() {
    let out = chamdiem(&["score", "tests/bad-input/mixed.jsonl", "--period", "2024"]);
    assert!(out.status.success());
    let results = lines(&out);
    // Blank lines are not records; every other line gets exactly one result.
    assert_eq!(
        statuses(&results),
        [
            "not_applicable",
            "error",
            "error",
            "error",
            "error",
            "not_applicable"
        ]
    );
    assert_eq!(results[0]["id"], "A1");
    assert!(first_message(&results[1]).contains("JSON"));
    assert!(first_message(&results[2]).contains("đối tượng"));
    assert_eq!(results[3]["id"], "A2");
    assert!(
        results[3]["errors"].as_array().unwrap().len() > 20,
        "every missing field is named"
    );
    assert!(first_message(&results[4]).contains("UTF-8"));
    assert_eq!(results[5]["id"], "A3");

    let out = chamdiem(&["score", "tests/bad-input/short-row.csv", "--period", "2024"]);
    assert!(out.status.success());
    let results = lines(&out);
    assert_eq!(
        statuses(&results),
        ["not_applicable", "error", "not_applicable", "error"]
    );
    assert_eq!(results[1]["id"], "B2");
    assert!(first_message(&results[1]).contains("cột"));
}

#[test]
fn input_that_cannot_be_read_fails_with_one_line() {
    for (args, needle) in [
        (
            vec!["score", "khong-co-tep.jsonl", "--period", "2024"],
            "khong-co-tep.jsonl",
        ),
        (
            vec![
                "score",
                EXAMPLE,
                "--pack",
                "khong.co.bo.nay",
                "--period",
                "2024",
            ],
            "khong.co.bo.nay",
        ),
        (vec!["score", EXAMPLE, "--period", "2024-13"], "kỳ đánh giá"),
        (
            vec![
                "score",
                EXAMPLE,
                "--period",
                "2026",
                "--pack",
                "tay-ninh.duong-minh-chau.enterprise",
            ],
            "chỉ có hiệu lực",
        ),
        (vec!["score", "README.md", "--period", "2024"], "định dạng"),
    ] {
        let out = chamdiem(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    // A JSON array that breaks off: the records before the break keep their lines.
    let out = chamdiem(&[
        "score",
        "tests/bad-input/broken-array.json",
        "--period",
        "2024",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lines(&out).len(), 2);
    assert!(String::from_utf8(out.stderr).unwrap().contains("mảng"));
}

#[test]
fn a_pack_on_disk_scores_without_rebuilding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.rhai"),
        "extends(\"vn.enterprise\");\n\
         pack(#{ id: \"tinh-x.enterprise\", title: \"Tỉnh X\", version: \"1\" });\n\
         change_criterion(\"1.1\", #{ points: 6 });\n\
         change_criterion(\"1.3\", #{ points: 6 });\n\
         change_band(\"tot\", #{ min: 95 });\n",
    )
    .unwrap();
    let pack = dir.path().to_str().unwrap();
    let out = chamdiem(&["check", pack]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let national = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "--pack", pack]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let provincial = lines(&out);
    assert!(provincial
        .iter()
        .all(|r| r["pack"]["id"] == "tinh-x.enterprise"));
    let changed_class = provincial
        .iter()
        .zip(&national)
        .filter(|(p, n)| p["class"] != n["class"])
        .count();
    assert!(
        changed_class > 0,
        "a higher bar for Tốt must change some classes"
    );
    for (p, n) in provincial.iter().zip(&national) {
        if p["status"] == "scored" {
            assert_eq!(
                p["criteria"]["1.1"].as_f64().unwrap() * 8.0,
                n["criteria"]["1.1"].as_f64().unwrap() * 6.0
            );
        }
    }
}

#[test]
fn check_names_file_and_line_of_a_broken_pack() {
    let out = chamdiem(&["check", "vn.enterprise"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("21 tiêu chí, tổng 100 điểm"), "{text}");
    assert!(text.contains("Tốt ≥ 80"));

    let out = chamdiem(&["check", "tests/hostile/undeclared-field.rhai"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("tests/hostile/undeclared-field.rhai:4"),
        "{text}"
    );
    assert!(text.contains("regulation_isued"), "{text}");
}

#[test]
fn test_runs_a_packs_examples() {
    let out = chamdiem(&["test", "tay-ninh.enterprise"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.trim_end().ends_with("7 passed, 0 failed"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.rhai"),
        "extends(\"vn.enterprise\");\npack(#{ id: \"x\", title: \"x\", version: \"1\" });\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("examples.jsonl"),
        "{\"name\": \"sai kỳ vọng\", \"period\": \"2024\", \"record\": {\"id\": \"1\", \"ownership\": \"state\"}, \"expect\": {\"status\": \"scored\"}}\n",
    )
    .unwrap();
    let out = chamdiem(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("✗ sai kỳ vọng"), "{text}");
    assert!(text.contains("0 passed, 1 failed"), "{text}");
}

#[test]
fn packs_lists_the_built_in_packs() {
    let out = chamdiem(&["packs"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "vn.enterprise",
        "tay-ninh.enterprise",
        "tay-ninh.duong-minh-chau.enterprise",
    ] {
        assert!(text.contains(id), "{text}");
    }
    assert!(text.contains("kế thừa: tay-ninh.enterprise"));
}

#[test]
fn a_hostile_rule_gives_every_record_an_error_line_and_exit_zero() {
    let out = chamdiem(&[
        "score",
        EXAMPLE,
        "--period",
        "2024",
        "--pack",
        "tests/hostile/loop-in-rule.rhai",
    ]);
    assert!(out.status.success());
    let results = lines(&out);
    assert_eq!(results.len(), 300);
    let limited = results
        .iter()
        .filter(|r| r["errors"].to_string().contains("max_operations"))
        .count();
    // Records that are not applicable or invalid never reach the hostile rule.
    let scored_nationally = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]))
        .iter()
        .filter(|r| r["status"] == "scored")
        .count();
    assert_eq!(limited, scored_nationally);
}

#[test]
fn semicolon_csv_from_excel_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(input.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for row in reader.records() {
        writer.write_record(&row.unwrap()).unwrap();
    }
    let path = dir.path().join("cham-phay.csv");
    std::fs::write(&path, writer.into_inner().unwrap()).unwrap();
    let semicolons = chamdiem(&["score", path.to_str().unwrap(), "--period", "2024"]);
    assert!(String::from_utf8_lossy(&semicolons.stderr).contains("dấu chấm phẩy"));
    let commas = chamdiem(&[
        "score",
        "examples/doanh-nghiep-2024.csv",
        "--period",
        "2024",
    ]);
    assert_eq!(lines(&semicolons), lines(&commas));
}

#[test]
fn the_new_users_cooperative_pack_scores_its_csv() {
    let pack = "tests/packs/vd.hop-tac-xa";
    let out = chamdiem(&[
        "score",
        "tests/packs/vd.hop-tac-xa/htx-2025.csv",
        "--pack",
        pack,
        "--period",
        "2025",
        "--format",
        "table",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("══ ").count(), 5);
    assert!(text.contains("Tổng điểm: 50/50 · Xếp loại: Tốt"), "{text}");
    assert!(text.contains("phải là số nguyên, nhận \"1.200\""), "{text}");
}

#[test]
fn json_keys_the_pack_does_not_know_are_named_once() {
    // A misspelt optional field in JSON would otherwise go unnoticed.
    let line = r#"{"id":"X","ownership":"state","ghi_chu":"a","nmae":"Công ty X"}"#;
    let input = format!("{line}\n{line}\n");
    let out = chamdiem_stdin(&["score", "--period", "2024"], input.as_bytes());
    assert!(out.status.success());
    assert_eq!(lines(&out).len(), 2);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bị bỏ qua: ghi_chu, nmae"), "{stderr}");
}

#[test]
fn a_printing_pack_writes_only_results_to_stdout() {
    let out = chamdiem(&[
        "score",
        EXAMPLE,
        "--pack",
        "tests/hostile/prints.rhai",
        "--period",
        "2024",
    ]);
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!stdout.contains("RÒ RỈ") && !stderr.contains("RÒ RỈ"));
    let results = lines(&out);
    assert_eq!(results.len(), 300);
    assert!(statuses(&results).contains(&"scored"));
}

#[test]
fn a_band_condition_shows_in_json_csv_and_table() {
    let examples =
        std::fs::read_to_string(repo().join("tests/packs/vd.xuat-sac/examples.jsonl")).unwrap();
    let record: Value = serde_json::from_str(examples.lines().nth(2).unwrap()).unwrap();
    let input = serde_json::to_string(&record["record"]).unwrap();
    let pack = ["--pack", "tests/packs/vd.xuat-sac", "--period", "2024"];
    let json = chamdiem_stdin(&[&["score"][..], &pack].concat(), input.as_bytes());
    let result = &lines(&json)[0];
    assert_eq!(result["class"], "tot");
    assert_eq!(result["unmet"][0]["band"], "xuat_sac");
    assert_eq!(result["gates"], serde_json::json!([]));
    let table = chamdiem_stdin(
        &[&["score"][..], &pack, &["--format", "table"]].concat(),
        input.as_bytes(),
    );
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("✗ Đạt 90 điểm của mức Xuất sắc nhưng chưa đáp ứng điều kiện"),
        "{table}"
    );
    let csv = chamdiem_stdin(
        &[&["score"][..], &pack, &["--format", "csv"]].concat(),
        input.as_bytes(),
    );
    let mut reader = csv::Reader::from_reader(&csv.stdout[..]);
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let unmet = header.iter().position(|h| h == "unmet").unwrap();
    assert_eq!(&row[unmet], "xuat_sac");
}
