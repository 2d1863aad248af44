//! The Rhai side: a bounded engine, the types and functions scripts may use,
//! and the mapping of Rhai's errors to [`Error`].
//!
//! A script sees only what is registered here: the record, the period, date
//! helpers and Rhai's standard operations. No files, network, clock or
//! randomness (Rhai is built with `no_time`; `eval` is disabled).

pub(crate) mod analysis;

use chrono::{Datelike, NaiveDate};
use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Position, INT};
use serde::Serialize;

use crate::error::{Error, Limit, Location, Refusal};
use crate::period::{parse_date, Period};
use crate::Points;

/// Execution limits for untrusted pack scripts.
///
/// The defaults are far above what a scoring sheet needs and far below what
/// would hang or exhaust the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Operations allowed in one evaluation of one rule.
    pub max_operations: u64,
    /// Operations allowed while a pack file's top level runs (loading).
    pub max_load_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Nesting of expressions (at global level; functions get half).
    pub max_expr_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Modules imported by one evaluation.
    pub max_modules: usize,
    /// Variables in one scope.
    pub max_variables: usize,
    /// Bytes in one source file.
    pub max_source_size: usize,
    /// Depth of the `extends` chain.
    pub max_extends_depth: usize,
    /// Milliseconds one evaluation may run: one rule on one record, or one
    /// file's top level at load. The operations limit counts a call of a
    /// built-in as one operation however long it takes (`a.contains(x)` over
    /// a large array); this bounds the time itself. It is the CPU time of the
    /// scoring thread (on wasm32, wall time). The host checks the clock
    /// between operations: the script never sees it.
    pub max_time_ms: u64,
    /// Bytes one evaluation may allocate and keep (the same evaluations as
    /// `max_time_ms`). Enforced only in a program that installs
    /// [`CountingAllocator`](crate::CountingAllocator) as its global
    /// allocator, as the `chamdiem` command does.
    pub max_memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_load_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_modules: 16,
            max_variables: 1_000,
            max_source_size: 1024 * 1024,
            max_extends_depth: 8,
            max_time_ms: 2_000,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    pub(crate) fn value(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Operations => self.max_operations,
            Limit::LoadOperations => self.max_load_operations,
            Limit::CallDepth => self.max_call_levels as u64,
            Limit::ExpressionDepth => self.max_expr_depth as u64,
            Limit::StringSize => self.max_string_size as u64,
            Limit::ArraySize => self.max_array_size as u64,
            Limit::MapSize => self.max_map_size as u64,
            Limit::Modules => self.max_modules as u64,
            Limit::Variables => self.max_variables as u64,
            Limit::SourceSize => self.max_source_size as u64,
            Limit::ExtendsDepth => self.max_extends_depth as u64,
            Limit::Time => self.max_time_ms,
            Limit::Memory => self.max_memory_bytes,
        }
    }
}

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

fn runtime_error(message: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE).into()
}

fn date_or_error(text: &str) -> Result<Date, Box<EvalAltResult>> {
    parse_date(text).map(Date).ok_or_else(|| {
        runtime_error(format!(
            "ngày không hợp lệ '{text}': viết {}",
            crate::period::DATE_FORMS
        ))
    })
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
/// What `on_progress` returns to stop a script that ran out of time.
const OUT_OF_TIME: INT = 1;
/// What `on_progress` returns to stop a script that built too much.
const OUT_OF_MEMORY: INT = 2;

/// The time and memory one evaluation may use, checked by the host between
/// operations. Rhai starts counting operations afresh for every evaluation,
/// so operation 1 marks its start; the start is kept per thread because one
/// engine serves every thread of a batch.
#[derive(Clone, Copy)]
struct Budget {
    time: web_time::Duration,
    memory: isize,
}

/// The time an evaluation has taken: the CPU time of its thread where the
/// system gives it (a suspended process, ctrl-Z, is then not a slow rule),
/// else the time on the wall clock (wasm32).
#[derive(Clone, Copy)]
enum Clock {
    #[cfg(not(target_arch = "wasm32"))]
    Cpu(cpu_time::ThreadTime),
    Wall(web_time::Instant),
}

impl Clock {
    fn now() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(now) = cpu_time::ThreadTime::try_now() {
            return Clock::Cpu(now);
        }
        Clock::Wall(web_time::Instant::now())
    }

    fn elapsed(&self) -> web_time::Duration {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Clock::Cpu(start) => start.try_elapsed().unwrap_or_default(),
            Clock::Wall(start) => start.elapsed(),
        }
    }
}

thread_local! {
    static STARTED: std::cell::Cell<Option<(Option<Clock>, isize)>> =
        const { std::cell::Cell::new(None) };
}

impl Budget {
    /// The clock is read once every this many operations (reading it costs
    /// more than an operation).
    const CLOCK_EVERY: u64 = 256;
    /// Memory is checked every this many operations: one operation builds
    /// at most one string, array or map within the size limits.
    const MEMORY_EVERY: u64 = 16;

    fn new(limits: &Limits) -> Self {
        Budget {
            time: web_time::Duration::from_millis(limits.max_time_ms),
            memory: isize::try_from(limits.max_memory_bytes).unwrap_or(isize::MAX),
        }
    }

    fn check(&self, operations: u64) -> Option<Dynamic> {
        // Operation 1 starts an evaluation: note the memory in use. The
        // clock is read only once an evaluation has run a while (reading the
        // thread's CPU time is a system call, dearer than many operations),
        // so the short evaluations of a scoring sheet never pay for it.
        if operations <= 1 {
            STARTED.set(Some((None, crate::alloc::live_bytes().unwrap_or(0))));
            return None;
        }
        if operations % Self::MEMORY_EVERY != 0 {
            return None;
        }
        let (clock, base) = STARTED.get().unwrap_or((None, 0));
        if crate::alloc::live_bytes().is_some_and(|now| now.wrapping_sub(base) > self.memory) {
            return Some(OUT_OF_MEMORY.into());
        }
        if operations % Self::CLOCK_EVERY != 0 {
            return None;
        }
        match clock {
            None => STARTED.set(Some((Some(Clock::now()), base))),
            Some(start) if start.elapsed() > self.time => return Some(OUT_OF_TIME.into()),
            Some(_) => {}
        }
        None
    }
}

/// Stack for threads that run pack scripts. Dropping a value nested deep
/// (maps in maps, closures capturing closures: as deep as the limits let a
/// script build) recurses in Rhai's code, and overflowing a thread's stack
/// aborts the whole process. Only address space is reserved: memory is used
/// as deep as a script actually goes.
///
/// [`PackLoader`](crate::PackLoader) and [`Batch`](crate::Batch) run scripts
/// on threads with this stack; [`Scorer`](crate::Scorer), called from a thread
/// with less, runs each rule on a stack of this size switched to for the call.
/// On wasm32 scripts run on the calling stack.
pub const SCRIPT_STACK_SIZE: usize = 512 * 1024 * 1024;

/// Runs `work` on a new thread with [`SCRIPT_STACK_SIZE`] of stack (on wasm32,
/// which has no threads, on this one). A panic in `work` comes back as `Err`
/// with its message.
pub(crate) fn on_script_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("chamdiem-script".into())
                .stack_size(SCRIPT_STACK_SIZE)
                .spawn_scoped(scope, work);
            match thread {
                Ok(thread) => thread.join().map_err(|panic| panic_message(&*panic)),
                Err(e) => Err(format!("không tạo được luồng chạy kịch bản: {e}")),
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        Ok(work())
    }
}

/// Runs `work` (one rule's evaluation) where at least half of
/// [`SCRIPT_STACK_SIZE`] is left: on this thread's stack when there is that
/// much (threads of a [`Batch`](crate::Batch)), else on a new stack of that
/// size switched to on this same thread. On wasm32, where that is not
/// possible, on this stack.
pub(crate) fn with_deep_stack<T>(work: impl FnOnce() -> T) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    {
        stacker::maybe_grow(SCRIPT_STACK_SIZE / 2, SCRIPT_STACK_SIZE, work)
    }
    #[cfg(target_arch = "wasm32")]
    {
        work()
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "không rõ nguyên nhân".into())
}

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

fn register_dates(engine: &mut Engine) {
    engine
        .register_type_with_name::<Date>("Date")
        .register_fn("date", |text: &str| date_or_error(text))
        .register_fn("parse_date", |text: &str| date_or_error(text))
        .register_fn("date", |y: INT, m: INT, d: INT| {
            let ymd = (i32::try_from(y), u32::try_from(m), u32::try_from(d));
            match ymd {
                (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d).map(Date),
                _ => None,
            }
            .ok_or_else(|| runtime_error(format!("ngày không hợp lệ {y}-{m}-{d}")))
        })
        .register_get("year", |d: &mut Date| d.0.year() as INT)
        .register_get("month", |d: &mut Date| d.0.month() as INT)
        .register_get("day", |d: &mut Date| d.0.day() as INT)
        .register_fn("to_string", |d: &mut Date| d.0.to_string())
        .register_fn("to_debug", |d: &mut Date| d.0.to_string())
        .register_fn("==", |a: Date, b: Date| a == b)
        .register_fn("!=", |a: Date, b: Date| a != b)
        .register_fn("<", |a: Date, b: Date| a < b)
        .register_fn("<=", |a: Date, b: Date| a <= b)
        .register_fn(">", |a: Date, b: Date| a > b)
        .register_fn(">=", |a: Date, b: Date| a >= b)
        .register_fn("days_between", |a: Date, b: Date| {
            (b.0 - a.0).num_days() as INT
        })
        .register_fn("add_days", |d: Date, n: INT| {
            // `n` may come from the data: checked all the way, never a panic.
            chrono::Duration::try_days(n)
                .and_then(|days| d.0.checked_add_signed(days))
                .map(Date)
                .ok_or_else(|| {
                    runtime_error(format!("add_days: {} cộng {n} ngày vượt phạm vi ngày", d.0))
                })
        })
        // Calendar months and years: 31 January + 1 month is 29 February in a
        // leap year (28 otherwise); 29 February + 1 year is 28 February.
        .register_fn("add_months", |d: Date, n: INT| {
            add_months(d, n, "add_months")
        })
        .register_fn("add_years", |d: Date, n: INT| {
            n.checked_mul(12)
                .ok_or_else(|| runtime_error(format!("add_years: {n} năm vượt phạm vi ngày")))
                .and_then(|months| add_months(d, months, "add_years"))
        })
        .register_fn("is_date", |value: Dynamic| value.is::<Date>());

    engine
        .register_type_with_name::<Period>("Period")
        .register_get("start", |p: &mut Period| Date(p.start()))
        .register_get("end", |p: &mut Period| Date(p.end()))
        .register_fn("days", |p: &mut Period| p.days() as INT)
        .register_fn("to_string", |p: &mut Period| p.to_string())
        .register_fn("to_debug", |p: &mut Period| p.to_string())
        // `()` (no date) is never in the period.
        .register_fn("contains", |p: &mut Period, d: Date| p.contains(d.0))
        .register_fn("contains", |_: &mut Period, _: ()| false)
        .register_fn("contains", |p: &mut Period, text: &str| {
            date_or_error(text).map(|d| p.contains(d.0))
        })
        // How many distinct dates of a list lie in the period.
        .register_fn("count_dates", |p: &mut Period, dates: rhai::Array| {
            let dates = dates
                .iter()
                .filter_map(|d| d.clone().try_cast::<Date>())
                .map(|d| d.0);
            p.count_distinct(dates) as INT
        });
}

fn add_months(d: Date, n: INT, name: &str) -> Result<Date, Box<EvalAltResult>> {
    let months = u32::try_from(n.unsigned_abs())
        .ok()
        .map(chrono::Months::new);
    months
        .and_then(|m| {
            if n >= 0 {
                d.0.checked_add_months(m)
            } else {
                d.0.checked_sub_months(m)
            }
        })
        .map(Date)
        .ok_or_else(|| runtime_error(format!("{name}: {} cộng {n} tháng vượt phạm vi ngày", d.0)))
}

/// `ratio_at_least(part, whole, share)`: whether `part / whole ≥ share`,
/// exactly, without overflow. `share` is read as a decimal to 9 places
/// (0.9 is nine tenths exactly); a share that is no such decimal, like a
/// third, is rounded to 9 places first.
fn ratio_at_least(part: INT, whole: INT, share: rhai::FLOAT) -> Result<bool, Box<EvalAltResult>> {
    if whole <= 0 {
        return Err(runtime_error(format!(
            "ratio_at_least({part}, {whole}, …): mẫu số phải lớn hơn 0"
        )));
    }
    if !share.is_finite() {
        return Err(runtime_error(format!(
            "ratio_at_least(…, {share}): tỉ lệ phải là một số"
        )));
    }
    const SCALE: i128 = 1_000_000_000;
    let scaled = (share * SCALE as f64).round();
    if scaled.abs() > 1e30 {
        return Ok(part as f64 / whole as f64 >= share);
    }
    // i128 holds 2⁶³ × 10⁹ with room to spare: no overflow.
    Ok(part as i128 * SCALE >= scaled as i128 * whole as i128)
}

/// How many of the ascending `bounds` are at most `value`: the step of a bracket.
pub(crate) fn bracket_index(bounds: &[f64], value: f64) -> usize {
    bounds.iter().take_while(|&&b| value >= b).count()
}

/// `bracket(x, [50, 150], [3, 4, 9])`: the entry of `results` for the step
/// `x` falls in (below 50 → 3; 50 to under 150 → 4; 150 and above → 9).
fn bracket(
    value: Dynamic,
    bounds: rhai::Array,
    results: rhai::Array,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let number = |d: &Dynamic| {
        d.as_int()
            .map(|i| i as rhai::FLOAT)
            .or_else(|_| d.as_float())
            .ok()
    };
    let x = number(&value).ok_or_else(|| {
        runtime_error(format!(
            "bracket: giá trị phải là số, nhận {}",
            value.type_name()
        ))
    })?;
    let bounds: Vec<f64> = bounds
        .iter()
        .map(number)
        .collect::<Option<_>>()
        .ok_or_else(|| runtime_error("bracket: các mốc phải là số"))?;
    if bounds.windows(2).any(|w| w[0] >= w[1]) {
        return Err(runtime_error("bracket: các mốc phải tăng dần"));
    }
    if results.len() != bounds.len() + 1 {
        return Err(runtime_error(format!(
            "bracket: cần {} kết quả cho {} mốc, có {}",
            bounds.len() + 1,
            bounds.len(),
            results.len()
        )));
    }
    Ok(results[bracket_index(&bounds, x)].clone())
}

/// `any_below(s.groups, s.group_max, 0.5)`: whether some entry of `values`
/// is below `share` of the same key's entry in `maxima`.
pub(crate) fn any_below(
    values: rhai::Map,
    maxima: rhai::Map,
    share: rhai::FLOAT,
) -> Result<bool, Box<EvalAltResult>> {
    let number = |d: &Dynamic| {
        d.as_float()
            .or_else(|_| d.as_int().map(|i| i as rhai::FLOAT))
    };
    for (key, value) in &values {
        let max = maxima.get(key).ok_or_else(|| {
            runtime_error(format!("any_below: không có giá trị tối đa cho '{key}'"))
        })?;
        match (number(value), number(max)) {
            (Ok(v), Ok(m)) if v < share * m => return Ok(true),
            (Ok(_), Ok(_)) => {}
            _ => return Err(runtime_error(format!("any_below: '{key}' không phải số"))),
        }
    }
    Ok(false)
}

fn register_awards(engine: &mut Engine) {
    engine
        .register_fn("bracket", bracket)
        .register_fn("ratio_at_least", ratio_at_least)
        .register_fn("ratio_at_least", |part: INT, whole: INT, share: INT| {
            ratio_at_least(part, whole, share as rhai::FLOAT)
        })
        .register_fn("any_below", any_below)
        .register_fn("any_below", |v: rhai::Map, m: rhai::Map, share: INT| {
            any_below(v, m, share as rhai::FLOAT)
        });
    engine
        .register_type_with_name::<Award>("Award")
        .register_fn("pass", |reason: ImmutableString| Award {
            share: Share::Ratio(1, 1),
            reason,
        })
        .register_fn("fail", |reason: ImmutableString| Award {
            share: Share::Ratio(0, 1),
            reason,
        })
        .register_fn("part", |num: INT, den: INT, reason: ImmutableString| {
            if den <= 0 || num < 0 || num > den {
                return Err(runtime_error(format!(
                    "part({num}, {den}, …): cần 0 ≤ tử số ≤ mẫu số và mẫu số > 0"
                )));
            }
            Ok(Award {
                share: Share::Ratio(num, den),
                reason,
            })
        })
        .register_fn("points", |x: INT, reason: ImmutableString| Award {
            share: Share::Points(Points::from_hundredths(x.saturating_mul(100))),
            reason,
        })
        .register_fn("points", |x: rhai::FLOAT, reason: ImmutableString| {
            Points::from_f64(x)
                .map(|p| Award {
                    share: Share::Points(p),
                    reason,
                })
                .ok_or_else(|| runtime_error(format!("points({x}, …): không phải số điểm hợp lệ")))
        });
}

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

/// Maps a Rhai runtime error to a typed [`Error`].
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
        other => {
            // Rhai's own message, without its trailing position.
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
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
            message: kind.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
