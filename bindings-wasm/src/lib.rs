//! JavaScript bindings of chamdiem (WebAssembly, via wasm-bindgen).
//!
//! Thin on purpose: every function converts its arguments, calls the core
//! and converts the answer back. Results are the core's own JSON line
//! ([`chamdiem::ScoreResult::to_json_line`], the CLI's output) parsed by the
//! JavaScript engine, so `pack.score(record)` equals the CLI's line exactly;
//! `scoreMany` gets the same lines in a batch with the reasons in a table
//! ([`chamdiem::JsonBatch`]), put back in place by `js/index.js`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Cursor;

use chamdiem::{InputFormat, Limits, PackLoader, Period, RecordInput, Records, Scorer};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;

mod describe;
mod errors;
mod report;
mod sensitivity;
mod workbook;

// Counts the bytes a script builds, so the memory limit (`max_memory_bytes`)
// holds in WebAssembly as in the CLI: without it, a map growing key by key
// would run until the browser's memory is exhausted.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: chamdiem::CountingAllocator<std::alloc::System> =
    chamdiem::CountingAllocator::new(std::alloc::System);

use errors::{argument_error, to_js_error};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// A JSON text made by the core, as a JavaScript value.
fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).expect("the core writes valid JSON")
}

fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    parse_json(&serde_json::to_string(value).expect("core values serialize"))
}

/// The period argument: a text (`"2024"`, `"2024-H1"`, …) or a year as a
/// whole number. Required, as on the command line and in Python: a default
/// (this year) would silently score last year's returns against this year.
fn parse_period(period: JsValue) -> Result<Period, JsValue> {
    let text = match (period.as_string(), period.as_f64()) {
        (Some(text), _) => text,
        (None, Some(year)) if year.fract() == 0.0 && year.abs() < 1e15 => format!("{year:.0}"),
        _ if period.is_undefined() || period.is_null() => {
            return Err(argument_error(
                "thiếu kỳ đánh giá (period), ví dụ \"2024\"".into(),
                Some("period"),
            ))
        }
        _ => {
            return Err(argument_error(
                "kỳ đánh giá phải là một chuỗi như \"2024\" hoặc một năm".into(),
                Some("period"),
            ))
        }
    };
    text.parse().map_err(|e| to_js_error(&e))
}

/// A text argument, or INVALID_ARGUMENT naming it: wasm-bindgen's own
/// conversion of a number or an object to `&str` traps the module.
pub(crate) fn text_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| argument_error(format!("{name} phải là một chuỗi"), Some(name)))
}

/// A record as JSON text, the same as one line of a JSON Lines file; `None`
/// when JavaScript cannot write it as JSON (a BigInt, a cycle, `undefined`).
fn record_text(record: &JsValue) -> Result<String, String> {
    match JSON::stringify(record) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| "bản ghi không biểu diễn được bằng JSON (undefined?)".to_string()),
        Err(error) => Err(format!(
            "bản ghi không chuyển được sang JSON: {}",
            js_sys::Error::from(error).message()
        )),
    }
}

/// A batch's results as `[reasons, body]` (see `scoreManyPacked`).
fn packed(batch: chamdiem::JsonBatch) -> Array {
    let strings: Array = batch.strings().map(JsValue::from).collect();
    Array::of2(&strings, &JsValue::from(batch.into_body()))
}

fn record_input(record: &JsValue) -> RecordInput {
    match record_text(record) {
        Ok(line) => RecordInput::JsonLine(line),
        Err(message) => RecordInput::Unreadable { id: None, message },
    }
}

/// The built-in packs: id, title, version, description and dates in force.
#[wasm_bindgen(unchecked_return_type = "PackSummary[]")]
pub fn packs() -> Result<JsValue, JsValue> {
    let list = Array::new();
    for id in chamdiem::Pack::built_in_ids() {
        let pack = chamdiem::Pack::load(id).map_err(|e| to_js_error(&e))?;
        list.push(&to_js(&describe::summary(&pack)));
    }
    Ok(list.into())
}

/// Loads a built-in pack by id (`vn.enterprise`).
#[wasm_bindgen(js_name = loadPack)]
pub fn load_pack(
    #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
) -> Result<Pack, JsValue> {
    let id = text_arg(&id, "id")?;
    let id = id.as_str();
    if !chamdiem::Pack::built_in_ids().contains(&id) {
        // Never fall through to a path: there is no file system here.
        return Err(to_js_error(&chamdiem::Error::PackNotFound {
            name: id.to_string(),
            reason: format!(
                "không phải bộ quy tắc có sẵn ({})",
                chamdiem::Pack::built_in_ids().join(", ")
            ),
        }));
    }
    chamdiem::Pack::load(id)
        .map(Pack::new)
        .map_err(|e| to_js_error(&e))
}

/// A loaded rule pack.
#[wasm_bindgen]
pub struct Pack {
    pack: chamdiem::Pack,
    /// The scorer of the last period asked for: its memo stays warm between calls.
    scorer: RefCell<Option<Scorer>>,
}

impl Pack {
    fn new(pack: chamdiem::Pack) -> Self {
        Pack {
            pack,
            scorer: RefCell::new(None),
        }
    }

    fn with_scorer<T>(
        &self,
        period: JsValue,
        work: impl FnOnce(&mut Scorer) -> T,
    ) -> Result<T, JsValue> {
        let period = parse_period(period)?;
        let mut slot = self.scorer.borrow_mut();
        if slot.as_ref().is_none_or(|s| s.period() != period) {
            *slot = Some(Scorer::new(&self.pack, period).map_err(|e| to_js_error(&e))?);
        }
        Ok(work(slot.as_mut().expect("set above")))
    }
}

#[wasm_bindgen]
impl Pack {
    /// A pack from source texts held in memory: `sources` maps file names
    /// (`"pack.rhai"`, `"lib/helpers.rhai"`, `"examples.jsonl"`) to their
    /// text, `entry` names the pack file. It may `extends` a built-in pack
    /// and import its own files; nothing is fetched. `limits` overrides some
    /// of the default limits (`{max_time_ms: 200}`).
    #[wasm_bindgen(js_name = fromSources)]
    pub fn from_sources(
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] sources: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] entry: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Partial<Limits>")] limits: Option<Object>,
    ) -> Result<Pack, JsValue> {
        let entry = text_arg(&entry, "entry")?;
        let entry = entry.as_str();
        let files = source_map(&sources)?;
        let limits = match limits {
            Some(object) => to_limits(&object)?,
            None => Limits::default(),
        };
        PackLoader::new()
            .with_limits(limits)
            .load_sources(files, entry)
            .map(Pack::new)
            .map_err(|e| to_js_error(&e))
    }

    /// The pack's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.pack.id().to_string()
    }

    /// Its title, in Vietnamese.
    #[wasm_bindgen(getter)]
    pub fn title(&self) -> String {
        self.pack.title().to_string()
    }

    /// Its version.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.pack.version().to_string()
    }

    /// SHA-256 of its exact sources (and of everything it extends).
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.pack.fingerprint().to_string()
    }

    /// Scores one record for `period` (`"2024"`, `"2024-01-01..2024-06-30"`,
    /// or the year as a number; required). The result is the CLI's JSON line as
    /// an object. A bad record is a result with status `error`; the call
    /// throws only when the period is invalid or the *pack* fails (a script
    /// error, a limit), with the error's `code`.
    #[wasm_bindgen(unchecked_return_type = "ScoreResult")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] record: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
    ) -> Result<JsValue, JsValue> {
        let line = match record_text(&record) {
            Ok(line) => line,
            Err(message) => return Err(argument_error(message, None)),
        };
        let outcome = self.with_scorer(period, |s| s.score_json_line(&line))?;
        match outcome {
            Ok(result) => Ok(parse_json(&result.to_json_line())),
            Err(error) => Err(to_js_error(&error)),
        }
    }

    /// Scores many records, one result each, in order: the results as
    /// `[reasons, body]`, rebuilt into plain objects by the package's entry
    /// module (`js/index.js`, which defines `scoreMany`). `body` is
    /// [`chamdiem::JsonBatch`]'s JSON array (each reason the index of its
    /// text in `reasons`, ASCII only). Nothing stops the batch: a record the
    /// pack fails on gets an `error` result, as in the CLI.
    #[wasm_bindgen(js_name = scoreManyPacked, skip_typescript)]
    pub fn score_many_packed(
        &self,
        records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
    ) -> Result<Array, JsValue> {
        let records = Array::from(&records);
        let batch = self.with_scorer(period, |s| {
            let mut batch = chamdiem::JsonBatch::new();
            for record in records.iter() {
                batch.push(&s.score_input(&record_input(&record)));
            }
            batch
        })?;
        Ok(packed(batch))
    }

    /// `scoreManyPacked` for records given as JSON Lines: `count` lines,
    /// each `JSON.stringify` of one record (one copy into WebAssembly per
    /// chunk instead of one per record). Each line is scored as the text
    /// `scoreManyPacked` would make of that record. `null` when the text
    /// does not hold `count` lines: the caller then scores record by record.
    #[wasm_bindgen(js_name = scoreManyLines, skip_typescript)]
    pub fn score_many_lines(
        &self,
        text: &str,
        count: usize,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
    ) -> Result<JsValue, JsValue> {
        // JSON.stringify escapes every control character: a record's text
        // holds no newline, so the lines are the records.
        if text.split('\n').count() != count {
            return Ok(JsValue::NULL);
        }
        let batch = self.with_scorer(period, |s| {
            let mut batch = chamdiem::JsonBatch::new();
            for line in text.split('\n') {
                batch.push(&s.score_json_text(line));
            }
            batch
        })?;
        Ok(packed(batch).into())
    }

    /// Reads a whole file (CSV, JSON Lines or a JSON array, with the CLI's
    /// reader) and scores it step by step: call `step(n)` until `done`.
    #[wasm_bindgen(js_name = scoreFile)]
    pub fn score_file(
        &self,
        bytes: Vec<u8>,
        #[wasm_bindgen(unchecked_param_type = "InputFormatName")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
    ) -> Result<FileScoring, JsValue> {
        let format = match text_arg(&format, "format")?.as_str() {
            "csv" => InputFormat::Csv,
            "jsonl" | "ndjson" => InputFormat::JsonLines,
            "json" => InputFormat::JsonArray,
            other => {
                return Err(argument_error(
                    format!("không biết định dạng '{other}' (csv, jsonl hoặc json)"),
                    Some("format"),
                ))
            }
        };
        let period = parse_period(period)?;
        let scorer = Scorer::new(&self.pack, period).map_err(|e| to_js_error(&e))?;
        let mut warnings = Vec::new();
        let records = chamdiem::read_records(
            Box::new(Cursor::new(bytes)),
            format,
            &self.pack,
            &mut warnings,
        )
        .map_err(|e| to_js_error(&e))?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(chamdiem::csv_header(&self.pack))
            .expect("writing to memory");
        Ok(FileScoring {
            records,
            scorer,
            warnings,
            csv,
            count: 0,
            done: false,
            failure: None,
        })
    }

    /// The declared input fields, with their Vietnamese labels, types,
    /// ranges and allowed values (what a form needs).
    #[wasm_bindgen(unchecked_return_type = "PackSchema")]
    pub fn schema(&self) -> JsValue {
        to_js(&describe::schema(&self.pack))
    }

    /// The pack's description (as `chamdiem check --json`): fields,
    /// criteria, maxima, bands with their conditions, gates, calendar, dates
    /// in force, limits, fingerprint.
    #[wasm_bindgen(unchecked_return_type = "PackInfo")]
    pub fn info(&self) -> JsValue {
        to_js(&self.pack.describe())
    }

    /// Runs the pack's own examples (`examples.jsonl`) and returns those that
    /// failed, with what differed; an empty array when all pass. Throws when
    /// the pack has no examples or a line of them cannot be read.
    #[wasm_bindgen(unchecked_return_type = "ExampleFailure[]")]
    pub fn test(&self) -> Result<JsValue, JsValue> {
        let outcomes = chamdiem::selftest::run_examples(&self.pack).map_err(|e| to_js_error(&e))?;
        let failures = Array::new();
        for outcome in outcomes.iter().filter(|o| !o.passed()) {
            let object = Object::new();
            set(&object, "name", &outcome.name.as_str().into());
            set(&object, "line", &(outcome.line as f64).into());
            let list: Array = outcome
                .failures
                .iter()
                .map(|f| JsValue::from(f.as_str()))
                .collect();
            set(&object, "failures", &list);
            failures.push(&object);
        }
        Ok(failures.into())
    }

    /// How many examples the pack has (0 when it has none).
    #[wasm_bindgen(js_name = exampleCount)]
    pub fn example_count(&self) -> usize {
        chamdiem::selftest::run_examples(&self.pack).map_or(0, |o| o.len())
    }

    /// A record from texts as typed in a form or a CSV row (`{employees:
    /// "420", has_union: "có", periodic_dialogue_dates: "2024-06-15;
    /// 2024-12-31"}`), each read by its declared type exactly as the CSV
    /// reader reads a cell: an empty text is null; a text that does not fit
    /// stays a string so that scoring names the problem. Undeclared keys are
    /// left out.
    #[wasm_bindgen(
        js_name = recordFromTexts,
        unchecked_return_type = "Record<string, unknown>"
    )]
    pub fn record_from_texts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] texts: JsValue,
    ) -> Result<JsValue, JsValue> {
        let texts = source_map(&texts)?;
        let mut record = serde_json::Map::new();
        for field in self.pack.fields() {
            if let Some(text) = texts.get(&field.name) {
                record.insert(field.name.clone(), chamdiem::coerce_text(&field.ty, text));
            }
        }
        Ok(to_js(&record))
    }

    /// Keys of the records scored so far that the pack does not declare.
    #[wasm_bindgen(js_name = unknownFields)]
    pub fn unknown_fields(&self) -> Vec<String> {
        self.scorer
            .borrow()
            .as_ref()
            .map(|s| s.unknown_fields().map(String::from).collect())
            .unwrap_or_default()
    }
}

fn set(object: &Object, key: &str, value: &JsValue) {
    Reflect::set(object, &key.into(), value).expect("setting a property of a plain object");
}

/// `{name: text}` from JavaScript (file names and sources, field names
/// and texts), every value a string.
fn source_map(sources: &JsValue) -> Result<BTreeMap<String, String>, JsValue> {
    if !sources.is_object() {
        return Err(argument_error(
            "cần một đối tượng {tên: chuỗi}".into(),
            None,
        ));
    }
    let mut files = BTreeMap::new();
    for entry in Object::entries(sources.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let name = pair.get(0).as_string().unwrap_or_default();
        let Some(text) = pair.get(1).as_string() else {
            return Err(argument_error(
                format!("giá trị của '{name}' phải là một chuỗi"),
                Some(&name),
            ));
        };
        files.insert(name, text);
    }
    Ok(files)
}

/// The default limits with the settings `object` names changed.
fn to_limits(object: &Object) -> Result<Limits, JsValue> {
    let mut limits = Limits::default();
    for entry in Object::entries(object).iter() {
        let pair = Array::from(&entry);
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair
            .get(1)
            .as_f64()
            .filter(|v| *v >= 0.0 && v.fract() == 0.0);
        let Some(value) = value else {
            return Err(argument_error(
                format!("giới hạn '{name}' phải là một số nguyên không âm"),
                Some(&name),
            ));
        };
        match name.as_str() {
            "max_operations" => limits.max_operations = value as u64,
            "max_load_operations" => limits.max_load_operations = value as u64,
            "max_call_levels" => limits.max_call_levels = value as usize,
            "max_expr_depth" => limits.max_expr_depth = value as usize,
            "max_nesting_depth" => limits.max_nesting_depth = value as usize,
            "max_string_size" => limits.max_string_size = value as usize,
            "max_array_size" => limits.max_array_size = value as usize,
            "max_map_size" => limits.max_map_size = value as usize,
            "max_modules" => limits.max_modules = value as usize,
            "max_variables" => limits.max_variables = value as usize,
            "max_source_size" => limits.max_source_size = value as usize,
            "max_extends_depth" => limits.max_extends_depth = value as usize,
            "max_time_ms" => limits.max_time_ms = value as u64,
            "max_memory_bytes" => limits.max_memory_bytes = value as u64,
            _ => {
                return Err(argument_error(
                    format!("không có giới hạn '{name}'"),
                    Some(&name),
                ))
            }
        }
    }
    Ok(limits)
}

/// A file being scored: `step(n)` scores up to `n` more records.
#[wasm_bindgen]
pub struct FileScoring {
    records: Records,
    scorer: Scorer,
    warnings: Vec<String>,
    csv: csv::Writer<Vec<u8>>,
    count: usize,
    done: bool,
    failure: Option<chamdiem::Error>,
}

#[wasm_bindgen]
impl FileScoring {
    /// Scores up to `max` more records: their results in input order as
    /// `[reasons, body]` (see `scoreManyPacked`), rebuilt into plain objects
    /// by `step` in the package's entry module (`js/index.js`). When the
    /// file breaks off (unreadable beyond some point), the results before
    /// the break are returned first and the next call throws.
    #[wasm_bindgen(js_name = stepPacked, skip_typescript)]
    pub fn step_packed(&mut self, max: usize) -> Result<Array, JsValue> {
        if let Some(error) = self.failure.take() {
            return Err(to_js_error(&error));
        }
        let mut batch = chamdiem::JsonBatch::new();
        let mut scored = 0;
        while scored < max.max(1) && !self.done {
            match self.records.next() {
                None => self.done = true,
                Some(Err(error)) => {
                    self.done = true;
                    self.failure = Some(error);
                }
                Some(Ok(input)) => {
                    let result = self.scorer.score_input(&input);
                    self.csv
                        .write_record(result.to_csv_row())
                        .expect("writing to memory");
                    batch.push(&result);
                    scored += 1;
                    self.count += 1;
                }
            }
        }
        if scored == 0 {
            if let Some(error) = self.failure.take() {
                return Err(to_js_error(&error));
            }
        }
        Ok(packed(batch))
    }

    /// Whether every record has been read.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.done && self.failure.is_none()
    }

    /// How many records have been scored.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.count
    }

    /// Notes from reading the file (columns the pack does not know, `;` as separator).
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// Keys the pack does not declare, met so far (JSON input).
    #[wasm_bindgen(js_name = unknownFields)]
    pub fn unknown_fields(&self) -> Vec<String> {
        self.scorer.unknown_fields().map(String::from).collect()
    }

    /// The results so far as CSV (the CLI's `--format csv` columns).
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&mut self) -> String {
        self.csv.flush().expect("writing to memory");
        String::from_utf8_lossy(self.csv.get_ref()).into_owned()
    }
}
