//! The policy pack as written in YAML, and as validated for evaluation.
//!
//! Raw types mirror the files (`deny_unknown_fields`, kebab-case); their JSON Schema,
//! generated from these types, is what `opready schema policy` prints and what a pack is
//! validated against on load. Doc comments here are that schema's descriptions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `policies/pack.yaml`: the pack's identity, level names, tier targets and activity files.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "opready policy pack")]
pub struct PackFile {
    /// Stable name of the pack, e.g. `opready-builtin` or `acme-sre`.
    pub name: String,
    pub description: Option<String>,
    /// Another pack this one builds on (`builtin` for the built-in pack).
    pub extends: Option<String>,
    /// Names of the maturity levels, from level 1 upwards. Their number is the maximum level.
    #[serde(default)]
    pub levels: Vec<LevelName>,
    /// Target level per activity for each service tier (`"1"` is the most critical).
    #[serde(default)]
    pub tiers: BTreeMap<String, Tier>,
    /// Activity files, relative to the pack file.
    #[serde(default)]
    pub activities: Vec<String>,
    /// Activities of the extended pack to leave out.
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LevelName {
    pub level: u8,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Tier {
    pub name: String,
    pub description: Option<String>,
    /// Target level per activity id. Activities not named have no target.
    pub targets: BTreeMap<String, u8>,
    /// Backstage `spec.lifecycle` values (`production`, `experimental`, …) that put a
    /// service in this tier when no tier is written anywhere (`--tier`, `.opready.yaml`,
    /// a tier annotation or label). Compared case-insensitively; a lifecycle may name at
    /// most one tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycles: Vec<String>,
}

/// The Management 3.0 delegation level a central SRE team aims for with an activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Delegation {
    /// 1: the central team decides and tells.
    Tell,
    /// 2: the central team decides and convinces.
    Sell,
    /// 3: the central team consults, then decides.
    Consult,
    /// 4: decided together.
    Agree,
    /// 5: the central team advises, the team decides.
    Advise,
    /// 6: the team decides, then convinces the central team.
    Inquire,
    /// 7: the team decides; the central team does not need to know.
    Delegate,
}

impl Delegation {
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delegation::Tell => "tell",
            Delegation::Sell => "sell",
            Delegation::Consult => "consult",
            Delegation::Agree => "agree",
            Delegation::Advise => "advise",
            Delegation::Inquire => "inquire",
            Delegation::Delegate => "delegate",
        }
    }
}

/// Who does the work a criterion asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// The product team that owns the service.
    ProductTeam,
    /// The central SRE / platform team.
    CentralTeam,
    /// Both, together.
    Shared,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::ProductTeam => "product-team",
            Owner::CentralTeam => "central-team",
            Owner::Shared => "shared",
        }
    }
}

/// One activity file, e.g. `policies/slo.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActivityFile {
    /// Stable kebab-case id, e.g. `slo`.
    pub id: String,
    pub title: String,
    pub description: String,
    /// Delegation target of the activity (criteria inherit it).
    pub delegation: Delegation,
    /// Who does the work by default (criteria inherit it).
    #[serde(default = "default_owner")]
    pub owner: Owner,
    /// What each level means, by level number.
    pub levels: BTreeMap<u8, String>,
    /// When the activity applies at all (e.g. only to deployable services); otherwise the
    /// whole activity is not applicable and reported without a level.
    pub applies: Option<AppliesFile>,
    pub criteria: Vec<CriterionFile>,
}

fn default_owner() -> Owner {
    Owner::ProductTeam
}

/// One criterion: a condition over the evidence document, with its documentation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CriterionFile {
    /// Stable kebab-case id, unique in the pack.
    pub id: String,
    /// The level this criterion is required for (2 or more; level 1 needs nothing).
    pub level: u8,
    /// What must be true, as a statement.
    pub title: String,
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    /// A minimal example of what passes.
    pub example: Option<String>,
    /// Delegation target, when it differs from the activity's.
    pub delegation: Option<Delegation>,
    /// Who does the work, when it differs from the activity's.
    pub owner: Option<Owner>,
    /// When the criterion applies at all; otherwise it is not applicable and never lowers
    /// a level.
    pub applies: Option<AppliesFile>,
    /// A waiver in `.opready.yaml` may not excuse this criterion.
    #[serde(default)]
    pub no_waiver: bool,
    /// The evidence list to check, e.g. `alerts`.
    pub select: Option<String>,
    /// JSON Schema a selected item must match to be counted (a filter).
    #[serde(rename = "where")]
    pub where_: Option<serde_json::Value>,
    /// JSON Schema every counted item must satisfy.
    pub each: Option<serde_json::Value>,
    /// At least this many items must be counted.
    pub min: Option<u32>,
    /// At most this many items may be counted.
    pub max: Option<u32>,
    /// Count items from examples, samples and fixture folders too.
    #[serde(default)]
    pub include_examples: bool,
    /// Alternatives: the criterion passes when any of these checks passes.
    pub any: Option<Vec<CheckFile>>,
    /// Conjunction: the criterion passes when every one of these checks passes (a check
    /// with nothing to check does not fail it).
    pub all: Option<Vec<CheckFile>>,
}

/// A check over one evidence list.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckFile {
    pub select: String,
    #[serde(rename = "where")]
    pub where_: Option<serde_json::Value>,
    pub each: Option<serde_json::Value>,
    pub min: Option<u32>,
    pub max: Option<u32>,
    #[serde(default)]
    pub include_examples: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AppliesFile {
    /// The condition in words, completing "applies only when …".
    pub when: String,
    /// Boolean facts (from the evidence document's `facts`) that must all be true.
    #[serde(default)]
    pub facts: Vec<String>,
    /// An evidence list that must hold at least `min` (default 1) matching items.
    pub select: Option<String>,
    #[serde(rename = "where")]
    pub where_: Option<serde_json::Value>,
    pub min: Option<u32>,
    #[serde(default)]
    pub include_examples: bool,
}

// ---------------------------------------------------------------------------------------
// Validated model

/// Where a policy element was written, for "required here" pointers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicySource {
    /// `builtin:policies/slo.yaml` for the embedded pack, a path otherwise.
    pub file: String,
    pub line: u32,
}

/// A loaded, validated pack. Nothing downstream re-checks it.
#[derive(Debug, Clone)]
pub struct Pack {
    pub name: String,
    pub description: Option<String>,
    /// `built-in` or the path of the pack file.
    pub origin: String,
    /// Level names from level 1; `level_names.len()` is the maximum level.
    pub level_names: Vec<String>,
    pub tiers: BTreeMap<String, Tier>,
    pub activities: Vec<Activity>,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub title: String,
    pub description: String,
    pub delegation: Delegation,
    pub levels: BTreeMap<u8, String>,
    pub applies: Option<Applies>,
    pub criteria: Vec<Criterion>,
    pub source: PolicySource,
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub activity: String,
    pub level: u8,
    pub title: String,
    pub why: String,
    pub fix: String,
    pub example: Option<String>,
    pub delegation: Delegation,
    pub owner: Owner,
    pub applies: Option<Applies>,
    pub no_waiver: bool,
    /// The checks, combined by `combine` (one check for a plain criterion).
    pub checks: Vec<Check>,
    pub combine: Combine,
    pub source: PolicySource,
}

/// How a criterion's checks combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Passes when any check passes (`any:`, or a single inline check).
    Any,
    /// Passes when no check fails (`all:`).
    All,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub select: String,
    pub where_: Option<serde_json::Value>,
    pub each: Option<serde_json::Value>,
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub include_examples: bool,
    /// `where` and `each` compiled on first use, shared by every run with this pack.
    pub compiled: CompiledSchemas,
}

type Compiled = std::sync::OnceLock<Result<std::sync::Arc<jsonschema::Validator>, String>>;

#[derive(Default, Clone)]
pub struct CompiledSchemas {
    where_: Compiled,
    each: Compiled,
}

impl std::fmt::Debug for CompiledSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledSchemas")
    }
}

impl Check {
    pub fn compiled_where(
        &self,
        schema: &serde_json::Value,
    ) -> Result<&jsonschema::Validator, String> {
        compile_once(&self.compiled.where_, schema)
    }

    pub fn compiled_each(
        &self,
        schema: &serde_json::Value,
    ) -> Result<&jsonschema::Validator, String> {
        compile_once(&self.compiled.each, schema)
    }
}

fn compile_once<'a>(
    cell: &'a Compiled,
    schema: &serde_json::Value,
) -> Result<&'a jsonschema::Validator, String> {
    cell.get_or_init(|| crate::validate::compile(schema).map(std::sync::Arc::new))
        .as_ref()
        .map(|v| v.as_ref())
        .map_err(Clone::clone)
}

#[derive(Debug, Clone)]
pub struct Applies {
    pub when: String,
    pub facts: Vec<String>,
    pub check: Option<Check>,
}

impl Activity {
    /// The highest level the activity can be rated: the highest level any of its criteria
    /// is required for (1 when it has none). A level with no criterion of its own would
    /// otherwise be reached without any evidence, e.g. levels 4 and 5 of a built-in
    /// activity in a pack that extends the built-in pack with five level names.
    pub fn max_level(&self) -> u8 {
        self.criteria
            .iter()
            .map(|c| c.level)
            .max()
            .unwrap_or(1)
            .max(1)
    }
}

impl Pack {
    /// The number of level names: the top of the pack's scale. An activity may top out
    /// lower ([`Activity::max_level`]).
    pub fn max_level(&self) -> u8 {
        self.level_names.len() as u8
    }

    pub fn level_name(&self, level: u8) -> &str {
        self.level_names
            .get(usize::from(level).saturating_sub(1))
            .map_or("", String::as_str)
    }

    pub fn activity(&self, id: &str) -> Option<&Activity> {
        self.activities.iter().find(|a| a.id == id)
    }

    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.activities
            .iter()
            .flat_map(|a| &a.criteria)
            .find(|c| c.id == id)
    }

    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.activities.iter().flat_map(|a| &a.criteria)
    }

    /// The tier a catalog `spec.lifecycle` puts a service in, when one claims it.
    pub fn tier_for_lifecycle(&self, lifecycle: &str) -> Option<String> {
        let wanted = lifecycle.trim();
        self.tiers
            .iter()
            .find(|(_, tier)| {
                tier.lifecycles
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(wanted))
            })
            .map(|(key, _)| key.clone())
    }

    /// The tier key for a tier as users write it: `1`, `"1"`, `tier1`, `tier-1`, `T1`.
    pub fn tier_key(&self, tier: &str) -> Option<String> {
        let t = tier.trim().to_ascii_lowercase();
        if self.tiers.contains_key(&t) {
            return Some(t);
        }
        let stripped = t
            .trim_start_matches("tier")
            .trim_start_matches('t')
            .trim_start_matches(['-', '_', ' ']);
        if self.tiers.contains_key(stripped) {
            return Some(stripped.to_string());
        }
        self.tiers
            .iter()
            .find(|(_, tier)| tier.name.eq_ignore_ascii_case(&t))
            .map(|(k, _)| k.clone())
    }
}
