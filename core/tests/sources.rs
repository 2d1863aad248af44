//! Packs from memory load exactly as from disk: the same resolver, limits
//! and errors; the files of built-in packs can be read and loaded back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chamdiem::{Error, Limits, Pack, PackLoader, Period, Scorer};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file under `dir`, by path relative to it, read from disk.
fn folder(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).unwrap().to_str().unwrap();
                out.insert(relative.into(), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn good_record() -> Value {
    let text = std::fs::read_to_string(repo().join("rules/vn.enterprise/examples.jsonl")).unwrap();
    serde_json::from_str::<Value>(text.lines().next().unwrap()).unwrap()["record"].clone()
}

fn period() -> Period {
    "2024".parse().unwrap()
}

fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

#[test]
fn a_pack_folder_loads_the_same_from_memory_as_from_disk() {
    let dir = repo().join("tests/hostile/import-inside-function");
    let from_disk = Pack::load(dir.to_str().unwrap()).unwrap();
    let from_memory = Pack::from_sources(folder(&dir), "pack.rhai").unwrap();
    // The fingerprint hashes the texts, not their names: the same files give the same one.
    assert_eq!(from_memory.fingerprint(), from_disk.fingerprint());
    assert_eq!(
        from_memory.sources(),
        ["rules/vn.enterprise/pack.rhai", "pack.rhai", "lib/dem.rhai"]
    );
    // The import inside a rule works from memory as from disk.
    let mut record = good_record();
    record["periodic_dialogue_dates"] = serde_json::json!(["2024-03-01"]);
    for pack in [&from_disk, &from_memory] {
        let result = Scorer::new(pack, period()).unwrap().score(&record).unwrap();
        assert_eq!(result.criterion("2.1").unwrap().to_string(), "0");
    }
}

#[test]
fn a_pack_in_memory_extends_its_own_file_and_runs_its_examples() {
    let base = std::fs::read_to_string(repo().join("rules/tay-ninh.enterprise/pack.rhai")).unwrap();
    let examples =
        std::fs::read_to_string(repo().join("rules/tay-ninh.enterprise/examples.jsonl")).unwrap();
    let pack = Pack::from_sources(
        sources(&[
            ("province/base.rhai", &base),
            (
                "pack.rhai",
                "extends(\"province/base.rhai\");\n\
                 pack(#{ id: \"tay-ninh.copy\", title: \"Bản sao\", version: \"1\" });\n",
            ),
            // With a byte order mark, as Windows Notepad saves it.
            ("examples.jsonl", &format!("\u{feff}{examples}")),
        ]),
        "pack.rhai",
    )
    .unwrap();
    assert_eq!(pack.extends(), ["tay-ninh.enterprise", "vn.enterprise"]);
    assert_eq!(pack.criterion("2.1").unwrap().points.to_string(), "12");
    let (name, _) = pack.examples_source().unwrap();
    assert_eq!(name, "examples.jsonl");
    let outcomes = chamdiem::selftest::run_examples(&pack).unwrap();
    assert_eq!(outcomes.len(), examples.lines().count());
    assert!(outcomes.iter().all(|o| o.passed()), "{outcomes:?}");
}

#[test]
fn every_built_in_pack_loads_back_from_its_own_sources() {
    for id in Pack::built_in_ids() {
        let files = Pack::built_in_sources(id).unwrap();
        assert!(files.contains_key("pack.rhai"), "{id}");
        let built_in = Pack::load(id).unwrap();
        let copy = Pack::from_sources(files, "pack.rhai").unwrap();
        assert_eq!(copy.id(), id);
        assert_eq!(copy.fingerprint(), built_in.fingerprint(), "{id}");
    }
    assert!(Pack::built_in_sources("no.such.pack").is_none());
}

fn load_error(files: &[(&str, &str)], entry: &str) -> Error {
    Pack::from_sources(sources(files), entry).unwrap_err()
}

const HEAD: &str =
    "extends(\"vn.enterprise\");\npack(#{ id: \"x\", title: \"x\", version: \"0\" });\n";

#[test]
fn memory_sources_are_confined_to_their_folder() {
    let error = load_error(&[("pack.rhai", HEAD)], "other.rhai");
    assert_eq!(error.code(), "pack.not_found");

    let error = load_error(&[("pack.rhai", HEAD), ("../up.rhai", "")], "pack.rhai");
    assert_eq!(error.code(), "pack.import");

    let text = format!("{HEAD}import \"../secret\" as s;\n");
    let error = load_error(&[("pack.rhai", &text)], "pack.rhai");
    assert_eq!(error.code(), "pack.import");
    let location = error.location().unwrap();
    assert_eq!(
        (location.file.as_str(), location.line),
        ("pack.rhai", Some(3))
    );

    let text = "extends(\"missing/base.rhai\");\n";
    let error = load_error(&[("pack.rhai", text)], "pack.rhai");
    assert_eq!(error.code(), "pack.import");
    assert_eq!(error.location().unwrap().line, Some(1));
}

#[test]
fn two_names_for_one_file_in_memory_are_refused() {
    let error = load_error(&[("pack.rhai", HEAD), ("./pack.rhai", HEAD)], "pack.rhai");
    assert_eq!(error.code(), "pack.import", "{error}");
}

#[cfg(unix)]
#[test]
fn an_examples_file_linking_out_of_the_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    std::fs::create_dir(&pack).unwrap();
    std::fs::write(pack.join("pack.rhai"), HEAD).unwrap();
    std::fs::write(dir.path().join("outside.jsonl"), "").unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside.jsonl"),
        pack.join("examples.jsonl"),
    )
    .unwrap();
    let error = Pack::load(pack.to_str().unwrap()).unwrap_err();
    assert_eq!(error.code(), "pack.import", "{error}");
    assert!(error.to_string().contains("examples.jsonl"), "{error}");
}

#[test]
fn import_rings_and_failing_modules_are_reported_at_the_module() {
    let text = format!("{HEAD}import \"a\" as a;\n");
    let error = load_error(
        &[
            ("pack.rhai", &text),
            ("a.rhai", "import \"b\" as b;\n"),
            ("b.rhai", "export const B = 1;\nimport \"a\" as a;\n"),
        ],
        "pack.rhai",
    );
    assert_eq!(error.code(), "pack.cycle", "{error}");
    assert_eq!(error.location().unwrap().file, "b.rhai");
    assert_eq!(error.location().unwrap().line, Some(2));
    assert!(
        error.to_string().contains("a.rhai → b.rhai → a.rhai"),
        "{error}"
    );

    // The pack file importing itself.
    let text = format!("{HEAD}import \"pack\" as me;\n");
    let error = load_error(&[("pack.rhai", &text)], "pack.rhai");
    assert_eq!(error.code(), "pack.cycle", "{error}");
    assert!(
        error.to_string().contains("pack.rhai → pack.rhai"),
        "{error}"
    );

    // A syntax error and a runtime error inside a module, at the module's line.
    for (module, code) in [
        ("let a = 1;\nlet b = ;\n", "pack.syntax"),
        ("let a = 1;\nlet b = a + \"x\" * 2;\n", "pack.runtime"),
    ] {
        let text = format!("{HEAD}import \"lib/m\" as m;\n");
        let error = load_error(&[("pack.rhai", &text), ("lib/m.rhai", module)], "pack.rhai");
        assert_eq!(error.code(), code, "{error}");
        let location = error.location().unwrap();
        assert_eq!(
            (location.file.as_str(), location.line),
            ("lib/m.rhai", Some(2)),
            "{error}"
        );
    }
}

#[test]
fn each_imported_file_is_read_once_per_load() {
    // 25 modules, each importing the next two: run once per import, they
    // would run 196,417 times.
    let pack = Pack::load(repo().join("tests/hostile/import-web").to_str().unwrap()).unwrap();
    let modules: Vec<&String> = pack
        .sources()
        .iter()
        .filter(|s| s.contains("/lib/m"))
        .collect();
    assert_eq!(modules.len(), 25, "{:?}", pack.sources());
    let distinct: std::collections::BTreeSet<&String> = modules.iter().copied().collect();
    assert_eq!(distinct.len(), 25);
}

#[test]
fn a_byte_order_mark_does_not_stop_a_pack() {
    let path = repo().join("tests/hostile/bom.rhai");
    assert!(std::fs::read(&path).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let pack = Pack::load(path.to_str().unwrap()).unwrap();
    assert_eq!(pack.id(), "ok.bom");
    let pack = Pack::from_source("bom.rhai", &format!("\u{feff}{HEAD}")).unwrap();
    assert_eq!(pack.id(), "x");
}

#[test]
fn sources_over_the_size_limit_are_refused_from_memory_and_disk() {
    let loader = PackLoader::new().with_limits(Limits {
        max_source_size: 200,
        ..Limits::default()
    });
    let big = format!("{HEAD}// {}\n", "x".repeat(300));
    let error = loader
        .load_sources(sources(&[("pack.rhai", &big)]), "pack.rhai")
        .unwrap_err();
    assert_eq!(error.code(), "limit.source_size");
    let text = format!("{HEAD}import \"big\" as big;\n");
    let error = loader
        .load_sources(
            sources(&[("pack.rhai", &text), ("big.rhai", &big)]),
            "pack.rhai",
        )
        .unwrap_err();
    assert_eq!(error.code(), "limit.source_size");
    assert_eq!(error.location().unwrap().file, "big.rhai");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.rhai"), &big).unwrap();
    let error = loader.load(dir.path().to_str().unwrap()).unwrap_err();
    assert_eq!(error.code(), "limit.source_size");
}

#[test]
fn errors_carry_their_code_in_json() {
    let error = Pack::from_source("p.rhai", "pack(#{ id: ").unwrap_err();
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["code"], "pack.syntax");
    assert_eq!(json["type"], "syntax");
    assert_eq!(json["location"]["file"], "p.rhai");

    let text = format!("{HEAD}field(\"employees\", #{{ type: \"int\" }});\n");
    let error = Pack::from_source("p.rhai", &text).unwrap_err();
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["code"], "pack.duplicate_id", "{error}");
    assert_eq!(json["problem"], "duplicate_id");
    assert_eq!(json["location"]["line"], 3);

    let text = format!("{HEAD}change_group(\"9\", #{{ label: \"x\" }});\n");
    let error = Pack::from_source("p.rhai", &text).unwrap_err();
    assert_eq!(error.code(), "pack.unknown_id", "{error}");

    let text =
        format!("{HEAD}criterion(\"9.9\", #{{ group: \"1\", label: \"x\", rule: |r| 0 }});\n");
    let error = Pack::from_source("p.rhai", &text).unwrap_err();
    assert_eq!(error.code(), "pack.missing_key", "{error}");

    let error = Pack::load("no.such.pack").unwrap_err();
    assert_eq!(error.code(), "pack.not_found");
    assert!(error.location().is_none());

    let error = "2024-13".parse::<Period>().unwrap_err();
    assert_eq!(error.code(), "period.invalid");
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["code"], "period.invalid");
    assert_eq!(json["type"], "period");
    assert!(
        json["message"].as_str().unwrap().contains("2024-13"),
        "{json}"
    );

    let pack = Pack::load("tay-ninh.enterprise").unwrap();
    let error = pack.ensure_in_force(&"2020".parse().unwrap()).unwrap_err();
    assert_eq!(error.code(), "pack.not_in_force");
}

#[test]
fn a_folder_without_a_pack_file_says_so_in_vietnamese() {
    let dir = std::env::temp_dir().join(format!("chamdiem-no-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let error = Pack::load(dir.to_str().unwrap()).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(error.code(), "pack.not_found");
    let message = error.to_string();
    assert!(
        message.contains("thư mục này không có tệp pack.rhai"),
        "{message}"
    );
    assert!(!message.contains("os error"), "{message}");
}
