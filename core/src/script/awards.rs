//! What a rule returns and the helpers that compute it: `pass`, `fail`,
//! `part`, `points`, `bracket`, `ratio_at_least`, `any_below`.

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, INT};

use super::{runtime_error, Award, Share};
use crate::Points;

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
fn bracket_index(bounds: &[f64], value: f64) -> usize {
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

pub(super) fn register_awards(engine: &mut Engine) {
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
