//! Org scans end to end: a synthetic organisation of 500 repositories (the fixtures copied
//! with varied owners, tiers and layouts, generated in a temporary folder), rated in
//! parallel and compared with `opready check` run on each repository; shards merged
//! against an unsharded scan; broken repositories; every output format; and the CI and
//! Kubernetes examples run as written.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/synthetic_org.rs"]
mod synthetic_org;

use synthetic_org::{BROKEN, TEAMS, synthetic_org, templates, write};

/// Waiver expiry and runbook review dates are judged against this day in every run.
const TODAY: &str = "2025-06-02";

fn opready_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opready"));
    cmd.args(args)
        .env("OPREADY_TODAY", TODAY)
        .env_remove("RAYON_NUM_THREADS");
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output().unwrap()
}

fn opready(args: &[&str]) -> Output {
    opready_in(None, args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn five_hundred_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let paths = synthetic_org(&org, 500);
    let all = dir.path().join("all.json");

    // The whole organisation, on every core.
    let out = opready(&[
        "org",
        "scan",
        s(&org),
        "--format",
        "json",
        "--output",
        s(&all),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        out.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        stderr(&out)
    );
    let report = read_json(&all);
    let schema: Value = serde_json::from_slice(&opready(&["schema", "org"]).stdout).unwrap();
    assert_eq!(schema_errors(&schema, &report), Vec::<String>::new());

    let repos = report["repositories"].as_array().unwrap();
    let listed: Vec<&str> = repos.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(listed, paths, "every repository, sorted by path");
    let aggregate = &report["aggregate"];
    assert_eq!(aggregate["repositories"], 500);
    assert_eq!(aggregate["rated"], 499);
    assert_eq!(aggregate["errors"], 1);
    let broken = repos
        .iter()
        .find(|r| r.get("error").is_some())
        .expect("the broken repository is reported");
    assert!(
        broken["path"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/svc-{BROKEN:03}"))
    );
    assert_eq!(broken["error"]["kind"], "config");
    assert!(
        broken["error"]["message"]
            .as_str()
            .unwrap()
            .contains(".opready.yaml:"),
        "{broken}"
    );
    assert_eq!(broken["met"], false);

    // Owners from .opready.yaml, catalog-info.yaml and CODEOWNERS, and none.
    let teams: BTreeSet<String> = aggregate["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["team"].as_str().unwrap_or("(none)").to_string())
        .collect();
    for team in TEAMS.iter().chain(&["(none)"]) {
        assert!(teams.contains(*team), "team {team} in {teams:?}");
    }
    assert!(
        teams.len() > TEAMS.len() + 1,
        "owners from the fixtures too: {teams:?}"
    );
    let tiers: BTreeSet<&str> = repos.iter().filter_map(|r| r["tier"].as_str()).collect();
    assert_eq!(tiers, BTreeSet::from(["1", "2", "3"]));
    let blockers = aggregate["blockers"].as_array().unwrap();
    assert!(!blockers.is_empty());
    let counts: Vec<u64> = blockers
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "ranked by count");

    // Every repository equals `opready check` run on it alone (from the org folder, so the
    // path it reports is the same).
    let jobs: Vec<(&Value, &str)> = repos
        .iter()
        .map(|r| (r, r["path"].as_str().unwrap()))
        .collect();
    std::thread::scope(|scope| {
        for chunk in jobs.chunks(jobs.len().div_ceil(2)) {
            let org = &org;
            scope.spawn(move || {
                for (entry, path) in chunk {
                    let out = opready_in(Some(org), &["check", path, "--format", "json"]);
                    match entry.get("report") {
                        Some(expected) => {
                            let alone: Value = serde_json::from_slice(&out.stdout)
                                .unwrap_or_else(|e| panic!("{path}: {e}\n{}", stderr(&out)));
                            assert!(alone == *expected, "{path} differs from `opready check`");
                            let met = entry["met"].as_bool().unwrap();
                            assert_eq!(out.status.code(), Some(if met { 0 } else { 1 }), "{path}");
                        }
                        None => assert_eq!(out.status.code(), Some(2), "{path}"),
                    }
                }
            });
        }
    });

    // Three shards, merged, are the unsharded scan byte for byte.
    let mut shard_files = Vec::new();
    let mut sizes = Vec::new();
    for i in 1..=3 {
        let file = dir.path().join(format!("shard-{i}.json"));
        let shard = format!("{i}/3");
        let out = opready(&[
            "org",
            "scan",
            s(&org),
            "--shard",
            &shard,
            "-f",
            "json",
            "-o",
            s(&file),
        ]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        let part = read_json(&file);
        assert_eq!(part["shard"]["index"], i);
        sizes.push(part["repositories"].as_array().unwrap().len());
        shard_files.push(file);
    }
    assert_eq!(sizes.iter().sum::<usize>(), 500);
    assert!(sizes.iter().all(|n| (130..=200).contains(n)), "{sizes:?}");
    let merged = dir.path().join("merged.json");
    let mut args = vec!["org", "merge"];
    args.extend(shard_files.iter().rev().map(|f| s(f)));
    args.extend(["--output", s(&merged)]);
    let out = opready(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        fs::read(&merged).unwrap() == fs::read(&all).unwrap(),
        "merged shards differ from the unsharded scan"
    );
    let out = opready(&["org", "merge", s(&shard_files[0]), s(&shard_files[2])]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing shard(s) 2/3"),
        "{}",
        stderr(&out)
    );

    // The other formats, rendered from the saved report.
    let render = |format: &str| {
        let out = opready(&["org", "merge", s(&all), "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    check_csv(&render("csv"), &report);
    check_markdown(&render("markdown"), &report);
    check_openmetrics(&render("openmetrics"), &report);
}

fn check_csv(text: &str, report: &Value) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "repository",
            "service",
            "team",
            "tier",
            "activity",
            "level",
            "target",
            "met",
            "blockers",
            "error"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let activities = report["policy"]["activities"].as_array().unwrap().len();
    assert_eq!(rows.len(), 499 * activities + 1);
    assert!(text.lines().count() > rows.len());
    assert!(text.ends_with("\r\n"));
    for row in &rows {
        assert_eq!(row.len(), 10);
        assert!(row[7] == *"true" || row[7] == *"false");
        assert!(row[5].is_empty() || ["1", "2", "3"].contains(&&row[5]));
    }
    let errors: Vec<_> = rows.iter().filter(|r| !r[9].is_empty()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(&errors[0][4], "");
    // Rows follow the report: repository by repository, activities in pack order.
    let first = &report["repositories"][0];
    let first_report = &first["report"];
    for (row, activity) in rows
        .iter()
        .zip(first_report["activities"].as_array().unwrap())
    {
        assert_eq!(&row[0], first["path"].as_str().unwrap());
        assert_eq!(&row[4], activity["id"].as_str().unwrap());
        assert_eq!(
            row[5].parse::<u64>().ok(),
            activity["level"].as_u64(),
            "{row:?}"
        );
    }
}

fn check_markdown(text: &str, report: &Value) {
    let aggregate = &report["aggregate"];
    for heading in [
        "# Operational readiness",
        "## Levels per activity",
        "## Teams",
        "## Top blockers",
        "## Repositories below target",
        "## Repositories that could not be rated",
    ] {
        assert!(
            text.lines().any(|l| l == heading),
            "no {heading:?} in\n{text}"
        );
    }
    assert!(text.contains(&format!(
        "**{} of 499 rated repositories meet their targets**",
        aggregate["met"]
    )));
    let top = &aggregate["blockers"][0];
    assert!(
        text.contains(&format!("| 1 | `{}` ", top["criterion"].as_str().unwrap())),
        "the top blocker first with its explain id"
    );
    // Tables are well formed: every row of a table has the header's number of cells.
    let mut columns = None;
    for line in text.lines() {
        if line.starts_with('|') {
            let cells = line.replace("\\|", "").matches('|').count();
            match columns {
                None => columns = Some(cells),
                Some(n) => assert_eq!(cells, n, "{line}"),
            }
        } else {
            columns = None;
        }
    }
}

/// Checks the exposition line by line against the OpenMetrics 1.0 text format rules this
/// output uses: `# TYPE` then `# HELP` before each family's samples, families not
/// interleaved, valid names, label values escaped, unique series, integer values, `# EOF`
/// last.
fn check_openmetrics(text: &str, report: &Value) {
    let label_value = r#""(?:[^"\\\n]|\\[n"\\])*""#;
    let label = format!(r"[a-zA-Z_][a-zA-Z0-9_]*={label_value}");
    let sample = regex::Regex::new(&format!(
        r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{{{label}(?:,{label})*\}})? ([0-9]+)$"
    ))
    .unwrap();
    let type_line = regex::Regex::new(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge$").unwrap();
    let help_line = regex::Regex::new(r"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$").unwrap();

    assert!(text.ends_with("# EOF\n"), "ends with # EOF");
    assert!(!text.contains('\r'));
    let lines: Vec<&str> = text.lines().collect();
    let mut seen_families = BTreeSet::new();
    let mut series = BTreeSet::new();
    let mut family: Option<String> = None;
    let mut state = "";
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for (n, line) in lines[..lines.len() - 1].iter().enumerate() {
        if let Some(c) = type_line.captures(line) {
            let name = c[1].to_string();
            assert!(seen_families.insert(name.clone()), "line {n}: {name} again");
            family = Some(name);
            state = "typed";
        } else if let Some(c) = help_line.captures(line) {
            assert_eq!(Some(&c[1]), family.as_deref(), "line {n}");
            assert_eq!(state, "typed", "line {n}: HELP right after TYPE");
            assert!(!c[2].contains('\n'));
            state = "helped";
        } else if let Some(c) = sample.captures(line) {
            assert_eq!(Some(&c[1]), family.as_deref(), "line {n}: {line}");
            assert!(state == "helped" || state == "sampled", "line {n}");
            state = "sampled";
            assert!(
                series.insert(format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str()))),
                "line {n}: duplicate series"
            );
            *counts.entry(c[1].to_string()).or_default() += 1;
        } else {
            panic!("line {n} is not OpenMetrics: {line:?}");
        }
    }
    assert_eq!(
        seen_families.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "opready_activity_level",
            "opready_activity_met",
            "opready_activity_target",
            "opready_repository_met",
            "opready_scan_errors",
            "opready_scan_repositories"
        ]
    );
    let activities = report["policy"]["activities"].as_array().unwrap().len();
    assert_eq!(counts["opready_activity_met"], 499 * activities);
    assert_eq!(counts["opready_repository_met"], 500);
    assert!(text.contains("\nopready_scan_repositories 500\n"));
    assert!(text.contains("\nopready_scan_errors 1\n"));
}

/// A list file with comments, absolute and relative paths, and among them a file, a
/// missing path and a repository whose `.opready.yaml` names an unknown tier.
#[test]
fn a_repos_file_with_broken_entries_rates_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "not-a-repo.txt", b"hello\n");
    write(root, "broken/.opready.yaml", b"tier: 7\n");
    let bare = fixtures().join("service-bare").display().to_string();
    let library = fixtures().join("library").display().to_string();
    let list = format!(
        "# the org\n{bare}\n../not-a-repo.txt   # a file\n\n../broken\nmissing\n{library}/\n"
    );
    write(root, "lists/repos.txt", list.as_bytes());
    let repos = root.join("lists/repos.txt");

    let listed = opready(&["org", "list", "--repos", s(&repos)]);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let listed = String::from_utf8(listed.stdout).unwrap();
    let mut expected = vec![
        "../broken".to_string(),
        "../not-a-repo.txt".to_string(),
        bare.clone(),
        library.clone(),
        "missing".to_string(),
    ];
    expected.sort();
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected);

    let out = opready(&["org", "scan", "--repos", s(&repos), "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(&str, &str)> = report["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap(),
                r["error"]["kind"].as_str().unwrap_or("rated"),
            )
        })
        .collect();
    let kind = |path: &str| got.iter().find(|(p, _)| *p == path).unwrap().1;
    assert_eq!(kind("../broken"), "usage");
    assert_eq!(kind("../not-a-repo.txt"), "not-a-directory");
    assert_eq!(kind("missing"), "unreadable");
    assert_eq!(kind(&bare), "rated");
    assert_eq!(kind(&library), "rated");
    assert_eq!(report["aggregate"]["rated"], 2);
    assert_eq!(report["aggregate"]["errors"], 3);
    let broken = &report["repositories"][0];
    assert!(
        broken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tier `7`"),
        "{broken}"
    );
}

#[test]
fn exit_zero_when_every_repository_meets_its_targets() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let repo = dir.path().join(name);
        for (rel, bytes) in &templates()[2].files {
            write(&repo, rel, bytes);
        }
    }
    let out = opready(&["org", "scan", s(dir.path()), "-f", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("**2 of 2 rated repositories meet their targets**"),
        "{text}"
    );
    let out = opready(&["org", "scan", s(dir.path()), "--require", "slo=2", "-q"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "slo does not apply to a library"
    );
    let out = opready(&[
        "org",
        "scan",
        s(dir.path()),
        "--require",
        "documentation=2",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let fixtures = fixtures();
    let f = s(&fixtures);
    let garbage = dir.path().join("garbage.json");
    fs::write(&garbage, "{\"schema_version\": 1}").unwrap();
    for (args, message) in [
        (vec!["org", "scan"], "required"),
        (
            vec!["org", "scan", f, "--repos", "x.txt"],
            "cannot be used with",
        ),
        (vec!["org", "scan", f, "--shard", "0/3"], "expected I/N"),
        (vec!["org", "scan", f, "--shard", "4/3"], "expected I/N"),
        (
            vec!["org", "scan", f, "--require", "nope=2"],
            "unknown activity `nope`",
        ),
        (vec!["org", "scan", f, "--tier", "9"], "tier `9`"),
        (vec!["org", "scan", f, "--jobs", "0"], "--jobs"),
        (vec!["org", "scan", "/nonexistent/org"], "cannot read"),
        (vec!["org", "scan", s(&empty)], "no repositories found"),
        (
            vec!["org", "scan", "--repos", "/nonexistent/repos.txt"],
            "cannot read",
        ),
        (vec!["org", "merge"], "required"),
        (vec!["org", "merge", "/nonexistent.json"], "cannot read"),
        (
            vec!["org", "merge", s(&garbage)],
            "not a valid opready org report",
        ),
    ] {
        let out = opready(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(message),
            "{args:?}: expected {message:?} in {}",
            stderr(&out)
        );
    }
}

#[test]
fn every_format_of_a_scan_equals_the_same_format_of_its_saved_report() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    synthetic_org(&org, 30);
    let saved = dir.path().join("org.json");
    let out = opready(&["org", "scan", s(&org), "-f", "json", "-o", s(&saved)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for format in ["json", "csv", "markdown", "openmetrics"] {
        let scanned = opready(&["org", "scan", s(&org), "-f", format, "-j", "1"]);
        let rendered = opready(&["org", "merge", s(&saved), "-f", format]);
        assert!(scanned.stdout == rendered.stdout, "{format} differs");
        assert!(!scanned.stdout.is_empty());
    }
}

// ---- the examples ----

fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).unwrap();
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

/// The `opready` command lines of a shell script (continuation lines joined).
fn opready_lines(script: &str) -> Vec<String> {
    script
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("opready "))
        .map(str::to_string)
        .collect()
}

/// Runs a shell script with the built opready first on PATH.
fn sh(script: &str, dir: &Path, env: &[(&str, String)]) {
    let bin = Path::new(env!("CARGO_BIN_EXE_opready")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("OPREADY_TODAY", TODAY);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "script failed ({:?}):\n{script}\n{}",
        out.status.code(),
        stderr(&out)
    );
}

/// A small organisation to run the examples against: `owner/name` checkouts with `.git`,
/// each repository always from the same fixture.
fn example_org(root: &Path, names: &[&str]) {
    let templates = templates();
    for name in names {
        let i = EXAMPLE_REPOS.iter().position(|r| r == name).unwrap();
        for (rel, bytes) in &templates[(i * 11) % templates.len()].files {
            write(&root.join(name), rel, bytes);
        }
        write(&root.join(name), ".git/HEAD", b"ref: refs/heads/main\n");
    }
}

const EXAMPLE_REPOS: [&str; 12] = [
    "acme/checkout",
    "acme/ledger",
    "acme/search",
    "acme/indexer",
    "acme/web",
    "acme/mobile-api",
    "acme/identity",
    "acme/billing",
    "acme/notifications",
    "acme/reports",
    "acme/gateway",
    "acme/scheduler",
];

#[test]
fn the_github_actions_example_is_a_valid_workflow_that_runs() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/org-scan-github-actions.yml");
    let docs = yaml_documents(&path);
    assert_eq!(docs.len(), 1);
    let wf = &docs[0];
    assert!(wf["on"]["schedule"][0]["cron"].is_string());
    let scan = &wf["jobs"]["scan"];
    let merge = &wf["jobs"]["merge"];
    assert_eq!(merge["needs"], "scan");
    let shards: Vec<u64> = scan["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let n = shards.len() as u64;
    assert_eq!(shards, (1..=n).collect::<Vec<_>>());
    assert_eq!(wf["env"]["SHARDS"].as_u64(), Some(n));
    let steps = |job: &Value| job["steps"].as_array().unwrap().clone();
    let uses = |job: &Value| -> Vec<String> {
        steps(job)
            .iter()
            .filter_map(|s| s["uses"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        uses(scan)
            .iter()
            .any(|u| u.starts_with("actions/upload-artifact@"))
    );
    assert!(
        uses(merge)
            .iter()
            .any(|u| u.starts_with("actions/download-artifact@"))
    );
    assert!(
        uses(merge)
            .iter()
            .any(|u| u.starts_with("actions/upload-artifact@"))
    );
    for job in [scan, merge] {
        for step in steps(job) {
            assert!(step["uses"].is_string() ^ step["run"].is_string(), "{step}");
        }
    }
    let script = |job: &Value| -> String {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str())
            .flat_map(opready_lines)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let scan_script = script(scan);
    let merge_script = script(merge);
    assert!(
        scan_script.contains("org scan")
            && scan_script.contains("--shard ${{ matrix.shard }}/$SHARDS")
    );
    assert!(merge_script.contains("org merge"));

    // Run the opready lines as the runner would: each shard in its own workspace, the
    // artifacts carried to the merge job's workspace.
    let dir = tempfile::tempdir().unwrap();
    let merge_ws = dir.path().join("merge");
    fs::create_dir_all(merge_ws.join("shards")).unwrap();
    for shard in &shards {
        let ws = dir.path().join(format!("shard-{shard}"));
        let list = EXAMPLE_REPOS.join("\n") + "\n";
        write(
            &ws,
            "org/repos.txt",
            format!("# the org\n{list}").as_bytes(),
        );
        // The clone step, done by the test: only this shard's share.
        let share = opready(&[
            "org",
            "list",
            "--repos",
            s(&ws.join("org/repos.txt")),
            "--shard",
            &format!("{shard}/{n}"),
        ]);
        let share = String::from_utf8(share.stdout).unwrap();
        example_org(&ws.join("org"), &share.lines().collect::<Vec<_>>());
        let script = scan_script.replace("${{ matrix.shard }}", &shard.to_string());
        sh(&script, &ws, &[("SHARDS", n.to_string())]);
        let result = ws.join(format!("shard-{shard}.json"));
        assert!(result.exists(), "{script} wrote no {}", result.display());
        fs::copy(&result, merge_ws.join(format!("shards/shard-{shard}.json"))).unwrap();
    }
    sh(&merge_script, &merge_ws, &[]);
    for file in ["org.json", "org.md", "org.csv"] {
        assert!(merge_ws.join(file).exists(), "{file}");
    }
    // The same as one scan of the whole organisation.
    let whole = dir.path().join("whole");
    example_org(&whole.join("org"), &EXAMPLE_REPOS);
    write(
        &whole,
        "org/repos.txt",
        (EXAMPLE_REPOS.join("\n") + "\n").as_bytes(),
    );
    let out = opready(&[
        "org",
        "scan",
        "--repos",
        s(&whole.join("org/repos.txt")),
        "-f",
        "json",
    ]);
    assert!(out.stdout == fs::read(merge_ws.join("org.json")).unwrap());
}

#[test]
fn the_kubernetes_example_is_a_valid_indexed_job_that_runs() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/org-scan-kubernetes.yaml");
    let docs = yaml_documents(&path);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["PersistentVolumeClaim", "Job", "Job"]);
    for doc in &docs {
        assert!(doc["apiVersion"].is_string());
        assert!(doc["metadata"]["name"].is_string());
        assert!(doc["metadata"]["labels"]["opready/step"].is_string());
    }
    let scan = &docs[1];
    let merge = &docs[2];
    assert_eq!(scan["apiVersion"], "batch/v1");
    assert_eq!(scan["spec"]["completionMode"], "Indexed");
    let n = scan["spec"]["completions"].as_u64().unwrap();
    assert_eq!(scan["spec"]["parallelism"].as_u64(), Some(n));
    let container = |job: &Value| job["spec"]["template"]["spec"]["containers"][0].clone();
    for job in [scan, merge] {
        assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
        let c = container(job);
        assert_eq!(c["command"], serde_json::json!(["sh", "-c"]));
        assert_eq!(c["volumeMounts"][0]["mountPath"], "/data");
        assert_eq!(
            job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
            docs[0]["metadata"]["name"]
        );
    }
    let env = |job: &Value| -> Vec<(String, String)> {
        container(job)["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(env(scan).contains(&("SHARDS".to_string(), n.to_string())));
    let script = |job: &Value| container(job)["args"][0].as_str().unwrap().to_string();
    assert!(script(scan).contains("JOB_COMPLETION_INDEX + 1"));
    assert!(!opready_lines(&script(scan)).is_empty());
    assert!(!opready_lines(&script(merge)).is_empty());

    // Run both Jobs' scripts, the volume mounted at a temporary folder.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    example_org(&data.join("repos"), &EXAMPLE_REPOS);
    let mount = |text: String| text.replace("/data", s(&data));
    for index in 0..n {
        let mut vars: Vec<(&str, String)> = vec![("JOB_COMPLETION_INDEX", index.to_string())];
        let scan_env = env(scan);
        vars.extend(scan_env.iter().map(|(k, v)| (k.as_str(), v.clone())));
        sh(&mount(script(scan)), dir.path(), &vars);
    }
    let merge_env = env(merge);
    let vars: Vec<(&str, String)> = merge_env
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    sh(&mount(script(merge)), dir.path(), &vars);
    let results = data.join("results/weekly");
    for file in ["org.json", "org.md", "org.prom"] {
        assert!(results.join(file).exists(), "{file}");
    }
    let out = opready(&["org", "scan", s(&data.join("repos")), "-f", "json"]);
    assert!(out.stdout == fs::read(results.join("org.json")).unwrap());
}
