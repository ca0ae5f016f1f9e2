//! `terraform-newrelic`: New Relic alert conditions, notification channels and dashboards
//! written in Terraform.
//!
//! ## What it recognises
//! - `newrelic_nrql_alert_condition`: an alert of format `newrelic` with its `name`, its
//!   NRQL query, the `runbook_url`, the `description` (its first line is the summary) and
//!   the alert policy it belongs to as its group (`policy_id =
//!   newrelic_alert_policy.x.id`, named after that policy when it is in the same file).
//!   Its severity is `critical` when it has a `critical` threshold (or a legacy `term` of
//!   priority `critical`), `warning` otherwise; critical conditions page. It is debounced
//!   when the threshold must hold for longer than 60 s (`threshold_duration`), unless any
//!   single breach suffices (`threshold_occurrences = "at_least_once"`). A condition with
//!   `enabled = false` is listed and noted.
//! - `newrelic_alert_channel` and `newrelic_notification_channel`: receivers (PagerDuty,
//!   Opsgenie and VictorOps ones page and are on-call entries).
//! - `newrelic_one_dashboard` (widgets of every page) and `newrelic_one_dashboard_json`
//!   (when the JSON is written in the file): dashboards of tool `newrelic`.
//!
//! A field written as an expression is unknown and left unset; a template is read as
//! written (`"K8s | ${var.cluster_name} | Nodes"`) and the alert marked templated.

use std::collections::BTreeMap;

use hcl_edit::expr::Expression;

use crate::evidence::{
    Collector, Dashboard, Detector, FileContext, OnCall, Receiver, RepoPath, Source,
};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    self, attr, attr_bool, attr_number, attr_text, blocks, json_body, literal, name_or_label,
    resources,
};

pub struct TerraformNewRelic;

impl Detector for TerraformNewRelic {
    fn id(&self) -> &'static str {
        "terraform-newrelic"
    }

    fn summary(&self) -> &'static str {
        "New Relic in Terraform: NRQL alert conditions (thresholds, durations, runbook), alert and notification channels, one-dashboards"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| text.contains("\"newrelic_")) else {
            return;
        };
        let (path, body, lines) = (tf.path, tf.body, tf.lines);
        let policies: BTreeMap<&str, String> = resources(body)
            .filter(|(t, _, _)| *t == "newrelic_alert_policy")
            .map(|(_, label, b)| (label, name_or_label(&b.body, &["name"], label).0))
            .collect();
        for (type_, label, block) in resources(body) {
            let pos = lines.position_of(block);
            let source = Source::new(path, pos);
            let body = &block.body;
            match type_ {
                "newrelic_nrql_alert_condition" => {
                    let alert = condition(body, label, &policies, source);
                    if attr_bool(body, "enabled") == Some(false) {
                        out.diagnostic(super::paused_note(
                            path,
                            pos,
                            &alert.name,
                            "`enabled = false`",
                        ));
                    }
                    out.evidence.alerts.push(alert);
                }
                "newrelic_alert_channel" | "newrelic_notification_channel" => {
                    if attr_bool(body, "active") == Some(false) {
                        continue;
                    }
                    let (name, _) = name_or_label(body, &["name"], label);
                    let integration = literal(body, "type").map(|t| channel_integration(&t));
                    let provider = integration.as_deref().and_then(oncall_provider);
                    if let Some(provider) = provider {
                        out.evidence.oncall.push(OnCall {
                            provider: provider.to_string(),
                            kind: "integration".to_string(),
                            name: name.clone(),
                            source: source.clone(),
                        });
                    }
                    out.evidence.receivers.push(Receiver {
                        routed_alerts: None,
                        address: Some(format!("{type_}.{label}")),
                        name,
                        paging: provider.is_some(),
                        integrations: integration.into_iter().collect(),
                        used: false,
                        source,
                    });
                }
                "newrelic_one_dashboard" => {
                    let (title, _) = name_or_label(body, &["name"], label);
                    let panels = blocks(body, "page")
                        .iter()
                        .map(|page| {
                            page.blocks()
                                .filter(|b| b.ident.as_str().starts_with("widget_"))
                                .count() as u32
                        })
                        .sum();
                    out.evidence.dashboards.push(Dashboard {
                        tool: "newrelic".to_string(),
                        title,
                        panels,
                        source,
                    });
                }
                "newrelic_one_dashboard_json" => {
                    let json = attr(body, "json").and_then(json_body);
                    let title = json
                        .as_ref()
                        .and_then(|j| j.get("name"))
                        .and_then(|n| n.as_str())
                        .map_or_else(|| label.to_string(), str::to_string);
                    let panels = json
                        .as_ref()
                        .and_then(|j| j.get("pages"))
                        .and_then(|p| p.as_array())
                        .map_or(0, |pages| {
                            pages
                                .iter()
                                .filter_map(|p| p.get("widgets").and_then(|w| w.as_array()))
                                .map(|w| w.len() as u32)
                                .sum()
                        });
                    out.evidence.dashboards.push(Dashboard {
                        tool: "newrelic".to_string(),
                        title,
                        panels,
                        source,
                    });
                }
                _ => {}
            }
        }
    }
}

/// One threshold of a condition: priority, seconds it must hold, whether one breach is
/// enough.
struct Threshold {
    critical: bool,
    seconds: Option<u64>,
    at_least_once: bool,
}

fn thresholds(body: &Body) -> Vec<Threshold> {
    let mut out = Vec::new();
    for (ident, critical) in [("critical", true), ("warning", false)] {
        for t in blocks(body, ident) {
            out.push(Threshold {
                critical,
                seconds: attr_number(t, "threshold_duration").map(|s| s as u64),
                at_least_once: literal(t, "threshold_occurrences")
                    .is_some_and(|o| o.eq_ignore_ascii_case("at_least_once")),
            });
        }
    }
    // Legacy `term` blocks: `duration` in minutes, `time_function = "any"` fires on one
    // breach.
    for t in blocks(body, "term") {
        out.push(Threshold {
            critical: literal(t, "priority").is_none_or(|p| p.eq_ignore_ascii_case("critical")),
            seconds: attr_number(t, "threshold_duration")
                .map(|s| s as u64)
                .or_else(|| attr_number(t, "duration").map(|m| m as u64 * 60)),
            at_least_once: literal(t, "threshold_occurrences")
                .or_else(|| literal(t, "time_function"))
                .is_some_and(|o| {
                    o.eq_ignore_ascii_case("at_least_once") || o.eq_ignore_ascii_case("any")
                }),
        });
    }
    out
}

fn condition(
    body: &Body,
    label: &str,
    policies: &BTreeMap<&str, String>,
    source: Source,
) -> crate::evidence::Alert {
    let (name, name_templated) = name_or_label(body, &["name"], label);
    let mut alert = super::new_alert(name, "newrelic", source);
    let query = blocks(body, "nrql")
        .into_iter()
        .find_map(|n| attr_text(n, "query"));
    alert.templated = name_templated || query.as_ref().is_some_and(|q| !q.literal);
    alert.expr = query.map(|q| q.text).unwrap_or_default();
    alert.group = attr(body, "policy_id").and_then(|p| policy_group(p, policies));
    let all = thresholds(body);
    let critical: Vec<&Threshold> = all.iter().filter(|t| t.critical).collect();
    let deciding: Vec<&Threshold> = if critical.is_empty() {
        all.iter().collect()
    } else {
        critical
    };
    if !all.is_empty() {
        alert.severity = Some(
            if all.iter().any(|t| t.critical) {
                "critical"
            } else {
                "warning"
            }
            .to_string(),
        );
    }
    alert.paging = alert.severity.as_deref() == Some("critical");
    let shortest = deciding.iter().filter_map(|t| t.seconds).min();
    if let Some(secs) = shortest {
        alert.for_ = Some(super::seconds_text(secs));
    }
    alert.debounced = !deciding.is_empty()
        && deciding
            .iter()
            .all(|t| t.seconds.is_some_and(|s| s > 60) && !t.at_least_once);
    alert.runbook_url = attr_text(body, "runbook_url").map(|t| t.text);
    if let Some(description) = attr_text(body, "description") {
        alert.summary = super::first_line(&description.text);
        alert.description = Some(description.text);
    }
    alert
}

/// The group of a condition: the name of the policy it references, when that policy is in
/// the file, else the policy's label; a literal policy id as written.
fn policy_group(expr: &Expression, policies: &BTreeMap<&str, String>) -> Option<String> {
    if let Some(id) = value::number(expr) {
        return Some(format!("{id}"));
    }
    let reference = value::references(expr)?.into_iter().next()?;
    match reference.strip_prefix("newrelic_alert_policy.") {
        Some(label) => Some(
            policies
                .get(label)
                .cloned()
                .unwrap_or_else(|| label.to_string()),
        ),
        None => Some(reference),
    }
}

/// A channel type as the integration names of `receivers`.
fn channel_integration(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    if k.starts_with("pagerduty") {
        "pagerduty".to_string()
    } else if k.starts_with("servicenow") {
        "servicenow".to_string()
    } else if k.starts_with("jira") {
        "jira".to_string()
    } else if k == "microsoft_teams" {
        "msteams".to_string()
    } else if k == "slack_legacy" {
        "slack".to_string()
    } else {
        k
    }
}

fn oncall_provider(integration: &str) -> Option<&'static str> {
    match integration {
        "pagerduty" => Some("pagerduty"),
        "opsgenie" => Some("opsgenie"),
        "victorops" => Some("splunk-oncall"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformNewRelic])
    }

    const CONDITIONS: &str = r#"resource "newrelic_alert_policy" "checkout" {
  name                = "Checkout | ${var.env}"
  incident_preference = "PER_CONDITION"
}

resource "newrelic_nrql_alert_condition" "error_rate" {
  account_id  = var.account_id
  policy_id   = newrelic_alert_policy.checkout.id
  type        = "static"
  name        = "Checkout error rate"
  runbook_url = "https://runbooks.example.com/checkout-errors"
  description = <<-EOT
  More than 5% of checkout requests fail.
  Check the payment provider first.
  EOT
  enabled     = true

  nrql {
    query = "SELECT percentage(count(*), WHERE error IS true) FROM Transaction WHERE appName = 'checkout'"
  }

  critical {
    operator              = "above"
    threshold             = 5
    threshold_duration    = 300
    threshold_occurrences = "all"
  }

  warning {
    operator              = "above"
    threshold             = 2
    threshold_duration    = 600
    threshold_occurrences = "all"
  }
}

resource "newrelic_nrql_alert_condition" "spikes" {
  policy_id = newrelic_alert_policy.shared.id
  name      = "Checkout spikes"
  enabled   = false
  nrql {
    query = "SELECT count(*) FROM TransactionError"
  }
  warning {
    threshold             = 10
    threshold_duration    = 300
    threshold_occurrences = "at_least_once"
  }
}

resource "newrelic_nrql_alert_condition" "legacy" {
  policy_id = 12345
  name      = "Legacy term"
  nrql {
    query = "SELECT count(*) FROM Transaction"
  }
  term {
    priority      = "critical"
    duration      = 5
    time_function = "all"
  }
}
"#;

    #[test]
    fn conditions() {
        let d = detect(&[("monitoring/alerts.tf", CONDITIONS)]);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 3);
        let a = &alerts[0];
        assert_eq!(a.name, "Checkout error rate");
        assert_eq!(a.format, "newrelic");
        assert_eq!(a.group.as_deref(), Some("Checkout | ${var.env}"));
        assert_eq!(a.severity.as_deref(), Some("critical"));
        assert_eq!(a.for_.as_deref(), Some("5m"));
        assert!(a.paging && a.debounced && !a.templated);
        assert_eq!(
            a.summary.as_deref(),
            Some("More than 5% of checkout requests fail.")
        );
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/checkout-errors")
        );
        assert_eq!(a.source.line, Some(6));
        let spikes = &alerts[1];
        assert_eq!(spikes.group.as_deref(), Some("shared"));
        assert_eq!(spikes.severity.as_deref(), Some("warning"));
        assert!(!spikes.paging && !spikes.debounced, "one breach suffices");
        let legacy = &alerts[2];
        assert!(legacy.paging && legacy.debounced);
        assert_eq!(legacy.group.as_deref(), Some("12345"));
        let notes: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|x| (x.code.as_str(), x.line))
            .collect();
        assert_eq!(notes, [("alert-disabled", Some(37))]);
    }

    #[test]
    fn channels_and_dashboards() {
        let text = r#"resource "newrelic_notification_channel" "pager" {
  name           = "checkout-pager"
  type           = "PAGERDUTY_SERVICE_INTEGRATION"
  destination_id = newrelic_notification_destination.pd.id
  product        = "IINT"
}

resource "newrelic_alert_channel" "email" {
  name = "team email"
  type = "email"
}

resource "newrelic_one_dashboard" "checkout" {
  name = "Checkout"
  page {
    name = "Overview"
    widget_billboard {
      title = "Errors"
    }
    widget_line {
      title = "Latency"
    }
  }
  page {
    name = "Hosts"
    widget_table {
      title = "Hosts"
    }
  }
}

resource "newrelic_one_dashboard_json" "imported" {
  json = jsonencode({ name = "Imported", pages = [{ widgets = [{}, {}] }] })
}
"#;
        let d = detect(&[("monitoring/misc.tf", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let receivers: Vec<(&str, Vec<&str>, bool)> = d
            .evidence
            .receivers
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.integrations.iter().map(String::as_str).collect(),
                    r.paging,
                )
            })
            .collect();
        assert_eq!(
            receivers,
            [
                ("checkout-pager", vec!["pagerduty"], true),
                ("team email", vec!["email"], false)
            ]
        );
        assert_eq!(d.evidence.oncall.len(), 1);
        let dashboards: Vec<(&str, u32)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| (x.title.as_str(), x.panels))
            .collect();
        assert_eq!(dashboards, [("Checkout", 3), ("Imported", 2)]);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-terraform-newrelic", &[&TerraformNewRelic]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, Option<&str>, bool, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.group.as_deref(), a.paging, a.debounced))
            .collect();
        assert_eq!(
            got,
            [
                ("Checkout error rate", Some("Checkout"), true, true),
                ("Checkout throughput low", Some("Checkout"), false, true),
            ]
        );
        assert_eq!(d.evidence.receivers.len(), 1);
        assert_eq!(d.evidence.dashboards.len(), 1);
    }
}
