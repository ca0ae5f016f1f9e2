//! Argo CD `Application` and `ApplicationSet` resources (`apiVersion: argoproj.io/…`).
//!
//! ## What it finds
//! One GitOps deployment per resource: its name, what it deploys (`spec.source` or
//! `spec.sources`: a chart from a Helm repository, or a path in a Git repository; for an
//! ApplicationSet, its template's sources) and whether Argo CD applies changes by itself
//! (`syncPolicy.automated`, unless `enabled: false`).
//!
//! Applications are often Helm templates themselves (an "app of apps" chart); they are read
//! tolerantly, and when the source is computed by a template helper
//! (`include "…" (dict "repoURL" "…" "chart" "…")`) the repository and chart written in the
//! call are taken.

use crate::evidence::gitops::{describe_chart, describe_path, literal, name_of};
use crate::evidence::{Collector, Detector, FileContext, GitOpsDeployment, RepoPath, Source};
use crate::parse::yaml::{Node, Value};

pub struct ArgoCd;

impl Detector for ArgoCd {
    fn id(&self) -> &'static str {
        "argocd"
    }

    fn summary(&self) -> &'static str {
        "Argo CD `Application` and `ApplicationSet` manifests (also Helm-templated): what they deploy and whether sync is automated"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("argoproj.io/") || !text.contains("kind: Application") {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        let apps: Vec<&Node> = docs
            .iter()
            .filter(|d| application_kind(d).is_some())
            .collect();
        for doc in &apps {
            let Some(kind) = application_kind(doc) else {
                continue;
            };
            let spec = if kind == "ApplicationSet" {
                doc.at(&["spec", "template", "spec"])
            } else {
                doc.get("spec")
            };
            let mut target = spec.and_then(target_of);
            if target.is_none() && apps.len() == 1 && file.is_templated() {
                target = templated_target(text);
            }
            out.evidence.gitops.push(GitOpsDeployment {
                tool: "argocd".to_string(),
                kind: kind.to_string(),
                name: name_of(doc, path),
                target,
                automated: spec.is_some_and(automated),
                source: Source::new(path, Some(doc.pos)),
            });
        }
    }
}

fn application_kind(doc: &Node) -> Option<&str> {
    let api = doc.get("apiVersion").and_then(Node::as_str)?;
    if !api.starts_with("argoproj.io/") {
        return None;
    }
    doc.get("kind")
        .and_then(Node::as_str)
        .filter(|k| matches!(*k, "Application" | "ApplicationSet"))
}

/// `syncPolicy.automated` is set (`{}` counts), and not turned off with `enabled: false`.
fn automated(spec: &Node) -> bool {
    match spec.at(&["syncPolicy", "automated"]) {
        None => false,
        Some(a) => match &a.value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Map(_) => a.get("enabled").and_then(Node::as_bool) != Some(false),
            _ => true,
        },
    }
}

/// What the sources deploy, in words: `chart podinfo 6.5.0 from https://…`,
/// `deploy/prod in https://github.com/…`.
fn target_of(spec: &Node) -> Option<String> {
    let mut sources: Vec<&Node> = spec.get("source").into_iter().collect();
    sources.extend(spec.get("sources").map(Node::as_seq).unwrap_or(&[]));
    let described: Vec<String> = sources
        .iter()
        .filter_map(|s| {
            let repo = literal(s.get("repoURL"));
            let version = literal(s.get("targetRevision"));
            if let Some(chart) = literal(s.get("chart")) {
                return Some(describe_chart(chart, version, repo));
            }
            describe_path(literal(s.get("path")), repo)
        })
        .collect();
    (!described.is_empty()).then(|| described.join(", "))
}

/// The repository and chart a template helper is called with:
/// `(dict "repoURL" "https://…" "chart" "tempo")`.
fn templated_target(text: &str) -> Option<String> {
    let value = |key: &str| -> Option<String> {
        let needle = format!("\"{key}\"");
        let at = text.find(&needle)? + needle.len();
        let rest = text[at..].trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        Some(rest[..end].to_string()).filter(|v| !v.is_empty())
    };
    let repo = value("repoURL");
    match value("chart") {
        Some(chart) => Some(describe_chart(&chart, None, repo.as_deref())),
        None => describe_path(value("path").as_deref(), repo.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::gitops::{detect_files, kinds, rows};

    #[test]
    fn applications_and_application_sets() {
        let text = r#"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://stefanprodan.github.io/podinfo
    chart: podinfo
    targetRevision: 6.5.0
  destination:
    server: https://kubernetes.default.svc
  syncPolicy:
    automated:
      prune: true
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: checkout
spec:
  sources:
    - repoURL: https://github.com/acme/checkout.git
      path: deploy/production
  syncPolicy:
    syncOptions: [CreateNamespace=true]
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: clusters
spec:
  generators:
    - clusters: {}
  template:
    spec:
      source:
        repoURL: https://github.com/acme/platform.git
        path: addons
      syncPolicy:
        automated:
          enabled: false
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: default
"#;
        let d = detect_files(&[("argocd/apps.yaml", text)], &ArgoCd);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got = rows(&d);
        assert_eq!(
            got,
            [
                (
                    "Application",
                    "podinfo",
                    Some("chart podinfo 6.5.0 from https://stefanprodan.github.io/podinfo"),
                    true,
                    Some(1)
                ),
                (
                    "Application",
                    "checkout",
                    Some("deploy/production in https://github.com/acme/checkout.git"),
                    false,
                    Some(18)
                ),
                (
                    "ApplicationSet",
                    "clusters",
                    Some("addons in https://github.com/acme/platform.git"),
                    false,
                    Some(29)
                ),
            ]
        );
    }

    #[test]
    fn a_helm_templated_application() {
        let text = r#"{{- $values := include "x.values" . }}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ .Values.name }}
spec:
  source:
    {{- include "x.helm-release"
        ( merge (deepCopy .) (dict "repoURL" "https://grafana.github.io/helm-charts" "chart" "tempo") )
        | nindent 4 }}
    helm:
      values: |
        {{ $values | nindent 8 }}
  syncPolicy:
    automated:
      selfHeal: true
"#;
        let d = detect_files(
            &[("charts/mon/templates/tempo-application.yaml", text)],
            &ArgoCd,
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let g = &d.evidence.gitops[0];
        assert_eq!(g.name, "tempo-application");
        assert_eq!(
            g.target.as_deref(),
            Some("chart tempo from https://grafana.github.io/helm-charts")
        );
        assert!(g.automated);
        assert_eq!(g.source.line, Some(2));
    }

    #[test]
    fn other_argo_resources_and_broken_files_are_skipped() {
        let d = detect_files(
            &[
                (
                    "wf.yaml",
                    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n",
                ),
                (
                    "job.yaml",
                    "kind: Job\nmetadata:\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n",
                ),
                (
                    "other.yaml",
                    "kind: Application\napiVersion: app.k8s.io/v1beta1\n",
                ),
            ],
            &ArgoCd,
        );
        assert!(d.evidence.gitops.is_empty());
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-argocd", &ArgoCd);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let kinds = kinds(&d);
        assert_eq!(
            kinds,
            [
                ("Application", true),
                ("Application", false),
                ("ApplicationSet", true)
            ]
        );
    }
}
