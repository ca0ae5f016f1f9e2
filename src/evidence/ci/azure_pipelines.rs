//! Azure Pipelines (`azure-pipelines.yml`, `*.azure-pipelines.yml`, `.azure-pipelines/**`,
//! and other YAML files that read like one).
//!
//! ## What it finds
//! One pipeline per file: its triggers, stages, jobs and steps (`script`, `bash`, `pwsh`,
//! `powershell`, and `task:` references classified with their inputs, see
//! [`super::tasks::azure_task`]), and the templates it uses (`template:` in stages, jobs,
//! steps and variables, and `extends: template:`), recorded in `calls`.
//!
//! ## How it is read
//! - Triggers follow Azure's defaults: without `trigger:` a pipeline runs on every push,
//!   without `pr:` on every pull request (for GitHub and Bitbucket repositories);
//!   `trigger: none` and `pr: none` turn them off; `schedules:` run it on a schedule; a
//!   pipeline with no trigger at all is run by hand (`manual`).
//! - A pipeline that `extends:` a template (Microsoft's 1ES and compliance templates do
//!   this) usually passes its stages, jobs and steps as the template's parameters: they
//!   are read as the pipeline's own. Extending a 1ES pipeline template runs Microsoft's SDL
//!   scans (`1es-sdl`).
//! - A deployment job (`deployment:` with an `environment:`) deploys, even when its
//!   steps are opaque scripts; a job that publishes test results ran tests.
//! - A file of steps, jobs or stages with `parameters:` and no trigger or pool of its own
//!   is a template (`reusable`); a pipeline using a local template takes its kinds.
//! - `${{ if … }}` and `${{ each … }}` insertions are read as if their condition held.
//!
//! Other YAML files are read only when they have a top-level `trigger`, `pr`, `stages`,
//! `jobs`, `steps` or `extends` and Azure markers (`vmImage`, `task: Name@1`, `- script:`,
//! `$(Build.…)`), so that no other format is taken for a pipeline.

use std::collections::BTreeSet;

use crate::diagnostic::Position;
use crate::evidence::ci::job::{self, Draft, Found, JobFacts};
use crate::evidence::ci::link_calls;
use crate::evidence::ci::steps;
use crate::evidence::ci::tasks::{self, Named};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, Step};
use crate::parse::yaml::{Node, Value};

pub struct AzurePipelines;

const SYSTEM: &str = "azure-pipelines";

/// How deep stages, jobs, templates' parameters and `${{ }}` insertions are followed.
const MAX_DEPTH: u8 = 12;
/// Items read per file, so a hostile file costs little.
const BUDGET: u32 = 20_000;

/// Keys that start an Azure pipeline file at the top level.
const TOP_KEYS: &[&str] = &[
    "trigger:",
    "pr:",
    "stages:",
    "jobs:",
    "steps:",
    "extends:",
    "schedules:",
];

/// Text only Azure Pipelines writes.
const MARKERS: &[&str] = &[
    "vmImage",
    "$(Build.",
    "$(System.",
    "$(Agent.",
    "$(Pipeline.",
    "- checkout: self",
    "- checkout: none",
    "- script:",
    "- bash:",
    "- pwsh:",
    "- powershell:",
    "${{ parameters.",
];

/// Files named as Azure pipelines (`azure-pipelines.yml`, `release.azure-pipelines.yml`).
fn named_file(path: &RepoPath) -> bool {
    let name = path.name().to_ascii_lowercase();
    let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
    stem.starts_with("azure-pipelines") || stem.ends_with(".azure-pipelines")
}

/// Paths that hold Azure pipelines or their templates.
fn named_path(path: &RepoPath) -> bool {
    named_file(path) || path.in_dir_named(&[".azure-pipelines", ".azuredevops", "azure-pipelines"])
}

/// Files another CI system owns.
fn owned_by_other_system(path: &RepoPath) -> bool {
    path.dir() == ".github/workflows"
        || path.under(".circleci")
        || path.under(".buildkite")
        || path.name() == "bitbucket-pipelines.yml"
        || path.name().starts_with(".gitlab-ci")
}

/// Whether a line of the text starts with one of the top-level keys.
fn has_top_key(text: &str) -> bool {
    text.lines()
        .any(|l| TOP_KEYS.iter().any(|k| l.starts_with(k)))
}

/// `task: Name@3` somewhere in the text.
fn has_task_reference(text: &str) -> bool {
    text.match_indices("task:").any(|(i, _)| {
        let rest = text[i + 5..].trim_start_matches([' ', '\t']);
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(rest.len());
        name_len > 0
            && rest[name_len..].starts_with('@')
            && rest[name_len + 1..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Whether a YAML text reads like an Azure pipeline (see the module documentation).
pub fn looks_like_azure(text: &str, named: bool) -> bool {
    has_top_key(text)
        && (named || MARKERS.iter().any(|m| text.contains(m)) || has_task_reference(text))
}

impl Detector for AzurePipelines {
    fn id(&self) -> &'static str {
        SYSTEM
    }

    fn summary(&self) -> &'static str {
        "Azure Pipelines (`azure-pipelines.yml`, `.azure-pipelines/`, and YAML with Azure stages, jobs and tasks): triggers, jobs, script and task steps, deployment jobs, templates and `extends`"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml() && !owned_by_other_system(path)
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_azure(text, named_path(&file.path)) {
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|docs| docs.first()) else {
            return;
        };
        if !doc.is_map() {
            return;
        }
        let path = file.path.as_str();
        let pipeline = read_pipeline(path, doc).build();
        out.evidence.pipelines.push(pipeline);
        let added = out.evidence.pipelines.len() - 1;
        link_calls(&mut out.evidence.pipelines, added, SYSTEM, local_template);
    }
}

/// The repository path of a local template a step calls (`template: /eng/build.yml`,
/// `template: steps/test.yml@self`), relative to the calling file unless it starts with
/// `/`.
fn local_template(caller: &str, run: &str) -> Option<String> {
    let reference = run.strip_prefix("template: ")?.trim();
    let (file, repo) = match reference.rsplit_once('@') {
        Some((f, r)) => (f, Some(r)),
        None => (reference, None),
    };
    if repo.is_some_and(|r| r != "self") || file.contains("${{") || file.contains("$(") {
        return None;
    }
    let joined = match file.strip_prefix('/') {
        Some(rooted) => rooted.to_string(),
        None => {
            let dir = RepoPath::new(caller).dir();
            if dir.is_empty() {
                file.to_string()
            } else {
                format!("{dir}/{file}")
            }
        }
    };
    // Windows separators are accepted too.
    crate::evidence::path::join("", &joined.replace('\\', "/"))
}

fn read_pipeline(path: &str, doc: &Node) -> Draft {
    let stem = RepoPath::new(path).name();
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_string();
    let mut reader = Reader {
        path,
        jobs: 0,
        steps: Vec::new(),
        calls: BTreeSet::new(),
        manual: false,
        budget: BUDGET,
        one_es: uses_1es_templates(doc),
    };

    if let Some(variables) = doc.get("variables") {
        reader.variable_templates(variables, 0);
    }
    if let Some(stages) = doc.get("stages") {
        reader.stages(stages, 0);
    } else if let Some(jobs) = doc.get("jobs") {
        reader.jobs(jobs, None, 0);
    } else if let Some(steps) = doc.get("steps") {
        reader.jobs += 1;
        reader.job_steps(&[steps], "job", None, false, 0);
    }
    if let Some(extends) = doc.get("extends") {
        reader.extends(extends);
    }

    let reusable = is_template(path, doc);
    let mut triggers = if reusable {
        BTreeSet::from(["workflow-call".to_string()])
    } else {
        triggers(doc)
    };
    if reader.manual || (!reusable && triggers.is_empty()) {
        triggers.insert("manual".to_string());
    }
    Draft {
        system: SYSTEM,
        name: stem,
        path: path.to_string(),
        triggers,
        jobs: reader.jobs,
        steps: reader.steps,
        reusable,
        calls: reader.calls,
        at: doc.pos,
    }
}

/// A template: parameters and steps, jobs or stages, but nothing that only a pipeline has.
fn is_template(path: &str, doc: &Node) -> bool {
    let pipeline_only = [
        "trigger",
        "pr",
        "schedules",
        "pool",
        "resources",
        "extends",
        "name",
        "lockBehavior",
        "appendCommitMessageToRunName",
    ];
    if named_file(&RepoPath::new(path)) || pipeline_only.iter().any(|k| doc.get(k).is_some()) {
        return false;
    }
    doc.get("parameters").is_some() || path.to_ascii_lowercase().contains("template")
}

/// Whether the pipeline takes templates from Microsoft's 1ES pipeline templates.
fn uses_1es_templates(doc: &Node) -> bool {
    doc.at(&["resources", "repositories"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .any(|r| {
            r.get("name")
                .and_then(Node::as_str)
                .is_some_and(|n| n.starts_with("1ESPipelineTemplates/"))
        })
}

fn triggers(doc: &Node) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let is_none = |n: &Node| {
        n.as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("none"))
            || matches!(n.value, Value::Bool(false))
    };
    match doc.get("trigger") {
        None => {
            out.insert("push".to_string());
        }
        Some(t) if is_none(t) => {}
        Some(t) if t.is_map() => {
            let branches = t.get("branches").is_some() || t.get("paths").is_some();
            let tags = t.at(&["tags", "include"]).is_some();
            if branches || !tags {
                out.insert("push".to_string());
            }
            if tags {
                out.insert("tag".to_string());
            }
        }
        Some(_) => {
            out.insert("push".to_string());
        }
    }
    match doc.get("pr") {
        Some(p) if is_none(p) => {}
        _ => {
            out.insert("pull-request".to_string());
        }
    }
    if doc.get("schedules").is_some_and(|s| !s.as_seq().is_empty()) {
        out.insert("schedule".to_string());
    }
    let resources = |kind: &str| {
        doc.at(&["resources", kind])
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter(|r| r.get("trigger").is_some_and(|t| !is_none(t)))
            .count()
    };
    if resources("pipelines") > 0 {
        out.insert("workflow-run".to_string());
    }
    if resources("repositories") > 0 {
        out.insert("push".to_string());
    }
    out
}

/// Keys that make a list item a step.
const STEP_KEYS: &[&str] = &[
    "script",
    "bash",
    "pwsh",
    "powershell",
    "task",
    "checkout",
    "download",
    "downloadBuild",
    "publish",
    "getPackage",
    "reviewApp",
];

struct Reader<'a> {
    path: &'a str,
    jobs: u32,
    steps: Vec<Step>,
    calls: BTreeSet<String>,
    /// A step waits for a person (`ManualValidation`).
    manual: bool,
    budget: u32,
    one_es: bool,
}

impl Reader<'_> {
    fn spend(&mut self) -> bool {
        self.budget = self.budget.saturating_sub(1);
        self.budget > 0
    }

    /// The items of a list, with `${{ if … }}:` and `${{ each … }}:` insertions flattened.
    fn items<'n>(&mut self, list: &'n Node, depth: u8, out: &mut Vec<&'n Node>) {
        if depth > MAX_DEPTH {
            return;
        }
        for item in list.as_seq() {
            if !self.spend() {
                return;
            }
            let inserted: Vec<&Node> = item
                .as_map()
                .iter()
                .filter(|(k, _)| {
                    k.as_str()
                        .is_some_and(|k| k.trim_start().starts_with("${{"))
                })
                .map(|(_, v)| v)
                .collect();
            if !inserted.is_empty() && item.as_map().len() == inserted.len() {
                for v in inserted {
                    self.items(v, depth + 1, out);
                }
            } else {
                out.push(item);
            }
        }
    }

    fn variable_templates(&mut self, variables: &Node, depth: u8) {
        let mut items = Vec::new();
        self.items(variables, depth, &mut items);
        for item in items {
            if let Some(t) = item.get("template").and_then(Node::as_str) {
                self.calls.insert(t.trim().to_string());
            }
        }
    }

    fn stages(&mut self, list: &Node, depth: u8) {
        let mut items = Vec::new();
        self.items(list, depth, &mut items);
        for item in items {
            if item.get("template").is_some() {
                self.template(item, None, depth);
                continue;
            }
            let name = item
                .get("displayName")
                .or_else(|| item.get("stage"))
                .and_then(Node::scalar_text);
            if let Some(jobs) = item.get("jobs") {
                self.jobs(jobs, name.as_deref(), depth + 1);
            }
        }
    }

    fn jobs(&mut self, list: &Node, stage: Option<&str>, depth: u8) {
        let mut items = Vec::new();
        self.items(list, depth, &mut items);
        for item in items {
            if item.get("template").is_some() {
                self.template(item, stage, depth);
            } else if item.get("job").is_some() || item.get("deployment").is_some() {
                self.job(item, stage, depth);
            }
        }
    }

    fn job(&mut self, item: &Node, stage: Option<&str>, depth: u8) {
        self.jobs += 1;
        let id = item
            .get("job")
            .or_else(|| item.get("deployment"))
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "job".to_string());
        let display = item.get("displayName").and_then(Node::scalar_text);
        let mut step_lists: Vec<&Node> = item.get("steps").into_iter().collect();
        let mut deploys = false;
        if item.get("deployment").is_some() {
            let environment = item.get("environment").and_then(|e| {
                e.scalar_text()
                    .or_else(|| e.get("name").and_then(Node::scalar_text))
            });
            deploys = environment.as_deref().is_none_or(|e| {
                steps::environment_deploys(e) || e.contains("$(") || e.contains("${{")
            });
            // `strategy: runOnce|rolling|canary: <hook>: steps:`
            for (_, strategy) in item.get("strategy").map(Node::as_map).unwrap_or(&[]) {
                for (hook, body) in strategy.as_map() {
                    if hook.as_str() == Some("on") {
                        for (_, outcome) in body.as_map() {
                            step_lists.extend(outcome.get("steps"));
                        }
                    } else {
                        step_lists.extend(body.get("steps"));
                    }
                }
            }
        }
        let name = display.as_deref().unwrap_or(&id).to_string();
        self.job_steps(&step_lists, &id, Some((&name, stage)), deploys, depth);
    }

    /// Reads the steps of one job and applies the job rules.
    fn job_steps(
        &mut self,
        lists: &[&Node],
        id: &str,
        naming: Option<(&str, Option<&str>)>,
        deploys: bool,
        depth: u8,
    ) {
        let mut found = Vec::new();
        for list in lists {
            self.steps_of(list, id, depth, &mut found);
        }
        let (name, stage) = naming.unwrap_or((id, None));
        job::finish(
            &mut found,
            &JobFacts {
                name,
                stage,
                deploys,
            },
        );
        self.steps.extend(found.into_iter().map(|f| f.step));
    }

    fn steps_of(&mut self, list: &Node, job_id: &str, depth: u8, found: &mut Vec<Found>) {
        let mut items = Vec::new();
        self.items(list, depth, &mut items);
        for item in items {
            if item.get("enabled").and_then(Node::as_bool) == Some(false) {
                continue;
            }
            let name = item.get("displayName").and_then(Node::scalar_text);
            let at = item.pos;
            if let Some(script) = ["script", "bash", "pwsh", "powershell"]
                .iter()
                .find_map(|k| item.get(k).and_then(Node::scalar_text))
            {
                found.push(Found::script(self.path, job_id, name, &script, at));
            } else if let Some(task) = item.get("task").and_then(Node::scalar_text) {
                let inputs = item.get("inputs").map(Node::string_map).unwrap_or_default();
                let named = tasks::azure_task(&task, &inputs);
                self.manual |= named.manual;
                found.push(Found::named(
                    self.path,
                    job_id,
                    name,
                    task.trim(),
                    named,
                    at,
                ));
            } else if let Some(reference) = item.get("template").and_then(Node::as_str) {
                self.calls.insert(reference.trim().to_string());
                found.push(self.template_step(job_id, reference, at));
                if let Some(params) = item.get("parameters") {
                    self.parameter_steps(params, job_id, depth + 1, found);
                }
            }
        }
    }

    /// Steps passed to a step template as parameters (`preBuildSteps: [...]`).
    fn parameter_steps(&mut self, params: &Node, job_id: &str, depth: u8, found: &mut Vec<Found>) {
        if depth > MAX_DEPTH {
            return;
        }
        for (_, v) in params.as_map() {
            if !self.spend() {
                return;
            }
            if is_list_of(v, STEP_KEYS) {
                self.steps_of(v, job_id, depth + 1, found);
            } else if v.is_map() {
                self.parameter_steps(v, job_id, depth + 1, found);
            }
        }
    }

    /// A stage or job template reference: a call, a step for the template itself, and
    /// the stages, jobs and steps given to it as parameters.
    fn template(&mut self, item: &Node, stage: Option<&str>, depth: u8) {
        let Some(reference) = item.get("template").and_then(Node::as_str) else {
            return;
        };
        self.calls.insert(reference.trim().to_string());
        let step = self.template_step("template", reference, item.pos);
        self.steps.push(step.step);
        let before = self.jobs;
        if let Some(params) = item.get("parameters") {
            self.parameters(params, stage, depth + 1);
        }
        if self.jobs == before {
            // A template of jobs (or stages) whose jobs are not written here.
            self.jobs += 1;
        }
    }

    fn template_step(&self, job_id: &str, reference: &str, at: Position) -> Found {
        let stem = reference
            .split('@')
            .next()
            .unwrap_or(reference)
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(reference);
        let stem = stem
            .trim_end_matches(".yml")
            .trim_end_matches(".yaml")
            .to_string();
        let named = Named::by_words(&stem);
        Found::named(
            self.path,
            job_id,
            None,
            &format!("template: {}", reference.trim()),
            named,
            at,
        )
    }

    /// Stages, jobs and steps written inline as a template's parameters.
    fn parameters(&mut self, params: &Node, stage: Option<&str>, depth: u8) {
        if depth > MAX_DEPTH {
            return;
        }
        for (key, v) in params.as_map() {
            if !self.spend() {
                return;
            }
            let key = key.as_str().unwrap_or("");
            if is_list_of(v, &["stage"]) || (key == "stages" && v.is_seq()) {
                self.stages(v, depth + 1);
            } else if is_list_of(v, &["job", "deployment"]) || (key == "jobs" && v.is_seq()) {
                self.jobs(v, stage, depth + 1);
            } else if is_list_of(v, STEP_KEYS) {
                self.jobs += 1;
                self.job_steps(&[v], key, None, false, depth + 1);
            } else if v.is_map() {
                self.parameters(v, stage, depth + 1);
            }
        }
    }

    /// `extends: template: …` with the pipeline given as parameters.
    fn extends(&mut self, extends: &Node) {
        let Some(reference) = extends.get("template").and_then(Node::as_str) else {
            return;
        };
        self.calls.insert(reference.trim().to_string());
        let mut step = self.template_step("extends", reference, extends.pos);
        if self.one_es || reference.to_ascii_lowercase().contains("1es") {
            step.step.kinds = steps::Classification::scan("1es-sdl").kind_names();
            step.step.scanner = Some("1es-sdl".to_string());
        }
        self.steps.push(step.step);
        if let Some(params) = extends.get("parameters") {
            self.parameters(params, None, 1);
        }
    }
}

/// Whether a node is a list whose first real item has one of `keys`.
fn is_list_of(node: &Node, keys: &[&str]) -> bool {
    node.as_seq().iter().any(|item| {
        item.as_map()
            .iter()
            .any(|(k, _)| k.as_str().is_some_and(|k| keys.contains(&k)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(files: &[(&str, &str)]) -> Evidence {
        crate::evidence::testing::evidence_of(files, &AzurePipelines)
    }

    const PIPELINE: &str = r#"trigger:
  branches:
    include: [main]
  tags:
    include: ['v*']

schedules:
- cron: "0 3 * * *"
  branches:
    include: [main]

variables:
- template: eng/variables.yml

stages:
- stage: Build
  jobs:
  - job: Test
    pool:
      vmImage: ubuntu-latest
    steps:
    - checkout: self
    - task: UseDotNet@2
      inputs:
        version: 8.x
    - task: DotNetCoreCLI@2
      displayName: Unit tests
      inputs:
        command: test
        projects: '**/*Tests.csproj'
    - script: ./build/lint.sh
      displayName: Lint
    - ${{ if eq(variables['Build.SourceBranch'], 'refs/heads/main') }}:
      - task: Docker@2
        inputs:
          command: buildAndPush
          repository: web
- stage: Deploy
  jobs:
  - deployment: Web
    environment: production
    strategy:
      runOnce:
        deploy:
          steps:
          - task: AzureWebApp@1
            inputs:
              appName: web
  - deployment: Migrate
    environment: staging
    strategy:
      runOnce:
        deploy:
          steps:
          - bash: ./db/migrate.sh
  - template: templates/smoke.yml
"#;

    #[test]
    fn reads_triggers_stages_jobs_tasks_and_deployments() {
        let e = scan(&[("azure-pipelines.yml", PIPELINE)]);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "azure-pipelines");
        assert_eq!(p.name, "azure-pipelines");
        assert_eq!(p.triggers, ["pull-request", "push", "schedule", "tag"]);
        assert_eq!(p.jobs, 4);
        assert!(!p.reusable);
        assert_eq!(p.calls, ["eng/variables.yml", "templates/smoke.yml"]);
        let step = |run: &str| {
            p.steps
                .iter()
                .find(|s| s.run == run)
                .unwrap_or_else(|| panic!("{run}: {:?}", p.steps))
        };
        let test = step("DotNetCoreCLI@2");
        assert_eq!(test.kinds, ["test"]);
        assert_eq!(test.name.as_deref(), Some("Unit tests"));
        assert_eq!(test.job, "Test");
        assert_eq!(test.source.line, Some(26));
        assert_eq!(step("./build/lint.sh").kinds, ["lint"]);
        assert_eq!(step("Docker@2").kinds, ["build", "release"]);
        assert_eq!(step("AzureWebApp@1").kinds, ["deploy"]);
        // An opaque script in a deployment job deploys.
        assert_eq!(step("./db/migrate.sh").kinds, ["deploy"]);
        assert_eq!(p.step_kinds, ["build", "deploy", "lint", "release", "test"]);
    }

    #[test]
    fn extends_a_1es_template_with_the_pipeline_as_parameters() {
        let text = r#"trigger: none
pr:
  branches:
    include: ['*']
resources:
  repositories:
  - repository: 1ESPipelineTemplates
    type: git
    name: 1ESPipelineTemplates/1ESPipelineTemplates
    ref: refs/tags/release
extends:
  template: v1/1ES.Official.PipelineTemplate.yml@1ESPipelineTemplates
  parameters:
    stages:
    - stage: build
      jobs:
      - template: /eng/jobs.yml@self
        parameters:
          jobs:
          - job: Windows
            steps:
            - script: eng\common\cibuild.cmd -configuration Release
              displayName: Build
            - task: 1ES.PublishBuildArtifacts@1
              inputs:
                PathtoPublish: artifacts/
"#;
        let e = scan(&[("azure-pipelines.yml", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.triggers, ["pull-request"]);
        assert_eq!(p.jobs, 1);
        assert_eq!(
            p.calls,
            [
                "/eng/jobs.yml@self",
                "v1/1ES.Official.PipelineTemplate.yml@1ESPipelineTemplates"
            ]
        );
        let build = p.steps.iter().find(|s| s.job == "Windows").unwrap();
        assert_eq!(build.kinds, ["build", "test"]);
        let extends = p.steps.iter().find(|s| s.job == "extends").unwrap();
        assert_eq!(extends.scanner.as_deref(), Some("1es-sdl"));
        assert_eq!(p.step_kinds, ["build", "security-scan", "test"]);
    }

    #[test]
    fn local_templates_are_reusable_and_lend_their_kinds() {
        let main = "trigger: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n- template: ci/steps/checks.yml\n- script: echo done\n";
        let template = "parameters:\n- name: config\n  default: Release\nsteps:\n- script: go test ./...\n  displayName: Test\n";
        let e = scan(&[
            ("azure-pipelines.yml", main),
            ("ci/steps/checks.yml", template),
        ]);
        assert_eq!(e.pipelines.len(), 2);
        let main = &e.pipelines[0];
        assert_eq!(main.triggers, ["pull-request", "push"]);
        assert_eq!(main.step_kinds, ["test"]);
        assert_eq!(main.calls, ["ci/steps/checks.yml"]);
        let template = &e.pipelines[1];
        assert!(template.reusable);
        assert_eq!(template.triggers, ["workflow-call"]);
    }

    #[test]
    fn only_yaml_with_azure_markers_is_read() {
        let e = scan(&[
            // Cloud Build, Drone, a Kubernetes manifest, broken YAML without markers.
            (
                "cloudbuild.yaml",
                "steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build, .]\n",
            ),
            (
                ".drone.yml",
                "kind: pipeline\nsteps:\n- name: test\n  commands: [go test]\n",
            ),
            ("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n"),
            ("broken.yaml", "jobs: [\n"),
            // Azure markers outside a named path.
            (
                "ci/build.yml",
                "jobs:\n- job: x\n  pool:\n    vmImage: ubuntu-latest\n  steps:\n  - script: make test\n",
            ),
        ]);
        assert_eq!(e.pipelines.len(), 1);
        assert_eq!(e.pipelines[0].path, "ci/build.yml");
        assert_eq!(e.pipelines[0].step_kinds, ["test"]);
    }

    #[test]
    fn no_trigger_means_manual_and_manual_validation() {
        let text =
            "trigger: none\npr: none\nsteps:\n- task: ManualValidation@0\n- script: ./release.sh\n";
        let e = scan(&[("azure-pipelines.yml", text)]);
        assert_eq!(e.pipelines[0].triggers, ["manual"]);
        assert_eq!(e.pipelines[0].step_kinds, ["release"]);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let mut text = String::from("trigger: none\nstages:\n");
        for _ in 0..2_000 {
            text.push_str("- stage: s\n  jobs:\n  - job: j\n    steps:\n    - script: make test\n");
        }
        let mut deep = String::from("steps:\n");
        for level in 0..40 {
            deep.push_str(&"  ".repeat(level));
            deep.push_str("- ${{ if true }}:\n");
        }
        deep.push_str(&"  ".repeat(40));
        deep.push_str("- script: make test\n");
        let e = scan(&[
            ("azure-pipelines.yml", &text),
            ("a.azure-pipelines.yml", &deep),
        ]);
        assert!(e.pipelines[0].jobs > 0);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-azure-pipelines", &AzurePipelines);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let main = d
            .evidence
            .pipelines
            .iter()
            .find(|p| p.path == "azure-pipelines.yml")
            .unwrap();
        assert_eq!(main.triggers, ["pull-request", "push", "schedule"]);
        assert_eq!(
            main.step_kinds,
            [
                "build",
                "deploy",
                "lint",
                "release",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
        let template = d.evidence.pipelines.iter().find(|p| p.reusable).unwrap();
        assert_eq!(template.path, ".azure-pipelines/templates/test-steps.yml");
    }
}
