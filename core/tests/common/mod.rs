//! Every pack in the repository (built-in, test packs, the guide's), with
//! records to score: its own examples' records, and the bundled example file.

use std::path::{Path, PathBuf};

use chamdiem::Pack;
use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Packs that load and are in force in 2024, each with records: the records
/// of its examples for 2024, then the 300 bundled enterprises.
#[allow(dead_code)]
pub fn every_pack_with_records() -> Vec<(Pack, Vec<Value>)> {
    let root = repo();
    let enterprises = lines(&root.join("examples/doanh-nghiep-2024.jsonl"));
    let period: chamdiem::Period = "2024".parse().unwrap();
    let mut places: Vec<PathBuf> = Vec::new();
    for dir in ["rules", "tests/packs", "docs/guide-src"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("pack.rhai").is_file())
            .collect();
        found.sort();
        places.extend(found);
    }
    let mut probes: Vec<PathBuf> = std::fs::read_dir(root.join("docs/guide-src/probe"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    probes.sort();
    places.extend(probes);
    let mut out = Vec::new();
    for place in places {
        let Ok(pack) = Pack::load(place.to_str().unwrap()) else {
            continue; // the guide shows some broken packs on purpose
        };
        if !pack.is_in_force(&period) {
            continue;
        }
        let mut records: Vec<Value> = lines(&place.join("examples.jsonl"))
            .into_iter()
            .filter(|e| e["period"] == "2024")
            .map(|e| e["record"].clone())
            .collect();
        records.extend(enterprises.iter().cloned());
        out.push((pack, records));
    }
    out
}
