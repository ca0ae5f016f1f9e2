//! Documents: runbooks, incident-process documents, postmortems, error-budget policies and
//! the project documents (README, architecture, ADRs, security policy, changelog,
//! contributing guide, toil log).
//!
//! Which family an SRE document belongs to is decided once, by the pure rules in
//! [`classify`]; each family's detector keeps the documents of its family, so a document
//! is never both a runbook and a postmortem. Project documents are judged separately and
//! may overlap with them (a root README is a readme even if it is also a runbook).

use crate::evidence::{Detector, Runbook, Source};
use crate::parse::markdown::Markdown;
use crate::parse::yaml::Node;

pub mod classify;
mod error_budget;
mod incidents;
mod postmortems;
mod project_docs;
mod runbooks;

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
];

/// A runbook item for a Markdown document. The link stage calls it for documents that
/// alerts link to as their runbook, whatever their name.
pub fn runbook_from_markdown(path: &str, md: &Markdown, found_by: &str) -> Runbook {
    runbook(path, md, None, found_by)
}

/// A runbook item; `raw` (the source text) adds bold-label sections (`**Impact**:`).
pub(crate) fn runbook(path: &str, md: &Markdown, raw: Option<&str>, found_by: &str) -> Runbook {
    let outline = classify::Outline::new(md, raw);
    let sections = classify::runbook_sections(&outline);
    let title = doc_title(md);
    let review = review_of(md);
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

/// Review dates from front matter.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Review {
    pub last_reviewed: Option<String>,
    pub review_due: Option<String>,
}

/// Reads `last_reviewed_on` (also `last_reviewed`, `reviewed`, `last_review`) and
/// `review_in` ("3 months", "6 weeks", "1 year", "90 days") or an explicit `review_by` /
/// `next_review` date. Dates are kept only when they are real `YYYY-MM-DD` dates.
pub(crate) fn review_of(md: &Markdown) -> Review {
    let Some(fm) = md.front_matter.as_ref() else {
        return Review::default();
    };
    let date = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| fm.get(k).and_then(crate::parse::yaml::Node::scalar_text))
            .map(|t| t.trim().to_string())
            .filter(|t| crate::config::parse_date(t).is_some())
    };
    let last_reviewed = date(&[
        "last_reviewed_on",
        "last_reviewed",
        "last_review",
        "reviewed",
        "reviewed_on",
    ]);
    let explicit_due = date(&["review_by", "next_review", "next_review_on", "review_due"]);
    let due = explicit_due.or_else(|| {
        let last = crate::config::parse_date(last_reviewed.as_deref()?)?;
        let interval = fm
            .get("review_in")
            .and_then(crate::parse::yaml::Node::scalar_text)?;
        let days = interval_days(&interval)?;
        Some(crate::config::format_date(last + days))
    });
    Review {
        last_reviewed,
        review_due: due,
    }
}

/// "3 months" → 91 days, "6 weeks" → 42, "1 year" → 365, "90 days" → 90.
fn interval_days(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    let (number, unit) = text
        .split_once(char::is_whitespace)
        .unwrap_or((text.as_str(), "days"));
    let n: i64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0 && *n < 10_000)?;
    let unit = unit.trim().trim_end_matches('s');
    let per = match unit {
        "day" => 1,
        "week" => 7,
        "month" => 30,
        "quarter" => 91,
        "year" => 365,
        _ => return None,
    };
    Some(n * per)
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
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let (index, _) =
            crate::scan::FileIndex::walk(&root, &crate::scan::WalkOptions::default()).unwrap();
        crate::evidence::detect(&index, DETECTORS).evidence
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
                ("docs/runbooks/high-error-rate.md", "path", true),
                ("ops/database-failover.md", "headings", true),
                ("site/index.md", "folder-index", false),
                ("site/rotate-credentials.md", "folder-index", false),
            ]
        );
        assert!(e.runbooks[2].sections.escalation);
        assert!(!e.runbooks[1].sections.escalation);
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
                ("postmortems/template.md", true, true, true),
            ]
        );
        let s = &e.postmortems[0].sections;
        assert!(s.summary && s.impact && s.timeline && s.root_cause && s.action_items && s.lessons);
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
            ["docs/incident-response.md", "docs/oncall/being-on-call.md"]
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
                ("toil-log", "docs/toil-log.md"),
            ]
        );
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
                ("Service level objectives", Some(5)),
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
