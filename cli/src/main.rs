//! The `chamdiem` command: score files, list, check and test rule packs.
//!
//! Thin by design: reading, scoring and formatting live in the `chamdiem`
//! crate; this file parses arguments and moves bytes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chamdiem::{Batch, Error, InputFormat, Pack, PackDescription, Period};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

// Scoring allocates many small, short-lived values on every thread; mimalloc
// handles that pattern better than the system allocator (see BENCHMARKS.md).
// The counting wrapper lets the core enforce `Limits::max_memory_bytes`.
#[global_allocator]
static ALLOCATOR: chamdiem::CountingAllocator<mimalloc::MiMalloc> =
    chamdiem::CountingAllocator::new(mimalloc::MiMalloc);

#[derive(Parser)]
#[command(
    name = "chamdiem",
    version,
    about = "Chấm điểm, xếp loại thực hiện dân chủ ở cơ sở tại nơi làm việc",
    long_about = "Chấm điểm, xếp loại thực hiện dân chủ ở cơ sở tại nơi làm việc theo bộ quy tắc viết bằng Rhai.\n\
                  Scores and classifies workplace democracy with rule packs written in Rhai."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chấm điểm một tệp (.jsonl, .json, .csv) hoặc JSON Lines từ đầu vào chuẩn.
    Score(ScoreArgs),
    /// Liệt kê các bộ quy tắc có sẵn.
    Packs,
    /// Kiểm tra một bộ quy tắc: cú pháp, trường, tổng điểm, mức xếp loại.
    Check {
        /// Mã bộ quy tắc có sẵn, hoặc đường dẫn tới thư mục / tệp .rhai.
        pack: String,
        /// In mô tả bộ quy tắc dưới dạng JSON (lỗi: đối tượng JSON có "code").
        #[arg(long)]
        json: bool,
    },
    /// Chạy các ví dụ (examples.jsonl) của một bộ quy tắc.
    Test {
        /// Mã bộ quy tắc có sẵn, hoặc đường dẫn tới thư mục / tệp .rhai.
        pack: String,
    },
}

#[derive(clap::Args)]
struct ScoreArgs {
    /// Tệp dữ liệu vào; bỏ trống hoặc "-" để đọc JSON Lines từ đầu vào chuẩn.
    input: Option<PathBuf>,
    /// Bộ quy tắc: mã có sẵn hoặc đường dẫn.
    #[arg(long, default_value = "vn.enterprise")]
    pack: String,
    /// Kỳ đánh giá: một năm (2024) hoặc khoảng ngày (2024-01-01..2024-12-31). Mặc định: năm hiện tại.
    #[arg(long)]
    period: Option<String>,
    /// Định dạng kết quả.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,
    /// Định dạng dữ liệu vào, nếu không đoán được từ đuôi tệp.
    #[arg(long, value_enum)]
    input_format: Option<InputKind>,
    /// Ghi kết quả vào tệp thay vì đầu ra chuẩn.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Ghi BOM UTF-8 ở đầu tệp CSV, để Excel hiện đúng tiếng Việt.
    #[arg(long)]
    bom: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Jsonl,
    Csv,
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputKind {
    Jsonl,
    Json,
    Csv,
}

/// A failure that ends the command: one line on standard error.
struct Fatal(String);

impl From<Error> for Fatal {
    fn from(error: Error) -> Self {
        Fatal(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Score(args) => score(args).map(|()| ExitCode::SUCCESS),
        Command::Packs => packs().map(|()| ExitCode::SUCCESS),
        Command::Check { pack, json } => check(&pack, json),
        Command::Test { pack } => test(&pack),
    };
    match outcome {
        Ok(code) => code,
        Err(Fatal(message)) if message.contains("Broken pipe") => ExitCode::from(141),
        Err(Fatal(message)) => {
            eprintln!("chamdiem: {message}");
            ExitCode::from(2)
        }
    }
}

fn current_year() -> i32 {
    use chrono::Datelike;
    chrono::Local::now().year()
}

fn score(args: ScoreArgs) -> Result<(), Fatal> {
    let pack = Pack::load(&args.pack)?;
    let period: Period = match &args.period {
        Some(text) => text.parse()?,
        None => Period::year(current_year())?,
    };
    let batch = Batch::new(&pack, period)?;

    let from_stdin = args.input.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let format = match (args.input_format, &args.input) {
        (Some(InputKind::Jsonl), _) => InputFormat::JsonLines,
        (Some(InputKind::Json), _) => InputFormat::JsonArray,
        (Some(InputKind::Csv), _) => InputFormat::Csv,
        (None, _) if from_stdin => InputFormat::JsonLines,
        (None, Some(path)) => InputFormat::from_path(path).ok_or_else(|| {
            Fatal(format!(
                "{}: không biết định dạng (dùng .jsonl, .json, .csv hoặc --input-format)",
                path.display()
            ))
        })?,
        (None, None) => InputFormat::JsonLines,
    };
    let reader: Box<dyn BufRead + Send> = match &args.input {
        Some(path) if !from_stdin => Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))?,
        )),
        _ => Box::new(BufReader::new(io::stdin())),
    };
    let mut warnings = Vec::new();
    let records = chamdiem::read_records(reader, format, &pack, &mut warnings)?;
    for warning in &warnings {
        eprintln!("chamdiem: {warning}");
    }

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let writer: Box<dyn Write> = match &args.output {
        Some(path) => {
            Box::new(File::create(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))?)
        }
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, writer);

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

    let write_error = |e: io::Error| Error::Io {
        path: args
            .output
            .as_ref()
            .map_or("stdout".into(), |p| p.display().to_string()),
        message: e.to_string(),
    };
    let result = match args.format {
        OutputFormat::Jsonl => batch.stream(
            records,
            |r| {
                let mut line = r.to_json_line();
                line.push('\n');
                line
            },
            |line| {
                progress.inc(1);
                out.write_all(line.as_bytes()).map_err(write_error)
            },
        ),
        OutputFormat::Table => batch.stream(
            records,
            |r| r.to_table(&pack),
            |text| {
                progress.inc(1);
                writeln!(out, "{text}").map_err(write_error)
            },
        ),
        OutputFormat::Csv => {
            if args.bom {
                out.write_all("\u{feff}".as_bytes()).map_err(write_error)?;
            }
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(chamdiem::csv_header(&pack))
                .map_err(|e| Fatal(e.to_string()))?;
            let streamed = batch.stream(
                records,
                |r| r.to_csv_row(),
                |row| {
                    progress.inc(1);
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
        eprintln!(
            "chamdiem: các trường không có trong bộ quy tắc {} bị bỏ qua: {}",
            pack.id(),
            unknown.join(", ")
        );
    }
    let count = result?;
    out.flush().map_err(write_error)?;
    if args.output.is_some() && io::stderr().is_terminal() {
        eprintln!("Đã chấm {count} bản ghi theo {} (kỳ {period}).", pack.id());
    }
    Ok(())
}

fn in_force(pack: &Pack) -> String {
    let (from, until) = pack.in_force();
    let show = |d: Option<chrono::NaiveDate>| {
        d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string())
    };
    format!("{} – {}", show(from), show(until))
}

/// Writes a report to standard output; a closed pipe (`| head`) ends quietly.
fn emit(text: &str) {
    let mut stdout = io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(141);
    }
}

/// `println!` into a report string.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

fn packs() -> Result<(), Fatal> {
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
    emit(&out);
    Ok(())
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
    emit(&text);
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
    say!(out, "{} passed, {} failed", outcomes.len() - failed, failed);
    emit(&out);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
