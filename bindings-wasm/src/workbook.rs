//! Workbooks in JavaScript: the pack's input template (`pack.template()`)
//! and scoring the rows of a `.xlsx`/`.xls`/`.ods` sheet
//! (`pack.scoreWorkbook(bytes, period, {sheet})`). Reading and writing are
//! the core's: the same as `chamdiem template` and `chamdiem score FILE.xlsx`.

use chamdiem::{Position, Scorer, WorkbookOptions, WorkbookRecords};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::errors::{argument_error, to_js_error};
use crate::{parse_json, parse_period, FileScoring, Pack};

/// The sheet named in `{sheet: "…"}`, if any.
fn sheet_of(options: &JsValue) -> Result<Option<String>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(argument_error(
            "cần một đối tượng {sheet}".into(),
            Some("options"),
        ));
    }
    let sheet = Reflect::get(options, &"sheet".into()).unwrap_or(JsValue::UNDEFINED);
    if sheet.is_undefined() || sheet.is_null() {
        return Ok(None);
    }
    sheet
        .as_string()
        .map(Some)
        .ok_or_else(|| argument_error("sheet phải là tên một trang tính".into(), Some("sheet")))
}

impl Pack {
    fn read_workbook(
        &self,
        bytes: Vec<u8>,
        options: &JsValue,
        warnings: &mut Vec<String>,
    ) -> Result<WorkbookRecords, JsValue> {
        let options = WorkbookOptions::default().sheet(sheet_of(options)?);
        chamdiem::read_workbook(bytes, None, &self.pack, warnings, &options)
            .map_err(|e| to_js_error(&e))
    }
}

#[wasm_bindgen]
impl Pack {
    /// The pack's blank input workbook (`.xlsx` bytes): Vietnamese labels over
    /// the field keys, one row per enterprise, drop-downs and checks from the
    /// declared fields, and a notes sheet (`Ghi chú`).
    #[cfg(feature = "xlsx-write")]
    pub fn template(&self) -> Result<Vec<u8>, JsValue> {
        chamdiem::write_template(&self.pack).map_err(|e| to_js_error(&e))
    }

    /// Scores every record of a workbook's sheet (`{sheet}` by name, else the
    /// first): one result per row, in order, each the CLI's JSON line with
    /// `source: {sheet, row}`. A row that cannot be read gets its `error`
    /// result; a workbook that cannot be read at all throws.
    #[wasm_bindgen(js_name = scoreWorkbook, unchecked_return_type = "WorkbookResult[]")]
    pub fn score_workbook(
        &self,
        bytes: Vec<u8>,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WorkbookOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut warnings = Vec::new();
        let book = self.read_workbook(bytes, &options, &mut warnings)?;
        let sheet = serde_json::to_string(&book.sheet).expect("a string serializes");
        let records = book
            .records
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| to_js_error(&e))?;
        let json = self.with_scorer(period, |s| {
            let mut json = String::with_capacity(records.len() * 1024 + 2);
            json.push('[');
            for (i, (position, input)) in records.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                let mut line = s.score_input(input).to_json_line();
                line.pop(); // the closing `}`: the source goes before it
                let (Position::Line(row) | Position::Element(row)) = *position;
                line.push_str(&format!(
                    ",\"source\":{{\"sheet\":{sheet},\"row\":{row}}}}}"
                ));
                json.push_str(&line);
            }
            json.push(']');
            json
        })?;
        Ok(parse_json(&json))
    }

    /// A workbook's sheet scored step by step, as `scoreFile` scores a CSV
    /// (the page's worker uses it): call `step(n)` until `done`.
    #[wasm_bindgen(js_name = scoreWorkbookFile)]
    pub fn score_workbook_file(
        &self,
        bytes: Vec<u8>,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WorkbookOptions")] options: JsValue,
    ) -> Result<FileScoring, JsValue> {
        let period = parse_period(period)?;
        let scorer = Scorer::new(&self.pack, period).map_err(|e| to_js_error(&e))?;
        let mut warnings = Vec::new();
        let book = self.read_workbook(bytes, &options, &mut warnings)?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(chamdiem::csv_header(&self.pack))
            .expect("writing to memory");
        Ok(FileScoring {
            records: Box::new(book.records.map(|r| r.map(|(_, input)| input))),
            scorer,
            warnings,
            csv,
            count: 0,
            done: false,
            failure: None,
        })
    }
}
