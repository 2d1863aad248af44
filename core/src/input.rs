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

    /// The format the first bytes of an unnamed input (standard input) look
    /// like: `{` starts JSON Lines, `[` a JSON array, a first line with `,`
    /// or `;` a CSV header. `None` when it cannot be told.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
        let head = &head[start..];
        match head[0] {
            b'{' => Some(InputFormat::JsonLines),
            b'[' => Some(InputFormat::JsonArray),
            _ => {
                let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
                line.iter()
                    .any(|&b| b == b',' || b == b';')
                    .then_some(InputFormat::Csv)
            }
        }
    }
}

/// Where a record starts in its input, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// A line of a JSON Lines or CSV file (from 1).
    Line(u64),
    /// An element of a JSON array (from 1).
    Element(u64),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Line(n) => write!(f, "dòng {n}"),
            Position::Element(n) => write!(f, "phần tử thứ {n} của mảng"),
        }
    }
}

/// A stream of records; `Err` only when the input as a whole cannot be read
/// further (an I/O error, a JSON array that breaks off).
pub type Records = Box<dyn Iterator<Item = Result<RecordInput, Error>> + Send>;

/// A stream of records with where each starts.
pub type NumberedRecords = Box<dyn Iterator<Item = Result<(Position, RecordInput), Error>> + Send>;

/// Reads records of `format` from `reader`. For CSV, the pack's declared
/// field types say how each cell is read; `warnings` receives notes about
/// the whole file (columns the pack does not know, a required column
/// missing, a file that is not UTF-8), to show once before the results.
pub fn read_records(
    reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<Records, Error> {
    let numbered = read_numbered_records(reader, format, pack, warnings)?;
    Ok(Box::new(numbered.map(|r| r.map(|(_, input)| input))))
}

/// [`read_records`], with the [`Position`] where each record starts.
pub fn read_numbered_records(
    mut reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<NumberedRecords, Error> {
    let head = reader
        .fill_buf()
        .map_err(|e| Error::Input(describe_io_error(&e)))?;
    if let Err(e) = std::str::from_utf8(head) {
        // An error at the very end may be a character cut by the buffer.
        if e.error_len().is_some() {
            warnings.push(
                "tệp không phải văn bản UTF-8 (có thể đã lưu bằng bảng mã Windows-1258, \
                 TCVN3 hoặc VNI): các bản ghi có chữ sai mã sẽ bị lỗi; hãy lưu lại dạng UTF-8 \
                 (Excel: \"CSV UTF-8\")"
                    .into(),
            );
        }
    }
    match format {
        InputFormat::JsonLines => Ok(Box::new(JsonLines {
            reader,
            first: true,
            line: 0,
        })),
        InputFormat::JsonArray => json_array(reader),
        InputFormat::Csv => csv_records(reader, pack, warnings),
    }
}

/// An I/O error in Vietnamese (`No such file or directory` →
/// `không có tệp hoặc thư mục này`).
pub fn describe_io_error(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match error.kind() {
        NotFound => "không có tệp hoặc thư mục này",
        PermissionDenied => "không có quyền đọc/ghi",
        AlreadyExists => "tệp đã có",
        BrokenPipe => "chương trình nhận kết quả đã đóng đường ống",
        InvalidData => "dữ liệu không hợp lệ (không phải UTF-8?)",
        UnexpectedEof => "tệp kết thúc giữa chừng",
        IsADirectory => "đây là một thư mục, không phải tệp",
        NotADirectory => "một phần của đường dẫn không phải thư mục",
        StorageFull => "ổ đĩa đã đầy",
        ReadOnlyFilesystem => "ổ đĩa chỉ cho đọc",
        Interrupted => "bị ngắt giữa chừng",
        _ => return format!("lỗi vào/ra: {error}"),
    };
    what.to_string()
}

struct JsonLines {
    reader: Box<dyn BufRead + Send>,
    first: bool,
    line: u64,
}

impl Iterator for JsonLines {
    type Item = Result<(Position, RecordInput), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buffer = Vec::with_capacity(2048);
        loop {
            buffer.clear();
            match self.reader.read_until(b'\n', &mut buffer) {
                Ok(0) => return None,
                Ok(_) => self.line += 1,
                Err(e) => return Some(Err(Error::Input(describe_io_error(&e)))),
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
            let input = match String::from_utf8(buffer) {
                Ok(text) => RecordInput::JsonLine(text),
                Err(_) => RecordInput::Unreadable {
                    id: None,
                    message: "dòng không phải văn bản UTF-8".into(),
                },
            };
            return Some(Ok((Position::Line(self.line), input)));
        }
    }
}

/// Streams the elements of a top-level JSON array from a reader thread.
#[cfg(not(target_arch = "wasm32"))]
fn json_array(reader: Box<dyn BufRead + Send>) -> Result<NumberedRecords, Error> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    use std::sync::mpsc::{sync_channel, SyncSender};

    struct Elements(SyncSender<Result<(Position, RecordInput), Error>>);

    impl<'de> Visitor<'de> for Elements {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("một mảng JSON các bản ghi")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut n = 0;
            while let Some(element) = seq.next_element::<Element>()? {
                n += 1;
                let input = if element.repeats.is_empty() {
                    RecordInput::Json(element.value)
                } else {
                    RecordInput::Unreadable {
                        id: crate::score::id_of(element.value.get("id")),
                        message: crate::score::repeated_keys_message(&element.repeats),
                    }
                };
                if self.0.send(Ok((Position::Element(n), input))).is_err() {
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
                "tệp JSON phải là một mảng các bản ghi: {}",
                crate::score::describe_json_error(&e, true)
            ))));
        }
    });
    Ok(Box::new(receiver.into_iter()))
}

#[cfg(target_arch = "wasm32")]
fn json_array(mut reader: Box<dyn BufRead + Send>) -> Result<NumberedRecords, Error> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| Error::Input(describe_io_error(&e)))?;
    let values: Vec<Element> =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            Error::Input(format!(
                "tệp JSON phải là một mảng các bản ghi: {}",
                crate::score::describe_json_error(&e, true)
            ))
        })?;
    Ok(Box::new(values.into_iter().enumerate().map(|(i, e)| {
        let input = if e.repeats.is_empty() {
            RecordInput::Json(e.value)
        } else {
            RecordInput::Unreadable {
                id: crate::score::id_of(e.value.get("id")),
                message: crate::score::repeated_keys_message(&e.repeats),
            }
        };
        Ok((Position::Element(i as u64 + 1), input))
    })))
}

/// One element of a JSON array, and the keys its object gives more than
/// once (which `serde_json::Value` would silently collapse to the last).
struct Element {
    value: Json,
    repeats: Vec<String>,
}

impl<'de> serde::Deserialize<'de> for Element {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, Visitor};
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = Element;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("một bản ghi JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
                let mut object = Map::new();
                let mut repeats = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Json>()?;
                    if object.contains_key(&key) && !repeats.contains(&key) {
                        repeats.push(key.clone());
                    }
                    object.insert(key, value);
                }
                Ok(Element {
                    value: Json::Object(object),
                    repeats,
                })
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Element, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Json>()? {
                    items.push(item);
                }
                Ok(Element::plain(Json::Array(items)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Element, E> {
                Ok(Element::plain(Json::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Element, E> {
                Ok(Element::plain(Json::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Element, E> {
                Ok(Element::plain(Json::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Element, E> {
                Ok(Element::plain(Json::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Element, E> {
                Ok(Element::plain(Json::from(v)))
            }
            fn visit_unit<E>(self) -> Result<Element, E> {
                Ok(Element::plain(Json::Null))
            }
        }
        deserializer.deserialize_any(ElementVisitor)
    }
}

impl Element {
    fn plain(value: Json) -> Self {
        Element {
            value,
            repeats: Vec::new(),
        }
    }
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
    let head = reader
        .fill_buf()
        .map_err(|e| Error::Input(describe_io_error(&e)))?;
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
) -> Result<NumberedRecords, Error> {
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
    let mut repeated = Vec::new();
    for header in headers.iter() {
        let name = String::from_utf8_lossy(header).trim().to_string();
        let index = fields.iter().position(|f| f.name == name);
        if index.is_none() && !name.is_empty() {
            unknown.push(crate::escape_controls(&name).into_owned());
        }
        if index.is_some() && columns.contains(&index) && !repeated.contains(&name) {
            repeated.push(name);
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
    if !repeated.is_empty() {
        warnings.push(format!(
            "dòng tiêu đề có cột lặp lại: {}; dòng nào ghi hai giá trị khác nhau ở các cột đó sẽ bị lỗi",
            repeated.join(", ")
        ));
    }
    let missing: Vec<String> = fields
        .iter()
        .enumerate()
        .filter(|(i, f)| f.required && !columns.contains(&Some(*i)))
        .map(|(_, f)| crate::field_with_label(pack, &f.name))
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "tệp CSV thiếu cột bắt buộc: {}; dòng nào cần các trường này sẽ bị lỗi",
            missing.join("; ")
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
                let line = e.position().map_or(0, |p| p.line());
                return Ok((
                    Position::Line(line),
                    RecordInput::Unreadable {
                        id: None,
                        message: format!("dòng CSV không đọc được: {e}"),
                    },
                ));
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let position = Position::Line(line);
        let id = id_column
            .and_then(|c| row.get(c))
            .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
            .filter(|id| !id.is_empty());
        if row.len() != columns.len() {
            // Only a quoted cell holds a line break: a short row with one is
            // an opening quote never closed, which swallowed the lines after it.
            let quoted_break = row.iter().any(|cell| cell.contains(&b'\n'));
            let swallowed = quoted_break && row.len() < columns.len();
            let id_swallowed = id_column
                .and_then(|c| row.get(c))
                .is_some_and(|cell| cell.contains(&b'\n'));
            let id = if swallowed && id_swallowed { None } else { id };
            let message = if swallowed {
                let mut breaks: u64 = row
                    .iter()
                    .map(|cell| cell.iter().filter(|&&b| b == b'\n').count() as u64)
                    .sum();
                if row.iter().next_back().is_some_and(|cell| cell.ends_with(b"\n")) {
                    breaks = breaks.saturating_sub(1); // the file's last line break
                }
                let lines = if breaks > 0 {
                    format!("các dòng {line}–{} bị gộp vào một ô", line + breaks)
                } else {
                    "đến hết tệp".to_string()
                };
                format!(
                    "dấu ngoặc kép (\") mở ở dòng {line} không được đóng ({lines}); \
                     hãy đóng ngoặc kép rồi chấm lại"
                )
            } else {
                format!(
                    "dòng CSV có {} ô, dòng tiêu đề có {} cột",
                    row.len(),
                    columns.len()
                )
            };
            return Ok((position, RecordInput::Unreadable { id, message }));
        }
        let mut record = Map::new();
        let mut seen: Vec<(usize, &[u8])> = Vec::new();
        for (cell, column) in row.iter().zip(&columns) {
            let Some(index) = *column else { continue };
            let field = &fields[index];
            if let Some((_, earlier)) = seen.iter().find(|(i, _)| *i == index) {
                if earlier.trim_ascii() != cell.trim_ascii() {
                    let message = format!(
                        "cột '{}' có hai lần trong dòng tiêu đề và hai giá trị khác nhau ở dòng này",
                        field.name
                    );
                    return Ok((position, RecordInput::Unreadable { id, message }));
                }
                continue;
            }
            seen.push((index, cell));
            let Ok(text) = std::str::from_utf8(cell) else {
                return Ok((
                    position,
                    RecordInput::Unreadable {
                        id,
                        message: format!("ô '{}' không phải văn bản UTF-8", field.name),
                    },
                ));
            };
            record.insert(field.name.clone(), coerce_text(&field.ty, text));
        }
        Ok((position, RecordInput::Json(Json::Object(record))))
    });
    Ok(Box::new(rows))
}
