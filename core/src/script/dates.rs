//! The date and period types scripts see, and their functions: `date`,
//! `days_between`, `add_days`, `add_months`, `p.contains`, `p.count_dates`.

use chrono::{Datelike, NaiveDate};
use rhai::{Dynamic, Engine, EvalAltResult, INT};

use super::{runtime_error, Date};
use crate::period::{parse_date, Period};

fn date_or_error(text: &str) -> Result<Date, Box<EvalAltResult>> {
    parse_date(text).map(Date).ok_or_else(|| {
        runtime_error(format!(
            "ngày không hợp lệ '{text}': viết {}",
            crate::period::DATE_FORMS
        ))
    })
}

pub(super) fn register_dates(engine: &mut Engine) {
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
