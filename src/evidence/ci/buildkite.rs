//! Buildkite (`.buildkite/pipeline.yml` and other pipeline files under `.buildkite/`,
//! `buildkite.yml`).
//!
//! ## What it finds
//! One pipeline per file: its command steps (one job each; `command`/`commands`, read line
//! by line and classified like any script, with the step's `label` speaking for opaque
//! scripts), plugins (`docker-compose#v5` building or pushing, test collectors, see
//! [`super::tasks::buildkite_plugin`]), `trigger:` steps that start other pipelines and
//! `buildkite-agent pipeline upload` of other files (both recorded in `calls`), and
//! `block`/`input` steps, which wait for a person (`manual`).
//!
//! ## Triggers
//! Buildkite builds every push; step conditions add `pull-request`
//! (`if: build.pull_request.id != null`), `tag` (`build.tag`), `schedule`
//! (`build.source == "schedule"`) and `manual` (`build.source == "ui"`).

use std::collections::BTreeSet;

use crate::evidence::ci::job::{self, Draft, Found, JobFacts};
use crate::evidence::ci::tasks::{self, Named};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, Step};
use crate::parse::yaml::{Node, Value};

pub struct Buildkite;

const SYSTEM: &str = "buildkite";

/// How deep `group` steps are followed.
const MAX_DEPTH: u8 = 8;

impl Detector for Buildkite {
    fn id(&self) -> &'static str {
        SYSTEM
    }

    fn summary(&self) -> &'static str {
        "Buildkite pipelines (`.buildkite/pipeline.yml`, `buildkite.yml`): command steps, plugins, trigger and block steps"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
            && (path.under(".buildkite")
                || matches!(
                    path.as_str(),
                    "buildkite.yml" | "buildkite.yaml" | ".buildkite.yml" | ".buildkite.yaml"
                ))
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("steps") && !text.contains("command") {
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|docs| docs.first()) else {
            return;
        };
        // `steps:` at the top, or (the older form) a list of steps.
        let steps = match doc.get("steps") {
            Some(s) if s.is_seq() => s,
            _ if doc.is_seq() => doc,
            _ => return,
        };
        let path = file.path.as_str();
        let mut reader = Reader {
            path,
            jobs: 0,
            steps: Vec::new(),
            calls: BTreeSet::new(),
            triggers: BTreeSet::from(["push".to_string()]),
        };
        reader.steps(steps, 0);
        let stem = RepoPath::new(path).name();
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_string();
        out.evidence.pipelines.push(
            Draft {
                system: SYSTEM,
                name: stem,
                path: path.to_string(),
                triggers: reader.triggers,
                jobs: reader.jobs,
                steps: reader.steps,
                reusable: false,
                calls: reader.calls,
                at: doc.pos,
            }
            .build(),
        );
    }
}

struct Reader<'a> {
    path: &'a str,
    jobs: u32,
    steps: Vec<Step>,
    calls: BTreeSet<String>,
    triggers: BTreeSet<String>,
}

/// A label without Buildkite's `:emoji:` codes: `:docker: Build image` → `Build image`.
fn plain_label(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(start) = rest.find(':') {
        let after = &rest[start + 1..];
        let code = after.find(':').filter(|&e| {
            e > 0
                && after[..e]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        });
        match code {
            Some(e) => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &after[e + 1..];
            }
            None => {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Reader<'_> {
    fn steps(&mut self, list: &Node, depth: u8) {
        if depth > MAX_DEPTH {
            return;
        }
        for item in list.as_seq() {
            match &item.value {
                Value::String(s) if matches!(s.as_str(), "block" | "input") => {
                    self.triggers.insert("manual".to_string());
                }
                Value::Map(_) => self.step(item, depth),
                _ => {}
            }
        }
    }

    fn step(&mut self, item: &Node, depth: u8) {
        if let Some(condition) = item.get("if").and_then(Node::as_str) {
            self.condition(condition);
        }
        if item.get("block").is_some() || item.get("input").is_some() {
            self.triggers.insert("manual".to_string());
            return;
        }
        if let Some(inner) = item.get("steps").filter(|_| item.get("group").is_some()) {
            self.steps(inner, depth + 1);
            return;
        }
        let label = item
            .get("label")
            .or_else(|| item.get("name"))
            .and_then(Node::scalar_text)
            .map(|l| plain_label(&l));
        let job_name = label
            .clone()
            .or_else(|| item.get("key").and_then(Node::scalar_text))
            .unwrap_or_else(|| "step".to_string());
        let mut found = Vec::new();

        if let Some(target) = item.get("trigger").and_then(Node::scalar_text) {
            self.jobs += 1;
            self.calls.insert(target.clone());
            found.push(Found::named(
                self.path,
                &job_name,
                label.clone(),
                &format!("trigger: {target}"),
                Named::by_words(&target),
                item.pos,
            ));
        }

        let commands = item.get("command").or_else(|| item.get("commands"));
        let plugins = plugins(item.get("plugins"));
        if commands.is_none() && plugins.is_empty() {
            self.finish(found, &job_name);
            return;
        }
        self.jobs += 1;
        for (name, keys, at) in &plugins {
            found.push(Found::named(
                self.path,
                &job_name,
                label.clone(),
                name,
                tasks::buildkite_plugin(name, keys),
                *at,
            ));
        }
        let lines: Vec<&Node> = match commands {
            Some(c) if c.is_seq() => c.as_seq().iter().collect(),
            Some(c) => vec![c],
            None => Vec::new(),
        };
        for line in lines {
            let Some(script) = line.scalar_text() else {
                continue;
            };
            self.uploads(&script);
            found.push(Found::script(
                self.path,
                &job_name,
                label.clone(),
                &script,
                line.pos,
            ));
        }
        self.finish(found, &job_name);
    }

    fn finish(&mut self, mut found: Vec<Found>, job_name: &str) {
        job::finish(
            &mut found,
            &JobFacts {
                name: job_name,
                ..Default::default()
            },
        );
        self.steps.extend(found.into_iter().map(|f| f.step));
    }

    /// Pipeline files uploaded by `buildkite-agent pipeline upload <file>`.
    fn uploads(&mut self, script: &str) {
        for line in script.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(i) = words
                .windows(3)
                .position(|w| w == ["buildkite-agent", "pipeline", "upload"])
            {
                let file = words[i + 3..]
                    .iter()
                    .find(|w| !w.starts_with('-') && !matches!(**w, "|" | "&&" | ";"))
                    .copied()
                    .unwrap_or(".buildkite/pipeline.yml");
                self.calls.insert(file.to_string());
            }
        }
    }

    fn condition(&mut self, condition: &str) {
        let c = condition.replace(' ', "");
        if c.contains("build.pull_request") && !c.contains("pull_request.id==null") {
            self.triggers.insert("pull-request".to_string());
        }
        if c.contains("build.tag") && !c.contains("build.tag==null") {
            self.triggers.insert("tag".to_string());
        }
        if c.contains("build.source==\"schedule\"") || c.contains("build.source=='schedule'") {
            self.triggers.insert("schedule".to_string());
        }
        if c.contains("build.source==\"ui\"") || c.contains("build.source=='ui'") {
            self.triggers.insert("manual".to_string());
        }
    }
}

/// The plugins of a step: name, configuration keys and position. Written as a list of
/// one-entry maps (or bare names), or as a map.
fn plugins(node: Option<&Node>) -> Vec<(String, Vec<String>, crate::diagnostic::Position)> {
    let Some(node) = node else {
        return Vec::new();
    };
    let entry = |k: &Node, v: Option<&Node>| {
        let name = k.scalar_text()?;
        let keys = v
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, _)| k.scalar_text())
            .collect();
        Some((name, keys, k.pos))
    };
    let mut out = Vec::new();
    if node.is_map() {
        for (k, v) in node.as_map() {
            out.extend(entry(k, Some(v)));
        }
    }
    for item in node.as_seq() {
        if item.as_str().is_some() {
            out.extend(entry(item, None));
        }
        for (k, v) in item.as_map() {
            out.extend(entry(k, Some(v)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(files: &[(&str, &str)]) -> Evidence {
        crate::evidence::testing::evidence_of(files, &Buildkite)
    }

    const PIPELINE: &str = r#"steps:
  - label: ":golang: Unit tests"
    key: test
    commands:
      - go mod download
      - ./scripts/ci.sh
    plugins:
      - docker-compose#v5.2.0:
          run: app
      - test-collector#v1.10.0:
          files: junit.xml
  - label: ":docker: Image"
    plugins:
      - docker-compose#v5.2.0:
          build: app
          push: app:acme/app
  - wait
  - group: ":shield: Checks"
    steps:
      - command: golangci-lint run
        if: build.pull_request.id != null
  - block: ":rocket: Release?"
  - trigger: deploy-production
    label: Deploy
    build:
      commit: "$BUILDKITE_COMMIT"
  - command: buildkite-agent pipeline upload .buildkite/nightly.yml
"#;

    #[test]
    fn reads_steps_plugins_triggers_and_blocks() {
        let e = scan(&[(".buildkite/pipeline.yml", PIPELINE)]);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "buildkite");
        assert_eq!(p.name, "pipeline");
        assert_eq!(p.triggers, ["manual", "pull-request", "push"]);
        assert_eq!(p.jobs, 5);
        assert_eq!(p.calls, [".buildkite/nightly.yml", "deploy-production"]);
        let step = |run: &str| {
            p.steps
                .iter()
                .find(|s| s.run == run)
                .unwrap_or_else(|| panic!("{run}: {:?}", p.steps))
        };
        // The label speaks for an opaque script.
        assert_eq!(step("./scripts/ci.sh").kinds, ["test"]);
        assert_eq!(step("./scripts/ci.sh").job, "Unit tests");
        assert_eq!(step("./scripts/ci.sh").source.line, Some(6));
        assert_eq!(step("docker-compose#v5.2.0").kinds, Vec::<String>::new());
        assert_eq!(step("golangci-lint run").kinds, ["lint"]);
        assert_eq!(step("trigger: deploy-production").kinds, ["deploy"]);
        assert!(
            step("buildkite-agent pipeline upload .buildkite/nightly.yml")
                .kinds
                .is_empty()
        );
        assert_eq!(p.step_kinds, ["build", "deploy", "lint", "release", "test"]);
    }

    #[test]
    fn emoji_codes_are_not_words() {
        assert_eq!(plain_label(":docker: Build image"), "Build image");
        assert_eq!(plain_label("Deploy: staging"), "Deploy: staging");
        assert_eq!(plain_label(":rocket::fire: Ship"), "Ship");
    }

    #[test]
    fn a_bare_list_of_steps_and_other_files() {
        let e = scan(&[
            (
                ".buildkite/pipeline.deploy.yml",
                "- command: ./deploy.sh production\n  if: build.tag != null\n",
            ),
            (".buildkite/hooks/config.yml", "env: {A: 1}\n"),
        ]);
        assert_eq!(e.pipelines.len(), 1);
        assert_eq!(e.pipelines[0].triggers, ["push", "tag"]);
        assert_eq!(e.pipelines[0].step_kinds, ["deploy"]);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-buildkite", &Buildkite);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = &d.evidence.pipelines[0];
        assert_eq!(p.triggers, ["manual", "pull-request", "push"]);
        assert_eq!(p.step_kinds, ["build", "deploy", "lint", "release", "test"]);
    }
}
