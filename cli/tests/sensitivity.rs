//! `chamdiem sensitivity` on the bundled example file: the summary, the three
//! output files read back (JSON, CSV, the workbook with calamine), the same
//! bytes for the same seed, and its refusals.

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
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

const EXAMPLE: &str = "examples/doanh-nghiep-2024.jsonl";

fn run(dir: &Path, name: &str, seed: &str) -> (Output, PathBuf) {
    let out = dir.join(name);
    let output = chamdiem(&[
        "sensitivity",
        EXAMPLE,
        "--period",
        "2024",
        "--samples",
        "200",
        "--seed",
        seed,
        "-o",
        out.to_str().unwrap(),
    ]);
    (output, out)
}

#[test]
fn the_example_file_json_csv_and_workbook_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (output, json_path) = run(dir.path(), "a.json", "3");
    // The example file has 9 records in error: exit 1, as `score`.
    assert_eq!(output.status.code(), Some(1));
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(summary.contains("200 mẫu"), "{summary}");
    assert!(summary.contains("300 bản ghi, 246 được chấm"), "{summary}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("9 bản ghi lỗi"), "{stderr}");
    // No progress bar in a pipe.
    assert!(!stderr.contains("lượt chấm lại"), "{stderr}");

    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let records = json["records"].as_array().unwrap();
    assert_eq!(records.len(), 300);
    assert_eq!(json["options"]["samples"], 200);
    let scored: Vec<&Value> = records.iter().filter(|r| r["status"] == "scored").collect();
    assert_eq!(scored.len(), 246);
    for r in &scored {
        // Counts cover every sample; the stability is the declared class's share.
        let counts = r["counts"].as_object().unwrap();
        let sum: u64 = counts.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum + r["failed"].as_u64().unwrap(), 200);
        let class = r["class"].as_str().unwrap();
        let own = counts[class].as_f64().unwrap() / 200.0;
        assert_eq!(r["stability"].as_f64().unwrap(), own);
        assert_eq!(r["knife_edge"], own < 0.9);
    }
    // Records far from every threshold never move: a total of 100 (or ≥ 95)
    // with no gate cannot fall below 80 × 1.1 = 88 with weights ±10 %.
    let top: Vec<&&Value> = scored
        .iter()
        .filter(|r| r["total"].as_f64().unwrap() >= 97.0 && r["class"] == "tot")
        .collect();
    assert!(!top.is_empty());
    for r in top {
        assert_eq!(r["stability"], 1.0, "{r}");
    }
    assert_eq!(json["criteria"].as_array().unwrap().len(), 21);

    // CSV: one row per record, the same stabilities.
    let (output, csv_path) = run(dir.path(), "a.csv", "3");
    assert_eq!(output.status.code(), Some(1));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = headers.iter().position(|h| h == "stability").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    for (row, record) in rows.iter().zip(records) {
        match record["stability"].as_f64() {
            Some(s) => assert_eq!(row[at].parse::<f64>().unwrap(), s),
            None => assert_eq!(&row[at], ""),
        }
    }

    // The workbook: Vietnamese headers, numbers as numbers, a criteria sheet.
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (output, xlsx_path) = run(dir.path(), "a.xlsx", "3");
    assert_eq!(output.status.code(), Some(1));
    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let sheet = book.worksheet_range("Ban ghi").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header.iter().position(|h| h == "Độ ổn định").unwrap();
    assert!(header.contains(&"Tỉ lệ mẫu Tốt".to_string()), "{header:?}");
    for (row, record) in sheet.rows().skip(1).zip(records) {
        match record["stability"].as_f64() {
            Some(s) => assert_eq!(row[col], Data::Float(s)),
            None => assert_eq!(row[col], Data::Empty),
        }
    }
    let criteria = book.worksheet_range("Tieu chi").unwrap();
    assert_eq!(criteria.rows().count(), 22);
    let first = criteria.rows().nth(1).unwrap();
    assert_eq!(first[0], Data::String("1.1".into()));
    assert_eq!(first[2], Data::Float(8.0));
    assert_eq!(
        first[5],
        Data::Float(json["criteria"][0]["moved"].as_f64().unwrap())
    );
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = run(dir.path(), "a.json", "11");
    let (_, b) = run(dir.path(), "b.json", "11");
    let (_, c) = run(dir.path(), "c.json", "12");
    let (a, b, c) = (
        std::fs::read(a).unwrap(),
        std::fs::read(b).unwrap(),
        std::fs::read(c).unwrap(),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn bad_options_are_refused_in_vietnamese() {
    for (args, expect) in [
        (vec!["--vary", "10"], "10% hoặc 0.1"),
        (vec!["--vary", "150%"], "0% đến 100%"),
        (vec!["--vary", "100%"], "vary"),
        (vec!["--samples", "0"], "số mẫu"),
    ] {
        let mut all = vec!["sensitivity", EXAMPLE, "--period", "2024"];
        all.extend(args.iter());
        let output = chamdiem(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        // Said before any data is read, as an option, not as unreadable data.
        assert!(!stderr.contains("dữ liệu vào"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    let output = chamdiem(&["sensitivity", EXAMPLE, "--period", "2024", "-o", "x.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains(".json, .csv hoặc .xlsx"));
    let output = chamdiem(&["sensitivity", EXAMPLE]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("--period"));
}
