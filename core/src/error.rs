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
    /// Nesting of a value a script built: arrays and maps inside each
    /// other, closures capturing closures.
    NestingDepth,
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
            Limit::NestingDepth => "max_nesting_depth",
        }
    }

    /// The stable, machine-readable code of exceeding this limit
    /// (`limit.operations`, `limit.call_depth`, …): the variant's name in
    /// snake case after `limit.`. It never changes with the wording.
    pub fn code(self) -> &'static str {
        match self {
            Limit::Operations => "limit.operations",
            Limit::LoadOperations => "limit.load_operations",
            Limit::CallDepth => "limit.call_depth",
            Limit::ExpressionDepth => "limit.expression_depth",
            Limit::StringSize => "limit.string_size",
            Limit::ArraySize => "limit.array_size",
            Limit::MapSize => "limit.map_size",
            Limit::Modules => "limit.modules",
            Limit::Variables => "limit.variables",
            Limit::SourceSize => "limit.source_size",
            Limit::ExtendsDepth => "limit.extends_depth",
            Limit::Time => "limit.time",
            Limit::Memory => "limit.memory",
            Limit::NestingDepth => "limit.nesting_depth",
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
            Limit::NestingDepth => {
                "độ lồng của giá trị (mảng, bảng, closure lồng nhau không dừng?)"
            }
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.describe(), self.name())
    }
}

/// What exactly is wrong with a pack that parses but is not valid, when the
/// loader knows (see [`Error::InvalidPack`]). Its [`code`](PackProblem::code)
/// is the error's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PackProblem {
    /// Anything not named below (a value of the wrong type, a bad date, …).
    Invalid,
    /// A declaration has a key it does not know (`field("x", #{ typ: … })`).
    UnknownKey,
    /// A declaration lacks a key it needs (`criterion` without `points`).
    MissingKey,
    /// An id declared twice (a second `criterion("2.1", …)`).
    DuplicateId,
    /// A reference to an id that is not declared (a group, a band for a
    /// gate's `cap`, the target of `change_*` or `remove_*`).
    UnknownId,
    /// A rule reads a field not declared with `field(…)`.
    UndeclaredField,
    /// Files that `extends` or `import` each other in a ring.
    Cycle,
    /// The criteria's points do not add up to `max_points`.
    Points,
    /// The classification bands are missing, out of order or unreachable.
    Bands,
    /// A function defined under a name the engine reserves (`bracket`, `pass`, …).
    ReservedName,
}

impl PackProblem {
    /// The stable code: `pack.invalid`, `pack.unknown_key`, `pack.missing_key`,
    /// `pack.duplicate_id`, `pack.unknown_id`, `pack.undeclared_field`,
    /// `pack.cycle`, `pack.points`, `pack.bands` or `pack.reserved_name`.
    pub fn code(self) -> &'static str {
        match self {
            PackProblem::Invalid => "pack.invalid",
            PackProblem::UnknownKey => "pack.unknown_key",
            PackProblem::MissingKey => "pack.missing_key",
            PackProblem::DuplicateId => "pack.duplicate_id",
            PackProblem::UnknownId => "pack.unknown_id",
            PackProblem::UndeclaredField => "pack.undeclared_field",
            PackProblem::Cycle => "pack.cycle",
            PackProblem::Points => "pack.points",
            PackProblem::Bands => "pack.bands",
            PackProblem::ReservedName => "pack.reserved_name",
        }
    }
}

/// A declaration the pack builder refuses while a pack's top level runs. It
/// travels through Rhai as the value of a runtime error and comes out as
/// [`Error::InvalidPack`] with its [`PackProblem`], at the script's line.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    pub problem: PackProblem,
    pub message: String,
}

/// Everything that can go wrong outside a single record.
///
/// Messages (`Display`) are in Vietnamese, for the officer who wrote the
/// pack; [`code`](Error::code) and the variants are for programs. Match on
/// the code, never on the message: codes do not change with the wording.
///
/// It serializes with a `type` tag (the variant), a `code` and the variant's
/// fields, for example
/// `{"code":"pack.syntax","type":"syntax","location":{"file":"p.rhai","line":4,"column":7},"message":"…"}`.
#[derive(Debug, thiserror::Error)]
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
        /// What kind of problem, when the loader knows.
        problem: PackProblem,
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

/// Written by hand: a `code` beside the `type` tag, and the one-value
/// variants (`Period`, `Input`) as a `message` (serde cannot tag a bare string).
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        match self {
            Error::Syntax { location, message } => {
                map.serialize_entry("type", "syntax")?;
                map.serialize_entry("location", location)?;
                map.serialize_entry("message", message)?;
            }
            Error::InvalidPack {
                problem,
                location,
                message,
            } => {
                map.serialize_entry("type", "invalid_pack")?;
                map.serialize_entry("problem", problem)?;
                map.serialize_entry("location", location)?;
                map.serialize_entry("message", message)?;
            }
            Error::LimitExceeded {
                limit,
                max,
                location,
                context,
            } => {
                map.serialize_entry("type", "limit_exceeded")?;
                map.serialize_entry("limit", limit)?;
                map.serialize_entry("max", max)?;
                map.serialize_entry("location", location)?;
                map.serialize_entry("context", context)?;
            }
            Error::Script {
                location,
                context,
                message,
            } => {
                map.serialize_entry("type", "script")?;
                map.serialize_entry("location", location)?;
                map.serialize_entry("context", context)?;
                map.serialize_entry("message", message)?;
            }
            Error::Import {
                location,
                path,
                reason,
            } => {
                map.serialize_entry("type", "import")?;
                map.serialize_entry("location", location)?;
                map.serialize_entry("path", path)?;
                map.serialize_entry("reason", reason)?;
            }
            Error::PackNotFound { name, reason } => {
                map.serialize_entry("type", "pack_not_found")?;
                map.serialize_entry("name", name)?;
                map.serialize_entry("reason", reason)?;
            }
            Error::NotInForce {
                pack,
                in_force,
                period,
            } => {
                map.serialize_entry("type", "not_in_force")?;
                map.serialize_entry("pack", pack)?;
                map.serialize_entry("in_force", in_force)?;
                map.serialize_entry("period", period)?;
            }
            Error::Period(message) => {
                map.serialize_entry("type", "period")?;
                map.serialize_entry("message", message)?;
            }
            Error::Input(message) => {
                map.serialize_entry("type", "input")?;
                map.serialize_entry("message", message)?;
            }
            Error::Io { path, message } => {
                map.serialize_entry("type", "io")?;
                map.serialize_entry("path", path)?;
                map.serialize_entry("message", message)?;
            }
        }
        map.end()
    }
}

impl Error {
    /// The stable, machine-readable code of this error:
    ///
    /// | code | variant |
    /// |---|---|
    /// | `pack.syntax` | [`Error::Syntax`] |
    /// | `pack.invalid`, `pack.unknown_key`, `pack.missing_key`, `pack.duplicate_id`, `pack.unknown_id`, `pack.undeclared_field`, `pack.cycle`, `pack.points`, `pack.bands` | [`Error::InvalidPack`], see [`PackProblem`] |
    /// | `limit.operations`, `limit.call_depth`, … | [`Error::LimitExceeded`], see [`Limit::code`] |
    /// | `pack.runtime` | [`Error::Script`] while a pack loads |
    /// | `rule.runtime` | [`Error::Script`] while a rule scores a record |
    /// | `pack.import` | [`Error::Import`] |
    /// | `pack.not_found` | [`Error::PackNotFound`] |
    /// | `pack.not_in_force` | [`Error::NotInForce`] |
    /// | `period.invalid` | [`Error::Period`] |
    /// | `input.unreadable` | [`Error::Input`] |
    /// | `io` | [`Error::Io`] |
    ///
    /// ```
    /// let error = chamdiem::Pack::from_source("p.rhai", "pack(#{ id: ").unwrap_err();
    /// assert_eq!(error.code(), "pack.syntax");
    /// assert_eq!(error.location().unwrap().file, "p.rhai");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Syntax { .. } => "pack.syntax",
            Error::InvalidPack { problem, .. } => problem.code(),
            Error::LimitExceeded { limit, .. } => limit.code(),
            Error::Script { context, .. } if context == crate::script::LOADING => "pack.runtime",
            Error::Script { .. } => "rule.runtime",
            Error::Import { .. } => "pack.import",
            Error::PackNotFound { .. } => "pack.not_found",
            Error::NotInForce { .. } => "pack.not_in_force",
            Error::Period(_) => "period.invalid",
            Error::Input(_) => "input.unreadable",
            Error::Io { .. } => "io",
        }
    }

    /// Where in a pack's sources the error is, when it is in one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { location, .. }
            | Error::InvalidPack { location, .. }
            | Error::LimitExceeded { location, .. }
            | Error::Script { location, .. }
            | Error::Import { location, .. } => Some(location),
            Error::PackNotFound { .. }
            | Error::NotInForce { .. }
            | Error::Period(_)
            | Error::Input(_)
            | Error::Io { .. } => None,
        }
    }

    pub(crate) fn invalid(location: Location, message: impl Into<String>) -> Self {
        Error::invalid_as(PackProblem::Invalid, location, message)
    }

    pub(crate) fn invalid_as(
        problem: PackProblem,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidPack {
            problem,
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
