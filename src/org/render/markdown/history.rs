//! What the history adds to the Markdown page: the changes since the previous recorded
//! scan and the trend per activity; and the page of `opready org diff`, which lists the
//! same changes in full.

use std::fmt::Write;

use super::{cell, table};
use crate::org::OrgReport;
use crate::org::changes::{ActivityTrend, BlockerChange, LevelChange, OrgChanges, ScanRef};

/// Rows per table of changes on the scan's page; `org diff` lists them all.
pub const CHANGES_SHOWN: usize = 30;

/// Recorded scans shown as columns of the trend table (the sparkline covers them all).
pub const TREND_COLUMNS: usize = 6;

pub(super) fn since_previous(out: &mut String, changes: &OrgChanges) {
    let _ = writeln!(out, "\n## Since the previous scan\n");
    match (&changes.previous, &changes.current) {
        (Some(previous), current) => {
            let _ = writeln!(
                out,
                "{} compared with {}.\n",
                current
                    .as_ref()
                    .map_or("This scan".to_string(), |c| capitalised(&scan_name(c))),
                scan_name(previous)
            );
        }
        (None, Some(current)) => {
            let _ = writeln!(
                out,
                "This is the first recorded scan ({}): the next one will be compared with it.",
                scan_name(current)
            );
            return;
        }
        (None, None) => {
            let _ = writeln!(out, "No earlier scan is recorded.");
            return;
        }
    }
    sections(out, changes, "###", Some(CHANGES_SHOWN));
}

pub(super) fn diff_page(changes: &OrgChanges, from: &str, to: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Changes between scans\n");
    let _ = writeln!(out, "{} compared with {}.\n", capitalised(to), from);
    sections(&mut out, changes, "##", None);
    out
}

fn scan_name(scan: &ScanRef) -> String {
    format!("scan {} of {}", scan.id, cell(&scan.recorded_at))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The overview line and one section per kind of change.
fn sections(out: &mut String, changes: &OrgChanges, heading: &str, limit: Option<usize>) {
    if let Some(rules) = &changes.rules_changed {
        let _ = writeln!(out, "> ⚠ {}\n", cell(&rules.sentence()));
    }
    if changes.is_empty() {
        let _ = writeln!(out, "Nothing changed.");
        return;
    }
    let ups = changes.ups().count();
    let downs = changes.downs().count();
    let other = changes.levels.len() - ups - downs;
    let mut overview = format!(
        "**{} up, {} down**",
        plural(ups, "activity", "activities"),
        downs
    );
    if other > 0 {
        let _ = write!(
            overview,
            ", {} with another change (target, or rated on one side only)",
            other
        );
    }
    let _ = write!(
        overview,
        "; {}, {} fixed; {} added, {} removed.",
        plural(changes.new_blockers.len(), "new blocker", "new blockers"),
        changes.fixed_blockers.len(),
        plural(changes.added.len(), "repository", "repositories"),
        changes.removed.len()
    );
    let _ = writeln!(out, "{overview}");
    if !changes.newly_met.is_empty() {
        let _ = writeln!(
            out,
            "\nNow meeting every target: {}.",
            listed(&changes.newly_met, limit)
        );
    }
    if !changes.newly_below_target.is_empty() {
        let _ = writeln!(
            out,
            "\nNow below a target: {}.",
            listed(&changes.newly_below_target, limit)
        );
    }

    if !changes.levels.is_empty() {
        let _ = writeln!(out, "\n{heading} Levels per service\n");
        let _ = writeln!(
            out,
            "Level and target before → now; ↑ up, ↓ down; – not applicable, or the repository could not be rated.\n"
        );
        let header = [
            "Repository",
            "Service",
            "Team",
            "Activity",
            "Level",
            "Target",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = shown(&changes.levels, limit)
            .iter()
            .map(|c| {
                vec![
                    cell(&c.repository),
                    cell(c.service.as_deref().unwrap_or("")),
                    cell(c.team.as_deref().unwrap_or("")),
                    format!("`{}`", cell(&c.activity)),
                    level_cell(c),
                    target_cell(c),
                ]
            })
            .collect();
        table(out, &header, &rows);
        more(out, changes.levels.len(), limit);
    }

    if !changes.teams.is_empty() {
        let _ = writeln!(out, "\n{heading} Levels per team\n");
        let header = [
            "Team",
            "Activities up",
            "Activities down",
            "New blockers",
            "Fixed blockers",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = changes
            .teams
            .iter()
            .map(|t| {
                vec![
                    t.team
                        .as_deref()
                        .map_or_else(|| "*no owner*".to_string(), cell),
                    t.up.to_string(),
                    t.down.to_string(),
                    t.new_blockers.to_string(),
                    t.fixed_blockers.to_string(),
                ]
            })
            .collect();
        table(out, &header, &rows);
    }

    for (title, blockers) in [
        ("New blockers", &changes.new_blockers),
        ("Fixed blockers", &changes.fixed_blockers),
    ] {
        if blockers.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading} {title}\n");
        blocker_table(out, blockers, limit);
    }

    if !changes.added.is_empty() || !changes.removed.is_empty() {
        let _ = writeln!(out, "\n{heading} Repositories added and removed\n");
        if !changes.added.is_empty() {
            let _ = writeln!(out, "- added: {}", listed(&changes.added, limit));
        }
        if !changes.removed.is_empty() {
            let _ = writeln!(out, "- removed: {}", listed(&changes.removed, limit));
        }
    }
}

fn shown<T>(items: &[T], limit: Option<usize>) -> &[T] {
    match limit {
        Some(limit) if items.len() > limit => &items[..limit],
        _ => items,
    }
}

fn more(out: &mut String, total: usize, limit: Option<usize>) {
    if let Some(limit) = limit.filter(|l| total > *l) {
        let _ = writeln!(
            out,
            "\n{} more: `opready org diff --history FILE` lists every change.",
            total - limit
        );
    }
}

fn listed(paths: &[String], limit: Option<usize>) -> String {
    let mut text = shown(paths, limit)
        .iter()
        .map(|p| cell(p))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(limit) = limit.filter(|l| paths.len() > *l) {
        let _ = write!(text, " and {} more", paths.len() - limit);
    }
    text
}

fn level(level: Option<u8>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.to_string())
}

fn level_cell(c: &LevelChange) -> String {
    match c.direction() {
        1 => format!("{} → {} ↑", level(c.before), level(c.after)),
        -1 => format!("{} → {} ↓", level(c.before), level(c.after)),
        _ if c.before == c.after => level(c.after),
        _ => format!("{} → {}", level(c.before), level(c.after)),
    }
}

fn target_cell(c: &LevelChange) -> String {
    if c.target_before == c.target_after {
        level(c.target_after)
    } else {
        format!("{} → {}", level(c.target_before), level(c.target_after))
    }
}

fn blocker_table(out: &mut String, blockers: &[BlockerChange], limit: Option<usize>) {
    let header = ["Repository", "Team", "Criterion", "Activity", "Level"].map(String::from);
    let rows: Vec<Vec<String>> = shown(blockers, limit)
        .iter()
        .map(|b| {
            vec![
                cell(&b.repository),
                cell(b.team.as_deref().unwrap_or("")),
                format!("`{}` {}", cell(&b.criterion), cell(&b.title)),
                format!("`{}`", cell(&b.activity)),
                b.level.to_string(),
            ]
        })
        .collect();
    table(out, &header, &rows);
    more(out, blockers.len(), limit);
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A mean level as one of eight bar heights, from level 1 (lowest) to `max` (highest).
fn spark(mean: f64, applicable: u32, max: usize) -> char {
    if applicable == 0 {
        return '·';
    }
    let span = (max.max(2) - 1) as f64;
    let ratio = ((mean - 1.0) / span).clamp(0.0, 1.0);
    let index = (ratio * 7.0).round() as usize;
    SPARKS.get(index).copied().unwrap_or('█')
}

pub(super) fn trends(out: &mut String, report: &OrgReport, trends: &[ActivityTrend]) {
    let Some(points) = trends.first().map(|t| t.points.len()).filter(|n| *n > 0) else {
        return;
    };
    let first = points.saturating_sub(TREND_COLUMNS);
    let _ = writeln!(out, "\n## Trend per activity\n");
    let _ = writeln!(
        out,
        "Mean level over the rated repositories where the activity applies, per recorded scan, oldest first{}; the trend bar covers every recorded scan ({}). Meeting target: repositories at or above their target, of those with one, now (and the change since the scan before).\n",
        if first > 0 {
            format!(" (the last {TREND_COLUMNS} shown)")
        } else {
            String::new()
        },
        points
    );
    let mut header = vec!["Activity".to_string()];
    if let Some(t) = trends.first() {
        header.extend(t.points[first..].iter().map(|p| {
            format!(
                "Scan {} ({})",
                p.scan.id,
                cell(p.scan.recorded_at.get(..10).unwrap_or(&p.scan.recorded_at))
            )
        }));
    }
    header.extend(["Trend", "Meeting target"].map(String::from));
    let max = report.policy.levels.len();
    let rows: Vec<Vec<String>> = trends
        .iter()
        .map(|t| {
            let mut row = vec![format!("{} (`{}`)", cell(&t.title), cell(&t.activity))];
            row.extend(t.points.iter().skip(first).map(|p| {
                if p.applicable == 0 {
                    "–".to_string()
                } else {
                    format!("{:.2}", p.mean_level)
                }
            }));
            // Trends of one history have a point per scan each; a shorter one is padded.
            while row.len() < header.len() - 2 {
                row.push("–".to_string());
            }
            row.push(
                t.points
                    .iter()
                    .map(|p| spark(p.mean_level, p.applicable, max))
                    .collect(),
            );
            let last = t.points.last();
            let before = t.points.len().checked_sub(2).and_then(|i| t.points.get(i));
            row.push(match last {
                Some(p) if p.with_target > 0 => {
                    let change = before
                        .map(|b| i64::from(p.met) - i64::from(b.met))
                        .filter(|d| *d != 0)
                        .map(|d| format!(" ({d:+})"))
                        .unwrap_or_default();
                    format!("{} of {}{change}", p.met, p.with_target)
                }
                _ => "–".to_string(),
            });
            row
        })
        .collect();
    table(out, &header, &rows);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::changes::TeamChange;

    fn change(
        repo: &str,
        activity: &str,
        levels: (Option<u8>, Option<u8>),
        targets: (Option<u8>, Option<u8>),
    ) -> LevelChange {
        LevelChange {
            repository: repo.into(),
            service: Some(repo.replace('/', "-")),
            team: Some("@acme/pay".into()),
            activity: activity.into(),
            before: levels.0,
            after: levels.1,
            target_before: targets.0,
            target_after: targets.1,
        }
    }

    #[test]
    fn level_and_target_cells() {
        assert_eq!(
            level_cell(&change("a", "slo", (Some(1), Some(2)), (None, None))),
            "1 → 2 ↑"
        );
        assert_eq!(
            level_cell(&change("a", "slo", (Some(3), Some(1)), (None, None))),
            "3 → 1 ↓"
        );
        assert_eq!(
            level_cell(&change("a", "slo", (Some(2), None), (None, None))),
            "2 → –"
        );
        let target = change("a", "slo", (Some(2), Some(2)), (Some(2), Some(3)));
        assert_eq!(
            (level_cell(&target), target_cell(&target)),
            ("2".into(), "2 → 3".into())
        );
    }

    #[test]
    fn sparks_span_the_levels() {
        assert_eq!(spark(1.0, 3, 3), '▁');
        assert_eq!(spark(3.0, 3, 3), '█');
        assert_eq!(spark(2.0, 3, 3), '▅');
        assert_eq!(spark(0.0, 0, 3), '·');
        assert_eq!(spark(5.0, 1, 1), '█');
    }

    #[test]
    fn the_diff_page_lists_everything() {
        let mut changes = OrgChanges {
            previous: Some(ScanRef {
                id: 1,
                recorded_at: "2026-11-16T09:00:00Z".into(),
            }),
            current: Some(ScanRef {
                id: 2,
                recorded_at: "2026-11-23T09:00:00Z".into(),
            }),
            added: vec!["new|repo".into()],
            removed: vec!["old".into()],
            ..OrgChanges::default()
        };
        for i in 0..40 {
            changes.levels.push(change(
                &format!("pay/{i:02}"),
                "slo",
                (Some(1), Some(2)),
                (Some(2), Some(2)),
            ));
        }
        changes.teams.push(TeamChange {
            team: Some("@acme/pay".into()),
            up: 40,
            down: 0,
            new_blockers: 0,
            fixed_blockers: 1,
        });
        changes.fixed_blockers.push(BlockerChange {
            repository: "pay/00".into(),
            team: Some("@acme/pay".into()),
            criterion: "slo-defined".into(),
            activity: "slo".into(),
            title: "At least one SLO is defined as code".into(),
            level: 2,
        });
        changes.newly_met.push("pay/00".into());
        let page = diff_page(
            &changes,
            "scan 1 of 2026-11-16T09:00:00Z",
            "scan 2 of 2026-11-23T09:00:00Z",
        );
        for needle in [
            "# Changes between scans",
            "Scan 2 of 2026-11-23T09:00:00Z compared with scan 1 of 2026-11-16T09:00:00Z.",
            "**40 activities up, 0 down**; 0 new blockers, 1 fixed; 1 repository added, 1 removed.",
            "Now meeting every target: pay/00.",
            "## Levels per service",
            "| pay/39 | pay-39 | @acme/pay | `slo` | 1 → 2 ↑ | 2 |",
            "| @acme/pay | 40 | 0 | 0 | 1 |",
            "## Fixed blockers",
            "| pay/00 | @acme/pay | `slo-defined` At least one SLO is defined as code | `slo` | 2 |",
            "- added: new\\|repo",
            "- removed: old",
        ] {
            assert!(page.contains(needle), "missing {needle:?} in\n{page}");
        }
        assert!(!page.contains("more:"));
        assert!(!page.contains("## New blockers"));
        assert!(!page.contains("rules changed"));

        // New rules are called out above the changes they may explain.
        changes.rules_changed = Some(crate::org::changes::RulesChange {
            policy: Some(("acme 01".into(), "acme 02".into())),
            version: None,
        });
        let page = diff_page(&changes, "scan 1", "scan 2");
        assert!(
            page.contains(
                "> ⚠ The rules changed between these scans (policy acme 01 → acme 02): some levels may have moved because of the rules, not the work.\n"
            ),
            "{page}"
        );

        // On the scan's page the tables are cut, and say where the rest is.
        let mut out = String::new();
        sections(&mut out, &changes, "###", Some(CHANGES_SHOWN));
        assert!(out.contains("| pay/29 |") && !out.contains("| pay/30 |"));
        assert!(out.contains("10 more: `opready org diff --history FILE` lists every change."));
    }

    #[test]
    fn nothing_changed_says_so() {
        let mut out = String::new();
        sections(&mut out, &OrgChanges::default(), "##", None);
        assert_eq!(out, "Nothing changed.\n");
    }
}
