//! `pack.sensitivity(records, period, {vary, samples, seed, knifeEdge})`:
//! the core's `Sensitivity::analyse`, serially (no threads in wasm32), as
//! the plain object the CLI writes with `-o FILE.json`.

use chamdiem::{Sensitivity, SensitivityOptions};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::errors::{argument_error, to_js_error};
use crate::{parse_period, record_input, Pack};

/// A number option of `options`, or its default; anything but a finite
/// number is refused by name.
fn number(options: &Option<Object>, key: &str, default: f64) -> Result<f64, JsValue> {
    let Some(object) = options else {
        return Ok(default);
    };
    let value = Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        return Ok(default);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(argument_error(
            format!("tùy chọn {key} phải là một số"),
            None,
        )),
    }
}

#[wasm_bindgen]
impl Pack {
    /// How stable each record's class is: every criterion's points and every
    /// band's minimum perturbed at random within ±`vary` (default 0.1),
    /// `samples` times (default 1000) from `seed` (default 0: the same seed,
    /// the same answer, as the CLI's). Returns `{pack, period, options,
    /// classes, records, criteria}`: per record its `stability`, `shares`
    /// and `counts` by class; per criterion how many records change class
    /// when its points alone go up or down by `vary`.
    #[wasm_bindgen(unchecked_return_type = "SensitivityAnalysis")]
    pub fn sensitivity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Iterable<Record<string, unknown>>")]
        records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] period: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SensitivityOptions")] options: Option<Object>,
    ) -> Result<JsValue, JsValue> {
        let period = parse_period(period)?;
        let defaults = SensitivityOptions::default();
        let samples = number(&options, "samples", f64::from(defaults.samples))?;
        let seed = number(&options, "seed", defaults.seed as f64)?;
        if samples.fract() != 0.0 || samples < 0.0 || seed.fract() != 0.0 || seed < 0.0 {
            return Err(argument_error(
                "samples và seed phải là số nguyên không âm".into(),
                None,
            ));
        }
        let options = SensitivityOptions::new(
            number(&options, "vary", defaults.vary)?,
            samples.min(f64::from(u32::MAX)) as u32,
            seed as u64,
            number(&options, "knifeEdge", defaults.knife_edge)?,
        );
        let inputs: Vec<_> = Array::from(&records)
            .iter()
            .map(|r| record_input(&r))
            .collect();
        let analysis = Sensitivity::analyse(&self.pack, period, &inputs, &options, &|| {})
            .map_err(|e| to_js_error(&e))?;
        Ok(crate::to_js(&analysis))
    }
}
