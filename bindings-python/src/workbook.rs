//! Workbooks from Python: the pack's input template, and scoring the rows of
//! a `.xlsx`/`.xls`/`.ods` sheet. Reading and writing are the core's
//! (`chamdiem::read_workbook`, `chamdiem::write_template`).

use chamdiem::{Position, WorkbookFormat, WorkbookOptions};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::{parse_period, raise, NativePack};

/// The pack's blank input workbook (`.xlsx` bytes).
#[pyfunction]
pub fn workbook_template<'py>(
    py: Python<'py>,
    pack: &Bound<'py, NativePack>,
) -> PyResult<Bound<'py, PyBytes>> {
    let pack = &pack.get().pack;
    let bytes = py
        .detach(|| chamdiem::write_template(pack))
        .map_err(|e| raise(py, e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Scores every record of one sheet of a workbook, given as a path or as
/// bytes. Returns the sheet read and, per record in order, its row number
/// and its result as the CLI's JSON line.
/// The sheet read, `(row, JSON line)` per record, and the reader's warnings.
type ScoredWorkbook = (String, Vec<(u64, String)>, Vec<String>);

#[pyfunction]
#[pyo3(signature = (pack, workbook, period, sheet=None, progress=None))]
pub fn score_workbook(
    py: Python<'_>,
    pack: &Bound<'_, NativePack>,
    workbook: &Bound<'_, PyAny>,
    period: &Bound<'_, PyAny>,
    sheet: Option<String>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<ScoredWorkbook> {
    let native = pack.get();
    let period = parse_period(py, period)?;
    let options = WorkbookOptions::default().sheet(sheet);
    let mut warnings = Vec::new();
    let read = if let Ok(bytes) = workbook.cast::<PyBytes>() {
        let bytes = bytes.as_bytes().to_vec();
        py.detach(|| {
            chamdiem::read_workbook(bytes, None, &native.pack, &mut warnings, &options)
                .and_then(|book| Ok((book.sheet, book.records.collect::<Result<Vec<_>, _>>()?)))
        })
    } else {
        let path: std::path::PathBuf = workbook.extract()?;
        if WorkbookFormat::from_path(&path).is_none() && !path.exists() {
            return Err(pyo3::exceptions::PyFileNotFoundError::new_err(
                path.display().to_string(),
            ));
        }
        py.detach(|| {
            chamdiem::read_workbook_file(&path, &native.pack, &mut warnings, &options)
                .and_then(|book| Ok((book.sheet, book.records.collect::<Result<Vec<_>, _>>()?)))
        })
    };
    let (sheet, records) = read.map_err(|e| raise(py, e))?;
    let (rows, inputs): (Vec<u64>, Vec<_>) = records
        .into_iter()
        .map(|(position, input)| {
            let row = match position {
                Position::Line(n) | Position::Element(n) => n,
            };
            (row, input)
        })
        .unzip();
    let lines = native.score_inputs(py, period, &inputs, progress, |r| r.to_json_line())?;
    Ok((sheet, rows.into_iter().zip(lines).collect(), warnings))
}
