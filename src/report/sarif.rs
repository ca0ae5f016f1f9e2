//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One rule per criterion of the pack; one result per finding of every failing criterion
//! (an expired waiver fails, with the expiry as its first finding) and of every waived
//! one, the latter with an `external` suppression carrying the waiver. Input problems
//! (unreadable files) are tool execution notifications.
//!
//! Severity (`level`): `error` when the criterion keeps its activity below the target,
//! `warning` when it only blocks the activity's next level, `note` when it blocks a
//! higher level, and `note` for waived results (GitHub code scanning does not honour
//! suppressions, so a waived result must not show up as an error there).
//!
//! GitHub rejects a whole upload if one result has no location with a file. Findings
//! about the repository as a whole ("no SLOs found") are anchored at line 1 of the
//! repository's configuration file, where targets and waivers live (`.opready.yaml`),
//! or at its README when it has no configuration; [`anchor_for`] picks the file.
//!
//! The log is a small typed model of the part of SARIF opready writes, serialised with
//! serde and validated against the official schema in the tests.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{Finding, Status};
use crate::report::{
    ActivityReport, Checkout, CriterionReport, Impact, Report, percent_encode_path,
};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Key of opready's fingerprint in `partialFingerprints` (line-independent, see
/// `eval::fingerprint`).
pub const FINGERPRINT_KEY: &str = "opready/v1";
/// SARIF's conventional base for paths relative to the source root.
const SRCROOT: &str = "%SRCROOT%";

/// What the renderer needs besides the report.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions {
    /// Where the repository sits in the checkout (URIs are from the checkout root).
    pub checkout: Checkout,
    /// Repository-relative file that locates findings about the repository as a whole.
    pub anchor: String,
}

/// Files that can anchor repository-wide findings, most fitting first.
const ANCHORS: &[&str] = &[
    ".opready.yaml",
    ".opready.yml",
    "catalog-info.yaml",
    "README.md",
    "readme.md",
    "README",
];

/// The anchor for repository-wide findings in the repository at `root`: the first of
/// [`ANCHORS`] that is a regular file there, else `.opready.yaml` (GitHub accepts a file
/// that does not exist; it shows the alert without a preview).
pub fn anchor_for(root: &Path) -> String {
    ANCHORS
        .iter()
        .find(|name| std::fs::symlink_metadata(root.join(name)).is_ok_and(|meta| meta.is_file()))
        .unwrap_or(&ANCHORS[0])
        .to_string()
}

pub fn render(report: &Report, options: &SarifOptions) -> String {
    let log = build(report, options);
    let mut text =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn build(report: &Report, options: &SarifOptions) -> Log {
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for activity in &report.activities {
        for criterion in &activity.criteria {
            let index = rules.len();
            rules.push(rule(activity, criterion));
            if matches!(criterion.status, Status::Fail | Status::Waived) {
                for finding in &criterion.findings {
                    results.push(result(activity, criterion, index, finding, options));
                }
            }
        }
    }
    // One descriptor per diagnostic code of the run, documented from the catalogue
    // (`opready explain CODE`); notifications point at theirs by index.
    let mut codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let descriptors: Vec<NotificationDescriptor> = codes
        .iter()
        .map(|code| notification_descriptor(code))
        .collect();
    let notifications = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = codes.binary_search(&d.code.as_str()).unwrap_or_default();
            notification(d, index, &options.checkout)
        })
        .collect();
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    rules,
                    notifications: descriptors,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                service: report.service.name.clone(),
                tier: report.service.tier.clone(),
                policy: report.policy.name.clone(),
                met: report.summary.met,
                below_target: report.summary.below_target.clone(),
            },
        }],
    }
}

fn rule(activity: &ActivityReport, criterion: &CriterionReport) -> Rule {
    let why = criterion.why.trim();
    let fix = criterion.fix.trim();
    Rule {
        id: criterion.id.clone(),
        name: pascal_case(&criterion.id),
        short_description: Text::new(criterion.title.clone()),
        full_description: Text::new(why.to_string()),
        help: Help {
            text: format!(
                "{why}\n\nFix: {fix}\n\nMore: opready explain {}",
                criterion.id
            ),
            markdown: format!(
                "{why}\n\n**Fix:** {fix}\n\nMore: `opready explain {}`",
                criterion.id
            ),
        },
        default_configuration: Configuration { level: "warning" },
        properties: RuleProperties {
            activity: activity.id.clone(),
            level: criterion.level,
            owner: criterion.owner.clone(),
            delegation: criterion.delegation.clone(),
            tags: vec!["opready".to_string(), activity.id.clone()],
        },
    }
}

fn result(
    activity: &ActivityReport,
    criterion: &CriterionReport,
    rule_index: usize,
    finding: &Finding,
    options: &SarifOptions,
) -> SarifResult {
    let waived = criterion.status == Status::Waived;
    let impact = Impact::of(activity, criterion);
    let level = if waived { "note" } else { impact.sarif_level() };
    let (path, line, column) = match &finding.path {
        Some(path) => (path.as_str(), finding.line, finding.column),
        None => (options.anchor.as_str(), None, None),
    };
    let mut partial_fingerprints = BTreeMap::new();
    if !finding.fingerprint.is_empty() {
        partial_fingerprints.insert(FINGERPRINT_KEY, finding.fingerprint.clone());
    }
    let suppressions = match (&criterion.reason, waived) {
        (Some(reason), true) => vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: reason.clone(),
        }],
        _ => Vec::new(),
    };
    SarifResult {
        rule_id: criterion.id.clone(),
        rule_index,
        level,
        message: Text::new(finding.message.clone()),
        locations: vec![location(&options.checkout, path, line, column)],
        partial_fingerprints,
        suppressions,
        properties: ResultProperties {
            activity: activity.id.clone(),
            activity_level: activity.level,
            target: activity.target,
            criterion_level: criterion.level,
            impact: impact.as_str(),
            repository_wide: finding.path.is_none(),
        },
    }
}

/// A diagnostic code as a SARIF reporting descriptor: its catalogue title, meaning and
/// what to do; a code missing from the catalogue (a test forbids it) gets its id alone.
fn notification_descriptor(code: &str) -> NotificationDescriptor {
    let doc = crate::diagnostic::codes::lookup(code);
    NotificationDescriptor {
        id: code.to_string(),
        short_description: doc.map(|d| Text::new(d.title.to_string())),
        full_description: doc.map(|d| Text::new(d.meaning.to_string())),
        help: doc.map(|d| Help {
            text: format!("{}\n\nMore: opready explain {code}", d.action),
            markdown: format!("{}\n\nMore: `opready explain {code}`", d.action),
        }),
    }
}

fn notification(d: &Diagnostic, index: usize, checkout: &Checkout) -> Notification {
    Notification {
        level: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
        message: Text::new(d.message.clone()),
        descriptor: Descriptor {
            id: d.code.clone(),
            index,
        },
        locations: d
            .path
            .as_deref()
            .map(|p| vec![location(checkout, p, d.line, d.column)])
            .unwrap_or_default(),
    }
}

/// A location in a file. A file-level finding gets line 1: GitHub places an alert only
/// with a start line.
fn location(checkout: &Checkout, path: &str, line: Option<u32>, column: Option<u32>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: percent_encode_path(&checkout.path(path)),
                uri_base_id: SRCROOT,
            },
            region: Region {
                start_line: line.filter(|l| *l > 0).unwrap_or(1),
                start_column: column.filter(|c| *c > 0 && line.is_some()),
            },
        },
    }
}

/// `slo-defined` → `SloDefined`: SARIF's rule `name` is an identifier in that style.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The SARIF model (the subset opready writes).

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
    properties: RunProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    service: String,
    tier: Option<String>,
    policy: String,
    met: bool,
    below_target: Vec<String>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notifications: Vec<NotificationDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: String) -> Self {
        Text { text }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    activity: String,
    level: u8,
    owner: String,
    delegation: String,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationDescriptor {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    activity: String,
    /// Level the activity reached (`null` when nothing applies).
    activity_level: Option<u8>,
    target: Option<u8>,
    criterion_level: u8,
    impact: &'static str,
    /// The finding is about the repository as a whole; its location is the anchor file.
    repository_wide: bool,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_report;

    /// The official schema, from `../shared/schemas` beside the repository.
    fn schema() -> Option<serde_json::Value> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(serde_json::from_str(&text).unwrap()),
            Err(_) => {
                eprintln!(
                    "skipped: the SARIF schema is not at {}; SARIF output not validated",
                    path.display()
                );
                None
            }
        }
    }

    fn options() -> SarifOptions {
        SarifOptions {
            checkout: Checkout {
                prefix: "services/checkout".into(),
                browse_url: None,
            },
            anchor: ".opready.yaml".into(),
        }
    }

    fn log() -> serde_json::Value {
        serde_json::from_str(&render(&test_report(), &options())).unwrap()
    }

    #[test]
    fn validates_against_the_official_schema() {
        let Some(schema) = schema() else { return };
        let validator = jsonschema::validator_for(&schema).unwrap();
        let log = log();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // The schema does bite: a level SARIF does not know is refused.
        let mut wrong = log.clone();
        wrong["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(!validator.is_valid(&wrong));
    }

    #[test]
    fn one_rule_per_criterion_and_results_for_failing_and_waived_findings() {
        let log = log();
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "slo-defined",
                "slo-burn-rate-alerting",
                "alerts-defined",
                "alerts-have-severity",
                "paging-alerts-have-runbook",
                "cost-tags"
            ]
        );
        assert_eq!(rules[0]["name"], "SloDefined");
        assert_eq!(
            rules[0]["shortDescription"]["text"],
            "At least one SLO is defined"
        );
        assert_eq!(rules[0]["properties"]["activity"], "slo");
        assert!(
            rules[0]["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("**Fix:** Add an SLO")
        );

        let results = run["results"].as_array().unwrap();
        let summary: Vec<(&str, &str, usize)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap(),
                    r["level"].as_str().unwrap(),
                    r["ruleIndex"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("slo-defined", "error", 0),
                ("slo-burn-rate-alerting", "note", 1),
                ("alerts-have-severity", "note", 3),
            ]
        );
    }

    #[test]
    fn locations_are_from_the_checkout_root_and_repository_wide_findings_are_anchored() {
        let log = log();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let located = &results[2]["locations"][0]["physicalLocation"];
        assert_eq!(
            located["artifactLocation"]["uri"],
            "services/checkout/monitoring/my%20rules.yaml"
        );
        assert_eq!(located["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(located["region"]["startLine"], 12);
        assert_eq!(located["region"]["startColumn"], 7);
        let anchored = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(
            anchored["artifactLocation"]["uri"],
            "services/checkout/.opready.yaml"
        );
        assert_eq!(anchored["region"]["startLine"], 1);
        assert!(anchored["region"].get("startColumn").is_none());
        assert_eq!(results[0]["properties"]["repositoryWide"], true);
        assert_eq!(
            results[0]["partialFingerprints"]["opready/v1"],
            "00000000000000aa"
        );
        assert_eq!(results[0]["properties"]["target"], 2);
        assert_eq!(results[0]["properties"]["activityLevel"], 1);
    }

    #[test]
    fn waived_results_carry_the_waiver_as_an_external_suppression() {
        let log = log();
        let waived = &log["runs"][0]["results"][2];
        assert_eq!(waived["ruleId"], "alerts-have-severity");
        assert_eq!(waived["suppressions"][0]["kind"], "external");
        assert_eq!(
            waived["suppressions"][0]["justification"],
            "waived until 2099-12-31 by @acme/sre: rules move to the platform"
        );
        assert!(log["runs"][0]["results"][0].get("suppressions").is_none());
    }

    #[test]
    fn diagnostics_are_tool_execution_notifications() {
        let log = log();
        let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
        assert_eq!(notes[0]["descriptor"]["id"], "invalid-yaml");
        assert_eq!(notes[0]["descriptor"]["index"], 0);
        assert_eq!(notes[0]["level"], "error");
        // The descriptor documents the code, as `opready explain invalid-yaml` does.
        let descriptor = &log["runs"][0]["tool"]["driver"]["notifications"][0];
        assert_eq!(descriptor["id"], "invalid-yaml");
        let doc = crate::diagnostic::codes::lookup("invalid-yaml").unwrap();
        assert_eq!(descriptor["shortDescription"]["text"], doc.title);
        assert!(
            descriptor["help"]["text"]
                .as_str()
                .unwrap()
                .ends_with("More: opready explain invalid-yaml")
        );
        assert_eq!(
            notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/checkout/monitoring/broken.yaml"
        );
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn anchors_prefer_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(anchor_for(dir.path()), ".opready.yaml");
        std::fs::write(dir.path().join("README.md"), "# x\n").unwrap();
        assert_eq!(anchor_for(dir.path()), "README.md");
        std::fs::write(dir.path().join(".opready.yml"), "tier: 1\n").unwrap();
        assert_eq!(anchor_for(dir.path()), ".opready.yml");
    }

    #[test]
    fn rule_names() {
        assert_eq!(
            pascal_case("paging-alerts-have-runbook"),
            "PagingAlertsHaveRunbook"
        );
        assert_eq!(pascal_case("x"), "X");
    }
}
