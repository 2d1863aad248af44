//! `chamdiem report`: the compiled results of a period (tổng hợp kết quả),
//! as text, JSON, HTML or XLSX. The report itself is built in the core
//! (`chamdiem::report`); this file reads, scores with a progress bar and writes.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chamdiem::report::{GroupBy, ReportBuilder, ReportOptions};
use chamdiem::{Batch, Pack, Period, RecordInput, ScoreResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{guard_output, Destination, Fatal, HelpFlag, PERIOD_MISSING};

#[derive(clap::Args)]
#[command(next_help_heading = "Tùy chọn")]
pub(crate) struct ReportArgs {
    /// Tệp dữ liệu vào (.jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods), một hoặc nhiều tệp, chấm chung một lượt.
    #[arg(value_name = "TỆP", help_heading = "Tham số", required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    sheet: crate::inputs::SheetArg,
    /// Kỳ đánh giá (bắt buộc): 2024, 2024-H1, 2024-Q3 hoặc 2024-01-01..2024-06-30.
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
    /// Nhóm theo: unit (đơn vị, mặc định) hoặc province (tỉnh).
    #[arg(
        long,
        value_name = "NHÓM",
        default_value = "unit",
        hide_default_value = true
    )]
    by: String,
    /// Hạn báo cáo trong lịch của bộ quy tắc (mã, ví dụ bao_cao_nam); mặc định chọn theo kỳ.
    #[arg(long, value_name = "MÃ")]
    deadline: Option<String>,
    /// Ghi báo cáo vào tệp: đuôi .xlsx, .html, .json hoặc .txt chọn định dạng.
    #[arg(long, short, value_name = "TỆP")]
    output: Option<PathBuf>,
    /// Định dạng khi in ra màn hình (không có -o): text (mặc định, đọc được) hoặc json.
    #[arg(long, value_name = "ĐỊNH_DẠNG")]
    format: Option<String>,
    #[command(flatten)]
    help: HelpFlag,
}

/// What a report or a diff is written as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    Text,
    Json,
    Html,
    Xlsx,
    Csv,
}

/// The format: `--format`, else the output's extension, else text.
/// `allowed` lists what the command writes.
pub(crate) fn written_as(
    format: Option<&str>,
    output: Option<&Path>,
    allowed: &[(&str, Written)],
) -> Result<Written, Fatal> {
    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
    let pick = |name: &str, what: &str| {
        allowed
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, w)| *w)
            .ok_or_else(|| {
                Fatal::new(format!(
                    "{what} '{name}' không dùng được ở đây; dùng: {}",
                    names.join(", ")
                ))
            })
    };
    if let Some(format) = format {
        return pick(&format.to_ascii_lowercase(), "định dạng");
    }
    let Some(path) = output else {
        return Ok(Written::Text);
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let name = if extension == "txt" {
        "text"
    } else {
        &extension
    };
    pick(name, &format!("{}: đuôi tệp", path.display())).map_err(|_| {
        Fatal::new(format!(
            "{}: không biết ghi tệp đuôi '.{extension}'; dùng đuôi {} hoặc chọn --format",
            path.display(),
            names
                .iter()
                .map(|n| if *n == "text" { ".txt" } else { n })
                .map(|n| if n.starts_with('.') {
                    n.to_string()
                } else {
                    format!(".{n}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Reads every input file into records, in order, with the pack's fields.
/// The one place the report and the diff read their inputs.
pub(crate) fn read_inputs(
    paths: &[PathBuf],
    sheet: &crate::inputs::SheetArg,
    pack: &Pack,
) -> Result<Vec<RecordInput>, Fatal> {
    crate::inputs::read_all(paths, None, sheet.sheet.as_deref(), pack)
}

/// A progress bar on standard error when it is a terminal; hidden otherwise,
/// so nothing of it reaches a pipe or a file.
pub(crate) fn progress_bar(length: u64, what: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:30}} {{human_pos}}/{{human_len}} {what} · {{elapsed}}"
        ))
        .expect("valid template"),
    );
    bar
}

/// Scores `inputs` in steps, ticking `progress`, handing each result to `sink` in order.
pub(crate) fn score_with_progress(
    batch: &Batch,
    inputs: &[RecordInput],
    progress: &ProgressBar,
    mut sink: impl FnMut(ScoreResult),
) {
    for chunk in inputs.chunks(chamdiem::CHUNK) {
        for result in batch.score(chunk) {
            sink(result);
        }
        progress.inc(chunk.len() as u64);
    }
}

/// Says which fields of the records the pack does not declare (so not read).
pub(crate) fn warn_unknown_fields(batch: &Batch, pack: &Pack) {
    let unknown = batch.unknown_fields();
    if !unknown.is_empty() {
        let unknown: Vec<String> = unknown
            .iter()
            .map(|k| chamdiem::escape_controls(k).into_owned())
            .collect();
        eprintln!(
            "chamdiem: các trường không có trong bộ quy tắc {} bị bỏ qua: {}",
            pack.id(),
            unknown.join(", ")
        );
    }
}

/// Writes `bytes` to the output file (replaced only when complete) or to
/// standard output.
pub(crate) fn write_out(output: Option<&Path>, bytes: &[u8]) -> Result<(), Fatal> {
    let (destination, mut writer) = Destination::open(output)?;
    let name = destination.name();
    writer
        .write_all(bytes)
        .and_then(|()| writer.flush())
        .map_err(|e| Fatal::write(&name, &e))?;
    drop(writer);
    destination.commit()
}

/// A wrong option value, said without the "cannot read the input" prefix.
fn plain(error: chamdiem::Error) -> Fatal {
    match error {
        chamdiem::Error::Input(message) => Fatal::new(message),
        other => other.into(),
    }
}

pub(crate) fn parse_period(period: Option<&str>) -> Result<Period, Fatal> {
    let Some(text) = period else {
        return Err(Fatal::new(PERIOD_MISSING));
    };
    Ok(text.parse()?)
}

pub(crate) fn report(args: ReportArgs) -> Result<ExitCode, Fatal> {
    let period = parse_period(args.period.as_deref())?;
    let written = written_as(
        args.format.as_deref(),
        args.output.as_deref(),
        &[
            ("text", Written::Text),
            ("json", Written::Json),
            ("html", Written::Html),
            ("xlsx", Written::Xlsx),
        ],
    )?;
    if args.output.is_none() && written == Written::Xlsx {
        return Err(Fatal::new(
            "bảng tính .xlsx cần một tệp: thêm -o bao-cao.xlsx",
        ));
    }
    let by: GroupBy = args.by.parse().map_err(plain)?;
    let pack = Pack::load(&args.pack)?;
    let batch = Batch::new(&pack, period)?;
    if let Some(output) = &args.output {
        guard_output(output, &args.inputs, &pack)?;
    }
    let options = ReportOptions {
        by,
        deadline: args.deadline.clone(),
    };
    let mut builder = ReportBuilder::new(&pack, period, &options).map_err(plain)?;
    let inputs = read_inputs(&args.inputs, &args.sheet, &pack)?;
    let progress = progress_bar(inputs.len() as u64, "bản ghi");
    score_with_progress(&batch, &inputs, &progress, |r| builder.add(&r));
    progress.finish_and_clear();
    warn_unknown_fields(&batch, &pack);
    let report = builder.finish();

    let bytes = match written {
        Written::Text => report.to_text().into_bytes(),
        Written::Json => {
            let mut text = report.to_json();
            text.push('\n');
            text.into_bytes()
        }
        Written::Html => report.to_html().into_bytes(),
        Written::Xlsx => report.to_xlsx()?,
        Written::Csv => unreachable!("not offered for reports"),
    };
    write_out(args.output.as_deref(), &bytes)?;
    if let Some(output) = &args.output {
        let t = &report.total;
        eprintln!(
            "chamdiem: đã ghi báo cáo {}: {} bản ghi, chấm được {}, không thuộc đối tượng {}, lỗi {}",
            output.display(),
            t.records,
            t.scored,
            t.not_applicable,
            t.errors
        );
    }
    Ok(if report.total.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
