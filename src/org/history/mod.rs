//! The history of org scans: an embedded SQLite database (`org scan --history FILE`,
//! `org merge --history FILE`) with one row per recorded scan, its repositories, their
//! activity levels and blockers, and the full org report so a past scan can be compared
//! with or rendered again.
//!
//! The org report itself carries no time; the history adds it (`recorded_at`). What is
//! read back is plain data: [`OrgChanges`] between two recorded reports and the
//! [`ActivityTrend`]s across all of them, for `org diff` and the rendered reports.
//!
//! Nothing here panics on a file it is given: a foreign, corrupt or newer database is a
//! [`HistoryError`] naming the file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::org::changes::{ActivityTrend, HistoryContext, OrgChanges, ScanRef, TrendPoint};
use crate::org::{ActivityInfo, OrgReport, merge};

pub mod clock;
pub mod schema;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

/// Why a history could not be used.
#[derive(Debug)]
pub enum HistoryError {
    /// No file there (only when reading a history).
    Missing(PathBuf),
    /// Not an SQLite database, a damaged one, or another program's.
    NotAHistory { path: PathBuf, reason: String },
    /// Written by a newer opready.
    Newer { path: PathBuf, version: i32 },
    /// Fewer scans recorded than the command needs.
    TooFewScans {
        path: PathBuf,
        recorded: usize,
        needed: usize,
    },
    /// No scan with this id.
    UnknownScan { path: PathBuf, id: i64 },
    /// A recorded report this opready cannot read back.
    Report { path: PathBuf, message: String },
    /// SQLite failed (locked, disk full, damaged pages found while reading).
    Sqlite {
        path: PathBuf,
        error: rusqlite::Error,
    },
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::Missing(path) => write!(
                f,
                "no history at {}: record scans with `opready org scan --history {}` first",
                path.display(),
                path.display()
            ),
            HistoryError::NotAHistory { path, reason } => write!(
                f,
                "{} is not an opready history database ({reason}); give `--history` a new file or one an earlier `opready org scan --history` wrote",
                path.display()
            ),
            HistoryError::Newer { path, version } => write!(
                f,
                "{} was written by a newer opready (history schema version {version}; this opready reads up to version {SCHEMA_VERSION}): use a newer opready",
                path.display()
            ),
            HistoryError::TooFewScans {
                path,
                recorded,
                needed,
            } => write!(
                f,
                "{} holds {recorded} recorded scan{}; comparing needs {needed}: record another with `opready org scan --history {}`",
                path.display(),
                if *recorded == 1 { "" } else { "s" },
                path.display()
            ),
            HistoryError::UnknownScan { path, id } => write!(
                f,
                "{} has no scan {id}: `opready org history --history {}` lists the recorded scans",
                path.display(),
                path.display()
            ),
            HistoryError::Report { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
            HistoryError::Sqlite { path, error } => {
                write!(f, "history {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for HistoryError {}

/// One recorded scan, as `org history` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    pub id: i64,
    pub recorded_at: String,
    pub tool_version: String,
    pub policy_name: String,
    pub policy_digest: String,
    pub repositories: u32,
    pub rated: u32,
    pub errors: u32,
    pub met: u32,
    pub below_target: u32,
}

impl ScanSummary {
    pub fn scan(&self) -> ScanRef {
        ScanRef {
            id: self.id,
            recorded_at: self.recorded_at.clone(),
        }
    }
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens the history at `path` to record scans, creating the file (and the layout)
    /// when it does not exist or is empty, and bringing an older layout up to date.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut history = History::connect(path, flags)?;
        history.prepare(true)?;
        Ok(history)
    }

    /// Opens an existing history to read it; never creates or changes the file.
    pub fn open_existing(path: &Path) -> Result<History, HistoryError> {
        if !path.exists() {
            return Err(HistoryError::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut history = History::connect(path, flags)?;
        history.prepare(false)?;
        Ok(history)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<History, HistoryError> {
        if path.is_dir() {
            return Err(HistoryError::NotAHistory {
                path: path.to_path_buf(),
                reason: "it is a directory".to_string(),
            });
        }
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| HistoryError::NotAHistory {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        let history = History {
            conn,
            path: path.to_path_buf(),
        };
        // Another scan recording at the same moment waits rather than fails.
        history
            .conn
            .busy_timeout(Duration::from_secs(30))
            .map_err(|e| history.sqlite(e))?;
        Ok(history)
    }

    /// Recognises the file and, when `writable`, creates or migrates the layout.
    fn prepare(&mut self, writable: bool) -> Result<(), HistoryError> {
        let not_a_history = |path: &Path, e: rusqlite::Error| HistoryError::NotAHistory {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        // The first read of the file: a file that is not a database fails here.
        let application_id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|e| not_a_history(&self.path, e))?;
        let version: i32 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| not_a_history(&self.path, e))?;
        let objects: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(|e| not_a_history(&self.path, e))?;
        if application_id != APPLICATION_ID {
            if application_id != 0 || objects > 0 || version != 0 {
                return Err(HistoryError::NotAHistory {
                    path: self.path.clone(),
                    reason: if application_id != 0 {
                        format!("an SQLite database of another application, id {application_id:#x}")
                    } else {
                        "an SQLite database with other tables".to_string()
                    },
                });
            }
            // An empty database: a new history.
            if !writable {
                return Err(HistoryError::TooFewScans {
                    path: self.path.clone(),
                    recorded: 0,
                    needed: 1,
                });
            }
        }
        if version > SCHEMA_VERSION {
            return Err(HistoryError::Newer {
                path: self.path.clone(),
                version,
            });
        }
        if version < 0 {
            return Err(HistoryError::NotAHistory {
                path: self.path.clone(),
                reason: format!("schema version {version}"),
            });
        }
        if version < SCHEMA_VERSION {
            if !writable {
                return Err(HistoryError::NotAHistory {
                    path: self.path.clone(),
                    reason: format!(
                        "schema version {version} predates this opready's {SCHEMA_VERSION}: record a scan into it to upgrade it"
                    ),
                });
            }
            self.migrate(version)?;
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Applies the migrations from `version` up, in one transaction.
    fn migrate(&mut self, version: i32) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let sqlite = |error| HistoryError::Sqlite {
            path: path.clone(),
            error,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(sqlite)?;
        // Someone else may have created it meanwhile.
        let now: i32 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(sqlite)?;
        if now == version {
            let from = usize::try_from(version).unwrap_or(usize::MAX);
            for step in schema::MIGRATIONS.iter().skip(from) {
                tx.execute_batch(step).map_err(sqlite)?;
            }
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
            ))
            .map_err(sqlite)?;
        }
        tx.commit().map_err(sqlite)
    }

    fn sqlite(&self, error: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite {
            path: self.path.clone(),
            error,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a whole organisation's report at `recorded_at` (RFC 3339, UTC), in one
    /// transaction. Shard results are refused: the history compares whole organisations.
    pub fn record(
        &mut self,
        report: &OrgReport,
        recorded_at: &str,
    ) -> Result<ScanRef, HistoryError> {
        if let Some(shard) = report.shard {
            return Err(HistoryError::Report {
                path: self.path.clone(),
                message: format!(
                    "a shard's result ({shard}) is not recorded: the history compares whole organisations; record the result of `opready org merge --history` instead"
                ),
            });
        }
        let json = serde_json::to_string(report).map_err(|e| HistoryError::Report {
            path: self.path.clone(),
            message: format!("cannot serialise the report: {e}"),
        })?;
        let settings = serde_json::to_string(&report.settings).unwrap_or_else(|_| "{}".into());
        let path = self.path.clone();
        let sqlite = |error| HistoryError::Sqlite {
            path: path.clone(),
            error,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let agg = &report.aggregate;
        tx.execute(
            "INSERT INTO scans (recorded_at, tool_version, policy_name, policy_digest, shard,
                settings, repositories, rated, errors, met, below_target, report)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                recorded_at,
                report.tool.version,
                report.policy.name,
                report.policy.digest,
                settings,
                agg.repositories,
                agg.rated,
                agg.errors,
                agg.met,
                agg.below_target,
                json
            ],
        )
        .map_err(sqlite)?;
        let id = tx.last_insert_rowid();
        {
            let mut repository = tx
                .prepare(
                    "INSERT INTO repositories (scan_id, path, service, team, tier, met, error_kind, error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(sqlite)?;
            let mut level = tx
                .prepare(
                    "INSERT OR IGNORE INTO activity_levels (scan_id, path, activity, level, target, met)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sqlite)?;
            let mut blocker = tx
                .prepare(
                    "INSERT OR IGNORE INTO blockers (scan_id, path, criterion, activity, level, title)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sqlite)?;
            for repo in &report.repositories {
                let (kind, message) = match repo.error() {
                    Some(e) => (
                        serde_json::to_value(e.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string)),
                        Some(e.message.as_str()),
                    ),
                    None => (None, None),
                };
                repository
                    .execute(params![
                        id,
                        repo.path,
                        repo.service,
                        repo.team,
                        repo.tier,
                        repo.met,
                        kind,
                        message
                    ])
                    .map_err(sqlite)?;
                let Some(rep) = repo.report() else {
                    continue;
                };
                for activity in &rep.activities {
                    level
                        .execute(params![
                            id,
                            repo.path,
                            activity.id,
                            activity.level,
                            activity.target,
                            activity.met
                        ])
                        .map_err(sqlite)?;
                    for criterion in &activity.blockers {
                        let Some(c) = activity.criterion(criterion) else {
                            continue;
                        };
                        blocker
                            .execute(params![id, repo.path, c.id, activity.id, c.level, c.title])
                            .map_err(sqlite)?;
                    }
                }
            }
        }
        tx.commit().map_err(sqlite)?;
        Ok(ScanRef {
            id,
            recorded_at: recorded_at.to_string(),
        })
    }

    /// Every recorded scan, oldest first (by `recorded_at`, then `id`).
    pub fn scans(&self) -> Result<Vec<ScanSummary>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, recorded_at, tool_version, policy_name, policy_digest, repositories,
                        rated, errors, met, below_target
                 FROM scans ORDER BY recorded_at, id",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok(ScanSummary {
                    id: row.get(0)?,
                    recorded_at: row.get(1)?,
                    tool_version: row.get(2)?,
                    policy_name: row.get(3)?,
                    policy_digest: row.get(4)?,
                    repositories: row.get(5)?,
                    rated: row.get(6)?,
                    errors: row.get(7)?,
                    met: row.get(8)?,
                    below_target: row.get(9)?,
                })
            })
            .map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))
    }

    /// The scan with this id.
    pub fn scan(&self, id: i64) -> Result<ScanRef, HistoryError> {
        self.conn
            .query_row(
                "SELECT id, recorded_at FROM scans WHERE id = ?1",
                [id],
                |row| {
                    Ok(ScanRef {
                        id: row.get(0)?,
                        recorded_at: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or_else(|| HistoryError::UnknownScan {
                path: self.path.clone(),
                id,
            })
    }

    /// The scan recorded just before `scan` (in the order of [`History::scans`]).
    pub fn previous(&self, scan: &ScanRef) -> Result<Option<ScanRef>, HistoryError> {
        self.conn
            .query_row(
                "SELECT id, recorded_at FROM scans WHERE (recorded_at, id) < (?1, ?2)
                 ORDER BY recorded_at DESC, id DESC LIMIT 1",
                params![scan.recorded_at, scan.id],
                |row| {
                    Ok(ScanRef {
                        id: row.get(0)?,
                        recorded_at: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// The org report recorded with scan `id`.
    pub fn report(&self, id: i64) -> Result<OrgReport, HistoryError> {
        let text: String = self
            .conn
            .query_row("SELECT report FROM scans WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or_else(|| HistoryError::UnknownScan {
                path: self.path.clone(),
                id,
            })?;
        merge::parse(&format!("the report of scan {id}"), &text).map_err(|message| {
            HistoryError::Report {
                path: self.path.clone(),
                message,
            }
        })
    }

    /// The trend of each of `activities` (pack order) across every recorded scan, oldest
    /// first: computed in SQL from `activity_levels`, equal to
    /// [`ActivityTrend::across`] over the recorded reports.
    pub fn trends(&self, activities: &[ActivityInfo]) -> Result<Vec<ActivityTrend>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT s.id, s.recorded_at, count(l.level), coalesce(sum(l.level), 0),
                        count(l.target), coalesce(sum(l.target IS NOT NULL AND l.met), 0)
                 FROM scans s
                 LEFT JOIN activity_levels l ON l.scan_id = s.id AND l.activity = ?1
                 GROUP BY s.id
                 ORDER BY s.recorded_at, s.id",
            )
            .map_err(|e| self.sqlite(e))?;
        let mut trends = Vec::new();
        for activity in activities {
            let points = statement
                .query_map([&activity.id], |row| {
                    let scan = ScanRef {
                        id: row.get(0)?,
                        recorded_at: row.get(1)?,
                    };
                    let level_sum: i64 = row.get(3)?;
                    Ok(TrendPoint::from_counts(
                        scan,
                        row.get(2)?,
                        u64::try_from(level_sum).unwrap_or(0),
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })
                .map_err(|e| self.sqlite(e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.sqlite(e))?;
            trends.push(ActivityTrend {
                activity: activity.id.clone(),
                title: activity.title.clone(),
                points,
            });
        }
        Ok(trends)
    }

    /// What the history adds to the rendering of `report`, recorded as `scan`: the changes
    /// since the scan recorded before it, and the trends.
    pub fn context(
        &self,
        scan: &ScanRef,
        report: &OrgReport,
    ) -> Result<HistoryContext, HistoryError> {
        let changes = match self.previous(scan)? {
            Some(previous) => {
                let before = self.report(previous.id)?;
                OrgChanges {
                    previous: Some(previous),
                    current: Some(scan.clone()),
                    ..OrgChanges::between(&before, report)
                }
            }
            None => OrgChanges {
                current: Some(scan.clone()),
                ..OrgChanges::default()
            },
        };
        Ok(HistoryContext {
            changes,
            trends: self.trends(&report.policy.activities)?,
        })
    }

    /// The changes between two recorded scans: `from` and `to` by id; by default `to` is
    /// the latest scan and `from` the one before `to`.
    pub fn diff(&self, from: Option<i64>, to: Option<i64>) -> Result<OrgChanges, HistoryError> {
        let scans = self.scans()?;
        let to = match to {
            Some(id) => self.scan(id)?,
            None => match scans.last() {
                Some(last) if scans.len() >= 2 || from.is_some() => last.scan(),
                _ => {
                    return Err(HistoryError::TooFewScans {
                        path: self.path.clone(),
                        recorded: scans.len(),
                        needed: 2,
                    });
                }
            },
        };
        let from = match from {
            Some(id) => self.scan(id)?,
            None => match self.previous(&to)? {
                Some(previous) => previous,
                None if scans.len() < 2 => {
                    return Err(HistoryError::TooFewScans {
                        path: self.path.clone(),
                        recorded: scans.len(),
                        needed: 2,
                    });
                }
                None => {
                    return Err(HistoryError::Report {
                        path: self.path.clone(),
                        message: format!(
                            "scan {} is the first recorded: give --from to compare it with a later one",
                            to.id
                        ),
                    });
                }
            },
        };
        let before = self.report(from.id)?;
        let after = self.report(to.id)?;
        Ok(OrgChanges {
            previous: Some(from),
            current: Some(to),
            ..OrgChanges::between(&before, &after)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{ErrorKind, OrgPolicy, OrgRepository, ScanSettings, Shard, tool_info};

    fn fixture_report(name: &str) -> crate::report::Report {
        crate::check::check(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name),
            &crate::policy::load::builtin().unwrap(),
            &crate::check::CheckOptions {
                require: vec![("slo".into(), 2)],
                ..Default::default()
            },
        )
        .unwrap()
        .report
    }

    /// `a` bare, `b` best practice, `c` broken; then `a` best practice, `b` bare, `c` gone,
    /// `d` new.
    fn two_scans() -> (OrgReport, OrgReport) {
        let bare = fixture_report("service-bare");
        let best = fixture_report("service-best-practice");
        let policy = OrgPolicy::of(&crate::policy::load::builtin().unwrap());
        let org = |repos| {
            OrgReport::new(
                tool_info(),
                policy.clone(),
                ScanSettings::default(),
                None,
                repos,
            )
        };
        let first = org(vec![
            OrgRepository::rated("a".into(), bare.clone()),
            OrgRepository::rated("b".into(), best.clone()),
            OrgRepository::failed("c".into(), ErrorKind::Config, "bad".into()),
        ]);
        let second = org(vec![
            OrgRepository::rated("a".into(), best),
            OrgRepository::rated("b".into(), bare.clone()),
            OrgRepository::rated("d".into(), bare),
        ]);
        (first, second)
    }

    fn count(history: &History, table: &str) -> i64 {
        history
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn records_reloads_and_compares_scans() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let (first, second) = two_scans();
        let mut history = History::open(&path).unwrap();
        let one = history.record(&first, "2026-11-16T09:00:00Z").unwrap();
        let context = history.context(&one, &first).unwrap();
        assert_eq!(context.changes.previous, None);
        assert_eq!(context.changes.current, Some(one.clone()));
        assert!(context.changes.is_empty());
        assert_eq!(context.trends.len(), first.policy.activities.len());
        assert!(context.trends.iter().all(|t| t.points.len() == 1));
        drop(history);

        // Reopened: the layout is there and not created again.
        let mut history = History::open(&path).unwrap();
        let two = history.record(&second, "2026-11-23T09:00:00Z").unwrap();
        assert_eq!((one.id, two.id), (1, 2));
        assert_eq!(history.report(1).unwrap(), first);
        assert_eq!(history.report(2).unwrap(), second);
        assert_eq!(history.previous(&two).unwrap(), Some(one.clone()));
        assert_eq!(history.previous(&one).unwrap(), None);

        let context = history.context(&two, &second).unwrap();
        assert_eq!(
            context.changes,
            OrgChanges {
                previous: Some(one.clone()),
                current: Some(two.clone()),
                ..OrgChanges::between(&first, &second)
            }
        );
        assert_eq!(context.changes.added, ["d"]);
        assert_eq!(context.changes.removed, ["c"]);
        assert!(context.changes.ups().any(|c| c.repository == "a"));
        assert!(context.changes.downs().any(|c| c.repository == "b"));
        // The trends computed in SQL equal those computed from the reports.
        assert_eq!(
            context.trends,
            ActivityTrend::across(
                &second.policy.activities,
                &[(one.clone(), &first), (two.clone(), &second)]
            )
        );
        assert_eq!(history.diff(None, None).unwrap(), context.changes);
        let back = history.diff(Some(2), Some(1)).unwrap();
        assert_eq!(back.added, ["c"]);

        let scans = history.scans().unwrap();
        assert_eq!(scans.len(), 2);
        assert_eq!(
            (scans[0].repositories, scans[0].rated, scans[0].errors),
            (3, 2, 1)
        );
        assert_eq!(scans[1].policy_digest, second.policy.digest);

        // The tables hold one row per repository, per rated activity, per blocker.
        let activities = second.policy.activities.len() as i64;
        assert_eq!(count(&history, "repositories"), 6);
        assert_eq!(count(&history, "activity_levels"), 5 * activities);
        let blockers: usize = [&first, &second]
            .iter()
            .flat_map(|r| r.repositories.iter().filter_map(|r| r.report()))
            .flat_map(|r| r.activities.iter().map(|a| a.blockers.len()))
            .sum();
        assert_eq!(count(&history, "blockers"), blockers as i64);
        let error: (String, String) = history
            .conn
            .query_row(
                "SELECT error_kind, error FROM repositories WHERE path = 'c'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(error, ("config".to_string(), "bad".to_string()));

        // Deleting a scan takes its rows with it.
        history
            .conn
            .execute("DELETE FROM scans WHERE id = 1", [])
            .unwrap();
        assert_eq!(count(&history, "repositories"), 3);
    }

    #[test]
    fn scans_are_ordered_by_time_then_id() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = two_scans();
        let mut history = History::open(&dir.path().join("h.db")).unwrap();
        let late = history.record(&first, "2026-11-23T09:00:00Z").unwrap();
        let early = history.record(&first, "2026-11-16T09:00:00Z").unwrap();
        let ids: Vec<i64> = history.scans().unwrap().iter().map(|s| s.id).collect();
        assert_eq!(ids, [early.id, late.id]);
        assert_eq!(history.previous(&late).unwrap(), Some(early.clone()));
        assert_eq!(history.previous(&early).unwrap(), None);
        let trend = &history.trends(&first.policy.activities).unwrap()[0];
        assert_eq!(trend.points[0].scan, early);
    }

    #[test]
    fn recording_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = two_scans();
        let mut history = History::open(&dir.path().join("h.db")).unwrap();
        history
            .conn
            .execute_batch(
                "CREATE TRIGGER fail BEFORE INSERT ON blockers BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
            )
            .unwrap();
        let err = history.record(&first, "2026-11-16T09:00:00Z").unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(count(&history, "scans"), 0);
        assert_eq!(count(&history, "repositories"), 0);
    }

    #[test]
    fn a_shard_is_not_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, _) = two_scans();
        first.shard = Some("1/2".parse::<Shard>().unwrap());
        let mut history = History::open(&dir.path().join("h.db")).unwrap();
        let err = history.record(&first, "2026-11-16T09:00:00Z").unwrap_err();
        assert!(err.to_string().contains("org merge --history"), "{err}");
    }

    fn open_error(bytes: Option<&[u8]>, setup: Option<&str>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        if let Some(bytes) = bytes {
            std::fs::write(&path, bytes).unwrap();
        }
        if let Some(sql) = setup {
            Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        }
        let err = History::open(&path).err().map(|e| e.to_string());
        let read = History::open_existing(&path).err().map(|e| e.to_string());
        assert_eq!(err.is_some(), read.is_some(), "{err:?} {read:?}");
        // Nothing was written to a file that was refused.
        if let (Some(bytes), None) = (bytes, setup) {
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
        }
        err.unwrap_or_default()
    }

    #[test]
    fn foreign_corrupt_and_newer_files_are_refused_with_a_message() {
        let text = open_error(
            Some(
                b"these are my notes, not a database\n"
                    .repeat(200)
                    .as_slice(),
            ),
            None,
        );
        assert!(
            text.contains("is not an opready history database (file is not a database)"),
            "{text}"
        );

        let mut damaged = b"SQLite format 3\0".to_vec();
        damaged.extend(std::iter::repeat_n(0xA5u8, 8192));
        let text = open_error(Some(&damaged), None);
        assert!(
            text.contains("is not an opready history database"),
            "{text}"
        );

        let text = open_error(None, Some("CREATE TABLE notes (body TEXT);"));
        assert!(
            text.contains("an SQLite database with other tables"),
            "{text}"
        );

        let text = open_error(None, Some("PRAGMA application_id = 42;"));
        assert!(text.contains("another application, id 0x2a"), "{text}");

        let newer = format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
            SCHEMA_VERSION + 1
        );
        let text = open_error(None, Some(&newer));
        assert!(
            text.contains(&format!(
                "written by a newer opready (history schema version {}",
                SCHEMA_VERSION + 1
            )),
            "{text}"
        );
    }

    #[test]
    fn reading_needs_a_recorded_history() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        let err = History::open_existing(&missing).err().unwrap().to_string();
        assert!(err.starts_with("no history at"), "{err}");
        assert!(!missing.exists(), "reading must not create the file");

        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let err = History::open_existing(&empty).err().unwrap().to_string();
        assert!(err.contains("holds 0 recorded scans"), "{err}");

        let err = History::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("it is a directory"), "{err}");

        // An empty file is a new history when recording.
        let (first, _) = two_scans();
        let mut history = History::open(&empty).unwrap();
        history.record(&first, "2026-11-16T09:00:00Z").unwrap();
        let err = history.diff(None, None).unwrap_err().to_string();
        assert!(err.contains("holds 1 recorded scan;"), "{err}");
        let err = history.diff(Some(7), None).unwrap_err().to_string();
        assert!(err.contains("has no scan 7"), "{err}");
        let err = history.diff(None, Some(1)).unwrap_err().to_string();
        assert!(err.contains("holds 1 recorded scan;"), "{err}");
        // A scan compared with itself: nothing changed.
        assert!(history.diff(Some(1), None).unwrap().is_empty());

        let read = History::open_existing(&empty).unwrap();
        assert_eq!(read.scans().unwrap().len(), 1);
    }

    #[test]
    fn a_report_that_cannot_be_read_back_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = two_scans();
        let mut history = History::open(&dir.path().join("h.db")).unwrap();
        let scan = history.record(&first, "2026-11-16T09:00:00Z").unwrap();
        history
            .conn
            .execute("UPDATE scans SET report = '{\"schema_version\": 99}'", [])
            .unwrap();
        let err = history.report(scan.id).unwrap_err().to_string();
        assert!(err.contains("schema version 99"), "{err}");
        history
            .conn
            .execute("UPDATE scans SET report = 'garbage'", [])
            .unwrap();
        assert!(history.report(scan.id).is_err());
    }
}
