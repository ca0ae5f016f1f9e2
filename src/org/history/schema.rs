//! The history database's layout, and how a file is recognised and brought up to date.
//!
//! A history is an SQLite file whose `PRAGMA application_id` is [`APPLICATION_ID`] and
//! whose `PRAGMA user_version` is the version of its layout. [`MIGRATIONS`]`[v]` takes a
//! database from version `v` to `v + 1`; a new layout is a new entry there, never an edit
//! of an old one. docs/org.md documents every table and column (keep them in step).

/// `PRAGMA application_id` of an opready history: "oprd" in ASCII.
pub const APPLICATION_ID: i32 = 0x6f70_7264;

/// The layout this opready writes and reads.
pub const SCHEMA_VERSION: i32 = 1;

/// `MIGRATIONS[v]` takes the layout from version `v` to `v + 1` (version 0: an empty
/// file).
pub const MIGRATIONS: &[&str] = &[V1];

const V1: &str = "
CREATE TABLE scans (
    id            INTEGER PRIMARY KEY,
    recorded_at   TEXT    NOT NULL,
    tool_version  TEXT    NOT NULL,
    policy_name   TEXT    NOT NULL,
    policy_digest TEXT    NOT NULL,
    shard         TEXT,
    settings      TEXT    NOT NULL,
    repositories  INTEGER NOT NULL,
    rated         INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    met           INTEGER NOT NULL,
    below_target  INTEGER NOT NULL,
    report        TEXT    NOT NULL
);
CREATE INDEX scans_by_time ON scans (recorded_at, id);

CREATE TABLE repositories (
    scan_id    INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    path       TEXT    NOT NULL,
    service    TEXT,
    team       TEXT,
    tier       TEXT,
    met        INTEGER NOT NULL,
    error_kind TEXT,
    error      TEXT,
    PRIMARY KEY (scan_id, path)
);
CREATE INDEX repositories_by_team ON repositories (team, scan_id);
CREATE INDEX repositories_by_path ON repositories (path, scan_id);

CREATE TABLE activity_levels (
    scan_id  INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    path     TEXT    NOT NULL,
    activity TEXT    NOT NULL,
    level    INTEGER,
    target   INTEGER,
    met      INTEGER NOT NULL,
    PRIMARY KEY (scan_id, path, activity)
);
CREATE INDEX activity_levels_by_activity ON activity_levels (activity, scan_id);
CREATE INDEX activity_levels_by_path ON activity_levels (path, activity, scan_id);

CREATE TABLE blockers (
    scan_id   INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    path      TEXT    NOT NULL,
    criterion TEXT    NOT NULL,
    activity  TEXT    NOT NULL,
    level     INTEGER NOT NULL,
    title     TEXT    NOT NULL,
    PRIMARY KEY (scan_id, path, criterion)
);
CREATE INDEX blockers_by_criterion ON blockers (criterion, scan_id);
";

/// The tables a history has; a database holding anything else and no opready
/// `application_id` is someone else's.
pub const TABLES: &[&str] = &["scans", "repositories", "activity_levels", "blockers"];
