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

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The exit status: 0 all scored or not applicable, 1 some records in
/// error, 2 the input or the pack unreadable.
fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

const EXAMPLE: &str = "examples/doanh-nghiep-2024.jsonl";

#[test]
fn scores_the_example_file_one_line_per_record_in_order() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024"]);
    // Nine records of the example are broken on purpose: status 1.
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // No progress bar in piped output: the note that two records' misspelt
    // keys were ignored (those records are errors), then the summary.
    let stderr = stderr(&out);
    assert!(!stderr.contains('\r'), "{stderr}");
    assert!(
        stderr.contains("bị bỏ qua: employes, workers_conferance_date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("300 bản ghi — 246 đã chấm, 45 không thuộc đối tượng, 9 lỗi"),
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
                "name",
                "pack",
                "period",
                "province",
                "reasons",
                "status",
                "total",
                "unit",
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
    assert_eq!((code(&from_dash), code(&from_none)), (1, 1));
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
    assert_eq!(code(&out), 1, "{}", stderr(&out));
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
    assert_eq!(code(&out), 1);
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
    assert_eq!(code(&out), 1);
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
    // serde's English is replaced by Vietnamese, with the column.
    assert!(
        first_message(&results[1]).contains("sai cú pháp ở cột 3"),
        "{}",
        first_message(&results[1])
    );
    assert!(first_message(&results[2]).contains("đối tượng"));
    assert_eq!(results[3]["id"], "A2");
    assert!(
        results[3]["errors"].as_array().unwrap().len() > 20,
        "every missing field is named"
    );
    assert!(first_message(&results[4]).contains("UTF-8"));
    assert_eq!(results[5]["id"], "A3");

    // The summary names where each broken record is, by line and id.
    let summary = stderr(&out);
    assert!(summary.contains("dòng 3 · không có mã"), "{summary}");
    assert!(summary.contains("dòng 6 · mã A2"), "{summary}");

    let out = chamdiem(&["score", "tests/bad-input/short-row.csv", "--period", "2024"]);
    assert_eq!(code(&out), 1);
    let results = lines(&out);
    assert_eq!(
        statuses(&results),
        ["not_applicable", "error", "not_applicable", "error"]
    );
    assert_eq!(results[1]["id"], "B2");
    assert!(first_message(&results[1]).contains("cột"));
    // A quote opened and never closed is named, with the lines it swallowed.
    assert!(
        first_message(&results[3]).contains("ngoặc kép (\") mở ở dòng 5 không được đóng"),
        "{}",
        first_message(&results[3])
    );
    assert!(stderr(&out).contains("dòng 3 · mã B2"), "{}", stderr(&out));
}

#[test]
fn a_csv_with_windows_line_ends_names_the_same_lines() {
    // Excel ends lines with CRLF; the csv crate numbers those rows one short
    // (BurntSushi/rust-csv#395) unless the reader adds the line back.
    let lf = std::fs::read_to_string(repo().join("tests/bad-input/short-row.csv")).unwrap();
    assert!(!lf.contains('\r'));
    let crlf = lf.replace('\n', "\r\n");
    let args = ["score", "--period", "2024", "--input-format", "csv"];
    let from_lf = chamdiem_stdin(&args, lf.as_bytes());
    let from_crlf = chamdiem_stdin(&args, crlf.as_bytes());
    assert_eq!(code(&from_crlf), 1);
    assert_eq!(statuses(&lines(&from_crlf)), statuses(&lines(&from_lf)));
    let summary = stderr(&from_crlf);
    assert!(summary.contains("dòng 3 · mã B2"), "{summary}");
    assert!(summary.contains("mở ở dòng 5 không được đóng"), "{summary}");
    assert_eq!(summary, stderr(&from_lf));
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
        (
            vec!["score", "khong-co-tep.jsonl", "--period", "2024"],
            "không có tệp hoặc thư mục này",
        ),
        // The period is never guessed: its absence is an error with an example.
        (vec!["score", EXAMPLE], "--period 2024"),
        (
            vec!["score", EXAMPLE, "--pariod", "2024"],
            "không có tùy chọn '--pariod'",
        ),
        (
            vec!["score", EXAMPLE, "--period", "2024", "-o", "x.xlsx"],
            "đuôi .xlsx",
        ),
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
    assert_eq!(code(&out), 1, "{}", stderr(&out));
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
    assert!(
        text.trim_end().ends_with("7 ví dụ đúng, 0 ví dụ sai"),
        "{text}"
    );

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
    assert!(text.contains("0 ví dụ đúng, 1 ví dụ sai"), "{text}");
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
fn a_hostile_rule_gives_every_record_an_error_line_and_exit_one() {
    let out = chamdiem(&[
        "score",
        EXAMPLE,
        "--period",
        "2024",
        "--pack",
        "tests/hostile/loop-in-rule.rhai",
    ]);
    // Every record got its line; the ones the rule failed on are errors.
    assert_eq!(code(&out), 1);
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

/// `text` in UTF-16 with its byte order mark, as Excel's "Unicode Text" and
/// Notepad's "Unicode" save it.
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    std::iter::once(0xFEFF)
        .chain(text.encode_utf16())
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_text_from_excel_and_notepad_is_read_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    // Excel's "Unicode Text": tab-separated UTF-16LE with CRLF, saved as .txt.
    let input = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(input.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for row in reader.records() {
        writer.write_record(&row.unwrap()).unwrap();
    }
    let tabs = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let txt = dir.path().join("van-ban-unicode.txt");
    std::fs::write(&txt, utf16(&tabs, false)).unwrap();
    let from_txt = chamdiem(&["score", txt.to_str().unwrap(), "--period", "2024"]);
    let said = stderr(&from_txt);
    assert!(
        said.contains("là CSV") && said.contains("dấu tab"),
        "{said}"
    );
    assert!(!said.contains("UTF-8"), "{said}");
    let from_csv = chamdiem(&[
        "score",
        "examples/doanh-nghiep-2024.csv",
        "--period",
        "2024",
    ]);
    assert_eq!(from_txt.stdout, from_csv.stdout);
    // The summary names the same lines (the header's CRLF counted once).
    let summary = |s: &str| s[s.find("Tổng kết").unwrap()..].to_string();
    assert_eq!(summary(&said), summary(&stderr(&from_csv)));

    // JSON Lines in UTF-16BE, from a file and from standard input.
    let jsonl = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl")).unwrap();
    let path = dir.path().join("be.jsonl");
    std::fs::write(&path, utf16(&jsonl, true)).unwrap();
    let utf8 = chamdiem(&[
        "score",
        "examples/doanh-nghiep-2024.jsonl",
        "--period",
        "2024",
    ]);
    let from_file = chamdiem(&["score", path.to_str().unwrap(), "--period", "2024"]);
    assert_eq!(from_file.stdout, utf8.stdout);
    let from_stdin = chamdiem_stdin(&["score", "--period", "2024"], &utf16(&jsonl, true));
    assert_eq!(from_stdin.stdout, utf8.stdout);

    // A broken character (a lone surrogate) is its own record's error.
    let mut broken = utf16("{\"id\": \"1\", \"name\": \"A", false);
    broken.extend_from_slice(&0xDC00u16.to_le_bytes());
    broken.extend(utf16("\"}\n", false).split_off(2));
    broken.extend(utf16(jsonl.lines().next().unwrap(), false).split_off(2));
    let output = chamdiem_stdin(&["score", "--period", "2024"], &broken);
    let results = lines(&output);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["errors"][0]["code"], "record.unreadable");
    assert_eq!(results[1], lines(&utf8)[0]);
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
    assert_eq!(code(&out), 1);
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
    assert_eq!(code(&out), 0);
    assert_eq!(lines(&out).len(), 2);
    let stderr = stderr(&out);
    assert_eq!(stderr.matches("bị bỏ qua").count(), 1, "{stderr}");
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

/// The example's lines whose national result for 2024 is not an error.
fn clean_example_lines() -> String {
    let input = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    let results = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    input
        .lines()
        .zip(&results)
        .filter(|(_, r)| r["status"] != "error")
        .map(|(line, _)| format!("{line}\n"))
        .collect()
}

#[test]
fn the_period_and_the_identifying_fields_are_in_every_output() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024"]);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let input = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    for (line, record) in text.lines().zip(input.lines()) {
        let record: Value = serde_json::from_str(record).unwrap();
        // Right after the id, in the pack's order: name, province, unit, then the period.
        let at = |key: &str| line.find(&format!("\"{key}\":")).unwrap();
        assert!(
            at("id") < at("name") && at("name") < at("province"),
            "{line}"
        );
        assert!(
            at("province") < at("unit") && at("unit") < at("period"),
            "{line}"
        );
        assert!(at("period") < at("status"), "{line}");
        let result: Value = serde_json::from_str(line).unwrap();
        assert_eq!(result["period"], "2024");
        for key in ["name", "province", "unit"] {
            assert_eq!(result[key], record.get(key).cloned().unwrap_or(Value::Null));
        }
    }
    // A range that is not a whole year is written as a range.
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024-07-01..2024-12-31"]);
    assert_eq!(lines(&out)[0]["period"], "2024-07-01..2024-12-31");

    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..6],
        ["id", "name", "province", "unit", "period", "status"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let jsonl = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    for (row, json) in rows.iter().zip(&jsonl) {
        assert_eq!(&row[4], "2024");
        assert_eq!(&row[3], json["unit"].as_str().unwrap_or(""));
    }

    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "--format", "table"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let heading = text.lines().next().unwrap();
    assert!(heading.contains("vn.enterprise"), "{heading}");
    assert!(
        heading.contains("kỳ đánh giá 2024 (01/01/2024 – 31/12/2024)"),
        "{heading}"
    );
    assert!(text.contains("══ 3948375689 · Công ty Cổ phần Cơ khí Lợi Thuận · Tây Ninh · Liên đoàn Lao động huyện Bến Cầu"));
}

#[test]
fn a_pack_chooses_the_fields_carried_into_results() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.rhai");
    std::fs::write(
        &pack,
        "extends(\"vn.enterprise\");\n\
         pack(#{ id: \"huyen-y.enterprise\", title: \"Huyện Y\", version: \"1\" });\n\
         field(\"district\", #{ type: \"string\", required: false, label: \"Huyện\", carry: true });\n\
         change_field(\"province\", #{ carry: false });\n",
    )
    .unwrap();
    let input = r#"{"id":"D1","name":"Công ty D","province":"Tây Ninh","unit":"LĐLĐ","district":"Gò Dầu","ownership":"state"}"#;
    let out = chamdiem_stdin(
        &[
            "score",
            "--period",
            "2024",
            "--pack",
            pack.to_str().unwrap(),
        ],
        format!("{input}\n").as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with(r#"{"id":"D1","name":"Công ty D","unit":"LĐLĐ","district":"Gò Dầu","period":"2024","status":"not_applicable""#),
        "{line}"
    );
    // A carried field may not take the name of a result key.
    std::fs::write(
        &pack,
        "extends(\"vn.enterprise\");\n\
         pack(#{ id: \"huyen-y.enterprise\", title: \"Huyện Y\", version: \"1\" });\n\
         field(\"status\", #{ type: \"string\", required: false, carry: true });\n",
    )
    .unwrap();
    let out = chamdiem(&["check", pack.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("pack.rhai") && text.contains("trùng tên một khóa của kết quả"),
        "{text}"
    );
}

#[test]
fn scoring_the_wrong_year_warns_once_naming_the_period() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2026"]);
    let text = stderr(&out);
    assert_eq!(
        text.matches("không có ngày nào trong kỳ 2026").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("(01/01/2026 – 31/12/2026)") && text.contains('%'),
        "{text}"
    );
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024"]);
    assert!(
        !stderr(&out).contains("không có ngày nào trong kỳ"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_status_zero_when_every_record_is_scored_or_not_applicable() {
    let out = chamdiem_stdin(
        &["score", "--period", "2024"],
        clean_example_lines().as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(" 0 lỗi."), "{}", stderr(&out));
    let help = chamdiem(&["score", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    for needle in [
        "Mã thoát",
        "0  mọi bản ghi",
        "1  chạy xong",
        "2  không đọc được",
        "Tùy chọn:",
    ] {
        assert!(help.contains(needle), "{help}");
    }
}

#[test]
fn the_output_never_replaces_the_input_or_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.jsonl");
    std::fs::copy(repo().join(EXAMPLE), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let link = dir.path().join("lien-ket.jsonl");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let pack_dir = dir.path().join("bo");
    std::fs::create_dir(&pack_dir).unwrap();
    std::fs::write(
        pack_dir.join("pack.rhai"),
        "extends(\"vn.enterprise\");\npack(#{ id: \"bo.x\", title: \"X\", version: \"1\" });\n",
    )
    .unwrap();
    let pack_before = std::fs::read(pack_dir.join("pack.rhai")).unwrap();
    let input_s = input.to_str().unwrap();
    let same_by_another_name = format!(
        "{}/../{}/x.jsonl",
        dir.path().display(),
        dir.path().file_name().unwrap().to_str().unwrap()
    );
    for (output, needle) in [
        (input_s.to_string(), "chính là tệp dữ liệu vào"),
        (
            link.to_str().unwrap().to_string(),
            "chính là tệp dữ liệu vào",
        ),
        (same_by_another_name, "chính là tệp dữ liệu vào"),
        (
            pack_dir.join("pack.rhai").to_str().unwrap().to_string(),
            "tệp của bộ quy tắc bo.x",
        ),
    ] {
        let out = chamdiem(&[
            "score",
            input_s,
            "--period",
            "2024",
            "--pack",
            pack_dir.to_str().unwrap(),
            "--format",
            "jsonl",
            "-o",
            &output,
        ]);
        assert_eq!(code(&out), 2, "{output}");
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(
        std::fs::read(pack_dir.join("pack.rhai")).unwrap(),
        pack_before
    );

    // A run that fails leaves the earlier results as they were, and no temporary file.
    let target = dir.path().join("ket-qua.jsonl");
    std::fs::write(&target, "kết quả cũ\n").unwrap();
    let out = chamdiem(&[
        "score",
        "tests/bad-input/broken-array.json",
        "--period",
        "2024",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kết quả cũ\n");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".chamdiem-")),
        "{names:?}"
    );
    // A run that succeeds replaces them.
    let out = chamdiem(&[
        "score",
        input_s,
        "--period",
        "2024",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        std::fs::read_to_string(&target).unwrap().lines().count(),
        300
    );
}

#[test]
fn the_output_format_follows_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = chamdiem(&[
            "score",
            EXAMPLE,
            "--period",
            "2024",
            "-o",
            path.to_str().unwrap(),
        ]);
        (
            code(&out),
            std::fs::read_to_string(&path).ok(),
            stderr(&out),
        )
    };
    let (status, csv, _) = run("ket-qua.csv");
    assert_eq!(status, 1);
    assert!(csv
        .unwrap()
        .starts_with("id,name,province,unit,period,status,"));
    let (_, table, _) = run("ket-qua.txt");
    assert!(table
        .unwrap()
        .starts_with("Kết quả chấm theo bộ quy tắc vn.enterprise"));
    let (_, jsonl, _) = run("ket-qua.jsonl");
    assert!(jsonl.unwrap().starts_with("{\"id\":"));
    // A device is written in place, never replaced by a file.
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "-o", "/dev/null"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    let (status, none, message) = run("ket-qua.xlsx");
    assert_eq!((status, none), (2, None));
    assert!(
        message.contains("không ghi được tệp đuôi .xlsx"),
        "{message}"
    );
}

/// A record whose text cells try formulas and hold separators, quotes and
/// line breaks.
const TRICKY: &str = r#"{"id":"+84123","name":"=HYPERLINK(\"http://x\",\"bấm\")","province":"@Tây Ninh","unit":"Công đoàn \"A\"; cơ sở, số 1\ndòng 2","ownership":"state"}"#;

#[test]
fn vietnamese_excel_csv_reads_back_with_semicolons_and_decimal_commas() {
    let input = format!("{TRICKY}\n{}", clean_example_lines());
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--format", "csv-vn"],
        input.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&out.stdout[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[1..6],
        [
            "Tên doanh nghiệp",
            "Tỉnh, thành phố",
            "Công đoàn cấp trên nhận kết quả",
            "Kỳ đánh giá",
            "Trạng thái"
        ]
    );
    assert!(header.iter().any(|h| h.starts_with("2.4 ")), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Formulas are neutralised; separators, quotes and line breaks round-trip.
    assert_eq!(&rows[0][0], "'+84123");
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"http://x\",\"bấm\")");
    assert_eq!(&rows[0][2], "'@Tây Ninh");
    assert_eq!(&rows[0][3], "Công đoàn \"A\"; cơ sở, số 1\ndòng 2");
    assert_eq!(&rows[0][5], "Không thuộc đối tượng");
    let jsonl = lines(&chamdiem_stdin(
        &["score", "--period", "2024"],
        input.as_bytes(),
    ));
    let total = header.iter().position(|h| h == "Tổng điểm").unwrap();
    let class = header.iter().position(|h| h == "Xếp loại").unwrap();
    let mut decimals = 0;
    for (row, json) in rows.iter().zip(&jsonl) {
        let expected = json["total"]
            .as_f64()
            .map(|t| t.to_string().replace('.', ","))
            .unwrap_or_default();
        assert_eq!(row[total], expected);
        decimals += row[total].contains(',') as usize;
        assert_eq!(&row[class], json["class_label"].as_str().unwrap_or(""));
        if json["status"] == "scored" {
            assert_eq!(&row[5], "Đã chấm");
        }
    }
    assert!(decimals > 0, "some totals have decimals");
}

#[test]
fn machine_csv_neutralises_formulas_too() {
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--format", "csv"],
        format!("{TRICKY}\n").as_bytes(),
    );
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "'+84123");
    assert_eq!(&row[1], "'=HYPERLINK(\"http://x\",\"bấm\")");
    assert_eq!(&row[3], "Công đoàn \"A\"; cơ sở, số 1\ndòng 2");
    assert_eq!(&row[5], "not_applicable");
}

#[test]
fn csv_as_excel_writes_it_works_from_a_file_and_from_standard_input() {
    // Excel with Vietnamese settings: a BOM, `;` between columns, CRLF line ends.
    let input = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(input.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for row in reader.records() {
        writer.write_record(&row.unwrap()).unwrap();
    }
    let excel = writer.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("excel.csv");
    std::fs::write(&path, &excel).unwrap();
    let commas = lines(&chamdiem(&[
        "score",
        "examples/doanh-nghiep-2024.csv",
        "--period",
        "2024",
    ]));
    let from_file = chamdiem(&["score", path.to_str().unwrap(), "--period", "2024"]);
    assert_eq!(lines(&from_file), commas);
    let from_stdin = chamdiem_stdin(&["score", "--period", "2024"], &excel);
    assert!(
        stderr(&from_stdin).contains("đầu vào chuẩn là CSV"),
        "{}",
        stderr(&from_stdin)
    );
    assert_eq!(lines(&from_stdin), commas);
}

#[test]
fn ambiguous_input_is_flagged() {
    // A key given twice, in JSON Lines and in a JSON array.
    let twice = r#"{"id":"K1","ownership":"private","ownership":"state"}"#;
    let out = chamdiem_stdin(
        &["score", "--period", "2024"],
        format!("{twice}\n{twice}\n").as_bytes(),
    );
    let results = lines(&out);
    assert_eq!(statuses(&results), ["error", "error"]);
    assert_eq!(results[0]["id"], "K1");
    assert!(first_message(&results[0]).contains("\"ownership\" xuất hiện nhiều lần"));
    // …and the id given twice is warned about.
    assert!(
        stderr(&out).contains("1 bản ghi có mã trùng với một bản ghi trước đó: K1 (dòng 2)"),
        "{}",
        stderr(&out)
    );
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--input-format", "json"],
        format!("[{twice}]").as_bytes(),
    );
    assert!(first_message(&lines(&out)[0]).contains("\"ownership\" xuất hiện nhiều lần"));
    // A column given twice: an error only where the two cells differ.
    let csv = "id,ownership,ownership\nC1,state,state\nC2,state,private\n";
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--input-format", "csv"],
        csv.as_bytes(),
    );
    let results = lines(&out);
    assert_eq!(statuses(&results), ["not_applicable", "error"]);
    assert!(first_message(&results[1]).contains("cột 'ownership' có hai lần"));
    assert!(stderr(&out).contains("dòng tiêu đề có cột lặp lại: ownership"));
}

#[test]
fn problems_of_the_whole_file_are_reported_once_at_the_top() {
    let csv = "id,ownership\nM1,private\nM2,private\n";
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--input-format", "csv"],
        csv.as_bytes(),
    );
    let text = stderr(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("tệp CSV thiếu cột bắt buộc")
            && first.contains("has_union (Có công đoàn cơ sở đang hoạt động)"),
        "{text}"
    );
    assert_eq!(text.matches("thiếu cột bắt buộc").count(), 1);
    // …and on each record.
    for result in lines(&out) {
        assert!(result["errors"].to_string().contains("has_union"));
    }
    let latin1 = b"id,ownership\nL1,\xe9tat\n";
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--input-format", "csv"],
        latin1,
    );
    assert!(
        stderr(&out)
            .lines()
            .next()
            .unwrap()
            .contains("không phải văn bản UTF-8"),
        "{}",
        stderr(&out)
    );
    assert!(first_message(&lines(&out)[0]).contains("UTF-8"));
}

#[test]
fn control_characters_are_shown_escaped() {
    let input = "{\"id\":\"E\\u001b[31mĐỎ\",\"ownership\":\"private\",\"k\\u001b]0;x\\u0007\":1}\n";
    let out = chamdiem_stdin(
        &["score", "--period", "2024", "--format", "table"],
        input.as_bytes(),
    );
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains("E\\u{1b}[31mĐỎ"), "{table}");
    let text = stderr(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("k\\u{1b}]0;x\\u{7}"), "{text}");
}

#[test]
fn booleans_accept_the_vietnamese_spellings_and_list_them_otherwise() {
    let yes_no = |yes: &str, no: &str| {
        let input = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(input.as_bytes());
        let header = reader.headers().unwrap().clone();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header).unwrap();
        for row in reader.records().take(40) {
            let row: Vec<String> = row
                .unwrap()
                .iter()
                .map(|cell| match cell {
                    "true" => yes.to_string(),
                    "false" => no.to_string(),
                    other => other.to_string(),
                })
                .collect();
            writer.write_record(&row).unwrap();
        }
        writer.into_inner().unwrap()
    };
    let score = |csv: Vec<u8>| {
        lines(&chamdiem_stdin(
            &["score", "--period", "2024", "--input-format", "csv"],
            &csv,
        ))
    };
    let plain = score(yes_no("true", "false"));
    assert!(plain.iter().any(|r| r["status"] == "scored"));
    for (yes, no) in [("có", "không"), ("Đúng", "Sai"), ("x", ""), ("X", "0")] {
        assert_eq!(score(yes_no(yes, no)), plain, "{yes}/{no}");
    }
    let odd = score(yes_no("vâng", "false"));
    let message = odd.iter().find(|r| r["status"] == "error").unwrap()["errors"].to_string();
    assert!(
        message.contains("có/không, đúng/sai, 1/0, x/ô trống"),
        "{message}"
    );
}

#[test]
fn check_and_packs_report_a_write_error() {
    for args in [
        vec!["packs"],
        vec!["check", "vn.enterprise"],
        vec!["score", EXAMPLE, "--period", "2024"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_chamdiem"))
            .args(&args)
            .current_dir(repo())
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("ổ đĩa đã đầy"), "{}", stderr(&out));
    }
}

#[test]
fn files_saved_with_a_byte_order_mark_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("bo");
    std::fs::create_dir(&pack).unwrap();
    std::fs::copy(
        repo().join("docs/guide-src/go-dau/pack.rhai"),
        pack.join("pack.rhai"),
    )
    .unwrap();
    let examples = std::fs::read(repo().join("docs/guide-src/go-dau/examples.jsonl")).unwrap();
    std::fs::write(
        pack.join("examples.jsonl"),
        [b"\xEF\xBB\xBF".as_slice(), &examples].concat(),
    )
    .unwrap();
    let out = chamdiem(&["test", pack.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    // A JSON Lines data file and a JSON array with a BOM.
    let data = std::fs::read(repo().join(EXAMPLE)).unwrap();
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), &data].concat();
    let path = dir.path().join("bom.jsonl");
    std::fs::write(&path, &with_bom).unwrap();
    let plain = lines(&chamdiem(&["score", EXAMPLE, "--period", "2024"]));
    assert_eq!(
        lines(&chamdiem(&[
            "score",
            path.to_str().unwrap(),
            "--period",
            "2024"
        ])),
        plain
    );
    let array: Vec<Value> = String::from_utf8(data)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let path = dir.path().join("bom.json");
    std::fs::write(&path, format!("\u{feff}{}", Value::Array(array))).unwrap();
    assert_eq!(
        lines(&chamdiem(&[
            "score",
            path.to_str().unwrap(),
            "--period",
            "2024"
        ])),
        plain
    );
}

#[test]
fn check_shows_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.rhai");
    std::fs::write(
        &pack,
        "extends(\"vn.enterprise\");\n\
         pack(#{ id: \"dk.x\", title: \"Tiêu đề \\x1b[2J xóa màn hình\", version: \"1\" });\n",
    )
    .unwrap();
    let out = chamdiem(&["check", pack.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("Tiêu đề \\u{1b}[2J xóa màn hình"), "{text}");
}

#[test]
fn command_line_mistakes_are_explained_in_vietnamese() {
    for (args, needle) in [
        (
            vec!["scor"],
            "không có lệnh 'scor' (có phải ý bạn là 'score'?)",
        ),
        (vec!["check"], "thiếu <BỘ>"),
        (
            vec!["score", "--format", "xlsx", "--period", "2024"],
            "giá trị 'xlsx' không hợp lệ cho --format",
        ),
        (
            vec!["score", "--format", "csv", "--excel", "--period", "2024"],
            "cùng với --excel",
        ),
        // Every command is listed, from clap's own list.
        (
            vec!["explain"],
            "các lệnh: score, template, packs, check, sensitivity, test, report, diff",
        ),
        // A value its type refuses names the value and the option.
        (
            vec![
                "sensitivity",
                "--period",
                "2024",
                "--samples",
                "99999999999999999999",
            ],
            "giá trị '99999999999999999999' không hợp lệ cho --samples",
        ),
        (
            vec!["sensitivity", "--period", "2024", "--samples", "nhiều"],
            "giá trị 'nhiều' không hợp lệ cho --samples",
        ),
    ] {
        let out = chamdiem(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
        assert!(!stderr(&out).contains("error:"), "{}", stderr(&out));
    }
}

#[test]
fn a_sheet_for_a_file_that_is_no_workbook_is_said_to_be_ignored() {
    let out = chamdiem(&["score", EXAMPLE, "--period", "2024", "--sheet", "Dữ liệu"]);
    // Scored (1: the example file has some bad records), with the note.
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("không có tệp nào là bảng tính nên --sheet được bỏ qua"),
        "{}",
        stderr(&out)
    );
}
