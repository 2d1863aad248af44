//! What `packs()` and `schema()` return: parts of the core's
//! [`Pack::describe`], the same description `chamdiem check --json` prints.

use chamdiem::Pack;
use serde_json::{json, Value};

/// One line of `packs()`.
pub(crate) fn summary(pack: &Pack) -> Value {
    let d = pack.describe();
    json!({
        "id": d.id,
        "title": d.title,
        "version": d.version,
        "description": d.description,
        "extends": d.extends,
        "in_force_from": d.in_force_from.map(|d| d.to_string()),
        "in_force_until": d.in_force_until.map(|d| d.to_string()),
        "fingerprint": d.fingerprint,
    })
}

/// `pack.schema()`: the declared input fields.
pub(crate) fn schema(pack: &Pack) -> Value {
    json!({
        "pack": pack.pack_ref(),
        "fields": pack.describe().fields,
    })
}
