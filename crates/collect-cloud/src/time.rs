//! Timestamps: cloud APIs write RFC 3339 with up to seven fractional digits (ARM) or nine (Google).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// `s` re-written in RFC 3339 (UTC), or `None` when it is not a timestamp.
pub fn normalise(s: &str) -> Option<String> {
    let t = parse(s)?.to_offset(time::UtcOffset::UTC);
    t.format(&Rfc3339).ok()
}

/// Whole days from `s` to `now`; never negative (a clock ahead of ours counts as zero days).
pub fn age_days(s: &str, now: OffsetDateTime) -> Option<i64> {
    let t = parse(s)?;
    Some((now - t).whole_days().max(0))
}

pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_default()
}

/// Seconds since the Unix epoch as RFC 3339 (Azure CLI and IMDS report expiry that way).
pub fn from_unix(secs: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_timestamps_with_seven_digits_parse() {
        let now = parse("2026-11-28T09:00:00Z").unwrap();
        assert_eq!(age_days("2026-08-30T08:59:59.1234567Z", now), Some(90));
        assert_eq!(age_days("2027-01-01T00:00:00Z", now), Some(0));
        assert_eq!(age_days("yesterday", now), None);
        assert_eq!(normalise("2026-11-28T10:00:00+01:00").as_deref(), Some("2026-11-28T09:00:00Z"));
    }
}
