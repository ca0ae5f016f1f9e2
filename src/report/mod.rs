//! The report of one repository, and its renderings (one file per output format).
//!
//! The report is plain data, serialisable both ways (baselines and org merges read saved
//! reports back); `opready schema report` prints its JSON Schema, generated from these
//! types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::baseline::BaselineComparison;
use crate::diagnostic::Diagnostic;
use crate::eval::{Finding, Status};

pub mod human;
pub mod json;

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
