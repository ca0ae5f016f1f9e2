//! The command line as a user meets it: exit codes, targets from tiers and flags, config
//! errors, colour, output files, and the JSON report against its own schema.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn opready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(args)
        .output()
        .unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A deployable service with a README, CODEOWNERS and a test pipeline, and nothing else.
fn bare_service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:3.20\n");
    write(root, ".github/CODEOWNERS", "* @acme/payments\n");
    write(
        root,
        "README.md",
        "# Checkout\n\nThe checkout service takes payments for the shop. It runs on Kubernetes and talks to the payments provider. Build it with make and deploy it from CI; ask the payments team in #payments when in doubt.\n",
    );
    write(
        root,
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n",
    );
    dir
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn no_targets_means_exit_zero() {
    let repo = bare_service();
    let out = opready(&["check", repo.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No targets set"));
}

#[test]
fn require_sets_targets_and_fails_the_gate() {
    let repo = bare_service();
    let path = repo.path().to_str().unwrap();
    let out = opready(&["check", path, "--require", "delivery=2"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "delivery reaches 2:\n{}",
        stdout(&out)
    );
    let out = opready(&[
        "check",
        path,
        "--require",
        "slo=2",
        "--require",
        "delivery=2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("1 of 2 activities below target: slo"),
        "{text}"
    );
    assert!(
        text.contains("× slo-defined"),
        "the blocker is an error:\n{text}"
    );
}

#[test]
fn usage_errors_exit_two() {
    let repo = bare_service();
    let path = repo.path().to_str().unwrap();
    for args in [
        vec!["check", path, "--require", "nonsense=2"],
        vec!["check", path, "--require", "slo=7"],
        vec!["check", path, "--require", "slo"],
        vec!["check", path, "--tier", "99"],
        vec!["check", "/nonexistent/repository"],
        vec!["check", path, "--format", "yaml"],
        vec!["explain", "no-such-criterion"],
    ] {
        let out = opready(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?} says nothing");
    }
}

#[test]
fn tier_comes_from_opready_yaml_then_catalog_and_the_report_says_where() {
    let repo = bare_service();
    let path = repo.path().to_str().unwrap();
    write(
        repo.path(),
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n  annotations:\n    opready.dev/tier: \"3\"\nspec:\n  type: service\n  owner: team-payments\n  lifecycle: production\n",
    );
    let out = opready(&["check", path, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["service"]["tier"], "3");
    assert_eq!(report["service"]["tier_source"], "catalog-info.yaml");
    assert_eq!(report["service"]["name"], "checkout");
    assert_eq!(report["service"]["owner"], "team-payments");
    let monitoring = report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "monitoring")
        .unwrap();
    assert_eq!(monitoring["target"], 2);
    assert_eq!(monitoring["target_source"], "tier 3");
    assert_eq!(out.status.code(), Some(1));

    write(
        repo.path(),
        ".opready.yaml",
        "service: checkout-api\ntier: 1\n",
    );
    let out = opready(&["check", path, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["service"]["tier"], "1");
    assert_eq!(report["service"]["tier_source"], ".opready.yaml");
    assert_eq!(report["service"]["name"], "checkout-api");

    let out = opready(&["check", path, "--format", "json", "--tier", "tier-2"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["service"]["tier"], "2");
    assert_eq!(report["service"]["tier_source"], "--tier");
}

#[test]
fn an_invalid_config_exits_two_and_points_at_the_line() {
    let repo = bare_service();
    write(
        repo.path(),
        ".opready.yaml",
        "service: checkout\ntier: 1\nexclued: [docs]\n",
    );
    let out = opready(&["check", repo.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".opready.yaml:3:1") && err.contains("unknown field `exclued`"),
        "{err}"
    );
}

#[test]
fn no_colour_unless_asked_or_on_a_terminal() {
    let repo = bare_service();
    let path = repo.path().to_str().unwrap();
    let plain = stdout(&opready(&["check", path]));
    assert!(
        !plain.contains('\u{1b}'),
        "ANSI escapes when not on a terminal"
    );
    let coloured = stdout(&opready(&["check", path, "--color", "always"]));
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn output_file_receives_the_report() {
    let repo = bare_service();
    let target = repo.path().join("report.json");
    let out = opready(&[
        "check",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(target).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn the_json_report_matches_its_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_slice(&opready(&["schema", "report"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let repo = bare_service();
    let out = opready(&[
        "check",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
        "--require",
        "slo=2",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The fields the issue promises.
    for key in ["schema_version", "activities", "diagnostics"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let activity = &report["activities"][0];
    for key in [
        "id",
        "title",
        "level",
        "max_level",
        "target",
        "met",
        "criteria",
    ] {
        assert!(activity.get(key).is_some(), "activity lacks {key}");
    }
    let criterion = &activity["criteria"][0];
    for key in ["id", "level", "status", "title", "findings"] {
        assert!(criterion.get(key).is_some(), "criterion lacks {key}");
    }
    let finding = &activity["criteria"][0]["findings"][0];
    assert!(finding.get("message").is_some());
}

#[test]
fn every_schema_is_printed_as_json() {
    for which in ["report", "evidence", "policy", "config"] {
        let out = opready(&["schema", which]);
        assert_eq!(out.status.code(), Some(0));
        let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            jsonschema::validator_for(&schema).is_ok(),
            "{which} schema does not compile"
        );
    }
}

#[test]
fn list_shows_activities_criteria_and_detectors() {
    let text = stdout(&opready(&["list"]));
    for needle in [
        "Activities (9)",
        "slo-defined",
        "Detectors",
        "prometheus-rules",
        "github-actions",
    ] {
        assert!(text.contains(needle), "list lacks {needle}:\n{text}");
    }
}

#[test]
fn explain_documents_a_diagnostic_code_and_list_shows_them_all() {
    let out = opready(&["explain", "invalid-yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "invalid-yaml — ",
        "severity: error",
        "What it means",
        "What to do",
    ] {
        assert!(text.contains(needle), "explain lacks {needle}:\n{text}");
    }

    let out = opready(&["list", "diagnostics"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listing = stdout(&out);
    assert!(listing.starts_with("Diagnostics ("), "{listing}");
    assert!(!listing.contains("Detectors"), "{listing}");
    let codes: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for code in ["invalid-yaml", "file-too-large", "unknown-waiver"] {
        assert!(
            codes.contains(&code),
            "list diagnostics lacks {code}:\n{listing}"
        );
    }
    // Every listed code is explained.
    for code in codes {
        let out = opready(&["explain", code]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "explain {code}: {}",
            stderr(&out)
        );
        assert!(
            stdout(&out).starts_with(&format!("{code} — ")),
            "explain {code}"
        );
    }
    assert!(stdout(&opready(&["list"])).contains("Diagnostics ("));

    let out = opready(&["explain", "no-such-code"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("diagnostic code"), "{}", stderr(&out));
}

#[test]
fn every_detector_has_a_fixture_of_its_own_where_it_finds_evidence() {
    let listing = stdout(&opready(&["list", "detectors"]));
    let ids: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 40, "{listing}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut problems = Vec::new();
    for id in ids {
        let fixture = root.join(format!("format-{id}"));
        if !fixture.is_dir() {
            problems.push(format!("{id}: no fixtures/format-{id}"));
            continue;
        }
        let out = opready(&[
            "check",
            fixture.to_str().unwrap(),
            "--evidence",
            "--format",
            "json",
        ]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let items: usize = doc["evidence"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|v| v.as_array())
            .map(Vec::len)
            .sum();
        if items == 0 {
            problems.push(format!("{id}: fixtures/format-{id} yields no evidence"));
        }
        for d in doc["diagnostics"].as_array().unwrap() {
            if d["severity"] == "error" {
                problems.push(format!("{id}: error diagnostic in its fixture: {d}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// README.md's "What it looks like" is real output: the report of the block's command,
/// up to the `…` where the README cuts it.
#[test]
fn the_readme_example_is_what_opready_prints() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    let command = "$ opready check fixtures/service-bare --require slo=2\n";
    let start = readme.find(command).expect("the example in README.md") + command.len();
    let end = start
        + readme[start..]
            .find("…\n```")
            .expect("the example ends with …");
    let shown = &readme[start..end];
    let out = Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(["check", "fixtures/service-bare", "--require", "slo=2"])
        .current_dir(project)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("OPREADY_TODAY", "2026-01-10")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.starts_with(shown),
        "README.md's example is stale; opready prints:\n{printed}"
    );
}
