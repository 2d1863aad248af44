//! Results out, built straight from the core's `ScoreResult`s (no JSON line
//! written and parsed again): as the CLI's JSON object (a dict per result),
//! or as table columns named as the CLI's CSV header.
//!
//! Texts repeated across results (statuses, classes, reasons, gate ids, the
//! pack) become one Python string each, shared by every cell that shows it.

use hashbrown::HashMap;

use chamdiem::{Pack, Points, ScoreResult, Status};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use serde_json::Value as Json;

/// Distinct texts kept for sharing: beyond this, new texts are not kept.
const SHARED_TEXTS: usize = 4096;

/// Python strings for texts that live as long as the results (keyed on
/// their address: a memoised reason is one allocation however many records
/// show it).
struct Texts<'py> {
    py: Python<'py>,
    by_address: HashMap<(usize, usize), Bound<'py, PyString>>,
    /// The last text asked for: a column asks for the same one row after row.
    last: Option<((usize, usize), Bound<'py, PyString>)>,
}

impl<'py> Texts<'py> {
    fn new(py: Python<'py>) -> Self {
        Texts {
            py,
            by_address: HashMap::new(),
            last: None,
        }
    }

    fn get(&mut self, text: &str) -> Bound<'py, PyString> {
        let key = (text.as_ptr() as usize, text.len());
        if let Some((last, s)) = &self.last {
            if *last == key {
                return s.clone();
            }
        }
        let s = match self.by_address.get(&key) {
            Some(s) => s.clone(),
            None => {
                let s = PyString::new(self.py, text);
                if self.by_address.len() < SHARED_TEXTS {
                    self.by_address.insert(key, s.clone());
                }
                s
            }
        };
        self.last = Some((key, s.clone()));
        s
    }
}

/// Points as `json.loads` reads the CLI's number: an `int` when whole.
fn points<'py>(py: Python<'py>, p: Points) -> PyResult<Bound<'py, PyAny>> {
    let f = p.as_f64();
    Ok(if f.fract() == 0.0 && f.abs() < 9e15 {
        (f as i64).into_pyobject(py)?.into_any()
    } else {
        f.into_pyobject(py)?.into_any()
    })
}

/// JSON as Python, as `json.loads` makes it.
pub fn json_to_python<'py>(py: Python<'py>, json: &Json) -> PyResult<Bound<'py, PyAny>> {
    Ok(match json {
        Json::Null => py.None().into_bound(py),
        Json::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Json::String(s) => PyString::new(py, s).into_any(),
        Json::Array(items) => PyList::new(
            py,
            items
                .iter()
                .map(|i| json_to_python(py, i))
                .collect::<PyResult<Vec<_>>>()?,
        )?
        .into_any(),
        Json::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// The keys of a result's dict, made once per call.
struct Keys<'py> {
    id: Bound<'py, PyString>,
    period: Bound<'py, PyString>,
    status: Bound<'py, PyString>,
    total: Bound<'py, PyString>,
    class: Bound<'py, PyString>,
    class_label: Bound<'py, PyString>,
    groups: Bound<'py, PyString>,
    criteria: Bound<'py, PyString>,
    gates: Bound<'py, PyString>,
    unmet: Bound<'py, PyString>,
    band: Bound<'py, PyString>,
    reason: Bound<'py, PyString>,
    reasons: Bound<'py, PyString>,
    errors: Bound<'py, PyString>,
    field: Bound<'py, PyString>,
    code: Bound<'py, PyString>,
    message: Bound<'py, PyString>,
    pack: Bound<'py, PyString>,
}

impl<'py> Keys<'py> {
    fn new(py: Python<'py>) -> Self {
        let k = |s: &str| PyString::intern(py, s);
        Keys {
            id: k("id"),
            period: k("period"),
            status: k("status"),
            total: k("total"),
            class: k("class"),
            class_label: k("class_label"),
            groups: k("groups"),
            criteria: k("criteria"),
            gates: k("gates"),
            unmet: k("unmet"),
            band: k("band"),
            reason: k("reason"),
            reasons: k("reasons"),
            errors: k("errors"),
            field: k("field"),
            code: k("code"),
            message: k("message"),
            pack: k("pack"),
        }
    }
}

fn optional<'py>(texts: &mut Texts<'py>, text: Option<&str>) -> Bound<'py, PyAny> {
    match text {
        Some(t) => texts.get(t).into_any(),
        None => texts.py.None().into_bound(texts.py),
    }
}

/// A result's `gates`: a list of gate ids.
fn gates<'py>(texts: &mut Texts<'py>, result: &ScoreResult) -> PyResult<Bound<'py, PyList>> {
    let ids: Vec<_> = result.gates().map(|g| texts.get(g)).collect();
    PyList::new(texts.py, ids)
}

/// A result's `unmet`: a list of `{band, reason}`.
fn unmet<'py>(
    texts: &mut Texts<'py>,
    keys: &Keys<'py>,
    result: &ScoreResult,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(texts.py);
    for (band, reason) in result.unmet() {
        let entry = PyDict::new(texts.py);
        entry.set_item(&keys.band, texts.get(band))?;
        entry.set_item(&keys.reason, texts.get(reason))?;
        list.append(entry)?;
    }
    Ok(list)
}

/// A result's `errors`: a list of `{field, code, message}` (their own texts:
/// a message names the record's value).
fn errors<'py>(
    py: Python<'py>,
    keys: &Keys<'py>,
    result: &ScoreResult,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for error in result.errors() {
        let entry = PyDict::new(py);
        entry.set_item(&keys.field, error.field.as_deref())?;
        entry.set_item(&keys.code, &error.code)?;
        entry.set_item(&keys.message, &error.message)?;
        list.append(entry)?;
    }
    Ok(list)
}

fn period_text(result: &ScoreResult) -> Option<String> {
    result.period().map(|p| p.to_string())
}

/// Each result as the CLI's JSON object, parsed: the same dict as
/// `json.loads(result.to_json_line())`, without the text.
pub fn dicts<'py>(py: Python<'py>, results: &[ScoreResult]) -> PyResult<Bound<'py, PyList>> {
    let keys = Keys::new(py);
    let mut texts = Texts::new(py);
    let mut periods: HashMap<String, Bound<'py, PyString>> = HashMap::new();
    let out = PyList::empty(py);
    for result in results {
        let d = PyDict::new(py);
        d.set_item(&keys.id, result.id())?;
        for (name, value) in result.carried() {
            d.set_item(name, json_to_python(py, value)?)?;
        }
        let period = period_text(result).map(|p| {
            periods
                .entry(p)
                .or_insert_with_key(|p| PyString::new(py, p))
                .clone()
        });
        d.set_item(&keys.period, period)?;
        d.set_item(&keys.status, texts.get(result.status().as_str()))?;
        d.set_item(
            &keys.total,
            result.total().map(|t| points(py, t)).transpose()?,
        )?;
        d.set_item(&keys.class, optional(&mut texts, result.class()))?;
        d.set_item(
            &keys.class_label,
            optional(&mut texts, result.class_label()),
        )?;
        let scored = result.status() == Status::Scored;
        let groups = PyDict::new(py);
        let criteria = PyDict::new(py);
        let reasons = PyDict::new(py);
        if scored {
            for (id, p) in result.groups() {
                groups.set_item(texts.get(id), points(py, p)?)?;
            }
            for (id, p) in result.criteria() {
                criteria.set_item(texts.get(id), points(py, p)?)?;
            }
            for (id, reason) in result.reasons() {
                reasons.set_item(texts.get(id), texts.get(reason))?;
            }
        }
        d.set_item(&keys.groups, groups)?;
        d.set_item(&keys.criteria, criteria)?;
        d.set_item(&keys.gates, gates(&mut texts, result)?)?;
        d.set_item(&keys.unmet, unmet(&mut texts, &keys, result)?)?;
        d.set_item(&keys.reasons, reasons)?;
        d.set_item(&keys.errors, errors(py, &keys, result)?)?;
        let pack = PyDict::new(py);
        let r = result.pack();
        pack.set_item(&keys.id, texts.get(&r.id))?;
        pack.set_item("version", texts.get(&r.version))?;
        pack.set_item("fingerprint", texts.get(&r.fingerprint))?;
        d.set_item(&keys.pack, pack)?;
        out.append(d)?;
    }
    Ok(out)
}

/// A column of points as the bytes of little-endian doubles, NaN where a
/// result has none: it becomes an array without a Python object per cell.
fn floats<'py>(py: Python<'py>, values: impl Iterator<Item = Option<Points>>) -> Bound<'py, PyAny> {
    let bytes: Vec<u8> = values
        .flat_map(|p| p.map_or(f64::NAN, Points::as_f64).to_le_bytes())
        .collect();
    PyBytes::new(py, &bytes).into_any()
}

/// A column of JSON values: numbers (and nulls) as doubles, else a list.
fn json_column<'py>(py: Python<'py>, column: &[&Json]) -> PyResult<Bound<'py, PyAny>> {
    let numeric =
        column.iter().any(|v| v.is_number()) && column.iter().all(|v| v.is_number() || v.is_null());
    if numeric {
        let bytes: Vec<u8> = column
            .iter()
            .flat_map(|v| v.as_f64().unwrap_or(f64::NAN).to_le_bytes())
            .collect();
        return Ok(PyBytes::new(py, &bytes).into_any());
    }
    let mut shared: HashMap<&str, Bound<'py, PyString>> = HashMap::new();
    let mut items = Vec::with_capacity(column.len());
    for value in column {
        items.push(match value {
            Json::String(text) => match shared.get(text.as_str()) {
                Some(s) => s.clone().into_any(),
                None => {
                    let s = PyString::new(py, text);
                    if shared.len() < SHARED_TEXTS {
                        shared.insert(text.as_str(), s.clone());
                    }
                    s.into_any()
                }
            },
            other => json_to_python(py, other)?,
        });
    }
    Ok(PyList::new(py, items)?.into_any())
}

/// The carried fields' columns, which sit between `id` and `period` in the
/// header: `(the whole header, the columns)`.
pub fn carried_columns<'py>(
    py: Python<'py>,
    pack: &Pack,
    results: &[ScoreResult],
) -> PyResult<(Vec<String>, Vec<Bound<'py, PyAny>>)> {
    let names = chamdiem::csv_header(pack);
    let carried = names
        .iter()
        .position(|n| n == "period")
        .map_or(0, |p| p - 1);
    let mut columns: Vec<Vec<&Json>> = vec![Vec::with_capacity(results.len()); carried];
    for result in results {
        for (i, (_, value)) in result.carried().enumerate().take(carried) {
            columns[i].push(value);
        }
    }
    let columns = columns
        .iter()
        .map(|column| json_column(py, column))
        .collect::<PyResult<_>>()?;
    Ok((names, columns))
}

/// The results as table columns: `(names, columns)`, named and ordered as
/// the CLI's CSV header (`id`, carried fields, `period`, `status`, `total`,
/// `class`, `class_label`, `groups.<id>`, `criteria.<id>`, `gates`, `unmet`,
/// `reasons.<id>`, `errors`, `pack.id`, `pack.version`, `pack.fingerprint`).
/// A column of points (and a carried column of numbers) comes as the bytes
/// of little-endian doubles; any other as a list.
pub fn columns<'py>(
    py: Python<'py>,
    pack: &Pack,
    results: &[ScoreResult],
) -> PyResult<(Vec<String>, Vec<Bound<'py, PyAny>>)> {
    let keys = Keys::new(py);
    let mut texts = Texts::new(py);
    let n = results.len();
    let mut out: Vec<Bound<'py, PyAny>> = Vec::new();
    let list = |items: Vec<Bound<'py, PyAny>>| PyList::new(py, items).map(Bound::into_any);

    out.push(list(
        results
            .iter()
            .map(|r| {
                r.id()
                    .map(|id| PyString::new(py, id).into_any())
                    .unwrap_or_else(|| py.None().into_bound(py))
            })
            .collect(),
    )?);
    let (names, carried) = carried_columns(py, pack, results)?;
    out.extend(carried);
    let mut periods: HashMap<String, Bound<'py, PyString>> = HashMap::new();
    out.push(list(
        results
            .iter()
            .map(|r| match period_text(r) {
                Some(p) => periods
                    .entry(p)
                    .or_insert_with_key(|p| PyString::new(py, p))
                    .clone()
                    .into_any(),
                None => py.None().into_bound(py),
            })
            .collect(),
    )?);
    out.push(list(
        results
            .iter()
            .map(|r| texts.get(r.status().as_str()).into_any())
            .collect(),
    )?);
    out.push(floats(py, results.iter().map(ScoreResult::total)));
    out.push(list(
        results
            .iter()
            .map(|r| optional(&mut texts, r.class()))
            .collect(),
    )?);
    out.push(list(
        results
            .iter()
            .map(|r| optional(&mut texts, r.class_label()))
            .collect(),
    )?);
    let scored = |r: &ScoreResult| r.status() == Status::Scored;
    for g in 0..pack.groups().len() {
        out.push(floats(
            py,
            results.iter().map(|r| {
                scored(r)
                    .then(|| r.groups().nth(g).map(|(_, p)| p))
                    .flatten()
            }),
        ));
    }
    let criteria = pack.criteria().len();
    // Criteria and reasons row by row (a result's iterators), then column by column.
    let mut points_by_criterion: Vec<Vec<Option<Points>>> = vec![Vec::with_capacity(n); criteria];
    let mut reasons_by_criterion: Vec<Vec<Bound<'py, PyAny>>> =
        vec![Vec::with_capacity(n); criteria];
    for result in results {
        let is_scored = scored(result);
        let mut given = 0;
        if is_scored {
            for (c, ((_, p), (_, reason))) in result
                .criteria()
                .zip(result.reasons())
                .enumerate()
                .take(criteria)
            {
                points_by_criterion[c].push(Some(p));
                reasons_by_criterion[c].push(texts.get(reason).into_any());
                given = c + 1;
            }
        }
        for c in given..criteria {
            points_by_criterion[c].push(None);
            reasons_by_criterion[c].push(py.None().into_bound(py));
        }
    }
    for column in points_by_criterion {
        out.push(floats(py, column.into_iter()));
    }
    out.push(list(
        results
            .iter()
            .map(|r| gates(&mut texts, r).map(Bound::into_any))
            .collect::<PyResult<_>>()?,
    )?);
    out.push(list(
        results
            .iter()
            .map(|r| unmet(&mut texts, &keys, r).map(Bound::into_any))
            .collect::<PyResult<_>>()?,
    )?);
    for column in reasons_by_criterion {
        out.push(list(column)?);
    }
    out.push(list(
        results
            .iter()
            .map(|r| errors(py, &keys, r).map(Bound::into_any))
            .collect::<PyResult<_>>()?,
    )?);
    fn pack_id(r: &ScoreResult) -> &str {
        &r.pack().id
    }
    fn pack_version(r: &ScoreResult) -> &str {
        &r.pack().version
    }
    fn pack_fingerprint(r: &ScoreResult) -> &str {
        &r.pack().fingerprint
    }
    for part in [pack_id, pack_version, pack_fingerprint] {
        out.push(list(
            results
                .iter()
                .map(|r| texts.get(part(r)).into_any())
                .collect(),
        )?);
    }
    debug_assert_eq!(names.len(), out.len(), "one column per header name");
    Ok((names, out))
}
