//! How stable is a class? Uncertainty analysis of a pack's weights and
//! thresholds (the Monte Carlo analysis the OECD/JRC handbook on composite
//! indicators asks for).
//!
//! Each sample perturbs every criterion's points and every band's minimum at
//! random within ±`vary`, keeping the pack's invariants, rescoring every
//! record; each record then has the share of samples in each class, and its
//! *stability*: the share of samples that give it the class the pack as
//! declared gives it. Which weights move the most records is measured one at
//! a time (see [`CriterionInfluence`]).
//!
//! # Rescoring fast, and why it is exact
//!
//! A criterion's rule receives `|r, p|` only: it cannot see its own points or
//! any other number the analysis perturbs. What it returns is a *share*:
//! `pass` (1/1), `fail` (0/1), `part(n, d)` (n/d); the engine scales it to the
//! criterion's points (`Points::scaled`, in `score::call`). So the share is
//! the same under every perturbation, and a perturbed criterion's points are
//! `perturbed.scaled(n, d)`: exactly what scoring the perturbed pack from
//! scratch gives. Each record's rules therefore run once, and each sample
//! only rescales shares, sums groups and the total, and re-runs what reads
//! the scores (band conditions `requires: |r, p, s|` and gates
//! `when: |r, p, s|`) through the pack's own scripts, with the scores and
//! group maxima of the perturbed pack (through the scorer's memo: a gate that
//! reads only the record is answered without running again).
//!
//! One award is absolute: `points(x)`. Scoring a pack whose criterion was
//! changed would still give `x` (or fail once `x` exceeds the new maximum),
//! so a weight change would mean nothing to such a criterion. Here a weight
//! is what the criterion counts for, so `points(x)` of a criterion declared
//! at `m` points counts as the share `x / m` of its perturbed points.
//!
//! Deterministic: a sample's numbers come from ChaCha8 seeded with the seed,
//! on the sample's own stream, drawn as integers (parts per million), so the
//! same seed gives the same samples on every platform and every number of
//! threads.

mod tables;

pub use tables::Table;

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::fields::{validate, Value};
use crate::pack::{Band, Criterion, Group, PackInner};
use crate::score::Scores;
use crate::script::{self, Share};
use crate::{Batch, Error, Location, Pack, PackRef, Period, Points, RecordInput, Scorer, Status};

/// Parts per million: the unit perturbation factors are drawn in.
const PPM: i64 = 1_000_000;
/// A record-sample whose rescoring failed.
const FAILED: u8 = u8::MAX;

/// What to perturb, how often, and what counts as a knife-edge.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SensitivityOptions {
    /// The largest relative change of a criterion's points or a band's
    /// minimum: `0.1` is ±10 %. At least 0, below 1.
    pub vary: f64,
    /// How many perturbed packs to score every record with (1 to 1,000,000).
    pub samples: u32,
    /// The seed: the same seed, the same samples.
    pub seed: u64,
    /// A record whose stability is below this share sits on a knife-edge.
    pub knife_edge: f64,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        SensitivityOptions {
            vary: 0.1,
            samples: 1000,
            seed: 0,
            knife_edge: 0.9,
        }
    }
}

impl SensitivityOptions {
    /// Options with these values.
    pub fn new(vary: f64, samples: u32, seed: u64, knife_edge: f64) -> Self {
        SensitivityOptions {
            vary,
            samples,
            seed,
            knife_edge,
        }
    }

    /// What is out of range, in Vietnamese: a front end checks its options
    /// before reading any data.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.vary.is_finite() && (0.0..1.0).contains(&self.vary)) {
            return Err(format!(
                "mức thay đổi (vary) phải từ 0 đến dưới 1 (0.1 là ±10%), nhận {}",
                self.vary
            ));
        }
        if !(1..=1_000_000).contains(&self.samples) {
            return Err(format!(
                "số mẫu (samples) phải từ 1 đến 1000000, nhận {}",
                self.samples
            ));
        }
        if !(self.knife_edge.is_finite() && (0.0..=1.0).contains(&self.knife_edge)) {
            return Err(format!(
                "ngưỡng sát ngưỡng (knife_edge) phải từ 0 đến 1, nhận {}",
                self.knife_edge
            ));
        }
        Ok(())
    }

    fn check(&self) -> Result<(), Error> {
        self.validate().map_err(Error::Input)
    }

    fn vary_ppm(&self) -> i64 {
        (self.vary * PPM as f64).round() as i64
    }
}

/// The numbers of one perturbed pack: what a sample scores with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Perturbation {
    /// Each criterion's points, in the pack's order. They sum to the pack's
    /// maximum, as the declared points do (the loader requires it).
    pub points: Vec<Points>,
    /// Each band's minimum, best band first: strictly decreasing, the best
    /// at most the maximum, the lowest 0 (as the loader requires).
    pub band_mins: Vec<Points>,
}

impl Perturbation {
    /// The pack's own numbers.
    pub fn declared(pack: &Pack) -> Self {
        Perturbation {
            points: pack.criteria().iter().map(|c| c.points).collect(),
            band_mins: pack.bands().iter().map(|b| b.min).collect(),
        }
    }

    /// Sample number `sample` of the analysis with `options` (only `vary`
    /// and `seed` matter): each criterion's points times a factor drawn
    /// uniformly in [1 − vary, 1 + vary], then all scaled so that they sum
    /// to the pack's maximum again (rounded to hundredths by largest
    /// remainder, so the sum is exact); each band's minimum but the lowest
    /// times its own factor, rounded to hundredths, at most the maximum, and
    /// pulled to 0.01 below the band above when the two would cross.
    pub fn sample(pack: &Pack, options: &SensitivityOptions, sample: u64) -> Self {
        let vary = options.vary_ppm();
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        rng.set_stream(sample);
        let mut factor = || PPM + rng.gen_range(-vary..=vary);
        let raw: Vec<i128> = pack
            .criteria()
            .iter()
            .map(|c| i128::from(c.points.hundredths()) * i128::from(factor()))
            .collect();
        let points = renormalise(&raw, pack.max_points());
        let bands = pack.bands();
        let mut band_mins: Vec<Points> = bands
            .iter()
            .map(|b| b.min.scaled(factor(), PPM).unwrap_or(b.min))
            .collect();
        keep_bands_valid(&mut band_mins, pack.max_points());
        Perturbation { points, band_mins }
    }

    /// The declared numbers with criterion `index`'s points times
    /// `1 + change_ppm / 1e6`, the others scaled to keep the maximum.
    fn one_criterion(pack: &Pack, index: usize, change_ppm: i64) -> Self {
        let raw: Vec<i128> = pack
            .criteria()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let factor = if i == index { PPM + change_ppm } else { PPM };
                i128::from(c.points.hundredths()) * i128::from(factor)
            })
            .collect();
        Perturbation {
            points: renormalise(&raw, pack.max_points()),
            band_mins: pack.bands().iter().map(|b| b.min).collect(),
        }
    }
}

/// Shares of `max` in proportion to `raw`, in hundredths summing exactly to
/// `max` (largest remainder; ties to the earlier criterion).
fn renormalise(raw: &[i128], max: Points) -> Vec<Points> {
    let sum: i128 = raw.iter().sum();
    let max = i128::from(max.hundredths());
    if sum <= 0 {
        return raw.iter().map(|_| Points::ZERO).collect();
    }
    let mut floors: Vec<i128> = raw.iter().map(|r| r * max / sum).collect();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    // Largest remainder first; the sort is stable, so ties keep their order.
    order.sort_by_key(|&i| std::cmp::Reverse(raw[i] * max % sum));
    let missing = max - floors.iter().sum::<i128>();
    for &i in order.iter().take(missing as usize) {
        floors[i] += 1;
    }
    floors
        .into_iter()
        .map(|h| Points::from_hundredths(h as i64))
        .collect()
}

/// Makes perturbed band minima what the loader accepts: the best at most
/// `max`, each below the one above, the lowest 0.
fn keep_bands_valid(mins: &mut [Points], max: Points) {
    let last = mins.len() - 1;
    mins[last] = Points::ZERO;
    if last == 0 {
        return;
    }
    mins[0] = mins[0].min(max);
    for b in 1..last {
        let below_above = Points::from_hundredths(mins[b - 1].hundredths() - 1);
        mins[b] = mins[b].min(below_above);
    }
    // Room for the bands below (only matters for a band squeezed near 0).
    for b in (1..last).rev() {
        let floor = Points::from_hundredths(mins[b + 1].hundredths() + 1);
        mins[b] = mins[b].max(floor);
    }
}

/// A class of the pack: its code and label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassRef {
    /// The band's code (`tot`).
    pub code: String,
    /// Its label (`Tốt`).
    pub label: String,
}

/// How one record's class holds up.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordStability {
    /// Its position in the input, from 1.
    pub row: usize,
    /// Its id.
    pub id: Option<String>,
    /// Its name, if the pack declares one.
    pub name: Option<String>,
    /// Its status as scored with the pack as declared; only a scored record
    /// has samples (a perturbation changes no applicability or data error).
    pub status: Status,
    /// Its total with the pack as declared.
    pub total: Option<Points>,
    /// Its class with the pack as declared (index into the classes).
    pub class: Option<usize>,
    /// How many samples gave each class (aligned with the classes).
    pub counts: Vec<u32>,
    /// How many samples failed on it (a band condition or gate that failed
    /// with the perturbed scores).
    pub failed: u32,
    /// The first such failure, of the earliest sample.
    pub failure: Option<String>,
    /// The class most samples gave (ties: the declared class, else the better).
    pub modal: Option<usize>,
    /// The share of samples that gave it its declared class.
    pub stability: Option<f64>,
}

/// How much one criterion's weight moves records, one at a time: its
/// points alone raised by `vary` (the other criteria scaled down to keep
/// the maximum, the thresholds as declared), then alone lowered by `vary`,
/// and how many scored records change class each way. Measured apart from
/// the random samples on purpose: in a sample every weight moves at once,
/// so counting a sample's class changes by one weight's direction would
/// mostly count the others.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CriterionInfluence {
    /// The criterion's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its declared points.
    pub points: Points,
    /// Records whose class changes when its points go up by `vary`.
    pub moved_up: u32,
    /// Records whose class changes when its points go down by `vary`.
    pub moved_down: u32,
    /// Records whose class changes either way.
    pub moved: u32,
}

/// The result of [`Sensitivity::analyse`]. Its JSON form (`serde`) gives
/// each record's shares and counts as objects keyed by class code.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Sensitivity {
    /// The pack analysed.
    pub pack: PackRef,
    /// The evaluation period.
    pub period: Period,
    /// The options used.
    pub options: SensitivityOptions,
    /// The classes, best first.
    pub classes: Vec<ClassRef>,
    /// One entry per input record, in order.
    pub records: Vec<RecordStability>,
    /// One entry per criterion, in the pack's order.
    pub criteria: Vec<CriterionInfluence>,
}

/// A scored record, ready to rescore: its validated values, each
/// criterion's share, and its declared class.
struct Prepared {
    values: Arc<[Value]>,
    shares: Vec<Share>,
    class: usize,
}

/// One rescoring of every prepared record: a class each (or [`FAILED`]) and
/// the failures' messages by prepared index.
struct Pass {
    classes: Vec<u8>,
    failures: Vec<(usize, String)>,
}

impl Sensitivity {
    /// How many rescorings [`analyse`](Self::analyse) makes (for a progress
    /// bar): the samples, two per criterion, and one check.
    pub fn passes(pack: &Pack, options: &SensitivityOptions) -> u64 {
        u64::from(options.samples) + 2 * pack.criteria().len() as u64 + 1
    }

    /// Scores `inputs` with `pack` as declared, then with `options.samples`
    /// perturbed packs and one criterion at a time; `progress` is called
    /// after each rescoring (from any thread).
    ///
    /// Fails on bad options, a pack not in force in `period`, or an internal
    /// check: rescoring with the declared numbers must give every record the
    /// class that scoring gave it.
    pub fn analyse(
        pack: &Pack,
        period: Period,
        inputs: &[RecordInput],
        options: &SensitivityOptions,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Sensitivity, Error> {
        options.check()?;
        let classes_count = pack.bands().len();
        if classes_count >= usize::from(FAILED) {
            return Err(Error::Input(format!(
                "bộ quy tắc có {classes_count} mức xếp loại: phân tích độ nhạy nhận tối đa 254"
            )));
        }
        let batch = Batch::new(pack, period)?;
        let results = batch.score(inputs);
        let inner = &pack.inner;
        let mut prepared = Vec::new();
        let mut prepared_of = vec![None; results.len()];
        for (i, (input, result)) in inputs.iter().zip(&results).enumerate() {
            if result.status() != Status::Scored {
                continue;
            }
            let values =
                values_of(inner, input).ok_or_else(|| internal(pack, "đọc lại bản ghi"))?;
            prepared_of[i] = Some(prepared.len());
            prepared.push(Prepared {
                values,
                shares: result.reasons.iter().map(|r| r.share).collect(),
                class: result.class.expect("a scored record has a class"),
            });
        }

        let declared = Perturbation::declared(pack);
        let check = rescore(pack, period, &declared, &declared, &prepared)?;
        progress();
        if check
            .classes
            .iter()
            .zip(&prepared)
            .any(|(&c, p)| c != p.class as u8)
        {
            return Err(internal(
                pack,
                "chấm lại với số điểm đã khai báo không ra đúng xếp loại",
            ));
        }

        // The random samples, folded into counts per record and class.
        let width = classes_count + 1;
        let fold = |mut acc: Tally, (k, pass): (u64, Pass)| {
            for (i, &c) in pass.classes.iter().enumerate() {
                acc.counts[i * width + usize::from(c.min(classes_count as u8))] += 1;
            }
            for (i, message) in pass.failures {
                if acc.failures[i].as_ref().is_none_or(|(at, _)| k < *at) {
                    acc.failures[i] = Some((k, message));
                }
            }
            acc
        };
        let empty = || Tally {
            counts: vec![0; prepared.len() * width],
            failures: vec![None; prepared.len()],
        };
        let sample = |k: u64| -> Result<(u64, Pass), Error> {
            let numbers = Perturbation::sample(pack, options, k);
            let pass = rescore(pack, period, &declared, &numbers, &prepared)?;
            progress();
            Ok((k, pass))
        };
        // One criterion at a time, up then down: how many records move.
        let vary = options.vary_ppm();
        let criteria_count = pack.criteria().len();
        let influence = |j: usize| -> Result<[u32; 3], Error> {
            let mut moved = vec![[false; 2]; prepared.len()];
            for (way, change) in [vary, -vary].into_iter().enumerate() {
                let numbers = Perturbation::one_criterion(pack, j, change);
                let pass = rescore(pack, period, &declared, &numbers, &prepared)?;
                progress();
                for ((m, &c), p) in moved.iter_mut().zip(&pass.classes).zip(&prepared) {
                    m[way] = c != p.class as u8;
                }
            }
            let count =
                |f: &dyn Fn(&[bool; 2]) -> bool| moved.iter().filter(|m| f(m)).count() as u32;
            Ok([count(&|m| m[0]), count(&|m| m[1]), count(&|m| m[0] || m[1])])
        };

        #[cfg(not(target_arch = "wasm32"))]
        let (tally, influences) = {
            use rayon::prelude::*;
            // Deep stacks, as `Batch`'s workers: rules run on them directly.
            let pool = rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("chamdiem-sens-{i}"))
                .stack_size(script::SCRIPT_STACK_SIZE)
                .build()
                .map_err(|e| Error::Input(format!("không tạo được các luồng tính: {e}")))?;
            pool.install(|| -> Result<_, Error> {
                let tally = (0..u64::from(options.samples))
                    .into_par_iter()
                    .map(sample)
                    .try_fold(empty, |acc, pass| pass.map(|pass| fold(acc, pass)))
                    .try_reduce(empty, |a, b| Ok(a.merge(b)))?;
                let influences = (0..criteria_count)
                    .into_par_iter()
                    .map(influence)
                    .collect::<Result<Vec<_>, Error>>()?;
                Ok((tally, influences))
            })?
        };
        #[cfg(target_arch = "wasm32")]
        let (tally, influences) = {
            let mut tally = empty();
            for k in 0..u64::from(options.samples) {
                tally = fold(tally, sample(k)?);
            }
            let influences = (0..criteria_count)
                .map(influence)
                .collect::<Result<Vec<_>, Error>>()?;
            (tally, influences)
        };

        let mut failures = tally.failures;
        let records = results
            .iter()
            .enumerate()
            .map(|(i, result)| {
                let mut record = RecordStability {
                    row: i + 1,
                    id: result.id().map(str::to_string),
                    name: result.name().map(str::to_string),
                    status: result.status(),
                    total: result.total(),
                    class: result.class,
                    counts: Vec::new(),
                    failed: 0,
                    failure: None,
                    modal: None,
                    stability: None,
                };
                let Some(p) = prepared_of[i] else {
                    return record;
                };
                let row = &tally.counts[p * width..(p + 1) * width];
                let declared_class = prepared[p].class;
                record.counts = row[..classes_count].to_vec();
                record.failed = row[classes_count];
                record.failure = failures[p].take().map(|(_, message)| message);
                let best = record.counts.iter().copied().max().unwrap_or(0);
                record.modal = if record.counts[declared_class] == best {
                    Some(declared_class)
                } else {
                    record.counts.iter().position(|&c| c == best)
                };
                record.stability =
                    Some(f64::from(record.counts[declared_class]) / f64::from(options.samples));
                record
            })
            .collect();
        let criteria = pack
            .criteria()
            .iter()
            .zip(influences)
            .map(|(c, [up, down, either])| CriterionInfluence {
                id: c.id.clone(),
                label: c.label.clone(),
                points: c.points,
                moved_up: up,
                moved_down: down,
                moved: either,
            })
            .collect();
        Ok(Sensitivity {
            pack: pack.pack_ref().clone(),
            period,
            options: options.clone(),
            classes: pack
                .bands()
                .iter()
                .map(|b| ClassRef {
                    code: b.code.clone(),
                    label: b.label.clone(),
                })
                .collect(),
            records,
            criteria,
        })
    }

    /// The records whose stability is below the knife-edge share, least
    /// stable first (ties in input order).
    pub fn knife_edge(&self) -> Vec<&RecordStability> {
        let mut records: Vec<&RecordStability> = self
            .records
            .iter()
            .filter(|r| r.stability.is_some_and(|s| s < self.options.knife_edge))
            .collect();
        records.sort_by(|a, b| {
            a.stability
                .partial_cmp(&b.stability)
                .expect("finite shares")
        });
        records
    }
}

/// Counts per record and class (the last column: failed), and each record's
/// earliest failure.
struct Tally {
    counts: Vec<u32>,
    failures: Vec<Option<(u64, String)>>,
}

impl Tally {
    // Combines two threads' tallies (rayon's reduce; wasm32 runs serially).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn merge(mut self, other: Tally) -> Tally {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        for (a, b) in self.failures.iter_mut().zip(other.failures) {
            if let Some((k, message)) = b {
                if a.as_ref().is_none_or(|(at, _)| k < *at) {
                    *a = Some((k, message));
                }
            }
        }
        self
    }
}

fn internal(pack: &Pack, what: &str) -> Error {
    Error::Script {
        location: Location::file(pack.id()),
        context: "phân tích độ nhạy".into(),
        message: format!("lỗi nội bộ của chamdiem: {what}"),
    }
}

/// The validated values of an input that scored (it scored, so it reads).
fn values_of(inner: &PackInner, input: &RecordInput) -> Option<Arc<[Value]>> {
    let parsed;
    let object = match input {
        RecordInput::Json(value) => value.as_object()?,
        RecordInput::JsonLine(line) => {
            parsed = serde_json::from_str::<serde_json::Value>(line).ok()?;
            parsed.as_object()?
        }
        RecordInput::Unreadable { .. } => return None,
    };
    let slots: Vec<Option<&serde_json::Value>> =
        inner.fields.iter().map(|f| object.get(&f.name)).collect();
    let (values, errors) = validate(&inner.fields, &slots);
    errors.is_empty().then(|| values.into())
}

/// The pack with other numbers: criteria's points (and so the groups'
/// maxima, which `s.group_max` shows) and band minima. Scripts, fields and
/// everything else are the pack's own; only the engine is new (an engine
/// cannot be shared, and holds nothing of the pack).
fn with_numbers(pack: &Pack, numbers: &Perturbation) -> Pack {
    let inner = &pack.inner;
    let mut criteria: Vec<Criterion> = inner.criteria.clone();
    let mut groups: Vec<Group> = inner.groups.clone();
    for group in &mut groups {
        group.max = Points::ZERO;
    }
    for (criterion, &points) in criteria.iter_mut().zip(&numbers.points) {
        criterion.points = points;
        criterion.rule.award_max = Some(points);
        let group = &mut groups[criterion.group_index];
        group.max = group.max + points;
    }
    let mut bands: Vec<Band> = inner.bands.clone();
    for (band, &min) in bands.iter_mut().zip(&numbers.band_mins) {
        band.min = min;
    }
    Pack {
        inner: Arc::new(PackInner {
            id: inner.id.clone(),
            title: inner.title.clone(),
            version: inner.version.clone(),
            description: inner.description.clone(),
            in_force_from: inner.in_force_from,
            in_force_until: inner.in_force_until,
            max_points: inner.max_points,
            extends: inner.extends.clone(),
            sources: inner.sources.clone(),
            fingerprint: inner.fingerprint.clone(),
            fields: inner.fields.clone(),
            field_index: inner.field_index.clone(),
            field_keys: inner.field_keys.clone(),
            groups,
            criteria,
            bands,
            gates: inner.gates.clone(),
            applies: inner.applies.clone(),
            calendar: inner.calendar.clone(),
            examples: inner.examples.clone(),
            layout: Arc::clone(&inner.layout),
            engine: script::new_engine(&inner.limits),
            ast: inner.ast.clone(),
            limits: inner.limits.clone(),
        }),
    }
}

/// Rescores every prepared record with `numbers` (see the module's notes).
fn rescore(
    pack: &Pack,
    period: Period,
    declared: &Perturbation,
    numbers: &Perturbation,
    records: &[Prepared],
) -> Result<Pass, Error> {
    let perturbed = with_numbers(pack, numbers);
    let mut scorer = Scorer::new(&perturbed, period)?;
    let inner = Arc::clone(&perturbed.inner);
    let mut pass = Pass {
        classes: Vec::with_capacity(records.len()),
        failures: Vec::new(),
    };
    for (i, record) in records.iter().enumerate() {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            classify(&mut scorer, &inner, &declared.points, record)
        }));
        let message = match caught {
            Ok(Ok(class)) => {
                pass.classes.push(class as u8);
                continue;
            }
            Ok(Err(error)) => error.to_string(),
            Err(panic) => {
                scorer = Scorer::new(&perturbed, period)?;
                format!(
                    "lỗi nội bộ của chamdiem: {}",
                    script::panic_message(&*panic)
                )
            }
        };
        pass.classes.push(FAILED);
        pass.failures.push((i, message));
    }
    Ok(pass)
}

/// One record's class under the scorer's (perturbed) pack, from the shares
/// its criteria awarded. The band and the gates are chosen as in scoring
/// (`score::classify`); the tests compare this with scoring perturbed
/// packs from their source.
fn classify(
    scorer: &mut Scorer,
    inner: &PackInner,
    declared: &[Points],
    record: &Prepared,
) -> Result<usize, Error> {
    let mut groups = vec![Points::ZERO; inner.groups.len()];
    let mut criteria = Vec::with_capacity(inner.criteria.len());
    for ((criterion, share), &was) in inner.criteria.iter().zip(&record.shares).zip(declared) {
        let points = criterion.points;
        let earned = match *share {
            Share::Ratio(num, den) => points.scaled(num, den).unwrap_or(Points::ZERO),
            // `points(x)` of a criterion declared at `was`: the share x / was.
            Share::Points(x) if was > Points::ZERO => points
                .scaled(x.hundredths(), was.hundredths())
                .unwrap_or(Points::ZERO),
            Share::Points(_) => Points::ZERO,
        };
        groups[criterion.group_index] = groups[criterion.group_index] + earned;
        criteria.push(earned);
    }
    let mut scores = Scores::new(criteria, groups);
    let classified = crate::score::classify(inner, &mut scores, |kind, rule, scores| {
        scorer.evaluate(kind, rule, &record.values, Some(scores))
    })?;
    Ok(classified.class)
}
