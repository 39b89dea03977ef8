//! Time: Jira's timestamp format and the token owner's time zone (`Europe/Berlin`).
//!
//! Jira renders timestamps in the requesting user's zone (`2025-01-02T04:04:05.678+0100`)
//! and reads quoted JQL dates (`updated >= "2025-01-02 10:00"`) in that zone too. The
//! simulator's owner lives in `Europe/Berlin`; the EU daylight-saving rule (last Sunday of
//! March 01:00 UTC to last Sunday of October 01:00 UTC, +02:00, else +01:00) is applied
//! exactly, so a test can show that a quoted date and an epoch-ms bound differ.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// The IANA name of the token owner's time zone.
pub(crate) const OWNER_TZ: &str = "Europe/Berlin";

fn last_sunday_utc_1am(year: i32, month: Month) -> i64 {
    let days = time::util::days_in_month(month, year);
    let mut d = Date::from_calendar_date(year, month, days).unwrap_or(Date::MIN);
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().unwrap_or(Date::MIN);
    }
    PrimitiveDateTime::new(d, Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
        .unix_timestamp()
        * 1000
}

/// The owner's UTC offset in seconds at the instant `utc_ms`.
pub(crate) fn owner_offset_secs(utc_ms: i64) -> i32 {
    let year = ms_to_utc(utc_ms).year();
    let start = last_sunday_utc_1am(year, Month::March);
    let end = last_sunday_utc_1am(year, Month::October);
    if utc_ms >= start && utc_ms < end {
        7200
    } else {
        3600
    }
}

fn ms_to_utc(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Formats epoch milliseconds the way Jira does, in the owner's zone:
/// `2025-01-02T04:04:05.678+0100`.
pub fn jira_timestamp(ms: i64) -> String {
    let off = owner_offset_secs(ms);
    let t = ms_to_utc(ms + i64::from(off) * 1000);
    let sign = if off >= 0 { '+' } else { '-' };
    let a = off.abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond(),
        sign,
        a / 3600,
        (a % 3600) / 60
    )
}

/// Formats epoch milliseconds as the Agile API does: UTC with a `Z` (`2025-01-02T03:04:05.678Z`).
pub(crate) fn agile_timestamp(ms: i64) -> String {
    let t = ms_to_utc(ms);
    format!(
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

/// ISO-8601 UTC seconds (`2025-01-02T03:04:05Z`), used by `X-RateLimit-Reset`.
pub(crate) fn iso_seconds(ms: i64) -> String {
    let t = ms_to_utc(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The owner-local calendar date of an instant, as `yyyy-MM-dd`.
pub(crate) fn local_date(ms: i64) -> String {
    let t = ms_to_utc(ms + i64::from(owner_offset_secs(ms)) * 1000);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// Converts an owner-local wall-clock time to epoch milliseconds (UTC).
///
/// Returns `None` for an impossible date. Wall times in the spring-forward gap resolve
/// with the winter offset; ambiguous autumn times resolve to the first occurrence.
pub(crate) fn owner_local_to_utc_ms(
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
) -> Option<i64> {
    let month = Month::try_from(month).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let t = Time::from_hms(hour, minute, 0).ok()?;
    let naive = PrimitiveDateTime::new(date, t)
        .assume_offset(UtcOffset::UTC)
        .unix_timestamp()
        * 1000;
    let summer = naive - 7200 * 1000;
    if owner_offset_secs(summer) == 7200 {
        return Some(summer);
    }
    Some(naive - 3600 * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_berlin_time_with_dst() {
        // 2025-01-02T03:04:05.678Z is winter: +0100.
        assert_eq!(
            jira_timestamp(1_735_787_045_678),
            "2025-01-02T04:04:05.678+0100"
        );
        // 2025-07-01T00:00:00Z is summer: +0200.
        assert_eq!(
            jira_timestamp(1_751_328_000_000),
            "2025-07-01T02:00:00.000+0200"
        );
        assert_eq!(
            agile_timestamp(1_735_787_045_678),
            "2025-01-02T03:04:05.678Z"
        );
    }

    #[test]
    fn local_dates_resolve_in_owner_zone() {
        // Midnight 2025-01-02 in Berlin is 23:00 UTC the day before.
        assert_eq!(
            owner_local_to_utc_ms(2025, 1, 2, 0, 0),
            Some(1_735_772_400_000)
        );
        // Midnight 2025-07-01 in Berlin is 22:00 UTC the day before.
        assert_eq!(
            owner_local_to_utc_ms(2025, 7, 1, 0, 0),
            Some(1_751_320_800_000)
        );
        assert_eq!(owner_local_to_utc_ms(2025, 2, 30, 0, 0), None);
        // DST switch 2025-03-30 01:00 UTC.
        assert_eq!(owner_offset_secs(1_743_296_400_000 - 1), 3600);
        assert_eq!(owner_offset_secs(1_743_296_400_000), 7200);
    }
}
