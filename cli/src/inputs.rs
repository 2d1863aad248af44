//! Gathering the records of every INPUT a command is given: files of any
//! format the core reads (JSON Lines, JSON, CSV, .xlsx/.xls/.ods) or
//! standard input, read one after the other as one batch, each record with
//! where it came from.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chamdiem::{
    describe_io_error, escape_controls, Error, InputFormat, Pack, Position, RecordInput,
    WorkbookFormat, WorkbookOptions,
};

use crate::{Fatal, InputKind};

/// `--sheet`: which sheet of a workbook to read, for every command that
/// reads records.
#[derive(clap::Args)]
pub(crate) struct SheetArg {
    /// Trang tính cần đọc trong bảng tính .xlsx, .xls, .ods (mặc định: trang đầu tiên).
    #[arg(long, value_name = "TRANG")]
    pub sheet: Option<String>,
}

/// Where a record came from: its file (`-` for standard input), the sheet
/// of a workbook, and its place there.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file as given on the command line.
    pub file: Arc<str>,
    /// The sheet read, for a workbook.
    pub sheet: Option<Arc<str>>,
    /// The line (JSON Lines, CSV), row (workbook) or element (JSON array).
    pub position: Position,
}

impl Source {
    /// The `"source"` member of a JSON result, without a leading comma:
    /// `"source":{"file":"a.xlsx","sheet":"Dữ liệu","row":5}` (`"line"` for
    /// JSON Lines and CSV, `"element"` for a JSON array).
    pub fn to_json_member(&self) -> String {
        let mut out = String::from("\"source\":{\"file\":");
        out.push_str(&serde_json::to_string(&*self.file).expect("a string serializes"));
        if let Some(sheet) = &self.sheet {
            out.push_str(",\"sheet\":");
            out.push_str(&serde_json::to_string(&**sheet).expect("a string serializes"));
        }
        let (key, n) = self.place_number();
        out.push_str(&format!(",\"{key}\":{n}}}"));
        out
    }

    /// `("row", 5)`, `("line", 7)` or `("element", 3)`.
    pub fn place_number(&self) -> (&'static str, u64) {
        match (self.position, &self.sheet) {
            (Position::Line(n), Some(_)) => ("row", n),
            (Position::Line(n), None) => ("line", n),
            (Position::Element(n), _) => ("element", n),
        }
    }

    /// For people: `a.xlsx, trang "Dữ liệu", dòng 5`.
    pub fn place(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}, trang \"{sheet}\", {}", self.file, self.position),
            None => format!("{}, {}", self.file, self.position),
        }
    }
}

/// The column headings [`Source::csv_cells`] fills, machine or Vietnamese.
pub fn source_csv_header(vietnamese: bool) -> [&'static str; 3] {
    if vietnamese {
        ["Tệp nguồn", "Trang tính", "Dòng"]
    } else {
        ["source.file", "source.sheet", "source.row"]
    }
}

impl Source {
    /// The cells under [`source_csv_header`]: file, sheet, and the row, line or element number.
    pub fn csv_cells(&self) -> [String; 3] {
        [
            self.file.to_string(),
            self.sheet.as_deref().unwrap_or("").to_string(),
            self.place_number().1.to_string(),
        ]
    }
}

/// A stream of records with their sources; `Err` when an input cannot be
/// read further (it names the file).
pub type SourcedRecords = Box<dyn Iterator<Item = Result<(Source, RecordInput), Error>> + Send>;

/// Every input's records, in the order given.
pub struct Inputs {
    /// The records, one input after another.
    pub records: SourcedRecords,
    /// Whether results should name their source: several inputs, or a
    /// workbook (whose rows a person looks up). One CSV or JSON file alone
    /// keeps the results it always had.
    pub name_sources: bool,
    /// The files read (not standard input), to guard an output against.
    pub files: Vec<PathBuf>,
}

/// Opens every input in `paths` (none, or `-`, is standard input) and
/// chains their records into one batch.
///
/// The format of each comes from `format` (`--input-format`), else its
/// extension, else (standard input) its first bytes. `sheet` (`--sheet`)
/// chooses a workbook's sheet by name; the first otherwise. Every input is
/// opened (and a workbook's header read) before any record is returned, so
/// a missing or broken file stops the command before it writes anything.
/// Notes about an input (unknown columns, a missing required column) are
/// printed on standard error, naming the file when there are several.
pub fn gather_inputs(
    paths: &[PathBuf],
    format: Option<InputKind>,
    sheet: Option<&str>,
    pack: &Pack,
) -> Result<Inputs, Fatal> {
    let stdin = Path::new("-");
    let paths: Vec<&Path> = if paths.is_empty() {
        vec![stdin]
    } else {
        paths.iter().map(PathBuf::as_path).collect()
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Fatal::new("đầu vào chuẩn (-) chỉ được đọc một lần"));
    }
    let several = paths.len() > 1;
    let mut opened: Vec<SourcedRecords> = Vec::new();
    let mut files = Vec::new();
    let mut any_workbook = false;
    for path in paths {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let (records, workbook) = open_one(path, format, sheet, pack, several, &name)?;
        any_workbook |= workbook;
        if path != stdin {
            files.push(path.to_path_buf());
        }
        opened.push(records);
    }
    if sheet.is_some() && !any_workbook {
        // Said, not silently dropped: the officer may think a sheet was chosen.
        eprintln!(
            "chamdiem: --sheet chỉ dùng cho bảng tính (.xlsx, .xls, .ods); \
             không có tệp nào là bảng tính nên --sheet được bỏ qua"
        );
    }
    Ok(Inputs {
        records: Box::new(opened.into_iter().flatten()),
        name_sources: several || any_workbook,
        files,
    })
}

/// The records of one input, and whether it is a workbook.
fn open_one(
    path: &Path,
    format: Option<InputKind>,
    sheet: Option<&str>,
    pack: &Pack,
    several: bool,
    name: &Arc<str>,
) -> Result<(SourcedRecords, bool), Fatal> {
    let from_stdin = path.as_os_str() == "-";
    let shown = if from_stdin {
        "đầu vào chuẩn".to_string()
    } else {
        path.display().to_string()
    };
    let fail = |message: String| Fatal::new(format!("{shown}: {message}"));
    let mut reader: Box<dyn BufRead + Send> = if from_stdin {
        if io::stdin().is_terminal() {
            eprintln!(
                "chamdiem: đang chờ dữ liệu gõ vào (JSON Lines, mỗi dòng một bản ghi; Ctrl-D để kết thúc). \
                 Để chấm một tệp: chamdiem score TỆP --period KỲ"
            );
        }
        Box::new(BufReader::with_capacity(1 << 16, io::stdin()))
    } else {
        Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(path).map_err(|e| fail(describe_io_error(&e)))?,
        ))
    };
    // A `.txt` file may be anything Excel and Notepad save as text
    // (tab-separated "Unicode Text" most often): told from its first bytes.
    let is_txt = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let kind = match format {
        Some(kind) => Kind::from(kind),
        None if !from_stdin && !is_txt => match (WorkbookFormat::from_path(path), InputFormat::from_path(path)) {
            (Some(w), _) => Kind::Workbook(Some(w)),
            (None, Some(f)) => Kind::Text(f),
            (None, None) => {
                return Err(fail(
                    "không biết định dạng (dùng .jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods hoặc --input-format)"
                        .into(),
                ))
            }
        },
        None => {
            let head = reader.fill_buf().map_err(|e| fail(describe_io_error(&e)))?;
            if let Some(w) = WorkbookFormat::sniff(head) {
                Kind::Workbook(Some(w))
            } else {
                match InputFormat::sniff(head) {
                    Some(InputFormat::Csv) => {
                        eprintln!("chamdiem: {shown} là CSV (đoán từ dòng đầu; chọn khác bằng --input-format)");
                        Kind::Text(InputFormat::Csv)
                    }
                    Some(other) => Kind::Text(other),
                    None if head.iter().all(u8::is_ascii_whitespace) => {
                        Kind::Text(InputFormat::JsonLines)
                    }
                    None => {
                        return Err(Fatal::new(format!(
                            "không nhận ra định dạng của {shown}: \
                             dùng --input-format jsonl, json, csv hoặc xlsx"
                        )))
                    }
                }
            }
        }
    };
    let mut warnings = Vec::new();
    let file = Arc::clone(name);
    let prefix_error = move |e: Error| {
        if several {
            Error::Input(format!("{file}: {e}"))
        } else {
            e
        }
    };
    let (records, workbook): (SourcedRecords, bool) = match kind {
        Kind::Text(format) => {
            let records = chamdiem::read_numbered_records(reader, format, pack, &mut warnings)
                .map_err(|e| fail(e.to_string()))?;
            let file = Arc::clone(name);
            (
                Box::new(records.map(move |r| {
                    r.map(|(position, input)| {
                        let source = Source {
                            file: Arc::clone(&file),
                            sheet: None,
                            position,
                        };
                        (source, input)
                    })
                    .map_err(&prefix_error)
                })),
                false,
            )
        }
        Kind::Workbook(format) => {
            let options = WorkbookOptions::default().sheet(sheet.map(str::to_string));
            let mut bytes = Vec::new();
            reader
                .take(options.max_file_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| fail(describe_io_error(&e)))?;
            let book = chamdiem::read_workbook(bytes, format, pack, &mut warnings, &options)
                .map_err(|e| fail(e.to_string()))?;
            let sheet: Arc<str> = Arc::from(book.sheet.as_str());
            let file = Arc::clone(name);
            (
                Box::new(book.records.map(move |r| {
                    r.map(|(position, input)| {
                        let source = Source {
                            file: Arc::clone(&file),
                            sheet: Some(Arc::clone(&sheet)),
                            position,
                        };
                        (source, input)
                    })
                    .map_err(&prefix_error)
                })),
                true,
            )
        }
    };
    for warning in &warnings {
        if several {
            eprintln!(
                "chamdiem: {}: {}",
                escape_controls(name),
                escape_controls(warning)
            );
        } else {
            eprintln!("chamdiem: {}", escape_controls(warning));
        }
    }
    Ok((records, workbook))
}

/// What an input is read as.
enum Kind {
    Text(InputFormat),
    Workbook(Option<WorkbookFormat>),
}

impl From<InputKind> for Kind {
    fn from(kind: InputKind) -> Self {
        match kind {
            InputKind::Jsonl => Kind::Text(InputFormat::JsonLines),
            InputKind::Json => Kind::Text(InputFormat::JsonArray),
            InputKind::Csv => Kind::Text(InputFormat::Csv),
            InputKind::Xlsx => Kind::Workbook(Some(WorkbookFormat::Xlsx)),
            InputKind::Xls => Kind::Workbook(Some(WorkbookFormat::Xls)),
            InputKind::Ods => Kind::Workbook(Some(WorkbookFormat::Ods)),
        }
    }
}

/// Every record of `paths` (see [`gather_inputs`]) in order, without their
/// sources: for the commands that compile results (`report`, `diff`,
/// `sensitivity`) rather than print one line per record.
pub fn read_all(
    paths: &[PathBuf],
    format: Option<InputKind>,
    sheet: Option<&str>,
    pack: &Pack,
) -> Result<Vec<RecordInput>, Fatal> {
    let inputs = gather_inputs(paths, format, sheet, pack)?;
    let mut records = Vec::new();
    for record in inputs.records {
        records.push(record?.1);
    }
    Ok(records)
}
