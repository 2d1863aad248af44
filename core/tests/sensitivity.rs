//! Sensitivity analysis: a small case checked by hand, the fast rescoring
//! against scoring each perturbed pack from its source (on generated packs
//! and records), the invariants of a perturbation, and determinism.

use std::collections::BTreeMap;

use chamdiem::{
    Pack, Period, Perturbation, Points, RecordInput, Scorer, Sensitivity, SensitivityOptions,
    Status,
};
use serde_json::{json, Value};

fn period() -> Period {
    "2024".parse().unwrap()
}

fn options(vary: f64, samples: u32, seed: u64) -> SensitivityOptions {
    SensitivityOptions::new(vary, samples, seed, 0.9)
}

fn analyse(pack: &Pack, records: &[Value], options: &SensitivityOptions) -> Sensitivity {
    let inputs: Vec<RecordInput> = records.iter().cloned().map(RecordInput::Json).collect();
    Sensitivity::analyse(pack, period(), &inputs, options, &|| {}).unwrap()
}

/// Two criteria of 50 points (A: pass/fail; B: part(b, 4)), one threshold at
/// 50. Under ±10 %, A's renormalised points lie in [45, 55] (B's are 100 − A)
/// and the threshold in [45, 55]; so, by hand:
/// - a, b=4 (100), none (0), a, b=2 (50 + B/2 ∈ [72.5, 77.5]), b=2 (B/2 ∈
///   [22.5, 27.5]) and b=3 (3B/4 ∈ [33.75, 41.25]) can never cross: stability 1;
/// - a alone (exactly 50) and b=4 alone (exactly 50) sit on the threshold
///   and must flip in some samples (when A or B comes out below the threshold).
const HAND: &str = r#"
pack(#{ id: "t.hand", title: "Tay", version: "1", max_points: 100 });
field("id", #{ type: "string" });
field("a", #{ type: "bool" });
field("b", #{ type: "int", min: 0, max: 4 });
field("x", #{ type: "int", min: 0, max: 50, required: false });
group("1", #{ label: "Một" });
criterion("A", #{ group: "1", points: 50, label: "A", rule: |r| if r.a { pass("có") } else { fail("không") } });
criterion("B", #{ group: "1", points: 50, label: "B", rule: |r| part(r.b, 4, "phần") });
band("dat", #{ label: "Đạt", min: 50 });
band("chua", #{ label: "Chưa đạt", min: 0 });
"#;

fn hand_records() -> Vec<Value> {
    vec![
        json!({ "id": "full", "a": true, "b": 4 }),
        json!({ "id": "none", "a": false, "b": 0 }),
        json!({ "id": "a-only", "a": true, "b": 0 }),
        json!({ "id": "b-only", "a": false, "b": 4 }),
        json!({ "id": "a-half", "a": true, "b": 2 }),
        json!({ "id": "half", "a": false, "b": 2 }),
        json!({ "id": "three", "a": false, "b": 3 }),
        json!({ "id": "bad", "a": "có lẽ", "b": 3 }),
    ]
}

#[test]
fn a_small_case_checked_by_hand() {
    let pack = Pack::from_source("hand.rhai", HAND).unwrap();
    let result = analyse(&pack, &hand_records(), &options(0.1, 400, 7));
    let by_id: BTreeMap<&str, _> = result
        .records
        .iter()
        .map(|r| (r.id.as_deref().unwrap(), r))
        .collect();
    let class = |id: &str| by_id[id].class.map(|c| result.classes[c].code.as_str());
    assert_eq!(class("full"), Some("dat"));
    assert_eq!(class("a-only"), Some("dat")); // 50 ≥ 50
    assert_eq!(class("b-only"), Some("dat"));
    assert_eq!(class("three"), Some("chua"));
    for id in ["full", "none", "a-half", "half", "three"] {
        assert_eq!(by_id[id].stability, Some(1.0), "{id}");
        assert_eq!(by_id[id].counts.iter().sum::<u32>(), 400, "{id}");
    }
    for id in ["a-only", "b-only"] {
        let r = by_id[id];
        let s = r.stability.unwrap();
        assert!(s > 0.0 && s < 1.0, "{id} at the threshold: stability {s}");
        // Each sample gives one class: the two counts make every sample.
        assert_eq!(r.counts[0] + r.counts[1], 400, "{id}");
        assert_eq!(r.failed, 0);
    }
    // The record in error has no samples, and says so.
    let bad = by_id["bad"];
    assert_eq!(bad.status, Status::Error);
    assert_eq!(bad.stability, None);
    assert!(bad.counts.is_empty());
    // Knife-edge: exactly the two records on the threshold, least stable first.
    let knife: Vec<&str> = result
        .knife_edge()
        .iter()
        .map(|r| r.id.as_deref().unwrap())
        .collect();
    let mut sorted = knife.clone();
    sorted.sort();
    assert_eq!(sorted, ["a-only", "b-only"]);

    // One at a time, by hand. A up 10 %: 55 / 105 of 100 = 52.38 (largest
    // remainder gives B the odd hundredth: 47.62), so "b-only" (47.62) falls
    // and "a-only" (52.38) stays; A down: A = 47.37, "a-only" falls. B mirrors A.
    // "three" (3/4 of B ≤ 39.48) and the others never move.
    // The progress callback is called once per rescoring, as announced.
    let calls = std::sync::atomic::AtomicU64::new(0);
    let inputs: Vec<RecordInput> = hand_records().into_iter().map(RecordInput::Json).collect();
    let o = options(0.1, 17, 7);
    Sensitivity::analyse(&pack, period(), &inputs, &o, &|| {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(calls.into_inner(), Sensitivity::passes(&pack, &o));
    assert_eq!(Sensitivity::passes(&pack, &o), 17 + 2 * 2 + 1);

    let up = Perturbation::declared(&pack);
    assert_eq!(up.points, [Points::from_hundredths(5000); 2]);
    for c in &result.criteria {
        assert_eq!((c.moved_up, c.moved_down, c.moved), (1, 1, 2), "{}", c.id);
    }
}

#[test]
fn points_awards_count_as_their_share_of_the_declared_points() {
    // `points(x)` in a criterion of 50 is the share x / 50 of its perturbed
    // points. With vary 0 nothing moves; one at a time at 10 %, A = 52.38:
    // points(25) counts 26.19, so 26.19 + 23.81 (half of B = 47.62) = 50 stays.
    let source = HAND.replace(
        r#"rule: |r| if r.a { pass("có") } else { fail("không") }"#,
        r#"rule: |r| if r.a { points(50, "có") } else { points(r.x ?? 0, "một phần") }"#,
    );
    let pack = Pack::from_source("points.rhai", &source).unwrap();
    // x = 25 and b = 2: 25 + 25 = 50, at the threshold; A up → 26.19 + 23.81 = 50.
    let records = vec![
        json!({ "id": "p", "a": false, "x": 25, "b": 2 }),
        json!({ "id": "q", "a": true, "b": 0 }),
    ];
    let still = analyse(&pack, &records, &options(0.0, 5, 1));
    assert!(still.records.iter().all(|r| r.stability == Some(1.0)));
    let moved = analyse(&pack, &records, &options(0.1, 50, 1));
    let a = &moved.criteria[0];
    // "p": A up: 26.19 + 23.81 = 50.00 stays; A down: 23.69 (25 × 47.37/50,
    // rounded half away from zero) + 26.32 (half of 52.63) = 50.01 stays. "q" (points(50) = all of A)
    // behaves as pass(): A down (47.37) falls.
    assert_eq!((a.moved_up, a.moved_down), (0, 1));
    // "q" as pass(): a-only of the hand case, at the threshold.
    let q = &moved.records[1];
    assert!(q.stability.unwrap() < 1.0);
}

#[test]
fn perturbations_keep_the_packs_invariants() {
    for id in ["vn.enterprise", "tay-ninh.enterprise"] {
        let pack = Pack::load(id).unwrap();
        let declared = Perturbation::declared(&pack);
        for vary in [0.0, 0.1, 0.3, 0.9] {
            let o = options(vary, 1, 42);
            for k in 0..300 {
                let p = Perturbation::sample(&pack, &o, k);
                let sum: Points = p.points.iter().copied().sum();
                assert_eq!(sum, pack.max_points(), "{id} vary {vary} sample {k}");
                assert_eq!(*p.band_mins.last().unwrap(), Points::ZERO);
                assert!(p.band_mins[0] <= pack.max_points());
                assert!(
                    p.band_mins.windows(2).all(|w| w[0] > w[1]),
                    "{:?}",
                    p.band_mins
                );
                for (b, (&got, &was)) in p.band_mins.iter().zip(&declared.band_mins).enumerate() {
                    // Within ±vary of the declared minimum (rounded to a hundredth),
                    // unless pulled below a crossing neighbour.
                    let lo = was.as_f64() * (1.0 - vary) - 0.005;
                    let hi = was.as_f64() * (1.0 + vary) + 0.005;
                    let pulled = b > 0 && got.hundredths() == p.band_mins[b - 1].hundredths() - 1;
                    assert!(
                        pulled
                            || (got.as_f64() >= lo
                                && got.as_f64() <= hi.min(pack.max_points().as_f64())),
                        "{id} band {b}: {got} from {was}"
                    );
                }
                if vary == 0.0 {
                    assert_eq!(p, declared);
                }
            }
        }
        // A criterion's points stay within what ±vary then renormalising allows.
        let o = options(0.1, 1, 3);
        for k in 0..300 {
            let p = Perturbation::sample(&pack, &o, k);
            for (got, was) in p.points.iter().zip(&declared.points) {
                let ratio = got.as_f64() / was.as_f64();
                assert!(
                    ratio > 0.9 / 1.1 - 0.01 && ratio < 1.1 / 0.9 + 0.01,
                    "{ratio}"
                );
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_analysis_and_another_seed_other_samples() {
    let pack = Pack::load("vn.enterprise").unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/doanh-nghiep-2024.jsonl"
    ))
    .unwrap();
    let records: Vec<Value> = text
        .lines()
        .take(120)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let json =
        |seed| serde_json::to_string(&analyse(&pack, &records, &options(0.1, 60, seed))).unwrap();
    let first = json(5);
    assert_eq!(first, json(5));
    assert_ne!(first, json(6));
    // Different seeds, different numbers (not only different counts).
    let o5 = options(0.1, 1, 5);
    let o6 = options(0.1, 1, 6);
    assert_ne!(
        Perturbation::sample(&pack, &o5, 0),
        Perturbation::sample(&pack, &o6, 0)
    );
    // Each sample has its own stream: sample 1 differs from sample 0.
    assert_ne!(
        Perturbation::sample(&pack, &o5, 0),
        Perturbation::sample(&pack, &o5, 1)
    );
    // With nothing to vary, every scored record keeps its class.
    let still = analyse(&pack, &records, &options(0.0, 10, 1));
    for r in &still.records {
        assert!(r.stability.is_none() || r.stability == Some(1.0), "{r:?}");
    }
}

/// A small deterministic generator (SplitMix64).
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

/// A random pack whose criteria award shares (pass, fail, part) and whose
/// band conditions and gates read every part of the scores: the total,
/// the band, groups, group maxima (which perturbation changes), criteria.
fn random_pack(g: &mut Rng) -> (String, Vec<String>) {
    let mut s = String::from(
        r#"pack(#{ id:"t.base", title:"T", version:"0", max_points: 60 });
field("id", #{type:"string"});
field("n", #{type:"int", min: 0, max: 9});
field("a", #{type:"int", min: 0, max: 9});
field("b", #{type:"bool"});
group("1", #{label:"G1"}); group("2", #{label:"G2"});
"#,
    );
    let count = 3 + g.below(3) as usize;
    // Points summing to 60, in halves and quarters.
    let mut left = 6000i64;
    for i in 0..count {
        let hundredths = if i + 1 == count {
            left
        } else {
            let share = 500 + 25 * g.below(60) as i64;
            let share = share.min(left - 500 * (count - i - 1) as i64);
            left -= share;
            share
        };
        let rule = match g.below(4) {
            0 => "|r| if r.b { pass(\"có\") } else { fail(\"không\") }".to_string(),
            1 => format!("|r| part(r.n, 9, \"{i}\")"),
            2 => "|r| if r.a > 4 { pass(\"\") } else if r.a > 1 { part(r.a, 5, \"\") } else { fail(\"\") }".to_string(),
            _ => "|r| part((r.n + r.a) % 4, 3 + (r.a % 2), \"\")".to_string(),
        };
        let id = format!("{}.{i}", 1 + i % 2);
        s.push_str(&format!(
            "criterion(\"{id}\", #{{ group:\"{}\", points:{}, label:\"C\", rule: {rule} }});\n",
            1 + i % 2,
            Points::from_hundredths(hundredths)
        ));
    }
    let requires = g.pick(&[
        "s.total > 45.0 || r.b",
        "s.groups[\"1\"] >= s.group_max[\"1\"] * 0.5",
        "!any_below(s.groups, s.group_max, 0.4)",
        "s.criteria.values().len() > 2 && s.total >= 41.0",
    ]);
    let gate = g.pick(&[
        "any_below(s.groups, s.group_max, 0.3)",
        "s.band == \"a\" && s.groups[\"2\"] < 12.0",
        "s.groups[\"2\"] < s.group_max[\"2\"] * 0.25",
        "r.n == 0 && s.total < 30.0",
    ]);
    s.push_str(&format!(
        r#"band("a", #{{label:"A", min:40, requires: |r, p, s| {requires} }});
band("b", #{{label:"B", min:{}}});
band("c", #{{label:"C", min:20, requires: |r, p, s| s.band == "c" && (r.a > 0 || s.total >= 24.0) }});
band("d", #{{label:"D", min:0}});
gate("G1", #{{ label:"L", cap:"b", when: |r, p, s| {gate} }});
gate("G2", #{{ label:"M", cap:"c", when: |r| r.a == 9 }});
"#,
        30 + g.below(5)
    ));
    (s, vec!["a".into(), "b".into(), "c".into(), "d".into()])
}

fn random_record(g: &mut Rng, i: usize) -> Value {
    json!({
        "id": i.to_string(),
        "n": g.below(10),
        "a": g.below(10),
        "b": g.below(2) == 0,
    })
}

/// The perturbed pack as real source: the base extended, every number changed.
fn perturbed_source(criteria: &[String], bands: &[String], p: &Perturbation) -> String {
    let mut s = String::from(
        "extends(\"base.rhai\");\npack(#{ id: \"t.perturbed\", title: \"P\", version: \"0\" });\n",
    );
    for (id, points) in criteria.iter().zip(&p.points) {
        s.push_str(&format!(
            "change_criterion(\"{id}\", #{{ points: {points} }});\n"
        ));
    }
    for (code, min) in bands.iter().zip(&p.band_mins) {
        s.push_str(&format!("change_band(\"{code}\", #{{ min: {min} }});\n"));
    }
    s
}

#[test]
fn rescoring_agrees_with_scoring_each_perturbed_pack_from_its_source() {
    let mut g = Rng(20_241_128);
    let mut flips = 0;
    for round in 0..12 {
        let (source, bands) = random_pack(&mut g);
        let pack =
            Pack::from_source("base.rhai", &source).unwrap_or_else(|e| panic!("{e}\n{source}"));
        // In the pack's order (grouped), which is the perturbation's.
        let criteria: Vec<String> = pack.criteria().iter().map(|c| c.id.clone()).collect();
        let records: Vec<Value> = (0..80).map(|i| random_record(&mut g, i)).collect();
        let o = options(0.25, 25, round);
        let fast = analyse(&pack, &records, &o);

        let mut plain = vec![vec![0u32; bands.len()]; records.len()];
        for k in 0..u64::from(o.samples) {
            let p = Perturbation::sample(&pack, &o, k);
            let child = perturbed_source(&criteria, &bands, &p);
            let files = [
                ("base.rhai", source.as_str()),
                ("pack.rhai", child.as_str()),
            ];
            let perturbed =
                Pack::from_sources(files, "pack.rhai").unwrap_or_else(|e| panic!("{e}\n{child}"));
            assert_eq!(Perturbation::declared(&perturbed), p);
            let mut scorer = Scorer::new(&perturbed, period()).unwrap();
            scorer.set_memo(false);
            for (i, record) in records.iter().enumerate() {
                let result = scorer.score(record).unwrap();
                assert_eq!(result.status(), Status::Scored, "{:?}", result.errors());
                let code = result.class().unwrap();
                plain[i][bands.iter().position(|b| b == code).unwrap()] += 1;
            }
        }
        for (i, r) in fast.records.iter().enumerate() {
            assert_eq!(r.failed, 0);
            assert_eq!(
                r.counts, plain[i],
                "round {round} record {}\n{source}",
                records[i]
            );
            if r.stability != Some(1.0) {
                flips += 1;
            }
        }
    }
    // The comparison means something only if classes did move.
    assert!(flips > 50, "only {flips} records ever changed class");
}
