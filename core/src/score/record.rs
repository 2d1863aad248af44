//! Reading one JSON line straight into the pack's field slots: known keys
//! are kept by index, unknown keys skipped without building them.

use hashbrown::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value as Json;

/// The record's id for its result: a string, or a number written as text.
pub(crate) fn id_of(value: Option<&Json>) -> Option<String> {
    match value? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Keys a pack does not know, noted once each (up to a bound) so a front end
/// can say "these fields were ignored" after a batch.
#[derive(Debug, Default)]
pub(crate) struct UnknownKeys(pub std::collections::BTreeSet<String>);

impl UnknownKeys {
    const MAX: usize = 50;

    /// Notes `key`, cut to a length fit to echo on a terminal (a hostile
    /// file may have keys of megabytes).
    pub fn note(&mut self, key: &str) {
        if self.0.len() < Self::MAX && !self.0.contains(key) {
            self.0.insert(crate::input::echoed_name(key));
        }
    }
}

/// Where a record's keys go: the pack's field names by slot, and by name.
#[derive(Clone, Copy)]
pub(crate) struct FieldNames<'a> {
    pub order: &'a [crate::fields::FieldSpec],
    pub index: &'a HashMap<String, usize>,
}

impl FieldNames<'_> {
    /// The slot of `key`. Files mostly give keys in the pack's order, so
    /// the slot after the previous key's is compared first: the same
    /// answer as the map, without hashing the key.
    fn slot(&self, key: &str, hint: usize) -> Option<usize> {
        match self.order.get(hint) {
            Some(field) if field.name == key => Some(hint),
            _ => self.index.get(key).copied(),
        }
    }
}

struct Slots<'a> {
    names: FieldNames<'a>,
    unknown: &'a mut UnknownKeys,
}

struct Key<'a> {
    names: FieldNames<'a>,
    hint: usize,
    unknown: &'a mut UnknownKeys,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        let found = self.names.slot(key, self.hint);
        if found.is_none() {
            self.unknown.note(key);
        }
        Ok(found)
    }
}

/// The slots of a record, and the known keys it gives more than once.
type SlotsAndRepeats = (Vec<Option<Json>>, Vec<String>);

impl<'de> DeserializeSeed<'de> for Slots<'_> {
    type Value = SlotsAndRepeats;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Slots<'_> {
    type Value = SlotsAndRepeats;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("một đối tượng JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let index = self.names.index;
        let mut slots = vec![None; index.len()];
        let mut repeats = Vec::new();
        let mut hint = 0;
        while let Some(key) = map.next_key_seed(Key {
            names: self.names,
            hint,
            unknown: &mut *self.unknown,
        })? {
            match key {
                Some(i) => {
                    hint = i + 1;
                    // A key given twice is ambiguous: never let the last one silently win.
                    if slots[i].replace(map.next_value::<Json>()?).is_some() {
                        repeats.push(i);
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut names: Vec<String> = repeats
            .into_iter()
            .filter_map(|i| {
                index
                    .iter()
                    .find(|(_, &j)| j == i)
                    .map(|(name, _)| name.clone())
            })
            .collect();
        names.dedup();
        Ok((slots, names))
    }
}

/// Why a JSON line is not a record: its id when it could be read, and the
/// reason in Vietnamese.
pub(crate) struct LineProblem {
    pub id: Option<String>,
    pub message: String,
}

/// Parses one JSON line into slots aligned with the pack's fields, or says
/// (in Vietnamese) why the line is not a record.
pub(crate) fn parse_line(
    line: &str,
    names: FieldNames,
    unknown: &mut UnknownKeys,
) -> Result<Vec<Option<Json>>, LineProblem> {
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let parsed = Slots { names, unknown }
        .deserialize(&mut deserializer)
        .and_then(|slots| deserializer.end().map(|()| slots));
    let (slots, repeats) = parsed.map_err(|e| LineProblem {
        id: None,
        message: match e.classify() {
            serde_json::error::Category::Data => "bản ghi phải là một đối tượng JSON".to_string(),
            _ => format!(
                "dòng không phải JSON hợp lệ: {}",
                describe_json_error(&e, false)
            ),
        },
    })?;
    refuse_repeats(slots, &repeats, names.index)
}

/// The slots, or the problem of a record that gives known keys more than once.
fn refuse_repeats(
    slots: Vec<Option<Json>>,
    repeats: &[String],
    index: &HashMap<String, usize>,
) -> Result<Vec<Option<Json>>, LineProblem> {
    if repeats.is_empty() {
        return Ok(slots);
    }
    Err(LineProblem {
        id: index.get("id").and_then(|&i| id_of(slots[i].as_ref())),
        message: repeated_keys_message(repeats),
    })
}

/// A JSON syntax error in Vietnamese, with where it is (serde's own text
/// is English).
/// A JSON line names only the column: its line is the record's own.
pub(crate) fn describe_json_error(error: &serde_json::Error, with_line: bool) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Eof => "dữ liệu kết thúc giữa chừng (thiếu dấu đóng } ] hoặc \")",
        Category::Syntax => "sai cú pháp",
        Category::Data => "sai kiểu dữ liệu",
        Category::Io => "lỗi đọc",
    };
    if with_line {
        format!("{what} ở dòng {}, cột {}", error.line(), error.column())
    } else {
        format!("{what} ở cột {}", error.column())
    }
}

/// The message for a record that gives keys more than once.
pub(crate) fn repeated_keys_message(keys: &[String]) -> String {
    format!(
        "khóa {} xuất hiện nhiều lần trong bản ghi: không biết dùng giá trị nào",
        keys.iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Reads one record from any deserializer into slots aligned with the pack's
/// fields, or says (in Vietnamese) why it is not a record (repeated keys
/// included, as in a JSON line).
pub(crate) fn parse_any<'de, D: Deserializer<'de>>(
    deserializer: D,
    names: FieldNames,
    unknown: &mut UnknownKeys,
) -> Result<Vec<Option<Json>>, LineProblem> {
    let (slots, repeats) = Slots { names, unknown }
        .deserialize(deserializer)
        .map_err(|e| LineProblem {
            id: None,
            message: format!("bản ghi phải là một đối tượng (tên trường → giá trị): {e}"),
        })?;
    refuse_repeats(slots, &repeats, names.index)
}
