//! The report and the diff as Vietnamese text for a terminal.

use std::fmt::Write as _;

use super::format::{criteria_changes, date, maybe_points, number, percent, period, points};
use super::{Diff, Report};

/// How many rows a text list shows before "và N … khác".
const SHOWN: usize = 10;

fn more(out: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        let _ = writeln!(out, "  … và {} {what} khác", total - shown);
    }
}

pub(crate) fn report(r: &Report) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "BÁO CÁO TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THỰC HIỆN DÂN CHỦ Ở CƠ SỞ"
    );
    let _ = writeln!(
        w,
        "Bộ quy tắc: {} ({} {})",
        r.pack_title, r.pack.id, r.pack.version
    );
    let _ = writeln!(w, "Kỳ đánh giá: {}", period(&r.period));
    match &r.deadline {
        Some(d) => {
            let _ = writeln!(
                w,
                "Hạn nộp: {} — trước ngày {}{}",
                d.label,
                date(d.due),
                if d.to.is_empty() {
                    String::new()
                } else {
                    format!(", gửi {}", d.to)
                }
            );
        }
        None => {
            let _ = writeln!(w, "Hạn nộp: bộ quy tắc không khai báo lịch báo cáo");
        }
    }
    let t = &r.total;
    let _ = writeln!(
        w,
        "\nSố bản ghi: {} · chấm được {} · không thuộc đối tượng {} · lỗi {}",
        t.records, t.scored, t.not_applicable, t.errors
    );
    let _ = writeln!(w, "Xếp loại (tỷ lệ trên số bản ghi chấm được):");
    for (i, class) in r.classes.iter().enumerate() {
        let _ = writeln!(
            w,
            "  {:<12} {:>6}  {:>8}",
            class.label,
            t.classes[i],
            percent(t.shares[i])
        );
    }
    let show = |x: Option<f64>| x.map_or("–".to_string(), |x| number(x, 2));
    let _ = writeln!(
        w,
        "Tổng điểm: trung bình {} · trung vị {} · thấp nhất {} · cao nhất {} (thang {})",
        show(r.totals.mean),
        show(r.totals.median),
        show(r.totals.min),
        show(r.totals.max),
        points(r.max_points)
    );
    let _ = writeln!(w, "Phân bố tổng điểm:");
    let peak = r
        .totals
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0);
    for (i, bin) in r.totals.histogram.iter().enumerate() {
        let close = if i + 1 == r.totals.histogram.len() {
            "]"
        } else {
            ")"
        };
        let bar = if peak > 0 {
            "█".repeat((bin.count * 40).div_ceil(peak))
        } else {
            String::new()
        };
        let _ = writeln!(
            w,
            "  [{:>5}; {:>5}{close} {:>5}  {bar}",
            number(bin.from, 2),
            number(bin.to, 2),
            bin.count
        );
    }

    let _ = writeln!(w, "\nTheo {}:", r.by_label.to_lowercase());
    for g in &r.groups {
        let classes: Vec<String> = r
            .classes
            .iter()
            .zip(&g.classes)
            .map(|(c, n)| format!("{} {n}", c.label))
            .collect();
        let _ = writeln!(
            w,
            "  {}: {} bản ghi, chấm được {} ({}), không thuộc đối tượng {}, lỗi {}, điểm trung bình {}",
            g.name,
            g.records,
            g.scored,
            classes.join(", "),
            g.not_applicable,
            g.errors,
            show(g.mean_total)
        );
    }

    let _ = writeln!(w, "\nTiêu chí mất nhiều điểm nhất:");
    for c in r.weakest.iter().filter(|c| c.lost > 0.0).take(SHOWN) {
        let _ = writeln!(
            w,
            "  {} {} — mất {} điểm ({} số điểm có thể), {} bản ghi không đạt đủ",
            c.id,
            c.label,
            number(c.lost, 2),
            percent(c.lost_share),
            c.records_losing
        );
    }
    if !r.gates.is_empty() {
        let _ = writeln!(w, "\nĐiều kiện chặn xếp loại đã áp dụng:");
        for g in &r.gates {
            let _ = writeln!(
                w,
                "  {} {} (tối đa {}): {} bản ghi",
                g.id, g.label, g.cap, g.count
            );
        }
    }
    if !r.unmet.is_empty() {
        let _ = writeln!(w, "\nĐạt điểm nhưng chưa đạt điều kiện của mức:");
        for u in &r.unmet {
            let _ = writeln!(
                w,
                "  {}{}: {} bản ghi",
                u.label,
                u.condition
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default(),
                u.count
            );
        }
    }
    if !r.errors.is_empty() {
        let _ = writeln!(w, "\nBản ghi lỗi ({}):", r.errors.len());
        for e in r.errors.iter().take(SHOWN) {
            let _ = writeln!(
                w,
                "  #{} {}: {}",
                e.index,
                e.id.as_deref().unwrap_or("(không có mã)"),
                e.problems
            );
        }
        more(w, r.errors.len(), SHOWN, "bản ghi lỗi");
    }
    if !r.not_applicable.is_empty() {
        let _ = writeln!(
            w,
            "\nBản ghi không thuộc đối tượng ({}):",
            r.not_applicable.len()
        );
        for e in r.not_applicable.iter().take(SHOWN) {
            let _ = writeln!(
                w,
                "  #{} {} {}",
                e.index,
                e.id.as_deref().unwrap_or("(không có mã)"),
                e.name.as_deref().unwrap_or("")
            );
        }
        more(w, r.not_applicable.len(), SHOWN, "bản ghi");
    }
    let _ = writeln!(
        w,
        "\nXếp hạng thi đua (theo tổng điểm; không tính bản ghi lỗi):"
    );
    for p in r.ranking.iter().take(SHOWN) {
        let _ = writeln!(
            w,
            "  {:>3}. {} {} — {} điểm, {} ({})",
            p.rank,
            p.id.as_deref().unwrap_or(""),
            p.name.as_deref().unwrap_or(""),
            points(p.total),
            p.class_label,
            p.group
        );
    }
    more(w, r.ranking.len(), SHOWN, "bản ghi");
    if let Some(s) = &r.submissions {
        let _ = writeln!(
            w,
            "\nNgày nộp (trường '{}'): đúng hạn {}, muộn {}, không rõ ngày {}",
            s.field,
            s.on_time,
            s.late.len(),
            s.undated
        );
        for (group, n) in &s.late_groups {
            let _ = writeln!(w, "  Nộp muộn: {group} ({n} bản ghi)");
        }
    }
    out
}

pub(crate) fn diff(d: &Diff) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "TÁC ĐỘNG CỦA VIỆC THAY ĐỔI BỘ QUY TẮC");
    let _ = writeln!(
        w,
        "Bộ cũ: {} {} · bộ mới: {} {} · kỳ đánh giá {}",
        d.old_pack.id,
        d.old_pack.version,
        d.new_pack.id,
        d.new_pack.version,
        period(&d.period)
    );
    let _ = writeln!(
        w,
        "{} bản ghi: {} đổi xếp loại, {} đổi tổng điểm",
        d.records, d.changed_class, d.changed_total
    );
    let _ = writeln!(
        w,
        "\nMa trận chuyển (hàng: xếp loại cũ, cột: xếp loại mới):"
    );
    let width = d
        .old_classes
        .iter()
        .chain(&d.new_classes)
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = write!(w, "  {:<width$}", "");
    for c in &d.new_classes {
        let _ = write!(w, " {:>width$}", c.label);
    }
    let _ = writeln!(w);
    for (row, c) in d.old_classes.iter().enumerate() {
        let _ = write!(w, "  {:<width$}", c.label);
        for n in &d.matrix[row] {
            let _ = write!(w, " {n:>width$}");
        }
        let _ = writeln!(w);
    }
    if !d.moved.is_empty() {
        let _ = writeln!(w, "\nBản ghi đổi xếp loại:");
        for m in &d.moved {
            let _ = writeln!(
                w,
                "  #{} {} {}: {} ({}) → {} ({}); {}",
                m.index,
                m.id.as_deref().unwrap_or(""),
                m.name.as_deref().unwrap_or(""),
                m.old_class.label,
                maybe_points(m.old_total),
                m.new_class.label,
                maybe_points(m.new_total),
                criteria_changes(m)
            );
        }
    }
    out
}
