//! The core: rate one repository against a pack. A pure function of (path, pack,
//! options) — no printing, no global state — so many repositories can be checked in
//! parallel.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{self, LoadedConfig};
use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::eval::{self, Excuse, Status};
use crate::evidence::{self, Evidence};
use crate::policy::{Pack, Problem};
use crate::report::{
    ActivityReport, CriterionReport, PolicyInfo, Report, RepositoryInfo, SCHEMA_VERSION,
    ServiceInfo, Summary, ToolInfo, summarize_evidence,
};
use crate::scan::{self, FileIndex, WalkOptions};

/// What the caller chooses for a run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Tier from the command line; wins over `.opready.yaml` and the catalog.
    pub tier: Option<String>,
    /// Targets from the command line (`--require slo=2`); win over everything.
    pub require: Vec<(String, u8)>,
    pub max_file_size: u64,
    /// Today, as days since 1970-01-01, for waiver expiry.
    pub today: i64,
    /// The repository path as the user wrote it, for the report.
    pub display_path: Option<String>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            tier: None,
            require: Vec::new(),
            max_file_size: scan::DEFAULT_MAX_FILE_SIZE,
            today: config::today(),
            display_path: None,
        }
    }
}

/// Why a repository could not be rated (exit code 2).
#[derive(Debug, Clone)]
pub enum CheckError {
    /// `.opready.yaml` is invalid.
    Config(Vec<Problem>),
    /// The options do not fit the pack (unknown activity, unknown tier).
    Usage(String),
    /// The repository cannot be read.
    Repository(String),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Config(problems) => {
                for p in problems {
                    match p.pos {
                        Some(pos) => {
                            writeln!(f, "{}:{}:{}: {}", p.file, pos.line, pos.column, p.message)?
                        }
                        None => writeln!(f, "{}: {}", p.file, p.message)?,
                    }
                }
                Ok(())
            }
            CheckError::Usage(m) | CheckError::Repository(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CheckError {}

/// A rated repository: the report and the evidence it was built from.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: Report,
    pub evidence: Evidence,
}

/// Rates the repository at `root` against `pack`.
pub fn check(root: &Path, pack: &Pack, options: &CheckOptions) -> Result<Checked, CheckError> {
    let loaded = config::load(root).map_err(CheckError::Config)?;
    let mut exclude = loaded.config.exclude.clone();
    // opready's own saved report is not evidence.
    exclude.push(crate::baseline::DEFAULT_FILE.to_string());
    let walk = WalkOptions {
        max_file_size: options.max_file_size,
        exclude,
    };
    let (index, walk_diagnostics) = FileIndex::walk(root, &walk).map_err(CheckError::Repository)?;
    let detection = evidence::detect(&index, &evidence::registry::all());
    let mut diagnostics = walk_diagnostics;
    diagnostics.extend(loaded.warnings.iter().cloned());
    diagnostics.extend(detection.diagnostics);

    let mut evidence = detection.evidence;
    complete_evidence(&mut evidence, &loaded, options.today);
    let service = service_info(root, &loaded, &evidence, options, pack)?;
    let targets = targets(pack, &loaded, &service, options)?;
    let excuses = excuses(pack, &loaded, options.today, &mut diagnostics);

    let document = evidence_document(&evidence);
    let verdicts = eval::evaluate(pack, &document, &excuses);

    let mut activities = Vec::new();
    let mut below_target = Vec::new();
    let mut status_counts: BTreeMap<String, u32> = BTreeMap::new();
    for (activity, verdict) in pack.activities.iter().zip(&verdicts) {
        let target = targets.get(&activity.id).cloned();
        let met = match (&target, verdict.level) {
            (Some((t, _)), Some(level)) => level >= *t,
            _ => true,
        };
        if !met {
            below_target.push(activity.id.clone());
        }
        let next_level = verdict
            .level
            .filter(|l| *l < activity.max_level())
            .map(|l| l + 1);
        let blockers = next_level
            .map(|n| {
                eval::blockers(activity, verdict, n)
                    .iter()
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let criteria = activity
            .criteria
            .iter()
            .zip(&verdict.verdicts)
            .map(|(c, v)| {
                *status_counts
                    .entry(v.status.as_str().to_string())
                    .or_insert(0) += 1;
                CriterionReport {
                    id: c.id.clone(),
                    level: c.level,
                    status: v.status,
                    title: c.title.clone(),
                    reason: v.reason.clone(),
                    why: c.why.clone(),
                    fix: c.fix.clone(),
                    owner: c.owner.as_str().to_string(),
                    delegation: c.delegation.as_str().to_string(),
                    defined_at: format!("{}:{}", c.source.file, c.source.line),
                    findings: v.findings.clone(),
                }
            })
            .collect();
        activities.push(ActivityReport {
            id: activity.id.clone(),
            title: activity.title.clone(),
            level: verdict.level,
            level_name: verdict.level.map(|l| pack.level_name(l).to_string()),
            max_level: activity.max_level(),
            target: target.as_ref().map(|(t, _)| *t),
            target_source: target.map(|(_, s)| s),
            met,
            applicable: verdict.level.is_some(),
            not_applicable_reason: verdict
                .level
                .is_none()
                .then(|| not_applicable_reason(activity, verdict)),
            delegation: activity.delegation.as_str().to_string(),
            next_level,
            blockers,
            criteria,
        });
    }
    for status in [
        Status::Pass,
        Status::Fail,
        Status::NotApplicable,
        Status::Waived,
    ] {
        status_counts
            .entry(status.as_str().to_string())
            .or_insert(0);
    }
    diagnostics.sort();
    diagnostics.dedup();

    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "opready".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        repository: RepositoryInfo {
            path: options
                .display_path
                .clone()
                .unwrap_or_else(|| root.display().to_string())
                .replace('\\', "/"),
        },
        service,
        policy: PolicyInfo {
            name: pack.name.clone(),
            origin: pack.origin.clone(),
            levels: pack.level_names.clone(),
        },
        summary: Summary {
            met: below_target.is_empty(),
            below_target,
            criteria: status_counts,
        },
        activities,
        evidence: summarize_evidence(&document, index.len() as u32, detection.files_read),
        diagnostics,
        baseline: None,
    };
    Ok(Checked { report, evidence })
}

/// What the evidence learns from the day and from `.opready.yaml`: whether runbook
/// reviews are overdue, and the configured `deployable`.
pub(crate) fn complete_evidence(evidence: &mut Evidence, loaded: &LoadedConfig, today: i64) {
    for runbook in &mut evidence.runbooks {
        runbook.review_overdue = runbook
            .review_due
            .as_deref()
            .and_then(config::parse_date)
            .map(|due| due < today);
    }
    if let Some(deployable) = loaded.config.deployable {
        evidence.facts.deployable = deployable;
        evidence.facts.deployable_reason = format!(
            "`deployable: {deployable}` in {}",
            loaded.file.as_deref().unwrap_or(".opready.yaml")
        );
    }
}

/// Why no criterion of an activity applies, in words: the activity's own condition, or
/// the conditions of its criteria.
fn not_applicable_reason(
    activity: &crate::policy::Activity,
    verdict: &eval::ActivityVerdict,
) -> String {
    if let Some(applies) = &activity.applies {
        let whole = verdict.verdicts.iter().all(|v| {
            v.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("the activity"))
        });
        if whole {
            return format!("only when {}", applies.when);
        }
    }
    let mut conditions: Vec<&str> = activity
        .criteria
        .iter()
        .filter_map(|c| c.applies.as_ref().map(|a| a.when.as_str()))
        .collect();
    conditions.dedup();
    conditions.sort();
    conditions.dedup();
    if conditions.is_empty() {
        "nothing to check in this repository".to_string()
    } else {
        format!("only when {}", conditions.join(", or "))
    }
}

/// The evidence as the JSON document policies select from. Absent optional fields are
/// left out (not `null`), so `required: [runbook_url]` means what it says.
pub fn evidence_document(evidence: &Evidence) -> serde_json::Value {
    let mut doc = serde_json::to_value(evidence).unwrap_or_default();
    strip_nulls(&mut doc);
    doc
}

fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn service_info(
    root: &Path,
    loaded: &LoadedConfig,
    evidence: &Evidence,
    options: &CheckOptions,
    pack: &Pack,
) -> Result<ServiceInfo, CheckError> {
    let config_file = loaded
        .file
        .clone()
        .unwrap_or_else(|| ".opready.yaml".to_string());
    let entity = evidence
        .catalog
        .iter()
        .filter(|c| !c.source.example)
        .find(|c| c.kind.eq_ignore_ascii_case("component"))
        .or_else(|| evidence.catalog.iter().find(|c| !c.source.example));
    let folder = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "repository".to_string());
    let (name, name_source) = match (&loaded.config.service, entity) {
        (Some(name), _) => (name.clone(), config_file.clone()),
        (None, Some(e)) => (e.name.clone(), e.source.path.clone()),
        (None, None) => (folder, "folder name".to_string()),
    };
    let codeowners = evidence
        .codeowners
        .iter()
        .find(|c| !c.default_owners.is_empty());
    let (owner, owner_source) = match (
        &loaded.config.owner,
        entity.and_then(|e| e.owner.clone()),
        codeowners,
    ) {
        (Some(owner), _, _) => (Some(owner.clone()), Some(config_file.clone())),
        (None, Some(owner), _) => (Some(owner), entity.map(|e| e.source.path.clone())),
        (None, None, Some(c)) => (Some(c.default_owners.join(" ")), Some(c.path.clone())),
        _ => (None, None),
    };
    let tier_written = match (
        &options.tier,
        &loaded.config.tier,
        entity.and_then(|e| e.tier.clone()),
    ) {
        (Some(t), _, _) => Some((t.clone(), "--tier".to_string())),
        (None, Some(t), _) => Some((t.as_string(), config_file.clone())),
        (None, None, Some(t)) => {
            Some((t, entity.map(|e| e.source.path.clone()).unwrap_or_default()))
        }
        _ => None,
    };
    // With no tier written anywhere, the catalog's lifecycle may imply one (a pack's
    // per-tier `lifecycles`); a lifecycle no tier claims leaves the service without one.
    let from_lifecycle = || {
        let entity = entity?;
        let lifecycle = entity.lifecycle.as_deref()?;
        let key = pack.tier_for_lifecycle(lifecycle)?;
        Some((
            key,
            format!(
                "{} (spec.lifecycle: {})",
                entity.source.path,
                lifecycle.trim()
            ),
        ))
    };
    let (tier, tier_source) = match tier_written {
        Some((written, source)) => match pack.tier_key(&written) {
            Some(key) => (Some(key), Some(source)),
            None => {
                let known = pack.tiers.keys().cloned().collect::<Vec<_>>().join(", ");
                return Err(CheckError::Usage(format!(
                    "tier `{written}` (from {source}) is not defined by the policy pack `{}`; known tiers: {known}",
                    pack.name
                )));
            }
        },
        None => match from_lifecycle() {
            Some((key, source)) => (Some(key), Some(source)),
            None => (None, None),
        },
    };
    Ok(ServiceInfo {
        name,
        name_source,
        owner,
        owner_source,
        tier,
        tier_source,
        deployable: evidence.facts.deployable,
        deployable_reason: evidence.facts.deployable_reason.clone(),
    })
}

/// Target level and its source, per activity.
fn targets(
    pack: &Pack,
    loaded: &LoadedConfig,
    service: &ServiceInfo,
    options: &CheckOptions,
) -> Result<BTreeMap<String, (u8, String)>, CheckError> {
    let mut targets = BTreeMap::new();
    if let Some(key) = &service.tier
        && let Some(tier) = pack.tiers.get(key)
    {
        for (activity, level) in &tier.targets {
            targets.insert(activity.clone(), (*level, format!("tier {key}")));
        }
    }
    let config_file = loaded
        .file
        .clone()
        .unwrap_or_else(|| ".opready.yaml".to_string());
    for (activity, level) in &loaded.config.targets {
        check_target(pack, activity, *level, &config_file)?;
        targets.insert(activity.clone(), (*level, config_file.clone()));
    }
    for (activity, level) in &options.require {
        check_target(pack, activity, *level, "--require")?;
        targets.insert(activity.clone(), (*level, "--require".to_string()));
    }
    Ok(targets)
}

fn check_target(pack: &Pack, activity: &str, level: u8, source: &str) -> Result<(), CheckError> {
    let Some(found) = pack.activity(activity) else {
        let known = pack
            .activities
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CheckError::Usage(format!(
            "unknown activity `{activity}` in {source}; known activities: {known}"
        )));
    };
    if level < 1 || level > found.max_level() {
        return Err(CheckError::Usage(format!(
            "target {level} for `{activity}` in {source} is out of range 1..={}",
            found.max_level()
        )));
    }
    Ok(())
}

pub(crate) fn excuses(
    pack: &Pack,
    loaded: &LoadedConfig,
    today: i64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Excuse> {
    let file = loaded
        .file
        .clone()
        .unwrap_or_else(|| ".opready.yaml".to_string());
    let key_line = loaded.lines.get("waivers").copied();
    let mut out: Vec<Excuse> = Vec::new();
    for (i, waiver) in loaded.config.waivers.iter().enumerate() {
        let pos = loaded
            .waiver_positions
            .get(i)
            .copied()
            .or_else(|| key_line.map(|l| Position::new(l, 1)));
        let at = |d: Diagnostic| d.at(&file, pos);
        if out.iter().any(|e| e.criterion == waiver.criterion) {
            diagnostics.push(at(Diagnostic::new(
                Severity::Warning,
                "duplicate-waiver",
                format!(
                    "`{}` is already waived above; this waiver has no effect",
                    waiver.criterion
                ),
            )));
            continue;
        }
        let Some(criterion) = pack.criterion(&waiver.criterion) else {
            diagnostics.push(at(Diagnostic::new(
                Severity::Warning,
                "unknown-waiver",
                format!(
                    "waiver for unknown criterion `{}` has no effect",
                    waiver.criterion
                ),
            )));
            continue;
        };
        if criterion.no_waiver {
            diagnostics.push(at(Diagnostic::new(
                Severity::Warning,
                "waiver-not-allowed",
                format!(
                    "the policy pack does not allow waiving `{}`; the waiver is ignored",
                    criterion.id
                ),
            )));
            continue;
        }
        let expires = config::parse_date(&waiver.expires).unwrap_or(i64::MIN);
        let expired = expires < today;
        let reason = if expired {
            format!(
                "waiver expired on {} (owner {}: {}); renew it or fix the criterion",
                waiver.expires, waiver.owner, waiver.reason
            )
        } else {
            format!(
                "waived until {} by {}: {}",
                waiver.expires, waiver.owner, waiver.reason
            )
        };
        out.push(Excuse {
            criterion: waiver.criterion.clone(),
            reason,
            expired,
        });
    }
    out
}
