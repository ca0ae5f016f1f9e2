//! Ratcheting from a baseline, end to end through the binary: `opready baseline write`
//! saves today's report; `opready check --baseline` then fails only on what got worse
//! (a level drop, a newly failing criterion, a new finding), whatever the targets say.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn opready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opready"))
        .env("OPREADY_TODAY", "2026-11-23")
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn alert(name: &str, severity: Option<&str>) -> String {
    let labels = severity.map_or(String::new(), |s| {
        format!("        labels:\n          severity: {s}\n")
    });
    format!(
        "      - alert: {name}\n        expr: rate(http_requests_total{{code=~\"5..\"}}[5m]) > 1\n        for: 5m\n{labels}"
    )
}

fn rules(alerts: &[String]) -> String {
    format!(
        "groups:\n  - name: checkout\n    rules:\n{}",
        alerts.concat()
    )
}

/// A service at monitoring level 2: one paging alert with a severity, but no summary or
/// runbook (level 3 fails with a finding naming the alert).
fn service() -> tempfile::TempDir {
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
    write(
        root,
        "monitoring/rules.yaml",
        &rules(&[alert("CheckoutErrors", Some("critical"))]),
    );
    dir
}

fn json_check(root: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", root.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = opready(&args);
    let code = out.status.code().unwrap_or(-1);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (code, report)
}

fn level(report: &Value, activity: &str) -> Option<u64> {
    report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == activity)
        .and_then(|a| a["level"].as_u64())
}

fn write_baseline(root: &Path) {
    let out = opready(&["baseline", "write", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".opready-baseline.json"),
        "says where it wrote: {}",
        stderr(&out)
    );
}

#[test]
fn a_baseline_accepts_todays_state_even_below_target() {
    let repo = service();
    let root = repo.path();
    let (code, report) = json_check(root, &["--require", "monitoring=3"]);
    assert_eq!(code, 1, "monitoring is at 2, below the target 3");
    assert_eq!(level(&report, "monitoring"), Some(2));
    assert!(report.get("baseline").is_none(), "no section without one");

    write_baseline(root);
    let saved: Value =
        serde_json::from_str(&fs::read_to_string(root.join(".opready-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(
        saved["repository"]["path"], ".",
        "stable wherever it is written from"
    );
    assert_eq!(level(&saved, "monitoring"), Some(2));

    let baseline = root.join(".opready-baseline.json");
    let baseline = baseline.to_str().unwrap();
    let (code, report) = json_check(root, &["--require", "monitoring=3", "--baseline", baseline]);
    assert_eq!(code, 0, "nothing regressed: {:#}", report["baseline"]);
    assert_eq!(report["baseline"]["passed"], true);
    assert_eq!(report["baseline"]["file"], baseline);
    assert_eq!(
        report["summary"]["met"], false,
        "targets are still reported"
    );
    assert_eq!(
        report["evidence"]["files"], saved["evidence"]["files"],
        "the baseline file is not scanned as evidence"
    );

    let out = opready(&[
        "check",
        root.to_str().unwrap(),
        "--require",
        "monitoring=3",
        "--baseline",
        baseline,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("Compared with baseline"), "{text}");
    assert!(text.contains("No regressions since the baseline"), "{text}");
    assert!(text.contains("1 of 1 activities below target"), "{text}");
}

#[test]
fn a_new_finding_fails_and_names_its_fingerprint_but_moved_lines_do_not() {
    let repo = service();
    let root = repo.path();
    write_baseline(root);
    let baseline = root.join(".opready-baseline.json");
    let baseline = baseline.to_str().unwrap();

    // The known alert moves down the file: same findings, other lines.
    write(
        root,
        "monitoring/rules.yaml",
        &format!(
            "# Checkout alerts.\n# Owned by payments.\n\n{}",
            rules(&[alert("CheckoutErrors", Some("critical"))])
        ),
    );
    let (code, report) = json_check(root, &["--baseline", baseline]);
    assert_eq!(code, 0, "{:#}", report["baseline"]);

    // A second paging alert without a summary: a new finding of a criterion that
    // already failed.
    write(
        root,
        "monitoring/rules.yaml",
        &rules(&[
            alert("CheckoutErrors", Some("critical")),
            alert("CheckoutLatency", Some("critical")),
        ]),
    );
    let (code, report) = json_check(root, &["--baseline", baseline]);
    assert_eq!(code, 1, "{:#}", report["baseline"]);
    let b = &report["baseline"];
    assert_eq!(b["passed"], false);
    assert!(b["regressions"]["levels"].as_array().unwrap().is_empty());
    assert!(b["regressions"]["criteria"].as_array().unwrap().is_empty());
    let new = b["regressions"]["findings"].as_array().unwrap();
    let summary = new
        .iter()
        .find(|f| f["criterion"] == "paging-alerts-have-summary")
        .unwrap_or_else(|| panic!("{b:#}"));
    assert!(
        summary["message"]
            .as_str()
            .unwrap()
            .contains("CheckoutLatency"),
        "{summary}"
    );
    assert_eq!(summary["path"], "monitoring/rules.yaml");
    // The fingerprint is the finding's own, as the criterion lists it.
    let criterion = report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["criteria"].as_array().unwrap())
        .find(|c| c["id"] == "paging-alerts-have-summary")
        .unwrap();
    assert!(
        criterion["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fingerprint"] == summary["fingerprint"])
    );
    assert!(
        new.iter()
            .all(|f| !f["message"].as_str().unwrap().contains("CheckoutErrors")),
        "the known alert is not new: {new:#?}"
    );

    let out = opready(&["check", root.to_str().unwrap(), "--baseline", baseline]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("regression(s) since the baseline"), "{text}");
    assert!(
        text.contains(
            "paging-alerts-have-summary [monitoring]: new finding monitoring/rules.yaml:"
        ),
        "{text}"
    );
}

#[test]
fn a_level_drop_and_a_newly_failing_criterion_fail_and_fixes_are_improvements() {
    let repo = service();
    let root = repo.path();
    write_baseline(root);
    let baseline = root.join(".opready-baseline.json");
    let baseline = baseline.to_str().unwrap();

    write(
        root,
        "monitoring/rules.yaml",
        &rules(&[alert("CheckoutErrors", None)]),
    );
    let (code, report) = json_check(root, &["--baseline", baseline]);
    assert_eq!(code, 1);
    let b = &report["baseline"]["regressions"];
    assert_eq!(
        b["levels"],
        serde_json::json!([{"activity": "monitoring", "from": 2, "to": 1}])
    );
    assert!(
        b["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["criterion"] == "alerts-have-severity" && c["from"] == "pass"),
        "{b:#}"
    );
    let out = opready(&["check", root.to_str().unwrap(), "--baseline", baseline]);
    let text = stdout(&out);
    assert!(
        text.contains("monitoring: level 2 Defined → 1 Ad hoc"),
        "{text}"
    );
    assert!(
        text.contains("alerts-have-severity [monitoring]: fails now (was pass)"),
        "{text}"
    );

    // Fixing the level-3 findings is an improvement, never a failure.
    write(
        root,
        "monitoring/rules.yaml",
        "groups:\n  - name: checkout\n    rules:\n      - alert: CheckoutErrors\n        expr: rate(http_requests_total[5m]) > 1\n        for: 5m\n        labels:\n          severity: critical\n        annotations:\n          summary: Checkout fails\n",
    );
    let (code, report) = json_check(root, &["--baseline", baseline]);
    assert_eq!(code, 0, "{:#}", report["baseline"]);
    let fixed = report["baseline"]["improvements"]["findings"]
        .as_array()
        .unwrap();
    assert!(
        fixed
            .iter()
            .any(|f| f["criterion"] == "paging-alerts-have-summary"),
        "{fixed:#?}"
    );
}

#[test]
fn the_baseline_section_matches_the_published_schema() {
    let schema: Value = serde_json::from_slice(&opready(&["schema", "report"]).stdout).unwrap();
    assert!(
        schema.to_string().contains("BaselineComparison"),
        "the schema documents the baseline section"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let repo = service();
    let root = repo.path();
    write_baseline(root);
    write(
        root,
        "monitoring/rules.yaml",
        &rules(&[
            alert("CheckoutErrors", None),
            alert("Other", Some("critical")),
        ]),
    );
    let baseline = root.join(".opready-baseline.json");
    let (_, report) = json_check(root, &["--baseline", baseline.to_str().unwrap()]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        !report["baseline"]["regressions"]["findings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_baseline_from_another_version_or_pack_still_loads() {
    let repo = service();
    let root = repo.path();
    write_baseline(root);
    let path = root.join(".opready-baseline.json");
    let mut saved: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    saved["tool"]["version"] = "0.0.1".into();
    saved["schema_version"] = 7.into();
    saved["something_new"] = serde_json::json!({"a": [1, 2]});
    // Fingerprints were not written by old versions; a criterion the old pack did not
    // have is missing altogether.
    for activity in saved["activities"].as_array_mut().unwrap() {
        activity["future_field"] = true.into();
        let criteria = activity["criteria"].as_array_mut().unwrap();
        criteria.retain(|c| c["id"] != "paging-alerts-have-runbook");
        for c in criteria {
            for f in c["findings"].as_array_mut().unwrap() {
                f.as_object_mut().unwrap().remove("fingerprint");
            }
        }
    }
    fs::write(&path, serde_json::to_string(&saved).unwrap()).unwrap();
    let (code, report) = json_check(root, &["--baseline", path.to_str().unwrap()]);
    assert_eq!(report["baseline"]["tool_version"], "0.0.1");
    assert_eq!(code, 1, "{:#}", report["baseline"]);
    let b = &report["baseline"]["regressions"];
    // Only the criterion the baseline does not know counts as new; fingerprints are
    // computed for the old findings.
    assert_eq!(
        b["criteria"],
        serde_json::json!([{"activity": "monitoring", "criterion": "paging-alerts-have-runbook", "from": null, "to": "fail"}]),
        "{b:#}"
    );
    assert!(
        b["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["criterion"] == "paging-alerts-have-runbook"),
        "{b:#}"
    );
    saved["policy"]["name"] = "acme-old".into();
    fs::write(&path, serde_json::to_string(&saved).unwrap()).unwrap();
    let out = opready(&[
        "check",
        root.to_str().unwrap(),
        "--baseline",
        path.to_str().unwrap(),
    ]);
    assert!(
        stdout(&out).contains("written with the policy pack `acme-old`, not `opready-builtin`"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out)
            .contains("paging-alerts-have-runbook [monitoring]: fails now (not in the baseline)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_or_unreadable_baseline_is_a_usage_error() {
    let repo = service();
    let root = repo.path();
    let missing = root.join("nope.json");
    let out = opready(&[
        "check",
        root.to_str().unwrap(),
        "--baseline",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("cannot read the baseline") && err.contains("nope.json"),
        "{err}"
    );
    assert!(err.contains("opready baseline write"), "says how: {err}");

    write(root, "garbage.json", "{\"activities\": 3}");
    let garbage = root.join("garbage.json");
    let out = opready(&[
        "check",
        root.to_str().unwrap(),
        "--baseline",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not an opready JSON report"),
        "{}",
        stderr(&out)
    );

    let out = opready(&[
        "check",
        root.to_str().unwrap(),
        "--baseline",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "a folder is not a baseline");
}

#[test]
fn baseline_write_takes_the_check_options_and_can_print() {
    let repo = service();
    let root = repo.path();
    let out = opready(&[
        "baseline",
        "write",
        root.to_str().unwrap(),
        "--require",
        "monitoring=3",
        "--output",
        "-",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "below target is not an error here"
    );
    let saved: Value = serde_json::from_slice(&out.stdout).unwrap();
    let monitoring = saved["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "monitoring")
        .unwrap();
    assert_eq!(monitoring["target"], 3);
    assert!(!root.join(".opready-baseline.json").exists());

    let elsewhere = root.join("ci/baseline.json");
    fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    let out = opready(&[
        "baseline",
        "write",
        root.to_str().unwrap(),
        "-o",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(elsewhere.is_file());

    let out = opready(&["baseline", "write", root.to_str().unwrap(), "--tier", "99"]);
    assert_eq!(out.status.code(), Some(2), "same usage errors as check");
}
