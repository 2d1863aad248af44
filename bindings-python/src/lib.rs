//! The native half of the `chamdiem` Python package (`chamdiem._chamdiem`).
//!
//! Thin on purpose: Python values become JSON records (tables: Arrow
//! columns read straight into the core's values, `arrow.rs`), results come
//! back as Python dicts or columns built from the core's results
//! (`results.rs`), core errors become the package's exceptions. Everything
//! else is `core/`. The friendly API (tables, pickling, progress bars) is in
//! `python/chamdiem/__init__.py`.

mod arrow;
mod arrow_out;
mod results;

mod workbook;

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;

mod sensitivity;

use chamdiem::{Batch, Error, Pack, Period, RecordInput, ScoreResult, Scorer};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value as Json};

mod report;

/// Records scored between two progress reports (and checks for Ctrl-C).
const STEP: usize = 16_384;

/// Deepest nesting of Python containers accepted in a record.
const MAX_DEPTH: usize = 32;

// ---------------------------------------------------------------- errors

/// Raises the package's exception for a core error, by its stable code:
/// `LimitExceeded` (`limit.*`), `PackError` (`pack.*`: with file, line and
/// column), `InputError` (a bad period, a pack not in force for it, input
/// that cannot be read), else `ChamdiemError`.
fn raise(py: Python<'_>, error: Error) -> PyErr {
    let code = error.code();
    let class = match code {
        "pack.not_in_force" | "period.invalid" | "input.unreadable" => "InputError",
        _ if code.starts_with("limit.") => "LimitExceeded",
        _ if code.starts_with("pack.") => "PackError",
        _ => "ChamdiemError",
    };
    let build = || -> PyResult<PyErr> {
        let errors = py.import("chamdiem._errors")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("code", code)?;
        if let Some(location) = error.location() {
            kwargs.set_item("file", &location.file)?;
            kwargs.set_item("line", location.line)?;
            kwargs.set_item("column", location.column)?;
        }
        if let Error::LimitExceeded { limit, .. } = &error {
            kwargs.set_item("limit", limit.code().trim_start_matches("limit."))?;
        }
        let exception = errors
            .getattr(class)?
            .call((error.to_string(),), Some(&kwargs))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|e| e)
}

// ---------------------------------------------------------- Python → JSON

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn nested_too_deep() -> PyErr {
    PyValueError::new_err(format!(
        "a record nests containers more than {MAX_DEPTH} deep"
    ))
}

/// A Python value as JSON: `None`, `bool`, `int`, `float` (NaN is missing:
/// `null`), `str`, lists and tuples, dicts with `str` keys, dates (ISO text;
/// a datetime at midnight is its date), numpy scalars and arrays.
fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Json> {
    if depth > MAX_DEPTH {
        return Err(nested_too_deep());
    }
    if obj.is_none() {
        return Ok(Json::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Json::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Json::String(s.to_cow()?.into_owned()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Json::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Json::from(v));
        }
        // Too big for 64 bits: as a float, which the core reports as out of range.
        return Ok(
            serde_json::Number::from_f64(i.extract::<f64>()?).map_or(Json::Null, Json::Number)
        );
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(serde_json::Number::from_f64(f.value()).map_or(Json::Null, Json::Number));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "record keys must be str, got {} ({})",
                    k.repr().map(|r| r.to_string()).unwrap_or_default(),
                    type_name(&k)
                ))
            })?;
            map.insert(key.to_cow()?.into_owned(), to_json(&v, depth + 1)?);
        }
        return Ok(Json::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return list
            .iter()
            .map(|v| to_json(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Json::Array);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|v| to_json(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Json::Array);
    }
    // pandas' missing values (NaT, NA) are missing.
    let name = type_name(obj);
    if name == "NaTType" || name == "NAType" {
        return Ok(Json::Null);
    }
    // date, datetime, pandas.Timestamp, numpy.datetime64 via item().
    if obj.hasattr("isoformat")? {
        if obj.hasattr("hour")? {
            let midnight = ["hour", "minute", "second", "microsecond"]
                .iter()
                .all(|a| obj.getattr(*a).and_then(|v| v.extract::<i64>()).ok() == Some(0));
            let zone = !obj.getattr("tzinfo").map(|t| t.is_none()).unwrap_or(true);
            if midnight && !zone {
                return to_json(&obj.call_method0("date")?, depth + 1);
            }
        }
        // A time of day is kept, so that the core names it as an invalid date.
        return Ok(Json::String(obj.call_method0("isoformat")?.extract()?));
    }
    // numpy scalars and arrays, pyarrow scalars.
    for method in ["tolist", "as_py"] {
        if obj.hasattr(method)? {
            return to_json(&obj.call_method0(method)?, depth + 1);
        }
    }
    Err(PyTypeError::new_err(format!(
        "cannot score a value of type {name} ({}); expected None, bool, int, float, str, \
         date, list or dict",
        obj.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}

// ------------------------------------------------------------------ packs

/// The built-in packs: `(id, title, version)` each.
#[pyfunction]
fn built_in_packs(py: Python<'_>) -> PyResult<Vec<(String, String, String)>> {
    Pack::built_in_ids()
        .into_iter()
        .map(|id| {
            let pack = Pack::load(id).map_err(|e| raise(py, e))?;
            Ok((
                pack.id().to_string(),
                pack.title().to_string(),
                pack.version().to_string(),
            ))
        })
        .collect()
}

fn parse_period(py: Python<'_>, period: &Bound<'_, PyAny>) -> PyResult<Period> {
    let text: String = if let Ok(s) = period.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if period.is_instance_of::<PyInt>() && !period.is_instance_of::<PyBool>() {
        period.str()?.to_cow()?.into_owned()
    } else {
        return Err(PyTypeError::new_err(format!(
            "period must be a str such as \"2024\", \"2024-H1\" or \"2024-01-01..2024-06-30\", got {}",
            type_name(period)
        )));
    };
    text.parse::<Period>().map_err(|e| raise(py, e))
}

/// A loaded pack (native). Use `chamdiem.Pack`, which wraps it.
#[pyclass(module = "chamdiem._chamdiem", frozen)]
struct NativePack {
    pack: Pack,
    /// A warm batch scorer per period, so memos survive between calls.
    batches: Mutex<HashMap<String, std::sync::Arc<Batch>>>,
    /// A warm single-record scorer.
    scorer: Mutex<Option<Scorer>>,
}

impl NativePack {
    fn new(pack: Pack) -> Self {
        NativePack {
            pack,
            batches: Mutex::new(HashMap::new()),
            scorer: Mutex::new(None),
        }
    }

    fn batch(&self, py: Python<'_>, period: Period) -> PyResult<std::sync::Arc<Batch>> {
        let key = period.to_string();
        // Batches catch their own panics; a poisoned cache is still a cache.
        let mut batches = self
            .batches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(batch) = batches.get(&key) {
            return Ok(batch.clone());
        }
        let batch = std::sync::Arc::new(Batch::new(&self.pack, period).map_err(|e| raise(py, e))?);
        batches.insert(key, batch.clone());
        Ok(batch)
    }

    /// Scores the rows of an Arrow table given as a stream capsule, with the
    /// GIL released, `STEP` rows at a time, calling `progress(done)` between
    /// steps; `Err` says why a declared field's column cannot be read.
    fn score_stream(
        &self,
        py: Python<'_>,
        stream: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Result<Scored, String>> {
        let period = parse_period(py, period)?;
        let (schema, batches) = arrow::import(stream)?;
        let fields: Vec<&str> = self.pack.fields().iter().map(|f| f.name.as_str()).collect();
        let table = match arrow::Table::new(&schema, batches, &fields) {
            Ok(table) => table,
            Err(reason) => return Ok(Err(reason)),
        };
        let batch = self.batch(py, period)?;
        let rows = table.rows();
        let mut scored = Vec::with_capacity(rows);
        let mut start = 0;
        while start < rows {
            let end = (start + STEP).min(rows);
            scored.extend(py.detach(|| {
                batch.score_rows(start..end, |row, values| table.fill(row, values), |r| r)
            }));
            py.check_signals()?;
            if let Some(progress) = progress {
                progress.call1((end - start,))?;
            }
            start = end;
        }
        Ok(Ok((batch, scored)))
    }

    /// Scores `inputs` with the GIL released, `STEP` records at a time,
    /// calling `progress(done)` between steps.
    fn score_inputs<T: Send>(
        &self,
        py: Python<'_>,
        period: Period,
        inputs: &[RecordInput],
        progress: Option<&Bound<'_, PyAny>>,
        map: impl Fn(ScoreResult) -> T + Sync,
    ) -> PyResult<Vec<T>> {
        let batch = self.batch(py, period)?;
        let mut out = Vec::with_capacity(inputs.len());
        for chunk in inputs.chunks(STEP) {
            let scored = py.detach(|| batch.score_map(chunk, &map));
            out.extend(scored);
            py.check_signals()?;
            if let Some(progress) = progress {
                progress.call1((chunk.len(),))?;
            }
        }
        Ok(out)
    }
}

/// A table's results, and the batch (its workers) that scored them.
type Scored = (std::sync::Arc<Batch>, Vec<ScoreResult>);

/// A record given as a Python object, as the core's input.
fn input_of(obj: &Bound<'_, PyAny>) -> PyResult<RecordInput> {
    let mut line = String::with_capacity(1024);
    write_json(obj, 0, &mut line)?;
    Ok(RecordInput::JsonLine(line))
}

/// A record of a batch as the core's input. One that cannot be read (a value
/// of a type the package does not score, nesting past the bound) is that
/// record's `error` result, so that the batch goes on, as in JavaScript's
/// `scoreMany`; `pack.score` of it raises instead.
pub(crate) fn batch_input(obj: &Bound<'_, PyAny>) -> PyResult<RecordInput> {
    input_of(obj).or_else(|error| {
        let id = obj
            .cast::<PyDict>()
            .ok()
            .and_then(|d| d.get_item("id").ok().flatten());
        unreadable(obj.py(), error, id.as_ref())
    })
}

/// The `error` input of a record whose value could not be read (`error`, a
/// TypeError or ValueError; anything else, an interrupt, propagates).
fn unreadable(
    py: Python<'_>,
    error: PyErr,
    id: Option<&Bound<'_, PyAny>>,
) -> PyResult<RecordInput> {
    if !(error.is_instance_of::<PyTypeError>(py) || error.is_instance_of::<PyValueError>(py)) {
        return Err(error);
    }
    let id = id.and_then(|id| match to_json(id, 0) {
        Ok(Json::String(text)) => Some(text),
        Ok(Json::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    Ok(RecordInput::Unreadable {
        id,
        message: format!(
            "bản ghi có giá trị không chấm được (chỉ nhận None, bool, số, chuỗi, ngày, \
             danh sách, dict): {}",
            error.value(py)
        ),
    })
}

/// Appends `text` as a JSON string.
fn push_json_str(out: &mut String, text: &str) {
    out.push('"');
    if !text.chars().any(|c| c == '"' || c == '\\' || c < ' ') {
        out.push_str(text);
    } else {
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c < ' ' => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// Appends a Python value as JSON text, with the conversions of [`to_json`]
/// (the CLI's own line reader then reads it: the same path, the same answer).
fn write_json(obj: &Bound<'_, PyAny>, depth: usize, out: &mut String) -> PyResult<()> {
    // Dicts recurse here, not through `to_json`: the same bound, or a dict
    // that holds itself overflows the stack.
    if depth > MAX_DEPTH {
        return Err(nested_too_deep());
    }
    if obj.is_none() {
        out.push_str("null");
    } else if let Ok(b) = obj.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if let Ok(s) = obj.cast::<PyString>() {
        push_json_str(out, &s.to_cow()?);
    } else if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() {
        // Numbers through `to_json`: one place decides big and missing ones.
        let _ = write!(out, "{}", to_json(obj, depth)?);
    } else if let Ok(d) = obj.cast::<PyDict>() {
        out.push('{');
        for (i, (k, v)) in d.iter().enumerate() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "record keys must be str, got {} ({})",
                    k.repr().map(|r| r.to_string()).unwrap_or_default(),
                    type_name(&k)
                ))
            })?;
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, &key.to_cow()?);
            out.push(':');
            write_json(&v, depth + 1, out)?;
        }
        out.push('}');
    } else {
        // Anything else (lists, dates, numpy values) as `to_json` sees it.
        let _ = write!(out, "{}", to_json(obj, depth)?);
    }
    Ok(())
}

#[pymethods]
impl NativePack {
    /// Loads a built-in pack by id, or a pack folder / `.rhai` file by path.
    #[staticmethod]
    fn load(py: Python<'_>, id_or_path: &str) -> PyResult<Self> {
        let pack = py
            .detach(|| Pack::load(id_or_path))
            .map_err(|e| raise(py, e))?;
        Ok(Self::new(pack))
    }

    /// Loads a pack from in-memory sources: `{file name: text}` and the entry file.
    #[staticmethod]
    fn from_sources(
        py: Python<'_>,
        sources: HashMap<String, String>,
        entry: &str,
    ) -> PyResult<Self> {
        if !sources.contains_key(entry) {
            return Err(PyValueError::new_err(format!(
                "entry {entry:?} is not one of the sources ({})",
                sorted_keys(&sources)
            )));
        }
        let pack = py
            .detach(|| Pack::from_sources(sources, entry))
            .map_err(|e| raise(py, e))?;
        Ok(Self::new(pack))
    }

    /// Every file of a built-in pack, by path relative to its folder (`None`: no such pack).
    #[staticmethod]
    fn built_in_sources(id: &str) -> Option<std::collections::BTreeMap<String, String>> {
        Pack::built_in_sources(id)
    }

    #[getter]
    fn id(&self) -> &str {
        self.pack.id()
    }
    #[getter]
    fn title(&self) -> &str {
        self.pack.title()
    }
    #[getter]
    fn version(&self) -> &str {
        self.pack.version()
    }
    #[getter]
    fn fingerprint(&self) -> &str {
        self.pack.fingerprint()
    }

    /// Scores one record; returns the CLI's JSON line for it.
    fn score_line(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let period = parse_period(py, period)?;
        let input = input_of(record)?;
        // A panic while scoring (a bug: the core is meant never to panic)
        // reaches Python as PanicException; the scorer it may have broken is
        // dropped, so that the pack goes on working.
        let mut slot = self.scorer.lock().unwrap_or_else(|poisoned| {
            let mut slot = poisoned.into_inner();
            *slot = None;
            slot
        });
        if slot.as_ref().map(|s| s.period()) != Some(period) {
            *slot = Some(Scorer::new(&self.pack, period).map_err(|e| raise(py, e))?);
        }
        let scorer = slot.as_mut().expect("set above");
        Ok(scorer.score_input(&input).to_json_line())
    }

    /// The readable Vietnamese breakdown of one record's result.
    fn explain(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let period = parse_period(py, period)?;
        let input = input_of(record)?;
        let mut scorer = Scorer::new(&self.pack, period).map_err(|e| raise(py, e))?;
        Ok(scorer.score_input(&input).to_table(&self.pack))
    }

    /// Scores a sequence of records; returns their JSON lines, in order.
    #[pyo3(signature = (records, period, progress=None))]
    fn score_lines(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let period = parse_period(py, period)?;
        let inputs = records
            .try_iter()?
            .map(|r| batch_input(&r?))
            .collect::<PyResult<Vec<_>>>()?;
        self.score_inputs(py, period, &inputs, progress, |r| r.to_json_line())
    }

    /// Scores a sequence of records; returns their results as dicts, each
    /// equal to `json.loads` of the CLI's JSON line, in order.
    #[pyo3(signature = (records, period, progress=None))]
    fn score_dicts<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        period: &Bound<'py, PyAny>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let period = parse_period(py, period)?;
        let inputs = records
            .try_iter()?
            .map(|r| batch_input(&r?))
            .collect::<PyResult<Vec<_>>>()?;
        let scored = self.score_inputs(py, period, &inputs, progress, |r| r)?;
        results::dicts(py, &scored)
    }

    /// Scores the rows of an Arrow table given as a stream capsule
    /// (`__arrow_c_stream__()`), reading the declared fields' columns
    /// straight from their buffers. Returns the result table's columns as
    /// `score_columns` does, or, when a declared field's column has a type
    /// not read here, the reason as a `str` (score through `score_columns`).
    #[pyo3(signature = (stream, period, progress=None))]
    fn score_arrow<'py>(
        &self,
        py: Python<'py>,
        stream: &Bound<'py, PyAny>,
        period: &Bound<'py, PyAny>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scored = match self.score_stream(py, stream, period, progress)? {
            Ok((_, scored)) => scored,
            Err(reason) => return Ok(PyString::new(py, &reason).into_any()),
        };
        let (names, columns) = results::columns(py, &self.pack, &scored)?;
        Ok((names, columns).into_pyobject(py)?.into_any())
    }

    /// `score_arrow`, with the results as Arrow columns: `(capsule, carried
    /// names, carried columns)`, the capsule an Arrow C stream of the result
    /// table without the carried fields (see `arrow_out`), which sit right
    /// after `id`. A text says why the table cannot be read as Arrow.
    #[pyo3(signature = (stream, period, progress=None))]
    fn score_arrow_table<'py>(
        &self,
        py: Python<'py>,
        stream: &Bound<'py, PyAny>,
        period: &Bound<'py, PyAny>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (worker, scored) = match self.score_stream(py, stream, period, progress)? {
            Ok(scored) => scored,
            Err(reason) => return Ok(PyString::new(py, &reason).into_any()),
        };
        let (header, carried) = results::carried_columns(py, &self.pack, &scored)?;
        let carried_names = header[1..1 + carried.len()].to_vec();
        // One record batch per worker, built (and its results dropped) there.
        let count = carried.len();
        let batches = py
            .detach(|| worker.map_parts(scored, |part| arrow_out::batch(&self.pack, &part, count)))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(format!("cannot build the result table: {e}")))?;
        let capsule = arrow_out::stream(py, batches)?;
        Ok((capsule, carried_names, carried)
            .into_pyobject(py)?
            .into_any())
    }

    /// Scores the rows of a table given as columns (`names`, one list of
    /// values per name, all of `rows` values). Returns the result table as
    /// `(column names, column values)`, named as the CLI's CSV header
    /// (`criteria.2.4`), a column of points as the bytes of doubles.
    #[pyo3(signature = (names, columns, rows, period, progress=None))]
    fn score_columns<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: Vec<Bound<'py, PyAny>>,
        rows: usize,
        period: &Bound<'py, PyAny>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Vec<String>, Vec<Bound<'py, PyAny>>)> {
        let period = parse_period(py, period)?;
        if names.len() != columns.len() {
            return Err(PyValueError::new_err("one column of values per name"));
        }
        // Only declared fields reach the record: other columns are context.
        let declared: Vec<(String, Bound<'py, PyAny>)> = names
            .into_iter()
            .zip(columns)
            .filter(|(name, _)| self.pack.fields().iter().any(|f| &f.name == name))
            .collect();
        let mut keyed = Vec::with_capacity(declared.len());
        for (name, column) in &declared {
            let list = column
                .cast::<PyList>()
                .map_err(|_| PyTypeError::new_err(format!("column {name:?} must be a list")))?;
            if list.len() != rows {
                return Err(PyValueError::new_err(format!(
                    "column {name:?} has {} values, expected {rows}",
                    list.len()
                )));
            }
            let mut key = String::new();
            push_json_str(&mut key, name);
            key.push(':');
            keyed.push((key, list));
        }
        let id_column = keyed.iter().position(|(key, _)| key == "\"id\":");
        let mut inputs = Vec::with_capacity(rows);
        for row in 0..rows {
            let mut line = String::with_capacity(1024);
            line.push('{');
            let mut written = Ok(());
            for (i, (key, list)) in keyed.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(key);
                written = write_json(&list.get_item(row)?, 1, &mut line);
                if written.is_err() {
                    break;
                }
            }
            line.push('}');
            inputs.push(match written {
                Ok(()) => RecordInput::JsonLine(line),
                // As in `batch_input`: that row's error, the others scored.
                Err(error) => {
                    let id = id_column.map(|c| keyed[c].1.get_item(row)).transpose()?;
                    unreadable(py, error, id.as_ref())?
                }
            });
        }
        let scored = self.score_inputs(py, period, &inputs, progress, |r| r)?;
        let (names, columns) = results::columns(py, &self.pack, &scored)?;
        Ok((names, columns))
    }

    /// The JSON line of a result with one record-level error: the keys a
    /// result and an error have, for building typed empty tables.
    fn error_line(&self, py: Python<'_>, period: &Bound<'_, PyAny>) -> PyResult<String> {
        let period = parse_period(py, period)?;
        let mut scorer = Scorer::new(&self.pack, period).map_err(|e| raise(py, e))?;
        Ok(scorer
            .score_input(&RecordInput::Json(Json::Null))
            .to_json_line())
    }

    /// The declared input fields (the description's), as JSON text.
    fn schema_json(&self) -> String {
        serde_json::to_string(&self.pack.describe().fields).expect("fields serialize")
    }

    /// The pack's description (`Pack::describe`), as JSON text.
    fn info_json(&self) -> String {
        serde_json::to_string(&self.pack.describe()).expect("a description serializes")
    }

    /// Runs the pack's own examples: `(name, line, failures)` for each.
    fn run_examples(&self, py: Python<'_>) -> PyResult<Vec<(String, usize, Vec<String>)>> {
        let outcomes = py
            .detach(|| chamdiem::selftest::run_examples(&self.pack))
            .map_err(|e| raise(py, e))?;
        Ok(outcomes
            .into_iter()
            .map(|o| (o.name, o.line, o.failures))
            .collect())
    }
}

fn sorted_keys(sources: &HashMap<String, String>) -> String {
    let mut keys: Vec<&str> = sources.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys.join(", ")
}

/// Counts the bytes this module's Rust code holds, per thread, so the core
/// can enforce `max_memory_bytes` on pack scripts (as the CLI does), over
/// the CLI's allocator (only this module's Rust code uses it: Python objects
/// keep Python's).
#[global_allocator]
static ALLOCATOR: chamdiem::CountingAllocator<mimalloc::MiMalloc> =
    chamdiem::CountingAllocator::new(mimalloc::MiMalloc);

#[pymodule]
fn _chamdiem(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativePack>()?;
    m.add_function(wrap_pyfunction!(built_in_packs, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity::sensitivity_json, m)?)?;
    m.add_function(wrap_pyfunction!(report::report, m)?)?;
    m.add_function(wrap_pyfunction!(report::diff, m)?)?;
    m.add_function(wrap_pyfunction!(workbook::workbook_template, m)?)?;
    m.add_function(wrap_pyfunction!(workbook::score_workbook, m)?)?;
    Ok(())
}
