//! `chamdiem report` and `chamdiem diff` on real files: a small case checked
//! by hand, and the bundled examples cross-checked against `chamdiem score`.
//! Workbooks are read back with calamine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

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

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A pack small enough to score by hand: 10 points, two criteria, three
/// classes, a gate, a band condition, an applicability rule and a calendar.
fn mini_pack(id: &str, points_a: u32, points_b: u32) -> String {
    format!(
        r#"pack(#{{ id: "{id}", title: "Bộ thử", version: "1", max_points: 10 }});
field("id", #{{ type: "string" }});
field("unit", #{{ type: "string", required: false }});
field("submitted", #{{ type: "date", required: false, carry: true, label: "Ngày nộp" }});
field("active", #{{ type: "bool" }});
field("a", #{{ type: "bool" }});
field("b", #{{ type: "int", min: 0, max: 4 }});
field("ok", #{{ type: "bool" }});
applies(|r| r.active);
group("1", #{{ label: "Nhóm một" }});
criterion("1.1", #{{ group: "1", points: {points_a}, label: "Tiêu chí A",
    rule: |r| if r.a {{ pass("có") }} else {{ fail("không") }} }});
criterion("1.2", #{{ group: "1", points: {points_b}, label: "Tiêu chí B",
    rule: |r| part(r.b, 4, "một phần") }});
band("tot", #{{ label: "Tốt", min: 8, requires: |r| r.ok, condition: "Không vi phạm" }});
band("kha", #{{ label: "Khá", min: 5 }});
band("yeu", #{{ label: "Yếu", min: 0 }});
gate("G1", #{{ label: "b bằng 3", cap: "kha", when: |r| r.b == 3 }});
deadline("sau_thang", #{{ label: "Báo cáo 6 tháng", due: "05-25", to: "Huyện" }});
deadline("nam", #{{ label: "Báo cáo năm", due: "11-05", to: "Huyện" }});
"#
    )
}

/// Eight records; the expected figures are worked out in the comments.
fn mini_records() -> String {
    let records = [
        // R1 U1: 6 + 4×4/4 = 10, ok → Tốt. On time.
        json!({"id": "R1", "unit": "U1", "active": true, "a": true, "b": 4, "ok": true, "submitted": "2024-11-01"}),
        // R2 U1: 6 + 4×2/4 = 8 but not ok → falls past Tốt (unmet) → Khá. Due day = late by 1.
        json!({"id": "R2", "unit": "U1", "active": true, "a": true, "b": 2, "ok": false, "submitted": "2024-11-05"}),
        // R3 U2: 0 + 4 = 4 → Yếu. Late by 6 (10/11, last day allowed 04/11).
        json!({"id": "R3", "unit": "U2", "active": true, "a": false, "b": 4, "ok": true, "submitted": "10/11/2024"}),
        // R4 U2: 6 + 3 = 9, gate G1 (b = 3) caps at Khá. No date.
        json!({"id": "R4", "unit": "U2", "active": true, "a": true, "b": 3, "ok": true}),
        // R5 U2: not active → not applicable.
        json!({"id": "R5", "unit": "U2", "active": false, "a": true, "b": 4, "ok": true}),
        // R6 U1: b is not a number → error.
        json!({"id": "R6", "unit": "U1", "active": true, "a": true, "b": "nhiều", "ok": true}),
        // R7, no unit: 6 + 0 = 6 → Khá. On time.
        json!({"id": "R7", "active": true, "a": true, "b": 0, "ok": true, "submitted": "2024-10-01"}),
        // R8 U1: 0 + 4 = 4 → Yếu, the same total as R3. On time.
        json!({"id": "R8", "unit": "U1", "active": true, "a": false, "b": 4, "ok": true, "submitted": "2024-11-04"}),
    ];
    records.iter().map(|r| format!("{r}\n")).collect()
}

struct Mini {
    dir: tempfile::TempDir,
}

impl Mini {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.rhai"), mini_pack("test.mini", 6, 4)).unwrap();
        // The proposed pack moves 2 points from A to B.
        std::fs::write(
            dir.path().join("new.rhai"),
            mini_pack("test.mini.moi", 4, 6),
        )
        .unwrap();
        std::fs::write(dir.path().join("data.jsonl"), mini_records()).unwrap();
        Mini { dir }
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

#[test]
fn a_small_case_checked_by_hand() {
    let mini = Mini::new();
    let (data, pack) = (mini.path("data.jsonl"), mini.path("old.rhai"));
    let output = chamdiem(&[
        "report", &data, "--pack", &pack, "--period", "2024", "--format", "json",
    ]);
    // R6 is in error: exit status 1, the report still written.
    assert_eq!(output.status.code(), Some(1));
    let r = stdout_json(&output);

    let t = &r["total"];
    assert_eq!(t["records"], 8);
    assert_eq!(t["scored"], 6);
    assert_eq!(t["not_applicable"], 1);
    assert_eq!(t["errors"], 1);
    // Tốt R1; Khá R2, R4, R7; Yếu R3, R8.
    assert_eq!(t["classes"], json!([1, 3, 2]));
    // Shares of the 6 scored: 1/6, 3/6, 2/6.
    let shares: Vec<f64> = serde_json::from_value(t["shares"].clone()).unwrap();
    for (got, want) in shares.iter().zip([1.0 / 6.0, 0.5, 2.0 / 6.0]) {
        assert!((got - want).abs() < 1e-9, "{shares:?}");
    }
    // Totals 10, 8, 4, 9, 6, 4: sum 41, mean 6.83, median (6 + 8) / 2 = 7.
    assert_eq!(t["mean_total"], 6.83);
    assert_eq!(r["totals"]["mean"], 6.83);
    assert_eq!(r["totals"]["median"], 7.0);
    assert_eq!(r["totals"]["min"], 4.0);
    assert_eq!(r["totals"]["max"], 10.0);
    // Ten bars of one point: 4, 4 | 6 | 8 | 9, 10 (the last bar holds the maximum).
    let counts: Vec<u64> = r["totals"]["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [0, 0, 0, 0, 2, 0, 1, 0, 1, 2]);

    // Groups by name, the one without a unit last.
    let groups = r["groups"].as_array().unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["U1", "U2", "(không ghi)"]);
    // U1: R1 Tốt, R2 Khá, R8 Yếu, R6 error; mean (10 + 8 + 4) / 3 = 7.33.
    assert_eq!(groups[0]["records"], 4);
    assert_eq!(groups[0]["classes"], json!([1, 1, 1]));
    assert_eq!(groups[0]["errors"], 1);
    assert_eq!(groups[0]["mean_total"], 7.33);
    // U2: R3 Yếu, R4 Khá, R5 not applicable; mean (4 + 9) / 2 = 6.5.
    assert_eq!(groups[1]["classes"], json!([0, 1, 1]));
    assert_eq!(groups[1]["not_applicable"], 1);
    assert_eq!(groups[1]["mean_total"], 6.5);
    assert_eq!(groups[2]["classes"], json!([0, 1, 0]));

    // Points lost: 1.1 (6) by R3 and R8 = 12 of 6 × 6 = 36; 1.2 (4) by R2 2,
    // R4 1, R7 4 = 7 of 24.
    let weakest = r["weakest"].as_array().unwrap();
    assert_eq!(weakest[0]["id"], "1.1");
    assert_eq!(weakest[0]["lost"], 12.0);
    assert_eq!(weakest[0]["lost_share"], 0.3333);
    assert_eq!(weakest[0]["records_losing"], 2);
    assert_eq!(weakest[1]["id"], "1.2");
    assert_eq!(weakest[1]["lost"], 7.0);
    assert_eq!(weakest[1]["lost_share"], 0.2917);
    assert_eq!(weakest[1]["records_losing"], 3);

    assert_eq!(
        r["gates"],
        json!([{"id": "G1", "label": "b bằng 3", "cap": "Khá", "count": 1}])
    );
    assert_eq!(r["unmet"][0]["band"], "tot");
    assert_eq!(r["unmet"][0]["count"], 1);
    assert_eq!(r["errors"][0]["id"], "R6");
    assert_eq!(r["errors"][0]["index"], 6);
    assert!(r["errors"][0]["problems"]
        .as_str()
        .unwrap()
        .starts_with("b: "));
    assert_eq!(r["not_applicable"][0]["id"], "R5");

    // Ranking: 10, 9, 8, 6, then R3 and R8 tied at 4 share rank 5.
    let ranking: Vec<(u64, &str)> = r["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["rank"].as_u64().unwrap(), p["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ranking,
        [
            (1, "R1"),
            (2, "R4"),
            (3, "R2"),
            (4, "R7"),
            (5, "R3"),
            (5, "R8")
        ]
    );

    // Both deadlines fall in 2024; the report answers the later one.
    assert_eq!(r["deadline"]["id"], "nam");
    assert_eq!(r["deadline"]["due"], "2024-11-05");
    let s = &r["submissions"];
    assert_eq!(s["on_time"], 3);
    assert_eq!(s["undated"], 3);
    let late: Vec<(&str, i64)> = s["late"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["days_late"].as_i64().unwrap()))
        .collect();
    assert_eq!(late, [("R2", 1), ("R3", 6)]);
    assert_eq!(s["late_groups"], json!([["U1", 1], ["U2", 1]]));

    // The first half of the year answers the half-year deadline.
    let half = stdout_json(&chamdiem(&[
        "report", &data, "--pack", &pack, "--period", "2024-H1", "--format", "json",
    ]));
    assert_eq!(half["deadline"]["id"], "sau_thang");
    assert_eq!(half["deadline"]["due"], "2024-05-25");
    assert_eq!(half["period"], "2024-01-01..2024-06-30");

    // The text summary says the same, in Vietnamese.
    let text = chamdiem(&["report", &data, "--pack", &pack, "--period", "2024"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Số bản ghi: 8 · chấm được 6 · không thuộc đối tượng 1 · lỗi 1"),
        "{text}"
    );
    assert!(text.contains("trước ngày 05/11/2024"), "{text}");
    assert!(text.contains("Nộp muộn: U1 (1 bản ghi)"), "{text}");
}

#[test]
fn a_diff_checked_by_hand() {
    let mini = Mini::new();
    let (data, old, new) = (
        mini.path("data.jsonl"),
        mini.path("old.rhai"),
        mini.path("new.rhai"),
    );
    let d = stdout_json(&chamdiem(&[
        "diff", &data, "--old", &old, "--new", &new, "--period", "2024", "--format", "json",
    ]));
    // New points A 4, B 6: R1 10 Tốt; R2 4 + 3 = 7 Khá; R3 0 + 6 = 6 Khá (was
    // Yếu); R4 4 + 4.5 = 8.5 capped Khá; R7 4 + 0 = 4 Yếu (was Khá); R8 6 Khá
    // (was Yếu). Totals changed: R2, R3, R4, R7, R8.
    assert_eq!(d["records"], 8);
    assert_eq!(d["changed_class"], 3);
    assert_eq!(d["changed_total"], 5);
    let labels: Vec<&str> = d["old_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Tốt", "Khá", "Yếu", "Không thuộc đối tượng", "Lỗi"]
    );
    assert_eq!(
        d["matrix"],
        json!([
            [1, 0, 0, 0, 0],
            [0, 2, 1, 0, 0],
            [0, 2, 0, 0, 0],
            [0, 0, 0, 1, 0],
            [0, 0, 0, 0, 1]
        ])
    );
    let moved: Vec<(String, String, String)> = d["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let changes: Vec<String> = m["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{}:{}→{}", c["id"], c["old"], c["new"]))
                .collect();
            (
                m["id"].as_str().unwrap().to_string(),
                format!("{}→{}", m["old_total"], m["new_total"]),
                changes.join(" "),
            )
        })
        .collect();
    let expected = [
        ("R3", "4→6", "\"1.2\":4→6"),
        ("R7", "6→4", "\"1.1\":6→4"),
        ("R8", "4→6", "\"1.2\":4→6"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(moved, expected);

    // CSV: a heading and one row per moved record.
    let out = mini.path("so-sanh.csv");
    let run = chamdiem(&[
        "diff", &data, "--old", &old, "--new", &new, "--period", "2024", "-o", &out,
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut csv = csv::Reader::from_path(&out).unwrap();
    assert_eq!(&csv.headers().unwrap()[7], "Xếp loại mới");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1].iter().collect::<Vec<_>>(),
        ["7", "R7", "", "", "6", "4", "Khá", "Yếu", "1.1: 6 → 4"]
    );

    // XLSX: the matrix as numbers, read back by calamine.
    let out = mini.path("so-sanh.xlsx");
    let run = chamdiem(&[
        "diff", &data, "--old", &old, "--new", &new, "--period", "2024", "-o", &out,
    ]);
    assert_eq!(run.status.code(), Some(0));
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Ma trận", "Bản ghi đổi xếp loại", "Tiêu chí thay đổi"]
    );
    let matrix = book.worksheet_range("Ma trận").unwrap();
    assert_eq!(matrix.get_value((3, 1)), Some(&Data::String("Tốt".into())));
    // Row Khá (5th row), column Yếu (4th column): R7.
    assert_eq!(matrix.get_value((5, 3)), Some(&Data::Float(1.0)));
    assert_eq!(matrix.get_value((6, 2)), Some(&Data::Float(2.0)));
    let changes = book.worksheet_range("Tiêu chí thay đổi").unwrap();
    assert_eq!(changes.height(), 4);
    assert_eq!(changes.get_value((2, 4)), Some(&Data::Float(6.0)));
    assert_eq!(changes.get_value((2, 5)), Some(&Data::Float(4.0)));
}

#[test]
fn the_report_workbook_reads_back() {
    let mini = Mini::new();
    let (data, pack) = (mini.path("data.jsonl"), mini.path("old.rhai"));
    let out = mini.path("bao-cao.xlsx");
    let run = chamdiem(&[
        "report", &data, "--pack", &pack, "--period", "2024", "-o", &out,
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.stdout.is_empty(), "the report goes to the file only");
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Bản ghi", "Tiêu chí", "Xếp hạng", "Ghi chú"]
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    // Headings on row 5 (index 4); U1, U2, (không ghi), then the total.
    assert_eq!(
        summary.get_value((4, 0)),
        Some(&Data::String("Đơn vị (công đoàn cấp trên)".into()))
    );
    assert_eq!(summary.get_value((4, 3)), Some(&Data::String("Tốt".into())));
    assert_eq!(
        summary.get_value((8, 0)),
        Some(&Data::String("Tổng cộng".into()))
    );
    assert_eq!(summary.get_value((8, 1)), Some(&Data::Float(8.0)));
    assert_eq!(summary.get_value((8, 4)), Some(&Data::Float(3.0)));
    // The share of Khá as a number (3/6), not text.
    assert_eq!(summary.get_value((8, 7)), Some(&Data::Float(0.5)));
    // The due date as a real date.
    assert!(matches!(summary.get_value((2, 1)), Some(Data::DateTime(_))));

    let records = book.worksheet_range("Bản ghi").unwrap();
    assert_eq!(records.height(), 9);
    assert_eq!(
        records.get_value((0, 6)),
        Some(&Data::String("Tổng điểm".into()))
    );
    assert_eq!(
        records.get_value((0, 8)),
        Some(&Data::String("1.1 Tiêu chí A".into()))
    );
    assert_eq!(records.get_value((1, 6)), Some(&Data::Float(10.0)));
    // R2: 1.2 gives 2 of 4.
    assert_eq!(records.get_value((2, 9)), Some(&Data::Float(2.0)));
    assert_eq!(records.get_value((6, 5)), Some(&Data::String("Lỗi".into())));

    let ranking = book.worksheet_range("Xếp hạng").unwrap();
    assert_eq!(ranking.get_value((6, 0)), Some(&Data::Float(5.0)));
    assert_eq!(ranking.get_value((6, 1)), Some(&Data::String("R8".into())));

    // Frozen heading row, filters and A4 landscape are in the sheet's XML.
    let file = std::fs::File::open(&out).unwrap();
    let xml = zip_entry(file, "xl/worksheets/sheet2.xml");
    for part in [
        "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>",
        "<autoFilter ref=\"A1:",
        "paperSize=\"9\"",
        "orientation=\"landscape\"",
    ] {
        assert!(xml.contains(part), "{part} missing");
    }
}

/// The text of one file inside the workbook (a zip), found by its name.
fn zip_entry(mut file: std::fs::File, name: &str) -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

/// Classes per unit and in total, counted from `chamdiem score`'s JSON lines.
fn counts_from_score(
    input: &str,
    pack: &str,
) -> (BTreeMap<String, [usize; 3]>, BTreeMap<String, usize>) {
    let run = chamdiem(&["score", input, "--pack", pack, "--period", "2024"]);
    let mut per_unit: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for line in String::from_utf8(run.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let unit = v["unit"].as_str().unwrap_or("(không ghi)").to_string();
        let entry = per_unit.entry(unit).or_default();
        match v["status"].as_str().unwrap() {
            "scored" => {
                entry[0] += 1;
                *classes
                    .entry(v["class_label"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
            "not_applicable" => entry[1] += 1,
            _ => entry[2] += 1,
        }
    }
    (per_unit, classes)
}

#[test]
fn the_bundled_examples_agree_with_score() {
    let pack = "tay-ninh.duong-minh-chau.enterprise";
    for input in [
        "examples/doanh-nghiep-2024.jsonl",
        "examples/doanh-nghiep-2024.csv",
    ] {
        let r = stdout_json(&chamdiem(&[
            "report", input, "--pack", pack, "--period", "2024", "--format", "json",
        ]));
        let (per_unit, classes) = counts_from_score(input, pack);
        let labels: Vec<&str> = r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap())
            .collect();
        let total: Vec<usize> = labels
            .iter()
            .map(|l| classes.get(*l).copied().unwrap_or(0))
            .collect();
        assert_eq!(r["total"]["classes"], json!(total), "{input}");
        assert_eq!(r["total"]["records"], 300, "{input}");
        let groups = r["groups"].as_array().unwrap();
        assert_eq!(groups.len(), per_unit.len(), "{input}");
        for g in groups {
            let [scored, na, errors] = per_unit[g["name"].as_str().unwrap()];
            assert_eq!(g["scored"], scored, "{input} {}", g["name"]);
            assert_eq!(g["not_applicable"], na, "{input} {}", g["name"]);
            assert_eq!(g["errors"], errors, "{input} {}", g["name"]);
        }
        // The ranking holds every scored record and no other, best first.
        let ranking = r["ranking"].as_array().unwrap();
        assert_eq!(ranking.len() as u64, r["total"]["scored"].as_u64().unwrap());
        let totals: Vec<f64> = ranking
            .iter()
            .map(|p| p["total"].as_f64().unwrap())
            .collect();
        assert!(totals.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(r["deadline"]["due"], "2024-11-05");
    }
}

#[test]
fn the_bundled_examples_diff_agrees_with_two_scores() {
    let input = "examples/doanh-nghiep-2024.jsonl";
    let d = stdout_json(&chamdiem(&[
        "diff",
        input,
        "--old",
        "vn.enterprise",
        "--new",
        "tay-ninh.enterprise",
        "--period",
        "2024",
        "--format",
        "json",
    ]));
    let outcomes = |pack: &str| -> Vec<String> {
        let run = chamdiem(&["score", input, "--pack", pack, "--period", "2024"]);
        String::from_utf8(run.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                match v["status"].as_str().unwrap() {
                    "scored" => v["class_label"].as_str().unwrap().to_string(),
                    "not_applicable" => "Không thuộc đối tượng".to_string(),
                    _ => "Lỗi".to_string(),
                }
            })
            .collect()
    };
    let (old, new) = (outcomes("vn.enterprise"), outcomes("tay-ninh.enterprise"));
    let label = |c: &Value| c["label"].as_str().unwrap().to_string();
    let rows: Vec<String> = d["old_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(label)
        .collect();
    let columns: Vec<String> = d["new_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(label)
        .collect();
    let mut matrix = vec![vec![0u64; columns.len()]; rows.len()];
    for (o, n) in old.iter().zip(&new) {
        let i = rows.iter().position(|r| r == o).unwrap();
        let j = columns.iter().position(|c| c == n).unwrap();
        matrix[i][j] += 1;
    }
    assert_eq!(d["matrix"], json!(matrix));
    let moved = old.iter().zip(&new).filter(|(o, n)| o != n).count();
    assert_eq!(d["changed_class"], moved);
    assert!(moved > 0, "the two packs classify some example differently");
    assert_eq!(d["moved"].as_array().unwrap().len(), moved);
}

#[test]
fn output_formats_are_refused_clearly() {
    let run = chamdiem(&[
        "report",
        "examples/doanh-nghiep-2024.jsonl",
        "--period",
        "2024",
        "-o",
        "/tmp/x.pdf",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(err.contains(".pdf") && err.contains(".xlsx"), "{err}");
    let run = chamdiem(&[
        "report",
        "examples/doanh-nghiep-2024.jsonl",
        "--period",
        "2024",
        "--format",
        "xlsx",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8(run.stderr).unwrap().contains("-o"));
    let run = chamdiem(&[
        "report",
        "examples/doanh-nghiep-2024.jsonl",
        "--period",
        "2024",
        "--by",
        "xa",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8(run.stderr).unwrap().contains("unit"));
}
