//! Issue "Sound results" through the real binary: the memo never changes an
//! output byte, and dates are strict.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str], memo: &str, input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .env("CHAMDIEM_MEMO", memo)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_memo_switched_off_gives_the_same_bytes() {
    for (pack, input) in [
        ("vn.enterprise", "examples/doanh-nghiep-2024.jsonl"),
        ("tay-ninh.enterprise", "examples/doanh-nghiep-2024.jsonl"),
        (
            "tests/packs/vd.xuat-sac",
            "examples/doanh-nghiep-2024.jsonl",
        ),
        ("vn.enterprise", "examples/doanh-nghiep-2024.csv"),
    ] {
        let args = ["score", input, "--pack", pack, "--period", "2024"];
        let on = run(&args, "on", b"");
        let off = run(&args, "off", b"");
        assert!(on.stdout.len() > 10_000, "{pack}");
        assert_eq!(on.stdout, off.stdout, "{pack} {input}");
    }
}

#[test]
fn a_shadowed_period_in_a_batch_is_scored_like_alone() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("p.rhai");
    std::fs::write(
        &pack,
        r#"pack(#{ id:"t.x", title:"T", version:"0" }); field("id",#{type:"string"});
field("d",#{type:"date",required:false}); group("1",#{label:"G"});
criterion("1.1", #{ group:"1", points:10, label:"C",
  rule: |r, p| { let p = [date("2024-06-15")]; if p.contains(r.d) {pass("")} else {fail("")} } });
band("a",#{label:"A",min:5}); band("c",#{label:"C",min:0});"#,
    )
    .unwrap();
    let pack = pack.to_str().unwrap();
    let args = ["score", "--pack", pack, "--period", "2024"];
    let both = run(
        &args,
        "on",
        b"{\"id\":\"1\",\"d\":\"2024-06-15\"}\n{\"id\":\"2\",\"d\":\"2024-03-01\"}\n",
    );
    let totals: Vec<serde_json::Value> = String::from_utf8(both.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["total"].clone())
        .collect();
    assert_eq!(totals, [10.0, 0.0]);
}

#[test]
fn a_two_digit_year_is_an_error_naming_the_forms() {
    let record = std::fs::read_to_string(repo().join("tests/cases/vn.enterprise-2024.input.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut value: serde_json::Value = serde_json::from_str(&record).unwrap();
    value["workers_conference_date"] = "15/06/24".into();
    let out = run(
        &["score", "--period", "2024"],
        "on",
        format!("{value}\n").as_bytes(),
    );
    let result: serde_json::Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(result["status"], "error");
    let error = &result["errors"][0];
    assert_eq!(error["field"], "workers_conference_date");
    assert_eq!(error["code"], "record.date");
    assert!(
        error["message"].as_str().unwrap().contains("DD/MM/YYYY"),
        "{error}"
    );
}
