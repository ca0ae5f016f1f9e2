//! Datadog SLO catalogs: YAML maps of SLO key → Datadog SLO settings, as the cloudposse
//! Terraform Datadog modules read them (`yamldecode` into `datadog_service_level_objective`
//! resources).
//!
//! ## What it recognises
//! A top-level map entry is an SLO when it has a Datadog SLO `type` (`metric`, `monitor`
//! or `time_slice`) and a list of `thresholds` with a `timeframe` or `target`. Its name
//! is `name` (else the key), with `description` and the service of a `service` tag. The
//! objective is the strictest threshold `target` (a percentage), the window that
//! target's rolling `timeframe`. The indicator is `ratio` with the `query` numerator and
//! denominator (`metric`), `reference` (`monitor`: the uptime of the monitors listed in
//! `monitor_ids` or defined under `monitors`, named as the SLO's alerts) or `threshold`
//! (`time_slice`).
//!
//! Datadog monitor catalogs (`type: metric alert`, `thresholds: {critical: …}`) are not
//! SLOs and are left alone.

use crate::evidence::slo::{
    ObjectiveField, Scale, collect_queries, new_slo, objective_of, sli_spec, text_of,
};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, Slo, Source};
use crate::parse::yaml::Node;

pub struct DatadogSloCatalog;

const FORMAT: &str = "datadog-slo-catalog";

impl Detector for DatadogSloCatalog {
    fn id(&self) -> &'static str {
        "datadog-slo-catalog"
    }

    fn summary(&self) -> &'static str {
        "Datadog SLO catalogs: YAML maps of SLOs with `type` (metric, monitor, time_slice) and `thresholds` (cloudposse Terraform modules)"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        if !(text.contains("thresholds:") && text.contains("timeframe:") && looks_like_slo(text)) {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            for (key, entry) in doc.as_map() {
                if is_slo(entry)
                    && let Some(key) = key.scalar_text()
                {
                    read_slo(&key, key_pos(doc, &key).unwrap_or(entry), entry, path, out);
                }
            }
        }
    }
}

/// A `type:` line with a Datadog SLO type, before parsing.
fn looks_like_slo(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim_start()
            .strip_prefix("type:")
            .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
            .is_some_and(is_slo_type)
    })
}

fn is_slo_type(type_: &str) -> bool {
    matches!(type_, "metric" | "monitor" | "time_slice")
}

fn is_slo(entry: &Node) -> bool {
    let typed = entry
        .get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| is_slo_type(t.trim()));
    let thresholds = entry.get("thresholds").map_or(&[][..], Node::as_seq);
    typed
        && !thresholds.is_empty()
        && thresholds
            .iter()
            .all(|t| t.get("timeframe").is_some() || t.get("target").is_some())
}

/// The key node of `key`: the SLO starts where its key is written.
fn key_pos<'n>(doc: &'n Node, key: &str) -> Option<&'n Node> {
    doc.entry(key).map(|(k, _)| k)
}

fn read_slo(key: &str, at: &Node, entry: &Node, path: &str, out: &mut Collector) {
    let name = text_of(entry.get("name")).unwrap_or_else(|| key.to_string());
    let mut slo = new_slo(name, FORMAT, Source::new(path, Some(at.pos)));
    slo.description = text_of(entry.get("description"));
    slo.service = service(entry.get("tags"));
    read_thresholds(entry, &mut slo, path, out);
    let type_ = entry
        .get("type")
        .and_then(Node::as_str)
        .unwrap_or("")
        .trim();
    let source = Some("datadog".to_string());
    slo.sli = Some(match type_ {
        "metric" => {
            let mut queries = Vec::new();
            if let Some(query) = entry.get("query") {
                queries.extend(
                    ["numerator", "denominator"]
                        .iter()
                        .filter_map(|k| text_of(query.get(k))),
                );
            }
            slo.budgeting_method = Some("occurrences".into());
            sli_spec("ratio", queries, source)
        }
        "monitor" => {
            slo.budgeting_method = Some("timeslices".into());
            slo.alert_policies = monitors(entry);
            sli_spec("reference", Vec::new(), source)
        }
        _ => {
            let mut queries = Vec::new();
            if let Some(spec) = entry.get("sli_specification") {
                collect_queries(spec, &mut queries);
            }
            slo.budgeting_method = Some("timeslices".into());
            sli_spec("threshold", queries, source)
        }
    });
    out.evidence.slos.push(slo);
}

fn read_thresholds(entry: &Node, slo: &mut Slo, path: &str, out: &mut Collector) {
    let mut best: Option<(f64, Option<String>)> = None;
    for threshold in entry.get("thresholds").map_or(&[][..], Node::as_seq) {
        let at = ObjectiveField {
            slo: &slo.name,
            field: "target",
            format: "Datadog",
            scale: Scale::Percent,
            path,
        };
        let Some(objective) = objective_of(threshold.get("target"), &at, out) else {
            continue;
        };
        slo.objectives.push(objective);
        if best.as_ref().is_none_or(|(b, _)| objective > *b) {
            best = Some((objective, text_of(threshold.get("timeframe"))));
        }
    }
    if let Some((objective, timeframe)) = best {
        slo.objective = Some(objective);
        slo.window = timeframe.filter(|t| t != "custom");
        slo.rolling = slo.window.as_ref().map(|_| true);
    }
}

/// The `service` tag: `tags: {service: checkout}` or `tags: ["service:checkout"]`.
fn service(tags: Option<&Node>) -> Option<String> {
    let tags = tags?;
    text_of(tags.get("service")).or_else(|| {
        tags.string_list()
            .iter()
            .find_map(|t| t.trim().strip_prefix("service:").map(str::to_string))
            .filter(|s| !s.is_empty())
    })
}

/// The monitors a monitor SLO is built on: `monitor_ids`, and the names of the monitors
/// defined with it.
fn monitors(entry: &Node) -> Vec<String> {
    let mut names = entry
        .get("monitor_ids")
        .map(Node::string_list)
        .unwrap_or_default();
    for (key, monitor) in entry.get("monitors").map_or(&[][..], Node::as_map) {
        names.extend(text_of(monitor.get("name")).or_else(|| key.scalar_text()));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{run, run_fixture};

    const CATALOG: &str = r#"checkout-availability:
  name: "(SLO) Checkout availability"
  type: metric
  query:
    numerator: sum:trace.http.request.hits{service:checkout}.as_count() - sum:trace.http.request.errors{service:checkout}.as_count()
    denominator: sum:trace.http.request.hits{service:checkout}.as_count()
  description: |
    Checkout requests that do not fail.
  thresholds:
    - target: "99.5"
      timeframe: "7d"
      warning: "99.9"
    - target: "99.9"
      timeframe: "30d"
  tags:
    service: checkout
    ManagedBy: terraform

checkout-uptime:
  type: monitor
  thresholds:
    - target: 99
      timeframe: 7d
  monitor_ids: [1234]
  monitors:
    checkout-health:
      name: "(Checkout) Health check"
      type: service check
      query: '"http.can_connect".over("instance:checkout").last(3).count_by_status()'
      thresholds:
        critical: 1
"#;

    #[test]
    fn reads_catalog_entries() {
        let d = run(
            &DatadogSloCatalog,
            &[("catalog/slo/checkout.yaml", CATALOG)],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [a, u] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.name, "(SLO) Checkout availability");
        assert_eq!(a.format, "datadog-slo-catalog");
        assert_eq!(a.service.as_deref(), Some("checkout"));
        assert_eq!(a.objectives, [0.995, 0.999]);
        assert_eq!(a.objective, Some(0.999));
        assert_eq!(a.window.as_deref(), Some("30d"));
        assert_eq!(a.source.line, Some(1));
        let sli = a.sli.as_ref().unwrap();
        assert_eq!((sli.kind.as_str(), sli.queries.len()), ("ratio", 2));

        assert_eq!(u.name, "checkout-uptime");
        assert_eq!(u.source.line, Some(19));
        assert_eq!(u.objective, Some(0.99));
        assert_eq!(u.window.as_deref(), Some("7d"));
        assert_eq!(u.sli.as_ref().unwrap().kind, "reference");
        assert_eq!(u.alert_policies, ["1234", "(Checkout) Health check"]);
        assert!(!u.burn_rate_alerting);
    }

    #[test]
    fn monitor_catalogs_and_other_yaml_are_not_slos() {
        let monitors = "ec2-status:\n  name: EC2 status\n  type: metric alert\n  query: avg(last_10m):avg:aws.ec2.status_check_failed{*} > 0\n  thresholds:\n    critical: 0\n";
        let broken = "type: metric\nthresholds:\ntimeframe: [\n";
        let not_slo = "jobs:\n  build:\n    type: monitor\n    thresholds: {timeframe: 1}\n";
        let d = run(
            &DatadogSloCatalog,
            &[
                ("catalog/monitors/ec2.yaml", monitors),
                ("notes.yaml", not_slo),
                ("broken.yaml", broken),
            ],
        );
        assert!(d.evidence.slos.is_empty(), "{:?}", d.evidence.slos);
        // A file that looks like a catalog but is not YAML is reported once.
        let codes: Vec<_> = d.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["invalid-yaml"]);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-datadog-slo-catalog", &DatadogSloCatalog);
        let slos: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.objective,
                    s.window.as_deref(),
                    s.sli.as_ref().map(|i| i.kind.as_str()),
                )
            })
            .collect();
        assert_eq!(
            slos,
            [
                (
                    "Checkout availability",
                    Some(0.999),
                    Some("30d"),
                    Some("ratio")
                ),
                (
                    "Checkout uptime",
                    Some(0.995),
                    Some("7d"),
                    Some("reference")
                ),
            ]
        );
    }
}
