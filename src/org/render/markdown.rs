//! `--format markdown`: the page to bring to the meeting (GitHub-flavoured Markdown).
//!
//! A summary line; the activity × level distribution; the team roll-up (min / median
//! level per activity); the top blockers with how many repositories they hold back and
//! the `opready explain` id; the repositories below target; the repositories that could
//! not be rated. Everything comes from the report, in its order.

use std::fmt::Write;

use crate::org::OrgReport;
use crate::org::changes::{HistoryContext, OrgChanges};

mod history;

/// Blockers listed; the JSON report has them all.
pub const TOP_BLOCKERS: usize = 15;

pub fn render(report: &OrgReport) -> String {
    render_with_history(report, None)
}

/// The page with what the history adds, when there is one: the changes since the previous
/// recorded scan and the trend per activity, right after the summary (the page without a
/// history is exactly [`render`]'s).
pub fn render_with_history(report: &OrgReport, history: Option<&HistoryContext>) -> String {
    let mut out = String::new();
    summary(&mut out, report);
    if let Some(history) = history {
        history::since_previous(&mut out, &history.changes);
        history::trends(&mut out, report, &history.trends);
    }
    body(&mut out, report);
    out
}

/// `opready org diff`: what changed from the scan or report called `from` to the one
/// called `to`, every change listed.
pub fn render_changes(changes: &OrgChanges, from: &str, to: &str) -> String {
    history::diff_page(changes, from, to)
}

/// Title, summary line and settings.
fn summary(out: &mut String, report: &OrgReport) {
    let agg = &report.aggregate;
    let _ = writeln!(out, "# Operational readiness\n");
    let shard = report
        .shard
        .map(|s| format!(" · shard {s}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} repositories · policy `{}` · opready {}{shard}\n",
        agg.repositories,
        cell(&report.policy.name),
        cell(&report.tool.version)
    );
    let _ = write!(
        out,
        "**{} of {} rated repositories meet their targets**; {} below target",
        agg.met, agg.rated, agg.below_target
    );
    if agg.errors > 0 {
        let _ = write!(out, "; {} could not be rated", agg.errors);
    }
    let _ = writeln!(out, ".");
    let settings = settings_line(report);
    if !settings.is_empty() {
        let _ = writeln!(out, "\n{settings}");
    }
}

/// Levels, teams, blockers, repositories below target, repositories not rated.
fn body(out: &mut String, report: &OrgReport) {
    let agg = &report.aggregate;

    // Activity × level.
    let _ = writeln!(out, "\n## Levels per activity\n");
    let mut header = vec!["Activity".to_string()];
    header.extend(
        report
            .policy
            .levels
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{} {}", i + 1, cell(name))),
    );
    header.extend(["n/a", "With target", "Below target"].map(String::from));
    let mut rows = Vec::new();
    for a in &agg.activities {
        let mut row = vec![format!("{} (`{}`)", cell(&a.title), cell(&a.id))];
        row.extend(a.levels.iter().map(|l| l.count.to_string()));
        row.push(a.not_applicable.to_string());
        row.push(a.with_target.to_string());
        row.push(a.below_target.to_string());
        rows.push(row);
    }
    table(out, &header, &rows);

    // Teams.
    let _ = writeln!(out, "\n## Teams\n");
    if agg.teams.is_empty() {
        let _ = writeln!(out, "No rated repositories.");
    } else {
        let _ = writeln!(
            out,
            "Per activity: lowest / median level over the team's repositories where it applies (– when it applies to none).\n"
        );
        let mut header = vec![
            "Team".to_string(),
            "Repositories".to_string(),
            "Below target".to_string(),
        ];
        header.extend(
            report
                .policy
                .activities
                .iter()
                .map(|a| format!("`{}`", cell(&a.id))),
        );
        let rows: Vec<Vec<String>> = agg
            .teams
            .iter()
            .map(|t| {
                let mut row = vec![
                    t.team
                        .as_deref()
                        .map_or_else(|| "*no owner*".to_string(), cell),
                    t.repositories.to_string(),
                    t.below_target.to_string(),
                ];
                row.extend(t.activities.iter().map(|a| match (a.min, a.median) {
                    (Some(min), Some(median)) => format!("{min} / {median}"),
                    _ => "–".to_string(),
                }));
                row
            })
            .collect();
        table(out, &header, &rows);
    }

    // Blockers.
    let _ = writeln!(out, "\n## Top blockers\n");
    if agg.blockers.is_empty() {
        let _ = writeln!(out, "Nothing blocks a next level.");
    } else {
        let _ = writeln!(
            out,
            "Criteria that hold repositories back from their next level, most first. `opready explain ID` tells why each matters and how to fix it.\n"
        );
        let header = [
            "#",
            "Criterion",
            "Activity",
            "Level",
            "Repositories",
            "Below target",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = agg
            .blockers
            .iter()
            .take(TOP_BLOCKERS)
            .enumerate()
            .map(|(i, b)| {
                vec![
                    (i + 1).to_string(),
                    format!("`{}` {}", cell(&b.criterion), cell(&b.title)),
                    format!("`{}`", cell(&b.activity)),
                    b.level.to_string(),
                    b.count.to_string(),
                    b.below_target.to_string(),
                ]
            })
            .collect();
        table(out, &header, &rows);
        if agg.blockers.len() > TOP_BLOCKERS {
            let _ = writeln!(
                out,
                "\n{} more in the JSON report.",
                agg.blockers.len() - TOP_BLOCKERS
            );
        }
    }

    // Below target.
    let below: Vec<_> = report
        .repositories
        .iter()
        .filter_map(|r| r.report().filter(|_| !r.met).map(|rep| (r, rep)))
        .collect();
    let _ = writeln!(out, "\n## Repositories below target\n");
    if below.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let header = ["Repository", "Service", "Team", "Tier", "Below target"].map(String::from);
        let rows: Vec<Vec<String>> = below
            .iter()
            .map(|(r, rep)| {
                let activities: Vec<String> = rep
                    .activities
                    .iter()
                    .filter(|a| !a.met)
                    .map(|a| {
                        format!(
                            "`{}` {}/{}",
                            cell(&a.id),
                            a.level.map_or("n/a".to_string(), |l| l.to_string()),
                            a.target.map_or("–".to_string(), |t| t.to_string())
                        )
                    })
                    .collect();
                vec![
                    cell(&r.path),
                    cell(r.service.as_deref().unwrap_or("")),
                    cell(r.team.as_deref().unwrap_or("")),
                    cell(r.tier.as_deref().unwrap_or("")),
                    activities.join(", "),
                ]
            })
            .collect();
        let _ = writeln!(out, "Activities as level reached / target.\n");
        table(out, &header, &rows);
    }

    // Errors.
    let errors: Vec<_> = report
        .repositories
        .iter()
        .filter_map(|r| r.error().map(|e| (r, e)))
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\n## Repositories that could not be rated\n");
        let header = ["Repository", "Problem", "Details"].map(String::from);
        let rows: Vec<Vec<String>> = errors
            .iter()
            .map(|(r, e)| {
                let kind = serde_json::to_value(e.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                vec![cell(&r.path), kind, cell(&e.message)]
            })
            .collect();
        table(out, &header, &rows);
    }
}

fn settings_line(report: &OrgReport) -> String {
    let mut parts = Vec::new();
    if let Some(tier) = &report.settings.tier {
        parts.push(format!("every repository rated as tier {}", cell(tier)));
    }
    if !report.settings.require.is_empty() {
        let targets: Vec<String> = report
            .settings
            .require
            .iter()
            .map(|(a, l)| format!("`{}={l}`", cell(a)))
            .collect();
        parts.push(format!("targets required: {}", targets.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("Settings: {}.", parts.join("; "))
    }
}

fn table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    // Numbers (counts, levels, `min / median`) right-aligned, text left.
    let numeric = |i: usize| {
        !rows.is_empty()
            && rows.iter().all(|row| {
                row.get(i).is_some_and(|c| {
                    !c.is_empty()
                        && c.chars()
                            .all(|ch| ch.is_ascii_digit() || matches!(ch, ' ' | '/' | '–'))
                })
            })
    };
    let rule: Vec<&str> = (0..header.len())
        .map(|i| if numeric(i) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// Text from repositories (paths, team names, messages) made safe for a table cell: no
/// line breaks, no column breaks, no accidental emphasis, links or HTML.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{ErrorKind, OrgPolicy, OrgRepository, ScanSettings, tool_info};

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("my_repo *x* <b>"), "my\\_repo \\*x\\* \\<b\\>");
        assert_eq!(cell("@acme/payments"), "@acme/payments");
    }

    #[test]
    fn sections_of_the_page() {
        let pack = crate::policy::load::builtin().unwrap();
        let report = crate::org::testing::bare_report(&[("slo", 2)]);
        let repos = vec![
            OrgRepository::rated("pay/bare".into(), report),
            OrgRepository::failed("pay|x".into(), ErrorKind::Config, "bad\nworse".into()),
        ];
        let mut settings = ScanSettings::default();
        settings.require.insert("slo".into(), 2);
        let org =
            crate::org::OrgReport::new(tool_info(), OrgPolicy::of(&pack), settings, None, repos);
        let text = render(&org);
        for needle in [
            "# Operational readiness",
            "**0 of 1 rated repositories meet their targets**; 1 below target; 1 could not be rated.",
            "Settings: targets required: `slo=2`.",
            "| Activity | 1 Ad hoc | 2 Defined | 3 Best practice | n/a | With target | Below target |",
            "| SLI/SLO (`slo`) | 1 | 0 | 0 | 0 | 1 | 1 |",
            "| @acme/payments | 1 | 1 | 1 / 1 |",
            "| 1 | `slo-defined` At least one SLO is defined as code | `slo` | 2 | 1 | 1 |",
            "| pay/bare | service-bare | @acme/payments |  | `slo` 1/2 |",
            "| pay\\|x | config | bad worse |",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}
