//! Snapshots of every output format on fixture repositories, as a user sees them. Review
//! changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`).

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    run_with(args, &[])
}

/// Runs opready as outside GitHub Actions, plus `envs`.
fn run_with(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opready"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("OPREADY_TODAY", "2026-11-23");
    for name in [
        "GITHUB_WORKSPACE",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
    ] {
        command.env_remove(name);
    }
    let out = command
        .envs(envs.iter().copied())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn snapshot(name: &str, args: &[&str], expected_code: i32) {
    let (code, text) = run(args);
    assert_eq!(
        code,
        expected_code,
        "exit code of opready {}",
        args.join(" ")
    );
    insta::assert_snapshot!(name, text);
}

#[test]
fn human_service_bare_with_a_target() {
    snapshot(
        "human_service_bare",
        &["check", "fixtures/service-bare", "--require", "slo=2"],
        1,
    );
}

#[test]
fn json_service_bare_with_a_target() {
    snapshot(
        "json_service_bare",
        &[
            "check",
            "fixtures/service-bare",
            "--require",
            "slo=2",
            "--format",
            "json",
        ],
        1,
    );
}

#[test]
fn human_service_best_practice_at_tier_1() {
    snapshot(
        "human_service_best_practice",
        &["check", "fixtures/service-best-practice", "--tier", "1"],
        0,
    );
}

#[test]
fn human_library() {
    snapshot("human_library", &["check", "fixtures/library"], 0);
}

#[test]
fn json_library() {
    snapshot(
        "json_library",
        &["check", "fixtures/library", "--format", "json"],
        0,
    );
}

#[test]
fn evidence_listing_of_the_prometheus_rules_fixture() {
    snapshot(
        "evidence_prometheus_rules",
        &["check", "fixtures/format-prometheus-rules", "--evidence"],
        0,
    );
}

#[test]
fn explain_a_criterion() {
    snapshot(
        "explain_paging_alerts_have_runbook",
        &["explain", "paging-alerts-have-runbook"],
        0,
    );
}

#[test]
fn explain_an_activity() {
    snapshot("explain_monitoring", &["explain", "monitoring"], 0);
}

/// A service with a waiver that holds, one that expired, alert rules with findings at a
/// line and column, and a broken rules file.
const WAIVERS: &str = "fixtures/service-with-waivers";

#[test]
fn human_service_with_waivers() {
    snapshot("human_service_with_waivers", &["check", WAIVERS], 1);
}

#[test]
fn sarif_service_with_waivers() {
    snapshot(
        "sarif_service_with_waivers",
        &["check", WAIVERS, "--format", "sarif"],
        1,
    );
}

#[test]
fn markdown_service_with_waivers_in_github_actions() {
    let (code, text) = run_with(
        &["check", WAIVERS, "--format", "markdown"],
        &[
            ("GITHUB_WORKSPACE", env!("CARGO_MANIFEST_DIR")),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/opready"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ],
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("markdown_service_with_waivers", text);
}

#[test]
fn markdown_service_bare_with_a_target() {
    snapshot(
        "markdown_service_bare",
        &[
            "check",
            "fixtures/service-bare",
            "--require",
            "slo=2",
            "--format",
            "markdown",
        ],
        1,
    );
}

#[test]
fn junit_service_bare_with_a_target() {
    snapshot(
        "junit_service_bare",
        &[
            "check",
            "fixtures/service-bare",
            "--require",
            "slo=2",
            "--format",
            "junit",
        ],
        1,
    );
}

#[test]
fn junit_service_with_waivers() {
    snapshot(
        "junit_service_with_waivers",
        &["check", WAIVERS, "--format", "junit"],
        1,
    );
}

#[test]
fn github_annotations_service_with_waivers() {
    snapshot(
        "github_service_with_waivers",
        &["check", WAIVERS, "--format", "github"],
        1,
    );
}
