//! Datadog monitors, however they are written (Terraform `datadog_monitor`, a monitor
//! catalog, a `DatadogMonitor` resource): who a monitor notifies, whether it pages, and
//! whether it waits before it fires.
//!
//! ## Paging
//! A monitor pages when its message names a paging handle (`@pagerduty…`, `@opsgenie…`,
//! `@victorops…`), or its priority is 1 or 2. Priority 3 to 5 does not page. Without a
//! priority, a `severity:`/`priority:` tag decides as a Prometheus severity would. Without
//! any of these, a monitor whose message is computed (a Terraform expression that may add
//! handles) is taken to page; one whose literal message names no paging handle does not.
//!
//! ## Debounce
//! A metric monitor is evaluated about once a minute over the window of its query
//! (`avg(last_15m):…`, `.last("15m")`). It is debounced when that window is longer than
//! one minute, so that one bad data point does not fire it on its own, except when the
//! aggregation fires on a single point anyway: `max(…) >` or `min(…) <`. An SLO burn-rate
//! monitor (`burn_rate(…).long_window("1h").short_window("5m")`) is a multi-window
//! burn-rate alert, debounced by its windows. A service check
//! is debounced when it needs more than one check (`.last(3)`). `evaluation_delay` and
//! `new_group_delay` delay evaluation but do not debounce.

use std::sync::LazyLock;

use regex::Regex;

use super::prometheus_rules::is_paging;

/// Every `@handle` a message notifies, in order, without duplicates: `@pagerduty-checkout`,
/// `@slack-alerts`, `@team-payments`, `@oncall@example.com`.
pub fn handles(message: &str) -> Vec<String> {
    static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s(\[{},;>])(@[A-Za-z0-9_][A-Za-z0-9_.+\-]*(?:@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?)")
            .expect("valid regex")
    });
    let mut out: Vec<String> = Vec::new();
    for c in HANDLE.captures_iter(message) {
        let Some(m) = c.get(1) else { continue };
        let handle = m.as_str().trim_end_matches(['.', '-']).to_string();
        // Slack mentions written after a Slack handle, not targets of their own.
        let mention = matches!(handle.as_str(), "@here" | "@channel" | "@everyone");
        if handle.len() > 1 && !mention && !out.contains(&handle) {
            out.push(handle);
        }
    }
    out
}

/// A handle that pages a human through an on-call tool.
pub fn is_paging_handle(handle: &str) -> bool {
    let h = handle.to_ascii_lowercase();
    ["pagerduty", "opsgenie", "victorops", "splunk-oncall"]
        .iter()
        .any(|p| h.contains(p))
}

/// The severity a monitor states: a `severity:` or `priority:` tag, else its priority as
/// Datadog shows it (`P1`).
pub fn severity(tags: &[(String, String)], priority: Option<u8>) -> Option<String> {
    ["severity", "priority"]
        .iter()
        .find_map(|k| {
            tags.iter()
                .find(|(key, v)| key.eq_ignore_ascii_case(k) && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_string())
        })
        .or_else(|| priority.map(|p| format!("P{p}")))
}

/// Whether a monitor pages (see the module documentation). `message_known` is false when
/// the message is computed.
pub fn is_paging_monitor(
    handles: &[String],
    priority: Option<u8>,
    severity: Option<&str>,
    message_known: bool,
) -> bool {
    if handles.iter().any(|h| is_paging_handle(h)) {
        return true;
    }
    if let Some(p) = priority.or_else(|| severity.and_then(priority_of)) {
        return p <= 2;
    }
    if let Some(s) = severity {
        return is_paging(Some(s));
    }
    !message_known
}

/// `P1`, `p2`, `1` → the priority number.
fn priority_of(text: &str) -> Option<u8> {
    let t = text.trim();
    let digits = t
        .strip_prefix('P')
        .or_else(|| t.strip_prefix('p'))
        .unwrap_or(t);
    digits.parse().ok().filter(|p| (1..=5).contains(p))
}

/// A priority written as a number or text (`1`, `"2"`, `"P3"`).
pub fn priority(text: &str) -> Option<u8> {
    priority_of(text)
}

/// The evaluation window of a monitor query and whether it debounces the monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The window as written (`last_15m`, `15m`, `last(3)`).
    pub text: String,
    pub debounced: bool,
}

/// The window of a monitor query (see the module documentation for when it debounces).
pub fn window(query: &str) -> Option<Window> {
    static METRIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:(?:pct_)?change\(\s*)?([a-z0-9_]+)\(\s*(last_(\d+)([smhdw]))\s*\)")
            .expect("valid regex")
    });
    static LAST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\.last\(\s*["'](\d+)([smhdw])["']\s*\)"#).expect("valid regex")
    });
    static CHECKS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\.last\(\s*(\d+)\s*\)").expect("valid regex"));
    static ROLLUP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\.rollup\(\s*["']([a-z0-9_]+)["']"#).expect("valid regex"));
    let single_point = |aggregation: &str| {
        let op = comparator(query);
        (aggregation == "max" && matches!(op, Some(">" | ">=")))
            || (aggregation == "min" && matches!(op, Some("<" | "<=")))
    };
    if let Some(c) = METRIC.captures(query) {
        let aggregation = c.get(1).map_or("", |m| m.as_str());
        let text = c.get(2).map_or("", |m| m.as_str()).to_string();
        let secs = seconds(c.get(3)?.as_str(), c.get(4)?.as_str())?;
        return Some(Window {
            debounced: secs > 60 && !single_point(aggregation),
            text,
        });
    }
    if let Some(c) = LAST.captures(query) {
        let secs = seconds(c.get(1)?.as_str(), c.get(2)?.as_str())?;
        let aggregation = ROLLUP
            .captures(query)
            .and_then(|r| r.get(1))
            .map_or("count", |m| m.as_str());
        return Some(Window {
            text: format!("{}{}", c.get(1)?.as_str(), c.get(2)?.as_str()),
            debounced: secs > 60 && !single_point(aggregation),
        });
    }
    if let Some(c) = CHECKS.captures(query) {
        let n: u32 = c.get(1)?.as_str().parse().ok()?;
        return Some(Window {
            text: format!("last({n})"),
            debounced: n > 1,
        });
    }
    None
}

/// An SLO burn-rate monitor (`burn_rate("slo-id").over("7d").long_window("1h")
/// .short_window("5m") > 14.4`): multi-window when it sets both windows.
pub fn slo_burn_rate(query: &str) -> super::burn_rate::BurnRate {
    static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\.(?:long|short)_window\(\s*["'](\d+[smhdw])["']\s*\)"#).expect("valid regex")
    });
    let mut burn = super::burn_rate::BurnRate::default();
    if !query.trim_start().starts_with("burn_rate(") {
        return burn;
    }
    burn.burn_rate = true;
    for c in WINDOW.captures_iter(query) {
        if let Some(w) = c.get(1).map(|m| m.as_str().to_string())
            && !burn.windows.contains(&w)
        {
            burn.windows.push(w);
        }
    }
    burn.windows
        .sort_by_key(|w| super::duration::millis(w).unwrap_or(u64::MAX));
    burn.multi_window = burn.windows.len() > 1;
    burn
}

/// A window written as `last_15m` (anomaly monitors' `trigger_window`).
pub fn trigger_window(text: &str) -> Option<Window> {
    let t = text.trim();
    let rest = t.strip_prefix("last_").unwrap_or(t);
    let split = rest.find(|c: char| !c.is_ascii_digit())?;
    let secs = seconds(&rest[..split], &rest[split..])?;
    Some(Window {
        text: t.to_string(),
        debounced: secs > 60,
    })
}

fn seconds(number: &str, unit: &str) -> Option<u64> {
    let n: u64 = number.parse().ok()?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// The comparison of the threshold at the end of a query (`… >= 2`).
fn comparator(query: &str) -> Option<&'static str> {
    static OP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(>=|<=|>|<)\s*-?[0-9.]+\s*$").expect("valid regex"));
    OP.captures(query.trim())
        .and_then(|c| c.get(1))
        .map(|m| match m.as_str() {
            ">=" => ">=",
            "<=" => "<=",
            ">" => ">",
            _ => "<",
        })
}

/// Datadog monitor types: `metric alert`, `query alert`, `log alert`, … `composite`,
/// `service check`.
pub fn is_monitor_type(kind: &str) -> bool {
    let k = kind.trim();
    k.ends_with(" alert") || k == "composite" || k == "service check"
}

/// Tags written `key:value` (or a bare `key`), as (key, value) pairs.
pub fn split_tags(tags: &[String]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| match t.split_once(':') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (t.trim().to_string(), String::new()),
        })
        .collect()
}

/// A monitor as read from any of its notations; `None` fields are absent or computed.
#[derive(Debug, Default)]
pub struct Monitor {
    pub name: String,
    pub query: Option<String>,
    pub message: Option<String>,
    /// The message is computed (or holds interpolations): handles may be added to it.
    pub message_computed: bool,
    pub priority: Option<u8>,
    pub tags: Vec<String>,
    /// `monitor_threshold_windows.trigger_window` / `options.threshold_windows`.
    pub trigger_window: Option<String>,
    /// Some field is a template or expression.
    pub templated: bool,
}

impl Monitor {
    /// The monitor as an alert of `format`.
    pub fn into_alert(
        self,
        format: &str,
        source: crate::evidence::Source,
    ) -> crate::evidence::Alert {
        let mut alert = super::new_alert(self.name, format, source);
        let tags = split_tags(&self.tags);
        let message = self.message.unwrap_or_default();
        let notifies = handles(&message);
        alert.severity = severity(&tags, self.priority);
        alert.paging = is_paging_monitor(
            &notifies,
            self.priority,
            alert.severity.as_deref(),
            !self.message_computed,
        );
        let query = self.query.unwrap_or_default();
        if let Some(w) =
            window(&query).or_else(|| self.trigger_window.as_deref().and_then(trigger_window))
        {
            alert.debounced = w.debounced;
            alert.for_ = Some(w.text);
        }
        let burn = slo_burn_rate(&query);
        if burn.burn_rate {
            alert.debounced |= burn.multi_window;
            alert.burn_rate = true;
            alert.multi_window = burn.multi_window;
            alert.windows = burn.windows;
        }
        alert.expr = query.trim().to_string();
        alert.summary = super::first_line(&message);
        alert.description = Some(message.trim().to_string()).filter(|m| !m.is_empty());
        alert.runbook_url = super::runbook_in_text(&message);
        alert.notifies = notifies;
        alert.labels = tags.into_iter().collect();
        alert.templated = self.templated;
        alert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_in_messages() {
        let m = "{{#is_alert}}Checkout is down @pagerduty-checkout{{/is_alert}}\nNotify @slack-alerts, @team-payments and @oncall@example.com.\nNot a handle: ops@example.com @slack-alerts @here";
        assert_eq!(
            handles(m),
            [
                "@pagerduty-checkout",
                "@slack-alerts",
                "@team-payments",
                "@oncall@example.com"
            ]
        );
        assert!(is_paging_handle("@pagerduty-checkout"));
        assert!(is_paging_handle("@opsgenie-db"));
        assert!(is_paging_handle("@webhook-pagerduty-bridge"));
        assert!(!is_paging_handle("@slack-alerts"));
    }

    #[test]
    fn paging_rules() {
        let slack = vec!["@slack-x".to_string()];
        let pd = vec!["@pagerduty-x".to_string()];
        assert!(is_paging_monitor(&pd, Some(4), None, true));
        assert!(is_paging_monitor(&slack, Some(2), None, true));
        assert!(!is_paging_monitor(&slack, Some(3), None, true));
        assert!(is_paging_monitor(&[], None, Some("critical"), true));
        assert!(!is_paging_monitor(&[], None, Some("P3"), true));
        assert!(is_paging_monitor(&[], None, Some("p1"), true));
        assert!(!is_paging_monitor(&slack, None, None, true));
        assert!(
            is_paging_monitor(&[], None, None, false),
            "a computed message may page"
        );
    }

    #[test]
    fn windows_and_debounce() {
        let w = window("avg(last_15m):avg:kubernetes_state.deployment.replicas_desired{*} >= 2")
            .unwrap();
        assert_eq!(w.text, "last_15m");
        assert!(w.debounced);
        assert!(
            !window("avg(last_1m):avg:system.cpu.user{*} > 90")
                .unwrap()
                .debounced
        );
        assert!(
            !window("max(last_5m):avg:system.cpu.user{*} > 90")
                .unwrap()
                .debounced
        );
        assert!(
            window("max(last_5m):avg:system.disk.free{*} < 10")
                .unwrap()
                .debounced
        );
        let change =
            window("change(sum(last_5m),last_5m):avg:kubernetes.containers.restarts{*} > 5")
                .unwrap();
        assert_eq!(change.text, "last_5m");
        assert!(change.debounced);
        let logs =
            window("logs(\"status:error\").index(\"*\").rollup(\"count\").last(\"10m\") > 100")
                .unwrap();
        assert_eq!(logs.text, "10m");
        assert!(logs.debounced);
        let check =
            window("\"http.can_connect\".over(\"*\").by(\"host\").last(3).count_by_status()")
                .unwrap();
        assert!(check.debounced);
        assert!(
            !window("\"x\".over(\"*\").last(1).count_by_status()")
                .unwrap()
                .debounced
        );
        assert_eq!(window("123 && 456"), None);
        assert!(trigger_window("last_37m").unwrap().debounced);
    }

    #[test]
    fn slo_burn_rate_monitors() {
        let b = slo_burn_rate(
            "burn_rate(\"abc123\").over(\"30d\").long_window(\"1h\").short_window(\"5m\") > 14.4",
        );
        assert!(b.burn_rate && b.multi_window);
        assert_eq!(b.windows, ["5m", "1h"]);
        assert!(!slo_burn_rate("error_budget(\"abc\").over(\"7d\") > 50").burn_rate);
    }

    #[test]
    fn severity_and_priority() {
        let tags = split_tags(&["env:prod".into(), "severity:critical".into()]);
        assert_eq!(severity(&tags, Some(3)).as_deref(), Some("critical"));
        assert_eq!(severity(&[], Some(3)).as_deref(), Some("P3"));
        assert_eq!(priority("P2"), Some(2));
        assert_eq!(priority("7"), None);
        assert!(is_monitor_type("query alert"));
        assert!(is_monitor_type("composite"));
        assert!(!is_monitor_type("metric"));
    }
}
