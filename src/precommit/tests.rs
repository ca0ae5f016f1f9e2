use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::policy::load::builtin;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn options() -> CheckOptions {
    CheckOptions {
        today: config::parse_date("2025-06-01").unwrap(),
        ..CheckOptions::default()
    }
}

fn run(root: &Path, files: &[&str]) -> FilesReport {
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    check_files(root, &files, &builtin().unwrap(), &options()).unwrap()
}

/// `(path:line, id)` of every problem.
fn problems(report: &FilesReport) -> Vec<(String, String)> {
    report
        .problems
        .iter()
        .map(|p| {
            let at = match (&p.path, p.line) {
                (Some(path), Some(line)) => format!("{path}:{line}"),
                (Some(path), None) => path.clone(),
                (None, _) => String::new(),
            };
            (at, p.id.clone())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const CODEOWNERS: (&str, &str) = (".github/CODEOWNERS", "* @acme/payments\n");

const GOOD_RULES: &str = "groups:
  - name: checkout
    rules:
      - alert: CheckoutDown
        expr: up{job=\"checkout\"} == 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: Checkout is down
          runbook_url: docs/runbooks/checkout.md
";

const RUNBOOK: &str = "---
last_reviewed_on: 2025-05-01
---
# Checkout

## Symptoms

Users cannot pay.

## Diagnosis

Look at the dashboard.

## Mitigation

Roll back.

## Escalation

Page the payments on-call.
";

#[test]
fn a_good_alert_file_passes_and_its_runbook_elsewhere_resolves() {
    let dir = repo(&[
        CODEOWNERS,
        ("monitoring/rules.yaml", GOOD_RULES),
        ("docs/runbooks/checkout.md", RUNBOOK),
    ]);
    let report = run(dir.path(), &["monitoring/rules.yaml"]);
    assert_eq!(problems(&report), pairs(&[]), "{report:#?}");
    assert!(report.passed());
    assert_eq!(report.files.checked, ["monitoring/rules.yaml"]);
}

#[test]
fn an_alert_without_severity_and_runbook_fails_with_its_line_and_one_fix_per_criterion() {
    let rules = "groups:
  - name: checkout
    rules:
      - alert: CheckoutDown
        expr: up == 0
        annotations:
          summary: Checkout is down
      - alert: CheckoutSlow
        expr: latency > 1
        annotations:
          summary: Checkout is slow
";
    let dir = repo(&[CODEOWNERS, ("rules.yaml", rules)]);
    let report = run(dir.path(), &["rules.yaml"]);
    // Without a severity an alert is paging: it must wait (`for:`) and link a runbook.
    assert_eq!(
        problems(&report),
        pairs(&[
            ("rules.yaml:4", "alerts-have-severity"),
            ("rules.yaml:4", "paging-alerts-debounced"),
            ("rules.yaml:4", "paging-alerts-have-runbook"),
            ("rules.yaml:8", "alerts-have-severity"),
            ("rules.yaml:8", "paging-alerts-debounced"),
            ("rules.yaml:8", "paging-alerts-have-runbook"),
        ])
    );
    let fixes: Vec<&str> = report.fixes.iter().map(|f| f.criterion.as_str()).collect();
    assert_eq!(
        fixes,
        [
            "alerts-have-severity",
            "paging-alerts-debounced",
            "paging-alerts-have-runbook"
        ]
    );
    assert!(!report.passed());
    assert_eq!(report.summary.errors, 6);
    assert!(report.problems[0].message.contains("CheckoutDown"));
}

#[test]
fn files_not_given_are_not_read() {
    let dir = repo(&[
        CODEOWNERS,
        ("rules.yaml", GOOD_RULES),
        ("docs/runbooks/checkout.md", RUNBOOK),
        ("broken.yaml", "a: [\n"),
        (
            "other.yaml",
            "groups:\n- name: g\n  rules:\n  - alert: NoSeverity\n    expr: up == 0\n",
        ),
    ]);
    let report = run(dir.path(), &["rules.yaml"]);
    assert_eq!(problems(&report), pairs(&[]));
}

#[test]
fn parse_errors_of_given_files_are_reported() {
    let dir = repo(&[
        (
            "broken.yaml",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: [\n",
        ),
        ("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n"),
    ]);
    let report = run(dir.path(), &["broken.yaml", "main.tf"]);
    let ids: Vec<(String, String)> = problems(&report);
    assert!(
        ids.iter()
            .any(|(at, id)| at.starts_with("broken.yaml:") && id == "invalid-yaml"),
        "{ids:?}"
    );
    assert!(ids.iter().any(|(_, id)| id == "invalid-hcl"), "{ids:?}");
    assert!(!report.passed());
}

#[test]
fn counts_are_not_evaluated_and_non_evidence_or_missing_files_are_ignored() {
    let dir = repo(&[
        ("README.md", "# Checkout\n\nTakes payments.\n"),
        ("main.go", "package main\n"),
    ]);
    let report = run(
        dir.path(),
        &["README.md", "main.go", "deleted.yaml", "../x.yaml"],
    );
    assert_eq!(problems(&report), pairs(&[]));
    assert_eq!(report.files.checked, ["README.md"]);
    assert_eq!(report.files.given, 4);
    assert!(report.passed());

    let report = run(dir.path(), &["main.go"]);
    assert!(report.files.checked.is_empty());
    assert!(report.passed());
}

#[test]
fn broken_runbook_links_are_reported_once() {
    let rules = "groups:
  - name: checkout
    rules:
      - alert: PagingGone
        expr: up == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: s, runbook_url: docs/runbooks/gone.md}
      - alert: WarningGone
        expr: up == 0
        for: 5m
        labels: {severity: warning}
        annotations: {summary: s, runbook_url: docs/runbooks/gone.md}
      - alert: BadHeading
        expr: up == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: s, runbook_url: 'docs/runbooks/checkout.md#no-such-heading'}
      - alert: GoodHeading
        expr: up == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: s, runbook_url: 'docs/runbooks/checkout.md#mitigation'}
";
    let dir = repo(&[
        CODEOWNERS,
        ("rules.yaml", rules),
        ("docs/runbooks/checkout.md", RUNBOOK),
    ]);
    let report = run(dir.path(), &["rules.yaml"]);
    assert_eq!(
        problems(&report),
        pairs(&[
            ("rules.yaml:4", "paging-alerts-have-runbook"),
            ("rules.yaml:9", "broken-runbook-link"),
            ("rules.yaml:14", "paging-alerts-have-runbook"),
        ]),
        "{report:#?}"
    );
    assert!(report.problems[0].message.contains("gone.md"));
    assert!(report.problems[2].message.contains("no-such-heading"));
    // The runbook was read for its headings, but is not reported on.
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.path.as_deref() == Some("rules.yaml"))
    );
}

#[test]
fn slo_checks_of_the_file_itself_apply_but_not_burn_rate_alerting_elsewhere() {
    let slos = "apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata:
      name: good-requests
    spec:
      ratioMetric:
        good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(ok[5m]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(all[5m]))'}}}
  objectives:
    - displayName: good
      target: 0.999
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: no-objective
spec:
  service: checkout
  budgetingMethod: Occurrences
  indicator:
    metadata:
      name: good-requests
    spec:
      ratioMetric:
        good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(ok[5m]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(all[5m]))'}}}
";
    let dir = repo(&[CODEOWNERS, ("slo/checkout.yaml", slos)]);
    let report = run(dir.path(), &["slo/checkout.yaml"]);
    // Neither SLO has burn-rate alerts in this file: the full check decides that.
    assert_eq!(
        problems(&report),
        pairs(&[("slo/checkout.yaml:22", "slo-objective-and-window")]),
        "{report:#?}"
    );
    assert!(!report.passed());
}

#[test]
fn owners_come_from_the_codeowners_file_in_effect() {
    let dir = repo(&[
        ("rules.yaml", GOOD_RULES),
        ("docs/runbooks/checkout.md", RUNBOOK),
    ]);
    let report = run(dir.path(), &["rules.yaml"]);
    assert_eq!(
        problems(&report),
        pairs(&[("rules.yaml:4", "operational-files-owned")])
    );
    write(dir.path(), "CODEOWNERS", "*.yaml @acme/payments\n");
    let report = run(dir.path(), &["rules.yaml"]);
    assert_eq!(problems(&report), pairs(&[]));
}

#[test]
fn terraform_is_read_with_the_other_files_of_its_module() {
    let dir = repo(&[
        (
            "infra/providers.tf",
            "provider \"aws\" {\n  region = \"eu-west-1\"\n  default_tags {\n    tags = { team = \"payments\" }\n  }\n}\n",
        ),
        (
            "infra/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
        ),
        (
            "bare/providers.tf",
            "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n",
        ),
        (
            "bare/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
        ),
    ]);
    let report = run(dir.path(), &["infra/main.tf", "bare/main.tf"]);
    assert_eq!(
        problems(&report),
        pairs(&[("bare/main.tf:1", "cost-allocation-tags")]),
        "{report:#?}"
    );
}

#[test]
fn runbooks_are_checked_for_structure_and_review() {
    let dir = repo(&[
        CODEOWNERS,
        (
            "docs/runbooks/overdue.md",
            &RUNBOOK.replace("2025-05-01", "2023-01-01\nreview_by: 2024-01-01"),
        ),
        ("docs/runbooks/fresh.md", RUNBOOK),
    ]);
    let report = run(
        dir.path(),
        &["docs/runbooks/overdue.md", "docs/runbooks/fresh.md"],
    );
    assert_eq!(
        problems(&report),
        pairs(&[("docs/runbooks/overdue.md:1", "runbooks-reviewed")]),
        "{report:#?}"
    );
}

#[test]
fn waivers_excuse_criteria() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n    labels: {severity: warning}\n    annotations: {summary: s}\n  - alert: B\n    expr: up == 0\n    for: 5m\n    annotations: {summary: s, runbook_url: 'https://runbooks/b'}\n";
    let dir = repo(&[
        CODEOWNERS,
        ("rules.yaml", rules),
        (
            ".opready.yaml",
            "waivers:\n  - criterion: alerts-have-severity\n    reason: migrating\n    owner: \"@alice\"\n    expires: 2099-01-01\n",
        ),
    ]);
    let report = run(dir.path(), &["rules.yaml"]);
    assert_eq!(problems(&report), pairs(&[]), "{report:#?}");
    assert_eq!(report.summary.waived, 1);
    assert!(report.passed());
}

#[test]
fn paths_may_be_absolute_inside_the_root_or_written_loosely() {
    let dir = repo(&[("a/b.yaml", "x: 1\n")]);
    let root = dir.path();
    assert_eq!(
        repo_relative(root, &root.join("a/b.yaml")).as_deref(),
        Some("a/b.yaml")
    );
    assert_eq!(
        repo_relative(root, Path::new("./a/./c/../b.yaml")).as_deref(),
        Some("a/b.yaml")
    );
    assert_eq!(
        repo_relative(root, Path::new("a\\b.yaml")).as_deref(),
        Some("a/b.yaml")
    );
    assert_eq!(repo_relative(root, Path::new("../b.yaml")), None);
    assert_eq!(repo_relative(root, Path::new("/elsewhere/b.yaml")), None);
}

#[test]
fn per_item_checks_drop_counts_and_count_only_criteria() {
    let pack = builtin().unwrap();
    let reduced = per_item_checks(&pack);
    assert!(reduced.criterion("alerts-defined").is_none());
    assert!(reduced.criterion("ci-defined").is_none());
    let severity = reduced.criterion("alerts-have-severity").unwrap();
    assert!(
        severity
            .checks
            .iter()
            .all(|c| c.each.is_some() && c.min.is_none())
    );
    let owned = reduced.criterion("operational-files-owned").unwrap();
    assert_eq!(owned.checks.len(), 3);
}

#[test]
fn decided_elsewhere_fields_are_forgotten() {
    let mut doc = serde_json::json!({
        "slos": [{"burn_rate_alerting": false}, {"burn_rate_alerting": true}],
        "alerts": [{"slo_problem": "x", "slos": []}]
    });
    forget_decided_elsewhere(&mut doc);
    assert_eq!(
        doc,
        serde_json::json!({
            "slos": [{}, {"burn_rate_alerting": true}],
            "alerts": [{}]
        })
    );
}

/// Detectors whose files only count towards repository-wide criteria (ecosystems,
/// scripts, API specs): the hook need not run for them.
const COUNTED_ONLY: &[&str] = &["package-ecosystems", "ops-automation", "api-specs"];

#[test]
fn the_hook_runs_for_every_file_a_detector_checks() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let hooks: Value = serde_saphyr::from_str(&fs::read_to_string(manifest).unwrap()).unwrap();
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["opready", "opready-system"]);
    let files = hooks[0]["files"].as_str().unwrap();
    assert_eq!(hooks[1]["files"].as_str(), Some(files));
    let pattern = regex::Regex::new(files).unwrap();

    let detectors = registry::all();
    let mut checked = 0;
    for base in ["fixtures", "../shared/corpus"] {
        let Ok(repos) = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(base)) else {
            continue;
        };
        for repo in repos.flatten().filter(|r| r.path().is_dir()) {
            let (index, _) = FileIndex::walk(&repo.path(), &WalkOptions::default()).unwrap();
            for file in index.files() {
                let path = RepoPath::new(&file.path);
                let wanted = detectors
                    .iter()
                    .any(|d| !COUNTED_ONLY.contains(&d.id()) && d.accepts(&path));
                if wanted {
                    checked += 1;
                    assert!(
                        pattern.is_match(&file.path),
                        "the hook's `files` pattern misses {}/{}",
                        repo.path().display(),
                        file.path
                    );
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
    for other in ["main.go", "Dockerfile", "go.mod", "README", "src/lib.rs"] {
        assert!(!pattern.is_match(other), "{other}");
    }
}
