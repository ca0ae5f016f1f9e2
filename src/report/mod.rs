//! The report of one repository, and its renderings (one file per output format).
//!
//! The report is plain data, serialisable both ways (baselines and org merges read saved
//! reports back); `opready schema report` prints its JSON Schema, generated from these
//! types.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::baseline::BaselineComparison;
use crate::diagnostic::Diagnostic;
use crate::eval::{Finding, Status};

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

/// Version of the JSON report layout. Bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The readiness report of one repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "opready report")]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub repository: RepositoryInfo,
    pub service: ServiceInfo,
    pub policy: PolicyInfo,
    pub summary: Summary,
    /// One entry per activity of the pack, in pack order.
    pub activities: Vec<ActivityReport>,
    /// What opready recognised, counted per evidence list and format.
    pub evidence: EvidenceSummary,
    /// Files that could not be read or parsed, and other input problems, sorted by path.
    pub diagnostics: Vec<Diagnostic>,
    /// The comparison with a baseline (`check --baseline FILE`); absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineComparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepositoryInfo {
    /// The path as given on the command line, with `/` separators.
    pub path: String,
}

/// Who the service is, and where each fact came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceInfo {
    pub name: String,
    /// `.opready.yaml`, the `catalog-info.yaml` path, or `folder name`.
    pub name_source: String,
    pub owner: Option<String>,
    pub owner_source: Option<String>,
    /// Tier key of the pack (`"1"`), when known.
    pub tier: Option<String>,
    /// `--tier`, `.opready.yaml`, the `catalog-info.yaml` path (a tier annotation or
    /// label), or `catalog-info.yaml (spec.lifecycle: production)` when the pack maps the
    /// catalog lifecycle to a tier.
    pub tier_source: Option<String>,
    /// Whether opready treats the repository as a deployable service.
    pub deployable: bool,
    pub deployable_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyInfo {
    pub name: String,
    /// `built-in` or the pack file's path.
    pub origin: String,
    /// Level names from level 1 upwards.
    pub levels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Every activity with a target meets it (the gate passes).
    pub met: bool,
    /// Ids of activities below their target.
    pub below_target: Vec<String>,
    /// Number of criteria per status.
    pub criteria: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityReport {
    pub id: String,
    pub title: String,
    /// Level reached; `null` when no criterion of the activity applies.
    pub level: Option<u8>,
    pub level_name: Option<String>,
    pub max_level: u8,
    /// Target level, when one is set (tier, `.opready.yaml` or `--require`).
    pub target: Option<u8>,
    /// Where the target came from.
    pub target_source: Option<String>,
    /// The level meets the target (true when there is no target or nothing applies).
    pub met: bool,
    /// At least one criterion applies to this repository.
    pub applicable: bool,
    /// Why nothing applies, when `applicable` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable_reason: Option<String>,
    /// Management 3.0 delegation target of the activity.
    pub delegation: String,
    /// The next level, when not at the maximum.
    pub next_level: Option<u8>,
    /// Ids of the failing criteria that block the next level.
    pub blockers: Vec<String>,
    pub criteria: Vec<CriterionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionReport {
    pub id: String,
    pub level: u8,
    pub status: Status,
    pub title: String,
    /// Why the criterion does not apply, or why it is waived.
    pub reason: Option<String>,
    pub why: String,
    pub fix: String,
    /// Who does the work: `product-team`, `central-team`, `shared`.
    pub owner: String,
    pub delegation: String,
    /// Where the criterion is defined, `file:line`.
    pub defined_at: String,
    pub findings: Vec<Finding>,
}

/// Counts of the evidence found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EvidenceSummary {
    /// Files considered (after ignores) and files opened.
    pub files: u32,
    pub files_read: u32,
    /// Per evidence list: items found and how many of each format (or kind, system,
    /// tool, provider). Items in example folders are included and counted separately.
    pub kinds: BTreeMap<String, KindCount>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct KindCount {
    pub count: u32,
    /// Items in example, sample or fixture folders (not counted by criteria).
    pub examples: u32,
    pub formats: BTreeMap<String, u32>,
}

impl Report {
    /// Whether the gate passes: with a baseline, nothing regressed against it; without
    /// one, every activity meets its target.
    pub fn gate_passed(&self) -> bool {
        match &self.baseline {
            Some(baseline) => baseline.passed,
            None => self.summary.met,
        }
    }

    pub fn activity(&self, id: &str) -> Option<&ActivityReport> {
        self.activities.iter().find(|a| a.id == id)
    }
}

impl ActivityReport {
    pub fn criterion(&self, id: &str) -> Option<&CriterionReport> {
        self.criteria.iter().find(|c| c.id == id)
    }
}

/// How much a failing (or waived) criterion matters to the gate; drives the severity of
/// SARIF results, GitHub annotations and JUnit failures alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// It keeps its activity below the target: the gate fails because of it.
    BelowTarget,
    /// Not required, but it blocks the activity's next level.
    NextLevel,
    /// Not required, and above the next level.
    HigherLevel,
}

impl Impact {
    /// The impact of a criterion; for a waived one, the impact it would have if the waiver
    /// lapsed (its activity meets the target only thanks to the waiver).
    pub fn of(activity: &ActivityReport, criterion: &CriterionReport) -> Impact {
        let required = activity.target.is_some_and(|t| criterion.level <= t);
        let below_target = match criterion.status {
            Status::Waived => required,
            _ => required && !activity.met,
        };
        if below_target {
            Impact::BelowTarget
        } else if activity
            .next_level
            .is_none_or(|next| criterion.level <= next)
        {
            Impact::NextLevel
        } else {
            Impact::HigherLevel
        }
    }

    /// The SARIF `level` (and GitHub annotation severity) of the impact.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Impact::BelowTarget => "error",
            Impact::NextLevel => "warning",
            Impact::HigherLevel => "note",
        }
    }

    /// Kebab-case name, as shown in JUnit failure types.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::BelowTarget => "below-target",
            Impact::NextLevel => "blocks-next-level",
            Impact::HigherLevel => "blocks-higher-level",
        }
    }
}

/// Where the rated repository sits in the checkout a CI system knows, for outputs that
/// CI reads (SARIF, annotations, Markdown links): they must name files from the checkout
/// root, which differs from the report's repository-relative paths when a subfolder of a
/// monorepo is rated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkout {
    /// The repository's folder below the checkout root, `/`-separated, without leading or
    /// trailing `/`; empty when the repository is the checkout root.
    pub prefix: String,
    /// Base URL of the checkout's files at the commit checked, without a trailing `/`,
    /// e.g. `https://github.com/acme/checkout/blob/<sha>`.
    pub browse_url: Option<String>,
}

impl Checkout {
    /// The repository at `repo` inside the checkout at `root`, browsable at `browse_url`.
    /// A repository outside the checkout keeps repository-relative paths and no links.
    pub fn locate(repo: &Path, root: &Path, browse_url: Option<String>) -> Checkout {
        let prefix = (|| {
            let root = std::fs::canonicalize(root).ok()?;
            let repo = std::fs::canonicalize(repo).ok()?;
            let rel = repo.strip_prefix(&root).ok()?;
            let parts: Option<Vec<&str>> =
                rel.components().map(|c| c.as_os_str().to_str()).collect();
            Some(parts?.join("/"))
        })();
        match prefix {
            Some(prefix) => Checkout { prefix, browse_url },
            None => Checkout::default(),
        }
    }

    /// A repository-relative path as a path from the checkout root.
    pub fn path(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        match (self.prefix.is_empty(), path.is_empty()) {
            (true, _) => path.to_string(),
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{path}", self.prefix),
        }
    }

    /// A link to a repository-relative file (and line), when the checkout is browsable.
    pub fn link(&self, path: &str, line: Option<u32>) -> Option<String> {
        let base = self.browse_url.as_ref()?;
        let mut url = format!("{base}/{}", percent_encode_path(&self.path(path)));
        if let Some(line) = line {
            url.push_str(&format!("#L{line}"));
        }
        Some(url)
    }
}

/// Percent-encodes a `/`-separated path for use in a URI: everything but unreserved
/// characters and `/` (RFC 3986), so spaces, `#`, `?`, `%` and non-ASCII names survive.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Counts items per list and per format from the evidence document.
pub fn summarize_evidence(
    evidence: &serde_json::Value,
    files: u32,
    files_read: u32,
) -> EvidenceSummary {
    let mut kinds = BTreeMap::new();
    if let Some(map) = evidence.as_object() {
        for (name, list) in map {
            let Some(items) = list.as_array() else {
                continue;
            };
            let mut count = KindCount::default();
            for item in items {
                count.count += 1;
                if item.pointer("/source/example") == Some(&serde_json::Value::Bool(true)) {
                    count.examples += 1;
                }
                let format = ["format", "system", "tool", "provider", "kind"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(|v| v.as_str()));
                if let Some(format) = format {
                    *count.formats.entry(format.to_string()).or_insert(0) += 1;
                }
            }
            kinds.insert(name.clone(), count);
        }
    }
    EvidenceSummary {
        files,
        files_read,
        kinds,
    }
}

/// A small report with every status and an input problem, for the renderers' unit tests.
#[cfg(test)]
pub(crate) fn test_report() -> Report {
    use crate::diagnostic::Position;

    fn criterion(id: &str, level: u8, status: Status, title: &str) -> CriterionReport {
        CriterionReport {
            id: id.into(),
            level,
            status,
            title: title.into(),
            reason: None,
            why: format!("Why {id} matters."),
            fix: format!("Fix {id}."),
            owner: "product-team".into(),
            delegation: "inquire".into(),
            defined_at: "builtin:policies/x.yaml:1".into(),
            findings: Vec::new(),
        }
    }
    fn activity(id: &str, title: &str, level: Option<u8>, target: Option<u8>) -> ActivityReport {
        ActivityReport {
            id: id.into(),
            title: title.into(),
            level,
            level_name: level
                .map(|l| ["Ad hoc", "Defined", "Best practice"][l as usize - 1].into()),
            max_level: 3,
            target,
            target_source: target.map(|_| "tier 1".into()),
            met: true,
            applicable: level.is_some(),
            not_applicable_reason: None,
            delegation: "inquire".into(),
            next_level: level.filter(|l| *l < 3).map(|l| l + 1),
            blockers: Vec::new(),
            criteria: Vec::new(),
        }
    }

    let mut slo_defined = criterion(
        "slo-defined",
        2,
        Status::Fail,
        "At least one SLO is defined",
    );
    slo_defined.fix = "Add an SLO for the most important user journey.".into();
    slo_defined.findings.push(Finding {
        message: "no SLOs found; looked for OpenSLO (`apiVersion: openslo/v1`)".into(),
        fingerprint: "00000000000000aa".into(),
        ..Finding::default()
    });
    let mut burn = criterion(
        "slo-burn-rate-alerting",
        3,
        Status::Fail,
        "Burn-rate alerts",
    );
    burn.findings.push(Finding {
        message: "nothing alerts on burn rate".into(),
        fingerprint: "00000000000000bb".into(),
        ..Finding::default()
    });
    let mut slo = activity("slo", "SLI/SLO", Some(1), Some(2));
    slo.met = false;
    slo.blockers = vec!["slo-defined".into()];
    slo.criteria = vec![slo_defined, burn];

    let mut severity = criterion(
        "alerts-have-severity",
        2,
        Status::Waived,
        "Every alert has a severity",
    );
    severity.reason =
        Some("waived until 2099-12-31 by @acme/sre: rules move to the platform".into());
    severity.findings.push(Finding {
        message: "alert `Foo,bar: 100% <b>|x</b>`: `severity` is missing\nsecond line".into(),
        fingerprint: "00000000000000cc".into(),
        path: Some("monitoring/my rules.yaml".into()),
        line: Some(12),
        column: Some(7),
    });
    let mut runbook = criterion(
        "paging-alerts-have-runbook",
        3,
        Status::NotApplicable,
        "Every paging alert links a runbook",
    );
    runbook.reason = Some("nothing to check: no paging alerts".into());
    let mut monitoring = activity("monitoring", "Monitoring & alerting", Some(2), None);
    monitoring.criteria = vec![
        criterion(
            "alerts-defined",
            2,
            Status::Pass,
            "Alert rules are defined as code",
        ),
        severity,
        runbook,
    ];

    let mut tags = criterion(
        "cost-tags",
        2,
        Status::NotApplicable,
        "Cloud resources carry cost tags",
    );
    tags.reason =
        Some("the activity applies only when the repository has infrastructure as code".into());
    let mut cost = activity("cost", "Cost management", None, Some(2));
    cost.not_applicable_reason =
        Some("applies only when the repository has infrastructure as code".into());
    cost.criteria = vec![tags];

    Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "opready".into(),
            version: "0.1.0".into(),
        },
        repository: RepositoryInfo {
            path: "services/checkout".into(),
        },
        service: ServiceInfo {
            name: "checkout".into(),
            name_source: ".opready.yaml".into(),
            owner: Some("@acme/payments".into()),
            owner_source: Some(".github/CODEOWNERS".into()),
            tier: Some("1".into()),
            tier_source: Some(".opready.yaml".into()),
            deployable: true,
            deployable_reason: "it has a Dockerfile".into(),
        },
        policy: PolicyInfo {
            name: "opready-builtin".into(),
            origin: "built-in".into(),
            levels: vec!["Ad hoc".into(), "Defined".into(), "Best practice".into()],
        },
        summary: Summary {
            met: false,
            below_target: vec!["slo".into()],
            criteria: BTreeMap::from([
                ("fail".into(), 2),
                ("not-applicable".into(), 2),
                ("pass".into(), 1),
                ("waived".into(), 1),
            ]),
        },
        activities: vec![slo, monitoring, cost],
        evidence: EvidenceSummary::default(),
        diagnostics: vec![
            Diagnostic::new(
                crate::diagnostic::Severity::Error,
                "invalid-yaml",
                "invalid YAML; its evidence was skipped: unclosed bracket",
            )
            .at("monitoring/broken.yaml", Some(Position::new(3, 5))),
        ],
        baseline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_paths_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("services/check out");
        std::fs::create_dir_all(&repo).unwrap();
        let url = Some("https://github.com/acme/shop/blob/abc".to_string());
        let checkout = Checkout::locate(&repo, dir.path(), url.clone());
        assert_eq!(checkout.prefix, "services/check out");
        assert_eq!(checkout.path("a/b.yaml"), "services/check out/a/b.yaml");
        assert_eq!(
            checkout.link("a/b#1.yaml", Some(3)).unwrap(),
            "https://github.com/acme/shop/blob/abc/services/check%20out/a/b%231.yaml#L3"
        );
        let root = Checkout::locate(dir.path(), dir.path(), url.clone());
        assert_eq!(root.path("a.yaml"), "a.yaml");
        // Outside the checkout: as the report says, and no links.
        let outside = Checkout::locate(dir.path(), &repo, url);
        assert_eq!(outside, Checkout::default());
        assert_eq!(outside.link("a.yaml", None), None);
    }

    #[test]
    fn impacts() {
        let report = test_report();
        let slo = &report.activities[0];
        assert_eq!(Impact::of(slo, &slo.criteria[0]), Impact::BelowTarget);
        assert_eq!(Impact::of(slo, &slo.criteria[1]), Impact::HigherLevel);
        let monitoring = &report.activities[1];
        assert_eq!(
            Impact::of(monitoring, &monitoring.criteria[1]),
            Impact::NextLevel
        );
    }
}
