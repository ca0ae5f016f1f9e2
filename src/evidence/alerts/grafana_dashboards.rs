//! `grafana-dashboards`: Grafana dashboards kept as JSON files.
//!
//! ## What it recognises
//! A `.json` file holding a Grafana dashboard model: an object with `panels` (or the legacy
//! `rows`) and a `schemaVersion`, or a `title` next to other dashboard settings (`uid`,
//! `time`, `templating`, …). Also the HTTP API's export wrapper (`{"dashboard": …,
//! "meta": …}`) and Grafana's `dashboard.grafana.app` resources (`kind: Dashboard`, schema v1
//! and v2). Other JSON with a `panels` list is not taken for a dashboard.
//!
//! Each file gives a dashboard with its title and number of panels: the panels inside rows
//! count, rows themselves do not. A legacy panel alert (`"alert"` on a panel of a
//! Grafana 8 or older dashboard) that notifies a channel is an alert of format
//! `grafana-legacy`; one that notifies nobody (`"notifications": []`) is not.
//!
//! A JSON file that is a Helm template (a line starting with `{{`) is skipped: it is not
//! JSON until rendered.

use serde_json::{Map, Value};

use crate::evidence::{Collector, Dashboard, Detector, FileContext, RepoPath, Source};
use crate::parse::hcl::LineIndex;

use super::dashboard::{self, GrafanaDashboard};
use super::duration;

pub struct GrafanaDashboards;

impl Detector for GrafanaDashboards {
    fn id(&self) -> &'static str {
        "grafana-dashboards"
    }

    fn summary(&self) -> &'static str {
        "Grafana dashboards kept as JSON files (dashboard models, API exports, dashboard.grafana.app resources), with their panels and legacy panel alerts"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_json()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !dashboard::may_be_grafana_dashboard_file(text) || is_helm_template(text) {
            return;
        }
        let Some(value) = file.json() else {
            return;
        };
        let Some(found) = dashboard::grafana_dashboard(value) else {
            return;
        };
        let path = file.path.as_str();
        let title = found
            .title
            .clone()
            .unwrap_or_else(|| stem(file.path.name()));
        if let Some(model) = &found.model {
            legacy_alerts(model, &title, path, text, out);
        }
        let GrafanaDashboard { panels, .. } = found;
        out.evidence.dashboards.push(Dashboard {
            tool: "grafana".to_string(),
            title,
            panels,
            source: Source::file(path),
        });
    }
}

/// A JSON file that is a Helm/Go template: a template action starts a line. Grafana's own
/// `{{instance}}` legend templates sit inside JSON strings and never do.
fn is_helm_template(text: &str) -> bool {
    text.lines().any(|l| l.trim_start().starts_with("{{"))
}

fn stem(name: &str) -> String {
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

/// Legacy (Grafana 8 and older) panel alerts that notify at least one channel.
fn legacy_alerts(
    model: &Map<String, Value>,
    dashboard_title: &str,
    path: &str,
    text: &str,
    out: &mut Collector,
) {
    let mut lines: Option<LineIndex> = None;
    for panel in dashboard::panels(model) {
        let Some(alert) = panel.get("alert").and_then(Value::as_object) else {
            continue;
        };
        let notifies: Vec<String> = alert
            .get("notifications")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|n| {
                n.get("uid").or_else(|| n.get("id")).and_then(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .or_else(|| Some(v.to_string()))
                })
            })
            .collect();
        if notifies.is_empty() {
            continue;
        }
        let name = alert
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| dashboard_title.to_string());
        let lines = lines.get_or_insert_with(|| LineIndex::new(text));
        let needle = serde_json::to_string(&name).unwrap_or_default();
        let pos = text.find(&needle).map(|o| lines.position(o));
        let mut a = super::new_alert(name, "grafana-legacy", Source::new(path, pos));
        a.group = Some(dashboard_title.to_string());
        a.expr = panel
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("expr").and_then(Value::as_str))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        a.for_ = alert
            .get("for")
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty());
        a.debounced = a
            .for_
            .as_deref()
            .and_then(duration::millis)
            .is_some_and(|ms| ms > 0);
        if let Some(message) = alert.get("message").and_then(Value::as_str) {
            a.summary = super::first_line(message);
            a.description = Some(message.trim().to_string()).filter(|m| !m.is_empty());
            a.runbook_url = super::runbook_in_text(message);
        }
        // Legacy alerts have no severity; an unclassified alert is taken to page.
        a.paging = true;
        a.notifies = notifies;
        out.evidence.alerts.push(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&GrafanaDashboards])
    }

    const DASHBOARD: &str = r#"{
  "title": "Checkout",
  "uid": "checkout",
  "schemaVersion": 39,
  "panels": [
    {"type": "row", "title": "Traffic", "collapsed": true, "panels": [
      {"type": "timeseries", "title": "Requests", "targets": [{"expr": "sum(rate(http_requests_total[5m]))"}],
       "alert": {"name": "Checkout traffic dropped", "for": "10m", "message": "Traffic dropped. Runbook: https://runbooks.example.com/traffic",
                 "notifications": [{"uid": "pager"}]}},
      {"type": "stat", "title": "Errors", "alert": {"name": "Silent", "notifications": []}}
    ]},
    {"type": "gauge", "title": "Saturation"}
  ]
}
"#;

    #[test]
    fn dashboard_with_rows_and_legacy_alerts() {
        let d = detect(&[("dashboards/checkout.json", DASHBOARD)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let dash = &d.evidence.dashboards;
        assert_eq!(dash.len(), 1);
        assert_eq!(
            (
                dash[0].tool.as_str(),
                dash[0].title.as_str(),
                dash[0].panels
            ),
            ("grafana", "Checkout", 3)
        );
        assert_eq!(dash[0].source.line, Some(1));
        let alerts = &d.evidence.alerts;
        assert_eq!(
            alerts.len(),
            1,
            "an alert that notifies nobody is not listed"
        );
        let a = &alerts[0];
        assert_eq!(a.name, "Checkout traffic dropped");
        assert_eq!(a.format, "grafana-legacy");
        assert_eq!(a.source.line, Some(8));
        assert!(a.debounced && a.paging);
        assert_eq!(a.notifies, ["pager"]);
        assert_eq!(a.expr, "sum(rate(http_requests_total[5m]))");
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/traffic")
        );
    }

    #[test]
    fn other_json_templates_and_broken_files() {
        let d = detect(&[
            ("package.json", r#"{"name": "x", "panels": ["a"]}"#),
            ("tsconfig.json", "{\n  // comment\n}\n"),
            (
                "chart/dashboards/x.json",
                "{{- if .Values.x }}\n{\"title\": \"t\", \"panels\": []}\n{{- end }}\n",
            ),
        ]);
        assert!(d.evidence.dashboards.is_empty());
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let d = detect(&[("table.json", "{\"rows\": [1, 2,\n")]);
        assert!(
            d.diagnostics.is_empty(),
            "broken JSON that is no dashboard is not read"
        );
        let d = detect(&[(
            "dash.json",
            "{\"title\": \"t\", \"schemaVersion\": 39, \"panels\": [\n",
        )]);
        assert_eq!(d.diagnostics.len(), 1, "a broken dashboard is reported");
        assert_eq!(d.diagnostics[0].code, "invalid-json");
    }

    #[test]
    fn a_deeply_nested_file_is_refused_without_a_crash() {
        let text = format!(
            "{{\"title\": \"t\", \"schemaVersion\": 1, \"panels\": {}{}}}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let d = detect(&[("deep.json", &text)]);
        assert!(d.evidence.dashboards.is_empty());
        assert_eq!(d.diagnostics.len(), 1);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-grafana-dashboards", &[&GrafanaDashboards]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, &str, u32)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| (x.source.path.as_str(), x.title.as_str(), x.panels))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "grafana/dashboards/checkout-overview.json",
                    "Checkout overview",
                    5
                ),
                ("grafana/dashboards/legacy-queue.json", "Queue (legacy)", 3),
                ("grafana/exported/payments.json", "Payments", 2),
            ]
        );
        let alerts: Vec<(&str, Option<u32>)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.source.line))
            .collect();
        assert_eq!(alerts, [("Queue backlog growing", Some(15))]);
    }
}
