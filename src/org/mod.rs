//! Org-wide scans: many repositories rated with one pack and rolled up for the meeting
//! where a central SRE team and the product teams look at the results together.
//!
//! The flow is the single-repository one, many times over: [`discover`] finds the
//! repositories (a folder of checkouts, or a list file), [`shard`] picks this run's share
//! of them, [`scan`] rates each with the pure [`crate::check::check`] in parallel, and
//! [`OrgReport::new`] sorts the results and computes the [`Aggregate`] from them.
//! [`merge`] puts shard results back together; [`render`] has one file per output format.
//! [`history`] records reports in SQLite; [`changes`] says what moved between two of them.
//!
//! # The model, for the dashboard and the history built on it
//!
//! An [`OrgReport`] is plain data (`opready schema org` prints its JSON Schema):
//!
//! - `schema_version` ([`ORG_SCHEMA_VERSION`]), `tool`, `policy` (name, origin, level
//!   names, the activities in pack order, and a digest of the pack's content that tells
//!   two packs apart whatever their path), `settings` (the `--tier` and `--require` that
//!   applied to every repository) and `shard` (`{index, count}` for one shard's share,
//!   `null` for a whole organisation).
//! - `repositories`: one [`OrgRepository`] per repository, sorted by `path` (unique): the
//!   path as listed or relative to the scanned folder with `/` separators, the service
//!   name, the team (the report's `service.owner`: `.opready.yaml`, `catalog-info.yaml`
//!   or CODEOWNERS), the tier, whether every target is met, and either the full per-repo
//!   [`Report`] (`report`, exactly what `opready check --format json` prints) or an
//!   `error` (the repository could not be rated; it counts as not met).
//! - `aggregate`: a pure function of `policy` (levels, activities) and `repositories`
//!   ([`Aggregate::compute`]), so that merging shards and recomputing gives exactly the
//!   unsharded report. Per activity the level distribution; per team the roll-up; the
//!   blockers ranked by how many repositories they hold back.
//!
//! There are no timestamps and no durations in the report: two scans of the same
//! checkouts are byte for byte equal. When a scan ran belongs to whoever stores it (the
//! history table).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::policy::Pack;
use crate::report::{Report, ToolInfo};

pub mod aggregate;
pub mod changes;
pub mod discover;
pub mod history;
pub mod merge;
pub mod render;
pub mod scan;
pub mod shard;
#[cfg(test)]
pub(crate) mod testing;

pub use aggregate::{
    ActivityDistribution, Aggregate, BlockerRank, LevelCount, TeamActivity, TeamRollup,
};
pub use discover::RepositoryEntry;
pub use shard::Shard;

/// Version of the org report layout. Bumped only for incompatible changes; `org merge`
/// refuses reports of another version.
pub const ORG_SCHEMA_VERSION: u32 = 1;

/// The readiness of every repository of an organisation (or of one shard of it), with the
/// roll-ups computed from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "opready org report")]
pub struct OrgReport {
    /// Version of this layout (not of the per-repository reports, which carry their own).
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub policy: OrgPolicy,
    pub settings: ScanSettings,
    /// This run's share when the scan was split with `--shard I/N`; `null` for the whole
    /// organisation (and for the result of `org merge`).
    pub shard: Option<Shard>,
    /// Every repository, sorted by `path`.
    pub repositories: Vec<OrgRepository>,
    /// Roll-ups computed from `repositories` alone.
    pub aggregate: Aggregate,
}

/// The policy pack every repository was rated against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrgPolicy {
    pub name: String,
    /// `built-in` or the pack file's path as given.
    pub origin: String,
    /// Level names from level 1 upwards.
    pub levels: Vec<String>,
    /// The pack's activities, in pack order: the columns of every roll-up.
    pub activities: Vec<ActivityInfo>,
    /// FNV-1a (64 bits, hex) of the pack's content: level names, tier targets, and every
    /// activity and criterion with its checks. Equal digests mean the same rules, wherever
    /// the pack file lived; `org merge` refuses shards whose digests differ.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityInfo {
    pub id: String,
    pub title: String,
}

/// The options that applied to every repository of the scan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ScanSettings {
    /// `--tier`: the tier every repository was rated as, overriding its own.
    pub tier: Option<String>,
    /// `--require ACTIVITY=LEVEL`: targets that overrode every repository's own.
    pub require: BTreeMap<String, u8>,
}

/// One repository of the organisation: who it belongs to, and its report or why there is
/// none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrgRepository {
    /// The repository as listed in `--repos` or relative to the scanned folder, with `/`
    /// separators. Unique within a report; the sort key and the shard key.
    pub path: String,
    /// The service name (`service.name` of the report); `null` for an error.
    pub service: Option<String>,
    /// The owning team (`service.owner` of the report: `.opready.yaml`,
    /// `catalog-info.yaml` or CODEOWNERS, as written); `null` when no owner is declared or
    /// for an error.
    pub team: Option<String>,
    /// The tier key (`service.tier` of the report), when known.
    pub tier: Option<String>,
    /// Every activity meets its target. `false` for a repository that could not be rated.
    pub met: bool,
    /// `report` or `error`.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A repository's result: its full report, or why it could not be rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The per-repository report, exactly as `opready check --format json` prints it.
    Report(Box<Report>),
    /// The repository could not be rated; the rest of the scan went on.
    Error(RepositoryError),
}

/// Why a repository could not be rated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RepositoryError {
    pub kind: ErrorKind,
    /// What went wrong, in words; problems in `.opready.yaml` as `file:line:column:
    /// message`, one per line.
    pub message: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The path does not exist or cannot be read.
    Unreadable,
    /// The path is not a directory.
    NotADirectory,
    /// `.opready.yaml` is invalid.
    Config,
    /// The repository's settings do not fit the pack (e.g. a tier the pack does not define).
    Usage,
    /// opready itself failed on this repository (a bug worth reporting).
    Internal,
}

impl OrgRepository {
    pub fn report(&self) -> Option<&Report> {
        match &self.outcome {
            Outcome::Report(report) => Some(report),
            Outcome::Error(_) => None,
        }
    }

    pub fn error(&self) -> Option<&RepositoryError> {
        match &self.outcome {
            Outcome::Report(_) => None,
            Outcome::Error(error) => Some(error),
        }
    }

    /// The entry of a rated repository, its identity taken from the report.
    pub fn rated(path: String, report: Report) -> Self {
        OrgRepository {
            path,
            service: Some(report.service.name.clone()),
            team: report.service.owner.clone(),
            tier: report.service.tier.clone(),
            met: report.summary.met,
            outcome: Outcome::Report(Box::new(report)),
        }
    }

    /// The entry of a repository that could not be rated.
    pub fn failed(path: String, kind: ErrorKind, message: String) -> Self {
        OrgRepository {
            path,
            service: None,
            team: None,
            tier: None,
            met: false,
            outcome: Outcome::Error(RepositoryError { kind, message }),
        }
    }
}

impl OrgReport {
    /// Assembles a report: sorts the repositories by path and computes the aggregate.
    /// Everything an org report holds is decided here, so a scan and a merge of shards
    /// produce the same bytes for the same repositories.
    pub fn new(
        tool: ToolInfo,
        policy: OrgPolicy,
        settings: ScanSettings,
        shard: Option<Shard>,
        mut repositories: Vec<OrgRepository>,
    ) -> Self {
        repositories.sort_by(|a, b| a.path.cmp(&b.path));
        let aggregate = Aggregate::compute(&policy, &repositories);
        OrgReport {
            schema_version: ORG_SCHEMA_VERSION,
            tool,
            policy,
            settings,
            shard,
            repositories,
            aggregate,
        }
    }

    /// Every repository was rated and meets its targets (the gate of `org scan`).
    pub fn met(&self) -> bool {
        self.repositories.iter().all(|r| r.met)
    }
}

/// This binary's identity, as every report carries it.
pub fn tool_info() -> ToolInfo {
    ToolInfo {
        name: "opready".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

impl OrgPolicy {
    pub fn of(pack: &Pack) -> Self {
        OrgPolicy {
            name: pack.name.clone(),
            origin: pack.origin.clone(),
            levels: pack.level_names.clone(),
            activities: pack
                .activities
                .iter()
                .map(|a| ActivityInfo {
                    id: a.id.clone(),
                    title: a.title.clone(),
                })
                .collect(),
            digest: pack_digest(pack),
        }
    }

    /// Same rules: everything but where the pack file was read from.
    pub fn same_rules(&self, other: &OrgPolicy) -> bool {
        self.name == other.name
            && self.levels == other.levels
            && self.activities == other.activities
            && self.digest == other.digest
    }
}

/// A digest of what decides a rating: level names, tiers, activities, criteria and their
/// checks. Serialised as JSON in pack order (deterministic: the pack is loaded the same
/// way every time, and JSON objects keep their written order), then hashed.
fn pack_digest(pack: &Pack) -> String {
    use serde_json::{Value, json};
    fn check(c: &crate::policy::Check) -> Value {
        json!([c.select, c.where_, c.each, c.min, c.max, c.include_examples])
    }
    fn applies(a: &Option<crate::policy::Applies>) -> Value {
        match a {
            Some(a) => json!([a.when, a.facts, a.check.as_ref().map(check)]),
            None => Value::Null,
        }
    }
    let tiers: Vec<Value> = pack
        .tiers
        .iter()
        .map(|(key, tier)| json!([key, tier.targets]))
        .collect();
    let activities: Vec<Value> = pack
        .activities
        .iter()
        .map(|a| {
            let criteria: Vec<Value> = a
                .criteria
                .iter()
                .map(|c| {
                    json!([
                        c.id,
                        c.level,
                        c.title,
                        c.no_waiver,
                        c.combine == crate::policy::Combine::All,
                        applies(&c.applies),
                        c.checks.iter().map(check).collect::<Vec<_>>()
                    ])
                })
                .collect();
            json!([a.id, a.title, applies(&a.applies), criteria])
        })
        .collect();
    let doc = json!([pack.name, pack.level_names, tiers, activities]);
    format!("{:016x}", shard::fnv1a64(doc.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_stable_and_tells_packs_apart() {
        let builtin = crate::policy::load::builtin().unwrap();
        let a = OrgPolicy::of(&builtin);
        let b = OrgPolicy::of(&crate::policy::load::builtin().unwrap());
        assert_eq!(a, b);
        assert_eq!(a.digest.len(), 16);
        let mut changed = builtin.clone();
        changed.activities[0].criteria[0].level += 1;
        assert_ne!(OrgPolicy::of(&changed).digest, a.digest);
        let mut moved = builtin.clone();
        moved.origin = "elsewhere/pack.yaml".to_string();
        let moved = OrgPolicy::of(&moved);
        assert_ne!(moved, a);
        assert!(moved.same_rules(&a));
    }

    #[test]
    fn error_entries_serialise_flat() {
        let entry = OrgRepository::failed(
            "payments/checkout".into(),
            ErrorKind::Config,
            ".opready.yaml:1:1: bad".into(),
        );
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["error"]["kind"], "config");
        assert_eq!(json["met"], false);
        assert!(json.get("report").is_none());
        let back: OrgRepository = serde_json::from_value(json).unwrap();
        assert_eq!(back, entry);
    }
}
