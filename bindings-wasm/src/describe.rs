//! What the page and other programs need to know about a pack, as JSON.
//!
// TODO(h-api): replace with the core's `Pack::describe()` when it lands; this
// only gathers the core's public, serialisable parts.

use chamdiem::Pack;
use serde_json::{json, Value};

fn in_force(pack: &Pack) -> Value {
    let (from, until) = pack.in_force();
    json!({
        "from": from.map(|d| d.to_string()),
        "until": until.map(|d| d.to_string()),
    })
}

/// One line of `packs()`.
pub(crate) fn summary(pack: &Pack) -> Value {
    json!({
        "id": pack.id(),
        "title": pack.title(),
        "version": pack.version(),
        "description": pack.description(),
        "in_force": in_force(pack),
        "fingerprint": pack.fingerprint(),
    })
}

/// `pack.schema()`: the declared input fields.
pub(crate) fn schema(pack: &Pack) -> Value {
    json!({
        "pack": pack.pack_ref(),
        "fields": pack.fields(),
    })
}

/// `pack.info()`: everything about the pack but its fields' details.
pub(crate) fn info(pack: &Pack) -> Value {
    json!({
        "id": pack.id(),
        "title": pack.title(),
        "version": pack.version(),
        "description": pack.description(),
        "fingerprint": pack.fingerprint(),
        "in_force": in_force(pack),
        "max_points": pack.max_points(),
        "extends": pack.extends(),
        "sources": pack.sources(),
        "groups": pack.groups(),
        "criteria": pack.criteria(),
        "bands": pack.bands(),
        "gates": pack.gates(),
        "calendar": pack.calendar(),
    })
}
