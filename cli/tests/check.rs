//! `chamdiem check` on real files: its text and JSON forms render one
//! description, and files that are not regular files (FIFOs, devices) are
//! refused at once instead of blocking or reading without end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the command; a run that would block forever is killed after a
/// minute and fails the test (a safety net, not a timing threshold).
fn chamdiem(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chamdiem"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("chamdiem {args:?} blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

const HEAD: &str =
    "extends(\"vn.enterprise\");\npack(#{ id: \"x\", title: \"x\", version: \"0\" });\n";

#[test]
fn check_json_is_the_description_and_the_text_renders_it() {
    for id in ["vn.enterprise", "tay-ninh.duong-minh-chau.enterprise"] {
        let json = chamdiem(&["check", "--json", id]);
        assert!(json.status.success(), "{}", stdout(&json));
        let description: Value = serde_json::from_str(&stdout(&json)).unwrap();
        assert_eq!(description["id"], id);
        let text = chamdiem(&["check", id]);
        assert!(text.status.success());
        let text = stdout(&text);
        let lines: Vec<&str> = text.lines().collect();
        // Each field, criterion and gate of the JSON is a line of the text.
        for field in description["fields"].as_array().unwrap() {
            let (name, label) = (
                field["name"].as_str().unwrap(),
                field["label"].as_str().unwrap(),
            );
            assert!(
                lines
                    .iter()
                    .any(|l| l.trim_start().starts_with(&format!("{name} ")) && l.contains(label)),
                "{id}: field {name} is not in\n{text}"
            );
        }
        let criteria = description["criteria"].as_array().unwrap();
        assert!(text.contains(&format!(
            "{} tiêu chí, tổng {} điểm",
            criteria.len(),
            description["max_points"]
        )));
        for c in criteria {
            let (cid, label) = (c["id"].as_str().unwrap(), c["label"].as_str().unwrap());
            assert!(
                lines
                    .iter()
                    .any(|l| l.trim_start().starts_with(cid) && l.ends_with(label)),
                "{id}: criterion {cid} is not in\n{text}"
            );
        }
        for gate in description["gates"].as_array().unwrap() {
            let line = format!(
                "điều kiện {}: {}",
                gate["id"].as_str().unwrap(),
                gate["label"].as_str().unwrap()
            );
            assert!(text.contains(&line), "{id}: {line} is not in\n{text}");
        }
        assert!(text.contains(description["fingerprint"].as_str().unwrap()));
        // The fields said to be carried are the keys a result has besides its own.
        let carried: Vec<&str> = description["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["carry"] == true)
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        // One record: this helper does not drain stdout while it waits.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("one.jsonl");
        let example = std::fs::read_to_string(repo().join("examples/doanh-nghiep-2024.jsonl"));
        std::fs::write(&data, example.unwrap().lines().next().unwrap()).unwrap();
        let data = data.to_str().unwrap();
        let score = chamdiem(&["score", data, "--pack", id, "--period", "2024"]);
        let result: Value = serde_json::from_str(stdout(&score).lines().next().unwrap()).unwrap();
        let own = [
            "id",
            "period",
            "status",
            "total",
            "class",
            "class_label",
            "groups",
            "criteria",
            "gates",
            "unmet",
            "reasons",
            "errors",
            "pack",
        ];
        let mut extra: Vec<&str> = result
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !own.contains(k))
            .collect();
        let mut expected = carried.clone();
        extra.sort_unstable();
        expected.sort_unstable();
        assert!(!expected.is_empty(), "{id}: no carried field");
        assert_eq!(extra, expected, "{id}");
        for name in carried {
            assert!(
                lines
                    .iter()
                    .any(|l| l.trim_start().starts_with(&format!("{name} "))
                        && l.contains("ghi kèm vào kết quả")),
                "{id}: {name} not marked carried in\n{text}"
            );
        }
    }
}

#[test]
fn check_json_of_a_broken_pack_is_its_error_with_a_code() {
    let out = chamdiem(&["check", "--json", "tests/hostile/unknown-key.rhai"]);
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(error["code"], "pack.unknown_key");
    assert_eq!(error["location"]["line"], 4);
    assert!(error["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("tests/hostile/unknown-key.rhai"));
}

#[test]
fn fifos_and_devices_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();

    // The pack file itself.
    let fifo = dir.path().join("p.rhai");
    mkfifo(&fifo);
    let out = chamdiem(&["check", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("không phải tệp thường"),
        "{}",
        stdout(&out)
    );

    // An import inside the pack folder.
    let pack = dir.path().join("import");
    std::fs::create_dir_all(pack.join("lib")).unwrap();
    std::fs::write(
        pack.join("pack.rhai"),
        format!("{HEAD}import \"lib/m\" as m;\n"),
    )
    .unwrap();
    mkfifo(&pack.join("lib/m.rhai"));
    let out = chamdiem(&["check", "--json", pack.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(error["code"], "io", "{error}");
    assert!(
        error["path"].as_str().unwrap().ends_with("lib/m.rhai"),
        "{error}"
    );

    // The examples file.
    let pack = dir.path().join("examples");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(pack.join("pack.rhai"), HEAD).unwrap();
    mkfifo(&pack.join("examples.jsonl"));
    for command in ["check", "test"] {
        let out = chamdiem(&[command, pack.to_str().unwrap()]);
        assert_ne!(out.status.code(), Some(0));
        let said = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("examples.jsonl"), "{said}");
        assert!(said.contains("không phải tệp thường"), "{said}");
    }

    // A device, whose length reads as 0.
    let out = chamdiem(&["check", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("/dev/zero: không phải tệp thường"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_pack_with_a_byte_order_mark_checks() {
    let out = chamdiem(&["check", "tests/hostile/bom.rhai"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("✓ ok.bom"));
}
