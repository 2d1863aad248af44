//! # chamdiem
//!
//! Scores and classifies how well employers carry out grassroots democracy
//! at the workplace (*dân chủ ở cơ sở*), for Vietnam's labour unions.
//!
//! The rules live in **packs** written in [Rhai](https://rhai.rs): a pack
//! declares its input fields, criteria (points and a rule each), groups,
//! classification bands and gates, and may `extends` another pack to change
//! only what differs. Packs are untrusted: they run under [`Limits`], see no
//! files, clock or network, and every failure is a typed [`Error`] naming the
//! file, line and problem.
//!
//! ```
//! use chamdiem::{Pack, Period, Scorer, Status};
//! use serde_json::json;
//!
//! // A built-in pack by id (or a folder / `.rhai` file on disk by path).
//! let pack = Pack::load("vn.enterprise")?;
//! let period: Period = "2024".parse()?;
//! let mut scorer = Scorer::new(&pack, period)?;
//!
//! let record = json!({
//!     "id": "3900123456", "name": "Công ty TNHH May mặc Phước Đông",
//!     "ownership": "private", "has_union": true, "employees": 420,
//!     "regulation_issued": true, "regulation_union_consulted": true, "regulation_published": true,
//!     "dialogue_employee_reps": 14, "periodic_dialogue_dates": ["2024-06-15", "2024-12-31"],
//!     "dialogue_minutes_published": true, "dialogue_requests": 8, "dialogue_requests_answered": 1,
//!     "workers_conference_date": "2024-01-01", "union_coorganised_conference": true,
//!     "disclosed_business": true, "disclosed_rules_pay_norms": true,
//!     "disclosed_collective_agreement": false, "disclosed_funds": true,
//!     "disclosed_contributions": true, "disclosed_rewards_discipline": true,
//!     "consulted_internal_rules": true, "consulted_pay_norms": true, "consulted_conditions": false,
//!     "supervised_contracts": true, "supervised_internal_rules": true, "supervised_funds": true,
//!     "supervised_contributions": true, "supervised_rewards_discipline": true,
//!     "collective_agreement_in_force": false,
//!     "strikes": 0, "collective_disputes": 0, "democracy_fines": 0
//! });
//! let result = scorer.score(&record)?;
//! assert_eq!(result.status(), Status::Scored);
//! assert_eq!(result.criterion("2.4").unwrap().to_string(), "0.63"); // 5 × 1/8
//! assert_eq!(result.total().unwrap().to_string(), "89.63");
//! assert_eq!(result.class_label(), Some("Tốt"));
//! assert_eq!(result.reasons().find(|(id, _)| *id == "5.3").unwrap().1,
//!            "Chưa có thỏa ước lao động tập thể có hiệu lực");
//! assert_eq!(result.pack().fingerprint, pack.fingerprint());
//!
//! // A bad record is a result with every problem named, not an `Err`.
//! let bad = scorer.score(&json!({ "id": "X1", "ownership": "private", "has_union": true,
//!                                 "employees": "nhiều" }))?;
//! assert_eq!(bad.status(), Status::Error);
//! assert_eq!(bad.errors()[0].field.as_deref(), Some("employees"));
//! assert!(bad.errors().len() > 20);
//! # Ok::<(), chamdiem::Error>(())
//! ```
//!
//! To score many records in parallel and in order, use [`Batch`]; to read
//! JSON Lines, JSON arrays or CSV in bounded memory, use [`read_records`].
//!
//! Without a file system (a browser, a database, an editor), load a pack
//! from its files held in memory with [`Pack::from_sources`]. To show what a
//! pack declares (a form, a schema), use [`Pack::describe`]. Every [`Error`]
//! has a stable [`code`](Error::code) for programs to match.

#![warn(missing_docs)]

mod alloc;
mod batch;
mod columns;
mod error;
mod fields;
mod input;
mod output;
mod pack;
mod period;
mod points;
pub mod report;
mod result;
mod score;
mod script;
pub mod selftest;
mod sensitivity;
mod workbook;

pub use alloc::CountingAllocator;
pub use batch::{Batch, CHUNK};
pub use error::{Error, Limit, Location, PackProblem};
pub use fields::{coerce_text, FieldError, FieldSpec, FieldType, Value};
pub use input::{
    describe_io_error, read_numbered_records, read_numbered_records_with, read_records,
    read_records_with, InputFormat, NumberedRecords, Position, ReadOptions, RecordInput, Records,
};
pub use output::{
    csv_header, csv_header_in, escape_controls, field_with_label, neutralise_formula, status_label,
    table_heading, CsvStyle, Summary, SummaryEntry,
};
pub use pack::{
    Band, BandDescription, Criterion, CriterionDescription, Deadline, FieldDescription, Gate,
    GateDescription, Group, Pack, PackDescription, PackLoader,
};
pub use period::{parse_date, Period, DATE_FORMS};
pub use points::Points;
pub use result::{JsonBatch, PackRef, ScoreResult, Status};
pub use score::Scorer;
pub use script::{Limits, SCRIPT_STACK_SIZE};
pub use sensitivity::{
    ClassRef, CriterionInfluence, Perturbation, RecordStability, Sensitivity, SensitivityOptions,
    Table,
};
#[cfg(feature = "xlsx-write")]
pub use workbook::write_template;
pub use workbook::{
    read_workbook, read_workbook_file, WorkbookFormat, WorkbookOptions, WorkbookRecords,
};
/// The layout of the input workbook [`write_template`] writes.
pub mod template {
    pub use crate::workbook::{DATA_SHEET, KEYS_ROW, LABELS_ROW, NOTES_SHEET};
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn pack_is_send_and_sync() {
        assert_send_sync::<crate::Pack>();
        assert_send_sync::<crate::Batch>();
        assert_send::<crate::Scorer>();
    }
}
