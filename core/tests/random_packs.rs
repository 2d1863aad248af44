//! Random small packs and records: a batch through the memo and each record
//! alone (fresh scorer, memo off) must agree, field for field.
//!
//! The generator uses every construct of the guide a rule can hide a read
//! behind: helpers, closures, curry, shadowing the record or the period,
//! dynamic keys, switch, loops, the engine's projections (bracket,
//! count_dates, contains), band conditions and gates reading the scores.
//! Values come from small domains so that the memo is hit often.

use chamdiem::{Pack, Period, RecordInput, Scorer};
use serde_json::{json, Value};

/// A small deterministic generator (SplitMix64): the same seed, the same packs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn int_expr(g: &mut Rng, depth: u32) -> String {
    let leaf = [
        "r.n",
        "r.a",
        r#"r["n"]"#,
        r#"r[if r.b { "n" } else { "a" }]"#,
        "bracket(r.n, [5, 10], [0, 1, 2])",
        "p.count_dates(r.ds)",
        "r.ds.len()",
        "total_of(r)",
        "twice.call(r.a)",
        "3",
        "(if r.ds.is_empty() { 0 } else { r.ds[0].month })",
        "{ let c = 0; for d in r.ds { if p.contains(d) { c += 1; } } c }",
    ];
    if depth == 0 || g.below(3) == 0 {
        return g.pick(&leaf).to_string();
    }
    let op = g.pick(&["+", "-", "*"]);
    format!(
        "({} {op} {})",
        int_expr(g, depth - 1),
        int_expr(g, depth - 1)
    )
}

fn bool_expr(g: &mut Rng, depth: u32) -> String {
    let leaf = [
        "r.b",
        "p.contains(r.d)",
        r#"(r.d != () && add_months(r.d, 3) > date("2024-06-30"))"#,
        "ratio_at_least(r.a, r.n + 1, 0.3)",
        r#"(switch r.t { "x" => true, "y" => r.b, _ => false })"#,
        "is_big(r)",
        r#"("n" in r.keys() && r.n > 4)"#,
        r#"(date("2024-03-15") in r.ds)"#,
        r#"(r.ds == [])"#,
    ];
    match if depth == 0 { 0 } else { g.below(4) } {
        0 => g.pick(&leaf).to_string(),
        1 => format!("({} >= {})", int_expr(g, depth - 1), g.below(12)),
        2 => format!("!({})", bool_expr(g, depth - 1)),
        _ => format!(
            "({} {} {})",
            bool_expr(g, depth - 1),
            g.pick(&["&&", "||"]),
            bool_expr(g, depth - 1)
        ),
    }
}

/// One rule body: statements, then an award.
fn award_body(g: &mut Rng) -> String {
    let mut lines = vec![format!(
        "let key = {}; let v = r[key];",
        g.pick(&[
            r#""n""#,
            r#""a""#,
            r#"["n", "a"][(r.a ?? 0) % 2]"#,
            r#""" + "a""#
        ])
    )];
    match g.below(5) {
        0 => lines.push("let c = 0; for i in 0..(r.a % 5) { c += 1; }".into()),
        1 => lines.push("let c = 0; while c < r.n % 4 { c += 1; }".into()),
        2 => lines.push(r#"let p = [date("2024-06-15")]; let c = 0;"#.into()),
        3 => lines.push("let c = if r.b { r.n } else { 0 };".into()),
        _ => lines.push("let c = 1;".into()),
    }
    let cond = bool_expr(g, 2);
    let other = bool_expr(g, 1);
    // Shadowing `p` above makes `p.contains` and `p.count_dates` mean the
    // array's own methods; both paths must still agree.
    lines.push(format!(
        "if {cond} {{ pass(`ok ${{c}}`) }} else if {other} {{ part(2, 3, \"nửa\") }} else {{ fail(\"không\") }}"
    ));
    lines.join(" ")
}

fn random_pack(g: &mut Rng) -> String {
    let mut s = String::from(
        r#"pack(#{ id:"t.rand", title:"T", version:"0" });
field("id", #{type:"string"});
field("n", #{type:"int", required:false});
field("a", #{type:"int", required:false});
field("b", #{type:"bool", required:false});
field("t", #{type:"string", required:false});
field("d", #{type:"date", required:false});
field("ds", #{type:"list<date>", required:false});
fn total_of(r) { let v = 0; for k in ["n", "a"] { if r[k] != () { v += r[k]; } } v }
fn is_big(r) { let r2 = r; r2.n != () && r2.n >= 10 }
fn curried(k, r, p) { if r[k] != () && r[k] > 3 { pass("lớn") } else { fail("nhỏ") } }
let twice = |x| if x == () { 0 } else { x * 2 };
let captured = 2;
group("1", #{label:"G1"}); group("2", #{label:"G2"});
"#,
    );
    let criteria = 2 + g.below(3);
    for i in 0..criteria {
        let group = 1 + i % 2;
        let rule = match g.below(4) {
            0 => format!(r#"Fn("curried").curry({})"#, g.pick(&[r#""n""#, r#""a""#])),
            1 => format!(
                "|r, p| {{ let f = |v| v + captured; if f.call(r.a ?? 0) > 3 {{ {} }} else {{ fail(\"\") }} }}",
                "pass(\"\")"
            ),
            _ => format!("|r, p| {{ {} }}", award_body(g)),
        };
        s.push_str(&format!(
            "criterion(\"{group}.{i}\", #{{ group:\"{group}\", points:{}, label:\"C\", rule: {rule} }});\n",
            5 + g.below(10)
        ));
    }
    let cond = bool_expr(g, 1);
    s.push_str(&format!(
        r#"band("a", #{{label:"A", min:10, requires: |r, p, s| ({cond}) || s.total > 25.0 }});
band("b", #{{label:"B", min:5, requires: |r, p, s| s.groups["1"] >= 2.0 }});
band("c", #{{label:"C", min:0}});
gate("G1", #{{ label:"L", cap:"b", when: |r, p, s| {gate_one} }});
gate("G2", #{{ label:"M", cap:"c", when: |r, p, s| {{ let k = "band"; s[k] == "a" && {} }} }});
"#,
        bool_expr(g, 1),
        gate_one = g.pick(&[
            "any_below(s.groups, s.group_max, 0.5)",
            r#"any_below(s.groups, #{"1": 10.0, "2": 10.0}, 0.5)"#,
            r#"s.groups["2"] < s.group_max["2"] * 0.6"#,
            r#"{ let low = false; for id in s.groups.keys() { if s.groups[id] < 3.0 { low = true; } } low }"#,
            r#"s.criteria.values().len() > 3 && s.total < 12.0"#,
        ])
    ));
    s
}

fn random_record(g: &mut Rng, i: usize) -> Value {
    // Small domains: many records share the values a rule reads, so the
    // memo answers often, and a key that misses a read would show.
    let dates = [
        "2023-12-31",
        "2024-01-01",
        "2024-06-15",
        "2024-12-31",
        "2025-01-01",
    ];
    let date = |g: &mut Rng| dates[g.below(dates.len() as u64) as usize];
    let mut r = json!({ "id": i.to_string() });
    let o = r.as_object_mut().unwrap();
    if g.below(8) > 0 {
        o.insert("n".into(), json!([0, 3, 7, 12][g.below(4) as usize]));
    }
    if g.below(8) > 0 {
        o.insert("a".into(), json!(g.below(4)));
    }
    o.insert("b".into(), json!(g.below(2) == 0));
    o.insert("t".into(), json!(["x", "y", "z"][g.below(3) as usize]));
    if g.below(4) > 0 {
        o.insert("d".into(), json!(date(g)));
    }
    let list: Vec<&str> = (0..g.below(4)).map(|_| date(g)).collect();
    o.insert("ds".into(), json!(list));
    r
}

#[test]
fn random_packs_score_the_same_through_the_memo_and_alone() {
    let period: Period = "2024".parse().unwrap();
    let mut g = Rng(20_241_105);
    let mut packs = 0;
    let mut hits = 0;
    while packs < 60 {
        let source = random_pack(&mut g);
        let pack =
            Pack::from_source("rand.rhai", &source).unwrap_or_else(|e| panic!("{e}\n{source}"));
        let records: Vec<Value> = (0..150).map(|i| random_record(&mut g, i)).collect();
        let mut warm = Scorer::new(&pack, period).unwrap();
        for record in &records {
            let input = RecordInput::Json(record.clone());
            let batch = warm.score_input(&input).to_json_line();
            let mut cold = Scorer::new(&pack, period).unwrap();
            cold.set_memo(false);
            let alone = cold.score_input(&input).to_json_line();
            assert_eq!(batch, alone, "\n{source}\nrecord {record}");
        }
        assert_eq!(warm.memo_conflicts(), 0, "{source}");
        hits += warm.memo_stats().iter().map(|(_, h, _)| h).sum::<u64>();
        packs += 1;
    }
    // The memo was used, or this test would prove nothing.
    assert!(hits > 10_000, "only {hits} memo hits");
}
