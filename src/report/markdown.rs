//! `--format markdown`: a compact scorecard for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`.
//!
//! A heading with the service and the gate's result, a line with tier and owner, a table
//! of activities (level, target, ✅ met / ❌ below target / ➖ no target or not
//! applicable), then the blockers — criteria that keep an activity below its target —
//! each with its findings (linked to the file and line when the checkout is browsable)
//! and the fix folded in a `<details>`; the criteria that block an activity's next level
//! without being required, the same way but folded as a whole; then the waived criteria
//! with their waiver, and the files opready could not use.
//!
//! Text from scanned files is escaped (it cannot add links, images, HTML or headings) and
//! `@handles` are set as code, so a comment does not notify anyone. The output stays
//! under [`MAX_BYTES`]: what does not fit is left out with a note.

use std::fmt::Write as _;

use crate::eval::{Finding, Status};
use crate::report::{ActivityReport, Checkout, CriterionReport, Impact, Report};

/// GitHub accepts 65,536 characters in a comment and 1 MiB in a step summary; staying
/// under the smaller keeps one output good for both.
pub const MAX_BYTES: usize = 60_000;
/// Findings listed per criterion; the rest are counted.
const MAX_FINDINGS: usize = 10;
/// Files opready could not use, listed; the rest are counted.
const MAX_DIAGNOSTICS: usize = 10;

/// What the renderer needs besides the report.
#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Where the repository sits in the checkout, and the URL its files are browsed at.
    pub checkout: Checkout,
    pub max_bytes: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            checkout: Checkout::default(),
            max_bytes: MAX_BYTES,
        }
    }
}

pub fn render(report: &Report, options: &MarkdownOptions) -> String {
    let mut pieces = vec![Piece::new(header(report)), Piece::new(table(report))];

    let failing: Vec<(Impact, &ActivityReport, &CriterionReport)> = report
        .activities
        .iter()
        .flat_map(|a| a.criteria.iter().map(move |c| (a, c)))
        .filter(|(_, c)| c.status == Status::Fail)
        .map(|(a, c)| (Impact::of(a, c), a, c))
        .collect();
    let of = |impact: Impact| {
        failing
            .iter()
            .filter(move |(i, _, _)| *i == impact)
            .map(|(_, a, c)| (*a, *c))
    };
    let below: Vec<_> = of(Impact::BelowTarget).collect();
    let next: Vec<_> = of(Impact::NextLevel).collect();
    let higher = of(Impact::HigherLevel).count();
    if !below.is_empty() {
        pieces.push(Piece::new("\n### Blockers\n\n".to_string()));
    }
    for (activity, criterion) in below {
        pieces.push(Piece::new(blocker(
            "❌",
            "below target",
            activity,
            criterion,
            &options.checkout,
        )));
    }
    // Not required: folded, so the comment stays about what fails the gate.
    if !next.is_empty() {
        pieces.push(Piece::new(format!(
            "\n<details><summary>⚠️ {} {} the next level of {} (not required)</summary>\n\n",
            next.len(),
            if next.len() == 1 {
                "criterion blocks"
            } else {
                "criteria block"
            },
            if next.len() == 1 {
                "an activity"
            } else {
                "activities"
            },
        )));
        for (activity, criterion) in next {
            pieces.push(Piece::new(blocker(
                "⚠️",
                "blocks the next level",
                activity,
                criterion,
                &options.checkout,
            )));
        }
        pieces.push(Piece::closing("</details>\n".to_string()));
    }
    if higher > 0 {
        pieces.push(Piece::new(format!(
            "\n{higher} more failing {} block higher levels (`opready check --all` lists them).\n",
            if higher == 1 { "criterion" } else { "criteria" }
        )));
    }

    let waived: Vec<&CriterionReport> = report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .filter(|c| c.status == Status::Waived)
        .collect();
    if !waived.is_empty() {
        pieces.push(Piece::new("\n### Waived\n\n".to_string()));
    }
    for criterion in waived {
        pieces.push(Piece::new(format!(
            "- **{}** ({}): {}\n",
            inline(&criterion.title),
            code(&criterion.id),
            inline(criterion.reason.as_deref().unwrap_or("waived"))
        )));
    }

    if !report.diagnostics.is_empty() {
        pieces.push(Piece::new(format!(
            "\n### Files opready could not use ({})\n\n",
            report.diagnostics.len()
        )));
        for d in report.diagnostics.iter().take(MAX_DIAGNOSTICS) {
            let place = d
                .path
                .as_deref()
                .map(|p| format!("{} ", place(&options.checkout, p, d.line)))
                .unwrap_or_default();
            pieces.push(Piece::new(format!(
                "- {place}{} ({})\n",
                inline(&d.message),
                code(&d.code)
            )));
        }
        if report.diagnostics.len() > MAX_DIAGNOSTICS {
            pieces.push(Piece::new(format!(
                "- … and {} more\n",
                report.diagnostics.len() - MAX_DIAGNOSTICS
            )));
        }
    }
    assemble(pieces, options.max_bytes)
}

/// A part of the output; a closing part (`</details>`) is kept even when the parts
/// before it are left out, so the HTML stays balanced.
struct Piece {
    text: String,
    closing: bool,
}

impl Piece {
    fn new(text: String) -> Self {
        Piece {
            text,
            closing: false,
        }
    }
    fn closing(text: String) -> Self {
        Piece {
            text,
            closing: true,
        }
    }
}

/// Joins the pieces, leaving out everything from the first piece that would cross
/// `max_bytes` (but closing parts), with a note.
fn assemble(pieces: Vec<Piece>, max_bytes: usize) -> String {
    const NOTE_ROOM: usize = 200;
    let total: usize = pieces.iter().map(|p| p.text.len()).sum();
    if total <= max_bytes {
        return pieces.into_iter().map(|p| p.text).collect();
    }
    let closing: usize = pieces
        .iter()
        .filter(|p| p.closing)
        .map(|p| p.text.len())
        .sum();
    let budget = max_bytes.saturating_sub(NOTE_ROOM + closing);
    let mut out = String::new();
    let mut left_out = 0;
    for piece in pieces {
        let fits = left_out == 0 && out.len() + piece.text.len() <= budget;
        if piece.closing || fits {
            out.push_str(&piece.text);
        } else {
            left_out += 1;
        }
    }
    let _ = write!(
        out,
        "\n_Truncated to stay within GitHub's size limits: {left_out} more parts left out. `opready check --format json` has the full report._\n"
    );
    out
}

fn header(report: &Report) -> String {
    let with_target = report
        .activities
        .iter()
        .filter(|a| a.target.is_some())
        .count();
    let service = inline(&report.service.name);
    let mut out = if with_target == 0 {
        format!("## ➖ opready: {service} — no targets set\n\n")
    } else if report.summary.met {
        format!("## ✅ opready: {service} — all {with_target} targets met\n\n")
    } else {
        format!(
            "## ❌ opready: {service} — {} of {with_target} activities below target\n\n",
            report.summary.below_target.len()
        )
    };
    let mut facts = Vec::new();
    match (&report.service.tier, &report.service.tier_source) {
        (Some(tier), Some(source)) => {
            facts.push(format!("tier {} (from {})", inline(tier), inline(source)));
        }
        (Some(tier), None) => facts.push(format!("tier {}", inline(tier))),
        _ => facts.push("no tier".to_string()),
    }
    if let Some(owner) = &report.service.owner {
        facts.push(format!("owner {}", code(owner)));
    }
    facts.push(format!("policy {}", inline(&report.policy.name)));
    let _ = writeln!(out, "{}", facts.join(" · "));
    out
}

fn table(report: &Report) -> String {
    let mut out = String::from("\n| Activity | Level | Target | Status |\n|---|---|---|---|\n");
    for a in &report.activities {
        let level = match (a.level, &a.level_name) {
            (Some(level), Some(name)) => format!("{level}/{} {}", a.max_level, inline(name)),
            (Some(level), None) => format!("{level}/{}", a.max_level),
            _ => "n/a".to_string(),
        };
        let target = a.target.map_or("—".to_string(), |t| t.to_string());
        let status = match a.target {
            Some(_) if !a.applicable => "➖",
            Some(_) if a.met => "✅",
            Some(_) => "❌",
            None => "➖",
        };
        let _ = writeln!(
            out,
            "| {} | {level} | {target} | {status} |",
            inline(&a.title)
        );
    }
    out
}

fn blocker(
    mark: &str,
    role: &str,
    activity: &ActivityReport,
    criterion: &CriterionReport,
    checkout: &Checkout,
) -> String {
    let mut out = format!(
        "- {mark} **{}** ({}) · {} level {} · {role}\n",
        inline(&criterion.title),
        code(&criterion.id),
        inline(&activity.title),
        criterion.level
    );
    for finding in criterion.findings.iter().take(MAX_FINDINGS) {
        let _ = writeln!(out, "  - {}", finding_line(finding, checkout));
    }
    if criterion.findings.len() > MAX_FINDINGS {
        let _ = writeln!(
            out,
            "  - … and {} more findings",
            criterion.findings.len() - MAX_FINDINGS
        );
    }
    let _ = write!(out, "\n  <details><summary>How to fix</summary>\n\n");
    for line in criterion.fix.trim().lines() {
        let _ = writeln!(out, "  {}", inline(line.trim_end()));
    }
    let _ = write!(
        out,
        "\n  More: {}\n  </details>\n\n",
        code(&format!("opready explain {}", criterion.id))
    );
    out
}

fn finding_line(finding: &Finding, checkout: &Checkout) -> String {
    match &finding.path {
        Some(path) => format!(
            "{} {}",
            place(checkout, path, finding.line),
            inline(&finding.message)
        ),
        None => inline(&finding.message),
    }
}

/// `path:line` from the checkout root, as a link when the checkout is browsable.
fn place(checkout: &Checkout, path: &str, line: Option<u32>) -> String {
    let shown = match line {
        Some(line) => format!("{}:{line}", checkout.path(path)),
        None => checkout.path(path),
    };
    match checkout.link(path, line) {
        Some(url) => format!("[{}]({url})", inline(&shown)),
        None => code(&shown),
    }
}

/// Text as inline Markdown that renders as itself: code spans (`` `x` ``) are kept,
/// everything else has its Markdown and HTML punctuation escaped, line breaks become
/// spaces, and `@handles` become code so they notify no one.
pub fn inline(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // A handle starts a word: `a@b` is no mention.
    let mut word_before = false;
    while let Some(c) = rest.chars().next() {
        // A code span: a backtick run closed by a run of the same length.
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let fence = &rest[..run];
            let after = &rest[run..];
            if let Some(end) = find_closing(after, run) {
                out.push_str(fence);
                out.push_str(&after[..end]);
                out.push_str(fence);
                rest = &after[end + run..];
            } else {
                out.push_str(&"\\`".repeat(run));
                rest = after;
            }
            word_before = false;
            continue;
        }
        if c == '@'
            && !word_before
            && let Some(handle) = handle_at(rest)
        {
            out.push_str(&code(handle));
            rest = &rest[handle.len()..];
            word_before = true;
            continue;
        }
        // Markdown and HTML punctuation; `-` and `+` only where they would start a list.
        let special = match c {
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' => true,
            '-' | '+' => out.is_empty(),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
        word_before = c.is_alphanumeric();
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Where a backtick run of exactly `run` characters starts in `text`.
fn find_closing(text: &str, run: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find('`') {
        let start = offset + start;
        let len = text[start..].len() - text[start..].trim_start_matches('`').len();
        if len == run {
            return Some(start);
        }
        offset = start + len;
    }
    None
}

/// A GitHub `@user` or `@org/team` at the start of `text`.
fn handle_at(text: &str) -> Option<&str> {
    let body = &text[1..];
    let len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '/' || c == '_'))
        .unwrap_or(body.len());
    let handle = body[..len].trim_end_matches(['/', '-']);
    (!handle.is_empty() && handle.starts_with(|c: char| c.is_ascii_alphanumeric()))
        .then(|| &text[..handle.len() + 1])
}

/// Text as a code span, whatever backticks it holds.
pub fn code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_report;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    fn options() -> MarkdownOptions {
        MarkdownOptions {
            checkout: Checkout {
                prefix: "services/checkout".into(),
                browse_url: Some("https://github.com/acme/shop/blob/abc123".into()),
            },
            max_bytes: MAX_BYTES,
        }
    }

    /// What a Markdown renderer makes of the text: headings, table rows, links, code
    /// spans, raw HTML and list items.
    #[derive(Default, Debug)]
    struct Seen {
        headings: Vec<String>,
        rows: Vec<Vec<String>>,
        links: Vec<(String, String)>,
        code: Vec<String>,
        html: Vec<String>,
        items: usize,
    }

    fn seen(markdown: &str) -> Seen {
        let mut seen = Seen::default();
        let mut text = String::new();
        let mut row: Vec<String> = Vec::new();
        let mut link: Option<String> = None;
        for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Heading { .. } | Tag::TableCell | Tag::Link { .. }) => {
                    text.clear();
                    if let Event::Start(Tag::Link { dest_url, .. }) = &event {
                        link = Some(dest_url.to_string());
                    }
                }
                Event::End(TagEnd::Heading(_)) => seen.headings.push(text.clone()),
                Event::End(TagEnd::TableCell) => row.push(text.trim().to_string()),
                Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                    seen.rows.push(std::mem::take(&mut row));
                }
                Event::End(TagEnd::Link) => {
                    seen.links
                        .push((text.clone(), link.take().unwrap_or_default()));
                }
                Event::Start(Tag::Item) => seen.items += 1,
                Event::Text(t) => text.push_str(&t),
                Event::Code(c) => {
                    text.push_str(&c);
                    seen.code.push(c.to_string());
                }
                Event::Html(h) | Event::InlineHtml(h) => seen.html.push(h.to_string()),
                _ => {}
            }
        }
        seen
    }

    #[test]
    fn scorecard_table_and_heading() {
        let text = render(&test_report(), &options());
        let seen = seen(&text);
        assert_eq!(
            seen.headings,
            [
                "❌ opready: checkout — 1 of 2 activities below target",
                "Blockers",
                "Waived",
                "Files opready could not use (1)"
            ]
        );
        assert_eq!(
            seen.rows,
            [
                vec!["Activity", "Level", "Target", "Status"],
                vec!["SLI/SLO", "1/3 Ad hoc", "2", "❌"],
                vec!["Monitoring & alerting", "2/3 Defined", "—", "➖"],
                vec!["Cost management", "n/a", "2", "➖"],
            ]
        );
        assert!(text.contains("tier 1 (from .opready.yaml) · owner `@acme/payments`"));
    }

    #[test]
    fn blockers_with_linked_findings_and_a_folded_fix() {
        let mut report = test_report();
        report.activities[1].criteria[1].status = Status::Fail;
        let text = render(&report, &options());
        let seen = seen(&text);
        let base = "https://github.com/acme/shop/blob/abc123/services/checkout/monitoring";
        assert_eq!(
            seen.links,
            [
                (
                    "services/checkout/monitoring/my rules.yaml:12".to_string(),
                    format!("{base}/my%20rules.yaml#L12")
                ),
                (
                    "services/checkout/monitoring/broken.yaml:3".to_string(),
                    format!("{base}/broken.yaml#L3")
                )
            ]
        );
        // Below target first, then the next level; the higher level is only counted.
        let slo = text.find("❌ **At least one SLO is defined**").unwrap();
        let severity = text.find("⚠️ **Every alert has a severity**").unwrap();
        assert!(slo < severity);
        assert!(text.contains("1 more failing criterion block higher levels"));
        assert!(
            seen.html
                .iter()
                .any(|h| h.contains("<details><summary>How to fix</summary>"))
        );
        assert!(text.contains("\n  Add an SLO for the most important user journey.\n"));
        // The scanned file's text is shown, not rendered.
        assert!(
            !seen.html.iter().any(|h| h.contains("<b>")),
            "{:?}",
            seen.html
        );
        assert!(text.contains("`Foo,bar: 100% <b>|x</b>`"));
    }

    #[test]
    fn without_a_browsable_checkout_paths_are_code() {
        let mut report = test_report();
        report.activities[1].criteria[1].status = Status::Fail;
        let text = render(&report, &MarkdownOptions::default());
        let seen = seen(&text);
        assert!(seen.links.is_empty());
        assert!(
            seen.code
                .contains(&"monitoring/my rules.yaml:12".to_string())
        );
        assert!(seen.code.contains(&"monitoring/broken.yaml:3".to_string()));
    }

    #[test]
    fn waivers_are_listed_without_notifying_anyone() {
        let text = render(&test_report(), &options());
        assert!(text.contains(
            "- **Every alert has a severity** (`alerts-have-severity`): waived until 2099-12-31 by `@acme/sre`: rules move to the platform\n"
        ));
        let seen = seen(&text);
        assert!(seen.code.contains(&"@acme/sre".to_string()));
    }

    #[test]
    fn stays_within_the_size_limit() {
        let mut report = test_report();
        let many: Vec<Finding> = (0..MAX_FINDINGS * 2)
            .map(|i| Finding {
                message: format!("finding {i} {}", "x".repeat(500)),
                ..Finding::default()
            })
            .collect();
        for a in &mut report.activities {
            for c in &mut a.criteria {
                c.findings = many.clone();
            }
        }
        for i in 0..200 {
            let mut c = report.activities[0].criteria[0].clone();
            c.id = format!("extra-{i}");
            report.activities[0].criteria.push(c);
        }
        let text = render(&report, &MarkdownOptions::default());
        assert!(text.len() <= MAX_BYTES, "{}", text.len());
        assert!(text.contains("_Truncated to stay within GitHub's size limits"));
        assert!(text.contains("… and 10 more findings"));
        // Truncation happens between criteria: every list item is whole.
        assert!(seen(&text).items > 10);
    }

    #[test]
    fn inline_escaping() {
        assert_eq!(
            inline("a *b* [c](d) <e> # | ~"),
            "a \\*b\\* \\[c\\](d) \\<e\\> \\# \\| \\~"
        );
        assert_eq!(inline("keep `a*b <c>` code"), "keep `a*b <c>` code");
        assert_eq!(inline("odd ` tick"), "odd \\` tick");
        assert_eq!(inline("line\nbreak"), "line break");
        assert_eq!(
            inline("ping @alice and @acme/sre."),
            "ping `@alice` and `@acme/sre`."
        );
        assert_eq!(inline("mail a@b"), "mail a@b");
        assert_eq!(inline("- not a list"), "\\- not a list");
        assert_eq!(inline("50% off, a.b: c"), "50% off, a.b: c");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
