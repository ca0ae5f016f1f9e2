//! Helm chart default values (`values.yaml` beside a `Chart.yaml`).
//!
//! ## What it reads
//! The default values of every chart, kept for the link stage rather than turned into
//! evidence: a template wrapped whole in `{{ if .Values.hpa.enabled }}` renders nothing
//! while the chart's values leave the flag off, and its evidence is then left out (see
//! [`crate::evidence::helm`]).
//!
//! ## Why it matters
//! Configuration that turns a feature off is no evidence of it: an autoscaler or a
//! ServiceMonitor a chart ships switched off runs nowhere.

use crate::evidence::helm::ChartValues;
use crate::evidence::{Collector, Detector, FileContext, RepoPath};
use crate::parse::yaml::{Node, Value};

pub struct HelmValues;

const ID: &str = "helm-values";

impl Detector for HelmValues {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Helm chart default values (`values.yaml` beside `Chart.yaml`), so that templates the chart switches off (`{{ if .Values.x.enabled }}`) are not counted"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        matches!(path.name(), "values.yaml" | "values.yml")
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let dir = file.path.dir();
        let chart = |name: &str| {
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        };
        if !file.repo_has(&chart("Chart.yaml")) && !file.repo_has(&chart("Chart.yml")) {
            return;
        }
        let Some(docs) = file.yaml(ID) else {
            return;
        };
        // An empty file (comments only) is empty values.
        let root = docs.first().cloned().unwrap_or(Node {
            value: Value::Map(Vec::new()),
            pos: crate::diagnostic::Position::new(1, 1),
        });
        out.helm.values.insert(
            dir.to_string(),
            ChartValues {
                path: file.path.as_str().to_string(),
                root,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::evidence::iac::{detect_files, kubernetes::Kubernetes};

    #[test]
    fn keeps_the_values_of_charts_only() {
        let d = detect_files(
            &[
                ("chart/Chart.yaml", "apiVersion: v2\nname: shop\n"),
                ("chart/values.yaml", "hpa:\n  enabled: false\n"),
                ("Chart.yaml", "apiVersion: v2\nname: root\n"),
                ("values.yml", "# no values\n"),
                ("config/values.yaml", "not: [a chart"),
            ],
            &HelmValues,
        );
        // `config/values.yaml` is no chart's: it is not read, so not reported.
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert!(d.evidence.counts().iter().all(|(_, n)| *n == 0));
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::testing::detect_fixture_with(
            "format-kubernetes",
            &[&Kubernetes, &HelmValues],
        );
        // The chart's HPA is switched off by its values: left out, with a note.
        assert_eq!(d.evidence.autoscalers.len(), 1);
        assert_eq!(
            d.evidence.autoscalers[0].source.path,
            "deploy/deployment.yaml"
        );
        assert_eq!(d.evidence.workloads.len(), 5);
        let notes: Vec<(Severity, &str, Option<&str>, &str)> = d
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.severity,
                    d.code.as_str(),
                    d.path.as_deref(),
                    d.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            notes,
            [(
                Severity::Note,
                "helm-template-switched-off",
                Some("chart/templates/hpa.yaml"),
                "skipped: `.Values.autoscaling.enabled` is false in chart/values.yaml"
            )]
        );
    }
}
