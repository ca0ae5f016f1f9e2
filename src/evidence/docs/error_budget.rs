//! `error-budget-policies`: written error-budget policies.
//!
//! ## What it recognises
//! A Markdown, reStructuredText or AsciiDoc document whose name contains "error-budget-policy" (or
//! `error_budget_policy`), whose title contains "error budget policy", or which has a
//! heading "Error budget policy" (then the item points at that heading). The policy is
//! named after the document's title, or its file name.
//!
//! ## Why it matters
//! An SLO without an agreed consequence is a dashboard: the policy says what the team does
//! when the budget is spent (freeze releases, work on reliability).

use crate::diagnostic::Position;
use crate::evidence::docs::classify::{has_phrase, words};
use crate::evidence::docs::doc_title;
use crate::evidence::{Collector, Detector, ErrorBudgetPolicy, FileContext, RepoPath, Source};

pub struct ErrorBudgetPolicies;

const PHRASE: &str = "error budget polic*";

impl Detector for ErrorBudgetPolicies {
    fn id(&self) -> &'static str {
        "error-budget-policies"
    }

    fn summary(&self) -> &'static str {
        "Written error-budget policies: Markdown, reStructuredText or AsciiDoc named error-budget-policy* or titled or headed \"Error budget policy\""
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_doc()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let path = file.path;
        let by_name = has_phrase(&words(&path.stem_lower()), PHRASE);
        // Cheap test before parsing: the words must be somewhere in the file.
        if !by_name
            && !file.text().is_some_and(|t| {
                let lower = t.to_lowercase();
                lower.contains("error budget polic")
                    || lower.contains("error-budget polic")
                    || lower.contains("error-budget-polic")
            })
        {
            return;
        }
        let Some(md) = file.markdown() else {
            return;
        };
        let title = doc_title(md);
        let by_title = title
            .as_deref()
            .is_some_and(|t| has_phrase(&words(t), PHRASE));
        let source = if by_name || by_title {
            Source::file(path.as_str())
        } else if let Some(h) = md
            .headings
            .iter()
            .find(|h| has_phrase(&words(&h.text), PHRASE))
        {
            Source::new(path.as_str(), Some(Position::new(h.line, 1)))
        } else {
            return;
        };
        out.evidence.error_budget_policies.push(ErrorBudgetPolicy {
            name: title.unwrap_or_else(|| path.stem_lower()),
            format: "document".to_string(),
            windows: Vec::new(),
            alerting: None,
            source,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::evidence::ErrorBudgetPolicy;

    fn run(files: &[(&str, &str)]) -> Vec<ErrorBudgetPolicy> {
        crate::evidence::testing::detect_files_with(files, &[&super::ErrorBudgetPolicies])
            .evidence
            .error_budget_policies
    }

    #[test]
    fn by_name_title_and_heading() {
        let got = run(&[
            (
                "docs/error_budget_policy.md",
                "Freeze releases when spent.\n",
            ),
            (
                "docs/slo.md",
                "# Checkout SLOs\n\nText.\n\n## Error budget policy\n\nFreeze.\n",
            ),
            ("docs/policy.md", "# Payments Error Budget Policy\n"),
            (
                "docs/other.md",
                "# SLOs\n\nWe have no error budget policy yet.\n",
            ),
        ]);
        let got: Vec<(&str, &str, Option<u32>)> = got
            .iter()
            .map(|p| (p.name.as_str(), p.source.path.as_str(), p.source.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "error_budget_policy",
                    "docs/error_budget_policy.md",
                    Some(1)
                ),
                ("Payments Error Budget Policy", "docs/policy.md", Some(1)),
                ("Checkout SLOs", "docs/slo.md", Some(5)),
            ]
        );
    }
}
