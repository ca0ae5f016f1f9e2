//! Alerting: Prometheus rule files and `PrometheusRule` resources, promtool rule tests,
//! Alertmanager routing; Grafana-managed alerting; monitors, alarms and alert policies of
//! Datadog, New Relic, CloudWatch, Azure Monitor and Google Cloud Monitoring written in
//! Terraform; monitoring dashboards (Grafana JSON and dashboards as code).
//!
//! Alerting configuration turns up in many wrappers: plain files, Kubernetes resources,
//! `kind: List` and OpenShift `Template` objects, Helm values, and YAML held as a string
//! inside a ConfigMap or Secret. The detectors here walk whole YAML documents for the shape
//! they recognise rather than for one fixed path, and read embedded YAML with its lines
//! mapped back to the outer file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::evidence::{Alert, Collector, Detector, FileContext, Source};
use crate::parse::yaml::{self, Node};

pub mod alertmanager;
pub mod burn_rate;
pub mod dashboard;
pub mod datadog;
pub mod datadog_monitor_catalog;
pub mod duration;
pub mod grafana_alerting;
pub mod grafana_dashboard_configmaps;
pub mod grafana_dashboards;
pub mod prometheus_rules;
pub mod rule_tests;
pub mod terraform_azure_monitor;
pub mod terraform_cloudwatch;
pub mod terraform_datadog;
pub mod terraform_google_monitoring;
pub mod terraform_grafana;
pub mod terraform_newrelic;

pub static DETECTORS: &[&dyn Detector] = &[
    &prometheus_rules::PrometheusRules,
    &rule_tests::RuleTests,
    &alertmanager::Alertmanager,
    &grafana_alerting::GrafanaAlerting,
    &grafana_dashboards::GrafanaDashboards,
    &grafana_dashboard_configmaps::GrafanaDashboardConfigMaps,
    &datadog_monitor_catalog::DatadogMonitorCatalog,
    &terraform_datadog::TerraformDatadog,
    &terraform_newrelic::TerraformNewRelic,
    &terraform_cloudwatch::TerraformCloudWatch,
    &terraform_azure_monitor::TerraformAzureMonitor,
    &terraform_google_monitoring::TerraformGoogleMonitoring,
    &terraform_grafana::TerraformGrafana,
];

/// An alert with every optional field unset, for detectors to fill.
pub(crate) fn new_alert(name: String, format: &str, source: Source) -> Alert {
    Alert {
        name,
        group: None,
        format: format.to_string(),
        expr: String::new(),
        for_: None,
        severity: None,
        paging: false,
        labels: Default::default(),
        annotations: Default::default(),
        summary: None,
        description: None,
        runbook_url: None,
        runbook_resolves: None,
        runbook_problem: None,
        burn_rate: false,
        multi_window: false,
        windows: Vec::new(),
        debounced: false,
        templated: false,
        meta: false,
        notifies: Vec::new(),
        routed_to: Vec::new(),
        route_problem: None,
        routed_to_paging: None,
        budget_objective: None,
        slos: Vec::new(),
        slo_problem: None,
        owners: Vec::new(),
        source,
    }
}

/// Sets what a rule's Prometheus-style `labels` and `annotations` say, and keeps both
/// maps on the alert: the summary (the `summary`, `message` or `title` annotation), the
/// description, the runbook (an annotation of [`prometheus_rules::RUNBOOK_KEYS`], else
/// such a label) and the severity (the `severity` label). Prometheus rules and
/// Grafana-managed rules, provisioned or in Terraform, read them alike.
pub(crate) fn set_labels_and_annotations(
    alert: &mut Alert,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
) {
    let non_empty = |map: &BTreeMap<String, String>, key: &str| {
        map.get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let runbook_keys = prometheus_rules::RUNBOOK_KEYS;
    alert.summary = ["summary", "message", "title"]
        .iter()
        .find_map(|k| non_empty(&annotations, k));
    alert.description = non_empty(&annotations, "description");
    alert.runbook_url = runbook_keys
        .iter()
        .find_map(|k| non_empty(&annotations, k))
        .or_else(|| runbook_keys.iter().find_map(|k| non_empty(&labels, k)));
    alert.severity = non_empty(&labels, "severity");
    alert.labels = labels;
    alert.annotations = annotations;
}

/// A YAML map of strings (`labels:`, `annotations:`), empty when missing.
pub(crate) fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// Whether an alert exists for the alerting pipeline rather than for a human: a watchdog
/// or heartbeat that always fires, or an alert whose only job is to inhibit others.
pub(crate) fn is_meta_alert(name: &str, expr: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    lower.starts_with("inhibition")
        || matches!(
            lower.as_str(),
            "watchdog" | "heartbeat" | "deadmansswitch" | "deadmanssnitch" | "alwaysfiring"
        )
        || compact == "vector(1)"
}

/// The first line of a notification text that says something: template-only lines
/// (`{{#is_alert}}`), headings marks and blank lines are skipped.
pub(crate) fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| {
            let template_only =
                l.starts_with("{{") && l.ends_with("}}") && l.matches("{{").count() == 1;
            !(l.is_empty() || template_only)
        })
        .map(str::to_string)
}

/// A runbook link written in free text (a notification message, a documentation block): a
/// Markdown link whose text names a runbook or playbook, a URL on a line that does, or a
/// URL whose path does.
pub(crate) fn runbook_in_text(text: &str) -> Option<String> {
    static MD_LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\((https?://[^)\s]+)\)").expect("valid regex"));
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"https?://[^\s)\]>"'|]+"#).expect("valid regex"));
    let names_runbook = |s: &str| {
        let s = s.to_ascii_lowercase();
        ["runbook", "playbook", "run book", "sop"]
            .iter()
            .any(|w| s.contains(w))
    };
    if let Some(c) = MD_LINK
        .captures_iter(text)
        .find(|c| c.get(1).is_some_and(|t| names_runbook(t.as_str())))
    {
        return c.get(2).map(|m| m.as_str().to_string());
    }
    for line in text.lines() {
        let mut urls = URL
            .find_iter(line)
            .map(|m| m.as_str().trim_end_matches(['.', ',']));
        let line_names = names_runbook(&URL.replace_all(line, ""));
        if let Some(url) = urls.find(|u| line_names || names_runbook(u)) {
            return Some(url.to_string());
        }
    }
    None
}

/// A note that an alert is switched off in its own definition (Grafana `isPaused`, New
/// Relic or Azure `enabled = false`): listed, but it never fires.
pub(crate) fn paused_note(path: &str, pos: Option<Position>, name: &str, how: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Note,
        "alert-disabled",
        format!("alert `{name}` is switched off ({how}): it is listed as an alert but never fires"),
    )
    .at(path, pos)
}

/// Seconds as a duration the way Prometheus writes it (`300` → `5m`, `90` → `90s`).
pub(crate) fn seconds_text(secs: u64) -> String {
    if secs > 0 && secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs > 0 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// The YAML documents of a file, and whether they were read tolerantly from a template.
pub(crate) struct Documents<'a> {
    pub nodes: Cow<'a, [Node]>,
    pub templated: bool,
}

/// A Go template action written with `[[ ]]` delimiters, as operators that render
/// Alertmanager configuration with Go templates of their own do (to leave Alertmanager's
/// `{{ }}` notification templates alone).
static BRACKET_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\[\[(-?\s*(?:[.$](?:[A-Za-z_.]|\s)|if\b|else\b|end\b|range\b|with\b|template\b|include\b|define\b|block\b|/\*).*?-?)\]\]",
    )
    .expect("valid regex")
});

/// A template action that is only a string literal holding template text, Helm's way to
/// write Alertmanager's own `{{ }}` (`{{ "{{ .Receiver }}" }}`, ``{{`{{ $labels.pod }}`}}``).
/// The shared tolerant reader ends the action at the first `}}`, inside the literal, and
/// leaves a stray quote that breaks the YAML.
static STRING_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{\{-?\s*("(?:[^"\\\n]|\\.)*"|`[^`]*`)\s*-?\}\}"#).expect("valid regex")
});

/// The text rewritten so that the shared tolerant reader can read it, when it holds
/// template syntax that reader does not know: `[[ ]]` delimiters, string-literal actions
/// holding `{{`. `None` when the text needs no rewriting.
fn rewrite_template(text: &str) -> Option<String> {
    let mut rewritten: Option<String> = None;
    if BRACKET_ACTION.is_match(text) {
        // Same length replacement: lines and columns stay where they were.
        rewritten = Some(BRACKET_ACTION.replace_all(text, "{{$1}}").into_owned());
    }
    let current = rewritten.as_deref().unwrap_or(text);
    let nested = |m: &regex::Captures| m.get(1).is_some_and(|lit| lit.as_str().contains("{{"));
    if STRING_ACTION.captures_iter(current).any(|c| nested(&c)) {
        let replaced = STRING_ACTION
            .replace_all(current, |c: &regex::Captures| {
                let whole = c.get(0).map_or("", |m| m.as_str());
                if nested(c) {
                    // Keep the line count of multi-line literals.
                    let newlines = whole.matches('\n').count();
                    format!("{}{}", yaml::TEMPLATE_PLACEHOLDER, "\n".repeat(newlines))
                } else {
                    whole.to_string()
                }
            })
            .into_owned();
        rewritten = Some(replaced);
    }
    rewritten
}

/// Reads the documents of `file` for `detector`. Template syntax that the shared reader
/// does not know (see [`rewrite_template`]) is rewritten and read tolerantly here; every
/// other file goes through the shared, cached reader.
pub(crate) fn documents<'a>(
    file: &'a FileContext,
    detector: &'static str,
    out: &mut Collector,
) -> Option<Documents<'a>> {
    let text = file.text()?;
    if let Some(rewritten) = rewrite_template(text) {
        return match yaml::parse_templated(&rewritten) {
            Ok(nodes) => Some(Documents {
                nodes: Cow::Owned(nodes),
                templated: true,
            }),
            Err(err) => {
                out.diagnostic(
                    Diagnostic::new(
                        Severity::Note,
                        "unreadable-template",
                        format!(
                            "a Go template that could not be read as YAML even tolerantly; its evidence was skipped (looked like {detector}): {}",
                            err.message
                        ),
                    )
                    .at(file.path.as_str(), err.pos),
                );
                None
            }
        };
    }
    let nodes = file.yaml(detector)?;
    Some(Documents {
        nodes: Cow::Borrowed(nodes),
        templated: file.is_templated(),
    })
}

/// The YAML documents held in a string of another YAML document (a rule file in a
/// ConfigMap, an Alertmanager configuration in a Secret), with their positions mapped to
/// the outer file (see [`yaml::parse_embedded`]). When they are not valid YAML, an
/// `invalid-embedded-yaml` error says that `what` (`"the rule file"`) held under the key
/// is broken and that `skipped` (`"its rules were"`) skipped, and nothing is returned.
pub(crate) fn embedded_yaml(
    file_text: &str,
    path: &str,
    key: &Node,
    value: &Node,
    what: &str,
    skipped: &str,
    out: &mut Collector,
) -> Vec<Node> {
    yaml::parse_embedded(file_text, key, value).unwrap_or_else(|err| {
        out.diagnostic(
            Diagnostic::new(
                Severity::Error,
                "invalid-embedded-yaml",
                format!(
                    "{what} held in `{}` is not valid YAML; {skipped} skipped: {}",
                    key.scalar_text().unwrap_or_default(),
                    err.message
                ),
            )
            .at(path, err.pos),
        );
        Vec::new()
    })
}

/// A map switched off with `enabled: false` (a Helm values section for a component that
/// is not deployed): what it configures is not in effect.
pub(crate) fn is_disabled(node: &Node) -> bool {
    node.get("enabled").and_then(Node::as_bool) == Some(false)
}

/// The `kind:` of a Kubernetes-style document.
pub(crate) fn kind(node: &Node) -> Option<&str> {
    node.get("kind").and_then(Node::as_str)
}

/// A scalar as trimmed text; `None` when missing or empty.
pub(crate) fn text_of(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod meta_tests {
    #[test]
    fn watchdogs_and_inhibitions_are_meta_alerts() {
        assert!(super::is_meta_alert("Watchdog", "vector(1)"));
        assert!(super::is_meta_alert("InhibitionKubeletDown", "up == 0"));
        assert!(super::is_meta_alert("PrometheusAlive", " vector( 1 ) "));
        assert!(!super::is_meta_alert("KubeletDown", "up == 0"));
        assert!(!super::is_meta_alert("HeartbeatMissing", "absent(up)"));
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    pub(crate) use crate::evidence::testing::{
        detect_files_with as run, detect_fixture_with as run_fixture,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_annotations_fill_the_alert() {
        let doc = &yaml::parse_documents(
            "labels:\n  severity: ' critical '\n  runbook: https://wiki/x\nannotations:\n  summary: ' '\n  message: Disk full\n",
        )
        .unwrap()[0];
        let mut alert = new_alert("A".into(), "prometheus-rules", Source::new("a.yaml", None));
        let labels = string_map(doc.get("labels"));
        set_labels_and_annotations(&mut alert, labels, string_map(doc.get("annotations")));
        assert_eq!(alert.summary.as_deref(), Some("Disk full"));
        assert_eq!(alert.severity.as_deref(), Some("critical"));
        assert_eq!(alert.runbook_url.as_deref(), Some("https://wiki/x"));
        assert_eq!(alert.description, None);
        assert_eq!(alert.labels.len(), 2);
        assert_eq!(alert.annotations.len(), 2);
        assert!(string_map(None).is_empty());
    }

    #[test]
    fn bracket_delimited_actions_are_recognised() {
        assert!(BRACKET_ACTION.is_match("[[- if .ProxyURL ]]"));
        assert!(BRACKET_ACTION.is_match("key: [[ .OpsgenieKey ]]"));
        assert!(!BRACKET_ACTION.is_match("expr: rate(x[5m])"));
        assert!(BRACKET_ACTION.is_match("x: [[ . ]]"));
        assert!(!BRACKET_ACTION.is_match("matrix: [[1, 2], [3, 4]]"));
        assert!(!BRACKET_ACTION.is_match("weights: [[.5, 1], [.25, 2]]"));
    }

    #[test]
    fn string_literal_actions_holding_templates_are_rewritten() {
        let text = "a: \"https://am.{{ .Values.domain }}/?r={{ \"{{ .Receiver | urlquery }}\" }}\"\nb: '{{`x {{ $labels.pod }}`}}'\nc: {{ \"plain\" }}\n";
        let rewritten = rewrite_template(text).expect("rewritten");
        assert_eq!(
            rewritten,
            "a: \"https://am.{{ .Values.domain }}/?r=TEMPLATED\"\nb: 'TEMPLATED'\nc: {{ \"plain\" }}\n"
        );
        let docs = yaml::parse_templated(&rewritten).unwrap();
        assert_eq!(docs[0].get("b").unwrap().as_str(), Some("TEMPLATED"));
        assert_eq!(rewrite_template("a: {{ .Values.x }}\n"), None);
    }
}
