//! `Pack.sensitivity`: the core's `Sensitivity::analyse`, with the GIL
//! released; the tables go back as JSON text for `_sensitivity.py` to turn
//! into DataFrames.

use chamdiem::{Sensitivity, SensitivityOptions, Table};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{batch_input, parse_period, raise, NativePack};

fn table_json(table: &Table) -> String {
    serde_json::json!({ "keys": table.keys, "labels": table.labels, "rows": table.rows })
        .to_string()
}

/// Analyses how stable each record's class is under `pack`; returns the
/// analysis, the records table and the criteria table, each as JSON text.
#[pyfunction]
#[pyo3(signature = (pack, records, period, vary, samples, seed, knife_edge))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sensitivity_json(
    py: Python<'_>,
    pack: PyRef<'_, NativePack>,
    records: &Bound<'_, PyAny>,
    period: &Bound<'_, PyAny>,
    vary: f64,
    samples: i128,
    seed: i128,
    knife_edge: f64,
) -> PyResult<(String, String, String)> {
    // Out of the core's integer types, a ValueError that says what fits
    // (pyo3's own is an OverflowError that does not).
    let samples = u32::try_from(samples).map_err(|_| {
        PyValueError::new_err(format!("samples must be from 1 to 1000000, got {samples}"))
    })?;
    let seed = u64::try_from(seed).map_err(|_| {
        PyValueError::new_err(format!("seed must be from 0 to 2**64 - 1, got {seed}"))
    })?;
    let period = parse_period(py, period)?;
    let inputs = records
        .try_iter()?
        .map(|r| batch_input(&r?))
        .collect::<PyResult<Vec<_>>>()?;
    let options = SensitivityOptions::new(vary, samples, seed, knife_edge);
    let pack = &pack.pack;
    let analysis = py
        .detach(|| Sensitivity::analyse(pack, period, &inputs, &options, &|| {}))
        .map_err(|e| raise(py, e))?;
    let json = serde_json::to_string(&analysis).expect("the analysis serializes");
    Ok((
        json,
        table_json(&analysis.record_table()),
        table_json(&analysis.criteria_table()),
    ))
}
