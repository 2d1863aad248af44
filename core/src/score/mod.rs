//! Scoring one record: validation, applicability, criteria, rounding, groups,
//! total, band (and its condition), gates, class.
//!
//! Every rule is a pure function of what it reads (and of the period, fixed
//! for a [`Scorer`]), so its outcome is memoised on the values it actually
//! read while it ran (see `view` and `memo`): most records of a batch share
//! them, and a hit costs a few hash lookups instead of a call into the
//! interpreter. The memo can be switched off ([`Scorer::set_memo`], or the
//! environment variable `CHAMDIEM_MEMO=off`) to check it against plain
//! evaluation.

mod memo;
mod record;
mod view;

pub(crate) use record::{describe_json_error, id_of, repeated_keys_message, FieldNames};

use std::sync::{Arc, Mutex};

use rhai::{CallFnOptions, Dynamic, ImmutableString, Scope};
use serde_json::Value as Json;

use crate::error::Error;
use crate::fields::{validate, FieldError, Value};
use crate::pack::{PackInner, Rule};
use crate::result::{RecordFacts, ScoreResult, Status};
use crate::script::{self, Award, Share};
use crate::{Pack, Period, Points};
use memo::Memo;
pub(crate) use view::register as register_views;
pub(crate) use view::register_getters;
pub(crate) use view::Scores;
use view::{Keys, RecordView, ScoresView, Trace};

/// Scores records against one pack for one evaluation period.
///
/// A `Scorer` keeps the memo of every rule; make one per thread (it is
/// `Send`) and reuse it for many records. [`Batch`](crate::Batch) does this for you.
pub struct Scorer {
    pack: Pack,
    period: Period,
    rules: Evaluator,
    unknown: record::UnknownKeys,
    /// This scorer's own copy of the pack's layout, which every result
    /// holds: a shared one would be an atomic write per result to a cache
    /// line all worker threads share.
    layout: Arc<crate::pack::Layout>,
}

/// How the message of a record that the pack (not the data) failed on begins.
pub(crate) const PACK_FAILED: &str = "lỗi bộ quy tắc";

/// What a rule evaluated to.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Bool(bool),
    Award(Points, Reason),
}

/// A criterion's reason, with its JSON form made once (it is memoised with
/// the outcome, so a reason shared by many records is escaped once).
#[derive(Clone, Debug)]
pub(crate) struct Reason {
    pub text: ImmutableString,
    pub json: ImmutableString,
    /// The share the rule awarded, before it was scaled to the criterion's
    /// points: what `sensitivity` rescales to perturbed points.
    pub share: Share,
}

/// The id of a record given as JSON text, if it has one.
fn id_in_text(text: &str) -> Option<String> {
    serde_json::from_str::<Json>(text)
        .ok()
        .and_then(|v| record::id_of(v.get("id")))
}

/// Which memo a rule uses.
#[derive(Clone, Copy)]
pub(crate) enum RuleKind {
    Applies,
    Criterion(usize),
    Gate(usize),
    Band(usize),
}

/// Whether `CHAMDIEM_MEMO` asks for the memo to be off.
fn memo_wanted() -> bool {
    !matches!(
        std::env::var("CHAMDIEM_MEMO").as_deref(),
        Ok("off" | "0" | "false" | "no")
    )
}

impl Scorer {
    /// A scorer for `pack` over `period`; fails when the pack is not in
    /// force during the period.
    pub fn new(pack: &Pack, period: Period) -> Result<Self, Error> {
        pack.ensure_in_force(&period)?;
        let inner = &pack.inner;
        let rules = 1 + inner.criteria.len() + inner.gates.len() + inner.bands.len();
        Ok(Scorer {
            pack: pack.clone(),
            period,
            rules: Evaluator {
                memos: (0..rules).map(|_| Memo::default()).collect(),
                memo_on: memo_wanted(),
                scope: Scope::new(),
            },
            unknown: record::UnknownKeys::default(),
            layout: Arc::new((*inner.layout).clone()),
        })
    }

    /// Turns the memo on (the default) or off. Off, every rule runs for
    /// every record: slower, and the same results (that is tested).
    pub fn set_memo(&mut self, on: bool) {
        self.rules.memo_on = on;
    }

    /// Whether the memo is on.
    pub fn memo(&self) -> bool {
        self.rules.memo_on
    }

    /// For each rule (`applies`, criteria, gates, band conditions): its name,
    /// how many evaluations its memo answered, and how many ran the script.
    pub fn memo_stats(&self) -> Vec<(String, u64, u64)> {
        let inner = &self.pack.inner;
        let names = std::iter::once("applies".to_string())
            .chain(inner.criteria.iter().map(|c| c.id.clone()))
            .chain(inner.gates.iter().map(|g| g.id.clone()))
            .chain(inner.bands.iter().map(|b| format!("band {}", b.code)));
        names
            .zip(&self.rules.memos)
            .map(|(name, m)| (name, m.hits, m.misses))
            .collect()
    }

    /// How many stored paths disagreed with a new evaluation, over all memos.
    /// Always 0 for a deterministic pack; tests assert it.
    pub fn memo_conflicts(&self) -> u64 {
        self.rules.memos.iter().map(|m| m.conflicts).sum()
    }

    /// Keys of the records scored so far that the pack does not declare (and
    /// so ignored), noted once each, at most 50: a misspelt optional field
    /// shows up here.
    pub fn unknown_fields(&self) -> impl Iterator<Item = &str> {
        self.unknown.0.iter().map(String::as_str)
    }

    /// The pack.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// The evaluation period.
    pub fn period(&self) -> Period {
        self.period
    }

    /// Scores one record given as a JSON object.
    ///
    /// A bad record is `Ok` with status `error` and every problem named; `Err`
    /// means the *pack* failed on this record (a script error or a limit).
    pub fn score(&mut self, record: &Json) -> Result<ScoreResult, Error> {
        let Some(object) = record.as_object() else {
            return Ok(self.not_an_object(record));
        };
        let inner = &self.pack.inner;
        for key in object
            .keys()
            .filter(|k| !inner.field_index.contains_key(k.as_str()))
        {
            self.unknown.note(key);
        }
        let slots: Vec<Option<&Json>> = inner.fields.iter().map(|f| object.get(&f.name)).collect();
        self.score_slots(&slots)
    }

    /// Scores one line of JSON Lines. A line that is not a JSON object gives
    /// an `error` result naming the problem.
    pub fn score_json_line(&mut self, line: &str) -> Result<ScoreResult, Error> {
        let inner = &self.pack.inner;
        match record::parse_line(line, inner.field_names(), &mut self.unknown) {
            Ok(slots) => {
                let slots: Vec<Option<&Json>> = slots.iter().map(Option::as_ref).collect();
                self.score_slots(&slots)
            }
            Err(problem) => Ok(self.unreadable(problem.id, problem.message)),
        }
    }

    /// Scores one record read from any serde deserializer (a Python dict
    /// through `pythonize`, a JavaScript object through `serde-wasm-bindgen`,
    /// a JSON string through `serde_json`), without building JSON text first.
    ///
    /// Never fails: a value that is not a record, or a record the pack fails
    /// on, gives an `error` result with its code, like every other record.
    pub fn score_from<'de, D: serde::Deserializer<'de>>(&mut self, deserializer: D) -> ScoreResult {
        let inner = Arc::clone(&self.pack.inner);
        match record::parse_any(deserializer, inner.field_names(), &mut self.unknown) {
            Ok(slots) => {
                let slots: Vec<Option<&Json>> = slots.iter().map(Option::as_ref).collect();
                match self.score_slots(&slots) {
                    Ok(result) => result,
                    Err(error) => {
                        let id = inner
                            .field_index
                            .get("id")
                            .and_then(|&i| record::id_of(slots[i]));
                        self.pack_failed(id, &error)
                    }
                }
            }
            Err(problem) => self.unreadable(problem.id, problem.message),
        }
    }

    /// Scores one input, turning a failure of the pack into an `error`
    /// result, so that every input gets exactly one result.
    pub fn score_input(&mut self, input: &crate::RecordInput) -> ScoreResult {
        let outcome = match input {
            crate::RecordInput::Json(value) => self.score(value),
            crate::RecordInput::JsonLine(line) => return self.score_json_text(line),
            crate::RecordInput::Unreadable { id, message } => {
                Ok(self.unreadable(id.clone(), message.clone()))
            }
        };
        outcome.unwrap_or_else(|error| self.failed(input, &error))
    }

    /// Scores one record given as JSON text (a line of JSON Lines, an
    /// element of a JSON array), turning a failure of the pack into an
    /// `error` result: [`score_input`](Self::score_input) of a `JsonLine`,
    /// without owning the text.
    pub fn score_json_text(&mut self, text: &str) -> ScoreResult {
        self.score_json_line(text)
            .unwrap_or_else(|error| self.pack_failed(id_in_text(text), &error))
    }

    /// The `error` result of an input the pack failed on.
    pub(crate) fn failed(&self, input: &crate::RecordInput, error: &Error) -> ScoreResult {
        let id = match input {
            crate::RecordInput::Json(value) => record::id_of(value.get("id")),
            crate::RecordInput::JsonLine(line) => id_in_text(line),
            crate::RecordInput::Unreadable { id, .. } => id.clone(),
        };
        self.pack_failed(id, error)
    }

    /// The result of a record the pack failed on: the record is not at fault,
    /// and the error's code says so (`rule.runtime`, `limit.operations`, …).
    pub(crate) fn pack_failed(&self, id: Option<String>, error: &Error) -> ScoreResult {
        let code = error.code();
        ScoreResult::unscored(
            Arc::clone(&self.layout),
            id,
            Status::Error,
            vec![FieldError::record_with_code(
                code,
                format!("{PACK_FAILED}: {error}"),
            )],
        )
        .with_facts(self.period, RecordFacts::default())
    }

    fn not_an_object(&self, record: &Json) -> ScoreResult {
        let kind = match record {
            Json::Array(_) => "một mảng",
            Json::String(_) => "một chuỗi",
            Json::Number(_) => "một số",
            Json::Bool(_) => "một giá trị đúng/sai",
            _ => "null",
        };
        self.unreadable(
            None,
            format!("bản ghi phải là một đối tượng JSON, nhận {kind}"),
        )
    }

    fn unreadable(&self, id: Option<String>, message: String) -> ScoreResult {
        ScoreResult::unscored(
            Arc::clone(&self.layout),
            id,
            Status::Error,
            vec![FieldError::record(message)],
        )
        .with_facts(self.period, RecordFacts::default())
    }

    /// Evaluates one rule for one record, through its memo.
    pub(crate) fn evaluate(
        &mut self,
        kind: RuleKind,
        rule: &Rule,
        values: &Arc<[Value]>,
        scores: Option<&Scores>,
    ) -> Result<Outcome, Error> {
        let inner = &self.pack.inner;
        self.rules
            .evaluate(inner, self.period, kind, rule, values, scores)
    }

    pub(crate) fn score_slots(&mut self, slots: &[Option<&Json>]) -> Result<ScoreResult, Error> {
        // Borrowed, not cloned (see `layout`); the evaluator is a separate field.
        let inner = &self.pack.inner;
        let (rules, period) = (&mut self.rules, self.period);
        let layout = Arc::clone(&self.layout);
        let id = inner
            .field_index
            .get("id")
            .and_then(|&i| record::id_of(slots[i]));
        // For people reading the table: shown whatever the status.
        let name = inner
            .field_index
            .get("name")
            .and_then(|&i| slots[i]?.as_str().map(str::to_string));
        let (values, errors) = validate(&inner.fields, slots);
        let facts = RecordFacts::new(&layout, &inner.fields, slots, &values, &period);
        let values: Arc<[Value]> = values.into();

        // Applicability first: it sees the valid fields (invalid ones are `()`).
        if let Some(rule) = &inner.applies {
            match rules.evaluate(inner, period, RuleKind::Applies, rule, &values, None) {
                Ok(Outcome::Bool(false)) => {
                    let mut result =
                        ScoreResult::unscored(layout, id, Status::NotApplicable, Vec::new())
                            .with_facts(period, facts);
                    result.name = name;
                    return Ok(result);
                }
                Ok(Outcome::Bool(true)) => {}
                Ok(Outcome::Award(..)) => unreachable!("applicability is checked to be a bool"),
                Err(_) if !errors.is_empty() => {}
                Err(error) => return Err(error),
            }
        }
        if !errors.is_empty() {
            let mut result =
                ScoreResult::unscored(layout, id, Status::Error, errors).with_facts(period, facts);
            result.name = name;
            return Ok(result);
        }

        let n = inner.criteria.len();
        let mut criteria = Vec::with_capacity(n);
        let mut reasons = Vec::with_capacity(n);
        let mut groups = vec![Points::ZERO; inner.groups.len()];
        for (i, criterion) in inner.criteria.iter().enumerate() {
            let outcome = rules.evaluate(
                inner,
                period,
                RuleKind::Criterion(i),
                &criterion.rule,
                &values,
                None,
            )?;
            let Outcome::Award(points, reason) = outcome else {
                unreachable!("criteria are checked to give awards")
            };
            groups[criterion.group_index] = groups[criterion.group_index] + points;
            criteria.push(points);
            reasons.push(reason);
        }
        let mut scores = Scores::new(criteria, groups);
        let total = scores.total;

        let Classified {
            class,
            unmet,
            fired,
        } = classify(inner, &mut scores, |kind, rule, scores| {
            rules.evaluate(inner, period, kind, rule, &values, Some(scores))
        })?;

        Ok(ScoreResult {
            layout,
            id,
            name,
            status: Status::Scored,
            total: Some(total),
            class: Some(class),
            groups: scores.groups.to_vec(),
            criteria: scores.criteria.to_vec(),
            reasons,
            gates: fired,
            unmet,
            errors: Vec::new(),
            period: None,
            carried: Vec::new(),
            dates_in_period: None,
        }
        .with_facts(period, facts))
    }
}

/// A record's class from its scores: which band conditions were unmet on
/// the way down and which gates fired.
pub(crate) struct Classified {
    pub class: usize,
    pub unmet: Vec<usize>,
    pub fired: Vec<usize>,
}

/// The best band whose minimum is reached and whose condition holds, then
/// the gates, which may cap the class. `scores.band` is set to the band tried
/// (for its condition), then to the band reached (for the gates). Scoring and
/// `sensitivity` both classify through this.
pub(crate) fn classify(
    inner: &PackInner,
    scores: &mut Scores,
    mut evaluate: impl FnMut(RuleKind, &Rule, &Scores) -> Result<Outcome, Error>,
) -> Result<Classified, Error> {
    let mut band = inner.bands.len() - 1;
    let mut unmet = Vec::new();
    for (b, spec) in inner.bands.iter().enumerate() {
        if scores.total < spec.min {
            continue;
        }
        if let Some(rule) = &spec.requires {
            scores.band = b;
            match evaluate(RuleKind::Band(b), rule, scores)? {
                Outcome::Bool(true) => {}
                Outcome::Bool(false) => {
                    unmet.push(b);
                    continue;
                }
                Outcome::Award(..) => unreachable!("band conditions are checked to be bools"),
            }
        }
        band = b;
        break;
    }
    scores.band = band;
    let mut class = band;
    let mut fired = Vec::new();
    for (g, gate) in inner.gates.iter().enumerate() {
        if let Outcome::Bool(true) = evaluate(RuleKind::Gate(g), &gate.rule, scores)? {
            fired.push(g);
            class = class.max(gate.cap_index);
        }
    }
    Ok(Classified {
        class,
        unmet,
        fired,
    })
}

/// The rules' memos and the scope their calls share: apart from the pack,
/// so that scoring can borrow the pack while it evaluates.
struct Evaluator {
    /// One memo per rule: applicability, every criterion, every gate, every band.
    memos: Vec<Memo>,
    memo_on: bool,
    scope: Scope<'static>,
}

impl Evaluator {
    fn memo_index(inner: &PackInner, kind: RuleKind) -> usize {
        match kind {
            RuleKind::Applies => 0,
            RuleKind::Criterion(i) => 1 + i,
            RuleKind::Gate(i) => 1 + inner.criteria.len() + i,
            RuleKind::Band(i) => 1 + inner.criteria.len() + inner.gates.len() + i,
        }
    }

    /// Evaluates one rule for one record, through its memo.
    fn evaluate(
        &mut self,
        inner: &Arc<PackInner>,
        period: Period,
        kind: RuleKind,
        rule: &Rule,
        values: &Arc<[Value]>,
        scores: Option<&Scores>,
    ) -> Result<Outcome, Error> {
        let index = Self::memo_index(inner, kind);
        let keys = Keys {
            inner,
            period: &period,
            values,
            scores,
        };
        if self.memo_on {
            let memo = &mut self.memos[index];
            if let Some(outcome) = memo.get(|step| keys.key(step)) {
                let outcome = outcome.clone();
                memo.hits += 1;
                return Ok(outcome);
            }
            memo.misses += 1;
        }
        let trace = Arc::new(Mutex::new(Trace::default()));
        let record = RecordView {
            inner: Arc::clone(inner),
            values: Arc::clone(values),
            period,
            trace: Arc::clone(&trace),
        };
        let scores_view = scores.map(|s| ScoresView {
            inner: Arc::clone(inner),
            scores: s.clone(),
            trace: Arc::clone(&trace),
        });
        let scope = &mut self.scope;
        // Deep stack: dropping what a script built may recurse deep (see `SCRIPT_STACK_SIZE`).
        let outcome =
            script::with_deep_stack(|| call(inner, scope, period, rule, record, scores_view))?;
        if self.memo_on {
            let trace = trace.lock().unwrap_or_else(|p| p.into_inner());
            self.memos[index].insert(trace.steps(), |step| keys.key(step), outcome.clone());
        }
        Ok(outcome)
    }
}

/// Calls the rule's script function with fresh arguments: its frozen
/// captured values (copied), the record view, a copy of the period, and the
/// scores view. Nothing one call does can reach another.
fn call(
    inner: &PackInner,
    scope: &mut Scope<'static>,
    period: Period,
    rule: &Rule,
    record: RecordView,
    scores: Option<ScoresView>,
) -> Result<Outcome, Error> {
    let mut args: Vec<Dynamic> = rule.curry.clone();
    args.push(Dynamic::from(record));
    if rule.arity >= 2 {
        args.push(Dynamic::from(period));
    }
    if rule.arity >= 3 {
        args.push(scores.map_or(Dynamic::UNIT, Dynamic::from));
    }
    let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
    let value = inner
        .engine
        .call_fn_with_options::<Dynamic>(options, scope, &inner.ast, &rule.fn_name, args)
        .map_err(|e| script::eval_error(&e, &rule.location, &rule.context, &inner.limits))?;
    let wrong = |expected: &str| Error::Script {
        location: rule.location.clone(),
        context: rule.context.clone(),
        message: format!("phải trả về {expected}, nhận {}", value.type_name()),
    };
    let Some(max) = rule.award_max else {
        return value
            .as_bool()
            .map(Outcome::Bool)
            .map_err(|_| wrong("true/false"));
    };
    let award = value
        .clone()
        .try_cast::<Award>()
        .ok_or_else(|| wrong("pass(…), fail(…), part(…) hoặc points(…)"))?;
    let points = match award.share {
        Share::Ratio(num, den) => max.scaled(num, den).unwrap_or(Points::ZERO),
        Share::Points(points) if points >= Points::ZERO && points <= max => points,
        Share::Points(points) => {
            return Err(Error::Script {
                location: rule.location.clone(),
                context: rule.context.clone(),
                message: format!("cho {points} điểm, ngoài khoảng 0…{max}"),
            })
        }
    };
    let json = serde_json::to_string(award.reason.as_str()).expect("a string serializes");
    Ok(Outcome::Award(
        points,
        Reason {
            // A copy of its own: a literal reason is the script's string,
            // which every thread shares, and the memo clones it per hit.
            text: award.reason.as_str().into(),
            json: json.into(),
            share: award.share,
        },
    ))
}
