//! `opready init [--scaffold]` end to end: the configuration it writes, that it never
//! overwrites, that it scaffolds only what is missing, and that a check of the scaffolded
//! repository passes the criteria the starter files are for, with no diagnostics.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const TODAY: &str = "2026-01-10";

fn opready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(args)
        .env("OPREADY_TODAY", TODAY)
        .env("NO_COLOR", "1")
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

/// An empty service repository: only a Dockerfile, in a folder called `payments-api`.
fn empty_service() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("payments-api");
    write(&root, "Dockerfile", "FROM alpine:3.20\n");
    (dir, root)
}

/// Every file under `root`, repository-relative, with its text.
fn files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

/// Criterion id → status, and the diagnostics, of `opready check --format json`.
fn statuses(root: &Path) -> (BTreeMap<String, String>, Vec<serde_json::Value>) {
    let out = opready(&["check", root.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.code() == Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses = report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["criteria"].as_array().unwrap())
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let diagnostics = report["diagnostics"].as_array().unwrap().clone();
    (statuses, diagnostics)
}

/// The files the check warns still hold the TODOs of `opready init --scaffold`.
fn scaffold_warnings(diagnostics: &[serde_json::Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "unfinished-scaffold" && d["severity"] == "warning")
        .map(|d| d["path"].as_str().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn init_writes_a_configuration_and_never_overwrites_it() {
    let (_dir, root) = empty_service();
    let path = root.to_str().unwrap();
    let out = opready(&["init", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "wrote    .opready.yaml  configuration: service payments-api, owner unknown"
        ),
        "{text}"
    );
    let written = fs::read_to_string(root.join(".opready.yaml")).unwrap();
    assert!(written.contains("service: \"payments-api\"  # from folder name"));
    assert!(written.contains("\n# tier: "), "{written}");
    assert!(written.contains("#   1 (critical)"), "{written}");
    assert!(
        written.contains("# waivers:\n#   - criterion: "),
        "{written}"
    );
    // Only the configuration: no starter files without --scaffold.
    assert_eq!(
        files(&root).keys().collect::<Vec<_>>(),
        [".opready.yaml", "Dockerfile"]
    );
    // It is read by check, and sets no target: the gate passes.
    let out = opready(&["check", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("payments-api"));

    fs::write(root.join(".opready.yaml"), "tier: 1\n").unwrap();
    let out = opready(&["init", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".opready.yaml already exists; opready init never overwrites it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(root.join(".opready.yaml")).unwrap(),
        "tier: 1\n"
    );
}

#[test]
fn scaffolded_starter_files_pass_their_criteria_without_diagnostics() {
    let (_dir, root) = empty_service();
    let path = root.to_str().unwrap();
    let (before, _) = statuses(&root);

    let out = opready(&["init", path, "--scaffold"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for file in [
        ".opready.yaml",
        ".github/CODEOWNERS",
        "docs/runbooks/example.md",
        "docs/incident-response.md",
        "docs/postmortems/template.md",
        "slos/payments-api.yaml",
        "docs/error-budget-policy.md",
    ] {
        assert!(
            text.contains(&format!("wrote    {file} ")),
            "{file}: {text}"
        );
        assert!(root.join(file).is_file(), "{file}");
    }
    assert!(text.contains("Now passing"), "{text}");

    let (after, diagnostics) = statuses(&root);
    // Valid evidence: the only thing said of them is that their TODOs are still there.
    assert_eq!(
        scaffold_warnings(&diagnostics),
        [
            ".github/CODEOWNERS",
            "docs/error-budget-policy.md",
            "docs/incident-response.md",
            "docs/runbooks/example.md",
            "slos/payments-api.yaml",
        ],
        "the starter files must be valid evidence: {diagnostics:#?}"
    );
    for criterion in [
        "slo-defined",
        "slo-error-budget-policy",
        "incident-process-documented",
        "incident-roles-and-severities",
        "incident-escalation-defined",
        "incident-communication",
        "postmortem-template",
        "postmortem-practised",
        "ownership-declared",
        "runbooks-present",
    ] {
        assert_eq!(before[criterion], "fail", "{criterion} before");
        assert_eq!(after[criterion], "pass", "{criterion} after");
    }
    // And the criteria about the quality of what now exists pass too.
    for criterion in [
        "slo-objective-and-window",
        "slo-sli-measured",
        "slo-burn-rate-alerting",
        "postmortem-template-complete",
        "postmortem-blameless",
        "postmortem-action-items-tracked",
        "runbooks-structured",
        "runbooks-reviewed",
        "operational-files-owned",
    ] {
        assert_eq!(after[criterion], "pass", "{criterion}");
    }

    // The stubs carry the service's name, today's review date and the SLO's alerts.
    let all = files(&root);
    assert!(all["docs/runbooks/example.md"].starts_with("---\nlast_reviewed_on: 2026-01-10\n"));
    assert!(all["slos/payments-api.yaml"].contains("name: PaymentsApiAvailabilityBudgetBurn"));
    assert!(all["docs/incident-response.md"].contains("payments-api"));

    // A second run writes nothing and says why for each file.
    let out = opready(&["init", path, "--scaffold"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("wrote"), "{text}");
    assert_eq!(files(&root), all);
    for line in [
        "skipped  .opready.yaml                 already exists; opready init never overwrites it",
        "skipped  .github/CODEOWNERS            code owners exist: .github/CODEOWNERS",
        "skipped  docs/runbooks/example.md      runbooks exist: docs/runbooks/example.md",
        "skipped  docs/incident-response.md     an incident process is documented: docs/incident-response.md",
        "skipped  docs/postmortems/template.md  a postmortem template exists: docs/postmortems/template.md",
        "skipped  slos/payments-api.yaml        SLOs are defined: slos/payments-api.yaml:16 and 1 more",
        "skipped  docs/error-budget-policy.md   an error-budget policy is written: docs/error-budget-policy.md",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn scaffold_writes_only_what_the_check_finds_missing() {
    let (_dir, root) = empty_service();
    // Runbooks kept elsewhere, an incident process under another name, a catalog owner
    // that is no GitHub handle, and an existing configuration.
    write(
        &root,
        "ops/playbooks/disk-full.md",
        "# Disk full\n\n## Symptoms\n\nWrites fail.\n\n## Mitigation\n\nGrow the volume.\n",
    );
    write(
        &root,
        "docs/on-call.md",
        "# On-call\n\n## Declaring an incident\n\nPage the incident commander.\n\n## Severity levels\n\nSEV1, SEV2.\n",
    );
    write(
        &root,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\nspec:\n  type: service\n  owner: group:finance\n",
    );
    write(&root, ".opready.yaml", "exclude: [vendor/**]\n");
    let out = opready(&["init", root.to_str().unwrap(), "--scaffold"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("skipped  .opready.yaml "),
        "an existing configuration is left alone: {text}"
    );
    assert!(
        text.contains(
            "skipped  docs/runbooks/example.md      runbooks exist: ops/playbooks/disk-full.md"
        ),
        "{text}"
    );
    assert!(
        text.contains("an incident process is documented: docs/on-call.md"),
        "{text}"
    );
    assert!(text.contains("wrote    slos/ledger.yaml "), "{text}");
    assert!(
        text.contains("wrote    docs/postmortems/template.md "),
        "{text}"
    );
    assert!(!root.join("docs/runbooks").exists());
    assert!(!root.join("docs/incident-response.md").exists());
    assert_eq!(
        fs::read_to_string(root.join(".opready.yaml")).unwrap(),
        "exclude: [vendor/**]\n"
    );
    // The catalog owner is not a GitHub handle: CODEOWNERS gets a placeholder and says so.
    let codeowners = fs::read_to_string(root.join(".github/CODEOWNERS")).unwrap();
    assert!(
        codeowners.contains("\n*    @your-org/your-team\n"),
        "{codeowners}"
    );
    assert!(codeowners.contains("`group:finance`"), "{codeowners}");
    let (_, diagnostics) = statuses(&root);
    assert!(
        diagnostics
            .iter()
            .all(|d| d["code"] == "unfinished-scaffold" && d["severity"] == "warning"),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_repository_that_has_everything_only_gets_a_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/service-best-practice");
    let root = dir.path().join("checkout");
    for (rel, text) in files(&fixture) {
        write(&root, &rel, &text);
    }
    let out = opready(&["init", root.to_str().unwrap(), "--scaffold"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let wrote: Vec<&str> = text.lines().filter(|l| l.starts_with("wrote")).collect();
    assert_eq!(wrote.len(), 1, "{text}");
    assert!(wrote[0].starts_with("wrote    .opready.yaml "), "{text}");
    let config = fs::read_to_string(root.join(".opready.yaml")).unwrap();
    assert!(
        config.contains("service: \"checkout\"  # from catalog-info.yaml"),
        "{config}"
    );
    // The fixture meets every tier today; its catalog lifecycle already gives it tier 2,
    // which is suggested.
    assert!(config.contains("#       met today"), "{config}");
    assert!(!config.contains("below today"), "{config}");
    assert!(
        config.contains("#       catalog spec.lifecycle production also means this tier\n"),
        "{config}"
    );
    assert!(
        config.contains(
            "# catalog-info.yaml (spec.lifecycle: production) already sets tier 2; a tier here would\n# override it.\n# tier: 2\n"
        ),
        "{config}"
    );
    // Without a catalog tier, the most demanding tier met today is suggested.
    fs::remove_file(root.join(".opready.yaml")).unwrap();
    fs::remove_file(root.join("catalog-info.yaml")).unwrap();
    let out = opready(&["init", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = fs::read_to_string(root.join(".opready.yaml")).unwrap();
    assert!(config.contains("\n# tier: 1\n"), "{config}");
    assert!(
        config.contains("service: \"checkout\"  # from folder name"),
        "{config}"
    );
}

#[test]
fn init_refuses_what_is_not_a_folder() {
    let out = opready(&["init", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a folder"), "{}", stderr(&out));
}
