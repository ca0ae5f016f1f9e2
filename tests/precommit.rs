//! Pre-commit mode end to end: `opready check --files` through the binary, and the real
//! pre-commit framework running the hook from `.pre-commit-hooks.yaml` on commits of a
//! fresh git repository (skipped, saying so, when pre-commit is not installed:
//! `python3 -m pip install pre-commit`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_opready");

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn opready_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("OPREADY_TODAY", "2025-06-01")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const GOOD_RULES: &str = "groups:
  - name: checkout
    rules:
      - alert: CheckoutDown
        expr: up{job=\"checkout\"} == 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: Checkout is down
          runbook_url: docs/runbooks/checkout.md#mitigation
";

/// A paging alert without a runbook, and one without a severity.
const BAD_RULES: &str = "groups:
  - name: checkout
    rules:
      - alert: CheckoutSlow
        expr: histogram_quantile(0.99, rate(latency_bucket[5m])) > 1
        for: 10m
        labels:
          severity: critical
        annotations:
          summary: Checkout is slow
      - alert: CheckoutErrors
        expr: rate(errors_total[5m]) > 1
        for: 10m
        annotations:
          summary: Checkout fails
          runbook_url: docs/runbooks/checkout.md
";

const RUNBOOK: &str = "---
last_reviewed_on: 2025-05-01
---
# Checkout

## Symptoms

Users cannot pay.

## Diagnosis

Look at the checkout dashboard.

## Mitigation

Roll back the last deploy.

## Escalation

Page the payments on-call.
";

/// A service with an owner, a runbook and a good rule file.
fn service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".github/CODEOWNERS", "* @acme/payments\n");
    write(root, "docs/runbooks/checkout.md", RUNBOOK);
    write(root, "monitoring/checkout.rules.yaml", GOOD_RULES);
    write(root, "main.go", "package main\n");
    dir
}

#[test]
fn files_mode_passes_good_files_and_ignores_other_and_missing_ones() {
    let repo = service();
    let out = opready_in(
        repo.path(),
        &[
            "check",
            "--files",
            "monitoring/checkout.rules.yaml",
            "main.go",
            "deleted.yaml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        stdout(&out),
        "opready: 1 evidence file of 3 given checked, no problems\n"
    );
    // Nothing to check at all is fine too (pre-commit with only deleted files).
    let out = opready_in(repo.path(), &["check", "--files"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn files_mode_reports_path_line_criterion_and_each_fix_once() {
    let repo = service();
    write(repo.path(), "monitoring/bad.rules.yaml", BAD_RULES);
    let out = opready_in(
        repo.path(),
        &["check", "--files", "monitoring/bad.rules.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "monitoring/bad.rules.yaml:4: [paging-alerts-have-runbook] alert `CheckoutSlow`: `runbook_url` is missing",
            "monitoring/bad.rules.yaml:11: [alerts-have-severity] alert `CheckoutErrors`: `severity` is missing",
        ],
        "{text}"
    );
    assert_eq!(
        text.matches("[paging-alerts-have-runbook] Every paging alert")
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.ends_with("opready: 2 errors in 1 evidence file\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn files_mode_json_has_a_small_documented_shape() {
    let repo = service();
    write(
        repo.path(),
        "broken.yaml",
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        labels: [\n",
    );
    let out = opready_in(
        repo.path(),
        &["check", "--files", "broken.yaml", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(
        report["files"]["checked"],
        serde_json::json!(["broken.yaml"])
    );
    let problem = &report["problems"][0];
    assert_eq!(problem["path"], "broken.yaml");
    assert_eq!(problem["id"], "invalid-yaml");
    assert_eq!(problem["kind"], "diagnostic");
    assert_eq!(problem["severity"], "error");
    assert!(problem["line"].as_u64().is_some());
    assert_eq!(report["summary"]["passed"], false);
}

#[test]
fn options_may_come_between_files_and_a_path_may_name_the_repository() {
    let repo = service();
    write(repo.path(), "monitoring/bad.rules.yaml", BAD_RULES);
    // pre-commit runs `entry` + `args:` + file names.
    let out = opready_in(
        repo.path(),
        &[
            "check",
            "--files",
            "--color",
            "never",
            "monitoring/checkout.rules.yaml",
            "monitoring/bad.rules.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 errors in 2 evidence files"));

    // From elsewhere, with the repository as PATH; names relative to it or to here.
    let parent = repo.path().parent().unwrap();
    let name = repo.path().file_name().unwrap().to_str().unwrap();
    let from_here = format!("{name}/monitoring/bad.rules.yaml");
    let out = opready_in(
        parent,
        &[
            "check",
            name,
            "--files",
            "monitoring/checkout.rules.yaml",
            &from_here,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("monitoring/bad.rules.yaml:4: [paging-alerts-have-runbook]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn files_mode_usage_errors_exit_2() {
    let repo = service();
    for args in [
        &["check", "--files", "x.yaml", "--tier", "1"][..],
        &["check", "--files", "x.yaml", "--evidence"][..],
        &["check", "no-such-folder", "--files", "x.yaml"][..],
        &["check", ".", "extra.yaml"][..],
    ] {
        let out = opready_in(repo.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------
// The real pre-commit framework

/// How to run pre-commit here: `pre-commit` on PATH, else `python3 -m pre_commit`.
fn pre_commit() -> Option<Vec<String>> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["pre-commit"]) {
        Some(vec!["pre-commit".into()])
    } else if works(&["python3", "-m", "pre_commit"]) {
        Some(vec!["python3".into(), "-m".into(), "pre_commit".into()])
    } else {
        None
    }
}

/// A command in the fixture repository with git and pre-commit kept to the test's own
/// folders (no global git config or hooks, a fresh pre-commit cache).
fn command(repo: &Path, home: &Path, program: &[String], args: &[&str]) -> Output {
    Command::new(&program[0])
        .args(&program[1..])
        .args(args)
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", home.join("pre-commit"))
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("OPREADY_TODAY", "2025-06-01")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap()
}

fn git(repo: &Path, home: &Path, args: &[&str]) -> Output {
    command(repo, home, &["git".to_string()], args)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The project's `opready-system` hook, run from the built binary: a `repo: local`
/// configuration with the manifest's own definition (JSON is YAML).
fn local_config() -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let hooks: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(manifest).unwrap()).unwrap();
    let mut hook = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "opready-system")
        .unwrap()
        .clone();
    let entry = hook["entry"].as_str().unwrap().to_string();
    let bin = PathBuf::from(BIN);
    hook["entry"] = entry
        .replacen("opready", &bin.display().to_string(), 1)
        .into();
    serde_json::to_string_pretty(&serde_json::json!({
        "repos": [{"repo": "local", "hooks": [hook]}]
    }))
    .unwrap()
}

#[test]
fn the_pre_commit_hook_passes_good_commits_and_stops_bad_ones() {
    let Some(pre_commit) = pre_commit() else {
        println!(
            "pre-commit is not installed (python3 -m pip install pre-commit): the end-to-end hook test is skipped"
        );
        return;
    };
    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join("gitconfig"), "").unwrap();
    let repo = service();
    let root = repo.path();
    write(root, ".pre-commit-config.yaml", &local_config());

    let init = git(root, home.path(), &["init", "-q", "-b", "main"]);
    assert!(init.status.success(), "{}", text(&init));
    let validate = command(
        root,
        home.path(),
        &pre_commit,
        &[
            "validate-manifest",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(".pre-commit-hooks.yaml")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(validate.status.success(), "{}", text(&validate));
    let install = command(root, home.path(), &pre_commit, &["install"]);
    assert!(install.status.success(), "{}", text(&install));

    // A good commit: the hook runs on the evidence files and passes.
    git(root, home.path(), &["add", "-A"]);
    let commit = git(root, home.path(), &["commit", "-q", "-m", "service"]);
    assert!(commit.status.success(), "{}", text(&commit));
    assert!(text(&commit).contains("opready"), "{}", text(&commit));
    assert!(text(&commit).contains("Passed"), "{}", text(&commit));

    // A commit of only a Go file: the hook has nothing to check.
    write(root, "main.go", "package main\n\nfunc main() {}\n");
    git(root, home.path(), &["add", "main.go"]);
    let commit = git(root, home.path(), &["commit", "-q", "-m", "code"]);
    assert!(commit.status.success(), "{}", text(&commit));
    assert!(text(&commit).contains("Skipped"), "{}", text(&commit));

    // A broken alert rule: the commit is refused, pointing at the line.
    write(root, "monitoring/bad.rules.yaml", BAD_RULES);
    git(root, home.path(), &["add", "monitoring/bad.rules.yaml"]);
    let commit = git(root, home.path(), &["commit", "-q", "-m", "bad alerts"]);
    let output = text(&commit);
    assert!(!commit.status.success(), "{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(
        output.contains("monitoring/bad.rules.yaml:4: [paging-alerts-have-runbook]"),
        "{output}"
    );
    assert!(
        output.contains("monitoring/bad.rules.yaml:11: [alerts-have-severity]"),
        "{output}"
    );
    let log = git(root, home.path(), &["log", "--oneline"]);
    assert_eq!(text(&log).lines().count(), 2, "{}", text(&log));

    // Invalid YAML is refused too.
    write(
        root,
        "monitoring/bad.rules.yaml",
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        labels: [\n",
    );
    git(root, home.path(), &["add", "monitoring/bad.rules.yaml"]);
    let commit = git(root, home.path(), &["commit", "-q", "-m", "broken yaml"]);
    let output = text(&commit);
    assert!(!commit.status.success(), "{output}");
    assert!(
        output.contains("monitoring/bad.rules.yaml:5: [invalid-yaml]")
            || output.contains("monitoring/bad.rules.yaml:6: [invalid-yaml]"),
        "{output}"
    );
}

/// The `.pre-commit-config.yaml` snippet of README.md, pointed at this checkout of opready
/// (its `HEAD` commit) instead of GitHub.
fn readme_config(rev: &str) -> String {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("```yaml\nrepos:\n")
        .expect("README.md has the pre-commit snippet (```yaml repos: …)")
        + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let snippet = &readme[start..end];
    assert!(snippet.contains("- id: opready\n"), "{snippet}");
    snippet
        .replace(
            "https://github.com/OWNER/opready",
            env!("CARGO_MANIFEST_DIR"),
        )
        .replace("vX.Y.Z", rev)
}

/// The hook a team adds from README.md: pre-commit clones opready at a commit, builds it
/// with `cargo install` (the `language: rust` hook) and runs it on the commit. This builds
/// opready in release mode (minutes), so it runs only with `OPREADY_SLOW_TESTS=1` (set by
/// `.ci/run`).
#[test]
fn the_readme_pre_commit_snippet_builds_and_runs_the_rust_hook() {
    if std::env::var("OPREADY_SLOW_TESTS").ok().as_deref() != Some("1") {
        println!(
            "skipped: building the rust hook takes minutes; set OPREADY_SLOW_TESTS=1 to run it (.ci/run does)"
        );
        return;
    }
    let Some(pre_commit) = pre_commit() else {
        panic!(
            "OPREADY_SLOW_TESTS=1 but pre-commit is not installed (python3 -m pip install pre-commit)"
        );
    };
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(project)
        .output()
        .expect("git");
    if !head.status.success() {
        println!(
            "skipped: pre-commit builds the hook from a git commit, and this copy of opready is not a git checkout: {}",
            text(&head)
        );
        return;
    }
    let rev = String::from_utf8_lossy(&head.stdout).trim().to_string();

    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join("gitconfig"), "").unwrap();
    let repo = service();
    let root = repo.path();
    write(root, ".pre-commit-config.yaml", &readme_config(&rev));
    let init = git(root, home.path(), &["init", "-q", "-b", "main"]);
    assert!(init.status.success(), "{}", text(&init));
    git(root, home.path(), &["add", "-A"]);
    // `pre-commit run` builds the hook environment (cargo install from the clone), then
    // checks the staged files. Cargo's own cache stays the user's (HOME is the test's).
    let cargo_home = std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    let run = |args: &[&str]| {
        Command::new(&pre_commit[0])
            .args(&pre_commit[1..])
            .args(args)
            .current_dir(root)
            .env("PRE_COMMIT_HOME", home.path().join("pre-commit"))
            .env("HOME", home.path())
            .env("CARGO_HOME", &cargo_home)
            .env("GIT_CONFIG_GLOBAL", home.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("OPREADY_TODAY", "2025-06-01")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .output()
            .unwrap()
    };
    let good = run(&["run", "--all-files"]);
    assert!(good.status.success(), "{}", text(&good));
    assert!(text(&good).contains("Passed"), "{}", text(&good));

    write(root, "monitoring/bad.rules.yaml", BAD_RULES);
    git(root, home.path(), &["add", "monitoring/bad.rules.yaml"]);
    let bad = run(&["run", "--files", "monitoring/bad.rules.yaml"]);
    let output = text(&bad);
    assert!(!bad.status.success(), "{output}");
    assert!(
        output.contains("monitoring/bad.rules.yaml:4: [paging-alerts-have-runbook]"),
        "{output}"
    );
}
