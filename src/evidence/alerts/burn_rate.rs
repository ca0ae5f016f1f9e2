//! Recognises error-budget burn-rate alerts in PromQL expressions.
//!
//! A burn-rate alert compares how fast the error budget is being spent with a threshold
//! that is a multiple of the budget (`error_ratio > 14.4 * (1 - 0.999)`), or reads a
//! recording rule made for that (`…:burnrate5m`, `slo:sli_error:ratio_rate1h`). The
//! multiwindow form of the SRE Workbook joins such comparisons over a long and a short
//! window with `and`, so that the alert fires quickly yet stops soon after recovery.
//!
//! The generated forms recognised are Sloth's, Pyrra's, kube-prometheus's
//! `KubeAPIErrorBudgetBurn` and hand-written ratios over `rate(…[5m])` and `rate(…[1h])`.
//! An ordinary threshold (`rate(errors[5m]) > 0.1`) is not a burn-rate alert: its
//! threshold is not tied to an error budget.
//!
//! The threshold also tells which objective the alert assumes: `14.4 * 0.001` spends a
//! budget of 0.001, so the objective is 99.9 %; `14 * (1-0.99)`, `(1 - 0.995)` and
//! `/ (1 - 0.999)` spell the objective out. The link stage compares it with the SLOs of the
//! repository.
//!
//! This is not a PromQL parser: it splits the expression at its set operators (`or`,
//! `and`, `unless`), which is all the structure burn-rate alerts have, and reads each
//! operand for its comparison, threshold, metric names and windows.

use std::sync::LazyLock;

use regex::Regex;

use super::duration;

/// What an alert expression says about burn-rate alerting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BurnRate {
    /// The expression compares an error-budget burn rate against a threshold.
    pub burn_rate: bool,
    /// Two or more burn-rate comparisons over distinct windows are joined by `and`.
    pub multi_window: bool,
    /// Distinct windows of the burn-rate comparisons, sorted by duration.
    pub windows: Vec<String>,
    /// The objective the thresholds assume, as a ratio (0.999), when every burn-rate
    /// comparison that spells out an error budget spells out the same one.
    pub objective: Option<f64>,
}

/// Reads an alert expression.
pub fn analyse(expr: &str) -> BurnRate {
    let masked = mask(expr);
    let mut operands = Vec::new();
    let mut chains = Vec::new();
    collect(&masked, 0, &mut operands, &mut chains);

    let burning: Vec<Option<Vec<Window>>> = operands.iter().map(|o| burn_operand(o)).collect();
    let mut windows: Vec<Window> = burning.iter().flatten().flatten().cloned().collect();
    sort_windows(&mut windows);
    let objectives: Vec<f64> = operands
        .iter()
        .zip(&burning)
        .filter(|(_, burn)| burn.is_some())
        .filter_map(|(operand, _)| budget_objective(operand))
        .collect();
    let objective = objectives.first().copied().filter(|first| {
        objectives
            .iter()
            .all(|o| (o - first).abs() < OBJECTIVE_TOLERANCE)
    });

    let multi_window = chains.iter().any(|chain| {
        let burns: Vec<&Vec<Window>> = chain
            .iter()
            .filter_map(|&i| burning.get(i).and_then(Option::as_ref))
            .collect();
        let mut distinct: Vec<Window> = burns.iter().flat_map(|w| w.iter().cloned()).collect();
        sort_windows(&mut distinct);
        burns.len() >= 2 && distinct.len() >= 2
    });

    BurnRate {
        burn_rate: burning.iter().any(Option::is_some),
        multi_window,
        windows: windows.into_iter().map(|w| w.text).collect(),
        objective,
    }
}

/// Objectives closer than this are the same objective (`1 - 0.0009999999999999432`).
pub const OBJECTIVE_TOLERANCE: f64 = 1e-6;

/// The objective a burn-rate comparison's threshold assumes: `1 - 0.999` and `100 - 99.9`
/// name it; a product of a burn factor and a budget (`14.4 * 0.001`) implies `1 - budget`.
fn budget_objective(operand: &str) -> Option<f64> {
    let compact: String = operand.chars().filter(|c| !c.is_whitespace()).collect();
    let spelled = ONE_MINUS.captures(&compact).and_then(|c| {
        if let Some(ratio) = c.get(1) {
            ratio.as_str().parse::<f64>().ok()
        } else {
            c.get(2)?.as_str().parse::<f64>().ok().map(|p| p / 100.0)
        }
    });
    let objective = spelled.or_else(|| budget_products(&compact).first().map(|b| 1.0 - b))?;
    let objective = (objective * 1e9).round() / 1e9;
    (objective > 0.0 && objective < 1.0).then_some(objective)
}

#[derive(Debug, Clone)]
struct Window {
    text: String,
    millis: u64,
}

fn sort_windows(windows: &mut Vec<Window>) {
    windows.sort_by(|a, b| a.millis.cmp(&b.millis).then_with(|| a.text.cmp(&b.text)));
    windows.dedup_by(|a, b| a.millis == b.millis);
}

/// The expression with string literals, label matchers (`{…}`) and comments blanked out,
/// byte for byte, so that what remains is operators, names, numbers and ranges.
fn mask(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut braces = 0u32;
    let mut comment = false;
    for c in expr.chars() {
        let width = c.len_utf8();
        let blank = |out: &mut String| out.extend(std::iter::repeat_n(' ', width));
        if comment {
            if c == '\n' {
                comment = false;
                out.push('\n');
            } else {
                blank(&mut out);
            }
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
                out.push(c);
                continue;
            }
            blank(&mut out);
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                out.push(c);
            }
            '{' => {
                braces += 1;
                out.push(c);
            }
            '}' => {
                braces = braces.saturating_sub(1);
                out.push(c);
            }
            '#' if braces == 0 => {
                comment = true;
                blank(&mut out);
            }
            _ if braces > 0 => blank(&mut out),
            _ if c.is_ascii() => out.push(c),
            _ => blank(&mut out),
        }
    }
    out
}

/// Splits `s` into the operands of its set operators, recording each `and` chain as the
/// indices of its operands. Returns the indices of the operands found in `s`.
fn collect(
    s: &str,
    depth: u32,
    operands: &mut Vec<String>,
    chains: &mut Vec<Vec<usize>>,
) -> Vec<usize> {
    let s = strip_matching_modifiers(s.trim());
    if depth > 32 {
        operands.push(s.to_string());
        return vec![operands.len() - 1];
    }
    let alternatives = split_top(s, &["or"]);
    if alternatives.len() > 1 {
        return alternatives
            .iter()
            .flat_map(|(_, part)| collect(part, depth + 1, operands, chains))
            .collect();
    }
    let conjuncts = split_top(s, &["and", "unless"]);
    if conjuncts.len() > 1 {
        let mut chain = Vec::new();
        for (op, part) in conjuncts {
            // `a unless b` fires on `a`; `b` only silences it.
            if op.is_some_and(|o| o.eq_ignore_ascii_case("unless")) {
                continue;
            }
            chain.extend(collect(part, depth + 1, operands, chains));
        }
        chains.push(chain.clone());
        return chain;
    }
    if let Some(inner) = strip_parens(s) {
        return collect(inner, depth + 1, operands, chains);
    }
    if has_set_operator(s) {
        // `max(a > x and b > y) without (w)`: the structure is inside a call.
        return paren_groups(s)
            .into_iter()
            .flat_map(|group| collect(group, depth + 1, operands, chains))
            .collect();
    }
    operands.push(s.to_string());
    vec![operands.len() - 1]
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

/// The keyword among `words` that starts at byte `i` of `s` as a whole word.
fn word_at<'w>(s: &str, i: usize, words: &[&'w str]) -> Option<&'w str> {
    let bytes = s.as_bytes();
    if i > 0 && is_word_byte(bytes[i - 1]) {
        return None;
    }
    words.iter().copied().find(|w| {
        let end = i + w.len();
        end <= bytes.len()
            && s[i..end].eq_ignore_ascii_case(w)
            && (end == bytes.len() || !is_word_byte(bytes[end]))
    })
}

/// Splits at `words` outside parentheses, brackets and braces; each part comes with the
/// operator before it.
fn split_top<'a, 'w>(s: &'a str, words: &[&'w str]) -> Vec<(Option<&'w str>, &'a str)> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut before: Option<&'w str> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ if depth == 0 => {
                if let Some(word) = word_at(s, i, words) {
                    parts.push((before, &s[start..i]));
                    before = Some(word);
                    i += word.len();
                    start = i;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push((before, &s[start..]));
    parts
}

/// The byte index of the parenthesis closing the one at `open`.
fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, b) in s.bytes().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `inner` when `s` is `( inner )` as a whole.
fn strip_parens(s: &str) -> Option<&str> {
    (s.starts_with('(') && matching_paren(s, 0) == Some(s.len() - 1)).then(|| &s[1..s.len() - 1])
}

/// Drops the vector-matching modifiers that may follow a set operator:
/// `on(…)`, `ignoring(…)`, `group_left(…)`, `group_right`.
fn strip_matching_modifiers(mut s: &str) -> &str {
    loop {
        let Some(word) = word_at(s, 0, &["on", "ignoring", "group_left", "group_right"]) else {
            return s;
        };
        let rest = s[word.len()..].trim_start();
        s = match rest.starts_with('(').then(|| matching_paren(rest, 0)) {
            Some(Some(close)) => rest[close + 1..].trim_start(),
            Some(None) => return rest,
            None => rest,
        };
    }
}

fn has_set_operator(s: &str) -> bool {
    (0..s.len()).any(|i| word_at(s, i, &["and", "or", "unless"]).is_some())
}

/// The contents of the top-level parenthesised groups of `s`.
fn paren_groups(s: &str) -> Vec<&str> {
    let mut groups = Vec::new();
    let mut i = 0;
    while let Some(found) = s[i..].find('(') {
        let open = i + found;
        let Some(close) = matching_paren(s, open) else {
            break;
        };
        groups.push(&s[open + 1..close]);
        i = close + 1;
    }
    groups
}

static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_:][A-Za-z0-9_:]*").expect("valid regex"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::[^\]]*)?\]").expect("valid regex")
});
static NAME_WINDOW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_]((?:\d+(?:ms|[smhdwy]))+)$").expect("valid regex"));
/// `1 - 0.999`, `1-0.99`, `100 - 99.9`: the error budget spelled out from the objective.
static ONE_MINUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.:])(?:1(?:\.0+)?-(0?\.\d+)|100(?:\.0+)?-(\d{1,2}(?:\.\d+)?))")
        .expect("valid regex")
});
/// Two numbers multiplied, e.g. `14.4 * 0.001` or `(14.40 * 0.01000)`.
static PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    let number = r"(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)";
    Regex::new(&format!(r"{number}\)?\*\(?{number}")).expect("valid regex")
});

/// The windows of an operand that is a burn-rate comparison, `None` when it is not one.
fn burn_operand(operand: &str) -> Option<Vec<Window>> {
    if !operand.contains('>') {
        return None;
    }
    let names: Vec<&str> = IDENT
        .find_iter(operand)
        .filter(|m| {
            // Not the exponent or suffix of a number (`1e3`, `5m` in a range).
            m.start() == 0 || {
                let before = operand.as_bytes()[m.start() - 1];
                !(before.is_ascii_digit() || before == b'.')
            }
        })
        .map(|m| m.as_str())
        .collect();
    let burn_metric = names.iter().any(|n| is_burn_metric(n));
    let compact: String = operand.chars().filter(|c| !c.is_whitespace()).collect();
    let budget_threshold = ONE_MINUS.is_match(&compact)
        || (has_budget_product(&compact) && is_error_ratio(operand, &names));
    if !burn_metric && !budget_threshold {
        return None;
    }
    let mut windows: Vec<Window> = RANGE
        .captures_iter(operand)
        .filter_map(|c| window(c.get(1)?.as_str()))
        .collect();
    windows.extend(
        names
            .iter()
            .filter(|n| n.contains(':') || is_burn_metric(n))
            .filter_map(|n| window(NAME_WINDOW.captures(n)?.get(1)?.as_str())),
    );
    sort_windows(&mut windows);
    Some(windows)
}

fn window(text: &str) -> Option<Window> {
    Some(Window {
        text: text.to_string(),
        millis: duration::millis(text)?,
    })
}

/// A recording rule made for burn-rate alerting: `…:burnrate5m`, `…error_budget…`,
/// Sloth's `slo:sli_error:ratio_rate5m`.
fn is_burn_metric(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("burnrate")
        || lower.contains("burn_rate")
        || lower.contains("error_budget")
        || lower.contains("errorbudget")
        || lower.starts_with("slo:")
}

/// A product of a burn factor (1 to 1000) and an error budget (at most 25 %).
fn has_budget_product(compact: &str) -> bool {
    !budget_products(compact).is_empty()
}

/// The budgets of the products of a burn factor (1 to 1000) and an error budget (at most
/// 25 %) in `compact`, in order.
fn budget_products(compact: &str) -> Vec<f64> {
    PRODUCT
        .captures_iter(compact)
        .filter_map(|c| {
            let (whole, a, b) = (c.get(0)?, c.get(1)?, c.get(2)?);
            let bytes = compact.as_bytes();
            let clean_start = whole.start() == 0 || !is_number_byte(bytes[whole.start() - 1]);
            let clean_end = whole.end() == bytes.len() || !is_number_byte(bytes[whole.end()]);
            if !(clean_start && clean_end) {
                return None;
            }
            let (a, b) = (
                a.as_str().parse::<f64>().ok()?,
                b.as_str().parse::<f64>().ok()?,
            );
            let factor_budget =
                |f: f64, e: f64| (1.0..=1000.0).contains(&f) && e > 0.0 && e <= 0.25;
            if factor_budget(a, b) {
                Some(b)
            } else if factor_budget(b, a) {
                Some(a)
            } else {
                None
            }
        })
        .collect()
}

/// SLO names and services an expression selects with `=` label matchers: `sloth_slo`,
/// `slo`, `slo_name`, `sloth_service`, `service`, as `(label, value)` in order.
pub fn slo_selectors(expr: &str) -> Vec<(String, String)> {
    SLO_SELECTOR
        .captures_iter(expr)
        .filter_map(|c| {
            Some((
                c.get(1)?.as_str().to_string(),
                c.get(2)?.as_str().to_string(),
            ))
        })
        .collect()
}

static SLO_SELECTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(sloth_slo|slo_name|slo|sloth_service|service)\s*=\s*"([^"\\]*)""#)
        .expect("valid regex")
});

fn is_number_byte(b: u8) -> bool {
    is_word_byte(b) || b == b'.'
}

/// The operand reads an error ratio: a division, or a metric named for errors or ratios.
fn is_error_ratio(operand: &str, names: &[&str]) -> bool {
    operand.contains('/')
        || names.iter().any(|n| {
            let lower = n.to_ascii_lowercase();
            ["error", "fail", "ratio", "5xx"]
                .iter()
                .any(|w| lower.contains(w))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(expr: &str) -> Vec<String> {
        analyse(expr).windows
    }

    #[test]
    fn sloth_generated_alert() {
        let expr = r#"(
    max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
    and
    max(slo:sli_error:ratio_rate1h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
)
or
(
    max(slo:sli_error:ratio_rate30m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
    and
    max(slo:sli_error:ratio_rate6h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
)
"#;
        let b = analyse(expr);
        assert!(b.burn_rate && b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m", "30m", "1h", "6h"]);
    }

    #[test]
    fn older_sloth_form_with_ignoring() {
        let expr = r#"(slo:sli_error:ratio_rate5m{sloth_id="svc-slo"} > (14.4 * 0.001)) and ignoring(sloth_window) (slo:sli_error:ratio_rate1h{sloth_id="svc-slo"} > (14.4 * 0.001))"#;
        let b = analyse(expr);
        assert!(b.burn_rate && b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m", "1h"]);
    }

    #[test]
    fn pyrra_and_rhobs_generated_alerts() {
        let expr = r#"http_requests:burnrate5m{group="metricsv1",handler="receive",job="observatorium-api",slo="api-write"}
        > (14 * (1-0.99)) and http_requests:burnrate1h{group="metricsv1",handler="receive",job="observatorium-api",slo="api-write"}
        > (14 * (1-0.99))"#;
        let b = analyse(expr);
        assert!(b.burn_rate && b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m", "1h"]);

        let latency = r#"http_request_duration_seconds:burnrate30m{job="api",slo="latency"} > (7 * (1-0.95)) and http_request_duration_seconds:burnrate6h{job="api",slo="latency"} > (7 * (1-0.95))"#;
        assert_eq!(windows(latency), ["30m", "6h"]);
    }

    #[test]
    fn kube_prometheus_api_error_budget_burn() {
        let expr = "sum by(cluster) (apiserver_request:burnrate1h) > (14.40 * 0.01000)\nand on(cluster)\nsum by(cluster) (apiserver_request:burnrate5m) > (14.40 * 0.01000)\n";
        let b = analyse(expr);
        assert!(b.burn_rate && b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m", "1h"]);
        assert_eq!(
            windows(
                "sum(apiserver_request:burnrate3d) > (1.00 * 0.01000) and sum(apiserver_request:burnrate6h) > (1.00 * 0.01000)"
            ),
            ["6h", "3d"]
        );
    }

    #[test]
    fn hand_written_multiwindow_ratio() {
        let expr = r#"(
  sum(rate(http_requests_total{job="api",code=~"5.."}[1h]))
  /
  sum(rate(http_requests_total{job="api"}[1h]))
) > (14.4 * (1 - 0.999))
and
(
  sum(rate(http_requests_total{job="api",code=~"5.."}[5m]))
  /
  sum(rate(http_requests_total{job="api"}[5m]))
) > (14.4 * (1 - 0.999))"#;
        let b = analyse(expr);
        assert!(b.burn_rate && b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m", "1h"]);
    }

    #[test]
    fn hand_written_ratio_divided_by_budget() {
        let expr =
            "(sum(rate(errors_total[30m])) / sum(rate(requests_total[30m]))) / (1 - 0.995) > 6";
        let b = analyse(expr);
        assert!(b.burn_rate && !b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["30m"]);
    }

    #[test]
    fn single_window_burn_rate_is_not_multi_window() {
        let b = analyse(r#"slo:sli_error:ratio_rate1h{sloth_slo="x"} > (14.4 * 0.001)"#);
        assert!(b.burn_rate && !b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["1h"]);
        let b = analyse("slo:current_burn_rate:ratio > 2");
        assert!(
            b.burn_rate && !b.multi_window && b.windows.is_empty(),
            "{b:?}"
        );
    }

    #[test]
    fn traffic_guard_is_not_a_second_window() {
        let expr = r#"sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 14.4 * (1 - 0.999) and sum(rate(http_requests_total[1h])) > 10"#;
        let b = analyse(expr);
        assert!(b.burn_rate && !b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m"]);
    }

    #[test]
    fn unless_side_does_not_count() {
        let expr = "slo:sli_error:ratio_rate5m > (14.4 * 0.001) unless slo:sli_error:ratio_rate1h > (14.4 * 0.001)";
        let b = analyse(expr);
        assert!(b.burn_rate && !b.multi_window, "{b:?}");
        assert_eq!(b.windows, ["5m"]);
    }

    #[test]
    fn ordinary_thresholds_are_not_burn_rates() {
        for expr in [
            "rate(http_requests_total{code=~\"5..\"}[5m]) > 0.1",
            "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05",
            "global:router_5xx_responses_per_request:ratio_rate5m{job=\"router\"} > 0.1\nand\nsum without (backend_id) (global:router_requests:rate5m{job=\"router\"}) > 1",
            "increase(kube_pod_container_status_restarts_total[1h]) > 5",
            "up{job=\"slo:burnrate\"} == 0",
            "absent(slo:sli_error:ratio_rate5m{sloth_slo=\"x\"})",
            "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10",
            "process_resident_memory_bytes > 2 * 1024 * 1024 * 1024",
            "time() - last_success_timestamp_seconds > 3 * 3600",
            "rate(x[5m]) > 1e-3 # 14.4 * (1 - 0.999) in a comment",
            "",
        ] {
            let b = analyse(expr);
            assert_eq!(b, BurnRate::default(), "{expr}");
        }
    }

    #[test]
    fn labels_and_strings_do_not_leak_into_the_analysis() {
        // `and` inside a label value, a burn-rate name inside a string.
        let b = analyse(r#"rate(requests_total{path="/a and b", slo="slo:burnrate5m"}[5m]) > 3"#);
        assert_eq!(b, BurnRate::default());
    }

    #[test]
    fn windows_are_distinct_and_sorted_by_duration() {
        let expr = "slo:sli_error:ratio_rate1h > (14.4 * 0.001) and slo:sli_error:ratio_rate60m > (14.4 * 0.001) and slo:sli_error:ratio_rate5m > (14.4*0.001)";
        assert_eq!(windows(expr), ["5m", "1h"]);
    }

    #[test]
    fn subqueries_count_their_range() {
        let expr = "max_over_time((sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])))[1h:5m]) > 14.4 * (1 - 0.999)";
        assert_eq!(windows(expr), ["5m", "1h"]);
    }

    fn objective(expr: &str) -> Option<f64> {
        analyse(expr).objective
    }

    #[test]
    fn objective_from_sloth_budgets() {
        // slok/sloth examples/_gen/getting-started.yml (99.9 %).
        let expr = r#"(
    max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
    and
    max(slo:sli_error:ratio_rate1h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.0009999999999999432)) without (sloth_window)
)
or
(
    max(slo:sli_error:ratio_rate30m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
    and
    max(slo:sli_error:ratio_rate6h{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (6 * 0.0009999999999999432)) without (sloth_window)
)
"#;
        assert_eq!(objective(expr), Some(0.999));
        // examples/_gen/multifile.yml, `myservice2` (99.99 %), and home-wifi.yml (95 %).
        assert_eq!(
            objective(
                r#"(max(slo:sli_error:ratio_rate2h{sloth_id="myservice2-requests-availability", sloth_service="myservice2", sloth_slo="requests-availability"} > (3 * 0.00010000000000005117)) without (sloth_window) and max(slo:sli_error:ratio_rate1d{sloth_id="myservice2-requests-availability", sloth_service="myservice2", sloth_slo="requests-availability"} > (3 * 0.00010000000000005117)) without (sloth_window))"#
            ),
            Some(0.9999)
        );
        assert_eq!(
            objective(
                r#"max(slo:sli_error:ratio_rate5m{sloth_slo="good-wifi-client-satisfaction"} > (14.4 * 0.05)) without (sloth_window)"#
            ),
            Some(0.95)
        );
    }

    #[test]
    fn objective_from_pyrra_and_rhobs_thresholds() {
        // rhobs/configuration rhobs-slos-mst-production.prometheusrules.yaml.
        let availability = r#"http_requests:burnrate5m{group="metricsv1",handler="receive",job="observatorium-observatorium-mst-api",slo="api-metrics-write-availability-slo"}
        > (14 * (1-0.99)) and http_requests:burnrate1h{group="metricsv1",handler="receive",job="observatorium-observatorium-mst-api",slo="api-metrics-write-availability-slo"}
        > (14 * (1-0.99))"#;
        assert_eq!(objective(availability), Some(0.99));
        let latency = r#"http_request_duration_seconds:burnrate30m{group="metricsv1",handler="receive",job="observatorium-observatorium-mst-api",slo="api-metrics-write-latency-slo"}
        > (7 * (1-0.9)) and http_request_duration_seconds:burnrate6h{group="metricsv1",handler="receive",job="observatorium-observatorium-mst-api",slo="api-metrics-write-latency-slo"}
        > (7 * (1-0.9))"#;
        assert_eq!(objective(latency), Some(0.9));
    }

    #[test]
    fn objective_from_kube_prometheus_and_hand_written_forms() {
        // kube-prometheus manifests/kubernetesControlPlane-prometheusRule.yaml (99 %).
        assert_eq!(
            objective(
                "sum by(cluster) (apiserver_request:burnrate1h) > (14.40 * 0.01000)\nand on(cluster)\nsum by(cluster) (apiserver_request:burnrate5m) > (14.40 * 0.01000)\n"
            ),
            Some(0.99)
        );
        assert_eq!(
            objective(
                "(sum(rate(errors_total[30m])) / sum(rate(requests_total[30m]))) / (1 - 0.995) > 6"
            ),
            Some(0.995)
        );
        assert_eq!(
            objective(
                "sum(rate(http_requests_total{code=~\"5..\"}[1h])) / sum(rate(http_requests_total[1h])) > 14.4 * (1 - 0.999)"
            ),
            Some(0.999)
        );
        assert_eq!(
            objective(
                "100 * sum(rate(errors_total[1h])) / sum(rate(requests_total[1h])) > 14.4 * (100 - 99.5)"
            ),
            Some(0.995)
        );
    }

    #[test]
    fn no_objective_without_a_budget_or_with_disagreeing_ones() {
        // Recording rules that compute the burn rate leave the budget out of the threshold.
        assert_eq!(objective("slo:current_burn_rate:ratio > 2"), None);
        assert_eq!(
            objective(
                "slo:sli_error:ratio_rate5m > (14.4 * 0.001) and slo:sli_error:ratio_rate1h > (14.4 * 0.01)"
            ),
            None
        );
        // A budget-looking product is not read when the operand is no burn rate.
        assert_eq!(objective("rate(x[5m]) > 14.4 * 0.001"), None);
    }

    #[test]
    fn slo_selectors_of_generated_alerts() {
        let sloth = r#"max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"} > (14.4 * 0.001))"#;
        assert_eq!(
            slo_selectors(sloth),
            [
                ("sloth_service".to_string(), "myservice".to_string()),
                ("sloth_slo".to_string(), "requests-availability".to_string()),
            ]
        );
        let pyrra = r#"http_requests:burnrate5m{job="api",slo="api-write",service!="x",slo_name=~"a.*"} > (14 * (1-0.99))"#;
        assert_eq!(
            slo_selectors(pyrra),
            [("slo".to_string(), "api-write".to_string())]
        );
    }

    #[test]
    fn does_not_panic_on_odd_input() {
        for expr in [
            "((((",
            "))))",
            "and",
            "or or",
            "> (",
            "[5m:",
            "}{",
            "é > 1 - 0.9 and ü",
            "on(",
            "ignoring",
            "1*",
            "*0.1",
            "\"unterminated",
            "`x",
        ] {
            let _ = analyse(expr);
        }
        let deep = format!("{}x > 14 * (1-0.99){}", "(".repeat(500), ")".repeat(500));
        assert!(analyse(&deep).burn_rate);
    }
}
