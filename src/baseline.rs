//! Baselines: ratchet a repository from where it stands today.
//!
//! A baseline is a saved JSON report (`opready baseline write`). `opready check
//! --baseline FILE` compares the current report with it and fails only on a regression:
//! an activity's level dropped, a criterion that held (passed, did not apply, or was
//! waived) now fails, or a failing criterion has a finding whose fingerprint the baseline
//! does not hold. Everything else — targets not met, known findings — is accepted.
//!
//! The baseline is read leniently, so one written by another opready version or pack
//! still loads: unknown fields are ignored, and only activity ids and levels, criterion
//! ids and statuses, and finding fingerprints are used. A criterion the baseline does not
//! know (a new criterion of the pack) is judged as new: if it fails, that is a
//! regression, and each of its findings is new.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eval::{self, Finding, Status};
use crate::report::Report;

/// The baseline file written and read by default, at the repository root.
pub const DEFAULT_FILE: &str = ".opready-baseline.json";

/// Largest baseline file read (a report of a large repository is a few hundred KiB).
const MAX_BASELINE_SIZE: u64 = 64 * 1024 * 1024;

/// A saved report, as much of it as a comparison needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Baseline {
    #[serde(default)]
    tool: Option<SavedTool>,
    #[serde(default)]
    policy: Option<SavedPolicy>,
    activities: Vec<SavedActivity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SavedTool {
    #[serde(default)]
    version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SavedPolicy {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SavedActivity {
    id: String,
    #[serde(default)]
    level: Option<u8>,
    #[serde(default)]
    criteria: Vec<SavedCriterion>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SavedCriterion {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    findings: Vec<Finding>,
}

impl Baseline {
    /// Parses a saved JSON report.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        serde_json::from_str(text).map_err(|e| format!("not an opready JSON report: {e}"))
    }

    /// Reads a baseline file; the error is a complete sentence for the user.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| {
            format!(
                "cannot read the baseline {shown}: {e}; write one with `opready baseline write`"
            )
        })?;
        if !meta.is_file() {
            return Err(format!("the baseline {shown} is not a file"));
        }
        if meta.len() > MAX_BASELINE_SIZE {
            return Err(format!(
                "the baseline {shown} is larger than {} MiB",
                MAX_BASELINE_SIZE / 1024 / 1024
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {shown}: {e}"))?;
        Baseline::parse(&text).map_err(|e| format!("the baseline {shown} is {e}"))
    }

    fn criteria(&self) -> BTreeMap<&str, &SavedCriterion> {
        self.activities
            .iter()
            .flat_map(|a| &a.criteria)
            .map(|c| (c.id.as_str(), c))
            .collect()
    }
}

impl SavedCriterion {
    /// The saved status; `None` for a status this version does not know.
    fn status(&self) -> Option<Status> {
        [
            Status::Pass,
            Status::Fail,
            Status::NotApplicable,
            Status::Waived,
        ]
        .into_iter()
        .find(|s| s.as_str() == self.status)
    }

    /// Fingerprints of the saved findings; computed for reports that predate them.
    fn fingerprints(&self) -> BTreeSet<String> {
        self.findings
            .iter()
            .map(|f| {
                if f.fingerprint.is_empty() {
                    eval::fingerprint(&self.id, f)
                } else {
                    f.fingerprint.clone()
                }
            })
            .collect()
    }
}

/// The report compared with a baseline: the `baseline` section of the report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct BaselineComparison {
    /// The baseline file as given on the command line.
    pub file: String,
    /// The opready version that wrote the baseline, when it says.
    pub tool_version: Option<String>,
    /// The policy pack the baseline was written with, when it says.
    pub policy: Option<String>,
    /// Nothing regressed. With `--baseline` this, not the targets, decides the exit code.
    pub passed: bool,
    /// What got worse; any entry fails the check.
    pub regressions: BaselineChanges,
    /// What got better (never fails the check).
    pub improvements: BaselineChanges,
}

/// Changes of one direction, in pack order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct BaselineChanges {
    /// Activities whose level dropped (regressions) or rose (improvements). An activity
    /// that applies in only one of the two reports is not compared.
    pub levels: Vec<LevelChange>,
    /// Criteria that now fail but held in the baseline, or are not in it (regressions);
    /// criteria that failed in the baseline and now pass or do not apply (improvements).
    pub criteria: Vec<CriterionChange>,
    /// Findings of failing criteria whose fingerprint the baseline does not hold
    /// (regressions); findings of the baseline that are gone (improvements: fixed).
    pub findings: Vec<FindingChange>,
}

impl BaselineChanges {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty() && self.criteria.is_empty() && self.findings.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LevelChange {
    pub activity: String,
    pub from: u8,
    pub to: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionChange {
    pub activity: String,
    pub criterion: String,
    /// Status in the baseline; `null` when the baseline does not know the criterion.
    pub from: Option<Status>,
    pub to: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindingChange {
    pub activity: String,
    pub criterion: String,
    pub fingerprint: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl FindingChange {
    fn new(activity: &str, criterion: &str, fingerprint: String, f: &Finding) -> Self {
        FindingChange {
            activity: activity.to_string(),
            criterion: criterion.to_string(),
            fingerprint,
            message: f.message.clone(),
            path: f.path.clone(),
            line: f.line,
        }
    }
}

/// Compares a report with a baseline; `file` names the baseline in the result.
pub fn compare(baseline: &Baseline, file: &str, report: &Report) -> BaselineComparison {
    let saved = baseline.criteria();
    let mut regressions = BaselineChanges::default();
    let mut improvements = BaselineChanges::default();
    for activity in &report.activities {
        let before = baseline
            .activities
            .iter()
            .find(|a| a.id == activity.id)
            .and_then(|a| a.level);
        if let (Some(from), Some(to)) = (before, activity.level) {
            let change = LevelChange {
                activity: activity.id.clone(),
                from,
                to,
            };
            if to < from {
                regressions.levels.push(change);
            } else if to > from {
                improvements.levels.push(change);
            }
        }
        for criterion in &activity.criteria {
            // Criteria are found by id anywhere in the baseline: a pack may move one to
            // another activity.
            let old = saved.get(criterion.id.as_str()).copied();
            let from = old.and_then(SavedCriterion::status);
            let change = CriterionChange {
                activity: activity.id.clone(),
                criterion: criterion.id.clone(),
                from,
                to: criterion.status,
            };
            match (from, criterion.status) {
                (Some(Status::Fail), Status::Fail) => {}
                (_, Status::Fail) => regressions.criteria.push(change),
                (Some(Status::Fail), Status::Pass | Status::NotApplicable) => {
                    improvements.criteria.push(change)
                }
                _ => {}
            }
            let old_prints = old.map(SavedCriterion::fingerprints).unwrap_or_default();
            let now_prints: BTreeSet<&str> = criterion
                .findings
                .iter()
                .map(|f| f.fingerprint.as_str())
                .collect();
            if criterion.status == Status::Fail {
                let mut seen = BTreeSet::new();
                for f in &criterion.findings {
                    let print = if f.fingerprint.is_empty() {
                        eval::fingerprint(&criterion.id, f)
                    } else {
                        f.fingerprint.clone()
                    };
                    if !old_prints.contains(&print) && seen.insert(print.clone()) {
                        regressions.findings.push(FindingChange::new(
                            &activity.id,
                            &criterion.id,
                            print,
                            f,
                        ));
                    }
                }
            }
            if let Some(old) = old {
                let mut seen = BTreeSet::new();
                for f in &old.findings {
                    let print = if f.fingerprint.is_empty() {
                        eval::fingerprint(&old.id, f)
                    } else {
                        f.fingerprint.clone()
                    };
                    if !now_prints.contains(print.as_str()) && seen.insert(print.clone()) {
                        improvements.findings.push(FindingChange::new(
                            &activity.id,
                            &criterion.id,
                            print,
                            f,
                        ));
                    }
                }
            }
        }
    }
    BaselineComparison {
        file: file.replace('\\', "/"),
        tool_version: baseline.tool.as_ref().and_then(|t| t.version.clone()),
        policy: baseline.policy.as_ref().and_then(|p| p.name.clone()),
        passed: regressions.is_empty(),
        regressions,
        improvements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        ActivityReport, CriterionReport, EvidenceSummary, PolicyInfo, RepositoryInfo, ServiceInfo,
        Summary, ToolInfo,
    };

    fn finding(message: &str, path: Option<&str>, criterion: &str) -> Finding {
        let mut f = Finding {
            message: message.to_string(),
            path: path.map(str::to_string),
            line: path.map(|_| 3),
            ..Default::default()
        };
        f.fingerprint = eval::fingerprint(criterion, &f);
        f
    }

    fn criterion(id: &str, level: u8, status: Status, findings: Vec<Finding>) -> CriterionReport {
        CriterionReport {
            id: id.to_string(),
            level,
            status,
            title: String::new(),
            reason: None,
            why: String::new(),
            fix: String::new(),
            owner: "product-team".into(),
            delegation: "inquire".into(),
            defined_at: String::new(),
            findings,
        }
    }

    fn report(activities: Vec<(&str, Option<u8>, Vec<CriterionReport>)>) -> Report {
        Report {
            schema_version: 1,
            tool: ToolInfo {
                name: "opready".into(),
                version: "0.0.0".into(),
            },
            repository: RepositoryInfo { path: ".".into() },
            service: ServiceInfo {
                name: "s".into(),
                name_source: "folder name".into(),
                owner: None,
                owner_source: None,
                tier: None,
                tier_source: None,
                deployable: true,
                deployable_reason: String::new(),
            },
            policy: PolicyInfo {
                name: "p".into(),
                origin: "built-in".into(),
                levels: vec!["one".into(), "two".into(), "three".into()],
            },
            summary: Summary {
                met: true,
                below_target: Vec::new(),
                criteria: BTreeMap::new(),
            },
            activities: activities
                .into_iter()
                .map(|(id, level, criteria)| ActivityReport {
                    id: id.to_string(),
                    title: id.to_string(),
                    level,
                    level_name: None,
                    max_level: 3,
                    target: None,
                    target_source: None,
                    met: true,
                    applicable: level.is_some(),
                    not_applicable_reason: None,
                    delegation: "inquire".into(),
                    next_level: None,
                    blockers: Vec::new(),
                    criteria,
                })
                .collect(),
            evidence: EvidenceSummary::default(),
            diagnostics: Vec::new(),
            baseline: None,
        }
    }

    fn saved(report: &Report) -> Baseline {
        Baseline::parse(&serde_json::to_string(report).unwrap()).unwrap()
    }

    fn alert_finding(name: &str) -> Finding {
        finding(
            &format!("alert `{name}`: `summary` is missing"),
            Some("rules.yaml"),
            "summary",
        )
    }

    #[test]
    fn the_same_report_has_no_changes() {
        let r = report(vec![(
            "monitoring",
            Some(2),
            vec![criterion(
                "summary",
                3,
                Status::Fail,
                vec![alert_finding("A")],
            )],
        )]);
        let c = compare(&saved(&r), "b.json", &r);
        assert!(c.passed);
        assert!(
            c.regressions.is_empty() && c.improvements.is_empty(),
            "{c:?}"
        );
        assert_eq!(c.tool_version.as_deref(), Some("0.0.0"));
        assert_eq!(c.policy.as_deref(), Some("p"));
    }

    #[test]
    fn a_new_finding_a_drop_and_a_newly_failing_criterion_regress() {
        let before = report(vec![(
            "monitoring",
            Some(2),
            vec![
                criterion("severity", 2, Status::Pass, vec![]),
                criterion("summary", 3, Status::Fail, vec![alert_finding("A")]),
            ],
        )]);
        let after = report(vec![(
            "monitoring",
            Some(1),
            vec![
                criterion(
                    "severity",
                    2,
                    Status::Fail,
                    vec![finding("no alerts found", None, "severity")],
                ),
                criterion(
                    "summary",
                    3,
                    Status::Fail,
                    vec![alert_finding("A"), alert_finding("B")],
                ),
            ],
        )]);
        let c = compare(&saved(&before), "b.json", &after);
        assert!(!c.passed);
        assert_eq!(
            c.regressions.levels,
            [LevelChange {
                activity: "monitoring".into(),
                from: 2,
                to: 1
            }]
        );
        assert_eq!(c.regressions.criteria.len(), 1);
        assert_eq!(c.regressions.criteria[0].criterion, "severity");
        assert_eq!(c.regressions.criteria[0].from, Some(Status::Pass));
        let new: Vec<&str> = c
            .regressions
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(new, ["no alerts found", "alert `B`: `summary` is missing"]);
        assert_eq!(
            c.regressions.findings[1].fingerprint,
            alert_finding("B").fingerprint
        );
    }

    #[test]
    fn fixes_and_rises_are_improvements_and_moved_lines_are_not_changes() {
        let before = report(vec![(
            "monitoring",
            Some(1),
            vec![
                criterion(
                    "severity",
                    2,
                    Status::Fail,
                    vec![finding("no alerts found", None, "severity")],
                ),
                criterion(
                    "summary",
                    3,
                    Status::Fail,
                    vec![alert_finding("A"), alert_finding("B")],
                ),
            ],
        )]);
        let mut moved = alert_finding("A");
        moved.line = Some(90);
        let after = report(vec![(
            "monitoring",
            Some(2),
            vec![
                criterion("severity", 2, Status::Pass, vec![]),
                criterion("summary", 3, Status::Fail, vec![moved]),
            ],
        )]);
        let c = compare(&saved(&before), "b.json", &after);
        assert!(c.passed, "{c:?}");
        assert_eq!(c.improvements.levels[0].to, 2);
        assert_eq!(c.improvements.criteria[0].criterion, "severity");
        let fixed: Vec<&str> = c
            .improvements
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            fixed,
            ["no alerts found", "alert `B`: `summary` is missing"]
        );
    }

    #[test]
    fn waived_and_not_applicable_criteria_that_fail_now_regress() {
        let before = report(vec![(
            "slo",
            Some(3),
            vec![
                criterion("budget", 3, Status::Waived, vec![]),
                criterion("burn", 3, Status::NotApplicable, vec![]),
            ],
        )]);
        let after = report(vec![(
            "slo",
            Some(3),
            vec![
                criterion("budget", 3, Status::Fail, vec![]),
                criterion("burn", 3, Status::Fail, vec![]),
            ],
        )]);
        let c = compare(&saved(&before), "b.json", &after);
        let from: Vec<Option<Status>> = c.regressions.criteria.iter().map(|c| c.from).collect();
        assert_eq!(from, [Some(Status::Waived), Some(Status::NotApplicable)]);
    }

    #[test]
    fn a_baseline_from_another_version_loads_and_unknown_criteria_are_new() {
        // Unknown fields, a missing `tool`, no fingerprints and an unknown status.
        let text = r#"{"schema_version": 9, "future": {"x": 1}, "activities": [
            {"id": "monitoring", "level": 2, "extra": true, "criteria": [
                {"id": "summary", "status": "fail", "findings": [
                    {"message": "alert `A`: `summary` is missing", "path": "rules.yaml", "line": 7}]},
                {"id": "gone", "status": "fail"},
                {"id": "odd", "status": "sideways"}]}]}"#;
        let baseline = Baseline::parse(text).unwrap();
        let after = report(vec![(
            "monitoring",
            Some(2),
            vec![
                criterion("summary", 3, Status::Fail, vec![alert_finding("A")]),
                criterion("odd", 3, Status::Pass, vec![]),
                criterion(
                    "brand-new",
                    3,
                    Status::Fail,
                    vec![finding("no SLOs found", None, "brand-new")],
                ),
            ],
        )]);
        let c = compare(&baseline, "b.json", &after);
        assert_eq!(c.tool_version, None);
        assert_eq!(c.regressions.criteria.len(), 1, "{c:?}");
        assert_eq!(c.regressions.criteria[0].criterion, "brand-new");
        assert_eq!(c.regressions.criteria[0].from, None);
        assert_eq!(
            c.regressions.findings.len(),
            1,
            "the old finding matched by a computed fingerprint: {c:?}"
        );
        assert!(c.improvements.is_empty(), "{c:?}");
    }

    #[test]
    fn something_else_is_not_a_baseline() {
        assert!(Baseline::parse("{}").is_err());
        assert!(Baseline::parse("[1, 2]").is_err());
        assert!(Baseline::parse("not json").is_err());
        assert!(Baseline::read(Path::new("/nonexistent/baseline.json")).is_err());
    }
}
