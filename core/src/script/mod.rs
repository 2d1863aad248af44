//! The Rhai side: a bounded engine, the types and functions scripts may use,
//! and the mapping of Rhai's errors to [`Error`].
//!
//! A script sees only what is registered here: the record, the period, date
//! helpers and Rhai's standard operations. No files, network, clock or
//! randomness (Rhai is built with `no_time`; `eval` is disabled).

pub(crate) mod analysis;
mod awards;
mod budget;
mod dates;
mod errors;
mod limits;
mod messages;
mod nesting;
mod stack;

use chrono::NaiveDate;
use rhai::packages::{Package, StandardPackage};
#[cfg(test)]
use rhai::INT;
use rhai::{Engine, EvalAltResult, ImmutableString, Position};

pub(crate) use awards::any_below;
pub(crate) use errors::{eval_error, parse_error, LOADING};
pub use limits::Limits;
pub use stack::SCRIPT_STACK_SIZE;
pub(crate) use stack::{on_script_stack, panic_message, with_deep_stack};

use crate::Points;
use awards::register_awards;
use budget::Budget;
use dates::register_dates;

// Here, not in `dates` and `awards`: Rhai shows a list of these by their
// type's path (`[chamdiem::script::Date]`, as the pack guide prints).
/// A calendar date, as scripts see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// What one criterion awards: a share of its points and a reason.
#[derive(Clone, Debug)]
pub(crate) struct Award {
    pub share: Share,
    pub reason: ImmutableString,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Share {
    /// `numerator / denominator` of the criterion's points.
    Ratio(i64, i64),
    /// An explicit number of points.
    Points(Points),
}

pub(super) fn runtime_error(message: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE).into()
}

/// Names of the engine's own functions and of the pack declarations: a pack
/// may not define a function with one of them (it would change what every
/// rule calling it computes, without a word).
pub(crate) const RESERVED: &[&str] = &[
    // scoring
    "pass",
    "fail",
    "part",
    "points",
    "bracket",
    "any_below",
    "ratio_at_least",
    // dates and the period
    "date",
    "parse_date",
    "is_date",
    "days_between",
    "add_days",
    "add_months",
    "add_years",
    "contains",
    "count_dates",
    "days",
    // the record and the scores
    "keys",
    "values",
    "len",
    "to_map",
    // declarations
    "pack",
    "extends",
    "field",
    "group",
    "criterion",
    "band",
    "gate",
    "applies",
    "deadline",
    "change_field",
    "change_group",
    "change_criterion",
    "change_band",
    "change_gate",
    "change_deadline",
    "remove_field",
    "remove_group",
    "remove_criterion",
    "remove_band",
    "remove_gate",
    "remove_deadline",
];

/// A new engine with the limits, the standard operations and chamdiem's
/// types and functions, and nothing else.
pub(crate) fn new_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_modules(limits.max_modules)
        .set_max_variables(limits.max_variables)
        .set_optimization_level(rhai::OptimizationLevel::Full)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true);
    engine.disable_symbol("eval");
    let budget = Budget::new(limits);
    engine.on_progress(move |operations| budget.check(operations));
    nesting::bound_nesting(&mut engine, limits.max_nesting_depth);
    register_dates(&mut engine);
    register_awards(&mut engine);
    crate::score::register_views(&mut engine);
    // Lets the unit tests check that a panic while scoring costs one record.
    #[cfg(test)]
    engine.register_fn("panic_for_tests", |_: INT| -> bool {
        panic!("panic_for_tests")
    });
    engine
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Limit, Location};
    use crate::period::Period;
    use rhai::Dynamic;

    fn run(script: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let engine = new_engine(&Limits::default());
        let mut scope = rhai::Scope::new();
        scope.push("p", "2024".parse::<Period>().unwrap());
        engine.eval_with_scope::<Dynamic>(&mut scope, script)
    }

    #[test]
    fn dates_and_periods() {
        assert!(run(r#"p.contains(date("2024-12-31"))"#)
            .unwrap()
            .as_bool()
            .unwrap());
        assert!(!run(r#"p.contains(date("2023-12-31"))"#)
            .unwrap()
            .as_bool()
            .unwrap());
        assert!(!run("p.contains(())").unwrap().as_bool().unwrap());
        let n =
            run(r#"p.count_dates([date("2024-03-01"), date("2024-03-01"), date("2025-01-01")])"#);
        assert_eq!(n.unwrap().as_int().unwrap(), 1);
        assert_eq!(
            run(r#"days_between(date("2024-01-01"), date("2024-03-01"))"#)
                .unwrap()
                .as_int()
                .unwrap(),
            60
        );
        assert_eq!(
            run(r#"date("05/11/2024").month"#)
                .unwrap()
                .as_int()
                .unwrap(),
            11
        );
        assert!(run(r#"date("2024-02-30")"#).is_err());
    }

    #[test]
    fn date_arithmetic_out_of_range_is_an_error_not_a_panic() {
        for n in [i64::MAX, i64::MIN + 1, 1 << 40, -(1 << 40), 300_000 * 366] {
            let error = run(&format!(r#"add_days(date("2024-01-01"), {n})"#)).unwrap_err();
            assert!(error.to_string().contains("vượt phạm vi"), "{n}: {error}");
        }
        // 100 years, 24 of them leap (2100 is not): 36,524 days.
        let far = run(r#"add_days(date("2024-01-01"), 36524)"#).unwrap();
        assert_eq!(far.cast::<Date>().0.to_string(), "2124-01-01");
        assert!(run("date(2024, 1, 9223372036854775807)").is_err());
        assert!(run("date(9223372036854775807, 1, 1)").is_err());
    }

    #[test]
    fn a_slow_built_in_in_a_loop_runs_out_of_time() {
        let limits = Limits {
            max_time_ms: 50,
            ..Limits::default()
        };
        let engine = new_engine(&limits);
        let script =
            r#"let a = []; for i in 0..9999 { a.push("x" + i); } loop { a.contains("y"); }"#;
        let error = engine.eval::<Dynamic>(script).unwrap_err();
        let error = eval_error(&error, &Location::file("t.rhai"), "tiêu chí 1.1", &limits);
        assert!(
            matches!(
                error,
                Error::LimitExceeded {
                    limit: Limit::Time,
                    max: 50,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("tiêu chí 1.1"), "{error}");
    }

    #[test]
    fn brackets() {
        let need = |n: i64| {
            run(&format!(
                "bracket({n}, [50, 150, 300, 500, 1000], [3, 4, 9, 14, 19, 24])"
            ))
            .unwrap()
            .as_int()
            .unwrap()
        };
        assert_eq!(
            [
                need(0),
                need(49),
                need(50),
                need(149),
                need(150),
                need(999),
                need(1000)
            ],
            [3, 3, 4, 4, 9, 19, 24]
        );
        assert!(run("bracket(1, [5, 2], [1, 2, 3])").is_err());
        assert!(run("bracket(1, [5], [1])").is_err());
    }

    #[test]
    fn no_clock_no_eval() {
        assert!(run("timestamp()").is_err());
        assert!(run(r#"eval("1")"#).is_err());
    }

    /// `print` and `debug` run without error but write nothing: checked on
    /// the real standard output and error of a child process running this
    /// same test binary.
    #[test]
    fn print_and_debug_reach_neither_stdout_nor_stderr() {
        const CHILD: &str = "CHAMDIEM_PRINT_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let value = run(r#"print("RÒ RỈ"); debug("RÒ RỈ"); 1"#).unwrap();
            assert_eq!(value.as_int().unwrap(), 1);
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "script::tests::print_and_debug_reach_neither_stdout_nor_stderr",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}{stderr}");
        // The child did run the script (its harness reports one test passed).
        assert!(stdout.contains("1 passed"), "{stdout}");
        assert!(
            !stdout.contains("RÒ RỈ") && !stderr.contains("RÒ RỈ"),
            "{stdout}{stderr}"
        );
    }
}
