//! Calendar months: the partition key.

use std::fmt;
use std::str::FromStr;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};

/// A calendar month (`YYYY-MM`), the partition key of every table.
///
/// Months order chronologically and render as the Hive partition value:
///
/// ```
/// use jirafe_partition_writer::Month;
///
/// let m: Month = "2025-03".parse()?;
/// assert_eq!(m, Month::new(2025, 3).unwrap());
/// assert_eq!(m.to_string(), "2025-03");
/// assert!(m < Month::new(2025, 4).unwrap());
/// # Ok::<(), jirafe_partition_writer::ParseMonthError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    /// A month of year `0..=9999`, month `1..=12`; `None` outside that range.
    pub fn new(year: u16, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && year <= 9999).then_some(Self { year, month })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month of the year, `1..=12`.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The month containing `days` days since 1970-01-01 (proleptic Gregorian, UTC).
    fn from_days(days: i64) -> Option<Self> {
        // Howard Hinnant's civil-from-days algorithm.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Month::new(u16::try_from(y).ok()?, u8::try_from(m).ok()?)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The text was not a month in `YYYY-MM` form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a month as YYYY-MM")]
pub struct ParseMonthError;

impl FromStr for Month {
    type Err = ParseMonthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() != 7 || b.get(4) != Some(&b'-') {
            return Err(ParseMonthError);
        }
        let digits = |r: std::ops::Range<usize>| -> Result<u16, ParseMonthError> {
            let part = s.get(r).ok_or(ParseMonthError)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(ParseMonthError);
            }
            part.parse().map_err(|_| ParseMonthError)
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| ParseMonthError)?;
        Month::new(year, month).ok_or(ParseMonthError)
    }
}

/// Whether a column type can serve as the partition month column.
pub(crate) fn supported_month_type(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 | DataType::Utf8
    )
}

/// Why a month could not be computed for a row.
#[derive(Debug)]
pub(crate) enum MonthError {
    Null(usize),
    OutOfRange(usize),
    Unsupported,
}

/// The month of every row of `array` (a column of a type accepted by
/// [`supported_month_type`]). Timestamps are read as UTC instants.
pub(crate) fn months_of(array: &ArrayRef) -> Result<Vec<Month>, MonthError> {
    const DAY_S: i64 = 86_400;
    fn per_row<F: Fn(usize) -> Option<Month>>(
        array: &dyn Array,
        f: F,
    ) -> Result<Vec<Month>, MonthError> {
        (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    Err(MonthError::Null(i))
                } else {
                    f(i).ok_or(MonthError::OutOfRange(i))
                }
            })
            .collect()
    }
    let a = array.as_ref();
    match array.data_type() {
        DataType::Timestamp(unit, _) => {
            let per_day = match unit {
                TimeUnit::Second => DAY_S,
                TimeUnit::Millisecond => DAY_S * 1_000,
                TimeUnit::Microsecond => DAY_S * 1_000_000,
                TimeUnit::Nanosecond => DAY_S * 1_000_000_000,
            };
            let values: &[i64] = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().values(),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().values(),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().values(),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().values(),
            };
            // Child rows carry their parent's timestamp: consecutive rows often repeat it.
            let last = std::cell::Cell::new(None::<(i64, Month)>);
            per_row(a, |i| {
                let v = *values.get(i)?;
                match last.get() {
                    Some((seen, month)) if seen == v => Some(month),
                    _ => {
                        let month = Month::from_days(v.div_euclid(per_day))?;
                        last.set(Some((v, month)));
                        Some(month)
                    }
                }
            })
        }
        DataType::Date32 => {
            let values = a.as_primitive::<Date32Type>().values();
            per_row(a, |i| Month::from_days(i64::from(*values.get(i)?)))
        }
        DataType::Date64 => {
            let values = a.as_primitive::<Date64Type>().values();
            per_row(a, |i| {
                Month::from_days(values.get(i)?.div_euclid(DAY_S * 1_000))
            })
        }
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            per_row(a, |i| s.value(i).parse().ok())
        }
        _ => Err(MonthError::Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, StringArray, TimestampMicrosecondArray};

    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("0001-12".parse(), Ok(Month { year: 1, month: 12 }));
        for bad in [
            "2025-13",
            "2025-00",
            "2025-3",
            "25-03",
            "2025/03",
            "+025-03",
            "2025-03-01",
        ] {
            assert_eq!(bad.parse::<Month>(), Err(ParseMonthError), "{bad}");
        }
    }

    #[test]
    fn timestamps_map_to_utc_months() {
        // 2025-02-28T23:59:59.999999Z, 2025-03-01T00:00:00Z, 1969-12-31T23:00:00Z
        let a: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from(vec![
                1_740_787_199_999_999,
                1_740_787_200_000_000,
                -3_600_000_000,
            ])
            .with_timezone("UTC"),
        );
        let got: Vec<String> = months_of(&a)
            .unwrap()
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(got, ["2025-02", "2025-03", "1969-12"]);
    }

    #[test]
    fn repeated_timestamps_and_nulls_between_them() {
        // Rows repeating the previous timestamp reuse its month; a null is still a null.
        let march = 1_740_787_200_000_000;
        let a: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
            march,
            march,
            march - 1,
            march - 1,
            march,
        ]));
        let got: Vec<String> = months_of(&a)
            .unwrap()
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(got, ["2025-03", "2025-03", "2025-02", "2025-02", "2025-03"]);
        let a: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
            Some(march),
            None,
            Some(march),
        ]));
        assert!(matches!(months_of(&a), Err(MonthError::Null(1))));
    }

    #[test]
    fn dates_and_strings() {
        let d: ArrayRef = Arc::new(Date32Array::from(vec![0, 59, 11_016]));
        let got: Vec<String> = months_of(&d)
            .unwrap()
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(got, ["1970-01", "1970-03", "2000-02"]);
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("2024-12"), None]));
        assert!(matches!(months_of(&s), Err(MonthError::Null(1))));
        let s: ArrayRef = Arc::new(StringArray::from(vec!["2024-1"]));
        assert!(matches!(months_of(&s), Err(MonthError::OutOfRange(0))));
    }

    #[test]
    fn civil_from_days_matches_a_walk_over_the_calendar() {
        // Walk day by day from 1600-01-01 to 2400-12-31 and compare.
        let mut days = -135_140_i64; // 1600-01-01
        for year in 1600u16..=2400 {
            for month in 1u8..=12 {
                let len = match month {
                    2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                for _ in 0..len {
                    assert_eq!(Month::from_days(days), Month::new(year, month));
                    days += 1;
                }
            }
        }
    }
}
