//! `datadog-monitor-catalog`: Datadog monitors kept as data, outside Terraform's syntax.
//!
//! ## What it recognises
//! - a monitor catalog: a YAML map of monitor key → `{name, type, query, message,
//!   priority, tags, thresholds, …}`, as the cloudposse Datadog modules read them
//!   (format `datadog-monitor-catalog`); settings may also sit under `options`;
//! - one monitor as the Datadog API writes it (`{name, type, query, message, options}`,
//!   JSON or YAML; format `datadog-monitor-json`);
//! - a Datadog operator `DatadogMonitor` resource (`spec: {name, type, query, message}`;
//!   format `datadog-monitor-crd`).
//!
//! A map is a monitor only when its `type` is a Datadog monitor type (`metric alert`,
//! `query alert`, `log alert`, …, `composite`, `service check`) and it has a `query`. An
//! entry switched off with `enabled: false` is not created and is skipped.
//!
//! What a monitor notifies, whether it pages and whether it is debounced are read as
//! described in the `datadog` module: `@handles` in the message, priority, the query's
//! evaluation window.

use std::sync::LazyLock;

use regex::Regex;

use crate::evidence::{Collector, Detector, FileContext, RepoPath, Source};
use crate::parse::yaml::{Node, Value};

use super::datadog::{self, Monitor};
use super::{documents, is_disabled, kind, text_of};

pub struct DatadogMonitorCatalog;

/// Whether the text may hold Datadog monitors: a `type` that is a monitor type.
fn looks_like_monitors(text: &str) -> bool {
    static MONITOR_TYPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\btype["']?\s*:\s*["']?(?:[a-z0-9-]+ alert|composite|service check)\b"#)
            .expect("valid regex")
    });
    text.contains("query") && MONITOR_TYPE.is_match(text)
}

impl Detector for DatadogMonitorCatalog {
    fn id(&self) -> &'static str {
        "datadog-monitor-catalog"
    }

    fn summary(&self) -> &'static str {
        "Datadog monitors kept as data: monitor catalogs (YAML maps of monitors), API-shaped monitor JSON, DatadogMonitor resources"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml() || path.is_json()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_monitors(text) {
            return;
        }
        let Some(docs) = documents(file, self.id(), out) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs.nodes.iter() {
            if is_disabled(doc) {
                continue;
            }
            if kind(doc) == Some("DatadogMonitor") {
                if let Some(spec) = doc.get("spec").filter(|s| is_monitor(s)) {
                    let fallback = text_of(doc.at(&["metadata", "name"])).unwrap_or_default();
                    push(
                        spec,
                        fallback,
                        "datadog-monitor-crd",
                        doc,
                        path,
                        docs.templated,
                        out,
                    );
                }
                continue;
            }
            if is_monitor(doc) {
                push(
                    doc,
                    String::new(),
                    "datadog-monitor-json",
                    doc,
                    path,
                    docs.templated,
                    out,
                );
                continue;
            }
            for (key, value) in doc.as_map() {
                if value.is_map() && !is_disabled(value) && is_monitor(value) {
                    let fallback = key.scalar_text().unwrap_or_default();
                    push(
                        value,
                        fallback,
                        "datadog-monitor-catalog",
                        key,
                        path,
                        docs.templated,
                        out,
                    );
                }
            }
        }
    }
}

/// A map that is one Datadog monitor.
fn is_monitor(node: &Node) -> bool {
    node.get("type")
        .and_then(Node::as_str)
        .is_some_and(datadog::is_monitor_type)
        && node.get("query").is_some_and(|q| q.scalar_text().is_some())
}

/// A setting at the top of the monitor or under `options`, as the API nests it.
fn setting<'a>(monitor: &'a Node, key: &str) -> Option<&'a Node> {
    monitor
        .get(key)
        .or_else(|| monitor.get("options").and_then(|o| o.get(key)))
}

fn push(
    monitor: &Node,
    fallback: String,
    format: &str,
    at: &Node,
    path: &str,
    templated: bool,
    out: &mut Collector,
) {
    let tags = match monitor.get("tags").map(|t| &t.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| {
                let key = k.scalar_text()?;
                Some(match v.scalar_text() {
                    Some(v) if !v.is_empty() => format!("{key}:{v}"),
                    _ => key,
                })
            })
            .collect(),
        Some(_) => monitor
            .get("tags")
            .map(Node::string_list)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let m = Monitor {
        name: text_of(monitor.get("name")).unwrap_or(fallback),
        query: text_of(monitor.get("query")),
        message: text_of(monitor.get("message")),
        message_computed: false,
        priority: monitor
            .get("priority")
            .and_then(Node::scalar_text)
            .and_then(|p| datadog::priority(&p)),
        tags,
        trigger_window: setting(monitor, "threshold_windows")
            .and_then(|w| text_of(w.get("trigger_window"))),
        templated,
    };
    out.evidence
        .alerts
        .push(m.into_alert(format, Source::new(path, Some(at.pos))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&DatadogMonitorCatalog])
    }

    const CATALOG: &str = r#"# Monitors for the checkout service
checkout-error-rate:
  name: "(checkout) Error rate above 5%"
  type: query alert
  query: |
    sum(last_10m):sum:trace.http.request.errors{service:checkout}.as_count() / sum:trace.http.request.hits{service:checkout}.as_count() > 0.05
  message: |
    {{#is_alert}}
    Checkout fails more than 5% of requests. Runbook: https://runbooks.example.com/checkout-errors
    @pagerduty-checkout @slack-checkout
    {{/is_alert}}
  priority: 2
  tags:
    team: checkout
    ManagedBy:
  thresholds:
    critical: 0.05

checkout-cpu:
  name: "(checkout) CPU high"
  type: metric alert
  query: max(last_5m):avg:system.cpu.user{service:checkout} > 90
  message: CPU is high @slack-checkout
  priority: 4
  tags: ["team:checkout"]

disabled-monitor:
  enabled: false
  name: off
  type: metric alert
  query: avg(last_5m):avg:x{*} > 1

settings:
  type: not-a-monitor
  query: x
"#;

    #[test]
    fn catalog_of_monitors() {
        let d = detect(&[("catalog/monitors/checkout.yaml", CATALOG)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 2);
        let a = &alerts[0];
        assert_eq!(a.name, "(checkout) Error rate above 5%");
        assert_eq!(a.format, "datadog-monitor-catalog");
        assert_eq!(a.source.line, Some(2));
        assert_eq!(a.notifies, ["@pagerduty-checkout", "@slack-checkout"]);
        assert!(a.paging && a.debounced);
        assert_eq!(a.for_.as_deref(), Some("last_10m"));
        assert_eq!(a.severity.as_deref(), Some("P2"));
        assert_eq!(
            a.summary.as_deref(),
            Some(
                "Checkout fails more than 5% of requests. Runbook: https://runbooks.example.com/checkout-errors"
            )
        );
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/checkout-errors")
        );
        assert_eq!(a.labels.get("team").map(String::as_str), Some("checkout"));
        let cpu = &alerts[1];
        assert!(!cpu.paging && !cpu.debounced, "max(…) > fires on one point");
        assert_eq!(cpu.source.line, Some(19));
    }

    #[test]
    fn api_json_and_operator_resources() {
        let json = r#"{
  "name": "anomaly",
  "type": "query alert",
  "query": "avg(last_1d):anomalies(avg:system.load.1{*}, 'agile', 2) >= 1",
  "message": "load anomaly @opsgenie-infra",
  "options": {"threshold_windows": {"trigger_window": "last_30m"}},
  "priority": 5
}"#;
        let crd = "apiVersion: datadoghq.com/v1alpha1\nkind: DatadogMonitor\nmetadata:\n  name: checkout-latency\nspec:\n  type: metric alert\n  query: avg(last_5m):avg:trace.http.request.duration{service:checkout} > 1\n  message: slow @slack-x\n";
        let d = detect(&[
            ("monitors/anomaly.json", json),
            ("deploy/monitor.yaml", crd),
        ]);
        let got: Vec<(&str, &str, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.format.as_str(), a.paging))
            .collect();
        assert_eq!(
            got,
            [
                ("checkout-latency", "datadog-monitor-crd", false),
                ("anomaly", "datadog-monitor-json", true),
            ]
        );
    }

    #[test]
    fn only_monitor_types_make_the_file_worth_parsing() {
        assert!(looks_like_monitors("a:\n  type: query alert\n  query: x\n"));
        assert!(looks_like_monitors(
            "{\"type\": \"log alert\", \"query\": \"x\"}"
        ));
        assert!(!looks_like_monitors(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: query\n"
        ));
        let broken = "- alert: A\n  type: x\n  query: [\n";
        assert!(detect(&[("rules.yaml", broken)]).diagnostics.is_empty());
    }

    #[test]
    fn slo_catalogs_are_not_monitors() {
        let text = "checkout-slo:\n  name: checkout\n  type: metric\n  query:\n    numerator: a\n    denominator: b\n  description: an alert when\n";
        let d = detect(&[("catalog/slo.yaml", text)]);
        assert!(d.evidence.alerts.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-datadog-monitor-catalog", &[&DatadogMonitorCatalog]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, Option<u32>, bool, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.source.line, a.paging, a.debounced))
            .collect();
        assert_eq!(
            got,
            [
                ("(checkout) Error budget burning", Some(2), true, true),
                ("(checkout) Pods restarting", Some(20), false, true),
                ("(checkout) Host down", Some(34), true, false),
            ]
        );
    }
}
