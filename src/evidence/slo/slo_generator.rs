//! Google's slo-generator: SLO configurations (`apiVersion: sre.google.com/v2`,
//! `kind: ServiceLevelObjective`, and the older v1 files with `service_name`,
//! `feature_name`, `slo_name` and `slo_target`) and the error-budget policies of its shared
//! configuration (`error_budget_policies:`, or a v1 error-budget policy file).
//!
//! ## What it recognises
//! - one SLO per configuration, named by `metadata.name` (v1: `service-feature-slo`),
//!   with `spec.description`, the service of the `service_name` label and the `goal`, a
//!   ratio (v1: `slo_target`);
//! - the indicator from `spec.method` (`good_bad_ratio` → `ratio`, `distribution_cut` →
//!   `latency`, `query_sli` → `raw`, `query_slo` → `reference`, `threshold` →
//!   `threshold`, `basic` → `latency` or `ratio`), its queries from the filters and
//!   queries of `spec.service_level_indicator` (`filter_good`, `filter_valid`,
//!   `query_bad`, `expression`, Dynatrace `metric_selector`, …) and its source from
//!   `spec.backend`;
//! - every `error_budget_policies` entry of a shared configuration as an error-budget
//!   policy, with the windows of its steps (`window: 3600` → `1h`) and whether a step
//!   alerts (`alert: true`).
//!
//! ## Window and alerting
//! An slo-generator SLO states no window: slo-generator computes it over every step
//! window of its error-budget policy (`spec.error_budget_policy`, `default` when not
//! set). Once every file is read, each SLO is given the policy of the nearest shared
//! configuration that defines it (its own folder or the closest parent first), its
//! longest step window as the SLO's window, and burn-rate alerting when a step alerts
//! (`alert: true`) above the normal burn rate (`burn_rate_threshold` > 1). A policy that
//! no configuration of the repository defines is reported (`undefined-error-budget-policy`).

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::slo::{
    ObjectiveField, Scale, new_slo, objective_of, seconds_shorthand, sli_spec, text_of,
    top_level_values, unnamed,
};
use crate::evidence::{
    Collector, Detector, ErrorBudgetPolicy, FileContext, RepoPath, SliSpec, Source,
};
use crate::parse::yaml::Node;

pub struct SloGenerator;

const FORMAT: &str = "slo-generator";

/// The policy an SLO uses when it names none.
const DEFAULT_POLICY: &str = "default";

impl Detector for SloGenerator {
    fn id(&self) -> &'static str {
        "slo-generator"
    }

    fn summary(&self) -> &'static str {
        "Google slo-generator SLO configs (`apiVersion: sre.google.com/v2`, v1 `slo_target`) and the error-budget policies of its shared config (`error_budget_policies:`) in YAML files"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        let shape = if text.contains("sre.google.com/")
            && (top_level_values(text, "apiVersion").any(is_v2_api)
                || top_level_values(text, "api").any(is_v2_api))
        {
            Shape::SloV2
        } else if top_level_values(text, "error_budget_policies")
            .next()
            .is_some()
        {
            Shape::SharedConfig
        } else if top_level_values(text, "slo_target").next().is_some()
            && top_level_values(text, "slo_name").next().is_some()
        {
            Shape::SloV1
        } else if text.contains("error_budget_policy_step_name") {
            Shape::PolicyV1
        } else {
            return;
        };
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            match shape {
                Shape::SloV2 => read_slo_v2(doc, path, out),
                Shape::SloV1 => read_slo_v1(doc, path, out),
                Shape::SharedConfig => read_shared_config(doc, path, out),
                Shape::PolicyV1 => read_policy_v1(doc, path, stem(file.path.name()), out),
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Shape {
    SloV2,
    SloV1,
    SharedConfig,
    PolicyV1,
}

/// A file name without its extension, as written (`error_budget_policy.yaml` →
/// `error_budget_policy`).
fn stem(name: &str) -> String {
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

fn is_v2_api(api: &str) -> bool {
    api.trim().starts_with("sre.google.com/")
}

fn read_slo_v2(doc: &Node, path: &str, out: &mut Collector) {
    let api = text_of(doc.get("apiVersion")).or_else(|| text_of(doc.get("api")));
    if !api.as_deref().is_some_and(is_v2_api)
        || text_of(doc.get("kind")).as_deref() != Some("ServiceLevelObjective")
    {
        return;
    }
    let Some(name) = text_of(doc.at(&["metadata", "name"])) else {
        out.diagnostic(unnamed("slo-generator SLO", "metadata.name", path, doc));
        return;
    };
    let mut slo = new_slo(name, FORMAT, Source::new(path, Some(doc.pos)));
    slo.service = text_of(doc.at(&["metadata", "labels", "service_name"]));
    let spec = doc.get("spec");
    slo.description = text_of(spec.and_then(|s| s.get("description")));
    let goal = spec.and_then(|s| s.get("goal"));
    read_goal(&mut slo, goal, "goal", path, out);
    if let Some(spec) = spec {
        slo.sli = indicator(
            text_of(spec.get("method")),
            spec.get("service_level_indicator"),
            text_of(spec.get("backend")).map(|b| backend_name(&b)),
        );
    }
    let policy = text_of(spec.and_then(|s| s.get("error_budget_policy")))
        .unwrap_or_else(|| DEFAULT_POLICY.to_string());
    slo.alert_policies = vec![policy];
    out.evidence.slos.push(slo);
}

/// A v1 configuration: everything at the top level, the indicator under `backend`.
fn read_slo_v1(doc: &Node, path: &str, out: &mut Collector) {
    let parts: Vec<Option<String>> = ["service_name", "feature_name", "slo_name"]
        .iter()
        .map(|k| text_of(doc.get(k)))
        .collect();
    let [Some(service), Some(feature), Some(slo_name)] = &parts[..] else {
        if doc.get("slo_target").is_some() {
            out.diagnostic(unnamed(
                "slo-generator v1 SLO",
                "service_name`, `feature_name` and `slo_name",
                path,
                doc,
            ));
        }
        return;
    };
    let mut slo = new_slo(
        format!("{service}-{feature}-{slo_name}"),
        FORMAT,
        Source::new(path, Some(doc.pos)),
    );
    slo.service = Some(service.clone());
    slo.description = text_of(doc.get("slo_description"));
    read_goal(&mut slo, doc.get("slo_target"), "slo_target", path, out);
    if let Some(backend) = doc.get("backend") {
        slo.sli = indicator(
            text_of(backend.get("method")),
            backend.get("measurement"),
            text_of(backend.get("class")).map(|c| c.to_ascii_lowercase()),
        );
    }
    out.evidence.slos.push(slo);
}

fn read_goal(
    slo: &mut crate::evidence::Slo,
    goal: Option<&Node>,
    field: &str,
    path: &str,
    out: &mut Collector,
) {
    let at = ObjectiveField {
        slo: &slo.name,
        field,
        format: "slo-generator",
        scale: Scale::Ratio,
        path,
    };
    slo.objectives = objective_of(goal, &at, out).into_iter().collect();
    slo.objective = slo.objectives.first().copied();
}

/// `cloud_monitoring/team2` → `cloud_monitoring`: the suffix only names one of several
/// configured backends of the same kind.
fn backend_name(backend: &str) -> String {
    backend
        .split_once('/')
        .map_or(backend, |(kind, _)| kind)
        .to_string()
}

fn indicator(
    method: Option<String>,
    sli: Option<&Node>,
    backend: Option<String>,
) -> Option<SliSpec> {
    if method.is_none() && sli.is_none() {
        return None;
    }
    let kind = match method.as_deref().map(str::trim) {
        Some("good_bad_ratio") => "ratio",
        Some("distribution_cut") => "latency",
        Some("query_sli") => "raw",
        Some("query_slo") => "reference",
        Some("threshold") => "threshold",
        Some("basic") if sli.is_some_and(|s| s.get("latency").is_some()) => "latency",
        Some("basic") => "ratio",
        _ => "unknown",
    };
    let mut queries = Vec::new();
    if let Some(sli) = sli {
        indicator_queries(sli, &mut queries);
    }
    Some(sli_spec(kind, queries, backend))
}

/// Whether a `service_level_indicator` field holds a query: Cloud Monitoring filters
/// (`filter_good`), backend queries (`query_valid`, Splunk `search_query_bad`),
/// Prometheus `expression`, Dynatrace `metric_selector`.
fn is_query_field(key: &str) -> bool {
    key.starts_with("filter_")
        || key.contains("query")
        || matches!(key, "expression" | "metric_selector" | "filter")
}

/// The queries of an indicator, in the order written. A query written as a map is a
/// Dynatrace selector pair (its `metric_selector` is the query) or an Elasticsearch query
/// (kept as compact JSON).
fn indicator_queries(sli: &Node, out: &mut Vec<String>) {
    for (key, value) in sli.as_map() {
        let Some(key) = key.as_str() else { continue };
        if !is_query_field(key) {
            continue;
        }
        if let Some(query) = value.as_str().map(str::trim).filter(|q| !q.is_empty()) {
            out.push(query.to_string());
        } else if let Some(selector) = text_of(value.get("metric_selector")) {
            out.push(selector);
        } else if !value.as_map().is_empty() {
            out.push(value.to_json().to_string());
        }
    }
}

/// A policy of a shared configuration, with what the evidence does not keep.
#[derive(Debug, Clone)]
pub(crate) struct SharedPolicy {
    /// The configuration file.
    path: String,
    name: String,
    /// A v1 policy file: SLOs do not name it; it is given on the command line.
    v1: bool,
    /// Step windows in seconds.
    windows: Vec<u64>,
    /// A step alerts on a burn rate above 1.
    alerts_on_burn_rate: bool,
}

fn read_shared_config(doc: &Node, path: &str, out: &mut Collector) {
    let Some(policies) = doc.get("error_budget_policies") else {
        return;
    };
    for (key, policy) in policies.as_map() {
        let Some(name) = key.scalar_text().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let steps = policy.get("steps").map_or(&[][..], Node::as_seq);
        add_policy(name, steps, false, path, key, out);
    }
}

/// A v1 policy file: a list of steps, named after the file.
fn read_policy_v1(doc: &Node, path: &str, stem: String, out: &mut Collector) {
    let steps = doc.as_seq();
    if !steps
        .iter()
        .any(|s| s.get("error_budget_policy_step_name").is_some())
    {
        return;
    }
    add_policy(stem, steps, true, path, doc, out);
}

fn add_policy(name: String, steps: &[Node], v1: bool, path: &str, at: &Node, out: &mut Collector) {
    let mut windows = Vec::new();
    let mut alerting = false;
    let mut alerts_on_burn_rate = false;
    for step in steps {
        let window = step
            .get("window")
            .or_else(|| step.get("measurement_window_seconds"))
            .and_then(Node::as_f64)
            .filter(|w| *w >= 1.0 && w.fract() == 0.0 && *w <= u32::MAX as f64)
            .map(|w| w as u64);
        windows.extend(window);
        let alert = step
            .get("alert")
            .or_else(|| step.get("urgent_notification"))
            .and_then(Node::as_bool)
            == Some(true);
        let threshold = step
            .get("burn_rate_threshold")
            .or_else(|| step.get("alerting_burn_rate_threshold"))
            .and_then(Node::as_f64);
        alerting |= alert;
        alerts_on_burn_rate |= alert && threshold.is_some_and(|t| t > 1.0);
    }
    out.evidence.error_budget_policies.push(ErrorBudgetPolicy {
        name: name.clone(),
        format: FORMAT.to_string(),
        windows: windows.iter().map(|w| seconds_shorthand(*w)).collect(),
        alerting: (!steps.is_empty()).then_some(alerting),
        source: Source::new(path, Some(at.pos)),
    });
    out.slo_links.slo_generator_policies.push(SharedPolicy {
        path: path.to_string(),
        name,
        v1,
        windows,
        alerts_on_burn_rate,
    });
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// How close a configuration is to an SLO, smaller is closer: a configuration in the
/// SLO's folder or a parent folder first (the deepest first), then the one sharing the
/// longest folder prefix; ties go to the first path.
fn closeness<'p>(slo_dir: &str, config: &'p str) -> (bool, usize, &'p str) {
    let config_dir = dir_of(config);
    let depth = |dir: &str| {
        if dir.is_empty() {
            0
        } else {
            dir.split('/').count()
        }
    };
    let is_parent = config_dir.is_empty()
        || slo_dir == config_dir
        || slo_dir
            .strip_prefix(config_dir)
            .is_some_and(|rest| rest.starts_with('/'));
    let shared = if is_parent {
        depth(config_dir)
    } else {
        slo_dir
            .split('/')
            .zip(config_dir.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    (!is_parent, usize::MAX - shared, config)
}

/// Gives every slo-generator SLO the window and alerting of its error-budget policy, from
/// the nearest shared configuration that defines it.
pub(crate) fn resolve_policies(out: &mut Collector) {
    let policies = std::mem::take(&mut out.slo_links.slo_generator_policies);
    let defined: Vec<&str> = {
        let mut names: Vec<&str> = policies
            .iter()
            .filter(|p| !p.v1)
            .map(|p| p.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let mut diagnostics = Vec::new();
    for slo in out.evidence.slos.iter_mut().filter(|s| s.format == FORMAT) {
        // v2 SLOs name their policy; v1 SLOs take the policy file next to them.
        let wanted = slo.alert_policies.first().cloned();
        let slo_dir = dir_of(&slo.source.path);
        let Some(policy) = policies
            .iter()
            .filter(|p| match &wanted {
                Some(name) => !p.v1 && &p.name == name,
                None => p.v1,
            })
            .min_by_key(|p| closeness(slo_dir, &p.path))
        else {
            if let Some(name) = &wanted
                && !defined.is_empty()
            {
                diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "undefined-error-budget-policy",
                        format!(
                            "slo-generator SLO `{}` uses the error-budget policy `{name}`, which no shared config of the repository defines (defined: {}); slo-generator cannot compute it",
                            slo.name,
                            defined
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .at(&slo.source.path, Some(source_pos(&slo.source))),
                );
            }
            continue;
        };
        if wanted.is_none() {
            slo.alert_policies = vec![policy.name.clone()];
        }
        if let Some(longest) = policy.windows.iter().max() {
            slo.window = Some(seconds_shorthand(*longest));
            slo.rolling = Some(true);
        }
        if policy.alerts_on_burn_rate && !slo.burn_rate_alerting {
            slo.burn_rate_alerting = true;
            slo.burn_rate_alerting_via = Some(format!(
                "slo-generator error-budget policy `{}`",
                policy.name
            ));
        }
    }
    out.diagnostics.extend(diagnostics);
}

fn source_pos(source: &Source) -> crate::diagnostic::Position {
    crate::diagnostic::Position::new(source.line.unwrap_or(1), source.column.unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{run, run_fixture, slo_rows};

    const CONFIG: &str = r#"---
default_exporters: [cloud_monitoring]

backends:
  cloud_monitoring:
    project_id: ${PROJECT_ID}

error_budget_policies:
  default:
    steps:
    - name: 1 hour
      burn_rate_threshold: 9
      alert: true
      window: 3600
    - name: 12 hours
      burn_rate_threshold: 3
      alert: true
      window: 43200
    - name: 28 days
      burn_rate_threshold: 1
      alert: false
      window: 2419200
  quiet:
    steps:
    - name: 7 days
      burn_rate_threshold: 1
      alert: true
      window: 604800
"#;

    const SLO: &str = r#"apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: checkout-availability
  labels:
    service_name: checkout
    feature_name: api
    slo_name: availability
spec:
  description: 99.9% of checkout requests succeed
  backend: cloud_monitoring/prod
  method: good_bad_ratio
  exporters:
  - cloud_monitoring
  service_level_indicator:
    filter_good: >
      metric.type="run.googleapis.com/request_count"
      metric.label."response_code_class"="2xx"
    filter_valid: >
      metric.type="run.googleapis.com/request_count"
  goal: 0.999
"#;

    #[test]
    fn reads_a_v2_slo_and_resolves_its_policy() {
        let d = run(
            &SloGenerator,
            &[
                ("slos/config.yaml", CONFIG),
                ("slos/checkout/slo_availability.yaml", SLO),
            ],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [slo] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(slo.name, "checkout-availability");
        assert_eq!(slo.format, "slo-generator");
        assert_eq!(slo.service.as_deref(), Some("checkout"));
        assert_eq!(slo.objective, Some(0.999));
        assert_eq!(slo.source.line, Some(1));
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(sli.source.as_deref(), Some("cloud_monitoring"));
        assert_eq!(sli.queries.len(), 2);
        assert!(sli.queries[0].contains("2xx"));
        assert_eq!(slo.alert_policies, ["default"]);
        assert_eq!(slo.window.as_deref(), Some("28d"));
        assert_eq!(slo.rolling, Some(true));
        assert!(slo.burn_rate_alerting);
        assert_eq!(
            slo.burn_rate_alerting_via.as_deref(),
            Some("slo-generator error-budget policy `default`")
        );

        let policies: Vec<_> = d
            .evidence
            .error_budget_policies
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.windows.join(","),
                    p.alerting,
                    p.source.line,
                )
            })
            .collect();
        assert_eq!(
            policies,
            [
                ("default", "1h,12h,28d".to_string(), Some(true), Some(9)),
                ("quiet", "7d".to_string(), Some(true), Some(23)),
            ]
        );
    }

    #[test]
    fn alerting_at_the_normal_burn_rate_is_not_burn_rate_alerting() {
        let slo = SLO.replace(
            "  goal: 0.999",
            "  error_budget_policy: quiet\n  goal: 0.999",
        );
        let d = run(
            &SloGenerator,
            &[("config.yaml", CONFIG), ("slo.yaml", &slo)],
        );
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.alert_policies, ["quiet"]);
        assert_eq!(slo.window.as_deref(), Some("7d"));
        assert!(!slo.burn_rate_alerting);
    }

    #[test]
    fn the_nearest_config_wins_and_unknown_policies_are_reported() {
        let other = CONFIG.replace("window: 2419200", "window: 864000");
        let missing = SLO.replace(
            "  goal: 0.999",
            "  error_budget_policy: strict\n  goal: 0.999",
        );
        let d = run(
            &SloGenerator,
            &[
                ("config.yaml", CONFIG),
                ("teams/a/config.yaml", &other),
                ("teams/a/slos/slo.yaml", SLO),
                ("teams/b/slo.yaml", SLO),
                ("teams/c/slo.yaml", &missing),
            ],
        );
        let windows: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| (s.source.path.as_str(), s.window.as_deref()))
            .collect();
        assert_eq!(
            windows,
            [
                ("teams/a/slos/slo.yaml", Some("10d")),
                ("teams/b/slo.yaml", Some("28d")),
                ("teams/c/slo.yaml", None),
            ]
        );
        let [diag] = &d.diagnostics[..] else {
            panic!("{:?}", d.diagnostics)
        };
        assert_eq!(diag.code, "undefined-error-budget-policy");
        assert_eq!(diag.path.as_deref(), Some("teams/c/slo.yaml"));
        assert!(diag.message.contains("`strict`"), "{}", diag.message);
        assert!(
            diag.message.contains("`default`, `quiet`"),
            "{}",
            diag.message
        );
    }

    #[test]
    fn a_sibling_config_is_used_when_no_parent_has_one() {
        assert!(
            closeness("configs/team2", "configs/sre/config.yaml")
                < closeness("configs/team2", "other/config.yaml")
        );
        assert!(
            closeness("configs/team2", "config.yaml")
                < closeness("configs/team2", "configs/sre/config.yaml")
        );
        assert!(
            closeness("a/b", "a/b/config.yaml") < closeness("a/b", "a/config.yaml"),
            "the deepest parent is the nearest"
        );
    }

    #[test]
    fn without_a_config_the_window_is_unknown_and_nothing_is_reported() {
        let d = run(&SloGenerator, &[("slo.yaml", SLO)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.window, None);
        assert!(!slo.burn_rate_alerting);
        assert_eq!(slo.alert_policies, ["default"]);
    }

    #[test]
    fn methods_become_indicator_kinds_with_their_queries() {
        let slo = |method: &str, sli: &str| {
            format!(
                "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata:\n  name: s\nspec:\n  backend: x\n  method: {method}\n  service_level_indicator:\n{sli}  goal: 0.99\n"
            )
        };
        let cases = [
            (
                slo(
                    "distribution_cut",
                    "    expression: http_request_duration_seconds_bucket{code=~\"2..\"}\n    threshold_bucket: 0.25\n",
                ),
                "latency",
                vec!["http_request_duration_seconds_bucket{code=~\"2..\"}".to_string()],
            ),
            (
                slo("query_sli", "    expression: avg(up)\n"),
                "raw",
                vec!["avg(up)".to_string()],
            ),
            (
                slo("query_slo", "    slo_id: ${SLO_ID}\n"),
                "reference",
                vec![],
            ),
            (
                slo(
                    "threshold",
                    "    query_valid:\n      metric_selector: ext:latency\n      entity_selector: type(HOST)\n    threshold: 50000\n",
                ),
                "threshold",
                vec!["ext:latency".to_string()],
            ),
            (
                slo(
                    "basic",
                    "    app_engine:\n      project_id: p\n    latency:\n      threshold: 724\n",
                ),
                "latency",
                vec![],
            ),
            (slo("basic", "    availability: {}\n"), "ratio", vec![]),
            (
                slo(
                    "good_bad_ratio",
                    "    index: logs\n    query_good: {}\n    query_bad:\n      must:\n        term:\n          name: x\n",
                ),
                "ratio",
                vec![r#"{"must":{"term":{"name":"x"}}}"#.to_string()],
            ),
            (
                slo("made_up", "    search_query_good: search x\n"),
                "unknown",
                vec!["search x".to_string()],
            ),
        ];
        for (text, kind, queries) in cases {
            let d = run(&SloGenerator, &[("slo.yaml", &text)]);
            let sli = d.evidence.slos[0].sli.as_ref().expect("an indicator");
            assert_eq!(
                (sli.kind.as_str(), &sli.queries),
                (kind, &queries),
                "{text}"
            );
        }
    }

    #[test]
    fn reads_v1_configs_and_policy_files() {
        let slo = "service_name: checkout\nfeature_name: api\nslo_name: availability\nslo_description: Checkout succeeds\nslo_target: 0.99\nbackend:\n  class: Prometheus\n  method: query_sli\n  measurement:\n    expression: avg(up)\nexporters:\n- class: Stackdriver\n";
        let policy = "- error_budget_policy_step_name: 1 hour\n  measurement_window_seconds: 3600\n  alerting_burn_rate_threshold: 9\n  urgent_notification: true\n- error_budget_policy_step_name: 7 days\n  measurement_window_seconds: 604800\n  alerting_burn_rate_threshold: 1.5\n  urgent_notification: false\n";
        let d = run(
            &SloGenerator,
            &[
                ("slos/slo_checkout.yaml", slo),
                ("slos/error_budget_policy.yaml", policy),
            ],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.name, "checkout-api-availability");
        assert_eq!(slo.service.as_deref(), Some("checkout"));
        assert_eq!(slo.objective, Some(0.99));
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(
            (sli.kind.as_str(), sli.source.as_deref()),
            ("raw", Some("prometheus"))
        );
        assert_eq!(slo.alert_policies, ["error_budget_policy"]);
        assert_eq!(slo.window.as_deref(), Some("7d"));
        assert!(slo.burn_rate_alerting);
        let policy = &d.evidence.error_budget_policies[0];
        assert_eq!(policy.name, "error_budget_policy");
        assert_eq!(policy.windows, ["1h", "7d"]);
        assert_eq!(policy.alerting, Some(true));
    }

    #[test]
    fn bad_goals_unnamed_slos_and_templates() {
        let bad = SLO.replace("goal: 0.999", "goal: 99.9");
        let templated = SLO.replace("goal: 0.999", "goal: ${GOAL}");
        let unnamed =
            "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nspec:\n  goal: 0.9\n";
        let odd = "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata: [1]\n---\napiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata:\n  name: odd\nspec: [1, 2]\n";
        let d = run(
            &SloGenerator,
            &[
                ("bad.yaml", &bad),
                ("templated.yaml", &templated),
                ("unnamed.yaml", unnamed),
                ("odd.yaml", odd),
            ],
        );
        let got: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.path.as_deref().unwrap_or(""), d.line))
            .collect();
        assert_eq!(
            got,
            [
                ("invalid-slo", "odd.yaml", Some(1)),
                ("invalid-slo", "unnamed.yaml", Some(1)),
                ("invalid-slo-objective", "bad.yaml", Some(21)),
            ]
        );
        let names: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| (s.name.as_str(), s.objective))
            .collect();
        assert_eq!(
            names,
            [
                ("checkout-availability", None),
                ("odd", None),
                ("checkout-availability", None)
            ]
        );
    }

    #[test]
    fn pyrra_and_unrelated_files_are_left_alone() {
        let pyrra = "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: x\nspec:\n  target: \"99\"\n";
        let broken = "slo_name: x\nnot: [valid\n";
        let d = run(
            &SloGenerator,
            &[("pyrra.yaml", pyrra), ("broken.yaml", broken)],
        );
        assert!(d.evidence.slos.is_empty());
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-slo-generator", &SloGenerator);
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
                    Some("28d"),
                    true,
                    Some("latency")
                ),
                (
                    "search-freshness",
                    Some(0.95),
                    Some("7d"),
                    false,
                    Some("raw")
                ),
            ]
        );
        assert_eq!(d.evidence.error_budget_policies.len(), 2);
    }
}
