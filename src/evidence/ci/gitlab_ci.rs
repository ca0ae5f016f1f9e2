//! GitLab CI (`.gitlab-ci.yml`).
//!
//! ## What it finds
//! One pipeline for the repository's `.gitlab-ci.yml`: its jobs (top-level keys that are not
//! reserved words nor hidden `.templates`), one step per `before_script`/`script`/
//! `after_script` line, classified like any CI command (see [`super::steps`]), what
//! triggers it (`workflow:rules`, job `rules`/`only`, `when: manual`), and what it
//! includes. GitLab's own templates and components (`Security/SAST.gitlab-ci.yml`,
//! `Jobs/Dependency-Scanning.gitlab-ci.yml`, `components/secret-detection/…`, …) become
//! scan steps with the matching scanner.
//!
//! ## How jobs are read
//! - `extends:` is followed within the file, so a job inherits its template's scripts,
//!   stage, rules and environment; `!reference [.template, script]` is resolved too.
//! - When a job's scripts say nothing, its name, then its explicit `stage:` (`test`,
//!   `lint`, `build`, `deploy`) give it a kind; a job with an `environment:` deploys.
//! - A job that never runs (`when: never`, or `rules:` whose every rule says
//!   `when: never`) is skipped: it adds no job, step, trigger or downstream pipeline.
//! - Local files it includes (`.gitlab/ci/*.yml`) add their jobs and steps to the same
//!   pipeline, each step keeping its own file as source. Files are read in path order, so
//!   this works for included files that sort after `.gitlab-ci.yml` (`.gitlab/…`, `ci/…`).

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use globset::Glob;

use crate::evidence::ci::github_actions::first_line;
use crate::evidence::ci::refresh_step_kinds;
use crate::evidence::ci::steps::{self, Classification, StepText};
use crate::evidence::{Collector, Detector, FileContext, Pipeline, RepoPath, Source, Step};
use crate::parse::yaml::Node;

pub struct GitlabCi;

/// Top-level keys that configure the pipeline rather than name a job.
const RESERVED: &[&str] = &[
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "types",
    "spec",
];

/// How deep `extends:` and `!reference` chains are followed.
const MAX_DEPTH: u8 = 10;

fn is_main_config(path: &str) -> bool {
    matches!(path, ".gitlab-ci.yml" | ".gitlab-ci.yaml")
}

impl Detector for GitlabCi {
    fn id(&self) -> &'static str {
        "gitlab-ci"
    }

    fn summary(&self) -> &'static str {
        "GitLab CI `.gitlab-ci.yml` and the local files it includes: jobs, script steps, triggers and GitLab security templates"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        let name = path.name();
        is_main_config(path.as_str())
            || (path.is_yaml()
                && (name.ends_with(".gitlab-ci.yml")
                    || name.ends_with(".gitlab-ci.yaml")
                    || path.under(".gitlab")
                    || path.in_dir_named(&[".gitlab-ci", "gitlab-ci", "ci", ".ci", "gitlab"])))
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let path = file.path.as_str();
        let main = is_main_config(path);
        // An included file joins the pipeline that includes it; others are not read.
        let including = if main {
            None
        } else {
            match out
                .evidence
                .pipelines
                .iter()
                .position(|p| p.system == "gitlab-ci" && includes_path(&p.calls, path))
            {
                Some(i) => Some(i),
                None => return,
            }
        };
        let Some(text) = file.text() else {
            return;
        };
        if !["script", "include", "stages", "trigger", "extends"]
            .iter()
            .any(|k| text.contains(k))
        {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        // A CI/CD component or template starts with a `spec:` header document.
        let (doc, reusable) = match docs {
            [header, config, ..] if header.get("spec").is_some() => (config, true),
            [config, ..] => (config, false),
            [] => return,
        };
        if !doc.is_map() {
            return;
        }
        let config = read_config(path, doc);
        match including {
            None => {
                let mut pipeline = Pipeline {
                    system: "gitlab-ci".to_string(),
                    name: config.name.unwrap_or_else(|| "gitlab-ci".to_string()),
                    path: path.to_string(),
                    triggers: config.triggers.into_iter().collect(),
                    jobs: config.jobs,
                    steps: config.steps,
                    step_kinds: Vec::new(),
                    reusable,
                    calls: config.calls.into_iter().collect(),
                    source: Source::new(path, Some(doc.pos)),
                };
                refresh_step_kinds(&mut pipeline);
                out.evidence.pipelines.push(pipeline);
            }
            Some(i) => {
                let pipeline = &mut out.evidence.pipelines[i];
                pipeline.jobs += config.jobs;
                pipeline.steps.extend(config.steps);
                let triggers: BTreeSet<String> =
                    pipeline.triggers.drain(..).chain(config.triggers).collect();
                pipeline.triggers = triggers.into_iter().collect();
                let calls: BTreeSet<String> =
                    pipeline.calls.drain(..).chain(config.calls).collect();
                pipeline.calls = calls.into_iter().collect();
                refresh_step_kinds(pipeline);
            }
        }
    }
}

/// Whether one of the pipeline's `include:` entries names this file (globs allowed).
fn includes_path(calls: &[String], path: &str) -> bool {
    calls.iter().any(|call| {
        let pattern = call.trim().trim_start_matches('/');
        if pattern.contains("://") || pattern.contains('$') {
            return false;
        }
        pattern == path
            || (pattern.contains('*')
                && Glob::new(pattern)
                    .map(|g| g.compile_matcher().is_match(path))
                    .unwrap_or(false))
    })
}

/// What one GitLab CI file contributes.
#[derive(Debug, Default)]
struct Config {
    name: Option<String>,
    jobs: u32,
    steps: Vec<Step>,
    triggers: BTreeSet<String>,
    calls: BTreeSet<String>,
}

/// The file's top-level entries by name, for `extends:` and `!reference`.
type TopLevel<'a> = BTreeMap<&'a str, &'a Node>;

/// What resolving `extends:` and `!reference` may look at: the file's entries, and a
/// budget of steps so that a file whose templates fan out (each extending many others)
/// costs little.
struct Ctx<'a> {
    top: TopLevel<'a>,
    budget: Cell<u32>,
}

impl Ctx<'_> {
    /// Takes one step from the budget; `false` once it is spent.
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }
}

/// Steps of `extends:`/`!reference` resolution allowed per file.
const RESOLUTION_BUDGET: u32 = 100_000;

fn read_config(path: &str, doc: &Node) -> Config {
    let mut config = Config::default();
    let ctx = Ctx {
        top: doc
            .as_map()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
            .collect(),
        budget: Cell::new(RESOLUTION_BUDGET),
    };

    config.name = doc
        .at(&["workflow", "name"])
        .and_then(Node::as_str)
        .filter(|n| !n.contains('$'))
        .map(String::from);

    if let Some(include) = doc.get("include") {
        read_includes(path, include, &mut config);
    }

    // Triggers: what the workflow rules allow, and what jobs react to.
    let workflow_rules = doc
        .at(&["workflow", "rules"])
        .map(|r| rules(r, &ctx))
        .unwrap_or_default();
    let mut allows_push = workflow_rules.is_empty();
    for rule in &workflow_rules {
        if rule_when(rule) == Some("never") {
            continue;
        }
        let cond = rule.get("if").and_then(Node::as_str).unwrap_or("");
        let found = if_triggers(cond);
        allows_push |= cond.is_empty() || found.contains(&"push");
        config.triggers.extend(found.iter().map(|t| t.to_string()));
        if rule_when(rule) == Some("manual") {
            config.triggers.insert("manual".to_string());
        }
    }
    if allows_push {
        config.triggers.insert("push".to_string());
    }

    for (key, node) in doc.as_map() {
        let Some(name) = key.as_str() else {
            continue;
        };
        if RESERVED.contains(&name) || name.starts_with('.') || !node.is_map() {
            continue;
        }
        let job = effective(node, &ctx, 0, &mut Vec::new());
        if never_runs(&job, &ctx) {
            continue;
        }
        config.jobs += 1;
        job_triggers(&job, &ctx, &mut config.triggers);
        if let Some(trigger) = job.get("trigger") {
            for target in trigger_targets(trigger) {
                config.calls.insert(target);
            }
        }
        config.steps.extend(read_job(path, name, &job, &ctx));
    }
    config
}

/// A job's configuration with its `extends:` parents merged in (the job's own keys win,
/// later parents override earlier ones).
fn effective<'a>(
    node: &'a Node,
    ctx: &Ctx<'a>,
    depth: u8,
    seen: &mut Vec<String>,
) -> BTreeMap<String, &'a Node> {
    let mut out = BTreeMap::new();
    if depth > MAX_DEPTH || !ctx.spend() {
        return out;
    }
    if let Some(extends) = node.get("extends") {
        for parent in extends.string_list() {
            if seen.contains(&parent) {
                continue;
            }
            if let Some(p) = ctx.top.get(parent.as_str()) {
                seen.push(parent.clone());
                out.extend(effective(p, ctx, depth + 1, seen));
                seen.pop();
            }
        }
    }
    for (k, v) in node.as_map() {
        if let Some(k) = k.as_str()
            && k != "extends"
        {
            out.insert(k.to_string(), v);
        }
    }
    out
}

/// The node a `!reference [.job, key, …]` points at. The YAML tag is not kept by the
/// parser, so a list is taken for a reference when it names an existing entry and key.
fn resolve_reference<'a>(item: &'a Node, ctx: &Ctx<'a>) -> Option<&'a Node> {
    let parts: Vec<&str> = item.as_seq().iter().filter_map(Node::as_str).collect();
    if parts.len() < 2 || parts.len() != item.as_seq().len() {
        return None;
    }
    let base = ctx.top.get(parts[0])?;
    let merged = effective(base, ctx, 0, &mut Vec::new());
    let mut node = *merged.get(parts[1])?;
    for key in &parts[2..] {
        node = node.get(key)?;
    }
    Some(node)
}

/// The lines of a script section, flattening nested lists and `!reference`s.
fn script_items<'a>(node: &'a Node, ctx: &Ctx<'a>, depth: u8, out: &mut Vec<(&'a Node, String)>) {
    if depth > MAX_DEPTH || !ctx.spend() {
        return;
    }
    if let Some(text) = node.scalar_text() {
        if !text.trim().is_empty() {
            out.push((node, text));
        }
        return;
    }
    if let Some(target) = node
        .is_seq()
        .then(|| resolve_reference(node, ctx))
        .flatten()
    {
        script_items(target, ctx, depth + 1, out);
        return;
    }
    for item in node.as_seq() {
        script_items(item, ctx, depth + 1, out);
    }
}

/// Rules, with `!reference`s resolved.
fn rules<'a>(node: &'a Node, ctx: &Ctx<'a>) -> Vec<&'a Node> {
    let mut out = Vec::new();
    collect_rules(node, ctx, 0, &mut out);
    out
}

fn collect_rules<'a>(node: &'a Node, ctx: &Ctx<'a>, depth: u8, out: &mut Vec<&'a Node>) {
    if depth > MAX_DEPTH || !ctx.spend() {
        return;
    }
    if node.is_map() {
        out.push(node);
        return;
    }
    if let Some(target) = node
        .is_seq()
        .then(|| resolve_reference(node, ctx))
        .flatten()
    {
        collect_rules(target, ctx, depth + 1, out);
        return;
    }
    for item in node.as_seq() {
        collect_rules(item, ctx, depth + 1, out);
    }
}

/// A job that never runs: `when: never`, or rules that all say `when: never` (a job
/// whose rules match none is not added, and every rule that matches excludes it).
fn never_runs(job: &BTreeMap<String, &Node>, ctx: &Ctx) -> bool {
    if job.get("when").and_then(|w| w.as_str()) == Some("never") {
        return true;
    }
    let Some(r) = job.get("rules") else {
        return false;
    };
    let rules = rules(r, ctx);
    !rules.is_empty() && rules.iter().all(|rule| rule_when(rule) == Some("never"))
}

fn rule_when(rule: &Node) -> Option<&str> {
    rule.get("when").and_then(Node::as_str)
}

/// Triggers a rule's `if:` condition refers to.
fn if_triggers(cond: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let quoted =
        |word: &str| cond.contains(&format!("\"{word}\"")) || cond.contains(&format!("'{word}'"));
    if cond.contains("merge_request_event") || cond.contains("CI_MERGE_REQUEST_") {
        out.push("pull-request");
    }
    if quoted("schedule") {
        out.push("schedule");
    }
    let no_tag = [
        "CI_COMMIT_TAG == null",
        "CI_COMMIT_TAG == \"\"",
        "CI_COMMIT_TAG == ''",
        "!$CI_COMMIT_TAG",
    ];
    if cond.contains("CI_COMMIT_TAG") && !no_tag.iter().any(|n| cond.contains(n)) {
        out.push("tag");
    }
    if quoted("web") {
        out.push("manual");
    }
    if quoted("push")
        || cond.contains("CI_COMMIT_BRANCH")
        || cond.contains("CI_COMMIT_REF_NAME")
        || cond.contains("CI_DEFAULT_BRANCH")
    {
        out.push("push");
    }
    if [
        "api",
        "trigger",
        "pipeline",
        "parent_pipeline",
        "chat",
        "external",
        "external_pull_request_event",
    ]
    .iter()
    .any(|w| quoted(w))
    {
        out.push("other");
    }
    out
}

fn job_triggers(job: &BTreeMap<String, &Node>, ctx: &Ctx, triggers: &mut BTreeSet<String>) {
    if job.get("when").and_then(|w| w.as_str()) == Some("manual") {
        triggers.insert("manual".to_string());
    }
    if let Some(r) = job.get("rules") {
        for rule in rules(r, ctx) {
            if rule_when(rule) == Some("never") {
                continue;
            }
            if rule_when(rule) == Some("manual") {
                triggers.insert("manual".to_string());
            }
            let cond = rule.get("if").and_then(Node::as_str).unwrap_or("");
            triggers.extend(
                if_triggers(cond)
                    .into_iter()
                    .filter(|t| *t != "push")
                    .map(String::from),
            );
        }
    }
    if let Some(only) = job.get("only") {
        let refs = if only.is_map() {
            only.get("refs").map(Node::string_list).unwrap_or_default()
        } else {
            only.string_list()
        };
        for r in refs {
            let t = match r.as_str() {
                "merge_requests" | "external_pull_requests" => "pull-request",
                "tags" => "tag",
                "schedules" => "schedule",
                "web" => "manual",
                "api" | "triggers" | "pipelines" | "chat" | "external" => "other",
                _ => continue,
            };
            triggers.insert(t.to_string());
        }
    }
}

/// Downstream pipelines a `trigger:` job starts.
fn trigger_targets(trigger: &Node) -> Vec<String> {
    if let Some(project) = trigger.as_str() {
        return vec![project.to_string()];
    }
    let mut out = Vec::new();
    if let Some(project) = trigger.get("project").and_then(Node::as_str) {
        out.push(project.to_string());
    }
    if let Some(include) = trigger.get("include") {
        match include.as_str() {
            Some(local) => out.push(local.to_string()),
            None => {
                for item in include.as_seq() {
                    for key in ["local", "file", "template", "project"] {
                        if let Some(v) = item.get(key).and_then(Node::as_str) {
                            out.push(v.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

struct JobStep {
    step: Step,
    plumbing: bool,
    /// From `script:` (not `before_script`/`after_script`).
    main: bool,
    ephemeral_cluster: bool,
}

fn read_job(path: &str, name: &str, job: &BTreeMap<String, &Node>, ctx: &Ctx) -> Vec<Step> {
    let mut found: Vec<JobStep> = Vec::new();
    for section in ["before_script", "script", "after_script"] {
        let Some(node) = job.get(section) else {
            continue;
        };
        let mut items = Vec::new();
        script_items(node, ctx, 0, &mut items);
        for (item, text) in items {
            let step_text = StepText {
                run: Some(&text),
                ..Default::default()
            };
            let class = steps::classify(&step_text);
            found.push(JobStep {
                step: Step {
                    job: name.to_string(),
                    name: None,
                    run: first_line(&text),
                    kinds: class.class.kind_names(),
                    scanner: class.class.scanner.map(String::from),
                    source: Source::new(path, Some(item.pos)),
                },
                plumbing: class.plumbing,
                main: section == "script",
                ephemeral_cluster: steps::creates_ephemeral_cluster(&step_text),
            });
        }
    }

    // The job's name speaks for steps whose commands say nothing.
    let by_name = steps::classify_name(name);
    for s in found
        .iter_mut()
        .filter(|s| !s.plumbing && s.step.kinds.is_empty())
    {
        s.step.kinds = by_name.kind_names();
        s.step.scanner = by_name.scanner.map(String::from);
    }

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

    // An explicit stage speaks for a job whose scripts say nothing at all.
    let stage = job.get("stage").and_then(|s| s.as_str()).unwrap_or("");
    if !found.is_empty() && found.iter().all(|s| s.step.kinds.is_empty()) {
        let by_stage = steps::classify_words(stage, steps::Words::Target);
        for kind in by_stage.kinds {
            add_to_job(&mut found, kind);
        }
    }

    // A job with an environment deploys (unless it stops or prepares one); so does one in
    // a deploy stage. GitLab Pages jobs publish a site.
    let environment_action = job
        .get("environment")
        .and_then(|e| e.get("action"))
        .and_then(Node::as_str)
        .unwrap_or("start");
    let has_environment = job.contains_key("environment")
        && !matches!(environment_action, "stop" | "prepare" | "verify" | "access");
    let deploy_stage = steps::classify_words(stage, steps::Words::Target).has(steps::DEPLOY);
    if has_environment || deploy_stage {
        add_to_job(&mut found, steps::DEPLOY);
    }
    if name == "pages" || job.get("pages").is_some() {
        add_to_job(&mut found, steps::RELEASE);
    }

    found.into_iter().map(|s| s.step).collect()
}

/// Gives the job a kind it lacks, on its first `script:` line that is more than plumbing.
fn add_to_job(found: &mut [JobStep], kind: &str) {
    if found.iter().any(|s| s.step.kinds.iter().any(|k| k == kind)) {
        return;
    }
    let target = found
        .iter()
        .position(|s| s.main && !s.plumbing)
        .or_else(|| found.iter().position(|s| s.main))
        .or(if found.is_empty() { None } else { Some(0) });
    if let Some(i) = target {
        found[i].step.kinds.push(kind.to_string());
        found[i].step.kinds.sort();
    }
}

/// Records every include in `calls`, and GitLab's own templates and components as steps.
fn read_includes(path: &str, include: &Node, config: &mut Config) {
    let items: Vec<&Node> = if include.is_seq() {
        include.as_seq().iter().collect()
    } else {
        vec![include]
    };
    for item in items {
        let mut entries: Vec<(&str, String)> = Vec::new();
        if let Some(s) = item.as_str() {
            entries.push(("local", s.to_string()));
        }
        for key in ["local", "template", "remote", "component"] {
            if let Some(v) = item.get(key).and_then(Node::as_str) {
                entries.push((key, v.to_string()));
            }
        }
        if let Some(project) = item.get("project").and_then(Node::as_str) {
            for file in item.get("file").map(Node::string_list).unwrap_or_default() {
                entries.push(("project", format!("{project}:{file}")));
            }
        }
        for (kind, value) in entries {
            config.calls.insert(value.clone());
            if kind != "template" && kind != "component" {
                continue;
            }
            for class in gitlab_template(&value, kind == "component") {
                config.steps.push(Step {
                    job: "include".to_string(),
                    name: Some(value.clone()),
                    run: format!("{kind}: {value}"),
                    kinds: class.kind_names(),
                    scanner: class.scanner.map(String::from),
                    source: Source::new(path, Some(item.pos)),
                });
            }
        }
    }
}

/// What a GitLab CI template (`Security/SAST.gitlab-ci.yml`) or CI/CD component
/// (`gitlab.com/components/sast/sast@2`) adds to a pipeline.
pub fn gitlab_template(reference: &str, component: bool) -> Vec<Classification> {
    let lower = reference.to_ascii_lowercase();
    let lower = if component {
        lower.split('@').next().unwrap_or(&lower).to_string()
    } else {
        lower
    };
    let segments: Vec<&str> = lower.split('/').collect();
    let normalise = |s: &str| -> String {
        s.trim_end_matches(".yml")
            .trim_end_matches(".yaml")
            .trim_end_matches(".gitlab-ci")
            .trim_end_matches(".latest")
            .replace('_', "-")
    };
    let last = segments.last().map(|s| normalise(s)).unwrap_or_default();
    // A component is `<project>/<component>`: either may carry the name.
    let names: Vec<String> = if component {
        segments
            .iter()
            .rev()
            .take(2)
            .map(|s| normalise(s))
            .collect()
    } else {
        vec![last]
    };
    let in_jobs = segments.first() == Some(&"jobs");
    for name in &names {
        let found: Vec<Classification> = match name.as_str() {
            "sast-iac" => vec![Classification::scan("gitlab-iac-sast")],
            "sast" => vec![Classification::scan("gitlab-sast")],
            "dependency-scanning" | "gemnasium" => {
                vec![Classification::scan("gitlab-dependency-scanning")]
            }
            "container-scanning" => vec![Classification::scan("gitlab-container-scanning")],
            "secret-detection" => vec![Classification::scan("gitlab-secret-detection")],
            "dast" | "dast-api" | "api-fuzzing" | "coverage-fuzzing" | "api-security" => {
                vec![Classification::scan("gitlab-dast")]
            }
            "code-quality" => vec![Classification::of(&[steps::LINT])],
            "auto-devops" => vec![
                Classification::of(&[steps::BUILD]),
                Classification::of(&[steps::TEST]),
                Classification::of(&[steps::LINT]),
                Classification::of(&[steps::DEPLOY]),
                Classification::scan("gitlab-sast"),
                Classification::scan("gitlab-dependency-scanning"),
                Classification::scan("gitlab-container-scanning"),
                Classification::scan("gitlab-secret-detection"),
            ],
            "terraform" | "opentofu" | "full-pipeline" => vec![
                Classification::of(&[steps::LINT]),
                Classification::of(&[steps::DEPLOY]),
                Classification::scan("gitlab-iac-sast"),
            ],
            "build" if in_jobs => vec![Classification::of(&[steps::BUILD])],
            "test" if in_jobs => vec![Classification::of(&[steps::TEST])],
            "deploy" | "deploy-ecs" | "deploy-ec2" if in_jobs => {
                vec![Classification::of(&[steps::DEPLOY])]
            }
            "browser-performance-testing" | "load-performance-testing" => {
                vec![Classification::of(&[steps::TEST])]
            }
            _ => continue,
        };
        return found;
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(files: &[(&str, &str)]) -> Evidence {
        crate::evidence::testing::evidence_of(files, &GitlabCi)
    }

    const CI: &str = r#"include:
  - template: Security/SAST.gitlab-ci.yml
  - template: Jobs/Dependency-Scanning.gitlab-ci.yml
  - component: $CI_SERVER_FQDN/components/secret-detection/secret-detection@1.1
  - local: .gitlab/ci/deploy.yml

stages: [build, test, lint, deploy]

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    - if: $CI_COMMIT_TAG

.go:
  image: golang:1.22
  before_script:
    - go mod download

.rules:go:
  rules:
    - changes: ["**/*.go"]

build:
  stage: build
  extends: .go
  script:
    - go build ./...

unit-tests:
  extends: .go
  rules: !reference [.rules:go, rules]
  script:
    - go test ./...

tidy:
  stage: lint
  script:
    - go mod tidy
    - git diff --exit-code

nightly:
  script:
    - ./scripts/nightly.sh
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
"#;

    const DEPLOY: &str = r#"deploy-production:
  stage: deploy
  environment:
    name: production
  script:
    - ./scripts/roll-out.sh
  when: manual

stop-review:
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    action: stop
  script:
    - ./scripts/teardown.sh
"#;

    #[test]
    fn reads_jobs_steps_templates_and_includes() {
        let e = scan(&[(".gitlab-ci.yml", CI), (".gitlab/ci/deploy.yml", DEPLOY)]);
        assert_eq!(e.pipelines.len(), 1);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "gitlab-ci");
        assert_eq!(p.jobs, 6);
        assert_eq!(
            p.triggers,
            vec!["manual", "pull-request", "push", "schedule", "tag"]
        );
        let scanners: Vec<&str> = p
            .steps
            .iter()
            .filter_map(|s| s.scanner.as_deref())
            .collect();
        assert_eq!(
            scanners,
            vec![
                "gitlab-sast",
                "gitlab-dependency-scanning",
                "gitlab-secret-detection"
            ]
        );
        assert_eq!(p.steps[0].source.line, Some(2));
        let step = |job: &str, run: &str| {
            p.steps
                .iter()
                .find(|s| s.job == job && s.run == run)
                .unwrap_or_else(|| panic!("{job}: {run}"))
        };
        // Inherited from `.go` through `extends`, with the template's line.
        assert_eq!(step("build", "go mod download").source.line, Some(18));
        assert_eq!(step("build", "go build ./...").kinds, vec!["build"]);
        assert_eq!(step("unit-tests", "go test ./...").kinds, vec!["test"]);
        // Inconclusive commands in an explicit lint stage.
        assert_eq!(step("tidy", "go mod tidy").kinds, vec!["lint"]);
        assert!(step("tidy", "git diff --exit-code").kinds.is_empty());
        // From the included file, with its own path.
        let deploy = step("deploy-production", "./scripts/roll-out.sh");
        assert_eq!(deploy.kinds, vec!["deploy"]);
        assert_eq!(deploy.source.path, ".gitlab/ci/deploy.yml");
        assert!(
            step("stop-review", "./scripts/teardown.sh")
                .kinds
                .is_empty()
        );
        assert_eq!(
            p.step_kinds,
            vec![
                "build",
                "deploy",
                "lint",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
        assert!(p.calls.contains(&".gitlab/ci/deploy.yml".to_string()));
    }

    #[test]
    fn templates_and_components() {
        let scanner = |r: &str, component: bool| {
            gitlab_template(r, component)
                .into_iter()
                .map(|c| {
                    c.scanner
                        .map_or_else(|| c.kind_names().join(","), String::from)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scanner("Security/SAST.gitlab-ci.yml", false),
            vec!["gitlab-sast"]
        );
        assert_eq!(
            scanner("Jobs/SAST-IaC.latest.gitlab-ci.yml", false),
            vec!["gitlab-iac-sast"]
        );
        assert_eq!(
            scanner("Security/Container-Scanning.gitlab-ci.yml", false),
            vec!["gitlab-container-scanning"]
        );
        assert_eq!(scanner("Code-Quality.gitlab-ci.yml", false), vec!["lint"]);
        assert_eq!(scanner("Auto-DevOps.gitlab-ci.yml", false).len(), 8);
        assert_eq!(
            scanner("gitlab.com/components/dependency-scanning/main@0", true),
            vec!["gitlab-dependency-scanning"]
        );
        assert!(
            scanner(
                "$CI_SERVER_FQDN/gitlab-org/components/danger-review/danger-review@2.1.0",
                true
            )
            .is_empty()
        );
        assert!(scanner("Workflows/MergeRequest-Pipelines.gitlab-ci.yml", false).is_empty());
    }

    #[test]
    fn workflow_rules_can_exclude_push() {
        let text = "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - when: never\ntest:\n  script: [make test]\n";
        let e = scan(&[(".gitlab-ci.yml", text)]);
        assert_eq!(e.pipelines[0].triggers, vec!["pull-request"]);
        let text = "test:\n  script: make test\n  only: [merge_requests, tags]\n";
        let e = scan(&[(".gitlab-ci.yml", text)]);
        assert_eq!(e.pipelines[0].triggers, vec!["pull-request", "push", "tag"]);
        assert_eq!(e.pipelines[0].steps[0].kinds, vec!["test"]);
    }

    #[test]
    fn jobs_that_never_run_do_not_count() {
        let text = r#".paused:
  rules:
    - when: never
test:
  script: [make test]
audit:
  script: [pip-audit]
  when: never
cost:
  script: [infracost breakdown --path .]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
      when: never
    - when: never
deploy:
  extends: .paused
  environment: production
  script: [./deploy.sh]
  trigger: group/deployer
nightly:
  script: [./nightly.sh]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - when: never
"#;
        let e = scan(&[(".gitlab-ci.yml", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.jobs, 2);
        let jobs: Vec<&str> = p.steps.iter().map(|s| s.job.as_str()).collect();
        assert_eq!(jobs, ["test", "nightly"]);
        assert_eq!(p.step_kinds, ["test"]);
        assert_eq!(p.triggers, ["push", "schedule"]);
        assert!(p.calls.is_empty());
    }

    #[test]
    fn unrelated_and_unincluded_files_are_not_read() {
        let e = scan(&[
            ("ci/other.yml", "build:\n  script: [make]\n"),
            (".gitlab/issue_templates/bug.yml", "not: [valid"),
        ]);
        assert!(e.pipelines.is_empty());
    }

    #[test]
    fn fanned_out_templates_stay_cheap() {
        // Each template extends every earlier one twenty times: 20^10 paths unbounded.
        let mut text = String::from(".t0:\n  script: [make test]\n");
        for i in 1..=10 {
            let parents = vec![format!(".t{}", i - 1); 20].join(", ");
            text.push_str(&format!(".t{i}:\n  extends: [{parents}]\n  script: [!reference [.t{}, script], !reference [.t{}, script]]\n", i - 1, i - 1));
        }
        text.push_str("job:\n  extends: .t10\n");
        let start = std::time::Instant::now();
        let e = scan(&[(".gitlab-ci.yml", &text)]);
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(e.pipelines[0].jobs, 1);
    }

    #[test]
    fn extends_cycles_and_malformed_jobs_do_not_hang() {
        let text = ".a:\n  extends: .b\n  script: [make test]\n.b:\n  extends: .a\njob:\n  extends: [.a, .missing]\nodd: 3\nlist: [1, 2]\nweird:\n  script: {x: 1}\n";
        let e = scan(&[(".gitlab-ci.yml", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.jobs, 2);
        assert_eq!(p.step_kinds, vec!["test"]);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-gitlab-ci", &GitlabCi);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = &d.evidence.pipelines[0];
        // `cost-estimate` never runs (`rules: [{when: never}]`): no job, no cost estimate.
        assert_eq!(p.jobs, 5);
        assert_eq!(
            p.triggers,
            vec!["manual", "pull-request", "push", "schedule", "tag"]
        );
        assert_eq!(
            p.step_kinds,
            vec![
                "build",
                "deploy",
                "lint",
                "release",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
        let deploy = p
            .steps
            .iter()
            .find(|s| s.job == "deploy-production")
            .unwrap();
        assert_eq!(deploy.kinds, vec!["deploy"]);
        assert_eq!(deploy.source.path, ".gitlab/ci/deploy.yml");
        let scanners: Vec<_> = p
            .steps
            .iter()
            .filter_map(|s| s.scanner.as_deref())
            .collect();
        assert_eq!(
            scanners,
            vec![
                "gitlab-sast",
                "gitlab-dependency-scanning",
                "gitlab-secret-detection",
                "pip-audit"
            ]
        );
    }
}
