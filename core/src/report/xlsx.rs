//! The report and the diff as XLSX workbooks: Vietnamese headings, numbers
//! as numbers, a frozen heading row with filters, printed on A4 landscape.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::format::period;
use super::{Diff, Report};
use crate::{Points, Status};

/// Excel's code for A4 paper.
const A4: u8 = 9;

fn fail(e: XlsxError) -> crate::Error {
    crate::Error::Io {
        path: "bảng tính".into(),
        message: format!("không tạo được bảng tính: {e}"),
    }
}

struct Formats {
    heading: Format,
    title: Format,
    share: Format,
    points: Format,
    date: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            heading: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color("#EEF1F4")
                .set_border(rust_xlsxwriter::FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(13),
            share: Format::new().set_num_format("0.0%"),
            points: Format::new().set_num_format("0.##"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
        }
    }
}

/// A4 landscape, fitted to the page width, the heading row repeated.
fn print_setup(sheet: &mut Worksheet, heading_row: Option<u32>) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4).set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    if let Some(row) = heading_row {
        sheet.set_repeat_rows(row, row)?;
    }
    Ok(())
}

/// Writes a heading row at `row`, freezes it and puts filters on the table
/// below it (of `rows` rows).
fn table_heading(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    headings: &[String],
    rows: usize,
) -> Result<(), XlsxError> {
    for (col, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, h, &f.heading)?;
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    let last_col = headings.len().saturating_sub(1) as u16;
    sheet.autofilter(row, 0, row + rows as u32, last_col)?;
    print_setup(sheet, Some(row))
}

fn opt_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: Option<&str>,
) -> Result<(), XlsxError> {
    if let Some(text) = text {
        sheet.write_string(row, col, text)?;
    }
    Ok(())
}

fn opt_points(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    p: Option<Points>,
) -> Result<(), XlsxError> {
    if let Some(p) = p {
        sheet.write_number_with_format(row, col, p.as_f64(), &f.points)?;
    }
    Ok(())
}

fn date_cell(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

pub(crate) fn report(r: &Report) -> Result<Vec<u8>, crate::Error> {
    write_report(r).map_err(fail)
}

fn status_label(s: Status) -> &'static str {
    crate::status_label(s)
}

fn write_report(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();

    // Sheet 1: the summary, one row per group then the total.
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Tổng hợp")?;
        sheet.write_string_with_format(
            0,
            0,
            "Báo cáo tổng hợp kết quả chấm điểm, xếp loại thực hiện dân chủ ở cơ sở",
            &f.title,
        )?;
        sheet.write_string(
            1,
            0,
            format!(
                "Bộ quy tắc: {} ({} {}) · kỳ đánh giá: {}",
                r.pack_title,
                r.pack.id,
                r.pack.version,
                period(&r.period)
            ),
        )?;
        match &r.deadline {
            Some(d) => {
                sheet.write_string(2, 0, format!("Hạn nộp: {} — trước ngày", d.label))?;
                sheet.write_datetime_with_format(2, 1, date_cell(d.due)?, &f.date)?;
                sheet.write_string(2, 2, d.to.as_str())?;
            }
            None => {
                sheet.write_string(2, 0, "Hạn nộp: bộ quy tắc không khai báo lịch báo cáo")?;
            }
        }
        let mut headings = vec![
            r.by_label.clone(),
            "Số bản ghi".to_string(),
            "Chấm được".to_string(),
        ];
        for c in &r.classes {
            headings.push(c.label.clone());
        }
        for c in &r.classes {
            headings.push(format!("Tỷ lệ {}", c.label));
        }
        headings.extend([
            "Không thuộc đối tượng".to_string(),
            "Lỗi".to_string(),
            "Điểm trung bình".to_string(),
        ]);
        let top = 4;
        table_heading(sheet, &f, top, &headings, r.groups.len())?;
        let k = r.classes.len() as u16;
        let groups = r.groups.iter().chain(std::iter::once(&r.total));
        for (i, g) in groups.enumerate() {
            let row = top + 1 + i as u32;
            let cell = if i == r.groups.len() {
                &f.heading
            } else {
                &Format::new()
            };
            sheet.write_string_with_format(row, 0, g.name.as_str(), cell)?;
            sheet.write_number(row, 1, g.records as f64)?;
            sheet.write_number(row, 2, g.scored as f64)?;
            for (j, (n, share)) in g.classes.iter().zip(&g.shares).enumerate() {
                sheet.write_number(row, 3 + j as u16, *n as f64)?;
                sheet.write_number_with_format(row, 3 + k + j as u16, *share, &f.share)?;
            }
            sheet.write_number(row, 3 + 2 * k, g.not_applicable as f64)?;
            sheet.write_number(row, 4 + 2 * k, g.errors as f64)?;
            if let Some(mean) = g.mean_total {
                sheet.write_number_with_format(row, 5 + 2 * k, mean, &f.points)?;
            }
        }
        sheet.set_column_width(0, 42)?;
        for col in 1..headings.len() as u16 {
            sheet.set_column_width(col, 11)?;
        }
    }

    // Sheet 2: every record with its criteria.
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Bản ghi")?;
        let mut headings: Vec<String> = [
            "STT",
            "Mã",
            "Tên",
            "Đơn vị",
            "Tỉnh, thành phố",
            "Trạng thái",
            "Tổng điểm",
            "Xếp loại",
        ]
        .map(String::from)
        .to_vec();
        for c in &r.criteria {
            headings.push(format!("{} {}", c.id, c.label));
        }
        headings.extend(
            [
                "Điều kiện chặn",
                "Chưa đạt điều kiện mức",
                "Lỗi",
                "Ngày nộp",
            ]
            .map(String::from),
        );
        table_heading(sheet, &f, 0, &headings, r.records.len())?;
        let first_after = 8 + r.criteria.len() as u16;
        for (i, rec) in r.records.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_number(row, 0, rec.index as f64)?;
            opt_text(sheet, row, 1, rec.id.as_deref())?;
            opt_text(sheet, row, 2, rec.name.as_deref())?;
            opt_text(sheet, row, 3, rec.unit.as_deref())?;
            opt_text(sheet, row, 4, rec.province.as_deref())?;
            sheet.write_string(row, 5, status_label(rec.status))?;
            opt_points(sheet, &f, row, 6, rec.total)?;
            opt_text(sheet, row, 7, rec.class_label.as_deref())?;
            for (j, p) in rec.criteria.iter().enumerate() {
                sheet.write_number_with_format(row, 8 + j as u16, p.as_f64(), &f.points)?;
            }
            if !rec.gates.is_empty() {
                sheet.write_string(row, first_after, rec.gates.join(", "))?;
            }
            if !rec.unmet.is_empty() {
                sheet.write_string(row, first_after + 1, rec.unmet.join(", "))?;
            }
            if !rec.problems.is_empty() {
                sheet.write_string(row, first_after + 2, rec.problems.as_str())?;
            }
            if let Some(d) = rec.submitted {
                sheet.write_datetime_with_format(row, first_after + 3, date_cell(d)?, &f.date)?;
            }
        }
        sheet.set_column_width(1, 13)?;
        sheet.set_column_width(2, 36)?;
        sheet.set_column_width(3, 30)?;
        sheet.set_row_height(0, 60)?;
    }

    // Sheet 3: where points are lost.
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Tiêu chí")?;
        let headings = [
            "Tiêu chí",
            "Nội dung",
            "Nhóm",
            "Điểm tối đa",
            "Điểm bị mất",
            "Tỷ lệ mất",
            "Số bản ghi chưa đạt đủ",
        ]
        .map(String::from);
        table_heading(sheet, &f, 0, &headings, r.weakest.len())?;
        for (i, c) in r.weakest.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_string(row, 0, c.id.as_str())?;
            sheet.write_string(row, 1, c.label.as_str())?;
            sheet.write_string(row, 2, c.group.as_str())?;
            sheet.write_number_with_format(row, 3, c.max.as_f64(), &f.points)?;
            sheet.write_number_with_format(row, 4, c.lost, &f.points)?;
            sheet.write_number_with_format(row, 5, c.lost_share, &f.share)?;
            sheet.write_number(row, 6, c.records_losing as f64)?;
        }
        sheet.set_column_width(1, 60)?;
    }

    // Sheet 4: the ranking for emulation awards.
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Xếp hạng")?;
        let headings =
            ["Hạng", "Mã", "Tên", &r.by_label, "Tổng điểm", "Xếp loại"].map(String::from);
        table_heading(sheet, &f, 0, &headings, r.ranking.len())?;
        for (i, p) in r.ranking.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_number(row, 0, p.rank as f64)?;
            opt_text(sheet, row, 1, p.id.as_deref())?;
            opt_text(sheet, row, 2, p.name.as_deref())?;
            sheet.write_string(row, 3, p.group.as_str())?;
            sheet.write_number_with_format(row, 4, p.total.as_f64(), &f.points)?;
            sheet.write_string(row, 5, p.class_label.as_str())?;
        }
        sheet.set_column_width(2, 40)?;
        sheet.set_column_width(3, 36)?;
    }

    // Sheet 5: gates, unmet conditions, late submissions, records left out.
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Ghi chú")?;
        let headings = ["Loại", "Mã", "Nội dung", "Số bản ghi"].map(String::from);
        let mut rows: Vec<(String, String, String, f64)> = Vec::new();
        for g in &r.gates {
            rows.push((
                "Điều kiện chặn".into(),
                g.id.clone(),
                format!("{} (xếp loại tối đa: {})", g.label, g.cap),
                g.count as f64,
            ));
        }
        for u in &r.unmet {
            rows.push((
                "Chưa đạt điều kiện mức".into(),
                u.band.clone(),
                format!(
                    "{}{}",
                    u.label,
                    u.condition
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                ),
                u.count as f64,
            ));
        }
        if let Some(s) = &r.submissions {
            for (group, n) in &s.late_groups {
                rows.push(("Nộp muộn".into(), String::new(), group.clone(), *n as f64));
            }
        }
        for (kind, list) in [
            ("Bản ghi lỗi", &r.errors),
            ("Không thuộc đối tượng", &r.not_applicable),
        ] {
            for e in list {
                rows.push((
                    kind.into(),
                    e.id.clone().unwrap_or_default(),
                    format!(
                        "#{} {} {}",
                        e.index,
                        e.name.as_deref().unwrap_or(""),
                        e.problems
                    ),
                    1.0,
                ));
            }
        }
        table_heading(sheet, &f, 0, &headings, rows.len())?;
        for (i, (kind, id, text, n)) in rows.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_string(row, 0, kind.as_str())?;
            sheet.write_string(row, 1, id.as_str())?;
            sheet.write_string(row, 2, text.as_str())?;
            sheet.write_number(row, 3, *n)?;
        }
        sheet.set_column_width(0, 24)?;
        sheet.set_column_width(2, 80)?;
    }
    book.save_to_buffer()
}

pub(crate) fn diff(d: &Diff) -> Result<Vec<u8>, crate::Error> {
    write_diff(d).map_err(fail)
}

fn write_diff(d: &Diff) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Ma trận")?;
        sheet.write_string_with_format(0, 0, "Tác động của việc thay đổi bộ quy tắc", &f.title)?;
        sheet.write_string(
            1,
            0,
            format!(
                "Bộ cũ: {} {} · bộ mới: {} {} · kỳ đánh giá: {} · {} bản ghi, {} đổi xếp loại, {} đổi tổng điểm",
                d.old_pack.id,
                d.old_pack.version,
                d.new_pack.id,
                d.new_pack.version,
                period(&d.period),
                d.records,
                d.changed_class,
                d.changed_total
            ),
        )?;
        let top = 3;
        let mut headings = vec!["Cũ \\ Mới".to_string()];
        headings.extend(d.new_classes.iter().map(|c| c.label.clone()));
        table_heading(sheet, &f, top, &headings, d.old_classes.len())?;
        for (i, c) in d.old_classes.iter().enumerate() {
            let row = top + 1 + i as u32;
            sheet.write_string_with_format(row, 0, c.label.as_str(), &f.heading)?;
            for (j, n) in d.matrix[i].iter().enumerate() {
                sheet.write_number(row, 1 + j as u16, *n as f64)?;
            }
        }
        sheet.set_column_width(0, 24)?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Bản ghi đổi xếp loại")?;
        let headings = super::format::DIFF_HEADINGS.map(String::from);
        table_heading(sheet, &f, 0, &headings, d.moved.len())?;
        for (i, m) in d.moved.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_number(row, 0, m.index as f64)?;
            opt_text(sheet, row, 1, m.id.as_deref())?;
            opt_text(sheet, row, 2, m.name.as_deref())?;
            opt_text(sheet, row, 3, m.unit.as_deref())?;
            opt_points(sheet, &f, row, 4, m.old_total)?;
            opt_points(sheet, &f, row, 5, m.new_total)?;
            sheet.write_string(row, 6, m.old_class.label.as_str())?;
            sheet.write_string(row, 7, m.new_class.label.as_str())?;
            sheet.write_string(row, 8, super::format::criteria_changes(m))?;
        }
        sheet.set_column_width(2, 36)?;
        sheet.set_column_width(8, 50)?;
    }
    {
        // One row per changed criterion of a moved record, numbers in cells.
        let sheet = book.add_worksheet();
        sheet.set_name("Tiêu chí thay đổi")?;
        let headings =
            ["STT", "Mã", "Tiêu chí", "Nội dung", "Điểm cũ", "Điểm mới"].map(String::from);
        let rows: usize = d.moved.iter().map(|m| m.criteria.len()).sum();
        table_heading(sheet, &f, 0, &headings, rows)?;
        let mut row = 1;
        for m in &d.moved {
            for c in &m.criteria {
                sheet.write_number(row, 0, m.index as f64)?;
                opt_text(sheet, row, 1, m.id.as_deref())?;
                sheet.write_string(row, 2, c.id.as_str())?;
                sheet.write_string(row, 3, c.label.as_str())?;
                opt_points(sheet, &f, row, 4, c.old)?;
                opt_points(sheet, &f, row, 5, c.new)?;
                row += 1;
            }
        }
        sheet.set_column_width(3, 60)?;
    }
    book.save_to_buffer()
}
