//! Reading records from JSON Lines, a JSON array or CSV (UTF-8, or UTF-16
//! with its byte order mark), one at a time, so a file of any size is read in
//! bounded memory. A record that cannot be read becomes
//! [`RecordInput::Unreadable`], never the end of the file.

use std::io::BufRead;
use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::fields::coerce_text;
use crate::{Error, Pack};

mod utf16;

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
            // Tab-separated text is read as CSV: the delimiter is found from the header.
            "csv" | "tsv" | "tab" => Some(InputFormat::Csv),
            _ => None,
        }
    }

    /// The format the first bytes of an unnamed input (standard input) look
    /// like: `{` starts JSON Lines, `[` a JSON array, a first line with `,`,
    /// `;` or a tab a CSV header. `None` when it cannot be told. UTF-16 text
    /// (with its byte order mark) is told as well as UTF-8.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let head = utf16::head_as_utf8(head);
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
        let head = &head[start..];
        match head[0] {
            b'{' => Some(InputFormat::JsonLines),
            b'[' => Some(InputFormat::JsonArray),
            _ => {
                let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
                line.iter()
                    .any(|&b| b == b',' || b == b';' || b == b'\t')
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

/// How records are read: the bounds that keep a hostile file (one endless
/// line, `/dev/zero`) from exhausting memory.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Bytes in one record: a JSON line, a JSON array's element, a CSV row
    /// (and the CSV header). A longer JSON line becomes that line's `error`
    /// result and reading goes on; in a JSON array or CSV it ends the input
    /// with an error (the records before it keep their results).
    pub max_record_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_record_bytes: 1024 * 1024,
        }
    }
}

impl ReadOptions {
    /// Sets [`max_record_bytes`](Self::max_record_bytes).
    #[must_use]
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    fn too_long(&self, what: &str) -> String {
        format!(
            "{what} dài hơn giới hạn {} byte (max_record_bytes)",
            self.max_record_bytes
        )
    }
}

/// Reads records of `format` from `reader` with the default [`ReadOptions`].
/// For CSV, the pack's declared field types say how each cell is read;
/// `warnings` receives notes about the whole file (columns the pack does not
/// know, a required column missing, a file that is not UTF-8), to show once
/// before the results.
pub fn read_records(
    reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<Records, Error> {
    read_records_with(reader, format, pack, warnings, &ReadOptions::default())
}

/// [`read_records`] with chosen [`ReadOptions`].
pub fn read_records_with(
    reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
    options: &ReadOptions,
) -> Result<Records, Error> {
    let numbered = read_numbered_records_with(reader, format, pack, warnings, options)?;
    Ok(Box::new(numbered.map(|r| r.map(|(_, input)| input))))
}

/// [`read_records`], with the [`Position`] where each record starts.
pub fn read_numbered_records(
    reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
) -> Result<NumberedRecords, Error> {
    read_numbered_records_with(reader, format, pack, warnings, &ReadOptions::default())
}

/// [`read_numbered_records`] with chosen [`ReadOptions`].
pub fn read_numbered_records_with(
    mut reader: Box<dyn BufRead + Send>,
    format: InputFormat,
    pack: &Pack,
    warnings: &mut Vec<String>,
    options: &ReadOptions,
) -> Result<NumberedRecords, Error> {
    reader = utf16::as_utf8(reader).map_err(|e| Error::Input(describe_io_error(&e)))?;
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
            failed: false,
            line: 0,
            options: options.clone(),
        })),
        InputFormat::JsonArray => json_array(reader, options),
        InputFormat::Csv => csv_records(reader, pack, warnings, options),
    }
}

/// An I/O error in Vietnamese (`No such file or directory` →
/// `không có tệp hoặc thư mục này`). Invalid data with a message of its own
/// (a record over the size cap, binary data) keeps that message.
pub fn describe_io_error(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match error.kind() {
        InvalidData if error.get_ref().is_some() => return error.to_string(),
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
    /// An error ended the reading: what follows it is not read.
    failed: bool,
    /// The number of the line read last (1-based).
    line: u64,
    options: ReadOptions,
}

/// One line read with a bound on what is kept.
enum Line {
    End,
    /// The line (with its newline, if any) is in the buffer.
    Kept,
    /// The line was longer than the bound: it was read to its end, not kept.
    TooLong,
}

/// Reads up to the next newline into `buffer`, keeping at most `max` bytes;
/// the rest of a longer line is read and dropped. Fails on a NUL byte in a
/// dropped part: that is binary data (`/dev/zero`), and the line might never end.
fn read_line_bounded(
    reader: &mut dyn BufRead,
    buffer: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let newline = memchr::memchr(b'\n', available);
        let take = newline.map_or(available.len(), |at| at + 1);
        let part = &available[..take];
        if !too_long && buffer.len() + part.len() > max.saturating_add(1) {
            too_long = true;
            buffer.clear();
        }
        if too_long {
            if memchr::memchr(0, part).is_some() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "dữ liệu nhị phân (byte NUL), không phải văn bản",
                ));
            }
        } else {
            buffer.extend_from_slice(part);
        }
        reader.consume(take);
        if newline.is_some() {
            break;
        }
    }
    Ok(match (read_any, too_long) {
        (false, _) => Line::End,
        (true, false) => Line::Kept,
        (true, true) => Line::TooLong,
    })
}

impl Iterator for JsonLines {
    type Item = Result<(Position, RecordInput), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let mut buffer = Vec::with_capacity(2048);
        loop {
            buffer.clear();
            // The line's newline and a BOM do not count against the bound.
            let max = self.options.max_record_bytes + 4;
            let line = read_line_bounded(&mut *self.reader, &mut buffer, max);
            self.line += 1;
            match line {
                Ok(Line::End) => return None,
                Ok(Line::Kept) => {}
                Ok(Line::TooLong) => {
                    self.first = false;
                    let what = format!("dòng {}", self.line);
                    return Some(Ok((
                        Position::Line(self.line),
                        RecordInput::Unreadable {
                            id: None,
                            message: self.options.too_long(&what),
                        },
                    )));
                }
                Err(e) => {
                    self.failed = true;
                    return Some(Err(Error::Input(format!(
                        "dòng {}: {}",
                        self.line,
                        describe_io_error(&e)
                    ))));
                }
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

/// A reader that fails once more than `max` bytes were read since the
/// counter was last set to zero (at the start of each record).
struct Capped<R> {
    inner: R,
    since_reset: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    max: usize,
    message: String,
}

impl<R: std::io::Read> std::io::Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering;
        let read = self.since_reset.load(Ordering::Relaxed);
        if read > self.max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                self.message.clone(),
            ));
        }
        // Never more than one byte past the bound.
        let room = (self.max + 1 - read).min(buf.len());
        let n = self.inner.read(&mut buf[..room])?;
        self.since_reset.fetch_add(n, Ordering::Relaxed);
        Ok(n)
    }
}

/// Streams the elements of a top-level JSON array from a reader thread.
#[cfg(not(target_arch = "wasm32"))]
fn json_array(
    reader: Box<dyn BufRead + Send>,
    options: &ReadOptions,
) -> Result<NumberedRecords, Error> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{sync_channel, SyncSender};
    use std::sync::Arc;

    struct Elements {
        sender: SyncSender<Result<(Position, RecordInput), Error>>,
        since_reset: Arc<AtomicUsize>,
    }

    impl<'de> Visitor<'de> for Elements {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("một mảng JSON các bản ghi")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut n = 0;
            loop {
                self.since_reset.store(0, Ordering::Relaxed);
                let Some(element) = seq.next_element::<Element>()? else {
                    break;
                };
                n += 1;
                let input = element.into_input();
                if self.sender.send(Ok((Position::Element(n), input))).is_err() {
                    break; // the consumer stopped
                }
            }
            Ok(())
        }
    }

    let (sender, receiver) = sync_channel(1024);
    let since_reset = Arc::new(AtomicUsize::new(0));
    // serde_json reads byte by byte: what the counter sees is the element itself.
    let capped = Capped {
        inner: SkipBom::new(reader),
        since_reset: Arc::clone(&since_reset),
        max: options.max_record_bytes,
        message: options.too_long("một phần tử của mảng JSON"),
    };
    std::thread::spawn(move || {
        let mut deserializer = serde_json::Deserializer::from_reader(capped);
        let result = deserializer
            .deserialize_seq(Elements {
                sender: sender.clone(),
                since_reset,
            })
            .and_then(|()| deserializer.end());
        if let Err(e) = result {
            let message = if e.is_io() {
                // The reader's own (Vietnamese) message, without serde's position.
                format!("không đọc tiếp được tệp JSON: {}", std::io::Error::from(e))
            } else {
                format!(
                    "tệp JSON phải là một mảng các bản ghi: {}",
                    crate::score::describe_json_error(&e, true)
                )
            };
            let _ = sender.send(Err(Error::Input(message)));
        }
    });
    Ok(Box::new(receiver.into_iter()))
}

#[cfg(target_arch = "wasm32")]
fn json_array(
    mut reader: Box<dyn BufRead + Send>,
    _: &ReadOptions,
) -> Result<NumberedRecords, Error> {
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
        Ok((Position::Element(i as u64 + 1), e.into_input()))
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

    /// The record, or its `error` when a key is repeated.
    fn into_input(self) -> RecordInput {
        if self.repeats.is_empty() {
            RecordInput::Json(self.value)
        } else {
            RecordInput::Unreadable {
                id: crate::score::id_of(self.value.get("id")),
                message: crate::score::repeated_keys_message(&self.repeats),
            }
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

/// The character the header row holds most of: `,`; `;` (Excel writes
/// CSV that way where the decimal separator is a comma, as in Vietnam); or a
/// tab (Excel's "Unicode Text", tab-separated UTF-16). A tie goes to `,`.
fn delimiter(reader: &mut dyn BufRead) -> Result<u8, Error> {
    let head = reader
        .fill_buf()
        .map_err(|e| Error::Input(describe_io_error(&e)))?;
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    Ok([b';', b'\t'].into_iter().fold(
        b',',
        |best, c| if count(c) > count(best) { c } else { best },
    ))
}

/// Whether the first line (the CSV header) ends with `\r\n`.
fn header_ends_crlf(reader: &mut dyn BufRead) -> Result<bool, Error> {
    let head = reader
        .fill_buf()
        .map_err(|e| Error::Input(describe_io_error(&e)))?;
    Ok(head
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|at| at > 0 && head[at - 1] == b'\r'))
}

/// The longest name of an unknown column or key echoed in a note.
pub(crate) const ECHOED_NAME_CHARS: usize = 80;
/// The most unknown columns named in a note.
const ECHOED_NAMES: usize = 50;

/// `name`, cut to [`ECHOED_NAME_CHARS`] characters (with `…`) for a note.
pub(crate) fn echoed_name(name: &str) -> String {
    match name.char_indices().nth(ECHOED_NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// The read-ahead of the CSV reader: the cap on a row allows this much more.
const CSV_BUFFER: usize = 64 * 1024;

fn csv_records(
    reader: Box<dyn BufRead + Send>,
    pack: &Pack,
    warnings: &mut Vec<String>,
    options: &ReadOptions,
) -> Result<NumberedRecords, Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let mut reader = reader;
    let delimiter = delimiter(&mut reader)?;
    // The csv crate counts a `\r\n` only when it reads the `\n`, at the start
    // of the next record, so after a CRLF header (Excel's) every record's line
    // is one short (BurntSushi/rust-csv#395): add the missing line back.
    let lag = u64::from(header_ends_crlf(&mut reader)?);
    match delimiter {
        b';' => warnings.push("tệp CSV dùng dấu chấm phẩy (;) để ngăn cột".into()),
        b'\t' => warnings.push("tệp dùng dấu tab để ngăn cột".into()),
        _ => {}
    }
    let since_reset = Arc::new(AtomicUsize::new(0));
    let capped = Capped {
        inner: SkipBom::new(reader),
        since_reset: Arc::clone(&since_reset),
        // The header too: the counter starts at zero.
        max: options.max_record_bytes.saturating_add(CSV_BUFFER),
        message: options.too_long("dòng CSV"),
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(capped);
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
            unknown.push(crate::escape_controls(&echoed_name(&name)).into_owned());
        }
        if index.is_some() && columns.contains(&index) && !repeated.contains(&name) {
            repeated.push(name);
        }
        columns.push(index);
    }
    if !unknown.is_empty() {
        let more = unknown.len().saturating_sub(ECHOED_NAMES);
        unknown.truncate(ECHOED_NAMES);
        if more > 0 {
            unknown.push(format!("và {more} cột khác"));
        }
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
    let mut ended = false;
    let rows = std::iter::from_fn(move || {
        if ended {
            return None;
        }
        since_reset.store(0, Ordering::Relaxed);
        let line = csv.position().line() + lag;
        let mut row = csv::ByteRecord::new();
        let row = match csv.read_byte_record(&mut row) {
            Ok(true) => Ok(row),
            Ok(false) => return None,
            Err(e) => Err((e, line)),
        };
        ended = matches!(&row, Err((e, _)) if e.is_io_error());
        Some(row)
    })
    .map(move |row| {
        let row = match row {
            Ok(row) => row,
            Err((e, line)) if e.is_io_error() => {
                let message = match e.kind() {
                    csv::ErrorKind::Io(io) => describe_io_error(io),
                    _ => e.to_string(),
                };
                return Err(Error::Input(format!("dòng {line}: {message}")));
            }
            Err((e, line)) => {
                let line = e.position().map_or(line, |p| p.line() + lag);
                return Ok((
                    Position::Line(line),
                    RecordInput::Unreadable {
                        id: None,
                        message: format!("dòng CSV không đọc được: {e}"),
                    },
                ));
            }
        };
        let line = row.position().map_or(0, |p| p.line() + lag);
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
