//! Results for people and spreadsheets: the flat CSV row and the readable
//! table. The JSON line is [`ScoreResult::to_json_line`].

use std::fmt::Write;

use crate::{Pack, ScoreResult, Status};

/// The CSV header for results of `pack`: the JSON fields flattened with
/// dotted names (`groups.1`, `criteria.2.4`, `reasons.2.4`, `pack.id`).
pub fn csv_header(pack: &Pack) -> Vec<String> {
    let mut header: Vec<String> = ["id", "status", "total", "class", "class_label"]
        .map(String::from)
        .to_vec();
    header.extend(pack.groups().iter().map(|g| format!("groups.{}", g.id)));
    header.extend(pack.criteria().iter().map(|c| format!("criteria.{}", c.id)));
    header.push("gates".into());
    header.push("unmet".into());
    header.extend(pack.criteria().iter().map(|c| format!("reasons.{}", c.id)));
    header.extend(["errors", "pack.id", "pack.version", "pack.fingerprint"].map(String::from));
    header
}

impl ScoreResult {
    /// The result as one CSV row under [`csv_header`]: gates joined by `;`,
    /// errors as `field: message` joined by `; `, empty cells where a value
    /// does not apply.
    pub fn to_csv_row(&self) -> Vec<String> {
        let groups = self.layout.groups.len();
        let criteria = self.layout.criteria.len();
        let mut row = vec![
            self.id().unwrap_or_default().to_string(),
            self.status().as_str().to_string(),
            self.total().map(|t| t.to_string()).unwrap_or_default(),
            self.class().unwrap_or_default().to_string(),
            self.class_label().unwrap_or_default().to_string(),
        ];
        let scored = self.status() == Status::Scored;
        let pad =
            |row: &mut Vec<String>, n: usize| row.extend(std::iter::repeat_n(String::new(), n));
        if scored {
            row.extend(self.groups().map(|(_, p)| p.to_string()));
            row.extend(self.criteria().map(|(_, p)| p.to_string()));
        } else {
            pad(&mut row, groups + criteria);
        }
        row.push(self.gates().collect::<Vec<_>>().join(";"));
        row.push(
            self.unmet()
                .map(|(band, _)| band)
                .collect::<Vec<_>>()
                .join(";"),
        );
        if scored {
            row.extend(self.reasons().map(|(_, r)| r.to_string()));
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
        row.push(errors.join("; "));
        let pack = self.pack();
        row.extend([
            pack.id.clone(),
            pack.version.clone(),
            pack.fingerprint.clone(),
        ]);
        row
    }

    /// A readable breakdown for a person, in Vietnamese: every criterion with
    /// its points, maximum and reason, then the groups, gates, total and class.
    pub fn to_table(&self, pack: &Pack) -> String {
        let mut out = String::new();
        let title = match (self.id(), self.name()) {
            (Some(id), Some(name)) => format!("{id} · {name}"),
            (Some(id), None) => id.to_string(),
            (None, _) => "(không có mã)".to_string(),
        };
        let _ = writeln!(out, "══ {title}");
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
                    match &error.field {
                        Some(field) => {
                            let _ = writeln!(out, "   • {field}: {}", error.message);
                        }
                        None => {
                            let _ = writeln!(out, "   • {}", error.message);
                        }
                    }
                }
            }
            Status::Scored => self.write_breakdown(pack, &mut out),
        }
        out
    }

    fn write_breakdown(&self, pack: &Pack, out: &mut String) {
        let width = pack
            .criteria()
            .iter()
            .map(|c| c.id.chars().count())
            .max()
            .unwrap_or(4)
            .max(8);
        let _ = writeln!(
            out,
            "   {:<width$}  {:>6}  {:>6}  Lý do",
            "Tiêu chí", "Điểm", "Tối đa"
        );
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
                    let _ = writeln!(out, "   ── Nhóm {} — {}: {}/{}", g.id, g.label, got, g.max);
                }
            }
            let _ = writeln!(
                out,
                "   {:<width$}  {:>6}  {:>6}  {}",
                criterion.id,
                points.to_string(),
                criterion.points.to_string(),
                reason
            );
        }
        for (_, reason) in self.unmet() {
            let _ = writeln!(out, "   ✗ {reason}");
        }
        for gate in self.gates() {
            if let Some(g) = pack.gates().iter().find(|g| g.id == gate) {
                let _ = writeln!(
                    out,
                    "   ⚠ {} — {} (xếp loại tối đa: {})",
                    g.id,
                    g.label,
                    band_label(pack, &g.cap)
                );
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

fn band_label<'a>(pack: &'a Pack, code: &'a str) -> &'a str {
    pack.bands()
        .iter()
        .find(|b| b.code == code)
        .map_or(code, |b| b.label.as_str())
}
