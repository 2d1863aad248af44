//! Results for people and spreadsheets: the two CSVs (for programs, and for
//! Excel with Vietnamese settings), the readable table and the end-of-run
//! summary. The JSON line is [`ScoreResult::to_json_line`].

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value as Json;

use crate::{Pack, Period, ScoreResult, Status};

/// Which CSV to write.
///
/// * [`CsvStyle::Machine`] is for programs (Python, R, a database): `,`
///   between columns, `.` as the decimal mark, the JSON keys flattened with
///   dots as headers (`criteria.2.4`), codes (`scored`, `trung_binh`).
/// * [`CsvStyle::VietnameseExcel`] is for people opening the file in Excel
///   set up for Vietnam: `;` between columns, `,` as the decimal mark, a
///   UTF-8 byte order mark, the pack's Vietnamese labels as headers and
///   Vietnamese statuses and classes.
///
/// Both neutralise text cells that a spreadsheet would run as a formula
/// (see [`neutralise_formula`]), and quote cells holding the separator,
/// quotes or line breaks, so every value reads back as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvStyle {
    /// For programs.
    Machine,
    /// For Excel with Vietnamese regional settings.
    VietnameseExcel,
}

impl CsvStyle {
    /// The column separator.
    pub fn delimiter(self) -> u8 {
        match self {
            CsvStyle::Machine => b',',
            CsvStyle::VietnameseExcel => b';',
        }
    }

    /// Whether the file starts with a UTF-8 byte order mark (Excel needs it
    /// to read the diacritics as UTF-8).
    pub fn bom(self) -> bool {
        self == CsvStyle::VietnameseExcel
    }

    fn number(self, text: String) -> String {
        match self {
            CsvStyle::Machine => text,
            CsvStyle::VietnameseExcel => text.replace('.', ","),
        }
    }
}

/// A text cell made safe for a spreadsheet: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel or
/// LibreOffice shows it as text instead of running it as a formula (the
/// OWASP advice on CSV injection).
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Text safe to print on a terminal: control characters (escape sequences,
/// line breaks, tabs) and bidirectional overrides are shown escaped
/// (`\u{1b}`, `\n`) instead of acting on the terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A status in Vietnamese: `Đã chấm`, `Không thuộc đối tượng`, `Lỗi`.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Scored => "Đã chấm",
        Status::NotApplicable => "Không thuộc đối tượng",
        Status::Error => "Lỗi",
    }
}

/// The CSV header for results of `pack` ([`CsvStyle::Machine`]): the JSON
/// fields flattened with dotted names (`groups.1`, `criteria.2.4`,
/// `reasons.2.4`, `pack.id`).
pub fn csv_header(pack: &Pack) -> Vec<String> {
    csv_header_in(pack, CsvStyle::Machine)
}

/// The CSV header for results of `pack` in `style`; the columns are the
/// same in both styles, in the same order.
pub fn csv_header_in(pack: &Pack, style: CsvStyle) -> Vec<String> {
    let carried = pack.inner.layout.carried.iter().map(|(i, name)| {
        let label = &pack.fields()[*i].label;
        (name.clone(), label.clone())
    });
    let mut header: Vec<String> = Vec::new();
    match style {
        CsvStyle::Machine => {
            header.push("id".into());
            header.extend(carried.map(|(name, _)| name));
            header.extend(["period", "status", "total", "class", "class_label"].map(String::from));
            header.extend(pack.groups().iter().map(|g| format!("groups.{}", g.id)));
            header.extend(pack.criteria().iter().map(|c| format!("criteria.{}", c.id)));
            header.push("gates".into());
            header.push("unmet".into());
            header.extend(pack.criteria().iter().map(|c| format!("reasons.{}", c.id)));
            header.extend(
                ["errors", "pack.id", "pack.version", "pack.fingerprint"].map(String::from),
            );
        }
        CsvStyle::VietnameseExcel => {
            let id_label = pack
                .fields()
                .iter()
                .find(|f| f.name == "id")
                .map_or_else(|| "Mã".to_string(), |f| f.label.clone());
            header.push(id_label);
            header.extend(carried.map(|(_, label)| label));
            header.extend(
                [
                    "Kỳ đánh giá",
                    "Trạng thái",
                    "Tổng điểm",
                    "Mã xếp loại",
                    "Xếp loại",
                ]
                .map(String::from),
            );
            header.extend(
                pack.groups()
                    .iter()
                    .map(|g| format!("Nhóm {} — {} (tối đa {})", g.id, g.label, g.max)),
            );
            header.extend(
                pack.criteria()
                    .iter()
                    .map(|c| format!("{} {} (tối đa {})", c.id, c.label, c.points)),
            );
            header.push("Điều kiện khống chế".into());
            header.push("Mức chưa đạt điều kiện".into());
            header.extend(pack.criteria().iter().map(|c| format!("Lý do {}", c.id)));
            header.extend(["Lỗi", "Bộ quy tắc", "Phiên bản", "Dấu vân tay"].map(String::from));
        }
    }
    header
        .into_iter()
        .map(|h| neutralise_formula(&h).into_owned())
        .collect()
}

/// A carried value as a CSV cell: text as written, numbers in the style's
/// decimal mark, nothing for null.
fn carried_cell(value: &Json, style: CsvStyle) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(text) => neutralise_formula(text).into_owned(),
        Json::Number(n) => style.number(n.to_string()),
        other => neutralise_formula(&other.to_string()).into_owned(),
    }
}

impl ScoreResult {
    /// The result as one CSV row under [`csv_header`] ([`CsvStyle::Machine`]).
    pub fn to_csv_row(&self) -> Vec<String> {
        self.to_csv_row_in(CsvStyle::Machine)
    }

    /// The result as one CSV row under [`csv_header_in`] for `style`: gates
    /// joined by `;`, errors as `field: message` joined by `; `, empty cells
    /// where a value does not apply, text cells neutralised against formulas.
    pub fn to_csv_row_in(&self, style: CsvStyle) -> Vec<String> {
        let groups = self.layout.groups.len();
        let criteria = self.layout.criteria.len();
        let text = |t: &str| neutralise_formula(t).into_owned();
        let points = |p: crate::Points| style.number(p.to_string());
        let mut row = vec![text(self.id().unwrap_or_default())];
        row.extend(self.carried().map(|(_, value)| carried_cell(value, style)));
        row.push(self.period.map(|p| p.to_string()).unwrap_or_default());
        row.push(match style {
            CsvStyle::Machine => self.status().as_str().to_string(),
            CsvStyle::VietnameseExcel => status_label(self.status()).to_string(),
        });
        row.push(self.total().map(points).unwrap_or_default());
        row.push(text(self.class().unwrap_or_default()));
        row.push(text(self.class_label().unwrap_or_default()));
        let scored = self.status() == Status::Scored;
        let pad =
            |row: &mut Vec<String>, n: usize| row.extend(std::iter::repeat_n(String::new(), n));
        if scored {
            row.extend(self.groups().map(|(_, p)| points(p)));
            row.extend(self.criteria().map(|(_, p)| points(p)));
        } else {
            pad(&mut row, groups + criteria);
        }
        row.push(text(&self.gates().collect::<Vec<_>>().join(";")));
        row.push(text(
            &self
                .unmet()
                .map(|(band, _)| band)
                .collect::<Vec<_>>()
                .join(";"),
        ));
        if scored {
            row.extend(self.reasons().map(|(_, r)| text(r)));
        } else {
            pad(&mut row, criteria);
        }
        let errors: Vec<String> = self
            .errors()
            .iter()
            .map(|e| match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message.clone(),
            })
            .collect();
        row.push(text(&errors.join("; ")));
        let pack = self.pack();
        row.extend([
            text(&pack.id),
            text(&pack.version),
            pack.fingerprint.clone(),
        ]);
        row
    }

    /// A readable breakdown for a person, in Vietnamese: every criterion with
    /// its points, maximum and reason, then the groups, gates, total and class.
    pub fn to_table(&self, pack: &Pack) -> String {
        self.to_table_width(pack, None)
    }

    /// [`to_table`](Self::to_table) fitted to `width` columns (a terminal's):
    /// reasons and messages wrap under themselves. Control characters in the
    /// record's values are shown escaped, never sent to the terminal raw.
    pub fn to_table_width(&self, pack: &Pack, width: Option<usize>) -> String {
        let mut out = String::new();
        let mut title = match self.id() {
            Some(id) => escape_controls(id).into_owned(),
            None => "(không có mã)".to_string(),
        };
        for (_, value) in self.carried() {
            if let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) {
                title.push_str(" · ");
                title.push_str(&escape_controls(text));
            }
        }
        let _ = writeln!(out, "══ {}", wrap(&title, width, "══ ", "   "));
        match self.status() {
            Status::NotApplicable => {
                let _ = writeln!(
                    out,
                    "   Không thuộc đối tượng chấm điểm của bộ quy tắc {}.",
                    pack.id()
                );
            }
            Status::Error => {
                let pack_failed = self
                    .errors()
                    .iter()
                    .all(|e| e.field.is_none() && e.message.starts_with(crate::score::PACK_FAILED));
                let why = if pack_failed {
                    "bộ quy tắc gặp lỗi"
                } else {
                    "dữ liệu có lỗi"
                };
                let _ = writeln!(out, "   Không chấm được điểm — {why}:");
                for error in self.errors() {
                    let line = match &error.field {
                        Some(field) => format!(
                            "{}: {}",
                            field_with_label(pack, field),
                            escape_controls(&error.message)
                        ),
                        None => escape_controls(&error.message).into_owned(),
                    };
                    let _ = writeln!(out, "   • {}", wrap(&line, width, "   • ", "     "));
                }
            }
            Status::Scored => self.write_breakdown(pack, &mut out, width),
        }
        out
    }

    fn write_breakdown(&self, pack: &Pack, out: &mut String, width: Option<usize>) {
        let id_width = pack
            .criteria()
            .iter()
            .map(|c| c.id.chars().count())
            .max()
            .unwrap_or(4)
            .max(8);
        let _ = writeln!(
            out,
            "   {:<id_width$}  {:>6}  {:>6}  Lý do",
            "Tiêu chí", "Điểm", "Tối đa"
        );
        let reason_indent = " ".repeat(3 + id_width + 2 + 6 + 2 + 6 + 2);
        let mut group = None;
        for ((criterion, (_, points)), (_, reason)) in pack
            .criteria()
            .iter()
            .zip(self.criteria())
            .zip(self.reasons())
        {
            if group != Some(&criterion.group) {
                group = Some(&criterion.group);
                if let Some(g) = pack.groups().iter().find(|g| g.id == criterion.group) {
                    let got = self
                        .groups()
                        .find(|(id, _)| *id == g.id)
                        .map(|(_, p)| p)
                        .unwrap_or_default();
                    let line = format!("Nhóm {} — {}: {}/{}", g.id, g.label, got, g.max);
                    let _ = writeln!(out, "   ── {}", wrap(&line, width, "   ── ", "      "));
                }
            }
            let _ = writeln!(
                out,
                "   {:<id_width$}  {:>6}  {:>6}  {}",
                criterion.id,
                points.to_string(),
                criterion.points.to_string(),
                wrap(
                    &escape_controls(reason),
                    width,
                    &reason_indent,
                    &reason_indent
                )
            );
        }
        for (_, reason) in self.unmet() {
            let _ = writeln!(
                out,
                "   ✗ {}",
                wrap(&escape_controls(reason), width, "   ✗ ", "     ")
            );
        }
        for gate in self.gates() {
            if let Some(g) = pack.gates().iter().find(|g| g.id == gate) {
                let line = format!(
                    "{} — {} (xếp loại tối đa: {})",
                    g.id,
                    g.label,
                    band_label(pack, &g.cap)
                );
                let _ = writeln!(out, "   ⚠ {}", wrap(&line, width, "   ⚠ ", "     "));
            }
        }
        let _ = writeln!(
            out,
            "   Tổng điểm: {}/{} · Xếp loại: {}",
            self.total().unwrap_or_default(),
            pack.max_points(),
            self.class_label().unwrap_or_default()
        );
    }
}

/// The first line of a table: the pack and the period every result was
/// scored for, wrapped to `width` columns if given.
pub fn table_heading(pack: &Pack, period: Period, width: Option<usize>) -> String {
    let heading = format!(
        "Kết quả chấm theo bộ quy tắc {} (phiên bản {}) · kỳ đánh giá {} ({} – {})",
        pack.id(),
        pack.version(),
        period,
        period.start().format("%d/%m/%Y"),
        period.end().format("%d/%m/%Y")
    );
    format!("{}\n", wrap(&heading, width, "", ""))
}

/// `employees (Số người lao động theo hợp đồng)`: a key with its label.
pub fn field_with_label(pack: &Pack, field: &str) -> String {
    match pack.fields().iter().find(|f| f.name == field) {
        Some(spec) if spec.label != spec.name => {
            format!("{} ({})", escape_controls(field), spec.label)
        }
        _ => escape_controls(field).into_owned(),
    }
}

/// `text` wrapped to `width` columns, its first line following `first`
/// (already written) and the next ones starting with `next`.
fn wrap(text: &str, width: Option<usize>, first: &str, next: &str) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    let options = textwrap::Options::new(width.max(next.len() + 20))
        .initial_indent(first)
        .subsequent_indent(next);
    let wrapped = textwrap::fill(text, options);
    wrapped.strip_prefix(first).unwrap_or(&wrapped).to_string()
}

/// What a [`Summary`] counts of one result: small and `Copy`.
#[derive(Clone, Copy, Debug)]
pub struct SummaryEntry {
    status: Status,
    class: Option<usize>,
    dates_in_period: Option<bool>,
}

impl ScoreResult {
    /// What a [`Summary`] counts of this result.
    pub fn summary_entry(&self) -> SummaryEntry {
        SummaryEntry {
            status: self.status,
            class: self.class,
            dates_in_period: self.dates_in_period,
        }
    }
}

/// Counts of a run, for the summary printed at its end.
#[derive(Clone, Debug)]
pub struct Summary {
    pack_id: String,
    period: Period,
    /// Records seen.
    pub records: usize,
    /// Scored records.
    pub scored: usize,
    /// Records outside the pack's scope.
    pub not_applicable: usize,
    /// Records in error.
    pub errors: usize,
    /// Scored records per class, in the pack's order (label, count).
    pub classes: Vec<(String, usize)>,
    /// Records that carry at least one valid date.
    pub dated: usize,
    /// Of those, records with no date inside the period.
    pub dated_outside: usize,
}

impl Summary {
    /// An empty summary for results of `pack` over `period`.
    pub fn new(pack: &Pack, period: Period) -> Self {
        Summary {
            pack_id: pack.id().to_string(),
            period,
            records: 0,
            scored: 0,
            not_applicable: 0,
            errors: 0,
            classes: pack.bands().iter().map(|b| (b.label.clone(), 0)).collect(),
            dated: 0,
            dated_outside: 0,
        }
    }

    /// Counts one result.
    pub fn add(&mut self, result: &ScoreResult) {
        self.add_entry(result.summary_entry());
    }

    /// Counts one result from its [`SummaryEntry`] (taken where the result
    /// was made, so the result itself need not travel).
    pub fn add_entry(&mut self, entry: SummaryEntry) {
        self.records += 1;
        match entry.status {
            Status::Scored => self.scored += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Error => self.errors += 1,
        }
        if let Some(class) = entry.class {
            if let Some(count) = self.classes.get_mut(class) {
                count.1 += 1;
            }
        }
        if let Some(inside) = entry.dates_in_period {
            self.dated += 1;
            if !inside {
                self.dated_outside += 1;
            }
        }
    }

    /// The summary in Vietnamese, a few lines.
    pub fn to_text(&self) -> String {
        let classes: Vec<String> = self
            .classes
            .iter()
            .map(|(label, n)| format!("{label} {n}"))
            .collect();
        format!(
            "Tổng kết ({}, kỳ {}): {} bản ghi — {} đã chấm, {} không thuộc đối tượng, {} lỗi.\n\
             Xếp loại: {}.\n",
            self.pack_id,
            self.period,
            self.records,
            self.scored,
            self.not_applicable,
            self.errors,
            classes.join(" · ")
        )
    }

    /// A warning when most records that carry dates have none inside the
    /// period: the period given is probably not the one the data is about.
    pub fn period_warning(&self) -> Option<String> {
        if self.dated == 0 || self.dated_outside * 2 <= self.dated {
            return None;
        }
        Some(format!(
            "{} trên {} bản ghi có ngày tháng ({}%) không có ngày nào trong kỳ {} ({} – {}): \
             dữ liệu có phải của kỳ này không? Kiểm tra lại --period",
            self.dated_outside,
            self.dated,
            self.dated_outside * 100 / self.dated,
            self.period,
            self.period.start().format("%d/%m/%Y"),
            self.period.end().format("%d/%m/%Y"),
        ))
    }
}

fn band_label<'a>(pack: &'a Pack, code: &'a str) -> &'a str {
    pack.bands()
        .iter()
        .find(|b| b.code == code)
        .map_or(code, |b| b.label.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for formula in ["=1+1", "+84", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(formula), format!("'{formula}"));
        }
        for plain in ["Công ty", "84", "", "a=b"] {
            assert!(matches!(neutralise_formula(plain), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
        assert!(matches!(escape_controls("Tốt · Khá"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_table_fits_the_width_it_is_given() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let mut scorer = crate::Scorer::new(&pack, "2024".parse().unwrap()).unwrap();
        let record = json!({
            "id": "W1", "name": "Công ty TNHH Một thành viên Sản xuất Thương mại Dịch vụ Rất Dài Tên",
            "ownership": "private", "has_union": true, "employees": 420,
            "regulation_issued": true, "regulation_union_consulted": false, "regulation_published": true,
            "dialogue_employee_reps": 2, "periodic_dialogue_dates": ["2023-06-15"],
            "dialogue_minutes_published": true, "dialogue_requests": 8, "dialogue_requests_answered": 1,
            "workers_conference_date": null, "union_coorganised_conference": true,
            "disclosed_business": true, "disclosed_rules_pay_norms": true,
            "disclosed_collective_agreement": false, "disclosed_funds": true,
            "disclosed_contributions": true, "disclosed_rewards_discipline": true,
            "consulted_internal_rules": true, "consulted_pay_norms": true, "consulted_conditions": false,
            "supervised_contracts": true, "supervised_internal_rules": true, "supervised_funds": true,
            "supervised_contributions": true, "supervised_rewards_discipline": true,
            "collective_agreement_in_force": false, "strikes": 1, "collective_disputes": 0, "democracy_fines": 0
        });
        let result = scorer.score(&record).unwrap();
        let wide = result.to_table(&pack);
        assert!(wide.lines().any(|l| textwrap::core::display_width(l) > 70));
        let narrow = result.to_table_width(&pack, Some(70));
        for line in narrow.lines() {
            assert!(textwrap::core::display_width(line) <= 70, "{line}");
        }
        // Nothing is lost: the same words, only the line breaks differ.
        let words = |t: &str| t.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(words(&wide), words(&narrow));
    }
}
