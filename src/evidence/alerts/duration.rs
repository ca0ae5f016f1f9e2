//! Prometheus durations (`5m`, `1h30m`, `2m0s`, `500ms`), as written in `for:` and range
//! selectors.

/// Whether a `for:` duration makes an alert wait before firing: it is a positive
/// duration.
pub fn waits(for_: Option<&str>) -> bool {
    for_.and_then(millis).is_some_and(|ms| ms > 0)
}

/// Milliseconds in a Prometheus duration, `None` when the text is not one. A bare `0` is
/// accepted, as Prometheus does.
pub fn millis(text: &str) -> Option<u64> {
    let text = text.trim();
    if text == "0" {
        return Some(0);
    }
    if text.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut total: u64 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let number: u64 = text[start..i].parse().ok()?;
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let factor: u64 = match &text[unit_start..i] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "y" => 365 * 86_400_000,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(factor)?)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::millis;

    #[test]
    fn reads_prometheus_durations() {
        assert_eq!(millis("5m"), Some(300_000));
        assert_eq!(millis("1h30m"), Some(5_400_000));
        assert_eq!(millis("2m0s"), Some(120_000));
        assert_eq!(millis("1h0m0s"), Some(3_600_000));
        assert_eq!(millis("500ms"), Some(500));
        assert_eq!(millis("3d"), Some(3 * 86_400_000));
        assert_eq!(millis("0"), Some(0));
        assert_eq!(millis("0s"), Some(0));
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        assert_eq!(millis(""), None);
        assert_eq!(millis("TEMPLATED"), None);
        assert_eq!(millis("5"), None);
        assert_eq!(millis("5x"), None);
        assert_eq!(millis("m5"), None);
        assert_eq!(millis("99999999999999999999d"), None);
    }
}
