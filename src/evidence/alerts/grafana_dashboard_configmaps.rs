//! `grafana-dashboard-configmaps`: Grafana dashboards held in Kubernetes YAML.
//!
//! ## What it recognises
//! - dashboard JSON held as a string in a ConfigMap (`data: {checkout.json: |-  {…}}`, the
//!   way the Grafana sidecar and kube-prometheus load dashboards), also in `kind: List`
//!   items, and in Helm values (`grafana.dashboards.<provider>.<name>.json: |`);
//! - grafana-operator `GrafanaDashboard` resources (`spec.json`, or a dashboard fetched from
//!   `spec.url`, `spec.grafanaCom`, a `spec.configMapRef`);
//! - Grafana's own `dashboard.grafana.app` `Dashboard` resources written in YAML;
//! - dashboards a Helm chart installs from grafana.com (`<name>: {gnetId: 1860}`).
//!
//! Each gives a dashboard with its title (the JSON's `title`, else the data key or
//! resource name) and number of panels (0 when the JSON is not in the file), reported at
//! the data key or resource. A section switched off with `enabled: false`
//! (`grafana.enabled: false`) is not in effect and is skipped. Dashboard provisioning
//! files (`providers:`) only say where dashboards are read from and give nothing.

use serde_json::Value as Json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{Collector, Dashboard, Detector, FileContext, RepoPath, Source};
use crate::parse::yaml::{Node, Value};

use super::dashboard::{self, GrafanaDashboard};
use super::{documents, is_disabled, kind, text_of};

pub struct GrafanaDashboardConfigMaps;

/// Deeper YAML than this is not walked (the YAML reader bounds depth at 128 already).
const MAX_DEPTH: u32 = 96;

fn may_hold_dashboards(text: &str) -> bool {
    dashboard::may_hold_grafana_dashboard(text)
        || text.contains("GrafanaDashboard")
        || text.contains("dashboard.grafana.app")
        || text.contains("gnetId")
}

impl Detector for GrafanaDashboardConfigMaps {
    fn id(&self) -> &'static str {
        "grafana-dashboard-configmaps"
    }

    fn summary(&self) -> &'static str {
        "Grafana dashboards in Kubernetes YAML: dashboard JSON in ConfigMaps and Helm values, GrafanaDashboard and dashboard.grafana.app resources, grafana.com dashboards"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !may_hold_dashboards(text) {
            return;
        }
        let Some(docs) = documents(file, self.id(), out) else {
            return;
        };
        let mut walk = Walk {
            path: file.path.as_str(),
            templated: docs.templated,
            out,
        };
        for doc in docs.nodes.iter() {
            walk.node(doc, 0);
        }
    }
}

struct Walk<'a> {
    path: &'a str,
    templated: bool,
    out: &'a mut Collector,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                if is_disabled(node) {
                    return;
                }
                match kind(node) {
                    Some("GrafanaDashboard") => return self.operator_resource(node),
                    Some("Dashboard")
                        if node
                            .get("apiVersion")
                            .and_then(Node::as_str)
                            .is_some_and(|v| v.starts_with("dashboard.grafana.app/")) =>
                    {
                        if let Some(found) = dashboard::grafana_dashboard(&node.to_json()) {
                            let fallback = resource_name(node).unwrap_or_default();
                            self.push(found, fallback, node);
                        }
                        return;
                    }
                    _ => {}
                }
                for (key, value) in entries {
                    match &value.value {
                        Value::String(s) => self.string(key, value, s),
                        Value::Map(_) if value.get("gnetId").is_some() => {
                            if let Some(name) = key.scalar_text() {
                                self.out.evidence.dashboards.push(Dashboard {
                                    tool: "grafana".to_string(),
                                    title: name,
                                    panels: 0,
                                    source: Source::new(self.path, Some(key.pos)),
                                });
                            }
                        }
                        _ => self.node(value, depth + 1),
                    }
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.node(item, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// A string value that may be dashboard JSON (a ConfigMap data entry, a Helm value).
    fn string(&mut self, key: &Node, value: &Node, s: &str) {
        let trimmed = s.trim_start();
        if !trimmed.starts_with('{') || !dashboard::may_hold_grafana_dashboard(s) {
            return;
        }
        let key_text = key.scalar_text().unwrap_or_default();
        match serde_json::from_str::<Json>(s) {
            Ok(json) => {
                if let Some(found) = dashboard::grafana_dashboard(&json) {
                    let fallback = key_text
                        .strip_suffix(".json")
                        .unwrap_or(&key_text)
                        .to_string();
                    self.push(found, fallback, key);
                }
            }
            Err(err) if !self.templated => {
                // Only text that reads as a dashboard is worth a diagnostic.
                if s.contains("\"schemaVersion\"") || s.contains("\"panels\"") {
                    self.out.diagnostic(
                        Diagnostic::new(
                            Severity::Error,
                            "invalid-embedded-json",
                            format!(
                                "the dashboard held in `{key_text}` is not valid JSON; Grafana cannot load it: {}",
                                strip_position(&err.to_string())
                            ),
                        )
                        .at(self.path, Some(value.pos)),
                    );
                }
            }
            Err(_) => {}
        }
    }

    /// A grafana-operator `GrafanaDashboard`: inline JSON, or a dashboard it fetches.
    fn operator_resource(&mut self, node: &Node) {
        let name = resource_name(node).unwrap_or_default();
        let spec = node.get("spec");
        let inline = spec
            .and_then(|s| s.get("json"))
            .and_then(Node::as_str)
            .and_then(dashboard::parse_json)
            .and_then(|j| dashboard::grafana_dashboard(&j));
        match inline {
            Some(found) => self.push(found, name, node),
            None => self.out.evidence.dashboards.push(Dashboard {
                tool: "grafana".to_string(),
                title: name,
                panels: 0,
                source: Source::new(self.path, Some(node.pos)),
            }),
        }
    }

    fn push(&mut self, found: GrafanaDashboard, fallback: String, at: &Node) {
        self.out.evidence.dashboards.push(Dashboard {
            tool: "grafana".to_string(),
            title: found.title.unwrap_or(fallback),
            panels: found.panels,
            source: Source::new(self.path, Some(at.pos)),
        });
    }
}

fn resource_name(node: &Node) -> Option<String> {
    text_of(node.at(&["metadata", "name"]))
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&GrafanaDashboardConfigMaps])
    }

    const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: grafana-dashboard-checkout
  labels:
    grafana_dashboard: "1"
data:
  checkout.json: |-
    {
      "title": "Checkout",
      "uid": "checkout",
      "panels": [
        {"type": "row", "title": "Traffic", "panels": []},
        {"type": "timeseries", "title": "Requests"},
        {"type": "stat", "title": "Errors"}
      ]
    }
  notes.txt: plain text
  untitled.json: |
    {"schemaVersion": 30, "rows": [{"panels": [{"type": "graph"}]}]}
"#;

    #[test]
    fn configmap_data_holding_dashboards() {
        let d = detect(&[("k8s/dashboards.yaml", CONFIGMAP)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, u32, Option<u32>)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| (x.title.as_str(), x.panels, x.source.line))
            .collect();
        assert_eq!(got, [("Checkout", 2, Some(8)), ("untitled", 1, Some(19))]);
    }

    #[test]
    fn operator_resources_helm_values_and_disabled_sections() {
        let text = r#"apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: node-exporter
spec:
  url: https://grafana.com/api/dashboards/1860/revisions/37/download
---
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: inline
spec:
  json: >
    {"title": "Inline", "schemaVersion": 39, "panels": [{"type": "stat"}]}
"#;
        let values = r#"grafana:
  dashboards:
    default:
      node-exporter:
        gnetId: 1860
        revision: 37
      custom:
        json: |
          {"title": "Custom", "uid": "c", "panels": [{"type": "stat"}, {"type": "gauge"}]}
other-grafana:
  enabled: false
  dashboards:
    default:
      off:
        gnetId: 1
"#;
        let d = detect(&[
            ("deploy/grafana.yaml", text),
            ("charts/values.yaml", values),
        ]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, &str, u32, Option<u32>)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| {
                (
                    x.source.path.as_str(),
                    x.title.as_str(),
                    x.panels,
                    x.source.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("charts/values.yaml", "node-exporter", 0, Some(4)),
                ("charts/values.yaml", "Custom", 2, Some(8)),
                ("deploy/grafana.yaml", "node-exporter", 0, Some(1)),
                ("deploy/grafana.yaml", "Inline", 1, Some(8)),
            ]
        );
    }

    #[test]
    fn broken_embedded_dashboard_is_reported() {
        let text = "kind: ConfigMap\ndata:\n  x.json: |\n    {\"title\": \"x\", \"panels\": [\n";
        let d = detect(&[("cm.yaml", text)]);
        assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
        assert_eq!(d.diagnostics[0].code, "invalid-embedded-json");
        assert_eq!(d.diagnostics[0].line, Some(4));
    }

    #[test]
    fn deep_json_in_a_configmap_is_refused_without_a_crash() {
        let text = format!(
            "kind: ConfigMap\ndata:\n  x.json: '{{\"title\": \"x\", \"schemaVersion\": 1, \"panels\": {}{}}}'\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        );
        let d = detect(&[("cm.yaml", &text)]);
        assert!(d.evidence.dashboards.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture(
            "format-grafana-dashboard-configmaps",
            &[&GrafanaDashboardConfigMaps],
        );
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
                ("deploy/grafana-dashboards.yaml", "Checkout SLOs", 4),
                ("deploy/grafana-dashboards.yaml", "Checkout / Pods", 3),
                ("deploy/grafana-operator.yaml", "node-exporter-full", 0),
            ]
        );
    }
}
