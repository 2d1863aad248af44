//! The report and the diff of the core (`chamdiem::report`) for Python:
//! records in, the core's JSON and rendered files (HTML, XLSX, CSV) out.
//! The DataFrames and file writing are in `python/chamdiem/_report.py`.

use chamdiem::report::{Diff, GroupBy, ReportBuilder, ReportOptions};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::{batch_input, parse_period, raise, NativePack};

/// The report or diff rendered: `(json, html, xlsx, csv)`, each present when
/// asked for in `formats`.
type Rendered<'py> = (
    String,
    Option<String>,
    Option<Bound<'py, PyBytes>>,
    Option<String>,
);

fn inputs(records: &Bound<'_, PyAny>) -> PyResult<Vec<chamdiem::RecordInput>> {
    records.try_iter()?.map(|r| batch_input(&r?)).collect()
}

/// Scores `records` with `pack` and builds the report: class counts per
/// unit (or province) and in total, totals, weakest criteria, ranking, due date.
#[pyfunction]
#[pyo3(signature = (pack, records, period, by=None, deadline=None, formats=Vec::new(), progress=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn report<'py>(
    py: Python<'py>,
    pack: &NativePack,
    records: &Bound<'py, PyAny>,
    period: &Bound<'py, PyAny>,
    by: Option<&str>,
    deadline: Option<String>,
    formats: Vec<String>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Rendered<'py>> {
    let period = parse_period(py, period)?;
    let by: GroupBy = match by {
        Some(by) => by.parse().map_err(|e| raise(py, e))?,
        None => GroupBy::Unit,
    };
    let options = ReportOptions { by, deadline };
    let mut builder = ReportBuilder::new(&pack.pack, period, &options).map_err(|e| raise(py, e))?;
    let results = pack.score_inputs(py, period, &inputs(records)?, progress, |r| r)?;
    builder.extend(&results);
    let report = builder.finish();
    let wants = |f: &str| formats.iter().any(|x| x == f);
    let xlsx = if wants("xlsx") {
        let bytes = report.to_xlsx().map_err(|e| raise(py, e))?;
        Some(PyBytes::new(py, &bytes))
    } else {
        None
    };
    Ok((
        report.to_json(),
        wants("html").then(|| report.to_html()),
        xlsx,
        None,
    ))
}

/// Scores `records` with both packs and compares them.
#[pyfunction]
#[pyo3(signature = (old, new, records, period, formats=Vec::new(), progress=None))]
pub(crate) fn diff<'py>(
    py: Python<'py>,
    old: &NativePack,
    new: &NativePack,
    records: &Bound<'py, PyAny>,
    period: &Bound<'py, PyAny>,
    formats: Vec<String>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Rendered<'py>> {
    let period = parse_period(py, period)?;
    let inputs = inputs(records)?;
    let old_results = old.score_inputs(py, period, &inputs, progress, |r| r)?;
    let new_results = new.score_inputs(py, period, &inputs, progress, |r| r)?;
    let diff = Diff::compare(&old.pack, &new.pack, period, &old_results, &new_results);
    let wants = |f: &str| formats.iter().any(|x| x == f);
    let xlsx = if wants("xlsx") {
        let bytes = diff.to_xlsx().map_err(|e| raise(py, e))?;
        Some(PyBytes::new(py, &bytes))
    } else {
        None
    };
    Ok((
        diff.to_json(),
        wants("html").then(|| diff.to_html()),
        xlsx,
        wants("csv").then(|| diff.to_csv()),
    ))
}
