//! Cross-checks across evidence items, once every file has been read: runbook links
//! resolve, SLOs are tied to their burn-rate alerts, ecosystems are covered by updates and
//! scans. Everything here reads the collected evidence and the file index; nothing opens
//! files again.

use std::collections::BTreeSet;

use crate::evidence::Collector;
use crate::evidence::ci::{ScanCoverage, scanner_coverage};
use crate::evidence::docs::runbook_from_markdown;
use crate::scan::FileIndex;

pub fn run(out: &mut Collector, index: &FileIndex) {
    // SLO formats complete their SLOs from other files first (slo-generator policies,
    // Nobl9 alert policies, Terraform alerts on SLO resources): see `slo::link`.
    crate::evidence::slo::link(out);
    resolve_runbook_links(out, index);
    link_slo_alerting(out);
    cover_ecosystems(out);
    assign_owners(out);
}

/// The CODEOWNERS file that is in effect, in GitHub's order of precedence.
const CODEOWNERS_PRECEDENCE: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// Owners of SLO, alert and runbook files, from the CODEOWNERS file in effect.
fn assign_owners(out: &mut Collector) {
    let Some(rules) = CODEOWNERS_PRECEDENCE
        .iter()
        .find_map(|p| out.codeowners_rules.get(*p))
    else {
        return;
    };
    let matcher = crate::evidence::ownership::codeowners::OwnerMatcher::new(rules);
    let mut cache: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut owners_of = |path: &str| {
        cache
            .entry(path.to_string())
            .or_insert_with(|| matcher.owners_of(path))
            .clone()
    };
    let evidence = &mut out.evidence;
    for slo in &mut evidence.slos {
        slo.owners = owners_of(&slo.source.path);
    }
    for alert in &mut evidence.alerts {
        alert.owners = owners_of(&alert.source.path);
    }
    for runbook in &mut evidence.runbooks {
        runbook.owners = owners_of(&runbook.source.path);
    }
}

/// Where a runbook link points, once resolved against the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunbookTarget {
    /// An absolute URL or a templated value: cannot be checked offline.
    Unchecked,
    /// A repository file (and anchor, if any) that exists.
    Resolved { path: String },
    /// A repository-relative link that does not resolve, with the reason.
    Broken(String),
}

/// Resolves a runbook link written in `from` (a repository-relative file path).
pub fn resolve_runbook(
    link: &str,
    from: &str,
    index: &FileIndex,
    has_anchor: impl Fn(&str, &str) -> Option<bool>,
) -> RunbookTarget {
    let link = link.trim();
    if link.is_empty()
        || link.contains("://")
        || link.starts_with("mailto:")
        || link.contains("{{")
        || link.contains('$')
        || link.contains("TEMPLATED")
    {
        return RunbookTarget::Unchecked;
    }
    let (file_part, anchor) = match link.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (link, None),
    };
    let from_dir = from.rfind('/').map_or("", |i| &from[..i]);
    let candidates: Vec<Option<String>> = if file_part.is_empty() {
        vec![Some(from.to_string())]
    } else if let Some(abs) = file_part.strip_prefix('/') {
        vec![normalize(abs)]
    } else {
        let mut c = vec![normalize(file_part)];
        if !from_dir.is_empty() {
            c.push(normalize(&format!("{from_dir}/{file_part}")));
        }
        c
    };
    let Some(found) = candidates
        .iter()
        .flatten()
        .find(|p| index.contains(p) || index.contains_dir(p))
    else {
        let shown = candidates
            .iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_else(|| file_part.to_string());
        return RunbookTarget::Broken(format!("`{shown}` does not exist in the repository"));
    };
    if let Some(anchor) = anchor.filter(|a| !a.is_empty())
        && has_anchor(found, anchor) == Some(false)
    {
        return RunbookTarget::Broken(format!("`{found}` has no heading for `#{anchor}`"));
    }
    RunbookTarget::Resolved {
        path: found.to_string(),
    }
}

/// Normalises `a/./b/../c` to `a/c`; `None` when the path climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn resolve_runbook_links(out: &mut Collector, index: &FileIndex) {
    let outlines = &out.outlines;
    let has_anchor = |path: &str, anchor: &str| outlines.get(path).map(|md| md.has_anchor(anchor));
    let mut linked: BTreeSet<String> = BTreeSet::new();
    for alert in &mut out.evidence.alerts {
        let Some(url) = alert.runbook_url.clone() else {
            continue;
        };
        match resolve_runbook(&url, &alert.source.path, index, has_anchor) {
            RunbookTarget::Unchecked => {
                alert.runbook_resolves = None;
            }
            RunbookTarget::Resolved { path } => {
                alert.runbook_resolves = Some(true);
                linked.insert(path);
            }
            RunbookTarget::Broken(problem) => {
                alert.runbook_resolves = Some(false);
                alert.runbook_problem = Some(problem);
            }
        }
    }
    // A document an alert links to as its runbook is a runbook, whatever its name.
    let known: BTreeSet<&str> = out
        .evidence
        .runbooks
        .iter()
        .map(|r| r.path.as_str())
        .collect();
    let added: Vec<_> = linked
        .iter()
        .filter(|p| !known.contains(p.as_str()))
        .filter_map(|p| {
            outlines
                .get(p)
                .map(|md| runbook_from_markdown(p, md, "linked-from-alert"))
        })
        .collect();
    out.evidence.runbooks.extend(added);
}

fn link_slo_alerting(out: &mut Collector) {
    let evidence = &mut out.evidence;
    let policies: Vec<(String, bool)> = evidence
        .alert_policies
        .iter()
        .map(|p| (p.name.clone(), p.burn_rate))
        .collect();
    for slo in &mut evidence.slos {
        if slo.burn_rate_alerting {
            continue;
        }
        if let Some((name, _)) = policies
            .iter()
            .find(|(name, burn)| *burn && slo.alert_policies.contains(name))
        {
            slo.burn_rate_alerting = true;
            slo.burn_rate_alerting_via = Some(format!("OpenSLO alert policy `{name}`"));
            continue;
        }
        let refers = |alert: &crate::evidence::Alert| {
            ["slo", "sloth_slo", "slo_name", "objective"]
                .iter()
                .any(|k| alert.labels.get(*k).is_some_and(|v| v == &slo.name))
                || alert.expr.contains(&format!("\"{}\"", slo.name))
        };
        if let Some(alert) = evidence.alerts.iter().find(|a| a.burn_rate && refers(a)) {
            slo.burn_rate_alerting = true;
            slo.burn_rate_alerting_via = Some(format!(
                "burn-rate alert `{}` at {}",
                alert.name,
                alert.source.location()
            ));
        }
    }
}

/// Marks each ecosystem covered by automated updates and by CI scans. Configurations and
/// pipelines in example folders do not cover anything. A scanner that covers "all"
/// ecosystems reads package manifests; images and IaC need scanners of their own.
fn cover_ecosystems(out: &mut Collector) {
    let evidence = &mut out.evidence;
    let updates: Vec<_> = evidence
        .dependency_updates
        .iter()
        .filter(|d| !d.source.example)
        .collect();
    let all_updates = updates.iter().any(|d| d.all_ecosystems);
    let updated: BTreeSet<String> = updates
        .iter()
        .flat_map(|d| d.ecosystems.iter().cloned())
        .collect();
    let mut scans_all = false;
    let mut scanned: BTreeSet<String> = BTreeSet::new();
    for step in evidence
        .pipelines
        .iter()
        .filter(|p| !p.source.example)
        .flat_map(|p| &p.steps)
    {
        let Some(scanner) = &step.scanner else {
            continue;
        };
        match scanner_coverage(scanner) {
            ScanCoverage::All => scans_all = true,
            ScanCoverage::Some(list) => scanned.extend(list.iter().map(|s| s.to_string())),
        }
    }
    for eco in &mut evidence.ecosystems {
        eco.updates = all_updates || updated.contains(&eco.name);
        eco.scanned = (scans_all && eco.category == "package") || scanned.contains(&eco.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn index(paths: &[&str]) -> FileIndex {
        FileIndex::from_entries(
            Path::new("/nonexistent"),
            paths.iter().map(|p| (p.to_string(), 1)).collect(),
        )
    }

    #[test]
    fn runbook_links_resolve_against_root_then_rule_dir() {
        let idx = index(&[
            "docs/runbooks/high-latency.md",
            "rules/runbook.md",
            "rules/api.yaml",
        ]);
        let no_anchor = |_: &str, _: &str| None;
        assert_eq!(
            resolve_runbook(
                "docs/runbooks/high-latency.md",
                "rules/api.yaml",
                &idx,
                no_anchor
            ),
            RunbookTarget::Resolved {
                path: "docs/runbooks/high-latency.md".into()
            }
        );
        assert_eq!(
            resolve_runbook("./runbook.md", "rules/api.yaml", &idx, no_anchor),
            RunbookTarget::Resolved {
                path: "rules/runbook.md".into()
            }
        );
        assert_eq!(
            resolve_runbook(
                "https://runbooks.example.com/x",
                "rules/api.yaml",
                &idx,
                no_anchor
            ),
            RunbookTarget::Unchecked
        );
        assert!(matches!(
            resolve_runbook("docs/runbooks/missing.md", "rules/api.yaml", &idx, no_anchor),
            RunbookTarget::Broken(m) if m.contains("docs/runbooks/missing.md")
        ));
        assert!(matches!(
            resolve_runbook("../../etc/passwd", "rules/api.yaml", &idx, no_anchor),
            RunbookTarget::Broken(_)
        ));
    }

    #[test]
    fn anchors_must_match_a_heading() {
        let idx = index(&["docs/runbook.md"]);
        let anchors = |path: &str, anchor: &str| {
            (path == "docs/runbook.md").then_some(anchor == "high-latency")
        };
        assert!(matches!(
            resolve_runbook("docs/runbook.md#high-latency", "a.yaml", &idx, anchors),
            RunbookTarget::Resolved { .. }
        ));
        assert!(matches!(
            resolve_runbook("docs/runbook.md#nope", "a.yaml", &idx, anchors),
            RunbookTarget::Broken(m) if m.contains("#nope")
        ));
    }
}
