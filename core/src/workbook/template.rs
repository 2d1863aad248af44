//! The blank input workbook made from a pack's declared fields.

#[cfg(feature = "xlsx-write")]
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Workbook, Worksheet, XlsxError,
};

#[cfg(feature = "xlsx-write")]
use crate::{Error, FieldSpec, FieldType, Pack};

/// The sheet people fill, one row per enterprise.
pub const DATA_SHEET: &str = "Dữ liệu";
/// The sheet that explains every field and names the pack.
pub const NOTES_SHEET: &str = "Ghi chú";
/// The hidden sheet holding long lists of allowed values.
#[cfg(feature = "xlsx-write")]
const LISTS_SHEET: &str = "Danh sách";
/// The row (from 0) of the Vietnamese labels: what people read.
pub const LABELS_ROW: u32 = 0;
/// The row (from 0) of the field keys: what reads the workbook back.
pub const KEYS_ROW: u32 = 1;
/// How many rows below the header carry the data validation.
#[cfg(feature = "xlsx-write")]
const ROWS: u32 = 2000;
/// Excel's limit on an inline list of allowed values.
#[cfg(feature = "xlsx-write")]
const INLINE_LIST_CHARS: usize = 255;

/// Writes the input workbook for `pack` and returns its bytes (`.xlsx`).
///
/// Sheet [`DATA_SHEET`]: row 1 the fields' Vietnamese labels (required ones
/// marked `*`), row 2 their keys (so the workbook reads back whatever the
/// labels become), frozen; below, one row per enterprise, with data
/// validation where the pack knows the values: a Có/Không drop-down for a
/// yes/no, the allowed values of a choice, whole numbers within the declared
/// range, dates shown `dd/mm/yyyy`. Sheet [`NOTES_SHEET`]: each field's key,
/// label, type, need, limits and description, and the pack's id, version
/// and fingerprint.
#[cfg(feature = "xlsx-write")]
pub fn write_template(pack: &Pack) -> Result<Vec<u8>, Error> {
    build(pack).map_err(|e| Error::Io {
        path: "mẫu nhập liệu".into(),
        message: format!("không tạo được bảng tính: {e}"),
    })
}

#[cfg(feature = "xlsx-write")]
fn build(pack: &Pack) -> Result<Vec<u8>, XlsxError> {
    let fields = pack.fields();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Mẫu nhập liệu — {}", pack.title()))
            .set_subject(format!(
                "Bộ quy tắc {} phiên bản {}",
                pack.id(),
                pack.version()
            ))
            .set_comment(format!("Dấu vân tay bộ quy tắc: {}", pack.fingerprint())),
    );

    let label_format = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let key_format = Format::new()
        .set_italic()
        .set_font_size(9)
        .set_font_color(Color::RGB(0x595959))
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border(FormatBorder::Thin);
    let text_format = Format::new().set_num_format("@");
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let number_format = Format::new().set_num_format("0");

    // Long lists of allowed values live on a hidden sheet (Excel caps an inline list).
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(DATA_SHEET)?;
    for (col, field) in fields.iter().enumerate() {
        let col =
            u16::try_from(col).map_err(|_| XlsxError::ParameterError("quá nhiều trường".into()))?;
        let label = if field.required {
            format!("{} *", field.label)
        } else {
            field.label.clone()
        };
        sheet.write_string_with_format(LABELS_ROW, col, label, &label_format)?;
        sheet.write_string_with_format(KEYS_ROW, col, &field.name, &key_format)?;
        let width = field.label.chars().count().clamp(12, 36) as f64 * 0.9;
        sheet.set_column_width(col, width.max(12.0))?;
        match &field.ty {
            FieldType::Date => {
                sheet.set_column_format(col, &date_format)?;
            }
            FieldType::Int => {
                sheet.set_column_format(col, &number_format)?;
            }
            FieldType::String | FieldType::List(_) => {
                sheet.set_column_format(col, &text_format)?;
            }
            FieldType::Bool | FieldType::Number => {}
        }
        // The header rows keep their own format over the column's.
        let validation = match validation(field, &mut lists)? {
            Some(v) => v,
            None => continue,
        };
        sheet.add_data_validation(KEYS_ROW + 1, col, KEYS_ROW + ROWS, col, &validation)?;
    }
    sheet.set_row_height(LABELS_ROW, 60)?;
    sheet.set_freeze_panes(KEYS_ROW + 1, 0)?;

    notes(workbook.add_worksheet(), pack)?;

    if !lists.is_empty() {
        let hidden = workbook.add_worksheet();
        hidden.set_name(LISTS_SHEET)?;
        for (col, (name, values)) in lists.iter().enumerate() {
            let col = col as u16;
            hidden.write_string(0, col, name)?;
            for (row, value) in values.iter().enumerate() {
                hidden.write_string(row as u32 + 1, col, value)?;
            }
        }
        hidden.set_hidden(true);
    }
    workbook.save_to_buffer()
}

/// `text` cut to `max` characters.
#[cfg(feature = "xlsx-write")]
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// The data validation of one field's column, if the pack says what it may hold.
#[cfg(feature = "xlsx-write")]
fn validation(
    field: &FieldSpec,
    lists: &mut Vec<(String, Vec<String>)>,
) -> Result<Option<DataValidation>, XlsxError> {
    let whole = |x: f64| x.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
    let (v, hint) = match &field.ty {
        FieldType::Bool => (
            DataValidation::new().allow_list_strings(&["Có", "Không"])?,
            "Chọn Có hoặc Không (để trống là Không).".to_string(),
        ),
        FieldType::String => match &field.values {
            Some(values) if values.join(",").chars().count() <= INLINE_LIST_CHARS => (
                DataValidation::new().allow_list_strings(values)?,
                format!("Chọn một trong: {}.", values.join(", ")),
            ),
            Some(values) => {
                let col = super::column_letters(lists.len() as u32);
                lists.push((field.name.clone(), values.clone()));
                let formula = format!("='{LISTS_SHEET}'!${col}$2:${col}${}", values.len() + 1);
                (
                    DataValidation::new().allow_list_formula(formula.as_str().into()),
                    "Chọn một giá trị trong danh sách.".to_string(),
                )
            }
            None => return Ok(None),
        },
        FieldType::Int => {
            let rule = match (field.min, field.max) {
                (Some(min), Some(max)) => DataValidationRule::Between(whole(min), whole(max)),
                (Some(min), None) => DataValidationRule::GreaterThanOrEqualTo(whole(min)),
                (None, Some(max)) => DataValidationRule::LessThanOrEqualTo(whole(max)),
                (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
            };
            (
                DataValidation::new().allow_whole_number(rule),
                format!("Số nguyên{}.", range_hint(field)),
            )
        }
        FieldType::Number => {
            let rule = match (field.min, field.max) {
                (Some(min), Some(max)) => DataValidationRule::Between(min, max),
                (Some(min), None) => DataValidationRule::GreaterThanOrEqualTo(min),
                (None, Some(max)) => DataValidationRule::LessThanOrEqualTo(max),
                (None, None) => return Ok(None),
            };
            (
                DataValidation::new().allow_decimal_number(rule),
                format!("Một số{}.", range_hint(field)),
            )
        }
        FieldType::Date => (
            DataValidation::new().allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(1900, 1, 1)?,
                ExcelDateTime::from_ymd(9999, 12, 31)?,
            )),
            "Một ngày, dạng ngày/tháng/năm (dd/mm/yyyy).".to_string(),
        ),
        FieldType::List(inner) => {
            let example = if **inner == FieldType::Date {
                "Các ngày cách nhau bởi dấu chấm phẩy, ví dụ: 15/06/2024; 20/12/2024."
            } else {
                "Các giá trị cách nhau bởi dấu chấm phẩy (;)."
            };
            (DataValidation::new().allow_any_value(), example.to_string())
        }
    };
    let message = match &field.description {
        Some(description) => format!("{hint} {description}"),
        None => hint,
    };
    let v = v
        .set_input_title(cut(&field.label, 32))?
        .set_input_message(cut(&message, 255))?
        .set_error_title("Giá trị không hợp lệ")?
        .set_error_message(cut(&format!("{}: {message}", field.label), 225))?;
    Ok(Some(v))
}

/// ` từ 0 đến 100`, ` ≥ 0`, or nothing.
#[cfg(feature = "xlsx-write")]
fn range_hint(field: &FieldSpec) -> String {
    let show = |x: f64| {
        if x.fract() == 0.0 {
            format!("{}", x as i64)
        } else {
            x.to_string()
        }
    };
    match (field.min, field.max) {
        (Some(min), Some(max)) => format!(" từ {} đến {}", show(min), show(max)),
        (Some(min), None) => format!(" ≥ {}", show(min)),
        (None, Some(max)) => format!(" ≤ {}", show(max)),
        (None, None) => String::new(),
    }
}

/// The notes sheet: the pack, how to fill the sheet, and every field.
#[cfg(feature = "xlsx-write")]
fn notes(sheet: &mut Worksheet, pack: &Pack) -> Result<(), XlsxError> {
    sheet.set_name(NOTES_SHEET)?;
    let bold = Format::new().set_bold();
    let heading = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let about = [
        ("Bộ quy tắc", pack.id().to_string()),
        ("Tên", pack.title().to_string()),
        ("Phiên bản", pack.version().to_string()),
        ("Dấu vân tay", pack.fingerprint().to_string()),
    ];
    for (row, (what, value)) in about.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, *what, &bold)?;
        sheet.write_string(row as u32, 1, value)?;
    }
    let guide = [
        format!(
            "Cách điền: mỗi dòng của trang \"{DATA_SHEET}\" là một doanh nghiệp, bắt đầu từ dòng 3; \
             không sửa hai dòng tiêu đề (dòng 2 ghi mã trường để chương trình đọc lại)."
        ),
        "Ô đúng/sai: chọn Có hoặc Không (để trống là Không). Ngày: gõ dạng ngày/tháng/năm. \
         Nhiều ngày trong một ô: cách nhau bởi dấu chấm phẩy (;)."
            .to_string(),
        "Trường đánh dấu * là bắt buộc. Chấm điểm: chamdiem score TỆP.xlsx --period 2024"
            .to_string(),
    ];
    let first = about.len() as u32 + 1;
    for (i, line) in guide.iter().enumerate() {
        sheet.write_string(first + i as u32, 0, line)?;
    }
    let table = first + guide.len() as u32 + 1;
    let columns = [
        ("Mã trường", 30.0),
        ("Tên trường", 45.0),
        ("Kiểu", 12.0),
        ("Bắt buộc", 10.0),
        ("Giới hạn, giá trị cho phép", 30.0),
        ("Mô tả", 60.0),
    ];
    for (col, (title, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(table, col as u16, *title, &heading)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (i, field) in pack.fields().iter().enumerate() {
        let row = table + 1 + i as u32;
        let ty = match &field.ty {
            FieldType::Bool => "Có/Không".to_string(),
            FieldType::Int => "số nguyên".to_string(),
            FieldType::Number => "số".to_string(),
            FieldType::String => "chữ".to_string(),
            FieldType::Date => "ngày".to_string(),
            FieldType::List(inner) if **inner == FieldType::Date => "danh sách ngày".to_string(),
            FieldType::List(inner) => format!("danh sách ({inner})"),
        };
        let need = match (field.required, field.nullable) {
            (true, false) => "có",
            (true, true) => "có (được để trống)",
            (false, _) => "không",
        };
        let mut limits = Vec::new();
        let range = range_hint(field);
        if !range.is_empty() {
            limits.push(range.trim().to_string());
        }
        if let Some(other) = &field.at_most {
            limits.push(format!("≤ {other}"));
        }
        if let Some(values) = &field.values {
            limits.push(format!("một trong: {}", values.join(", ")));
        }
        sheet.write_string(row, 0, &field.name)?;
        sheet.write_string_with_format(row, 1, &field.label, &wrap)?;
        sheet.write_string(row, 2, ty)?;
        sheet.write_string(row, 3, need)?;
        sheet.write_string_with_format(row, 4, limits.join("; "), &wrap)?;
        sheet.write_string_with_format(
            row,
            5,
            field.description.as_deref().unwrap_or(""),
            &wrap,
        )?;
    }
    sheet.set_freeze_panes(table + 1, 0)?;
    Ok(())
}
