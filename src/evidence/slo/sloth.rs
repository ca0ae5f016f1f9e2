//! Sloth SLO specifications: `version: "prometheus/v1"` files and Kubernetes
//! `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel` resources.
//!
//! ## What it recognises
//! One SLO per entry of `slos` (its source is the `- name:` line), with the service of the
//! spec. `objective` is a percentage. The SLI is `events` (error and total queries →
//! `ratio`), `raw` (an error-ratio query → `raw`) or `plugin` (→ `plugin`, with the plugin
//! id as its source). Both snake_case and the CRD's camelCase field names are read.
//!
//! ## Window and alerting
//! Sloth specs do not state a window: Sloth computes every SLO over its SLO period, 30
//! days unless the `sloth` command or an `AlertWindows` file says otherwise, always
//! rolling. A `slo_period`/`sloPeriod` field is read when present.
//! Sloth generates multi-window multi-burn-rate page and ticket alerts for every SLO,
//! unless both are disabled (`page_alert.disable` and `ticket_alert.disable`) or an SLO
//! plugin chain that overrides the default one leaves out the alert-rules plugin.

use crate::evidence::slo::{
    ObjectiveField, Scale, collect_queries, new_slo, objective_of, sli_spec, text_of,
    top_level_values, unnamed,
};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, SliSpec, Source};
use crate::parse::yaml::Node;

pub struct Sloth;

const FORMAT: &str = "sloth";

/// Sloth's default SLO period.
const DEFAULT_PERIOD: &str = "30d";

/// The plugin that generates Sloth's burn-rate alert rules, present in the default chain.
const ALERT_RULES_PLUGIN: &str = "alert_rules";

impl Detector for Sloth {
    fn id(&self) -> &'static str {
        "sloth"
    }

    fn summary(&self) -> &'static str {
        "Sloth SLO specs (`version: prometheus/v1`) and `PrometheusServiceLevel` resources (`sloth.slok.dev/v1`) in YAML files"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        let looks_like = (text.contains("sloth.slok.dev/")
            && top_level_values(text, "apiVersion").any(is_sloth_api))
            || (text.contains("prometheus/v")
                && top_level_values(text, "version").any(is_prometheus_spec));
        if !looks_like {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            let spec = if doc
                .get("version")
                .and_then(Node::as_str)
                .is_some_and(is_prometheus_spec)
            {
                doc
            } else if doc
                .get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(is_sloth_api)
                && doc.get("kind").and_then(Node::as_str) == Some("PrometheusServiceLevel")
            {
                match doc.get("spec") {
                    Some(spec) => spec,
                    None => continue,
                }
            } else {
                continue;
            };
            read_spec(spec, path, out);
        }
    }
}

fn is_sloth_api(api: &str) -> bool {
    api.starts_with("sloth.slok.dev/")
}

fn is_prometheus_spec(version: &str) -> bool {
    version.trim().starts_with("prometheus/v")
}

/// Reads `key` in snake_case or camelCase (`page_alert` / `pageAlert`).
fn field<'n>(node: &'n Node, snake: &str) -> Option<&'n Node> {
    node.get(snake).or_else(|| node.get(&camel(snake)))
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn read_spec(spec: &Node, path: &str, out: &mut Collector) {
    let service = text_of(spec.get("service"));
    let spec_period = text_of(field(spec, "slo_period"));
    let spec_plugins = field(spec, "slo_plugins");
    for item in spec.get("slos").map_or(&[][..], Node::as_seq) {
        if !item.is_map() {
            continue;
        }
        let Some(name) = text_of(item.get("name")) else {
            out.diagnostic(unnamed("Sloth SLO", "name", path, item));
            continue;
        };
        let mut slo = new_slo(name, FORMAT, Source::new(path, Some(item.pos)));
        slo.service = service.clone();
        slo.description = text_of(item.get("description"));
        let objective = ObjectiveField {
            slo: &slo.name,
            field: "objective",
            format: "Sloth",
            scale: Scale::Percent,
            path,
        };
        slo.objectives = objective_of(item.get("objective"), &objective, out)
            .into_iter()
            .collect();
        slo.objective = slo.objectives.first().copied();
        slo.window = text_of(field(item, "slo_period"))
            .or_else(|| spec_period.clone())
            .or_else(|| Some(DEFAULT_PERIOD.to_string()));
        slo.rolling = Some(true);
        slo.sli = item.get("sli").and_then(read_sli);

        let alerting = item.get("alerting");
        let disabled = |key: &str| {
            alerting
                .and_then(|a| field(a, key))
                .and_then(|a| a.get("disable"))
                .and_then(Node::as_bool)
                == Some(true)
        };
        let all_disabled = disabled("page_alert") && disabled("ticket_alert");
        if !all_disabled && generates_alert_rules(spec_plugins, item.get("plugins")) {
            slo.burn_rate_alerting = true;
            slo.burn_rate_alerting_via = Some("Sloth multi-window burn-rate alerts".into());
            slo.alert_policies = text_of(alerting.and_then(|a| a.get("name")))
                .into_iter()
                .collect();
        }
        out.evidence.slos.push(slo);
    }
}

fn read_sli(sli: &Node) -> Option<SliSpec> {
    let (kind, body) = if let Some(events) = sli.get("events") {
        ("ratio", events)
    } else if let Some(raw) = sli.get("raw") {
        ("raw", raw)
    } else if let Some(plugin) = sli.get("plugin") {
        return Some(sli_spec("plugin", Vec::new(), text_of(plugin.get("id"))));
    } else {
        return None;
    };
    let mut queries = Vec::new();
    collect_queries(body, &mut queries);
    Some(sli_spec(kind, queries, None))
}

/// Whether the SLO plugin chain in effect still holds the alert-rules plugin. The default
/// chain does; a level with `overridePrevious: true` replaces everything before it.
fn generates_alert_rules(spec_plugins: Option<&Node>, slo_plugins: Option<&Node>) -> bool {
    let mut has_alert_rules = true;
    for level in [spec_plugins, slo_plugins].into_iter().flatten() {
        let ids: Vec<String> = level
            .get("chain")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|p| text_of(p.get("id")))
            .collect();
        let lists_alert_rules = ids.iter().any(|id| id.contains(ALERT_RULES_PLUGIN));
        let overrides = field(level, "override_previous")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        if overrides {
            has_alert_rules = lists_alert_rules;
        } else {
            has_alert_rules |= lists_alert_rules;
        }
    }
    has_alert_rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::run;

    const SPEC: &str = r#"version: "prometheus/v1"
service: "checkout"
labels:
  owner: "payments"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Checkout requests succeed."
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutHighErrorRate
      page_alert:
        labels:
          severity: critical
      ticket_alert:
        disable: true

  - name: "ratio"
    objective: 95
    sli:
      raw:
        error_ratio_query: 1 - avg_over_time(up[{{.window}}])
    alerting:
      page_alert:
        disable: true
      ticket_alert:
        disable: true
"#;

    #[test]
    fn reads_a_prometheus_v1_spec() {
        let d = run(&Sloth, &[("slos/checkout.yaml", SPEC)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [a, b] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.name, "requests-availability");
        assert_eq!(a.service.as_deref(), Some("checkout"));
        assert_eq!(a.objective, Some(0.999));
        assert_eq!(a.window.as_deref(), Some("30d"));
        assert_eq!(a.rolling, Some(true));
        assert_eq!(a.source.line, Some(6));
        let sli = a.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(sli.queries.len(), 2);
        assert!(sli.queries[0].contains("5.."));
        assert!(a.burn_rate_alerting, "the page alert is still generated");
        assert_eq!(
            a.burn_rate_alerting_via.as_deref(),
            Some("Sloth multi-window burn-rate alerts")
        );
        assert_eq!(a.alert_policies, ["CheckoutHighErrorRate"]);

        assert_eq!(b.objective, Some(0.95));
        assert_eq!(b.sli.as_ref().unwrap().kind, "raw");
        assert!(!b.burn_rate_alerting);
        assert!(b.alert_policies.is_empty());
        assert_eq!(b.source.line, Some(21));
    }

    #[test]
    fn reads_the_kubernetes_crd_with_camel_case_fields() {
        let text = r#"apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: checkout
spec:
  service: checkout
  slos:
    - name: availability
      objective: 99.95
      sli:
        events:
          errorQuery: errors
          totalQuery: total
      alerting:
        name: CheckoutAvailability
        pageAlert:
          disable: true
        ticketAlert:
          labels:
            severity: warning
    - name: plugged
      objective: 99
      sli:
        plugin:
          id: sloth-common/kubernetes/apiserver/availability
---
apiVersion: sloth.slok.dev/v1
kind: AlertWindows
spec:
  sloPeriod: 7d
"#;
        let d = run(&Sloth, &[("deploy/slo.yml", text)]);
        let [a, b] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.objective, Some(0.9995));
        assert_eq!(a.sli.as_ref().unwrap().queries, ["errors", "total"]);
        assert!(a.burn_rate_alerting);
        assert_eq!(b.name, "plugged");
        let sli = b.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "plugin");
        assert_eq!(
            sli.source.as_deref(),
            Some("sloth-common/kubernetes/apiserver/availability")
        );
        assert!(sli.queries.is_empty());
    }

    #[test]
    fn a_plugin_chain_without_alert_rules_generates_no_alerts() {
        let text = "version: prometheus/v1\nservice: s\nslo_plugins:\n  overridePrevious: true\n  chain:\n    - id: sloth.dev/core/sli_rules/v1\nslos:\n  - name: a\n    objective: 99\n  - name: b\n    objective: 99\n    plugins:\n      chain:\n        - id: sloth.dev/core/alert_rules/v1\n";
        let d = run(&Sloth, &[("s.yaml", text)]);
        let flags: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| s.burn_rate_alerting)
            .collect();
        assert_eq!(flags, [false, true]);
        assert_eq!(
            d.evidence.slos[0].sli.as_ref().map(|s| s.kind.as_str()),
            None
        );
    }

    #[test]
    fn templated_and_malformed_specs_do_not_panic() {
        let templated = "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  service: {{ .Values.service }}\n  slos:\n  {{- range .Values.slos }}\n    - name: availability\n      objective: {{ .objective }}\n  {{- end }}\n";
        let odd = "version: prometheus/v1\nslos: not-a-list\n---\nversion: prometheus/v1\nslos: [1, [2], {name: [x]}, {name: ok, objective: [99], sli: 3, alerting: 4}]\n";
        let d = run(
            &Sloth,
            &[("chart/templates/slo.yaml", templated), ("odd.yaml", odd)],
        );
        let names: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| (s.name.as_str(), s.objective))
            .collect();
        assert_eq!(names, [("availability", None), ("ok", None)]);
        assert!(d.evidence.slos.iter().all(|s| s.burn_rate_alerting));
    }

    #[test]
    fn a_ratio_in_a_percentage_field_is_flagged() {
        let text = "version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 0.999\n";
        let d = run(&Sloth, &[("s.yaml", text)]);
        let warning = d
            .diagnostics
            .iter()
            .find(|d| d.code == "suspicious-slo-objective")
            .expect("a warning");
        assert_eq!(warning.line, Some(5));
        assert!(
            warning.message.contains("`objective: 99.9`"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn objectives_out_of_range_are_reported_where_written() {
        let text = "version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 250\n  - name: b\n    objective: 0\n  - name: c\n    objective: 100\n";
        let d = run(&Sloth, &[("s.yaml", text)]);
        let objectives: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| (s.name.as_str(), s.objective))
            .collect();
        assert_eq!(objectives, [("a", None), ("b", None), ("c", Some(1.0))]);
        let got: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(
            got,
            [
                ("invalid-slo-objective", Some(5)),
                ("invalid-slo-objective", Some(7))
            ]
        );
        assert!(
            d.diagnostics[0]
                .message
                .starts_with("SLO `a`: `objective: 250` is out of range: the Sloth `objective` is a percentage greater than 0 and at most 100"),
            "{:?}",
            d.diagnostics[0]
        );
    }

    #[test]
    fn unnamed_entry_is_reported_generated_rules_are_ignored() {
        let spec = "version: prometheus/v1\nservice: s\nslos:\n  - objective: 99\n";
        let generated = "groups:\n- name: sloth-slo-meta\n  rules:\n  - record: slo:objective:ratio\n    expr: vector(0.99)\n    labels:\n      sloth_spec: prometheus/v1\n";
        let d = run(&Sloth, &[("a.yaml", spec), ("_gen/a.yaml", generated)]);
        assert!(d.evidence.slos.is_empty());
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "invalid-slo");
        assert_eq!(d.diagnostics[0].line, Some(4));
    }
}
