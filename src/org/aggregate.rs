//! The roll-ups of an org report: a pure function of the pack's activities and the
//! repositories, so that shards merged and recomputed equal an unsharded scan.
//!
//! Repositories that could not be rated are counted (`errors`) but have no level, team or
//! blockers: they appear in no distribution, roll-up or ranking.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::org::{ActivityInfo, OrgPolicy, OrgRepository};
use crate::report::Report;

/// Roll-ups over every repository of the report.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Aggregate {
    /// Repositories in the report, rated or not.
    pub repositories: u32,
    /// Repositories with a report.
    pub rated: u32,
    /// Repositories that could not be rated.
    pub errors: u32,
    /// Rated repositories meeting every target.
    pub met: u32,
    /// Rated repositories with at least one activity below its target.
    pub below_target: u32,
    /// Per activity of the pack, in pack order: how the rated repositories are spread
    /// over the levels.
    pub activities: Vec<ActivityDistribution>,
    /// Per team (the repositories' `team`), sorted by team; repositories with no declared
    /// owner form the team `null`, listed first.
    pub teams: Vec<TeamRollup>,
    /// Criteria that block the next level of an activity, most repositories held back
    /// first; ties go to the one holding more repositories below target, then by
    /// criterion id. Every failing criterion that blocks some repository's next level is
    /// listed.
    pub blockers: Vec<BlockerRank>,
}

/// How the rated repositories are spread over the levels of one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityDistribution {
    pub id: String,
    pub title: String,
    /// One entry per level of the pack, from level 1 (zero counts included).
    pub levels: Vec<LevelCount>,
    /// Rated repositories where no criterion of the activity applies.
    pub not_applicable: u32,
    /// Rated repositories with a target for the activity.
    pub with_target: u32,
    /// Of those, the ones meeting it (a not-applicable activity meets any target).
    pub met: u32,
    /// Of those, the ones below it.
    pub below_target: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LevelCount {
    pub level: u8,
    pub name: String,
    /// Rated repositories at exactly this level.
    pub count: u32,
}

/// One team's repositories, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TeamRollup {
    /// The owner as the repositories declare it; `null` for repositories with no owner.
    pub team: Option<String>,
    /// Rated repositories of the team.
    pub repositories: u32,
    /// Of those, meeting every target.
    pub met: u32,
    /// Of those, with at least one activity below its target.
    pub below_target: u32,
    /// Per activity of the pack, in pack order.
    pub activities: Vec<TeamActivity>,
}

/// One activity across one team's repositories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TeamActivity {
    pub id: String,
    /// Repositories of the team where the activity applies (those with a level).
    pub applicable: u32,
    /// Lowest level reached; `null` when the activity applies to none.
    pub min: Option<u8>,
    /// The lower median level: at least half of the applicable repositories reach it or
    /// more. A level that exists (never 1.5), so it reads like any other level.
    pub median: Option<u8>,
    /// Highest level reached.
    pub max: Option<u8>,
    /// Repositories of the team where the activity is below its target.
    pub below_target: u32,
}

/// A criterion that holds repositories back from their next level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BlockerRank {
    /// The criterion id (`opready explain ID`).
    pub criterion: String,
    pub activity: String,
    pub title: String,
    /// The level it blocks.
    pub level: u8,
    /// Repositories it holds back (the criterion fails and blocks their next level).
    pub count: u32,
    /// Of those, the repositories whose activity is below its target: fixing the
    /// criterion moves them towards passing the gate.
    pub below_target: u32,
    /// Paths of the repositories it holds back, sorted.
    pub repositories: Vec<String>,
}

impl Aggregate {
    /// The roll-ups of `repositories` (in any order) rated against `policy`.
    pub fn compute(policy: &OrgPolicy, repositories: &[OrgRepository]) -> Self {
        let activities = &policy.activities;
        let mut sorted: Vec<&OrgRepository> = repositories.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let rated: Vec<(&OrgRepository, &Report)> = sorted
            .iter()
            .filter_map(|r| r.report().map(|report| (*r, report)))
            .collect();

        Aggregate {
            repositories: count(sorted.len()),
            rated: count(rated.len()),
            errors: count(sorted.len() - rated.len()),
            met: count(rated.iter().filter(|(r, _)| r.met).count()),
            below_target: count(rated.iter().filter(|(r, _)| !r.met).count()),
            activities: activities
                .iter()
                .map(|a| distribution(a, &policy.levels, &rated))
                .collect(),
            teams: teams(activities, &rated),
            blockers: blockers(&rated),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn distribution(
    activity: &ActivityInfo,
    level_names: &[String],
    rated: &[(&OrgRepository, &Report)],
) -> ActivityDistribution {
    let mut levels: Vec<LevelCount> = level_names
        .iter()
        .enumerate()
        .map(|(i, name)| LevelCount {
            level: u8::try_from(i + 1).unwrap_or(u8::MAX),
            name: name.clone(),
            count: 0,
        })
        .collect();
    let mut out = ActivityDistribution {
        id: activity.id.clone(),
        title: activity.title.clone(),
        levels: Vec::new(),
        not_applicable: 0,
        with_target: 0,
        met: 0,
        below_target: 0,
    };
    for (_, report) in rated {
        let Some(a) = report.activity(&activity.id) else {
            continue;
        };
        match a.level {
            Some(level) => {
                if let Some(slot) = levels.iter_mut().find(|l| l.level == level) {
                    slot.count += 1;
                }
            }
            None => out.not_applicable += 1,
        }
        if a.target.is_some() {
            out.with_target += 1;
            if a.met {
                out.met += 1;
            } else {
                out.below_target += 1;
            }
        }
    }
    out.levels = levels;
    out
}

fn teams(activities: &[ActivityInfo], rated: &[(&OrgRepository, &Report)]) -> Vec<TeamRollup> {
    let mut by_team: BTreeMap<Option<&str>, Vec<&(&OrgRepository, &Report)>> = BTreeMap::new();
    for entry in rated {
        by_team
            .entry(entry.0.team.as_deref())
            .or_default()
            .push(entry);
    }
    by_team
        .into_iter()
        .map(|(team, members)| TeamRollup {
            team: team.map(str::to_string),
            repositories: count(members.len()),
            met: count(members.iter().filter(|(r, _)| r.met).count()),
            below_target: count(members.iter().filter(|(r, _)| !r.met).count()),
            activities: activities
                .iter()
                .map(|activity| {
                    let reports = members
                        .iter()
                        .filter_map(|(_, rep)| rep.activity(&activity.id));
                    let mut levels: Vec<u8> = reports.clone().filter_map(|a| a.level).collect();
                    levels.sort_unstable();
                    TeamActivity {
                        id: activity.id.clone(),
                        applicable: count(levels.len()),
                        min: levels.first().copied(),
                        median: lower_median(&levels),
                        max: levels.last().copied(),
                        below_target: count(reports.filter(|a| !a.met).count()),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The lower median of sorted values.
fn lower_median(sorted: &[u8]) -> Option<u8> {
    if sorted.is_empty() {
        return None;
    }
    sorted.get((sorted.len() - 1) / 2).copied()
}

fn blockers(rated: &[(&OrgRepository, &Report)]) -> Vec<BlockerRank> {
    let mut by_criterion: BTreeMap<&str, BlockerRank> = BTreeMap::new();
    for (repo, report) in rated {
        for activity in &report.activities {
            for id in &activity.blockers {
                let Some(criterion) = activity.criterion(id) else {
                    continue;
                };
                let rank = by_criterion.entry(id).or_insert_with(|| BlockerRank {
                    criterion: id.clone(),
                    activity: activity.id.clone(),
                    title: criterion.title.clone(),
                    level: criterion.level,
                    count: 0,
                    below_target: 0,
                    repositories: Vec::new(),
                });
                // A criterion named twice by one activity's blockers counts once.
                if rank.repositories.last() == Some(&repo.path) {
                    continue;
                }
                rank.count += 1;
                if !activity.met {
                    rank.below_target += 1;
                }
                rank.repositories.push(repo.path.clone());
            }
        }
    }
    let mut ranks: Vec<BlockerRank> = by_criterion.into_values().collect();
    // Stable sort over the id order of the map: full ties stay sorted by criterion id.
    ranks.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.below_target.cmp(&a.below_target))
    });
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::ErrorKind;
    use crate::org::testing::rated;

    fn info(ids: &[&str]) -> OrgPolicy {
        OrgPolicy {
            name: "test".into(),
            origin: "built-in".into(),
            levels: vec!["Ad hoc".into(), "Defined".into(), "Best practice".into()],
            activities: ids
                .iter()
                .map(|id| ActivityInfo {
                    id: id.to_string(),
                    title: id.to_uppercase(),
                })
                .collect(),
            digest: String::new(),
        }
    }

    #[test]
    fn distributions_roll_ups_and_blockers() {
        let repos = vec![
            rated(
                "c",
                Some("@b"),
                &[
                    ("slo", Some(1), Some(2), &["slo-defined"]),
                    ("cost", None, None, &[]),
                ],
            ),
            rated(
                "a",
                Some("@a"),
                &[
                    ("slo", Some(2), Some(2), &["slo-burn-rate-alerting"]),
                    ("cost", Some(1), None, &["cost-allocation-tags"]),
                ],
            ),
            rated(
                "b",
                Some("@a"),
                &[
                    ("slo", Some(1), None, &["slo-defined"]),
                    ("cost", Some(3), None, &[]),
                ],
            ),
            rated(
                "d",
                None,
                &[("slo", Some(3), None, &[]), ("cost", Some(2), None, &[])],
            ),
            OrgRepository::failed("e".into(), ErrorKind::Config, "bad".into()),
        ];
        let agg = Aggregate::compute(&info(&["slo", "cost"]), &repos);
        assert_eq!(
            (
                agg.repositories,
                agg.rated,
                agg.errors,
                agg.met,
                agg.below_target
            ),
            (5, 4, 1, 3, 1)
        );

        let slo = &agg.activities[0];
        assert_eq!(slo.title, "SLO");
        assert_eq!(
            slo.levels.iter().map(|l| l.count).collect::<Vec<_>>(),
            [2, 1, 1]
        );
        assert_eq!(slo.levels[0].name, "Ad hoc");
        assert_eq!(
            (
                slo.not_applicable,
                slo.with_target,
                slo.met,
                slo.below_target
            ),
            (0, 2, 1, 1)
        );
        let cost = &agg.activities[1];
        assert_eq!(
            cost.levels.iter().map(|l| l.count).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert_eq!(cost.not_applicable, 1);

        let teams: Vec<Option<&str>> = agg.teams.iter().map(|t| t.team.as_deref()).collect();
        assert_eq!(teams, [None, Some("@a"), Some("@b")]);
        let a = &agg.teams[1];
        assert_eq!((a.repositories, a.met, a.below_target), (2, 2, 0));
        assert_eq!(
            (
                a.activities[0].min,
                a.activities[0].median,
                a.activities[0].max
            ),
            (Some(1), Some(1), Some(2))
        );
        assert_eq!(
            (a.activities[1].min, a.activities[1].median),
            (Some(1), Some(1))
        );
        let b = &agg.teams[2];
        assert_eq!(
            (
                b.activities[0].below_target,
                b.activities[1].applicable,
                b.activities[1].min
            ),
            (1, 0, None)
        );

        let ranked: Vec<(&str, u32, u32)> = agg
            .blockers
            .iter()
            .map(|b| (b.criterion.as_str(), b.count, b.below_target))
            .collect();
        assert_eq!(
            ranked,
            [
                ("slo-defined", 2, 1),
                ("cost-allocation-tags", 1, 0),
                ("slo-burn-rate-alerting", 1, 0)
            ]
        );
        assert_eq!(agg.blockers[0].repositories, ["b", "c"]);
        assert_eq!(agg.blockers[0].activity, "slo");
        assert_eq!(agg.blockers[0].level, 2);
    }

    #[test]
    fn order_of_repositories_does_not_matter() {
        let mut repos = vec![
            rated(
                "x",
                Some("@t"),
                &[("slo", Some(1), Some(2), &["slo-defined"])],
            ),
            rated("y", Some("@t"), &[("slo", Some(2), None, &[])]),
        ];
        let one = Aggregate::compute(&info(&["slo"]), &repos);
        repos.reverse();
        assert_eq!(Aggregate::compute(&info(&["slo"]), &repos), one);
    }

    #[test]
    fn lower_median_is_a_reached_level() {
        assert_eq!(lower_median(&[]), None);
        assert_eq!(lower_median(&[2]), Some(2));
        assert_eq!(lower_median(&[1, 3]), Some(1));
        assert_eq!(lower_median(&[1, 2, 3]), Some(2));
        assert_eq!(lower_median(&[1, 1, 3, 3]), Some(1));
    }

    #[test]
    fn nothing_rated_still_lists_every_activity() {
        let repos = vec![OrgRepository::failed(
            "x".into(),
            ErrorKind::Unreadable,
            "gone".into(),
        )];
        let agg = Aggregate::compute(&info(&["slo"]), &repos);
        assert_eq!(agg.activities.len(), 1);
        assert_eq!(agg.activities[0].levels.len(), 3);
        assert_eq!(agg.activities[0].levels[2].name, "Best practice");
        assert!(agg.teams.is_empty() && agg.blockers.is_empty());
    }
}
