//! What changed between two org scans, and how each activity moved across the recorded
//! scans: the data `opready org diff` prints and the dashboard shows next to the heat map.
//!
//! Both are plain data computed from org reports (the history stores every recorded scan's
//! report), so they can be tested without a database and rendered by any format.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::org::{ActivityInfo, OrgReport, OrgRepository};
use crate::report::Report;

/// One recorded scan, as the history knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScanRef {
    /// The scan's id in the history database (`scans.id`).
    pub id: i64,
    /// When it was recorded, RFC 3339 in UTC (e.g. `2026-11-23T09:00:00Z`).
    pub recorded_at: String,
}

/// What changed from one scan to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct OrgChanges {
    /// The earlier scan; `None` when there is nothing to compare with (the first scan).
    pub previous: Option<ScanRef>,
    /// The later scan; `None` when it is the scan being rendered and not (yet) recorded.
    pub current: Option<ScanRef>,
    /// Repositories in the later scan only, sorted.
    pub added: Vec<String>,
    /// Repositories in the earlier scan only, sorted.
    pub removed: Vec<String>,
    /// Every activity whose level or target changed in a repository present in both,
    /// sorted by repository then pack order of the activity.
    pub levels: Vec<LevelChange>,
    /// Per team, the sum of its repositories' level changes, sorted by team (no owner
    /// first). Teams with no change are left out.
    pub teams: Vec<TeamChange>,
    /// Criteria blocking a repository's next level now that did not before, sorted by
    /// repository then criterion.
    pub new_blockers: Vec<BlockerChange>,
    /// Criteria that blocked a repository's next level before and no longer do (fixed,
    /// waived, or the level moved past them), sorted by repository then criterion.
    pub fixed_blockers: Vec<BlockerChange>,
    /// Repositories that met every target before and do not now, sorted.
    pub newly_below_target: Vec<String>,
    /// Repositories below a target before that now meet every target, sorted.
    pub newly_met: Vec<String>,
    /// The rules changed between the scans (another pack content, or another opready
    /// version), so levels may have moved because of the rules rather than the work;
    /// `None` when both scans used the same rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_changed: Option<RulesChange>,
}

/// What differs in the rules of two scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RulesChange {
    /// The policy pack's name and digest before and after, when the digest differs.
    pub policy: Option<(String, String)>,
    /// The opready version before and after, when it differs.
    pub version: Option<(String, String)>,
}

impl RulesChange {
    /// The change between `previous` and `current`, if any.
    pub fn between(previous: &OrgReport, current: &OrgReport) -> Option<RulesChange> {
        let policy = (previous.policy.digest != current.policy.digest).then(|| {
            (
                format!("{} {}", previous.policy.name, previous.policy.digest),
                format!("{} {}", current.policy.name, current.policy.digest),
            )
        });
        let version = (previous.tool.version != current.tool.version)
            .then(|| (previous.tool.version.clone(), current.tool.version.clone()));
        (policy.is_some() || version.is_some()).then_some(RulesChange { policy, version })
    }

    /// One sentence for a report: what changed, and what it means for the levels.
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        if let Some((before, after)) = &self.policy {
            parts.push(format!("policy {before} → {after}"));
        }
        if let Some((before, after)) = &self.version {
            parts.push(format!("opready {before} → {after}"));
        }
        format!(
            "The rules changed between these scans ({}): some levels may have moved because of the rules, not the work.",
            parts.join("; ")
        )
    }
}

/// One activity of one repository that moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LevelChange {
    pub repository: String,
    pub service: Option<String>,
    pub team: Option<String>,
    pub activity: String,
    /// `None` when the activity did not apply (or the repository could not be rated).
    pub before: Option<u8>,
    pub after: Option<u8>,
    pub target_before: Option<u8>,
    pub target_after: Option<u8>,
}

impl LevelChange {
    /// `1` for a level up, `-1` for a level down, `0` when only the target or
    /// applicability changed.
    pub fn direction(&self) -> i8 {
        match (self.before, self.after) {
            (Some(b), Some(a)) if a > b => 1,
            (Some(b), Some(a)) if a < b => -1,
            _ => 0,
        }
    }
}

/// One team's movement between two scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TeamChange {
    pub team: Option<String>,
    /// Activities (over the team's repositories) that went up a level or more.
    pub up: u32,
    /// Activities that went down.
    pub down: u32,
    pub new_blockers: u32,
    pub fixed_blockers: u32,
}

/// A criterion that started or stopped blocking a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BlockerChange {
    pub repository: String,
    pub team: Option<String>,
    pub criterion: String,
    pub activity: String,
    pub title: String,
    /// The level it blocks (now for a new blocker, before for a fixed one).
    pub level: u8,
}

/// How one activity stood across the recorded scans, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityTrend {
    pub activity: String,
    pub title: String,
    pub points: Vec<TrendPoint>,
}

/// One activity in one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendPoint {
    pub scan: ScanRef,
    /// Rated repositories where the activity applies.
    pub applicable: u32,
    /// Mean level over those (0 when none).
    pub mean_level: f64,
    /// Repositories with a target for the activity, and of those the ones meeting it.
    pub with_target: u32,
    pub met: u32,
}

/// What the history adds to a rendered org report: the changes since the previous
/// recorded scan and the trend of every activity (pack order).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct HistoryContext {
    pub changes: OrgChanges,
    pub trends: Vec<ActivityTrend>,
}

impl OrgChanges {
    /// What changed from `previous` to `current` (`previous` and `current` scan refs are
    /// left `None`: the caller knows which recorded scans these are).
    ///
    /// - Level changes: every repository present in both, every activity of the current
    ///   pack (then any activity only the previous pack had) whose level or target differs.
    ///   A repository that could not be rated on one side has no level there (`None`), so
    ///   a repository that broke shows each of its activities going to `None`.
    /// - Blockers are compared only where the repository was rated both times: a
    ///   repository that could not be rated has fixed nothing.
    /// - Added and removed repositories are listed as such; their levels and blockers are
    ///   not changes.
    /// - The team of a change is the repository's team now, or before when it could not be
    ///   rated now.
    pub fn between(previous: &OrgReport, current: &OrgReport) -> OrgChanges {
        let before: BTreeMap<&str, &OrgRepository> = previous
            .repositories
            .iter()
            .map(|r| (r.path.as_str(), r))
            .collect();
        let after: BTreeMap<&str, &OrgRepository> = current
            .repositories
            .iter()
            .map(|r| (r.path.as_str(), r))
            .collect();
        let mut changes = OrgChanges {
            added: after
                .keys()
                .filter(|p| !before.contains_key(*p))
                .map(|p| p.to_string())
                .collect(),
            removed: before
                .keys()
                .filter(|p| !after.contains_key(*p))
                .map(|p| p.to_string())
                .collect(),
            rules_changed: RulesChange::between(previous, current),
            ..OrgChanges::default()
        };

        // The current pack's activities, then those only the previous pack had.
        let mut activities: Vec<&str> = current
            .policy
            .activities
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        for a in &previous.policy.activities {
            if !activities.contains(&a.id.as_str()) {
                activities.push(&a.id);
            }
        }

        for (path, now) in &after {
            let Some(then) = before.get(path) else {
                continue;
            };
            let team = if now.report().is_some() {
                now.team.clone()
            } else {
                then.team.clone()
            };
            let service = now.service.clone().or_else(|| then.service.clone());
            for id in &activities {
                let old = then.report().and_then(|r| r.activity(id));
                let new = now.report().and_then(|r| r.activity(id));
                let (before, target_before) =
                    (old.and_then(|a| a.level), old.and_then(|a| a.target));
                let (after, target_after) = (new.and_then(|a| a.level), new.and_then(|a| a.target));
                if (before, target_before) != (after, target_after) {
                    changes.levels.push(LevelChange {
                        repository: path.to_string(),
                        service: service.clone(),
                        team: team.clone(),
                        activity: id.to_string(),
                        before,
                        after,
                        target_before,
                        target_after,
                    });
                }
            }
            if let (Some(old), Some(new)) = (then.report(), now.report()) {
                let old_blockers = blockers_of(old);
                let new_blockers = blockers_of(new);
                for (criterion, blocker) in &new_blockers {
                    if !old_blockers.contains_key(criterion) {
                        changes.new_blockers.push(blocker.change(path, &team));
                    }
                }
                for (criterion, blocker) in &old_blockers {
                    if !new_blockers.contains_key(criterion) {
                        changes.fixed_blockers.push(blocker.change(path, &team));
                    }
                }
            }
            if then.met && !now.met {
                changes.newly_below_target.push(path.to_string());
            }
            if !then.met && now.met {
                changes.newly_met.push(path.to_string());
            }
        }

        let mut teams: BTreeMap<Option<String>, TeamChange> = BTreeMap::new();
        for change in &changes.levels {
            let entry = team_entry(&mut teams, &change.team);
            match change.direction() {
                1 => entry.up += 1,
                -1 => entry.down += 1,
                _ => {}
            }
        }
        for blocker in &changes.new_blockers {
            team_entry(&mut teams, &blocker.team).new_blockers += 1;
        }
        for blocker in &changes.fixed_blockers {
            team_entry(&mut teams, &blocker.team).fixed_blockers += 1;
        }
        changes.teams = teams
            .into_values()
            .filter(|t| t.up + t.down + t.new_blockers + t.fixed_blockers > 0)
            .collect();
        changes
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.levels.is_empty()
            && self.new_blockers.is_empty()
            && self.fixed_blockers.is_empty()
            && self.newly_below_target.is_empty()
            && self.newly_met.is_empty()
    }

    /// Activities that went up a level or more.
    pub fn ups(&self) -> impl Iterator<Item = &LevelChange> {
        self.levels.iter().filter(|c| c.direction() > 0)
    }

    /// Activities that went down.
    pub fn downs(&self) -> impl Iterator<Item = &LevelChange> {
        self.levels.iter().filter(|c| c.direction() < 0)
    }
}

fn team_entry<'a>(
    teams: &'a mut BTreeMap<Option<String>, TeamChange>,
    name: &Option<String>,
) -> &'a mut TeamChange {
    teams.entry(name.clone()).or_insert_with(|| TeamChange {
        team: name.clone(),
        up: 0,
        down: 0,
        new_blockers: 0,
        fixed_blockers: 0,
    })
}

/// One criterion blocking a repository's next level.
struct Blocker<'a> {
    criterion: &'a str,
    activity: &'a str,
    title: &'a str,
    level: u8,
}

impl Blocker<'_> {
    fn change(&self, path: &str, team: &Option<String>) -> BlockerChange {
        BlockerChange {
            repository: path.to_string(),
            team: team.clone(),
            criterion: self.criterion.to_string(),
            activity: self.activity.to_string(),
            title: self.title.to_string(),
            level: self.level,
        }
    }
}

/// The criteria blocking some activity's next level, by criterion id.
fn blockers_of(report: &Report) -> BTreeMap<&str, Blocker<'_>> {
    let mut out = BTreeMap::new();
    for activity in &report.activities {
        for id in &activity.blockers {
            let Some(criterion) = activity.criterion(id) else {
                continue;
            };
            out.entry(id.as_str()).or_insert(Blocker {
                criterion: id,
                activity: &activity.id,
                title: &criterion.title,
                level: criterion.level,
            });
        }
    }
    out
}

impl TrendPoint {
    /// A point from counts: `level_sum` is the sum of the levels of the `applicable`
    /// repositories.
    pub fn from_counts(
        scan: ScanRef,
        applicable: u32,
        level_sum: u64,
        with_target: u32,
        met: u32,
    ) -> TrendPoint {
        let mean_level = if applicable == 0 {
            0.0
        } else {
            level_sum as f64 / f64::from(applicable)
        };
        TrendPoint {
            scan,
            applicable,
            mean_level,
            with_target,
            met,
        }
    }

    /// How `activity` stood in `report` (from its aggregate; zero everywhere when the
    /// report's pack has no such activity).
    pub fn of(scan: ScanRef, report: &OrgReport, activity: &str) -> TrendPoint {
        let Some(a) = report
            .aggregate
            .activities
            .iter()
            .find(|a| a.id == activity)
        else {
            return TrendPoint::from_counts(scan, 0, 0, 0, 0);
        };
        let applicable = a.levels.iter().map(|l| l.count).sum();
        let level_sum = a
            .levels
            .iter()
            .map(|l| u64::from(l.level) * u64::from(l.count))
            .sum();
        TrendPoint::from_counts(scan, applicable, level_sum, a.with_target, a.met)
    }
}

impl ActivityTrend {
    /// The trend of each of `activities` (in their order: the pack's) across `scans`,
    /// which are given oldest first.
    pub fn across(activities: &[ActivityInfo], scans: &[(ScanRef, &OrgReport)]) -> Vec<Self> {
        activities
            .iter()
            .map(|activity| ActivityTrend {
                activity: activity.id.clone(),
                title: activity.title.clone(),
                points: scans
                    .iter()
                    .map(|(scan, report)| TrendPoint::of(scan.clone(), report, &activity.id))
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::testing::rated;
    use crate::org::{ErrorKind, OrgPolicy, ScanSettings, tool_info};

    fn org(repos: Vec<OrgRepository>) -> OrgReport {
        let mut policy = OrgPolicy::of(&crate::policy::load::builtin().unwrap());
        policy
            .activities
            .retain(|a| ["slo", "monitoring", "cost"].contains(&a.id.as_str()));
        OrgReport::new(tool_info(), policy, ScanSettings::default(), None, repos)
    }

    fn scan(id: i64) -> ScanRef {
        ScanRef {
            id,
            recorded_at: format!("2026-11-{:02}T09:00:00Z", id),
        }
    }

    fn moves(changes: &OrgChanges) -> Vec<(String, String, i8)> {
        changes
            .levels
            .iter()
            .map(|c| (c.repository.clone(), c.activity.clone(), c.direction()))
            .collect()
    }

    #[test]
    fn nothing_changed() {
        let repos = || {
            vec![rated(
                "a",
                Some("@t"),
                &[("slo", Some(1), Some(2), &["slo-defined"])],
            )]
        };
        let changes = OrgChanges::between(&org(repos()), &org(repos()));
        assert!(changes.is_empty(), "{changes:?}");
        assert!(changes.teams.is_empty());
        assert_eq!(changes.rules_changed, None);
    }

    #[test]
    fn new_rules_are_called_out() {
        let repos = || vec![rated("a", None, &[("slo", Some(1), None, &[])])];
        let before = org(repos());
        let mut after = org(repos());
        after.policy.digest = "0123456789abcdef".into();
        after.tool.version = "9.9.9".into();
        let changes = OrgChanges::between(&before, &after);
        let rules = changes.rules_changed.expect("rules changed");
        assert_eq!(
            rules.version,
            Some((before.tool.version.clone(), "9.9.9".to_string()))
        );
        let sentence = rules.sentence();
        assert!(
            sentence.contains(&format!(
                "policy opready-builtin {} → opready-builtin 0123456789abcdef",
                before.policy.digest
            )),
            "{sentence}"
        );
        assert!(sentence.contains("not the work"), "{sentence}");
    }

    #[test]
    fn levels_up_and_down_with_blockers_and_team_sums() {
        let before = org(vec![
            rated(
                "pay/api",
                Some("@pay"),
                &[
                    ("slo", Some(1), Some(2), &["slo-defined"]),
                    ("monitoring", Some(2), None, &["paging-alerts-have-runbook"]),
                ],
            ),
            rated(
                "pay/web",
                Some("@pay"),
                &[("slo", Some(2), Some(2), &[]), ("cost", Some(2), None, &[])],
            ),
            rated(
                "search",
                Some("@search"),
                &[("monitoring", Some(3), Some(2), &[])],
            ),
        ]);
        let after = org(vec![
            rated(
                "pay/api",
                Some("@pay"),
                &[
                    // Level up: slo-defined fixed, a level-3 blocker appears.
                    ("slo", Some(2), Some(2), &["slo-burn-rate-alerting"]),
                    ("monitoring", Some(2), None, &["paging-alerts-have-runbook"]),
                ],
            ),
            rated(
                "pay/web",
                Some("@pay"),
                // Level down below target; cost unchanged.
                &[
                    ("slo", Some(1), Some(2), &["slo-defined"]),
                    ("cost", Some(2), None, &[]),
                ],
            ),
            rated(
                "search",
                Some("@search"),
                &[("monitoring", Some(1), Some(2), &["alerts-defined"])],
            ),
        ]);
        let changes = OrgChanges::between(&before, &after);
        assert_eq!(
            moves(&changes),
            [
                ("pay/api".into(), "slo".into(), 1),
                ("pay/web".into(), "slo".into(), -1),
                ("search".into(), "monitoring".into(), -1),
            ]
        );
        let up = &changes.levels[0];
        assert_eq!(
            (up.before, up.after, up.target_before, up.target_after),
            (Some(1), Some(2), Some(2), Some(2))
        );
        assert_eq!(up.service.as_deref(), Some("pay/api"));
        assert_eq!(up.team.as_deref(), Some("@pay"));

        let new: Vec<(&str, &str, &str, u8)> = changes
            .new_blockers
            .iter()
            .map(|b| {
                (
                    b.repository.as_str(),
                    b.criterion.as_str(),
                    b.activity.as_str(),
                    b.level,
                )
            })
            .collect();
        assert_eq!(
            new,
            [
                ("pay/api", "slo-burn-rate-alerting", "slo", 3),
                ("pay/web", "slo-defined", "slo", 2),
                ("search", "alerts-defined", "monitoring", 2),
            ]
        );
        assert!(!changes.new_blockers[0].title.is_empty());
        let fixed: Vec<(&str, &str)> = changes
            .fixed_blockers
            .iter()
            .map(|b| (b.repository.as_str(), b.criterion.as_str()))
            .collect();
        assert_eq!(fixed, [("pay/api", "slo-defined")]);

        assert_eq!(
            changes.teams,
            [
                TeamChange {
                    team: Some("@pay".into()),
                    up: 1,
                    down: 1,
                    new_blockers: 2,
                    fixed_blockers: 1
                },
                TeamChange {
                    team: Some("@search".into()),
                    up: 0,
                    down: 1,
                    new_blockers: 1,
                    fixed_blockers: 0
                },
            ]
        );
        assert_eq!(changes.newly_met, ["pay/api"]);
        assert_eq!(changes.newly_below_target, ["pay/web", "search"]);
        assert!(changes.added.is_empty() && changes.removed.is_empty());
    }

    #[test]
    fn a_target_only_change_is_a_change_but_neither_up_nor_down() {
        let before = org(vec![rated("a", None, &[("slo", Some(2), None, &[])])]);
        let after = org(vec![rated("a", None, &[("slo", Some(2), Some(3), &[])])]);
        let changes = OrgChanges::between(&before, &after);
        assert_eq!(moves(&changes), [("a".into(), "slo".into(), 0)]);
        assert_eq!(
            (
                changes.levels[0].target_before,
                changes.levels[0].target_after
            ),
            (None, Some(3))
        );
        assert_eq!(changes.ups().count() + changes.downs().count(), 0);
        // No up, down or blocker: no team line.
        assert!(changes.teams.is_empty());
        assert_eq!(changes.newly_below_target, ["a"]);
    }

    #[test]
    fn added_and_removed_repositories_are_not_level_changes() {
        let before = org(vec![
            rated(
                "gone",
                Some("@t"),
                &[("slo", Some(1), None, &["slo-defined"])],
            ),
            rated("stays", Some("@t"), &[("slo", Some(1), None, &[])]),
        ]);
        let after = org(vec![
            rated("new", Some("@t"), &[("slo", Some(3), None, &[])]),
            rated("stays", Some("@t"), &[("slo", Some(1), None, &[])]),
            rated(
                "z-new",
                Some("@u"),
                &[("slo", Some(1), None, &["slo-defined"])],
            ),
        ]);
        let changes = OrgChanges::between(&before, &after);
        assert_eq!(changes.added, ["new", "z-new"]);
        assert_eq!(changes.removed, ["gone"]);
        assert!(changes.levels.is_empty());
        assert!(changes.new_blockers.is_empty() && changes.fixed_blockers.is_empty());
        assert!(changes.teams.is_empty());
        assert!(!changes.is_empty());
    }

    #[test]
    fn a_repository_that_could_not_be_rated_loses_its_levels_but_fixes_nothing() {
        let before = org(vec![rated(
            "a",
            Some("@t"),
            &[
                ("slo", Some(2), Some(2), &["slo-burn-rate-alerting"]),
                ("cost", None, None, &[]),
            ],
        )]);
        let after = org(vec![OrgRepository::failed(
            "a".into(),
            ErrorKind::Config,
            ".opready.yaml:1:1: bad".into(),
        )]);
        let changes = OrgChanges::between(&before, &after);
        // cost was not applicable before and has no level now: no change.
        assert_eq!(moves(&changes), [("a".into(), "slo".into(), 0)]);
        let c = &changes.levels[0];
        assert_eq!((c.before, c.after, c.target_after), (Some(2), None, None));
        // The team and service are the ones it had when it was last rated.
        assert_eq!(c.team.as_deref(), Some("@t"));
        assert_eq!(c.service.as_deref(), Some("a"));
        assert!(changes.fixed_blockers.is_empty());
        assert_eq!(changes.newly_below_target, ["a"]);

        // And back: its levels return, nothing is a new blocker.
        let back = OrgChanges::between(&after, &before);
        assert_eq!(back.levels[0].before, None);
        assert_eq!(back.levels[0].after, Some(2));
        assert!(back.new_blockers.is_empty());
        assert_eq!(back.newly_met, ["a"]);
    }

    #[test]
    fn a_team_move_counts_for_the_new_team() {
        let before = org(vec![rated(
            "a",
            Some("@old"),
            &[("slo", Some(1), None, &[])],
        )]);
        let after = org(vec![rated(
            "a",
            Some("@new"),
            &[("slo", Some(2), None, &[])],
        )]);
        let changes = OrgChanges::between(&before, &after);
        assert_eq!(changes.teams.len(), 1);
        assert_eq!(changes.teams[0].team.as_deref(), Some("@new"));
        assert_eq!(changes.teams[0].up, 1);
    }

    #[test]
    fn teams_sorted_with_no_owner_first() {
        let before = org(vec![
            rated("a", Some("@b"), &[("slo", Some(1), None, &[])]),
            rated("b", None, &[("slo", Some(1), None, &[])]),
            rated("c", Some("@a"), &[("slo", Some(1), None, &[])]),
        ]);
        let after = org(vec![
            rated("a", Some("@b"), &[("slo", Some(2), None, &[])]),
            rated("b", None, &[("slo", Some(3), None, &[])]),
            rated("c", Some("@a"), &[("slo", Some(2), None, &[])]),
        ]);
        let teams: Vec<Option<String>> = OrgChanges::between(&before, &after)
            .teams
            .into_iter()
            .map(|t| t.team)
            .collect();
        assert_eq!(teams, [None, Some("@a".into()), Some("@b".into())]);
    }

    #[test]
    fn an_activity_the_pack_dropped_is_listed_after_the_current_ones() {
        let before = org(vec![rated(
            "a",
            None,
            &[("slo", Some(1), None, &[]), ("cost", Some(2), None, &[])],
        )]);
        let mut after = org(vec![rated("a", None, &[("slo", Some(2), None, &[])])]);
        after.policy.activities.retain(|a| a.id != "cost");
        let changes = OrgChanges::between(&before, &after);
        assert_eq!(
            moves(&changes),
            [
                ("a".into(), "slo".into(), 1),
                ("a".into(), "cost".into(), 0)
            ]
        );
    }

    #[test]
    fn trends_follow_the_pack_and_the_scans() {
        let first = org(vec![
            rated(
                "a",
                None,
                &[("slo", Some(1), Some(2), &[]), ("cost", None, None, &[])],
            ),
            rated(
                "b",
                None,
                &[("slo", Some(2), None, &[]), ("cost", Some(1), None, &[])],
            ),
            OrgRepository::failed("c".into(), ErrorKind::Unreadable, "gone".into()),
        ]);
        let second = org(vec![
            rated(
                "a",
                None,
                &[("slo", Some(3), Some(2), &[]), ("cost", None, None, &[])],
            ),
            rated(
                "b",
                None,
                &[("slo", Some(2), Some(3), &[]), ("cost", Some(1), None, &[])],
            ),
            rated(
                "c",
                None,
                &[("slo", Some(2), None, &[]), ("cost", Some(3), Some(2), &[])],
            ),
        ]);
        let trends = ActivityTrend::across(
            &first.policy.activities,
            &[(scan(1), &first), (scan(2), &second)],
        );
        let ids: Vec<&str> = trends.iter().map(|t| t.activity.as_str()).collect();
        let pack: Vec<&str> = first
            .policy
            .activities
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, pack);
        let slo = trends.iter().find(|t| t.activity == "slo").unwrap();
        assert_eq!(slo.title, "SLI/SLO");
        let points: Vec<(i64, u32, f64, u32, u32)> = slo
            .points
            .iter()
            .map(|p| (p.scan.id, p.applicable, p.mean_level, p.with_target, p.met))
            .collect();
        assert_eq!(points, [(1, 2, 1.5, 1, 0), (2, 3, 7.0 / 3.0, 2, 1)]);
        let cost = trends.iter().find(|t| t.activity == "cost").unwrap();
        let points: Vec<(u32, f64, u32, u32)> = cost
            .points
            .iter()
            .map(|p| (p.applicable, p.mean_level, p.with_target, p.met))
            .collect();
        assert_eq!(points, [(1, 1.0, 0, 0), (2, 2.0, 1, 1)]);
        // An activity nobody rated: zeros, not NaN.
        let monitoring = trends.iter().find(|t| t.activity == "monitoring").unwrap();
        assert_eq!(monitoring.points[0].mean_level, 0.0);
        assert_eq!(monitoring.points[0].applicable, 0);
    }
}
