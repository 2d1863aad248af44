//! What a change of rules does: the same records scored with an old and a
//! new pack, compared record by record.

use serde::Serialize;

use crate::{Batch, Pack, PackRef, Period, Points, RecordInput, ScoreResult, Status};

use super::ClassInfo;

/// The pseudo-class of a record outside the pack's scope.
pub const NOT_APPLICABLE_CODE: &str = "not_applicable";
/// The pseudo-class of a record in error.
pub const ERROR_CODE: &str = "error";

/// The rows or columns of the transition matrix: the pack's classes, then
/// "not applicable" and "error", so a record that stops being scored shows too.
fn outcomes(pack: &Pack) -> Vec<ClassInfo> {
    pack.bands()
        .iter()
        .map(|b| ClassInfo {
            code: b.code.clone(),
            label: b.label.clone(),
        })
        .chain([
            ClassInfo {
                code: NOT_APPLICABLE_CODE.into(),
                label: "Không thuộc đối tượng".into(),
            },
            ClassInfo {
                code: ERROR_CODE.into(),
                label: "Lỗi".into(),
            },
        ])
        .collect()
}

fn outcome_code(result: &ScoreResult) -> &str {
    match result.status() {
        Status::Scored => result.class().unwrap_or(ERROR_CODE),
        Status::NotApplicable => NOT_APPLICABLE_CODE,
        Status::Error => ERROR_CODE,
    }
}

/// A criterion whose points differ between the two packs.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionChange {
    /// Its id.
    pub id: String,
    /// Its label (the new pack's, else the old one's).
    pub label: String,
    /// Points under the old pack (`None`: the criterion is not in it).
    pub old: Option<Points>,
    /// Points under the new pack (`None`: the criterion is not in it).
    pub new: Option<Points>,
}

/// A class as one side of a change: code and label.
#[derive(Clone, Debug, Serialize)]
pub struct ClassChange {
    /// The class code, or `not_applicable` / `error`.
    pub code: String,
    /// Its Vietnamese label.
    pub label: String,
}

/// A record whose class changed.
#[derive(Clone, Debug, Serialize)]
pub struct MovedRecord {
    /// Its place in the input, from 1.
    pub index: usize,
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its unit.
    pub unit: Option<String>,
    /// Its total under the old pack.
    pub old_total: Option<Points>,
    /// Its total under the new pack.
    pub new_total: Option<Points>,
    /// Its class under the old pack.
    pub old_class: ClassChange,
    /// Its class under the new pack.
    pub new_class: ClassChange,
    /// The criteria whose points changed, in the new pack's order.
    pub criteria: Vec<CriterionChange>,
}

/// The impact of replacing one pack by another on the same records.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// The pack in force.
    pub old_pack: PackRef,
    /// The pack proposed.
    pub new_pack: PackRef,
    /// The evaluation period.
    pub period: Period,
    /// Records compared.
    pub records: usize,
    /// Records whose class (or status) changed.
    pub changed_class: usize,
    /// Records whose total changed, whether or not their class did.
    pub changed_total: usize,
    /// The matrix's rows: the old pack's classes, then not applicable, error.
    pub old_classes: Vec<ClassInfo>,
    /// The matrix's columns: the new pack's classes, then not applicable, error.
    pub new_classes: Vec<ClassInfo>,
    /// `matrix[row][column]`: records in old class `row` and new class `column`.
    pub matrix: Vec<Vec<usize>>,
    /// Every record whose class changed, in input order.
    pub moved: Vec<MovedRecord>,
}

impl Diff {
    /// Scores `inputs` with both packs and compares the results.
    pub fn run(
        old_pack: &Pack,
        new_pack: &Pack,
        period: Period,
        inputs: &[RecordInput],
    ) -> Result<Diff, crate::Error> {
        let old = Batch::new(old_pack, period)?.score(inputs);
        let new = Batch::new(new_pack, period)?.score(inputs);
        Ok(Diff::compare(old_pack, new_pack, period, &old, &new))
    }

    /// Compares results of the same records, in the same order, under two packs.
    ///
    /// # Panics
    /// When the two slices differ in length: they must be the same records.
    pub fn compare(
        old_pack: &Pack,
        new_pack: &Pack,
        period: Period,
        old: &[ScoreResult],
        new: &[ScoreResult],
    ) -> Diff {
        assert_eq!(old.len(), new.len(), "the same records under both packs");
        let old_classes = outcomes(old_pack);
        let new_classes = outcomes(new_pack);
        let mut matrix = vec![vec![0; new_classes.len()]; old_classes.len()];
        let position = |classes: &[ClassInfo], code: &str| {
            classes
                .iter()
                .position(|c| c.code == code)
                .unwrap_or(classes.len() - 1)
        };
        let mut moved = Vec::new();
        let mut changed_total = 0;
        for (i, (o, n)) in old.iter().zip(new).enumerate() {
            let row = position(&old_classes, outcome_code(o));
            let column = position(&new_classes, outcome_code(n));
            matrix[row][column] += 1;
            if o.total() != n.total() {
                changed_total += 1;
            }
            let same_class = old_classes[row].code == new_classes[column].code
                && old_classes[row].label == new_classes[column].label;
            if same_class {
                continue;
            }
            moved.push(MovedRecord {
                index: i + 1,
                id: n.id().or(o.id()).map(str::to_string),
                name: n
                    .name()
                    .or(o.name())
                    .map(str::to_string)
                    .or_else(|| super::carried_text(n, "name")),
                unit: super::carried_text(n, "unit"),
                old_total: o.total(),
                new_total: n.total(),
                old_class: ClassChange {
                    code: old_classes[row].code.clone(),
                    label: old_classes[row].label.clone(),
                },
                new_class: ClassChange {
                    code: new_classes[column].code.clone(),
                    label: new_classes[column].label.clone(),
                },
                criteria: criterion_changes(old_pack, new_pack, o, n),
            });
        }
        Diff {
            old_pack: old_pack.pack_ref().clone(),
            new_pack: new_pack.pack_ref().clone(),
            period,
            records: old.len(),
            changed_class: moved.len(),
            changed_total,
            old_classes,
            new_classes,
            matrix,
            moved,
        }
    }

    /// The diff as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a diff serializes")
    }

    /// The moved records as CSV, one row per record, Vietnamese headings.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(super::format::DIFF_HEADINGS);
        for m in &self.moved {
            let _ = writer.write_record(super::format::moved_cells(m));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).expect("CSV of UTF-8 text")
    }

    /// The diff as Vietnamese text for a terminal.
    pub fn to_text(&self) -> String {
        super::text::diff(self)
    }

    /// The diff as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        super::html::diff(self)
    }

    /// The diff as an XLSX workbook.
    #[cfg(feature = "xlsx-write")]
    pub fn to_xlsx(&self) -> Result<Vec<u8>, crate::Error> {
        super::xlsx::diff(self)
    }
}

/// Criteria whose points differ (scored on at least one side); a side that
/// was not scored counts as no points for every criterion.
fn criterion_changes(
    old_pack: &Pack,
    new_pack: &Pack,
    old: &ScoreResult,
    new: &ScoreResult,
) -> Vec<CriterionChange> {
    let scored = |r: &ScoreResult| r.status() == Status::Scored;
    if !scored(old) && !scored(new) {
        return Vec::new();
    }
    let points = |r: &ScoreResult, pack: &Pack, id: &str| {
        pack.criterion(id)?;
        Some(if scored(r) {
            r.criterion(id).unwrap_or_default()
        } else {
            Points::default()
        })
    };
    let mut ids: Vec<(&str, &str)> = new_pack
        .criteria()
        .iter()
        .map(|c| (c.id.as_str(), c.label.as_str()))
        .collect();
    for c in old_pack.criteria() {
        if new_pack.criterion(&c.id).is_none() {
            ids.push((c.id.as_str(), c.label.as_str()));
        }
    }
    ids.into_iter()
        .filter_map(|(id, label)| {
            let (o, n) = (points(old, old_pack, id), points(new, new_pack, id));
            (o != n).then(|| CriterionChange {
                id: id.to_string(),
                label: label.to_string(),
                old: o,
                new: n,
            })
        })
        .collect()
}
