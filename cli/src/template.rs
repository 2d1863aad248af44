//! `chamdiem template`: the blank input workbook of a pack.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chamdiem::Pack;

use crate::{Fatal, HelpFlag};

#[derive(clap::Args)]
#[command(next_help_heading = "Tùy chọn")]
pub struct TemplateArgs {
    /// Bộ quy tắc: mã có sẵn (mặc định vn.enterprise) hoặc đường dẫn.
    #[arg(
        long,
        value_name = "BỘ",
        default_value = "vn.enterprise",
        hide_default_value = true
    )]
    pack: String,
    /// Tệp bảng tính sẽ ghi (.xlsx), ví dụ mau-cham-diem.xlsx.
    #[arg(long, short, value_name = "TỆP")]
    output: PathBuf,
    #[command(flatten)]
    help: HelpFlag,
}

/// Writes the pack's input workbook to `--output` (through a temporary file
/// beside it, so a failure leaves no half-written workbook).
pub fn template(args: TemplateArgs) -> Result<ExitCode, Fatal> {
    let extension = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if extension.as_deref() != Some("xlsx") {
        return Err(Fatal::new(format!(
            "{}: mẫu nhập liệu là bảng tính Excel, hãy đặt tên tệp đuôi .xlsx",
            args.output.display()
        )));
    }
    let pack = Pack::load(&args.pack)?;
    let bytes = chamdiem::write_template(&pack)?;
    let (destination, mut writer) = crate::Destination::open(Some(&args.output))?;
    writer
        .write_all(&bytes)
        .and_then(|()| writer.flush())
        .map_err(|e| Fatal::write(&args.output.display().to_string(), &e))?;
    drop(writer);
    destination.commit()?;
    eprintln!(
        "chamdiem: đã ghi mẫu nhập liệu {} ({} trường của bộ quy tắc {} phiên bản {}); \
         điền mỗi dòng một doanh nghiệp rồi chấm: chamdiem score {} --pack {} --period KỲ",
        args.output.display(),
        pack.fields().len(),
        pack.id(),
        pack.version(),
        args.output.display(),
        args.pack
    );
    Ok(ExitCode::SUCCESS)
}
