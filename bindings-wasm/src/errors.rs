//! Core errors as JavaScript `Error` objects with a stable `code` and, where
//! it applies, `file`, `line`, `column`, `field`, `limit` and `context`.

use chamdiem::Error;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The JavaScript code of a core error: its stable code in capitals
/// (`pack.syntax` → `PACK_SYNTAX`), and `LIMIT_EXCEEDED` for every limit
/// (which one is in the error's `limit`).
fn code(error: &Error) -> String {
    let code = error.code();
    if code.starts_with("limit.") {
        return "LIMIT_EXCEEDED".into();
    }
    code.replace('.', "_").to_ascii_uppercase()
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
    let js = new_error(&error.to_string(), &code(error));
    set(&js, "coreCode", error.code());
    if let Some(location) = error.location() {
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
            set(&js, "limit", limit.code());
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
