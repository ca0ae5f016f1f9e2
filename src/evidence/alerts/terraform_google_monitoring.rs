//! `terraform-google-monitoring`: Google Cloud Monitoring alert policies, notification
//! channels and dashboards written in Terraform.
//!
//! ## What it recognises
//! - `google_monitoring_alert_policy`: an alert of format `google-monitoring` named by
//!   `display_name`. Its expression is the filter or query of each condition
//!   (`condition_threshold`, `condition_absent`, `condition_monitoring_query_language`,
//!   `condition_prometheus_query_language`, `condition_matched_log`); its `for` is the
//!   shortest condition `duration`, and it is debounced when every condition has a
//!   non-zero duration (a log-match condition fires at once), or, with `combiner = "AND"`,
//!   when one has. A policy on SLO burn rates (`select_slo_burn_rate(…, "3600s")`) is a
//!   burn-rate alert, multi-window when it ANDs two or more lookback windows. `notification_channels`
//!   are what it notifies; `documentation.subject` (else the first line of
//!   `documentation.content`) is its summary, the content its description, and a runbook
//!   link in the content or `documentation.links` its runbook. `severity` (`CRITICAL`,
//!   `ERROR`, `WARNING`) is read lowercased; a policy pages when it notifies a channel and
//!   its severity is critical or error, or unset. A policy with `enabled = false` is
//!   listed and noted.
//! - `google_monitoring_notification_channel`: a receiver of its `type`. Channels of type
//!   `pagerduty` and `opsgenie` page; they are on-call entries already (from the
//!   `terraform` detector), so none is added here. A disabled channel is skipped.
//! - `google_monitoring_dashboard`: a dashboard of tool `google` with the widgets of its
//!   `dashboard_json` when written in the file.
//!
//! A field written as an expression is unknown and left unset. A `for_each` policy is one
//! alert, named after its label when its name differs per instance.

use std::sync::LazyLock;

use regex::Regex;

use crate::evidence::{
    Alert, Collector, Dashboard, Detector, FileContext, Receiver, RepoPath, Source,
};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    attr, attr_bool, attr_references, attr_text, blocks, json_body, literal, name_or_label,
    refers_to, resources, to_json,
};

use super::dashboard::count_google_widgets;
use super::duration;
use super::prometheus_rules::is_paging;

pub struct TerraformGoogleMonitoring;

/// Condition blocks and the attribute holding their filter or query.
const CONDITIONS: &[(&str, &str)] = &[
    ("condition_threshold", "filter"),
    ("condition_absent", "filter"),
    ("condition_monitoring_query_language", "query"),
    ("condition_prometheus_query_language", "query"),
    ("condition_matched_log", "filter"),
    ("condition_sql", "query"),
];

impl Detector for TerraformGoogleMonitoring {
    fn id(&self) -> &'static str {
        "terraform-google-monitoring"
    }

    fn summary(&self) -> &'static str {
        "Google Cloud Monitoring in Terraform: alert policies (conditions, durations, channels, documentation), notification channels, dashboards"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("\"google_monitoring_alert_policy\"")
                || text.contains("\"google_monitoring_notification_channel\"")
                || text.contains("\"google_monitoring_dashboard\"")
        }) else {
            return;
        };
        let (path, text, body, lines) = (tf.path, tf.text, tf.body, tf.lines);
        let mut channels = Vec::new();
        for (type_, label, block) in resources(body) {
            let pos = lines.position_of(block);
            let source = Source::new(path, pos);
            match type_ {
                "google_monitoring_alert_policy" => {
                    let alert = policy(&block.body, label, source);
                    if attr_bool(&block.body, "enabled") == Some(false) {
                        out.diagnostic(super::paused_note(
                            path,
                            pos,
                            &alert.name,
                            "`enabled = false`",
                        ));
                    }
                    out.evidence.alerts.push(alert);
                }
                "google_monitoring_notification_channel"
                    if attr_bool(&block.body, "enabled") != Some(false) =>
                {
                    channels.push((label, block, source));
                }
                "google_monitoring_dashboard" => {
                    let json = attr(&block.body, "dashboard_json").and_then(json_body);
                    let title = json
                        .as_ref()
                        .and_then(|j| j.get("displayName"))
                        .and_then(|t| t.as_str())
                        .map_or_else(|| label.to_string(), str::to_string);
                    out.evidence.dashboards.push(Dashboard {
                        tool: "google".to_string(),
                        title,
                        panels: json.as_ref().map_or(0, count_google_widgets),
                        source,
                    });
                }
                _ => {}
            }
        }
        for (label, block, source) in channels {
            let (name, _) = name_or_label(&block.body, &["display_name"], label);
            let integration = literal(&block.body, "type").map(|t| channel_integration(&t));
            let paging = integration
                .as_deref()
                .is_some_and(|i| matches!(i, "pagerduty" | "opsgenie" | "sms"));
            out.evidence.receivers.push(Receiver {
                routed_alerts: None,
                address: Some(format!("google_monitoring_notification_channel.{label}")),
                name,
                integrations: integration.into_iter().collect(),
                paging,
                // Referenced by a policy (or a budget) of this file; channels used from
                // other files cannot be told from here.
                used: refers_to(
                    text,
                    &format!("google_monitoring_notification_channel.{label}"),
                ),
                source,
            });
        }
    }
}

fn channel_integration(kind: &str) -> String {
    let k = kind.trim().to_ascii_lowercase();
    if k.starts_with("webhook") {
        "webhook".to_string()
    } else {
        k
    }
}

fn policy(body: &Body, label: &str, source: Source) -> Alert {
    let (name, mut templated) = name_or_label(body, &["display_name"], label);
    let mut alert = super::new_alert(name, "google-monitoring", source);
    let mut exprs = Vec::new();
    let mut durations: Vec<(Option<u64>, Option<String>)> = Vec::new();
    for condition in blocks(body, "conditions") {
        for (kind, key) in CONDITIONS {
            for c in blocks(condition, kind) {
                if let Some(t) = attr_text(c, key) {
                    templated |= !t.literal;
                    exprs.push(
                        t.text
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
                let written = literal(c, "duration");
                let millis = if *kind == "condition_matched_log" {
                    Some(0)
                } else {
                    // Cloud Monitoring durations are seconds (`"300s"`), as Prometheus
                    // writes them; a missing duration is zero.
                    written.as_deref().map_or(Some(0), duration::millis)
                };
                durations.push((millis, written));
            }
        }
    }
    alert.templated = templated;
    alert.expr = exprs.join("\n");
    if let Some((_, written)) = durations
        .iter()
        .filter(|(ms, w)| ms.is_some() && w.is_some())
        .min_by_key(|(ms, _)| *ms)
    {
        alert.for_ = written.clone();
    }
    // With `AND`, every condition must hold, so one that waits debounces the policy; with
    // `OR` (the default), any condition fires it on its own.
    let all_must_hold = literal(body, "combiner").is_some_and(|c| {
        c.eq_ignore_ascii_case("AND") || c.eq_ignore_ascii_case("AND_WITH_MATCHING_RESOURCE")
    });
    let waits = |(ms, _): &(Option<u64>, Option<String>)| ms.is_some_and(|m| m > 0);
    alert.debounced = if all_must_hold {
        durations.iter().any(waits)
    } else {
        !durations.is_empty() && durations.iter().all(waits)
    };
    let windows = slo_burn_windows(&alert.expr);
    if !windows.is_empty() {
        alert.burn_rate = true;
        alert.multi_window = all_must_hold && windows.len() > 1;
        alert.debounced |= alert.multi_window;
        alert.windows = windows;
    }
    let labels = attr(body, "user_labels").map(to_json);
    alert.labels = labels
        .as_ref()
        .and_then(|l| l.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    alert.severity = literal(body, "severity")
        .map(|s| s.to_ascii_lowercase())
        .or_else(|| alert.labels.get("severity").cloned());
    let channels = attr_references(body, "notification_channels");
    let notifies_someone = match &channels {
        Some(list) => !list.is_empty(),
        None => attr(body, "notification_channels").is_some(),
    };
    alert.paging = notifies_someone && is_paging(alert.severity.as_deref());
    alert.notifies = channels.unwrap_or_default();
    for doc in blocks(body, "documentation") {
        let content = attr_text(doc, "content");
        alert.summary = attr_text(doc, "subject")
            .map(|s| s.text)
            .or_else(|| content.as_ref().and_then(|c| super::first_line(&c.text)));
        alert.runbook_url = content
            .as_ref()
            .and_then(|c| super::runbook_in_text(&c.text))
            .or_else(|| {
                blocks(doc, "links").into_iter().find_map(|l| {
                    let label = literal(l, "display_name")
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    (label.contains("runbook") || label.contains("playbook"))
                        .then(|| literal(l, "url"))
                        .flatten()
                })
            });
        alert.description = content.map(|c| c.text);
    }
    alert
}

/// Lookback windows of Cloud Monitoring SLO burn-rate filters
/// (`select_slo_burn_rate("…", "3600s")` → `1h`), without duplicates, shortest first.
fn slo_burn_windows(expr: &str) -> Vec<String> {
    static BURN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"select_slo_burn_rate\(\s*"[^"]*"\s*,\s*"?(\d+)s"?"#).expect("valid regex")
    });
    let mut out: Vec<String> = Vec::new();
    for c in BURN.captures_iter(expr) {
        let Some(secs) = c.get(1).and_then(|m| m.as_str().parse::<u64>().ok()) else {
            continue;
        };
        let window = super::seconds_text(secs);
        if !out.contains(&window) {
            out.push(window);
        }
    }
    out.sort_by_key(|w| duration::millis(w).unwrap_or(u64::MAX));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformGoogleMonitoring])
    }

    const POLICIES: &str = r#"resource "google_monitoring_notification_channel" "pager" {
  display_name = "Checkout PagerDuty"
  type         = "pagerduty"
}

resource "google_monitoring_notification_channel" "chat" {
  display_name = "Checkout chat"
  type         = "slack"
}

resource "google_monitoring_alert_policy" "uptime" {
  for_each     = var.hosts
  display_name = "${each.value.domain} is down"
  combiner     = "OR"
  conditions {
    display_name = "Uptime check failing"
    condition_threshold {
      filter          = <<-EOT
      resource.type = "uptime_url"
      AND metric.type = "monitoring.googleapis.com/uptime_check/check_passed"
      EOT
      duration        = "1860s"
      comparison      = "COMPARISON_GT"
      threshold_value = 1
    }
  }
  notification_channels = [google_monitoring_notification_channel.pager.name]
}

resource "google_monitoring_alert_policy" "latency" {
  display_name = "Checkout latency"
  combiner     = "OR"
  severity     = "WARNING"
  conditions {
    display_name = "p99 above 1s"
    condition_prometheus_query_language {
      query    = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1"
      duration = "300s"
    }
  }
  conditions {
    display_name = "errors in log"
    condition_matched_log {
      filter = "severity>=ERROR"
    }
  }
  documentation {
    content   = "Checkout is slow.\n\nSee the [runbook](https://runbooks.example.com/checkout-latency)."
    mime_type = "text/markdown"
  }
  notification_channels = [google_monitoring_notification_channel.chat.id]
}
"#;

    #[test]
    fn policies_and_channels() {
        let d = detect(&[("terraform/monitoring.tf", POLICIES)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let alerts = &d.evidence.alerts;
        let up = &alerts[0];
        assert_eq!(up.name, "uptime");
        assert_eq!(up.format, "google-monitoring");
        assert_eq!(
            up.expr,
            "resource.type = \"uptime_url\" AND metric.type = \"monitoring.googleapis.com/uptime_check/check_passed\""
        );
        assert_eq!(up.for_.as_deref(), Some("1860s"));
        assert!(up.debounced && up.paging && up.templated);
        assert_eq!(
            up.notifies,
            ["google_monitoring_notification_channel.pager"]
        );
        let lat = &alerts[1];
        assert_eq!(lat.severity.as_deref(), Some("warning"));
        assert!(!lat.paging && !lat.debounced, "a log match fires at once");
        assert_eq!(lat.summary.as_deref(), Some("Checkout is slow."));
        assert_eq!(
            lat.runbook_url.as_deref(),
            Some("https://runbooks.example.com/checkout-latency")
        );
        let receivers: Vec<(&str, bool, bool)> = d
            .evidence
            .receivers
            .iter()
            .map(|r| (r.name.as_str(), r.paging, r.used))
            .collect();
        assert_eq!(
            receivers,
            [
                ("Checkout PagerDuty", true, true),
                ("Checkout chat", false, true)
            ]
        );
        assert!(
            d.evidence.oncall.is_empty(),
            "the terraform detector lists them"
        );
    }

    #[test]
    fn slo_burn_rate_policies() {
        let text = r#"resource "google_monitoring_alert_policy" "burn" {
  display_name = "Checkout fast burn"
  combiner     = "AND"
  conditions {
    display_name = "1h"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${google_monitoring_slo.checkout.id}\", \"3600s\")"
      threshold_value = 14.4
      comparison      = "COMPARISON_GT"
    }
  }
  conditions {
    display_name = "5m"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${google_monitoring_slo.checkout.id}\", \"300s\")"
      threshold_value = 14.4
      comparison      = "COMPARISON_GT"
    }
  }
}
"#;
        let d = detect(&[("terraform/burn.tf", text)]);
        let a = &d.evidence.alerts[0];
        assert!(a.burn_rate && a.multi_window && a.debounced);
        assert_eq!(a.windows, ["5m", "1h"]);
    }

    #[test]
    fn dashboards() {
        let text = r#"resource "google_monitoring_dashboard" "checkout" {
  dashboard_json = <<EOF
{
  "displayName": "Checkout",
  "gridLayout": {"widgets": [{"title": "a"}, {"title": "b"}]}
}
EOF
}
"#;
        let d = detect(&[("terraform/dash.tf", text)]);
        let x = &d.evidence.dashboards[0];
        assert_eq!(
            (x.tool.as_str(), x.title.as_str(), x.panels),
            ("google", "Checkout", 2)
        );
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture(
            "format-terraform-google-monitoring",
            &[&TerraformGoogleMonitoring],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, bool, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.paging, a.debounced))
            .collect();
        assert_eq!(
            got,
            [
                ("Checkout availability SLO burn", true, true),
                ("Checkout certificate expiry", false, true),
            ]
        );
        assert_eq!(d.evidence.receivers.len(), 2);
        assert_eq!(d.evidence.dashboards.len(), 1);
    }
}
