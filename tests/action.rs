//! The GitHub Action (`action.yml`) end to end, without GitHub: the metadata is checked for
//! well-formedness, then its `run:` steps are executed in order with bash the way the
//! runner does — a workspace, `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY`/`GITHUB_PATH` files,
//! `RUNNER_TEMP`, and the `${{ … }}` expressions the action uses substituted — with the
//! test binary on the PATH instead of the build step, and `uses:` steps recorded, not run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    name: String,
    description: String,
    #[allow(dead_code)]
    author: Option<String>,
    #[allow(dead_code)]
    branding: Option<BTreeMap<String, String>>,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, OutputSpec>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    description: String,
    required: Option<bool>,
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputSpec {
    description: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Step {
    name: String,
    id: String,
    #[serde(rename = "if")]
    condition: Option<String>,
    shell: Option<String>,
    run: Option<String>,
    uses: Option<String>,
    with: Option<BTreeMap<String, String>>,
    env: Option<BTreeMap<String, String>>,
}

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Action {
    let text = fs::read_to_string(project().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("action.yml: {e}"))
}

/// The `${{ … }}` expressions in a text.
fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            panic!("unclosed expression in {text}")
        };
        out.push(rest[start + 3..start + len].trim().to_string());
        rest = &rest[start + len + 2..];
    }
    out
}

/// What the simulated runner knows: inputs, the `github` and `runner` contexts, and the
/// outputs of the steps run so far.
struct Context {
    inputs: BTreeMap<String, String>,
    values: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl Context {
    /// The value of one expression: `inputs.x`, `github.x`, `runner.x`,
    /// `steps.id.outputs.x` (missing values are empty, as on GitHub), or a comparison of
    /// one with a quoted literal by `==` or `!=`.
    fn eval(&self, expr: &str) -> String {
        for (op, equal) in [(" == ", true), (" != ", false)] {
            if let Some((left, right)) = expr.split_once(op) {
                let right = right.trim().trim_matches('\'');
                return ((self.eval(left.trim()) == right) == equal).to_string();
            }
        }
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self.inputs.get(name).cloned().unwrap_or_default();
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, output) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("unsupported expression `{expr}`"));
            return self
                .steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        self.values
            .get(expr)
            .cloned()
            .unwrap_or_else(|| panic!("unsupported expression `{expr}`"))
    }

    fn substitute(&self, text: &str) -> String {
        let mut out = text.to_string();
        for expr in expressions(text) {
            let value = self.eval(&expr);
            out = out.replacen(&format!("${{{{ {expr} }}}}"), &value, 1);
        }
        out
    }
}

/// What a run of the action left behind.
#[derive(Debug)]
struct Run {
    /// The step that failed and its exit code, if one did.
    failed: Option<(String, i32)>,
    /// Everything the run steps printed on standard output (workflow commands included).
    stdout: String,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    /// `uses:` steps that would have run: id → (action, substituted `with`).
    uses: BTreeMap<String, (String, BTreeMap<String, String>)>,
    ran: Vec<String>,
}

/// Runs the action over a copy of `fixture` with `inputs` (over the defaults).
fn run_action(fixture: &str, inputs: &[(&str, &str)]) -> (tempfile::TempDir, Run) {
    run_action_with(fixture, inputs, |_| {})
}

/// Runs the action over a copy of `fixture`, prepared by `setup`, with `inputs`.
fn run_action_with(
    fixture: &str,
    inputs: &[(&str, &str)],
    setup: impl FnOnce(&Path),
) -> (tempfile::TempDir, Run) {
    let action = action();
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace");
    copy_dir(&project().join(fixture), &workspace);
    setup(&workspace);
    let temp = dir.path().join("runner-temp");
    let home = dir.path().join("home");
    fs::create_dir_all(&temp).unwrap();
    fs::create_dir_all(&home).unwrap();
    let summary = dir.path().join("step-summary.md");
    let github_path = dir.path().join("github-path");
    fs::write(&summary, "").unwrap();
    fs::write(&github_path, "").unwrap();

    let mut context = Context {
        inputs: action
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.default.clone().unwrap_or_default()))
            .collect(),
        values: BTreeMap::from([
            (
                "github.action_path".to_string(),
                project().display().to_string(),
            ),
            (
                "github.workspace".to_string(),
                workspace.display().to_string(),
            ),
            ("runner.temp".to_string(), temp.display().to_string()),
            ("runner.os".to_string(), "Linux".to_string()),
            ("runner.arch".to_string(), "X64".to_string()),
        ]),
        steps: BTreeMap::new(),
    };
    for (name, value) in inputs {
        assert!(context.inputs.contains_key(*name), "no input `{name}`");
        context.inputs.insert(name.to_string(), value.to_string());
    }
    // The test binary stands in for the build step.
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_opready"));
    let base_path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut run = Run {
        failed: None,
        stdout: String::new(),
        stderr: String::new(),
        summary: String::new(),
        outputs: BTreeMap::new(),
        uses: BTreeMap::new(),
        ran: Vec::new(),
    };
    for (n, step) in action.runs.steps.iter().enumerate() {
        if let Some(condition) = &step.condition
            && context.eval(condition) != "true"
        {
            continue;
        }
        if let Some(uses) = &step.uses {
            let with = step
                .with
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), context.substitute(v)))
                .collect();
            run.uses.insert(step.id.clone(), (uses.clone(), with));
            continue;
        }
        if step.id == "install" {
            continue;
        }
        let script = dir.path().join(format!("step-{n}.sh"));
        fs::write(&script, step.run.as_deref().unwrap()).unwrap();
        let output_file = dir.path().join(format!("output-{n}"));
        fs::write(&output_file, "").unwrap();
        // GITHUB_PATH lines are prepended to PATH for the following steps.
        let added: Vec<String> = fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = added
            .into_iter()
            .chain([base_path.clone()])
            .collect::<Vec<_>>()
            .join(":");
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(&workspace)
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &workspace)
            .env("GITHUB_ACTION_PATH", project())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &github_path)
            .env("RUNNER_TEMP", &temp)
            .env("OPREADY_TODAY", "2026-01-10");
        for (name, value) in step.env.iter().flatten() {
            command.env(name, context.substitute(value));
        }
        let out = command.output().unwrap();
        run.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
        run.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
        run.ran.push(step.id.clone());
        context.steps.insert(
            step.id.clone(),
            parse_outputs(&fs::read_to_string(&output_file).unwrap()),
        );
        if !out.status.success() {
            run.failed = Some((step.id.clone(), out.status.code().unwrap_or(-1)));
            break;
        }
    }
    run.outputs = action
        .outputs
        .iter()
        .map(|(k, v)| (k.clone(), context.substitute(&v.value)))
        .collect();
    run.summary = fs::read_to_string(&summary).unwrap();
    (dir, run)
}

/// `name=value` lines, and `name<<DELIMITER` … `DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_action_is_well_formed() {
    let action = action();
    assert_eq!(action.name, "opready");
    assert!(!action.description.is_empty());
    assert_eq!(action.runs.using, "composite");
    for (name, input) in &action.inputs {
        assert!(!input.description.is_empty(), "input {name}");
        assert_eq!(input.required, Some(false), "input {name} has a default");
        assert!(input.default.is_some(), "input {name}");
    }
    assert_eq!(action.inputs["path"].default.as_deref(), Some("."));
    assert_eq!(
        action.inputs["upload-sarif"].default.as_deref(),
        Some("true")
    );
    for name in [
        "path",
        "tier",
        "require",
        "policy",
        "baseline",
        "args",
        "upload-sarif",
    ] {
        assert!(action.inputs.contains_key(name), "input {name}");
    }
    for name in ["met", "report-json"] {
        assert!(action.outputs.contains_key(name), "output {name}");
    }

    let mut ids = Vec::new();
    for step in &action.runs.steps {
        assert!(!step.name.is_empty());
        assert!(!ids.contains(&step.id), "duplicate step id {}", step.id);
        match (&step.run, &step.uses) {
            (Some(run), None) => {
                // Composite run steps must name their shell; inputs reach scripts through
                // `env`, never as expressions pasted into the script (injection).
                assert_eq!(step.shell.as_deref(), Some("bash"), "step {}", step.id);
                assert!(
                    expressions(run).is_empty(),
                    "step {} pastes an expression into its script",
                    step.id
                );
                assert!(step.with.is_none());
            }
            (None, Some(uses)) => {
                assert!(
                    step.shell.is_none() && step.env.is_none(),
                    "step {}",
                    step.id
                );
                assert!(uses.contains('@'), "{uses} is pinned to a version");
            }
            _ => panic!("step {} must have either run or uses", step.id),
        }
        // Every expression refers to an input that exists, or to an earlier step.
        let values = step
            .env
            .iter()
            .flatten()
            .chain(step.with.iter().flatten())
            .map(|(_, v)| v);
        for expr in values
            .flat_map(|v| expressions(v))
            .chain(step.condition.iter().cloned())
        {
            check_reference(&action, &ids, &expr);
        }
        ids.push(step.id.clone());
    }
    for (name, output) in &action.outputs {
        assert!(!output.description.is_empty(), "output {name}");
        let exprs = expressions(&output.value);
        assert_eq!(exprs.len(), 1, "output {name}");
        check_reference(&action, &ids, &exprs[0]);
        // The step named writes the output.
        let (id, key) = exprs[0]
            .strip_prefix("steps.")
            .and_then(|r| r.split_once(".outputs."))
            .unwrap();
        let step = action.runs.steps.iter().find(|s| s.id == id).unwrap();
        assert!(
            step.run
                .as_deref()
                .unwrap()
                .contains(&format!("echo \"{key}=")),
            "step {id} writes output {key}"
        );
    }

    let upload = action
        .runs
        .steps
        .iter()
        .find(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(
        upload.with.as_ref().unwrap()["sarif_file"],
        "${{ steps.check.outputs.sarif-file }}"
    );
    assert_eq!(
        upload.condition.as_deref(),
        Some("inputs.upload-sarif == 'true'")
    );
    // The gate comes last, after the upload, so findings are uploaded when it fails.
    assert_eq!(action.runs.steps.last().unwrap().id, "gate");
}

fn check_reference(action: &Action, earlier: &[String], expr: &str) {
    for part in expr.split(['=', '!', ' ']).filter(|p| p.contains('.')) {
        if let Some(input) = part.strip_prefix("inputs.") {
            assert!(
                action.inputs.contains_key(input),
                "unknown input in `{expr}`"
            );
        } else if let Some(rest) = part.strip_prefix("steps.") {
            let id = rest.split('.').next().unwrap();
            assert!(
                earlier.iter().any(|e| e == id),
                "`{expr}` refers to a step that has not run yet"
            );
        } else {
            assert!(
                [
                    "github.action_path",
                    "runner.temp",
                    "runner.os",
                    "runner.arch"
                ]
                .contains(&part),
                "unexpected context in `{expr}`"
            );
        }
    }
}

#[test]
fn a_repository_meeting_tier_1_passes() {
    let (_dir, run) = run_action("fixtures/service-best-practice", &[("tier", "1")]);
    assert_eq!(run.failed, None, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.ran, ["source", "path", "check", "gate"]);
    assert_eq!(run.outputs["met"], "true");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&run.outputs["report-json"]).unwrap()).unwrap();
    assert_eq!(report["summary"]["met"], true);
    assert_eq!(report["service"]["tier"], "1");
    // The summary holds the scorecard: every activity.
    for title in ["SLI/SLO", "Monitoring", "Postmortems", "Documentation"] {
        assert!(run.summary.contains(title), "{title}:\n{}", run.summary);
    }
    // SARIF was written and would be uploaded.
    let sarif_path = &run.outputs["sarif-file"];
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let (uses, with) = &run.uses["upload"];
    assert!(uses.starts_with("github/codeql-action/upload-sarif@"));
    assert_eq!(&with["sarif_file"], sarif_path);
    assert!(run.stdout.contains("every activity meets its target"));
}

#[test]
fn a_repository_below_its_target_fails_with_annotations() {
    let (_dir, run) = run_action(
        "fixtures/service-bare",
        &[("tier", "1"), ("upload-sarif", "false")],
    );
    // Everything is rendered and published, then the gate fails the job.
    assert_eq!(
        run.failed,
        Some(("gate".to_string(), 1)),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.outputs["met"], "false");
    assert!(
        !run.uses.contains_key("upload"),
        "upload-sarif: false skips the upload"
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error ") || l.starts_with("::error::")),
        "workflow command annotations on stdout:\n{}",
        run.stdout
    );
    assert!(run.summary.contains("SLI/SLO"), "{}", run.summary);
    assert!(Path::new(&run.outputs["sarif-file"]).is_file());
    assert!(run.stderr.contains("below target"), "{}", run.stderr);
}

#[test]
fn require_and_args_reach_the_check() {
    let (_dir, run) = run_action(
        "fixtures/service-best-practice",
        &[
            ("require", "slo=3, monitoring=3\ndelivery=3"),
            ("args", "--all"),
        ],
    );
    assert_eq!(run.failed, None, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&run.outputs["report-json"]).unwrap()).unwrap();
    let targets: Vec<(&str, &str)> = report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["target"].is_number())
        .map(|a| {
            (
                a["id"].as_str().unwrap(),
                a["target_source"].as_str().unwrap(),
            )
        })
        .collect();
    // The fixture's catalog says production (tier 2); `require` wins where it is given.
    assert_eq!(
        targets,
        [
            ("slo", "--require"),
            ("monitoring", "--require"),
            ("incident-response", "tier 2"),
            ("postmortem", "tier 2"),
            ("documentation", "tier 2"),
            ("cost", "tier 2"),
            ("vulnerability", "tier 2"),
            ("delivery", "--require"),
        ]
    );
}

/// `opready baseline write` over the workspace, as a team would commit it.
fn write_baseline(workspace: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(["baseline", "write"])
        .arg(workspace)
        .args(["--tier", "1"])
        .env("OPREADY_TODAY", "2026-01-10")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(workspace.join(".opready-baseline.json").is_file());
}

#[test]
fn a_baseline_ratchets_a_repository_below_its_target() {
    let inputs = [
        ("tier", "1"),
        ("baseline", ".opready-baseline.json"),
        ("upload-sarif", "false"),
    ];
    // Far below tier 1, but no worse than the baseline: the job passes.
    let (_dir, run) = run_action_with("fixtures/service-bare", &inputs, write_baseline);
    assert_eq!(run.failed, None, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["met"], "true");
    // A regression after the baseline was written fails it: the README goes.
    let (_dir, run) = run_action_with("fixtures/service-bare", &inputs, |workspace| {
        write_baseline(workspace);
        fs::remove_file(workspace.join("README.md")).unwrap();
    });
    assert_eq!(
        run.failed,
        Some(("gate".to_string(), 1)),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.outputs["met"], "false");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&run.outputs["report-json"]).unwrap()).unwrap();
    assert!(
        report["baseline"]["regressions"]
            .to_string()
            .contains("readme-present"),
        "{}",
        report["baseline"]
    );
}

#[test]
fn a_usage_error_fails_the_check_step_with_its_exit_code() {
    let (_dir, run) = run_action("fixtures/service-bare", &[("tier", "platinum")]);
    assert_eq!(run.failed, Some(("check".to_string(), 2)), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::error title=opready::opready check failed (exit 2)"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("tier `platinum`"), "{}", run.stderr);
    assert_eq!(run.outputs["met"], "");
}
