//! Timestamps for the time operators (`olderThanDays`, `newerThanDays`, `inMoreThanDays`,
//! `inLessThanDays`): RFC 3339 date-times and `YYYY-MM-DD` dates, as Unix seconds.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

pub const DAY: i64 = 86_400;

/// Seconds since the Unix epoch of an RFC 3339 date-time (`2026-11-28T09:00:00Z`, any offset,
/// fractions allowed), of a date-time without offset (read as UTC), or of a date (midnight UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(dt) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(dt.unix_timestamp());
    }
    let naive = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
    if let Ok(dt) = PrimitiveDateTime::parse(t, naive) {
        return Some(dt.assume_utc().unix_timestamp());
    }
    let date = format_description!("[year]-[month]-[day]");
    Date::parse(t, date).ok().map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// The current time, read only when a time condition runs without a given scan time.
pub fn wall_clock() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_naive_and_date_only() {
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Some(DAY));
        assert_eq!(parse_time("1970-01-02T02:00:00+02:00"), Some(DAY));
        assert_eq!(parse_time("2026-11-28T09:00:00.1234567Z"), parse_time("2026-11-28T09:00:00Z"));
        assert_eq!(parse_time("1970-01-02T00:00:00"), Some(DAY));
        assert_eq!(parse_time("1970-01-03"), Some(2 * DAY));
        assert_eq!(parse_time(" 1970-01-03 "), Some(2 * DAY));
        for bad in ["", "yesterday", "2026-13-01", "2026-02-30", "1700000000", "28/11/2026"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
