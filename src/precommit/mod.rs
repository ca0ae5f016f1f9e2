//! Pre-commit mode: `opready check --files F…` validates only the evidence files being
//! committed, fast enough to run on every commit, without rating the repository.
//!
//! The repository is walked as usual (cheap: names and sizes only), so links and facts
//! still see every file, but detectors open only the given files and a little *context*
//! that cross-checks of those files need (never reported on):
//! - the CODEOWNERS file in effect, for the owners of SLO, alert and runbook files;
//! - the other `.tf` files of a given Terraform file's folder (one module: provider
//!   default tags, root-module detection);
//! - a Helm chart's `values.yaml` for a given template of that chart (switched-off
//!   templates are no evidence);
//! - runbooks that a given alert links to with a `#heading`, to check the heading; and
//!   the YAML files beside and above a given slo-generator SLO (its error-budget policy
//!   gives its window). These are found after a first pass and read in a second one.
//!
//! What is reported, for the given files only:
//! - error and warning diagnostics (invalid YAML/JSON/HCL, invalid SLO documents, …);
//! - failed `each` checks of the pack: the evaluator runs over the evidence items that
//!   come from the given files, with every criterion reduced to its per-item checks
//!   (`min`/`max` counts are not evaluated: one file cannot be expected to hold "at least
//!   one pipeline"; an `any` criterion with a count alternative is left out);
//! - alerts whose repository-relative runbook link does not resolve.
//!
//! A few evidence fields are decided by files that are not read here (whether an SLO has
//! burn-rate alerts somewhere, whether a burn-rate alert fits the repository's SLOs,
//! ecosystem coverage): they are left out of the evidence document ([`DECIDED_ELSEWHERE`]),
//! so checks on them pass here and are left to the full `opready check`.
//!
//! Waivers of `.opready.yaml` apply as in a full check. Files that are not evidence (no
//! detector reads them), that are missing, ignored or excluded are skipped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::check::{self, CheckError, CheckOptions};
use crate::config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{self, Status};
use crate::evidence::link::{CODEOWNERS_PRECEDENCE, RunbookTarget, resolve_runbook};
use crate::evidence::{self, Evidence, RepoPath, registry};
use crate::policy::{Combine, Pack};
use crate::report::ToolInfo;
use crate::scan::{FileIndex, WalkOptions};

pub mod render;

/// Version of the `--files --format json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The result of checking some files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The repository root as given, with `/` separators.
    pub root: String,
    pub files: FilesChecked,
    /// Sorted by path, line, column and id.
    pub problems: Vec<FileProblem>,
    /// How to fix each criterion that failed, in pack order.
    pub fixes: Vec<Fix>,
    pub summary: FilesSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesChecked {
    /// Number of paths given.
    pub given: usize,
    /// The given files that exist and some detector reads (repository-relative, sorted).
    pub checked: Vec<String>,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileProblem {
    /// Repository-relative path; absent only for a problem of the policy itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The criterion id (`kind: criterion`) or the diagnostic code (`kind: diagnostic`).
    pub id: String,
    pub kind: ProblemKind,
    /// `error` fails the hook; `warning` is shown only.
    pub severity: Severity,
    pub message: String,
    /// The finding's fingerprint (criteria only), as in the full report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// An evidence item fails a criterion's per-item check.
    Criterion,
    /// The file itself: unreadable, invalid, a link that does not resolve.
    Diagnostic,
}

/// The fix of a failed criterion, shown once however many items fail it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    pub criterion: String,
    pub title: String,
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesSummary {
    pub errors: usize,
    pub warnings: usize,
    /// Findings in the given files excused by an unexpired waiver.
    pub waived: usize,
    /// No error: the hook passes.
    pub passed: bool,
}

impl FilesReport {
    /// Exit code: 0 when nothing fails, 1 when an error-level problem was found.
    pub fn passed(&self) -> bool {
        self.summary.passed
    }
}

/// Evidence fields decided by files that pre-commit mode does not read: `(list, field,
/// only when the value is)`; `None` means always. They are left out of the evidence
/// document, so a `properties` check on them passes; the full check decides them.
pub const DECIDED_ELSEWHERE: &[(&str, &str, Option<Value>)] = &[
    // Burn-rate alerts, OpenSLO/Nobl9 alert policies usually live in other files.
    ("slos", "burn_rate_alerting", Some(Value::Bool(false))),
    // Compared with every SLO of the repository.
    ("alerts", "slo_problem", None),
    ("alerts", "slos", None),
];

/// Checks `files` (repository-relative, or absolute inside `root`) of the repository at
/// `root` against the per-item checks of `pack`. `options.tier` and `options.require` do
/// not matter here.
pub fn check_files(
    root: &Path,
    files: &[PathBuf],
    pack: &Pack,
    options: &CheckOptions,
) -> Result<FilesReport, CheckError> {
    let loaded = config::load(root).map_err(CheckError::Config)?;
    let walk = WalkOptions {
        max_file_size: options.max_file_size,
        exclude: loaded.config.exclude.clone(),
    };
    let (index, walk_diagnostics) = FileIndex::walk(root, &walk).map_err(CheckError::Repository)?;
    let detectors = registry::all();

    let mut given: BTreeSet<String> = BTreeSet::new();
    for file in files {
        if let Some(rel) = repo_relative(root, file).filter(|p| index.contains(p)) {
            given.insert(rel);
        }
    }
    let targets: BTreeSet<String> = given
        .iter()
        .filter(|p| {
            let path = RepoPath::new(p);
            detectors.iter().any(|d| d.accepts(&path))
        })
        .cloned()
        .collect();

    let mut report = FilesReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "opready".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        root: options
            .display_path
            .clone()
            .unwrap_or_else(|| root.display().to_string())
            .replace('\\', "/"),
        files: FilesChecked {
            given: files.len(),
            checked: targets.iter().cloned().collect(),
        },
        problems: Vec::new(),
        fixes: Vec::new(),
        summary: FilesSummary {
            errors: 0,
            warnings: 0,
            waived: 0,
            passed: true,
        },
    };

    let mut diagnostics: Vec<Diagnostic> = walk_diagnostics;
    diagnostics.extend(loaded.warnings.iter().cloned());
    let excuses = check::excuses(pack, &loaded, options.today, &mut diagnostics);

    if !targets.is_empty() {
        let mut read: BTreeSet<String> = targets.clone();
        read.extend(context_before(&index, &targets));
        let mut detection = evidence::detect_only(&index, &detectors, &read);
        let more = context_after(&index, &detection.evidence, &targets, &read);
        if !more.is_empty() {
            read.extend(more);
            detection = evidence::detect_only(&index, &detectors, &read);
        }
        diagnostics.extend(detection.diagnostics);

        let mut evidence = detection.evidence;
        check::complete_evidence(&mut evidence, &loaded, options.today);
        evidence.retain_sources(|s| targets.contains(&s.path));
        // Whether updates and scans cover an ecosystem is a question of the whole repository.
        evidence.ecosystems.clear();
        let mut document = check::evidence_document(&evidence);
        forget_decided_elsewhere(&mut document);

        let per_item = per_item_checks(pack);
        let verdicts = eval::evaluate(&per_item, &document, &excuses);
        for (activity, verdict) in per_item.activities.iter().zip(&verdicts) {
            for (criterion, v) in activity.criteria.iter().zip(&verdict.verdicts) {
                match v.status {
                    Status::Fail => {
                        for finding in &v.findings {
                            report.problems.push(FileProblem {
                                path: finding.path.clone(),
                                line: finding.line,
                                column: finding.column,
                                id: criterion.id.clone(),
                                kind: ProblemKind::Criterion,
                                severity: Severity::Error,
                                message: finding.message.clone(),
                                fingerprint: Some(finding.fingerprint.clone())
                                    .filter(|f| !f.is_empty()),
                            });
                        }
                        report.fixes.push(Fix {
                            criterion: criterion.id.clone(),
                            title: criterion.title.clone(),
                            fix: criterion.fix.clone(),
                        });
                    }
                    Status::Waived => report.summary.waived += v.findings.len(),
                    Status::Pass | Status::NotApplicable => {}
                }
            }
        }
        broken_runbook_links(&evidence, &mut report.problems);
    }

    for d in diagnostics {
        let Some(path) = d.path.as_deref().filter(|p| given.contains(*p)) else {
            continue;
        };
        if d.severity == Severity::Note {
            continue;
        }
        report.problems.push(FileProblem {
            path: Some(path.to_string()),
            line: d.line,
            column: d.column,
            id: d.code,
            kind: ProblemKind::Diagnostic,
            severity: d.severity,
            message: d.message,
            fingerprint: None,
        });
    }
    report.problems.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.id, &a.message)
            .cmp(&(&b.path, b.line, b.column, &b.id, &b.message))
    });
    report.problems.dedup();
    report.summary.errors = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    report.summary.warnings = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .count();
    report.summary.passed = report.summary.errors == 0;
    Ok(report)
}

/// The pack reduced to per-item checks: `each` checks without their counts. A criterion
/// of alternatives (`any`) of which one only counts cannot be decided from some files and
/// is left out, as is a criterion with no `each` check at all.
pub fn per_item_checks(pack: &Pack) -> Pack {
    let mut reduced = pack.clone();
    for activity in &mut reduced.activities {
        activity.criteria.retain_mut(|criterion| {
            let counts_only = criterion.checks.iter().any(|c| c.each.is_none());
            if counts_only && criterion.combine == Combine::Any && criterion.checks.len() > 1 {
                return false;
            }
            criterion.checks.retain(|c| c.each.is_some());
            for check in &mut criterion.checks {
                check.min = None;
                check.max = None;
            }
            !criterion.checks.is_empty()
        });
    }
    reduced
}

/// Removes the [`DECIDED_ELSEWHERE`] fields from the evidence document.
fn forget_decided_elsewhere(document: &mut Value) {
    for (list, field, when) in DECIDED_ELSEWHERE {
        let Some(items) = document.get_mut(*list).and_then(Value::as_array_mut) else {
            continue;
        };
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            let forget = match (item.get(*field), when) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(value), Some(when)) => value == when,
            };
            if forget {
                item.remove(*field);
            }
        }
    }
}

/// Alerts of the given files whose repository-relative runbook link does not resolve
/// (a missing file or heading), unless a criterion already said so for that alert.
fn broken_runbook_links(evidence: &Evidence, problems: &mut Vec<FileProblem>) {
    let mut found = Vec::new();
    for alert in evidence.alerts.iter().filter(|a| !a.source.example) {
        if alert.runbook_resolves != Some(false) {
            continue;
        }
        let problem = alert
            .runbook_problem
            .clone()
            .unwrap_or_else(|| "it does not resolve".to_string());
        let said = problems.iter().any(|p| {
            p.path.as_deref() == Some(alert.source.path.as_str())
                && p.line == alert.source.line
                && p.message.contains(&problem)
        });
        if said {
            continue;
        }
        found.push(FileProblem {
            path: Some(alert.source.path.clone()),
            line: alert.source.line,
            column: alert.source.column,
            id: "broken-runbook-link".to_string(),
            kind: ProblemKind::Diagnostic,
            severity: Severity::Error,
            message: format!(
                "alert `{}`: runbook link `{}` does not resolve: {problem}",
                alert.name,
                alert.runbook_url.as_deref().unwrap_or_default()
            ),
            fingerprint: None,
        });
    }
    problems.extend(found);
}

/// Context known from the paths alone: the CODEOWNERS file in effect, the other `.tf`
/// files of a given Terraform file's folder, the default values of a given template's
/// Helm chart.
fn context_before(index: &FileIndex, targets: &BTreeSet<String>) -> BTreeSet<String> {
    let mut context = BTreeSet::new();
    if let Some(codeowners) = CODEOWNERS_PRECEDENCE.iter().find(|p| index.contains(p)) {
        context.insert(codeowners.to_string());
    }
    let tf_dirs: BTreeSet<&str> = targets
        .iter()
        .map(|t| RepoPath::new(t))
        .filter(|p| p.ext() == "tf")
        .map(|p| p.dir())
        .collect();
    for dir in tf_dirs {
        context.extend(
            files_in(index, dir)
                .filter(|f| RepoPath::new(f).ext() == "tf")
                .map(str::to_string),
        );
    }
    for target in targets {
        let parts: Vec<&str> = target.split('/').collect();
        let chart = (0..parts.len().saturating_sub(1))
            .rev()
            .find(|&i| parts[i] == "templates")
            .map(|i| parts[..i].join("/"));
        if let Some(chart) = chart {
            for name in ["values.yaml", "values.yml"] {
                let values = join(&chart, name);
                if index.contains(&values) {
                    context.insert(values);
                }
            }
        }
    }
    context
}

/// Context known once the given files are read: runbooks that given alerts link to with a
/// `#heading` (to check the heading), the YAML files beside and above a given
/// slo-generator SLO (its error-budget policy). Only files not read yet.
fn context_after(
    index: &FileIndex,
    evidence: &Evidence,
    targets: &BTreeSet<String>,
    read: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut context = BTreeSet::new();
    for alert in evidence
        .alerts
        .iter()
        .filter(|a| targets.contains(&a.source.path))
    {
        let Some(url) = alert.runbook_url.as_deref().filter(|u| u.contains('#')) else {
            continue;
        };
        if let RunbookTarget::Resolved { path } =
            resolve_runbook(url, &alert.source.path, index, |_, _| None)
            && index.contains(&path)
        {
            context.insert(path);
        }
    }
    for slo in evidence
        .slos
        .iter()
        .filter(|s| s.format == "slo-generator" && targets.contains(&s.source.path))
    {
        let mut dir = RepoPath::new(&slo.source.path).dir();
        loop {
            context.extend(
                files_in(index, dir)
                    .filter(|f| RepoPath::new(f).is_yaml())
                    .map(str::to_string),
            );
            if dir.is_empty() {
                break;
            }
            dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }
    context.retain(|p| !read.contains(p));
    context
}

/// Files directly in `dir` (repository-relative, `""` for the root).
fn files_in<'a>(index: &'a FileIndex, dir: &'a str) -> Box<dyn Iterator<Item = &'a str> + 'a> {
    if dir.is_empty() {
        Box::new(
            index
                .files()
                .iter()
                .map(|f| f.path.as_str())
                .filter(|p| !p.contains('/')),
        )
    } else {
        let depth = dir.len() + 1;
        Box::new(
            index
                .files_under(dir)
                .map(|f| f.path.as_str())
                .filter(move |p| !p[depth..].contains('/')),
        )
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A given path as a repository-relative `/` path: relative paths are taken from the
/// root, absolute ones must lie inside it. `None` for a path that leaves the root.
pub fn repo_relative(root: &Path, file: &Path) -> Option<String> {
    let relative: PathBuf = if file.is_absolute() {
        let root_abs = std::fs::canonicalize(root).ok()?;
        let file_abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        file_abs
            .strip_prefix(&root_abs)
            .or_else(|_| file.strip_prefix(&root_abs))
            .or_else(|_| file.strip_prefix(root))
            .ok()?
            .to_path_buf()
    } else {
        file.to_path_buf()
    };
    let mut parts: Vec<String> = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => {
                // `a\b` from Windows tools: one path, two parts.
                for piece in part.to_str()?.split('\\') {
                    match piece {
                        "" | "." => {}
                        ".." => {
                            parts.pop()?;
                        }
                        p => parts.push(p.to_string()),
                    }
                }
            }
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Fix texts by criterion id, for renderers.
pub fn fixes_by_criterion(report: &FilesReport) -> BTreeMap<&str, &Fix> {
    report
        .fixes
        .iter()
        .map(|f| (f.criterion.as_str(), f))
        .collect()
}

#[cfg(test)]
mod tests;
