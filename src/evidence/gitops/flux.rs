//! Flux `Kustomization` (`kustomize.toolkit.fluxcd.io/…`) and `HelmRelease`
//! (`helm.toolkit.fluxcd.io/…`) resources.
//!
//! ## What it finds
//! One GitOps deployment per resource: its name, what it deploys (a Kustomization's
//! `spec.path` in its `sourceRef`; a HelmRelease's `spec.chart.spec.chart` and version from
//! its source, or its `spec.chartRef`), and whether Flux applies changes by itself: Flux
//! always reconciles, unless the resource is suspended (`spec.suspend: true`).
//!
//! A kustomize `kustomization.yaml` (`kustomize.config.k8s.io`) is not a Flux
//! Kustomization: it is a build file, which nothing applies by itself.

use crate::evidence::gitops::{describe_chart, describe_path, literal, name_of};
use crate::evidence::{Collector, Detector, FileContext, GitOpsDeployment, RepoPath, Source};
use crate::parse::yaml::Node;

pub struct Flux;

impl Detector for Flux {
    fn id(&self) -> &'static str {
        "flux"
    }

    fn summary(&self) -> &'static str {
        "Flux `Kustomization` and `HelmRelease` manifests (`*.toolkit.fluxcd.io`): what they deploy and whether they are suspended"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains(".toolkit.fluxcd.io/") {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
            let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
            let spec = doc.get("spec");
            let target = match (kind, api) {
                ("Kustomization", a) if a.starts_with("kustomize.toolkit.fluxcd.io/") => {
                    spec.and_then(kustomization_target)
                }
                ("HelmRelease", a) if a.starts_with("helm.toolkit.fluxcd.io/") => {
                    spec.and_then(helm_release_target)
                }
                _ => continue,
            };
            let suspended =
                spec.and_then(|s| s.get("suspend")).and_then(Node::as_bool) == Some(true);
            out.evidence.gitops.push(GitOpsDeployment {
                tool: "flux".to_string(),
                kind: kind.to_string(),
                name: name_of(doc, path),
                target,
                automated: !suspended,
                source: Source::new(path, Some(doc.pos)),
            });
        }
    }
}

/// `GitRepository/flux-system`.
fn reference(node: Option<&Node>) -> Option<String> {
    let node = node?;
    let name = literal(node.get("name"))?;
    Some(match literal(node.get("kind")) {
        Some(kind) => format!("{kind}/{name}"),
        None => name.to_string(),
    })
}

fn kustomization_target(spec: &Node) -> Option<String> {
    let source = reference(spec.get("sourceRef"));
    describe_path(literal(spec.get("path")), source.as_deref())
}

fn helm_release_target(spec: &Node) -> Option<String> {
    if let Some(chart_spec) = spec.at(&["chart", "spec"])
        && let Some(chart) = literal(chart_spec.get("chart"))
    {
        let source = reference(chart_spec.get("sourceRef"));
        return Some(describe_chart(
            chart,
            literal(chart_spec.get("version")),
            source.as_deref(),
        ));
    }
    reference(spec.get("chartRef"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::gitops::{detect_files, kinds, rows};

    const MANIFESTS: &str = r#"apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/production
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      version: "6.x"
      sourceRef:
        kind: HelmRepository
        name: podinfo
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
spec:
  suspend: true
  chartRef:
    kind: OCIRepository
    name: redis
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
"#;

    #[test]
    fn kustomizations_and_helm_releases() {
        let d = detect_files(&[("clusters/production/apps.yaml", MANIFESTS)], &Flux);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got = rows(&d);
        assert_eq!(
            got,
            [
                (
                    "Kustomization",
                    "apps",
                    Some("./apps/production in GitRepository/flux-system"),
                    true,
                    Some(1)
                ),
                (
                    "HelmRelease",
                    "podinfo",
                    Some("chart podinfo 6.x from HelmRepository/podinfo"),
                    true,
                    Some(14)
                ),
                (
                    "HelmRelease",
                    "redis",
                    Some("OCIRepository/redis"),
                    false,
                    Some(28)
                ),
            ]
        );
    }

    #[test]
    fn a_kustomize_build_file_is_not_a_flux_kustomization() {
        let d = detect_files(
            &[(
                "deploy/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\n",
            )],
            &Flux,
        );
        assert!(d.evidence.gitops.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-flux", &Flux);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got = kinds(&d);
        assert_eq!(
            got,
            [
                ("HelmRelease", true),
                ("Kustomization", true),
                ("Kustomization", true)
            ]
        );
    }
}
