//! `cargo bench -p chamdiem --bench throughput` — figures for BENCHMARKS.md.
//!
//! Scores N synthetic records (default 100,000; `BENCH_RECORDS` to change)
//! made by `examples/generate.py` with the built-in `vn.enterprise`, and
//! prints a Markdown table: pack load time, records per second on one thread
//! and on all cores, microseconds per record, and the same records scored by
//! a hand-written native Rust scorer of the same pack (the floor), with the
//! ratio between the two measured in the same run.
//!
//! Every figure is the median of several runs. There are no thresholds: the
//! machine is shared, so compare ratios measured in one run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chamdiem::{Batch, Pack, Period, RecordInput, Scorer};

// The allocator the command line uses, so these figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn records(n: usize) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path: PathBuf = root.join(format!("bench/out/synthetic-{n}.jsonl"));
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let out = Command::new("python3")
            .arg(root.join("examples/generate.py"))
            .args([
                "--count",
                &n.to_string(),
                "--year",
                "2024",
                "--seed",
                "7",
                "--bad-fraction",
                "0.01",
                "--format",
                "jsonl",
            ])
            .output()
            .expect("python3 runs examples/generate.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&path, out.stdout).unwrap();
    }
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn main() {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runs = 5;
    let lines = records(n);
    let period: Period = "2024".parse().unwrap();
    let threads = rayon::current_num_threads();

    let time_load = |id: &str| {
        let samples = (0..20)
            .map(|_| {
                let t = Instant::now();
                Pack::load(id).unwrap();
                t.elapsed()
            })
            .collect();
        median(samples)
    };
    let load = time_load("vn.enterprise");
    let load_child = time_load("tay-ninh.duong-minh-chau.enterprise");
    let pack = Pack::load("vn.enterprise").unwrap();

    // One thread, a fresh scorer (a cold memo) each run: what one core does
    // with a file it has not seen. On a thread with the stack scripts are
    // meant to run on (as `Batch`'s workers have): on a small stack the
    // scorer moves each script run to a fresh deep stack, which costs more.
    let mut check = 0usize;
    let engine_one = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(chamdiem::SCRIPT_STACK_SIZE)
            .spawn_scoped(scope, || {
                let mut check = 0usize;
                let time = median(
                    (0..runs)
                        .map(|_| {
                            let mut scorer = Scorer::new(&pack, period).unwrap();
                            let t = Instant::now();
                            for line in &lines {
                                check += scorer.score_json_line(line).unwrap().criteria().count();
                            }
                            t.elapsed()
                        })
                        .collect(),
                );
                (time, check)
            })
            .unwrap()
            .join()
            .unwrap()
    });
    let (engine_one, counted) = engine_one;
    check += counted;

    // All cores, through `Batch`, in input order; each result is read on
    // its worker and dropped there, as the command line and the bindings do
    // (holding 100,000 whole results at once measures page faults instead).
    let inputs: Vec<RecordInput> = lines
        .iter()
        .map(|l| RecordInput::JsonLine(l.clone()))
        .collect();
    let engine_all = median(
        (0..runs)
            .map(|_| {
                let batch = Batch::new(&pack, period).unwrap();
                let t = Instant::now();
                check += batch
                    .score_map(&inputs, |r| r.criteria().count())
                    .into_iter()
                    .sum::<usize>();
                t.elapsed()
            })
            .collect(),
    );

    // The floor: the same pack written by hand in Rust.
    let native = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                for line in &lines {
                    check += native::score(line, &period).criteria.len();
                }
                t.elapsed()
            })
            .collect(),
    );

    // Agreement: the floor and the engine give the same totals and classes.
    let mut scorer = Scorer::new(&pack, period).unwrap();
    let mut disagreements = 0;
    for line in lines.iter().take(20_000) {
        let engine = scorer.score_json_line(line).unwrap();
        let floor = native::score(line, &period);
        if engine.total().map(|t| t.hundredths()) != floor.total || engine.class() != floor.class {
            disagreements += 1;
        }
    }

    let stats: Vec<String> = scorer
        .memo_stats()
        .into_iter()
        .filter(|(_, hits, misses)| hits + misses > 0)
        .map(|(name, hits, misses)| {
            format!(
                "{name} {:.0}%",
                100.0 * misses as f64 / (hits + misses) as f64
            )
        })
        .collect();
    let per_sec = |d: Duration| n as f64 / d.as_secs_f64();
    let micros = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!("records: {n} synthetic (examples/generate.py --seed 7 --bad-fraction 0.01), period 2024, {threads} threads, median of {runs} runs");
    println!();
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| load + compile `vn.enterprise` | {:.2} ms |",
        load.as_secs_f64() * 1e3
    );
    println!(
        "| load + compile `tay-ninh.duong-minh-chau.enterprise` (3 files) | {:.2} ms |",
        load_child.as_secs_f64() * 1e3
    );
    println!(
        "| engine, 1 thread | {:.0} records/s ({:.2} µs/record) |",
        per_sec(engine_one),
        micros(engine_one)
    );
    println!(
        "| engine, {threads} threads (`Batch`) | {:.0} records/s ({:.2} µs/record) |",
        per_sec(engine_all),
        micros(engine_all)
    );
    println!(
        "| native hand-written Rust scorer, 1 thread (floor) | {:.0} records/s ({:.2} µs/record) |",
        per_sec(native),
        micros(native)
    );
    println!(
        "| engine ÷ floor, 1 thread | {:.2}× slower |",
        engine_one.as_secs_f64() / native.as_secs_f64()
    );
    println!("| floor vs engine on the first 20,000 records | {disagreements} disagreements |");
    println!();
    println!(
        "Memo misses (script evaluations) per rule over those 20,000 records: {}",
        stats.join(", ")
    );
    assert!(check > 0);
}

/// `vn.enterprise`, hand-written: the floor the engine is compared with.
/// It parses the same JSON line and does the same work (validation included),
/// with the rules compiled in.
mod native {
    use chamdiem::{parse_date, Period};
    use chrono::NaiveDate;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Record {
        id: Option<String>,
        ownership: Option<String>,
        has_union: Option<bool>,
        employees: Option<i64>,
        regulation_issued: Option<bool>,
        regulation_union_consulted: Option<bool>,
        regulation_published: Option<bool>,
        dialogue_employee_reps: Option<i64>,
        periodic_dialogue_dates: Option<Vec<String>>,
        dialogue_minutes_published: Option<bool>,
        dialogue_requests: Option<i64>,
        dialogue_requests_answered: Option<i64>,
        #[serde(default, deserialize_with = "present")]
        workers_conference_date: Option<Option<String>>,
        union_coorganised_conference: Option<bool>,
        disclosed_business: Option<bool>,
        disclosed_rules_pay_norms: Option<bool>,
        disclosed_collective_agreement: Option<bool>,
        disclosed_funds: Option<bool>,
        disclosed_contributions: Option<bool>,
        disclosed_rewards_discipline: Option<bool>,
        consulted_internal_rules: Option<bool>,
        consulted_pay_norms: Option<bool>,
        consulted_conditions: Option<bool>,
        supervised_contracts: Option<bool>,
        supervised_internal_rules: Option<bool>,
        supervised_funds: Option<bool>,
        supervised_contributions: Option<bool>,
        supervised_rewards_discipline: Option<bool>,
        collective_agreement_in_force: Option<bool>,
        strikes: Option<i64>,
        collective_disputes: Option<i64>,
        democracy_fines: Option<i64>,
    }

    fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }

    pub struct Outcome {
        pub total: Option<i64>,
        pub class: Option<&'static str>,
        pub criteria: Vec<(i64, &'static str)>,
    }

    fn unscored() -> Outcome {
        Outcome {
            total: None,
            class: None,
            criteria: Vec::new(),
        }
    }

    fn yes(points: i64, ok: bool, pass: &'static str, fail: &'static str) -> (i64, &'static str) {
        if ok {
            (points, pass)
        } else {
            (0, fail)
        }
    }

    pub fn score(line: &str, period: &Period) -> Outcome {
        let Ok(r) = serde_json::from_str::<Record>(line) else {
            return unscored();
        };
        let _ = &r.id;
        if r.ownership.as_deref() == Some("state") || r.has_union == Some(false) {
            return unscored();
        }
        let ok_own = matches!(
            r.ownership.as_deref(),
            Some("private" | "fdi" | "cooperative" | "household")
        );
        let counts = [
            r.employees,
            r.dialogue_employee_reps,
            r.dialogue_requests,
            r.dialogue_requests_answered,
            r.strikes,
            r.collective_disputes,
            r.democracy_fines,
        ];
        let dates: Option<Vec<NaiveDate>> = r
            .periodic_dialogue_dates
            .as_ref()
            .and_then(|d| d.iter().map(|s| parse_date(s)).collect());
        let conference = match &r.workers_conference_date {
            Some(Some(s)) => parse_date(s).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        let flags = [
            r.has_union,
            r.regulation_issued,
            r.regulation_union_consulted,
            r.regulation_published,
            r.dialogue_minutes_published,
            r.union_coorganised_conference,
            r.disclosed_business,
            r.disclosed_rules_pay_norms,
            r.disclosed_collective_agreement,
            r.disclosed_funds,
            r.disclosed_contributions,
            r.disclosed_rewards_discipline,
            r.consulted_internal_rules,
            r.consulted_pay_norms,
            r.consulted_conditions,
            r.supervised_contracts,
            r.supervised_internal_rules,
            r.supervised_funds,
            r.supervised_contributions,
            r.supervised_rewards_discipline,
            r.collective_agreement_in_force,
        ];
        if !ok_own
            || counts.iter().any(|c| !matches!(c, Some(n) if *n >= 0))
            || flags.iter().any(Option::is_none)
            || dates.is_none()
            || conference.is_none()
            || r.dialogue_requests_answered > r.dialogue_requests
            || r.id.is_none()
        {
            return unscored();
        }
        let f = |o: Option<bool>| o.unwrap_or(false);
        let n = |o: Option<i64>| o.unwrap_or(0);
        let mut inside: Vec<NaiveDate> = dates
            .unwrap()
            .into_iter()
            .filter(|d| period.contains(*d))
            .collect();
        inside.dedup();
        let dialogue = !inside.is_empty();
        let conf = conference.unwrap().is_some_and(|d| period.contains(d));
        let reg = f(r.regulation_issued);
        let employees = n(r.employees);
        let need = match employees {
            0..=49 => 3,
            50..=149 => 4,
            150..=299 => 9,
            300..=499 => 14,
            500..=999 => 19,
            _ => 24,
        };
        let share = |num: i64, den: i64, max: i64| (2 * max * num + den) / (2 * den);
        let asked = n(r.dialogue_requests);
        let agreement = f(r.collective_agreement_in_force);
        let consulted = [
            r.consulted_internal_rules,
            r.consulted_pay_norms,
            r.consulted_conditions,
        ]
        .iter()
        .filter(|b| f(**b))
        .count() as i64;
        let supervised = [
            r.supervised_contracts,
            r.supervised_internal_rules,
            r.supervised_funds,
            r.supervised_contributions,
            r.supervised_rewards_discipline,
        ]
        .iter()
        .filter(|b| f(**b))
        .count() as i64;
        let criteria = vec![
            yes(800, reg, "Đã ban hành quy chế", "Chưa ban hành quy chế"),
            yes(
                300,
                reg && f(r.regulation_union_consulted),
                "Đã tham khảo ý kiến công đoàn",
                "Không tham khảo ý kiến công đoàn",
            ),
            yes(
                400,
                reg && f(r.regulation_published),
                "Đã công bố quy chế",
                "Chưa công bố quy chế",
            ),
            yes(
                1000,
                dialogue,
                "Đã đối thoại định kỳ",
                "Chưa đối thoại định kỳ",
            ),
            yes(
                500,
                n(r.dialogue_employee_reps) >= need,
                "Đủ đại diện",
                "Thiếu đại diện",
            ),
            yes(
                500,
                dialogue && f(r.dialogue_minutes_published),
                "Đã công khai",
                "Chưa công khai",
            ),
            (
                if asked == 0 {
                    500
                } else {
                    share(n(r.dialogue_requests_answered), asked, 500)
                },
                "Đáp ứng yêu cầu đối thoại",
            ),
            yes(1500, conf, "Đã tổ chức hội nghị", "Chưa tổ chức hội nghị"),
            yes(
                500,
                conf && f(r.union_coorganised_conference),
                "Công đoàn phối hợp",
                "Công đoàn không phối hợp",
            ),
            yes(
                250,
                f(r.disclosed_business),
                "Đã công khai",
                "Chưa công khai",
            ),
            yes(
                250,
                f(r.disclosed_rules_pay_norms),
                "Đã công khai",
                "Chưa công khai",
            ),
            yes(
                250,
                !agreement || f(r.disclosed_collective_agreement),
                "Đã công khai",
                "Chưa công khai",
            ),
            yes(250, f(r.disclosed_funds), "Đã công khai", "Chưa công khai"),
            yes(
                250,
                f(r.disclosed_contributions),
                "Đã công khai",
                "Chưa công khai",
            ),
            yes(
                250,
                f(r.disclosed_rewards_discipline),
                "Đã công khai",
                "Chưa công khai",
            ),
            (share(consulted, 3, 600), "Tham gia ý kiến"),
            (share(supervised, 5, 500), "Kiểm tra, giám sát"),
            yes(400, agreement, "Có thỏa ước", "Chưa có thỏa ước"),
            yes(500, n(r.strikes) == 0, "Không đình công", "Có đình công"),
            yes(
                300,
                n(r.collective_disputes) == 0,
                "Không tranh chấp",
                "Có tranh chấp",
            ),
            yes(
                200,
                n(r.democracy_fines) == 0,
                "Không bị xử phạt",
                "Bị xử phạt",
            ),
        ];
        let group =
            |range: std::ops::Range<usize>| criteria[range].iter().map(|c| c.0).sum::<i64>();
        let groups = [
            (group(0..3), 1500),
            (group(3..7), 2500),
            (group(7..9), 2000),
            (group(9..15), 1500),
            (group(15..18), 1500),
            (group(18..21), 1000),
        ];
        let total: i64 = criteria.iter().map(|c| c.0).sum();
        let mut rank = match total {
            t if t >= 8000 => 0,
            t if t >= 6500 => 1,
            t if t >= 5000 => 2,
            _ => 3,
        };
        if !reg || !dialogue || !conf {
            rank = rank.max(2);
        }
        if n(r.strikes) > 0 || n(r.democracy_fines) > 0 {
            rank = rank.max(2);
        }
        if groups.iter().any(|(g, max)| 2 * g < *max) {
            rank = rank.max(1);
        }
        Outcome {
            total: Some(total),
            class: Some(["tot", "kha", "trung_binh", "yeu"][rank]),
            criteria,
        }
    }
}
