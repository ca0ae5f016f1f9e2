//! `.opready.yaml`: what a repository says about itself (service, owner, tier, excludes,
//! per-activity targets, waivers). Validated against its schema on load; every error
//! points at its line.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Position;
use crate::parse::yaml;
use crate::policy::Problem;
use crate::validate;

/// File names looked for at the repository root, in order.
pub const CONFIG_FILES: &[&str] = &[".opready.yaml", ".opready.yml"];

/// Repository configuration for opready.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "opready repository configuration (.opready.yaml)")]
pub struct Config {
    /// Service name shown in reports (default: `catalog-info.yaml` name, else the folder name).
    pub service: Option<String>,
    /// Owning team (default: `catalog-info.yaml` owner, else the CODEOWNERS default owner).
    pub owner: Option<String>,
    /// Service tier, which sets the target levels (`1` is the most critical).
    pub tier: Option<TierValue>,
    /// Whether the repository deploys a running service. opready guesses from Dockerfiles,
    /// manifests and IaC; set this when the guess is wrong.
    pub deployable: Option<bool>,
    /// Glob patterns of paths to leave out of the scan, e.g. `docs/archive/**`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Target level per activity, overriding the tier's targets.
    #[serde(default)]
    pub targets: BTreeMap<String, u8>,
    /// Criteria excused until a date, each with a reason and an owner.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// A tier written as a number (`1`) or text (`tier-1`, `critical`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TierValue {
    Number(u32),
    Text(String),
}

impl TierValue {
    pub fn as_string(&self) -> String {
        match self {
            TierValue::Number(n) => n.to_string(),
            TierValue::Text(t) => t.clone(),
        }
    }
}

/// Excuses one failing criterion until a date.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Waiver {
    /// Criterion id, e.g. `slo-burn-rate-alerting`.
    pub criterion: String,
    /// Why the criterion is waived.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// Who answers for the waiver, e.g. `@team-payments`.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// Last day the waiver holds, as `YYYY-MM-DD`.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: String,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    /// Repository-relative file name, when a file was found.
    pub file: Option<String>,
    /// Line of each top-level key, for "set here" pointers.
    pub lines: BTreeMap<String, u32>,
    /// Where each waiver names its criterion, in `config.waivers` order, so warnings
    /// about a waiver point at that waiver and not at the `waivers:` key.
    pub waiver_positions: Vec<Position>,
    /// Problems that do not stop the run (e.g. a configuration file that is a symlink).
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// Reads the repository's configuration, if it has one.
pub fn load(root: &Path) -> Result<LoadedConfig, Vec<Problem>> {
    for name in CONFIG_FILES {
        let path = root.join(name);
        // Only a regular file inside the root: a symlinked config could point anywhere.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let problem = |pos, message: String, text: Option<Arc<str>>| Problem {
            file: name.to_string(),
            text,
            pos,
            message,
        };
        if meta.len() > 1024 * 1024 {
            return Err(vec![problem(
                None,
                "the file is larger than 1 MiB".into(),
                None,
            )]);
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| vec![problem(None, format!("cannot read: {e}"), None)])?;
        return parse(name, &text);
    }
    Ok(LoadedConfig::default())
}

/// Parses configuration text (`name` is used in messages).
pub fn parse(name: &str, text: &str) -> Result<LoadedConfig, Vec<Problem>> {
    let shared: Arc<str> = Arc::from(text);
    let problem = |pos, message: String| Problem {
        file: name.to_string(),
        text: Some(shared.clone()),
        pos,
        message,
    };
    let docs = yaml::parse_documents(text)
        .map_err(|e| vec![problem(e.pos, format!("invalid YAML: {}", e.message))])?;
    let Some(node) = docs.into_iter().next() else {
        return Ok(LoadedConfig {
            file: Some(name.to_string()),
            ..Default::default()
        });
    };
    let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    let validator = validate::compile(&schema)
        .map_err(|e| vec![problem(None, format!("internal error: {e}"))])?;
    let violations = validate::validate_node(&node, &validator);
    if !violations.is_empty() {
        return Err(violations
            .into_iter()
            .map(|v| problem(v.pos, v.message))
            .collect());
    }
    let config: Config = serde_json::from_value(node.to_json())
        .map_err(|e| vec![problem(Some(node.pos), e.to_string())])?;
    let mut problems = Vec::new();
    for (i, waiver) in config.waivers.iter().enumerate() {
        if parse_date(&waiver.expires).is_none() {
            let pos = node.nearest(&format!("/waivers/{i}/expires")).pos;
            problems.push(problem(
                Some(pos),
                format!("`{}` is not a valid date (YYYY-MM-DD)", waiver.expires),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let lines = node
        .as_map()
        .iter()
        .filter_map(|(k, _)| Some((k.as_str()?.to_string(), k.pos.line)))
        .collect();
    let waiver_positions = (0..config.waivers.len())
        .map(|i| node.nearest(&format!("/waivers/{i}/criterion")).pos)
        .collect();
    Ok(LoadedConfig {
        config,
        file: Some(name.to_string()),
        lines,
        waiver_positions,
        warnings: Vec::new(),
    })
}

/// A calendar date as days since 1970-01-01, from `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Howard Hinnant's days-from-civil algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today as days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(
            parse_date("2024-02-29").map(|d| d - parse_date("2024-02-28").unwrap()),
            Some(1)
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("soon"), None);
        for day in [-1000, 0, 59, 60, 11_016, 11_017, 20_000, 40_000] {
            assert_eq!(
                parse_date(&format_date(day)),
                Some(day),
                "{}",
                format_date(day)
            );
        }
        assert_eq!(format_date(0), "1970-01-01");
    }

    #[test]
    fn config_errors_point_at_lines() {
        let err = parse(".opready.yaml", "service: x\ntier: 1\nwaivers:\n  - criterion: a\n    reason: r\n    owner: o\n    expires: someday\nbogus: 1\n").unwrap_err();
        let lines: Vec<u32> = err.iter().filter_map(|p| p.pos.map(|p| p.line)).collect();
        assert!(lines.contains(&7), "{err:?}");
        assert!(lines.contains(&8), "{err:?}");
    }

    #[test]
    fn each_waiver_keeps_its_own_position() {
        let loaded = parse(
            ".opready.yaml",
            "tier: 1\nwaivers:\n  - criterion: a\n    reason: r\n    owner: o\n    expires: 2030-01-01\n  - reason: r\n    owner: o\n    criterion: b\n    expires: 2030-01-01\n",
        )
        .unwrap();
        let at: Vec<(u32, u32)> = loaded
            .waiver_positions
            .iter()
            .map(|p| (p.line, p.column))
            .collect();
        assert_eq!(at, [(3, 16), (9, 16)]);
    }

    #[test]
    fn tier_as_number_or_text() {
        let c = parse("x", "tier: 1\n").unwrap().config;
        assert_eq!(c.tier.unwrap().as_string(), "1");
        let c = parse("x", "tier: tier-2\n").unwrap().config;
        assert_eq!(c.tier.unwrap().as_string(), "tier-2");
    }
}
