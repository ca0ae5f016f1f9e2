//! GitHub Actions workflows (`.github/workflows/*.yml`).
//!
//! ## What it finds
//! One pipeline per workflow file: its name (`name:` or the file stem), what triggers it
//! (`on:`), its jobs and steps, each step classified by the action it uses and the commands
//! it runs (see [`super::steps`]), and the reusable workflows its jobs call.
//!
//! ## How steps are read
//! - `run: ${{ matrix.command }}` is read once per value of the job's matrix, so a matrix
//!   of `bin/tests` and `bin/lint` makes the step both `test` and `lint`.
//! - A job that deploys to an environment named like a real one (`production`, `staging`)
//!   deploys, even when its commands are opaque scripts.
//! - Deploying into a throw-away cluster (kind, minikube, k3d) is a test.
//! - A job calling a reusable workflow of the same repository takes that workflow's kinds
//!   (see [`super::link_called_workflows`]).
//!
//! A job or step switched off with a literal false condition (`if: false`,
//! `if: ${{ false }}`, `if: 'false'`) never runs: it adds no steps, calls and kinds, and
//! a disabled job is not counted in `jobs`.
//!
//! YAML 1.1 reads a bare `on:` key as the boolean `true`; both spellings are accepted.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::ci::steps::{self, StepText};
use crate::evidence::ci::{link_called_workflows, refresh_step_kinds};
use crate::evidence::{Collector, Detector, FileContext, Pipeline, RepoPath, Source, Step};
use crate::parse::yaml::{Node, Value};

pub struct GithubActions;

impl Detector for GithubActions {
    fn id(&self) -> &'static str {
        "github-actions"
    }

    fn summary(&self) -> &'static str {
        "GitHub Actions workflows in `.github/workflows/`: triggers, jobs, steps classified as test, lint, build, deploy, scans and releases"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        // GitHub runs only the files directly in `.github/workflows`.
        path.dir() == ".github/workflows" && path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("jobs") {
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|docs| docs.first()) else {
            return;
        };
        if let Some(pipeline) = read_workflow(file.path.as_str(), doc) {
            out.evidence.pipelines.push(pipeline);
            let added = out.evidence.pipelines.len() - 1;
            link_called_workflows(&mut out.evidence.pipelines, added);
        }
    }
}

/// Reads one workflow document; `None` when it is not a workflow (no `jobs` map).
pub fn read_workflow(path: &str, doc: &Node) -> Option<Pipeline> {
    let jobs = doc.get("jobs").filter(|j| j.is_map())?;
    let stem = RepoPath::new(path).name();
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_string();
    let name = doc
        .get("name")
        .and_then(Node::scalar_text)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(stem);
    let (triggers, reusable) = on_entry(doc).map_or((Vec::new(), false), triggers);

    let mut steps = Vec::new();
    let mut calls = BTreeSet::new();
    let mut disabled_jobs = 0u32;
    for (key, job) in jobs.as_map() {
        if switched_off(job.get("if")) {
            disabled_jobs += 1;
            continue;
        }
        let Some(job_id) = key.scalar_text() else {
            continue;
        };
        let job_steps = read_job(path, &job_id, job, &mut calls);
        steps.extend(job_steps);
    }

    let mut pipeline = Pipeline {
        system: "github-actions".to_string(),
        name,
        path: path.to_string(),
        triggers,
        jobs: (jobs.as_map().len() as u32).saturating_sub(disabled_jobs),
        steps,
        step_kinds: Vec::new(),
        reusable,
        calls: calls.into_iter().collect(),
        source: Source::new(path, Some(doc.pos)),
    };
    refresh_step_kinds(&mut pipeline);
    Some(pipeline)
}

/// An `if:` condition that is literally false (`false`, `'false'`, `${{ false }}`): the
/// job or step never runs. Any other expression may be true.
fn switched_off(condition: Option<&Node>) -> bool {
    let Some(condition) = condition else {
        return false;
    };
    match &condition.value {
        Value::Bool(b) => !b,
        Value::String(s) => {
            let s = s.trim();
            let inner = s
                .strip_prefix("${{")
                .and_then(|rest| rest.strip_suffix("}}"))
                .unwrap_or(s)
                .trim();
            inner == "false"
        }
        _ => false,
    }
}

/// The `on:` value, whether the key was read as the string `on` or YAML 1.1's `true`.
fn on_entry(doc: &Node) -> Option<&Node> {
    doc.as_map()
        .iter()
        .rev()
        .find(|(k, _)| match &k.value {
            Value::String(s) => s == "on",
            Value::Bool(true) => true,
            _ => false,
        })
        .map(|(_, v)| v)
}

/// Triggers (sorted) and whether the workflow is reusable (`workflow_call`).
fn triggers(on: &Node) -> (Vec<String>, bool) {
    let mut out = BTreeSet::new();
    let mut reusable = false;
    let mut add = |event: &str, config: Option<&Node>| {
        if event == "workflow_call" {
            reusable = true;
        }
        for t in event_triggers(event, config) {
            out.insert(t);
        }
    };
    match &on.value {
        Value::String(event) => add(event, None),
        Value::Seq(items) => {
            for item in items {
                if let Some(event) = item.as_str() {
                    add(event, None);
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                if let Some(event) = k.scalar_text() {
                    add(&event, Some(v));
                }
            }
        }
        _ => {}
    }
    (out.into_iter().map(String::from).collect(), reusable)
}

fn event_triggers(event: &str, config: Option<&Node>) -> Vec<&'static str> {
    match event {
        "push" => {
            let has = |k: &str| config.and_then(|c| c.get(k)).is_some();
            let tags = has("tags");
            let branches = has("branches") || has("branches-ignore");
            match (tags, branches) {
                (true, false) => vec!["tag"],
                (true, true) => vec!["push", "tag"],
                _ => vec!["push"],
            }
        }
        "pull_request" | "pull_request_target" | "merge_group" => vec!["pull-request"],
        "schedule" => vec!["schedule"],
        "workflow_dispatch" | "repository_dispatch" => vec!["manual"],
        "release" => vec!["release"],
        "workflow_call" => vec!["workflow-call"],
        "workflow_run" => vec!["workflow-run"],
        _ => vec!["other"],
    }
}

/// One classified step before it becomes evidence.
struct JobStep {
    step: Step,
    plumbing: bool,
    ephemeral_cluster: bool,
    /// A script or a reusable-workflow call, which the job's name may speak for; an
    /// action step has its own (known or unknown) purpose.
    named_by_job: bool,
}

fn read_job(path: &str, job_id: &str, job: &Node, calls: &mut BTreeSet<String>) -> Vec<Step> {
    let job_name = job
        .get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| job_id.to_string());
    let matrix = matrix_values(job);
    let mut found: Vec<JobStep> = Vec::new();

    // A job that calls a reusable workflow is one step: the call.
    if let Some((key, uses)) = job.entry("uses")
        && let Some(reference) = uses.as_str()
    {
        calls.insert(reference.trim().to_string());
        let with = string_inputs(job.get("with"));
        let class = steps::classify(&StepText {
            uses: Some(reference),
            run: None,
            name: Some(&job_name),
            with: &with,
        });
        found.push(JobStep {
            step: make_step(
                path,
                job_id,
                Some(job_name.clone()),
                reference.trim(),
                &class.class,
                key,
            ),
            plumbing: class.plumbing,
            ephemeral_cluster: false,
            named_by_job: true,
        });
    }

    for item in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        if switched_off(item.get("if")) {
            continue;
        }
        let uses = item.get("uses").and_then(Node::as_str);
        let run = item.get("run").and_then(Node::scalar_text);
        let name = item.get("name").and_then(Node::scalar_text);
        let with = string_inputs(item.get("with"));
        let shown = match (uses, &run) {
            (Some(u), _) => u.trim().to_string(),
            (None, Some(r)) => first_line(r),
            (None, None) => continue,
        };
        let mut class = steps::Classification::default();
        let mut plumbing = true;
        let ephemeral_cluster = steps::creates_ephemeral_cluster(&StepText {
            uses,
            run: run.as_deref(),
            name: None,
            with: &with,
        });
        for (run_variant, name_variant) in variants(run.as_deref(), name.as_deref(), &matrix) {
            let text = StepText {
                uses,
                run: run_variant.as_deref(),
                name: name_variant.as_deref(),
                with: &with,
            };
            let c = steps::classify(&text);
            plumbing &= c.plumbing;
            class.merge(c.class);
        }
        found.push(JobStep {
            step: make_step(path, job_id, name, &shown, &class, item),
            plumbing,
            ephemeral_cluster,
            named_by_job: uses.is_none(),
        });
    }

    // Steps that run something opaque (a script whose name says nothing).
    let opaque: Vec<bool> = found
        .iter()
        .map(|s| s.named_by_job && !s.plumbing && s.step.kinds.is_empty())
        .collect();

    // The job's name speaks for steps whose commands say nothing.
    let job_class = steps::classify_name(&strip_matrix(&job_name));
    let job_class = if job_class.is_empty() && job_name != job_id {
        steps::classify_name(job_id)
    } else {
        job_class
    };
    for s in found
        .iter_mut()
        .filter(|s| s.named_by_job && !s.plumbing && s.step.kinds.is_empty())
    {
        s.step.kinds = job_class.kind_names();
        if s.step.scanner.is_none() {
            s.step.scanner = job_class.scanner.map(String::from);
        }
    }

    // Deploying into a throw-away cluster is a test.
    if found.iter().any(|s| s.ephemeral_cluster) {
        for s in &mut found {
            if let Some(i) = s.step.kinds.iter().position(|k| k == steps::DEPLOY) {
                s.step.kinds.remove(i);
                if !s.step.kinds.iter().any(|k| k == steps::TEST) {
                    s.step.kinds.push(steps::TEST.to_string());
                }
                s.step.kinds.sort();
            }
        }
    }

    // A job running opaque scripts against a real environment deploys. (A job whose
    // steps are understood, e.g. builds and pushes, only uses the environment's secrets.)
    let environment = job.get("environment").and_then(|e| {
        e.as_str()
            .map(str::to_string)
            .or_else(|| e.get("name").and_then(Node::scalar_text))
    });
    let deploys_somewhere = found
        .iter()
        .any(|s| s.step.kinds.iter().any(|k| k == steps::DEPLOY));
    if environment
        .as_deref()
        .is_some_and(steps::environment_deploys)
        && !deploys_somewhere
        && let Some(i) = opaque.iter().position(|o| *o)
    {
        found[i].step.kinds.push(steps::DEPLOY.to_string());
        found[i].step.kinds.sort();
    }

    found.into_iter().map(|s| s.step).collect()
}

fn make_step(
    path: &str,
    job: &str,
    name: Option<String>,
    run: &str,
    class: &steps::Classification,
    at: &Node,
) -> Step {
    Step {
        job: job.to_string(),
        name,
        run: run.to_string(),
        kinds: class.kind_names(),
        scanner: class.scanner.map(String::from),
        source: Source::new(path, Some(at.pos)),
    }
}

/// The first line of a script that is not blank or a comment.
pub(crate) fn first_line(script: &str) -> String {
    script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .or_else(|| script.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("")
        .to_string()
}

fn string_inputs(with: Option<&Node>) -> Vec<(String, String)> {
    with.map(Node::string_map).unwrap_or_default()
}

/// Values each matrix variable takes: listed values and `include` entries.
fn matrix_values(job: &Node) -> BTreeMap<String, Vec<String>> {
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let Some(matrix) = job.at(&["strategy", "matrix"]) else {
        return values;
    };
    for (k, v) in matrix.as_map() {
        let Some(key) = k.scalar_text() else {
            continue;
        };
        match key.as_str() {
            "include" => {
                for entry in v.as_seq() {
                    for (ik, iv) in entry.as_map() {
                        if let (Some(ik), Some(iv)) = (ik.scalar_text(), iv.scalar_text()) {
                            values.entry(ik).or_default().push(iv);
                        }
                    }
                }
            }
            "exclude" => {}
            _ => {
                let list: Vec<String> = v.as_seq().iter().filter_map(Node::scalar_text).collect();
                values.entry(key).or_default().extend(list);
            }
        }
    }
    values
}

/// Most texts a step is read as: matrices are small in practice, and a hostile one must
/// not multiply the work.
const MAX_VARIANTS: usize = 64;

/// Texts of a step with each matrix value substituted in turn, distinct ones only.
fn variants(
    run: Option<&str>,
    name: Option<&str>,
    matrix: &BTreeMap<String, Vec<String>>,
) -> Vec<(Option<String>, Option<String>)> {
    let mut out = vec![(run.map(String::from), name.map(String::from))];
    for (key, values) in matrix {
        let needle = format!("matrix.{key}");
        let in_run = run.is_some_and(|r| r.contains(&needle));
        let in_name = name.is_some_and(|n| n.contains(&needle));
        if !in_run && !in_name {
            continue;
        }
        for value in values {
            if out.len() >= MAX_VARIANTS {
                return out;
            }
            let variant = (
                run.map(|r| substitute(r, key, value)),
                name.map(|n| substitute(n, key, value)),
            );
            if !out.contains(&variant) {
                out.push(variant);
            }
        }
    }
    out
}

/// Replaces `${{ matrix.<key> }}` by `value`.
fn substitute(text: &str, key: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 3..start + len].trim();
        out.push_str(&rest[..start]);
        if inner == format!("matrix.{key}") {
            out.push_str(value);
        } else {
            out.push_str(&rest[start..start + len + 2]);
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// A job name without matrix expressions (`test (${{ matrix.os }})` → `test ()`).
fn strip_matrix(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("}}")
            .map_or("", |e| &rest[start + e + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(files: &[(&str, &str)]) -> Evidence {
        crate::evidence::testing::evidence_of(files, &GithubActions)
    }

    const CI: &str = r#"name: CI
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Set up Go
        uses: actions/setup-go@v5
      - name: Unit tests
        run: |
          # run everything
          go test -race ./...
      - name: Lint
        uses: golangci/golangci-lint-action@v6
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          scan-type: fs
      - uses: github/codeql-action/init@v3
"#;

    #[test]
    fn reads_triggers_jobs_and_classified_steps() {
        let e = scan(&[(".github/workflows/ci.yml", CI)]);
        assert_eq!(e.pipelines.len(), 1);
        let p = &e.pipelines[0];
        assert_eq!(p.name, "CI");
        assert_eq!(p.triggers, vec!["pull-request", "push", "schedule"]);
        assert_eq!(p.jobs, 2);
        assert_eq!(p.steps.len(), 6);
        assert_eq!(
            p.step_kinds,
            vec!["lint", "security-scan", "test", "vulnerability-scan"]
        );
        let test = &p.steps[2];
        assert_eq!(test.job, "test");
        assert_eq!(test.name.as_deref(), Some("Unit tests"));
        assert_eq!(test.run, "go test -race ./...");
        assert_eq!(test.kinds, vec!["test"]);
        assert_eq!(test.source.line, Some(15));
        let trivy = &p.steps[4];
        assert_eq!(trivy.scanner.as_deref(), Some("trivy"));
        assert_eq!(trivy.source.line, Some(24));
        assert!(!p.reusable);
    }

    #[test]
    fn on_keys_in_every_spelling() {
        for (on, want) in [
            ("on: push", vec!["push"]),
            (
                "\"on\": [push, pull_request_target]",
                vec!["pull-request", "push"],
            ),
            ("on:\n  push:\n    tags: ['v*']", vec!["tag"]),
            (
                "on:\n  push:\n    branches: [main]\n    tags: ['v*']",
                vec!["push", "tag"],
            ),
            (
                "on:\n  workflow_dispatch:\n  release:\n    types: [published]",
                vec!["manual", "release"],
            ),
            (
                "on:\n  workflow_run:\n    workflows: [CI]\n  issues:",
                vec!["other", "workflow-run"],
            ),
            (
                "on: [merge_group, repository_dispatch]",
                vec!["manual", "pull-request"],
            ),
        ] {
            let text =
                format!("{on}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n");
            let e = scan(&[(".github/workflows/w.yaml", &text)]);
            assert_eq!(e.pipelines[0].triggers, want, "{on}");
            assert_eq!(e.pipelines[0].name, "w");
        }
    }

    #[test]
    fn reusable_workflows_and_calls() {
        let caller = "on: pull_request\njobs:\n  build:\n    uses: ./.github/workflows/reusable-build.yml\n    with:\n      x: 1\n  scan:\n    uses: google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v2\n";
        let callee = "on:\n  workflow_call:\n    inputs:\n      x: {type: string}\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: cargo test\n      - run: cargo build\n";
        let e = scan(&[
            (".github/workflows/pr.yml", caller),
            (".github/workflows/reusable-build.yml", callee),
        ]);
        let pr = e.pipelines.iter().find(|p| p.name == "pr").unwrap();
        assert_eq!(
            pr.calls,
            vec![
                "./.github/workflows/reusable-build.yml",
                "google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v2"
            ]
        );
        // The call to the local workflow carries its kinds, though it was read later.
        assert_eq!(
            pr.step_kinds,
            vec!["build", "security-scan", "test", "vulnerability-scan"]
        );
        assert_eq!(pr.steps[1].scanner.as_deref(), Some("osv-scanner"));
        assert_eq!(pr.steps[0].source.line, Some(4));
        let callee = e
            .pipelines
            .iter()
            .find(|p| p.name == "reusable-build")
            .unwrap();
        assert!(callee.reusable);
        assert_eq!(callee.triggers, vec!["workflow-call"]);
    }

    #[test]
    fn matrix_commands_environments_and_throwaway_clusters() {
        let text = r#"on: push
jobs:
  checks:
    strategy:
      matrix:
        include:
          - name: Tests
            command: bin/tests
          - name: Lint
            command: bin/lint
    runs-on: x
    steps:
      - run: ${{ matrix.command }}
  e2e:
    runs-on: x
    steps:
      - uses: helm/kind-action@v1
      - run: helm upgrade --install app ./chart
  ship:
    runs-on: x
    environment:
      name: production
      url: https://example.com
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/roll.sh
  publish:
    runs-on: x
    environment: pypi
    steps:
      - run: ./scripts/upload.sh
"#;
        let e = scan(&[(".github/workflows/ci.yml", text)]);
        let p = &e.pipelines[0];
        let kinds = |job: &str| -> Vec<String> {
            p.steps
                .iter()
                .filter(|s| s.job == job)
                .flat_map(|s| s.kinds.clone())
                .collect()
        };
        assert_eq!(kinds("checks"), vec!["lint", "test"]);
        assert_eq!(kinds("e2e"), vec!["test"]);
        assert_eq!(kinds("ship"), vec!["deploy"]);
        // `publish` is named like a release and its environment is a publishing gate.
        assert_eq!(kinds("publish"), vec!["release"]);
        assert_eq!(
            p.steps.iter().find(|s| s.job == "checks").unwrap().run,
            "${{ matrix.command }}"
        );
    }

    #[test]
    fn files_that_are_not_workflows_are_ignored_quietly() {
        let e = scan(&[
            (".github/workflows/README.md", "# jobs"),
            (".github/workflows/empty.yml", "# nothing here, no jobs\n"),
            (
                ".github/workflows/templates/x.yml",
                "on: push\njobs:\n  a:\n    steps: []\n",
            ),
            (".github/workflows/list.yml", "- jobs\n"),
        ]);
        assert!(e.pipelines.is_empty());
    }

    #[test]
    fn malformed_steps_are_skipped() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - name: nothing\n      - 42\n      - run: [1, 2]\n      - run: make test\n  b: 7\n  c:\n    steps: yes\n";
        let e = scan(&[(".github/workflows/x.yml", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.jobs, 3);
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.step_kinds, vec!["test"]);
    }

    #[test]
    fn jobs_and_steps_switched_off_do_not_count() {
        let text = r#"on: push
jobs:
  test:
    runs-on: x
    steps:
      - run: go test ./...
      - name: Lint (off until the linter config is fixed)
        if: false
        run: golangci-lint run
  deploy:
    if: ${{ false }}
    runs-on: x
    environment: production
    steps:
      - run: ./scripts/deploy.sh
  scan:
    if: 'false'
    uses: ./.github/workflows/scan.yml
  release:
    if: "${{false}}"
    runs-on: x
    steps:
      - run: goreleaser release
  docs:
    if: github.ref == 'refs/heads/main' && false
    runs-on: x
    steps:
      - run: make docs
"#;
        let e = scan(&[(".github/workflows/ci.yml", text)]);
        let p = &e.pipelines[0];
        // `docs` may run: only a literally false condition switches a job off.
        assert_eq!(p.jobs, 2);
        let jobs: Vec<&str> = p.steps.iter().map(|s| s.job.as_str()).collect();
        assert_eq!(jobs, ["test", "docs"]);
        assert_eq!(p.step_kinds, ["test"]);
        assert!(p.calls.is_empty());
        assert!(!switched_off(None));
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-github-actions", &GithubActions);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = |name: &str| {
            d.evidence
                .pipelines
                .iter()
                .find(|p| p.name == name)
                .unwrap()
        };
        let ci = p("CI");
        assert_eq!(ci.triggers, vec!["pull-request", "push"]);
        assert_eq!(
            ci.step_kinds,
            vec![
                "cost-estimate",
                "iac-scan",
                "lint",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
        assert_eq!(ci.calls, vec!["./.github/workflows/reusable-tests.yml"]);
        let scanners: Vec<_> = ci
            .steps
            .iter()
            .filter_map(|s| s.scanner.as_deref())
            .collect();
        assert_eq!(scanners, vec!["trivy", "checkov"]);
        assert!(p("Tests").reusable);
        // The image scan job is switched off (`if: ${{ false }}`).
        assert_eq!(p("Deploy").step_kinds, vec!["build", "deploy", "release"]);
        assert_eq!(p("Deploy").jobs, 2);
        assert_eq!(p("Release").triggers, vec!["tag"]);
        assert_eq!(p("Dependabot auto-merge").step_kinds, vec!["automerge"]);
    }
}
