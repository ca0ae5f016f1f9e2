//! When a scan was recorded: RFC 3339 in UTC, to the second (`2026-11-23T09:00:00Z`), a
//! form that sorts as text in time order, so `ORDER BY recorded_at` in SQL is time order.

use crate::config::{format_date, parse_date};

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time (`T` or a space between
/// date and time, `Z` or a `±HH:MM` offset; fractions of a second are dropped).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let date = text.get(..10)?;
    let days = parse_date(date)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, mut zone) = (rest.get(..8)?, rest.get(8..)?);
    let mut fields = time.split(':');
    let (h, m, s) = (fields.next()?, fields.next()?, fields.next()?);
    let number = |f: &str, max: i64| -> Option<i64> {
        let n: i64 = f
            .parse()
            .ok()
            .filter(|_| f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit()))?;
        (n <= max).then_some(n)
    };
    // 60 for a leap second, counted as the next second.
    let (h, m, s) = (number(h, 23)?, number(m, 59)?, number(s, 60)?);
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &fraction[digits..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = zone.get(1..)?.split_once(':')?;
            sign * (number(oh, 23)? * 3600 + number(om, 59)? * 60)
        }
    };
    Some(days * 86_400 + h * 3600 + m * 60 + s - offset)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch.
pub fn format_rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(days),
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// The time to record a scan at: `now` (the value of `OPREADY_NOW`, for reproducible
/// histories) normalised to UTC, or the clock.
pub fn recorded_at(now: Option<&str>) -> Result<String, String> {
    match now.filter(|t| !t.trim().is_empty()) {
        Some(text) => parse_rfc3339(text).map(format_rfc3339).ok_or_else(|| {
            format!(
                "OPREADY_NOW must be an RFC 3339 date-time such as 2026-11-23T09:00:00Z, got `{text}`"
            )
        }),
        None => {
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            Ok(format_rfc3339(seconds))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_to_utc() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        for (text, utc) in [
            ("2026-11-23T09:00:00Z", "2026-11-23T09:00:00Z"),
            ("2026-11-23t09:00:00z", "2026-11-23T09:00:00Z"),
            ("2026-11-23 09:00:00Z", "2026-11-23T09:00:00Z"),
            ("2026-11-23T10:30:00+01:30", "2026-11-23T09:00:00Z"),
            ("2026-11-23T01:00:00-08:00", "2026-11-23T09:00:00Z"),
            ("2026-11-23T00:30:00+01:00", "2026-11-22T23:30:00Z"),
            ("2026-11-23T09:00:00.123456Z", "2026-11-23T09:00:00Z"),
            ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ] {
            assert_eq!(recorded_at(Some(text)).as_deref(), Ok(utc), "{text}");
        }
    }

    #[test]
    fn not_rfc3339() {
        for text in [
            "2026-11-23",
            "2026-11-23T09:00Z",
            "2026-11-23T09:00:00",
            "2026-11-23T24:00:00Z",
            "2026-11-23T09:60:00Z",
            "2026-02-30T09:00:00Z",
            "2026-11-23T09:00:00+1:00",
            "2026-11-23T09:00:00.Z",
            "2026-11-23T+9:00:00Z",
            "yesterday",
            "2026-11-23T09:00:00Zjunk",
            "é026-11-23T09:00:00Z",
            "2026-11-23T09:00:0é",
            "2026-11-23T09:00:00.5é",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
        assert!(
            recorded_at(Some("soon"))
                .unwrap_err()
                .contains("OPREADY_NOW")
        );
    }

    #[test]
    fn the_clock_gives_a_utc_time() {
        let now = recorded_at(None).unwrap();
        assert_eq!(now.len(), 20);
        assert!(now.ends_with('Z'));
        assert_eq!(recorded_at(Some("  ")).unwrap().len(), 20);
    }
}
