//! The report the federation asks for (*tổng hợp kết quả*) and the impact of
//! a change of rules (*so sánh hai bộ quy tắc*), computed once here and
//! rendered as JSON, text, HTML and XLSX for the CLI, Python and JavaScript.
//!
//! A [`Report`] is built from scored results with a [`ReportBuilder`] (one
//! result at a time, so a large batch need not stay in memory); a [`Diff`]
//! compares the results of the same records under two packs.

mod diff;
mod format;
mod html;
mod text;
#[cfg(feature = "xlsx-write")]
mod xlsx;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::{Pack, PackRef, Period, Points, ScoreResult, Status};

pub use diff::{ClassChange, CriterionChange, Diff, MovedRecord};

/// The carried field a record may give its submission date in. No bundled
/// pack declares it; a pack that wants late units listed declares
/// `field("submitted", #{ type: "date", required: false, carry: true, ... })`.
pub const SUBMITTED_FIELD: &str = "submitted";

/// How many bars the histogram of totals has at most (10 points wide each on
/// the usual 100-point scale).
const HISTOGRAM_BINS: usize = 10;

/// What records are grouped by in a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The carried `unit` field (the upper union that receives results).
    #[default]
    Unit,
    /// The carried `province` field.
    Province,
}

impl GroupBy {
    /// The carried field read.
    pub fn field(self) -> &'static str {
        match self {
            GroupBy::Unit => "unit",
            GroupBy::Province => "province",
        }
    }

    /// The Vietnamese heading of the grouping column.
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Unit => "Đơn vị (công đoàn cấp trên)",
            GroupBy::Province => "Tỉnh, thành phố",
        }
    }
}

impl std::str::FromStr for GroupBy {
    type Err = crate::Error;

    fn from_str(text: &str) -> Result<Self, crate::Error> {
        match text.trim() {
            "unit" | "don-vi" => Ok(GroupBy::Unit),
            "province" | "tinh" => Ok(GroupBy::Province),
            other => Err(crate::Error::Input(format!(
                "không nhóm được theo '{other}': dùng unit (đơn vị) hoặc province (tỉnh)"
            ))),
        }
    }
}

/// Choices for a report.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// What records are grouped by.
    pub by: GroupBy,
    /// The id of the pack's deadline that applies; `None`: chosen from the
    /// period (see [`due_deadline`]).
    pub deadline: Option<String>,
}

/// A class of the pack: its code and Vietnamese label.
#[derive(Clone, Debug, Serialize)]
pub struct ClassInfo {
    /// Its code (`tot`).
    pub code: String,
    /// Its label (`Tốt`).
    pub label: String,
}

/// Counts for a group of records (a unit, a province, or all).
#[derive(Clone, Debug, Serialize)]
pub struct Counts {
    /// The group's name (`Tổng cộng` for all).
    pub name: String,
    /// Records seen.
    pub records: usize,
    /// Records scored and classified.
    pub scored: usize,
    /// Records outside the pack's scope.
    pub not_applicable: usize,
    /// Records in error.
    pub errors: usize,
    /// Scored records per class, aligned with [`Report::classes`].
    pub classes: Vec<usize>,
    /// Each class's share of the scored records (0 to 1), aligned likewise.
    pub shares: Vec<f64>,
    /// The mean total of the scored records.
    pub mean_total: Option<f64>,
}

impl Counts {
    fn new(name: String, classes: usize) -> Self {
        Counts {
            name,
            records: 0,
            scored: 0,
            not_applicable: 0,
            errors: 0,
            classes: vec![0; classes],
            shares: vec![0.0; classes],
            mean_total: None,
        }
    }

    fn finish(&mut self, sum_of_totals: f64) {
        if self.scored > 0 {
            let scored = self.scored as f64;
            self.shares = self.classes.iter().map(|&n| n as f64 / scored).collect();
            self.mean_total = Some(round2(sum_of_totals / scored));
        }
    }
}

/// One bar of the histogram of totals: `[from, to)`, the last bar closed.
#[derive(Clone, Debug, Serialize)]
pub struct Bin {
    /// Lowest total counted.
    pub from: f64,
    /// Highest total, excluded but for the last bar.
    pub to: f64,
    /// Scored records whose total falls in it.
    pub count: usize,
}

/// The distribution of totals over the scored records.
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    /// Their mean.
    pub mean: Option<f64>,
    /// Their median.
    pub median: Option<f64>,
    /// The lowest.
    pub min: Option<f64>,
    /// The highest.
    pub max: Option<f64>,
    /// The histogram, from 0 to the pack's maximum.
    pub histogram: Vec<Bin>,
}

/// Where points are lost: one criterion over all scored records.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionLoss {
    /// The criterion's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its group's id.
    pub group: String,
    /// The points it is worth.
    pub max: Points,
    /// Points lost (maximum − earned), summed over scored records.
    pub lost: f64,
    /// `lost` over the points it could have given (maximum × scored records).
    pub lost_share: f64,
    /// Scored records that did not get its full points.
    pub records_losing: usize,
}

/// How often a gate fired.
#[derive(Clone, Debug, Serialize)]
pub struct GateCount {
    /// The gate's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// The class it caps at.
    pub cap: String,
    /// Scored records it fired on.
    pub count: usize,
}

/// How often a band's condition was not met by a record that reached its minimum.
#[derive(Clone, Debug, Serialize)]
pub struct UnmetCount {
    /// The band's code.
    pub band: String,
    /// Its label.
    pub label: String,
    /// The condition in words, if the pack gives it.
    pub condition: Option<String>,
    /// Scored records that missed it.
    pub count: usize,
}

/// A record named in a list (errors, not applicable, late).
#[derive(Clone, Debug, Serialize)]
pub struct RecordRef {
    /// Its place in the input, from 1.
    pub index: usize,
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its group (unit or province).
    pub group: String,
    /// Its problems (records in error), joined; empty otherwise.
    pub problems: String,
}

/// One place in the ranking for emulation awards.
#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    /// Its rank: records with equal totals share a rank, the next rank skips
    /// (1, 2, 2, 4).
    pub rank: usize,
    /// Its place in the input, from 1.
    pub index: usize,
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: String,
    /// Its total.
    pub total: Points,
    /// Its class's label.
    pub class_label: String,
}

fn iso_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn iso_date_opt<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// The deadline the report is due by, from the pack's calendar.
#[derive(Clone, Debug, Serialize)]
pub struct DueDate {
    /// The deadline's id (`bao_cao_nam`).
    pub id: String,
    /// What is due.
    pub label: String,
    /// Who receives it.
    pub to: String,
    /// The report is due before this date (ISO `YYYY-MM-DD` in JSON).
    #[serde(serialize_with = "iso_date")]
    pub due: NaiveDate,
}

/// A record whose submission came on or after the due date.
#[derive(Clone, Debug, Serialize)]
pub struct LateRecord {
    /// The record.
    #[serde(flatten)]
    pub record: RecordRef,
    /// When it was submitted.
    #[serde(serialize_with = "iso_date")]
    pub submitted: NaiveDate,
    /// Days after the last day allowed (the day before the due date).
    pub days_late: i64,
}

/// Submission dates against the due date (only when records carry them).
#[derive(Clone, Debug, Serialize)]
pub struct Submissions {
    /// The carried field read (`submitted`).
    pub field: String,
    /// Records submitted before the due date.
    pub on_time: usize,
    /// Records submitted on or after it.
    pub late: Vec<LateRecord>,
    /// Groups (units or provinces) with at least one late record, with how many.
    pub late_groups: Vec<(String, usize)>,
    /// Records with no readable submission date.
    pub undated: usize,
}

/// One record as the report's record sheet shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RecordRow {
    /// Its place in the input, from 1.
    pub index: usize,
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its unit.
    pub unit: Option<String>,
    /// Its province.
    pub province: Option<String>,
    /// Scored, not applicable or error.
    pub status: Status,
    /// Its total.
    pub total: Option<Points>,
    /// Its class's code.
    pub class: Option<String>,
    /// Its class's label.
    pub class_label: Option<String>,
    /// Points per criterion, aligned with [`Report::criteria`] (empty unless scored).
    pub criteria: Vec<Points>,
    /// Gates that fired.
    pub gates: Vec<String>,
    /// Bands whose condition it missed.
    pub unmet: Vec<String>,
    /// Its problems, joined (records in error).
    pub problems: String,
    /// Its submission date, if carried.
    #[serde(serialize_with = "iso_date_opt")]
    pub submitted: Option<NaiveDate>,
}

/// A criterion's heading in the record sheet.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionInfo {
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its points at most.
    pub max: Points,
}

/// The compiled results of a period: what the district federation asks for.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The pack scored with.
    pub pack: PackRef,
    /// Its title.
    pub pack_title: String,
    /// The evaluation period.
    pub period: Period,
    /// What the groups are.
    pub by: GroupBy,
    /// The grouping's heading, in Vietnamese.
    pub by_label: String,
    /// The pack's classes, best first.
    pub classes: Vec<ClassInfo>,
    /// The pack's maximum total.
    pub max_points: Points,
    /// Counts over every record.
    pub total: Counts,
    /// Counts per group, by name.
    pub groups: Vec<Counts>,
    /// The distribution of totals.
    pub totals: Totals,
    /// Criteria by points lost, most first.
    pub weakest: Vec<CriterionLoss>,
    /// Gates by how often they fired, most first (those that never fired left out).
    pub gates: Vec<GateCount>,
    /// Band conditions by how often they were missed, most first.
    pub unmet: Vec<UnmetCount>,
    /// Records in error, in input order.
    pub errors: Vec<RecordRef>,
    /// Records outside the pack's scope, in input order.
    pub not_applicable: Vec<RecordRef>,
    /// Scored records by total, best first (errors and not applicable left out).
    pub ranking: Vec<Ranked>,
    /// The deadline from the pack's calendar, if it has one that applies.
    pub deadline: Option<DueDate>,
    /// Submission dates against the deadline, when records carry them.
    pub submissions: Option<Submissions>,
    /// The criteria, in the pack's order (headings of the record sheet).
    pub criteria: Vec<CriterionInfo>,
    /// Every record, in input order.
    pub records: Vec<RecordRow>,
}

/// The deadline of the pack's calendar that a report for `period` answers.
///
/// A pack's deadlines are days of the year (`05-25`, `11-05`) and do not say
/// which period they close, so the choice follows the plan's own calendar:
/// a report is due *before the period ends* (the half-year report before
/// 25 May, the annual one before 5 November). The deadline chosen is the
/// latest one falling inside the period (`2024` → 5 November 2024;
/// `2024-H1` → 25 May 2024); when none does, the first one after it ends.
pub fn due_deadline(pack: &Pack, period: &Period) -> Option<DueDate> {
    let mut dated: Vec<(NaiveDate, &crate::Deadline)> = Vec::new();
    for year in period.start().year()..=period.end().year() + 1 {
        for deadline in pack.calendar() {
            if let Some(date) = NaiveDate::from_ymd_opt(year, deadline.month, deadline.day) {
                dated.push((date, deadline));
            }
        }
    }
    dated.sort_by_key(|(date, _)| *date);
    let inside = dated.iter().rev().find(|(d, _)| period.contains(*d));
    let after = dated.iter().find(|(d, _)| *d > period.end());
    inside.or(after).map(|(due, d)| due_date(d, *due))
}

fn due_date(deadline: &crate::Deadline, due: NaiveDate) -> DueDate {
    DueDate {
        id: deadline.id.clone(),
        label: deadline.label.clone(),
        to: deadline.to.clone(),
        due,
    }
}

/// The deadline `id` of the pack's calendar, in the year the period ends
/// (or the next, if that date falls before the period starts).
fn named_deadline(pack: &Pack, period: &Period, id: &str) -> Result<DueDate, crate::Error> {
    let deadline = pack.calendar().iter().find(|d| d.id == id).ok_or_else(|| {
        let known: Vec<&str> = pack.calendar().iter().map(|d| d.id.as_str()).collect();
        crate::Error::Input(format!(
            "bộ quy tắc {} không có hạn báo cáo '{id}'{}",
            pack.id(),
            if known.is_empty() {
                " (bộ này không khai báo lịch báo cáo)".to_string()
            } else {
                format!("; có: {}", known.join(", "))
            }
        ))
    })?;
    let in_year = |year| NaiveDate::from_ymd_opt(year, deadline.month, deadline.day);
    let year = period.end().year();
    let due = match in_year(year) {
        Some(d) if d >= period.start() => d,
        _ => in_year(year + 1).ok_or_else(|| {
            crate::Error::Input(format!("hạn báo cáo '{id}' không có ngày hợp lệ"))
        })?,
    };
    Ok(due_date(deadline, due))
}

/// The label a record without a group gets.
pub const NO_GROUP: &str = "(không ghi)";

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

fn carried_text(result: &ScoreResult, name: &str) -> Option<String> {
    result
        .carried()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Null => None,
            serde_json::Value::String(_) => None,
            other => Some(other.to_string()),
        })
}

/// A record's problems in one line: the field, then what is wrong.
pub(crate) fn problems_of(result: &ScoreResult) -> String {
    result
        .errors()
        .iter()
        .map(|e| match &e.field {
            Some(field) => format!("{field}: {}", e.message),
            None => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Builds a [`Report`] from results given one at a time, in input order.
pub struct ReportBuilder {
    pack: Pack,
    period: Period,
    by: GroupBy,
    deadline: Option<DueDate>,
    rows: Vec<RecordRow>,
    /// Whether the pack carries the submission field at all.
    carries_submitted: bool,
}

impl ReportBuilder {
    /// A builder for results of `pack` over `period`. Fails when
    /// `options.deadline` names no deadline of the pack.
    pub fn new(pack: &Pack, period: Period, options: &ReportOptions) -> Result<Self, crate::Error> {
        let deadline = match &options.deadline {
            Some(id) => Some(named_deadline(pack, &period, id)?),
            None => due_deadline(pack, &period),
        };
        let carries_submitted = pack
            .fields()
            .iter()
            .any(|f| f.name == SUBMITTED_FIELD && f.carry);
        Ok(ReportBuilder {
            pack: pack.clone(),
            period,
            by: options.by,
            deadline,
            rows: Vec::new(),
            carries_submitted,
        })
    }

    /// Adds the next result.
    pub fn add(&mut self, result: &ScoreResult) {
        let row = RecordRow {
            index: self.rows.len() + 1,
            id: result.id().map(str::to_string),
            name: result
                .name()
                .map(str::to_string)
                .or_else(|| carried_text(result, "name")),
            unit: carried_text(result, "unit"),
            province: carried_text(result, "province"),
            status: result.status(),
            total: result.total(),
            class: result.class().map(str::to_string),
            class_label: result.class_label().map(str::to_string),
            criteria: if result.status() == Status::Scored {
                result.criteria().map(|(_, p)| p).collect()
            } else {
                Vec::new()
            },
            gates: result.gates().map(str::to_string).collect(),
            unmet: result.unmet().map(|(b, _)| b.to_string()).collect(),
            problems: problems_of(result),
            submitted: carried_text(result, SUBMITTED_FIELD).and_then(|t| crate::parse_date(&t)),
        };
        self.rows.push(row);
    }

    /// Adds every result of `results`.
    pub fn extend<'a>(&mut self, results: impl IntoIterator<Item = &'a ScoreResult>) {
        for result in results {
            self.add(result);
        }
    }

    /// The finished report.
    pub fn finish(self) -> Report {
        let pack = &self.pack;
        let classes: Vec<ClassInfo> = pack
            .bands()
            .iter()
            .map(|b| ClassInfo {
                code: b.code.clone(),
                label: b.label.clone(),
            })
            .collect();
        let class_index = |code: &str| classes.iter().position(|c| c.code == code);
        let group_of = |row: &RecordRow| {
            let value = match self.by {
                GroupBy::Unit => &row.unit,
                GroupBy::Province => &row.province,
            };
            value.clone().unwrap_or_else(|| NO_GROUP.to_string())
        };

        let mut total = Counts::new("Tổng cộng".to_string(), classes.len());
        let mut groups: BTreeMap<String, (Counts, f64)> = BTreeMap::new();
        let mut sum = 0.0;
        let mut totals: Vec<f64> = Vec::new();
        let criteria = pack.criteria();
        let mut lost = vec![0.0_f64; criteria.len()];
        let mut losing = vec![0_usize; criteria.len()];
        let mut gate_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut unmet_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut not_applicable = Vec::new();

        for row in &self.rows {
            let group = group_of(row);
            let (counts, group_sum) = groups
                .entry(group.clone())
                .or_insert_with(|| (Counts::new(group.clone(), classes.len()), 0.0));
            for c in [&mut total, counts] {
                c.records += 1;
                match row.status {
                    Status::Scored => {
                        c.scored += 1;
                        if let Some(i) = row.class.as_deref().and_then(class_index) {
                            c.classes[i] += 1;
                        }
                    }
                    Status::NotApplicable => c.not_applicable += 1,
                    Status::Error => c.errors += 1,
                }
            }
            let reference = || RecordRef {
                index: row.index,
                id: row.id.clone(),
                name: row.name.clone(),
                group: group.clone(),
                problems: row.problems.clone(),
            };
            match row.status {
                Status::Scored => {
                    let t = row.total.map_or(0.0, Points::as_f64);
                    sum += t;
                    *group_sum += t;
                    totals.push(t);
                    for (i, (criterion, points)) in criteria.iter().zip(&row.criteria).enumerate() {
                        let gap = criterion.points.as_f64() - points.as_f64();
                        if gap > 0.0 {
                            lost[i] += gap;
                            losing[i] += 1;
                        }
                    }
                    for gate in &row.gates {
                        *gate_counts.entry(gate.as_str()).or_default() += 1;
                    }
                    for band in &row.unmet {
                        *unmet_counts.entry(band.as_str()).or_default() += 1;
                    }
                }
                Status::NotApplicable => not_applicable.push(reference()),
                Status::Error => errors.push(reference()),
            }
        }
        total.finish(sum);
        // By name, records without a group last.
        let mut groups: Vec<Counts> = groups
            .into_values()
            .map(|(mut c, s)| {
                c.finish(s);
                c
            })
            .collect();
        groups.sort_by_key(|c| c.name == NO_GROUP);

        let scored = total.scored;
        let mut weakest: Vec<CriterionLoss> = criteria
            .iter()
            .enumerate()
            .map(|(i, c)| CriterionLoss {
                id: c.id.clone(),
                label: c.label.clone(),
                group: c.group.clone(),
                max: c.points,
                lost: round2(lost[i]),
                lost_share: if scored > 0 && c.points.as_f64() > 0.0 {
                    round4(lost[i] / (c.points.as_f64() * scored as f64))
                } else {
                    0.0
                },
                records_losing: losing[i],
            })
            .collect();
        // Most points lost first; ties in the pack's order (a stable sort).
        weakest.sort_by(|a, b| b.lost.total_cmp(&a.lost));

        let mut gates: Vec<GateCount> = pack
            .gates()
            .iter()
            .filter_map(|g| {
                let count = *gate_counts.get(g.id.as_str())?;
                Some(GateCount {
                    id: g.id.clone(),
                    label: g.label.clone(),
                    cap: pack
                        .bands()
                        .iter()
                        .find(|b| b.code == g.cap)
                        .map_or(g.cap.clone(), |b| b.label.clone()),
                    count,
                })
            })
            .collect();
        gates.sort_by_key(|g| std::cmp::Reverse(g.count));
        let mut unmet: Vec<UnmetCount> = pack
            .bands()
            .iter()
            .filter_map(|b| {
                let count = *unmet_counts.get(b.code.as_str())?;
                Some(UnmetCount {
                    band: b.code.clone(),
                    label: b.label.clone(),
                    condition: b.condition.clone(),
                    count,
                })
            })
            .collect();
        unmet.sort_by_key(|u| std::cmp::Reverse(u.count));

        let totals_stats = distribution(&mut totals, pack.max_points().as_f64());

        let mut ranked: Vec<&RecordRow> = self
            .rows
            .iter()
            .filter(|r| r.status == Status::Scored)
            .collect();
        // Best total first; equal totals in input order.
        ranked.sort_by(|a, b| b.total.cmp(&a.total).then(a.index.cmp(&b.index)));
        let mut ranking: Vec<Ranked> = Vec::with_capacity(ranked.len());
        for (place, row) in ranked.iter().enumerate() {
            let rank = match ranking.last() {
                Some(prev) if Some(prev.total) == row.total => prev.rank,
                _ => place + 1,
            };
            ranking.push(Ranked {
                rank,
                index: row.index,
                id: row.id.clone(),
                name: row.name.clone(),
                group: group_of(row),
                total: row.total.unwrap_or_default(),
                class_label: row.class_label.clone().unwrap_or_default(),
            });
        }

        let submissions = self.submissions(&group_of);

        Report {
            pack: pack.pack_ref().clone(),
            pack_title: pack.title().to_string(),
            period: self.period,
            by: self.by,
            by_label: self.by.label().to_string(),
            classes,
            max_points: pack.max_points(),
            total,
            groups,
            totals: totals_stats,
            weakest,
            gates,
            unmet,
            errors,
            not_applicable,
            ranking,
            deadline: self.deadline.clone(),
            submissions,
            criteria: criteria
                .iter()
                .map(|c| CriterionInfo {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    max: c.points,
                })
                .collect(),
            records: self.rows,
        }
    }

    /// Submission dates against the deadline: only when the pack carries the
    /// field or some record gave a date, and there is a deadline.
    fn submissions(&self, group_of: &dyn Fn(&RecordRow) -> String) -> Option<Submissions> {
        let deadline = self.deadline.as_ref()?;
        let any_dated = self.rows.iter().any(|r| r.submitted.is_some());
        if !self.carries_submitted && !any_dated {
            return None;
        }
        let mut on_time = 0;
        let mut undated = 0;
        let mut late = Vec::new();
        let mut late_groups: BTreeMap<String, usize> = BTreeMap::new();
        for row in &self.rows {
            match row.submitted {
                None => undated += 1,
                // Due "before" the date (trước ngày 05/11): the due day itself is late.
                Some(date) if date >= deadline.due => {
                    let group = group_of(row);
                    *late_groups.entry(group.clone()).or_default() += 1;
                    late.push(LateRecord {
                        record: RecordRef {
                            index: row.index,
                            id: row.id.clone(),
                            name: row.name.clone(),
                            group,
                            problems: String::new(),
                        },
                        submitted: date,
                        days_late: (date - deadline.due).num_days() + 1,
                    });
                }
                Some(_) => on_time += 1,
            }
        }
        Some(Submissions {
            field: SUBMITTED_FIELD.to_string(),
            on_time,
            late,
            late_groups: late_groups.into_iter().collect(),
            undated,
        })
    }
}

/// Mean, median, range and histogram of `totals` on a scale of `max` points.
fn distribution(totals: &mut [f64], max: f64) -> Totals {
    totals.sort_by(f64::total_cmp);
    let n = totals.len();
    let width = if max > 0.0 {
        max / HISTOGRAM_BINS as f64
    } else {
        1.0
    };
    let mut histogram: Vec<Bin> = (0..HISTOGRAM_BINS)
        .map(|i| Bin {
            from: round2(i as f64 * width),
            to: round2((i + 1) as f64 * width),
            count: 0,
        })
        .collect();
    for &t in totals.iter() {
        let i = ((t / width).floor().max(0.0) as usize).min(HISTOGRAM_BINS - 1);
        histogram[i].count += 1;
    }
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(totals[n / 2]),
        _ => Some(round2((totals[n / 2 - 1] + totals[n / 2]) / 2.0)),
    };
    Totals {
        mean: (n > 0).then(|| round2(totals.iter().sum::<f64>() / n as f64)),
        median,
        min: totals.first().copied(),
        max: totals.last().copied(),
        histogram,
    }
}

impl Report {
    /// Builds the report of `results` at once.
    pub fn build<'a>(
        pack: &Pack,
        period: Period,
        options: &ReportOptions,
        results: impl IntoIterator<Item = &'a ScoreResult>,
    ) -> Result<Report, crate::Error> {
        let mut builder = ReportBuilder::new(pack, period, options)?;
        builder.extend(results);
        Ok(builder.finish())
    }

    /// The report as pretty JSON, for other software.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serializes")
    }

    /// The report as Vietnamese text for a terminal.
    pub fn to_text(&self) -> String {
        text::report(self)
    }

    /// The report as one self-contained HTML page (no network), charts in SVG.
    pub fn to_html(&self) -> String {
        html::report(self)
    }

    /// The report as an XLSX workbook.
    #[cfg(feature = "xlsx-write")]
    pub fn to_xlsx(&self) -> Result<Vec<u8>, crate::Error> {
        xlsx::report(self)
    }
}
