//! Cross-checks across evidence items, once every file has been read: runbook links
//! resolve, SLOs are tied to their burn-rate alerts, alerts are routed to receivers,
//! ecosystems are covered by updates and scans. Everything here reads the collected
//! evidence and the file index; nothing opens files again.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::alerts::burn_rate::{self, OBJECTIVE_TOLERANCE};
use crate::evidence::ci::{ScanCoverage, scanner_coverage};
use crate::evidence::docs::runbook_from_markdown;
use crate::evidence::routing::{AlertLabels, RoutingSystem, RoutingTree, is_templated};
use crate::evidence::{Alert, Collector, Slo};
use crate::scan::FileIndex;

pub fn run(out: &mut Collector, index: &FileIndex) {
    // Helm chart templates that the chart's values switch off are no evidence: drop them
    // before anything is linked to them (see `helm`; it reads the repository's other
    // values files, but only when some template is switched off by its chart's defaults).
    crate::evidence::helm::skip_switched_off_templates(out, index);

    // SLO formats complete their SLOs from other files first (slo-generator policies,
    // Nobl9 alert policies, Terraform alerts on SLO resources): see `slo::link`.
    crate::evidence::slo::link(out);
    resolve_runbook_links(out, index);
    link_slo_alerting(out);
    link_burn_rate_objectives(out);
    mark_terraform_library(out);
    route_alerts(out);
    route_by_notification_targets(out);
    cover_ecosystems(out);
    assign_owners(out);
}

/// Routes every alert through the routing trees of its kind (see
/// [`crate::evidence::routing`]): the receivers it can reach, whether one of them pages,
/// and a problem when one of them is not defined. Trees in example folders route only
/// example alerts, and the other way round. Several configurations (production and
/// staging, or `AlertmanagerConfig` pieces) are each routed through and merged.
fn route_alerts(out: &mut Collector) {
    let trees = &out.routing_trees;
    if trees.is_empty() {
        return;
    }
    // Alerts that can reach each receiver, by (tree, receiver name).
    let mut reached: BTreeMap<(usize, &str), u32> = BTreeMap::new();
    let mut used_trees: BTreeSet<usize> = BTreeSet::new();
    let rule_labels = AlertLabels::rule_labels(out.evidence.alerts.iter());
    for alert in &mut out.evidence.alerts {
        let Some(system) = RoutingSystem::of_alert_format(&alert.format) else {
            continue;
        };
        let routing: Vec<(usize, &RoutingTree)> = trees
            .iter()
            .enumerate()
            .filter(|(_, t)| t.system == system && t.source.example == alert.source.example)
            .collect();
        if routing.is_empty() {
            continue;
        }
        let labels = AlertLabels::of(alert, &rule_labels);
        let mut routed_to = BTreeSet::new();
        let mut problems = BTreeSet::new();
        let mut paging = false;
        for (i, tree) in routing {
            used_trees.insert(i);
            for name in tree.reach(&labels) {
                if is_templated(&name) {
                    continue;
                }
                if !tree.defines(&name) {
                    let file = tree.source.path.rsplit('/').next().unwrap_or_default();
                    problems.insert(format!(
                        "routes to receiver `{name}`, which is not defined in {file}"
                    ));
                } else if let Some(r) = tree.receivers.iter().find(|r| r.name == name) {
                    *reached.entry((i, r.name.as_str())).or_default() += 1;
                    paging |= r.paging;
                }
                routed_to.insert(name);
            }
        }
        alert.routed_to = routed_to.into_iter().collect();
        alert.route_problem =
            (!problems.is_empty()).then(|| problems.into_iter().collect::<Vec<_>>().join("; "));
        alert.routed_to_paging = Some(paging);
    }
    for receiver in &mut out.evidence.receivers {
        if let Some(i) = trees
            .iter()
            .position(|t| t.receivers.iter().any(|r| r.source == receiver.source))
            && used_trees.contains(&i)
        {
            let count = reached.get(&(i, receiver.name.as_str())).copied();
            receiver.routed_alerts = Some(count.unwrap_or(0));
        }
    }
}

/// Terraform in a folder that no root module of the repository applies — the modules of a
/// module library, or a module nothing calls — defines nothing that runs: like an example,
/// it is listed as evidence but not counted. A root module configures a provider or a
/// backend; the folders it calls with a local `source` are applied with it.
fn mark_terraform_library(out: &mut Collector) {
    let defaults = &out.terraform_defaults;
    // Roots in example folders apply only examples.
    let mut applied: BTreeSet<String> = defaults
        .roots
        .iter()
        .filter(|dir| !crate::evidence::is_example_path(&format!("{dir}/main.tf")))
        .cloned()
        .collect();
    let mut frontier: Vec<String> = applied.iter().cloned().collect();
    while let Some(dir) = frontier.pop() {
        for (caller, module) in &defaults.module_calls {
            if *caller == dir && applied.insert(module.clone()) {
                frontier.push(module.clone());
            }
        }
    }
    out.evidence.for_each_source_mut(|list, source| {
        // A module library still has provider and module versions to keep up to date.
        let is_terraform = source.path.ends_with(".tf") && list != "ecosystems";
        let dir = source.path.rsplit_once('/').map_or("", |(d, _)| d);
        if is_terraform && !applied.contains(dir) {
            source.example = true;
        }
    });
}

/// Alerts that name their notification targets themselves (Terraform alert policies and
/// alarms, Grafana rules with a contact point) reach the receivers with that name or
/// Terraform address, wherever in the repository they are defined.
fn route_by_notification_targets(out: &mut Collector) {
    let evidence = &mut out.evidence;
    let mut reached: BTreeMap<usize, u32> = BTreeMap::new();
    for alert in &mut evidence.alerts {
        if !alert.routed_to.is_empty() || alert.notifies.is_empty() {
            continue;
        }
        let mut routed_to = BTreeSet::new();
        let mut paging = false;
        for target in &alert.notifies {
            for (i, receiver) in evidence.receivers.iter().enumerate() {
                let matches = receiver.name == *target
                    || receiver.address.as_deref() == Some(target.as_str());
                if matches && receiver.source.example == alert.source.example {
                    routed_to.insert(receiver.name.clone());
                    paging |= receiver.paging;
                    *reached.entry(i).or_default() += 1;
                }
            }
        }
        if !routed_to.is_empty() {
            alert.routed_to = routed_to.into_iter().collect();
            alert.routed_to_paging = Some(paging || alert.routed_to_paging.unwrap_or(false));
        }
    }
    for (i, count) in reached {
        if let Some(receiver) = evidence.receivers.get_mut(i) {
            receiver.used = true;
            receiver.routed_alerts = Some(receiver.routed_alerts.unwrap_or(0) + count);
        }
    }
}

/// Ties each burn-rate alert to the SLO(s) of the repository it serves, and says when the
/// objective its threshold assumes is not theirs. Alerts are compared with SLOs of their
/// own kind (example or not); without SLOs, a threshold that looks like a budget is left
/// alone.
fn link_burn_rate_objectives(out: &mut Collector) {
    let evidence = &mut out.evidence;
    for alert in &mut evidence.alerts {
        if !alert.burn_rate {
            continue;
        }
        alert.budget_objective = burn_rate::analyse(&alert.expr).objective;
        let slos: Vec<&Slo> = evidence
            .slos
            .iter()
            .filter(|s| s.source.example == alert.source.example)
            .collect();
        if slos.is_empty() {
            continue;
        }
        let (tied, problem) = tie_to_slos(alert, &slos);
        alert.slos = tied;
        alert.slo_problem = problem;
    }
}

/// The SLOs a burn-rate alert belongs to, and the problem when its objective is not theirs.
fn tie_to_slos(alert: &Alert, slos: &[&Slo]) -> (Vec<String>, Option<String>) {
    let assumed = alert.budget_objective;
    let has = |slo: &Slo, objective: f64| {
        slo.objectives
            .iter()
            .chain(slo.objective.iter())
            .any(|o| (o - objective).abs() < OBJECTIVE_TOLERANCE)
    };
    let named = named_slos(alert, slos);
    if !named.is_empty() {
        let names = |list: &[&Slo]| -> Vec<String> {
            list.iter()
                .map(|s| s.name.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let stated = named
            .iter()
            .any(|s| s.objective.is_some() || !s.objectives.is_empty());
        let Some(objective) = assumed.filter(|_| stated) else {
            return (names(&named), None);
        };
        let fitting: Vec<&Slo> = named
            .iter()
            .copied()
            .filter(|s| has(s, objective))
            .collect();
        if !fitting.is_empty() {
            return (names(&fitting), None);
        }
        // The SLO defined closest to the alert speaks for the others (same-named SLOs of
        // several environments).
        let problem = closest(alert, &named).map(|slo| {
            format!(
                "assumes a {} objective, but SLO `{}` says {}",
                percent(objective),
                slo.name,
                describe_objectives(slo)
            )
        });
        return (names(&named), problem);
    }
    let Some(objective) = assumed else {
        return (Vec::new(), None);
    };
    let fitting: BTreeSet<String> = slos
        .iter()
        .filter(|s| has(s, objective))
        .map(|s| s.name.clone())
        .collect();
    if !fitting.is_empty() {
        return (fitting.into_iter().collect(), None);
    }
    let stated: Vec<&&Slo> = slos.iter().filter(|s| s.objective.is_some()).collect();
    if stated.is_empty() {
        return (Vec::new(), None);
    }
    let problem = if let [slo] = stated.as_slice() {
        format!(
            "assumes a {} objective, but SLO `{}` says {}",
            percent(objective),
            slo.name,
            describe_objectives(slo)
        )
    } else {
        let mut objectives: Vec<f64> = stated.iter().filter_map(|s| s.objective).collect();
        objectives.sort_by(f64::total_cmp);
        objectives.dedup_by(|a, b| (*a - *b).abs() < OBJECTIVE_TOLERANCE);
        format!(
            "assumes a {} objective, but no SLO of the repository has it ({} SLOs say {})",
            percent(objective),
            stated.len(),
            objectives
                .iter()
                .map(|o| percent(*o))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    (Vec::new(), Some(problem))
}

/// SLOs the alert names: by its labels, else by its expression's selectors (`sloth_slo`,
/// `slo`, `slo_name`), narrowed to its service (`sloth_service`, `service`) when that
/// leaves any.
fn named_slos<'a>(alert: &Alert, slos: &[&'a Slo]) -> Vec<&'a Slo> {
    const NAME_LABELS: &[&str] = &["sloth_slo", "slo", "slo_name"];
    const SERVICE_LABELS: &[&str] = &["sloth_service", "service"];
    let selectors = burn_rate::slo_selectors(&alert.expr);
    let find = |keys: &[&str]| -> BTreeSet<String> {
        let from_labels: BTreeSet<String> = keys
            .iter()
            .filter_map(|k| alert.labels.get(*k).cloned())
            .collect();
        if !from_labels.is_empty() {
            return from_labels;
        }
        selectors
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let names = find(NAME_LABELS);
    let named: Vec<&Slo> = slos
        .iter()
        .copied()
        .filter(|s| names.contains(&s.name))
        .collect();
    let services = find(SERVICE_LABELS);
    let of_service: Vec<&Slo> = named
        .iter()
        .copied()
        .filter(|s| s.service.as_ref().is_some_and(|svc| services.contains(svc)))
        .collect();
    if of_service.is_empty() {
        named
    } else {
        of_service
    }
}

/// Of several SLOs, the one defined nearest the alert: in a file of the same name (a
/// generated rule file and its spec), else in the same folder, else the first.
fn closest<'a>(alert: &Alert, slos: &[&'a Slo]) -> Option<&'a Slo> {
    let stem = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        name.split('.').next().unwrap_or(name).to_string()
    };
    let dir = |path: &str| path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let alert_stem = stem(&alert.source.path);
    let alert_dir = dir(&alert.source.path);
    slos.iter()
        .copied()
        .find(|s| stem(&s.source.path) == alert_stem)
        .or_else(|| {
            slos.iter()
                .copied()
                .find(|s| dir(&s.source.path) == alert_dir)
        })
        .or_else(|| slos.first().copied())
}

/// `0.995` as `99.5 %`.
pub fn percent(ratio: f64) -> String {
    let text = format!("{:.6}", ratio * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} %")
}

fn describe_objectives(slo: &Slo) -> String {
    let mut objectives = slo.objectives.clone();
    if objectives.is_empty() {
        objectives.extend(slo.objective);
    }
    objectives
        .iter()
        .map(|o| percent(*o))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The CODEOWNERS file that is in effect, in GitHub's order of precedence.
pub(crate) const CODEOWNERS_PRECEDENCE: &[&str] = &[
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
    // A configuration covers the ecosystems it lists, or all but those it switches off.
    let covers = |name: &String| {
        updates.iter().any(|d| {
            d.ecosystems.contains(name)
                || (d.all_ecosystems && !d.disabled_ecosystems.contains(name))
        })
    };
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
        eco.updates = covers(&eco.name);
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

    use crate::evidence::Detection;
    use crate::evidence::alerts::alertmanager::Alertmanager;
    use crate::evidence::alerts::prometheus_rules::PrometheusRules;
    use crate::evidence::alerts::test_support::run;
    use crate::evidence::slo::{pyrra::Pyrra, sloth::Sloth};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&PrometheusRules, &Alertmanager, &Sloth, &Pyrra])
    }

    const ROUTES: &str = r##"route:
  receiver: team-email
  routes:
    - matchers: ['alertname = "Watchdog"']
      receiver: deadmans-switch
    - matchers: ['{severity="critical", team=~"payments|checkout"}']
      receiver: payments-pager
    - match: {severity: critical}
      receiver: oncall-pager
    - match_re: {severity: "warning|info"}
      receiver: team-slack
receivers:
  - name: team-email
    email_configs: [{to: team@example.com}]
  - name: payments-pager
    pagerduty_configs: [{routing_key_file: /etc/am/pd}]
  - name: team-slack
    slack_configs: [{channel: "#alerts"}]
  - name: unused-pager
    opsgenie_configs: [{api_key_file: /etc/am/og}]
"##;

    const RULES: &str = r#"groups:
  - name: checkout
    rules:
      - alert: CheckoutDown
        expr: up{job="checkout"} == 0
        labels: {severity: critical, team: checkout}
      - alert: DiskFilling
        expr: disk_free_ratio < 0.1
        labels: {severity: critical, team: platform}
      - alert: QueueSlow
        expr: queue_age_seconds > 600
        labels: {severity: warning, team: checkout}
      - alert: Watchdog
        expr: vector(1)
        labels: {severity: none}
"#;

    fn alert<'a>(d: &'a Detection, name: &str) -> &'a crate::evidence::Alert {
        d.evidence
            .alerts
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no alert {name}"))
    }

    #[test]
    fn alerts_are_routed_through_the_tree() {
        let d = detect(&[
            ("alertmanager/alertmanager.yml", ROUTES),
            ("rules/checkout.rules.yml", RULES),
        ]);
        let down = alert(&d, "CheckoutDown");
        assert_eq!(down.routed_to, ["payments-pager"]);
        assert_eq!(down.routed_to_paging, Some(true));
        assert_eq!(down.route_problem, None);
        let disk = alert(&d, "DiskFilling");
        assert_eq!(disk.routed_to, ["oncall-pager"]);
        assert_eq!(
            disk.route_problem.as_deref(),
            Some("routes to receiver `oncall-pager`, which is not defined in alertmanager.yml")
        );
        assert_eq!(
            disk.routed_to_paging,
            Some(false),
            "paging severity, no pager"
        );
        assert_eq!(alert(&d, "QueueSlow").routed_to, ["team-slack"]);
        assert_eq!(alert(&d, "Watchdog").routed_to, ["deadmans-switch"]);

        let reached: Vec<(&str, Option<u32>)> = d
            .evidence
            .receivers
            .iter()
            .map(|r| (r.name.as_str(), r.routed_alerts))
            .collect();
        assert_eq!(
            reached,
            [
                ("team-email", Some(0)),
                ("payments-pager", Some(1)),
                ("team-slack", Some(1)),
                ("unused-pager", Some(0)),
            ]
        );
    }

    #[test]
    fn nothing_is_routed_without_routing_or_across_example_folders() {
        let d = detect(&[("rules/checkout.rules.yml", RULES)]);
        let down = alert(&d, "CheckoutDown");
        assert!(down.routed_to.is_empty() && down.routed_to_paging.is_none());
        let d = detect(&[
            ("examples/alertmanager.yml", ROUTES),
            ("rules/checkout.rules.yml", RULES),
        ]);
        assert!(alert(&d, "CheckoutDown").routed_to_paging.is_none());
        assert!(
            d.evidence
                .receivers
                .iter()
                .all(|r| r.routed_alerts.is_none())
        );
    }

    #[test]
    fn several_configurations_are_merged() {
        let staging = "route:\n  receiver: staging-slack\nreceivers:\n  - name: staging-slack\n    slack_configs: [{channel: '#staging'}]\n";
        let d = detect(&[
            ("deploy/prod/alertmanager.yml", ROUTES),
            ("deploy/staging/alertmanager.yml", staging),
            ("rules/checkout.rules.yml", RULES),
        ]);
        assert_eq!(
            alert(&d, "CheckoutDown").routed_to,
            ["payments-pager", "staging-slack"]
        );
    }

    #[test]
    fn alertmanager_config_resources_match_their_namespace() {
        let amc = r##"apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: payments
  namespace: payments
spec:
  route:
    receiver: payments-slack
    routes:
      - matchers:
          - name: severity
            value: critical
        receiver: payments-pager
  receivers:
    - name: payments-slack
      slackConfigs: [{channel: "#payments"}]
    - name: payments-pager
      pagerdutyConfigs: [{routingKey: {name: pd, key: key}}]
"##;
        let rules = r#"apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: rules}
spec:
  groups:
    - name: g
      rules:
        - alert: PaymentsDown
          expr: up{job="payments"} == 0
          labels: {severity: critical}
        - alert: OtherTeamDown
          expr: up{job="other"} == 0
          labels: {severity: critical, namespace: search}
"#;
        let d = detect(&[("deploy/amc.yaml", amc), ("deploy/rules.yaml", rules)]);
        // The namespace comes from the series: the alert may reach the resource's routes.
        assert_eq!(alert(&d, "PaymentsDown").routed_to, ["payments-pager"]);
        // A rule that sets another namespace does not.
        let other = alert(&d, "OtherTeamDown");
        assert!(other.routed_to.is_empty(), "{:?}", other.routed_to);
        assert_eq!(other.routed_to_paging, Some(false));
    }

    const SLOTH: &str = r#"version: prometheus/v1
service: checkout
slos:
  - name: requests-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutAvailability
  - name: requests-latency
    objective: 99
    sli:
      raw:
        error_ratio_query: latency_error_ratio[{{.window}}]
    alerting:
      name: CheckoutLatency
"#;

    fn burn_rule(name: &str, slo: &str, budget: &str) -> String {
        format!(
            r#"      - alert: {name}
        expr: |
          (max(slo:sli_error:ratio_rate5m{{sloth_service="checkout", sloth_slo="{slo}"}} > (14.4 * {budget})) without (sloth_window)
          and max(slo:sli_error:ratio_rate1h{{sloth_service="checkout", sloth_slo="{slo}"}} > (14.4 * {budget})) without (sloth_window))
        labels: {{severity: critical}}
"#
        )
    }

    #[test]
    fn burn_rate_alerts_are_tied_to_the_slo_they_name() {
        let rules = format!(
            "groups:\n  - name: slos\n    rules:\n{}{}",
            burn_rule(
                "CheckoutAvailability",
                "requests-availability",
                "0.0009999999999999432"
            ),
            burn_rule("CheckoutLatency", "requests-latency", "0.005"),
        );
        let d = detect(&[("slos/checkout.yaml", SLOTH), ("rules/slos.yaml", &rules)]);
        let ok = alert(&d, "CheckoutAvailability");
        assert_eq!(ok.budget_objective, Some(0.999));
        assert_eq!(ok.slos, ["requests-availability"]);
        assert_eq!(ok.slo_problem, None);
        let wrong = alert(&d, "CheckoutLatency");
        assert_eq!(wrong.budget_objective, Some(0.995));
        assert_eq!(wrong.slos, ["requests-latency"]);
        assert_eq!(
            wrong.slo_problem.as_deref(),
            Some("assumes a 99.5 % objective, but SLO `requests-latency` says 99 %")
        );
    }

    #[test]
    fn unnamed_burn_rate_alerts_are_tied_by_objective() {
        let rule = |name: &str, objective: &str| {
            format!(
                "      - alert: {name}\n        expr: sum(rate(errors_total[1h])) / sum(rate(requests_total[1h])) > 14.4 * (1 - {objective}) and sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 14.4 * (1 - {objective})\n"
            )
        };
        let rules = format!(
            "groups:\n  - name: burn\n    rules:\n{}{}",
            rule("Fits", "0.99"),
            rule("FitsNone", "0.995")
        );
        let d = detect(&[("slos/checkout.yaml", SLOTH), ("rules/burn.yaml", &rules)]);
        assert_eq!(alert(&d, "Fits").slos, ["requests-latency"]);
        let none = alert(&d, "FitsNone");
        assert!(none.slos.is_empty());
        assert_eq!(
            none.slo_problem.as_deref(),
            Some(
                "assumes a 99.5 % objective, but no SLO of the repository has it (2 SLOs say 99 %, 99.9 %)"
            )
        );
        // Without SLOs, a threshold that looks like a budget is left alone.
        let d = detect(&[("rules/burn.yaml", &rules)]);
        let none = alert(&d, "FitsNone");
        assert_eq!(none.budget_objective, Some(0.995));
        assert!(none.slos.is_empty() && none.slo_problem.is_none());
    }

    #[test]
    fn percentages_read_naturally() {
        assert_eq!(percent(0.999), "99.9 %");
        assert_eq!(percent(0.99), "99 %");
        assert_eq!(percent(0.9999), "99.99 %");
        assert_eq!(percent(0.95), "95 %");
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
