//! From declared rules to compiled ones: each rule's function found in the
//! pack's script with the right number of parameters, its captured values
//! frozen, and the criteria, bands and gates that hold them.

use hashbrown::HashMap;
use rhai::{Dynamic, AST};

use super::builder::{Draft, RuleDraft};
use super::{Band, Criterion, Gate, Group, Rule};
use crate::error::{Error, PackProblem};
use crate::script::analysis;
use crate::Points;

/// Compiles rules against the pack's merged script and declared fields.
pub(super) struct RuleCompiler<'a> {
    pub ast: &'a AST,
    pub field_index: &'a HashMap<String, usize>,
}

impl RuleCompiler<'_> {
    /// The groups, with their maximum, and the criteria in group order.
    pub fn criteria(&self, draft: &Draft) -> Result<(Vec<Group>, Vec<Criterion>), Error> {
        let mut groups: Vec<Group> = draft
            .groups
            .iter()
            .map(|g| Group {
                id: g.id.clone(),
                label: g.label.clone(),
                max: Points::ZERO,
            })
            .collect();
        let mut criteria = Vec::new();
        for c in &draft.criteria {
            let group_index = groups.iter().position(|g| g.id == c.group).ok_or_else(|| {
                Error::invalid_as(
                    PackProblem::UnknownId,
                    c.rule.location.clone(),
                    format!(
                        "tiêu chí {}: nhóm '{}' chưa được khai báo bằng group(…)",
                        c.id, c.group
                    ),
                )
            })?;
            groups[group_index].max = groups[group_index].max + c.points;
            let mut rule = self.rule(&c.rule, 2, format!("tiêu chí {}", c.id))?;
            rule.award_max = Some(c.points);
            criteria.push(Criterion {
                id: c.id.clone(),
                group: c.group.clone(),
                label: c.label.clone(),
                points: c.points,
                location: c.rule.location.clone(),
                rule,
                group_index,
            });
        }
        // A criterion added by a child pack goes with its group, not at the end.
        criteria.sort_by_key(|c: &Criterion| c.group_index);
        Ok((groups, criteria))
    }

    /// The bands, with their conditions (`requires`).
    pub fn bands(&self, draft: &Draft) -> Result<Vec<Band>, Error> {
        let mut bands = Vec::new();
        for b in &draft.bands {
            let requires = b
                .requires
                .as_ref()
                .map(|r| self.rule(r, 3, format!("điều kiện của mức {}", b.code)))
                .transpose()?;
            bands.push(Band {
                code: b.code.clone(),
                label: b.label.clone(),
                min: b.min,
                has_condition: requires.is_some(),
                condition: b.condition.clone(),
                location: b.location.clone(),
                requires,
            });
        }
        Ok(bands)
    }

    /// The gates, each capping at one of `bands`.
    pub fn gates(&self, draft: &Draft, bands: &[Band]) -> Result<Vec<Gate>, Error> {
        let mut gates = Vec::new();
        for g in &draft.gates {
            let cap_index = bands.iter().position(|b| b.code == g.cap).ok_or_else(|| {
                let codes: Vec<&str> = bands.iter().map(|b| b.code.as_str()).collect();
                Error::invalid_as(
                    PackProblem::UnknownId,
                    g.when.location.clone(),
                    format!(
                        "điều kiện {}: cap '{}' không phải mức xếp loại ({})",
                        g.id,
                        g.cap,
                        codes.join(", ")
                    ),
                )
            })?;
            let rule = self.rule(&g.when, 3, format!("điều kiện {}", g.id))?;
            gates.push(Gate {
                id: g.id.clone(),
                label: g.label.clone(),
                cap: g.cap.clone(),
                location: g.when.location.clone(),
                rule,
                cap_index,
            });
        }
        Ok(gates)
    }

    /// The applicability rule (`applies`), if the pack has one.
    pub fn applies(&self, draft: &Draft) -> Result<Option<Rule>, Error> {
        draft
            .applies
            .as_ref()
            .map(|r| self.rule(r, 2, "điều kiện áp dụng".into()))
            .transpose()
    }

    /// One rule, called with `r` and up to `max_arity - 1` more parameters.
    fn rule(&self, draft: &RuleDraft, max_arity: usize, context: String) -> Result<Rule, Error> {
        let (ast, field_index) = (self.ast, self.field_index);
        let name = draft.fn_ptr.fn_name();
        let curry: Vec<Dynamic> = draft.fn_ptr.curry().iter().cloned().map(frozen).collect();
        let location = draft.location.clone();
        let total = ast
            .iter_fn_def()
            .filter(|f| f.name == name)
            .map(|f| f.params.len())
            .find(|&n| n > curry.len() && n - curry.len() <= max_arity)
            .ok_or_else(|| {
                Error::invalid(
                    location.clone(),
                    if name.starts_with("anon$") {
                        // A `|r, p| …` rule: its internal name means nothing to a reader.
                        format!("{context}: quy tắc phải nhận từ 1 đến {max_arity} tham số (r, p, s)")
                    } else {
                        format!(
                            "{context}: hàm '{name}' phải nhận từ 1 đến {max_arity} tham số (r, p, s)"
                        )
                    },
                )
            })?;
        let arity = total - curry.len();
        // A lint, not the memo's key: a field named in the source but never
        // declared is a typo better reported at load than on every record.
        if let Ok(names) = analysis::reads(ast, name, total, curry.len(), &curry) {
            if let Some(field) = names.iter().find(|f| !field_index.contains_key(f.as_str())) {
                return Err(Error::invalid_as(
                    PackProblem::UndeclaredField,
                    location,
                    format!("{context} đọc trường '{field}' chưa được khai báo bằng field(…)"),
                ));
            }
        }
        Ok(Rule {
            fn_name: name.into(),
            curry,
            arity,
            location,
            context,
            award_max: None,
        })
    }
}

/// A captured value with nothing shared left inside: closures capture
/// variables as shared cells, which would carry state from one call (and
/// one record, and one thread) to the next. Frozen, each call gets a copy.
fn frozen(value: Dynamic) -> Dynamic {
    let value = value.flatten();
    if value.is_array() {
        let items = value.cast::<rhai::Array>();
        return items
            .into_iter()
            .map(frozen)
            .collect::<rhai::Array>()
            .into();
    }
    if value.is_map() {
        let map = value.cast::<rhai::Map>();
        return map
            .into_iter()
            .map(|(k, v)| (k, frozen(v)))
            .collect::<rhai::Map>()
            .into();
    }
    if value.is_fnptr() {
        let mut fn_ptr = value.cast::<rhai::FnPtr>();
        let curry: Vec<Dynamic> = fn_ptr.curry().iter().cloned().map(frozen).collect();
        fn_ptr.set_curry(curry);
        return fn_ptr.into();
    }
    value
}
