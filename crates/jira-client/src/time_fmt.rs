//! Jira's timestamp and date formats.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// An instant as Jira reports it (`2025-01-02T03:04:05.678+0100`), held in UTC.
///
/// Accepts the offset with or without a colon, `Z`, and with or without fractional
/// seconds, which covers Jira Cloud, Data Center and Agile (`...Z`) answers.
///
/// ```
/// use jirafe_jira_client::Timestamp;
/// let t: Timestamp = "2020-12-03T14:05:20.974+0100".parse().unwrap();
/// assert_eq!(t.unix_millis(), 1_607_000_720_974);
/// assert_eq!(t.to_string(), "2020-12-03T13:05:20.974Z");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .ok()
            .map(Timestamp)
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Microseconds since the Unix epoch (Arrow's `Timestamp(Microsecond, "UTC")`).
    pub fn unix_micros(&self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000) as i64
    }

    /// The instant as a `time` value in UTC.
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// The UTC calendar month, as `YYYY-MM` (the warehouse's partition key).
    pub fn month(&self) -> String {
        format!("{:04}-{:02}", self.0.year(), u8::from(self.0.month()))
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Timestamp(t.to_offset(UtcOffset::UTC))
    }
}

/// The error of parsing a timestamp or a date. Carries no input text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Jira timestamp or date")]
pub struct ParseTimeError;

fn num(s: &[u8]) -> Result<u32, ParseTimeError> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(ParseTimeError);
    }
    Ok(s.iter().fold(0u32, |acc, d| {
        acc.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    }))
}

fn parse_date(b: &[u8]) -> Result<Date, ParseTimeError> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(ParseTimeError);
    }
    let year = num(&b[0..4])? as i32;
    let month = Month::try_from(num(&b[5..7])? as u8).map_err(|_| ParseTimeError)?;
    Date::from_calendar_date(year, month, num(&b[8..10])? as u8).map_err(|_| ParseTimeError)
}

impl std::str::FromStr for Timestamp {
    type Err = ParseTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() < 19 || b.get(10) != Some(&b'T') {
            return Err(ParseTimeError);
        }
        let date = parse_date(&b[0..10])?;
        if b[13] != b':' || b[16] != b':' {
            return Err(ParseTimeError);
        }
        let (h, m, sec) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let Some(frac) = rest.strip_prefix(b".") {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return Err(ParseTimeError);
            }
            nanos = num(&frac[..n])? * 10u32.pow(9 - n as u32);
            rest = &frac[n..];
        }
        let offset = match rest {
            b"" | b"Z" | b"z" => UtcOffset::UTC,
            [sign @ (b'+' | b'-'), tail @ ..] => {
                let (oh, om) = match tail {
                    [a, b, b':', c, d] | [a, b, c, d] => (num(&[*a, *b])?, num(&[*c, *d])?),
                    [a, b] => (num(&[*a, *b])?, 0),
                    _ => return Err(ParseTimeError),
                };
                let secs = (oh * 3600 + om * 60) as i32;
                UtcOffset::from_whole_seconds(if *sign == b'-' { -secs } else { secs })
                    .map_err(|_| ParseTimeError)?
            }
            _ => return Err(ParseTimeError),
        };
        let t =
            Time::from_hms_nano(h as u8, m as u8, sec as u8, nanos).map_err(|_| ParseTimeError)?;
        Ok(Timestamp(
            PrimitiveDateTime::new(date, t)
                .assume_offset(offset)
                .to_offset(UtcOffset::UTC),
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("expected a Jira timestamp"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A calendar date as Jira reports due dates and release dates (`2025-01-31`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JiraDate(Date);

impl JiraDate {
    /// The date as a `time` value.
    pub fn as_date(&self) -> Date {
        self.0
    }

    /// Days since 1970-01-01 (Arrow's `Date32`).
    pub fn days_since_epoch(&self) -> i32 {
        self.0.to_julian_day() - time::macros::date!(1970 - 01 - 01).to_julian_day()
    }
}

impl std::str::FromStr for JiraDate {
    type Err = ParseTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        // Some answers give a full timestamp where a date is expected; keep its date.
        parse_date(b.get(..10).ok_or(ParseTimeError)?).map(JiraDate)
    }
}

impl fmt::Display for JiraDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

impl fmt::Debug for JiraDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<'de> Deserialize<'de> for JiraDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("expected a date"))
    }
}

impl Serialize for JiraDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_jira_shape() {
        let cases = [
            ("2020-12-03T14:05:20.974+0100", 1_607_000_720_974),
            ("2020-12-03T14:05:20.974+01:00", 1_607_000_720_974),
            ("2020-12-03T13:05:20.974Z", 1_607_000_720_974),
            ("2020-12-03T13:05:20Z", 1_607_000_720_000),
            ("2020-12-03T08:05:20.974-0500", 1_607_000_720_974),
            ("2020-12-03T13:05:20.974000+0000", 1_607_000_720_974),
        ];
        for (s, ms) in cases {
            let t: Timestamp = s.parse().unwrap_or_else(|_| panic!("{s}"));
            assert_eq!(t.unix_millis(), ms, "{s}");
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for s in [
            "",
            "2020",
            "2020-13-01T00:00:00Z",
            "2020-12-03T25:00:00Z",
            "2020-12-03T13:05:20.Z",
            "2020-12-03T13:05:20+1",
            "２０２０-12-03T13:05:20Z",
            "2020-12-03T13:05:20.974+0100junk",
        ] {
            assert!(s.parse::<Timestamp>().is_err(), "{s}");
        }
    }

    #[test]
    fn dates_and_months() {
        let d: JiraDate = "2025-01-31".parse().unwrap();
        assert_eq!(d.days_since_epoch(), 20119);
        let t: Timestamp = "2025-01-31T23:30:00.000-0200".parse().unwrap();
        assert_eq!(t.month(), "2025-02");
    }
}
