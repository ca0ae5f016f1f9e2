//! `terraform-cloudwatch`: Amazon CloudWatch alarms and dashboards written in Terraform.
//!
//! ## What it recognises
//! - `aws_cloudwatch_metric_alarm`: an alert of format `cloudwatch` named by `alarm_name`.
//!   Its expression is the metric and comparison (`AWS/SQS ApproximateAgeOfOldestMessage
//!   Maximum GreaterThanThreshold 600`) or the metric math of its `metric_query` blocks.
//!   Its window (`for`) is `evaluation_periods` × `period`; it is debounced when more
//!   than one period must breach (`datapoints_to_alarm`, else `evaluation_periods`,
//!   greater than 1). `alarm_actions` are what it notifies (SNS topics as references or
//!   ARNs); `alarm_description` is its summary. CloudWatch has no severity: a `severity`
//!   tag is read when set. An alarm pages when it has alarm actions (CloudWatch cannot say
//!   whether they reach a pager), and does not when it has none or sets
//!   `actions_enabled = false` (then it is also noted).
//! - SNS topics that an alarm of the same file notifies: receivers, with the protocols of
//!   their subscriptions in that file (an endpoint that names PagerDuty or Opsgenie makes
//!   it a paging receiver).
//! - `aws_cloudwatch_dashboard`: a dashboard of tool `cloudwatch` with the widgets of its
//!   `dashboard_body` when written in the file.
//!
//! A field written as an expression is unknown and left unset.

use std::collections::BTreeSet;

use crate::evidence::{
    Alert, Collector, Dashboard, Detector, FileContext, Receiver, RepoPath, Source,
};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    attr, attr_bool, attr_number, attr_references, attr_text, blocks, json_body, literal,
    name_or_label, resources, to_json,
};

use super::dashboard::count_widgets;

pub struct TerraformCloudWatch;

impl Detector for TerraformCloudWatch {
    fn id(&self) -> &'static str {
        "terraform-cloudwatch"
    }

    fn summary(&self) -> &'static str {
        "Amazon CloudWatch in Terraform: metric alarms (evaluation periods, alarm actions), the SNS topics they notify, dashboards"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("\"aws_cloudwatch_metric_alarm\"")
                || text.contains("\"aws_cloudwatch_dashboard\"")
        }) else {
            return;
        };
        let (path, body, lines) = (tf.path, tf.body, tf.lines);
        let mut notified: BTreeSet<String> = BTreeSet::new();
        for (type_, label, block) in resources(body) {
            let pos = lines.position_of(block);
            let source = Source::new(path, pos);
            match type_ {
                "aws_cloudwatch_metric_alarm" => {
                    let alert = alarm(&block.body, label, source);
                    if attr_bool(&block.body, "actions_enabled") == Some(false) {
                        out.diagnostic(super::paused_note(
                            path,
                            pos,
                            &alert.name,
                            "`actions_enabled = false`: it changes state but notifies nobody",
                        ));
                    }
                    notified.extend(alert.notifies.iter().cloned());
                    out.evidence.alerts.push(alert);
                }
                "aws_cloudwatch_dashboard" => {
                    let (title, _) = name_or_label(&block.body, &["dashboard_name"], label);
                    let panels = attr(&block.body, "dashboard_body")
                        .and_then(json_body)
                        .map_or(0, |j| count_widgets(&j));
                    out.evidence.dashboards.push(Dashboard {
                        tool: "cloudwatch".to_string(),
                        title,
                        panels,
                        source,
                    });
                }
                _ => {}
            }
        }
        topics(body, lines, path, &notified, out);
    }
}

fn alarm(body: &Body, label: &str, source: Source) -> Alert {
    let (name, name_templated) = name_or_label(body, &["alarm_name"], label);
    let mut alert = super::new_alert(name, "cloudwatch", source);
    alert.templated = name_templated;
    let queries = blocks(body, "metric_query");
    alert.expr = if let Some(metric) = literal(body, "metric_name") {
        [
            literal(body, "namespace"),
            Some(metric),
            literal(body, "statistic").or_else(|| literal(body, "extended_statistic")),
            literal(body, "comparison_operator"),
            attr_number(body, "threshold").map(|t| t.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    } else {
        let mut parts: Vec<String> = queries
            .iter()
            .filter_map(|q| {
                attr_text(q, "expression").map(|t| t.text).or_else(|| {
                    blocks(q, "metric").into_iter().find_map(|m| {
                        let metric = literal(m, "metric_name")?;
                        Some(
                            [literal(m, "namespace"), Some(metric), literal(m, "stat")]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" "),
                        )
                    })
                })
            })
            .map(|e| {
                e.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if let Some(op) = literal(body, "comparison_operator") {
            parts.push(
                [
                    Some(op),
                    attr_number(body, "threshold").map(|t| t.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            );
        }
        parts.join("\n")
    };
    let period = attr_number(body, "period").or_else(|| {
        queries.iter().find_map(|q| {
            attr_number(q, "period").or_else(|| {
                blocks(q, "metric")
                    .into_iter()
                    .find_map(|m| attr_number(m, "period"))
            })
        })
    });
    let periods = attr_number(body, "evaluation_periods");
    let datapoints = attr_number(body, "datapoints_to_alarm").or(periods);
    if let (Some(period), Some(periods)) = (period, periods) {
        alert.for_ = Some(super::seconds_text((period * periods) as u64));
    }
    alert.debounced = datapoints.is_some_and(|n| n > 1.0);
    let tags = attr(body, "tags").map(to_json);
    alert.severity = tags.as_ref().and_then(|t| {
        ["severity", "Severity", "priority", "Priority"]
            .iter()
            .find_map(|k| t.get(*k).and_then(|v| v.as_str()).map(str::to_string))
    });
    let actions = attr_references(body, "alarm_actions");
    let enabled = attr_bool(body, "actions_enabled") != Some(false);
    alert.paging = enabled
        && match &actions {
            Some(list) => !list.is_empty(),
            None => attr(body, "alarm_actions").is_some(),
        }
        && alert
            .severity
            .as_deref()
            .is_none_or(|s| super::prometheus_rules::is_paging(Some(s)));
    alert.notifies = actions.unwrap_or_default();
    if let Some(description) = attr_text(body, "alarm_description") {
        alert.summary = super::first_line(&description.text);
        alert.runbook_url = super::runbook_in_text(&description.text);
        alert.description = Some(description.text);
    }
    alert
}

/// SNS topics of this file that its alarms notify, as receivers.
fn topics(
    body: &Body,
    lines: &crate::parse::hcl::LineIndex,
    path: &str,
    notified: &BTreeSet<String>,
    out: &mut Collector,
) {
    let subscriptions: Vec<(String, String, String)> = resources(body)
        .filter(|(t, _, _)| *t == "aws_sns_topic_subscription")
        .filter_map(|(_, _, b)| {
            let topic = attr_references(&b.body, "topic_arn")?.into_iter().next()?;
            let protocol = literal(&b.body, "protocol").unwrap_or_default();
            let endpoint = attr(&b.body, "endpoint")
                .map(|e| e.to_string().to_ascii_lowercase())
                .unwrap_or_default();
            Some((topic, protocol, endpoint))
        })
        .collect();
    for (type_, label, block) in resources(body) {
        if type_ != "aws_sns_topic" {
            continue;
        }
        let address = format!("aws_sns_topic.{label}");
        if !notified.contains(&address) {
            continue;
        }
        let mut integrations: Vec<String> = subscriptions
            .iter()
            .filter(|(topic, _, _)| *topic == address)
            .map(|(_, protocol, endpoint)| {
                if endpoint.contains("pagerduty") {
                    "pagerduty".to_string()
                } else if endpoint.contains("opsgenie") {
                    "opsgenie".to_string()
                } else {
                    match protocol.as_str() {
                        "email" | "email-json" => "email".to_string(),
                        "http" | "https" => "webhook".to_string(),
                        "" => "sns".to_string(),
                        other => other.to_string(),
                    }
                }
            })
            .collect();
        if integrations.is_empty() {
            integrations.push("sns".to_string());
        }
        integrations.sort();
        integrations.dedup();
        let paging = integrations
            .iter()
            .any(|i| matches!(i.as_str(), "pagerduty" | "opsgenie" | "sms"));
        let (name, _) = name_or_label(&block.body, &["name"], label);
        out.evidence.receivers.push(Receiver {
            routed_alerts: None,
            address: Some(format!("aws_sns_topic.{label}")),
            name,
            integrations,
            paging,
            used: true,
            source: Source::new(path, lines.position_of(block)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformCloudWatch])
    }

    const ALARMS: &str = r#"resource "aws_sns_topic" "oncall" {
  name = "checkout-oncall"
}

resource "aws_sns_topic_subscription" "pagerduty" {
  topic_arn = aws_sns_topic.oncall.arn
  protocol  = "https"
  endpoint  = "https://events.pagerduty.com/integration/abc/enqueue"
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  alarm_name          = "checkout-queue-age"
  alarm_description   = "Orders wait more than 10 minutes. Runbook: https://runbooks.example.com/queue-age"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 600
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  alarm_actions       = [aws_sns_topic.oncall.arn]
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each            = var.functions
  alarm_name          = "${each.key}-errors"
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  actions_enabled     = false
  alarm_actions       = ["arn:aws:sns:eu-west-1:123456789012:ops"]

  metric_query {
    id          = "e1"
    expression  = "SUM(METRICS())"
    return_data = true
  }
  metric_query {
    id = "m1"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      stat        = "Sum"
      period      = 300
    }
  }
}
"#;

    #[test]
    fn alarms_and_topics() {
        let d = detect(&[("infra/alarms.tf", ALARMS)]);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 2);
        let a = &alerts[0];
        assert_eq!(a.name, "checkout-queue-age");
        assert_eq!(a.format, "cloudwatch");
        assert_eq!(
            a.expr,
            "AWS/SQS ApproximateAgeOfOldestMessage Maximum GreaterThanThreshold 600"
        );
        assert_eq!(a.for_.as_deref(), Some("5m"));
        assert!(a.debounced && a.paging);
        assert_eq!(a.notifies, ["aws_sns_topic.oncall"]);
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/queue-age")
        );
        let e = &alerts[1];
        assert_eq!(e.name, "errors");
        assert_eq!(
            e.expr,
            "SUM(METRICS())\nAWS/Lambda Errors Sum\nGreaterThanOrEqualToThreshold 1"
        );
        assert!(!e.debounced && !e.paging);
        assert_eq!(e.for_.as_deref(), Some("5m"));
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "alert-disabled");
        let r = &d.evidence.receivers;
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "checkout-oncall");
        assert_eq!(r[0].integrations, ["pagerduty"]);
        assert!(r[0].paging && r[0].used);
    }

    #[test]
    fn dashboards() {
        let text = r##"resource "aws_cloudwatch_dashboard" "checkout" {
  dashboard_name = "checkout"
  dashboard_body = jsonencode({
    widgets = [
      { type = "metric", properties = { title = "Errors" } },
      { type = "text", properties = { markdown = "# Checkout" } },
    ]
  })
}
"##;
        let d = detect(&[("infra/dash.tf", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let x = &d.evidence.dashboards[0];
        assert_eq!(
            (x.tool.as_str(), x.title.as_str(), x.panels),
            ("cloudwatch", "checkout", 2)
        );
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-terraform-cloudwatch", &[&TerraformCloudWatch]);
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
                ("checkout-5xx-rate", true, true),
                ("checkout-queue-age", true, false),
            ]
        );
        assert_eq!(d.evidence.receivers.len(), 1);
        assert_eq!(d.evidence.dashboards.len(), 1);
    }
}
