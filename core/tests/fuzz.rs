//! Bounded-time fuzzing (a fixed number of proptest cases): loading mangled
//! packs and reading mangled input never panics, and every record read gets
//! exactly one result. A panic the engine catches (in the loader's thread or
//! around a record) shows as "lỗi nội bộ": that counts as a failure too.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chamdiem::{
    read_records_with, Batch, InputFormat, Limits, Pack, PackLoader, ReadOptions, RecordInput,
};
use proptest::prelude::*;

const INTERNAL: &str = "lỗi nội bộ";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn base_pack() -> String {
    std::fs::read_to_string(repo().join("tests/packs/vd.hop-tac-xa/pack.rhai")).unwrap()
}

fn example_lines() -> Vec<String> {
    let text =
        std::fs::read_to_string(repo().join("tests/packs/vd.hop-tac-xa/htx-2025.jsonl")).unwrap();
    text.lines().map(String::from).collect()
}

/// Pieces a mangled pack is made of: Rhai syntax, engine functions, extreme numbers.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "#{",
    ";",
    ",",
    "|r|",
    "|r, p|",
    "|r, p, s|",
    "loop { }",
    "while true {}",
    "fn f(x) { f(x) }",
    "import \"m\" as m;",
    "extends(\"vn.enterprise\");",
    "add_days(date(\"2025-01-01\"), 9223372036854775807)",
    "date(2025, 13, 40)",
    "part(1, 0, \"\")",
    "points(1e308, \"\")",
    "bracket(1, [], [])",
    "r.members",
    "9223372036854775807",
    "-9223372036854775808",
    "1e400",
    "0x",
    "\"",
    "'",
    "\u{feff}",
    "`",
    "\\",
    "\n",
    "criterion(\"9.9\", #{})",
    "band(\"x\", 0, \"X\")",
    "p.days()",
    "[].pad(10000, [])",
    "\"x\".pad(70000, \"y\")",
    "eval(\"1\")",
    "let x = ",
    "r[\"id\"]",
];

fn mangled_pack() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0usize..40,
            prop::sample::select(SNIPPETS),
        ),
        1..6,
    );
    edits.prop_map(|edits| {
        let mut text = base_pack().into_bytes();
        for (at, cut, snippet) in edits {
            let at = at.index(text.len() + 1);
            let end = (at + cut).min(text.len());
            text.splice(at..end, snippet.bytes());
        }
        // Cutting may split a character: the loader takes text.
        String::from_utf8_lossy(&text).into_owned()
    })
}

fn fast_limits() -> Limits {
    Limits {
        max_time_ms: 300,
        ..Limits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn loading_a_mangled_pack_never_panics(text in mangled_pack()) {
        match PackLoader::new().with_limits(fast_limits()).load_source("fuzz.rhai", &text) {
            Err(error) => prop_assert!(!error.to_string().contains(INTERNAL), "{error}"),
            Ok(pack) => {
                let Ok(batch) = Batch::new(&pack, "2025".parse().unwrap()) else {
                    return Ok(()); // not in force in 2025: nothing to score
                };
                let inputs: Vec<RecordInput> =
                    example_lines().into_iter().map(RecordInput::JsonLine).collect();
                let results = batch.score(&inputs);
                prop_assert_eq!(results.len(), inputs.len());
                for result in &results {
                    for error in result.errors() {
                        prop_assert!(!error.message.contains(INTERNAL), "{}", error.message);
                    }
                }
            }
        }
    }
}

/// Input bytes: real lines mangled, cut and joined, or noise.
fn mangled_input() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        prop::sample::select(example_lines()).prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..300),
        Just(b"id,name,members\n1,\"a\"\"b\",3\n\"unterminated".to_vec()),
        Just(vec![0u8; 700]),
        Just(b"[{\"id\": 1}, {\"id\": [[[[[[[[[[[[[[[[[[[[".to_vec()),
    ];
    prop::collection::vec((line, any::<prop::sample::Index>(), any::<u8>()), 0..12).prop_map(
        |parts| {
            let mut out = Vec::new();
            for (mut line, at, byte) in parts {
                if !line.is_empty() {
                    let i = at.index(line.len());
                    line[i] = byte;
                }
                out.extend_from_slice(&line);
                out.push(b'\n');
            }
            out
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reading_mangled_input_never_panics(bytes in mangled_input()) {
        let pack = Pack::load(repo().join("tests/packs/vd.hop-tac-xa").to_str().unwrap()).unwrap();
        let batch = Batch::new(&pack, "2025".parse().unwrap()).unwrap();
        for format in [InputFormat::JsonLines, InputFormat::JsonArray, InputFormat::Csv] {
            let reader = Box::new(Cursor::new(bytes.clone()));
            let options = ReadOptions::default().max_record_bytes(256);
            let mut warnings = Vec::new();
            let Ok(records) = read_records_with(reader, format, &pack, &mut warnings, &options) else {
                continue; // refused as a whole (a bad CSV header): a clear error, no panic
            };
            let mut records = records;
            let inputs: Vec<RecordInput> = records.by_ref().map_while(Result::ok).collect();
            // An error ends a reading: nothing follows it (a consumer that
            // reads on would otherwise get the same error forever).
            prop_assert!(records.next().is_none());
            let results = batch.score(&inputs);
            prop_assert_eq!(results.len(), inputs.len());
            for result in &results {
                for error in result.errors() {
                    prop_assert!(!error.message.contains(INTERNAL), "{}", error.message);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// UTF-16 text (either byte order, with its mark) reads as the same
    /// records, with the same notes, as the same text in UTF-8.
    #[test]
    fn utf16_input_reads_as_its_utf8_text(bytes in mangled_input(), big_endian in any::<bool>()) {
        let pack = Pack::load(repo().join("tests/packs/vd.hop-tac-xa").to_str().unwrap()).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let utf16: Vec<u8> = std::iter::once(0xFEFF)
            .chain(text.encode_utf16())
            .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
            .collect();
        for format in [InputFormat::JsonLines, InputFormat::JsonArray, InputFormat::Csv] {
            let read = |bytes: Vec<u8>| {
                let options = ReadOptions::default().max_record_bytes(256);
                let mut warnings = Vec::new();
                let records = read_records_with(Box::new(Cursor::new(bytes)), format, &pack, &mut warnings, &options)
                    .map(|records| {
                        // Up to and with the first error, which ends a reading.
                        let mut seen = Vec::new();
                        for record in records.take(10_000) {
                            let end = record.is_err();
                            seen.push(format!("{record:?}"));
                            if end {
                                break;
                            }
                        }
                        seen
                    })
                    .map_err(|e| e.to_string());
                (records, warnings)
            };
            prop_assert_eq!(read(utf16.clone()), read(text.clone().into_bytes()));
        }
    }
}
