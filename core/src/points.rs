//! Points held exactly, as integer hundredths.
//!
//! Every criterion is rounded half away from zero to 2 decimals, and sums of
//! hundredths are exact, so a total of 79.999999 can never stand in for 80.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of points with exactly two decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// Points from a whole number of hundredths (`1250` is 12.5 points).
    pub const fn from_hundredths(hundredths: i64) -> Self {
        Points(hundredths)
    }

    /// The number of hundredths.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Rounds a float half away from zero to 2 decimals.
    ///
    /// Returns `None` for NaN, infinities and values too large to hold.
    pub fn from_f64(value: f64) -> Option<Self> {
        let scaled = (value * 100.0).round();
        if scaled.is_finite() && scaled.abs() < 1e15 {
            Some(Points(scaled as i64))
        } else {
            None
        }
    }

    /// `self × numerator ÷ denominator`, rounded half away from zero to
    /// 2 decimals, in integer arithmetic (5 × 1/8 = 0.63, 5 × 1/3 = 1.67).
    ///
    /// Returns `None` when the denominator is zero or the product overflows.
    pub fn scaled(self, numerator: i64, denominator: i64) -> Option<Self> {
        if denominator == 0 {
            return None;
        }
        let num = (self.0 as i128) * (numerator as i128);
        let den = denominator as i128;
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let rounded = if num >= 0 {
            (2 * num + den) / (2 * den)
        } else {
            -((-2 * num + den) / (2 * den))
        };
        i64::try_from(rounded).ok().map(Points)
    }

    /// Appends the shortest form (as `Display` writes it) without the
    /// formatting machinery: the JSON line's hot path.
    pub(crate) fn push_to(self, out: &mut String) {
        if self.0 < 0 {
            out.push('-');
        }
        let n = self.0.unsigned_abs();
        push_digits(out, n / 100);
        // Hundredths, dropping a trailing zero: 0.5, 0.05, 0.25.
        let frac = (n % 100) as u8;
        if frac != 0 {
            let text = [b'.', b'0' + frac / 10, b'0' + frac % 10];
            let len = if frac % 10 == 0 { 2 } else { 3 };
            out.push_str(std::str::from_utf8(&text[..len]).expect("ASCII digits"));
        }
    }

    /// The value as a float, for the edges (JSON, Python, JavaScript).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, rhs: Points) -> Points {
        Points(self.0 + rhs.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}

/// Shortest form: `8`, `12.5`, `0.63`.
/// Appends `n` in decimal without the formatting machinery (hot paths:
/// the JSON line, the batch of results).
pub(crate) fn push_digits(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 100, abs % 100);
        match frac {
            0 => write!(f, "{sign}{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole}.{}", f10 / 10),
            _ => write!(f, "{sign}{whole}.{frac:02}"),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Points::from_f64(value).ok_or_else(|| serde::de::Error::custom("points out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_rounds_half_away_from_zero() {
        let five = Points::from_hundredths(500);
        assert_eq!(five.scaled(1, 8), Some(Points::from_hundredths(63)));
        assert_eq!(five.scaled(1, 3), Some(Points::from_hundredths(167)));
        assert_eq!(five.scaled(2, 3), Some(Points::from_hundredths(333)));
        assert_eq!(five.scaled(-1, 8), Some(Points::from_hundredths(-63)));
        assert_eq!(five.scaled(1, 0), None);
        assert_eq!(
            Points::from_hundredths(600).scaled(1, 3),
            Some(Points::from_hundredths(200))
        );
    }

    #[test]
    fn from_f64_rounds_half_away_from_zero() {
        assert_eq!(Points::from_f64(0.625), Some(Points::from_hundredths(63)));
        assert_eq!(Points::from_f64(-0.625), Some(Points::from_hundredths(-63)));
        assert_eq!(Points::from_f64(f64::NAN), None);
    }

    #[test]
    fn display_is_shortest() {
        assert_eq!(Points::from_hundredths(800).to_string(), "8");
        assert_eq!(Points::from_hundredths(1250).to_string(), "12.5");
        assert_eq!(Points::from_hundredths(63).to_string(), "0.63");
        assert_eq!(Points::from_hundredths(-5).to_string(), "-0.05");
    }

    #[test]
    fn display_is_what_json_writes() {
        // The JSON line writes points with `Display`; serde must agree.
        for h in (-200_000..200_000)
            .step_by(7)
            .chain([1, 63, 167, 1005, 99_999, 10_000_001])
        {
            let p = Points::from_hundredths(h);
            assert_eq!(p.to_string(), serde_json::to_string(&p).unwrap(), "{h}");
            let mut pushed = String::new();
            p.push_to(&mut pushed);
            assert_eq!(pushed, p.to_string(), "{h}");
        }
    }

    #[test]
    fn serializes_as_number() {
        let json =
            serde_json::to_string(&[Points::from_hundredths(800), Points::from_hundredths(63)])
                .unwrap();
        assert_eq!(json, "[8,0.63]");
    }
}
