//! What a rule sees of a record (`r`) and of the scores (`s`): read-only
//! views that note every slot the rule reads, in the order it reads them.
//!
//! The memo keys a rule's outcome on exactly that trace, so it is sound by
//! construction: a rule is a pure function of what it read (records and
//! scores are read-only, the period is a fresh copy per call, captured values
//! are copied per call, and scripts see no clock, files or randomness). A
//! record that gives the same values to the same reads takes the same path
//! through the rule and gets the same outcome.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rhai::{Dynamic, Engine, EvalAltResult, Position, INT};

use crate::fields::Value;
use crate::pack::PackInner;
use crate::Points;

/// A slot a rule can read: a field by index, or a part of the scores.
pub(crate) type Slot = u32;

/// Score slots come after the fields: `fields.len() + SCORE_*`.
pub(crate) const SCORE_TOTAL: Slot = 0;
pub(crate) const SCORE_BAND: Slot = 1;
pub(crate) const SCORE_GROUPS: Slot = 2;
pub(crate) const SCORE_CRITERIA: Slot = 3;

/// The slots one evaluation read, first read first, each once.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    order: Vec<Slot>,
}

impl Trace {
    fn note(&mut self, slot: Slot) {
        if !self.order.contains(&slot) {
            self.order.push(slot);
        }
    }

    pub fn slots(&self) -> &[Slot] {
        &self.order
    }
}

pub(crate) type SharedTrace = Arc<Mutex<Trace>>;

fn note(trace: &SharedTrace, slot: Slot) {
    // A poisoned lock only means another read panicked; the trace is still usable.
    trace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .note(slot);
}

fn runtime_error(message: String) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into(), Position::NONE).into()
}

/// The record as a rule sees it (`r`): its validated values, read-only.
#[derive(Clone)]
pub(crate) struct RecordView {
    pub inner: Arc<PackInner>,
    pub values: Arc<[Value]>,
    pub trace: SharedTrace,
}

impl RecordView {
    fn read(&mut self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let Some(&i) = self.inner.field_index.get(key) else {
            return Err(runtime_error(format!(
                "trường '{key}' chưa được khai báo bằng field(…)"
            )));
        };
        note(&self.trace, i as Slot);
        Ok(self.values[i].to_dynamic())
    }

    /// Everything: the rule depends on every field.
    fn read_all(&mut self) -> rhai::Map {
        (0..self.values.len())
            .map(|i| {
                note(&self.trace, i as Slot);
                (
                    self.inner.field_keys[i].clone(),
                    self.values[i].to_dynamic(),
                )
            })
            .collect()
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

/// The scores as a gate or a band condition sees them (`s`).
#[derive(Clone)]
pub(crate) struct ScoresView {
    pub inner: Arc<PackInner>,
    pub scores: Scores,
    pub trace: SharedTrace,
}

impl ScoresView {
    fn slot(&self, part: Slot) -> Slot {
        self.inner.fields.len() as Slot + part
    }

    fn read(&mut self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let by_id = |ids: &mut dyn Iterator<Item = &str>, points: &[Points]| -> Dynamic {
            ids.zip(points)
                .map(|(id, p)| (id.into(), Dynamic::from(p.as_f64())))
                .collect::<rhai::Map>()
                .into()
        };
        let inner = Arc::clone(&self.inner);
        Ok(match key {
            "total" => {
                note(&self.trace, self.slot(SCORE_TOTAL));
                self.scores.total.as_f64().into()
            }
            "band" => {
                note(&self.trace, self.slot(SCORE_BAND));
                inner.bands[self.scores.band].code.clone().into()
            }
            "groups" => {
                note(&self.trace, self.slot(SCORE_GROUPS));
                by_id(
                    &mut inner.groups.iter().map(|g| g.id.as_str()),
                    &self.scores.groups,
                )
            }
            "criteria" => {
                note(&self.trace, self.slot(SCORE_CRITERIA));
                by_id(
                    &mut inner.criteria.iter().map(|c| c.id.as_str()),
                    &self.scores.criteria,
                )
            }
            // The maxima belong to the pack, not the record: nothing to note.
            "group_max" => {
                let maxima: Vec<Points> = inner.groups.iter().map(|g| g.max).collect();
                by_id(&mut inner.groups.iter().map(|g| g.id.as_str()), &maxima)
            }
            other => {
                return Err(runtime_error(format!(
                    "s không có '{other}' (có: total, band, groups, group_max, criteria)"
                )))
            }
        })
    }
}

/// The memo key's value for one slot of this record and these scores.
pub(crate) fn slot_value<'a>(
    values: &'a [Value],
    scores: Option<&Scores>,
    slot: Slot,
) -> Cow<'a, Value> {
    let fields = values.len() as Slot;
    if slot < fields {
        return Cow::Borrowed(&values[slot as usize]);
    }
    let Some(s) = scores else {
        return Cow::Owned(Value::Null);
    };
    let hundredths = |points: &[Points]| {
        Value::List(points.iter().map(|p| Value::Int(p.hundredths())).collect())
    };
    Cow::Owned(match slot - fields {
        SCORE_TOTAL => Value::Int(s.total.hundredths()),
        SCORE_BAND => Value::Int(s.band as i64),
        SCORE_GROUPS => hundredths(&s.groups),
        _ => hundredths(&s.criteria),
    })
}

/// Rhai writes a value back after reading through a chain (`s.groups[id]`):
/// that is allowed, since it changes nothing. Writing a different value is not.
fn write_back(current: Dynamic, key: &str, value: &Dynamic) -> Result<(), Box<EvalAltResult>> {
    if format!("{current:?}") == format!("{value:?}") {
        return Ok(());
    }
    Err(runtime_error(format!(
        "không được gán '{key}': bản ghi và điểm chỉ để đọc (hãy dùng một biến: let x = …)"
    )))
}

/// Registers the two views on an engine.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<RecordView>("Record")
        .register_indexer_get(|r: &mut RecordView, key: &str| r.read(key))
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
        .register_indexer_set(|s: &mut ScoresView, key: &str, value: Dynamic| {
            let mut quiet = ScoresView {
                trace: SharedTrace::default(),
                ..s.clone()
            };
            let current = quiet.read(key).unwrap_or(Dynamic::UNIT);
            write_back(current, key, &value)
        });
}
