//! Excel in and out: reading records from `.xlsx` (and `.xls`/`.ods`)
//! workbooks, and writing the blank input workbook (the template) a pack's
//! declared fields describe.
//!
//! A workbook gives the same records the CSV reader gives: the header names
//! each column by the field's key or its Vietnamese label, and each row below
//! it is one record, with real numbers and dates taken from the cells. One bad
//! row becomes that record's `error` result; the batch goes on.

mod read;
mod template;

pub use read::{read_workbook, read_workbook_file, WorkbookRecords};
#[cfg(feature = "xlsx-write")]
pub use template::write_template;
pub use template::{DATA_SHEET, KEYS_ROW, LABELS_ROW, NOTES_SHEET};

use std::path::Path;

use crate::ReadOptions;

/// The workbook formats records can be read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkbookFormat {
    /// Office Open XML (`.xlsx`, `.xlsm`): Excel 2007 and later.
    Xlsx,
    /// The binary format of Excel 97–2003 (`.xls`).
    Xls,
    /// OpenDocument (`.ods`): LibreOffice.
    Ods,
}

impl WorkbookFormat {
    /// The workbook format a file's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" => Some(WorkbookFormat::Xlsx),
            "xls" => Some(WorkbookFormat::Xls),
            "ods" => Some(WorkbookFormat::Ods),
            _ => None,
        }
    }

    /// The format the first bytes of a file show: a ZIP archive is `.xlsx`
    /// (or `.ods` when it says so in its `mimetype`), an OLE compound file is
    /// `.xls`. `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"PK\x03\x04") {
            // An OpenDocument file stores its type first, uncompressed.
            let ods = bytes.get(30..120).is_some_and(|head| {
                memchr::memmem::find(head, b"opendocument.spreadsheet").is_some()
            });
            Some(if ods {
                WorkbookFormat::Ods
            } else {
                WorkbookFormat::Xlsx
            })
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Some(WorkbookFormat::Xls)
        } else {
            None
        }
    }

    fn extension(self) -> &'static str {
        match self {
            WorkbookFormat::Xlsx => ".xlsx",
            WorkbookFormat::Xls => ".xls",
            WorkbookFormat::Ods => ".ods",
        }
    }
}

/// How a workbook is read: the sheet, and the bounds that keep a hostile
/// file (a ZIP bomb, a sheet of a million columns) from exhausting memory.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkbookOptions {
    /// The sheet to read, by name; the first sheet when `None`.
    pub sheet: Option<String>,
    /// The largest workbook file read, in bytes.
    pub max_file_bytes: u64,
    /// The most bytes all the parts of a `.xlsx`/`.ods` archive may unpack
    /// to (checked by unpacking, not by trusting the sizes the archive states).
    pub max_unpacked_bytes: u64,
    /// The bounds of one record: a row whose cells hold more than
    /// `max_record_bytes` becomes that row's `error` result.
    pub read: ReadOptions,
}

impl Default for WorkbookOptions {
    fn default() -> Self {
        WorkbookOptions {
            sheet: None,
            max_file_bytes: 64 * 1024 * 1024,
            max_unpacked_bytes: 256 * 1024 * 1024,
            read: ReadOptions::default(),
        }
    }
}

impl WorkbookOptions {
    /// Sets [`sheet`](Self::sheet).
    #[must_use]
    pub fn sheet(mut self, sheet: Option<String>) -> Self {
        self.sheet = sheet;
        self
    }

    /// Sets [`max_file_bytes`](Self::max_file_bytes).
    #[must_use]
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`max_unpacked_bytes`](Self::max_unpacked_bytes).
    #[must_use]
    pub fn max_unpacked_bytes(mut self, bytes: u64) -> Self {
        self.max_unpacked_bytes = bytes;
        self
    }

    /// Sets [`read`](Self::read).
    #[must_use]
    pub fn read(mut self, read: ReadOptions) -> Self {
        self.read = read;
        self
    }
}

/// The column letters of a 0-based column index: 0 → `A`, 27 → `AB`.
pub(crate) fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_as_excel_does() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
    }
}
