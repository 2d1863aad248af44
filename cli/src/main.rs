//! The `chamdiem` command: score files, list, check and test rule packs.
//!
//! Thin by design: reading, scoring and formatting live in the `chamdiem`
//! crate; this file parses arguments, guards the files and moves bytes.

mod inputs;
mod template;

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use chamdiem::{
    describe_io_error, escape_controls, field_with_label, Batch, CsvStyle, Error, Pack,
    PackDescription, Period, ScoreResult, Status, Summary, SummaryEntry,
};
use clap::{ArgAction, Parser, Subcommand, ValueEnum};

mod diff;
mod report;
mod sensitivity;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

// Scoring allocates many small, short-lived values on every thread; mimalloc
// handles that pattern better than the system allocator (see BENCHMARKS.md).
// The counting wrapper lets the core enforce `Limits::max_memory_bytes`.
#[global_allocator]
static ALLOCATOR: chamdiem::CountingAllocator<mimalloc::MiMalloc> =
    chamdiem::CountingAllocator::new(mimalloc::MiMalloc);

/// Clap's help, with Vietnamese headings.
const HELP_TEMPLATE: &str = "{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}";

const EXIT_CODES: &str = "Mã thoát / exit status:\n  \
    0  mọi bản ghi đều chấm được hoặc không thuộc đối tượng\n  \
    1  chạy xong nhưng có bản ghi lỗi (xem tổng kết ở cuối)\n  \
    2  không đọc được dữ liệu vào, bộ quy tắc, hoặc lệnh gọi sai";

const PERIOD_MISSING: &str = "thiếu --period: hãy cho biết kỳ đánh giá mà dữ liệu nói về, \
    ví dụ: chamdiem score du-lieu.csv --period 2024 \
    (hoặc một khoảng ngày: --period 2024-01-01..2024-06-30)";

#[derive(Parser)]
#[command(
    name = "chamdiem",
    version,
    about = "Chấm điểm, xếp loại thực hiện dân chủ ở cơ sở tại nơi làm việc",
    long_about = "Chấm điểm, xếp loại thực hiện dân chủ ở cơ sở tại nơi làm việc theo bộ quy tắc viết bằng Rhai.\n\
                  Scores and classifies workplace democracy with rule packs written in Rhai.",
    help_template = HELP_TEMPLATE,
    override_usage = "chamdiem LỆNH [THAM SỐ]",
    subcommand_help_heading = "Lệnh",
    subcommand_value_name = "LỆNH",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    help: HelpFlag,
    /// In số phiên bản.
    #[arg(short = 'V', long, action = ArgAction::Version, help_heading = "Tùy chọn")]
    version: Option<bool>,
}

#[derive(clap::Args)]
struct HelpFlag {
    /// In hướng dẫn này.
    #[arg(short = 'h', long = "help", action = ArgAction::Help, help_heading = "Tùy chọn")]
    help: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// Chấm điểm một hay nhiều tệp (.jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods) hoặc dữ liệu từ đầu vào chuẩn.
    #[command(
        help_template = HELP_TEMPLATE,
        disable_help_flag = true,
        override_usage = "chamdiem score [TỆP...] --period KỲ [--pack BỘ] [--sheet TRANG] [--format jsonl|csv|csv-vn|table] [-o TỆP]",
        after_help = EXIT_CODES
    )]
    Score(ScoreArgs),
    /// Tạo mẫu nhập liệu Excel (.xlsx) từ các trường của một bộ quy tắc.
    #[command(
        help_template = HELP_TEMPLATE,
        disable_help_flag = true,
        override_usage = "chamdiem template [--pack BỘ] --output mau-cham-diem.xlsx"
    )]
    Template(template::TemplateArgs),
    /// Liệt kê các bộ quy tắc có sẵn.
    #[command(help_template = HELP_TEMPLATE, disable_help_flag = true, override_usage = "chamdiem packs")]
    Packs {
        #[command(flatten)]
        help: HelpFlag,
    },
    /// Kiểm tra một bộ quy tắc: cú pháp, trường, tổng điểm, mức xếp loại.
    #[command(help_template = HELP_TEMPLATE, disable_help_flag = true, override_usage = "chamdiem check [--json] BỘ")]
    Check {
        /// Mã bộ quy tắc có sẵn, hoặc đường dẫn tới thư mục / tệp .rhai.
        #[arg(value_name = "BỘ", help_heading = "Tham số")]
        pack: String,
        /// In mô tả bộ quy tắc dưới dạng JSON (lỗi: đối tượng JSON có "code").
        #[arg(long, help_heading = "Tùy chọn")]
        json: bool,
        #[command(flatten)]
        help: HelpFlag,
    },
    /// Độ ổn định của xếp loại khi trọng số và ngưỡng thay đổi một chút.
    #[command(
        help_template = HELP_TEMPLATE,
        disable_help_flag = true,
        override_usage = "chamdiem sensitivity TỆP --period KỲ [--pack BỘ] [--sheet TRANG] [--vary 10%] [--samples 1000] [--seed N] [-o TỆP.json|.csv|.xlsx]",
        after_help = EXIT_CODES
    )]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Chạy các ví dụ (examples.jsonl) của một bộ quy tắc.
    #[command(help_template = HELP_TEMPLATE, disable_help_flag = true, override_usage = "chamdiem test BỘ")]
    Test {
        /// Mã bộ quy tắc có sẵn, hoặc đường dẫn tới thư mục / tệp .rhai.
        #[arg(value_name = "BỘ", help_heading = "Tham số")]
        pack: String,
        #[command(flatten)]
        help: HelpFlag,
    },
    /// Báo cáo tổng hợp kết quả của một kỳ: xếp loại theo đơn vị, tiêu chí yếu, xếp hạng, hạn nộp.
    #[command(
        help_template = HELP_TEMPLATE,
        disable_help_flag = true,
        override_usage = "chamdiem report TỆP... --pack BỘ --period KỲ [--sheet TRANG] [--by unit|province] [-o TỆP.xlsx|.html|.json]",
        after_help = EXIT_CODES
    )]
    Report(report::ReportArgs),
    /// So sánh hai bộ quy tắc trên cùng dữ liệu: ai đổi xếp loại, ma trận chuyển.
    #[command(
        help_template = HELP_TEMPLATE,
        disable_help_flag = true,
        override_usage = "chamdiem diff TỆP... --old BỘ --new BỘ --period KỲ [--sheet TRANG] [-o TỆP.csv|.json|.xlsx|.html]"
    )]
    Diff(diff::DiffArgs),
}

#[derive(clap::Args)]
#[command(next_help_heading = "Tùy chọn")]
struct ScoreArgs {
    /// Tệp dữ liệu vào (.jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods), một hay nhiều tệp (chấm chung một lượt, mỗi kết quả ghi tệp và dòng nguồn); bỏ trống hoặc "-" để đọc từ đầu vào chuẩn.
    #[arg(value_name = "TỆP", help_heading = "Tham số")]
    input: Vec<PathBuf>,
    #[command(flatten)]
    sheet: inputs::SheetArg,
    /// Kỳ đánh giá (bắt buộc): một năm (2024) hoặc khoảng ngày (2024-01-01..2024-06-30).
    #[arg(long, value_name = "KỲ")]
    period: Option<String>,
    /// Bộ quy tắc: mã có sẵn (mặc định vn.enterprise) hoặc đường dẫn.
    #[arg(
        long,
        value_name = "BỘ",
        default_value = "vn.enterprise",
        hide_default_value = true
    )]
    pack: String,
    /// Định dạng kết quả: jsonl (mặc định), csv (cho chương trình), csv-vn (cho Excel tiếng Việt: dấu ;, dấu phẩy thập phân), table (bảng để đọc). Mặc định theo đuôi tệp của -o.
    #[arg(
        long,
        value_enum,
        value_name = "ĐỊNH_DẠNG",
        hide_possible_values = true
    )]
    format: Option<OutputFormat>,
    /// Viết tắt của --format csv-vn.
    #[arg(long, conflicts_with = "format")]
    excel: bool,
    /// Định dạng dữ liệu vào, nếu không đoán được từ đuôi tệp: jsonl, json, csv (cột ngăn bằng dấu phẩy, chấm phẩy hoặc tab; UTF-8 hoặc UTF-16), xlsx, xls hoặc ods.
    #[arg(
        long,
        value_enum,
        value_name = "ĐỊNH_DẠNG",
        hide_possible_values = true
    )]
    input_format: Option<InputKind>,
    /// Ghi kết quả vào tệp (ghi xong mới thay tệp cũ); đuôi .jsonl, .csv hoặc .txt chọn định dạng.
    #[arg(long, short, value_name = "TỆP")]
    output: Option<PathBuf>,
    /// Ghi BOM UTF-8 ở đầu tệp CSV (csv-vn luôn có BOM).
    #[arg(long)]
    bom: bool,
    #[command(flatten)]
    help: HelpFlag,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Jsonl,
    Csv,
    CsvVn,
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputKind {
    Jsonl,
    Json,
    Csv,
    Xlsx,
    Xls,
    Ods,
}

/// A failure that ends the command: one line on standard error, and the
/// exit status.
struct Fatal {
    message: String,
    code: u8,
}

impl Fatal {
    /// The input, the pack or the command line is unusable: status 2.
    fn new(message: impl Into<String>) -> Self {
        Fatal {
            message: message.into(),
            code: 2,
        }
    }

    /// The results could not be written (a full disk, a closed pipe).
    fn write(to: &str, error: &io::Error) -> Self {
        Fatal {
            message: format!(
                "không ghi được kết quả vào {to}: {}",
                describe_io_error(error)
            ),
            code: if error.kind() == io::ErrorKind::BrokenPipe {
                141
            } else {
                2
            },
        }
    }
}

impl From<Error> for Fatal {
    fn from(error: Error) -> Self {
        match error {
            Error::Io { path, message }
                if message.contains("Broken pipe")
                    || message == describe_io_error(&io::ErrorKind::BrokenPipe.into()) =>
            {
                Fatal {
                    message: format!(
                        "không ghi được kết quả vào {path}: chương trình nhận kết quả đã đóng đường ống"
                    ),
                    code: 141,
                }
            }
            other => Fatal::new(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let outcome = match cli.command {
        Command::Score(args) => score(args),
        Command::Template(args) => template::template(args),
        Command::Packs { .. } => packs(),
        Command::Check { pack, json, .. } => check(&pack, json),
        Command::Test { pack, .. } => test(&pack),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Report(args) => report::report(args),
        Command::Diff(args) => diff::diff(args),
    };
    match outcome {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("chamdiem: {}", escape_controls(&fatal.message));
            ExitCode::from(fatal.code)
        }
    }
}

/// Clap's complaints about the command line, in Vietnamese.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let context = |kind| {
        error
            .get(kind)
            .map(|v| escape_controls(&v.to_string()).into_owned())
            .unwrap_or_default()
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let suggestion = [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .map(context)
        .find(|s| !s.is_empty())
        .map(|s| format!(" (có phải ý bạn là '{s}'?)"))
        .unwrap_or_default();
    // The commands as clap knows them, so the list never falls behind.
    let commands = {
        use clap::CommandFactory;
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        names.join(", ")
    };
    let message = match error.kind() {
        // A value the argument's type refuses (a number too large, not a number).
        ErrorKind::ValueValidation => format!("giá trị '{value}' không hợp lệ cho {arg}"),
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("giá trị '{value}' không hợp lệ cho {arg}")
            } else {
                format!("giá trị '{value}' không hợp lệ cho {arg}; dùng một trong: {valid}")
            }
        }
        ErrorKind::UnknownArgument => format!("không có tùy chọn '{arg}'{suggestion}"),
        ErrorKind::InvalidSubcommand => format!(
            "không có lệnh '{}'{suggestion}; các lệnh: {commands}",
            context(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => format!("thiếu {}", context(ContextKind::InvalidArg)),
        ErrorKind::MissingSubcommand => format!("thiếu lệnh: {commands}"),
        ErrorKind::ArgumentConflict => format!(
            "không dùng {arg} cùng với {}",
            context(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} chỉ nhận một giá trị")
        }
        ErrorKind::InvalidUtf8 => "tham số không phải văn bản UTF-8".to_string(),
        _ => format!("lệnh gọi không hợp lệ ({})", error.kind()),
    };
    eprintln!("chamdiem: {message} (xem: chamdiem --help)");
    ExitCode::from(2)
}

/// The format to write: `--format`, else the output file's extension, else
/// JSON Lines.
fn output_format(args: &ScoreArgs) -> Result<OutputFormat, Fatal> {
    if args.excel {
        return Ok(OutputFormat::CsvVn);
    }
    if let Some(format) = args.format {
        return Ok(format);
    }
    let Some(path) = args.output.as_ref().filter(|p| !is_special(p)) else {
        return Ok(OutputFormat::Jsonl);
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("jsonl" | "ndjson") => Ok(OutputFormat::Jsonl),
        Some("csv") => Ok(OutputFormat::Csv),
        Some("txt") => Ok(OutputFormat::Table),
        Some(other) => Err(Fatal::new(format!(
            "{}: không ghi được tệp đuôi .{other}; dùng .jsonl, .csv (hoặc --format csv-vn cho Excel), \
             .txt (bảng), hoặc chọn --format",
            path.display()
        ))),
        None => Err(Fatal::new(format!(
            "{}: tệp kết quả không có đuôi; dùng .jsonl, .csv, .txt hoặc chọn --format",
            path.display()
        ))),
    }
}

/// Whether `path` is an existing file that is not a regular file nor a
/// folder (`/dev/null`, a named pipe): written to directly, never replaced.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether two paths name the same existing file (same device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Refuses an output that would destroy the input or a file of the pack.
fn guard_output(output: &Path, inputs: &[PathBuf], pack: &Pack) -> Result<(), Fatal> {
    if output.is_dir() {
        return Err(Fatal::new(format!(
            "{}: đây là một thư mục; -o cần tên một tệp",
            output.display()
        )));
    }
    for input in inputs {
        if same_file(output, input) {
            return Err(Fatal::new(format!(
                "-o {} chính là tệp dữ liệu vào: ghi vào đó sẽ xóa mất dữ liệu; hãy chọn tên khác, \
                 ví dụ ket-qua.csv",
                output.display()
            )));
        }
    }
    let pack_files = pack
        .sources()
        .iter()
        .map(String::as_str)
        .chain(pack.examples_source().map(|(file, _)| file));
    for file in pack_files {
        if same_file(output, Path::new(file)) {
            return Err(Fatal::new(format!(
                "-o {} là một tệp của bộ quy tắc {} ({file}): không ghi đè lên nó; hãy chọn tên khác",
                output.display(),
                pack.id()
            )));
        }
    }
    Ok(())
}

/// Where the results go: standard output, or a temporary file beside the
/// target that replaces it only when the run succeeds.
enum Destination {
    Stdout,
    /// A device or a named pipe, written in place.
    Special(PathBuf),
    File {
        target: PathBuf,
        temp: tempfile::TempPath,
    },
}

impl Destination {
    fn open(output: Option<&Path>) -> Result<(Self, Box<dyn Write>), Fatal> {
        let Some(target) = output else {
            return Ok((Destination::Stdout, Box::new(io::stdout().lock())));
        };
        if is_special(target) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(target)
                .map_err(|e| {
                    Fatal::new(format!("{}: {}", target.display(), describe_io_error(&e)))
                })?;
            return Ok((Destination::Special(target.to_path_buf()), Box::new(file)));
        }
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A new file gets the usual permissions (0666 less the umask), a
        // replaced one keeps its own.
        let permissions = std::fs::metadata(target)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = tempfile::Builder::new()
            .prefix(".chamdiem-")
            .suffix(".tmp")
            .permissions(permissions)
            .tempfile_in(&folder)
            .map_err(|e| {
                Fatal::new(format!(
                    "không tạo được tệp kết quả trong thư mục {}: {}",
                    folder.display(),
                    describe_io_error(&e)
                ))
            })?;
        let (file, temp) = temp.into_parts();
        Ok((
            Destination::File {
                target: target.to_path_buf(),
                temp,
            },
            Box::new(file),
        ))
    }

    fn name(&self) -> String {
        match self {
            Destination::Stdout => "đầu ra chuẩn".to_string(),
            Destination::File { target, .. } | Destination::Special(target) => {
                target.display().to_string()
            }
        }
    }

    /// Puts the finished results in place.
    fn commit(self) -> Result<(), Fatal> {
        if let Destination::File { target, temp } = self {
            temp.persist(&target).map_err(|e| {
                Fatal::new(format!(
                    "không thay được {} bằng kết quả mới: {}",
                    target.display(),
                    describe_io_error(&e.error)
                ))
            })?;
        }
        Ok(())
    }
}

/// What the summary needs of one result, taken on the worker that scored
/// it, so the result itself is dropped there.
struct Brief {
    entry: SummaryEntry,
    id: Option<String>,
    /// For a record in error: its first problems, with the fields' labels.
    problems: Option<String>,
}

impl Brief {
    fn of(result: &ScoreResult, pack: &Pack) -> Self {
        let problems = (result.status() == Status::Error).then(|| {
            let mut problems: Vec<String> = result
                .errors()
                .iter()
                .take(3)
                .map(|e| match &e.field {
                    Some(field) => format!(
                        "{}: {}",
                        field_with_label(pack, field),
                        escape_controls(&e.message)
                    ),
                    None => escape_controls(&e.message).into_owned(),
                })
                .collect();
            let more = result.errors().len().saturating_sub(3);
            if more > 0 {
                problems.push(format!("và {more} lỗi khác"));
            }
            problems.join("; ")
        });
        Brief {
            entry: result.summary_entry(),
            id: result.id().map(str::to_string),
            problems,
        }
    }
}

/// What the run noticed, for the summary: counts, the first records in
/// error with where they are, and repeated ids.
struct Tally {
    summary: Summary,
    first_errors: Vec<String>,
    ids: HashSet<u64>,
    repeated_ids: Vec<String>,
    repeated_count: usize,
}

impl Tally {
    const SHOWN: usize = 10;

    fn new(pack: &Pack, period: Period) -> Self {
        Tally {
            summary: Summary::new(pack, period),
            first_errors: Vec::new(),
            ids: HashSet::new(),
            repeated_ids: Vec::new(),
            repeated_count: 0,
        }
    }

    fn add(&mut self, brief: Brief, source: Option<&inputs::Source>, named: bool) {
        self.summary.add_entry(brief.entry);
        // Written only for a record that is shown (most are not).
        let records = self.summary.records;
        let place = || match source {
            Some(source) if named => escape_controls(&source.place()).into_owned(),
            Some(source) => source.position.to_string(),
            None => format!("bản ghi thứ {records}"),
        };
        if let Some(id) = &brief.id {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut hasher);
            if !self.ids.insert(hasher.finish()) {
                self.repeated_count += 1;
                if self.repeated_ids.len() < 5 {
                    self.repeated_ids
                        .push(format!("{} ({})", escape_controls(id), place()));
                }
            }
        }
        if let Some(problems) = brief.problems {
            if self.first_errors.len() < Self::SHOWN {
                let id = brief.id.as_deref().map_or("không có mã".to_string(), |id| {
                    format!("mã {}", escape_controls(id))
                });
                self.first_errors
                    .push(format!("  {} · {id}: {problems}", place()));
            }
        }
    }

    /// The summary, then the first records in error.
    fn report(&self) -> String {
        let mut out = self.summary.to_text();
        if !self.first_errors.is_empty() {
            let shown = if self.summary.errors > self.first_errors.len() {
                format!(
                    "{} bản ghi lỗi đầu tiên (trên tổng {}):\n",
                    self.first_errors.len(),
                    self.summary.errors
                )
            } else {
                "Bản ghi lỗi:\n".to_string()
            };
            out.push_str(&shown);
            for line in &self.first_errors {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.repeated_count > 0 {
            warnings.push(format!(
                "{} bản ghi có mã trùng với một bản ghi trước đó: {}{}",
                self.repeated_count,
                self.repeated_ids.join(", "),
                if self.repeated_count > self.repeated_ids.len() {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        warnings.extend(self.summary.period_warning());
        warnings
    }
}

fn score(args: ScoreArgs) -> Result<ExitCode, Fatal> {
    let Some(period_text) = &args.period else {
        return Err(Fatal::new(PERIOD_MISSING));
    };
    let period: Period = period_text.parse()?;
    let format = output_format(&args)?;
    let pack = Pack::load(&args.pack)?;
    let batch = Batch::new(&pack, period)?;

    let inputs = inputs::gather_inputs(
        &args.input,
        args.input_format,
        args.sheet.sheet.as_deref(),
        &pack,
    )?;
    if let Some(output) = &args.output {
        guard_output(output, &inputs.files, &pack)?;
    }
    let named = inputs.name_sources;
    // Every record gets exactly one result, in order: its source travels
    // beside it to the sink (the summary, and the result when `named`).
    let (sources_in, sources) = mpsc::channel();
    let records = inputs.records.map(move |record| {
        record.map(|(source, input)| {
            let _ = sources_in.send(source);
            input
        })
    });

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let (destination, writer) = Destination::open(args.output.as_deref())?;
    let destination_name = destination.name();
    let mut out = BufWriter::with_capacity(1 << 16, writer);
    let write_error = |e: io::Error| Error::Io {
        path: destination_name.clone(),
        message: describe_io_error(&e),
    };

    // A progress bar only where a person watches and it cannot mix with the results.
    let progress = if io::stderr().is_terminal() && !to_terminal {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} bản ghi · {elapsed}")
            .expect("valid template"),
    );
    let width = if to_terminal {
        console::Term::stdout()
            .size_checked()
            .map(|(_, columns)| columns as usize)
    } else {
        None
    };

    let mut tally = Tally::new(&pack, period);
    let mut note = |brief: Brief| {
        progress.inc(1);
        let source = sources.try_recv().ok();
        tally.add(brief, source.as_ref(), named);
        source
    };
    let brief = |result: &ScoreResult| Brief::of(result, &pack);
    let streamed = match format {
        OutputFormat::Jsonl => batch.stream(
            records,
            |r| (r.to_json_line(), brief(&r)),
            |(mut line, brief)| {
                let source = note(brief);
                if let Some(source) = source.filter(|_| named) {
                    // The result's last `}` closes the object: the source goes before it.
                    line.pop();
                    line.push(',');
                    line.push_str(&source.to_json_member());
                    line.push('}');
                }
                line.push('\n');
                out.write_all(line.as_bytes()).map_err(write_error)
            },
        ),
        OutputFormat::Table => {
            out.write_all(chamdiem::table_heading(&pack, period, width).as_bytes())
                .map_err(write_error)?;
            batch.stream(
                records,
                |r| (r.to_table_width(&pack, width), brief(&r)),
                |(text, brief)| {
                    let source = note(brief);
                    match source.filter(|_| named) {
                        Some(source) => {
                            writeln!(out, "{text}   Nguồn: {}", escape_controls(&source.place()))
                        }
                        None => writeln!(out, "{text}"),
                    }
                    .map_err(write_error)
                },
            )
        }
        OutputFormat::Csv | OutputFormat::CsvVn => {
            let style = if format == OutputFormat::CsvVn {
                CsvStyle::VietnameseExcel
            } else {
                CsvStyle::Machine
            };
            if args.bom || style.bom() {
                out.write_all("\u{feff}".as_bytes()).map_err(write_error)?;
            }
            let mut csv = csv::WriterBuilder::new()
                .delimiter(style.delimiter())
                .from_writer(&mut out);
            let mut header = chamdiem::csv_header_in(&pack, style);
            if named {
                let vietnamese = style == CsvStyle::VietnameseExcel;
                header.extend(inputs::source_csv_header(vietnamese).map(String::from));
            }
            csv.write_record(header)
                .map_err(|e| write_error(e.into()))?;
            let streamed = batch.stream(
                records,
                |r| (r.to_csv_row_in(style), brief(&r)),
                |(mut row, brief)| {
                    let source = note(brief);
                    if named {
                        let cells = source.map(|s| s.csv_cells()).unwrap_or_default();
                        row.extend(
                            cells
                                .iter()
                                .map(|c| chamdiem::neutralise_formula(c).into_owned()),
                        );
                    }
                    csv.write_record(&row).map_err(|e| write_error(e.into()))
                },
            );
            csv.flush().map_err(write_error)?;
            streamed
        }
    };
    progress.finish_and_clear();
    let unknown = batch.unknown_fields();
    if !unknown.is_empty() {
        let unknown: Vec<String> = unknown
            .iter()
            .map(|k| escape_controls(k).into_owned())
            .collect();
        eprintln!(
            "chamdiem: các trường không có trong bộ quy tắc {} bị bỏ qua: {}",
            pack.id(),
            unknown.join(", ")
        );
    }
    streamed?;
    for warning in tally.warnings() {
        eprintln!("chamdiem: cảnh báo: {warning}");
    }
    let report = tally.report();
    if format == OutputFormat::Table {
        out.write_all(report.as_bytes()).map_err(write_error)?;
    }
    out.flush().map_err(write_error)?;
    drop(out);
    if format != OutputFormat::Table || args.output.is_some() {
        eprint!("{report}");
    }
    destination.commit()?;
    Ok(if tally.summary.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn in_force(pack: &Pack) -> String {
    let (from, until) = pack.in_force();
    let show = |d: Option<chrono::NaiveDate>| {
        d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string())
    };
    format!("{} – {}", show(from), show(until))
}

/// Writes a report to standard output, control characters shown escaped;
/// a write error (a closed pipe, a full disk) is reported like `score`'s.
fn emit(text: &str) -> Result<(), Fatal> {
    let safe: Vec<String> = text
        .split('\n')
        .map(|line| escape_controls(line).into_owned())
        .collect();
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(safe.join("\n").as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Fatal::write("đầu ra chuẩn", &e))
}

/// `println!` into a report string.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

fn packs() -> Result<ExitCode, Fatal> {
    let mut out = String::new();
    for id in Pack::built_in_ids() {
        let pack = Pack::load(id)?;
        say!(
            out,
            "{id}  (phiên bản {}, hiệu lực {})",
            pack.version(),
            in_force(&pack)
        );
        say!(out, "    {}", pack.title());
        if let Some(parent) = pack.extends().first() {
            say!(out, "    kế thừa: {parent}");
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `chamdiem check`: loads the pack and renders its description, as text or
/// JSON; a pack that does not load is reported (exit status 1), not fatal.
fn check(name: &str, json: bool) -> Result<ExitCode, Fatal> {
    let loaded = Pack::load(name);
    let text = match (&loaded, json) {
        (Ok(pack), false) => check_report(&pack.describe(), name),
        (Ok(pack), true) => {
            serde_json::to_string_pretty(&pack.describe()).expect("a description serializes") + "\n"
        }
        (Err(error), false) => format!("✗ {error}\n"),
        (Err(error), true) => {
            serde_json::to_string_pretty(error).expect("an error serializes") + "\n"
        }
    };
    emit(&text)?;
    Ok(if loaded.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The text report of `check`, in Vietnamese, from the pack's description.
fn check_report(pack: &PackDescription, name: &str) -> String {
    let mut out = String::new();
    let day = |d: Option<chrono::NaiveDate>| {
        d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string())
    };
    say!(out, "✓ {} — {}", pack.id, pack.title);
    if let Some(description) = &pack.description {
        say!(out, "  {description}");
    }
    say!(
        out,
        "  phiên bản {} · hiệu lực {} – {} · dấu vân tay {}",
        pack.version,
        day(pack.in_force_from),
        day(pack.in_force_until),
        pack.fingerprint
    );
    if !pack.extends.is_empty() {
        say!(out, "  kế thừa: {}", pack.extends.join(" → "));
    }
    say!(out, "  tệp nguồn: {}", pack.sources.join(", "));
    if !pack.fields.iter().any(|f| f.name == "id") {
        say!(
            out,
            "  ⚠ không có trường \"id\": kết quả sẽ không có mã của bản ghi"
        );
    }
    say!(out, "  {} trường dữ liệu vào:", pack.fields.len());
    for field in &pack.fields {
        let need = match (field.required, field.nullable) {
            (true, false) => "bắt buộc",
            (true, true) => "bắt buộc, có thể null",
            (false, _) => "không bắt buộc",
        };
        let mut limits = Vec::new();
        match (field.min, field.max) {
            (Some(min), Some(max)) => limits.push(format!("từ {min} đến {max}")),
            (Some(min), None) => limits.push(format!("≥ {min}")),
            (None, Some(max)) => limits.push(format!("≤ {max}")),
            (None, None) => {}
        }
        if let Some(other) = &field.at_most {
            limits.push(format!("≤ {other}"));
        }
        if let Some(values) = &field.values {
            limits.push(format!("một trong: {}", values.join(", ")));
        }
        if field.carry {
            limits.push("ghi kèm vào kết quả".to_string());
        }
        let limits = if limits.is_empty() {
            String::new()
        } else {
            format!(" ({})", limits.join("; "))
        };
        say!(
            out,
            "    {:<32} {:<12} {need} — {}{limits}",
            field.name,
            field.ty,
            field.label
        );
    }
    say!(
        out,
        "  {} tiêu chí, tổng {} điểm:",
        pack.criteria.len(),
        pack.max_points
    );
    for group in &pack.groups {
        say!(
            out,
            "    Nhóm {} — {} (tối đa {})",
            group.id,
            group.label,
            group.max
        );
        for c in pack.criteria.iter().filter(|c| c.group == group.id) {
            say!(
                out,
                "      {:<5} {:>5}  {}",
                c.id,
                c.points.to_string(),
                c.label
            );
        }
    }
    let bands: Vec<String> = pack
        .bands
        .iter()
        .map(|b| match (&b.condition, b.has_condition) {
            (Some(condition), _) => format!("{} ≥ {} và {condition}", b.label, b.min),
            (None, true) => format!("{} ≥ {} và có điều kiện (requires)", b.label, b.min),
            (None, false) => format!("{} ≥ {}", b.label, b.min),
        })
        .collect();
    say!(out, "  xếp loại: {}", bands.join(" · "));
    for gate in &pack.gates {
        let cap = pack
            .bands
            .iter()
            .find(|b| b.code == gate.cap)
            .map_or(gate.cap.as_str(), |b| b.label.as_str());
        say!(
            out,
            "  điều kiện {}: {} → tối đa {cap} ({})",
            gate.id,
            gate.label,
            gate.location
        );
    }
    if pack.has_applicability {
        say!(
            out,
            "  có điều kiện áp dụng: bản ghi không thuộc diện được ghi \"not_applicable\""
        );
    }
    for deadline in &pack.calendar {
        say!(
            out,
            "  hạn báo cáo: {} — trước ngày {:02}/{:02} hằng năm, gửi {}",
            deadline.label,
            deadline.day,
            deadline.month,
            deadline.to
        );
    }
    match &pack.examples {
        Some(file) => say!(out, "  ví dụ: {file} (chạy: chamdiem test {name})"),
        None => say!(out, "  ⚠ chưa có tệp ví dụ examples.jsonl"),
    }
    // Why results are remembered, and when they are not: said once for every
    // rule, since the memo keys on what each rule reads while it runs.
    say!(
        out,
        "  ghi nhớ: kết quả mỗi quy tắc được nhớ theo đúng các giá trị nó đã đọc khi chạy; \
         không nhớ khi quy tắc lỗi hay vượt giới hạn, khi giá trị đọc dài quá 1 KB, \
         hoặc khi bộ nhớ đệm của quy tắc đã đầy (2 MB); tắt hẳn: CHAMDIEM_MEMO=off"
    );
    out
}

fn test(name: &str) -> Result<ExitCode, Fatal> {
    let pack = Pack::load(name)?;
    let outcomes = chamdiem::selftest::run_examples(&pack)?;
    let (file, _) = pack.examples_source().expect("examples were read");
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut out = String::new();
    for outcome in &outcomes {
        if outcome.passed() {
            say!(out, "✓ {}", outcome.name);
        } else {
            say!(out, "✗ {} ({file}:{})", outcome.name, outcome.line);
            for failure in &outcome.failures {
                say!(out, "    {failure}");
            }
        }
    }
    say!(
        out,
        "{} ví dụ đúng, {} ví dụ sai",
        outcomes.len() - failed,
        failed
    );
    emit(&out)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
