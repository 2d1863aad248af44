//! The shape every result of a pack shares: the ids of its criteria,
//! groups, bands and gates in order, the reasons for unmet band conditions,
//! and the same as JSON fragments written once, so that writing a result
//! line copies text instead of escaping it again.

use super::{Band, Criterion, Gate, Group};
use crate::fields::FieldSpec;
use crate::PackRef;

/// The ids a result refers to, shared by every result of a pack.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub criteria: Vec<String>,
    pub groups: Vec<String>,
    pub bands: Vec<(String, String)>,
    /// For each band, the reason a result gives when its condition is unmet.
    pub unmet: Vec<String>,
    pub gates: Vec<String>,
    pub pack: PackRef,
    /// The fields copied into every result after `id` (index, name).
    pub carried: Vec<(usize, String)>,
    /// The same, as JSON fragments written once, for the JSON line.
    pub json: LayoutJson,
    /// The same fragments with every non-ASCII character as `\uXXXX`, for
    /// `JsonBatch` (escaped once per pack instead of once per result).
    pub json_ascii: LayoutJson,
}

/// JSON fragments of a [`Layout`]: `"2.4":` keys, quoted codes, the pack object.
#[derive(Clone, Debug)]
pub(crate) struct LayoutJson {
    pub criteria: Vec<String>,
    pub groups: Vec<String>,
    pub bands: Vec<(String, String)>,
    /// `{"band":…,"reason":…}` for each band.
    pub unmet: Vec<String>,
    pub gates: Vec<String>,
    pub pack: String,
    /// `,"name":` for every carried field.
    pub carried: Vec<String>,
}

fn json_str(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

impl LayoutJson {
    /// The same fragments, every non-ASCII character written as `\uXXXX`.
    fn to_ascii(&self) -> LayoutJson {
        let ascii = |text: &String| {
            let mut out = String::with_capacity(text.len());
            crate::result::push_ascii(&mut out, text);
            out
        };
        let all = |texts: &[String]| texts.iter().map(ascii).collect();
        LayoutJson {
            criteria: all(&self.criteria),
            groups: all(&self.groups),
            bands: self
                .bands
                .iter()
                .map(|(c, l)| (ascii(c), ascii(l)))
                .collect(),
            unmet: all(&self.unmet),
            gates: all(&self.gates),
            pack: ascii(&self.pack),
            carried: all(&self.carried),
        }
    }
}

impl Layout {
    /// The layout of a pack with these parts, in their final order.
    pub(super) fn new(
        pack: PackRef,
        fields: &[FieldSpec],
        groups: &[Group],
        criteria: &[Criterion],
        bands: &[Band],
        gates: &[Gate],
    ) -> Layout {
        let unmet: Vec<String> = bands
            .iter()
            .map(|b| match &b.condition {
                Some(condition) => format!(
                    "Đạt {} điểm của mức {} nhưng chưa đáp ứng điều kiện: {condition}",
                    b.min, b.label
                ),
                None => format!(
                    "Đạt {} điểm của mức {} nhưng chưa đáp ứng điều kiện của mức này",
                    b.min, b.label
                ),
            })
            .collect();
        let carried: Vec<(usize, String)> = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.carry && f.name != "id")
            .map(|(i, f)| (i, f.name.clone()))
            .collect();
        let json = LayoutJson {
            unmet: bands
                .iter()
                .zip(&unmet)
                .map(|(b, reason)| {
                    format!(
                        "{{\"band\":{},\"reason\":{}}}",
                        json_str(&b.code),
                        json_str(reason)
                    )
                })
                .collect(),
            criteria: criteria
                .iter()
                .map(|c| format!("{}:", json_str(&c.id)))
                .collect(),
            groups: groups
                .iter()
                .map(|g| format!("{}:", json_str(&g.id)))
                .collect(),
            bands: bands
                .iter()
                .map(|b| (json_str(&b.code), json_str(&b.label)))
                .collect(),
            gates: gates.iter().map(|g| json_str(&g.id)).collect(),
            pack: serde_json::to_string(&pack).expect("a pack ref serializes"),
            carried: carried
                .iter()
                .map(|(_, name)| format!(",{}:", json_str(name)))
                .collect(),
        };
        Layout {
            json_ascii: json.to_ascii(),
            json,
            criteria: criteria.iter().map(|c| c.id.clone()).collect(),
            groups: groups.iter().map(|g| g.id.clone()).collect(),
            bands: bands
                .iter()
                .map(|b| (b.code.clone(), b.label.clone()))
                .collect(),
            unmet,
            gates: gates.iter().map(|g| g.id.clone()).collect(),
            pack,
            carried,
        }
    }
}
