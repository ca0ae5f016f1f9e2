//! Nobl9 configuration (`apiVersion: n9/v1alpha`), as applied with `sloctl`: `kind: SLO`
//! and `kind: AlertPolicy` objects, one per YAML document or several in a YAML list.
//!
//! ## What it recognises
//! - `kind: SLO` → `slos`: `metadata.name`, `spec.service`, `spec.description`;
//!   objectives from `spec.objectives[].target` (a ratio; the SLO's objective is the
//!   strictest), the window from `spec.timeWindows[0]` (`count` and `unit`, `isRolling`,
//!   a `calendar` means calendar-aligned), `spec.budgetingMethod`; the indicator from the
//!   objectives: `countMetrics` (`good`/`bad`/`total`/`goodTotal` queries → `ratio`),
//!   `rawMetric` (a value compared with the objective's `value` → `threshold`) or a
//!   composite objective (→ `reference`), with the queries of every data source (`promql`,
//!   Datadog `query`, New Relic `nrql`, Dynatrace `metricSelector`, …) and the data
//!   source type as its source; `spec.alertPolicies` names the attached policies;
//! - `kind: AlertPolicy` → `alert_policies`, a burn-rate policy when a condition measures
//!   the error budget: `averageBurnRate`, `timeToBurnBudget`, `timeToBurnEntireBudget` or
//!   `burnedBudget` (all four are computed from the SLO's error-budget burn).
//!
//! `Project`, `Service`, `AlertMethod`, `Agent`, `Direct` and other kinds carry no SLO
//! evidence and are skipped.
//!
//! ## Alerting
//! Once every file is read, an SLO is alerted on by burn rate when one of its
//! `alertPolicies` is a Nobl9 alert policy of the repository with a burn-rate condition.

use crate::evidence::slo::{
    ObjectiveField, Scale, budgeting_method, collect_queries, new_slo, objective_of, sli_spec,
    strictest, text_of, unnamed, window_shorthand,
};
use crate::evidence::{
    AlertPolicy, Collector, Detector, FileContext, RepoPath, SliSpec, Slo, Source,
};
use crate::parse::yaml::Node;

pub struct Nobl9;

const FORMAT: &str = "nobl9";

/// Alert-condition measurements computed from the error-budget burn.
const BUDGET_MEASUREMENTS: &[&str] = &[
    "averageBurnRate",
    "timeToBurnBudget",
    "timeToBurnEntireBudget",
    "burnedBudget",
];

impl Detector for Nobl9 {
    fn id(&self) -> &'static str {
        "nobl9"
    }

    fn summary(&self) -> &'static str {
        "Nobl9 SLO and AlertPolicy objects (`apiVersion: n9/v1alpha`, one per document or in a YAML list) in YAML files"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        if !text.contains("n9/") || !declares_nobl9_api(text) {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        let objects = docs
            .iter()
            .flat_map(|doc| {
                if doc.is_seq() {
                    doc.as_seq()
                } else {
                    std::slice::from_ref(doc)
                }
            })
            .filter(|o| {
                o.get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(is_nobl9_api)
            });
        for object in objects {
            match object.get("kind").and_then(Node::as_str).map(str::trim) {
                Some("SLO") => read_slo(object, path, out),
                Some("AlertPolicy") => read_alert_policy(object, path, out),
                _ => {}
            }
        }
    }
}

fn is_nobl9_api(api: &str) -> bool {
    api.trim().starts_with("n9/")
}

/// Whether an `apiVersion: n9/…` line opens an object, at the top level or as an item of
/// a top-level list (`- apiVersion: n9/v1alpha`), without parsing the file.
fn declares_nobl9_api(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
        line.strip_prefix("apiVersion:")
            .is_some_and(|value| is_nobl9_api(value.trim().trim_matches(|c| c == '"' || c == '\'')))
    })
}

fn read_slo(object: &Node, path: &str, out: &mut Collector) {
    let Some(name) = text_of(object.at(&["metadata", "name"])) else {
        out.diagnostic(unnamed("Nobl9 SLO", "metadata.name", path, object));
        return;
    };
    let mut slo = new_slo(name, FORMAT, Source::new(path, Some(object.pos)));
    let Some(spec) = object.get("spec") else {
        out.evidence.slos.push(slo);
        return;
    };
    slo.service = text_of(spec.get("service"));
    slo.description = text_of(spec.get("description"));
    slo.budgeting_method = text_of(spec.get("budgetingMethod")).map(|m| budgeting_method(&m));
    let objectives = spec.get("objectives").map_or(&[][..], Node::as_seq);
    let targets = objectives
        .iter()
        .map(|o| o.get("target"))
        .chain(std::iter::once(spec.at(&["composite", "target"])));
    for target in targets {
        let at = ObjectiveField {
            slo: &slo.name,
            field: "target",
            format: "Nobl9",
            scale: Scale::Ratio,
            path,
        };
        slo.objectives.extend(objective_of(target, &at, out));
    }
    slo.objective = strictest(&slo.objectives);
    read_window(spec, &mut slo);
    slo.sli = indicator(spec, objectives);
    slo.alert_policies = spec
        .get("alertPolicies")
        .map(Node::string_list)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    out.evidence.slos.push(slo);
}

fn read_window(spec: &Node, slo: &mut Slo) {
    let Some(window) = spec.get("timeWindows").and_then(|w| w.as_seq().first()) else {
        return;
    };
    slo.window = window
        .get("count")
        .and_then(Node::as_f64)
        .zip(window.get("unit").and_then(Node::as_str))
        .and_then(|(count, unit)| window_shorthand(count, unit));
    slo.rolling = window
        .get("isRolling")
        .and_then(Node::as_bool)
        .or_else(|| window.get("calendar").map(|_| false));
}

/// The indicator of the objectives: its kind from the first objective that states one,
/// the queries of all of them in the order written.
fn indicator(spec: &Node, objectives: &[Node]) -> Option<SliSpec> {
    let mut kind: Option<&str> = None;
    let mut queries = Vec::new();
    let mut source: Option<String> = None;
    let mut add = |metric: &Node, queries: &mut Vec<String>| {
        for (key, body) in metric.as_map() {
            if source.is_none() {
                source = key.as_str().map(str::to_ascii_lowercase);
            }
            source_queries(body, queries);
        }
    };
    for objective in objectives {
        if let Some(counts) = objective.get("countMetrics") {
            kind.get_or_insert("ratio");
            for (key, metric) in counts.as_map() {
                if matches!(key.as_str(), Some("good" | "bad" | "total" | "goodTotal")) {
                    add(metric, &mut queries);
                }
            }
        } else if let Some(raw) = objective.get("rawMetric") {
            kind.get_or_insert("threshold");
            if let Some(metric) = raw.get("query") {
                add(metric, &mut queries);
            }
        } else if objective.get("composite").is_some() {
            kind.get_or_insert("reference");
        }
    }
    // Older SLOs state one raw metric for all objectives.
    if let Some(metric) = spec.at(&["indicator", "rawMetric"]) {
        kind.get_or_insert("threshold");
        add(metric, &mut queries);
    }
    if spec.get("composite").is_some() {
        kind.get_or_insert("reference");
    }
    let source = source.or_else(|| text_of(spec.at(&["indicator", "metricSource", "name"])));
    let kind = kind.or_else(|| spec.get("indicator").map(|_| "unknown"))?;
    Some(sli_spec(kind, queries, source))
}

/// The queries of one data source's metric: query-like fields, else Dynatrace
/// `metricSelector`, Splunk Observability `program` or a CloudWatch `json` query.
fn source_queries(body: &Node, queries: &mut Vec<String>) {
    let before = queries.len();
    collect_queries(body, queries);
    if queries.len() == before {
        queries.extend(
            ["metricSelector", "program", "json"]
                .iter()
                .find_map(|k| text_of(body.get(k))),
        );
    }
}

fn read_alert_policy(object: &Node, path: &str, out: &mut Collector) {
    let Some(name) = text_of(object.at(&["metadata", "name"])) else {
        out.diagnostic(unnamed("Nobl9 AlertPolicy", "metadata.name", path, object));
        return;
    };
    let spec = object.get("spec");
    let burn_rate = spec
        .and_then(|s| s.get("conditions"))
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|c| c.get("measurement").and_then(Node::as_str))
        .any(|m| BUDGET_MEASUREMENTS.contains(&m.trim()));
    out.evidence.alert_policies.push(AlertPolicy {
        name,
        format: FORMAT.to_string(),
        burn_rate,
        severity: text_of(spec.and_then(|s| s.get("severity"))),
        source: Source::new(path, Some(object.pos)),
    });
}

/// Marks Nobl9 SLOs whose alert policies include a burn-rate policy of the repository.
pub(crate) fn link_alert_policies(out: &mut Collector) {
    let evidence = &mut out.evidence;
    let burn_rate_policies: Vec<&str> = evidence
        .alert_policies
        .iter()
        .filter(|p| p.format == FORMAT && p.burn_rate)
        .map(|p| p.name.as_str())
        .collect();
    for slo in evidence.slos.iter_mut().filter(|s| s.format == FORMAT) {
        if slo.burn_rate_alerting {
            continue;
        }
        if let Some(name) = slo
            .alert_policies
            .iter()
            .find(|p| burn_rate_policies.contains(&p.as_str()))
        {
            slo.burn_rate_alerting = true;
            slo.burn_rate_alerting_via = Some(format!("Nobl9 alert policy `{name}`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{alert_policy_rows, run, run_fixture, slo_rows};

    const SLO: &str = r#"apiVersion: n9/v1alpha
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
  project: payments
spec:
  description: Checkout requests succeed
  service: checkout
  indicator:
    metricSource:
      name: prometheus-agent
      project: payments
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      name: good
      value: 1
      target: 0.999
      countMetrics:
        incremental: false
        good:
          prometheus:
            promql: sum(rate(http_requests_total{code!~"5.."}[5m]))
        total:
          prometheus:
            promql: sum(rate(http_requests_total[5m]))
    - displayName: Acceptable
      name: acceptable
      value: 2
      target: 0.99
      countMetrics:
        incremental: false
        good:
          prometheus:
            promql: sum(rate(http_requests_total{code!~"5..|429"}[5m]))
        total:
          prometheus:
            promql: sum(rate(http_requests_total[5m]))
  timeWindows:
    - unit: Day
      count: 28
      isRolling: true
  alertPolicies:
    - checkout-fast-burn
"#;

    const POLICIES: &str = r#"- apiVersion: n9/v1alpha
  kind: AlertPolicy
  metadata:
    name: checkout-fast-burn
    project: payments
  spec:
    severity: High
    coolDown: 5m
    conditions:
      - measurement: averageBurnRate
        value: 14.4
        alertingWindow: 1h
        op: gte
- apiVersion: n9/v1alpha
  kind: AlertPolicy
  metadata:
    name: no-data
    project: payments
  spec:
    severity: Low
    conditions: []
- apiVersion: n9/v1alpha
  kind: Service
  metadata:
    name: checkout
    project: payments
"#;

    #[test]
    fn reads_an_slo_and_links_its_alert_policy() {
        let d = run(
            &Nobl9,
            &[("nobl9/slo.yaml", SLO), ("nobl9/policies.yaml", POLICIES)],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [slo] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(slo.name, "checkout-availability");
        assert_eq!(slo.format, "nobl9");
        assert_eq!(slo.service.as_deref(), Some("checkout"));
        assert_eq!(
            slo.description.as_deref(),
            Some("Checkout requests succeed")
        );
        assert_eq!(slo.objectives, [0.999, 0.99]);
        assert_eq!(slo.objective, Some(0.999));
        assert_eq!(slo.window.as_deref(), Some("28d"));
        assert_eq!(slo.rolling, Some(true));
        assert_eq!(slo.budgeting_method.as_deref(), Some("occurrences"));
        assert_eq!(slo.source.line, Some(1));
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(sli.source.as_deref(), Some("prometheus"));
        assert_eq!(sli.queries.len(), 4);
        assert!(sli.queries[0].contains("5.."));
        assert_eq!(slo.alert_policies, ["checkout-fast-burn"]);
        assert!(slo.burn_rate_alerting);
        assert_eq!(
            slo.burn_rate_alerting_via.as_deref(),
            Some("Nobl9 alert policy `checkout-fast-burn`")
        );
        let policies = alert_policy_rows(&d.evidence);
        assert_eq!(
            policies,
            [
                ("checkout-fast-burn", true, Some("High"), Some(1)),
                ("no-data", false, Some("Low"), Some(14)),
            ]
        );
    }

    #[test]
    fn raw_metrics_calendar_windows_and_other_sources() {
        let text = r#"apiVersion: n9/v1alpha
kind: SLO
metadata:
  name: search-latency
spec:
  service: search
  budgetingMethod: Timeslices
  objectives:
    - name: fast
      value: 300
      op: lte
      target: 0.95
      timeSliceTarget: 0.9
      rawMetric:
        query:
          datadog:
            query: avg:trace.http.request.duration{service:search}
  timeWindows:
    - unit: Month
      count: 1
      calendar:
        startTime: 2024-01-01 00:00:00
        timeZone: UTC
---
apiVersion: n9/v1alpha
kind: SLO
metadata:
  name: dt
spec:
  objectives:
    - target: 99.9
      countMetrics:
        good:
          dynatrace:
            metricSelector: builtin:service.errors.fivexx.successCount
        total:
          newRelic:
            nrql: SELECT count(*) FROM Transaction
  alertPolicies: []
"#;
        let d = run(&Nobl9, &[("search.yaml", text)]);
        let [search, dt] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(search.window.as_deref(), Some("1M"), "{search:?}");
        assert_eq!(search.rolling, Some(false));
        assert_eq!(search.budgeting_method.as_deref(), Some("timeslices"));
        let sli = search.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "threshold");
        assert_eq!(sli.source.as_deref(), Some("datadog"));
        assert_eq!(
            sli.queries,
            ["avg:trace.http.request.duration{service:search}"]
        );
        assert!(!search.burn_rate_alerting);

        assert_eq!(dt.objective, None, "99.9 is not a ratio");
        assert_eq!(
            dt.sli.as_ref().unwrap().queries,
            [
                "builtin:service.errors.fivexx.successCount",
                "SELECT count(*) FROM Transaction"
            ]
        );
        let [diag] = &d.diagnostics[..] else {
            panic!("{:?}", d.diagnostics)
        };
        assert_eq!(diag.code, "invalid-slo-objective");
        assert_eq!(diag.line, Some(31));
    }

    #[test]
    fn other_apis_unnamed_objects_and_odd_shapes() {
        let text = "apiVersion: n9/v1alpha\nkind: SLO\nspec:\n  service: x\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: openslo\n---\napiVersion: n9/v1alpha\nkind: SLO\nmetadata:\n  name: odd\nspec:\n  objectives: 3\n  timeWindows: [{count: -1, unit: Day}]\n  alertPolicies: fast\n  indicator: {}\n---\napiVersion: n9/v1alpha\nkind: AlertPolicy\nmetadata: {}\n";
        let d = run(&Nobl9, &[("x.yaml", text)]);
        let names: Vec<_> = d.evidence.slos.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["odd"]);
        let odd = &d.evidence.slos[0];
        assert_eq!(odd.window, None);
        assert_eq!(odd.alert_policies, ["fast"]);
        assert_eq!(odd.sli.as_ref().map(|s| s.kind.as_str()), Some("unknown"));
        let codes: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(codes, [("invalid-slo", Some(21)), ("invalid-slo", Some(1))]);
    }

    #[test]
    fn objects_listed_under_a_key_are_found_by_the_cheap_check() {
        assert!(declares_nobl9_api("items:\n  - apiVersion: n9/v1alpha\n"));
        assert!(declares_nobl9_api("- apiVersion: \"n9/v1alpha\"\n"));
        assert!(!declares_nobl9_api("# apiVersion n9/v1alpha\nkind: x\n"));
    }

    #[test]
    fn files_that_only_mention_nobl9_are_not_parsed() {
        let workflow = "name: apply\non: push\njobs:\n  apply:\n    steps:\n      - run: sloctl apply -f slo.yaml # n9/v1alpha objects\n        broken: [\n";
        let d = run(&Nobl9, &[("workflow.yaml", workflow)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-nobl9", &Nobl9);
        let slos = slo_rows(&d.evidence, |i| i.kind.as_str());
        assert_eq!(
            slos,
            [
                (
                    "checkout-availability",
                    Some(0.999),
                    Some("28d"),
                    true,
                    Some("ratio")
                ),
                (
                    "checkout-latency",
                    Some(0.99),
                    Some("1w"),
                    true,
                    Some("threshold")
                ),
            ]
        );
        let policies: Vec<_> = d
            .evidence
            .alert_policies
            .iter()
            .map(|p| (p.name.as_str(), p.burn_rate))
            .collect();
        assert_eq!(policies, [("fast-burn", true), ("slow-burn", true)]);
    }
}
