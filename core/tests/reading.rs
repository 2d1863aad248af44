//! Reading with positions and size caps together: every record keeps where
//! it starts, and the cap still holds.

use std::io::Cursor;

use chamdiem::{
    read_numbered_records_with, InputFormat, NumberedRecords, Pack, Position, ReadOptions,
    RecordInput,
};

fn read(text: &str, format: InputFormat, max: usize) -> (NumberedRecords, Vec<String>) {
    let pack = Pack::load("vn.enterprise").unwrap();
    let mut warnings = Vec::new();
    let options = ReadOptions::default().max_record_bytes(max);
    let reader = Box::new(Cursor::new(text.as_bytes().to_vec()));
    let records = read_numbered_records_with(reader, format, &pack, &mut warnings, &options)
        .expect("the input opens");
    (records, warnings)
}

fn unreadable(input: &RecordInput) -> &str {
    match input {
        RecordInput::Unreadable { message, .. } => message,
        other => panic!("expected an unreadable record, got {other:?}"),
    }
}

#[test]
fn an_overlong_json_line_is_its_own_numbered_error() {
    let long = format!("{{\"id\":\"b\",\"name\":\"{}\"}}", "x".repeat(500));
    let text = format!("{{\"id\":\"a\"}}\n\n{long}\n{{\"id\":\"c\"}}\n");
    let (records, _) = read(&text, InputFormat::JsonLines, 100);
    let records: Vec<(Position, RecordInput)> = records.map(Result::unwrap).collect();
    let positions: Vec<Position> = records.iter().map(|(p, _)| *p).collect();
    // The blank line 2 is no record, but it still counts as a line.
    assert_eq!(
        positions,
        [Position::Line(1), Position::Line(3), Position::Line(4)]
    );
    let message = unreadable(&records[1].1);
    assert!(message.contains("dòng 3"), "{message}");
    assert!(message.contains("max_record_bytes"), "{message}");
    assert!(matches!(&records[2].1, RecordInput::JsonLine(l) if l.contains("\"c\"")));
}

#[test]
fn an_overlong_array_element_ends_the_input_after_the_numbered_ones() {
    let text = format!(
        "[{{\"id\":\"a\"}}, {{\"id\":\"b\"}}, {{\"id\":\"c\",\"name\":\"{}\"}}]",
        "x".repeat(500)
    );
    let (records, _) = read(&text, InputFormat::JsonArray, 100);
    let records: Vec<_> = records.collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].as_ref().unwrap().0, Position::Element(1));
    assert_eq!(records[1].as_ref().unwrap().0, Position::Element(2));
    let error = records[2].as_ref().unwrap_err().to_string();
    assert!(error.contains("max_record_bytes"), "{error}");
}

#[test]
fn an_array_element_with_a_repeated_key_is_an_error_at_its_place() {
    let text = r#"[{"id":"a"}, {"id":"b","employees":3,"employees":4}]"#;
    let (records, _) = read(text, InputFormat::JsonArray, 1024);
    let records: Vec<(Position, RecordInput)> = records.map(Result::unwrap).collect();
    assert_eq!(records[1].0, Position::Element(2));
    assert!(unreadable(&records[1].1).contains("\"employees\""));
}

#[test]
fn csv_rows_keep_their_lines_and_an_overlong_row_ends_the_input() {
    // The CSV reader reads ahead 64 KiB: a row must pass the cap by more.
    let long = "x".repeat(200 * 1024);
    for end in ["\n", "\r\n"] {
        let text = [
            "id,name",
            "a,A",
            "b,\"B\nB\"",
            "c,C",
            &format!("d,{long}"),
            "e,E",
        ]
        .join(end)
            + end;
        let (records, warnings) = read(&text, InputFormat::Csv, 1024);
        assert!(
            warnings.iter().any(|w| w.contains("thiếu cột bắt buộc")),
            "{warnings:?}"
        );
        let records: Vec<_> = records.collect();
        let positions: Vec<Position> = records
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(p, _)| *p))
            .collect();
        // Line 3 holds a quoted line break: the next row is on line 5.
        assert_eq!(
            positions,
            [Position::Line(2), Position::Line(3), Position::Line(5)],
            "{end:?}"
        );
        let error = records.last().unwrap().as_ref().unwrap_err().to_string();
        assert!(error.contains("max_record_bytes"), "{error}");
    }
}
