//! GitOps deployments: a controller in the cluster applies what the repository declares
//! (Argo CD Applications, Flux Kustomizations and HelmReleases), so a merge deploys without
//! a pipeline step.

use crate::evidence::Detector;
use crate::parse::yaml::{Node, TEMPLATE_PLACEHOLDER};

pub mod argocd;
pub mod flux;

pub static DETECTORS: &[&dyn Detector] = &[&argocd::ArgoCd, &flux::Flux];

/// A string field that is written out, not computed by a template.
fn literal(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.contains(TEMPLATE_PLACEHOLDER) && !s.contains("{{"))
}

/// `metadata.name`, or the file's stem when the name is computed by a template.
fn name_of(doc: &Node, path: &str) -> String {
    literal(doc.at(&["metadata", "name"]))
        .map(String::from)
        .unwrap_or_else(|| crate::evidence::RepoPath::new(path).stem_lower())
}

/// `deploy/prod in https://github.com/…` (Argo CD `path` and `repoURL`), `./apps in
/// GitRepository/flux-system` (Flux `spec.path` and `sourceRef`); either part alone.
fn describe_path(path: Option<&str>, repo: Option<&str>) -> Option<String> {
    match (path, repo) {
        (Some(path), Some(repo)) => Some(format!("{path} in {repo}")),
        (Some(path), None) => Some(path.to_string()),
        (None, Some(repo)) => Some(repo.to_string()),
        (None, None) => None,
    }
}

/// `chart podinfo 6.5.0 from https://…` (Argo CD) or `from HelmRepository/podinfo` (Flux).
fn describe_chart(chart: &str, version: Option<&str>, repo: Option<&str>) -> String {
    let mut out = format!("chart {chart}");
    if let Some(v) = version {
        out.push(' ');
        out.push_str(v);
    }
    if let Some(r) = repo {
        out.push_str(" from ");
        out.push_str(r);
    }
    out
}

#[cfg(test)]
use crate::evidence::testing::detect_files;

/// Kind, name, target, automated, line.
#[cfg(test)]
type Row<'a> = (&'a str, &'a str, Option<&'a str>, bool, Option<u32>);

/// The GitOps deployments found, as rows to compare.
#[cfg(test)]
fn rows(d: &crate::evidence::Detection) -> Vec<Row<'_>> {
    d.evidence
        .gitops
        .iter()
        .map(|g| {
            (
                g.kind.as_str(),
                g.name.as_str(),
                g.target.as_deref(),
                g.automated,
                g.source.line,
            )
        })
        .collect()
}

/// Kind and whether it is automated, for the fixture tests.
#[cfg(test)]
fn kinds(d: &crate::evidence::Detection) -> Vec<(&str, bool)> {
    d.evidence
        .gitops
        .iter()
        .map(|g| (g.kind.as_str(), g.automated))
        .collect()
}
