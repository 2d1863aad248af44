//! From the finished draft of a load to the immutable [`Pack`]: checks what
//! the declarations must satisfy together, compiles the rules, and lays out
//! the results.

use std::sync::Arc;

use rhai::AST;

use super::builder::Draft;
use super::compile::RuleCompiler;
use super::layout::Layout;
use super::model::PackInner;
use super::{validate, Pack};
use crate::error::{Error, Location};
use crate::script::{self, Limits};
use crate::Points;

/// What a load found besides the draft: the merged script, the ids of the
/// packs extended (nearest first), the source names and fingerprint, the
/// examples, and the limits.
pub(super) struct Loaded {
    pub ast: AST,
    pub extends: Vec<String>,
    pub sources: Vec<String>,
    pub fingerprint: String,
    pub examples: Option<(String, String)>,
    pub limits: Limits,
    /// The name of the pack file being loaded (not of a pack it extends).
    pub top_file: String,
}

pub(super) fn assemble(draft: Draft, loaded: Loaded) -> Result<Pack, Error> {
    let Loaded {
        ast,
        extends,
        sources,
        fingerprint,
        examples,
        limits,
        top_file,
    } = loaded;
    let here = Location::file(&top_file);
    let meta = &draft.meta;
    let field_index = validate::field_index(&draft.fields, &here)?;
    let compiler = RuleCompiler {
        ast: &ast,
        field_index: &field_index,
    };
    let (groups, criteria) = compiler.criteria(&draft)?;
    let total: Points = criteria.iter().map(|c| c.points).sum();
    let max_points = validate::max_points(total, meta.max_points, &groups, &here)?;
    validate::bands(&draft.bands, max_points, &here, &top_file)?;
    let bands = compiler.bands(&draft)?;
    let gates = compiler.gates(&draft, &bands)?;
    let applies = compiler.applies(&draft)?;

    let meta = draft.meta;
    let id = meta.id.unwrap_or_default();
    let version = meta.version.unwrap_or_default();
    let pack_ref = crate::PackRef {
        id: id.clone(),
        version: version.clone(),
        fingerprint: fingerprint.clone(),
    };
    let layout = Arc::new(Layout::new(
        pack_ref,
        &draft.fields,
        &groups,
        &criteria,
        &bands,
        &gates,
    ));
    let field_keys = draft
        .fields
        .iter()
        .map(|f| f.name.as_str().into())
        .collect();
    let mut engine = script::new_engine(&limits);
    crate::score::register_getters(&mut engine, &draft.fields);
    Ok(Pack {
        inner: Arc::new(PackInner {
            id,
            title: meta.title.unwrap_or_default(),
            version,
            description: meta.description,
            in_force_from: meta.in_force_from,
            in_force_until: meta.in_force_until,
            max_points,
            extends,
            sources,
            fingerprint,
            fields: draft.fields,
            field_index,
            field_keys,
            groups,
            criteria,
            bands,
            gates,
            applies,
            calendar: draft.calendar,
            examples,
            layout,
            engine,
            ast,
            limits,
        }),
    })
}
