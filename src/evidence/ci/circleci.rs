//! CircleCI (`.circleci/config.yml`).
//!
//! ## What it finds
//! One pipeline per config file, CircleCI's own unit: the jobs its workflows run, their
//! steps (`run:` commands, orb commands such as `node/test`, and the steps of the config's
//! own reusable `commands:`), orb jobs run directly by a workflow
//! (`architect/push-to-app-catalog`, classified by [`super::tasks::circleci_orb`]), and
//! the orbs it uses, recorded in `calls`.
//!
//! ## Triggers
//! A workflow runs on every push to a branch unless its jobs' `filters` say otherwise; it
//! runs on tags only when a job has a `tags` filter (CircleCI ignores tags by default). A
//! workflow with `triggers: - schedule:`, or whose `when:` asks for a scheduled pipeline,
//! runs on a schedule; one gated on a pipeline parameter that is off by default is run by
//! hand (`manual`), as is an `approval` job.
//!
//! Jobs no workflow runs are not read (CircleCI 2.1 does not run them); without
//! workflows, CircleCI runs the job named `build`.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::ci::job::{self, Draft, Found, JobFacts};
use crate::evidence::ci::tasks::{self, Named};
use crate::evidence::{Collector, Detector, FileContext, RepoPath};
use crate::parse::yaml::{Node, Value};

pub struct Circleci;

const SYSTEM: &str = "circleci";

/// How deep reusable commands and conditional steps are followed.
const MAX_DEPTH: u8 = 8;
/// Steps read per file.
const BUDGET: u32 = 20_000;

/// CircleCI's built-in steps that do nothing a policy counts.
const BUILTIN_STEPS: &[&str] = &[
    "checkout",
    "setup_remote_docker",
    "save_cache",
    "restore_cache",
    "store_artifacts",
    "persist_to_workspace",
    "attach_workspace",
    "add_ssh_keys",
];

impl Detector for Circleci {
    fn id(&self) -> &'static str {
        SYSTEM
    }

    fn summary(&self) -> &'static str {
        "CircleCI `.circleci/config.yml`: workflows and their triggers, jobs, `run` steps, reusable commands, orb commands and orb jobs"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.under(".circleci") && path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("jobs") && !text.contains("workflows") {
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|docs| docs.first()) else {
            return;
        };
        if doc.get("jobs").is_none_or(|j| !j.is_map()) && doc.get("workflows").is_none() {
            return;
        }
        out.evidence
            .pipelines
            .push(read_config(file.path.as_str(), doc).build());
    }
}

struct Config<'a> {
    path: &'a str,
    /// Orb alias → registry name with version (`circleci/node@5.1`), or the alias for an
    /// inline orb.
    orbs: BTreeMap<String, String>,
    commands: BTreeMap<&'a str, &'a Node>,
    jobs: BTreeMap<&'a str, &'a Node>,
    /// Pipeline parameters that are on by default.
    parameters_on: BTreeSet<String>,
    budget: u32,
}

fn read_config(path: &str, doc: &Node) -> Draft {
    let by_name = |key: &str| -> BTreeMap<&str, &Node> {
        doc.get(key)
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
            .collect()
    };
    let mut config = Config {
        path,
        orbs: doc
            .get("orbs")
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| {
                let alias = k.scalar_text()?;
                let reference = v.as_str().map_or_else(|| alias.clone(), str::to_string);
                Some((alias, reference))
            })
            .collect(),
        commands: by_name("commands"),
        jobs: by_name("jobs"),
        parameters_on: doc
            .get("parameters")
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter(|(_, v)| v.get("default").and_then(Node::as_bool) == Some(true))
            .filter_map(|(k, _)| k.scalar_text())
            .collect(),
        budget: BUDGET,
    };

    let mut triggers = BTreeSet::new();
    let mut steps = Vec::new();
    let mut jobs = 0u32;
    let mut read_jobs: BTreeSet<String> = BTreeSet::new();
    let workflows: Vec<(String, &Node)> = doc
        .get("workflows")
        .map(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter(|(_, v)| v.is_map())
        .filter_map(|(k, v)| Some((k.scalar_text()?, v)))
        .collect();

    for (_, workflow) in &workflows {
        let mut wf_triggers = BTreeSet::new();
        for item in workflow.get("jobs").map(Node::as_seq).unwrap_or(&[]) {
            let (reference, settings) = match &item.value {
                Value::String(s) => (s.clone(), None),
                Value::Map(entries) => match entries.first() {
                    Some((k, v)) => match k.scalar_text() {
                        Some(k) => (k, Some(v)),
                        None => continue,
                    },
                    None => continue,
                },
                _ => continue,
            };
            if settings.and_then(|s| s.get("type")).and_then(Node::as_str) == Some("approval") {
                wf_triggers.insert("manual".to_string());
                continue;
            }
            jobs += 1;
            filter_triggers(settings.and_then(|s| s.get("filters")), &mut wf_triggers);
            let name = settings
                .and_then(|s| s.get("name"))
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| reference.clone());
            if let Some(job) = config.jobs.get(reference.as_str()).copied() {
                if read_jobs.insert(reference.clone()) {
                    steps.extend(config.job(&reference, job));
                }
            } else if let Some((alias, item_name)) = reference.split_once('/') {
                let orb = config.orb(alias);
                let named = tasks::circleci_orb(&orb, item_name);
                let mut found = vec![Found::named(
                    path,
                    &name,
                    Some(name.clone()),
                    &reference,
                    named,
                    item.pos,
                )];
                job::finish(
                    &mut found,
                    &JobFacts {
                        name: &name,
                        ..Default::default()
                    },
                );
                steps.extend(found.into_iter().map(|f| f.step));
            }
        }
        workflow_triggers(workflow, &config.parameters_on, &mut wf_triggers);
        triggers.extend(wf_triggers);
    }

    if workflows.is_empty() {
        // CircleCI 2.0 without workflows runs the job named `build`, on every push.
        if let Some(job) = config.jobs.get("build").copied() {
            jobs += 1;
            steps.extend(config.job("build", job));
        }
        triggers.insert("push".to_string());
    }

    let name = match workflows.as_slice() {
        [(name, _)] => name.clone(),
        _ => SYSTEM.to_string(),
    };
    Draft {
        system: SYSTEM,
        name,
        path: path.to_string(),
        triggers,
        jobs,
        steps,
        reusable: false,
        calls: config.orbs.values().cloned().collect(),
        at: doc.pos,
    }
}

/// Whether a branch or tag pattern matches everything (`/.*/`).
fn matches_all(pattern: &str) -> bool {
    matches!(pattern.trim(), "/.*/" | ".*" | "/^.*$/" | "/.+/")
}

/// Push and tag triggers of one workflow job, from its `filters`.
fn filter_triggers(filters: Option<&Node>, out: &mut BTreeSet<String>) {
    let branches_off = filters
        .and_then(|f| f.at(&["branches", "ignore"]))
        .is_some_and(|i| i.string_list().iter().any(|p| matches_all(p)));
    if !branches_off {
        out.insert("push".to_string());
    }
    let tags = filters.and_then(|f| f.get("tags"));
    let tags_on = tags.is_some_and(|t| {
        t.get("only").is_some()
            || t.get("ignore")
                .is_some_and(|i| !i.string_list().iter().any(|p| matches_all(p)))
    });
    if tags_on {
        out.insert("tag".to_string());
    }
}

/// A workflow's `triggers:` and `when:`/`unless:` conditions.
fn workflow_triggers(
    workflow: &Node,
    parameters_on: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    let scheduled = workflow
        .get("triggers")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .any(|t| t.get("schedule").is_some());
    if scheduled {
        // A scheduled workflow (legacy `triggers:`) does not run on pushes.
        out.retain(|t| t == "manual");
        out.insert("schedule".to_string());
        return;
    }
    let Some(when) = workflow.get("when") else {
        return;
    };
    let text = when.to_json().to_string();
    if text.contains("\"not\"") {
        return;
    }
    if text.contains("scheduled_pipeline") || text.contains("pipeline.schedule.") {
        out.retain(|t| t == "manual");
        out.insert("schedule".to_string());
    } else if parameters(&text).any(|p| !parameters_on.contains(p)) {
        // Gated on a parameter that is off unless someone triggers the pipeline with it.
        out.retain(|t| t == "manual");
        out.insert("manual".to_string());
    }
}

/// Pipeline parameters a condition names (`<< pipeline.parameters.run_nightly >>`).
fn parameters(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("pipeline.parameters.").map(|(i, m)| {
        let rest = &text[i + m.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        &rest[..end]
    })
}

impl Config<'_> {
    /// The registry name of an orb alias (`node` → `circleci/node@5.1`).
    fn orb(&self, alias: &str) -> String {
        self.orbs
            .get(alias)
            .cloned()
            .unwrap_or_else(|| alias.to_string())
    }

    fn job(&mut self, name: &str, job: &Node) -> Vec<crate::evidence::Step> {
        let mut found = Vec::new();
        if let Some(steps) = job.get("steps") {
            self.steps(name, steps, 0, &mut found);
        }
        job::finish(
            &mut found,
            &JobFacts {
                name,
                ..Default::default()
            },
        );
        found.into_iter().map(|f| f.step).collect()
    }

    fn steps(&mut self, job: &str, steps: &Node, depth: u8, found: &mut Vec<Found>) {
        if depth > MAX_DEPTH {
            return;
        }
        for item in steps.as_seq() {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let (key, value) = match &item.value {
                Value::String(s) => (s.clone(), None),
                Value::Map(entries) => match entries
                    .first()
                    .and_then(|(k, v)| Some((k.scalar_text()?, v)))
                {
                    Some((k, v)) => (k, Some(v)),
                    None => continue,
                },
                _ => continue,
            };
            match key.as_str() {
                // `deploy:` is CircleCI 2.0's (deprecated) spelling of a deploying `run:`.
                "run" | "deploy" => {
                    let Some(value) = value else {
                        continue;
                    };
                    let (command, name) = match value.scalar_text() {
                        Some(c) => (Some(c), None),
                        None => (
                            value.get("command").and_then(Node::scalar_text),
                            value.get("name").and_then(Node::scalar_text),
                        ),
                    };
                    let name = name.or_else(|| (key == "deploy").then(|| "deploy".to_string()));
                    if let Some(command) = command {
                        found.push(Found::script(self.path, job, name, &command, item.pos));
                    }
                }
                "when" | "unless" => {
                    if let Some(inner) = value.and_then(|v| v.get("steps")) {
                        self.steps(job, inner, depth + 1, found);
                    }
                }
                "store_test_results" => found.push(Found::named(
                    self.path,
                    job,
                    None,
                    "store_test_results",
                    Named {
                        plumbing: true,
                        reports_tests: true,
                        ..Default::default()
                    },
                    item.pos,
                )),
                k if BUILTIN_STEPS.contains(&k) => {}
                k => {
                    if let Some((alias, command)) = k.split_once('/') {
                        let named = tasks::circleci_orb(&self.orb(alias), command);
                        found.push(Found::named(self.path, job, None, k, named, item.pos));
                        // Orb commands that take steps (`node/with-cache: steps: […]`).
                        if let Some(inner) = value.and_then(|v| v.get("steps")) {
                            self.steps(job, inner, depth + 1, found);
                        }
                    } else if let Some(command) = self.commands.get(k).copied()
                        && let Some(inner) = command.get("steps")
                    {
                        // The config's own reusable command: its steps, where written.
                        self.steps(job, inner, depth + 1, found);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(text: &str) -> Evidence {
        crate::evidence::testing::evidence_of(&[(".circleci/config.yml", text)], &Circleci)
    }

    const CONFIG: &str = r#"version: 2.1
orbs:
  node: circleci/node@5.2.0
  aws-ecs: circleci/aws-ecs@4.0.0

commands:
  lint:
    steps:
      - run: npm run lint

jobs:
  test:
    docker:
      - image: cimg/node:20.11
    steps:
      - checkout
      - node/install-packages
      - lint
      - run:
          name: Unit tests
          command: npm test -- --ci
      - store_test_results:
          path: reports
  unused:
    docker:
      - image: cimg/base:current
    steps:
      - run: ./never-runs.sh

workflows:
  main:
    jobs:
      - test
      - hold:
          type: approval
          requires: [test]
      - aws-ecs/deploy-service-update:
          name: deploy-production
          requires: [hold]
          filters:
            branches:
              only: main
  release:
    jobs:
      - test:
          filters:
            tags:
              only: /^v.*/
            branches:
              ignore: /.*/
"#;

    #[test]
    fn reads_workflows_jobs_orbs_and_commands() {
        let e = scan(CONFIG);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "circleci");
        assert_eq!(p.name, "circleci");
        assert_eq!(p.triggers, ["manual", "push", "tag"]);
        assert_eq!(p.jobs, 3);
        assert_eq!(p.calls, ["circleci/aws-ecs@4.0.0", "circleci/node@5.2.0"]);
        let runs: Vec<(&str, &str, Vec<String>)> = p
            .steps
            .iter()
            .map(|s| (s.job.as_str(), s.run.as_str(), s.kinds.clone()))
            .collect();
        assert_eq!(
            runs,
            [
                ("test", "node/install-packages", vec![]),
                ("test", "npm run lint", vec!["lint".to_string()]),
                ("test", "npm test -- --ci", vec!["test".to_string()]),
                ("test", "store_test_results", vec![]),
                (
                    "deploy-production",
                    "aws-ecs/deploy-service-update",
                    vec!["deploy".to_string()]
                ),
            ]
        );
        // The command's step keeps the line where the command is written.
        assert_eq!(p.steps[1].source.line, Some(9));
        assert_eq!(p.step_kinds, ["deploy", "lint", "test"]);
    }

    #[test]
    fn scheduled_and_parameter_gated_workflows() {
        let text = r#"version: 2.1
parameters:
  run-nightly:
    type: boolean
    default: false
jobs:
  e2e:
    docker: [{image: cimg/go:1.22}]
    steps:
      - run: make test-e2e
workflows:
  nightly:
    triggers:
      - schedule:
          cron: "0 2 * * *"
          filters:
            branches:
              only: main
    jobs: [e2e]
  on-demand:
    when: << pipeline.parameters.run-nightly >>
    jobs: [e2e]
  scheduled:
    when:
      equal: [scheduled_pipeline, << pipeline.trigger_source >>]
    jobs: [e2e]
"#;
        let e = scan(text);
        assert_eq!(e.pipelines[0].triggers, ["manual", "schedule"]);
        assert_eq!(e.pipelines[0].jobs, 3);
        assert_eq!(e.pipelines[0].steps.len(), 1);
    }

    #[test]
    fn without_workflows_the_build_job_runs() {
        let text = "version: 2\njobs:\n  build:\n    docker: [{image: golang}]\n    steps:\n      - checkout\n      - run: go test ./...\n";
        let e = scan(text);
        assert_eq!(e.pipelines[0].triggers, ["push"]);
        assert_eq!(e.pipelines[0].step_kinds, ["test"]);
    }

    #[test]
    fn recursive_commands_and_odd_shapes_are_bounded() {
        let text = "version: 2.1\ncommands:\n  a:\n    steps: [b]\n  b:\n    steps: [a, {run: make lint}]\njobs:\n  j:\n    steps: [a, 3, {}, {run: {}}]\nworkflows:\n  w:\n    jobs: [j, 7, {}]\n  version: 2\n";
        let e = scan(text);
        assert_eq!(e.pipelines[0].name, "w");
        assert_eq!(e.pipelines[0].step_kinds, ["lint"]);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-circleci", &Circleci);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = &d.evidence.pipelines[0];
        assert_eq!(p.triggers, ["manual", "push", "schedule", "tag"]);
        assert_eq!(
            p.step_kinds,
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
    }
}
