//! What a rule sees of a record (`r`) and of the scores (`s`): read-only
//! views that note every slot the rule reads, in the order it reads them.
//!
//! The memo keys a rule's outcome on exactly that trace, so it is sound by
//! construction: a rule is a pure function of what it read (records and
//! scores are read-only, the period is a fresh copy per call, captured values
//! are copied per call, and scripts see no clock, files or randomness). A
//! record that gives the same values to the same reads takes the same path
//! through the rule and gets the same outcome.
//!
//! Two kinds of value are handed out unread: a list of dates (a `DateList`)
//! and a map of group or criterion points (a `ScoreMap`). Whatever a rule does
//! with one notes a raw read first, except the engine's own projection of it
//! (`p.count_dates(list)`, `any_below(s.groups, s.group_max, share)`), which
//! notes only its answer. Records whose dates differ but give the same count
//! then share one evaluation. The meaning of each projection is written once,
//! in [`Read`]'s functions, which both the native call and the memo key use.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rhai::{Dynamic, Engine, EvalAltResult, Position, FLOAT, INT};

use crate::fields::{FieldType, Value};
use crate::pack::PackInner;
use crate::script::Date;
use crate::{Period, Points};

/// A slot a rule can read: a field by index, or a part of the scores.
pub(crate) type Slot = u32;

/// Score slots come after the fields: `fields.len() + SCORE_*`.
pub(crate) const SCORE_TOTAL: Slot = 0;
pub(crate) const SCORE_BAND: Slot = 1;
pub(crate) const SCORE_GROUPS: Slot = 2;
pub(crate) const SCORE_CRITERIA: Slot = 3;

/// How a slot was read: its value itself, or only an engine function's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Read {
    /// The value itself.
    Raw,
    /// `p.count_dates(list)`: how many distinct dates of the list lie in the period.
    CountDates,
    /// `any_below(s.groups, s.group_max, share)`: whether some group has less
    /// than `share` of its maximum (`share` as the bits of an `f64`).
    AnyBelow(u64),
}

impl Read {
    /// `p.count_dates(list)`, for a list field's value.
    pub fn count_dates(value: &Value, period: &Period) -> INT {
        let Value::List(items) = value else { return 0 };
        let dates = items.iter().filter_map(|d| match d {
            Value::Date(d) => Some(*d),
            _ => None,
        });
        period.count_distinct(dates) as INT
    }

    /// `any_below(s.groups, s.group_max, share)`.
    pub fn any_below(points: &[Points], inner: &PackInner, share: f64) -> bool {
        points
            .iter()
            .zip(&inner.groups)
            .any(|(got, group)| got.as_f64() < share * group.max.as_f64())
    }
}

/// One step of a trace: which slot, read how.
pub(crate) type Step = (Slot, Read);

/// The steps one evaluation took, first first, each once.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    order: Vec<Step>,
}

impl Trace {
    fn note(&mut self, step: Step) {
        if !self.order.contains(&step) {
            self.order.push(step);
        }
    }

    pub fn steps(&self) -> &[Step] {
        &self.order
    }
}

pub(crate) type SharedTrace = Arc<Mutex<Trace>>;

fn note(trace: &SharedTrace, step: Step) {
    // A poisoned lock only means another read panicked; the trace is still usable.
    trace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .note(step);
}

fn runtime_error(message: String) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into(), Position::NONE).into()
}

/// The record as a rule sees it (`r`): its validated values, read-only.
#[derive(Clone)]
pub(crate) struct RecordView {
    pub inner: Arc<PackInner>,
    pub values: Arc<[Value]>,
    /// The scorer's period: what the memo keys `count_dates` answers on.
    pub period: Period,
    pub trace: SharedTrace,
}

impl RecordView {
    fn read(&mut self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let Some(&i) = self.inner.field_index.get(key) else {
            return Err(runtime_error(format!(
                "trường '{key}' chưa được khai báo bằng field(…)"
            )));
        };
        Ok(self.read_slot(i))
    }

    /// The value of the field in slot `i`, noting the read.
    fn read_slot(&mut self, i: usize) -> Dynamic {
        let is_date_list = matches!(&self.inner.fields[i].ty,
            FieldType::List(inner) if **inner == FieldType::Date);
        if is_date_list && matches!(self.values[i], Value::List(_)) {
            // Not read yet: whatever uses it says how.
            return Dynamic::from(DateList {
                values: Arc::clone(&self.values),
                period: self.period,
                slot: i as Slot,
                trace: Arc::clone(&self.trace),
            });
        }
        note(&self.trace, (i as Slot, Read::Raw));
        self.values[i].to_dynamic()
    }

    /// Everything: the rule depends on every field.
    fn read_all(&mut self) -> rhai::Map {
        (0..self.values.len())
            .map(|i| {
                note(&self.trace, (i as Slot, Read::Raw));
                (
                    self.inner.field_keys[i].clone(),
                    self.values[i].to_dynamic(),
                )
            })
            .collect()
    }
}

/// A list of dates from the record, not yet read.
#[derive(Clone)]
pub(crate) struct DateList {
    values: Arc<[Value]>,
    period: Period,
    slot: Slot,
    trace: SharedTrace,
}

impl DateList {
    /// The dates, noting that the rule read them all.
    fn read(&self) -> Vec<NaiveDate> {
        note(&self.trace, (self.slot, Read::Raw));
        match &self.values[self.slot as usize] {
            Value::List(items) => items
                .iter()
                .filter_map(|d| match d {
                    Value::Date(d) => Some(*d),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn array(&self) -> rhai::Array {
        self.read()
            .into_iter()
            .map(|d| Dynamic::from(Date(d)))
            .collect()
    }
}

impl IntoIterator for DateList {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.array().into_iter()
    }
}

/// The scores of one record so far: what gates and band conditions read.
#[derive(Clone)]
pub(crate) struct Scores {
    pub total: Points,
    /// The band reached (for a band condition: the band being tried).
    pub band: usize,
    pub groups: Arc<[Points]>,
    pub criteria: Arc<[Points]>,
}

impl Scores {
    /// The scores of criteria and groups, their total, before any band.
    pub fn new(criteria: Vec<Points>, groups: Vec<Points>) -> Self {
        Scores {
            total: criteria.iter().copied().sum(),
            band: 0,
            groups: groups.into(),
            criteria: criteria.into(),
        }
    }
}

/// The scores as a gate or a band condition sees them (`s`).
#[derive(Clone)]
pub(crate) struct ScoresView {
    pub inner: Arc<PackInner>,
    pub scores: Scores,
    pub trace: SharedTrace,
}

/// Which points a [`ScoreMap`] holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MapKind {
    Groups,
    Criteria,
    /// The groups' maxima: the pack's, the same for every record.
    GroupMax,
}

/// `s.groups`, `s.criteria` or `s.group_max`, not yet read.
#[derive(Clone)]
pub(crate) struct ScoreMap {
    inner: Arc<PackInner>,
    kind: MapKind,
    points: Arc<[Points]>,
    slot: Slot,
    trace: SharedTrace,
}

impl ScoreMap {
    fn ids(&self) -> Vec<&str> {
        match self.kind {
            MapKind::Criteria => self.inner.criteria.iter().map(|c| c.id.as_str()).collect(),
            _ => self.inner.groups.iter().map(|g| g.id.as_str()).collect(),
        }
    }

    /// The points by id, noting the read (the maxima are constants).
    fn read(&self) -> rhai::Map {
        if self.kind != MapKind::GroupMax {
            note(&self.trace, (self.slot, Read::Raw));
        }
        self.ids()
            .into_iter()
            .zip(self.points.iter())
            .map(|(id, p)| (id.into(), Dynamic::from(p.as_f64())))
            .collect()
    }
}

impl ScoresView {
    fn slot(&self, part: Slot) -> Slot {
        self.inner.fields.len() as Slot + part
    }

    fn map(&self, kind: MapKind) -> Dynamic {
        let (points, part): (Arc<[Points]>, Slot) = match kind {
            MapKind::Groups => (Arc::clone(&self.scores.groups), SCORE_GROUPS),
            MapKind::Criteria => (Arc::clone(&self.scores.criteria), SCORE_CRITERIA),
            MapKind::GroupMax => (self.inner.groups.iter().map(|g| g.max).collect(), 0),
        };
        Dynamic::from(ScoreMap {
            inner: Arc::clone(&self.inner),
            kind,
            points,
            slot: self.slot(part),
            trace: Arc::clone(&self.trace),
        })
    }

    fn read(&mut self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        Ok(match key {
            "total" => {
                note(&self.trace, (self.slot(SCORE_TOTAL), Read::Raw));
                self.scores.total.as_f64().into()
            }
            "band" => {
                note(&self.trace, (self.slot(SCORE_BAND), Read::Raw));
                self.inner.bands[self.scores.band].code.clone().into()
            }
            "groups" => self.map(MapKind::Groups),
            "criteria" => self.map(MapKind::Criteria),
            "group_max" => self.map(MapKind::GroupMax),
            other => {
                return Err(runtime_error(format!(
                    "s không có '{other}' (có: total, band, groups, group_max, criteria)"
                )))
            }
        })
    }
}

/// What the memo keys one step on, for this record, period and scores.
pub(crate) struct Keys<'a> {
    pub inner: &'a PackInner,
    pub period: &'a Period,
    pub values: &'a [Value],
    pub scores: Option<&'a Scores>,
}

impl<'a> Keys<'a> {
    pub fn key(&self, (slot, read): Step) -> Cow<'a, Value> {
        let fields = self.values.len() as Slot;
        if slot < fields {
            let value = &self.values[slot as usize];
            return match read {
                Read::CountDates => Cow::Owned(Value::Int(Read::count_dates(value, self.period))),
                _ => Cow::Borrowed(value),
            };
        }
        let Some(s) = self.scores else {
            return Cow::Owned(Value::Null);
        };
        let hundredths = |points: &[Points]| {
            Value::List(points.iter().map(|p| Value::Int(p.hundredths())).collect())
        };
        Cow::Owned(match (slot - fields, read) {
            (SCORE_GROUPS, Read::AnyBelow(bits)) => {
                Value::Bool(Read::any_below(&s.groups, self.inner, f64::from_bits(bits)))
            }
            (SCORE_TOTAL, _) => Value::Int(s.total.hundredths()),
            (SCORE_BAND, _) => Value::Int(s.band as i64),
            (SCORE_GROUPS, _) => hundredths(&s.groups),
            _ => hundredths(&s.criteria),
        })
    }
}

/// Rhai writes a value back after reading through a chain (`s.groups[id]`):
/// that is allowed, since it changes nothing. Writing a different value is
/// refused, to tell the author (the views never change either way).
fn write_back(current: Dynamic, key: &str, value: &Dynamic) -> Result<(), Box<EvalAltResult>> {
    let view = |d: &Dynamic| d.is::<DateList>() || d.is::<ScoreMap>();
    let same = if view(&current) {
        current.type_name() == value.type_name()
    } else {
        format!("{current:?}") == format!("{value:?}")
    };
    if same {
        return Ok(());
    }
    Err(runtime_error(format!(
        "không được gán '{key}': bản ghi và điểm chỉ để đọc (hãy dùng một biến: let x = …)"
    )))
}

fn any_below_maps(
    values: rhai::Map,
    maxima: rhai::Map,
    share: FLOAT,
) -> Result<bool, Box<EvalAltResult>> {
    crate::script::any_below(values, maxima, share)
}

/// `any_below` on the scores' own maps: the projection when it is
/// `any_below(s.groups, s.group_max, share)`, a raw read otherwise.
fn any_below_views(
    values: &ScoreMap,
    maxima: &ScoreMap,
    share: FLOAT,
) -> Result<bool, Box<EvalAltResult>> {
    if values.kind == MapKind::Groups && maxima.kind == MapKind::GroupMax {
        note(
            &values.trace,
            (values.slot, Read::AnyBelow(share.to_bits())),
        );
        return Ok(Read::any_below(&values.points, &values.inner, share));
    }
    any_below_maps(values.read(), maxima.read(), share)
}

fn register_date_list(engine: &mut Engine) {
    engine
        .register_type_with_name::<DateList>("DateList")
        .register_iterator::<DateList>()
        .register_fn("count_dates", |p: &mut Period, list: DateList| {
            // Keyed on the answer only for the period the memo keys on.
            let read = if *p == list.period {
                Read::CountDates
            } else {
                Read::Raw
            };
            note(&list.trace, (list.slot, read));
            Read::count_dates(&list.values[list.slot as usize], p)
        })
        .register_fn("len", |l: &mut DateList| l.read().len() as INT)
        .register_fn("is_empty", |l: &mut DateList| l.read().is_empty())
        .register_fn("contains", |l: &mut DateList, d: Date| {
            l.read().contains(&d.0)
        })
        .register_fn("to_array", |l: &mut DateList| l.array())
        .register_fn("to_string", |l: &mut DateList| format!("{:?}", l.array()))
        .register_fn("to_debug", |l: &mut DateList| format!("{:?}", l.array()))
        .register_fn("==", |a: DateList, b: DateList| a.read() == b.read())
        .register_fn("!=", |a: DateList, b: DateList| a.read() != b.read())
        .register_fn("==", |a: DateList, b: rhai::Array| {
            format!("{:?}", a.array()) == format!("{b:?}")
        })
        .register_fn("!=", |a: DateList, b: rhai::Array| {
            format!("{:?}", a.array()) != format!("{b:?}")
        })
        .register_indexer_get(|l: &mut DateList, i: INT| {
            let dates = l.read();
            let n = dates.len() as INT;
            let at = if i < 0 { n + i } else { i };
            if at < 0 || at >= n {
                return Err(runtime_error(format!(
                    "chỉ số {i} ngoài danh sách {n} ngày"
                )));
            }
            Ok(Dynamic::from(Date(dates[at as usize])))
        });
}

fn register_score_map(engine: &mut Engine) {
    engine
        .register_type_with_name::<ScoreMap>("ScoreMap")
        .register_indexer_get(|m: &mut ScoreMap, key: &str| {
            m.read().get(key).cloned().unwrap_or(Dynamic::UNIT)
        })
        .register_indexer_set(|m: &mut ScoreMap, key: &str, value: Dynamic| {
            let current = m.read().get(key).cloned().unwrap_or(Dynamic::UNIT);
            write_back(current, key, &value)
        })
        .register_fn("keys", |m: &mut ScoreMap| {
            m.ids()
                .into_iter()
                .map(|id| Dynamic::from(id.to_string()))
                .collect::<rhai::Array>()
        })
        .register_fn("len", |m: &mut ScoreMap| m.points.len() as INT)
        .register_fn("contains", |m: &mut ScoreMap, key: &str| {
            m.ids().contains(&key)
        })
        .register_fn("values", |m: &mut ScoreMap| {
            m.read().into_values().collect::<rhai::Array>()
        })
        .register_fn("to_map", |m: &mut ScoreMap| m.read())
        .register_fn("to_string", |m: &mut ScoreMap| {
            Dynamic::from(m.read()).to_string()
        })
        .register_fn("to_debug", |m: &mut ScoreMap| {
            format!("{:?}", Dynamic::from(m.read()))
        })
        .register_fn("any_below", |v: ScoreMap, m: ScoreMap, share: FLOAT| {
            any_below_views(&v, &m, share)
        })
        .register_fn("any_below", |v: ScoreMap, m: ScoreMap, share: INT| {
            any_below_views(&v, &m, share as FLOAT)
        })
        .register_fn("any_below", |v: ScoreMap, m: rhai::Map, share: FLOAT| {
            any_below_maps(v.read(), m, share)
        })
        .register_fn("any_below", |v: rhai::Map, m: ScoreMap, share: FLOAT| {
            any_below_maps(v, m.read(), share)
        })
        .register_fn("any_below", |v: ScoreMap, m: rhai::Map, share: INT| {
            any_below_maps(v.read(), m, share as FLOAT)
        })
        .register_fn("any_below", |v: rhai::Map, m: ScoreMap, share: INT| {
            any_below_maps(v, m.read(), share as FLOAT)
        });
}

/// Registers the views on an engine.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<RecordView>("Record")
        .register_indexer_get(|r: &mut RecordView, key: &str| r.read(key))
        // Rhai gives every value a `tag` property, found before the indexer:
        // `r.tag` must be the field named `tag`, not that.
        .register_get("tag", |r: &mut RecordView| r.read("tag"))
        .register_set("tag", |_: &mut RecordView, value: Dynamic| {
            write_back(Dynamic::UNIT, "tag", &value)
        })
        .register_indexer_set(|r: &mut RecordView, key: &str, value: Dynamic| {
            // Not noted: the value was read (and noted) just before.
            let current = match r.inner.field_index.get(key) {
                Some(&i) => r.values[i].to_dynamic(),
                None => Dynamic::UNIT,
            };
            write_back(current, key, &value)
        })
        // The declared fields: the same for every record, so nothing is noted.
        .register_fn("keys", |r: &mut RecordView| {
            r.inner
                .field_keys
                .iter()
                // As Rhai strings: a bare `Identifier` would be an opaque
                // custom type that `contains`, `==` and `${…}` do not know.
                .map(|k| Dynamic::from(rhai::ImmutableString::from(k.as_str())))
                .collect::<rhai::Array>()
        })
        .register_fn("contains", |r: &mut RecordView, key: &str| {
            r.inner.field_index.contains_key(key)
        })
        .register_fn("len", |r: &mut RecordView| r.values.len() as INT)
        .register_fn("values", |r: &mut RecordView| {
            r.read_all().into_values().collect::<rhai::Array>()
        })
        .register_fn("to_map", |r: &mut RecordView| r.read_all())
        .register_fn("to_string", |r: &mut RecordView| {
            Dynamic::from(r.read_all()).to_string()
        })
        .register_fn("to_debug", |r: &mut RecordView| {
            format!("{:?}", Dynamic::from(r.read_all()))
        });
    engine
        .register_type_with_name::<ScoresView>("Scores")
        .register_indexer_get(|s: &mut ScoresView, key: &str| s.read(key))
        .register_get("tag", |s: &mut ScoresView| s.read("tag"))
        .register_indexer_set(|s: &mut ScoresView, key: &str, value: Dynamic| {
            let mut quiet = ScoresView {
                trace: SharedTrace::default(),
                ..s.clone()
            };
            let current = quiet.read(key).unwrap_or(Dynamic::UNIT);
            write_back(current, key, &value)
        });
    register_date_list(engine);
    register_score_map(engine);
}

/// Registers `r.<field>` for each declared field, and `s.<part>` for each
/// part of the scores, as property getters that do what the indexer does.
/// Without them Rhai looks for a getter first, builds a "no such property"
/// error, and only then calls the indexer: most of the cost of a read.
pub(crate) fn register_getters(engine: &mut Engine, fields: &[crate::fields::FieldSpec]) {
    for (i, field) in fields.iter().enumerate() {
        // `tag` has its own getter (see `register`).
        if field.name != "tag" {
            engine.register_get(&field.name, move |r: &mut RecordView| r.read_slot(i));
        }
    }
    for part in ["total", "band", "groups", "criteria", "group_max"] {
        engine.register_get(part, move |s: &mut ScoresView| s.read(part));
    }
}
