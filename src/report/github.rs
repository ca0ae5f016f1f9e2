//! `--format github`: GitHub Actions workflow commands, which GitHub turns into
//! annotations on the run and on the pull request's changed files.
//!
//! The gate's summary comes first (GitHub shows only the first ten annotations of each
//! severity per step, so the verdict must not be crowded out), then one command per
//! finding of every failing criterion, most important first: `error` when the criterion
//! keeps its activity below the target, `warning` when it blocks the next level, `notice`
//! when it blocks a higher one — the same rule as SARIF's levels. Then one `notice` per
//! waived criterion with its waiver, and one command per file opready could not use.
//! A finding about the repository as a whole has no `file=`.
//!
//! Values are escaped as `@actions/core` does: `%`, CR and LF in the message; also `:`
//! and `,` in properties.

use std::fmt::Write as _;

use crate::diagnostic::Severity;
use crate::eval::Status;
use crate::report::{ActivityReport, Checkout, CriterionReport, Impact, Report};

/// What the renderer needs besides the report.
#[derive(Debug, Clone, Default)]
pub struct GithubOptions {
    /// Where the repository sits in the checkout (`file=` is from the checkout root).
    pub checkout: Checkout,
}

pub fn render(report: &Report, options: &GithubOptions) -> String {
    let mut out = String::new();
    summary(&mut out, report);

    let mut failing: Vec<(Impact, &ActivityReport, &CriterionReport)> = report
        .activities
        .iter()
        .flat_map(|a| a.criteria.iter().map(move |c| (a, c)))
        .filter(|(_, c)| c.status == Status::Fail)
        .map(|(a, c)| (Impact::of(a, c), a, c))
        .collect();
    // Stable: pack order within each impact.
    failing.sort_by_key(|(impact, _, _)| *impact);
    for (impact, _, criterion) in failing {
        let command = match impact {
            Impact::BelowTarget => "error",
            Impact::NextLevel => "warning",
            Impact::HigherLevel => "notice",
        };
        let title = format!("{}: {}", criterion.id, criterion.title);
        for finding in &criterion.findings {
            let message = format!("{}\n\nFix: {}", finding.message, criterion.fix.trim());
            let file = finding.path.as_deref().map(|p| options.checkout.path(p));
            line(
                &mut out,
                command,
                file.as_deref(),
                finding.line,
                finding.column,
                &title,
                &message,
            );
        }
    }

    for criterion in report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .filter(|c| c.status == Status::Waived)
    {
        let title = format!("waived: {}: {}", criterion.id, criterion.title);
        let message = criterion.reason.as_deref().unwrap_or("waived");
        line(&mut out, "notice", None, None, None, &title, message);
    }

    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error | Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let file = d.path.as_deref().map(|p| options.checkout.path(p));
        let title = format!("opready could not use this file ({})", d.code);
        line(
            &mut out,
            command,
            file.as_deref(),
            d.line,
            d.column,
            &title,
            &d.message,
        );
    }
    out
}

fn summary(out: &mut String, report: &Report) {
    let with_target = report
        .activities
        .iter()
        .filter(|a| a.target.is_some())
        .count();
    let service = &report.service.name;
    let (command, message) = if with_target == 0 {
        (
            "notice",
            format!("{service}: no targets set; nothing is required"),
        )
    } else if report.summary.met {
        (
            "notice",
            format!("{service}: all {with_target} targets met"),
        )
    } else {
        (
            "error",
            format!(
                "{service}: {} of {with_target} activities below target: {}",
                report.summary.below_target.len(),
                report.summary.below_target.join(", ")
            ),
        )
    };
    line(out, command, None, None, None, "opready", &message);
}

fn line(
    out: &mut String,
    command: &str,
    file: Option<&str>,
    line: Option<u32>,
    column: Option<u32>,
    title: &str,
    message: &str,
) {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
        if let Some(line) = line {
            properties.push(format!("line={line}"));
            if let Some(column) = column {
                properties.push(format!("col={column}"));
            }
        }
    }
    properties.push(format!("title={}", escape_property(title)));
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_report;

    fn lines() -> Vec<String> {
        let options = GithubOptions {
            checkout: Checkout {
                prefix: "services/checkout".into(),
                browse_url: None,
            },
        };
        render(&test_report(), &options)
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b");
        assert_eq!(escape_property("a: b,c%\n"), "a%3A b%2Cc%25%0A");
    }

    #[test]
    fn the_summary_comes_first_then_findings_by_impact() {
        let lines = lines();
        assert_eq!(
            lines[0],
            "::error title=opready::checkout: 1 of 2 activities below target: slo"
        );
        assert!(
            lines[1].starts_with(
                "::error title=slo-defined%3A At least one SLO is defined::no SLOs found;"
            ),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with("%0A%0AFix: Add an SLO for the most important user journey."));
        assert!(
            lines[2].starts_with("::notice title=slo-burn-rate-alerting%3A Burn-rate alerts::")
        );
    }

    #[test]
    fn waived_criteria_are_notices_and_diagnostics_warnings() {
        let lines = lines();
        assert_eq!(
            lines[3],
            "::notice title=waived%3A alerts-have-severity%3A Every alert has a severity::waived until 2099-12-31 by @acme/sre: rules move to the platform"
        );
        assert_eq!(
            lines[4],
            "::warning file=services/checkout/monitoring/broken.yaml,line=3,col=5,title=opready could not use this file (invalid-yaml)::invalid YAML; its evidence was skipped: unclosed bracket"
        );
        assert_eq!(lines.len(), 5);
        // Every command is one line, whatever the messages hold.
        assert!(lines.iter().all(|l| l.starts_with("::")));
    }

    #[test]
    fn files_lines_and_columns_are_properties() {
        let mut report = test_report();
        report.activities[1].criteria[1].status = Status::Fail;
        let text = render(&report, &GithubOptions::default());
        let annotation = text
            .lines()
            .find(|l| l.contains("file=monitoring"))
            .unwrap();
        assert_eq!(
            annotation,
            "::warning file=monitoring/my rules.yaml,line=12,col=7,title=alerts-have-severity%3A Every alert has a severity::alert `Foo,bar: 100%25 <b>|x</b>`: `severity` is missing%0Asecond line%0A%0AFix: Fix alerts-have-severity."
        );
    }
}
