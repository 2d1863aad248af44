//! Dates and the evaluation period.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The accepted ways to write a date, in every message that refuses one.
pub const DATE_FORMS: &str =
    "YYYY-MM-DD (2024-06-15) hoặc DD/MM/YYYY (15/06/2024), năm đủ 4 chữ số";

/// Parses a date written `YYYY-MM-DD` (ISO) or `DD/MM/YYYY` (as written in
/// Vietnamese documents), with a four-digit year: `15/06/24` (Excel's short
/// date), `24-06-15` or `-2024-06-15` are refused, not read as the years 24
/// or −2024. Day and month may have one or two digits.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let number = |part: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (year, month, day) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (number(y, 4..=4)?, number(m, 1..=2)?, number(d, 1..=2)?)
    } else {
        let mut parts = text.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (number(y, 4..=4)?, number(m, 1..=2)?, number(d, 1..=2)?)
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// A closed range of dates `[start, end]`: the evaluation period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// A period from `start` to `end`, both included.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, Error> {
        if start > end {
            return Err(Error::Period(format!(
                "ngày bắt đầu {start} sau ngày kết thúc {end}"
            )));
        }
        Ok(Period { start, end })
    }

    /// The calendar year `year`: 1 January to 31 December.
    pub fn year(year: i32) -> Result<Self, Error> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1);
        let end = NaiveDate::from_ymd_opt(year, 12, 31);
        match (start, end) {
            (Some(start), Some(end)) => Ok(Period { start, end }),
            _ => Err(Error::Period(format!("năm {year} không hợp lệ"))),
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Whether `date` lies in the period (bounds included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Whether the two ranges share at least one day.
    pub fn overlaps(&self, from: Option<NaiveDate>, until: Option<NaiveDate>) -> bool {
        from.is_none_or(|from| from <= self.end) && until.is_none_or(|until| until >= self.start)
    }

    /// How many distinct dates of `dates` lie in the period. Allocation-free
    /// for the short lists records hold (memo keys compute it per record).
    pub fn count_distinct(&self, dates: impl IntoIterator<Item = NaiveDate>) -> usize {
        let mut seen = [NaiveDate::MIN; 16];
        let mut n = 0;
        let mut more: Vec<NaiveDate> = Vec::new();
        for date in dates.into_iter().filter(|d| self.contains(*d)) {
            if seen[..n].contains(&date) || more.contains(&date) {
                continue;
            }
            if n < seen.len() {
                seen[n] = date;
                n += 1;
            } else {
                more.push(date);
            }
        }
        n + more.len()
    }

    /// The number of days in the period, bounds included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// Parses `2024` (a calendar year), `2024-H1` / `2024-H2` (a half year),
/// `2024-Q1` … `2024-Q4` (a quarter) or `2024-01-01..2024-12-31`.
impl FromStr for Period {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if let Some((start, end)) = text.split_once("..") {
            let parse = |part: &str| {
                parse_date(part).ok_or_else(|| {
                    Error::Period(format!(
                        "ngày không hợp lệ '{}' trong kỳ '{text}'",
                        part.trim()
                    ))
                })
            };
            return Period::new(parse(start)?, parse(end)?);
        }
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (1900..=9999).contains(y));
        // A half (`2024-H1`) or a quarter (`2024-Q3`): a range of whole months.
        if let Some((y, part)) = text.split_once('-') {
            let months = match part.to_ascii_uppercase().as_str() {
                "H1" => Some((1, 6)),
                "H2" => Some((7, 12)),
                "Q1" => Some((1, 3)),
                "Q2" => Some((4, 6)),
                "Q3" => Some((7, 9)),
                "Q4" => Some((10, 12)),
                _ => None,
            };
            if let (Some(y), Some((first, last))) = (year(y), months) {
                let start = NaiveDate::from_ymd_opt(y, first, 1);
                let after = if last == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(y, last + 1, 1)
                };
                if let (Some(start), Some(after)) = (start, after) {
                    return Period::new(start, after.pred_opt().unwrap_or(after));
                }
            }
        }
        match year(text) {
            Some(year) => Period::year(year),
            None => Err(Error::Period(format!(
                "kỳ đánh giá '{text}' không hợp lệ: viết một năm (2024), nửa năm hoặc quý (2024-H1, 2024-Q3) hoặc một khoảng ngày (2024-01-01..2024-12-31)"
            ))),
        }
    }
}

/// `2024` for a whole calendar year, else `2024-01-01..2024-06-30`.
impl Period {
    /// Appends the period as `Display` writes it; a whole year (the usual
    /// period) without the formatting machinery: every result line has it.
    pub(crate) fn push_to(&self, out: &mut String) {
        if self.is_whole_year() {
            out.push_str(itoa::Buffer::new().format(self.start.year()));
        } else {
            use std::fmt::Write as _;
            let _ = write!(out, "{self}");
        }
    }

    fn is_whole_year(&self) -> bool {
        self.start.year() == self.end.year()
            && (self.start.month(), self.start.day()) == (1, 1)
            && (self.end.month(), self.end.day()) == (12, 31)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_whole_year() {
            write!(f, "{}", self.start.year())
        } else {
            write!(f, "{}..{}", self.start, self.end)
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Number(number) => number.to_string(),
            _ => {
                return Err(serde::de::Error::custom(
                    "a period is a year or 'start..end'",
                ))
            }
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_to_writes_what_display_writes() {
        for text in [
            "2024",
            "1999",
            "2024-01-01..2024-06-30",
            "2023-01-01..2024-12-31",
            "2024-01-02..2024-12-31",
        ] {
            let period: Period = text.parse().unwrap();
            let mut out = String::new();
            period.push_to(&mut out);
            assert_eq!(out, period.to_string());
        }
    }

    #[test]
    fn parses_a_year_and_a_range() {
        let year: Period = "2024".parse().unwrap();
        assert_eq!(year.start(), NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        assert_eq!(year.end(), NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
        assert_eq!(year.to_string(), "2024");
        assert_eq!(year.days(), 366);
        let half: Period = "2024-01-01..2024-06-30".parse().unwrap();
        assert_eq!(half.to_string(), "2024-01-01..2024-06-30");
        assert!("2024-12-31..2024-01-01".parse::<Period>().is_err());
        assert!("hai nghìn".parse::<Period>().is_err());
        let h1: Period = "2024-H1".parse().unwrap();
        assert_eq!(h1, half);
        let h2: Period = "2024-h2".parse().unwrap();
        assert_eq!(h2.to_string(), "2024-07-01..2024-12-31");
        let q1: Period = "2024-Q1".parse().unwrap();
        assert_eq!(q1.to_string(), "2024-01-01..2024-03-31");
        assert!("2024-H3".parse::<Period>().is_err());
    }

    #[test]
    fn counts_distinct_dates_inside() {
        let year: Period = "2024".parse().unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let dates = [
            d("2024-03-01"),
            d("2024-03-01"),
            d("2023-12-31"),
            d("2024-12-31"),
        ];
        assert_eq!(year.count_distinct(dates), 2);
        let many = (1..=40).map(|i| d("2024-01-01") + chrono::Duration::days(i % 30));
        assert_eq!(year.count_distinct(many), 30);
    }

    #[test]
    fn dates_have_four_digit_years() {
        let d = |s: &str| parse_date(s);
        assert_eq!(d("2024-06-15"), NaiveDate::from_ymd_opt(2024, 6, 15));
        assert_eq!(d(" 15/06/2024 "), NaiveDate::from_ymd_opt(2024, 6, 15));
        assert_eq!(d("5/6/2024"), NaiveDate::from_ymd_opt(2024, 6, 5));
        assert_eq!(d("2024-6-5"), NaiveDate::from_ymd_opt(2024, 6, 5));
        for bad in [
            "15/06/24",
            "24-06-15",
            "-2024-06-15",
            "+2024-06-15",
            "02024-06-15",
            "2024-02-30",
            "2024-06-15T00:00:00",
            "15/06/2024/1",
            "2024/06/15",
            "",
            "2024",
            "１５/06/2024",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn bounds_are_included() {
        let year: Period = "2024".parse().unwrap();
        assert!(year.contains(parse_date("2024-01-01").unwrap()));
        assert!(year.contains(parse_date("31/12/2024").unwrap()));
        assert!(!year.contains(parse_date("2023-12-31").unwrap()));
        assert!(!year.contains(parse_date("2025-01-01").unwrap()));
    }
}
