//! Backstage service catalog entities (`catalog-info.yaml` and any YAML declaring
//! `apiVersion: backstage.io/v1alpha1` or `v1beta1`).
//!
//! ## What it recognises
//! Every entity document (multi-document files too): kind, name, `spec.owner`,
//! `spec.type`, `spec.lifecycle`, `spec.system`, the service tier (an annotation or label
//! whose key ends in `tier`, e.g. `opready.dev/tier`), and annotations. On-call
//! annotations (`pagerduty.com/service-id`, `pagerduty.com/integration-key`,
//! `opsgenie.com/team`, `opsgenie.com/component-selector`, `splunk.com/on-call-team`,
//! `splunk.com/on-call-routing-key`) also become on-call evidence.
//!
//! ## Why it matters
//! The catalog says who owns a service, how critical it is and whom to page.

use std::collections::BTreeMap;

use regex::Regex;
use std::sync::LazyLock;

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{CatalogEntity, Collector, Detector, FileContext, OnCall, RepoPath, Source};
use crate::parse::yaml::Node;

pub struct BackstageCatalog;

const ID: &str = "backstage-catalog";

/// Catalog annotations that wire an entity to an on-call tool, with the provider.
const ONCALL_ANNOTATIONS: &[(&str, &str)] = &[
    ("pagerduty.com/service-id", "pagerduty"),
    ("pagerduty.com/integration-key", "pagerduty"),
    ("opsgenie.com/team", "opsgenie"),
    ("opsgenie.com/component-selector", "opsgenie"),
    ("splunk.com/on-call-team", "splunk-oncall"),
    ("splunk.com/on-call-routing-key", "splunk-oncall"),
];

/// A cheap look at the text before parsing: only files that declare a Backstage entity.
static API_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*["']?apiVersion["']?\s*:\s*["']?backstage\.io/"#).expect("valid regex")
});

impl Detector for BackstageCatalog {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Backstage catalog entities (catalog-info.yaml, any YAML with apiVersion backstage.io/v1alpha1): owner, type, lifecycle, tier, on-call annotations"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("backstage.io/") || !API_VERSION.is_match(text) {
            return;
        }
        let Some(docs) = file.yaml(ID) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
            if !matches!(api, "backstage.io/v1alpha1" | "backstage.io/v1beta1") {
                continue;
            }
            match entity(doc, path) {
                Ok((entity, oncall)) => {
                    out.evidence.catalog.push(entity);
                    out.evidence.oncall.extend(oncall);
                }
                Err(problem) => out.diagnostic(
                    Diagnostic::new(
                        Severity::Error,
                        "invalid-catalog-entity",
                        format!("Backstage entity skipped: {problem}"),
                    )
                    .at(path, Some(doc.pos)),
                ),
            }
        }
    }
}

fn entity(doc: &Node, path: &str) -> Result<(CatalogEntity, Vec<OnCall>), &'static str> {
    let kind = doc
        .get("kind")
        .and_then(Node::scalar_text)
        .ok_or("it has no `kind`")?;
    let metadata = doc.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text)
        .ok_or("it has no `metadata.name`")?;
    let spec = doc.get("spec");
    let spec_text = |key: &str| spec.and_then(|s| s.get(key)).and_then(Node::scalar_text);
    let annotations_node = metadata.and_then(|m| m.get("annotations"));
    let annotations: BTreeMap<String, String> = annotations_node
        .map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let labels: BTreeMap<String, String> = metadata
        .and_then(|m| m.get("labels"))
        .map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let tier = tier(&annotations).or_else(|| tier(&labels));

    let mut oncall = Vec::new();
    if let Some(node) = annotations_node {
        for (key, value) in node.as_map() {
            let Some(key_text) = key.as_str() else {
                continue;
            };
            let Some((_, provider)) = ONCALL_ANNOTATIONS.iter().find(|(k, _)| *k == key_text)
            else {
                continue;
            };
            let Some(value) = value.scalar_text().filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            oncall.push(OnCall {
                provider: provider.to_string(),
                kind: "catalog-annotation".to_string(),
                name: value,
                source: Source::new(path, Some(key.pos)),
            });
        }
    }

    Ok((
        CatalogEntity {
            kind,
            name,
            owner: spec_text("owner"),
            type_: spec_text("type"),
            lifecycle: spec_text("lifecycle"),
            system: spec_text("system"),
            tier,
            annotations,
            source: Source::new(path, Some(doc.pos)),
        },
        oncall,
    ))
}

/// The value of the first key naming a tier: `opready.dev/tier` first, then any key
/// whose last segment is `tier` or ends in `-tier`, `_tier`, `.tier` (`service-tier`).
fn tier(map: &BTreeMap<String, String>) -> Option<String> {
    if let Some(v) = map.get("opready.dev/tier") {
        return Some(v.clone());
    }
    map.iter()
        .find(|(k, _)| is_tier_key(k))
        .map(|(_, v)| v.clone())
}

fn is_tier_key(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    last == "tier"
        || ["-tier", "_tier", ".tier"]
            .iter()
            .any(|s| last.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::ownership::detect_files;

    const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    pagerduty.com/service-id: PABC123
    opsgenie.com/team: payments
    github.com/project-slug: acme/checkout
  labels:
    service-tier: \"1\"
spec:
  type: service
  lifecycle: production
  owner: group:payments
  system: shop
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api
  annotations:
    opready.dev/tier: \"2\"
spec:
  type: openapi
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  description: no name
";

    #[test]
    fn reads_entities_tier_and_oncall() {
        let d = detect_files(&[("catalog-info.yaml", CATALOG)], &BackstageCatalog);
        let c = &d.evidence.catalog;
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].kind, "Component");
        assert_eq!(c[0].name, "checkout");
        assert_eq!(c[0].owner.as_deref(), Some("group:payments"));
        assert_eq!(c[0].type_.as_deref(), Some("service"));
        assert_eq!(c[0].lifecycle.as_deref(), Some("production"));
        assert_eq!(c[0].system.as_deref(), Some("shop"));
        assert_eq!(c[0].tier.as_deref(), Some("1"));
        assert_eq!(c[0].annotations.len(), 3);
        assert_eq!(c[0].source.line, Some(1));
        assert_eq!(c[1].tier.as_deref(), Some("2"));
        assert_eq!(c[1].source.line, Some(17));

        let oncall = &d.evidence.oncall;
        assert_eq!(oncall.len(), 2);
        assert_eq!(oncall[0].provider, "pagerduty");
        assert_eq!(oncall[0].kind, "catalog-annotation");
        assert_eq!(oncall[0].name, "PABC123");
        assert_eq!(oncall[0].source.line, Some(6));
        assert_eq!(oncall[1].provider, "opsgenie");

        // The nameless entity is reported, not silently dropped.
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "invalid-catalog-entity");
        assert_eq!(d.diagnostics[0].line, Some(27));
    }

    #[test]
    fn ignores_yaml_that_only_mentions_backstage() {
        let text = "# see https://backstage.io/docs/auth\napp: {title: x\n";
        let d = detect_files(&[("app-config.yaml", text)], &BackstageCatalog);
        assert!(d.evidence.catalog.is_empty());
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    }

    #[test]
    fn tier_keys() {
        assert!(is_tier_key("tier"));
        assert!(is_tier_key("opready.dev/tier"));
        assert!(is_tier_key("service-tier"));
        assert!(is_tier_key("acme.com/Service_Tier"));
        assert!(!is_tier_key("frontier"));
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::ownership::detect_fixture(
            "format-backstage-catalog",
            &BackstageCatalog,
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let names: Vec<(&str, &str)> = d
            .evidence
            .catalog
            .iter()
            .map(|c| (c.kind.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("Component", "checkout"), ("API", "checkout-api")]
        );
        assert_eq!(d.evidence.catalog[0].tier.as_deref(), Some("1"));
        assert_eq!(d.evidence.oncall.len(), 2);
    }
}
