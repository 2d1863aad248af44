//! The `chamdiem` command against hostile packs and data files, run as a
//! separate process: it must exit normally (no abort, no panic), give every
//! other record its result, and stay bounded in memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the command and returns its output and its peak resident memory in
/// KiB (the largest `VmHWM` seen in `/proc` while it ran; 0 if not readable).
fn run(args: &[&str]) -> (Output, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    // Read the pipes on threads so the child never blocks on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).unwrap();
        buf
    });
    let mut peak = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, peak)
}

fn results(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The process ended by itself, without a Rust panic or an abort.
fn assert_no_crash(output: &Output) {
    let code = output.status.code();
    assert!(
        code.is_some(),
        "killed by a signal: {:?}\n{}",
        output.status,
        stderr(output)
    );
    assert_ne!(code, Some(101), "a panic: {}", stderr(output));
    let text = stderr(output);
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("overflow"), "{text}");
}

/// A record the default pack scores, with this id and number of employees.
fn record(id: &str, employees: i64) -> Value {
    let text = std::fs::read_to_string(repo().join("rules/vn.enterprise/examples.jsonl")).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let mut record = first["record"].clone();
    record["id"] = json!(id);
    record["employees"] = json!(employees);
    record
}

fn write_jsonl(path: &Path, records: &[Value]) {
    let mut file = std::fs::File::create(path).unwrap();
    for r in records {
        writeln!(file, "{r}").unwrap();
    }
}

/// What each hostile branch of the rule below does, by number of employees.
const HOSTILE_RULE: &str = r#"
extends("vn.enterprise");
pack(#{ id: "hostile.per-record", title: "Hostile theo bản ghi", version: "0" });
change_criterion("1.1", #{ rule: |r| {
    if r.employees == 91 { add_days(date("2024-01-01"), r.employees * 100000000000000); }
    if r.employees == 92 { let f = |x| x; for i in 0..20000 { let g = f; f = |x| g.call(x); } }
    if r.employees == 93 { let m = #{}; let k = "k"; while k.len() < 60000 { k += "kkkkkkkkkk"; } for i in 0..50000 { m[k + i] = i; } }
    if r.employees == 94 { let a = []; for i in 0..9999 { a.push("x" + i); } loop { a.contains("y"); } }
    if r.employees == 95 { let m = #{}; for i in 0..9990 { m = #{ a: m }; } }
    pass("")
} });
"#;

#[test]
fn a_record_that_breaks_a_rule_costs_only_its_own_result() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.rhai");
    std::fs::write(&pack, HOSTILE_RULE).unwrap();
    // Each hostile record between two good ones.
    let hostile = [
        (91, "add_days"),
        (92, "max_nesting_depth"),
        (93, "max_memory_bytes"),
        (94, "max_time_ms"),
        (95, "max_nesting_depth"),
    ];
    let mut records = vec![record("good-0", 300)];
    for (i, (employees, _)) in hostile.iter().enumerate() {
        records.push(record(&format!("bad-{employees}"), *employees));
        records.push(record(&format!("good-{}", i + 1), 300 + i as i64));
    }
    let data = dir.path().join("data.jsonl");
    write_jsonl(&data, &records);

    let (output, peak_kib) = run(&[
        "score",
        data.to_str().unwrap(),
        "--pack",
        pack.to_str().unwrap(),
        "--period",
        "2024",
    ]);
    assert_no_crash(&output);
    // 1: the run finished, some records are errors.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let results = results(&output);
    assert_eq!(results.len(), records.len());
    for (result, record) in results.iter().zip(&records) {
        assert_eq!(result["id"], record["id"]);
        let id = record["id"].as_str().unwrap();
        if id.starts_with("good") {
            assert_eq!(result["status"], "scored", "{result}");
        } else {
            let employees = record["employees"].as_i64().unwrap();
            let (_, expected) = hostile.iter().find(|(e, _)| *e == employees).unwrap();
            assert_eq!(result["status"], "error", "{result}");
            let message = result["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(expected), "{id}: {message}");
            assert!(message.contains("1.1"), "names the rule: {message}");
        }
    }
    // 50,000 keys of 60 KB would be 3 GB: the memory budget stopped it.
    if peak_kib > 0 {
        assert!(peak_kib < 600 * 1024, "peak RSS {peak_kib} KiB");
    }
}

#[test]
fn a_pack_that_builds_gigabytes_at_load_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.rhai");
    std::fs::write(
        &pack,
        r#"extends("vn.enterprise");
pack(#{ id: "hostile.keys", title: "Khóa lớn", version: "0" });
let m = #{}; let k = "k"; while k.len() < 60000 { k += "kkkkkkkkkk"; }
for i in 0..50000 { m[k + i] = i; }
"#,
    )
    .unwrap();
    let (output, peak_kib) = run(&["check", pack.to_str().unwrap()]);
    assert_no_crash(&output);
    assert_eq!(output.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(text.contains("max_memory_bytes"), "{text}");
    assert!(text.contains("pack.rhai:4"), "{text}");
    if peak_kib > 0 {
        assert!(peak_kib < 600 * 1024, "peak RSS {peak_kib} KiB");
    }
}

#[test]
fn an_overlong_line_is_that_lines_error_and_the_next_lines_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.jsonl");
    let mut long = record("long", 300);
    long["name"] = json!("x".repeat(3 * 1024 * 1024));
    write_jsonl(
        &data,
        &[record("a", 300), long, record("b", 300), record("c", 300)],
    );
    let (output, _) = run(&["score", data.to_str().unwrap(), "--period", "2024"]);
    assert_no_crash(&output);
    // 1: the run finished, one record is an error.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let results = results(&output);
    let ids: Vec<&Value> = results.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&json!("a"), &Value::Null, &json!("b"), &json!("c")]);
    assert_eq!(results[1]["status"], "error");
    let message = results[1]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("dòng 2"), "{message}");
    assert!(message.contains("max_record_bytes"), "{message}");
    for i in [0, 2, 3] {
        assert_eq!(results[i]["status"], "scored");
    }
}

#[test]
fn dev_zero_as_data_is_a_clear_error_in_every_format() {
    for format in ["jsonl", "json", "csv"] {
        let (output, peak_kib) = run(&[
            "score",
            "/dev/zero",
            "--input-format",
            format,
            "--period",
            "2024",
        ]);
        assert_no_crash(&output);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let text = stderr(&output);
        assert!(
            text.contains("không đọc được dữ liệu vào"),
            "{format}: {text}"
        );
        if peak_kib > 0 {
            assert!(peak_kib < 200 * 1024, "{format}: peak RSS {peak_kib} KiB");
        }
    }
}

#[test]
fn a_huge_csv_header_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&data).unwrap());
    for i in 0..50_000 {
        write!(file, "cot{i}_{},", "y".repeat(1000)).unwrap();
    }
    writeln!(file, "id\nX1").unwrap();
    drop(file);
    let (output, peak_kib) = run(&["score", data.to_str().unwrap(), "--period", "2024"]);
    assert_no_crash(&output);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("dòng tiêu đề CSV"), "{text}");
    assert!(text.contains("max_record_bytes"), "{text}");
    if peak_kib > 0 {
        assert!(peak_kib < 200 * 1024, "peak RSS {peak_kib} KiB");
    }
}

#[test]
fn unknown_keys_are_echoed_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.jsonl");
    let records: Vec<Value> = (0..6)
        .map(|i| {
            let mut r = record(&format!("r{i}"), 300);
            for k in 0..10 {
                r[format!("khoa{i}_{k}_{}", "z".repeat(50_000))] = json!(1);
            }
            r
        })
        .collect();
    write_jsonl(&data, &records);
    let (output, _) = run(&["score", data.to_str().unwrap(), "--period", "2024"]);
    assert_no_crash(&output);
    assert_eq!(results(&output).len(), 6);
    let text = stderr(&output);
    // 60 keys of 50 KB each: named, but cut to 80 characters (50 at most).
    assert!(text.contains("khoa0_0_zzz"), "{text}");
    assert!(text.len() < 8_000, "{} bytes on stderr", text.len());
}
