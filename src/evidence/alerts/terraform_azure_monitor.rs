//! `terraform-azure-monitor`: Azure Monitor alert rules and action groups written in
//! Terraform.
//!
//! ## What it recognises
//! - `azurerm_monitor_metric_alert`: an alert of format `azure-monitor` with its `name`,
//!   the metric and comparison of each `criteria` (or `dynamic_criteria`) as expression,
//!   `description` as summary, and the action groups of its `action` blocks as what it
//!   notifies. Severity 0 to 4 is written `Sev0`…`Sev4`; Sev0 and Sev1 page when the alert
//!   has an action. Without `severity` Azure applies Sev3, which does not page. It is
//!   evaluated every `frequency` (default `PT1M`) over `window_size` (default `PT5M`),
//!   and debounced when the window spans more than one evaluation, unless its aggregation
//!   fires on a single sample (`Maximum` above, `Minimum` below a threshold); dynamic
//!   criteria are debounced when they need more than one failing period.
//! - `azurerm_monitor_scheduled_query_rules_alert_v2` (log alerts): the same, with the
//!   query as expression; debounced when `failing_periods` asks for more than one failing
//!   evaluation.
//! - `azurerm_monitor_action_group`: a receiver whose integrations are its receiver blocks
//!   (`email`, `sms`, `voice`, `webhook`, …); SMS, voice calls and webhooks to PagerDuty or
//!   Opsgenie page. A disabled action group sends nothing and is skipped.
//!
//! An alert rule with `enabled = false` is listed and noted. A field written as an
//! expression is unknown and left unset.

use crate::evidence::{Alert, Collector, Detector, FileContext, Receiver, RepoPath, Source};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    attr, attr_bool, attr_number, attr_references, attr_text, blocks, literal, name_or_label,
    refers_to, resources,
};

pub struct TerraformAzureMonitor;

/// Receiver blocks of an action group and the integration each is.
const ACTION_RECEIVERS: &[(&str, &str)] = &[
    ("email_receiver", "email"),
    ("sms_receiver", "sms"),
    ("voice_receiver", "voice"),
    ("webhook_receiver", "webhook"),
    ("azure_app_push_receiver", "app-push"),
    ("arm_role_receiver", "email"),
    ("logic_app_receiver", "logic-app"),
    ("azure_function_receiver", "azure-function"),
    ("automation_runbook_receiver", "automation-runbook"),
    ("itsm_receiver", "itsm"),
    ("event_hub_receiver", "event-hub"),
];

impl Detector for TerraformAzureMonitor {
    fn id(&self) -> &'static str {
        "terraform-azure-monitor"
    }

    fn summary(&self) -> &'static str {
        "Azure Monitor in Terraform: metric and log alert rules (severity, frequency and window, action groups) and action groups"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("\"azurerm_monitor_metric_alert\"")
                || text.contains("\"azurerm_monitor_scheduled_query_rules_alert_v2\"")
                || text.contains("\"azurerm_monitor_action_group\"")
        }) else {
            return;
        };
        let (path, text, body, lines) = (tf.path, tf.text, tf.body, tf.lines);
        let mut groups = Vec::new();
        for (type_, label, block) in resources(body) {
            let pos = lines.position_of(block);
            let source = Source::new(path, pos);
            let alert = match type_ {
                "azurerm_monitor_metric_alert" => metric_alert(&block.body, label, source),
                "azurerm_monitor_scheduled_query_rules_alert_v2" => {
                    log_alert(&block.body, label, source)
                }
                "azurerm_monitor_action_group" => {
                    if attr_bool(&block.body, "enabled") != Some(false) {
                        groups.push((label, block, source));
                    }
                    continue;
                }
                _ => continue,
            };
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
        for (label, block, source) in groups {
            let address = format!("azurerm_monitor_action_group.{label}");
            let mut receiver = action_group(&block.body, label, source);
            receiver.used = refers_to(text, &address);
            out.evidence.receivers.push(receiver);
        }
    }
}

/// Seconds in an ISO 8601 duration (`PT5M`, `PT1H`, `P1D`).
fn iso_seconds(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let rest = t.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0u64;
    for (part, units) in [
        (date, &[('W', 604_800u64), ('D', 86_400)][..]),
        (time, &[('H', 3600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
            } else {
                let factor = units.iter().find(|(u, _)| *u == c)?.1;
                total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(factor)?)?;
                number.clear();
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
}

/// Severity as Azure shows it, and whether it pages.
fn severity(body: &Body) -> (Option<String>, Option<u8>) {
    let n = attr_number(body, "severity")
        .filter(|n| (0.0..=4.0).contains(n))
        .map(|n| n as u8);
    (n.map(|n| format!("Sev{n}")), n)
}

/// Action groups an alert names.
fn actions(body: &Body, key: &str) -> (Vec<String>, bool) {
    let mut out: Vec<String> = Vec::new();
    let mut unknown = false;
    for action in blocks(body, "action") {
        match attr_references(action, key) {
            Some(list) => out.extend(list),
            None => unknown |= attr(action, key).is_some(),
        }
    }
    out.dedup();
    (out, unknown)
}

fn finish(alert: &mut Alert, body: &Body, sev: Option<u8>, notifies: Vec<String>, unknown: bool) {
    alert.paging = sev.is_some_and(|s| s <= 1) && (!notifies.is_empty() || unknown);
    alert.notifies = notifies;
    if let Some(description) = attr_text(body, "description") {
        alert.summary = super::first_line(&description.text);
        alert.runbook_url = super::runbook_in_text(&description.text);
        alert.description = Some(description.text);
    }
}

fn metric_alert(body: &Body, label: &str, source: Source) -> Alert {
    let (name, templated) = name_or_label(body, &["name"], label);
    let mut alert = super::new_alert(name, "azure-monitor", source);
    alert.templated = templated;
    let (sev_text, sev) = severity(body);
    alert.severity = sev_text;
    let mut exprs = Vec::new();
    let mut single_sample = false;
    for c in blocks(body, "criteria") {
        let aggregation = literal(c, "aggregation").unwrap_or_default();
        let operator = literal(c, "operator").unwrap_or_default();
        single_sample |= (aggregation == "Maximum" && operator.starts_with("GreaterThan"))
            || (aggregation == "Minimum" && operator.starts_with("LessThan"));
        exprs.push(
            [
                literal(c, "metric_namespace"),
                literal(c, "metric_name"),
                Some(aggregation),
                Some(operator),
                attr_number(c, "threshold").map(|t| t.to_string()),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        );
    }
    let mut dynamic_debounced = None;
    for c in blocks(body, "dynamic_criteria") {
        exprs.push(
            [
                literal(c, "metric_namespace"),
                literal(c, "metric_name"),
                literal(c, "aggregation"),
                literal(c, "operator"),
                literal(c, "alert_sensitivity").map(|s| format!("dynamic ({s})")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        );
        let failures = attr_number(c, "evaluation_failure_count").unwrap_or(4.0);
        dynamic_debounced = Some(dynamic_debounced.unwrap_or(true) && failures > 1.0);
    }
    alert.expr = exprs.join("\n");
    let window_text = literal(body, "window_size");
    let window = window_text.as_deref().map_or(Some(300), iso_seconds);
    let frequency = literal(body, "frequency")
        .as_deref()
        .map_or(Some(60), iso_seconds);
    alert.for_ = window_text;
    alert.debounced = match dynamic_debounced {
        Some(d) => d,
        None => matches!((window, frequency), (Some(w), Some(f)) if w > f) && !single_sample,
    };
    let (notifies, unknown) = actions(body, "action_group_id");
    finish(&mut alert, body, sev, notifies, unknown);
    alert
}

fn log_alert(body: &Body, label: &str, source: Source) -> Alert {
    let (name, templated) = name_or_label(body, &["name", "display_name"], label);
    let mut alert = super::new_alert(name, "azure-monitor", source);
    let (sev_text, sev) = severity(body);
    alert.severity = sev_text;
    let criteria = blocks(body, "criteria");
    let query = criteria.iter().find_map(|c| attr_text(c, "query"));
    alert.templated = templated || query.as_ref().is_some_and(|q| !q.literal);
    alert.expr = query.map(|q| q.text).unwrap_or_default();
    alert.for_ = literal(body, "window_duration");
    alert.debounced = criteria.iter().any(|c| {
        blocks(c, "failing_periods").into_iter().any(|f| {
            attr_number(f, "minimum_failing_periods_to_trigger_alert").is_some_and(|n| n > 1.0)
        })
    });
    let (notifies, unknown) = actions(body, "action_groups");
    finish(&mut alert, body, sev, notifies, unknown);
    alert
}

/// An action group as a receiver (`used` is decided by the caller).
fn action_group(body: &Body, label: &str, source: Source) -> Receiver {
    let (name, _) = name_or_label(body, &["name", "short_name"], label);
    let mut integrations: Vec<String> = Vec::new();
    for (block, integration) in ACTION_RECEIVERS {
        for receiver in blocks(body, block) {
            let uri = attr(receiver, "service_uri")
                .map(|u| u.to_string().to_ascii_lowercase())
                .unwrap_or_default();
            let name = if uri.contains("pagerduty") {
                "pagerduty"
            } else if uri.contains("opsgenie") {
                "opsgenie"
            } else {
                integration
            };
            integrations.push(name.to_string());
        }
    }
    integrations.sort();
    integrations.dedup();
    let paging = integrations
        .iter()
        .any(|i| matches!(i.as_str(), "sms" | "voice" | "pagerduty" | "opsgenie"));
    Receiver {
        routed_alerts: None,
        address: Some(format!("azurerm_monitor_action_group.{label}")),
        name,
        integrations,
        paging,
        used: false,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformAzureMonitor])
    }

    #[test]
    fn iso_durations() {
        assert_eq!(iso_seconds("PT5M"), Some(300));
        assert_eq!(iso_seconds("PT1H30M"), Some(5400));
        assert_eq!(iso_seconds("P1D"), Some(86_400));
        assert_eq!(iso_seconds("5m"), None);
        assert_eq!(iso_seconds("PT5"), None);
    }

    const ALERTS: &str = r#"resource "azurerm_monitor_action_group" "oncall" {
  name                = "checkout-oncall"
  resource_group_name = azurerm_resource_group.main.name
  short_name          = "oncall"

  sms_receiver {
    name         = "primary"
    country_code = "44"
    phone_number = "7700900000"
  }
  email_receiver {
    name          = "team"
    email_address = "checkout@example.com"
  }
}

resource "azurerm_monitor_metric_alert" "cpu" {
  name                = "checkout-cpu"
  resource_group_name = azurerm_resource_group.main.name
  scopes              = [azurerm_linux_web_app.checkout.id]
  description         = "CPU above 80% for 15 minutes"
  severity            = 1
  frequency           = "PT5M"
  window_size         = "PT15M"

  criteria {
    metric_namespace = "Microsoft.Web/sites"
    metric_name      = "CpuPercentage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 80
  }

  action {
    action_group_id = azurerm_monitor_action_group.oncall.id
  }
}

resource "azurerm_monitor_metric_alert" "spike" {
  name    = "checkout-5xx-spike"
  scopes  = [azurerm_linux_web_app.checkout.id]
  enabled = false

  criteria {
    metric_namespace = "Microsoft.Web/sites"
    metric_name      = "Http5xx"
    aggregation      = "Maximum"
    operator         = "GreaterThan"
    threshold        = 10
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "exceptions" {
  name                 = "checkout-exceptions"
  severity             = 0
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  scopes               = [azurerm_application_insights.checkout.id]

  criteria {
    query     = "exceptions | where cloud_RoleName == 'checkout'"
    operator  = "GreaterThan"
    threshold = 10
    failing_periods {
      minimum_failing_periods_to_trigger_alert = 2
      number_of_evaluation_periods             = 3
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.oncall.id]
  }
}
"#;

    #[test]
    fn alerts_and_action_groups() {
        let d = detect(&[("infra/monitor.tf", ALERTS)]);
        type Row<'a> = (&'a str, Option<&'a str>, bool, bool, Option<&'a str>);
        let got: Vec<Row> = d
            .evidence
            .alerts
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.severity.as_deref(),
                    a.paging,
                    a.debounced,
                    a.for_.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("checkout-cpu", Some("Sev1"), true, true, Some("PT15M")),
                ("checkout-5xx-spike", None, false, false, None),
                (
                    "checkout-exceptions",
                    Some("Sev0"),
                    true,
                    true,
                    Some("PT15M")
                ),
            ]
        );
        let cpu = &d.evidence.alerts[0];
        assert_eq!(cpu.format, "azure-monitor");
        assert_eq!(
            cpu.expr,
            "Microsoft.Web/sites CpuPercentage Average GreaterThan 80"
        );
        assert_eq!(cpu.notifies, ["azurerm_monitor_action_group.oncall"]);
        assert_eq!(cpu.summary.as_deref(), Some("CPU above 80% for 15 minutes"));
        assert_eq!(d.diagnostics.len(), 1);
        let r = &d.evidence.receivers[0];
        assert_eq!(r.name, "checkout-oncall");
        assert_eq!(r.integrations, ["email", "sms"]);
        assert!(r.paging && r.used);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-terraform-azure-monitor", &[&TerraformAzureMonitor]);
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
                ("checkout-availability", true, true),
                ("checkout-response-time", false, true),
            ]
        );
        assert_eq!(d.evidence.receivers.len(), 1);
    }
}
