//! What changed between two org scans, and how each activity moved across the recorded
//! scans: the data `opready org diff` prints and the dashboard shows next to the heat map.
//!
//! Both are plain data computed from org reports (the history stores every recorded scan's
//! report), so they can be tested without a database and rendered by any format.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
