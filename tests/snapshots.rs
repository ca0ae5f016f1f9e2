//! Snapshots of every output format on fixture repositories, as a user sees them. Review
//! changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`).

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opready"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("OPREADY_TODAY", "2026-11-23")
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
