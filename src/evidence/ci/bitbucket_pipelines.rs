//! Bitbucket Pipelines (`bitbucket-pipelines.yml`).
//!
//! ## What it finds
//! One pipeline for the file: every step of every pipeline it defines (one job each, read
//! once even when a YAML anchor reuses it), with its `script` and `after-script` lines
//! classified like any script and its pipes by name and variables
//! (`atlassian/aws-ecs-deploy` deploys, `snyk/snyk-scan` scans, see
//! [`super::tasks::bitbucket_pipe`]). A step (or stage) with a `deployment:` environment
//! deploys, even when its scripts are opaque.
//!
//! ## Triggers
//! `pipelines.default`, `branches` and `bookmarks` run on pushes, `pull-requests` on pull
//! requests, `tags` on tags, `custom` pipelines and `trigger: manual` steps by hand.
//! Pipelines shared from another repository (`import:`) are recorded in `calls`; a file
//! that `export`s its pipelines is `reusable`.

use std::collections::BTreeSet;

use crate::evidence::ci::job::{self, Draft, Found, JobFacts};
use crate::evidence::ci::tasks;
use crate::evidence::{Collector, Detector, FileContext, RepoPath, Step};
use crate::parse::yaml::Node;

pub struct BitbucketPipelines;

const SYSTEM: &str = "bitbucket-pipelines";

/// How deep `parallel` and `stage` groups are followed.
const MAX_DEPTH: u8 = 8;

impl Detector for BitbucketPipelines {
    fn id(&self) -> &'static str {
        SYSTEM
    }

    fn summary(&self) -> &'static str {
        "Bitbucket Pipelines (`bitbucket-pipelines.yml`): default, branch, pull-request, tag and custom pipelines, script steps, pipes and deployments"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        matches!(
            path.name(),
            "bitbucket-pipelines.yml" | "bitbucket-pipelines.yaml"
        )
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("pipelines") {
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|docs| docs.first()) else {
            return;
        };
        let Some(pipelines) = doc.get("pipelines").filter(|p| p.is_map()) else {
            return;
        };
        let path = file.path.as_str();
        let mut reader = Reader {
            path,
            jobs: 0,
            steps: Vec::new(),
            calls: BTreeSet::new(),
            triggers: BTreeSet::new(),
            seen: BTreeSet::new(),
        };
        for (section, body) in pipelines.as_map() {
            let Some(section) = section.as_str() else {
                continue;
            };
            let trigger = match section {
                "default" | "branches" | "bookmarks" => "push",
                "pull-requests" => "pull-request",
                "tags" => "tag",
                "custom" => "manual",
                _ => continue,
            };
            let lists: Vec<&Node> = if section == "default" {
                vec![body]
            } else {
                body.as_map().iter().map(|(_, list)| list).collect()
            };
            for list in lists {
                if !list.as_seq().is_empty() {
                    reader.triggers.insert(trigger.to_string());
                }
                reader.items(list, None, 0);
            }
        }
        let reusable = doc.get("export").and_then(Node::as_bool) == Some(true);
        out.evidence.pipelines.push(
            Draft {
                system: SYSTEM,
                name: "bitbucket-pipelines".to_string(),
                path: path.to_string(),
                triggers: reader.triggers,
                jobs: reader.jobs,
                steps: reader.steps,
                reusable,
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
    /// Steps already read, by content: a step anchored in `definitions` and reused by
    /// several pipelines (an alias reads as a copy where it is used) is one job.
    seen: BTreeSet<String>,
}

impl Reader<'_> {
    fn items(&mut self, list: &Node, deployment: Option<&str>, depth: u8) {
        if depth > MAX_DEPTH {
            return;
        }
        let items: Vec<&Node> = match list.get("steps") {
            Some(steps) => steps.as_seq().iter().collect(),
            None => list.as_seq().iter().collect(),
        };
        for item in items {
            if let Some(step) = item.get("step") {
                self.step(step, deployment);
            } else if let Some(group) = item.get("parallel") {
                self.items(group, deployment, depth + 1);
            } else if let Some(stage) = item.get("stage") {
                let stage_deployment = stage
                    .get("deployment")
                    .and_then(Node::as_str)
                    .or(deployment);
                if stage.get("trigger").and_then(Node::as_str) == Some("manual") {
                    self.triggers.insert("manual".to_string());
                }
                self.items(stage, stage_deployment, depth + 1);
            } else if let Some(import) = item.get("import").and_then(Node::as_str) {
                self.calls.insert(import.to_string());
            }
        }
    }

    fn step(&mut self, step: &Node, deployment: Option<&str>) {
        if !self.seen.insert(step.to_json().to_string()) {
            return;
        }
        self.jobs += 1;
        if step.get("trigger").and_then(Node::as_str) == Some("manual") {
            self.triggers.insert("manual".to_string());
        }
        let name = step.get("name").and_then(Node::scalar_text);
        let job_name = name
            .clone()
            .unwrap_or_else(|| format!("step {}", self.jobs));
        let deploys = step
            .get("deployment")
            .and_then(Node::as_str)
            .or(deployment)
            .is_some();
        let mut found = Vec::new();
        for section in ["script", "after-script"] {
            for line in step.get(section).map(Node::as_seq).unwrap_or(&[]) {
                if let Some(script) = line.scalar_text() {
                    found.push(Found::script(self.path, &job_name, None, &script, line.pos));
                } else if let Some(pipe) = line.get("pipe").and_then(Node::as_str) {
                    let variables = line
                        .get("variables")
                        .map(Node::string_map)
                        .unwrap_or_default();
                    found.push(Found::named(
                        self.path,
                        &job_name,
                        None,
                        pipe.trim(),
                        tasks::bitbucket_pipe(pipe, &variables),
                        line.pos,
                    ));
                }
            }
        }
        job::finish(
            &mut found,
            &JobFacts {
                name: &job_name,
                deploys,
                ..Default::default()
            },
        );
        self.steps.extend(found.into_iter().map(|f| f.step));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(text: &str) -> Evidence {
        crate::evidence::testing::evidence_of(
            &[("bitbucket-pipelines.yml", text)],
            &BitbucketPipelines,
        )
    }

    const PIPELINES: &str = r#"image: node:20

definitions:
  steps:
    - step: &test
        name: Test
        caches: [node]
        script:
          - npm ci
          - npm test
    - step: &scan
        name: Security scan
        script:
          - pipe: snyk/snyk-scan:1.0.1
            variables:
              SNYK_TOKEN: $SNYK_TOKEN
              LANGUAGE: npm

pipelines:
  default:
    - step: *test
  pull-requests:
    '**':
      - parallel:
          - step: *test
          - step: *scan
  branches:
    main:
      - step: *test
      - stage:
          name: Production
          deployment: production
          steps:
            - step:
                name: Migrate
                script:
                  - ./scripts/migrate.sh
            - step:
                name: Roll out
                script:
                  - pipe: atlassian/aws-ecs-deploy:1.12.1
                    variables:
                      CLUSTER_NAME: prod
  tags:
    'v*':
      - step:
          name: Publish
          script:
            - npm publish
  custom:
    rollback:
      - import: shared-pipelines:main:rollback
"#;

    #[test]
    fn reads_every_pipeline_once() {
        let e = scan(PIPELINES);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "bitbucket-pipelines");
        assert_eq!(p.triggers, ["manual", "pull-request", "push", "tag"]);
        // Test, scan, migrate, roll out, publish: the anchored test step once.
        assert_eq!(p.jobs, 5);
        assert_eq!(p.calls, ["shared-pipelines:main:rollback"]);
        let step = |run: &str| {
            p.steps
                .iter()
                .find(|s| s.run == run)
                .unwrap_or_else(|| panic!("{run}: {:?}", p.steps))
        };
        assert_eq!(step("npm test").kinds, ["test"]);
        // An aliased step is where it is first used.
        assert_eq!(step("npm test").source.line, Some(21));
        assert_eq!(
            step("snyk/snyk-scan:1.0.1").scanner.as_deref(),
            Some("snyk")
        );
        // An opaque script in a deployment stage deploys.
        assert_eq!(step("./scripts/migrate.sh").kinds, ["deploy"]);
        assert_eq!(step("atlassian/aws-ecs-deploy:1.12.1").kinds, ["deploy"]);
        assert_eq!(step("npm publish").kinds, ["release"]);
        assert_eq!(
            p.step_kinds,
            [
                "deploy",
                "release",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
    }

    #[test]
    fn manual_steps_and_odd_shapes() {
        let text = "pipelines:\n  default:\n    - step:\n        trigger: manual\n        script: [make deploy]\n    - 3\n    - {}\n  branches: [not, a, map]\n  weird: x\n";
        let e = scan(text);
        let p = &e.pipelines[0];
        assert_eq!(p.triggers, ["manual", "push"]);
        assert_eq!(p.step_kinds, ["deploy"]);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture(
            "format-bitbucket-pipelines",
            &BitbucketPipelines,
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = &d.evidence.pipelines[0];
        assert_eq!(p.triggers, ["manual", "pull-request", "push", "tag"]);
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
