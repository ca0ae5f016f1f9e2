//! Documents: runbooks, incident-process documents, postmortems, error-budget policies,
//! the project documents (README, architecture, ADRs, security policy, changelog,
//! contributing guide, toil log) and API specifications.
//!
//! Documents are read as an outline (headings, prose, front matter), the same for
//! Markdown, reStructuredText and AsciiDoc (see [`crate::evidence::FileContext::markdown`]),
//! so every rule below applies to the three alike.
//!
//! Which family an SRE document belongs to is decided once, by the pure rules in
//! [`classify`]; each family's detector keeps the documents of its family, so a document
//! is never both a runbook and a postmortem. Project documents are judged separately and
//! may overlap with them (a root README is a readme even if it is also a runbook).

use crate::evidence::{Detector, Runbook, Source};
use crate::parse::markdown::Markdown;
use crate::parse::yaml::Node;

mod api_specs;
pub mod classify;
mod error_budget;
mod incidents;
mod postmortems;
mod project_docs;
mod review;
mod runbooks;

pub use api_specs::ApiSpecs;
pub use error_budget::ErrorBudgetPolicies;
pub use incidents::IncidentDocs;
pub use postmortems::Postmortems;
pub use project_docs::ProjectDocs;
pub use runbooks::Runbooks;

pub static DETECTORS: &[&dyn Detector] = &[
    &Runbooks,
    &IncidentDocs,
    &Postmortems,
    &ErrorBudgetPolicies,
    &ProjectDocs,
    &ApiSpecs,
];

/// A runbook item for a document (Markdown, reStructuredText or AsciiDoc outline). The
/// link stage calls it for documents that alerts link to as their runbook, whatever their
/// name.
pub fn runbook_from_markdown(path: &str, md: &Markdown, found_by: &str) -> Runbook {
    runbook(path, md, None, found_by)
}

/// A runbook item; `raw` (the source text) adds bold-label sections (`**Impact**:`) and
/// review dates from misplaced front matter.
pub(crate) fn runbook(path: &str, md: &Markdown, raw: Option<&str>, found_by: &str) -> Runbook {
    let outline = classify::Outline::new(md, raw);
    let sections = classify::runbook_sections(&outline);
    let title = doc_title(md);
    let review = review::review_of(md, raw);
    Runbook {
        path: path.to_string(),
        structured: classify::is_structured(&sections),
        headings: heading_texts(md, title.as_deref()),
        title,
        sections,
        found_by: found_by.to_string(),
        last_reviewed: review.last_reviewed,
        review_due: review.review_due,
        review_overdue: None,
        owners: Vec::new(),
        source: Source::file(path),
    }
}

/// The title of a document: its front matter `title`, else its first level-1 heading.
/// Templated titles (`<%= current_page.data.title %>`, `{{ .Title }}`) are not titles.
pub fn doc_title(md: &Markdown) -> Option<String> {
    let front = md
        .front_matter
        .as_ref()
        .and_then(|fm| fm.get("title"))
        .and_then(Node::scalar_text)
        .map(|t| t.trim().to_string());
    front
        .into_iter()
        .chain(
            md.headings
                .iter()
                .filter(|h| h.level == 1)
                .map(|h| h.text.clone()),
        )
        .find(|t| !t.is_empty() && !is_templated(t))
}

fn is_templated(text: &str) -> bool {
    text.contains("<%") || text.contains("{{")
}

/// Heading texts in order; a templated heading that stands for the page title is
/// replaced by the title.
pub(crate) fn heading_texts(md: &Markdown, title: Option<&str>) -> Vec<String> {
    md.headings
        .iter()
        .filter_map(|h| {
            if is_templated(&h.text) {
                title.map(str::to_string)
            } else {
                Some(h.text.clone())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown::parse;

    #[test]
    fn titles_come_from_front_matter_then_h1() {
        let md = parse("---\ntitle: Access EKS\n---\n# <%= current_page.data.title %>\n## Steps\n");
        assert_eq!(doc_title(&md).as_deref(), Some("Access EKS"));
        assert_eq!(
            heading_texts(&md, Some("Access EKS")),
            ["Access EKS", "Steps"]
        );
        let md = parse("# <%= current_page.data.title %>\n");
        assert_eq!(doc_title(&md), None);
        let md = parse("## Overview\n## Steps\n");
        assert_eq!(doc_title(&md), None);
        let md = parse("Intro\n\n# Real title\n");
        assert_eq!(doc_title(&md).as_deref(), Some("Real title"));
    }

    /// The evidence of a fixture repository under `fixtures/`.
    fn fixture(name: &str) -> crate::evidence::Evidence {
        crate::evidence::testing::detect_fixture_with(name, DETECTORS).evidence
    }

    #[test]
    fn fixture_runbooks() {
        let e = fixture("format-runbooks");
        let got: Vec<(&str, &str, bool)> = e
            .runbooks
            .iter()
            .map(|r| (r.path.as_str(), r.found_by.as_str(), r.structured))
            .collect();
        assert_eq!(
            got,
            [
                ("docs/runbooks/README.md", "path", false),
                ("docs/runbooks/certificate-expiry.md", "path", true),
                ("docs/runbooks/disk-full.rst", "path", true),
                ("docs/runbooks/high-error-rate.md", "path", true),
                ("handbook/index.rst", "folder-index", false),
                ("handbook/restart-workers.rst", "folder-index", false),
                ("ops/database-failover.md", "headings", true),
                ("ops/queue-backlog.adoc", "headings", true),
                ("site/index.md", "folder-index", false),
                ("site/rotate-credentials.md", "folder-index", false),
            ]
        );
        assert!(e.runbooks[3].sections.escalation);
        assert!(!e.runbooks[1].sections.escalation);
        // reStructuredText and AsciiDoc runbooks read like Markdown ones.
        let rst = &e.runbooks[2];
        assert_eq!(rst.title.as_deref(), Some("NodeDiskFull"));
        assert_eq!(
            rst.headings,
            [
                "NodeDiskFull",
                "Symptoms",
                "Diagnosis",
                "Mitigation",
                "Escalation"
            ]
        );
        assert_eq!(rst.last_reviewed.as_deref(), Some("2025-02-03"));
        assert_eq!(rst.review_due.as_deref(), Some("2025-08-03"));
        let adoc = &e.runbooks[7];
        assert_eq!(adoc.title.as_deref(), Some("Order queue backlog"));
        let s = &adoc.sections;
        assert!(s.symptoms && s.diagnosis && s.mitigation && !s.escalation);
        assert_eq!(adoc.review_due.as_deref(), Some("2025-06-10"));
        assert_eq!(
            e.runbooks[5].title.as_deref(),
            Some("Restart the payment workers")
        );
        assert!(e.incident_docs.is_empty() && e.postmortems.is_empty());
    }

    #[test]
    fn fixture_postmortems() {
        let e = fixture("format-postmortems");
        let got: Vec<(&str, bool, bool, bool)> = e
            .postmortems
            .iter()
            .map(|p| {
                (
                    p.path.as_str(),
                    p.template,
                    p.blameless,
                    p.action_items_tracked,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "postmortems/2024-03-02-checkout-outage.md",
                    false,
                    true,
                    true
                ),
                (
                    "postmortems/2024-05-10-payment-delays.adoc",
                    false,
                    true,
                    true
                ),
                ("postmortems/template.md", true, true, true),
            ]
        );
        let s = &e.postmortems[0].sections;
        assert!(s.summary && s.impact && s.timeline && s.root_cause && s.action_items && s.lessons);
        let s = &e.postmortems[1].sections;
        assert!(s.summary && s.timeline && s.root_cause && s.action_items && !s.lessons);
        assert_eq!(
            e.postmortems[1].title.as_deref(),
            Some("2024-05-10 Payment delays")
        );
        // A guide to incident reviews is about the process, not a postmortem.
        let paths: Vec<&str> = e.incident_docs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["docs/incident-review-guide.md"]);
        assert!(e.runbooks.is_empty());
    }

    #[test]
    fn fixture_incident_docs() {
        let e = fixture("format-incident-docs");
        let paths: Vec<&str> = e.incident_docs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "docs/incident-response.md",
                "docs/oncall/being-on-call.md",
                "docs/oncall/handover.rst"
            ]
        );
        assert!(e.incident_docs[2].covers.oncall);
        assert_eq!(
            e.incident_docs[2].title.as_deref(),
            Some("Handing over the pager")
        );
        let c = &e.incident_docs[0].covers;
        assert!(c.roles && c.severities && c.escalation && c.communication);
        assert!(c.postmortem && c.oncall);
        assert!(e.incident_docs[1].covers.oncall);
    }

    #[test]
    fn fixture_project_docs() {
        let e = fixture("format-project-docs");
        let got: Vec<(&str, &str)> = e
            .docs
            .iter()
            .map(|d| (d.kind.as_str(), d.path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("security-policy", ".github/SECURITY.md"),
                ("architecture", "ARCHITECTURE.md"),
                ("changelog", "CHANGELOG.md"),
                ("contributing", "CONTRIBUTING.rst"),
                ("readme", "README.md"),
                ("adr", "docs/adr/0001-record-architecture-decisions.md"),
                ("adr", "docs/adr/0002-use-postgresql.md"),
                ("adr", "docs/adr/0003-write-runbooks-in-asciidoc.adoc"),
                ("architecture", "docs/architecture/overview.rst"),
                ("toil-log", "docs/toil-log.md"),
            ]
        );
        assert_eq!(
            e.docs[7].title.as_deref(),
            Some("3. Write runbooks in AsciiDoc")
        );
        assert_eq!(e.docs[3].headings, ["Contributing", "Tests"]);
        let readme = &e.docs[4];
        assert_eq!(readme.title.as_deref(), Some("Inventory service"));
        assert_eq!(
            readme.headings,
            ["Inventory service", "Getting started", "Operations"]
        );
    }

    #[test]
    fn fixture_error_budget_policies() {
        let e = fixture("format-error-budget-policies");
        let got: Vec<(&str, Option<u32>)> = e
            .error_budget_policies
            .iter()
            .map(|p| (p.name.as_str(), p.source.line))
            .collect();
        assert_eq!(
            got,
            [
                ("Checkout error budget policy", Some(1)),
                ("Payments error budget policy", Some(1)),
                ("Service level objectives", Some(5)),
            ]
        );
    }

    #[test]
    fn alert_runbook_links_resolve_to_rst_and_asciidoc_anchors() {
        let files = [
            (
                "rules/node.rules.yaml",
                "groups:\n- name: node\n  rules:\n  - alert: NodeDiskFull\n    expr: up == 0\n    annotations:\n      runbook_url: ../docs/disk.rst#mitigation\n  - alert: QueueBacklog\n    expr: up == 0\n    annotations:\n      runbook_url: ../docs/queue.adoc#_recovery_steps\n  - alert: QueueGitHubAnchor\n    expr: up == 0\n    annotations:\n      runbook_url: ../docs/queue.adoc#recovery-steps\n  - alert: Broken\n    expr: up == 0\n    annotations:\n      runbook_url: ../docs/disk.rst#no-such-section\n",
            ),
            (
                "docs/disk.rst",
                "Disk full\n=========\n\nMitigation\n----------\n\nDelete old images.\n",
            ),
            (
                "docs/queue.adoc",
                "= Queue backlog\n\n== Recovery steps\n\nScale up.\n",
            ),
        ];
        let e =
            crate::evidence::testing::detect_files_with(&files, &crate::evidence::registry::all())
                .evidence;
        let alerts: Vec<(&str, Option<bool>)> = e
            .alerts
            .iter()
            .map(|a| (a.name.as_str(), a.runbook_resolves))
            .collect();
        assert_eq!(
            alerts,
            [
                ("NodeDiskFull", Some(true)),
                ("QueueBacklog", Some(true)),
                ("QueueGitHubAnchor", Some(true)),
                ("Broken", Some(false)),
            ]
        );
        let runbooks: Vec<(&str, &str)> = e
            .runbooks
            .iter()
            .map(|r| (r.path.as_str(), r.found_by.as_str()))
            .collect();
        assert_eq!(
            runbooks,
            [
                ("docs/disk.rst", "linked-from-alert"),
                ("docs/queue.adoc", "linked-from-alert"),
            ]
        );
    }

    #[test]
    fn runbook_from_markdown_fills_sections() {
        let md = parse("# Disk full\n## Impact\n## Diagnosis\n## Mitigation\n");
        let rb = runbook_from_markdown("rules/disk.md", &md, "linked-from-alert");
        assert_eq!(rb.title.as_deref(), Some("Disk full"));
        assert!(rb.sections.symptoms && rb.sections.diagnosis && rb.sections.mitigation);
        assert!(rb.structured);
        assert_eq!(rb.found_by, "linked-from-alert");
        assert_eq!(rb.source.line, Some(1));
    }
}
