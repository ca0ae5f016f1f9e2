//! OpenSLO documents (`apiVersion: openslo/v1`, `openslo/v1alpha`, `openslo.com/v2alpha`).
//!
//! ## What it recognises
//! `kind: SLO` documents become `slos`, `kind: SLI` documents `slis` and
//! `kind: AlertPolicy` documents (and policies written inline in an SLO) `alert_policies`.
//! `kind: AlertCondition` documents of the same file are read to decide whether a policy
//! that refers to them alerts on burn rate.
//!
//! ## How fields are read
//! - objectives: `target` (a ratio) or `targetPercent` (a percentage) of every
//!   `spec.objectives[]` entry; the SLO's `objective` is the strictest;
//! - window: v1 `spec.timeWindow[0].duration` as written; v1alpha
//!   `spec.timeWindows[0]` `{count, unit}` written as a shorthand (`30` `Day` → `30d`);
//!   `rolling` from `isRolling` (`false` when only a `calendar` is given);
//! - indicator: inline `indicator` (`ratioMetric` → `ratio`, or `raw` when it holds a
//!   precomputed `raw` ratio; `thresholdMetric` → `threshold`), `indicatorRef` →
//!   `reference`, or v1alpha `ratioMetrics` inside objectives; queries are the
//!   query-like fields under the metric sources (`query`, `promql`, `nrql`, …);
//! - alerting: `spec.alertPolicies` entries (names, `alertPolicyRef`, or inline
//!   policies). An inline policy with a burn-rate condition marks the SLO as alerted on
//!   by burn rate; named policies are connected by the link stage.
//!
//! A condition's `kind` defaults to `burnrate` in OpenSLO v1 (the only kind it defines),
//! so a condition that omits it, or a `conditionRef` to a condition defined in another
//! file, counts as a burn-rate condition; one that names another kind does not.

use std::collections::BTreeMap;

use crate::evidence::slo::{
    ObjectiveField, Scale, budgeting_method, collect_queries, new_slo, objective_of, sli_spec,
    strictest, text_of, top_level_values, unnamed, window_shorthand,
};
use crate::evidence::{
    AlertPolicy, Collector, Detector, FileContext, RepoPath, Sli, SliSpec, Slo, Source,
};
use crate::parse::yaml::Node;

pub struct OpenSlo;

const FORMAT: &str = "openslo";

impl Detector for OpenSlo {
    fn id(&self) -> &'static str {
        "openslo"
    }

    fn summary(&self) -> &'static str {
        "OpenSLO SLO, SLI and AlertPolicy documents (`apiVersion: openslo/v1`, `openslo/v1alpha`) in YAML files"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        if !text.contains("openslo") || !top_level_values(text, "apiVersion").any(is_openslo_api) {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        let docs: Vec<&Node> = docs
            .iter()
            .filter(|d| {
                d.get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(is_openslo_api)
            })
            .collect();
        let conditions: BTreeMap<String, &Node> = docs
            .iter()
            .filter(|d| kind_of(d) == Some("alertcondition"))
            .filter_map(|d| Some((name_of(d)?, *d)))
            .collect();
        for doc in docs {
            match kind_of(doc) {
                Some("slo") => read_slo(doc, path, &conditions, out),
                Some("sli") => read_sli(doc, path, out),
                Some("alertpolicy") => {
                    let Some(name) = name_of(doc) else {
                        out.diagnostic(unnamed("OpenSLO AlertPolicy", "metadata.name", path, doc));
                        continue;
                    };
                    let policy =
                        read_policy(name, doc, &conditions, Source::new(path, Some(doc.pos)));
                    out.evidence.alert_policies.push(policy);
                }
                _ => {}
            }
        }
    }
}

fn is_openslo_api(api: &str) -> bool {
    api.starts_with("openslo/") || api.starts_with("openslo.com/")
}

/// The document's kind, lowercased.
fn kind_of(doc: &Node) -> Option<&'static str> {
    let kind = doc.get("kind")?.as_str()?.trim();
    ["SLO", "SLI", "AlertPolicy", "AlertCondition"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .map(|k| match k {
            "SLO" => "slo",
            "SLI" => "sli",
            "AlertPolicy" => "alertpolicy",
            _ => "alertcondition",
        })
}

/// `metadata.name`, or a top-level `name` when there is no metadata.
fn name_of(doc: &Node) -> Option<String> {
    text_of(doc.at(&["metadata", "name"])).or_else(|| text_of(doc.get("name")))
}

fn read_slo(doc: &Node, path: &str, conditions: &BTreeMap<String, &Node>, out: &mut Collector) {
    let Some(name) = name_of(doc) else {
        out.diagnostic(unnamed("OpenSLO SLO", "metadata.name", path, doc));
        return;
    };
    let mut slo = new_slo(name, FORMAT, Source::new(path, Some(doc.pos)));
    let Some(spec) = doc.get("spec") else {
        out.evidence.slos.push(slo);
        return;
    };
    slo.service = text_of(spec.get("service"));
    slo.description = text_of(spec.get("description"));
    slo.budgeting_method = text_of(spec.get("budgetingMethod")).map(|m| budgeting_method(&m));
    let objectives = spec.get("objectives").map_or(&[][..], Node::as_seq);
    for objective in objectives {
        let field = |field, scale| ObjectiveField {
            slo: &slo.name,
            field,
            format: "OpenSLO",
            scale,
            path,
        };
        let ratio = objective_of(objective.get("target"), &field("target", Scale::Ratio), out)
            .or_else(|| {
                objective_of(
                    objective.get("targetPercent"),
                    &field("targetPercent", Scale::Percent),
                    out,
                )
            });
        slo.objectives.extend(ratio);
    }
    slo.objective = strictest(&slo.objectives);
    read_window(spec, &mut slo);
    slo.sli = indicator_of(spec).or_else(|| objectives_indicator(objectives));
    read_attached_policies(spec, path, conditions, &mut slo, out);
    out.evidence.slos.push(slo);
}

fn read_window(spec: &Node, slo: &mut Slo) {
    let window = if let Some(w) = spec.get("timeWindow").and_then(first_window) {
        slo.window = text_of(w.get("duration"));
        w
    } else if let Some(w) = spec.get("timeWindows").and_then(first_window) {
        slo.window = count_unit_window(w);
        w
    } else {
        return;
    };
    slo.rolling = window
        .get("isRolling")
        .and_then(Node::as_bool)
        .or_else(|| window.get("calendar").map(|_| false));
}

/// The first window of a list (OpenSLO allows exactly one); a bare map is read too.
fn first_window(node: &Node) -> Option<&Node> {
    node.as_seq().first().or(node.is_map().then_some(node))
}

/// v1alpha `{count: 28, unit: Day}` as a duration shorthand (`28d`).
fn count_unit_window(window: &Node) -> Option<String> {
    let count = window.get("count").and_then(Node::as_f64)?;
    window_shorthand(count, window.get("unit")?.as_str()?)
}

/// The SLO's own indicator: inline (`indicator`, v2alpha `sli`) or by reference.
fn indicator_of(spec: &Node) -> Option<SliSpec> {
    if let Some(inline) = spec.get("indicator").or_else(|| spec.get("sli"))
        && inline.is_map()
    {
        return metric_spec(inline.get("spec").unwrap_or(inline));
    }
    if spec
        .get("indicatorRef")
        .or_else(|| spec.get("sliRef"))
        .and_then(Node::as_str)
        .is_some()
    {
        return Some(sli_spec("reference", Vec::new(), None));
    }
    None
}

/// Indicators written inside objectives: v1alpha `ratioMetrics`, or the per-objective
/// indicators of a composite SLO. Queries of all objectives are kept.
fn objectives_indicator(objectives: &[Node]) -> Option<SliSpec> {
    let mut found: Option<SliSpec> = None;
    for objective in objectives {
        let spec =
            if objective.get("ratioMetrics").is_some() || objective.get("ratioMetric").is_some() {
                metric_spec(objective)
            } else {
                indicator_of(objective)
            };
        let Some(spec) = spec else { continue };
        match &mut found {
            None => found = Some(spec),
            Some(acc) => {
                acc.queries.extend(spec.queries);
                if acc.source.is_none() {
                    acc.source = spec.source;
                }
            }
        }
    }
    found
}

/// An indicator's `spec`: `ratioMetric`/`ratioMetrics` or `thresholdMetric`.
fn metric_spec(spec: &Node) -> Option<SliSpec> {
    let (kind, metric) =
        if let Some(ratio) = spec.get("ratioMetric").or_else(|| spec.get("ratioMetrics")) {
            let kind = if ratio.get("raw").is_some() {
                "raw"
            } else {
                "ratio"
            };
            (kind, ratio)
        } else if let Some(threshold) = spec.get("thresholdMetric") {
            ("threshold", threshold)
        } else {
            return None;
        };
    let mut queries = Vec::new();
    collect_queries(metric, &mut queries);
    Some(sli_spec(kind, queries, metric_source(metric)))
}

/// The first metric source named under `node`: `metricSource.type` (or its
/// `metricSourceRef`), v1alpha `source`, v2alpha `dataSourceRef`; lowercased.
fn metric_source(node: &Node) -> Option<String> {
    if let Some(ms) = node.get("metricSource")
        && let Some(s) = text_of(ms.get("type")).or_else(|| text_of(ms.get("metricSourceRef")))
    {
        return Some(s.to_ascii_lowercase());
    }
    if let Some(s) = text_of(node.get("source")).or_else(|| text_of(node.get("dataSourceRef"))) {
        return Some(s.to_ascii_lowercase());
    }
    let children: Box<dyn Iterator<Item = &Node>> = if node.is_seq() {
        Box::new(node.as_seq().iter())
    } else {
        Box::new(node.as_map().iter().map(|(_, v)| v))
    };
    children
        .filter(|c| c.is_map() || c.is_seq())
        .find_map(metric_source)
}

fn read_sli(doc: &Node, path: &str, out: &mut Collector) {
    let Some(name) = name_of(doc) else {
        out.diagnostic(unnamed("OpenSLO SLI", "metadata.name", path, doc));
        return;
    };
    let Some(spec) = doc.get("spec").and_then(metric_spec) else {
        // An SLI without a readable metric is still an SLI; its kind is unknown.
        out.evidence.slis.push(Sli {
            name,
            format: FORMAT.into(),
            spec: sli_spec("unknown", Vec::new(), None),
            source: Source::new(path, Some(doc.pos)),
        });
        return;
    };
    out.evidence.slis.push(Sli {
        name,
        format: FORMAT.into(),
        spec,
        source: Source::new(path, Some(doc.pos)),
    });
}

/// An alert policy: a `kind: AlertPolicy` document or an inline policy of an SLO.
fn read_policy(
    name: String,
    policy: &Node,
    conditions: &BTreeMap<String, &Node>,
    source: Source,
) -> AlertPolicy {
    let spec = policy.get("spec").unwrap_or(policy);
    let mut burn_rate = false;
    let mut severity = None;
    for condition in spec.get("conditions").map_or(&[][..], Node::as_seq) {
        let (burn, sev) = match text_of(condition.get("conditionRef")) {
            Some(reference) => match conditions.get(&reference) {
                Some(doc) => read_condition(doc),
                None => (true, None),
            },
            None => read_condition(condition),
        };
        burn_rate |= burn;
        severity = severity.or(sev);
    }
    AlertPolicy {
        name,
        format: FORMAT.into(),
        burn_rate,
        severity,
        source,
    }
}

/// Whether an alert condition (inline or a document) checks burn rate, and its severity.
fn read_condition(condition: &Node) -> (bool, Option<String>) {
    let spec = condition.get("spec").unwrap_or(condition);
    let severity = text_of(spec.get("severity"));
    let burn = spec.get("condition").is_some_and(|c| {
        c.is_map()
            && text_of(c.get("kind")).is_none_or(|k| {
                k.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .eq_ignore_ascii_case("burnrate")
            })
    });
    (burn, severity)
}

fn read_attached_policies(
    spec: &Node,
    path: &str,
    conditions: &BTreeMap<String, &Node>,
    slo: &mut Slo,
    out: &mut Collector,
) {
    for item in spec.get("alertPolicies").map_or(&[][..], Node::as_seq) {
        if let Some(name) = item.as_str().map(str::trim).filter(|s| !s.is_empty()) {
            slo.alert_policies.push(name.to_string());
        } else if let Some(name) = text_of(item.get("alertPolicyRef")) {
            slo.alert_policies.push(name);
        } else if item.is_map() && item.get("spec").is_none() && item.get("conditions").is_none() {
            // Only a name: a reference to a policy defined elsewhere.
            slo.alert_policies.extend(name_of(item));
        } else if item.is_map() {
            let Some(name) = name_of(item) else {
                out.diagnostic(unnamed(
                    "OpenSLO inline alert policy",
                    "metadata.name",
                    path,
                    item,
                ));
                continue;
            };
            let policy = read_policy(
                name.clone(),
                item,
                conditions,
                Source::new(path, Some(item.pos)),
            );
            if policy.burn_rate && !slo.burn_rate_alerting {
                slo.burn_rate_alerting = true;
                slo.burn_rate_alerting_via = Some(format!("OpenSLO alert policy `{name}`"));
            }
            slo.alert_policies.push(name);
            out.evidence.alert_policies.push(policy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::evidence::slo::test_support::{alert_policy_rows, run};

    const V1: &str = r#"# Checkout availability
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  description: Checkout requests succeed.
  service: checkout
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{code!~"5.."}[5m]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total[5m]))
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.999
    - displayName: Acceptable
      targetPercent: 99
  alertPolicies:
    - alertPolicyRef: checkout-fast-burn
    - metadata:
        name: checkout-ticket
    - kind: AlertPolicy
      metadata:
        name: checkout-slow-burn
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: slow-burn
            spec:
              severity: ticket
              condition:
                kind: BurnRate
                op: gte
                threshold: 1
                lookbackWindow: 6h
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: checkout-fast-burn
spec:
  conditions:
    - conditionRef: fast-burn
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
"#;

    #[test]
    fn reads_a_v1_slo_with_policies() {
        let d = run(&OpenSlo, &[("slos/checkout.yaml", V1)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [slo] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(slo.name, "checkout-availability");
        assert_eq!(slo.service.as_deref(), Some("checkout"));
        assert_eq!(slo.objectives, [0.999, 0.99]);
        assert_eq!(slo.objective, Some(0.999));
        assert_eq!(slo.window.as_deref(), Some("28d"));
        assert_eq!(slo.rolling, Some(true));
        assert_eq!(slo.budgeting_method.as_deref(), Some("occurrences"));
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(sli.source.as_deref(), Some("prometheus"));
        assert_eq!(sli.queries.len(), 2);
        assert!(sli.queries[0].contains("code!~"));
        assert_eq!(
            slo.alert_policies,
            [
                "checkout-fast-burn",
                "checkout-ticket",
                "checkout-slow-burn"
            ]
        );
        assert!(slo.burn_rate_alerting);
        assert_eq!(
            slo.burn_rate_alerting_via.as_deref(),
            Some("OpenSLO alert policy `checkout-slow-burn`")
        );
        assert_eq!(
            (slo.source.line, slo.source.path.as_str()),
            (Some(2), "slos/checkout.yaml")
        );

        let policies = alert_policy_rows(&d.evidence);
        assert_eq!(
            policies,
            [
                ("checkout-slow-burn", true, Some("ticket"), Some(39)),
                ("checkout-fast-burn", true, Some("page"), Some(55)),
            ]
        );
    }

    #[test]
    fn named_policy_in_another_document_is_linked() {
        let slo = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\nspec:\n  alertPolicies:\n    - page-on-burn\n";
        let policy = "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata:\n  name: page-on-burn\nspec:\n  conditions:\n    - kind: AlertCondition\n      metadata:\n        name: c\n      spec:\n        condition:\n          kind: burnrate\n";
        let d = run(
            &OpenSlo,
            &[("slo.yaml", slo), ("policies/page.yaml", policy)],
        );
        let slo = &d.evidence.slos[0];
        assert!(slo.burn_rate_alerting);
        assert_eq!(
            slo.burn_rate_alerting_via.as_deref(),
            Some("OpenSLO alert policy `page-on-burn`")
        );
    }

    #[test]
    fn condition_of_another_kind_is_not_burn_rate() {
        let policy = "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata:\n  name: p\nspec:\n  conditions:\n    - conditionRef: c\n---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata:\n  name: c\nspec:\n  condition:\n    kind: threshold\n";
        let d = run(&OpenSlo, &[("p.yaml", policy)]);
        assert_eq!(d.evidence.alert_policies.len(), 1);
        assert!(!d.evidence.alert_policies[0].burn_rate);
    }

    #[test]
    fn reads_v1alpha_objectives_and_windows() {
        let text = r#"apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: latency
spec:
  service: api
  budgetingMethod: Timeslices
  objectives:
    - ratioMetrics:
        good:
          source: prometheus
          queryType: promql
          query: fast_total
        total:
          source: prometheus
          queryType: promql
          query: all_total
      target: 0.99
    - ratioMetrics:
        good: {source: prometheus, queryType: promql, query: ok_total}
        total: {source: prometheus, queryType: promql, query: all_total}
      target: 0.999
  timeWindows:
    - count: 4
      unit: Week
      calendar:
        startTime: 2022-01-01 00:00:00
        timeZone: UTC
"#;
        let d = run(&OpenSlo, &[("openslo.yml", text)]);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.objective, Some(0.999));
        assert_eq!(slo.window.as_deref(), Some("4w"));
        assert_eq!(slo.rolling, Some(false));
        assert_eq!(slo.budgeting_method.as_deref(), Some("timeslices"));
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(
            sli.queries,
            ["fast_total", "all_total", "ok_total", "all_total"]
        );
        assert_eq!(sli.source.as_deref(), Some("prometheus"));
    }

    #[test]
    fn reference_threshold_and_standalone_sli() {
        let text = r#"apiVersion: openslo/v1
kind: SLO
metadata:
  name: by-ref
spec:
  indicatorRef: search-latency
  budgetingMethod: RatioTimeslices
  objectives:
    - target: 1.5
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: search-latency
spec:
  thresholdMetric:
    metricSource:
      metricSourceRef: newrelic
      spec:
        nrql: SELECT percentile(duration, 95) FROM Transaction
"#;
        let d = run(&OpenSlo, &[("s.yaml", text)]);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.sli.as_ref().unwrap().kind, "reference");
        assert_eq!(slo.objective, None, "1.5 is not a ratio");
        assert_eq!(slo.budgeting_method.as_deref(), Some("ratio-timeslices"));
        assert_eq!(slo.window, None);
        let [sli] = &d.evidence.slis[..] else {
            panic!()
        };
        assert_eq!(sli.name, "search-latency");
        assert_eq!(sli.spec.kind, "threshold");
        assert_eq!(sli.spec.source.as_deref(), Some("newrelic"));
        assert_eq!(sli.spec.queries.len(), 1);
        assert_eq!(sli.source.line, Some(11));
    }

    #[test]
    fn objectives_out_of_range_are_reported_where_written() {
        let text = r#"apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  objectives:
    - target: 1.5
    - targetPercent: 150
    - target: abc
      targetPercent: 99
    - target: 0.995
    - target:
    - targetPercent: "{{ .Values.target }}"
"#;
        let d = run(&OpenSlo, &[("s.yaml", text)]);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.objectives, [0.99, 0.995]);
        assert_eq!(slo.objective, Some(0.995));
        let mut got: Vec<(&str, Option<u32>, &str)> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line, d.message.as_str()))
            .collect();
        got.sort_by_key(|(_, line, _)| *line);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got.iter()
                .all(|(code, ..)| *code == "invalid-slo-objective")
        );
        assert_eq!(
            got.iter().map(|(_, line, _)| *line).collect::<Vec<_>>(),
            [Some(7), Some(8), Some(9)]
        );
        assert_eq!(
            got[0].2,
            "SLO `checkout`: `target: 1.5` is out of range: the OpenSLO `target` is a ratio greater than 0 and at most 1 (e.g. `target: 0.999`); the SLO is read without this objective"
        );
        assert!(got[1].2.contains("`targetPercent: 150` is out of range"));
        assert!(
            got[1]
                .2
                .contains("a percentage greater than 0 and at most 100")
        );
        assert!(got[2].2.contains("`target: \"abc\"` is not a number"));
        assert!(
            d.diagnostics
                .iter()
                .all(|d| d.severity == Severity::Warning)
        );
    }

    #[test]
    fn unnamed_slo_is_reported_and_unrelated_yaml_is_not_parsed() {
        let d = run(
            &OpenSlo,
            &[
                (
                    "a.yaml",
                    "apiVersion: openslo/v1\nkind: SLO\nspec:\n  service: x\n",
                ),
                ("broken.yaml", "key: [unclosed\n"),
            ],
        );
        assert!(d.evidence.slos.is_empty());
        assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
        assert_eq!(d.diagnostics[0].code, "invalid-slo");
        assert_eq!(d.diagnostics[0].path.as_deref(), Some("a.yaml"));
    }

    #[test]
    fn raw_ratio_metric() {
        let text = "apiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: r\nspec:\n  ratioMetric:\n    rawType: failure\n    raw:\n      metricSource:\n        type: Datadog\n        spec:\n          query: avg:errors.ratio{*}\n";
        let d = run(&OpenSlo, &[("r.yaml", text)]);
        assert_eq!(d.evidence.slis[0].spec.kind, "raw");
        assert_eq!(d.evidence.slis[0].spec.source.as_deref(), Some("datadog"));
    }
}
