//! The CI-facing output formats as their consumers read them: SARIF against the official
//! schema, JUnit through a real XML parser, GitHub workflow commands line by line, the
//! Markdown summary's size; and `--output` for every format.

use std::path::Path;
use std::process::{Command, Output};

const WAIVERS: &str = "fixtures/service-with-waivers";

fn opready(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opready"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("OPREADY_TODAY", "2026-11-23");
    for name in [
        "GITHUB_WORKSPACE",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
    ] {
        command.env_remove(name);
    }
    command.args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The report as JSON, to compare the other formats with.
fn report(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_slice(&opready(&all).stdout).unwrap()
}

fn criteria(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["criteria"].as_array().unwrap())
        .collect()
}

fn count(report: &serde_json::Value, status: &str) -> usize {
    criteria(report)
        .iter()
        .filter(|c| c["status"] == status)
        .count()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: the SARIF 2.1.0 schema is not at {}; SARIF output not validated",
            path.display()
        );
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for args in [
        &["check", WAIVERS, "--format", "sarif"][..],
        &["check", "fixtures/service-bare", "--format", "sarif"],
        &[
            "check",
            "fixtures/service-best-practice",
            "--format",
            "sarif",
        ],
        &["check", "fixtures/library", "--format", "sarif"],
    ] {
        let log: serde_json::Value = serde_json::from_slice(&opready(args).stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", args[1]);
    }
}

#[test]
fn sarif_results_are_every_failing_and_waived_finding_and_all_have_a_file() {
    let json = report(&["check", WAIVERS]);
    let expected: usize = criteria(&json)
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "waived")
        .map(|c| c["findings"].as_array().unwrap().len())
        .sum();
    let log: serde_json::Value =
        serde_json::from_slice(&opready(&["check", WAIVERS, "--format", "sarif"]).stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), expected);
    // GitHub code scanning refuses the whole upload when one result has no file.
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("fixtures/service-with-waivers/"), "{r}");
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    }
    let expired: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("waiver expired")
        })
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["level"], "error");
    assert_eq!(
        expired[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/service-with-waivers/.opready.yaml"
    );
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "slo-defined");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), criteria(&json).len());
}

#[test]
fn junit_parses_and_counts_every_criterion() {
    use quick_xml::events::Event;

    for repo in [WAIVERS, "fixtures/service-bare", "fixtures/library"] {
        let json = report(&["check", repo]);
        let xml = stdout(&opready(&["check", repo, "--format", "junit"]));
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut suites, mut cases, mut failures, mut skipped) = (0, 0, 0, 0);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    "skipped" => skipped += 1,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(
            suites,
            json["activities"].as_array().unwrap().len(),
            "{repo}"
        );
        assert_eq!(cases, criteria(&json).len(), "{repo}");
        assert_eq!(failures, count(&json, "fail"), "{repo}");
        assert_eq!(
            skipped,
            count(&json, "not-applicable") + count(&json, "waived"),
            "{repo}"
        );
    }
}

#[test]
fn github_commands_one_per_finding_plus_the_summary() {
    let json = report(&["check", WAIVERS]);
    let text = stdout(&opready(&["check", WAIVERS, "--format", "github"]));
    let lines: Vec<&str> = text.lines().collect();
    let findings: usize = criteria(&json)
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["findings"].as_array().unwrap().len())
        .sum();
    let waived = count(&json, "waived");
    let diagnostics = json["diagnostics"].as_array().unwrap().len();
    assert_eq!(lines.len(), 1 + findings + waived + diagnostics);
    for line in &lines {
        let command = line.split([' ', ':']).nth(2).unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
    }
    assert!(lines[0].starts_with("::error title=opready::"));
}

#[test]
fn every_format_can_be_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "json", "sarif", "markdown", "junit", "github"] {
        let file = dir.path().join(format!("report.{format}"));
        let out = opready(&[
            "check",
            WAIVERS,
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.is_empty(), "{format}");
        let written = std::fs::read_to_string(&file).unwrap();
        let printed = stdout(&opready(&["check", WAIVERS, "--format", format]));
        assert_eq!(written, printed, "{format}");
    }
}

#[test]
fn evidence_listing_is_human_or_json_only() {
    let out = opready(&["check", WAIVERS, "--evidence", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--evidence"));
}

#[test]
fn paths_are_from_the_github_workspace_and_markdown_links_to_the_commit() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_opready"))
        .current_dir(Path::new(root).join("fixtures"))
        .env("OPREADY_TODAY", "2026-11-23")
        .env("GITHUB_WORKSPACE", root)
        .env("GITHUB_SERVER_URL", "https://github.example.com/")
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_SHA", "abc123")
        .args(["check", "service-with-waivers", "--format", "markdown"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("[fixtures/service-with-waivers/monitoring/checkout.rules.yaml:11](https://github.example.com/acme/shop/blob/abc123/fixtures/service-with-waivers/monitoring/checkout.rules.yaml#L11)"),
        "{text}"
    );
}
