//! What every CI format does with the steps of one job once they are classified: the
//! job's name speaks for opaque scripts, deploys into throw-away clusters are tests,
//! published test results mean the job ran tests, and a deployment job deploys.
//!
//! GitHub Actions and GitLab CI keep their own variants of these rules (they came first);
//! the other formats share this one, so that a Jenkins stage, an Azure job and a CircleCI
//! job are read the same way.

use std::collections::BTreeSet;

use crate::diagnostic::Position;
use crate::evidence::ci::refresh_step_kinds;
use crate::evidence::ci::steps::{self, Classification, StepText};
use crate::evidence::ci::tasks::Named;
use crate::evidence::{Pipeline, Source, Step};

/// One classified step before it becomes evidence.
#[derive(Debug, Clone)]
pub struct Found {
    pub step: Step,
    /// Known to do nothing a policy counts (checks out, installs, prints).
    pub plumbing: bool,
    /// Runs something opaque (a script), which the job's name may speak for; a named task,
    /// orb or pipe has its own (known or unknown) purpose.
    pub named_by_job: bool,
    /// Creates a throw-away Kubernetes cluster.
    pub ephemeral_cluster: bool,
    /// Publishes test results (JUnit reports and the like).
    pub reports_tests: bool,
}

impl Found {
    /// A script step, classified command by command (its name only when they say nothing).
    pub fn script(
        path: &str,
        job: &str,
        name: Option<String>,
        script: &str,
        at: Position,
    ) -> Found {
        let text = StepText {
            run: Some(script),
            name: name.as_deref(),
            ..Default::default()
        };
        let class = steps::classify(&text);
        Found {
            step: make_step(
                path,
                job,
                name.clone(),
                &first_line(script),
                &class.class,
                at,
            ),
            plumbing: class.plumbing,
            named_by_job: true,
            ephemeral_cluster: steps::creates_ephemeral_cluster(&text),
            reports_tests: false,
        }
    }

    /// A named building block: an Azure task, a CircleCI orb command, a Bitbucket pipe, a
    /// Buildkite plugin, a Jenkins step or shared-library call.
    pub fn named(
        path: &str,
        job: &str,
        name: Option<String>,
        run: &str,
        named: Named,
        at: Position,
    ) -> Found {
        Found {
            step: make_step(path, job, name, run, &named.class, at),
            plumbing: named.plumbing,
            named_by_job: named.opaque,
            ephemeral_cluster: named.ephemeral_cluster,
            reports_tests: named.reports_tests,
        }
    }

    fn has(&self, kind: &str) -> bool {
        self.step.kinds.iter().any(|k| k == kind)
    }

    fn add(&mut self, kind: &str) {
        if !self.has(kind) {
            self.step.kinds.push(kind.to_string());
            self.step.kinds.sort();
        }
    }

    fn is_opaque(&self) -> bool {
        self.named_by_job && !self.plumbing && self.step.kinds.is_empty()
    }
}

fn make_step(
    path: &str,
    job: &str,
    name: Option<String>,
    run: &str,
    class: &Classification,
    at: Position,
) -> Step {
    Step {
        job: job.to_string(),
        name: name.filter(|n| !n.trim().is_empty()),
        run: run.to_string(),
        kinds: class.kind_names(),
        scanner: class.scanner.map(String::from),
        source: Source::new(path, Some(at)),
    }
}

/// The first line of a script that is not blank or a comment.
pub fn first_line(script: &str) -> String {
    crate::evidence::ci::github_actions::first_line(script)
}

/// What is known about a job besides its steps.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobFacts<'a> {
    /// The job's name (or id).
    pub name: &'a str,
    /// The stage it belongs to, when the format has stages.
    pub stage: Option<&'a str>,
    /// The job deploys to an environment (an Azure deployment job, a Bitbucket step with a
    /// `deployment:`): it deploys even when its commands are opaque.
    pub deploys: bool,
}

/// Applies the job-level rules to a job's steps.
pub fn finish(found: &mut [Found], job: &JobFacts) {
    // The job's name (or its stage's) speaks for steps whose commands say nothing.
    let mut by_name = steps::classify_name(job.name);
    if by_name.is_empty()
        && let Some(stage) = job.stage
    {
        by_name = steps::classify_name(stage);
    }
    for s in found.iter_mut().filter(|s| s.is_opaque()) {
        s.step.kinds = by_name.kind_names();
        s.step.scanner = by_name.scanner.map(String::from);
    }

    // Deploying into a throw-away cluster is a test.
    if found.iter().any(|s| s.ephemeral_cluster) {
        for s in found.iter_mut().filter(|s| s.has(steps::DEPLOY)) {
            s.step.kinds.retain(|k| k != steps::DEPLOY);
            s.add(steps::TEST);
        }
    }

    // Test results are published: the job ran tests, in its main opaque or build step.
    if found.iter().any(|s| s.reports_tests) && !found.iter().any(|s| s.has(steps::TEST)) {
        let target = found
            .iter()
            .position(|s| !s.reports_tests && s.named_by_job && !s.plumbing)
            .or_else(|| found.iter().position(|s| s.has(steps::BUILD)))
            .or_else(|| found.iter().position(|s| s.reports_tests));
        if let Some(i) = target {
            found[i].add(steps::TEST);
        }
    }

    // A deployment job deploys, in its first opaque step (else its first real step).
    if job.deploys && !found.iter().any(|s| s.has(steps::DEPLOY)) {
        let target = found
            .iter()
            .position(Found::is_opaque)
            .or_else(|| {
                found
                    .iter()
                    .position(|s| !s.plumbing && !s.reports_tests && !s.has(steps::RELEASE))
            })
            .or_else(|| found.iter().position(|s| !s.plumbing));
        if let Some(i) = target {
            found[i].add(steps::DEPLOY);
        }
    }
}

/// A pipeline of `system` read from one file, with its step kinds computed.
pub struct Draft {
    pub system: &'static str,
    pub name: String,
    pub path: String,
    pub triggers: BTreeSet<String>,
    pub jobs: u32,
    pub steps: Vec<Step>,
    pub reusable: bool,
    pub calls: BTreeSet<String>,
    pub at: Position,
}

impl Draft {
    pub fn build(self) -> Pipeline {
        let mut pipeline = Pipeline {
            system: self.system.to_string(),
            name: self.name,
            path: self.path.clone(),
            triggers: self.triggers.into_iter().collect(),
            jobs: self.jobs,
            steps: self.steps,
            step_kinds: Vec::new(),
            reusable: self.reusable,
            calls: self.calls.into_iter().collect(),
            source: Source::new(&self.path, Some(self.at)),
        };
        refresh_step_kinds(&mut pipeline);
        pipeline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Position {
        Position::new(1, 1)
    }

    fn script(s: &str) -> Found {
        Found::script("p", "j", None, s, at())
    }

    fn kinds(found: &[Found]) -> Vec<Vec<String>> {
        found.iter().map(|f| f.step.kinds.clone()).collect()
    }

    #[test]
    fn the_job_name_speaks_for_opaque_scripts_only() {
        let mut found = vec![
            script("./ci/run.sh"),
            script("echo hi"),
            script("make lint"),
        ];
        finish(
            &mut found,
            &JobFacts {
                name: "Unit tests",
                ..Default::default()
            },
        );
        assert_eq!(kinds(&found), [vec!["test"], vec![], vec!["lint"]]);
    }

    #[test]
    fn published_test_results_mean_tests_ran() {
        let report = Named {
            plumbing: true,
            reports_tests: true,
            ..Default::default()
        };
        let mut found = vec![
            script("echo start"),
            script("./ci.sh"),
            Found::named("p", "j", None, "junit", report, at()),
        ];
        finish(
            &mut found,
            &JobFacts {
                name: "ci",
                ..Default::default()
            },
        );
        assert_eq!(kinds(&found), [vec![], vec!["test"], vec![]]);
    }

    #[test]
    fn deployment_jobs_deploy_and_throw_away_clusters_test() {
        let mut found = vec![script("echo x"), script("./roll-out.sh")];
        finish(
            &mut found,
            &JobFacts {
                name: "web",
                deploys: true,
                ..Default::default()
            },
        );
        assert_eq!(kinds(&found), [vec![], vec!["deploy"]]);

        let mut found = vec![
            script("kind create cluster"),
            script("kubectl apply -f k8s/"),
        ];
        finish(&mut found, &JobFacts::default());
        assert_eq!(kinds(&found), [vec![], vec!["test"]]);
    }
}
