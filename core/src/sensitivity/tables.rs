//! The analysis as JSON, as tables (CSV, XLSX, data frames) and as a
//! Vietnamese summary: one shape for the CLI, Python and JavaScript.

use std::fmt::Write as _;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value as Json};

use super::{RecordStability, Sensitivity};
use crate::output::{neutralise_formula, status_label};
use crate::Points;

/// A table: a key (for programs) and a Vietnamese label (for people) per
/// column, and rows of JSON scalars (numbers stay numbers).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column keys: `id`, `stability`, `share.tot`, …
    pub keys: Vec<String>,
    /// Column labels in Vietnamese: `Mã`, `Độ ổn định`, `Tỉ lệ mẫu Tốt`, …
    pub labels: Vec<String>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<Json>>,
}

fn points(p: Option<Points>) -> Json {
    p.map_or(Json::Null, |p| json!(p))
}

fn share(count: u32, samples: u32) -> f64 {
    f64::from(count) / f64::from(samples)
}

impl Sensitivity {
    fn class_code(&self, class: Option<usize>) -> Json {
        class.map_or(Json::Null, |c| json!(self.classes[c].code))
    }

    fn class_label(&self, class: Option<usize>) -> Json {
        class.map_or(Json::Null, |c| json!(self.classes[c].label))
    }

    fn on_knife_edge(&self, record: &RecordStability) -> bool {
        record
            .stability
            .is_some_and(|s| s < self.options.knife_edge)
    }

    /// One row per input record: its declared class, stability, modal class,
    /// the share of samples in each class, and failed samples.
    pub fn record_table(&self) -> Table {
        let mut keys: Vec<String> = [
            "row",
            "id",
            "name",
            "status",
            "status_label",
            "total",
            "class",
            "class_label",
            "stability",
            "knife_edge",
            "modal_class",
            "modal_class_label",
        ]
        .map(String::from)
        .to_vec();
        let mut labels: Vec<String> = [
            "STT",
            "Mã",
            "Tên",
            "Mã trạng thái",
            "Trạng thái",
            "Tổng điểm",
            "Mã xếp loại",
            "Xếp loại",
            "Độ ổn định",
            "Sát ngưỡng",
            "Mã xếp loại thường gặp nhất",
            "Xếp loại thường gặp nhất",
        ]
        .map(String::from)
        .to_vec();
        for class in &self.classes {
            keys.push(format!("share.{}", class.code));
            labels.push(format!("Tỉ lệ mẫu {}", class.label));
        }
        keys.extend(["failed".to_string(), "failure".to_string()]);
        labels.extend(["Số mẫu lỗi".to_string(), "Lỗi đầu tiên".to_string()]);
        let samples = self.options.samples;
        let rows = self
            .records
            .iter()
            .map(|r| {
                let scored = !r.counts.is_empty();
                let mut row = vec![
                    json!(r.row),
                    json!(r.id),
                    json!(r.name),
                    json!(r.status.as_str()),
                    json!(status_label(r.status)),
                    points(r.total),
                    self.class_code(r.class),
                    self.class_label(r.class),
                    json!(r.stability),
                    if scored {
                        json!(self.on_knife_edge(r))
                    } else {
                        Json::Null
                    },
                    self.class_code(r.modal),
                    self.class_label(r.modal),
                ];
                for c in 0..self.classes.len() {
                    row.push(match r.counts.get(c) {
                        Some(&n) => json!(share(n, samples)),
                        None => Json::Null,
                    });
                }
                row.push(if scored { json!(r.failed) } else { Json::Null });
                row.push(json!(r.failure));
                row
            })
            .collect();
        Table { keys, labels, rows }
    }

    /// One row per criterion: how many records change class when its points
    /// alone go up, down, either way.
    pub fn criteria_table(&self) -> Table {
        let percent = format_percent(self.options.vary);
        let keys = ["id", "label", "points", "moved_up", "moved_down", "moved"]
            .map(String::from)
            .to_vec();
        let labels = vec![
            "Tiêu chí".to_string(),
            "Nội dung".to_string(),
            "Điểm".to_string(),
            format!("Số bản ghi đổi xếp loại khi tăng {percent}"),
            format!("Số bản ghi đổi xếp loại khi giảm {percent}"),
            "Số bản ghi đổi xếp loại (tăng hoặc giảm)".to_string(),
        ];
        let rows = self
            .criteria
            .iter()
            .map(|c| {
                vec![
                    json!(c.id),
                    json!(c.label),
                    json!(c.points),
                    json!(c.moved_up),
                    json!(c.moved_down),
                    json!(c.moved),
                ]
            })
            .collect();
        Table { keys, labels, rows }
    }

    /// The records table as CSV for programs (column keys, `,`, `.`).
    pub fn to_csv(&self) -> String {
        let table = self.record_table();
        let mut out = csv::Writer::from_writer(Vec::new());
        let text = |v: &Json| match v {
            Json::Null => String::new(),
            Json::String(s) => neutralise_formula(s).into_owned(),
            other => other.to_string(),
        };
        out.write_record(&table.keys).expect("writing to memory");
        for row in &table.rows {
            out.write_record(row.iter().map(text))
                .expect("writing to memory");
        }
        String::from_utf8(out.into_inner().expect("writing to memory"))
            .expect("UTF-8 in, UTF-8 out")
    }

    /// A workbook: a sheet of records, a sheet of criteria, a sheet with the
    /// pack, period and options; Vietnamese headers, numbers as numbers.
    #[cfg(feature = "xlsx-write")]
    pub fn to_xlsx(&self) -> Result<Vec<u8>, crate::Error> {
        use rust_xlsxwriter::{Format, Workbook, Worksheet};
        let failed = |e: rust_xlsxwriter::XlsxError| crate::Error::Io {
            path: "xlsx".into(),
            message: format!("không tạo được bảng tính: {e}"),
        };
        let bold = Format::new().set_bold();
        let fill =
            |sheet: &mut Worksheet, table: &Table| -> Result<(), rust_xlsxwriter::XlsxError> {
                for (c, label) in table.labels.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, label, &bold)?;
                }
                for (r, row) in table.rows.iter().enumerate() {
                    let r = r as u32 + 1;
                    for (c, value) in row.iter().enumerate() {
                        let c = c as u16;
                        match value {
                            Json::Null => {}
                            Json::Bool(b) => {
                                sheet.write_string(r, c, if *b { "Có" } else { "Không" })?;
                            }
                            Json::Number(n) => {
                                sheet.write_number(r, c, n.as_f64().unwrap_or(f64::NAN))?;
                            }
                            Json::String(s) => {
                                sheet.write_string(r, c, s)?;
                            }
                            other => {
                                sheet.write_string(r, c, other.to_string())?;
                            }
                        }
                    }
                }
                sheet.set_freeze_panes(1, 0)?;
                let last_col = table.labels.len().saturating_sub(1) as u16;
                sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
                Ok(())
            };
        let mut book = Workbook::new();
        let records = book.add_worksheet();
        records.set_name("Ban ghi").map_err(failed)?;
        fill(records, &self.record_table()).map_err(failed)?;
        let criteria = book.add_worksheet();
        criteria.set_name("Tieu chi").map_err(failed)?;
        fill(criteria, &self.criteria_table()).map_err(failed)?;
        let about = book.add_worksheet();
        about.set_name("Thong tin").map_err(failed)?;
        let facts = Table {
            keys: vec!["key".into(), "value".into()],
            labels: vec!["Mục".into(), "Giá trị".into()],
            rows: vec![
                vec![json!("Bộ quy tắc"), json!(self.pack.id)],
                vec![json!("Phiên bản"), json!(self.pack.version)],
                vec![json!("Dấu vân tay"), json!(self.pack.fingerprint)],
                vec![json!("Kỳ đánh giá"), json!(self.period.to_string())],
                vec![json!("Mức thay đổi (±)"), json!(self.options.vary)],
                vec![json!("Số mẫu"), json!(self.options.samples)],
                vec![json!("Hạt giống (seed)"), json!(self.options.seed)],
                vec![json!("Ngưỡng sát ngưỡng"), json!(self.options.knife_edge)],
            ],
        };
        fill(about, &facts).map_err(failed)?;
        book.save_to_buffer().map_err(failed)
    }

    /// A summary for people, in Vietnamese: what was perturbed, how many
    /// records sit on a knife-edge (the least stable first, at most
    /// `show`), and the criteria whose weight moves the most records.
    pub fn summary(&self, show: usize) -> String {
        let mut out = String::new();
        let percent = format_percent(self.options.vary);
        let scored: Vec<&RecordStability> = self
            .records
            .iter()
            .filter(|r| !r.counts.is_empty())
            .collect();
        let _ = writeln!(
            out,
            "Phân tích độ nhạy: bộ quy tắc {} (phiên bản {}), kỳ {}",
            self.pack.id, self.pack.version, self.period
        );
        let _ = writeln!(
            out,
            "{} mẫu, mỗi mẫu thay đổi ngẫu nhiên điểm của từng tiêu chí (rồi chia lại cho tổng điểm tối đa như cũ) và ngưỡng của từng mức xếp loại trong khoảng ±{percent}; seed {}.",
            self.options.samples, self.options.seed
        );
        let _ = writeln!(
            out,
            "{} bản ghi, {} được chấm (bản ghi lỗi hay không thuộc đối tượng không có mẫu).",
            self.records.len(),
            scored.len()
        );
        if scored.is_empty() {
            return out;
        }
        let stable = scored.iter().filter(|r| r.stability == Some(1.0)).count();
        let knife = self.knife_edge();
        let mean = scored.iter().filter_map(|r| r.stability).sum::<f64>() / scored.len() as f64;
        let _ = writeln!(
            out,
            "Độ ổn định (tỉ lệ mẫu giữ nguyên xếp loại): trung bình {}; {} bản ghi luôn giữ nguyên xếp loại.",
            format_share(mean),
            stable
        );
        let _ = writeln!(
            out,
            "Sát ngưỡng (độ ổn định dưới {}): {} bản ghi.",
            format_share(self.options.knife_edge),
            knife.len()
        );
        for r in knife.iter().take(show) {
            let class = r.class.map_or("", |c| self.classes[c].label.as_str());
            let others: Vec<String> = r
                .counts
                .iter()
                .enumerate()
                .filter(|&(c, &n)| n > 0 && Some(c) != r.class)
                .map(|(c, &n)| {
                    format!(
                        "{} {}",
                        self.classes[c].label,
                        format_share(share(n, self.options.samples))
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "  bản ghi thứ {}: {}{}, {} điểm, {}: ổn định {}; khác: {}",
                r.row,
                r.id.as_deref().unwrap_or("(không mã)"),
                r.name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                r.total.map(|t| t.to_string()).unwrap_or_default(),
                class,
                format_share(r.stability.unwrap_or(0.0)),
                if others.is_empty() {
                    "—".to_string()
                } else {
                    others.join(", ")
                }
            );
        }
        if knife.len() > show {
            let _ = writeln!(out, "  … và {} bản ghi khác", knife.len() - show);
        }
        let failed: u32 = scored.iter().map(|r| r.failed).sum();
        if failed > 0 {
            let _ = writeln!(
                out,
                "{failed} lượt chấm lại bị lỗi (điều kiện của mức hay điều kiện khống chế lỗi với điểm đã thay đổi)."
            );
        }
        let mut criteria: Vec<_> = self.criteria.iter().collect();
        criteria.sort_by_key(|c| std::cmp::Reverse(c.moved));
        let _ = writeln!(
            out,
            "Trọng số làm đổi xếp loại nhiều nhất (chỉ thay đổi điểm của một tiêu chí ±{percent}, các tiêu chí khác chia lại, ngưỡng giữ nguyên):"
        );
        for c in criteria.iter().take(show.min(10)) {
            let _ = writeln!(
                out,
                "  {} ({} điểm): {} bản ghi đổi xếp loại (tăng: {}, giảm: {}) — {}",
                c.id, c.points, c.moved, c.moved_up, c.moved_down, c.label
            );
        }
        out
    }
}

/// `0.1` as `10%`, `0.125` as `12,5%`.
fn format_percent(vary: f64) -> String {
    let text = format!("{}", (vary * 1000.0).round() / 10.0);
    format!("{}%", text.replace('.', ","))
}

/// A share as a percentage with one decimal, Vietnamese style (`93,4%`).
fn format_share(share: f64) -> String {
    format!("{:.1}%", share * 100.0).replace('.', ",")
}

impl Serialize for Sensitivity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("pack", &self.pack)?;
        map.serialize_entry("period", &self.period.to_string())?;
        map.serialize_entry("options", &self.options)?;
        map.serialize_entry("classes", &self.classes)?;
        let records: Vec<RecordJson> = self
            .records
            .iter()
            .map(|record| RecordJson {
                record,
                analysis: self,
            })
            .collect();
        map.serialize_entry("records", &records)?;
        map.serialize_entry("criteria", &self.criteria)?;
        map.end()
    }
}

/// A record as JSON: its shares as an object keyed by class, best first.
struct RecordJson<'a> {
    record: &'a RecordStability,
    analysis: &'a Sensitivity,
}

struct ByClass<'a> {
    counts: &'a [u32],
    analysis: &'a Sensitivity,
    as_share: bool,
}

impl Serialize for ByClass<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.counts.len()))?;
        for (class, &n) in self.analysis.classes.iter().zip(self.counts) {
            if self.as_share {
                map.serialize_entry(&class.code, &share(n, self.analysis.options.samples))?;
            } else {
                map.serialize_entry(&class.code, &n)?;
            }
        }
        map.end()
    }
}

impl Serialize for RecordJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (r, a) = (self.record, self.analysis);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("row", &r.row)?;
        map.serialize_entry("id", &r.id)?;
        map.serialize_entry("name", &r.name)?;
        map.serialize_entry("status", &r.status)?;
        map.serialize_entry("total", &r.total)?;
        map.serialize_entry("class", &a.class_code(r.class))?;
        map.serialize_entry("class_label", &a.class_label(r.class))?;
        if r.counts.is_empty() {
            return map.end();
        }
        map.serialize_entry("stability", &r.stability)?;
        map.serialize_entry("knife_edge", &a.on_knife_edge(r))?;
        map.serialize_entry("modal_class", &a.class_code(r.modal))?;
        let by_class = |as_share| ByClass {
            counts: &r.counts,
            analysis: a,
            as_share,
        };
        map.serialize_entry("shares", &by_class(true))?;
        map.serialize_entry("counts", &by_class(false))?;
        map.serialize_entry("failed", &r.failed)?;
        if let Some(failure) = &r.failure {
            map.serialize_entry("failure", failure)?;
        }
        map.end()
    }
}
