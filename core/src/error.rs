//! The one error type of the core.
//!
//! A bad *record* is not an error: it is a [`ScoreResult`](crate::ScoreResult)
//! with status `error`. These are the failures of a pack, a limit, a period or
//! an input that cannot be read at all.

use std::fmt;

use serde::Serialize;

/// Where in a pack's sources something happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the user named it (a path, or `rules/<id>/pack.rhai` for a built-in pack).
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 1-based column, when known.
    pub column: Option<usize>,
}

impl Location {
    pub(crate) fn new(file: impl Into<String>, position: rhai::Position) -> Self {
        Location {
            file: file.into(),
            line: position.line(),
            column: position.position(),
        }
    }

    pub(crate) fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Which execution limit a script exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limit {
    /// Operations in one evaluation (endless loops).
    Operations,
    /// Operations while a pack file's top level runs (loading).
    LoadOperations,
    /// Nested function calls (endless recursion).
    CallDepth,
    /// Nesting of expressions in the source.
    ExpressionDepth,
    /// Length of a string.
    StringSize,
    /// Length of an array.
    ArraySize,
    /// Entries of an object map.
    MapSize,
    /// Modules imported.
    Modules,
    /// Variables in scope.
    Variables,
    /// Size of a source file.
    SourceSize,
    /// Depth of the `extends` chain.
    ExtendsDepth,
    /// Time one evaluation ran (slow built-ins called in a loop).
    Time,
    /// Memory one evaluation built (where the counting allocator is installed).
    Memory,
}

impl Limit {
    /// The setting's name, as in [`Limits`](crate::Limits).
    pub fn name(self) -> &'static str {
        match self {
            Limit::Operations => "max_operations",
            Limit::LoadOperations => "max_load_operations",
            Limit::CallDepth => "max_call_levels",
            Limit::ExpressionDepth => "max_expr_depth",
            Limit::StringSize => "max_string_size",
            Limit::ArraySize => "max_array_size",
            Limit::MapSize => "max_map_size",
            Limit::Modules => "max_modules",
            Limit::Variables => "max_variables",
            Limit::SourceSize => "max_source_size",
            Limit::ExtendsDepth => "max_extends_depth",
            Limit::Time => "max_time_ms",
            Limit::Memory => "max_memory_bytes",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Limit::Operations | Limit::LoadOperations => "số phép tính (vòng lặp không dừng?)",
            Limit::CallDepth => "độ sâu lời gọi hàm (đệ quy không dừng?)",
            Limit::ExpressionDepth => "độ lồng biểu thức",
            Limit::StringSize => "độ dài chuỗi",
            Limit::ArraySize => "kích thước mảng",
            Limit::MapSize => "kích thước bảng (map)",
            Limit::Modules => "số module được import",
            Limit::Variables => "số biến",
            Limit::SourceSize => "kích thước tệp nguồn",
            Limit::ExtendsDepth => "độ sâu chuỗi extends",
            Limit::Time => "thời gian chạy, mili giây (quy tắc chạy quá lâu?)",
            Limit::Memory => "bộ nhớ, byte (kịch bản tạo quá nhiều dữ liệu?)",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.describe(), self.name())
    }
}

/// Everything that can go wrong outside a single record.
///
/// Messages are in Vietnamese, for the officer who wrote the pack; the
/// variants are for programs. It serializes with a `type` tag.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// A pack's source does not parse.
    #[error("{location}: lỗi cú pháp: {message}")]
    Syntax {
        /// Where.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// A pack parses but is not a valid pack (unknown key, duplicate id, bad band order, …).
    #[error("{location}: bộ quy tắc không hợp lệ: {message}")]
    InvalidPack {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A script exceeded one of the [`Limits`](crate::Limits).
    #[error("{location}: vượt giới hạn {limit} = {max}{}", context_suffix(.context))]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its value.
        max: u64,
        /// Where.
        location: Location,
        /// What was running (`criterion 2.1`, `gate G1`, `loading`).
        context: String,
    },
    /// A script failed while it ran (a type error, a missing property, a bad return value).
    #[error("{location}: lỗi khi chạy {context}: {message}")]
    Script {
        /// Where.
        location: Location,
        /// What was running.
        context: String,
        /// What went wrong.
        message: String,
    },
    /// A script tried to import a file outside its pack, or one that does not exist.
    #[error("{location}: không import được '{path}': {reason}")]
    Import {
        /// Where the import statement is.
        location: Location,
        /// The path as written.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// No pack with this id or path.
    #[error("không tìm thấy bộ quy tắc '{name}': {reason}")]
    PackNotFound {
        /// The id or path asked for.
        name: String,
        /// Why.
        reason: String,
    },
    /// The pack is not in force during the evaluation period.
    #[error("bộ quy tắc {pack} chỉ có hiệu lực {in_force}, không áp dụng cho kỳ {period}")]
    NotInForce {
        /// The pack's id.
        pack: String,
        /// Its dates in force.
        in_force: String,
        /// The period asked for.
        period: String,
    },
    /// A period that cannot be parsed or is empty.
    #[error("kỳ đánh giá không hợp lệ: {0}")]
    Period(String),
    /// Input that cannot be read at all (not a record-level problem).
    #[error("không đọc được dữ liệu vào: {0}")]
    Input(String),
    /// A file that cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
}

fn context_suffix(context: &str) -> String {
    if context.is_empty() {
        String::new()
    } else {
        format!(" (khi chạy {context})")
    }
}

impl Error {
    pub(crate) fn invalid(location: Location, message: impl Into<String>) -> Self {
        Error::InvalidPack {
            location,
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl fmt::Display, error: std::io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            message: error.to_string(),
        }
    }
}
