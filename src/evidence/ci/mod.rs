//! CI/CD pipelines: one detector per CI system, sharing the step classifier in [`steps`].

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::{Detector, Pipeline};

mod commands;
pub mod github_actions;
pub mod gitlab_ci;
pub mod steps;

pub use steps::{ScanCoverage, scanner_coverage};

pub static DETECTORS: &[&dyn Detector] = &[&github_actions::GithubActions, &gitlab_ci::GitlabCi];

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
/// Runs to a fixed point, so chains of calls resolve whatever order the files were read in;
/// kinds only grow, so cycles end.
pub fn link_called_workflows(pipelines: &mut [Pipeline]) {
    for _ in 0..=pipelines.len() {
        let callees: BTreeMap<String, (Vec<String>, Option<String>)> = pipelines
            .iter()
            .filter(|p| p.system == "github-actions")
            .map(|p| {
                let scanner = p.steps.iter().find_map(|s| s.scanner.clone());
                (p.path.clone(), (p.step_kinds.clone(), scanner))
            })
            .collect();
        let mut changed = false;
        for pipeline in pipelines
            .iter_mut()
            .filter(|p| p.system == "github-actions")
        {
            let mut touched = false;
            for step in &mut pipeline.steps {
                let Some(path) = local_workflow_path(&step.run) else {
                    continue;
                };
                let Some((kinds, scanner)) = callees.get(&path) else {
                    continue;
                };
                for kind in kinds {
                    if !step.kinds.contains(kind) {
                        step.kinds.push(kind.clone());
                        touched = true;
                    }
                }
                if step.scanner.is_none() && scanner.is_some() {
                    step.scanner = scanner.clone();
                    touched = true;
                }
                step.kinds.sort();
            }
            if touched {
                refresh_step_kinds(pipeline);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
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
        let mut pipelines = vec![
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
        link_called_workflows(&mut pipelines);
        assert_eq!(pipelines[0].step_kinds, vec!["security-scan", "test"]);
        assert_eq!(pipelines[0].steps[0].scanner.as_deref(), Some("trivy"));
        assert_eq!(pipelines[1].step_kinds, vec!["security-scan", "test"]);
        assert_eq!(pipelines[3].step_kinds, vec!["lint"]);
    }
}
