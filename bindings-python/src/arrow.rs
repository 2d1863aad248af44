//! Tables in through the Arrow C stream interface (`__arrow_c_stream__`:
//! pyarrow, polars, pandas through pyarrow): the columns cross as Arrow
//! buffers, and each record's declared fields are read from them straight
//! into the core's values, with no Python object and no JSON text per row.
//!
//! Every value becomes what the JSON path makes of the same Python value, so
//! the results are the CLI's: a null or NaN is `null`, a date is its ISO
//! text, a timestamp at midnight is its date, any other timestamp keeps its
//! time (the core refuses it as a date). A column of a type not read here
//! (a time zone, decimals, structs, binary) is refused as a whole with the
//! reason, and the caller scores the table through the JSON path instead.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, Schema, TimeUnit};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use serde_json::Value as Json;

/// Records held as Arrow record batches, with the columns of the pack's
/// declared fields found.
pub struct Table {
    batches: Vec<RecordBatch>,
    /// The first row of each batch, in the whole table.
    starts: Vec<usize>,
    rows: usize,
    /// For each declared field, in the pack's order, its column (if any).
    columns: Vec<Option<usize>>,
}

/// Reads every batch of a stream capsule (taking the stream: the capsule's
/// own release then does nothing).
pub fn import(capsule: &Bound<'_, PyAny>) -> PyResult<(Schema, Vec<RecordBatch>)> {
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyValueError::new_err("__arrow_c_stream__ must return a PyCapsule"))?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: a capsule named "arrow_array_stream" holds an
    // `ArrowArrayStream` (the Arrow PyCapsule interface); `from_raw` moves it
    // out and leaves a released stream behind.
    let reader = unsafe {
        RecordBatchStreamReader::from_raw(pointer.as_ptr().cast::<FFI_ArrowArrayStream>())
    }
    .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    let schema = reader.schema().as_ref().clone();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    Ok((schema, batches))
}

impl Table {
    /// The table for a pack with `fields` (declared names, in order); `Err`
    /// with the reason when a declared field's column cannot be read here.
    pub fn new(
        schema: &Schema,
        batches: Vec<RecordBatch>,
        fields: &[&str],
    ) -> Result<Self, String> {
        let mut columns = Vec::with_capacity(fields.len());
        for name in fields {
            let mut found = schema
                .fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name() == name);
            let column = found.next();
            if found.next().is_some() {
                return Err(format!("the column {name:?} appears more than once"));
            }
            if let Some((_, field)) = column {
                readable(field.data_type())
                    .map_err(|why| format!("column {name:?} ({}): {why}", field.data_type()))?;
            }
            columns.push(column.map(|(i, _)| i));
        }
        let mut starts = Vec::with_capacity(batches.len());
        let mut rows = 0;
        for batch in &batches {
            starts.push(rows);
            rows += batch.num_rows();
        }
        Ok(Table {
            batches,
            starts,
            rows,
            columns,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Writes row `row`'s declared fields into `values` (one per field).
    pub fn fill(&self, row: usize, values: &mut [Option<Json>]) {
        let b = self.starts.partition_point(|&start| start <= row) - 1;
        let batch = &self.batches[b];
        let i = row - self.starts[b];
        for (value, column) in values.iter_mut().zip(&self.columns) {
            if let Some(column) = column {
                *value = Some(cell(batch.column(*column).as_ref(), i));
            }
        }
    }
}

/// Whether values of `ty` are read here; if not, why.
fn readable(ty: &DataType) -> Result<(), String> {
    match ty {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, None) => Ok(()),
        DataType::Timestamp(_, Some(_)) => Err("timestamps with a time zone".into()),
        DataType::List(item) | DataType::LargeList(item) => readable(item.data_type()),
        DataType::Dictionary(key, value) if key.is_integer() => readable(value),
        _ => Err("this type is not read from Arrow".into()),
    }
}

/// The value of `array` at `i`, as the JSON path makes it.
fn cell(array: &dyn Array, i: usize) -> Json {
    if array.is_null(i) {
        return Json::Null;
    }
    match array.data_type() {
        // A column with no values (pandas' all-`None` column): its nulls are
        // logical, not in a validity buffer, so `is_null` says false.
        DataType::Null => Json::Null,
        DataType::Boolean => Json::Bool(array.as_boolean().value(i)),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(i).into(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(i).into(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(i).into(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).into(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(i).into(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(i).into(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(i).into(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(i).into(),
        // NaN and infinities are not numbers in JSON: missing, as on the JSON path.
        DataType::Float32 => float(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => Json::String(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Json::String(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Json::String(array.as_string_view().value(i).to_string()),
        DataType::Date32 => date_time(
            i64::from(array.as_primitive::<Date32Type>().value(i)) * SECONDS_A_DAY,
            0,
        ),
        DataType::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(i);
            date_time(ms.div_euclid(1000), ms.rem_euclid(1000) * 1_000_000)
        }
        DataType::Timestamp(unit, _) => {
            let (v, per_second) = match unit {
                TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(i), 1),
                TimeUnit::Millisecond => (
                    array.as_primitive::<TimestampMillisecondType>().value(i),
                    1_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<TimestampMicrosecondType>().value(i),
                    1_000_000,
                ),
                TimeUnit::Nanosecond => (
                    array.as_primitive::<TimestampNanosecondType>().value(i),
                    1_000_000_000,
                ),
            };
            let nanos = v.rem_euclid(per_second) * (1_000_000_000 / per_second);
            date_time(v.div_euclid(per_second), nanos)
        }
        DataType::List(_) => list(array.as_list::<i32>().value(i).as_ref()),
        DataType::LargeList(_) => list(array.as_list::<i64>().value(i).as_ref()),
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            match cell(dictionary.keys(), i).as_u64() {
                Some(key) => cell(dictionary.values().as_ref(), key as usize),
                None => Json::Null,
            }
        }
        // `readable` admits nothing else.
        other => unreachable!("type {other} was checked to be readable"),
    }
}

fn float(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

fn list(items: &dyn Array) -> Json {
    Json::Array((0..items.len()).map(|j| cell(items, j)).collect())
}

const SECONDS_A_DAY: i64 = 86_400;

/// A moment as Python's `isoformat` writes it: the date alone at midnight
/// (a date), else `YYYY-MM-DDTHH:MM:SS` with the fraction when there is one
/// (not a date: the core says so).
fn date_time(seconds: i64, nanos: i64) -> Json {
    let days = seconds.div_euclid(SECONDS_A_DAY);
    let in_day = seconds.rem_euclid(SECONDS_A_DAY);
    let Some(date) = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::try_days(days)?))
    else {
        // Beyond chrono's calendar: the number of days, which the core refuses as a date.
        return Json::from(days);
    };
    let mut text = date.format("%Y-%m-%d").to_string();
    if in_day != 0 || nanos != 0 {
        let _ = write!(
            text,
            "T{:02}:{:02}:{:02}",
            in_day / 3600,
            in_day % 3600 / 60,
            in_day % 60
        );
        if nanos % 1000 != 0 {
            let _ = write!(text, ".{nanos:09}");
        } else if nanos != 0 {
            let _ = write!(text, ".{:06}", nanos / 1000);
        }
    }
    Json::String(text)
}
