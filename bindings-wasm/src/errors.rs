//! Core errors as JavaScript `Error` objects with a stable `code` and, where
//! it applies, `file`, `line`, `column`, `field`, `limit` and `context`.

use chamdiem::{Error, Location};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The JavaScript code of a core error.
// TODO(h-api): derive from `Error::code()` (`pack.syntax` → `PACK_SYNTAX`)
// once it lands, so new variants get codes without touching this file.
fn code(error: &Error) -> &'static str {
    match error {
        Error::Syntax { .. } => "PACK_SYNTAX",
        Error::InvalidPack { .. } => "PACK_INVALID",
        Error::LimitExceeded { .. } => "LIMIT_EXCEEDED",
        Error::Script { .. } => "PACK_SCRIPT",
        Error::Import { .. } => "PACK_IMPORT",
        Error::PackNotFound { .. } => "PACK_NOT_FOUND",
        Error::NotInForce { .. } => "PACK_NOT_IN_FORCE",
        Error::Period(_) => "PERIOD_INVALID",
        Error::Input(_) => "INPUT_INVALID",
        Error::Io { .. } => "IO",
        _ => "ERROR",
    }
}

fn location(error: &Error) -> Option<&Location> {
    match error {
        Error::Syntax { location, .. }
        | Error::InvalidPack { location, .. }
        | Error::LimitExceeded { location, .. }
        | Error::Script { location, .. }
        | Error::Import { location, .. } => Some(location),
        _ => None,
    }
}

fn set(target: &JsValue, key: &str, value: impl Into<JsValue>) {
    Reflect::set(target, &key.into(), &value.into()).expect("setting a property of an Error");
}

fn new_error(message: &str, code: &str) -> JsValue {
    // `new Error(...)` runs in JavaScript, so the object has a stack.
    let error = js_sys::Error::new(message);
    error.set_name("ChamdiemError");
    let error = JsValue::from(error);
    set(&error, "code", code);
    error
}

/// A core error as a JavaScript `Error`.
pub(crate) fn to_js_error(error: &Error) -> JsValue {
    let js = new_error(&error.to_string(), code(error));
    if let Some(location) = location(error) {
        set(&js, "file", location.file.as_str());
        if let Some(line) = location.line {
            set(&js, "line", line as f64);
        }
        if let Some(column) = location.column {
            set(&js, "column", column as f64);
        }
    }
    match error {
        Error::LimitExceeded { limit, context, .. } => {
            set(&js, "limit", limit.name());
            set(&js, "context", context.as_str());
        }
        Error::Script { context, .. } => set(&js, "context", context.as_str()),
        Error::Period(_) => set(&js, "field", "period"),
        _ => {}
    }
    js
}

/// A bad argument from JavaScript (not a core error).
pub(crate) fn argument_error(message: String, field: Option<&str>) -> JsValue {
    let js = new_error(&message, "INVALID_ARGUMENT");
    if let Some(field) = field {
        set(&js, "field", field);
    }
    js
}
