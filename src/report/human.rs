//! `--format human`: a scorecard table, then each criterion that blocks the next level as
//! a diagnostic with source snippets of the evidence it points at, then the waived
//! criteria with their waivers, then input problems.

use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Component, Path};

use comfy_table::{Attribute, Cell, Color, ContentArrangement, LineStyle, Table, TableStyle};
use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource,
};
use owo_colors::OwoColorize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{Finding, Status};
use crate::report::{ActivityReport, CriterionReport, Report};

/// How to render.
#[derive(Debug, Clone)]
pub struct HumanOptions {
    pub color: bool,
    /// Wrap width for diagnostics.
    pub width: usize,
    /// Show every failing criterion, not only those blocking the next level.
    pub all: bool,
    /// Findings shown with a source snippet per criterion; the rest are listed.
    pub snippets: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            all: false,
            snippets: 3,
        }
    }
}

/// Renders the report. `root` is the repository, read for source snippets only (files
/// the report names, inside the root).
pub fn render(report: &Report, root: Option<&Path>, options: &HumanOptions) -> String {
    let mut out = String::new();
    header(&mut out, report, options);
    out.push('\n');
    out.push_str(&scorecard(report, options));
    out.push('\n');
    gate_line(&mut out, report, options);
    baseline_block(&mut out, report, options);

    let handler = GraphicalReportHandler::new_themed(if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    })
    .with_width(options.width)
    .with_context_lines(1)
    .with_links(false)
    .with_show_related_as_nested(true);

    // Criteria that keep an activity below its target come first, then the rest in pack
    // order.
    let mut blockers: Vec<(&ActivityReport, &CriterionReport)> = report
        .activities
        .iter()
        .flat_map(|a| a.criteria.iter().map(move |c| (a, c)))
        .filter(|(a, c)| c.status == Status::Fail && (options.all || Some(c.level) == a.next_level))
        .collect();
    blockers.sort_by_key(|(a, c)| !blocks_target(a, c));
    if !blockers.is_empty() {
        let _ = writeln!(
            out,
            "\n{}\n",
            paint("Blockers", options, |s| s.bold().to_string())
        );
    }
    for (activity, criterion) in blockers {
        let diag = criterion_diagnostic(activity, criterion, root, options);
        let _ = handler.render_report(&mut out, &diag);
        out.push('\n');
    }
    let hidden = report
        .activities
        .iter()
        .flat_map(|a| a.criteria.iter().map(move |c| (a, c)))
        .filter(|(a, c)| c.status == Status::Fail && Some(c.level) != a.next_level)
        .count();
    if hidden > 0 && !options.all {
        let _ = writeln!(
            out,
            "\n{hidden} more failing criteria block higher levels; run with --all to see them."
        );
    }

    waived_section(&mut out, report, options);

    if !report.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})\n",
            paint("Files opready could not use", options, |s| s
                .bold()
                .to_string()),
            report.diagnostics.len()
        );
        for d in &report.diagnostics {
            let diag = file_diagnostic(d, root);
            let _ = handler.render_report(&mut out, &diag);
        }
    }
    out
}

/// Criteria excused by a waiver that still holds, each with the waiver (expired waivers
/// fail and are shown with the blockers).
fn waived_section(out: &mut String, report: &Report, options: &HumanOptions) {
    let waived: Vec<(&ActivityReport, &CriterionReport)> = report
        .activities
        .iter()
        .flat_map(|a| a.criteria.iter().map(move |c| (a, c)))
        .filter(|(_, c)| c.status == Status::Waived)
        .collect();
    if waived.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} ({})\n",
        paint("Waived", options, |s| s.bold().to_string()),
        waived.len()
    );
    for (activity, criterion) in waived {
        let _ = writeln!(
            out,
            "  {} {} — {} [{} · level {}]",
            paint("⊘", options, |s| s.yellow().to_string()),
            criterion.id,
            criterion.title,
            activity.id,
            criterion.level
        );
        if let Some(reason) = &criterion.reason {
            let _ = writeln!(
                out,
                "    {}",
                paint(reason, options, |s| s.dimmed().to_string())
            );
        }
    }
}

fn paint(text: &str, options: &HumanOptions, style: impl Fn(&str) -> String) -> String {
    if options.color {
        style(text)
    } else {
        text.to_string()
    }
}

fn header(out: &mut String, report: &Report, options: &HumanOptions) {
    let s = &report.service;
    let mut line = format!(
        "{} {}",
        paint(&s.name, options, |t| t.bold().to_string()),
        paint(&format!("({})", report.repository.path), options, |t| t
            .dimmed()
            .to_string())
    );
    match (&s.tier, &s.tier_source) {
        (Some(tier), Some(source)) => {
            let _ = write!(line, " · tier {tier} (from {source})");
        }
        _ => line.push_str(" · no tier"),
    }
    if let (Some(owner), Some(source)) = (&s.owner, &s.owner_source) {
        let _ = write!(line, " · owner {owner} (from {source})");
    }
    let _ = writeln!(out, "{line}");
    let _ = writeln!(
        out,
        "{}",
        paint(
            &format!(
                "policy {} · {} files, {} read · {}",
                report.policy.name,
                report.evidence.files,
                report.evidence.files_read,
                if s.deployable {
                    "deployable service"
                } else {
                    "not a deployable service"
                }
            ),
            options,
            |t| t.dimmed().to_string()
        )
    );
}

/// Lines above and below the table and under the header only.
const SCORECARD_STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

fn scorecard(report: &Report, options: &HumanOptions) -> String {
    let mut table = Table::new();
    table
        .load_style(SCORECARD_STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(options.width as u16)
        .set_header(["Activity", "Level", "Target", "Blocking the next level"]);
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let styled = |text: String, color: Option<Color>| {
        let cell = Cell::new(text);
        match color {
            Some(c) if options.color => cell.fg(c).add_attribute(Attribute::Bold),
            _ => cell,
        }
    };
    for activity in &report.activities {
        let (level, level_color) = level_cell(activity);
        let (target, target_color) = target_cell(activity);
        table.add_row([
            Cell::new(&activity.title),
            styled(level, level_color),
            styled(target, target_color),
            Cell::new(blockers_cell(activity)),
        ]);
    }
    let mut text: String = table
        .to_string()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    text.pop();
    text
}

fn level_cell(activity: &ActivityReport) -> (String, Option<Color>) {
    match (activity.level, &activity.level_name) {
        (Some(level), Some(name)) => {
            let color = match level {
                l if l >= activity.max_level => Color::Green,
                1 => Color::Red,
                _ => Color::Yellow,
            };
            (
                format!("{level}/{} {name}", activity.max_level),
                Some(color),
            )
        }
        _ => ("n/a".to_string(), None),
    }
}

fn target_cell(activity: &ActivityReport) -> (String, Option<Color>) {
    match activity.target {
        None => ("—".to_string(), None),
        Some(t) if !activity.applicable => (format!("{t} (n/a)"), None),
        Some(t) if activity.met => (format!("{t} ✓"), Some(Color::Green)),
        Some(t) => (format!("{t} ✗"), Some(Color::Red)),
    }
}

fn blockers_cell(activity: &ActivityReport) -> String {
    if !activity.applicable {
        return activity
            .not_applicable_reason
            .clone()
            .unwrap_or_else(|| "no criterion applies".to_string());
    }
    if activity.next_level.is_none() {
        return "— (highest level)".to_string();
    }
    if activity.blockers.is_empty() {
        return "—".to_string();
    }
    activity.blockers.join(", ")
}

fn gate_line(out: &mut String, report: &Report, options: &HumanOptions) {
    let with_target = report
        .activities
        .iter()
        .filter(|a| a.target.is_some())
        .count();
    if with_target == 0 {
        let _ = writeln!(
            out,
            "No targets set: set a tier in .opready.yaml or catalog-info.yaml, or pass --tier or --require ACTIVITY=LEVEL to gate on levels."
        );
    } else if report.summary.met {
        let text = format!("✓ All {with_target} targets met.");
        let _ = writeln!(
            out,
            "{}",
            paint(&text, options, |s| s.green().bold().to_string())
        );
    } else {
        let text = format!(
            "✗ {} of {with_target} activities below target: {}.",
            report.summary.below_target.len(),
            report.summary.below_target.join(", ")
        );
        let _ = writeln!(
            out,
            "{}",
            paint(&text, options, |s| s.red().bold().to_string())
        );
    }
}

/// Regressions and improvements listed in the baseline block; the rest are counted.
const MAX_BASELINE_LINES: usize = 10;

/// "Compared with baseline": what regressed (each line fails the check) and what improved.
fn baseline_block(out: &mut String, report: &Report, options: &HumanOptions) {
    let Some(b) = &report.baseline else {
        return;
    };
    let written = match (&b.tool_version, &b.policy) {
        (Some(v), Some(p)) => format!(" (opready {v}, policy {p})"),
        (Some(v), None) => format!(" (opready {v})"),
        (None, Some(p)) => format!(" (policy {p})"),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "\n{}{written}",
        paint(
            &format!("Compared with baseline {}", b.file),
            options,
            |s| s.bold().to_string()
        )
    );
    let level_name = |level: u8| {
        report
            .policy
            .levels
            .get(usize::from(level).saturating_sub(1))
            .map_or(String::new(), |n| format!(" {n}"))
    };
    if let Some(policy) = b.policy.as_ref().filter(|p| **p != report.policy.name) {
        let _ = writeln!(
            out,
            "  The baseline was written with the policy pack `{policy}`, not `{}`: criteria it does not know count as new.",
            report.policy.name
        );
    }
    let r = &b.regressions;
    let mut lines = Vec::new();
    for l in &r.levels {
        lines.push(format!(
            "{}: level {}{} → {}{}",
            l.activity,
            l.from,
            level_name(l.from),
            l.to,
            level_name(l.to)
        ));
    }
    for c in &r.criteria {
        let was = c.from.map_or("not in the baseline".to_string(), |s| {
            format!("was {}", s.as_str())
        });
        lines.push(format!(
            "{} [{}]: fails now ({was})",
            c.criterion, c.activity
        ));
    }
    // Findings of newly failing criteria are counted with their criterion, not repeated.
    let newly_failing = |criterion: &str| r.criteria.iter().any(|c| c.criterion == criterion);
    for f in r.findings.iter().filter(|f| !newly_failing(&f.criterion)) {
        let at = match (&f.path, f.line) {
            (Some(p), Some(l)) => format!("{p}:{l}: "),
            (Some(p), None) => format!("{p}: "),
            _ => String::new(),
        };
        lines.push(format!(
            "{} [{}]: new finding {at}{}",
            f.criterion, f.activity, f.message
        ));
    }
    if b.passed {
        let text = "✓ No regressions since the baseline.";
        let _ = writeln!(
            out,
            "  {}",
            paint(text, options, |s| s.green().bold().to_string())
        );
    } else {
        let text = format!(
            "✗ {} regression(s) since the baseline: fix them, waive them, or accept them with `opready baseline write`.",
            lines.len()
        );
        let _ = writeln!(
            out,
            "  {}",
            paint(&text, options, |s| s.red().bold().to_string())
        );
        for line in lines.iter().take(MAX_BASELINE_LINES) {
            let _ = writeln!(out, "    {line}");
        }
        if lines.len() > MAX_BASELINE_LINES {
            let _ = writeln!(
                out,
                "    … and {} more (see --format json)",
                lines.len() - MAX_BASELINE_LINES
            );
        }
    }
    let i = &b.improvements;
    let mut better = Vec::new();
    better.extend(
        i.levels
            .iter()
            .map(|l| format!("{} {} → {}", l.activity, l.from, l.to)),
    );
    if !i.criteria.is_empty() {
        let ids: Vec<&str> = i.criteria.iter().map(|c| c.criterion.as_str()).collect();
        better.push(format!("{} criteria fixed ({})", ids.len(), ids.join(", ")));
    }
    if !i.findings.is_empty() {
        better.push(format!("{} findings fixed", i.findings.len()));
    }
    if !better.is_empty() {
        let _ = writeln!(
            out,
            "  ↑ Improved: {}; `opready baseline write` locks it in.",
            better.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "  With --baseline only a regression fails the check; targets are shown, not enforced."
    );
}

// ---------------------------------------------------------------------------------------
// miette diagnostics

/// Findings without a snippet listed per criterion; the rest are counted.
const MAX_LISTED: usize = 8;

#[derive(Debug)]
struct CriterionDiag {
    message: String,
    severity: miette::Severity,
    related: Vec<FindingDiag>,
}

impl fmt::Display for CriterionDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CriterionDiag {}

impl MietteDiagnostic for CriterionDiag {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn MietteDiagnostic),
            ))
        }
    }
}

#[derive(Debug)]
struct FindingDiag {
    message: String,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
}

impl fmt::Display for FindingDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiag {}

impl MietteDiagnostic for FindingDiag {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn criterion_diagnostic(
    activity: &ActivityReport,
    criterion: &CriterionReport,
    root: Option<&Path>,
    options: &HumanOptions,
) -> CriterionDiag {
    let blocks_target = blocks_target(activity, criterion);
    let severity = if blocks_target {
        miette::Severity::Error
    } else {
        miette::Severity::Warning
    };
    let role = if blocks_target {
        "below target"
    } else {
        "not required"
    };
    let mut related = Vec::new();
    let mut snippets = 0;
    let mut listed = 0;
    let finding_severity = miette::Severity::Advice;
    for finding in &criterion.findings {
        if let (Some(path), Some(line)) = (&finding.path, finding.line)
            && snippets < options.snippets
            && let Some(diag) = located(finding, path, line, root, finding_severity)
        {
            snippets += 1;
            related.push(diag);
            continue;
        }
        listed += 1;
        if listed <= MAX_LISTED {
            related.push(FindingDiag {
                message: plain(finding),
                severity: finding_severity,
                source: None,
                label: None,
            });
        }
    }
    if listed > MAX_LISTED {
        related.push(FindingDiag {
            message: format!(
                "… and {} more findings (see --format json)",
                listed - MAX_LISTED
            ),
            severity: finding_severity,
            source: None,
            label: None,
        });
    }
    let message = format!(
        "{} — {} [{} · level {} · {role}]",
        criterion.id, criterion.title, activity.id, criterion.level
    );
    related.push(FindingDiag {
        message: format!(
            "fix: {}\nwhy: {}\nmore: opready explain {}",
            criterion.fix.trim(),
            criterion.why.trim(),
            criterion.id
        ),
        severity: miette::Severity::Advice,
        source: None,
        label: None,
    });
    CriterionDiag {
        message,
        severity,
        related,
    }
}

/// The criterion keeps its activity below the target.
fn blocks_target(activity: &ActivityReport, criterion: &CriterionReport) -> bool {
    !activity.met && activity.target.is_some_and(|t| criterion.level <= t)
}

fn plain(finding: &Finding) -> String {
    match (&finding.path, finding.line) {
        (Some(path), Some(line)) => format!("{path}:{line}: {}", finding.message),
        (Some(path), None) => format!("{path}: {}", finding.message),
        _ => finding.message.clone(),
    }
}

fn located(
    finding: &Finding,
    path: &str,
    line: u32,
    root: Option<&Path>,
    severity: miette::Severity,
) -> Option<FindingDiag> {
    let text = read_inside(root?, path)?;
    let (offset, len) = snippet_span(&text, line, finding.column.unwrap_or(1))?;
    Some(FindingDiag {
        message: format!("{path}:{line}"),
        severity,
        label: Some(LabeledSpan::new(Some(finding.message.clone()), offset, len)),
        source: Some(NamedSource::new(path, text)),
    })
}

fn file_diagnostic(d: &Diagnostic, root: Option<&Path>) -> FindingDiag {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    };
    if let (Some(path), Some(line), Some(root)) = (&d.path, d.line, root)
        && let Some(text) = read_inside(root, path)
        && let Some((offset, len)) = snippet_span(&text, line, d.column.unwrap_or(1))
    {
        return FindingDiag {
            message: format!("{path}:{line}: [{}]", d.code),
            severity,
            label: Some(LabeledSpan::new(Some(d.message.clone()), offset, len)),
            source: Some(NamedSource::new(path, text)),
        };
    }
    let place = match (&d.path, d.line) {
        (Some(p), Some(l)) => format!("{p}:{l}: "),
        (Some(p), None) => format!("{p}: "),
        _ => String::new(),
    };
    FindingDiag {
        message: format!("{place}{} [{}]", d.message, d.code),
        severity,
        label: None,
        source: None,
    }
}

/// Reads a report-named file for a snippet, refusing anything that is not a plain
/// relative path inside the root, and large or non-text files.
fn read_inside(root: &Path, path: &str) -> Option<String> {
    let rel = Path::new(path);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    let canonical_root = fs::canonicalize(root).ok()?;
    let canonical = fs::canonicalize(&full).ok()?;
    if !canonical.starts_with(&canonical_root) {
        return None;
    }
    let meta = fs::metadata(&canonical).ok()?;
    if !meta.is_file() || meta.len() > crate::scan::DEFAULT_MAX_FILE_SIZE {
        return None;
    }
    crate::scan::decode(fs::read(&canonical).ok()?).ok()
}

/// Lines longer than this (minified JSON, a generated or hostile file) are not shown as a
/// snippet: the whole line would be printed, then underlined.
const MAX_SNIPPET_LINE: usize = 1_000;

/// The span to label from a 1-based line and column to the end of the line; `None` when
/// the position is not in the text or the snippet around it would hold an overlong line.
fn snippet_span(text: &str, line: u32, column: u32) -> Option<(usize, usize)> {
    let offset = offset_of(text, line, column)?;
    // The snippet shows one line of context either side.
    let first = (line as usize).saturating_sub(2);
    let shown = if line <= 1 { 2 } else { 3 };
    if text
        .lines()
        .skip(first)
        .take(shown)
        .any(|l| l.len() > MAX_SNIPPET_LINE)
    {
        return None;
    }
    let len = text[offset..]
        .find('\n')
        .unwrap_or(text.len() - offset)
        .max(1);
    Some((offset, len))
}

/// Byte offset of a 1-based line and column (columns count characters).
fn offset_of(text: &str, line: u32, column: u32) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line as usize - 2)
            .map(|(i, _)| i + 1)?
    };
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let col = line_text[..line_end]
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(0, |(i, _)| i);
    Some(start + col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), Some(0));
        assert_eq!(offset_of(text, 2, 3), Some(5));
        assert_eq!(offset_of(text, 3, 1), Some(8));
        assert_eq!(offset_of(text, 9, 1), None);
    }

    #[test]
    fn overlong_lines_get_no_snippet() {
        let text = format!("a: 1\nb: {}\nc: 3\nd: 4\ne: 5\n", "[".repeat(5_000));
        assert_eq!(snippet_span(&text, 1, 1), None);
        assert_eq!(snippet_span(&text, 3, 1), None);
        assert_eq!(snippet_span(&text, 4, 1), Some((text.len() - 10, 4)));
        assert_eq!(snippet_span("a: 1\n", 1, 4), Some((3, 1)));
    }
}
