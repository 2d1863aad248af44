//! The functions a pack's top level calls to declare itself: `pack`, `field`,
//! `group`, `criterion`, `band`, `gate`, `applies`, `deadline`, and their
//! `change_*` and `remove_*` forms, which let a pack that `extends` another
//! override only what differs.
//!
//! They fill a [`Draft`]; the loader turns the finished draft into a `Pack`.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rhai::{Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext, Position};

use crate::error::{Location, PackProblem, Refusal};
use crate::fields::{FieldSpec, FieldType};
use crate::period::parse_date;
use crate::Points;

/// A rule as declared: the function pointer and where it was declared.
#[derive(Clone, Debug)]
pub(crate) struct RuleDraft {
    pub fn_ptr: FnPtr,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub(crate) struct CriterionDraft {
    pub id: String,
    pub group: String,
    pub label: String,
    pub points: Points,
    pub rule: RuleDraft,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupDraft {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug)]
pub(crate) struct BandDraft {
    pub code: String,
    pub label: String,
    pub min: Points,
    pub location: Location,
    /// A condition besides the minimum (`requires: |r, p, s| …`), and how
    /// it reads in Vietnamese when unmet (`condition: "…"`).
    pub requires: Option<RuleDraft>,
    pub condition: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct GateDraft {
    pub id: String,
    pub label: String,
    pub cap: String,
    pub when: RuleDraft,
}

/// A reporting deadline of the pack's calendar.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Deadline {
    /// Its id (`bao_cao_nam`).
    pub id: String,
    /// What is due, in Vietnamese.
    pub label: String,
    /// Due before this month of the year.
    pub month: u32,
    /// Due before this day of that month.
    pub day: u32,
    /// Who receives it.
    pub to: String,
}

/// The pack's identity, as declared by `pack(#{ ... })`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetaDraft {
    pub id: Option<String>,
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub in_force_from: Option<NaiveDate>,
    pub in_force_until: Option<NaiveDate>,
    pub max_points: Option<Points>,
}

/// Everything declared so far, over the whole `extends` chain.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// The file whose top level is running.
    pub file: String,
    /// Whether that file has called `pack(...)`.
    pub pack_called: bool,
    pub meta: MetaDraft,
    pub fields: Vec<FieldSpec>,
    pub groups: Vec<GroupDraft>,
    pub criteria: Vec<CriterionDraft>,
    pub bands: Vec<BandDraft>,
    pub gates: Vec<GateDraft>,
    pub applies: Option<RuleDraft>,
    pub calendar: Vec<Deadline>,
}

type Fallible<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(message: impl Into<String>) -> Fallible<T> {
    fail_as(PackProblem::Invalid, message)
}

/// Refuses a declaration; the loader reports it as `Error::InvalidPack` with
/// this problem, at the script's line.
fn fail_as<T>(problem: PackProblem, message: impl Into<String>) -> Fallible<T> {
    let refusal = Refusal {
        problem,
        message: message.into(),
    };
    Err(EvalAltResult::ErrorRuntime(Dynamic::from(refusal), Position::NONE).into())
}

/// A declaration's map, read key by key; unknown keys are an error.
struct Entries {
    map: Map,
    what: String,
}

impl Entries {
    fn new(map: Map, what: String, allowed: &[&str]) -> Fallible<Self> {
        if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return fail_as(
                PackProblem::UnknownKey,
                format!(
                    "{what}: khóa không hợp lệ '{key}' (dùng: {})",
                    allowed.join(", ")
                ),
            );
        }
        Ok(Entries { map, what })
    }

    fn take(&mut self, key: &str) -> Option<Dynamic> {
        self.map.remove(key).filter(|v| !v.is_unit())
    }

    fn string(&mut self, key: &str) -> Fallible<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) if v.is_string() => Ok(Some(v.to_string())),
            // Officers write `group: 1` as often as `group: "1"`.
            Some(v) if v.is_int() => Ok(Some(v.to_string())),
            Some(v) => fail(format!(
                "{}: '{key}' phải là chuỗi, nhận {}",
                self.what,
                v.type_name()
            )),
        }
    }

    /// `value` read under `key`, or the error that the key is missing.
    fn present<T>(&self, key: &str, value: Option<T>) -> Fallible<T> {
        match value {
            Some(value) => Ok(value),
            None => fail_as(
                PackProblem::MissingKey,
                format!("{}: thiếu '{key}'", self.what),
            ),
        }
    }

    fn required_string(&mut self, key: &str) -> Fallible<String> {
        let value = self.string(key)?;
        self.present(key, value)
    }

    fn required_points(&mut self, key: &str) -> Fallible<Points> {
        let value = self.points(key)?;
        self.present(key, value)
    }

    fn required_rule(&mut self, key: &str, location: &Location) -> Fallible<RuleDraft> {
        let value = self.rule(key, location)?;
        self.present(key, value)
    }

    fn bool(&mut self, key: &str) -> Fallible<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_bool() {
                Ok(b) => Ok(Some(b)),
                Err(t) => fail(format!(
                    "{}: '{key}' phải là true/false, nhận {t}",
                    self.what
                )),
            },
        }
    }

    fn number(&mut self, key: &str) -> Fallible<Option<f64>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match (v.as_int(), v.as_float()) {
                (Ok(i), _) => Ok(Some(i as f64)),
                (_, Ok(f)) => Ok(Some(f)),
                _ => fail(format!(
                    "{}: '{key}' phải là số, nhận {}",
                    self.what,
                    v.type_name()
                )),
            },
        }
    }

    fn points(&mut self, key: &str) -> Fallible<Option<Points>> {
        match self.number(key)? {
            None => Ok(None),
            Some(x) => match Points::from_f64(x) {
                Some(p) if p >= Points::ZERO => Ok(Some(p)),
                _ => fail(format!(
                    "{}: '{key}' phải là số điểm không âm, nhận {x}",
                    self.what
                )),
            },
        }
    }

    fn date(&mut self, key: &str) -> Fallible<Option<NaiveDate>> {
        match self.string(key)? {
            None => Ok(None),
            Some(text) => match parse_date(&text) {
                Some(d) => Ok(Some(d)),
                None => fail(format!(
                    "{}: '{key}' không phải ngày hợp lệ: '{text}'",
                    self.what
                )),
            },
        }
    }

    fn strings(&mut self, key: &str) -> Fallible<Option<Vec<String>>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.try_cast::<rhai::Array>() {
                Some(items) if items.iter().all(Dynamic::is_string) => {
                    Ok(Some(items.iter().map(|i| i.to_string()).collect()))
                }
                _ => fail(format!("{}: '{key}' phải là danh sách chuỗi", self.what)),
            },
        }
    }

    fn rule(&mut self, key: &str, location: &Location) -> Fallible<Option<RuleDraft>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.try_cast::<FnPtr>() {
                Some(fn_ptr) => Ok(Some(RuleDraft {
                    fn_ptr,
                    location: location.clone(),
                })),
                None => fail(format!(
                    "{}: '{key}' phải là một hàm, ví dụ |r, p| pass(\"…\")",
                    self.what
                )),
            },
        }
    }
}

const FIELD_KEYS: &[&str] = &[
    "type",
    "label",
    "required",
    "nullable",
    "min",
    "max",
    "values",
    "at_most",
    "description",
    "carry",
];
const GROUP_KEYS: &[&str] = &["label"];
const CRITERION_KEYS: &[&str] = &["group", "label", "points", "rule"];
const BAND_KEYS: &[&str] = &["label", "min", "requires", "condition"];
const GATE_KEYS: &[&str] = &["label", "cap", "when"];
const DEADLINE_KEYS: &[&str] = &["label", "due", "to"];
const PACK_KEYS: &[&str] = &[
    "id",
    "title",
    "version",
    "description",
    "in_force_from",
    "in_force_until",
    "max_points",
];

fn apply_field(spec: &mut FieldSpec, e: &mut Entries) -> Fallible<()> {
    if let Some(ty) = e.string("type")? {
        spec.ty = match FieldType::parse(&ty) {
            Some(ty) => ty,
            None => {
                return fail(format!(
                    "{}: kiểu '{ty}' không hợp lệ (dùng: bool, int, number, string, date, list<…>)",
                    e.what
                ))
            }
        };
    }
    if let Some(label) = e.string("label")? {
        spec.label = label;
    }
    if let Some(required) = e.bool("required")? {
        spec.required = required;
    }
    if let Some(nullable) = e.bool("nullable")? {
        spec.nullable = nullable;
    }
    if let Some(min) = e.number("min")? {
        spec.min = Some(min);
    }
    if let Some(max) = e.number("max")? {
        spec.max = Some(max);
    }
    if let Some(values) = e.strings("values")? {
        spec.values = Some(values);
    }
    if let Some(other) = e.string("at_most")? {
        spec.at_most = Some(other);
    }
    if let Some(description) = e.string("description")? {
        spec.description = Some(description);
    }
    if let Some(carry) = e.bool("carry")? {
        spec.carry = carry;
    }
    if spec.carry && crate::result::RESULT_KEYS.contains(&spec.name.as_str()) {
        return fail(format!(
            "{}: trường '{}' trùng tên một khóa của kết quả ({}), không mang sang kết quả được (carry)",
            e.what,
            spec.name,
            crate::result::RESULT_KEYS.join(", ")
        ));
    }
    let item = match &spec.ty {
        FieldType::List(inner) => inner.as_ref(),
        other => other,
    };
    if (spec.min.is_some() || spec.max.is_some())
        && !matches!(item, FieldType::Int | FieldType::Number)
    {
        return fail(format!(
            "{}: min/max chỉ dùng cho trường số (int, number), trường này là {}",
            e.what, spec.ty
        ));
    }
    if spec.values.is_some() && *item != FieldType::String {
        return fail(format!(
            "{}: values chỉ dùng cho trường chuỗi (string), trường này là {}",
            e.what, spec.ty
        ));
    }
    Ok(())
}

fn parse_due(text: &str) -> Option<(u32, u32)> {
    // `05-25` (month-day) or `25/05` (day/month, as Vietnamese write it).
    if let Some((m, d)) = text.split_once('-') {
        return Some((m.trim().parse().ok()?, d.trim().parse().ok()?))
            .filter(|&(m, d)| NaiveDate::from_ymd_opt(2024, m, d).is_some());
    }
    let (d, m) = text.split_once('/')?;
    Some((m.trim().parse().ok()?, d.trim().parse().ok()?))
        .filter(|&(m, d)| NaiveDate::from_ymd_opt(2024, m, d).is_some())
}

/// Finds the entry with `id` or says which ids exist.
fn find<'a, T>(
    items: &'a mut [T],
    id: &str,
    key: impl Fn(&T) -> &str,
    what: &str,
) -> Fallible<&'a mut T> {
    let known: Vec<String> = items.iter().map(|i| key(i).to_string()).collect();
    match items.iter_mut().find(|i| key(i) == id) {
        Some(item) => Ok(item),
        None => fail_as(
            PackProblem::UnknownId,
            format!("không có {what} '{id}' (hiện có: {})", known.join(", ")),
        ),
    }
}

fn remove<T>(items: &mut Vec<T>, id: &str, key: impl Fn(&T) -> &str, what: &str) -> Fallible<()> {
    match items.iter().position(|i| key(i) == id) {
        Some(i) => {
            items.remove(i);
            Ok(())
        }
        None => fail_as(
            PackProblem::UnknownId,
            format!("không có {what} '{id}' để xóa"),
        ),
    }
}

fn exists<T>(
    items: &[T],
    id: &str,
    key: impl Fn(&T) -> &str,
    what: &str,
    change: &str,
) -> Fallible<()> {
    if items.iter().any(|i| key(i) == id) {
        return fail_as(
            PackProblem::DuplicateId,
            format!("{what} '{id}' đã có; để sửa, dùng {change}(\"{id}\", #{{ … }})"),
        );
    }
    Ok(())
}

/// Registers the declaration functions, writing into `draft`.
pub(crate) fn register(engine: &mut Engine, draft: &Arc<Mutex<Draft>>) {
    macro_rules! with_draft {
        ($name:literal, |$d:ident, $loc:ident $(, $arg:ident : $ty:ty)*| $body:block) => {{
            let shared = Arc::clone(draft);
            engine.register_fn($name, move |ctx: NativeCallContext $(, $arg: $ty)*| -> Fallible<()> {
                let mut guard = shared.lock().expect("draft lock");
                let $d: &mut Draft = &mut guard;
                let $loc = Location::new($d.file.clone(), ctx.call_position());
                let _ = &$loc;
                $body
            });
        }};
    }

    // `extends` is read before the file runs (see the loader); here it only
    // has to exist so the statement runs.
    engine.register_fn("extends", |_: &str| ());

    with_draft!("pack", |d, loc, map: Map| {
        let mut e = Entries::new(map, "pack".into(), PACK_KEYS)?;
        let meta = &mut d.meta;
        meta.id = Some(e.required_string("id")?);
        meta.title = Some(e.required_string("title")?);
        meta.version = Some(e.required_string("version")?);
        // What a child does not restate, it inherits.
        if let Some(v) = e.string("description")? {
            meta.description = Some(v);
        }
        if let Some(v) = e.date("in_force_from")? {
            meta.in_force_from = Some(v);
        }
        if let Some(v) = e.date("in_force_until")? {
            meta.in_force_until = Some(v);
        }
        if let Some(v) = e.points("max_points")? {
            meta.max_points = Some(v);
        }
        d.pack_called = true;
        Ok(())
    });

    with_draft!("field", |d, loc, name: &str, map: Map| {
        exists(&d.fields, name, |f| &f.name, "trường", "change_field")?;
        let mut e = Entries::new(map, format!("field(\"{name}\")"), FIELD_KEYS)?;
        let mut spec = FieldSpec {
            name: name.to_string(),
            ty: FieldType::Bool,
            label: name.to_string(),
            required: true,
            nullable: false,
            min: None,
            max: None,
            values: None,
            at_most: None,
            description: None,
            // Identifying fields go into every result unless the pack says otherwise.
            carry: matches!(name, "name" | "unit" | "province"),
        };
        if !e.map.contains_key("type") {
            return fail_as(
                PackProblem::MissingKey,
                format!("field(\"{name}\"): thiếu 'type'"),
            );
        }
        apply_field(&mut spec, &mut e)?;
        d.fields.push(spec);
        Ok(())
    });
    with_draft!("change_field", |d, loc, name: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_field(\"{name}\")"), FIELD_KEYS)?;
        apply_field(find(&mut d.fields, name, |f| &f.name, "trường")?, &mut e)
    });
    with_draft!("remove_field", |d, loc, name: &str| {
        remove(&mut d.fields, name, |f| &f.name, "trường")
    });

    with_draft!("group", |d, loc, id: &str, map: Map| {
        exists(&d.groups, id, |g| &g.id, "nhóm", "change_group")?;
        let mut e = Entries::new(map, format!("group(\"{id}\")"), GROUP_KEYS)?;
        let label = e.required_string("label")?;
        d.groups.push(GroupDraft {
            id: id.to_string(),
            label,
        });
        Ok(())
    });
    with_draft!("change_group", |d, loc, id: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_group(\"{id}\")"), GROUP_KEYS)?;
        let group = find(&mut d.groups, id, |g| &g.id, "nhóm")?;
        if let Some(label) = e.string("label")? {
            group.label = label;
        }
        Ok(())
    });
    with_draft!("remove_group", |d, loc, id: &str| {
        remove(&mut d.groups, id, |g| &g.id, "nhóm")?;
        d.criteria.retain(|c| c.group != id);
        Ok(())
    });

    with_draft!("criterion", |d, loc, id: &str, map: Map| {
        exists(&d.criteria, id, |c| &c.id, "tiêu chí", "change_criterion")?;
        let mut e = Entries::new(map, format!("criterion(\"{id}\")"), CRITERION_KEYS)?;
        let group = e.required_string("group")?;
        let label = e.required_string("label")?;
        let points = e.required_points("points")?;
        let rule = e.required_rule("rule", &loc)?;
        d.criteria.push(CriterionDraft {
            id: id.to_string(),
            group,
            label,
            points,
            rule,
        });
        Ok(())
    });
    with_draft!("change_criterion", |d, loc, id: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_criterion(\"{id}\")"), CRITERION_KEYS)?;
        let criterion = find(&mut d.criteria, id, |c| &c.id, "tiêu chí")?;
        if let Some(group) = e.string("group")? {
            criterion.group = group;
        }
        if let Some(label) = e.string("label")? {
            criterion.label = label;
        }
        if let Some(points) = e.points("points")? {
            criterion.points = points;
        }
        if let Some(rule) = e.rule("rule", &loc)? {
            criterion.rule = rule;
        }
        Ok(())
    });
    with_draft!("remove_criterion", |d, loc, id: &str| {
        remove(&mut d.criteria, id, |c| &c.id, "tiêu chí")
    });

    with_draft!("band", |d, loc, code: &str, map: Map| {
        exists(&d.bands, code, |b| &b.code, "mức xếp loại", "change_band")?;
        let mut e = Entries::new(map, format!("band(\"{code}\")"), BAND_KEYS)?;
        let label = e.required_string("label")?;
        let min = e.required_points("min")?;
        let requires = e.rule("requires", &loc)?;
        let condition = e.string("condition")?;
        d.bands.push(BandDraft {
            code: code.to_string(),
            label,
            min,
            location: loc,
            requires,
            condition,
        });
        Ok(())
    });
    with_draft!("change_band", |d, loc, code: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_band(\"{code}\")"), BAND_KEYS)?;
        let band = find(&mut d.bands, code, |b| &b.code, "mức xếp loại")?;
        if let Some(label) = e.string("label")? {
            band.label = label;
        }
        if let Some(min) = e.points("min")? {
            band.min = min;
            band.location = loc.clone();
        }
        if let Some(requires) = e.rule("requires", &loc)? {
            band.requires = Some(requires);
        }
        if let Some(condition) = e.string("condition")? {
            band.condition = Some(condition);
        }
        Ok(())
    });
    with_draft!("remove_band", |d, loc, code: &str| {
        remove(&mut d.bands, code, |b| &b.code, "mức xếp loại")
    });

    with_draft!("gate", |d, loc, id: &str, map: Map| {
        exists(&d.gates, id, |g| &g.id, "điều kiện", "change_gate")?;
        let mut e = Entries::new(map, format!("gate(\"{id}\")"), GATE_KEYS)?;
        let label = e.required_string("label")?;
        let cap = e.required_string("cap")?;
        let when = e.required_rule("when", &loc)?;
        d.gates.push(GateDraft {
            id: id.to_string(),
            label,
            cap,
            when,
        });
        Ok(())
    });
    with_draft!("change_gate", |d, loc, id: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_gate(\"{id}\")"), GATE_KEYS)?;
        let gate = find(&mut d.gates, id, |g| &g.id, "điều kiện")?;
        if let Some(label) = e.string("label")? {
            gate.label = label;
        }
        if let Some(cap) = e.string("cap")? {
            gate.cap = cap;
        }
        if let Some(when) = e.rule("when", &loc)? {
            gate.when = when;
        }
        Ok(())
    });
    with_draft!("remove_gate", |d, loc, id: &str| {
        remove(&mut d.gates, id, |g| &g.id, "điều kiện")
    });

    with_draft!("applies", |d, loc, rule: FnPtr| {
        d.applies = Some(RuleDraft {
            fn_ptr: rule,
            location: loc,
        });
        Ok(())
    });

    with_draft!("deadline", |d, loc, id: &str, map: Map| {
        exists(&d.calendar, id, |x| &x.id, "hạn báo cáo", "change_deadline")?;
        let mut e = Entries::new(map, format!("deadline(\"{id}\")"), DEADLINE_KEYS)?;
        let label = e.required_string("label")?;
        let due = e.required_string("due")?;
        let to = e.string("to")?.unwrap_or_default();
        let Some((month, day)) = parse_due(&due) else {
            return fail(format!(
                "deadline(\"{id}\"): 'due' phải dạng \"MM-DD\" hoặc \"DD/MM\", nhận '{due}'"
            ));
        };
        d.calendar.push(Deadline {
            id: id.to_string(),
            label,
            month,
            day,
            to,
        });
        Ok(())
    });
    with_draft!("change_deadline", |d, loc, id: &str, map: Map| {
        let mut e = Entries::new(map, format!("change_deadline(\"{id}\")"), DEADLINE_KEYS)?;
        let deadline = find(&mut d.calendar, id, |x| &x.id, "hạn báo cáo")?;
        if let Some(label) = e.string("label")? {
            deadline.label = label;
        }
        if let Some(to) = e.string("to")? {
            deadline.to = to;
        }
        if let Some(due) = e.string("due")? {
            let Some((month, day)) = parse_due(&due) else {
                return fail(format!(
                    "change_deadline(\"{id}\"): 'due' không hợp lệ: '{due}'"
                ));
            };
            deadline.month = month;
            deadline.day = day;
        }
        Ok(())
    });
    with_draft!("remove_deadline", |d, loc, id: &str| {
        remove(&mut d.calendar, id, |x| &x.id, "hạn báo cáo")
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_parse_both_ways() {
        assert_eq!(parse_due("05-25"), Some((5, 25)));
        assert_eq!(parse_due("05/11"), Some((11, 5)));
        assert_eq!(parse_due("02-30"), None);
    }
}
