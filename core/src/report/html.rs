//! The report and the diff as one self-contained HTML page: no script, no
//! font or image fetched, charts drawn as inline SVG, laid out for A4.

use std::fmt::Write as _;

use super::format::{
    criteria_changes, date, html as esc, maybe_points, number, percent, period, points,
};
use super::{Diff, Report};

/// Colours of the classes, best first (then repeated).
const COLOURS: [&str; 6] = [
    "#2e7d32", "#8bc34a", "#f9a825", "#c62828", "#6a1b9a", "#455a64",
];

const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10.5pt;
       color: #1b1b1b; margin: 0 auto; max-width: 186mm; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 14pt 0 5pt; border-bottom: 1px solid #999; padding-bottom: 2pt;
     break-after: avoid; }
p.meta { margin: 1pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f7f7f7; }
figure { margin: 6pt 0; break-inside: avoid; }
figcaption { font-size: 9pt; color: #444; }
svg { width: 100%; height: auto; }
svg text { font-family: inherit; }
.legend span { display: inline-block; margin-right: 10pt; font-size: 9pt; }
.legend i { display: inline-block; width: 9pt; height: 9pt; margin-right: 3pt; vertical-align: -1pt; }
.late { color: #b71c1c; font-weight: bold; }
@media print { body { max-width: none; } }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

fn legend(labels: &[String]) -> String {
    let mut out = String::from("<div class=\"legend\">");
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            COLOURS[i % COLOURS.len()],
            esc(label)
        );
    }
    out.push_str("</div>");
    out
}

/// Classes per group as horizontal stacked bars, one `<g class="bar">` per group.
fn stacked_bars(r: &Report) -> String {
    let (label_w, bar_w, row_h) = (250.0, 380.0, 24.0);
    let width = label_w + bar_w + 50.0;
    let height = row_h * r.groups.len() as f64 + 8.0;
    let most = r.groups.iter().map(|g| g.scored).max().unwrap_or(0).max(1) as f64;
    let mut out = format!(
        "<svg class=\"chart-units\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"Xếp loại theo {}\">",
        esc(&r.by_label.to_lowercase())
    );
    for (row, g) in r.groups.iter().enumerate() {
        let y = 4.0 + row as f64 * row_h;
        let _ = write!(
            out,
            "<g class=\"bar\" data-group=\"{}\" data-scored=\"{}\"><text x=\"{}\" y=\"{}\" \
             text-anchor=\"end\" font-size=\"10\">{}</text>",
            esc(&g.name),
            g.scored,
            label_w - 6.0,
            y + 15.0,
            esc(&g.name)
        );
        let mut x = label_w;
        for (i, &n) in g.classes.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let w = n as f64 / most * bar_w;
            let _ = write!(
                out,
                "<rect class=\"seg\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" \
                 fill=\"{}\"><title>{}: {} {n}</title></rect>",
                row_h - 6.0,
                COLOURS[i % COLOURS.len()],
                esc(&g.name),
                esc(&r.classes[i].label)
            );
            x += w;
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{}</text></g>",
            x + 4.0,
            y + 15.0,
            g.scored
        );
    }
    out.push_str("</svg>");
    out
}

/// The histogram of totals, one `<rect class="bin">` per bar.
fn histogram(r: &Report) -> String {
    let bins = &r.totals.histogram;
    let (left, bottom, plot_h, bin_w) = (30.0, 30.0, 150.0, 56.0);
    let width = left + bin_w * bins.len() as f64 + 10.0;
    let height = plot_h + bottom + 20.0;
    let peak = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let mut out = format!(
        "<svg class=\"chart-totals\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"Phân bố tổng điểm\">"
    );
    let base = 20.0 + plot_h;
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#555\"/>",
        width - 10.0
    );
    for (i, bin) in bins.iter().enumerate() {
        let h = bin.count as f64 / peak * plot_h;
        let x = left + i as f64 * bin_w;
        let _ = write!(
            out,
            "<rect class=\"bin\" data-count=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
             height=\"{h:.1}\" fill=\"#1565c0\"><title>{}–{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>\
             <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
            bin.count,
            x + 3.0,
            base - h,
            bin_w - 6.0,
            number(bin.from, 2),
            number(bin.to, 2),
            bin.count,
            x + bin_w / 2.0,
            base - h - 3.0,
            bin.count,
            base + 13.0,
            number(bin.from, 2),
        );
    }
    let last = bins.last().map_or(0.0, |b| b.to);
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">Tổng điểm</text></svg>",
        left + bins.len() as f64 * bin_w,
        base + 13.0,
        number(last, 2),
        width / 2.0,
        base + 27.0
    );
    out
}

pub(crate) fn report(r: &Report) -> String {
    let mut b = String::new();
    let title = "Báo cáo tổng hợp kết quả chấm điểm, xếp loại thực hiện dân chủ ở cơ sở";
    let _ = write!(b, "<h1>{}</h1>", esc(title));
    let _ = write!(
        b,
        "<p class=\"meta\">Bộ quy tắc: <b>{}</b> ({} {})</p>\
         <p class=\"meta\">Kỳ đánh giá: <b>{}</b></p>",
        esc(&r.pack_title),
        esc(&r.pack.id),
        esc(&r.pack.version),
        esc(&period(&r.period))
    );
    match &r.deadline {
        Some(d) => {
            let _ = write!(
                b,
                "<p class=\"meta deadline\">Hạn nộp: {} — <b>trước ngày {}</b>{}</p>",
                esc(&d.label),
                date(d.due),
                if d.to.is_empty() {
                    String::new()
                } else {
                    format!(", gửi {}", esc(&d.to))
                }
            );
        }
        None => b.push_str(
            "<p class=\"meta deadline\">Hạn nộp: bộ quy tắc không khai báo lịch báo cáo</p>",
        ),
    }
    let t = &r.total;
    let _ = write!(
        b,
        "<p class=\"meta counts\">Tổng số bản ghi: <b class=\"records\">{}</b> · chấm được {} · \
         không thuộc đối tượng {} · lỗi {}</p>",
        t.records, t.scored, t.not_applicable, t.errors
    );

    // Classes per group, and in total.
    let _ = write!(
        b,
        "<h2>Xếp loại theo {}</h2>",
        esc(&r.by_label.to_lowercase())
    );
    let labels: Vec<String> = r.classes.iter().map(|c| c.label.clone()).collect();
    let _ = write!(
        b,
        "<figure>{}{}<figcaption>Số bản ghi chấm được theo xếp loại, mỗi thanh một {}.</figcaption></figure>",
        legend(&labels),
        stacked_bars(r),
        esc(&r.by_label.to_lowercase())
    );
    let _ = write!(
        b,
        "<table class=\"groups\"><thead><tr><th>{}</th><th class=\"n\">Số bản ghi</th><th class=\"n\">Chấm được</th>",
        esc(&r.by_label)
    );
    for c in &r.classes {
        let _ = write!(b, "<th class=\"n\">{}</th>", esc(&c.label));
    }
    b.push_str("<th class=\"n\">Không thuộc đối tượng</th><th class=\"n\">Lỗi</th><th class=\"n\">Điểm TB</th></tr></thead><tbody>");
    let show = |x: Option<f64>| x.map_or("–".to_string(), |x| number(x, 2));
    for (g, class) in r
        .groups
        .iter()
        .map(|g| (g, ""))
        .chain(std::iter::once((&r.total, " class=\"total\"")))
    {
        let _ = write!(
            b,
            "<tr{class}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&g.name),
            g.records,
            g.scored
        );
        for (n, share) in g.classes.iter().zip(&g.shares) {
            let _ = write!(b, "<td class=\"n\">{n} ({})</td>", percent(*share));
        }
        let _ = write!(
            b,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            g.not_applicable,
            g.errors,
            show(g.mean_total)
        );
    }
    b.push_str("</tbody></table>");

    let _ = write!(
        b,
        "<h2>Phân bố tổng điểm</h2><p class=\"meta\">Trung bình {} · trung vị {} · thấp nhất {} · \
         cao nhất {} (thang {} điểm)</p><figure>{}<figcaption>Số bản ghi chấm được theo khoảng \
         tổng điểm.</figcaption></figure>",
        show(r.totals.mean),
        show(r.totals.median),
        show(r.totals.min),
        show(r.totals.max),
        points(r.max_points),
        histogram(r)
    );

    b.push_str(
        "<h2>Tiêu chí mất nhiều điểm nhất</h2><table class=\"weakest\"><thead><tr><th>Tiêu chí</th>\
         <th>Nội dung</th><th class=\"n\">Điểm tối đa</th><th class=\"n\">Điểm bị mất</th>\
         <th class=\"n\">Tỷ lệ mất</th><th class=\"n\">Số bản ghi chưa đạt đủ</th></tr></thead><tbody>",
    );
    for c in r.weakest.iter().filter(|c| c.lost > 0.0).take(15) {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.id),
            esc(&c.label),
            points(c.max),
            number(c.lost, 2),
            percent(c.lost_share),
            c.records_losing
        );
    }
    b.push_str("</tbody></table>");

    if !r.gates.is_empty() || !r.unmet.is_empty() {
        b.push_str(
            "<h2>Điều kiện chặn và điều kiện của mức xếp loại</h2><table class=\"gates\"><thead><tr>\
             <th>Điều kiện</th><th>Nội dung</th><th class=\"n\">Số bản ghi</th></tr></thead><tbody>",
        );
        for g in &r.gates {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{} (xếp loại tối đa: {})</td><td class=\"n\">{}</td></tr>",
                esc(&g.id),
                esc(&g.label),
                esc(&g.cap),
                g.count
            );
        }
        for u in &r.unmet {
            let _ = write!(
                b,
                "<tr><td>Mức {}</td><td>Đạt điểm nhưng chưa đạt điều kiện{}</td><td class=\"n\">{}</td></tr>",
                esc(&u.label),
                u.condition
                    .as_deref()
                    .map(|c| format!(": {}", esc(c)))
                    .unwrap_or_default(),
                u.count
            );
        }
        b.push_str("</tbody></table>");
    }

    if let Some(s) = &r.submissions {
        let _ = write!(
            b,
            "<h2>Thời hạn nộp</h2><p class=\"meta\">Đúng hạn {} · <span class=\"late\">muộn {}</span> · \
             không rõ ngày nộp {}</p>",
            s.on_time,
            s.late.len(),
            s.undated
        );
        if !s.late.is_empty() {
            let _ = write!(
                b,
                "<table class=\"late-units\"><thead><tr><th>{}</th><th class=\"n\">Số bản ghi nộp muộn</th></tr></thead><tbody>",
                esc(&r.by_label)
            );
            for (group, n) in &s.late_groups {
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                    esc(group)
                );
            }
            b.push_str("</tbody></table>");
        }
    }

    b.push_str(
        "<h2>Xếp hạng thi đua</h2><p class=\"meta\">Theo tổng điểm, cao trước; bằng điểm thì cùng hạng; \
         không tính bản ghi lỗi và không thuộc đối tượng.</p><table class=\"ranking\"><thead><tr>\
         <th class=\"n\">Hạng</th><th>Mã</th><th>Tên</th><th>Đơn vị</th><th class=\"n\">Tổng điểm</th>\
         <th>Xếp loại</th></tr></thead><tbody>",
    );
    for p in &r.ranking {
        let _ = write!(
            b,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            p.rank,
            esc(p.id.as_deref().unwrap_or("")),
            esc(p.name.as_deref().unwrap_or("")),
            esc(&p.group),
            points(p.total),
            esc(&p.class_label)
        );
    }
    b.push_str("</tbody></table>");

    for (heading, list) in [
        ("Bản ghi lỗi", &r.errors),
        ("Bản ghi không thuộc đối tượng", &r.not_applicable),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            b,
            "<h2>{heading} ({})</h2><table><thead><tr><th class=\"n\">STT</th><th>Mã</th><th>Tên</th>\
             <th>Đơn vị</th><th>Vấn đề</th></tr></thead><tbody>",
            list.len()
        );
        for e in list {
            let _ = write!(
                b,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.index,
                esc(e.id.as_deref().unwrap_or("")),
                esc(e.name.as_deref().unwrap_or("")),
                esc(&e.group),
                esc(&e.problems)
            );
        }
        b.push_str("</tbody></table>");
    }
    let _ = write!(
        b,
        "<p class=\"meta\" style=\"margin-top:12pt;font-size:8.5pt;color:#555\">Dấu vân tay bộ quy tắc: {}</p>",
        esc(&r.pack.fingerprint)
    );
    page(title, &b)
}

pub(crate) fn diff(d: &Diff) -> String {
    let mut b = String::new();
    let title = "Tác động của việc thay đổi bộ quy tắc";
    let _ = write!(
        b,
        "<h1>{title}</h1><p class=\"meta\">Bộ cũ: <b>{} {}</b> · bộ mới: <b>{} {}</b> · kỳ đánh giá {}</p>\
         <p class=\"meta counts\"><b class=\"records\">{}</b> bản ghi: <b class=\"changed\">{}</b> đổi xếp loại, \
         {} đổi tổng điểm</p>",
        esc(&d.old_pack.id),
        esc(&d.old_pack.version),
        esc(&d.new_pack.id),
        esc(&d.new_pack.version),
        esc(&period(&d.period)),
        d.records,
        d.changed_class,
        d.changed_total
    );
    b.push_str(&matrix_table(d));
    b.push_str(&moved_table(d));
    page(title, &b)
}

/// The transition matrix as a table (hàng: cũ, cột: mới), the diagonal bold.
pub(crate) fn matrix_table(d: &Diff) -> String {
    let mut b = String::from(
        "<h2>Ma trận chuyển xếp loại</h2><table class=\"matrix\"><thead><tr><th>Cũ \\ Mới</th>",
    );
    for c in &d.new_classes {
        let _ = write!(b, "<th class=\"n\">{}</th>", esc(&c.label));
    }
    b.push_str("</tr></thead><tbody>");
    for (row, c) in d.old_classes.iter().enumerate() {
        let _ = write!(b, "<tr><th>{}</th>", esc(&c.label));
        for (column, n) in d.matrix[row].iter().enumerate() {
            let same = d.new_classes[column].code == c.code;
            let style = if same {
                " style=\"font-weight:bold\""
            } else {
                ""
            };
            let _ = write!(b, "<td class=\"n\"{style}>{n}</td>");
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    b
}

/// Every moved record as a table.
pub(crate) fn moved_table(d: &Diff) -> String {
    let mut b = format!(
        "<h2>Bản ghi đổi xếp loại ({})</h2><table class=\"moved\"><thead><tr>",
        d.moved.len()
    );
    for h in super::format::DIFF_HEADINGS {
        let _ = write!(b, "<th>{}</th>", esc(h));
    }
    b.push_str("</tr></thead><tbody>");
    for m in &d.moved {
        let _ = write!(
            b,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            m.index,
            esc(m.id.as_deref().unwrap_or("")),
            esc(m.name.as_deref().unwrap_or("")),
            esc(m.unit.as_deref().unwrap_or("")),
            maybe_points(m.old_total),
            maybe_points(m.new_total),
            esc(&m.old_class.label),
            esc(&m.new_class.label),
            esc(&criteria_changes(m))
        );
    }
    b.push_str("</tbody></table>");
    b
}
