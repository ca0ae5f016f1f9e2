//! SLO specifications: OpenSLO, Sloth, Pyrra, slo-generator and Nobl9 documents, Terraform
//! SLO resources (Google Cloud Monitoring, Datadog, New Relic) and Datadog SLO catalogs
//! become `slos` (and OpenSLO's stand-alone `slis`, OpenSLO and Nobl9 `alert_policies`,
//! slo-generator `error_budget_policies`).
//!
//! The formats disagree on almost everything (objective as ratio or percentage, window as
//! a duration, a count and unit or a policy's longest step, alerting generated, declared
//! or defined in another resource), so each detector normalises to the evidence model
//! here: objectives as ratios, windows as duration shorthands, indicator kinds from a
//! small fixed set. An objective that cannot be one (out of range, not a number) is left
//! unset and reported where it is written (`invalid-slo-objective`), so the policy's
//! "objective is missing" is not the only word; a value computed by a template or by
//! Terraform is left unset silently.

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{Collector, Detector, SliSpec, Slo, Source};
use crate::parse::yaml::{Node, TEMPLATE_PLACEHOLDER, Value};

pub mod datadog_slo;
pub mod datadog_slo_catalog;
pub mod google_monitoring_slo;
pub mod newrelic_service_level;
pub mod nobl9;
pub mod openslo;
pub mod pyrra;
pub mod slo_generator;
pub mod sloth;
pub(crate) mod terraform;

pub static DETECTORS: &[&dyn Detector] = &[
    &openslo::OpenSlo,
    &sloth::Sloth,
    &pyrra::Pyrra,
    &slo_generator::SloGenerator,
    &nobl9::Nobl9,
    &google_monitoring_slo::GoogleMonitoringSlo,
    &datadog_slo::DatadogSlo,
    &newrelic_service_level::NewRelicServiceLevel,
    &datadog_slo_catalog::DatadogSloCatalog,
];

/// What SLO detectors learn that can only be connected once every file is read (an SLO
/// and the configuration or alert that completes it are often in different files). Kept
/// in the [`Collector`] during detection; [`link`] uses it up.
#[derive(Debug, Default)]
pub struct PendingLinks {
    pub(crate) slo_generator_policies: Vec<slo_generator::SharedPolicy>,
    pub(crate) terraform: terraform::Links,
}

/// Completes SLOs from other files: slo-generator SLOs get the window and alerting of
/// their error-budget policy, Nobl9 SLOs the burn-rate alerting of their alert policies,
/// Terraform SLO resources that of the burn-rate alerts of their module. Runs in the link
/// stage, before SLOs are tied to burn-rate alerts in general.
pub fn link(out: &mut Collector) {
    slo_generator::resolve_policies(out);
    nobl9::link_alert_policies(out);
    terraform::link_alerts(out);
}

/// The values of top-level `key:` lines (column 0), unquoted and without trailing
/// comments. A cheap look at a file before parsing it: Kubernetes-style documents state
/// `apiVersion` and `kind` at the top level, so this finds them without a YAML parse.
pub(crate) fn top_level_values<'t>(text: &'t str, key: &'t str) -> impl Iterator<Item = &'t str> {
    text.lines().filter_map(move |line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = match rest.find(" #") {
            Some(i) => &rest[..i],
            None => rest,
        };
        Some(value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// A non-empty, trimmed string value.
pub(crate) fn text_of(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Rounds away binary noise (`99.9 / 100` is `0.9990000000000001`) and keeps only values
/// that can be an objective: a ratio in (0, 1].
fn clean_ratio(value: f64) -> Option<f64> {
    let rounded = (value * 1e12).round() / 1e12;
    (rounded > 0.0 && rounded <= 1.0).then_some(rounded)
}

/// An objective written as a ratio (`0.999`).
pub(crate) fn ratio_of(node: Option<&Node>) -> Option<f64> {
    node.and_then(Node::as_f64).and_then(clean_ratio)
}

/// An objective written as a percentage (`99.9`, `"99.9"`), as a ratio.
pub(crate) fn ratio_of_percent(node: Option<&Node>) -> Option<f64> {
    node.and_then(Node::as_f64)
        .and_then(|p| clean_ratio(p / 100.0))
}

/// How a format writes an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// `0.999`
    Ratio,
    /// `99.9`
    Percent,
}

/// Where an objective is written: the SLO, the field and the format, for messages.
pub(crate) struct ObjectiveField<'a> {
    pub slo: &'a str,
    /// The field as the format names it, e.g. `target`.
    pub field: &'a str,
    /// The format's name, e.g. `OpenSLO`.
    pub format: &'a str,
    pub scale: Scale,
    pub path: &'a str,
}

/// The objective written at `node`, as a ratio. A value that cannot be one (out of
/// range, not a number) is reported as `invalid-slo-objective`: left unset silently,
/// the policy would only say that the objective is missing.
pub(crate) fn objective_of(
    node: Option<&Node>,
    at: &ObjectiveField,
    out: &mut Collector,
) -> Option<f64> {
    let node = node?;
    let ratio = match at.scale {
        Scale::Ratio => ratio_of(Some(node)),
        Scale::Percent => ratio_of_percent(Some(node)),
    };
    if ratio.is_none()
        && let Some(message) = invalid_objective(node, at)
    {
        out.diagnostic(
            Diagnostic::new(Severity::Warning, "invalid-slo-objective", message)
                .at(at.path, Some(node.pos)),
        );
    }
    // A percentage field holding a ratio (`objective: 0.999`) is almost always a slip: it
    // asks for 0.999 %, an SLO that is met while the service is down.
    if at.scale == Scale::Percent
        && let Some(percent) = node.as_f64().filter(|p| *p > 0.0 && *p < 1.0)
    {
        out.diagnostic(
            Diagnostic::new(
                Severity::Warning,
                "suspicious-slo-objective",
                format!(
                    "SLO `{}`: the {} `{}` is a percentage, so `{percent}` means {percent} %, not {} %; write `{}: {}` if that is what you meant",
                    at.slo,
                    at.format,
                    at.field,
                    percent * 100.0,
                    at.field,
                    percent * 100.0
                ),
            )
            .at(at.path, Some(node.pos)),
        );
    }
    ratio
}

/// Why the value at `node` is not an objective; `None` when there is nothing to say (no
/// value written, or a value a template or environment fills in).
fn invalid_objective(node: &Node, at: &ObjectiveField) -> Option<String> {
    let written = match &node.value {
        Value::Null => return None,
        Value::String(s)
            if s.contains(TEMPLATE_PLACEHOLDER) || s.contains("{{") || s.contains("${") =>
        {
            return None;
        }
        Value::String(s) => format!("{s:?}"),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(_) => "a map".to_string(),
        _ => node.scalar_text().unwrap_or_default(),
    };
    let (range, example) = match at.scale {
        Scale::Ratio => ("a ratio greater than 0 and at most 1", "0.999"),
        Scale::Percent => ("a percentage greater than 0 and at most 100", "99.9"),
    };
    let problem = if node.as_f64().is_some() {
        "is out of range"
    } else {
        "is not a number"
    };
    Some(format!(
        "SLO `{}`: `{}: {written}` {problem}: the {} `{}` is {range} (e.g. `{}: {example}`); the SLO is read without this objective",
        at.slo, at.field, at.format, at.field, at.field
    ))
}

/// The strictest objective: the highest ratio.
pub(crate) fn strictest(objectives: &[f64]) -> Option<f64> {
    objectives.iter().copied().reduce(f64::max)
}

/// Whether a field name reads like a query: `query`, `errorQuery`, `error_ratio_query`,
/// `promql`, `nrql`, … but not `queryType`.
fn is_query_key(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    key.ends_with("query")
        || matches!(
            key.as_str(),
            "promql" | "nrql" | "mql" | "expr" | "expression" | "sql"
        )
}

/// Every query-like string field under `node`, in the order written.
pub(crate) fn collect_queries(node: &Node, out: &mut Vec<String>) {
    if node.is_seq() {
        for item in node.as_seq() {
            collect_queries(item, out);
        }
        return;
    }
    for (key, value) in node.as_map() {
        match (key.as_str(), value.as_str()) {
            (Some(k), Some(query)) if is_query_key(k) => {
                let query = query.trim();
                if !query.is_empty() && query != TEMPLATE_PLACEHOLDER {
                    out.push(query.to_string());
                }
            }
            _ => collect_queries(value, out),
        }
    }
}

/// `Occurrences` → `occurrences`, `RatioTimeslices` → `ratio-timeslices`.
pub(crate) fn budgeting_method(method: &str) -> String {
    let squashed: String = method
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match squashed.as_str() {
        "occurrences" | "occurences" => "occurrences".into(),
        "timeslices" => "timeslices".into(),
        "ratiotimeslices" => "ratio-timeslices".into(),
        _ => method.to_ascii_lowercase(),
    }
}

/// A window written as a count and a unit (`28` `Day`, `7` `DAY`) as a duration
/// shorthand (`28d`); `None` for a count that is not a positive whole number or an
/// unknown unit.
pub(crate) fn window_shorthand(count: f64, unit: &str) -> Option<String> {
    if count <= 0.0 || count.fract() != 0.0 || count > u32::MAX as f64 {
        return None;
    }
    let unit = unit.trim().to_ascii_lowercase();
    let suffix = match unit.trim_end_matches('s') {
        "second" => "s",
        "minute" => "m",
        "hour" => "h",
        "day" => "d",
        "week" => "w",
        "month" => "M",
        "quarter" => "Q",
        "year" => "Y",
        _ => return None,
    };
    Some(format!("{}{suffix}", count as u64))
}

/// A number of seconds as the largest whole duration shorthand (`3600` → `1h`,
/// `604800` → `7d`).
pub(crate) fn seconds_shorthand(seconds: u64) -> String {
    match seconds {
        0 => "0s".to_string(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// An SLO with only its identity set; detectors fill the rest.
pub(crate) fn new_slo(name: String, format: &str, source: Source) -> Slo {
    Slo {
        name,
        service: None,
        description: None,
        format: format.to_string(),
        objective: None,
        objectives: Vec::new(),
        window: None,
        rolling: None,
        budgeting_method: None,
        sli: None,
        burn_rate_alerting: false,
        burn_rate_alerting_via: None,
        alert_policies: Vec::new(),
        owners: Vec::new(),
        source,
    }
}

pub(crate) fn sli_spec(kind: &str, queries: Vec<String>, source: Option<String>) -> SliSpec {
    SliSpec {
        kind: kind.to_string(),
        queries,
        source,
    }
}

/// The diagnostic for an SLO document that cannot be used at all (no name).
pub(crate) fn unnamed(what: &str, field: &str, path: &str, node: &Node) -> Diagnostic {
    Diagnostic::new(
        Severity::Error,
        "invalid-slo",
        format!("{what} without `{field}`; it was skipped"),
    )
    .at(path, Some(node.pos))
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::evidence::{Detection, Detector, Evidence, SliSpec};

    /// Runs one detector over a temporary repository holding `files`.
    pub fn run(detector: &dyn Detector, files: &[(&str, &str)]) -> Detection {
        crate::evidence::testing::detect_files(files, detector)
    }

    /// Runs one detector over the fixture repository `fixtures/<name>`; the test fails on
    /// any diagnostic.
    pub fn run_fixture(name: &str, detector: &dyn Detector) -> Detection {
        let d = crate::evidence::testing::detect_fixture(name, detector);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        d
    }

    /// One SLO as a test compares it: name, objective, window, burn-rate alerting and what
    /// the test reads of the indicator.
    pub type SloRow<'e, T> = (&'e str, Option<f64>, Option<&'e str>, bool, Option<T>);

    /// The SLOs found, in order, as [`SloRow`]s; `sli` picks what to compare of each
    /// indicator (its kind, its number of queries).
    pub fn slo_rows<'e, T>(
        evidence: &'e Evidence,
        sli: impl Fn(&'e SliSpec) -> T,
    ) -> Vec<SloRow<'e, T>> {
        evidence
            .slos
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.objective,
                    s.window.as_deref(),
                    s.burn_rate_alerting,
                    s.sli.as_ref().map(&sli),
                )
            })
            .collect()
    }

    /// The alert policies found, in order, as (name, burn rate, severity, line).
    pub fn alert_policy_rows(evidence: &Evidence) -> Vec<(&str, bool, Option<&str>, Option<u32>)> {
        evidence
            .alert_policies
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.burn_rate,
                    p.severity.as_deref(),
                    p.source.line,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_documents;

    #[test]
    fn percentages_become_clean_ratios() {
        let doc = &parse_documents("a: 99.9\nb: \"99.95\"\nc: 0.999\nd: 250\ne: x\n").unwrap()[0];
        assert_eq!(ratio_of_percent(doc.get("a")), Some(0.999));
        assert_eq!(ratio_of_percent(doc.get("b")), Some(0.9995));
        assert_eq!(ratio_of(doc.get("c")), Some(0.999));
        assert_eq!(ratio_of_percent(doc.get("d")), None);
        assert_eq!(ratio_of_percent(doc.get("e")), None);
        assert_eq!(strictest(&[0.99, 0.999, 0.9]), Some(0.999));
        assert_eq!(strictest(&[]), None);
    }

    #[test]
    fn queries_are_collected_in_order_without_query_types() {
        let doc = &parse_documents(
            "good:\n  queryType: promql\n  query: good_total\ntotal:\n  metricSource:\n    spec:\n      nrql: SELECT 1\n  errorQuery: errors\n",
        )
        .unwrap()[0];
        let mut queries = Vec::new();
        collect_queries(doc, &mut queries);
        assert_eq!(queries, ["good_total", "SELECT 1", "errors"]);
    }

    #[test]
    fn top_level_values_ignore_indentation_quotes_and_comments() {
        let text =
            "apiVersion: \"openslo/v1\" # spec\n  apiVersion: nested/v1\napiVersion: v1alpha1\n";
        assert_eq!(
            top_level_values(text, "apiVersion").collect::<Vec<_>>(),
            ["openslo/v1", "v1alpha1"]
        );
    }
}
