//! The history of org scans end to end, through the binary: a small synthetic organisation
//! scanned and recorded, changed (one activity raised, one broken, a repository added, one
//! that can no longer be rated), scanned again; the second scan's page, `org diff` (from
//! the history and from two saved reports) and `org history` show the differences; bad
//! history files are refused with exit 2 before any scan; the documented `sqlite3` queries
//! run against a recorded history.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/synthetic_org.rs"]
mod synthetic_org;

use synthetic_org::{synthetic_org, write};

const TODAY: &str = "2025-06-02";
const FIRST: &str = "2026-11-16T09:00:00Z";
const SECOND: &str = "2026-11-23T09:00:00Z";

fn opready_at(now: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opready"));
    cmd.args(args)
        .env("OPREADY_TODAY", TODAY)
        .env_remove("OPREADY_NOW")
        .env_remove("RAYON_NUM_THREADS");
    if let Some(now) = now {
        cmd.env("OPREADY_NOW", now);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Replaces `repo` with a copy of a fixture repository, a `.git` and this `.opready.yaml`.
fn checkout(repo: &Path, fixture_name: &str, config: &str) {
    if repo.exists() {
        fs::remove_dir_all(repo).unwrap();
    }
    copy_tree(&fixture(fixture_name), repo);
    write(repo, ".git/HEAD", b"ref: refs/heads/main\n");
    write(repo, ".opready.yaml", config.as_bytes());
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::create_dir_all(to).unwrap();
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The organisation of the first scan: 24 synthetic repositories, two of them replaced by
/// repositories whose levels the test knows.
fn first_state(org: &Path) {
    synthetic_org(org, 24);
    checkout(
        &org.join("svc-000"),
        "service-bare",
        "service: svc-000\nowner: \"@acme/payments\"\ntargets: {vulnerability: 2}\n",
    );
    checkout(
        &org.join("svc-005"),
        "service-best-practice",
        "service: svc-005\nowner: \"@acme/search\"\n",
    );
}

/// The changes of the week: svc-000 automates dependency updates and adds a security
/// policy (vulnerability 1 → 2, meeting its target now), svc-005 loses its postmortem
/// template (postmortem 3 → 1, below target now), svc-010 breaks its `.opready.yaml`, and
/// svc-new appears.
fn second_state(org: &Path) {
    let best = fixture("service-best-practice");
    write(
        &org.join("svc-000"),
        "SECURITY.md",
        &fs::read(best.join("SECURITY.md")).unwrap(),
    );
    write(
        &org.join("svc-000"),
        ".github/dependabot.yml",
        &fs::read(best.join(".github/dependabot.yml")).unwrap(),
    );
    fs::remove_file(org.join("svc-005/docs/postmortems/template.md")).unwrap();
    write(&org.join("svc-010"), ".opready.yaml", b"tier: [1,\n");
    checkout(
        &org.join("svc-new"),
        "service-bare",
        "owner: \"@acme/web\"\n",
    );
}

/// The part of a page from the line starting with `start` up to (not including) the line
/// starting with `end` (or the end).
fn section<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{page}"));
    let rest = &page[from..];
    match rest[start.len()..].find(end) {
        Some(to) => &rest[..start.len() + to],
        None => rest,
    }
}

#[test]
fn a_second_scan_shows_its_differences_from_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let history = dir.path().join("history.db");
    let h = s(&history);
    first_state(&org);

    // First scan: recorded, nothing to compare with yet; its JSON saved for `org diff`.
    let old_json = dir.path().join("old.json");
    let saved = opready_at(
        None,
        &["org", "scan", s(&org), "-f", "json", "-o", s(&old_json)],
    );
    assert_eq!(saved.status.code(), Some(1), "{}", stderr(&saved));
    let first = opready_at(Some(FIRST), &["org", "scan", s(&org), "--history", h]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let first_page = stdout(&first);
    assert!(
        first_page.contains(
            "## Since the previous scan\n\nThis is the first recorded scan (scan 1 of 2026-11-16T09:00:00Z): the next one will be compared with it.\n"
        ),
        "{first_page}"
    );
    let one_scan = opready_at(None, &["org", "diff", "--history", h]);
    assert_eq!(one_scan.status.code(), Some(2));
    assert!(
        stderr(&one_scan).contains("holds 1 recorded scan; comparing needs 2"),
        "{}",
        stderr(&one_scan)
    );

    second_state(&org);
    let new_json = dir.path().join("new.json");
    let saved = opready_at(
        None,
        &["org", "scan", s(&org), "-f", "json", "-o", s(&new_json)],
    );
    assert_eq!(saved.status.code(), Some(1), "{}", stderr(&saved));
    let second = opready_at(Some(SECOND), &["org", "scan", s(&org), "--history", h]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let page = stdout(&second);
    let since = section(
        &page,
        "## Since the previous scan",
        "\n## Trend per activity",
    );
    for needle in [
        "Scan 2 of 2026-11-23T09:00:00Z compared with scan 1 of 2026-11-16T09:00:00Z.",
        "**1 activity up, 1 down**",
        "1 repository added, 0 removed.",
        "Now meeting every target: svc-000.",
        "### Levels per service",
        "| svc-000 | svc-000 | @acme/payments | `vulnerability` | 1 → 2 ↑ | 2 |",
        "| svc-005 | svc-005 | @acme/search | `postmortem` | 3 → 1 ↓ | 2 |",
        "### Levels per team",
        "| @acme/payments | 1 | 0 | 2 | 2 |",
        "| @acme/search | 0 | 1 | 1 | 0 |",
        "### New blockers",
        "| svc-000 | @acme/payments | `scans-cover-every-ecosystem` ",
        "| svc-000 | @acme/payments | `vulnerability-scan-in-ci` ",
        "| svc-005 | @acme/search | `postmortem-template` ",
        "### Fixed blockers",
        "| svc-000 | @acme/payments | `dependency-updates-automated` ",
        "| svc-000 | @acme/payments | `security-policy` ",
        "- added: svc-new",
    ] {
        assert!(since.contains(needle), "missing {needle:?} in\n{since}");
    }
    // svc-005 went below its target; svc-010 can no longer be rated: its levels go to –.
    let below = since
        .lines()
        .find(|l| l.starts_with("Now below a target: "))
        .unwrap_or_else(|| panic!("no newly below target in\n{since}"));
    assert!(below.contains("svc-005"), "{below}");
    let broken: Vec<&str> = since
        .lines()
        .filter(|l| l.starts_with("| svc-010 |"))
        .collect();
    assert!(!broken.is_empty(), "{since}");
    assert!(broken.iter().all(|l| l.contains(" → – |")), "{broken:?}");
    // Nothing about repositories that did not change.
    assert!(!since.contains("| svc-001 |"), "{since}");

    // The trend: two points per activity, in pack order.
    let trend = section(&page, "## Trend per activity", "\n## Levels per activity");
    let rows: Vec<&str> = trend.lines().filter(|l| l.starts_with("| ")).collect();
    assert!(
        rows[0].starts_with(
            "| Activity | Scan 1 (2026-11-16) | Scan 2 (2026-11-23) | Trend | Meeting target |"
        ),
        "{trend}"
    );
    let report: Value = serde_json::from_slice(&fs::read(&new_json).unwrap()).unwrap();
    let activities = report["policy"]["activities"].as_array().unwrap();
    assert_eq!(rows.len(), 1 + activities.len(), "{trend}");
    for (row, activity) in rows[1..].iter().zip(activities) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert!(
            cells[0].ends_with(&format!("(`{}`)", activity["id"].as_str().unwrap())),
            "{row}"
        );
        assert_eq!(cells.len(), 5, "{row}");
        assert_eq!(cells[3].chars().count(), 2, "two points: {row}");
        for mean in &cells[1..3] {
            assert!(mean.parse::<f64>().is_ok() || *mean == "–", "{row}");
        }
    }
    let postmortem = rows.iter().find(|r| r.contains("(`postmortem`)")).unwrap();
    let means: Vec<f64> = postmortem
        .trim_matches('|')
        .split(" | ")
        .skip(1)
        .take(2)
        .map(|c| c.trim().parse().unwrap())
        .collect();
    assert!(means[1] < means[0], "postmortem went down: {postmortem}");

    // The rest of the page is the page without a history.
    let plain = opready_at(None, &["org", "scan", s(&org)]);
    let plain = stdout(&plain);
    let without = page.replacen(
        section(
            &page,
            "\n## Since the previous scan",
            "\n## Levels per activity",
        ),
        "",
        1,
    );
    assert_eq!(without, plain);

    // `org diff` prints the same changes, every one of them.
    let diff = opready_at(None, &["org", "diff", "--history", h]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let diff_page = stdout(&diff);
    assert!(diff_page.starts_with("# Changes between scans\n\nScan 2 of 2026-11-23T09:00:00Z compared with scan 1 of 2026-11-16T09:00:00Z.\n"), "{diff_page}");
    let body = |text: &str| -> String {
        let start = text.find("**").unwrap();
        text[start..].replace("### ", "## ").trim_end().to_string()
    };
    assert_eq!(body(&diff_page), body(since));
    let explicit = opready_at(
        None,
        &["org", "diff", "--history", h, "--from", "1", "--to", "2"],
    );
    assert_eq!(stdout(&explicit), diff_page);

    // The same from the two saved reports, without a database.
    let files = opready_at(None, &["org", "diff", s(&old_json), s(&new_json)]);
    assert_eq!(files.status.code(), Some(0), "{}", stderr(&files));
    assert_eq!(body(&stdout(&files)), body(&diff_page));
    assert!(stdout(&files).contains(&format!("compared with {}.", old_json.display())));

    // As data.
    let json = opready_at(None, &["org", "diff", "--history", h, "-f", "json"]);
    let changes: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(changes["previous"]["id"], 1);
    assert_eq!(changes["current"]["recorded_at"], SECOND);
    assert_eq!(changes["added"], serde_json::json!(["svc-new"]));
    assert_eq!(changes["newly_met"], serde_json::json!(["svc-000"]));

    // Reversed: what the first scan had that the second has not.
    let back = opready_at(
        None,
        &["org", "diff", "--history", h, "--from", "2", "--to", "1"],
    );
    assert!(
        stdout(&back)
            .contains("| svc-000 | svc-000 | @acme/payments | `vulnerability` | 2 → 1 ↓ | 2 |"),
        "{}",
        stdout(&back)
    );
    assert!(stdout(&back).contains("- removed: svc-new"));

    let unknown = opready_at(None, &["org", "diff", "--history", h, "--to", "9"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("has no scan 9"),
        "{}",
        stderr(&unknown)
    );

    // The list of recorded scans.
    let list = opready_at(None, &["org", "history", "--history", h, "-f", "json"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let scans: Value = serde_json::from_slice(&list.stdout).unwrap();
    let scans = scans.as_array().unwrap();
    assert_eq!(scans.len(), 2);
    assert_eq!(scans[0]["recorded_at"], FIRST);
    assert_eq!(scans[1]["repositories"], 25);
    assert_eq!(scans[1]["errors"], 1);
    let table = stdout(&opready_at(None, &["org", "history", "--history", h]));
    assert!(
        table.contains("| 2 | 2026-11-23T09:00:00Z | 25 | 24 |"),
        "{table}"
    );

    // A past report, read back from the history, renders as it did (docs/org.md).
    let conn = rusqlite::Connection::open(&history).unwrap();
    let report: String = conn
        .query_row("SELECT report FROM scans WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    let past = dir.path().join("scan-1.json");
    fs::write(&past, report).unwrap();
    let rendered = opready_at(None, &["org", "merge", s(&past), "-f", "json"]);
    assert!(
        rendered.stdout == fs::read(&old_json).unwrap(),
        "{}",
        stderr(&rendered)
    );

    documented_queries_run(&history);
}

/// Every ```sql block of the History section of docs/org.md runs against the history
/// and returns rows (each on a copy, so one that deletes does not empty the next).
fn documented_queries_run(history: &Path) {
    let docs =
        fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/org.md")).unwrap();
    let section = section(&docs, "## History", "\n## Sharding");
    let mut queries = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find("```sql\n") {
        let body = &rest[start + 7..];
        let end = body.find("```").unwrap();
        queries.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    assert!(queries.len() >= 3, "documented queries: {}", queries.len());
    let dir = tempfile::tempdir().unwrap();
    for (i, sql) in queries.iter().enumerate() {
        let copy = dir.path().join(format!("copy-{i}.db"));
        fs::copy(history, &copy).unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        // Statements before the last are settings or changes; the last is read.
        let statements: Vec<&str> = sql
            .split(";\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let (last, setup) = statements.split_last().unwrap();
        for statement in setup {
            conn.execute_batch(statement)
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        let last = last.trim_end_matches(';');
        let mut statement = conn.prepare(last).unwrap_or_else(|e| panic!("{last}: {e}"));
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        let mut count = 0;
        while let Some(row) = rows.next().unwrap() {
            for c in 0..columns {
                let _: rusqlite::types::Value = row.get(c).unwrap();
            }
            count += 1;
        }
        if columns > 0 {
            assert!(count > 0, "no rows from\n{sql}");
        }
    }
}

#[test]
fn json_and_the_rest_of_the_page_are_unaffected_by_a_new_history() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    synthetic_org(&org, 6);
    let history = dir.path().join("new/history.db");
    fs::create_dir_all(history.parent().unwrap()).unwrap();
    let plain = opready_at(None, &["org", "scan", s(&org), "-f", "json"]);
    let recorded = opready_at(
        Some(FIRST),
        &[
            "org",
            "scan",
            s(&org),
            "-f",
            "json",
            "--history",
            s(&history),
        ],
    );
    assert_eq!(
        recorded.status.code(),
        plain.status.code(),
        "{}",
        stderr(&recorded)
    );
    assert!(
        recorded.stdout == plain.stdout,
        "the JSON report carries no history"
    );
    assert!(history.exists());
    for format in ["csv", "openmetrics"] {
        let plain = opready_at(None, &["org", "scan", s(&org), "-f", format]);
        let recorded = opready_at(
            Some(SECOND),
            &[
                "org",
                "scan",
                s(&org),
                "-f",
                format,
                "--history",
                s(&history),
            ],
        );
        assert!(recorded.stdout == plain.stdout, "{format}");
    }
    // Three scans recorded, nothing changed between them.
    let list = opready_at(
        None,
        &["org", "history", "--history", s(&history), "-f", "json"],
    );
    let scans: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(scans.as_array().unwrap().len(), 3);
    let diff = opready_at(None, &["org", "diff", "--history", s(&history)]);
    assert!(
        stdout(&diff).ends_with("Nothing changed.\n"),
        "{}",
        stdout(&diff)
    );
}

#[test]
fn bad_history_files_and_options_exit_two_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    synthetic_org(&org, 4);
    let corrupt = dir.path().join("corrupt.db");
    let garbage = b"not a database at all\n".repeat(100);
    fs::write(&corrupt, &garbage).unwrap();
    let output = dir.path().join("out.md");
    let out = opready_at(
        Some(FIRST),
        &[
            "org",
            "scan",
            s(&org),
            "--history",
            s(&corrupt),
            "-o",
            s(&output),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("corrupt.db is not an opready history database (file is not a database)"),
        "{}",
        stderr(&out)
    );
    assert!(!output.exists(), "no scan ran");
    assert_eq!(
        fs::read(&corrupt).unwrap(),
        garbage,
        "the file is left alone"
    );
    for args in [
        vec!["org", "diff", "--history", s(&corrupt)],
        vec!["org", "history", "--history", s(&corrupt)],
    ] {
        let out = opready_at(None, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("is not an opready history database"),
            "{args:?}"
        );
    }

    let missing = dir.path().join("missing.db");
    let out = opready_at(None, &["org", "diff", "--history", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no history at"), "{}", stderr(&out));
    assert!(!missing.exists());

    let history = dir.path().join("history.db");
    let out = opready_at(
        Some("next tuesday"),
        &["org", "scan", s(&org), "--history", s(&history)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("OPREADY_NOW must be an RFC 3339 date-time"),
        "{}",
        stderr(&out)
    );

    let out = opready_at(
        Some(FIRST),
        &[
            "org",
            "scan",
            s(&org),
            "--shard",
            "1/2",
            "--history",
            s(&history),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("org merge --history FILE"),
        "{}",
        stderr(&out)
    );
    assert!(!history.exists());

    let out = opready_at(None, &["org", "diff", "only-one.json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_merge_of_shards_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    synthetic_org(&org, 10);
    let mut shards = Vec::new();
    for i in 1..=2 {
        let file = dir.path().join(format!("shard-{i}.json"));
        let out = opready_at(
            None,
            &[
                "org",
                "scan",
                s(&org),
                "--shard",
                &format!("{i}/2"),
                "-f",
                "json",
                "-o",
                s(&file),
            ],
        );
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        shards.push(file);
    }
    let history = dir.path().join("history.db");
    let merged = opready_at(
        Some(FIRST),
        &[
            "org",
            "merge",
            s(&shards[0]),
            s(&shards[1]),
            "-f",
            "markdown",
            "--history",
            s(&history),
        ],
    );
    assert!(
        merged.status.code().is_some_and(|c| c < 2),
        "{}",
        stderr(&merged)
    );
    assert!(
        stdout(&merged)
            .contains("This is the first recorded scan (scan 1 of 2026-11-16T09:00:00Z)")
    );
    let scanned = opready_at(
        Some(SECOND),
        &["org", "scan", s(&org), "--history", s(&history)],
    );
    assert!(
        stdout(&scanned).contains("Scan 2 of 2026-11-23T09:00:00Z compared with scan 1"),
        "{}",
        stdout(&scanned)
    );
    assert!(stdout(&scanned).contains("Nothing changed."));

    // A lone shard is not a whole organisation.
    let out = opready_at(
        Some(FIRST),
        &["org", "merge", s(&shards[0]), "--history", s(&history)],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// The dashboard of a scan recorded after another shows what moved since, from the
/// history itself (not hand-built data): the same changes as the Markdown page.
#[test]
fn the_html_dashboard_of_a_second_scan_shows_what_moved() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let history = dir.path().join("history.db");
    let h = s(&history);
    let page = dir.path().join("org.html");
    first_state(&org);
    let first = opready_at(
        Some(FIRST),
        &[
            "org",
            "scan",
            s(&org),
            "--history",
            h,
            "-f",
            "html",
            "-o",
            s(&page),
        ],
    );
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let html = fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("This is the first recorded scan"),
        "first scan page has no first-scan note"
    );

    second_state(&org);
    let second = opready_at(
        Some(SECOND),
        &[
            "org",
            "scan",
            s(&org),
            "--history",
            h,
            "-f",
            "html",
            "-o",
            s(&page),
        ],
    );
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let html = fs::read_to_string(&page).unwrap();
    let from = html
        .find("<section id=\"changes\">")
        .expect("a changes section");
    let to = from + html[from..].find("</section>").unwrap();
    let changes = &html[from..to];
    for needle in [
        "From scan #1 (2026-11-16T09:00:00Z) to scan #2 (2026-11-23T09:00:00Z).",
        "<li class=\"good\"><b>1</b><span>activity levels up</span></li>",
        "<li class=\"bad\"><b>1</b><span>activity levels down</span></li>",
        "Vulnerability management 1 → 2 (target 2)",
        "Postmortems 3 → 1 (target 2)",
        "<h3>Repositories added</h3><ul class=\"plain\"><li>svc-new</li>",
        "<h3>Now meet every target</h3><ul class=\"plain\"><li>svc-000</li>",
    ] {
        assert!(changes.contains(needle), "missing {needle:?} in\n{changes}");
    }
    // A new blocker links to its explanation on the page; fixed ones are named.
    assert!(
        changes.contains("<a href=\"#c-postmortem-template\"><code>postmortem-template</code></a>"),
        "new blocker not linked in\n{changes}"
    );
    assert!(
        html.contains("id=\"c-postmortem-template\""),
        "no explanation to link to"
    );
    for fixed in ["dependency-updates-automated", "security-policy"] {
        assert!(
            changes.contains(&format!("<code>{fixed}</code>")),
            "{fixed} not named in\n{changes}"
        );
    }
    // The trend has a point per recorded scan.
    assert!(
        html.contains("<section id=\"trends\">"),
        "no trends section"
    );
    assert!(
        html.contains("across the last 2 recorded scans"),
        "trend does not span both scans"
    );
}
