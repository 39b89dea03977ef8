//! Epoch milliseconds to an ISO date, without a date library.

/// Writes the UTC calendar date of `ms` milliseconds since 1970 as `YYYY-MM-DD`.
pub(crate) fn write_iso_date(ms: i64, out: &mut String) {
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    if y < 0 {
        out.push('-');
    }
    let y = y.unsigned_abs();
    if y < 1000 {
        out.extend(std::iter::repeat_n(
            '0',
            4 - crate::writer::decimal_width_pub(y),
        ));
    }
    crate::writer::push_u64(out, y);
    out.push('-');
    two(out, m);
    out.push('-');
    two(out, d);
}

fn two(out: &mut String, n: u32) {
    if n < 10 {
        out.push('0');
    }
    crate::writer::push_u64(out, u64::from(n));
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (the well-known era-based conversion).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    // d and m are within [1, 31] and [1, 12].
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Parses an ADF date timestamp: epoch milliseconds as a string (the schema)
/// or a number (seen in the wild).
pub(crate) fn parse_millis(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let f: f64 = s.parse().ok()?;
    millis_from_f64(f)
}

pub(crate) fn millis_from_f64(f: f64) -> Option<i64> {
    // Keep far inside i64 so the day arithmetic cannot overflow.
    if f.is_finite() && f.abs() < 1e17 {
        // Truncation toward zero is intended; the range check bounds it.
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(ms: i64) -> String {
        let mut s = String::new();
        write_iso_date(ms, &mut s);
        s
    }

    #[test]
    fn known_dates() {
        assert_eq!(iso(0), "1970-01-01");
        assert_eq!(iso(-1), "1969-12-31");
        assert_eq!(iso(1_582_156_800_000), "2020-02-20");
        assert_eq!(iso(951_782_400_000), "2000-02-29");
        assert_eq!(iso(1_735_689_599_999), "2024-12-31");
        assert_eq!(iso(-62_135_596_800_000), "0001-01-01");
        assert_eq!(parse_millis(" 1582156800000 "), Some(1_582_156_800_000));
        assert_eq!(parse_millis("1.5e12"), Some(1_500_000_000_000));
        assert_eq!(parse_millis("soon"), None);
        assert_eq!(parse_millis("1e300"), None);
    }
}
