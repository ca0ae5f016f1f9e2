//! When a document was last reviewed and when its next review is due, from its front
//! matter, as the GOV.UK tech-docs template (used by many runbook sites) writes them:
//!
//! ```yaml
//! last_reviewed_on: 2024-05-01
//! review_in: 6 months
//! ```
//!
//! The tech-docs template computes the due date with Ruby's Chronic ("in 6 months" from
//! the review date), so months and years are calendar months and years here too: 6 months
//! after 2024-08-31 is 2025-02-28.
//!
//! Variants read: quoted dates, dates with a time (`2024-05-01T10:00:00Z`,
//! `2024-05-01 10:00`), dates written with a month name (`1 May 2024`, `May 1, 2024`);
//! intervals in any case and number (`3 Months`, `6 month`, `1 year`, `2 weeks`,
//! `90 days`, `six months`, `a year`, `6mo`, `every 6 months`, `quarterly`, `annually`,
//! ISO 8601 `P6M`), a bare number being days. reStructuredText field lists and AsciiDoc
//! header attributes (`:last_reviewed_on: 2024-05-01`) are front matter too. Front matter
//! misplaced below the first lines (a `---` block after a heading, which Middleman does
//! not read but a reader does) is read from the top of the raw text.

use crate::config::{format_date, parse_date};
use crate::parse::markdown::Markdown;
use crate::parse::yaml::Node;

/// Review dates of a document.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Review {
    pub last_reviewed: Option<String>,
    pub review_due: Option<String>,
}

const LAST_REVIEWED: &[&str] = &[
    "last_reviewed_on",
    "last_reviewed",
    "last_review",
    "last_review_date",
    "reviewed",
    "reviewed_on",
    "review_date",
];
const DUE: &[&str] = &[
    "review_by",
    "next_review",
    "next_review_on",
    "next_review_date",
    "review_due",
];
const INTERVAL: &[&str] = &["review_in", "review_interval", "review_every"];

/// Lines at the top of a document searched for misplaced front matter.
const RAW_LINES: usize = 40;

/// Reads `last_reviewed_on` (or `last_reviewed`, `reviewed`…) and `review_in`, or an
/// explicit `review_by` / `next_review` date. Dates are kept only when they are real
/// dates, as `YYYY-MM-DD`.
pub(crate) fn review_of(md: &Markdown, raw: Option<&str>) -> Review {
    let value = |keys: &[&str]| -> Option<String> {
        let from_front = md.front_matter.as_ref().and_then(|fm| {
            keys.iter()
                .find_map(|k| fm.get(k).and_then(Node::scalar_text))
        });
        from_front.or_else(|| raw.and_then(|raw| raw_value(raw, keys)))
    };
    let last = value(LAST_REVIEWED).and_then(|t| parse_review_date(&t));
    let due = value(DUE).and_then(|t| parse_review_date(&t)).or_else(|| {
        let interval = parse_interval(&value(INTERVAL)?)?;
        Some(interval.after(last?))
    });
    Review {
        last_reviewed: last.map(format_date),
        review_due: due.map(format_date),
    }
}

/// `key: value` at the start of one of the first lines, outside code fences.
fn raw_value(raw: &str, keys: &[&str]) -> Option<String> {
    let mut fenced = false;
    for line in raw.lines().take(RAW_LINES) {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if keys.contains(&key) && !value.trim().is_empty() {
            return Some(value.trim().to_string());
        }
    }
    None
}

/// A review date: `2024-05-01`, quoted, with a time after it, or with a month name.
/// Returns days since 1970-01-01.
pub(crate) fn parse_review_date(text: &str) -> Option<i64> {
    let text = text.trim().trim_matches(['"', '\'']).trim();
    // `2024-05-01`, `2024-05-01T10:00:00Z`, `2024-05-01 10:00 +0100`, `2024/05/01`.
    let date_part = text
        .split(|c: char| c == 'T' || c == 't' || c.is_whitespace())
        .next()
        .unwrap_or("");
    if let Some(days) = parse_date(&date_part.replace('/', "-")) {
        return Some(days);
    }
    month_name_date(text)
}

/// `1 May 2024`, `1st May 2024`, `May 1, 2024`, `May 1st 2024`.
fn month_name_date(text: &str) -> Option<i64> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    if words.len() != 3 {
        return None;
    }
    let day = |w: &str| -> Option<u32> {
        w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .ok()
    };
    let (d, m) = match (month_number(&words[0]), month_number(&words[1])) {
        (Some(m), None) => (day(&words[1])?, m),
        (None, Some(m)) => (day(&words[0])?, m),
        _ => return None,
    };
    let y: i64 = words[2].parse().ok()?;
    parse_date(&format!("{y:04}-{m:02}-{d:02}"))
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if word.len() < 3 || !word.chars().all(|c| c.is_ascii_alphabetic() || c == '.') {
        return None;
    }
    let word = word.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| word.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// A review interval: calendar months plus days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interval {
    pub months: i64,
    pub days: i64,
}

impl Interval {
    /// The day `self` after `start` (days since 1970-01-01): months are calendar months,
    /// the day of the month kept or, past the end of a shorter month, its last day.
    pub fn after(self, start: i64) -> i64 {
        let date = format_date(start);
        let mut parts = date.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (
            parts.next().and_then(|p| p.parse::<i64>().ok()),
            parts.next().and_then(|p| p.parse::<i64>().ok()),
            parts.next().and_then(|p| p.parse::<u32>().ok()),
        ) else {
            return start + self.months * 30 + self.days;
        };
        let total = y * 12 + (m - 1) + self.months;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        let moved = (28..=d.max(28))
            .rev()
            .find_map(|day| parse_date(&format!("{ny:04}-{nm:02}-{:02}", day.min(d))));
        match moved {
            Some(days) => days + self.days,
            None => start + self.months * 30 + self.days,
        }
    }
}

/// `6 months`, `3 Months`, `1 year`, `2 weeks`, `90 days`, `six months`, `a year`,
/// `6mo`, `every 6 months`, `quarterly`, `P6M`; a bare number is days.
pub(crate) fn parse_interval(text: &str) -> Option<Interval> {
    let text = text
        .trim()
        .trim_matches(['"', '\''])
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let months = |n: i64| Some(Interval { months: n, days: 0 });
    let days = |n: i64| Some(Interval { months: 0, days: n });
    match text.as_str() {
        "daily" => return days(1),
        "weekly" => return days(7),
        "fortnightly" | "biweekly" => return days(14),
        "monthly" => return months(1),
        "quarterly" => return months(3),
        "biannually" | "biannual" | "semiannually" | "semi-annually" | "semi-annual"
        | "half-yearly" | "twice a year" => return months(6),
        "yearly" | "annually" | "annual" => return months(12),
        _ => {}
    }
    if let Some(iso) = text.strip_prefix('p') {
        let (number, unit) = iso.split_at(iso.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = number.parse().ok().filter(|n| *n > 0 && *n < 10_000)?;
        return match unit {
            "d" => days(n),
            "w" => days(7 * n),
            "m" => months(n),
            "y" => months(12 * n),
            _ => None,
        };
    }
    let text = text
        .strip_prefix("every ")
        .or_else(|| text.strip_prefix("in "))
        .unwrap_or(&text)
        .trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = if split > 0 {
        (&text[..split], text[split..].trim())
    } else {
        text.split_once(char::is_whitespace)
            .map_or((text, ""), |(n, u)| (n, u.trim()))
    };
    let n: i64 = match number.parse() {
        Ok(n) => n,
        Err(_) => number_word(number)?,
    };
    if n <= 0 || n >= 10_000 {
        return None;
    }
    match unit.trim_end_matches('s') {
        "" | "day" | "d" => days(n),
        "week" | "w" | "wk" => days(7 * n),
        "month" | "mo" | "m" | "mth" => months(n),
        "quarter" | "q" => months(3 * n),
        "year" | "y" | "yr" => months(12 * n),
        _ => None,
    }
}

fn number_word(word: &str) -> Option<i64> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    match word {
        "a" | "an" => Some(1),
        w => WORDS.iter().position(|x| *x == w).map(|i| i as i64 + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{asciidoc, markdown, rst};

    fn review(md: &Markdown, raw: Option<&str>) -> (Option<String>, Option<String>) {
        let r = review_of(md, raw);
        (r.last_reviewed, r.review_due)
    }

    fn of(text: &str) -> (Option<String>, Option<String>) {
        review(&markdown::parse(text), Some(text))
    }

    fn some(a: &str, b: &str) -> (Option<String>, Option<String>) {
        (Some(a.to_string()), Some(b.to_string()))
    }

    #[test]
    fn tech_docs_front_matter_in_calendar_months() {
        // As in ministryofjustice/cloud-platform and modernisation-platform.
        let fm = "---\ntitle: Access EKS\nweight: 10\nlast_reviewed_on: 2026-04-15\nreview_in: 6 months\n---\n# x\n";
        assert_eq!(of(fm), some("2026-04-15", "2026-10-15"));
        let fm = "---\nlast_reviewed_on: 2025-11-24\nreview_in: 12 months\n---\n";
        assert_eq!(of(fm), some("2025-11-24", "2026-11-24"));
        let fm = "---\nlast_reviewed_on: 2024-08-31\nreview_in: 6 month\n---\n";
        assert_eq!(of(fm), some("2024-08-31", "2025-02-28"));
        let fm = "---\nlast_reviewed_on: 2024-01-10\nreview_in: 3 Months\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2024-04-10"));
    }

    #[test]
    fn date_and_interval_variants() {
        let fm = "---\nlast_reviewed_on: \"2024-01-10\"\nreview_in: '2 weeks'\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2024-01-24"));
        let fm = "---\nlast_reviewed: 2024-01-10T09:30:00Z\nreview_in: 1 year\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2025-01-10"));
        let fm = "---\nreviewed: 2024-01-10 09:30\nreview_in: 90\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2024-04-09"));
        let fm = "---\nlast_reviewed_on: 10 January 2024\nreview_in: six months\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2024-07-10"));
        let fm = "---\nlast_reviewed_on: Jan 10, 2024\nreview_by: 2024-03-01\n---\n";
        assert_eq!(of(fm), some("2024-01-10", "2024-03-01"));
        let fm = "---\nlast_reviewed_on: 2024-02-30\nreview_in: 6 months\n---\n";
        assert_eq!(of(fm), (None, None));
        let fm = "---\nlast_reviewed_on: 2024-01-10\nreview_in: soon\n---\n";
        assert_eq!(of(fm), (Some("2024-01-10".to_string()), None));
        for (text, months, days) in [
            ("6mo", 6, 0),
            ("every 3 months", 3, 0),
            ("Quarterly", 3, 0),
            ("annually", 12, 0),
            ("P6M", 6, 0),
            ("P2W", 0, 14),
            ("a year", 12, 0),
            ("2 quarters", 6, 0),
            ("30 Days.", 0, 30),
        ] {
            assert_eq!(
                parse_interval(text),
                Some(Interval { months, days }),
                "{text}"
            );
        }
        assert_eq!(parse_interval("0 months"), None);
        assert_eq!(parse_interval("many years"), None);
    }

    #[test]
    fn misplaced_front_matter_is_read_from_the_top() {
        // modernisation-platform's auth0-dedicated-endpoints-migration.md.erb.
        let raw = "# Auth0 Deprecation\n \n---\nowner_slack: \"#mp\"\nlast_reviewed_on: 2026-07-01\nreview_in: 6 months\n---\n\n## Background\n";
        assert_eq!(of(raw), some("2026-07-01", "2027-01-01"));
        // Not inside a code example.
        let raw = "# Add a runbook\n\n```\n---\nlast_reviewed_on: 2020-04-21\n---\n```\n";
        assert_eq!(of(raw), (None, None));
    }

    #[test]
    fn rst_fields_and_asciidoc_attributes() {
        let text = ":last_reviewed_on: 2024-05-01\n:review_in: 3 months\n\nDisk full\n=========\n";
        assert_eq!(
            review(&rst::parse(text), Some(text)),
            some("2024-05-01", "2024-08-01")
        );
        let text = "= Disk full\n:last_reviewed_on: 2024-05-01\n:review-in: 1 year\n\n== Steps\n";
        assert_eq!(
            review(&asciidoc::parse(text), Some(text)),
            some("2024-05-01", "2025-05-01")
        );
    }
}
