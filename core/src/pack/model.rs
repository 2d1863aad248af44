//! What a loaded pack is: the public [`Pack`] and the parts it declares
//! ([`Group`], [`Criterion`], [`Band`], [`Gate`]), with the compiled rules
//! scoring calls.

use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Dynamic, Engine, AST};

use super::layout::Layout;
use super::{source, Deadline, PackLoader};
use crate::error::{Error, Location};
use crate::fields::FieldSpec;
use crate::script::Limits;
use crate::{Period, Points};

/// A group of criteria (`1` … `6`), with its maximum (the sum of its criteria).
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Group {
    /// Its id.
    pub id: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The sum of its criteria's points.
    pub max: Points,
}

/// One criterion: its id, group, label, maximum points and rule.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Criterion {
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
    #[serde(skip)]
    pub(crate) rule: Rule,
    #[serde(skip)]
    pub(crate) group_index: usize,
}

/// A classification band: a class and the lowest total that earns it.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Band {
    /// The class code (`tot`).
    pub code: String,
    /// Its Vietnamese label (`Tốt`).
    pub label: String,
    /// The lowest total that reaches it.
    pub min: Points,
    /// Whether it has a condition besides the minimum (`requires`): a record
    /// that reaches the minimum but not the condition falls to the next band.
    pub has_condition: bool,
    /// The condition in words (`condition: "…"`), for reasons and reports.
    pub condition: Option<String>,
    /// Where it is declared.
    pub location: Location,
    #[serde(skip)]
    pub(crate) requires: Option<Rule>,
}

/// A gate: a condition that, when true, caps the class.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Gate {
    /// Its id (`G1`).
    pub id: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The best class a record may have when the gate fires.
    pub cap: String,
    /// Where its condition is declared.
    pub location: Location,
    #[serde(skip)]
    pub(crate) rule: Rule,
    #[serde(skip)]
    pub(crate) cap_index: usize,
}

/// A compiled rule: the script function to call and its captured values.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub fn_name: rhai::ImmutableString,
    /// Values captured or curried at load, frozen: nothing shared, so each
    /// call works on its own copy and no state passes between calls.
    pub curry: Vec<Dynamic>,
    /// Parameters after the curried ones (1 = `|r|`, 2 = `|r, p|`, 3 = `|r, p, s|`).
    pub arity: usize,
    pub location: Location,
    pub context: String,
    /// A criterion's rule awards up to this many points; applicability and
    /// gates (`None`) answer true or false.
    pub award_max: Option<Points>,
}

#[derive(Debug)]
pub(crate) struct PackInner {
    pub id: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub in_force_from: Option<NaiveDate>,
    pub in_force_until: Option<NaiveDate>,
    pub max_points: Points,
    pub extends: Vec<String>,
    pub sources: Vec<String>,
    pub fingerprint: String,
    pub fields: Vec<FieldSpec>,
    pub field_index: HashMap<String, usize>,
    pub field_keys: Vec<rhai::Identifier>,
    pub groups: Vec<Group>,
    pub criteria: Vec<Criterion>,
    pub bands: Vec<Band>,
    pub gates: Vec<Gate>,
    pub applies: Option<Rule>,
    pub calendar: Vec<Deadline>,
    pub examples: Option<(String, String)>,
    pub layout: Arc<Layout>,
    pub engine: Engine,
    pub ast: AST,
    pub limits: Limits,
}

impl PackInner {
    /// Where a record's keys go, for the readers of records.
    pub(crate) fn field_names(&self) -> crate::score::FieldNames<'_> {
        crate::score::FieldNames {
            order: &self.fields,
            index: &self.field_index,
        }
    }
}

/// A loaded, compiled rule pack. Immutable, `Send + Sync`, cheap to clone.
///
/// ```
/// let pack = chamdiem::Pack::load("tay-ninh.enterprise").unwrap();
/// assert_eq!(pack.extends(), ["vn.enterprise"]);
/// assert_eq!(pack.criterion("2.1").unwrap().points.to_string(), "12");
/// ```
#[derive(Clone, Debug)]
pub struct Pack {
    pub(crate) inner: Arc<PackInner>,
}

impl Pack {
    /// Loads a built-in pack by id, or else a pack from a path, with the
    /// default limits. See [`PackLoader`] to choose the limits.
    pub fn load(id_or_path: &str) -> Result<Pack, Error> {
        PackLoader::new().load(id_or_path)
    }

    /// Loads a pack from its source text (it may extend built-in packs).
    pub fn from_source(name: &str, text: &str) -> Result<Pack, Error> {
        PackLoader::new().load_source(name, text)
    }

    /// Loads a pack from files held in memory, with the default limits; see
    /// [`PackLoader::load_sources`].
    pub fn from_sources<N, T>(
        sources: impl IntoIterator<Item = (N, T)>,
        entry: &str,
    ) -> Result<Pack, Error>
    where
        N: Into<String>,
        T: Into<String>,
    {
        PackLoader::new().load_sources(sources, entry)
    }

    /// The ids of the packs built into this library.
    pub fn built_in_ids() -> Vec<&'static str> {
        source::built_in_ids()
    }

    /// Every file of the built-in pack `id` (`pack.rhai`, `examples.jsonl`,
    /// …), by path relative to its folder: to show or edit a built-in pack,
    /// then load the edited copy with [`Pack::from_sources`] (entry
    /// `pack.rhai`). `None` if there is no such built-in pack.
    ///
    /// ```
    /// let mut sources = chamdiem::Pack::built_in_sources("vn.enterprise").unwrap();
    /// assert!(sources["pack.rhai"].contains("criterion("));
    /// let text = sources["pack.rhai"].replace("version: \"", "version: \"edited-");
    /// sources.insert("pack.rhai".into(), text);
    /// let pack = chamdiem::Pack::from_sources(sources, "pack.rhai")?;
    /// assert!(pack.version().starts_with("edited-"));
    /// assert_eq!(pack.examples_source().unwrap().0, "examples.jsonl");
    /// # Ok::<(), chamdiem::Error>(())
    /// ```
    pub fn built_in_sources(id: &str) -> Option<BTreeMap<String, String>> {
        source::built_in_sources(id)
    }

    /// The pack's id (`vn.enterprise`).
    pub fn id(&self) -> &str {
        &self.inner.id
    }
    /// Its title, in Vietnamese.
    pub fn title(&self) -> &str {
        &self.inner.title
    }
    /// Its version.
    pub fn version(&self) -> &str {
        &self.inner.version
    }
    /// Its description, if any.
    pub fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// The first and last days it is in force (`None`: open-ended).
    pub fn in_force(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (self.inner.in_force_from, self.inner.in_force_until)
    }
    /// Whether the pack is in force on at least one day of `period`.
    pub fn is_in_force(&self, period: &Period) -> bool {
        period.overlaps(self.inner.in_force_from, self.inner.in_force_until)
    }
    /// The highest total a record can score.
    pub fn max_points(&self) -> Points {
        self.inner.max_points
    }
    /// The ids of the packs it extends, nearest first.
    pub fn extends(&self) -> &[String] {
        &self.inner.extends
    }
    /// The names of every source file it was built from, top pack first's ancestors first.
    pub fn sources(&self) -> &[String] {
        &self.inner.sources
    }
    /// SHA-256 of the exact sources of the pack and everything it extends or imports.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }
    /// The declared input fields.
    pub fn fields(&self) -> &[FieldSpec] {
        &self.inner.fields
    }
    /// The groups of criteria.
    pub fn groups(&self) -> &[Group] {
        &self.inner.groups
    }
    /// The criteria, in order.
    pub fn criteria(&self) -> &[Criterion] {
        &self.inner.criteria
    }
    /// One criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.inner.criteria.iter().find(|c| c.id == id)
    }
    /// The classification bands, best first.
    pub fn bands(&self) -> &[Band] {
        &self.inner.bands
    }
    /// Whether the pack has an applicability rule (`applies`).
    pub fn has_applicability(&self) -> bool {
        self.inner.applies.is_some()
    }
    /// The gates.
    pub fn gates(&self) -> &[Gate] {
        &self.inner.gates
    }
    /// The reporting calendar.
    pub fn calendar(&self) -> &[Deadline] {
        &self.inner.calendar
    }
    /// The limits its scripts run under.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }
    /// The pack's own examples file (`examples.jsonl`), if it has one: `(name, text)`.
    pub fn examples_source(&self) -> Option<(&str, &str)> {
        self.inner
            .examples
            .as_ref()
            .map(|(n, t)| (n.as_str(), t.as_str()))
    }
    /// A short description of what the pack refers to, for results.
    pub fn pack_ref(&self) -> &crate::PackRef {
        &self.inner.layout.pack
    }

    /// Fails with [`Error::NotInForce`] when the pack does not apply to `period`.
    pub fn ensure_in_force(&self, period: &Period) -> Result<(), Error> {
        if self.is_in_force(period) {
            return Ok(());
        }
        let show = |d: Option<NaiveDate>| d.map_or("…".to_string(), |d| d.to_string());
        Err(Error::NotInForce {
            pack: self.id().into(),
            in_force: format!(
                "từ {} đến {}",
                show(self.inner.in_force_from),
                show(self.inner.in_force_until)
            ),
            period: period.to_string(),
        })
    }
}
