//! Workbooks in and out: the template read back by calamine, and hostile
//! workbooks (not a ZIP, truncated, a ZIP bomb, a huge shared string, a
//! formula without its value, an error cell, a sheet a million rows tall).

use std::io::{Cursor, Read, Write};

use calamine::Reader;
use chamdiem::{
    read_workbook, write_template, Batch, Pack, Position, RecordInput, Status, WorkbookFormat,
    WorkbookOptions,
};
use serde_json::json;

fn pack() -> Pack {
    Pack::load("vn.enterprise").expect("built-in pack")
}

/// A minimal .xlsx: one sheet "Dữ liệu" with `rows` (the XML inside
/// `<sheetData>`) and a shared string table.
fn xlsx(rows: &str, strings: &[&str]) -> Vec<u8> {
    xlsx_with(rows, strings, &[])
}

fn xlsx_with(rows: &str, strings: &[&str], extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, text: &[u8]| {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(text).unwrap();
    };
    part("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#);
    part("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
    part("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Dữ liệu\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".as_bytes());
    part("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    part("xl/worksheets/sheet1.xml", sheet.as_bytes());
    let items: String = strings
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let table = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{items}</sst>"#,
        strings.len()
    );
    part("xl/sharedStrings.xml", table.as_bytes());
    for (name, bytes) in extra {
        part(name, bytes);
    }
    zip.finish().unwrap().into_inner()
}

/// An inline-string cell.
fn text(cell: &str, value: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{value}</t></is></c>"#)
}

fn number(cell: &str, value: &str) -> String {
    format!(r#"<c r="{cell}"><v>{value}</v></c>"#)
}

fn read(
    bytes: Vec<u8>,
    options: &WorkbookOptions,
) -> Result<Vec<(Position, RecordInput)>, chamdiem::Error> {
    let mut warnings = Vec::new();
    let book = read_workbook(
        bytes,
        Some(WorkbookFormat::Xlsx),
        &pack(),
        &mut warnings,
        options,
    )?;
    book.records.collect()
}

fn unreadable(input: &RecordInput) -> &str {
    match input {
        RecordInput::Unreadable { message, .. } => message,
        other => panic!("expected an unreadable record, got {other:?}"),
    }
}

#[test]
fn the_template_reads_back_with_labels_keys_validations_and_notes() {
    let pack = pack();
    let bytes = write_template(&pack).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names()[..2], ["Dữ liệu", "Ghi chú"]);
    let data = book.worksheet_range("Dữ liệu").unwrap();
    let labels: Vec<String> = (0..pack.fields().len())
        .map(|c| data.get((0, c)).unwrap().to_string())
        .collect();
    let keys: Vec<String> = (0..pack.fields().len())
        .map(|c| data.get((1, c)).unwrap().to_string())
        .collect();
    for (i, field) in pack.fields().iter().enumerate() {
        assert_eq!(keys[i], field.name);
        let expected = if field.required {
            format!("{} *", field.label)
        } else {
            field.label.clone()
        };
        assert_eq!(labels[i], expected);
    }
    assert_eq!(
        data.height(),
        2,
        "a blank template: two header rows, no data"
    );

    let notes = book.worksheet_range("Ghi chú").unwrap();
    let cells: Vec<String> = notes.cells().map(|(_, _, v)| v.to_string()).collect();
    assert!(cells.contains(&pack.fingerprint().to_string()));
    assert!(cells.contains(&pack.id().to_string()));
    assert!(cells.contains(&pack.version().to_string()));
    for field in pack.fields() {
        assert!(cells.contains(&field.name), "notes name {}", field.name);
        if let Some(description) = &field.description {
            assert!(cells.contains(description), "notes describe {}", field.name);
        }
    }

    // calamine does not read validations: look at the sheet's XML.
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    let column = |name: &str| {
        let i = pack.fields().iter().position(|f| f.name == name).unwrap() as u32;
        let mut letters = String::new();
        let mut n = i;
        loop {
            letters.insert(0, (b'A' + (n % 26) as u8) as char);
            if n < 26 {
                break;
            }
            n = n / 26 - 1;
        }
        letters
    };
    let validation_of = |name: &str| {
        let range = format!("sqref=\"{0}3:{0}2002\"", column(name));
        let at = sheet
            .find(&range)
            .unwrap_or_else(|| panic!("a validation on {name}"));
        let start = sheet[..at].rfind("<dataValidation ").unwrap();
        let end = at + sheet[at..].find("</dataValidation>").unwrap();
        sheet[start..end].to_string()
    };
    let has_union = validation_of("has_union");
    assert!(has_union.contains("type=\"list\""), "{has_union}");
    assert!(has_union.contains("\"Có,Không\""), "{has_union}");
    let ownership = validation_of("ownership");
    assert!(
        ownership.contains("\"private,fdi,cooperative,household,state\""),
        "{ownership}"
    );
    let employees = validation_of("employees");
    assert!(employees.contains("type=\"whole\""), "{employees}");
    assert!(
        employees.contains("operator=\"greaterThanOrEqual\""),
        "{employees}"
    );
    assert!(employees.contains("<formula1>0</formula1>"), "{employees}");
    let conference = validation_of("workers_conference_date");
    assert!(conference.contains("type=\"date\""), "{conference}");
    assert!(sheet.contains("<pane ySplit=\"2\""), "frozen header rows");

    // The template read by the core: a header, no records, no complaint.
    let mut warnings = Vec::new();
    let records = read_workbook(
        bytes,
        None,
        &pack,
        &mut warnings,
        &WorkbookOptions::default(),
    )
    .unwrap();
    assert_eq!(records.sheet, "Dữ liệu");
    assert_eq!(records.records.count(), 0);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn headers_by_label_or_key_and_cells_as_typed_values() {
    // Row 1 a title, row 2 labels (one by key), then one record per row.
    let pack = pack();
    let label = |key: &str| {
        pack.fields()
            .iter()
            .find(|f| f.name == key)
            .unwrap()
            .label
            .clone()
    };
    let rows = format!(
        r#"<row r="1">{}</row><row r="2">{}{}{}{}{}</row><row r="3">{}{}{}{}{}</row><row r="5">{}{}{}{}{}</row>"#,
        text("A1", "Danh sách doanh nghiệp"),
        text("A2", "id"),
        text("B2", &label("employees")),
        text("C2", &label("has_union").to_uppercase()),
        text("D2", &label("workers_conference_date")),
        text("E2", "Ghi chú riêng"),
        number("A3", "3900123456"),
        number("B3", "420"),
        text("C3", "Có"),
        // 15/06/2024 as an Excel serial, styled as a date (style 1 below).
        r#"<c r="D3" s="1"><v>45458</v></c>"#,
        text("E3", "không đọc"),
        text("A5", "X2"),
        number("B5", "12.5"),
        text("C5", "x"),
        text("D5", "01/02/2024"),
        text("E5", ""),
    );
    let styles = br#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let bytes = xlsx_with(&rows, &[], &[("xl/styles.xml", styles.to_vec())]);
    let mut warnings = Vec::new();
    let book = read_workbook(
        bytes,
        None,
        &pack,
        &mut warnings,
        &WorkbookOptions::default(),
    )
    .unwrap();
    let records: Vec<_> = book.records.map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].0, Position::Line(3));
    assert_eq!(records[1].0, Position::Line(5));
    let RecordInput::Json(first) = &records[0].1 else {
        panic!()
    };
    assert_eq!(first["id"], json!("3900123456"));
    assert_eq!(first["employees"], json!(420));
    assert_eq!(first["has_union"], json!(true));
    assert_eq!(first["workers_conference_date"], json!("2024-06-15"));
    let RecordInput::Json(second) = &records[1].1 else {
        panic!()
    };
    assert_eq!(second["employees"], json!(12.5));
    assert_eq!(second["has_union"], json!(true));
    assert_eq!(second["workers_conference_date"], json!("01/02/2024"));
    assert!(
        warnings.iter().any(|w| w.contains("Ghi chú riêng (E)")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("thiếu cột bắt buộc") && w.contains("ownership")),
        "{warnings:?}"
    );

    // Scored: 12.5 employees is not a whole number, and the record says so.
    let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
    let results = batch.score(&[records[1].1.clone()]);
    assert_eq!(results[0].status(), Status::Error);
    let employees = results[0]
        .errors()
        .iter()
        .find(|e| e.field.as_deref() == Some("employees"))
        .unwrap();
    assert_eq!(employees.code, "record.type");
    assert!(
        employees.message.contains("số nguyên"),
        "{}",
        employees.message
    );
}

#[test]
fn an_error_cell_fails_its_row_only() {
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2" t="e"><v>#DIV/0!</v></c></row><row r="3">{}{}</row>"#,
        text("A1", "id"),
        text("B1", "employees"),
        text("A2", "E1"),
        text("A3", "E2"),
        number("B3", "7"),
    );
    let records = read(xlsx(&rows, &[]), &WorkbookOptions::default()).unwrap();
    assert_eq!(records.len(), 2);
    let message = unreadable(&records[0].1);
    assert!(
        message.contains("ô B2") && message.contains("#DIV/0!"),
        "{message}"
    );
    assert!(matches!(&records[1].1, RecordInput::Json(r) if r["employees"] == json!(7)));
}

#[test]
fn a_formula_saved_without_its_value_is_refused() {
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><f>1+1</f></c></row>"#,
        text("A1", "id"),
        text("B1", "employees"),
        text("A2", "E1"),
    );
    let error = read(xlsx(&rows, &[]), &WorkbookOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("công thức chưa được tính") && message.contains("B2"),
        "{message}"
    );
    // With its computed value (as Excel saves it), the value is read.
    let rows = rows.replace("<f>1+1</f>", "<f>1+1</f><v>2</v>");
    let records = read(xlsx(&rows, &[]), &WorkbookOptions::default()).unwrap();
    assert!(matches!(&records[0].1, RecordInput::Json(r) if r["employees"] == json!(2)));
}

#[test]
fn a_huge_shared_string_fails_its_row_only() {
    let huge = "x".repeat(3 * 1024 * 1024);
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2" t="s"><v>0</v></c></row><row r="3">{}{}</row>"#,
        text("A1", "id"),
        text("B1", "name"),
        text("A2", "E1"),
        text("A3", "E2"),
        text("B3", "Công ty B"),
    );
    let records = read(xlsx(&rows, &[&huge]), &WorkbookOptions::default()).unwrap();
    assert_eq!(records.len(), 2);
    let message = unreadable(&records[0].1);
    assert!(message.contains("max_record_bytes"), "{message}");
    assert!(matches!(&records[1].1, RecordInput::Json(r) if r["name"] == json!("Công ty B")));
}

#[test]
fn a_zip_bomb_is_refused_by_what_it_unpacks_to() {
    // 8 MB of zeros compress to a few kB; the bound here is 1 MB.
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let rows = text("A1", "id");
    let bytes = xlsx_with(&rows, &[], &[("xl/media/bomb.bin", zeros)]);
    assert!(bytes.len() < 100_000);
    let options = WorkbookOptions::default().max_unpacked_bytes(1024 * 1024);
    let message = read(bytes, &options).unwrap_err().to_string();
    assert!(message.contains("max_unpacked_bytes"), "{message}");
}

#[test]
fn not_a_zip_truncated_and_too_large_files_say_so() {
    let not_zip = read(b"id,employees\n1,2\n".to_vec(), &WorkbookOptions::default()).unwrap_err();
    assert!(
        not_zip.to_string().contains("không phải tệp nén ZIP"),
        "{not_zip}"
    );
    let whole = xlsx(&text("A1", "id"), &[]);
    let cut = whole[..whole.len() / 2].to_vec();
    let truncated = read(cut, &WorkbookOptions::default()).unwrap_err();
    assert!(truncated.to_string().contains("bị hỏng"), "{truncated}");
    let small = WorkbookOptions::default().max_file_bytes(100);
    let large = read(whole, &small).unwrap_err();
    assert!(large.to_string().contains("max_file_bytes"), "{large}");
}

#[test]
fn a_sheet_reaching_the_last_row_and_column_is_streamed() {
    // One cell at XFD1048576: a whole-range reader would allocate 17 billion cells.
    let rows = format!(
        r#"<row r="1">{}</row><row r="2">{}</row><row r="1048576">{}</row>"#,
        text("A1", "id"),
        text("A2", "E1"),
        text("XFD1048576", "xa"),
    );
    let records = read(xlsx(&rows, &[]), &WorkbookOptions::default()).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].0, Position::Line(1_048_576));
    // The far cell is in no known column: the row is a record with nothing in it.
    assert!(matches!(&records[1].1, RecordInput::Json(r) if r.as_object().unwrap().len() == 1));
}

#[test]
fn the_sheet_is_chosen_by_name() {
    let bytes = write_template(&pack()).unwrap();
    let mut warnings = Vec::new();
    let options = WorkbookOptions::default().sheet(Some("Không có".into()));
    let error = read_workbook(bytes.clone(), None, &pack(), &mut warnings, &options).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("\"Dữ liệu\"") && message.contains("\"Ghi chú\""),
        "{message}"
    );
    // Another sheet by its name (the notes name fields, so they read as a table).
    let options = WorkbookOptions::default().sheet(Some("Ghi chú".into()));
    let notes = read_workbook(bytes, None, &pack(), &mut warnings, &options).unwrap();
    assert_eq!(notes.sheet, "Ghi chú");
}

#[test]
fn an_ods_is_sniffed_and_refused_cleanly_when_broken() {
    // An OpenDocument archive without its content: a clear error, not a panic.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(WorkbookFormat::sniff(&bytes), Some(WorkbookFormat::Ods));
    let mut warnings = Vec::new();
    let error = read_workbook(
        bytes,
        None,
        &pack(),
        &mut warnings,
        &WorkbookOptions::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("bảng tính"), "{error}");
}
