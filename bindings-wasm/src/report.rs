//! The report and the diff of the core (`chamdiem::report`), for JavaScript:
//! `pack.report(records, period, {by})` and `diff(records, oldPack, newPack, period)`.
//! Each answer is the core's JSON (the CLI's `--format json`) with its HTML
//! page beside it.

use chamdiem::report::{Diff, GroupBy, ReportBuilder, ReportOptions};
use chamdiem::{Batch, RecordInput};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::errors::{argument_error, to_js_error};
use crate::{parse_json, parse_period, record_input, text_arg, Pack};

fn inputs(records: &JsValue) -> Vec<RecordInput> {
    Array::from(records)
        .iter()
        .map(|r| record_input(&r))
        .collect()
}

fn option(options: &Option<Object>, key: &str) -> Option<JsValue> {
    let options = options.as_ref()?;
    let value = Reflect::get(options, &JsValue::from_str(key)).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

fn text_option(options: &Option<Object>, key: &str) -> Result<Option<String>, JsValue> {
    match option(options, key) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| argument_error(format!("options.{key} phải là một chuỗi"), Some(key))),
    }
}

fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

#[wasm_bindgen]
impl Pack {
    /// The compiled report of `records` for `period`: class counts and shares
    /// per unit (or province: `{by: "province"}`) and in total, the
    /// distribution of totals, the weakest criteria, gates, errors, the
    /// ranking, the due date from the pack's calendar. The object also holds
    /// `html` (one self-contained page) and, with `{xlsx: true}`, `xlsx`
    /// (the workbook's bytes).
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn report(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Iterable<Record<string, unknown>>")]
        records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ReportOptions")] options: Option<Object>,
    ) -> Result<JsValue, JsValue> {
        let period = parse_period(period)?;
        let by: GroupBy = match text_option(&options, "by")? {
            Some(by) => by.parse().map_err(|e| to_js_error(&e))?,
            None => GroupBy::Unit,
        };
        let report_options = ReportOptions {
            by,
            deadline: text_option(&options, "deadline")?,
        };
        let batch = Batch::new(&self.pack, period).map_err(|e| to_js_error(&e))?;
        let mut builder =
            ReportBuilder::new(&self.pack, period, &report_options).map_err(|e| to_js_error(&e))?;
        builder.extend(&batch.score(&inputs(&records)));
        let report = builder.finish();
        let value = parse_json(&serde_json::to_string(&report).expect("a report serializes"));
        set(&value, "html", &JsValue::from_str(&report.to_html()));
        if option(&options, "xlsx").is_some_and(|v| v.is_truthy()) {
            set(&value, "xlsx", &xlsx(&report)?);
        }
        Ok(value)
    }
}

/// The report's workbook as a `Uint8Array`.
#[cfg(feature = "xlsx-write")]
fn xlsx(report: &chamdiem::report::Report) -> Result<JsValue, JsValue> {
    let bytes = report.to_xlsx().map_err(|e| to_js_error(&e))?;
    Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
}

/// This module has no workbook writer: the package's entry (`index.js`)
/// sends `{xlsx: true}` to the module that has one.
#[cfg(not(feature = "xlsx-write"))]
fn xlsx(_: &chamdiem::report::Report) -> Result<JsValue, JsValue> {
    Err(argument_error(
        "mô-đun này không viết được bảng tính .xlsx: hãy dùng gói chamdiem (index.js), \
         nó tự nạp mô-đun viết bảng tính"
            .into(),
        Some("xlsx"),
    ))
}

/// Scores the same `records` with `oldPack` and `newPack` and compares:
/// how many change class, the transition matrix (old class × new class) and
/// every record that moved, with the criteria whose points changed. The
/// object also holds `html` and `csv`.
#[wasm_bindgen(unchecked_return_type = "Diff")]
pub fn diff(
    #[wasm_bindgen(unchecked_param_type = "Iterable<Record<string, unknown>>")] records: JsValue,
    old_pack: &Pack,
    new_pack: &Pack,
    #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
) -> Result<JsValue, JsValue> {
    let period = parse_period(period)?;
    let diff = Diff::run(&old_pack.pack, &new_pack.pack, period, &inputs(&records))
        .map_err(|e| to_js_error(&e))?;
    let value = parse_json(&serde_json::to_string(&diff).expect("a diff serializes"));
    set(&value, "html", &JsValue::from_str(&diff.to_html()));
    set(&value, "csv", &JsValue::from_str(&diff.to_csv()));
    Ok(value)
}

/// [`diff`] of a whole file (CSV, JSON Lines or a JSON array, read with the
/// CLI's reader and `oldPack`'s fields): what the page's tuning view shows.
#[wasm_bindgen(js_name = diffFile, unchecked_return_type = "Diff")]
pub fn diff_file(
    bytes: Vec<u8>,
    #[wasm_bindgen(unchecked_param_type = "FileFormatName")] format: JsValue,
    old_pack: &Pack,
    new_pack: &Pack,
    #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
) -> Result<JsValue, JsValue> {
    let format = text_arg(&format, "format")?;
    let period = parse_period(period)?;
    let inputs = read_file(bytes, &format, &old_pack.pack)?;
    let diff =
        Diff::run(&old_pack.pack, &new_pack.pack, period, &inputs).map_err(|e| to_js_error(&e))?;
    let value = parse_json(&serde_json::to_string(&diff).expect("a diff serializes"));
    set(&value, "html", &JsValue::from_str(&diff.to_html()));
    set(&value, "csv", &JsValue::from_str(&diff.to_csv()));
    Ok(value)
}

/// Every record of a file: CSV, JSON Lines, a JSON array, or a workbook
/// (`xlsx`, `xls`, `ods`: its first sheet), read with `pack`'s fields.
fn read_file(
    bytes: Vec<u8>,
    format: &str,
    pack: &chamdiem::Pack,
) -> Result<Vec<RecordInput>, JsValue> {
    let mut warnings = Vec::new();
    let workbook = match format {
        "xlsx" => Some(chamdiem::WorkbookFormat::Xlsx),
        "xls" => Some(chamdiem::WorkbookFormat::Xls),
        "ods" => Some(chamdiem::WorkbookFormat::Ods),
        _ => None,
    };
    if let Some(kind) = workbook {
        let book = chamdiem::read_workbook(
            bytes,
            Some(kind),
            pack,
            &mut warnings,
            &chamdiem::WorkbookOptions::default(),
        )
        .map_err(|e| to_js_error(&e))?;
        return book
            .records
            .map(|r| r.map(|(_, input)| input))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| to_js_error(&e));
    }
    let format = match format {
        "csv" => chamdiem::InputFormat::Csv,
        "jsonl" | "ndjson" => chamdiem::InputFormat::JsonLines,
        "json" => chamdiem::InputFormat::JsonArray,
        other => {
            return Err(argument_error(
                format!("không biết định dạng '{other}' (csv, jsonl, json, xlsx, xls hoặc ods)"),
                Some("format"),
            ))
        }
    };
    let records = chamdiem::read_records(
        Box::new(std::io::Cursor::new(bytes)),
        format,
        pack,
        &mut warnings,
    )
    .map_err(|e| to_js_error(&e))?;
    records
        .collect::<Result<Vec<RecordInput>, chamdiem::Error>>()
        .map_err(|e| to_js_error(&e))
}
