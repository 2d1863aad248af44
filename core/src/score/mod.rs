//! Scoring one record: validation, applicability, criteria, rounding, groups,
//! total, band, gates, class.
//!
//! Every rule is a pure function of the fields it reads (and of the period,
//! fixed for a [`Scorer`]), so its outcome is memoised on those values: most
//! records of a batch share them, and a hit costs a hash instead of a call
//! into the interpreter.

mod memo;
mod record;

pub(crate) use record::{describe_json_error, id_of, repeated_keys_message};

use std::sync::Arc;

use rhai::{CallFnOptions, Dynamic, ImmutableString, Scope};
use serde_json::Value as Json;

use crate::error::Error;
use crate::fields::{validate, FieldError, Value};
use crate::pack::{PackInner, Rule};
use crate::result::{RecordFacts, ScoreResult, Status};
use crate::script::{self, Award, Share};
use crate::{Pack, Period, Points};
use memo::Memo;

/// Scores records against one pack for one evaluation period.
///
/// A `Scorer` keeps the memo of every rule; make one per thread (it is
/// `Send`) and reuse it for many records. [`Batch`](crate::Batch) does this for you.
pub struct Scorer {
    pack: Pack,
    period: Period,
    period_value: Dynamic,
    /// One memo per rule: applicability, then every criterion, then every gate.
    memos: Vec<Memo>,
    scope: Scope<'static>,
    unknown: record::UnknownKeys,
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
}

/// The scores a gate may read (its third parameter, `s`).
struct Scores<'a> {
    inner: &'a PackInner,
    total: Points,
    groups: &'a [Points],
    criteria: &'a [Points],
    band: usize,
}

impl Scores<'_> {
    fn key(&self, rule: &Rule) -> Vec<i64> {
        let reads = rule.score_reads;
        let mut key = Vec::new();
        if let Some(share) = reads.any_below {
            let below = self
                .groups
                .iter()
                .zip(&self.inner.groups)
                .any(|(got, group)| got.as_f64() < share * group.max.as_f64());
            key.push(below as i64);
        }
        if reads.total {
            key.push(self.total.hundredths());
        }
        if reads.groups {
            key.extend(self.groups.iter().map(|p| p.hundredths()));
        }
        if reads.criteria {
            key.extend(self.criteria.iter().map(|p| p.hundredths()));
        }
        if reads.band {
            key.push(self.band as i64);
        }
        key
    }

    fn to_dynamic(&self, reads: crate::pack::ScoreReads) -> Dynamic {
        let by_id = |ids: &mut dyn Iterator<Item = &str>,
                     points: &mut dyn Iterator<Item = Points>| {
            ids.zip(points)
                .map(|(id, p)| (id.into(), Dynamic::from(p.as_f64())))
                .collect::<rhai::Map>()
        };
        let inner = self.inner;
        let mut s = rhai::Map::new();
        s.insert("total".into(), self.total.as_f64().into());
        s.insert("band".into(), inner.bands[self.band].code.clone().into());
        // Only what the gate reads (an opaque gate has every flag set).
        if reads.groups || reads.any_below.is_some() {
            s.insert(
                "groups".into(),
                by_id(
                    &mut inner.groups.iter().map(|g| g.id.as_str()),
                    &mut self.groups.iter().copied(),
                )
                .into(),
            );
            s.insert(
                "group_max".into(),
                by_id(
                    &mut inner.groups.iter().map(|g| g.id.as_str()),
                    &mut inner.groups.iter().map(|g| g.max),
                )
                .into(),
            );
        }
        if reads.criteria {
            s.insert(
                "criteria".into(),
                by_id(
                    &mut inner.criteria.iter().map(|c| c.id.as_str()),
                    &mut self.criteria.iter().copied(),
                )
                .into(),
            );
        }
        s.into()
    }
}

impl Scorer {
    /// A scorer for `pack` over `period`; fails when the pack is not in
    /// force during the period.
    pub fn new(pack: &Pack, period: Period) -> Result<Self, Error> {
        pack.ensure_in_force(&period)?;
        let rules = 1 + pack.inner.criteria.len() + pack.inner.gates.len();
        Ok(Scorer {
            pack: pack.clone(),
            period,
            period_value: Dynamic::from(period).into_shared(),
            memos: (0..rules).map(|_| Memo::default()).collect(),
            scope: Scope::new(),
            unknown: record::UnknownKeys::default(),
        })
    }

    /// For each rule (`applies`, then criteria, then gates): its name, how
    /// many evaluations its memo answered, and how many ran the script.
    /// Opaque rules (whose reads are unknown) always run and count neither.
    pub fn memo_stats(&self) -> Vec<(String, u64, u64)> {
        let inner = &self.pack.inner;
        let names = std::iter::once("applies".to_string())
            .chain(inner.criteria.iter().map(|c| c.id.clone()))
            .chain(inner.gates.iter().map(|g| g.id.clone()));
        names
            .zip(&self.memos)
            .map(|(name, m)| (name, m.hits, m.misses))
            .collect()
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
        match record::parse_line(line, &self.pack.inner.field_index, &mut self.unknown) {
            Ok(slots) => {
                let slots: Vec<Option<&Json>> = slots.iter().map(Option::as_ref).collect();
                self.score_slots(&slots)
            }
            Err(problem) => Ok(self.unreadable(problem.id, problem.message)),
        }
    }

    /// Scores one input, turning a failure of the pack into an `error`
    /// result, so that every input gets exactly one result.
    pub fn score_input(&mut self, input: &crate::RecordInput) -> ScoreResult {
        let outcome = match input {
            crate::RecordInput::Json(value) => self.score(value),
            crate::RecordInput::JsonLine(line) => self.score_json_line(line),
            crate::RecordInput::Unreadable { id, message } => {
                Ok(self.unreadable(id.clone(), message.clone()))
            }
        };
        outcome.unwrap_or_else(|error| {
            let id = match input {
                crate::RecordInput::Json(value) => record::id_of(value.get("id")),
                crate::RecordInput::JsonLine(line) => serde_json::from_str::<Json>(line)
                    .ok()
                    .and_then(|v| record::id_of(v.get("id"))),
                crate::RecordInput::Unreadable { id, .. } => id.clone(),
            };
            self.unreadable(id, format!("{PACK_FAILED}: {error}"))
        })
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
            Arc::clone(&self.pack.inner.layout),
            id,
            Status::Error,
            vec![FieldError::record(message)],
        )
        .with_facts(self.period, RecordFacts::default())
    }

    fn score_slots(&mut self, slots: &[Option<&Json>]) -> Result<ScoreResult, Error> {
        let Scorer {
            pack,
            period,
            period_value,
            memos,
            scope,
            ..
        } = self;
        let key_period: &Period = period;
        let inner: &PackInner = &pack.inner;
        let layout = Arc::clone(&inner.layout);
        let id = inner
            .field_index
            .get("id")
            .and_then(|&i| record::id_of(slots[i]));
        // For people reading the table: shown whatever the status.
        let name = inner
            .field_index
            .get("name")
            .and_then(|&i| slots[i]?.as_str().map(str::to_string));
        let (values, errors) = validate(&inner.fields, &inner.field_read, slots);
        let facts = RecordFacts::new(&layout, &inner.fields, slots, &values, key_period);

        // Applicability first: it sees the valid fields (invalid ones are `()`).
        if let Some(rule) = &inner.applies {
            match evaluate(
                inner,
                scope,
                period_value,
                key_period,
                &mut memos[0],
                rule,
                &values,
                None,
            ) {
                Ok(Outcome::Bool(false)) => {
                    let mut result =
                        ScoreResult::unscored(layout, id, Status::NotApplicable, Vec::new())
                            .with_facts(*key_period, facts);
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
            let mut result = ScoreResult::unscored(layout, id, Status::Error, errors)
                .with_facts(*key_period, facts);
            result.name = name;
            return Ok(result);
        }

        let n = inner.criteria.len();
        let mut criteria = Vec::with_capacity(n);
        let mut reasons = Vec::with_capacity(n);
        let mut groups = vec![Points::ZERO; inner.groups.len()];
        for (i, criterion) in inner.criteria.iter().enumerate() {
            let outcome = evaluate(
                inner,
                scope,
                period_value,
                key_period,
                &mut memos[1 + i],
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
        let total: Points = criteria.iter().copied().sum();
        let band = inner
            .bands
            .iter()
            .position(|b| total >= b.min)
            .unwrap_or(inner.bands.len() - 1);

        let mut class = band;
        let mut fired = Vec::new();
        for (g, gate) in inner.gates.iter().enumerate() {
            let scores = Scores {
                inner,
                total,
                groups: &groups,
                criteria: &criteria,
                band,
            };
            let memo = &mut memos[1 + n + g];
            if let Outcome::Bool(true) = evaluate(
                inner,
                scope,
                period_value,
                key_period,
                memo,
                &gate.rule,
                &values,
                Some(&scores),
            )? {
                fired.push(g);
                class = class.max(gate.cap_index);
            }
        }

        Ok(ScoreResult {
            layout,
            id,
            name,
            status: Status::Scored,
            total: Some(total),
            class: Some(class),
            groups,
            criteria,
            reasons,
            gates: fired,
            errors: Vec::new(),
            period: None,
            carried: Vec::new(),
            dates_in_period: None,
        }
        .with_facts(*key_period, facts))
    }
}

/// Evaluates one rule for one record, through its memo.
#[allow(clippy::too_many_arguments)]
fn evaluate(
    inner: &PackInner,
    scope: &mut Scope<'static>,
    period: &Dynamic,
    key_period: &Period,
    memo: &mut Memo,
    rule: &Rule,
    values: &[Value],
    scores: Option<&Scores>,
) -> Result<Outcome, Error> {
    let extra = scores.map(|s| s.key(rule)).unwrap_or_default();
    let Some(reads) = &rule.reads else {
        return call(inner, scope, period, rule, values, scores);
    };
    let hash = memo.hash(reads, values, key_period, &extra);
    if let Some(outcome) = memo.get(hash, reads, values, key_period, &extra) {
        let outcome = outcome.clone();
        memo.hits += 1;
        return Ok(outcome);
    }
    memo.misses += 1;
    let outcome = call(inner, scope, period, rule, values, scores)?;
    memo.insert(hash, reads, values, key_period, extra, outcome.clone());
    Ok(outcome)
}

/// Calls the rule's script function.
fn call(
    inner: &PackInner,
    scope: &mut Scope<'static>,
    period: &Dynamic,
    rule: &Rule,
    values: &[Value],
    scores: Option<&Scores>,
) -> Result<Outcome, Error> {
    let mut record = rhai::Map::new();
    let mut put = |i: usize| {
        record.insert(inner.field_keys[i].clone(), values[i].to_dynamic());
    };
    match &rule.reads {
        Some(reads) => reads.iter().for_each(|&(i, _)| put(i)),
        None => (0..values.len()).for_each(&mut put),
    }
    let mut args: Vec<Dynamic> = rule.curry.iter().map(Dynamic::flatten_clone).collect();
    // Shared, so passing `r` on to helper functions copies a pointer, not the map.
    args.push(Dynamic::from(record).into_shared());
    if rule.arity >= 2 {
        args.push(period.clone());
    }
    if rule.arity >= 3 {
        args.push(scores.map_or(Dynamic::UNIT, |s| s.to_dynamic(rule.score_reads)));
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
            text: award.reason,
            json: json.into(),
        },
    ))
}
