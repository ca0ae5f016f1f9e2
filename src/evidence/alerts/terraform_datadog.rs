//! `terraform-datadog`: Datadog monitors and dashboards written in Terraform.
//!
//! ## What it recognises
//! - `datadog_monitor`: an alert of format `datadog` with its `name`, `query`, `message`
//!   (its first line is the summary; every `@handle` in it is notified), priority and
//!   `severity:`/`priority:` tags; paging and debounce as described in the `datadog`
//!   module (`evaluation_delay` and `new_group_delay` do not debounce).
//! - `datadog_dashboard` (title, `widget` blocks, the widgets of group widgets counted) and
//!   `datadog_dashboard_json` (the `dashboard` JSON, when written in the file): dashboards
//!   of tool `datadog`.
//!
//! Terraform computes values at plan time: a field written as an expression is unknown
//! and left unset. A resource with `for_each` or `count` is one block for many monitors:
//! it is one alert, named after its label when its name is an expression or differs per
//! instance (`each.value.name`).

use crate::evidence::{Collector, Dashboard, Detector, FileContext, RepoPath, Source};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    self, attr, attr_references, attr_text, json_body, name_or_label, resources,
};

use super::dashboard::count_widgets;
use super::datadog::{self, Monitor};

pub struct TerraformDatadog;

/// Nested group widgets deeper than this are not followed.
const MAX_DEPTH: u8 = 4;

impl Detector for TerraformDatadog {
    fn id(&self) -> &'static str {
        "terraform-datadog"
    }

    fn summary(&self) -> &'static str {
        "Datadog in Terraform: datadog_monitor (handles, priority, evaluation window) and datadog_dashboard / datadog_dashboard_json"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("\"datadog_monitor\"") || text.contains("\"datadog_dashboard")
        }) else {
            return;
        };
        let (path, body, lines) = (tf.path, tf.body, tf.lines);
        for (type_, label, block) in resources(body) {
            let source = Source::new(path, lines.position_of(block));
            match type_ {
                "datadog_monitor" => {
                    let alert = monitor(&block.body, label).into_alert("datadog", source);
                    out.evidence.alerts.push(alert);
                }
                "datadog_dashboard" => {
                    let (title, _) = name_or_label(&block.body, &["title"], label);
                    out.evidence.dashboards.push(Dashboard {
                        tool: "datadog".to_string(),
                        title,
                        panels: widgets(&block.body, 0),
                        source,
                    });
                }
                "datadog_dashboard_json" => {
                    let json = attr(&block.body, "dashboard").and_then(json_body);
                    let title = json
                        .as_ref()
                        .and_then(|j| j.get("title"))
                        .and_then(|t| t.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| label.to_string());
                    out.evidence.dashboards.push(Dashboard {
                        tool: "datadog".to_string(),
                        title,
                        panels: json.as_ref().map_or(0, count_widgets),
                        source,
                    });
                }
                _ => {}
            }
        }
    }
}

fn monitor(body: &Body, label: &str) -> Monitor {
    let (name, name_templated) = name_or_label(body, &["name"], label);
    let query = attr_text(body, "query");
    let message = attr_text(body, "message");
    let message_computed =
        attr(body, "message").is_some() && message.as_ref().is_none_or(|m| !m.literal);
    let priority = attr_text(body, "priority")
        .map(|t| t.text)
        .or_else(|| {
            attr(body, "priority")
                .and_then(value::number)
                .map(|n| n.to_string())
        })
        .and_then(|p| datadog::priority(&p));
    let tags = attr_references(body, "tags").unwrap_or_default();
    let trigger_window = value::blocks(body, "monitor_threshold_windows")
        .into_iter()
        .find_map(|w| value::literal(w, "trigger_window"));
    let templated =
        name_templated || query.as_ref().is_some_and(|q| !q.literal) || message_computed;
    Monitor {
        name,
        query: query.map(|q| q.text),
        message: message.map(|m| m.text),
        message_computed,
        priority,
        tags,
        trigger_window,
        templated,
    }
}

/// Widgets of a `datadog_dashboard`: a group widget counts for the widgets it holds.
fn widgets(body: &Body, depth: u8) -> u32 {
    value::blocks(body, "widget")
        .into_iter()
        .map(|w| {
            let group = ["group_definition", "powerpack_definition"]
                .iter()
                .find_map(|g| w.get_blocks(g).next());
            match group {
                Some(g) if depth < MAX_DEPTH => widgets(&g.body, depth + 1),
                _ => 1,
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformDatadog])
    }

    const MONITORS: &str = r#"resource "datadog_monitor" "checkout_errors" {
  name    = "Checkout error rate"
  type    = "query alert"
  query   = "sum(last_10m):sum:trace.http.request.errors{service:checkout}.as_count() / sum:trace.http.request.hits{service:checkout}.as_count() > 0.05"
  message = <<-EOT
    {{#is_alert}}Checkout fails more than 5% of requests.{{/is_alert}}
    Runbook: https://runbooks.example.com/checkout-errors
    @pagerduty-checkout @slack-checkout
  EOT
  priority         = 2
  evaluation_delay = 900
  tags             = ["team:checkout", "severity:critical"]

  monitor_thresholds {
    critical = 0.05
  }
}

resource "datadog_monitor" "catalog" {
  for_each = var.monitors
  name     = each.value.name
  type     = each.value.type
  query    = each.value.query
  message  = format("%s%s", each.value.message, local.alert_tags)
  priority = try(each.value.priority, null)
}

resource "datadog_monitor" "cpu" {
  name    = "CPU on ${var.env}"
  type    = "metric alert"
  query   = "avg(last_1m):avg:system.cpu.user{env:${var.env}} > 90"
  message = "CPU is high @slack-infra"
}
"#;

    #[test]
    fn monitors() {
        let d = detect(&[("infra/monitors.tf", MONITORS)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 3);
        let a = &alerts[0];
        assert_eq!(a.name, "Checkout error rate");
        assert_eq!(a.format, "datadog");
        assert_eq!(a.source.line, Some(1));
        assert_eq!(a.notifies, ["@pagerduty-checkout", "@slack-checkout"]);
        assert!(a.paging && a.debounced && !a.templated);
        assert_eq!(a.severity.as_deref(), Some("critical"));
        assert_eq!(a.for_.as_deref(), Some("last_10m"));
        assert_eq!(
            a.summary.as_deref(),
            Some("{{#is_alert}}Checkout fails more than 5% of requests.{{/is_alert}}")
        );
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/checkout-errors")
        );
        let c = &alerts[1];
        assert_eq!(c.name, "catalog", "one block, named after its label");
        assert!(c.templated && c.paging, "a computed message may page");
        assert_eq!(c.expr, "");
        assert_eq!(c.severity, None);
        let cpu = &alerts[2];
        assert_eq!(cpu.name, "CPU on ${var.env}");
        assert!(cpu.templated && !cpu.paging && !cpu.debounced);
        assert_eq!(
            cpu.expr,
            "avg(last_1m):avg:system.cpu.user{env:${var.env}} > 90"
        );
    }

    #[test]
    fn dashboards() {
        let text = r#"resource "datadog_dashboard" "checkout" {
  title       = "Checkout"
  layout_type = "ordered"
  widget {
    timeseries_definition {
      title = "Requests"
    }
  }
  widget {
    group_definition {
      title = "Latency"
      widget {
        query_value_definition {
          title = "p99"
        }
      }
      widget {
        query_value_definition {
          title = "p50"
        }
      }
    }
  }
}

resource "datadog_dashboard_json" "payments" {
  dashboard = jsonencode({
    title   = "Payments"
    widgets = [{ definition = { type = "timeseries" } }]
  })
}

resource "datadog_dashboard_json" "from_file" {
  dashboard = file("${path.module}/dash.json")
}
"#;
        let d = detect(&[("infra/dashboards.tf", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, &str, u32)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| (x.tool.as_str(), x.title.as_str(), x.panels))
            .collect();
        assert_eq!(
            got,
            [
                ("datadog", "Checkout", 3),
                ("datadog", "Payments", 1),
                ("datadog", "from_file", 0)
            ]
        );
    }

    #[test]
    fn files_without_datadog_resources_are_not_parsed() {
        let d = detect(&[(
            "main.tf",
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n",
        )]);
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-terraform-datadog", &[&TerraformDatadog]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, bool, bool, Vec<&str>)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.paging,
                    a.debounced,
                    a.notifies.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Checkout error budget burn",
                    true,
                    true,
                    vec!["@pagerduty-checkout", "@slack-checkout"]
                ),
                ("Checkout p99 latency", false, true, vec!["@slack-checkout"]),
            ]
        );
        assert_eq!(d.evidence.dashboards.len(), 1);
        assert_eq!(d.evidence.dashboards[0].panels, 4);
    }
}
