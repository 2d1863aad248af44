//! The memo never changes a result, and rules share no state.
//!
//! Every case scores the same records two ways: one scorer for the whole
//! batch (memo on, warm), and a fresh scorer with the memo off for each record
//! alone. They must agree on every byte of every result line.

mod common;

use chamdiem::{Batch, Error, Pack, Period, RecordInput, Scorer};
use serde_json::{json, Value};

const PRELUDE: &str = r#"
pack(#{ id:"t.x", title:"T", version:"0" }); field("id",#{type:"string"});
field("n",#{type:"int",required:false}); field("a",#{type:"int",required:false});
field("d",#{type:"date",required:false}); field("ds",#{type:"list<date>",required:false});
group("1",#{label:"G"});
"#;

const BANDS: &str = r#"band("a",#{label:"A",min:5}); band("c",#{label:"C",min:0});"#;

fn pack(body: &str) -> Pack {
    Pack::from_source("t.rhai", &format!("{PRELUDE}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

fn period() -> Period {
    "2024".parse().unwrap()
}

/// Each record alone, by a fresh scorer without memo.
fn alone(pack: &Pack, records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let mut scorer = Scorer::new(pack, period()).unwrap();
            scorer.set_memo(false);
            scorer
                .score_input(&RecordInput::Json(r.clone()))
                .to_json_line()
        })
        .collect()
}

/// All records, in order, by one scorer (its memo warm after the first).
fn through(scorer: &mut Scorer, records: &[Value]) -> Vec<String> {
    assert!(scorer.memo());
    let lines = records
        .iter()
        .map(|r| {
            scorer
                .score_input(&RecordInput::Json(r.clone()))
                .to_json_line()
        })
        .collect();
    assert_eq!(scorer.memo_conflicts(), 0);
    lines
}

fn batch(pack: &Pack, records: &[Value]) -> Vec<String> {
    through(&mut Scorer::new(pack, period()).unwrap(), records)
}

fn agree(pack: &Pack, records: &[Value]) -> Vec<Value> {
    let alone = alone(pack, records);
    assert_eq!(batch(pack, records), alone);
    alone
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn criterion(rule: &str) -> String {
    format!(r#"criterion("1.1", #{{ group:"1", points:10, label:"C", rule: {rule} }}); {BANDS}"#)
}

#[test]
fn a_shadowed_period_is_not_the_period() {
    let p = pack(&criterion(
        r#"|r, p| { let p = [date("2024-06-15")]; if p.contains(r.d) {pass("")} else {fail("")} }"#,
    ));
    let out = agree(
        &p,
        &[
            json!({"id":"1","d":"2024-06-15"}),
            json!({"id":"2","d":"2024-03-01"}),
        ],
    );
    assert_eq!(out[0]["total"], 10.0);
    assert_eq!(out[1]["total"], 0.0);
}

#[test]
fn engine_names_cannot_be_redefined() {
    for (name, def) in [
        (
            "bracket",
            "fn bracket(x, b, res) { if x >= 10 {res[1]} else {res[0]} }",
        ),
        ("count_dates", "fn count_dates(ds) { ds.len() }"),
        ("any_below", "fn any_below(g, m, s) { g[\"1\"] < 3.0 }"),
        ("contains", "fn contains(a, b) { true }"),
        ("pass", "fn pass(x) { 1 }"),
    ] {
        let source = format!("{PRELUDE}\n{def}\n{}", criterion(r#"|r| pass("")"#));
        let error = Pack::from_source("t.rhai", &source).unwrap_err();
        assert_eq!(error.code(), "pack.reserved_name", "{name}: {error}");
        let Error::InvalidPack {
            location, message, ..
        } = &error
        else {
            panic!("{name}: {error}")
        };
        assert_eq!(location.line, Some(7), "{name}: {error}");
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn a_helper_of_the_packs_own_is_read_through() {
    // The issue's packs, with their helpers under names of their own.
    let p = pack(&format!(
        "fn my_bracket(x, b, res) {{ if x >= 10 {{res[1]}} else {{res[0]}} }}\n{}",
        criterion(r#"|r| if my_bracket(r.n, [50], [0, 1]) == 1 {pass("")} else {fail("")}"#)
    ));
    let out = agree(&p, &[json!({"id":"1","n":5}), json!({"id":"2","n":20})]);
    assert_eq!(out[1]["total"], 10.0);

    let p = pack(&format!(
        "fn how_many(ds) {{ ds.len() }}\n{}",
        criterion(r#"|r, p| if how_many(r.ds) >= 2 {pass("")} else {fail("")}"#)
    ));
    let out = agree(
        &p,
        &[
            json!({"id":"1","ds":["2024-01-01"]}),
            json!({"id":"2","ds":["2024-01-01","2023-01-01"]}),
        ],
    );
    assert_eq!(out[1]["total"], 10.0);
}

#[test]
fn gates_key_on_the_scores_they_read() {
    let p = pack(&format!(
        r#"fn low(g, m, s) {{ g["1"] < 3.0 }}
criterion("1.1", #{{ group:"1", points:10, label:"C", rule: |r| part(r.n, 10, "") }});
{BANDS}
gate("G1", #{{ label:"L", cap:"c", when: |r, p, s| low(s.groups, s.group_max, 0.5) }});"#
    ));
    let out = agree(&p, &[json!({"id":"1","n":4}), json!({"id":"2","n":2})]);
    assert_eq!(out[0]["gates"], json!([]));
    assert_eq!(out[1]["gates"], json!(["G1"]));

    let p = pack(
        r#"fn g(k, r, p, s) { k = "total"; s[k] < 50.0 }
criterion("1.1", #{ group:"1", points:100, label:"C", rule: |r| points(r.n, "") });
band("a",#{label:"A",min:90}); band("b",#{label:"B",min:30}); band("c",#{label:"C",min:0});
gate("G1", #{ label:"L", cap:"c", when: Fn("g").curry("band") });"#,
    );
    let out = agree(&p, &[json!({"id":"1","n":60}), json!({"id":"2","n":40})]);
    assert_eq!(out[0]["gates"], json!([]));
    assert_eq!(out[1]["gates"], json!(["G1"]));
}

#[test]
fn a_reassigned_curried_key_is_followed() {
    let p = pack(&format!(
        r#"fn rule(k, r) {{ let small = bracket(r.n, [100], [true, false]); k = "n"; if small && r[k] >= 10 {{pass("")}} else {{fail("")}} }}
{}"#,
        criterion(r#"Fn("rule").curry("a")"#)
    ));
    let out = agree(
        &p,
        &[
            json!({"id":"1","n":5,"a":1}),
            json!({"id":"2","n":20,"a":1}),
        ],
    );
    assert_eq!(out[1]["total"], 10.0);
}

#[test]
fn rules_share_no_state() {
    let records: Vec<Value> = (0..40)
        .map(|i| json!({"id": i.to_string(), "n": 1}))
        .collect();
    for rule in [
        // Writing to the period, or rebinding it.
        r#"|r, p| { p = 1; if p == 1 { pass("") } else { fail("") } }"#,
        r#"|r, p| { if type_of(p) == "Period" { p = 1; pass("") } else { fail("") } }"#,
    ] {
        let p = pack(&criterion(rule));
        let out = agree(&p, &records);
        assert!(out.iter().all(|o| o["total"] == 10.0), "{rule}: {out:?}");
    }
    // A property written on the period is gone by the next call.
    let p = pack(&criterion(
        r#"|r, p| { p.tag += 1; if p.tag > 1 { fail("") } else { pass("") } }"#,
    ));
    let out = agree(&p, &records);
    assert!(out.iter().all(|o| o["total"] == out[0]["total"]));
    // A captured counter starts from its loaded value on every call.
    let p = pack(&format!(
        "let seen = 0; let bump = || {{ seen += 1; seen }};\n{}",
        criterion(r#"|r| if bump.call() == 1 { pass("") } else { fail("") }"#)
    ));
    let out = agree(&p, &records);
    assert!(out.iter().all(|o| o["total"] == 10.0), "{out:?}");
    // Writing to the record is refused with a message saying so.
    let p = pack(&criterion(r#"|r| { r.n = 5; pass("") }"#));
    let error = Scorer::new(&p, period())
        .unwrap()
        .score(&records[0])
        .unwrap_err();
    assert!(error.to_string().contains("chỉ để đọc"), "{error}");
}

#[test]
fn captured_state_does_not_depend_on_threads() {
    let p = pack(&format!(
        "let seen = 0; let bump = || {{ seen += 1; seen }};\n{}",
        criterion(r#"|r| part(bump.call() % 10, 10, "")"#)
    ));
    let records: Vec<chamdiem::RecordInput> = (0..20_000)
        .map(|i| chamdiem::RecordInput::Json(json!({"id": i.to_string()})))
        .collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            Batch::new(&p, period())
                .unwrap()
                .score_map(&records, |r| r.to_json_line())
        })
    };
    let one = run(1);
    assert_eq!(one.len(), records.len());
    assert!(one.iter().all(|l| l.contains("\"total\":1,")), "{}", one[1]);
    assert_eq!(run(2), one);
    assert_eq!(run(2), one);
}

#[test]
fn validation_does_not_depend_on_declaration_order() {
    let record = json!({"id":"1","a":1,"b":2,"c":3});
    let mut named = Vec::new();
    for order in [["a", "b", "c"], ["a", "c", "b"], ["c", "b", "a"]] {
        let declare = |f: &str| match f {
            "a" => r#"field("a",#{type:"int"});"#,
            "b" => r#"field("b",#{type:"int", at_most:"a"});"#,
            _ => r#"field("c",#{type:"int", at_most:"b"});"#,
        };
        let fields: String = order.iter().map(|f| declare(f)).collect();
        let p = Pack::from_source(
            "t.rhai",
            &format!(
                r#"pack(#{{ id:"t.x", title:"T", version:"0" }}); field("id",#{{type:"string"}}); {fields}
group("1",#{{label:"G"}}); {}"#,
                criterion(r#"|r| pass("")"#)
            ),
        )
        .unwrap();
        let result = Scorer::new(&p, period()).unwrap().score(&record).unwrap();
        let mut fields: Vec<String> = result
            .errors()
            .iter()
            .map(|e| format!("{} {}", e.field.clone().unwrap(), e.code))
            .collect();
        fields.sort();
        named.push(fields);
    }
    assert_eq!(named[0], ["b record.cross_field", "c record.cross_field"]);
    assert!(named.iter().all(|n| *n == named[0]), "{named:?}");

    // The bound itself invalid: the cross-field check is skipped, the
    // bound's own problem is named (whichever order).
    let p = Pack::from_source(
        "t.rhai",
        &format!(
            r#"pack(#{{ id:"t.x", title:"T", version:"0" }}); field("id",#{{type:"string"}});
field("c",#{{type:"int", at_most:"b"}}); field("b",#{{type:"int", min: 0}});
group("1",#{{label:"G"}}); {}"#,
            criterion(r#"|r| pass("")"#)
        ),
    )
    .unwrap();
    let result = Scorer::new(&p, period())
        .unwrap()
        .score(&json!({"id":"1","b":-1,"c":3}))
        .unwrap();
    let codes: Vec<(Option<String>, String)> = result
        .errors()
        .iter()
        .map(|e| (e.field.clone(), e.code.clone()))
        .collect();
    assert_eq!(codes, [(Some("b".into()), "record.range".into())]);
}

#[test]
fn every_repository_pack_scores_the_same_with_and_without_memo() {
    let mut checked = 0;
    for (pack, records) in common::every_pack_with_records() {
        let alone = alone(&pack, &records);
        assert_eq!(batch(&pack, &records), alone, "{}", pack.id());
        // Twice through a warm memo: still the same.
        let mut scorer = Scorer::new(&pack, period()).unwrap();
        for _ in 0..2 {
            assert_eq!(through(&mut scorer, &records), alone, "{}", pack.id());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} packs");
}

#[test]
fn a_field_named_like_a_rhai_builtin_property_is_the_field() {
    // Rhai gives every value a `tag`; `r.tag` must still read the field.
    let p = Pack::from_source(
        "t.rhai",
        &format!(
            r#"pack(#{{ id:"t.x", title:"T", version:"0" }}); field("id",#{{type:"string"}});
field("tag",#{{type:"int"}}); field("len",#{{type:"int"}}); group("1",#{{label:"G"}}); {}"#,
            criterion(r#"|r| if r.tag > 3 && r.len == 2 { pass("") } else { fail("") }"#)
        ),
    )
    .unwrap();
    let out = agree(
        &p,
        &[
            json!({"id":"1","tag":5,"len":2}),
            json!({"id":"2","tag":1,"len":2}),
        ],
    );
    assert_eq!(out[0]["total"], 10.0);
    assert_eq!(out[1]["total"], 0.0);
}
