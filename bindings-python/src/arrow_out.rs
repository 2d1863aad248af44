//! Results out as Arrow columns, for a pyarrow Table (and polars through
//! it): built here and handed to pyarrow through the Arrow C stream
//! interface, with no Python object per cell. Each column has the type the
//! Python side gives the same results built from lists (`_arrow_table`):
//! points `float64` (null where none), texts `string`, `gates`
//! `list<string>`, `unmet` `list<struct<band, reason>>`, `errors`
//! `list<struct<field, code, message>>`. The carried fields' columns are not
//! here: their type is their values', inferred in Python as before.

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, ListBuilder, StringBuilder, StructBuilder};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema};
use chamdiem::{Pack, Points, ScoreResult, Status};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// A column of texts, null where `text` gives none. Its buffer is sized
/// first: the reasons' columns are most of the table's bytes, and growing
/// them would copy each several times.
fn texts<'a>(
    results: &'a [ScoreResult],
    text: impl Fn(&'a ScoreResult) -> Option<&'a str>,
) -> ArrayRef {
    let bytes = results.iter().map(|r| text(r).map_or(0, str::len)).sum();
    let mut column = StringBuilder::with_capacity(results.len(), bytes);
    for result in results {
        column.append_option(text(result));
    }
    Arc::new(column.finish())
}

/// A column of points, null where `points` gives none.
fn points(results: &[ScoreResult], points: impl Fn(&ScoreResult) -> Option<Points>) -> ArrayRef {
    Arc::new(
        results
            .iter()
            .map(|r| points(r).map(Points::as_f64))
            .collect::<Float64Array>(),
    )
}

/// A `list<struct<…>>` column of texts: for each result, its rows of
/// `names.len()` texts each (a `None` text is null).
fn struct_lists<'a, R>(
    results: &'a [ScoreResult],
    names: &[&str],
    rows: impl Fn(&'a ScoreResult) -> R,
) -> ArrayRef
where
    R: Iterator<Item = Vec<Option<&'a str>>>,
{
    let fields: Fields = names
        .iter()
        .map(|name| Field::new(*name, DataType::Utf8, true))
        .collect();
    let builders = names
        .iter()
        .map(|_| Box::new(StringBuilder::new()) as Box<dyn arrow_array::builder::ArrayBuilder>)
        .collect();
    let mut lists = ListBuilder::new(StructBuilder::new(fields, builders));
    for result in results {
        for row in rows(result) {
            let entry = lists.values();
            for (i, text) in row.into_iter().enumerate() {
                entry
                    .field_builder::<StringBuilder>(i)
                    .expect("a text field")
                    .append_option(text);
            }
            entry.append(true);
        }
        lists.append(true);
    }
    Arc::new(lists.finish())
}

/// The result table without its carried fields (`carried` of them, right
/// after `id`), named as the CLI's CSV header.
pub fn batch(
    pack: &Pack,
    results: &[ScoreResult],
    carried: usize,
) -> Result<RecordBatch, ArrowError> {
    let scored = |r: &ScoreResult| r.status() == Status::Scored;
    let mut columns: Vec<ArrayRef> = vec![
        texts(results, ScoreResult::id),
        Arc::new(
            results
                .iter()
                .map(|r| r.period().map(|p| p.to_string()))
                .collect::<StringArray>(),
        ),
        texts(results, |r| Some(r.status().as_str())),
        points(results, ScoreResult::total),
        texts(results, ScoreResult::class),
        texts(results, ScoreResult::class_label),
    ];
    // Groups, criteria and reasons row by row: a result's points and
    // reasons are read once, not once per column (column by column, every
    // column walked all the results' vectors again, a cache miss each).
    let n = results.len();
    let (groups, criteria) = (pack.groups().len(), pack.criteria().len());
    let mut group_points: Vec<Float64Builder> = (0..groups)
        .map(|_| Float64Builder::with_capacity(n))
        .collect();
    let mut criterion_points: Vec<Float64Builder> = (0..criteria)
        .map(|_| Float64Builder::with_capacity(n))
        .collect();
    let mut reasons: Vec<StringBuilder> = (0..criteria)
        .map(|_| StringBuilder::with_capacity(n, 64 * n))
        .collect();
    for result in results {
        let mut given = (0, 0);
        if scored(result) {
            for (column, (_, p)) in group_points.iter_mut().zip(result.groups()) {
                column.append_value(p.as_f64());
                given.0 += 1;
            }
            for ((points, texts), ((_, p), (_, reason))) in criterion_points
                .iter_mut()
                .zip(reasons.iter_mut())
                .zip(result.criteria().zip(result.reasons()))
            {
                points.append_value(p.as_f64());
                texts.append_value(reason);
                given.1 += 1;
            }
        }
        group_points[given.0..]
            .iter_mut()
            .for_each(Float64Builder::append_null);
        criterion_points[given.1..]
            .iter_mut()
            .for_each(Float64Builder::append_null);
        reasons[given.1..]
            .iter_mut()
            .for_each(StringBuilder::append_null);
    }
    let finished = |mut b: Float64Builder| Arc::new(b.finish()) as ArrayRef;
    columns.extend(group_points.into_iter().map(finished));
    columns.extend(criterion_points.into_iter().map(finished));
    let mut gates = ListBuilder::new(StringBuilder::new());
    for result in results {
        for gate in result.gates() {
            gates.values().append_value(gate);
        }
        gates.append(true);
    }
    columns.push(Arc::new(gates.finish()));
    columns.push(struct_lists(results, &["band", "reason"], |r| {
        r.unmet()
            .map(|(band, reason)| vec![Some(band), Some(reason)])
    }));
    columns.extend(
        reasons
            .into_iter()
            .map(|mut b| Arc::new(b.finish()) as ArrayRef),
    );
    // A record's errors as the CLI writes them (`chamdiem::FieldError`).
    columns.push(struct_lists(results, &["field", "code", "message"], |r| {
        r.errors().iter().map(|e| {
            vec![
                e.field.as_deref(),
                Some(e.code.as_str()),
                Some(e.message.as_str()),
            ]
        })
    }));
    columns.push(texts(results, |r| Some(r.pack().id.as_str())));
    columns.push(texts(results, |r| Some(r.pack().version.as_str())));
    columns.push(texts(results, |r| Some(r.pack().fingerprint.as_str())));
    let mut names = chamdiem::csv_header(pack);
    names.drain(1..1 + carried);
    let fields: Vec<Field> = names
        .into_iter()
        .zip(&columns)
        .map(|(name, column)| Field::new(name, column.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

/// `batch` as an Arrow C stream in a PyCapsule named `arrow_array_stream`
/// (the Arrow PyCapsule interface: `pyarrow.table` takes it).
pub fn stream<'py>(py: Python<'py>, batches: Vec<RecordBatch>) -> PyResult<Bound<'py, PyCapsule>> {
    let schema = batches.first().expect("at least one batch").schema();
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    PyCapsule::new_with_value(
        py,
        FFI_ArrowArrayStream::new(Box::new(reader)),
        c"arrow_array_stream",
    )
}
