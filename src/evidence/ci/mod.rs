//! CI/CD pipelines: one detector per CI system, sharing the step classifier in [`steps`]
//! (commands), [`tasks`] (named tasks, orbs, pipes, plugins) and the job rules in [`job`].

use std::collections::BTreeSet;

use crate::evidence::{Detector, Pipeline};

pub mod azure_pipelines;
pub mod bitbucket_pipelines;
pub mod buildkite;
pub mod circleci;
mod commands;
pub mod github_actions;
pub mod gitlab_ci;
mod groovy;
pub mod jenkinsfile;
pub mod job;
pub mod steps;
pub mod tasks;

pub use steps::{ScanCoverage, scanner_coverage};

pub static DETECTORS: &[&dyn Detector] = &[
    &github_actions::GithubActions,
    &gitlab_ci::GitlabCi,
    &azure_pipelines::AzurePipelines,
    &circleci::Circleci,
    &jenkinsfile::Jenkinsfile,
    &buildkite::Buildkite,
    &bitbucket_pipelines::BitbucketPipelines,
];

/// Recomputes `step_kinds`, the sorted union of the kinds of a pipeline's steps.
pub fn refresh_step_kinds(pipeline: &mut Pipeline) {
    let kinds: BTreeSet<&str> = pipeline
        .steps
        .iter()
        .flat_map(|s| s.kinds.iter().map(String::as_str))
        .collect();
    pipeline.step_kinds = kinds.into_iter().map(String::from).collect();
}

/// A job that calls a reusable workflow of the same repository does what that workflow's
/// steps do: the calling step takes the callee's kinds (and first scanner), so that "the
/// pull-request pipeline runs tests" holds when the tests live in a reusable workflow.
pub fn link_called_workflows(pipelines: &mut [Pipeline], added: usize) {
    link_calls(pipelines, added, "github-actions", |_, run| {
        local_workflow_path(run)
    });
}

/// Links the calls of pipelines of one `system` to the pipelines (reusable workflows,
/// templates) of the same repository they name; `resolve` gives the repository path a
/// step of the pipeline at `caller` calls, if any.
///
/// Called each time a pipeline is added (files are read one at a time, in any order):
/// the new pipeline takes its callees' kinds, then its kinds flow up to its callers, and
/// theirs to their callers. Kinds only grow, so this ends, also on cycles; every pipeline
/// read so far stays closed under the calls between them.
pub fn link_calls(
    pipelines: &mut [Pipeline],
    added: usize,
    system: &str,
    resolve: fn(&str, &str) -> Option<String>,
) {
    let Some(new) = pipelines.get(added) else {
        return;
    };
    if new.system != system {
        return;
    }
    // The new pipeline's own calls.
    let callees: Vec<(String, Vec<String>, Option<String>)> = pipelines
        .iter()
        .filter(|p| p.system == system)
        .map(|p| (p.path.clone(), p.step_kinds.clone(), first_scanner(p)))
        .collect();
    absorb(&mut pipelines[added], resolve, |path| {
        callees
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, k, s)| (k.clone(), s.clone()))
    });
    // Then upwards, to whoever calls a pipeline whose kinds grew.
    let mut work = vec![added];
    while let Some(i) = work.pop() {
        let path = pipelines[i].path.clone();
        let kinds = pipelines[i].step_kinds.clone();
        let scanner = first_scanner(&pipelines[i]);
        for (j, caller) in pipelines.iter_mut().enumerate() {
            if caller.system != system {
                continue;
            }
            let grew = absorb(caller, resolve, |p| {
                (p == path).then(|| (kinds.clone(), scanner.clone()))
            });
            if grew && !work.contains(&j) {
                work.push(j);
            }
        }
    }
}

fn first_scanner(pipeline: &Pipeline) -> Option<String> {
    pipeline.steps.iter().find_map(|s| s.scanner.clone())
}

/// Merges into each call step the kinds (and scanner) `callee` gives for its path.
/// Whether the pipeline's kinds grew.
fn absorb(
    pipeline: &mut Pipeline,
    resolve: fn(&str, &str) -> Option<String>,
    callee: impl Fn(&str) -> Option<(Vec<String>, Option<String>)>,
) -> bool {
    let before = pipeline.step_kinds.len();
    let mut touched = false;
    let caller = pipeline.path.clone();
    for step in &mut pipeline.steps {
        let Some((kinds, scanner)) = resolve(&caller, &step.run).and_then(|p| callee(&p)) else {
            continue;
        };
        for kind in kinds {
            if !step.kinds.contains(&kind) {
                step.kinds.push(kind);
                touched = true;
            }
        }
        if step.scanner.is_none() && scanner.is_some() {
            step.scanner = scanner;
            touched = true;
        }
        step.kinds.sort();
    }
    if touched {
        refresh_step_kinds(pipeline);
    }
    pipeline.step_kinds.len() > before
}

/// `./.github/workflows/build.yml` (optionally `@ref`) → `.github/workflows/build.yml`.
fn local_workflow_path(reference: &str) -> Option<String> {
    let path = reference.trim().strip_prefix("./")?;
    let path = path.split('@').next().unwrap_or(path);
    (path.starts_with(".github/workflows/") && (path.ends_with(".yml") || path.ends_with(".yaml")))
        .then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Source, Step};

    fn pipeline(path: &str, steps: Vec<Step>) -> Pipeline {
        let mut p = Pipeline {
            system: "github-actions".into(),
            name: path.into(),
            path: path.into(),
            triggers: vec![],
            jobs: 1,
            steps,
            step_kinds: vec![],
            reusable: false,
            calls: vec![],
            source: Source::file(path),
        };
        refresh_step_kinds(&mut p);
        p
    }

    fn step(run: &str, kinds: &[&str], scanner: Option<&str>) -> Step {
        Step {
            job: "j".into(),
            name: None,
            run: run.into(),
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            scanner: scanner.map(String::from),
            source: Source::file("x"),
        }
    }

    #[test]
    fn calls_take_the_kinds_of_local_reusable_workflows_transitively() {
        let mut pipelines = [
            pipeline(
                ".github/workflows/a.yml",
                vec![step("./.github/workflows/b.yml", &[], None)],
            ),
            pipeline(
                ".github/workflows/b.yml",
                vec![
                    step("make test", &["test"], None),
                    step("./.github/workflows/c.yml", &[], None),
                ],
            ),
            pipeline(
                ".github/workflows/c.yml",
                vec![step("trivy fs .", &["security-scan"], Some("trivy"))],
            ),
            // A cycle ends.
            pipeline(
                ".github/workflows/d.yml",
                vec![step("./.github/workflows/d.yml", &["lint"], None)],
            ),
        ];
        // Added one at a time, in an order where callers come before callees.
        for i in 0..pipelines.len() {
            link_called_workflows(&mut pipelines[..=i], i);
        }
        assert_eq!(pipelines[0].step_kinds, vec!["security-scan", "test"]);
        assert_eq!(pipelines[0].steps[0].scanner.as_deref(), Some("trivy"));
        assert_eq!(pipelines[1].step_kinds, vec!["security-scan", "test"]);
        assert_eq!(pipelines[3].step_kinds, vec!["lint"]);
    }
}
