//! The one shape of a scored record, shared by the CLI's JSON line, Python's
//! `to_dict()`, JavaScript's object and every report.

use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use serde_json::Value as Json;

use crate::fields::FieldError;
use crate::pack::Layout;
use crate::{Period, Points};

/// The keys of a result's JSON object; a carried field may not take one.
pub(crate) const RESULT_KEYS: &[&str] = &[
    "id",
    "period",
    "status",
    "total",
    "class",
    "class_label",
    "groups",
    "criteria",
    "gates",
    "unmet",
    "reasons",
    "errors",
    "pack",
];

/// What became of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Scored and classified.
    Scored,
    /// Outside the pack's scope (a state enterprise, no union): not an error.
    NotApplicable,
    /// The record could not be scored: see its errors.
    Error,
}

impl Status {
    /// `scored`, `not_applicable` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scored => "scored",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
        }
    }
}

/// The pack a result came from: its id, version and fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PackRef {
    /// The pack's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// SHA-256 of its exact sources.
    pub fingerprint: String,
}

/// The result of scoring one record.
#[derive(Clone, Debug)]
pub struct ScoreResult {
    pub(crate) layout: Arc<Layout>,
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) status: Status,
    pub(crate) total: Option<Points>,
    pub(crate) class: Option<usize>,
    pub(crate) groups: Vec<Points>,
    pub(crate) criteria: Vec<Points>,
    pub(crate) reasons: Vec<crate::score::Reason>,
    pub(crate) gates: Vec<usize>,
    /// Bands whose minimum the total reached but whose condition failed.
    pub(crate) unmet: Vec<usize>,
    pub(crate) errors: Vec<FieldError>,
    /// The period the record was scored for.
    pub(crate) period: Option<Period>,
    /// The carried fields' values, aligned with `layout.carried` (empty:
    /// none was read, all null).
    pub(crate) carried: Vec<Json>,
    /// `None`: the record carried no valid date; `Some(inside)`: whether at
    /// least one of its dates falls inside the period.
    pub(crate) dates_in_period: Option<bool>,
}

/// What a scorer knows of a record besides its scores: its carried fields
/// and whether its dates fall in the period.
#[derive(Default)]
pub(crate) struct RecordFacts {
    pub carried: Vec<Json>,
    pub dates_in_period: Option<bool>,
}

impl RecordFacts {
    /// The facts of a record read into `slots` and validated into `values`.
    pub fn new(
        layout: &Layout,
        fields: &[crate::FieldSpec],
        slots: &[Option<&Json>],
        values: &[crate::Value],
        period: &Period,
    ) -> Self {
        let carried = layout
            .carried
            .iter()
            .map(|&(i, _)| slots[i].cloned().unwrap_or(Json::Null))
            .collect();
        let mut dates_in_period = None;
        for (field, value) in fields.iter().zip(values) {
            let dates: &mut dyn Iterator<Item = &crate::Value> = match value {
                crate::Value::Date(_) => &mut std::iter::once(value),
                crate::Value::List(items) if matches!(field.ty, crate::FieldType::List(ref t) if **t == crate::FieldType::Date) => {
                    &mut items.iter()
                }
                _ => continue,
            };
            for date in dates {
                if let crate::Value::Date(d) = date {
                    let inside = dates_in_period.unwrap_or(false) || period.contains(*d);
                    dates_in_period = Some(inside);
                }
            }
        }
        RecordFacts {
            carried,
            dates_in_period,
        }
    }
}

impl ScoreResult {
    pub(crate) fn unscored(
        layout: Arc<Layout>,
        id: Option<String>,
        status: Status,
        errors: Vec<FieldError>,
    ) -> Self {
        ScoreResult {
            layout,
            id,
            name: None,
            status,
            total: None,
            class: None,
            groups: Vec::new(),
            criteria: Vec::new(),
            reasons: Vec::new(),
            gates: Vec::new(),
            unmet: Vec::new(),
            errors,
            period: None,
            carried: Vec::new(),
            dates_in_period: None,
        }
    }

    /// Records the period and the facts of the record; a scorer calls it on
    /// every result it makes.
    pub(crate) fn with_facts(mut self, period: Period, facts: RecordFacts) -> Self {
        self.period = Some(period);
        self.carried = facts.carried;
        self.dates_in_period = facts.dates_in_period;
        self
    }

    /// The period the record was scored for.
    pub fn period(&self) -> Option<Period> {
        self.period
    }

    /// The identifying fields the pack carries into results (`name`,
    /// `unit`, `province`, or fields declared with `carry: true`), by name,
    /// in the pack's order; `null` when the record did not give one.
    pub fn carried(&self) -> impl Iterator<Item = (&str, &Json)> {
        const NULL: &Json = &Json::Null;
        self.layout
            .carried
            .iter()
            .enumerate()
            .map(|(i, (_, name))| (name.as_str(), self.carried.get(i).unwrap_or(NULL)))
    }

    /// `None` when the record carried no valid date; otherwise whether at
    /// least one of its dates falls inside the period (a hint that the
    /// period given matches the data).
    pub fn dates_in_period(&self) -> Option<bool> {
        self.dates_in_period
    }

    /// The record's id, if it had a readable one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The record's name, if the pack declares a `name` field and it was given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// Scored, not applicable, or error.
    pub fn status(&self) -> Status {
        self.status
    }
    /// The total, rounded to 2 decimals (scored records only).
    pub fn total(&self) -> Option<Points> {
        self.total
    }
    /// The final class code (`tot`, `kha`, `trung_binh`, `yeu`).
    pub fn class(&self) -> Option<&str> {
        self.class.map(|i| self.layout.bands[i].0.as_str())
    }
    /// The final class's Vietnamese label (`Tốt`, …).
    pub fn class_label(&self) -> Option<&str> {
        self.class.map(|i| self.layout.bands[i].1.as_str())
    }
    /// Points of every group, by id, in the pack's order.
    pub fn groups(&self) -> impl Iterator<Item = (&str, Points)> {
        self.layout
            .groups
            .iter()
            .map(String::as_str)
            .zip(self.groups.iter().copied())
    }
    /// Points of every criterion, by id, in the pack's order.
    pub fn criteria(&self) -> impl Iterator<Item = (&str, Points)> {
        self.layout
            .criteria
            .iter()
            .map(String::as_str)
            .zip(self.criteria.iter().copied())
    }
    /// Points of one criterion.
    pub fn criterion(&self, id: &str) -> Option<Points> {
        self.criteria().find(|(c, _)| *c == id).map(|(_, p)| p)
    }
    /// The reason given for every criterion, by id.
    pub fn reasons(&self) -> impl Iterator<Item = (&str, &str)> {
        self.layout
            .criteria
            .iter()
            .map(String::as_str)
            .zip(self.reasons.iter().map(|r| r.text.as_str()))
    }
    /// The ids of the gates that fired.
    pub fn gates(&self) -> impl Iterator<Item = &str> {
        self.gates.iter().map(|&i| self.layout.gates[i].as_str())
    }
    /// The bands whose minimum the total reached but whose condition
    /// (`requires`) was not met, best first: `(band code, Vietnamese reason)`.
    /// The record fell past them to the next band; this is not a gate.
    pub fn unmet(&self) -> impl Iterator<Item = (&str, &str)> {
        self.unmet.iter().map(|&b| {
            (
                self.layout.bands[b].0.as_str(),
                self.layout.unmet[b].as_str(),
            )
        })
    }
    /// Every problem with the record (status `error`).
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }
    /// The pack that produced the result.
    pub fn pack(&self) -> &PackRef {
        &self.layout.pack
    }

    /// The result as one line of JSON (no trailing newline): the same text
    /// as `serde_json::to_string(&result)`, written from fragments prepared
    /// once per pack and per reason, because this is the CLI's hot path.
    pub fn to_json_line(&self) -> String {
        let json = &self.layout.json;
        // Sized for the whole line up front: growing a 2 KB line copies it.
        let reasons: usize = self.reasons.iter().map(|r| r.json.len()).sum();
        let keys = json.criteria.len() * 2 + json.groups.len();
        let mut out = String::with_capacity(1024 + json.pack.len() + reasons + 24 * keys);
        self.write_json(&mut out, Encoding::Utf8, &mut |out, reason| {
            out.push_str(&reason.json)
        });
        out
    }

    /// Appends the JSON line to `out`, each reason written by `reason`
    /// (its JSON string in [`Self::to_json_line`], an index in [`JsonBatch`]):
    /// the one writer of the line's keys, order and values.
    fn write_json(
        &self,
        out: &mut String,
        encoding: Encoding,
        reason: &mut dyn FnMut(&mut String, &crate::score::Reason),
    ) {
        let (json, text): (_, fn(&mut String, &str)) = match encoding {
            Encoding::Utf8 => (&self.layout.json, push_json_string),
            Encoding::Ascii => (&self.layout.json_ascii, push_json_string_ascii),
        };
        // JSON text serde_json wrote (a carried value that is not a string,
        // the errors), in the encoding.
        let written = |out: &mut String, value: &str| match encoding {
            Encoding::Utf8 => out.push_str(value),
            Encoding::Ascii => push_ascii(out, value),
        };
        out.push_str("{\"id\":");
        match self.id.as_deref() {
            Some(id) => text(out, id),
            None => out.push_str("null"),
        }
        for (key, (_, value)) in json.carried.iter().zip(self.carried()) {
            out.push_str(key);
            match value {
                serde_json::Value::String(value) => text(out, value),
                other => written(out, &other.to_string()),
            }
        }
        out.push_str(",\"period\":");
        match self.period {
            // A period prints as digits, `-` and `.`: nothing to escape.
            Some(period) => {
                out.push('"');
                period.push_to(out);
                out.push('"');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"status\":\"");
        out.push_str(self.status.as_str());
        out.push_str("\",\"total\":");
        match self.total {
            Some(total) => total.push_to(out),
            None => out.push_str("null"),
        }
        out.push_str(",\"class\":");
        match self.class {
            Some(i) => {
                let (code, label) = &json.bands[i];
                out.push_str(code);
                out.push_str(",\"class_label\":");
                out.push_str(label);
            }
            None => out.push_str("null,\"class_label\":null"),
        }
        let map =
            |out: &mut String, keys: &[String], write_value: &mut dyn FnMut(&mut String, usize)| {
                out.push('{');
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(key);
                    write_value(out, i);
                }
                out.push('}');
            };
        let scored = self.status == Status::Scored;
        let none: &[String] = &[];
        out.push_str(",\"groups\":");
        map(
            out,
            if scored { &json.groups } else { none },
            &mut |out, i| self.groups[i].push_to(out),
        );
        out.push_str(",\"criteria\":");
        map(
            out,
            if scored { &json.criteria } else { none },
            &mut |out, i| self.criteria[i].push_to(out),
        );
        out.push_str(",\"gates\":[");
        for (n, &gate) in self.gates.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&json.gates[gate]);
        }
        out.push_str("],\"unmet\":[");
        for (n, &band) in self.unmet.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&json.unmet[band]);
        }
        out.push_str("],\"reasons\":");
        map(
            out,
            if scored { &json.criteria } else { none },
            &mut |out, i| reason(out, &self.reasons[i]),
        );
        out.push_str(",\"errors\":");
        if self.errors.is_empty() {
            out.push_str("[]");
        } else {
            written(
                out,
                &serde_json::to_string(&self.errors).expect("errors serialize"),
            );
        }
        out.push_str(",\"pack\":");
        out.push_str(&json.pack);
        out.push('}');
    }
}

/// The results of a batch as one JSON array, for a reader that rebuilds the
/// objects (the JavaScript `scoreMany`): each element is the result's JSON
/// line ([`ScoreResult::to_json_line`]) with two changes only, so that the
/// text is small and reads fast:
///
/// * every reason (a value of `reasons`) is the index of its text in
///   [`JsonBatch::strings`] instead of the text: the same few hundred reasons
///   make most of a batch's bytes;
/// * every character outside ASCII is written as a `\uXXXX` escape (UTF-16
///   units), the same JSON value: such characters are only ever inside JSON
///   strings, and the text decodes one byte per character.
///
/// Replacing each index in `reasons` by `strings[index]` gives back exactly
/// the JSON line's value, key order included.
#[derive(Default)]
pub struct JsonBatch {
    body: String,
    /// The texts by index, and the index of each text.
    strings: Vec<rhai::ImmutableString>,
    index: hashbrown::HashMap<rhai::ImmutableString, u32>,
}

impl JsonBatch {
    /// An empty batch.
    pub fn new() -> Self {
        JsonBatch::default()
    }

    /// Appends one result.
    pub fn push(&mut self, result: &ScoreResult) {
        let JsonBatch {
            body,
            strings,
            index,
        } = self;
        body.push(if body.is_empty() { '[' } else { ',' });
        result.write_json(body, Encoding::Ascii, &mut |out, reason| {
            let at = match index.get(&reason.text) {
                Some(&at) => at,
                None => {
                    let at = strings.len() as u32;
                    strings.push(reason.text.clone());
                    index.insert(reason.text.clone(), at);
                    at
                }
            };
            crate::points::push_digits(out, u64::from(at));
        });
    }

    /// The reasons' texts, by index.
    pub fn strings(&self) -> impl ExactSizeIterator<Item = &str> {
        self.strings.iter().map(|s| s.as_str())
    }

    /// The JSON array (`[]` for no result).
    pub fn into_body(mut self) -> String {
        if self.body.is_empty() {
            self.body.push('[');
        }
        self.body.push(']');
        self.body
    }
}

/// Appends `text` as a JSON string, as serde_json writes it: a text with
/// nothing to escape (no `"`, `\\` or control character, which is every
/// id and name in practice) is copied as it is.
fn push_json_string(out: &mut String, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(&serde_json::to_string(text).expect("a string serializes"));
    } else {
        out.push('"');
        out.push_str(text);
        out.push('"');
    }
}

/// [`push_json_string`] with every non-ASCII character as `\uXXXX`.
fn push_json_string_ascii(out: &mut String, text: &str) {
    if text.is_ascii() {
        push_json_string(out, text);
    } else {
        push_ascii(
            out,
            &serde_json::to_string(text).expect("a string serializes"),
        );
    }
}

/// How a result's JSON text is written: as it is, or ASCII only.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    /// Every non-ASCII character as a `\uXXXX` escape (the same JSON value).
    Ascii,
}

/// Appends `text` (JSON) with every non-ASCII character as `\uXXXX`.
pub(crate) fn push_ascii(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| !b.is_ascii()) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().expect("a character starts there");
        let mut units = [0u16; 2];
        for &unit in c.encode_utf16(&mut units).iter() {
            let hex = [
                b'\\',
                b'u',
                HEX[(unit >> 12) as usize & 15],
                HEX[(unit >> 8) as usize & 15],
                HEX[(unit >> 4) as usize & 15],
                HEX[unit as usize & 15],
            ];
            out.push_str(std::str::from_utf8(&hex).expect("ASCII"));
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

struct AsMap<I>(std::cell::RefCell<Option<I>>);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)>> Serialize for AsMap<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let iter = self.0.borrow_mut().take().expect("serialized once");
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in iter {
            map.serialize_entry(&k, &v)?;
        }
        map.end()
    }
}

fn as_map<I>(iter: I) -> AsMap<I> {
    AsMap(std::cell::RefCell::new(Some(iter)))
}

struct AsSeq<I>(std::cell::RefCell<Option<I>>);

impl<T: Serialize, I: Iterator<Item = T>> Serialize for AsSeq<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.borrow_mut().take().expect("serialized once"))
    }
}

/// One unmet band condition, as results show it.
#[derive(Serialize)]
struct Unmet<'a> {
    band: &'a str,
    reason: &'a str,
}

impl Serialize for ScoreResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_map(None)?;
        s.serialize_entry("id", &self.id)?;
        for (name, value) in self.carried() {
            s.serialize_entry(name, value)?;
        }
        s.serialize_entry("period", &self.period)?;
        s.serialize_entry("status", &self.status)?;
        s.serialize_entry("total", &self.total)?;
        s.serialize_entry("class", &self.class())?;
        s.serialize_entry("class_label", &self.class_label())?;
        s.serialize_entry("groups", &as_map(self.groups()))?;
        s.serialize_entry("criteria", &as_map(self.criteria()))?;
        s.serialize_entry("gates", &AsSeq(std::cell::RefCell::new(Some(self.gates()))))?;
        s.serialize_entry(
            "unmet",
            &AsSeq(std::cell::RefCell::new(Some(
                self.unmet().map(|(band, reason)| Unmet { band, reason }),
            ))),
        )?;
        s.serialize_entry("reasons", &as_map(self.reasons()))?;
        s.serialize_entry("errors", &self.errors)?;
        s.serialize_entry("pack", &self.layout.pack)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::push_json_string;

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let texts = [
            "",
            "DN-0001",
            "Công ty TNHH Ánh Dương",
            "nháy \" kép",
            "gạch \\ ngược",
            "dòng\nmới\ttab\r",
            "\u{0}\u{1f}\u{7f}\u{80}",
            "\u{2028}\u{2029} 😀",
            "/ and </script>",
        ];
        for text in texts {
            let mut out = String::from("x");
            push_json_string(&mut out, text);
            assert_eq!(out, format!("x{}", serde_json::to_string(text).unwrap()));
        }
    }
}
