//! `chamdiem template`, and `chamdiem score` on workbooks and on several
//! files at once (one per grassroots union), each result naming its source.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chamdiem_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The example records that give every field the pack declares.
fn complete_examples(n: usize) -> Vec<serde_json::Map<String, Value>> {
    let pack = chamdiem::Pack::load("vn.enterprise").unwrap();
    let text = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|v| v.as_object().cloned())
        .filter(|r| pack.fields().iter().all(|f| r.contains_key(&f.name)))
        // Dates that are real days, so they can be date cells.
        .filter(|r| {
            r.iter().all(|(k, v)| {
                !k.ends_with("_date")
                    || v.is_null()
                    || v.as_str()
                        .is_some_and(|s| chamdiem::parse_date(s).is_some())
            })
        })
        .take(n)
        .collect()
}

/// A workbook as a person fills it: keys in row 1, dates as date cells,
/// yes/no as Có/Không, numbers as numbers, lists of dates as text.
fn write_workbook(path: &Path, records: &[serde_json::Map<String, Value>]) {
    write_workbook_after(path, records, None);
}

/// As [`write_workbook`], with a sheet of notes first when `notes` is given.
fn write_workbook_after(
    path: &Path,
    records: &[serde_json::Map<String, Value>],
    notes: Option<&str>,
) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let pack = chamdiem::Pack::load("vn.enterprise").unwrap();
    let mut book = Workbook::new();
    if let Some(notes) = notes {
        let sheet = book.add_worksheet();
        sheet.set_name("Ghi chú").unwrap();
        sheet.write_string(0, 0, notes).unwrap();
    }
    let sheet = book.add_worksheet();
    sheet.set_name("Công đoàn A").unwrap();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (col, field) in pack.fields().iter().enumerate() {
        sheet.write_string(0, col as u16, &field.name).unwrap();
    }
    for (i, record) in records.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, field) in pack.fields().iter().enumerate() {
            let col = col as u16;
            match &record[&field.name] {
                Value::Null => {}
                Value::Bool(b) => {
                    sheet
                        .write_string(row, col, if *b { "Có" } else { "Không" })
                        .unwrap();
                }
                Value::Number(n) => {
                    sheet.write_number(row, col, n.as_f64().unwrap()).unwrap();
                }
                Value::String(s) if field.ty == chamdiem::FieldType::Date => {
                    let d = chamdiem::parse_date(s).unwrap();
                    let d = ExcelDateTime::parse_from_str(&d.to_string()).unwrap();
                    sheet
                        .write_datetime_with_format(row, col, &d, &date_format)
                        .unwrap();
                }
                Value::String(s) => {
                    sheet.write_string(row, col, s).unwrap();
                }
                Value::Array(items) => {
                    let text: Vec<&str> = items.iter().map(|v| v.as_str().unwrap()).collect();
                    sheet.write_string(row, col, text.join("; ")).unwrap();
                }
                Value::Object(_) => unreachable!(),
            }
        }
    }
    book.save(path).unwrap();
}

fn without_source(mut v: Value) -> (Value, Option<Value>) {
    let source = v.as_object_mut().unwrap().remove("source");
    (v, source)
}

#[test]
fn several_files_are_one_batch_and_each_result_names_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let records = complete_examples(7);
    assert_eq!(records.len(), 7);
    write_workbook(&dir.path().join("a.xlsx"), &records[..4]);
    let jsonl: String = records[4..]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join("b.jsonl"), &jsonl).unwrap();
    let all: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join("all.jsonl"), &all).unwrap();

    let both = chamdiem_in(
        dir.path(),
        &["score", "a.xlsx", "b.jsonl", "--period", "2024"],
    );
    assert!(
        both.status.success(),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );
    let alone = chamdiem_in(dir.path(), &["score", "all.jsonl", "--period", "2024"]);
    assert!(alone.status.success());
    let both = lines(&both);
    let alone = lines(&alone);
    assert_eq!(both.len(), 7);
    // One JSONL file alone: results as always, without a source.
    assert!(alone.iter().all(|r| r.get("source").is_none()));
    let mut sources = Vec::new();
    for (with, plain) in both.into_iter().zip(alone) {
        let (with, source) = without_source(with);
        assert_eq!(
            with, plain,
            "the workbook reads as the JSON of the same records"
        );
        sources.push(source.unwrap());
    }
    let expected: Vec<Value> = (2..=5)
        .map(|row| serde_json::json!({"file": "a.xlsx", "sheet": "Công đoàn A", "row": row}))
        .chain((1..=3).map(|line| serde_json::json!({"file": "b.jsonl", "line": line})))
        .collect();
    assert_eq!(sources, expected);

    // CSV: the source in three more columns.
    let csv = chamdiem_in(
        dir.path(),
        &[
            "score", "a.xlsx", "b.jsonl", "--period", "2024", "--format", "csv",
        ],
    );
    assert!(csv.status.success());
    let mut reader = csv::Reader::from_reader(&csv.stdout[..]);
    let header = reader.headers().unwrap().clone();
    let n = header.len();
    assert_eq!(
        header.iter().skip(n - 3).collect::<Vec<_>>(),
        ["source.file", "source.sheet", "source.row"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        &rows[0].iter().skip(n - 3).collect::<Vec<_>>(),
        &["a.xlsx", "Công đoàn A", "2"]
    );
    assert_eq!(
        &rows[6].iter().skip(n - 3).collect::<Vec<_>>(),
        &["b.jsonl", "", "3"]
    );
}

/// `report`, `diff` and `sensitivity` read the sheet `--sheet` names, as
/// `score` does: the same output as the JSON of the same records.
#[test]
fn every_command_that_reads_records_reads_the_sheet_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let records = complete_examples(7);
    write_workbook_after(
        &dir.path().join("book.xlsx"),
        &records,
        Some("Số liệu ở trang sau"),
    );
    let all: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join("all.jsonl"), &all).unwrap();
    let sheet = ["--sheet", "Công đoàn A"];
    let commands: [&[&str]; 3] = [
        &["report", "--period", "2024", "--format", "json"],
        &[
            "diff",
            "--old",
            "vn.enterprise",
            "--new",
            "tay-ninh.enterprise",
            "--period",
            "2024",
            "--format",
            "json",
        ],
        &[
            "sensitivity",
            "--period",
            "2024",
            "--samples",
            "20",
            "--seed",
            "3",
            "-o",
            "out.json",
        ],
    ];
    let run = |input: &str, command: &[&str], extra: &[&str]| {
        let mut args = vec![command[0], input];
        args.extend_from_slice(&command[1..]);
        args.extend_from_slice(extra);
        let _ = std::fs::remove_file(dir.path().join("out.json"));
        let out = chamdiem_in(dir.path(), &args);
        let text = if command[0] == "sensitivity" {
            std::fs::read_to_string(dir.path().join("out.json")).unwrap_or_default()
        } else {
            String::from_utf8(out.stdout.clone()).unwrap()
        };
        (out, text)
    };
    for command in commands {
        let (from_json, expected) = run("all.jsonl", command, &[]);
        assert!(from_json.status.success(), "{command:?}: {from_json:?}");
        let (from_sheet, got) = run("book.xlsx", command, &sheet);
        assert!(from_sheet.status.success(), "{command:?}: {from_sheet:?}");
        let mut got: Value = serde_json::from_str(&got).unwrap();
        let mut expected: Value = serde_json::from_str(&expected).unwrap();
        // The inputs' names are the only difference.
        for v in [&mut got, &mut expected] {
            if let Some(o) = v.as_object_mut() {
                o.remove("inputs");
                o.remove("files");
            }
        }
        assert_eq!(got, expected, "{command:?}");
        // Without `--sheet`, the first sheet (the notes) is read: no records scored.
        let (_, first) = run("book.xlsx", command, &[]);
        assert_ne!(
            serde_json::from_str::<Value>(&first).ok(),
            Some(expected),
            "{command:?} read the first sheet"
        );
    }
}

#[test]
fn a_missing_or_broken_input_stops_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.jsonl"), "{\"id\":\"1\"}\n").unwrap();
    std::fs::write(dir.path().join("bad.xlsx"), "id,employees\n").unwrap();
    for other in ["missing.jsonl", "bad.xlsx"] {
        let out = chamdiem_in(
            dir.path(),
            &[
                "score",
                "ok.jsonl",
                other,
                "--period",
                "2024",
                "-o",
                "out.jsonl",
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(other), "{stderr}");
        assert!(!dir.path().join("out.jsonl").exists());
    }
}

#[test]
fn the_template_is_written_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = chamdiem_in(
        dir.path(),
        &[
            "template",
            "--pack",
            "vn.enterprise",
            "--output",
            "mau-cham-diem.xlsx",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("mau-cham-diem.xlsx");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let range = book.worksheet_range("Dữ liệu").unwrap();
    let pack = chamdiem::Pack::load("vn.enterprise").unwrap();
    assert_eq!(
        range.get((1, 0)).unwrap().to_string(),
        pack.fields()[0].name
    );
    assert_eq!(
        range.get((0, 0)).unwrap().to_string(),
        format!("{} *", pack.fields()[0].label)
    );
    // Scoring the blank template: no records, no error.
    let score = chamdiem_in(
        dir.path(),
        &["score", "mau-cham-diem.xlsx", "--period", "2024"],
    );
    assert!(
        score.status.success(),
        "{}",
        String::from_utf8_lossy(&score.stderr)
    );
    assert!(score.stdout.is_empty());
    // Only .xlsx.
    let wrong = chamdiem_in(dir.path(), &["template", "--output", "mau.csv"]);
    assert_eq!(wrong.status.code(), Some(2));
}
