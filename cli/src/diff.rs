//! `chamdiem diff`: what a change of rules does to the same records — the
//! transition matrix and every record that changes class. The comparison is
//! built in the core (`chamdiem::report::Diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use chamdiem::report::Diff;
use chamdiem::{Batch, Pack};

use crate::report::{
    parse_period, progress_bar, read_inputs, score_with_progress, warn_unknown_fields, write_out,
    written_as, Written,
};
use crate::{guard_output, Fatal, HelpFlag};

#[derive(clap::Args)]
#[command(next_help_heading = "Tùy chọn")]
pub(crate) struct DiffArgs {
    /// Tệp dữ liệu vào (.jsonl, .json, .csv, .tsv, .txt, .xlsx, .xls, .ods), một hoặc nhiều tệp.
    #[arg(value_name = "TỆP", help_heading = "Tham số", required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    sheet: crate::inputs::SheetArg,
    /// Bộ quy tắc đang dùng (mã có sẵn hoặc đường dẫn).
    #[arg(long, value_name = "BỘ")]
    old: String,
    /// Bộ quy tắc đề xuất (mã có sẵn hoặc đường dẫn).
    #[arg(long, value_name = "BỘ")]
    new: String,
    /// Kỳ đánh giá (bắt buộc): 2024, 2024-H1 hoặc 2024-01-01..2024-06-30.
    #[arg(long, value_name = "KỲ")]
    period: Option<String>,
    /// Ghi kết quả vào tệp: đuôi .csv, .json, .xlsx, .html hoặc .txt chọn định dạng.
    #[arg(long, short, value_name = "TỆP")]
    output: Option<PathBuf>,
    /// Định dạng: text (mặc định khi in ra màn hình), json, csv, html; xlsx cần -o.
    #[arg(long, value_name = "ĐỊNH_DẠNG")]
    format: Option<String>,
    #[command(flatten)]
    help: HelpFlag,
}

pub(crate) fn diff(args: DiffArgs) -> Result<ExitCode, Fatal> {
    let period = parse_period(args.period.as_deref())?;
    let written = written_as(
        args.format.as_deref(),
        args.output.as_deref(),
        &[
            ("text", Written::Text),
            ("json", Written::Json),
            ("csv", Written::Csv),
            ("html", Written::Html),
            ("xlsx", Written::Xlsx),
        ],
    )?;
    if args.output.is_none() && written == Written::Xlsx {
        return Err(Fatal::new(
            "bảng tính .xlsx cần một tệp: thêm -o so-sanh.xlsx",
        ));
    }
    let old_pack = Pack::load(&args.old)?;
    let new_pack = Pack::load(&args.new)?;
    let old_batch = Batch::new(&old_pack, period)?;
    let new_batch = Batch::new(&new_pack, period)?;
    if let Some(output) = &args.output {
        guard_output(output, &args.inputs, &old_pack)?;
        guard_output(output, &args.inputs, &new_pack)?;
    }
    // The records are read once, with the old pack's fields (CSV headings,
    // Vietnamese labels), and scored by both packs.
    let inputs = read_inputs(&args.inputs, &args.sheet, &old_pack)?;
    let progress = progress_bar(2 * inputs.len() as u64, "lượt chấm");
    let mut old = Vec::with_capacity(inputs.len());
    score_with_progress(&old_batch, &inputs, &progress, |r| old.push(r));
    let mut new = Vec::with_capacity(inputs.len());
    score_with_progress(&new_batch, &inputs, &progress, |r| new.push(r));
    progress.finish_and_clear();
    warn_unknown_fields(&old_batch, &old_pack);
    warn_unknown_fields(&new_batch, &new_pack);
    let diff = Diff::compare(&old_pack, &new_pack, period, &old, &new);

    let bytes = match written {
        Written::Text => diff.to_text().into_bytes(),
        Written::Json => {
            let mut text = diff.to_json();
            text.push('\n');
            text.into_bytes()
        }
        Written::Csv => diff.to_csv().into_bytes(),
        Written::Html => diff.to_html().into_bytes(),
        Written::Xlsx => diff.to_xlsx()?,
    };
    write_out(args.output.as_deref(), &bytes)?;
    if let Some(output) = &args.output {
        eprintln!(
            "chamdiem: đã ghi {}: {} bản ghi, {} đổi xếp loại, {} đổi tổng điểm",
            output.display(),
            diff.records,
            diff.changed_class,
            diff.changed_total
        );
    }
    Ok(ExitCode::SUCCESS)
}
