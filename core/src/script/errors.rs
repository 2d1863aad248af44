//! Rhai's errors as typed [`Error`]s: a limit named, a refused declaration
//! as an invalid pack, a missing module as an import error, and the file
//! and line of the innermost failure.

use rhai::{EvalAltResult, Position};

use super::budget::{OUT_OF_MEMORY, OUT_OF_TIME};
use super::nesting::TOO_DEEP;
use super::Limits;
use crate::error::{Error, Limit, Location, Refusal};

/// The innermost error and its position, through nested function calls.
fn innermost(error: &EvalAltResult) -> (&EvalAltResult, Position) {
    let mut current = error;
    let mut position = error.position();
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, pos)
    | EvalAltResult::ErrorInModule(_, inner, pos) = current
    {
        if !pos.is_none() {
            position = *pos;
        }
        current = inner;
        if !current.position().is_none() {
            position = current.position();
        }
    }
    (current, position)
}

/// What a load-time failure was doing, in messages.
pub(crate) const LOADING: &str = "nạp bộ quy tắc";
/// What a parse-time failure was doing, in messages.
pub(crate) const PARSING: &str = "đọc mã nguồn";

/// Maps a Rhai runtime error to a typed [`Error`]; `fallback` gives the file,
/// and the line when Rhai knows none (the line of the rule's declaration).
pub(crate) fn eval_error(
    error: &EvalAltResult,
    fallback: &Location,
    context: &str,
    limits: &Limits,
) -> Error {
    let (inner, position) = innermost(error);
    let location = if position.is_none() {
        fallback.clone()
    } else {
        Location::new(&fallback.file, position)
    };
    let limit = match inner {
        EvalAltResult::ErrorTooManyOperations(_) => Some(Limit::Operations),
        EvalAltResult::ErrorTerminated(token, _) => match token.as_int() {
            Ok(OUT_OF_TIME) => Some(Limit::Time),
            Ok(OUT_OF_MEMORY) => Some(Limit::Memory),
            Ok(TOO_DEEP) => Some(Limit::NestingDepth),
            _ => None,
        },
        EvalAltResult::ErrorStackOverflow(_) => Some(Limit::CallDepth),
        EvalAltResult::ErrorTooManyModules(_) => Some(Limit::Modules),
        EvalAltResult::ErrorTooManyVariables(_) => Some(Limit::Variables),
        EvalAltResult::ErrorDataTooLarge(what, _) => Some(if what.contains("array") {
            Limit::ArraySize
        } else if what.contains("map") {
            Limit::MapSize
        } else {
            Limit::StringSize
        }),
        _ => None,
    };
    if let Some(limit) = limit {
        let limit = if limit == Limit::Operations && context == LOADING {
            Limit::LoadOperations
        } else {
            limit
        };
        let max = limits.value(limit);
        return Error::LimitExceeded {
            limit,
            max,
            location,
            context: context.to_string(),
        };
    }
    let message = match inner {
        // A declaration the pack builder refused: an invalid pack, not a script failure.
        EvalAltResult::ErrorRuntime(value, _) if value.is::<Refusal>() => {
            let refusal = value.clone().cast::<Refusal>();
            return Error::invalid_as(refusal.problem, location, refusal.message);
        }
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        EvalAltResult::ErrorModuleNotFound(path, _) => {
            return Error::Import {
                location,
                path: path.clone(),
                reason: "không có tệp này trong bộ quy tắc".into(),
            }
        }
        other => super::messages::eval_message(other),
    };
    Error::Script {
        location,
        context: context.to_string(),
        message,
    }
}

/// Maps a Rhai parse error to a typed [`Error`].
pub(crate) fn parse_error(error: &rhai::ParseError, file: &str, limits: &Limits) -> Error {
    let location = Location::new(file, error.position());
    match error.err_type() {
        rhai::ParseErrorType::ExprTooDeep => Error::LimitExceeded {
            limit: Limit::ExpressionDepth,
            max: limits.max_expr_depth as u64,
            location,
            context: PARSING.into(),
        },
        rhai::ParseErrorType::LiteralTooLarge(..) => Error::LimitExceeded {
            limit: Limit::StringSize,
            max: limits.max_string_size as u64,
            location,
            context: PARSING.into(),
        },
        kind => Error::Syntax {
            location,
            message: super::messages::parse_message(kind),
        },
    }
}
