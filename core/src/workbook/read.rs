//! Reading records from a workbook's sheet.
//!
//! `.xlsx` sheets are streamed cell by cell (on a reader thread on native
//! targets), so a sheet of any length is read in bounded memory; `.xls` and
//! `.ods` are read whole by calamine, so only the file's size bounds them.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, DataRef, ExcelDateTime, Reader};
use serde_json::{Map, Value as Json};

use super::{column_letters, WorkbookFormat, WorkbookOptions};
use crate::fields::coerce_text;
use crate::input::{echoed_name, ECHOED_NAME_CHARS};
use crate::{Error, FieldSpec, FieldType, NumberedRecords, Pack, Position, RecordInput};

/// The records of one sheet, and which sheet they come from.
pub struct WorkbookRecords {
    /// The sheet read (the one asked for, or the first).
    pub sheet: String,
    /// The records, one per non-blank row below the header, with their row
    /// number (`Position::Line`, from 1 as Excel shows it).
    pub records: NumberedRecords,
}

impl std::fmt::Debug for WorkbookRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkbookRecords")
            .field("sheet", &self.sheet)
            .finish_non_exhaustive()
    }
}

/// How many non-blank rows may come before the header (a title, a note).
const HEADER_SEARCH_ROWS: usize = 20;

/// Reads the file at `path` (at most `options.max_file_bytes`) and its
/// records, as [`read_workbook`]; the format comes from the extension, else
/// from the file's first bytes.
pub fn read_workbook_file(
    path: &Path,
    pack: &Pack,
    warnings: &mut Vec<String>,
    options: &WorkbookOptions,
) -> Result<WorkbookRecords, Error> {
    let name = path.display().to_string();
    let io_error = |e: std::io::Error| Error::Io {
        path: name.clone(),
        message: crate::describe_io_error(&e),
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(options.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    read_workbook(
        bytes,
        WorkbookFormat::from_path(path),
        pack,
        warnings,
        options,
    )
}

/// Reads the records of one sheet of a workbook held in memory.
///
/// `format` is the workbook's format if known (from a file name); otherwise
/// the bytes tell. The header row names each column by a field's key or its
/// Vietnamese label (the template writes both, labels above keys); columns
/// the pack does not know are ignored, with a note in `warnings`. Cells give
/// their real values: a date cell is the field's date, a number cell the
/// field's number (an `int` field's must be whole), `Có`/`Không` (and the
/// CSV spellings) a yes/no. A row that cannot be read (a formula error, a
/// formula without its computed value, too many bytes) becomes that
/// record's `error` result; blank rows are not records.
pub fn read_workbook(
    bytes: Vec<u8>,
    format: Option<WorkbookFormat>,
    pack: &Pack,
    warnings: &mut Vec<String>,
    options: &WorkbookOptions,
) -> Result<WorkbookRecords, Error> {
    if bytes.len() as u64 > options.max_file_bytes {
        return Err(Error::Input(format!(
            "bảng tính lớn hơn giới hạn {} byte (max_file_bytes)",
            options.max_file_bytes
        )));
    }
    let sniffed = WorkbookFormat::sniff(&bytes);
    let format = match (format, sniffed) {
        (_, None) => {
            let what = format.map_or(
                "bảng tính Excel (.xlsx, .xls) hay OpenDocument (.ods)",
                |f| f.extension(),
            );
            return Err(Error::Input(format!(
                "tệp không phải {what}: nội dung không phải tệp nén ZIP hay tệp Office cũ \
                 (có thể tệp bị hỏng, hoặc là CSV đặt nhầm đuôi)"
            )));
        }
        // The content wins over the name: an .xls that is really .xlsx is common.
        (_, Some(sniffed)) => sniffed,
    };
    if format != WorkbookFormat::Xls {
        check_archive(&bytes, options)?;
    }
    let fields = pack.fields().to_vec();
    let pack_id = pack.id().to_string();
    match format {
        WorkbookFormat::Xlsx => read_xlsx(bytes, fields, pack_id, warnings, options),
        WorkbookFormat::Xls | WorkbookFormat::Ods => {
            read_whole(bytes, format, fields, pack_id, warnings, options)
        }
    }
}

/// Unpacks every part of a ZIP archive into nothing, counting: refuses an
/// archive that unpacks to more than `max_unpacked_bytes` (a ZIP bomb),
/// whatever sizes it states, and one that is damaged.
fn check_archive(bytes: &[u8], options: &WorkbookOptions) -> Result<(), Error> {
    let damaged = |e: &dyn std::fmt::Display| {
        Error::Input(format!(
            "bảng tính bị hỏng (tệp nén ZIP không đọc được: {e})"
        ))
    };
    let too_big = || {
        Error::Input(format!(
            "bảng tính giải nén ra hơn {} byte (max_unpacked_bytes): có thể là tệp độc hại \
             (bom nén) hoặc quá lớn",
            options.max_unpacked_bytes
        ))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    if archive.len() > 10_000 {
        return Err(Error::Input(format!(
            "bảng tính có {} phần trong tệp nén: quá nhiều, có thể là tệp độc hại",
            archive.len()
        )));
    }
    let stated: u64 = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if stated > options.max_unpacked_bytes {
        return Err(too_big());
    }
    let mut left = options.max_unpacked_bytes;
    let mut uncomputed: Vec<(String, String)> = Vec::new();
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|e| damaged(&e))?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().to_string();
        let mut counted = Counted {
            inner: part,
            count: 0,
            limit: left,
        };
        let sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let scanned = if sheet {
            formulas_without_value(&mut counted).map(|cells| {
                uncomputed.extend(cells.into_iter().map(|c| (name.clone(), c)));
            })
        } else {
            std::io::copy(&mut counted, &mut std::io::sink()).map(drop)
        };
        if counted.count > left {
            return Err(too_big());
        }
        scanned.map_err(|e| damaged(&e))?;
        left -= counted.count;
    }
    if let Some((part, cell)) = uncomputed.first() {
        return Err(Error::Input(format!(
            "bảng tính có {} ô công thức chưa được tính (không lưu giá trị), ví dụ ô {} ({}):              tệp do một chương trình ghi ra mà không tính công thức; hãy mở tệp bằng Excel hoặc              LibreOffice rồi lưu lại, hoặc gõ giá trị thay cho công thức",
            uncomputed.len(),
            crate::escape_controls(cell),
            crate::escape_controls(part)
        )));
    }
    Ok(())
}

/// A reader that counts what it reads and fails past `limit`.
struct Counted<R> {
    inner: R,
    count: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.count > self.limit {
            return Err(std::io::Error::other("giải nén vượt giới hạn"));
        }
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The cells (`H5`) of a worksheet's XML that hold a formula and no value:
/// calamine reads them as empty, which would be silently wrong.
fn formulas_without_value(reader: &mut dyn Read) -> Result<Vec<String>, std::io::Error> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(reader));
    let mut buf = Vec::new();
    let mut found = Vec::new();
    let mut cell: Option<(String, bool, bool)> = None; // (ref, formula, value)
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let r = e
                    .try_get_attribute("r")
                    .ok()
                    .flatten()
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
                cell = Some((r, false, false));
            }
            Event::Start(ref e) | Event::Empty(ref e) if cell.is_some() => {
                let opened = matches!(event, Event::Start(_));
                let (_, formula, value) = cell.as_mut().expect("inside a cell");
                match e.local_name().as_ref() {
                    b"f" => *formula = true,
                    b"v" | b"is" => *value |= opened,
                    _ => {}
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => {
                if let Some((r, true, false)) = cell.take() {
                    if found.len() < 1000 {
                        found.push(r);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// A cell's value, owned, as the sheet gives it.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A date cell (`None`: a serial that is no real day, like 29/02/1900).
    Date(Option<chrono::NaiveDate>),
    /// A cell whose formula failed (`#DIV/0!`).
    Error(String),
    /// A cell element without a value (a formatted empty cell).
    NoValue,
}

impl Raw {
    fn from_ref(data: DataRef<'_>) -> Option<Raw> {
        Some(match data {
            DataRef::Int(i) => Raw::Int(i),
            DataRef::Float(f) => Raw::Float(f),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Raw::iso_or_text(s)
            }
            DataRef::SharedString(s) => Raw::Text(s.to_string()),
            DataRef::Bool(b) => Raw::Bool(b),
            DataRef::DateTime(d) => Raw::date(&d),
            DataRef::Error(e) => Raw::Error(e.to_string()),
            DataRef::Empty => Raw::NoValue,
        })
    }

    fn from_data(data: &Data) -> Option<Raw> {
        Some(match data {
            Data::Int(i) => Raw::Int(*i),
            Data::Float(f) => Raw::Float(*f),
            Data::String(s) => Raw::Text(s.clone()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::iso_or_text(s.clone()),
            Data::Bool(b) => Raw::Bool(*b),
            Data::DateTime(d) => Raw::date(d),
            Data::Error(e) => Raw::Error(e.to_string()),
            // A whole-read sheet fills its gaps with Empty: not a cell.
            Data::Empty => return None,
        })
    }

    fn date(d: &ExcelDateTime) -> Raw {
        if !d.is_datetime() {
            return Raw::Float(d.as_f64()); // a duration: a number of days
        }
        let (year, month, day, ..) = d.to_ymd_hms_milli();
        Raw::Date(chrono::NaiveDate::from_ymd_opt(
            i32::from(year),
            u32::from(month),
            u32::from(day),
        ))
    }

    /// An ISO date-time (`.ods` dates) keeps its date; anything else is text.
    fn iso_or_text(text: String) -> Raw {
        let date = text
            .split('T')
            .next()
            .filter(|d| d.len() == 10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        match date {
            Some(date) if text.len() == 10 || text.as_bytes().get(10) == Some(&b'T') => {
                Raw::Date(Some(date))
            }
            _ => Raw::Text(text),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Raw::NoValue) || matches!(self, Raw::Text(t) if t.trim().is_empty())
    }

    /// What the cell costs against `max_record_bytes`.
    fn weight(&self) -> usize {
        16 + match self {
            Raw::Text(t) | Raw::Error(t) => t.len(),
            _ => 0,
        }
    }

    /// The cell as header text: a field's key or label.
    fn header_text(&self) -> Option<&str> {
        match self {
            Raw::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()),
            _ => None,
        }
    }
}

/// A number as text, whole numbers without `.0` (a tax code typed as a number).
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn float_json(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9e15 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

/// The JSON value a cell stands for in a field of type `ty`, or why the
/// cell cannot be read. Text goes through the CSV rules ([`coerce_text`]);
/// a value of the wrong kind is passed on as is, so validation names it.
fn cell_json(ty: &FieldType, raw: &Raw) -> Result<Json, String> {
    if let FieldType::List(inner) = ty {
        return match raw {
            Raw::Text(text) => Ok(coerce_text(ty, text)),
            Raw::NoValue => Ok(coerce_text(ty, "")),
            other => cell_json(inner, other).map(|item| Json::Array(vec![item])),
        };
    }
    Ok(match (ty, raw) {
        (_, Raw::Error(code)) => {
            return Err(format!("ô có lỗi công thức {code}"));
        }
        // An empty cell with a style; a formula without its value was refused earlier.
        (_, Raw::NoValue) => coerce_text(ty, ""),
        (_, Raw::Date(None)) => return Err("ô ngày không có thật (29/02/1900)".into()),
        (_, Raw::Text(text)) => coerce_text(ty, text),
        (FieldType::Bool, Raw::Bool(b)) => Json::Bool(*b),
        (FieldType::Bool, Raw::Int(i)) => coerce_text(ty, &i.to_string()),
        (FieldType::Bool, Raw::Float(f)) => coerce_text(ty, &number_text(*f)),
        (FieldType::String, Raw::Int(i)) => Json::String(i.to_string()),
        (FieldType::String, Raw::Float(f)) => Json::String(number_text(*f)),
        (FieldType::String | FieldType::Date, Raw::Date(Some(d))) => Json::String(d.to_string()),
        (_, Raw::Int(i)) => Json::from(*i),
        (_, Raw::Float(f)) => float_json(*f),
        (_, Raw::Bool(b)) => Json::Bool(*b),
        // A date in a number field: its Excel serial would be a silent guess.
        (_, Raw::Date(Some(d))) => Json::String(d.format("%d/%m/%Y").to_string()),
    })
}

/// A header cell's text, compared loosely: case, spaces and a trailing `*`
/// (the template's mark of a required field) do not count.
fn normalise_label(text: &str) -> String {
    let text = text.trim().trim_end_matches('*').trim();
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which field a header cell names: by key first, then by label.
fn field_named(fields: &[FieldSpec], labels: &[String], text: &str) -> Option<usize> {
    let text = text.trim();
    fields.iter().position(|f| f.name == text).or_else(|| {
        let wanted = normalise_label(text);
        labels.iter().position(|l| *l == wanted)
    })
}

/// One row as read: its number (from 1) and its cells (column, value).
#[derive(Default)]
struct Row {
    number: u32,
    cells: Vec<(u32, Raw)>,
    weight: usize,
    too_long: bool,
    /// A non-blank cell in a column that is not kept.
    other_content: bool,
}

impl Row {
    fn is_blank(&self) -> bool {
        !self.other_content && !self.too_long && self.cells.iter().all(|(_, r)| r.is_blank())
    }
}

/// What the header says: the field of each column, and the notes for the
/// whole sheet.
struct Header {
    columns: Vec<(u32, usize)>,
    id_column: Option<u32>,
}

/// Turns the cells of a sheet, in row order, into records.
struct Scanner {
    fields: Vec<FieldSpec>,
    labels: Vec<String>,
    pack_id: String,
    sheet: String,
    max_record_bytes: usize,
    /// Rows before the header is settled (at most HEADER_SEARCH_ROWS + 1).
    early: Vec<Row>,
    header_rows: Vec<Row>,
    header: Option<Header>,
    row: Row,
}

/// Where the scanner sends what it finds.
trait Sink {
    /// The header is settled, with its notes.
    fn header(&mut self, warnings: Vec<String>);
    /// One record; `false` when nobody wants more.
    fn record(&mut self, record: (Position, RecordInput)) -> bool;
}

impl Scanner {
    fn new(
        fields: Vec<FieldSpec>,
        pack_id: String,
        sheet: String,
        max_record_bytes: usize,
    ) -> Self {
        let labels = fields.iter().map(|f| normalise_label(&f.label)).collect();
        Scanner {
            fields,
            labels,
            pack_id,
            sheet,
            max_record_bytes,
            early: Vec::new(),
            header_rows: Vec::new(),
            header: None,
            row: Row::default(),
        }
    }

    fn kept(&self, col: u32) -> bool {
        match &self.header {
            Some(header) => header.columns.iter().any(|(c, _)| *c == col),
            None => true,
        }
    }

    /// One cell, `row` and `col` from 0. `Ok(false)`: stop reading.
    fn cell(&mut self, row: u32, col: u32, raw: Raw, sink: &mut dyn Sink) -> Result<bool, Error> {
        if row + 1 != self.row.number {
            let done = std::mem::take(&mut self.row);
            if !self.finish_row(done, sink)? {
                return Ok(false);
            }
            self.row.number = row + 1;
        }
        if !self.kept(col) {
            self.row.other_content |= !raw.is_blank();
            return Ok(true);
        }
        if self.row.too_long {
            return Ok(true);
        }
        self.row.weight += raw.weight();
        if self.row.weight > self.max_record_bytes {
            self.row.too_long = true;
            self.row.cells = Vec::new();
            return Ok(true);
        }
        self.row.cells.push((col, raw));
        Ok(true)
    }

    /// The end of the sheet.
    fn finish(mut self, sink: &mut dyn Sink) -> Result<(), Error> {
        let last = std::mem::take(&mut self.row);
        if !self.finish_row(last, sink)? {
            return Ok(());
        }
        if self.header.is_none() {
            if self.header_rows.is_empty() {
                return Err(self.no_header());
            }
            self.settle(sink);
        }
        Ok(())
    }

    fn no_header(&self) -> Error {
        Error::Input(format!(
            "trang tính \"{}\": không thấy dòng tiêu đề ghi mã trường hay tên trường (tiếng Việt) \
             của bộ quy tắc {} trong {HEADER_SEARCH_ROWS} dòng đầu; hãy dùng mẫu nhập liệu \
             (chamdiem template) hoặc chọn đúng trang tính (--sheet)",
            crate::escape_controls(&self.sheet),
            self.pack_id
        ))
    }

    /// How many cells of a row name a field, and whether every non-blank one does.
    fn header_matches(&self, row: &Row) -> (usize, bool) {
        let mut named = 0;
        let mut all = true;
        for (_, raw) in &row.cells {
            match raw.header_text() {
                Some(text) => {
                    if field_named(&self.fields, &self.labels, text).is_some() {
                        named += 1;
                    } else {
                        all = false;
                    }
                }
                None if raw.is_blank() => {}
                None => all = false,
            }
        }
        (named, all && !row.other_content)
    }

    fn finish_row(&mut self, row: Row, sink: &mut dyn Sink) -> Result<bool, Error> {
        if row.number == 0 || row.is_blank() {
            return Ok(true);
        }
        if self.header.is_some() {
            return Ok(sink.record(self.record(row)));
        }
        if self.header_rows.is_empty() {
            let (named, _) = self.header_matches(&row);
            if named > 0 {
                self.header_rows.push(row);
            } else {
                self.early.push(row);
                if self.early.len() >= HEADER_SEARCH_ROWS {
                    return Err(self.no_header());
                }
            }
            return Ok(true);
        }
        // The row after the header: a second header (keys under labels) when
        // every cell in it names a field.
        let (named, all) = self.header_matches(&row);
        if named > 0 && all && self.header_rows.len() < 2 {
            self.header_rows.push(row);
            return Ok(true);
        }
        self.settle(sink);
        Ok(sink.record(self.record(row)))
    }

    /// Fixes the columns from the header rows and reports the notes.
    fn settle(&mut self, sink: &mut dyn Sink) {
        let mut by_key: Vec<(u32, usize)> = Vec::new();
        let mut by_label: Vec<(u32, usize)> = Vec::new();
        let mut texts: Vec<(u32, String)> = Vec::new();
        for row in &self.header_rows {
            for (col, raw) in &row.cells {
                let Some(text) = raw.header_text() else {
                    continue;
                };
                if let Some(i) = self.fields.iter().position(|f| f.name == text) {
                    by_key.push((*col, i));
                } else if let Some(i) = field_named(&self.fields, &self.labels, text) {
                    by_label.push((*col, i));
                } else {
                    texts.push((*col, text.to_string()));
                }
            }
        }
        let mut columns = by_key.clone();
        for (col, i) in by_label {
            if !columns.iter().any(|(c, _)| *c == col) {
                columns.push((col, i));
            }
        }
        columns.sort_unstable();
        let mut warnings = Vec::new();
        let unknown: Vec<String> = texts
            .iter()
            .filter(|(col, _)| !columns.iter().any(|(c, _)| c == col))
            .map(|(col, text)| {
                format!(
                    "{} ({})",
                    crate::escape_controls(&echoed_name(text)),
                    column_letters(*col)
                )
            })
            .collect();
        if !unknown.is_empty() {
            let shown = unknown.len().min(50);
            let more = unknown.len() - shown;
            let mut list = unknown[..shown].join(", ");
            if more > 0 {
                list.push_str(&format!(" và {more} cột khác"));
            }
            warnings.push(format!(
                "trang tính \"{}\": các cột không có trong bộ quy tắc {} bị bỏ qua: {list}",
                crate::escape_controls(&self.sheet),
                self.pack_id
            ));
        }
        let mut repeated = Vec::new();
        for (n, (_, i)) in columns.iter().enumerate() {
            if columns[..n].iter().any(|(_, j)| j == i) && !repeated.contains(&self.fields[*i].name)
            {
                repeated.push(self.fields[*i].name.clone());
            }
        }
        if !repeated.is_empty() {
            warnings.push(format!(
                "trang tính \"{}\": dòng tiêu đề có cột lặp lại: {}; dòng nào ghi hai giá trị \
                 khác nhau ở các cột đó sẽ bị lỗi",
                crate::escape_controls(&self.sheet),
                repeated.join(", ")
            ));
        }
        let missing: Vec<String> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| f.required && !columns.iter().any(|(_, j)| j == i))
            .map(|(_, f)| format!("{} ({})", f.name, f.label))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "trang tính \"{}\" thiếu cột bắt buộc: {}; dòng nào cần các trường này sẽ bị lỗi",
                crate::escape_controls(&self.sheet),
                missing.join("; ")
            ));
        }
        let id_column = columns
            .iter()
            .find(|(_, i)| self.fields[*i].name == "id")
            .map(|(c, _)| *c);
        self.header = Some(Header { columns, id_column });
        sink.header(warnings);
    }

    /// The record of one data row.
    fn record(&self, row: Row) -> (Position, RecordInput) {
        let header = self.header.as_ref().expect("settled before any record");
        let position = Position::Line(u64::from(row.number));
        let id = header.id_column.and_then(|c| {
            row.cells
                .iter()
                .find(|(col, _)| *col == c)
                .and_then(|(_, raw)| match raw {
                    Raw::Text(t) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
                    Raw::Int(i) => Some(i.to_string()),
                    Raw::Float(f) => Some(number_text(*f)),
                    _ => None,
                })
        });
        let unreadable = |message: String| {
            (
                position,
                RecordInput::Unreadable {
                    id: id.clone(),
                    message,
                },
            )
        };
        if row.too_long {
            return unreadable(format!(
                "dòng {} dài hơn giới hạn {} byte (max_record_bytes)",
                row.number, self.max_record_bytes
            ));
        }
        let mut record = Map::new();
        let mut from: Vec<(usize, u32)> = Vec::new();
        for (col, i) in &header.columns {
            let field = &self.fields[*i];
            let cell = row.cells.iter().find(|(c, _)| c == col).map(|(_, raw)| raw);
            let value = match cell {
                Some(raw) => match cell_json(&field.ty, raw) {
                    Ok(value) => value,
                    Err(problem) => {
                        return unreadable(format!(
                            "ô {}{} ({} — {}): {problem}",
                            column_letters(*col),
                            row.number,
                            field.name,
                            field.label
                        ))
                    }
                },
                // An empty cell reads as an empty CSV cell does.
                None => coerce_text(&field.ty, ""),
            };
            if let Some((_, earlier)) = from.iter().find(|(j, _)| j == i) {
                if record.get(&field.name) != Some(&value) {
                    return unreadable(format!(
                        "cột '{}' có hai lần trong dòng tiêu đề ({} và {}) và hai giá trị khác \
                         nhau ở dòng này",
                        field.name,
                        column_letters(*earlier),
                        column_letters(*col)
                    ));
                }
                continue;
            }
            from.push((*i, *col));
            record.insert(field.name.clone(), value);
        }
        (position, RecordInput::Json(Json::Object(record)))
    }
}

/// The sheet to read: the one named, or the first.
fn choose_sheet(names: &[String], wanted: Option<&str>) -> Result<String, Error> {
    let listed = || {
        names
            .iter()
            .map(|n| format!("\"{}\"", crate::escape_controls(n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().to_lowercase() == wanted.trim().to_lowercase())
            })
            .cloned()
            .ok_or_else(|| {
                Error::Input(format!(
                    "không có trang tính \"{}\"; bảng tính có: {}",
                    crate::escape_controls(&echoed_name(wanted)),
                    listed()
                ))
            }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::Input("bảng tính không có trang tính nào".into())),
    }
}

fn calamine_error(error: impl std::fmt::Display) -> Error {
    let text = error.to_string();
    let text = match text.char_indices().nth(ECHOED_NAME_CHARS * 2) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    };
    Error::Input(format!(
        "bảng tính bị hỏng hoặc không đọc được ({})",
        crate::escape_controls(&text)
    ))
}

/// What a reader of records gets through a channel (native) or a list (wasm).
struct Collect {
    warnings: Option<Vec<String>>,
    records: Vec<(Position, RecordInput)>,
}

impl Sink for Collect {
    fn header(&mut self, warnings: Vec<String>) {
        self.warnings = Some(warnings);
    }
    fn record(&mut self, record: (Position, RecordInput)) -> bool {
        self.records.push(record);
        true
    }
}

/// `.xls` and `.ods`: calamine reads the whole sheet; the scanner turns it
/// into records at once.
fn read_whole(
    bytes: Vec<u8>,
    format: WorkbookFormat,
    fields: Vec<FieldSpec>,
    pack_id: String,
    warnings: &mut Vec<String>,
    options: &WorkbookOptions,
) -> Result<WorkbookRecords, Error> {
    let cursor = Cursor::new(bytes);
    let (sheet, range) = match format {
        WorkbookFormat::Ods => {
            let mut book: calamine::Ods<_> =
                calamine::open_workbook_from_rs(cursor).map_err(calamine_error)?;
            let sheet = choose_sheet(&book.sheet_names(), options.sheet.as_deref())?;
            let range = book.worksheet_range(&sheet).map_err(calamine_error)?;
            (sheet, range)
        }
        _ => {
            let mut book: calamine::Xls<_> =
                calamine::open_workbook_from_rs(cursor).map_err(calamine_error)?;
            let sheet = choose_sheet(&book.sheet_names(), options.sheet.as_deref())?;
            let range = book.worksheet_range(&sheet).map_err(calamine_error)?;
            (sheet, range)
        }
    };
    let mut scanner = Scanner::new(
        fields,
        pack_id,
        sheet.clone(),
        options.read.max_record_bytes,
    );
    let mut sink = Collect {
        warnings: None,
        records: Vec::new(),
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    for (row, col, data) in range.used_cells() {
        if let Some(raw) = Raw::from_data(data) {
            scanner.cell(top + row as u32, left + col as u32, raw, &mut sink)?;
        }
    }
    drop(range);
    scanner.finish(&mut sink)?;
    warnings.extend(sink.warnings.unwrap_or_default());
    Ok(WorkbookRecords {
        sheet,
        records: Box::new(sink.records.into_iter().map(Ok)),
    })
}

/// Streams the cells of an `.xlsx` sheet through the scanner.
fn scan_xlsx(
    book: &mut calamine::Xlsx<Cursor<Vec<u8>>>,
    scanner: &mut Option<Scanner>,
    sheet: &str,
    sink: &mut dyn Sink,
) -> Result<(), Error> {
    let mut cells = book.worksheet_cells_reader(sheet).map_err(calamine_error)?;
    let mut scan = scanner.take().expect("one scan");
    while let Some(cell) = cells.next_cell().map_err(calamine_error)? {
        let (row, col) = cell.get_position();
        let Some(raw) = Raw::from_ref(cell.get_value().clone()) else {
            continue;
        };
        if !scan.cell(row, col, raw, sink)? {
            return Ok(());
        }
    }
    scan.finish(sink)
}

fn read_xlsx(
    bytes: Vec<u8>,
    fields: Vec<FieldSpec>,
    pack_id: String,
    warnings: &mut Vec<String>,
    options: &WorkbookOptions,
) -> Result<WorkbookRecords, Error> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(calamine_error)?;
    let sheet = choose_sheet(&book.sheet_names(), options.sheet.as_deref())?;
    let mut scanner = Some(Scanner::new(
        fields,
        pack_id,
        sheet.clone(),
        options.read.max_record_bytes,
    ));
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
        type Item = Result<(Position, RecordInput), Error>;

        struct Channel {
            header: Option<SyncSender<Result<Vec<String>, Error>>>,
            records: SyncSender<Item>,
        }
        impl Sink for Channel {
            fn header(&mut self, warnings: Vec<String>) {
                if let Some(header) = self.header.take() {
                    let _ = header.send(Ok(warnings));
                }
            }
            fn record(&mut self, record: (Position, RecordInput)) -> bool {
                self.records.send(Ok(record)).is_ok()
            }
        }

        let (header_in, header_out) = sync_channel(1);
        let (records_in, records_out): (SyncSender<Item>, Receiver<Item>) = sync_channel(1024);
        let name = sheet.clone();
        std::thread::spawn(move || {
            let mut channel = Channel {
                header: Some(header_in),
                records: records_in,
            };
            if let Err(e) = scan_xlsx(&mut book, &mut scanner, &name, &mut channel) {
                match channel.header.take() {
                    Some(header) => {
                        let _ = header.send(Err(e));
                    }
                    None => {
                        let _ = channel.records.send(Err(e));
                    }
                }
            }
        });
        let notes = header_out.recv().map_err(|_| {
            Error::Input("bảng tính không đọc được (luồng đọc dừng bất thường)".into())
        })??;
        warnings.extend(notes);
        Ok(WorkbookRecords {
            sheet,
            records: Box::new(records_out.into_iter()),
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut sink = Collect {
            warnings: None,
            records: Vec::new(),
        };
        scan_xlsx(&mut book, &mut scanner, &sheet, &mut sink)?;
        warnings.extend(sink.warnings.unwrap_or_default());
        Ok(WorkbookRecords {
            sheet,
            records: Box::new(sink.records.into_iter().map(Ok)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_become_typed_values() {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 6, 15);
        assert_eq!(cell_json(&FieldType::Int, &Raw::Float(42.0)), Ok(json!(42)));
        assert_eq!(cell_json(&FieldType::Int, &Raw::Float(4.5)), Ok(json!(4.5)));
        assert_eq!(
            cell_json(&FieldType::String, &Raw::Float(3948375689.0)),
            Ok(json!("3948375689"))
        );
        assert_eq!(
            cell_json(&FieldType::Bool, &Raw::Text("Có".into())),
            Ok(json!(true))
        );
        assert_eq!(
            cell_json(&FieldType::Bool, &Raw::Text("Không".into())),
            Ok(json!(false))
        );
        assert_eq!(
            cell_json(&FieldType::Date, &Raw::Date(date)),
            Ok(json!("2024-06-15"))
        );
        assert_eq!(
            cell_json(
                &FieldType::List(Box::new(FieldType::Date)),
                &Raw::Date(date)
            ),
            Ok(json!(["2024-06-15"]))
        );
        assert_eq!(
            cell_json(
                &FieldType::List(Box::new(FieldType::Date)),
                &Raw::Text("15/06/2024; 20/12/2024".into())
            ),
            Ok(json!(["15/06/2024", "20/12/2024"]))
        );
        assert!(cell_json(&FieldType::Int, &Raw::Error("#DIV/0!".into()))
            .unwrap_err()
            .contains("#DIV/0!"));
        assert_eq!(cell_json(&FieldType::Int, &Raw::NoValue), Ok(Json::Null));
        assert_eq!(cell_json(&FieldType::Bool, &Raw::NoValue), Ok(json!(false)));
    }

    #[test]
    fn labels_match_loosely() {
        assert_eq!(
            normalise_label("  Số người  lao động *"),
            "số người lao động"
        );
        assert_eq!(
            Raw::iso_or_text("2024-06-15T00:00:00".into()),
            Raw::Date(chrono::NaiveDate::from_ymd_opt(2024, 6, 15))
        );
        assert_eq!(
            Raw::iso_or_text("2024-06-15x".into()),
            Raw::Text("2024-06-15x".into())
        );
    }
}
