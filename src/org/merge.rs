//! `org merge`: shard results back into one report, identical to an unsharded scan of the
//! same repositories (the repositories are concatenated, sorted, and the aggregate
//! recomputed by the same [`OrgReport::new`]).
//!
//! Refused, each with a message naming the files: reports of another layout version or
//! tool version, shards rated with different rules (policy digest) or settings, shards of
//! different splits, a shard given twice or missing, a repository in two shards or in a
//! shard it does not hash to. A single unsharded report is accepted on its own, so
//! `org merge org.json --format markdown` renders a saved report.

use std::collections::BTreeMap;

use crate::org::{ORG_SCHEMA_VERSION, OrgReport};

/// Reads one saved org report (`--format json`). `name` is used in messages.
pub fn parse(name: &str, text: &str) -> Result<OrgReport, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{name} is not JSON (an `org scan --format json` result): {e}"))?;
    match value.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(ORG_SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "{name} is an org report of schema version {v}; this opready reads version {ORG_SCHEMA_VERSION}: rerun the scan with one opready version"
            ));
        }
        None => {
            return Err(format!(
                "{name} is not an opready org report (no `schema_version`); `opready org scan --format json` writes one"
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| format!("{name} is not a valid opready org report: {e}"))
}

/// Merges named reports: all shards `1..=N` of one split, each once, or one unsharded
/// report.
pub fn merge(parts: Vec<(String, OrgReport)>) -> Result<OrgReport, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("nothing to merge: give the shard results (JSON files)".to_string());
    };
    for (name, part) in &parts[1..] {
        if part.tool != first.tool {
            return Err(format!(
                "{name} was written by {} {} but {first_name} by {} {}: scan every shard with one opready version",
                part.tool.name, part.tool.version, first.tool.name, first.tool.version
            ));
        }
        if !part.policy.same_rules(&first.policy) {
            return Err(format!(
                "{name} was rated with policy `{}` (digest {}) but {first_name} with `{}` (digest {}): scan every shard with the same policy pack",
                part.policy.name, part.policy.digest, first.policy.name, first.policy.digest
            ));
        }
        if part.settings != first.settings {
            return Err(format!(
                "{name} was rated with other --tier/--require settings than {first_name}: scan every shard with the same options"
            ));
        }
    }

    let count = match first.shard {
        None if parts.len() == 1 => None,
        None => {
            return Err(format!(
                "{first_name} is a whole organisation, not a shard: merge either the shards of one `--shard I/N` split or a single report"
            ));
        }
        Some(shard) => Some(shard.count),
    };
    if let Some(count) = count {
        let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
        for (name, part) in &parts {
            let Some(shard) = part.shard else {
                return Err(format!(
                    "{name} is a whole organisation, not a shard of {count}: merge either the shards of one `--shard I/N` split or a single report"
                ));
            };
            if shard.count != count {
                return Err(format!(
                    "{name} is shard {shard} but {first_name} is a shard of {count}: merge the shards of one split"
                ));
            }
            if let Some(other) = seen.insert(shard.index, name) {
                return Err(format!(
                    "shard {shard} is given twice ({other} and {name}): give each shard once"
                ));
            }
        }
        let missing: Vec<String> = (1..=count)
            .filter(|i| !seen.contains_key(i))
            .map(|i| format!("{i}/{count}"))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "missing shard(s) {}: a merge needs every shard of the split, each once",
                missing.join(", ")
            ));
        }
    }

    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, part) in &parts {
        for repo in &part.repositories {
            if let Some(shard) = part.shard
                && !shard.contains(&repo.path)
            {
                return Err(format!(
                    "{name} (shard {shard}) holds `{}`, which belongs to shard {}/{}: was the file edited, or its repository list sharded by another tool?",
                    repo.path,
                    crate::org::shard::shard_of(&repo.path, shard.count),
                    shard.count
                ));
            }
            if let Some(other) = owner.insert(&repo.path, name) {
                return Err(format!(
                    "repository `{}` appears twice ({other} and {name}): each repository must be rated once",
                    repo.path
                ));
            }
        }
    }

    let mut parts = parts.into_iter();
    let Some((_, first)) = parts.next() else {
        return Err("nothing to merge".to_string());
    };
    let mut repositories = first.repositories;
    for (_, part) in parts {
        repositories.extend(part.repositories);
    }
    Ok(OrgReport::new(
        first.tool,
        first.policy,
        first.settings,
        None,
        repositories,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{
        ErrorKind, OrgPolicy, OrgRepository, ScanSettings, Shard, shard::shard_of, tool_info,
    };

    fn policy() -> OrgPolicy {
        OrgPolicy::of(&crate::policy::load::builtin().unwrap())
    }

    /// A split of `paths` into `count` shards (entries are error entries: cheap, and the
    /// merge does not look inside reports).
    fn split(paths: &[&str], count: u32) -> Vec<(String, OrgReport)> {
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let repos = paths
                    .iter()
                    .filter(|p| shard.contains(p))
                    .map(|p| {
                        OrgRepository::failed(p.to_string(), ErrorKind::Unreadable, "x".into())
                    })
                    .collect();
                let report = OrgReport::new(
                    tool_info(),
                    policy(),
                    ScanSettings::default(),
                    Some(shard),
                    repos,
                );
                (format!("shard-{index}.json"), report)
            })
            .collect()
    }

    const PATHS: [&str; 9] = ["a", "b", "c", "d", "e", "f/g", "h", "i", "j"];

    fn whole() -> OrgReport {
        let repos = PATHS
            .iter()
            .map(|p| OrgRepository::failed(p.to_string(), ErrorKind::Unreadable, "x".into()))
            .collect();
        OrgReport::new(tool_info(), policy(), ScanSettings::default(), None, repos)
    }

    #[test]
    fn shards_merge_into_the_whole() {
        let mut parts = split(&PATHS, 3);
        parts.reverse();
        assert_eq!(merge(parts).unwrap(), whole());
    }

    #[test]
    fn a_single_report_merges_to_itself_and_round_trips() {
        let text = serde_json::to_string(&whole()).unwrap();
        let parsed = parse("org.json", &text).unwrap();
        assert_eq!(merge(vec![("org.json".into(), parsed)]).unwrap(), whole());
    }

    #[test]
    fn refuses_missing_duplicate_and_mixed_shards() {
        let mut parts = split(&PATHS, 3);
        parts.remove(1);
        let err = merge(parts).unwrap_err();
        assert!(err.contains("missing shard(s) 2/3"), "{err}");

        let mut parts = split(&PATHS, 3);
        parts.push(parts[0].clone());
        let err = merge(parts).unwrap_err();
        assert!(err.contains("shard 1/3 is given twice"), "{err}");

        let mut parts = split(&PATHS, 3);
        parts.push(split(&PATHS, 2).remove(0));
        let err = merge(parts).unwrap_err();
        assert!(
            err.contains("shard 1/2 but shard-1.json is a shard of 3"),
            "{err}"
        );

        let mut parts = split(&PATHS, 2);
        parts.push(("org.json".into(), whole()));
        assert!(merge(parts).unwrap_err().contains("whole organisation"));

        assert!(merge(vec![]).is_err());
    }

    #[test]
    fn refuses_duplicate_or_misplaced_repositories() {
        let mut parts = split(&PATHS, 2);
        // A repository added to the shard it does not hash to.
        let stray = PATHS.iter().find(|p| shard_of(p, 2) == 2).unwrap();
        parts[0].1.repositories.push(OrgRepository::failed(
            stray.to_string(),
            ErrorKind::Unreadable,
            "x".into(),
        ));
        let err = merge(parts).unwrap_err();
        assert!(err.contains("belongs to shard 2/2"), "{err}");

        let mut parts = split(&PATHS, 2);
        let own = parts[0].1.repositories[0].clone();
        parts[0].1.repositories.push(own);
        let err = merge(parts).unwrap_err();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn refuses_other_policies_settings_and_versions() {
        let mut parts = split(&PATHS, 2);
        parts[1].1.policy.digest = "0000000000000000".into();
        let err = merge(parts).unwrap_err();
        assert!(err.contains("same policy pack"), "{err}");

        let mut parts = split(&PATHS, 2);
        parts[1].1.policy.origin = "elsewhere/pack.yaml".into();
        assert!(merge(parts).is_ok(), "the same pack read from another path");

        let mut parts = split(&PATHS, 2);
        parts[1].1.settings.require.insert("slo".into(), 2);
        assert!(merge(parts).unwrap_err().contains("--tier/--require"));

        let mut parts = split(&PATHS, 2);
        parts[1].1.tool.version = "0.0.1".into();
        assert!(merge(parts).unwrap_err().contains("one opready version"));

        let mut value = serde_json::to_value(whole()).unwrap();
        value["schema_version"] = 99.into();
        let err = parse("old.json", &value.to_string()).unwrap_err();
        assert!(err.contains("schema version 99"), "{err}");
        assert!(
            parse("x.json", "{}")
                .unwrap_err()
                .contains("not an opready org report")
        );
        assert!(parse("x.json", "nope").unwrap_err().contains("not JSON"));
    }
}
