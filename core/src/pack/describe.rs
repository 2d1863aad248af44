//! What `chamdiem check` knows about a pack, as plain data: the one
//! description that the command's text report, its `--json` output, the
//! Python `schema()`/`info()` and the web page's form all render.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::{Deadline, Group, Pack};
use crate::error::Location;
use crate::script::Limits;
use crate::Points;

/// Everything a loaded pack declares, for people and forms
/// ([`Pack::describe`]). It serializes to JSON as `chamdiem check --json`
/// prints it; dates as `YYYY-MM-DD`, points as numbers.
///
/// ```
/// let pack = chamdiem::Pack::load("tay-ninh.enterprise")?;
/// let description = pack.describe();
/// assert_eq!(description.extends, ["vn.enterprise"]);
/// let employees = description.fields.iter().find(|f| f.name == "employees").unwrap();
/// assert_eq!(employees.ty, "int");
/// let json = serde_json::to_value(&description).unwrap();
/// assert_eq!(json["max_points"], 100);
/// # Ok::<(), chamdiem::Error>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct PackDescription {
    /// The pack's id (`vn.enterprise`).
    pub id: String,
    /// Its title, in Vietnamese.
    pub title: String,
    /// Its version.
    pub version: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// The ids of the packs it extends, nearest first.
    pub extends: Vec<String>,
    /// The names of the source files it was built from.
    pub sources: Vec<String>,
    /// SHA-256 of those sources, as in every result.
    pub fingerprint: String,
    /// The first day it is in force (`None`: since always).
    #[serde(serialize_with = "date")]
    pub in_force_from: Option<NaiveDate>,
    /// The last day it is in force (`None`: open-ended).
    #[serde(serialize_with = "date")]
    pub in_force_until: Option<NaiveDate>,
    /// The highest total a record can score.
    pub max_points: Points,
    /// The input fields a record has, in declaration order.
    pub fields: Vec<FieldDescription>,
    /// The groups of criteria, in order, with their maximum.
    pub groups: Vec<Group>,
    /// The criteria, in order (grouped).
    pub criteria: Vec<CriterionDescription>,
    /// The classification bands, best first.
    pub bands: Vec<BandDescription>,
    /// The gates that cap the class.
    pub gates: Vec<GateDescription>,
    /// Whether the pack has an applicability rule (`applies(…)`): records it
    /// rejects get status `not_applicable`.
    pub has_applicability: bool,
    /// The reporting calendar.
    pub calendar: Vec<Deadline>,
    /// The name of the pack's examples file, if it has one.
    pub examples: Option<String>,
    /// The limits its scripts run under.
    pub limits: Limits,
}

/// One input field, for forms ([`PackDescription::fields`]).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct FieldDescription {
    /// The key in the record (`employees`).
    pub name: String,
    /// A label for people, in Vietnamese (`Số người lao động`).
    pub label: String,
    /// Its type: `bool`, `int`, `number`, `string`, `date` or `list<…>`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Must the key be present?
    pub required: bool,
    /// May the value be null?
    pub nullable: bool,
    /// Smallest allowed value (numbers).
    pub min: Option<f64>,
    /// Largest allowed value (numbers).
    pub max: Option<f64>,
    /// The allowed values (strings).
    pub values: Option<Vec<String>>,
    /// Another field whose value this one may not exceed.
    pub at_most: Option<String>,
    /// A longer explanation.
    pub description: Option<String>,
    /// Is the value copied into every result, after `id` (`carry: true`)?
    pub carry: bool,
}

/// One criterion ([`PackDescription::criteria`]).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct CriterionDescription {
    /// Its id (`2.1`).
    pub id: String,
    /// The id of its group.
    pub group: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The points it is worth at most.
    pub points: Points,
    /// Where its rule is declared.
    pub location: Location,
}

/// One classification band ([`PackDescription::bands`]).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct BandDescription {
    /// The class code (`tot`).
    pub code: String,
    /// Its Vietnamese label (`Tốt`).
    pub label: String,
    /// The lowest total that reaches it.
    pub min: Points,
    /// Whether the record must also meet a condition to reach it
    /// (`band(…, #{ requires: |r, p, s| … })`); else it falls to the next band.
    pub has_condition: bool,
    /// That condition in words (`condition: "…"`), if the pack gives them.
    pub condition: Option<String>,
}

/// One gate ([`PackDescription::gates`]).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct GateDescription {
    /// Its id (`G1`).
    pub id: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The code of the best band a record may have when the gate fires.
    pub cap: String,
    /// Where its condition is declared.
    pub location: Location,
}

fn date<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(date),
        None => serializer.serialize_none(),
    }
}

impl Pack {
    /// Describes the pack as data: its identity, fields, groups, criteria,
    /// bands, gates, calendar and limits.
    pub fn describe(&self) -> PackDescription {
        let (in_force_from, in_force_until) = self.in_force();
        PackDescription {
            id: self.id().into(),
            title: self.title().into(),
            version: self.version().into(),
            description: self.description().map(Into::into),
            extends: self.extends().to_vec(),
            sources: self.sources().to_vec(),
            fingerprint: self.fingerprint().into(),
            in_force_from,
            in_force_until,
            max_points: self.max_points(),
            fields: self
                .fields()
                .iter()
                .map(|f| FieldDescription {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    ty: f.ty.to_string(),
                    required: f.required,
                    nullable: f.nullable,
                    min: f.min,
                    max: f.max,
                    values: f.values.clone(),
                    at_most: f.at_most.clone(),
                    description: f.description.clone(),
                    carry: f.carry && f.name != "id",
                })
                .collect(),
            groups: self.groups().to_vec(),
            criteria: self
                .criteria()
                .iter()
                .map(|c| CriterionDescription {
                    id: c.id.clone(),
                    group: c.group.clone(),
                    label: c.label.clone(),
                    points: c.points,
                    location: c.location.clone(),
                })
                .collect(),
            bands: self
                .bands()
                .iter()
                .map(|b| BandDescription {
                    code: b.code.clone(),
                    label: b.label.clone(),
                    min: b.min,
                    has_condition: b.has_condition,
                    condition: b.condition.clone(),
                })
                .collect(),
            gates: self
                .gates()
                .iter()
                .map(|g| GateDescription {
                    id: g.id.clone(),
                    label: g.label.clone(),
                    cap: g.cap.clone(),
                    location: g.location.clone(),
                })
                .collect(),
            has_applicability: self.inner.applies.is_some(),
            calendar: self.calendar().to_vec(),
            examples: self.examples_source().map(|(name, _)| name.to_string()),
            limits: self.limits().clone(),
        }
    }
}
