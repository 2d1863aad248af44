//! A pack's own examples: records with the results they must get.
//!
//! `examples.jsonl` beside `pack.rhai` holds one example per line:
//!
//! ```json
//! {"name": "đủ điều kiện, đạt Tốt", "period": "2024",
//!  "record": {"id": "1", "...": "..."},
//!  "expect": {"status": "scored", "total": 87.5, "class": "tot", "gates": [],
//!             "criteria": {"2.4": 0.63}, "groups": {"2": 20.63},
//!             "reasons": {"2.1": "Đã tổ chức"}, "errors": ["employees"]}}
//! ```
//!
//! `"expect": {"error": "chỉ có hiệu lực"}` says that scoring must fail (the
//! pack is not in force, a rule breaks) with a message containing the text.
//!
//! Every key of `expect` is optional. `criteria`, `groups` and `reasons` check
//! only the ids they name (a reason matches when it contains the text);
//! `gates`, `unmet` (codes of bands whose condition failed) and `errors`
//! (the field names, `null` for the whole record) must match exactly.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::error::Location;
use crate::{Error, Pack, Period, Scorer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    name: String,
    period: Period,
    record: Json,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: Option<String>,
    #[serde(default, deserialize_with = "some_null")]
    total: Option<Json>,
    #[serde(default, deserialize_with = "some_null")]
    class: Option<Json>,
    gates: Option<Vec<String>>,
    /// The bands whose condition was unmet (codes, exactly).
    unmet: Option<Vec<String>>,
    criteria: Option<Map<String, Json>>,
    groups: Option<Map<String, Json>>,
    reasons: Option<Map<String, Json>>,
    errors: Option<Vec<Option<String>>>,
    /// The scoring must fail with an error whose message contains this.
    error: Option<String>,
}

/// Keeps an explicit `null` as `Some(Null)`, so "total must be null" can be said.
fn some_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

/// How one example went.
#[derive(Debug, Clone)]
pub struct ExampleOutcome {
    /// The example's name.
    pub name: String,
    /// Its line in the examples file.
    pub line: usize,
    /// What differed from the expectation; empty when it passed.
    pub failures: Vec<String>,
}

impl ExampleOutcome {
    /// Whether the result matched every expectation.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn same_number(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 0.005,
        _ => a == b,
    }
}

/// Runs the examples of `pack`. `Err` when there is no examples file or a
/// line of it cannot be read (the error names the file and line).
pub fn run_examples(pack: &Pack) -> Result<Vec<ExampleOutcome>, Error> {
    let (file, text) = pack.examples_source().ok_or_else(|| {
        Error::invalid(
            Location::file(pack.sources().last().cloned().unwrap_or_default()),
            "bộ quy tắc chưa có tệp ví dụ examples.jsonl",
        )
    })?;
    let mut outcomes = Vec::new();
    // Notepad and Excel may save the file with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        let location = Location {
            file: file.to_string(),
            line: Some(i + 1),
            column: None,
        };
        let example: Example = serde_json::from_str(line)
            .map_err(|e| Error::invalid(location.clone(), format!("ví dụ không đọc được: {e}")))?;
        outcomes.push(check(pack, example, i + 1));
    }
    Ok(outcomes)
}

fn check(pack: &Pack, example: Example, line: usize) -> ExampleOutcome {
    let mut failures = Vec::new();
    let result = Scorer::new(pack, example.period).and_then(|mut s| s.score(&example.record));
    let expect = example.expect;
    let result = match (result, &expect.error) {
        (Ok(result), None) => serde_json::to_value(&result).expect("results serialize"),
        (Err(error), Some(want)) if error.to_string().contains(want.as_str()) => Json::Null,
        (Err(error), _) => {
            return ExampleOutcome {
                name: example.name,
                line,
                failures: vec![format!("lỗi: {error}")],
            }
        }
        (Ok(_), Some(want)) => {
            return ExampleOutcome {
                name: example.name,
                line,
                failures: vec![format!("cần lỗi chứa \"{want}\", nhưng chấm được điểm")],
            }
        }
    };
    if expect.error.is_some() {
        return ExampleOutcome {
            name: example.name,
            line,
            failures,
        };
    }
    let mut differ = |what: &str, want: &Json, got: &Json| {
        failures.push(format!("{what}: cần {want}, được {got}"));
    };
    if let Some(status) = expect.status {
        if result["status"] != status.as_str() {
            differ("status", &status.into(), &result["status"]);
        }
    }
    if let Some(total) = expect.total {
        if !same_number(&total, &result["total"]) {
            differ("total", &total, &result["total"]);
        }
    }
    if let Some(class) = expect.class {
        if result["class"] != class {
            differ("class", &class, &result["class"]);
        }
    }
    if let Some(unmet) = expect.unmet {
        let unmet = Json::from(unmet);
        let got: Vec<Json> = result["unmet"]
            .as_array()
            .map(|a| a.iter().map(|u| u["band"].clone()).collect())
            .unwrap_or_default();
        let got = Json::from(got);
        if got != unmet {
            differ("unmet", &unmet, &got);
        }
    }
    if let Some(gates) = expect.gates {
        let gates = Json::from(gates);
        if result["gates"] != gates {
            differ("gates", &gates, &result["gates"]);
        }
    }
    for (key, expected) in [("criteria", expect.criteria), ("groups", expect.groups)] {
        for (id, want) in expected.into_iter().flatten() {
            let got = &result[key][&id];
            if !same_number(&want, got) {
                differ(&format!("{key}.{id}"), &want, got);
            }
        }
    }
    for (id, want) in expect.reasons.into_iter().flatten() {
        let got = &result["reasons"][&id];
        let found = matches!((got.as_str(), want.as_str()), (Some(g), Some(w)) if g.contains(w));
        if !found {
            differ(&format!("reasons.{id}"), &want, got);
        }
    }
    if let Some(errors) = expect.errors {
        let got: Vec<Json> = result["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].clone()).collect())
            .unwrap_or_default();
        let want: Vec<Json> = errors.into_iter().map(Json::from).collect();
        if got != want {
            differ("errors", &want.into(), &got.into());
        }
    }
    ExampleOutcome {
        name: example.name,
        line,
        failures,
    }
}
