//! `chamdiem sensitivity`: how stable each record's class is when the
//! pack's weights and thresholds move a little (the analysis lives in
//! `chamdiem::Sensitivity`; this file reads, shows progress and writes).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chamdiem::{Pack, Period, RecordInput, Sensitivity, SensitivityOptions, Status};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{guard_output, Destination, Fatal, HelpFlag, InputKind, PERIOD_MISSING};

#[derive(clap::Args)]
#[command(next_help_heading = "Tùy chọn")]
pub(crate) struct SensitivityArgs {
    /// Tệp dữ liệu vào (.jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods).
    #[arg(value_name = "TỆP", help_heading = "Tham số")]
    input: PathBuf,
    #[command(flatten)]
    sheet: crate::inputs::SheetArg,
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
    /// Mức thay đổi tối đa của điểm mỗi tiêu chí và ngưỡng mỗi mức xếp loại: 10% (mặc định) hoặc 0.1.
    #[arg(
        long,
        value_name = "MỨC",
        default_value = "10%",
        hide_default_value = true
    )]
    vary: String,
    /// Số mẫu (mặc định 1000).
    #[arg(
        long,
        value_name = "SỐ",
        default_value_t = 1000,
        hide_default_value = true
    )]
    samples: u32,
    /// Hạt giống ngẫu nhiên (mặc định 0): cùng hạt giống, cùng kết quả.
    #[arg(
        long,
        value_name = "SỐ",
        default_value_t = 0,
        hide_default_value = true
    )]
    seed: u64,
    /// Bản ghi có độ ổn định dưới mức này là "sát ngưỡng": 90% (mặc định) hoặc 0.9.
    #[arg(
        long,
        value_name = "MỨC",
        default_value = "90%",
        hide_default_value = true
    )]
    knife_edge: String,
    /// Số bản ghi sát ngưỡng và tiêu chí in ra màn hình (mặc định 20).
    #[arg(
        long,
        value_name = "SỐ",
        default_value_t = 20,
        hide_default_value = true
    )]
    show: usize,
    /// Định dạng dữ liệu vào, nếu không đoán được từ đuôi tệp: jsonl, json hoặc csv.
    #[arg(
        long,
        value_enum,
        value_name = "ĐỊNH_DẠNG",
        hide_possible_values = true
    )]
    input_format: Option<InputKind>,
    /// Ghi toàn bộ kết quả vào tệp: .json, .csv (từng bản ghi) hoặc .xlsx (bản ghi và tiêu chí).
    #[arg(long, short, value_name = "TỆP")]
    output: Option<PathBuf>,
    #[command(flatten)]
    help: HelpFlag,
}

/// `10%` or `0.1` as 0.1. A bare number above 1 is refused: `10` could mean
/// either.
fn share(option: &str, text: &str) -> Result<f64, Fatal> {
    parse_share(text).map_err(|e| Fatal::new(format!("{option}: {e}")))
}

fn parse_share(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, percent) = match text.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (text, false),
    };
    let value: f64 = number
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("'{text}' không phải một tỉ lệ: viết 10% hoặc 0.1"))?;
    let value = if percent { value / 100.0 } else { value };
    if !value.is_finite() || !(0.0..=1.0).contains(&value) || (!percent && value > 1.0) {
        return Err(format!("'{text}' phải từ 0% đến 100% (viết 10% hoặc 0.1)"));
    }
    Ok(value)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    Json,
    Csv,
    Xlsx,
}

fn written(path: &Path) -> Result<Written, Fatal> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => Ok(Written::Json),
        Some("csv") => Ok(Written::Csv),
        Some("xlsx") => Ok(Written::Xlsx),
        _ => Err(Fatal::new(format!(
            "{}: tệp kết quả phải có đuôi .json, .csv hoặc .xlsx",
            path.display()
        ))),
    }
}

/// Reads every record of the input, as `score` reads it (the one place to
/// change when inputs grow: several files, workbooks).
fn read_inputs(
    path: &Path,
    kind: Option<InputKind>,
    sheet: Option<&str>,
    pack: &Pack,
) -> Result<Vec<RecordInput>, Fatal> {
    crate::inputs::read_all(&[path.to_path_buf()], kind, sheet, pack)
}

pub(crate) fn sensitivity(args: SensitivityArgs) -> Result<ExitCode, Fatal> {
    let Some(period_text) = &args.period else {
        return Err(Fatal::new(PERIOD_MISSING.replace(
            "chamdiem score du-lieu.csv",
            "chamdiem sensitivity du-lieu.csv",
        )));
    };
    let period: Period = period_text.parse()?;
    let pack = Pack::load(&args.pack)?;
    pack.ensure_in_force(&period)?;
    let written = args.output.as_deref().map(written).transpose()?;
    if let Some(output) = &args.output {
        guard_output(output, std::slice::from_ref(&args.input), &pack)?;
    }
    let vary = share("--vary", &args.vary)?;
    let knife_edge = share("--knife-edge", &args.knife_edge)?;
    let options = SensitivityOptions::new(vary, args.samples, args.seed, knife_edge);
    // Before reading the data: a wrong option is said at once, as itself.
    options.validate().map_err(Fatal::new)?;
    let inputs = read_inputs(
        &args.input,
        args.input_format,
        args.sheet.sheet.as_deref(),
        &pack,
    )?;

    // A bar only where a person watches: never into a pipe or a file.
    let progress = if io::stderr().is_terminal() {
        ProgressBar::with_draw_target(
            Some(Sensitivity::passes(&pack, &options)),
            ProgressDrawTarget::stderr(),
        )
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} lượt chấm lại · {elapsed} (còn {eta})")
            .expect("valid template"),
    );
    let analysis = Sensitivity::analyse(&pack, period, &inputs, &options, &|| progress.inc(1));
    progress.finish_and_clear();
    let analysis = analysis?;

    if let (Some(output), Some(written)) = (&args.output, written) {
        let bytes = match written {
            Written::Json => {
                let mut text = serde_json::to_string_pretty(&analysis)
                    .map_err(|e| Fatal::new(format!("không tạo được JSON: {e}")))?;
                text.push('\n');
                text.into_bytes()
            }
            Written::Csv => analysis.to_csv().into_bytes(),
            Written::Xlsx => analysis.to_xlsx()?,
        };
        let (destination, mut writer) = Destination::open(Some(output))?;
        let name = destination.name();
        writer
            .write_all(&bytes)
            .and_then(|()| writer.flush())
            .map_err(|e| Fatal::write(&name, &e))?;
        drop(writer);
        destination.commit()?;
    }
    crate::emit(&analysis.summary(args.show))?;
    let errors = analysis
        .records
        .iter()
        .filter(|r| r.status == Status::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "chamdiem: {errors} bản ghi lỗi không được phân tích (xem bằng: chamdiem score {} --period {period})",
            args.input.display()
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
