//! Small shared pieces of the renderers: Vietnamese numbers and dates, and
//! the cells of a moved record.

use chrono::NaiveDate;

use super::MovedRecord;
use crate::Points;

/// A number the Vietnamese way: a decimal comma, at most `decimals` digits.
pub(crate) fn number(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    text.replace('.', ",")
}

/// A share (0 to 1) as a percentage: `45,5 %`.
pub(crate) fn percent(share: f64) -> String {
    format!("{} %", number(share * 100.0, 1))
}

/// Points the Vietnamese way (`12,5`).
pub(crate) fn points(p: Points) -> String {
    p.to_string().replace('.', ",")
}

/// Optional points; a dash when there are none.
pub(crate) fn maybe_points(p: Option<Points>) -> String {
    p.map_or("–".to_string(), points)
}

/// A date as written in Vietnamese documents: `05/11/2024`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The period in words: `năm 2024` or `từ 01/01/2024 đến 30/06/2024`.
pub(crate) fn period(p: &crate::Period) -> String {
    let whole_year = p.to_string().len() == 4;
    if whole_year {
        format!("năm {p}")
    } else {
        format!("từ {} đến {}", date(p.start()), date(p.end()))
    }
}

/// The headings of the moved-records table (CSV, XLSX, HTML).
pub(crate) const DIFF_HEADINGS: [&str; 9] = [
    "STT",
    "Mã",
    "Tên",
    "Đơn vị",
    "Tổng điểm cũ",
    "Tổng điểm mới",
    "Xếp loại cũ",
    "Xếp loại mới",
    "Tiêu chí thay đổi (cũ → mới)",
];

/// The criteria that changed, in one cell: `2.1: 12 → 8; 3.1: 10 → 12`.
pub(crate) fn criteria_changes(m: &MovedRecord) -> String {
    m.criteria
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.id,
                maybe_points(c.old),
                maybe_points(c.new)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One moved record as CSV cells (machine numbers: a decimal point).
pub(crate) fn moved_cells(m: &MovedRecord) -> Vec<String> {
    let total = |t: Option<Points>| t.map_or(String::new(), |t| t.to_string());
    vec![
        m.index.to_string(),
        m.id.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
        m.unit.clone().unwrap_or_default(),
        total(m.old_total),
        total(m.new_total),
        m.old_class.label.clone(),
        m.new_class.label.clone(),
        m.criteria
            .iter()
            .map(|c| {
                let p = |p: Option<Points>| p.map_or("–".to_string(), |p| p.to_string());
                format!("{}: {} → {}", c.id, p(c.old), p(c.new))
            })
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// Text escaped for HTML.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_a_decimal_comma() {
        assert_eq!(number(0.5, 1), "0,5");
        assert_eq!(number(1234.0, 1), "1234");
        assert_eq!(number(12.0, 2), "12");
        assert_eq!(number(12.5, 2), "12,5");
        assert_eq!(percent(0.125), "12,5 %");
        assert_eq!(percent(1.0 / 3.0), "33,3 %");
        assert_eq!(html("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
