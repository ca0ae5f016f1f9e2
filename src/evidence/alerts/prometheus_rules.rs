//! `prometheus-rules`: alerting and recording rules of Prometheus rule files and
//! `PrometheusRule` resources.
//!
//! ## What it recognises
//! Rule groups (`groups:` with `rules:`) wherever they are in a YAML document: a plain rule
//! file, `spec.groups` of a `PrometheusRule` (also inside `kind: List` items and OpenShift
//! `Template` objects), Helm values that carry rule files (`serverFiles`,
//! `additionalPrometheusRulesMap`), Helm-templated rule files, and rule files held as a
//! string in a ConfigMap (`data: {alerts.yaml: |…}`). Sections switched off with
//! `enabled: false` are skipped.
//!
//! Every `alert:` rule becomes an alert with its severity, runbook link, whether it pages,
//! whether it is a (multiwindow) burn-rate alert and whether it is debounced; every
//! `record:` rule becomes a recording rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{Collector, Detector, FileContext, RecordingRule, RepoPath, Source};
use crate::parse::yaml::{Node, TEMPLATE_PLACEHOLDER, Value};

use super::{
    burn_rate, documents, duration, embedded_yaml, is_disabled, kind, set_labels_and_annotations,
    string_map, text_of,
};

pub struct PrometheusRules;

/// Severities that wake someone up.
const PAGING_SEVERITIES: &[&str] = &[
    "critical",
    "page",
    "pager",
    "paging",
    "p1",
    "sev1",
    "sev-1",
    "emergency",
    "high",
    "error",
];

/// Annotation (or label) names that hold a runbook link, in order of preference.
pub(crate) const RUNBOOK_KEYS: &[&str] = &[
    "runbook_url",
    "runbook",
    "runbook_link",
    "runbookUrl",
    "runbookURL",
    "playbook",
    "playbook_url",
];

/// Whether an alert with this `severity` label pages a human. An alert without a
/// severity pages too: it reaches the default route, which is the on-call receiver in
/// most setups. A severity that is itself templated cannot be ruled out either.
pub fn is_paging(severity: Option<&str>) -> bool {
    let Some(severity) = severity.map(str::trim).filter(|s| !s.is_empty()) else {
        return true;
    };
    if severity.contains(TEMPLATE_PLACEHOLDER) || severity.contains("{{") {
        return true;
    }
    PAGING_SEVERITIES
        .iter()
        .any(|p| severity.eq_ignore_ascii_case(p))
}

/// Whether an alert waits before firing: a non-zero `for:`, or a multiwindow burn-rate
/// expression (whose short window already makes a single bad sample harmless).
pub fn is_debounced(for_: Option<&str>, burn: &burn_rate::BurnRate) -> bool {
    duration::waits(for_) || (burn.burn_rate && burn.multi_window)
}

/// Whether the text may hold rule groups: the cheap test before parsing.
fn looks_like_rules(text: &str) -> bool {
    (text.contains("groups:") || text.contains("\"groups\""))
        && (text.contains("alert") || text.contains("record"))
}

impl Detector for PrometheusRules {
    fn id(&self) -> &'static str {
        "prometheus-rules"
    }

    fn summary(&self) -> &'static str {
        "Prometheus alerting and recording rules: rule files, PrometheusRule resources, Helm-templated rules and rules embedded in ConfigMaps"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
            || path.ext() == "rules"
            || (matches!(path.ext().as_str(), "tpl" | "gotmpl" | "j2" | "tmpl")
                && ["rule", "alert"]
                    .iter()
                    .any(|w| path.name().to_ascii_lowercase().contains(w)))
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_rules(text) {
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
        };
        for doc in docs.nodes.iter() {
            walk.node(doc, false, 0);
        }
    }
}

struct Walk<'a> {
    path: &'a str,
    text: &'a str,
    templated: bool,
    out: &'a mut Collector,
}

impl Walk<'_> {
    /// Looks for rule groups in `node`. `crd` is set below a `PrometheusRule`; `embedded`
    /// counts how deep in strings-holding-YAML we are.
    fn node(&mut self, node: &Node, crd: bool, embedded: u8) {
        match &node.value {
            Value::Map(entries) => {
                if is_disabled(node) {
                    return;
                }
                if let Some(groups) = node.get("groups").filter(|g| is_rule_groups(g)) {
                    self.groups(groups, crd);
                    return;
                }
                let crd = crd || kind(node) == Some("PrometheusRule");
                for (key, value) in entries {
                    if let Value::String(s) = &value.value {
                        if embedded == 0 && s.contains('\n') && looks_like_rules(s) {
                            self.embedded(key, value);
                        }
                        continue;
                    }
                    self.node(value, crd, embedded);
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.node(item, crd, embedded);
                }
            }
            _ => {}
        }
    }

    fn embedded(&mut self, key: &Node, value: &Node) {
        let (what, skipped) = ("the rule file", "its rules were");
        let docs = embedded_yaml(self.text, self.path, key, value, what, skipped, self.out);
        for doc in &docs {
            self.node(doc, false, 1);
        }
    }

    fn groups(&mut self, groups: &Node, crd: bool) {
        let format = if crd {
            "prometheus-rule-crd"
        } else {
            "prometheus-rules"
        };
        for group in groups.as_seq() {
            let group_name = text_of(group.get("name"));
            for rule in group.get("rules").map(Node::as_seq).unwrap_or_default() {
                // A Grafana-managed rule in the ruler API's shape (`expr: ""` next to
                // `grafana_alert`) belongs to `grafana-alerting`.
                if rule.get("grafana_alert").is_some() {
                    continue;
                }
                if let Some(name) = text_of(rule.get("alert")) {
                    self.alert(rule, name, group_name.clone(), format);
                } else if let Some(name) = text_of(rule.get("record")) {
                    self.out.evidence.recording_rules.push(RecordingRule {
                        name,
                        group: group_name.clone(),
                        expr: text_of(rule.get("expr")).unwrap_or_default(),
                        source: Source::new(self.path, Some(rule.pos)),
                    });
                } else if rule.get("expr").is_some() && !self.templated {
                    self.out.diagnostic(
                        Diagnostic::new(
                            Severity::Error,
                            "invalid-rule",
                            "rule has an `expr` but neither `alert` nor `record`; Prometheus refuses the rule file",
                        )
                        .at(self.path, Some(rule.pos)),
                    );
                }
            }
        }
    }

    fn alert(&mut self, rule: &Node, name: String, group: Option<String>, format: &str) {
        let expr = text_of(rule.get("expr"));
        if expr.is_none() && !self.templated {
            self.out.diagnostic(
                Diagnostic::new(
                    Severity::Error,
                    "invalid-rule",
                    format!(
                        "alerting rule `{name}` has no `expr`; Prometheus refuses the rule file"
                    ),
                )
                .at(self.path, Some(rule.pos)),
            );
        }
        let expr = expr.unwrap_or_default();
        let burn = burn_rate::analyse(&expr);
        let meta = super::is_meta_alert(&name, &expr);
        let mut alert = super::new_alert(name, format, Source::new(self.path, Some(rule.pos)));
        let labels = string_map(rule.get("labels"));
        set_labels_and_annotations(&mut alert, labels, string_map(rule.get("annotations")));
        alert.meta = meta;
        alert.group = group;
        alert.paging = !meta && is_paging(alert.severity.as_deref());
        alert.for_ = text_of(rule.get("for"));
        alert.debounced = is_debounced(alert.for_.as_deref(), &burn);
        alert.expr = expr;
        alert.burn_rate = burn.burn_rate;
        alert.multi_window = burn.multi_window;
        alert.windows = burn.windows;
        alert.templated = self.templated;
        self.out.evidence.alerts.push(alert);
    }
}

/// A `groups:` value that is a list of rule groups (maps with a `rules` list), as opposed
/// to some other list called `groups`.
fn is_rule_groups(groups: &Node) -> bool {
    groups
        .as_seq()
        .iter()
        .any(|g| g.get("rules").is_some_and(Node::is_seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&PrometheusRules])
    }

    #[test]
    fn paging_by_severity() {
        for s in [
            "critical",
            "Critical",
            "page",
            "pager",
            "paging",
            "P1",
            "sev1",
            "SEV-1",
            "emergency",
            "high",
            "error",
        ] {
            assert!(is_paging(Some(s)), "{s}");
        }
        for s in [
            "warning", "info", "ticket", "low", "none", "p3", "medium", "notify", "slack",
        ] {
            assert!(!is_paging(Some(s)), "{s}");
        }
        assert!(
            is_paging(None),
            "an unclassified alert reaches the default route"
        );
        assert!(is_paging(Some("  ")));
        assert!(is_paging(Some(TEMPLATE_PLACEHOLDER)));
    }

    #[test]
    fn debounce_by_for_or_multiwindow() {
        let none = burn_rate::BurnRate::default();
        assert!(is_debounced(Some("5m"), &none));
        assert!(!is_debounced(Some("0m"), &none));
        assert!(!is_debounced(Some("0"), &none));
        assert!(!is_debounced(None, &none));
        assert!(!is_debounced(Some("TEMPLATED"), &none));
        let multi = burn_rate::analyse(
            "slo:sli_error:ratio_rate5m > (14.4 * 0.001) and slo:sli_error:ratio_rate1h > (14.4 * 0.001)",
        );
        assert!(is_debounced(None, &multi));
    }

    const RULE_FILE: &str = r#"groups:
  - name: api
    rules:
      - record: job:http_errors:ratio_rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
      - alert: HighErrorRate
        expr: job:http_errors:ratio_rate5m > 0.05
        for: 10m
        labels:
          severity: critical
          team: api
        annotations:
          summary: Too many errors
          description: More than 5% of requests fail.
          runbook_url: docs/runbooks/high-error-rate.md
      - alert: DiskFilling
        expr: predict_linear(node_filesystem_avail_bytes[6h], 86400) < 0
        labels:
          severity: warning
        annotations:
          message: Disk fills within a day
      - alert: Unclassified
        expr: up == 0
"#;

    #[test]
    fn rule_file_alerts_and_recording_rules() {
        let d = detect(&[("monitoring/rules/api.yaml", RULE_FILE)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 3);
        let high = &alerts[0];
        assert_eq!(high.name, "HighErrorRate");
        assert_eq!(high.format, "prometheus-rules");
        assert_eq!(high.group.as_deref(), Some("api"));
        assert_eq!(high.for_.as_deref(), Some("10m"));
        assert_eq!(high.severity.as_deref(), Some("critical"));
        assert!(high.paging && high.debounced && !high.burn_rate);
        assert_eq!(high.summary.as_deref(), Some("Too many errors"));
        assert_eq!(
            high.description.as_deref(),
            Some("More than 5% of requests fail.")
        );
        assert_eq!(
            high.runbook_url.as_deref(),
            Some("docs/runbooks/high-error-rate.md")
        );
        assert_eq!(
            high.runbook_resolves,
            Some(false),
            "resolved by the link stage"
        );
        assert_eq!(high.labels.get("team").map(String::as_str), Some("api"));
        assert_eq!((high.source.line, high.source.column), (Some(6), Some(9)));
        assert!(!high.templated);

        let disk = &alerts[1];
        assert_eq!(disk.summary.as_deref(), Some("Disk fills within a day"));
        assert!(!disk.paging && !disk.debounced);
        assert_eq!(disk.runbook_url, None);

        assert!(alerts[2].paging, "no severity pages");
        assert_eq!(alerts[2].severity, None);

        let records = &d.evidence.recording_rules;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].name, "job:http_errors:ratio_rate5m");
        assert_eq!(records[0].source.line, Some(4));
    }

    #[test]
    fn prometheus_rule_resources_in_lists_and_multiple_documents() {
        let text = r#"apiVersion: v1
kind: List
items:
  - apiVersion: monitoring.coreos.com/v1
    kind: PrometheusRule
    metadata:
      name: a
    spec:
      groups:
        - name: a
          rules:
            - alert: A
              expr: up == 0
              labels:
                runbook: https://runbooks.example.com/a
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: b
spec:
  groups:
  - name: b
    rules:
    - alert: B
      expr: up == 0
      annotations:
        playbook: https://runbooks.example.com/b
"#;
        let d = detect(&[("deploy/rules.yaml", text)]);
        let alerts = &d.evidence.alerts;
        assert_eq!(alerts.len(), 2);
        assert!(alerts.iter().all(|a| a.format == "prometheus-rule-crd"));
        assert_eq!(alerts[0].source.line, Some(12));
        assert_eq!(
            alerts[0].runbook_url.as_deref(),
            Some("https://runbooks.example.com/a"),
            "a runbook label counts"
        );
        assert_eq!(alerts[1].source.line, Some(25));
        assert_eq!(
            alerts[1].runbook_url.as_deref(),
            Some("https://runbooks.example.com/b")
        );
    }

    #[test]
    fn helm_templated_rule_file() {
        let text = r#"apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  labels:
    {{- include "labels.common" . | nindent 4 }}
  name: general.rules
spec:
  groups:
  - name: general
    rules:
    {{- if .Values.extra }}
    - alert: ComponentRestarting
      annotations:
        description: '{{`Pod {{ $labels.pod }} restarts.`}}'
        runbook_url: https://intranet.example.com/runbooks/restarts/
      expr: increase(kube_pod_container_status_restarts_total[1h]) > 5
      for: 30m
      labels:
        severity: {{ .Values.severity }}
    {{- end }}
"#;
        let d = detect(&[("helm/rules/templates/general.rules.yml", text)]);
        assert!(
            d.diagnostics.iter().all(|x| x.code != "invalid-yaml"),
            "{:?}",
            d.diagnostics
        );
        let a = &d.evidence.alerts[0];
        assert_eq!(a.name, "ComponentRestarting");
        assert!(a.templated);
        assert_eq!(a.format, "prometheus-rule-crd");
        assert_eq!(a.source.line, Some(12));
        assert!(a.paging, "a templated severity may page");
    }

    #[test]
    fn rules_embedded_in_a_configmap_keep_their_lines() {
        let text = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-rules
data:
  alerts.yaml: |
    groups:
    - name: slo
      rules:
      - alert: ErrorBudgetBurn
        expr: |
          (job:slo_errors:ratio_rate1h > (14.4 * (1 - 0.999)))
          and
          (job:slo_errors:ratio_rate5m > (14.4 * (1 - 0.999)))
        labels:
          severity: page
  other.txt: plain
"#;
        let d = detect(&[("k8s/prometheus-rules.yaml", text)]);
        let a = &d.evidence.alerts[0];
        assert_eq!(a.name, "ErrorBudgetBurn");
        assert_eq!(a.format, "prometheus-rules");
        assert_eq!((a.source.line, a.source.column), (Some(10), Some(9)));
        assert!(a.burn_rate && a.multi_window && a.debounced && a.paging);
        assert_eq!(a.windows, ["5m", "1h"]);
    }

    #[test]
    fn broken_embedded_rules_are_reported_at_their_line() {
        let text = "kind: ConfigMap\ndata:\n  alerts.yaml: |\n    groups:\n    - name: x\n      rules: [\n      - alert: A\n";
        let d = detect(&[("cm.yaml", text)]);
        let diag = d
            .diagnostics
            .iter()
            .find(|x| x.code == "invalid-embedded-yaml")
            .expect("diagnostic");
        assert!(diag.line.is_some_and(|l| l >= 4), "{diag:?}");
        assert!(d.evidence.alerts.is_empty());
    }

    #[test]
    fn helm_values_with_rules_and_disabled_sections() {
        let text = r#"serverFiles:
  alerting_rules.yml:
    groups:
      - name: node
        rules:
          - alert: NodeDown
            expr: up{job="node"} == 0
            for: 5m
thanos:
  enabled: false
  rules:
    groups:
      - name: off
        rules:
          - alert: NotDeployed
            expr: vector(1)
"#;
        let d = detect(&[("charts/prom/values.yaml", text)]);
        let names: Vec<&str> = d.evidence.alerts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["NodeDown"]);
    }

    #[test]
    fn invalid_rules_are_reported() {
        let text = "groups:\n- name: g\n  rules:\n  - alert: NoExpr\n  - expr: up\n";
        let d = detect(&[("rules.yml", text)]);
        let codes: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|x| (x.code.as_str(), x.line))
            .collect();
        assert_eq!(
            codes,
            [("invalid-rule", Some(4)), ("invalid-rule", Some(5))]
        );
    }

    #[test]
    fn unrelated_yaml_is_not_parsed() {
        let broken = "groups: [\nnot: yaml: at: all\n";
        let d = detect(&[("config/other.yaml", broken)]);
        assert!(
            d.diagnostics.is_empty(),
            "no marker, no parse: {:?}",
            d.diagnostics
        );
        let grafana = "apiVersion: 1\ngroups:\n  - orgId: 1\n    name: g\n    rules:\n      - uid: x\n        title: alert\n";
        let d = detect(&[("grafana/alerting.yaml", grafana)]);
        assert!(d.evidence.alerts.is_empty() && d.diagnostics.is_empty());
        let ruler = "g:\n- name: g\n  rules:\n  - expr: ''\n    grafana_alert:\n      title: A\n";
        let d = detect(&[("grafana/ruler.yaml", ruler)]);
        assert!(
            d.evidence.alerts.is_empty() && d.diagnostics.is_empty(),
            "{:?}",
            d.diagnostics
        );
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-prometheus-rules", &[&PrometheusRules]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let alerts: Vec<(&str, &str, Option<u32>, bool, bool)> = d
            .evidence
            .alerts
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.source.path.as_str(),
                    a.source.line,
                    a.paging,
                    a.burn_rate,
                )
            })
            .collect();
        assert_eq!(
            alerts,
            [
                (
                    "CheckoutPodsCrashLooping",
                    "deploy/prometheusrule.yaml",
                    Some(12),
                    false,
                    false
                ),
                (
                    "CheckoutDown",
                    "deploy/prometheusrule.yaml",
                    Some(21),
                    true,
                    false
                ),
                (
                    "QueueBacklogGrowing",
                    "deploy/queue-rules-configmap.yaml",
                    Some(12),
                    true,
                    false
                ),
                (
                    "CheckoutErrorBudgetBurnFast",
                    "monitoring/rules/checkout-slo.rules.yaml",
                    Some(23),
                    true,
                    true
                ),
                (
                    "CheckoutErrorBudgetBurnSlow",
                    "monitoring/rules/checkout-slo.rules.yaml",
                    Some(35),
                    false,
                    true
                ),
            ]
        );
        let fast = &d.evidence.alerts[3];
        assert!(fast.multi_window && fast.debounced);
        assert_eq!(fast.runbook_resolves, Some(true));
        assert_eq!(d.evidence.recording_rules.len(), 3);
    }
}
