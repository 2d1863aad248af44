//! Reading records from JSON Lines, a JSON array or CSV, one at a time, so a
//! file of any size is read in bounded memory. A record that cannot be read
//! becomes [`RecordInput::Unreadable`], never the end of the file.

use std::io::BufRead;
use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::fields::coerce_text;
use crate::{Error, Pack};

/// One input record, as a front end hands it to the core.
#[derive(Clone, Debug)]
pub enum RecordInput {
    /// A parsed JSON value (it should be an object).
    Json(Json),
    /// One line of JSON Lines, not yet parsed (parsed on the scoring thread).
    JsonLine(String),
    /// A record that could not be read; it still gets its `error` result.
    Unreadable {
        /// Its id, if known.
        id: Option<String>,
        /// Why it could not be read, in Vietnamese.
        message: String,
    },
}

/// The formats records can be read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object per line (`.jsonl`, standard input).
    JsonLines,
    /// One JSON array of objects (`.json`).
    JsonArray,
    /// A header row of field names, then one record per row (`.csv`).
    Csv,
}

impl InputFormat {
    /// The format a file's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(InputFormat::JsonLines),
            "json" => Some(InputFormat::JsonArray),
            "csv" => Some(InputFormat::Csv),
            _ => None,
        }
    }
}

/// A stream of records; `Err` only when the input as a whole cannot be read
/// further (an I/O error, a JSON array that breaks off).
pub type Records = Box<dyn Iterator<Item = Result<RecordInput, Error>> + Send>;

/// Reads records of `format` from `reader`. For CSV, the pack's declared
/// field types say how each cell is read; `warnings` receives notes such as
/// columns the pack does not know.
pub fn read_records(
    reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<Records, Error> {
    match format {
        InputFormat::JsonLines => Ok(Box::new(JsonLines {
            reader,
            first: true,
        })),
        InputFormat::JsonArray => json_array(reader),
        InputFormat::Csv => csv_records(reader, pack, warnings),
    }
}

struct JsonLines {
    reader: Box<dyn BufRead + Send>,
    first: bool,
}

impl Iterator for JsonLines {
    type Item = Result<RecordInput, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buffer = Vec::with_capacity(2048);
        loop {
            buffer.clear();
            match self.reader.read_until(b'\n', &mut buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(Error::Input(e.to_string()))),
            }
            if std::mem::take(&mut self.first) && buffer.starts_with(b"\xEF\xBB\xBF") {
                buffer.drain(..3);
            }
            if buffer.iter().all(u8::is_ascii_whitespace) {
                continue; // a blank line is not a record
            }
            while buffer.last().is_some_and(u8::is_ascii_whitespace) {
                buffer.pop();
            }
            // The line's buffer becomes the record's text: no copy.
            return Some(Ok(match String::from_utf8(buffer) {
                Ok(text) => RecordInput::JsonLine(text),
                Err(_) => RecordInput::Unreadable {
                    id: None,
                    message: "dòng không phải văn bản UTF-8".into(),
                },
            }));
        }
    }
}

/// Streams the elements of a top-level JSON array from a reader thread.
#[cfg(not(target_arch = "wasm32"))]
fn json_array(reader: Box<dyn BufRead + Send>) -> Result<Records, Error> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    use std::sync::mpsc::{sync_channel, SyncSender};

    struct Elements(SyncSender<Result<RecordInput, Error>>);

    impl<'de> Visitor<'de> for Elements {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("một mảng JSON các bản ghi")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(value) = seq.next_element::<Json>()? {
                if self.0.send(Ok(RecordInput::Json(value))).is_err() {
                    break; // the consumer stopped
                }
            }
            Ok(())
        }
    }

    let (sender, receiver) = sync_channel(1024);
    std::thread::spawn(move || {
        let mut deserializer = serde_json::Deserializer::from_reader(SkipBom::new(reader));
        let result = deserializer
            .deserialize_seq(Elements(sender.clone()))
            .and_then(|()| deserializer.end());
        if let Err(e) = result {
            let _ = sender.send(Err(Error::Input(format!(
                "tệp JSON phải là một mảng các bản ghi: {e}"
            ))));
        }
    });
    Ok(Box::new(receiver.into_iter()))
}

#[cfg(target_arch = "wasm32")]
fn json_array(mut reader: Box<dyn BufRead + Send>) -> Result<Records, Error> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| Error::Input(e.to_string()))?;
    let values: Vec<Json> = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Error::Input(format!("tệp JSON phải là một mảng các bản ghi: {e}")))?;
    Ok(Box::new(
        values.into_iter().map(|v| Ok(RecordInput::Json(v))),
    ))
}

/// A reader that drops a leading UTF-8 byte order mark.
struct SkipBom<R> {
    inner: R,
    checked: bool,
}

impl<R: BufRead> SkipBom<R> {
    fn new(inner: R) -> Self {
        SkipBom {
            inner,
            checked: false,
        }
    }
}

impl<R: BufRead> std::io::Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !std::mem::replace(&mut self.checked, true) {
            let head = self.inner.fill_buf()?;
            if head.starts_with(b"\xEF\xBB\xBF") {
                self.inner.consume(3);
            }
        }
        self.inner.read(buf)
    }
}

/// `;` when the header row has more semicolons than commas (Excel writes
/// CSV that way where the decimal separator is a comma, as in Vietnam).
fn delimiter(reader: &mut dyn BufRead) -> Result<u8, Error> {
    let head = reader.fill_buf().map_err(|e| Error::Input(e.to_string()))?;
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    Ok(if count(b';') > count(b',') {
        b';'
    } else {
        b','
    })
}

fn csv_records(
    mut reader: Box<dyn BufRead + Send>,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<Records, Error> {
    let delimiter = delimiter(&mut reader)?;
    if delimiter == b';' {
        warnings.push("tệp CSV dùng dấu chấm phẩy (;) để ngăn cột".into());
    }
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(SkipBom::new(reader));
    let headers = csv
        .byte_headers()
        .map_err(|e| Error::Input(format!("không đọc được dòng tiêu đề CSV: {e}")))?
        .clone();
    let fields = pack.fields();
    let mut columns = Vec::new();
    let mut unknown = Vec::new();
    for header in headers.iter() {
        let name = String::from_utf8_lossy(header).trim().to_string();
        let index = fields.iter().position(|f| f.name == name);
        if index.is_none() && !name.is_empty() {
            unknown.push(name);
        }
        columns.push(index);
    }
    if !unknown.is_empty() {
        warnings.push(format!(
            "các cột không có trong bộ quy tắc {} bị bỏ qua: {}",
            pack.id(),
            unknown.join(", ")
        ));
    }
    let fields = fields.to_vec();
    let id_column = columns
        .iter()
        .position(|c| c.is_some_and(|i| fields[i].name == "id"));
    let rows = csv.into_byte_records().map(move |row| {
        let row = match row {
            Ok(row) => row,
            Err(e) if e.is_io_error() => return Err(Error::Input(e.to_string())),
            Err(e) => {
                return Ok(RecordInput::Unreadable {
                    id: None,
                    message: format!("dòng CSV không đọc được: {e}"),
                })
            }
        };
        let id = id_column
            .and_then(|c| row.get(c))
            .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
            .filter(|id| !id.is_empty());
        if row.len() != columns.len() {
            return Ok(RecordInput::Unreadable {
                id,
                message: format!(
                    "dòng CSV có {} ô, dòng tiêu đề có {} cột",
                    row.len(),
                    columns.len()
                ),
            });
        }
        let mut record = Map::new();
        for (cell, column) in row.iter().zip(&columns) {
            let Some(index) = *column else { continue };
            let field = &fields[index];
            let Ok(text) = std::str::from_utf8(cell) else {
                return Ok(RecordInput::Unreadable {
                    id,
                    message: format!("ô '{}' không phải văn bản UTF-8", field.name),
                });
            };
            record.insert(field.name.clone(), coerce_text(&field.ty, text));
        }
        Ok(RecordInput::Json(Json::Object(record)))
    });
    Ok(Box::new(rows))
}
