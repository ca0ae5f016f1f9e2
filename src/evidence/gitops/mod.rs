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

#[cfg(test)]
use crate::evidence::testing::detect_files;
