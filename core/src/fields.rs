//! Declared input fields: their types, and validation of a record against them.
//!
//! Validation happens in Rust, before any script runs, and names every problem.

use std::fmt;
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use rhai::ImmutableString;
use serde::Serialize;
use serde_json::Value as Json;

use crate::period::{parse_date, DATE_FORMS};

/// The type of a declared field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum FieldType {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// Any number.
    Number,
    /// Text.
    String,
    /// A calendar date, `YYYY-MM-DD` (or `DD/MM/YYYY`).
    Date,
    /// A list of values of one type: `list<date>`.
    List(Box<FieldType>),
}

impl FieldType {
    /// Parses `bool`, `int`, `number`, `string`, `date` or `list<T>`.
    pub fn parse(text: &str) -> Option<FieldType> {
        Some(match text.trim() {
            "bool" => FieldType::Bool,
            "int" => FieldType::Int,
            "number" => FieldType::Number,
            "string" => FieldType::String,
            "date" => FieldType::Date,
            other => {
                let inner = other.strip_prefix("list<")?.strip_suffix('>')?;
                match FieldType::parse(inner)? {
                    FieldType::List(_) => return None,
                    inner => FieldType::List(Box::new(inner)),
                }
            }
        })
    }

    fn expected(&self) -> &'static str {
        match self {
            FieldType::Bool => BOOL_EXPECTED,
            FieldType::Int => "phải là số nguyên",
            FieldType::Number => "phải là một số",
            FieldType::String => "phải là chuỗi ký tự",
            FieldType::Date => "phải là ngày (YYYY-MM-DD hoặc DD/MM/YYYY)",
            FieldType::List(_) => "phải là một danh sách",
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Bool => f.write_str("bool"),
            FieldType::Int => f.write_str("int"),
            FieldType::Number => f.write_str("number"),
            FieldType::String => f.write_str("string"),
            FieldType::Date => f.write_str("date"),
            FieldType::List(inner) => write!(f, "list<{inner}>"),
        }
    }
}

impl From<FieldType> for String {
    fn from(ty: FieldType) -> String {
        ty.to_string()
    }
}

/// What a yes/no field accepts (any case; an empty CSV cell means no).
const BOOL_EXPECTED: &str = "phải là đúng/sai: true/false trong JSON; trong CSV: true/false, \
     có/không, đúng/sai, 1/0, x/ô trống";

/// One declared input field of a pack.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct FieldSpec {
    /// The key in the record (`employees`).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// A label for people, in Vietnamese (`Số người lao động`).
    pub label: String,
    /// Must the key be present?
    pub required: bool,
    /// May the value be null (for example "no conference held")?
    pub nullable: bool,
    /// Smallest allowed value (numbers).
    pub min: Option<f64>,
    /// Largest allowed value (numbers).
    pub max: Option<f64>,
    /// Allowed values (strings).
    pub values: Option<Vec<String>>,
    /// Name of another integer field this one may not exceed.
    pub at_most: Option<String>,
    /// A longer explanation, for forms and docs.
    pub description: Option<String>,
    /// Is the value copied into every result, right after `id`, so people
    /// can tell records apart? True by default for `name`, `unit` and
    /// `province`; a pack sets `carry: true` (or `false`) to choose.
    pub carry: bool,
}

/// A validated value of a record field, as rules see it.
///
/// Equality is exact, as the hash is: numbers compare by their bits, so
/// `-0.0` and `0.0` are two values (a script can tell them apart when it
/// prints them) and the memo never answers one with the other's outcome.
#[derive(Clone, Debug)]
pub enum Value {
    /// Missing or null.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number.
    Number(f64),
    /// Text.
    String(ImmutableString),
    /// A date.
    Date(NaiveDate),
    /// A list.
    List(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::Number(n) => n.to_bits().hash(state),
            Value::String(s) => s.as_str().hash(state),
            Value::Date(d) => d.hash(state),
            Value::List(items) => items.hash(state),
        }
    }
}

impl Value {
    /// The value as a Rhai value.
    pub(crate) fn to_dynamic(&self) -> rhai::Dynamic {
        match self {
            Value::Null => rhai::Dynamic::UNIT,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Number(n) => (*n).into(),
            Value::String(s) => s.clone().into(),
            Value::Date(d) => rhai::Dynamic::from(crate::script::Date(*d)),
            Value::List(items) => items
                .iter()
                .map(Value::to_dynamic)
                .collect::<rhai::Array>()
                .into(),
        }
    }

    /// The value as JSON (dates as ISO strings).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Number(n) => Json::from(*n),
            Value::String(s) => Json::String(s.to_string()),
            Value::Date(d) => Json::String(d.to_string()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
        }
    }
}

/// One problem with a record: the field (or none, for the record as a whole),
/// a stable code for programs and a message in Vietnamese.
///
/// Codes: `record.missing` (a required key is absent), `record.null` (null
/// where a value is needed), `record.type` (wrong type), `record.date` (not a
/// date in an accepted form), `record.range` (below `min`, above `max`, or
/// outside 64-bit integers), `record.value` (not one of `values`),
/// `record.cross_field` (above the field named by `at_most`),
/// `record.unreadable` (the line or row is not a record at all), and
/// `rule.runtime` / `limit.*` when the *pack* failed on this record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field's name, or `None` for a problem with the whole record.
    pub field: Option<String>,
    /// What kind of problem: stable, whatever the wording.
    #[serde(default = "unreadable_code")]
    pub code: String,
    /// What is wrong.
    pub message: String,
}

fn unreadable_code() -> String {
    "record.unreadable".into()
}

impl FieldError {
    pub(crate) fn record(message: impl Into<String>) -> Self {
        FieldError {
            field: None,
            code: unreadable_code(),
            message: message.into(),
        }
    }

    /// A problem of the whole record with its own code.
    pub(crate) fn record_with_code(code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: None,
            code: code.into(),
            message: message.into(),
        }
    }

    fn field(name: &str, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: Some(name.to_string()),
            code: code.into(),
            message: message.into(),
        }
    }
}

fn short(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// A value outside the 64-bit integers: say so, not "not an integer".
fn out_of_range(json: &Json) -> Option<String> {
    let huge = match json {
        Json::Number(n) => n.as_i64().is_none() && n.as_f64().is_some_and(|f| f.fract() == 0.0),
        Json::String(s) => {
            let digits = s.trim().trim_start_matches(['-', '+']);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && s.trim().parse::<i64>().is_err()
        }
        _ => false,
    };
    huge.then(|| {
        format!(
            "số {} vượt phạm vi số nguyên 64-bit (từ {} đến {})",
            short(json),
            i64::MIN,
            i64::MAX
        )
    })
}

/// `1.200`, `1,200` or `1 200` (a count written with its thousands grouped,
/// as Vietnamese and English spreadsheets show it): the digits alone, to
/// suggest. Never read as the number itself: `1.200` may as well be 1.2.
fn grouped_digits(text: &str) -> Option<String> {
    let text = text.trim();
    let separator = text.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(separator, '.' | ',' | ' ' | '\u{a0}') {
        return None;
    }
    let mut groups = text.split(separator);
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let fits = (1..=3).contains(&first.len())
        && digits(first)
        && !rest.is_empty()
        && rest.iter().all(|g| g.len() == 3 && digits(g));
    fits.then(|| text.replace(separator, ""))
}

/// The value, or the problem's code and message.
fn convert(ty: &FieldType, json: &Json) -> Result<Value, (&'static str, String)> {
    let wrong = || {
        let hint = match (ty, json) {
            (FieldType::Int, Json::String(s)) => grouped_digits(s)
                .map(|d| format!(": viết số không có dấu ngăn cách hàng nghìn ({d})"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        (
            "record.type",
            format!("{}, nhận {}{hint}", ty.expected(), short(json)),
        )
    };
    match ty {
        FieldType::Bool => json.as_bool().map(Value::Bool).ok_or_else(wrong),
        FieldType::Int => match json {
            Json::Number(n) => match n.as_i64() {
                Some(i) => Ok(Value::Int(i)),
                // 3.0 is the integer 3; 3.5 is not an integer.
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Ok(Value::Int(f as i64)),
                    _ => Err(out_of_range(json).map_or_else(wrong, |m| ("record.range", m))),
                },
            },
            _ => Err(out_of_range(json).map_or_else(wrong, |m| ("record.range", m))),
        },
        FieldType::Number => json.as_f64().map(Value::Number).ok_or_else(wrong),
        FieldType::String => json
            .as_str()
            .map(|s| Value::String(s.into()))
            .ok_or_else(wrong),
        FieldType::Date => match json {
            Json::String(s) => parse_date(s).map(Value::Date).ok_or_else(|| {
                (
                    "record.date",
                    format!("ngày không hợp lệ {}: viết {DATE_FORMS}", short(json)),
                )
            }),
            _ => Err(wrong()),
        },
        FieldType::List(inner) => match json {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    convert(inner, item).map_err(|(code, message)| {
                        (code, format!("phần tử thứ {}: {message}", i + 1))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            _ => Err(wrong()),
        },
    }
}

fn check_range(spec: &FieldSpec, value: &Value) -> Option<(&'static str, String)> {
    if let Value::List(items) = value {
        return items.iter().enumerate().find_map(|(i, item)| {
            check_range(spec, item).map(|(code, m)| (code, format!("phần tử thứ {}: {m}", i + 1)))
        });
    }
    let number = match value {
        Value::Int(i) => *i as f64,
        Value::Number(n) => *n,
        Value::String(s) => {
            let allowed = spec.values.as_ref()?;
            return (!allowed.iter().any(|a| a == s.as_str())).then(|| {
                (
                    "record.value",
                    format!(
                        "giá trị \"{s}\" không hợp lệ; cho phép: {}",
                        allowed.join(", ")
                    ),
                )
            });
        }
        _ => return None,
    };
    let show = |x: f64| {
        if x.fract() == 0.0 {
            format!("{}", x as i64)
        } else {
            x.to_string()
        }
    };
    if let Some(min) = spec.min.filter(|&min| number < min) {
        return Some((
            "record.range",
            if min == 0.0 {
                format!("không được âm, nhận {}", show(number))
            } else {
                format!("phải ≥ {}, nhận {}", show(min), show(number))
            },
        ));
    }
    if let Some(max) = spec.max.filter(|&max| number > max) {
        return Some((
            "record.range",
            format!("phải ≤ {}, nhận {}", show(max), show(number)),
        ));
    }
    None
}

/// Validates the raw values of one record, aligned with `fields`.
///
/// Returns the typed values (a field with a problem becomes [`Value::Null`])
/// and every problem found, in field order.
///
/// Two passes, so that the set of problems does not depend on the order of
/// declarations: first each field alone (type, range, allowed values), then
/// the cross-field checks (`at_most`) against the values of the first pass.
/// A cross-field check whose other field is missing or itself invalid is
/// skipped: that field's own problem is already named, and there is nothing
/// sound to compare with. A field that fails a cross-field check still
/// serves as the bound of another (its value was valid on its own).
pub(crate) fn validate(
    fields: &[FieldSpec],
    slots: &[Option<&Json>],
) -> (Vec<Value>, Vec<FieldError>) {
    let mut values = Vec::with_capacity(fields.len());
    let mut errors: Vec<(usize, FieldError)> = Vec::new();
    for (i, (spec, slot)) in fields.iter().zip(slots).enumerate() {
        let mut problem = |code: &str, message: String| {
            errors.push((i, FieldError::field(&spec.name, code, message)));
            Value::Null
        };
        let value = match slot {
            None if spec.required => problem("record.missing", "thiếu trường bắt buộc".into()),
            None => Value::Null,
            Some(Json::Null) if spec.nullable || !spec.required => Value::Null,
            Some(Json::Null) => problem("record.null", "không được để trống".into()),
            Some(json) => match convert(&spec.ty, json) {
                Ok(value) => match check_range(spec, &value) {
                    None => value,
                    Some((code, message)) => problem(code, message),
                },
                Err((code, message)) => problem(code, message),
            },
        };
        values.push(value);
    }
    let number = |value: &Value| match *value {
        Value::Int(v) => Some(v as f64),
        Value::Number(v) => Some(v),
        _ => None,
    };
    let mut over = Vec::new();
    for (i, spec) in fields.iter().enumerate() {
        let Some(other) = &spec.at_most else { continue };
        let Some(j) = fields.iter().position(|f| &f.name == other) else {
            continue;
        };
        let (Some(value), Some(bound)) = (number(&values[i]), number(&values[j])) else {
            continue;
        };
        if value > bound {
            let label = &fields[j].label;
            errors.push((
                i,
                FieldError::field(
                    &spec.name,
                    "record.cross_field",
                    format!("không được lớn hơn {other} ({label}: {bound}), nhận {value}"),
                ),
            ));
            over.push(i);
        }
    }
    for i in over {
        values[i] = Value::Null;
    }
    // Field order, whichever pass found the problem.
    errors.sort_by_key(|(i, _)| *i);
    (values, errors.into_iter().map(|(_, e)| e).collect())
}

/// Turns one CSV cell into the JSON value it stands for, by the field's type.
///
/// An empty cell is null (an empty list for a list); booleans may be written
/// `true`/`false`, `1`/`0` or `có`/`không`; lists are `;`-separated. A cell
/// that does not fit the type stays a string, so validation names the problem.
pub fn coerce_text(ty: &FieldType, text: &str) -> Json {
    let text = text.trim();
    if let FieldType::List(inner) = ty {
        return Json::Array(
            text.split(';')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| coerce_text(inner, item))
                .collect(),
        );
    }
    if *ty == FieldType::Bool {
        // Excel users tick a box with `x` and leave it empty for no; BOOL_EXPECTED
        // lists every accepted spelling.
        return match text.to_lowercase().as_str() {
            "true" | "1" | "có" | "co" | "x" | "đúng" | "dung" => Json::Bool(true),
            "false" | "0" | "không" | "khong" | "sai" | "" => Json::Bool(false),
            _ => Json::String(text.to_string()),
        };
    }
    if text.is_empty() {
        return Json::Null;
    }
    let as_string = || Json::String(text.to_string());
    match ty {
        FieldType::Int => text
            .parse::<i64>()
            .map(Json::from)
            .unwrap_or_else(|_| as_string()),
        FieldType::Number => text
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Json::Number))
            .unwrap_or_else(as_string),
        _ => as_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, ty: &str) -> FieldSpec {
        FieldSpec {
            name: name.into(),
            ty: FieldType::parse(ty).unwrap(),
            label: name.into(),
            required: true,
            nullable: false,
            min: None,
            max: None,
            values: None,
            at_most: None,
            description: None,
            carry: false,
        }
    }

    #[test]
    fn a_count_with_grouped_thousands_is_refused_with_the_digits_to_write() {
        let field = spec("employees", "int");
        for text in ["1.200", "1,200", "1 200", "12.345.678", "1\u{a0}200"] {
            let (_, errors) = validate(std::slice::from_ref(&field), &[Some(&json!(text))]);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(errors.len(), 1, "{text}");
            assert!(
                errors[0]
                    .message
                    .ends_with(&format!("hàng nghìn ({digits})")),
                "{text}: {}",
                errors[0].message
            );
        }
        // Not grouped thousands: no suggestion, the plain message.
        for text in [
            "1.2", "1.2000", "12,34", "1.200,5", "nhiều", "1..200", ".200",
        ] {
            let (_, errors) = validate(std::slice::from_ref(&field), &[Some(&json!(text))]);
            assert!(!errors[0].message.contains("hàng nghìn"), "{text}");
        }
    }

    #[test]
    fn parses_types() {
        assert_eq!(
            FieldType::parse("list<date>"),
            Some(FieldType::List(Box::new(FieldType::Date)))
        );
        assert_eq!(FieldType::parse("list<list<int>>"), None);
        assert_eq!(FieldType::parse("float"), None);
        assert_eq!(
            FieldType::parse("list<date>").unwrap().to_string(),
            "list<date>"
        );
    }

    #[test]
    fn names_every_problem() {
        let mut count = spec("employees", "int");
        count.min = Some(0.0);
        let mut answered = spec("answered", "int");
        answered.at_most = Some("requests".into());
        let fields = vec![
            count,
            spec("dates", "list<date>"),
            spec("flag", "bool"),
            spec("requests", "int"),
            answered,
        ];
        let slots = [
            Some(json!(-3)),
            Some(json!(["2024-01-01", "2024-13-45"])),
            None,
            Some(json!(2)),
            Some(json!(5)),
        ];
        let slots: Vec<Option<&Json>> = slots.iter().map(Option::as_ref).collect();
        let (values, errors) = validate(&fields, &slots);
        let named: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(named, ["employees", "dates", "flag", "answered"]);
        assert!(
            errors[0].message.contains("không được âm"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.contains("phần tử thứ 2"),
            "{}",
            errors[1].message
        );
        assert_eq!(values[3], Value::Int(2));
        assert_eq!(values[4], Value::Null);
    }

    #[test]
    fn list_items_are_checked_too() {
        let mut counts = spec("counts", "list<int>");
        counts.min = Some(0.0);
        let slots = [Some(json!([1, -2]))];
        let slots: Vec<Option<&Json>> = slots.iter().map(Option::as_ref).collect();
        let (_, errors) = validate(&[counts], &slots);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .message
                .starts_with("phần tử thứ 2: không được âm"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn coerces_csv_cells() {
        assert_eq!(coerce_text(&FieldType::Bool, "Có"), json!(true));
        assert_eq!(coerce_text(&FieldType::Bool, "0"), json!(false));
        assert_eq!(coerce_text(&FieldType::Bool, "hmm"), json!("hmm"));
        assert_eq!(coerce_text(&FieldType::Bool, " X "), json!(true));
        assert_eq!(coerce_text(&FieldType::Bool, ""), json!(false));
        assert_eq!(coerce_text(&FieldType::Bool, "ĐÚNG"), json!(true));
        assert_eq!(coerce_text(&FieldType::Bool, "Sai"), json!(false));
        assert_eq!(coerce_text(&FieldType::Int, " 42 "), json!(42));
        assert_eq!(coerce_text(&FieldType::Date, ""), Json::Null);
        assert_eq!(
            coerce_text(
                &FieldType::parse("list<date>").unwrap(),
                "2024-01-02; 2024-03-04"
            ),
            json!(["2024-01-02", "2024-03-04"])
        );
        assert_eq!(
            coerce_text(&FieldType::parse("list<date>").unwrap(), ""),
            json!([])
        );
    }
}
