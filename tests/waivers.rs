//! Waivers end to end through the binary: a waiver in `.opready.yaml` excuses a failing
//! criterion until its expiry date (the level is not lowered, the gate passes), then the
//! criterion fails with a message naming the owner and the reason. Waivers a pack forbids
//! (`no-waiver: true`), waivers of unknown criteria and duplicates are ignored with a
//! warning pointing at the waiver's own line.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn opready(today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opready"))
        .env("OPREADY_TODAY", today)
        .args(args)
        .output()
        .unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A deployable service with no SLO: `slo-defined` (level 2) fails.
fn service(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:3.20\n");
    write(
        root,
        "README.md",
        "# Checkout\n\nThe checkout service takes payments for the shop. It runs on Kubernetes and talks to the payments provider. Build it with make and deploy it from CI.\n",
    );
    write(root, ".opready.yaml", config);
    dir
}

const WAIVED: &str = "service: checkout\nwaivers:\n  - criterion: slo-defined\n    reason: SLOs are being agreed with product, see PROJ-123\n    owner: \"@alice\"\n    expires: 2026-12-31\n";

fn check(today: &str, root: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", root.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = opready(today, &args);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

fn activity<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
}

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["criteria"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap()
}

fn diagnostics<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

#[test]
fn without_a_waiver_the_criterion_fails_the_target() {
    let repo = service("service: checkout\n");
    let (code, report) = check("2026-11-23", repo.path(), &["--require", "slo=2"]);
    assert_eq!(code, 1);
    assert_eq!(criterion(&report, "slo-defined")["status"], "fail");
    assert_eq!(activity(&report, "slo")["level"], 1);
}

#[test]
fn a_waiver_holds_until_its_expiry_day_and_keeps_the_level() {
    let repo = service(WAIVED);
    for today in ["2026-11-23", "2026-12-31"] {
        let (code, report) = check(today, repo.path(), &["--require", "slo=2"]);
        assert_eq!(code, 0, "waived on {today}: {:#}", report["summary"]);
        let c = criterion(&report, "slo-defined");
        assert_eq!(c["status"], "waived", "{today}");
        assert_eq!(
            c["reason"],
            "waived until 2026-12-31 by @alice: SLOs are being agreed with product, see PROJ-123"
        );
        let slo = activity(&report, "slo");
        assert_eq!(
            slo["level"], 2,
            "the waived criterion does not lower the level"
        );
        assert_eq!(slo["met"], true);
        assert_eq!(report["summary"]["criteria"]["waived"], 1);
    }
}

#[test]
fn an_expired_waiver_fails_with_its_owner_and_reason() {
    let repo = service(WAIVED);
    let (code, report) = check("2027-01-01", repo.path(), &["--require", "slo=2"]);
    assert_eq!(code, 1);
    let c = criterion(&report, "slo-defined");
    assert_eq!(c["status"], "fail");
    let first = c["findings"][0]["message"].as_str().unwrap();
    assert_eq!(
        first,
        "waiver expired on 2026-12-31 (owner @alice: SLOs are being agreed with product, see PROJ-123); renew it or fix the criterion"
    );
    assert_eq!(activity(&report, "slo")["level"], 1);
    // The human report shows it as the blocker.
    let out = opready(
        "2027-01-01",
        &["check", repo.path().to_str().unwrap(), "--require", "slo=2"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("waiver expired on 2026-12-31"), "{text}");
}

#[test]
fn unknown_and_duplicate_waivers_warn_at_their_own_line() {
    let repo = service(&format!(
        "{WAIVED}  - criterion: slo-defnied\n    reason: typo\n    owner: \"@bob\"\n    expires: 2026-12-31\n  - criterion: slo-defined\n    reason: again\n    owner: \"@bob\"\n    expires: 2027-06-30\n"
    ));
    let (code, report) = check("2026-11-23", repo.path(), &["--require", "slo=2"]);
    assert_eq!(code, 0, "the first waiver of slo-defined holds");
    let unknown = diagnostics(&report, "unknown-waiver");
    assert_eq!(unknown.len(), 1, "{:#}", report["diagnostics"]);
    assert_eq!(unknown[0]["severity"], "warning");
    assert_eq!(unknown[0]["path"], ".opready.yaml");
    assert_eq!(unknown[0]["line"], 7, "the line naming slo-defnied");
    assert!(
        unknown[0]["message"]
            .as_str()
            .unwrap()
            .contains("slo-defnied"),
    );
    let duplicate = diagnostics(&report, "duplicate-waiver");
    assert_eq!(duplicate.len(), 1, "{:#}", report["diagnostics"]);
    assert_eq!(duplicate[0]["line"], 11);
    assert!(
        criterion(&report, "slo-defined")["reason"]
            .as_str()
            .unwrap()
            .contains("@alice"),
        "the first waiver is the one that counts"
    );
}

#[test]
fn a_pack_can_forbid_waiving_a_criterion() {
    let pack = tempfile::tempdir().unwrap();
    write(
        pack.path(),
        "pack.yaml",
        "name: acme\nextends: builtin\nactivities: [slo.yaml]\n",
    );
    write(
        pack.path(),
        "slo.yaml",
        "id: slo\ntitle: SLOs\ndescription: Acme requires SLOs of every service.\ndelegation: advise\nlevels: {1: none, 2: defined, 3: alerting}\ncriteria:\n  - id: slo-defined\n    level: 2\n    title: At least one SLO is defined as code\n    why: Acme's incident process starts from the SLO.\n    fix: Add an OpenSLO, Sloth or Pyrra SLO.\n    no-waiver: true\n    select: slos\n    min: 1\n",
    );
    let repo = service(WAIVED);
    let pack_file = pack.path().join("pack.yaml");
    let (code, report) = check(
        "2026-11-23",
        repo.path(),
        &[
            "--require",
            "slo=2",
            "--policy",
            pack_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "the waiver is ignored");
    assert_eq!(criterion(&report, "slo-defined")["status"], "fail");
    let refused = diagnostics(&report, "waiver-not-allowed");
    assert_eq!(refused.len(), 1, "{:#}", report["diagnostics"]);
    assert_eq!(refused[0]["severity"], "warning");
    assert_eq!(refused[0]["path"], ".opready.yaml");
    assert_eq!(
        refused[0]["line"], 3,
        "the waiver's own line, not `waivers:`"
    );
    assert!(
        refused[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not allow waiving `slo-defined`"),
        "{}",
        refused[0]
    );
    // Shown in the human report too, with its line.
    let out = opready(
        "2026-11-23",
        &[
            "check",
            repo.path().to_str().unwrap(),
            "--policy",
            pack_file.to_str().unwrap(),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(".opready.yaml:3") && text.contains("waiver-not-allowed"),
        "{text}"
    );
}

#[test]
fn the_built_in_pack_forbids_no_waiver() {
    let pack = opready::policy::load::builtin().unwrap();
    let forbidden: Vec<&str> = pack
        .criteria()
        .filter(|c| c.no_waiver)
        .map(|c| c.id.as_str())
        .collect();
    assert!(
        forbidden.is_empty(),
        "README says the built-in pack lets every criterion be waived: {forbidden:?}"
    );
}
