//! `grafana-alerting`: Grafana-managed alert rules, contact points and notification
//! policies.
//!
//! ## What it recognises
//! Grafana's alerting file provisioning and its export (YAML or JSON, `apiVersion: 1`):
//! - `groups: [{orgId, name, folder, interval, rules: [{uid, title, condition, data, for,
//!   labels, annotations, isPaused, notification_settings}]}]`, and the ruler API's shape
//!   (`rules: [{grafana_alert: {title, data, …}, for, labels, annotations}]`);
//! - `contactPoints: [{name, receivers: [{uid, type, settings}]}]`;
//! - `policies: [{receiver, group_by, routes: [{receiver, object_matchers, routes}]}]`.
//!
//! The same wherever it sits: a provisioning file, Helm values (`grafana.alerting:
//! {rules.yaml: {…}}`), or a provisioning file held as a string in a ConfigMap. A section
//! switched off with `enabled: false` (`grafana.enabled: false`) is skipped.
//!
//! Every rule is an alert of format `grafana`: its name is the `title`, its expression the
//! data queries' `model.expr` (server-side expressions such as thresholds and reducers are
//! left out), `for` debounces it, `severity` comes from its labels and paging is decided
//! from it as for Prometheus rules; `notification_settings.receiver` is what it notifies.
//! A paused rule (`isPaused: true`) is listed and noted. Every contact point is a receiver
//! (PagerDuty, Opsgenie, VictorOps, Pushover and Grafana OnCall page; PagerDuty, Opsgenie
//! and VictorOps contact points are on-call entries too); every root notification policy
//! is an alert routing of format `grafana`. Receivers a policy names but the file does not
//! define are reported only when the file defines contact points, since provisioning
//! merges every file; Grafana's built-in `grafana-default-email` is always defined.

use std::collections::BTreeSet;

use crate::evidence::{
    AlertRouting, Collector, Detector, FileContext, OnCall, Receiver, RepoPath, Source,
};
use crate::parse::yaml::{Node, Value};

use super::prometheus_rules::is_paging;
use super::{
    documents, duration, embedded_yaml, is_disabled, set_labels_and_annotations, string_map,
    text_of,
};

pub struct GrafanaAlerting;

/// Contact point types that page a human, with the on-call provider they are, if any.
const PAGING_TYPES: &[(&str, Option<&str>)] = &[
    ("pagerduty", Some("pagerduty")),
    ("opsgenie", Some("opsgenie")),
    ("victorops", Some("splunk-oncall")),
    ("pushover", None),
    ("oncall", None),
];

/// The contact point Grafana creates itself.
const BUILT_IN_CONTACT_POINTS: &[&str] = &["grafana-default-email"];

/// Deeper YAML than this is not walked.
const MAX_DEPTH: u32 = 96;

/// Whether the text may hold Grafana alerting provisioning: the cheap test before parsing.
fn looks_like_grafana_alerting(text: &str) -> bool {
    (text.contains("groups")
        && text.contains("title")
        && (text.contains("condition:") || text.contains("\"condition\"")))
        || text.contains("grafana_alert")
        || text.contains("contactPoints")
        || (text.contains("policies") && text.contains("receiver") && text.contains("orgId"))
}

impl Detector for GrafanaAlerting {
    fn id(&self) -> &'static str {
        "grafana-alerting"
    }

    fn summary(&self) -> &'static str {
        "Grafana-managed alerting: provisioned or exported alert rules, contact points and notification policies (YAML or JSON, also in Helm values and ConfigMaps)"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml() || path.is_json()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_grafana_alerting(text) {
            return;
        }
        let Some(docs) = documents(file, self.id(), out) else {
            return;
        };
        let mut walk = Walk {
            path: file.path.as_str(),
            text,
            templated: docs.templated,
            out,
            found: Found::default(),
        };
        for doc in docs.nodes.iter() {
            walk.node(doc, 0, 0);
        }
        walk.finish();
    }
}

/// What one file provides, to tell which contact points its policies and rules use.
#[derive(Default)]
struct Found {
    /// Receivers pushed from this file: index in `receivers`, name.
    receivers: Vec<(usize, String)>,
    /// Routings pushed from this file: index in `alert_routing`, receivers referenced.
    routings: Vec<(usize, BTreeSet<String>)>,
    /// Receivers named by rules' `notification_settings`.
    rule_receivers: BTreeSet<String>,
}

struct Walk<'a> {
    path: &'a str,
    text: &'a str,
    templated: bool,
    out: &'a mut Collector,
    found: Found,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node, embedded: u8, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                if is_disabled(node) {
                    return;
                }
                let mut handled = false;
                if let Some(points) = node.get("contactPoints").filter(|p| p.is_seq()) {
                    self.contact_points(points);
                    handled = true;
                }
                if let Some(policies) = node.get("policies").filter(|p| is_policy_list(p)) {
                    self.policies(policies);
                    handled = true;
                }
                for (key, value) in entries {
                    if handled && matches!(key.as_str(), Some("contactPoints" | "policies")) {
                        continue;
                    }
                    if let Value::String(s) = &value.value {
                        if embedded == 0 && s.contains('\n') && looks_like_grafana_alerting(s) {
                            self.embedded(key, value);
                        }
                        continue;
                    }
                    self.node(value, embedded, depth + 1);
                }
            }
            Value::Seq(items) => {
                if items.iter().any(is_grafana_group) {
                    for group in items {
                        self.group(group);
                    }
                    return;
                }
                for item in items {
                    self.node(item, embedded, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn embedded(&mut self, key: &Node, value: &Node) {
        let (what, skipped) = ("the Grafana alerting file", "its rules were");
        let docs = embedded_yaml(self.text, self.path, key, value, what, skipped, self.out);
        for doc in &docs {
            self.node(doc, 1, 0);
        }
    }

    fn group(&mut self, group: &Node) {
        let group_name = text_of(group.get("name"));
        for rule in group.get("rules").map(Node::as_seq).unwrap_or_default() {
            if let Some(inner) = rule.get("grafana_alert").filter(|g| g.is_map()) {
                self.rule(rule, inner, group_name.clone());
            } else if is_grafana_rule(rule) {
                self.rule(rule, rule, group_name.clone());
            }
        }
    }

    /// One rule: `outer` holds `for`, labels and annotations, `inner` the Grafana fields
    /// (the same node in provisioning files, `grafana_alert` in the ruler API's shape).
    fn rule(&mut self, outer: &Node, inner: &Node, group: Option<String>) {
        let Some(name) = text_of(inner.get("title")) else {
            return;
        };
        let source = Source::new(self.path, Some(outer.pos));
        let mut alert = super::new_alert(name, "grafana", source);
        alert.group = group;
        alert.expr = inner
            .get("data")
            .map(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|q| text_of(q.get("datasourceUid")).as_deref() != Some("__expr__"))
            .filter_map(|q| {
                let model = q.get("model")?;
                ["expr", "query", "rawSql"]
                    .iter()
                    .find_map(|k| text_of(model.get(k)))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let labels = string_map(outer.get("labels"));
        set_labels_and_annotations(&mut alert, labels, string_map(outer.get("annotations")));
        alert.paging = is_paging(alert.severity.as_deref());
        alert.for_ = text_of(outer.get("for"));
        alert.debounced = duration::waits(alert.for_.as_deref());
        alert.templated = self.templated;
        let receiver = text_of(
            inner
                .get("notification_settings")
                .and_then(|n| n.get("receiver")),
        );
        if let Some(receiver) = receiver {
            self.found.rule_receivers.insert(receiver.clone());
            alert.notifies.push(receiver);
        }
        if inner.get("isPaused").and_then(Node::as_bool) == Some(true)
            || inner.get("is_paused").and_then(Node::as_bool) == Some(true)
        {
            self.out.diagnostic(super::paused_note(
                self.path,
                Some(outer.pos),
                &alert.name,
                "`isPaused: true`",
            ));
        }
        self.out.evidence.alerts.push(alert);
    }

    fn contact_points(&mut self, points: &Node) {
        for point in points.as_seq() {
            let Some(name) = text_of(point.get("name")) else {
                continue;
            };
            let mut integrations: Vec<String> = Vec::new();
            let mut paging = false;
            for receiver in point.get("receivers").map(Node::as_seq).unwrap_or_default() {
                let Some(kind) = text_of(receiver.get("type")) else {
                    continue;
                };
                let kind = integration_name(&kind);
                if let Some((_, provider)) = PAGING_TYPES.iter().find(|(t, _)| *t == kind) {
                    paging = true;
                    if let Some(provider) = provider {
                        self.out.evidence.oncall.push(OnCall {
                            provider: provider.to_string(),
                            kind: "receiver".to_string(),
                            name: name.clone(),
                            source: Source::new(self.path, Some(receiver.pos)),
                        });
                    }
                }
                if !integrations.contains(&kind) {
                    integrations.push(kind);
                }
            }
            integrations.sort();
            self.found
                .receivers
                .push((self.out.evidence.receivers.len(), name.clone()));
            self.out.evidence.receivers.push(Receiver {
                address: None,
                routed_alerts: None,
                name,
                integrations,
                paging,
                used: false,
                source: Source::new(self.path, Some(point.pos)),
            });
        }
    }

    fn policies(&mut self, policies: &Node) {
        for policy in policies.as_seq() {
            let mut referenced = BTreeSet::new();
            let mut routes = 0u32;
            collect_routes(policy, &mut referenced, &mut routes, 0);
            self.found
                .routings
                .push((self.out.evidence.alert_routing.len(), referenced));
            self.out.evidence.alert_routing.push(AlertRouting {
                format: "grafana".to_string(),
                default_receiver: text_of(policy.get("receiver")),
                routes,
                receivers: 0,
                undefined_receivers: Vec::new(),
                source: Source::new(self.path, Some(policy.pos)),
            });
        }
    }

    /// Ties the file's routings and rules to its contact points.
    fn finish(&mut self) {
        let found = std::mem::take(&mut self.found);
        let defined: BTreeSet<&str> = found.receivers.iter().map(|(_, n)| n.as_str()).collect();
        let mut used: BTreeSet<&str> = found.rule_receivers.iter().map(String::as_str).collect();
        for (index, referenced) in &found.routings {
            used.extend(referenced.iter().map(String::as_str));
            let Some(routing) = self.out.evidence.alert_routing.get_mut(*index) else {
                continue;
            };
            routing.receivers = defined.len() as u32;
            if !defined.is_empty() {
                routing.undefined_receivers = referenced
                    .iter()
                    .filter(|r| !defined.contains(r.as_str()))
                    .filter(|r| !BUILT_IN_CONTACT_POINTS.contains(&r.as_str()))
                    .filter(|r| {
                        !(r.contains("{{") || r.contains(crate::parse::yaml::TEMPLATE_PLACEHOLDER))
                    })
                    .cloned()
                    .collect();
            }
        }
        for (index, name) in &found.receivers {
            if let Some(receiver) = self.out.evidence.receivers.get_mut(*index) {
                receiver.used = used.contains(name.as_str());
            }
        }
    }
}

/// Grafana's contact point type as the integration names of `receivers` (`teams` is
/// `msteams`).
fn integration_name(kind: &str) -> String {
    let kind = kind.trim().to_ascii_lowercase();
    match kind.as_str() {
        "teams" => "msteams".to_string(),
        "wecom" => "wechat".to_string(),
        _ => kind,
    }
}

/// A Grafana-managed rule in the provisioning shape: a `title` with query `data` or a
/// `condition`.
fn is_grafana_rule(rule: &Node) -> bool {
    rule.get("title").is_some()
        && (rule.get("data").is_some_and(Node::is_seq) || rule.get("condition").is_some())
}

/// A rule group whose rules are Grafana-managed (as opposed to Prometheus rules).
pub(crate) fn is_grafana_group(group: &Node) -> bool {
    group
        .get("rules")
        .map(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|r| r.get("grafana_alert").is_some_and(Node::is_map) || is_grafana_rule(r))
}

/// A `policies:` list of notification policies (maps with a `receiver` or routes).
fn is_policy_list(policies: &Node) -> bool {
    let items = policies.as_seq();
    !items.is_empty()
        && items
            .iter()
            .all(|p| p.is_map() && (p.get("receiver").is_some() || p.get("routes").is_some()))
}

fn collect_routes(route: &Node, referenced: &mut BTreeSet<String>, routes: &mut u32, depth: u32) {
    if let Some(receiver) = text_of(route.get("receiver")) {
        referenced.insert(receiver);
    }
    if depth > 64 {
        return;
    }
    for sub in route.get("routes").map(Node::as_seq).unwrap_or_default() {
        if sub.is_map() {
            *routes += 1;
            collect_routes(sub, referenced, routes, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&GrafanaAlerting])
    }

    const RULES: &str = r#"apiVersion: 1
groups:
  - orgId: 1
    name: checkout
    folder: Checkout
    interval: 1m
    rules:
      - uid: c1
        title: CheckoutHighLatency
        condition: C
        data:
          - refId: A
            datasourceUid: prometheus
            model:
              expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout"}[5m])))
          - refId: C
            datasourceUid: __expr__
            model:
              type: threshold
              expression: A
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: Checkout p99 latency is above 1s
          runbook_url: https://runbooks.example.com/checkout-latency
        notification_settings:
          receiver: checkout-pager
      - uid: c2
        title: CheckoutPaused
        condition: A
        data:
          - refId: A
            datasourceUid: loki
            model:
              expr: sum(count_over_time({app="checkout"} |= "panic" [5m]))
        isPaused: true
        labels:
          severity: warning
"#;

    #[test]
    fn provisioned_rules() {
        let d = detect(&[("grafana/provisioning/alerting/rules.yaml", RULES)]);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 2);
        let a = &alerts[0];
        assert_eq!(a.name, "CheckoutHighLatency");
        assert_eq!(a.format, "grafana");
        assert_eq!(a.group.as_deref(), Some("checkout"));
        assert!(a.expr.starts_with("histogram_quantile(0.99"), "{}", a.expr);
        assert_eq!(a.for_.as_deref(), Some("5m"));
        assert!(a.debounced && a.paging);
        assert_eq!(a.severity.as_deref(), Some("critical"));
        assert_eq!(
            a.summary.as_deref(),
            Some("Checkout p99 latency is above 1s")
        );
        assert_eq!(
            a.runbook_url.as_deref(),
            Some("https://runbooks.example.com/checkout-latency")
        );
        assert_eq!(a.notifies, ["checkout-pager"]);
        assert_eq!(a.source.line, Some(8));
        let paused = &alerts[1];
        assert!(!paused.paging && !paused.debounced);
        let notes: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|x| (x.code.as_str(), x.line))
            .collect();
        assert_eq!(notes, [("alert-disabled", Some(29))]);
    }

    const CONTACTS: &str = r#"apiVersion: 1
contactPoints:
  - orgId: 1
    name: checkout-pager
    receivers:
      - uid: pd
        type: pagerduty
        settings:
          integrationKey: $PD_KEY
      - uid: sl
        type: slack
  - orgId: 1
    name: team-chat
    receivers:
      - uid: t
        type: teams
  - orgId: 1
    name: unused
    receivers:
      - uid: e
        type: email
policies:
  - orgId: 1
    receiver: team-chat
    group_by: [grafana_folder, alertname]
    routes:
      - receiver: checkout-pager
        object_matchers: [["severity", "=", "critical"]]
        routes:
          - receiver: db-pager
      - receiver: grafana-default-email
"#;

    #[test]
    fn contact_points_and_policies() {
        let d = detect(&[("grafana/provisioning/alerting/contacts.yaml", CONTACTS)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let receivers: Vec<(&str, Vec<&str>, bool, bool)> = d
            .evidence
            .receivers
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.integrations.iter().map(String::as_str).collect(),
                    r.paging,
                    r.used,
                )
            })
            .collect();
        assert_eq!(
            receivers,
            [
                ("checkout-pager", vec!["pagerduty", "slack"], true, true),
                ("team-chat", vec!["msteams"], false, true),
                ("unused", vec!["email"], false, false),
            ]
        );
        let oncall = &d.evidence.oncall;
        assert_eq!(oncall.len(), 1);
        assert_eq!(
            (
                oncall[0].provider.as_str(),
                oncall[0].kind.as_str(),
                oncall[0].name.as_str()
            ),
            ("pagerduty", "receiver", "checkout-pager")
        );
        assert_eq!(oncall[0].source.line, Some(6));
        let routing = &d.evidence.alert_routing;
        assert_eq!(routing.len(), 1);
        let r = &routing[0];
        assert_eq!(r.format, "grafana");
        assert_eq!(r.default_receiver.as_deref(), Some("team-chat"));
        assert_eq!((r.routes, r.receivers), (3, 3));
        assert_eq!(r.undefined_receivers, ["db-pager"]);
        assert_eq!(r.source.line, Some(23));
    }

    #[test]
    fn policies_alone_do_not_claim_undefined_receivers() {
        let text = "apiVersion: 1\npolicies:\n  - orgId: 1\n    receiver: elsewhere\n";
        let d = detect(&[("alerting/policies.yaml", text)]);
        let r = &d.evidence.alert_routing[0];
        assert!(r.undefined_receivers.is_empty());
        assert_eq!(r.receivers, 0);
    }

    #[test]
    fn ruler_api_export_in_json() {
        let text = r#"{
  "Checkout": [
    {
      "name": "checkout",
      "interval": "1m",
      "rules": [
        {
          "expr": "",
          "for": "10m",
          "labels": {"severity": "page"},
          "annotations": {"summary": "Checkout is down"},
          "grafana_alert": {
            "title": "CheckoutDown",
            "condition": "B",
            "data": [{"refId": "A", "datasourceUid": "prom", "model": {"expr": "up{job=\"checkout\"} == 0"}}]
          }
        }
      ]
    }
  ]
}
"#;
        let d = detect(&[("grafana/export.json", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let a = &d.evidence.alerts[0];
        assert_eq!(a.name, "CheckoutDown");
        assert_eq!(a.expr, "up{job=\"checkout\"} == 0");
        assert!(a.paging && a.debounced);
        assert_eq!(a.source.line, Some(7));
    }

    #[test]
    fn helm_values_and_disabled_grafana() {
        let values = r#"grafana:
  alerting:
    rules.yaml:
      apiVersion: 1
      groups:
        - orgId: 1
          name: g
          folder: f
          interval: 1m
          rules:
            - uid: a
              title: FromValues
              condition: A
              data: []
other:
  grafana:
    enabled: false
    alerting:
      rules.yaml:
        apiVersion: 1
        groups:
          - name: g
            rules:
              - uid: b
                title: Disabled
                condition: A
                data: []
"#;
        let d = detect(&[("values.yaml", values)]);
        let names: Vec<&str> = d.evidence.alerts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["FromValues"]);
    }

    #[test]
    fn json_export_and_configmap_for_the_sidecar() {
        let json = r#"{
  "apiVersion": 1,
  "groups": [
    {
      "orgId": 1,
      "name": "payments",
      "folder": "Payments",
      "interval": "1m",
      "rules": [
        {
          "uid": "p1",
          "title": "PaymentsFailing",
          "condition": "B",
          "data": [{"refId": "A", "datasourceUid": "prom", "model": {"expr": "rate(payments_failed_total[5m]) > 0"}}],
          "for": "3m",
          "labels": {"severity": "critical"}
        }
      ]
    }
  ]
}
"#;
        let configmap = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: grafana-alerts
  labels:
    grafana_alert: "1"
data:
  checkout-alerts.yaml: |
    apiVersion: 1
    groups:
      - orgId: 1
        name: checkout
        folder: Checkout
        interval: 1m
        rules:
          - uid: c
            title: CheckoutDown
            condition: A
            data: []
            for: 1m
"#;
        let d = detect(&[("export/alerts.json", json), ("k8s/alerts.yaml", configmap)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, &str, Option<u32>)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.source.path.as_str(), a.name.as_str(), a.source.line))
            .collect();
        assert_eq!(
            got,
            [
                ("export/alerts.json", "PaymentsFailing", Some(10)),
                ("k8s/alerts.yaml", "CheckoutDown", Some(16)),
            ]
        );
    }

    #[test]
    fn prometheus_rules_are_not_grafana_rules() {
        let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      condition: x\n";
        let d = detect(&[("rules.yaml", text)]);
        assert!(d.evidence.alerts.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-grafana-alerting", &[&GrafanaAlerting]);
        let alerts: Vec<(&str, Option<u32>, bool, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.source.line, a.paging, a.debounced))
            .collect();
        assert_eq!(
            alerts,
            [
                ("CheckoutErrorRateHigh", Some(9), true, true),
                ("CheckoutLatencyHigh", Some(45), false, true),
                ("CheckoutCanaryFailing", Some(65), true, false),
            ]
        );
        let codes: Vec<&str> = d.diagnostics.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, ["alert-disabled"]);
        assert_eq!(d.evidence.receivers.len(), 2);
        assert!(d.evidence.receivers.iter().all(|r| r.used));
        assert_eq!(d.evidence.oncall.len(), 1);
        assert_eq!(d.evidence.alert_routing.len(), 1);
        assert!(d.evidence.alert_routing[0].undefined_receivers.is_empty());
    }
}
