//! Behaviour under bad input (SPEC §5), end to end: malformed, huge, binary and non-UTF-8
//! files, alias bombs, deep nesting, symlink loops and escapes, unreadable paths. Each
//! case builds a small repository in a temporary folder, runs the `opready` binary on it
//! and checks that the run ends normally (exit 0 or 1, never 2, never a signal), that the
//! JSON report parses, that the bad file gets a diagnostic with its path and line, and
//! that the files next to it are still rated. Symlinks are made at test time.
//!
//! The shared file reader is also checked in process, form by form and whichever
//! detectors ship, with a probe detector that asks for every file in the form its
//! extension names, on a thread with a small stack (`probe_*` tests).
//!
//! Every run is killed after [`HANG_LIMIT`]: a hang detector, not a performance bound.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Helpers: a repository in a temporary folder, a run of the binary, the JSON it printed.
// ---------------------------------------------------------------------------------------

/// Past this, a run is taken to hang.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// A repository at `<tmp>/repo`, with `<tmp>/outside` next to it for what the scan must
/// never read.
struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join("repo")).expect("mkdir repo");
        std::fs::create_dir(tmp.path().join("outside")).expect("mkdir outside");
        Repo { tmp }
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }

    /// Writes a file of the repository (parents created).
    fn file(&self, path: &str, contents: impl AsRef<[u8]>) -> &Repo {
        write(&self.root().join(path), contents.as_ref());
        self
    }

    /// Writes a file outside the repository and returns its absolute path.
    fn outside_file(&self, path: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let full = self.outside().join(path);
        write(&full, contents.as_ref());
        full
    }

    /// Makes `link` (repository-relative) a symlink to `target`, as written.
    #[cfg(unix)]
    fn symlink(&self, target: impl AsRef<Path>, link: &str) -> &Repo {
        let link = self.root().join(link);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::os::unix::fs::symlink(target.as_ref(), &link).expect("symlink");
        self
    }

    /// `opready check <repo> --format json`.
    fn check(&self, args: &[&str]) -> Run {
        run_opready(&self.root(), &["--format", "json"], args)
    }

    /// `opready check <repo> --evidence --format json`.
    fn evidence(&self, args: &[&str]) -> Run {
        run_opready(&self.root(), &["--evidence", "--format", "json"], args)
    }
}

fn write(path: &Path, contents: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, contents).expect("write");
}

/// A finished run of the binary whose output was JSON.
struct Run {
    code: i32,
    json: Value,
}

/// Runs `opready check REPO FORMAT_ARGS EXTRA`, killing it after [`HANG_LIMIT`]. Fails
/// the test on a hang, a signal, exit code 2 or output that is not JSON.
fn run_opready(repo: &Path, format_args: &[&str], extra: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opready"))
        .arg("check")
        .arg(repo)
        .args(format_args)
        .args(extra)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn opready");
    // Drain both pipes while waiting, so a large report cannot block the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "opready hung: still running after {HANG_LIMIT:?} on {}",
                repo.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&stdout.join().expect("stdout thread")).into_owned();
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr thread")).into_owned();
    let Some(code) = status.code() else {
        panic!("opready was killed by a signal ({status}); stderr:\n{stderr}");
    };
    assert!(
        code == 0 || code == 1,
        "opready exited with {code} (expected 0 or 1); stderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "opready panicked; stderr:\n{stderr}"
    );
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("the output is not JSON ({e}); stderr:\n{stderr}\nstdout:\n{stdout}")
    });
    Run { code, json }
}

impl Run {
    fn diagnostics(&self) -> &[Value] {
        self.json["diagnostics"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_else(|| panic!("no diagnostics array in {}", self.json))
    }

    /// The diagnostic with `code` for `path`, failing with every diagnostic listed when
    /// there is none, or when `line` is given and differs.
    #[track_caller]
    fn expect(&self, code: &str, path: &str, line: Option<u64>) -> &Value {
        let found = self
            .diagnostics()
            .iter()
            .find(|d| d["code"] == code && d["path"] == path);
        let Some(found) = found else {
            panic!(
                "no `{code}` diagnostic for {path}; got:\n{}",
                self.listing()
            )
        };
        if let Some(line) = line {
            assert_eq!(
                found["line"].as_u64(),
                Some(line),
                "`{code}` for {path} has the wrong line: {found}"
            );
        }
        assert!(
            found["message"].as_str().is_some_and(|m| m.len() > 10),
            "`{code}` for {path} says nothing useful: {found}"
        );
        found
    }

    /// No diagnostic at all about `path`.
    #[track_caller]
    fn expect_none_for(&self, path: &str) {
        let about: Vec<&Value> = self
            .diagnostics()
            .iter()
            .filter(|d| d["path"] == path)
            .collect();
        assert!(
            about.is_empty(),
            "unexpected diagnostics for {path}: {about:?}"
        );
    }

    fn listing(&self) -> String {
        self.diagnostics()
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Items of an evidence list (`--evidence` runs).
    fn items(&self, list: &str) -> &[Value] {
        self.json["evidence"][list]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_else(|| panic!("no evidence list `{list}` in the output"))
    }

    /// Names of the items of an evidence list, sorted (`--evidence` runs).
    fn names(&self, list: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .items(list)
            .iter()
            .filter_map(|i| i["name"].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// How many items a list holds, as the report counts them (`check` runs).
    fn count(&self, list: &str) -> u64 {
        self.json["evidence"]["kinds"][list]["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("no count of `{list}` in the report"))
    }
}

/// An OpenSLO SLO named `name` with a 99.9% objective.
fn openslo(name: &str) -> String {
    format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: {name}\nspec:\n  service: shop\n  objectives:\n    - target: 0.999\n"
    )
}

/// A Prometheus rule file with one alert named `name`.
fn rules(name: &str) -> String {
    format!(
        "groups:\n  - name: shop\n    rules:\n      - alert: {name}\n        expr: up == 0\n        for: 5m\n        labels:\n          severity: critical\n"
    )
}

// ---------------------------------------------------------------------------------------
// Malformed YAML: reported at its line, the files next to it still rated.
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_alert_rules_are_reported_at_their_line_and_other_rules_still_count() {
    let repo = Repo::new();
    repo.file("alerts/good.yaml", rules("CheckoutDown")).file(
        "alerts/broken.yaml",
        "groups:\n  - name: shop\n    rules:\n      - alert: Broken\n        expr: [up == 0\n        for: 5m\n",
    );
    let run = repo.check(&[]);
    let diag = run.expect("invalid-yaml", "alerts/broken.yaml", Some(6));
    assert_eq!(diag["severity"], "error");
    assert_eq!(run.count("alerts"), 1, "{}", run.listing());

    let run = repo.evidence(&[]);
    assert_eq!(run.names("alerts"), ["CheckoutDown"]);
    run.expect("invalid-yaml", "alerts/broken.yaml", Some(6));
}

#[test]
fn malformed_slo_files_are_reported_at_their_line_and_other_slos_still_count() {
    let repo = Repo::new();
    repo.file("slos/good.yaml", openslo("checkout")).file(
        "slos/broken.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: broken\nspec:\n  objectives: [\n    - target: 0.9\n",
    );
    let run = repo.check(&[]);
    run.expect("invalid-yaml", "slos/broken.yaml", Some(7));
    assert_eq!(run.count("slos"), 1);
    let run = repo.evidence(&[]);
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[test]
fn yaml_that_is_not_what_it_looks_like_is_reported_once() {
    // Tabs for indentation, and a file where one document of several is broken.
    let repo = Repo::new();
    repo.file(
        "slos/tabs.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n\tname: tabs\n",
    )
    .file(
        "slos/multi.yaml",
        format!(
            "{}---\n{}---\nkind: [\n",
            openslo("first"),
            openslo("second")
        ),
    )
    .file("slos/good.yaml", openslo("good"));
    let run = repo.evidence(&[]);
    run.expect("invalid-yaml", "slos/tabs.yaml", Some(4));
    run.expect("invalid-yaml", "slos/multi.yaml", Some(19));
    let about_multi = run
        .diagnostics()
        .iter()
        .filter(|d| d["path"] == "slos/multi.yaml")
        .count();
    assert_eq!(about_multi, 1, "{}", run.listing());
    assert_eq!(run.names("slos"), ["good"]);
}

// ---------------------------------------------------------------------------------------
// Hostile YAML: alias bombs, deep nesting, document storms.
// ---------------------------------------------------------------------------------------

/// "Billion laughs": 10 aliases per level, 30 levels, under `key:` at `indent`.
fn alias_bomb(indent: &str) -> String {
    let mut text = format!("{indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..30 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("{indent}a{i}: &a{i} [{refs}]\n"));
    }
    text
}

#[test]
fn alias_bombs_are_refused_quickly_and_the_scan_goes_on() {
    let repo = Repo::new();
    repo.file(
        "slos/bomb.yaml",
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: bomb\nspec:\n{}",
            alias_bomb("  ")
        ),
    )
    .file(
        "alerts/bomb.yaml",
        format!("groups:\n  - name: bomb\n    rules:\n      - alert: Bomb\n        expr: up\n        labels:\n{}", alias_bomb("          ")),
    )
    .file("slos/good.yaml", openslo("checkout"))
    .file("alerts/good.yaml", rules("CheckoutDown"));
    let run = repo.evidence(&[]);
    for path in ["slos/bomb.yaml", "alerts/bomb.yaml"] {
        let diag = run.expect("invalid-yaml", path, None);
        let message = diag["message"].as_str().unwrap_or_default();
        assert!(message.contains("alias"), "{diag}");
        assert!(diag["line"].as_u64().is_some(), "{diag}");
    }
    assert_eq!(run.names("slos"), ["checkout"]);
    assert_eq!(run.names("alerts"), ["CheckoutDown"]);
}

#[test]
fn deeply_nested_yaml_is_refused_flow_and_block() {
    let depth = 50_000;
    let flow = format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: flow\nspec:\n  x: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let flow_maps = format!(
        "groups:\n  - name: g\n    rules:\n      - alert: Deep\n        expr: {}{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    // 1000 levels of block mappings (about 500 KB).
    let block: String = std::iter::once(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: block\nspec:\n".to_string(),
    )
    .chain((1..1000).map(|i| format!("{}k:\n", " ".repeat(i * 2))))
    .collect();
    let repo = Repo::new();
    repo.file("slos/flow.yaml", &flow)
        .file("alerts/flow-maps.yaml", &flow_maps)
        .file("slos/block.yaml", &block)
        .file("slos/good.yaml", openslo("checkout"));
    let run = repo.evidence(&[]);
    run.expect("invalid-yaml", "slos/flow.yaml", Some(6));
    run.expect("invalid-yaml", "alerts/flow-maps.yaml", Some(5));
    run.expect("invalid-yaml", "slos/block.yaml", None);
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[test]
fn document_storms_are_refused() {
    let storm = format!("{}{}", openslo("storm"), "---\na: 1\n".repeat(20_000));
    let repo = Repo::new();
    repo.file("slos/storm.yaml", storm)
        .file("slos/good.yaml", openslo("checkout"));
    let run = repo.evidence(&[]);
    run.expect("invalid-yaml", "slos/storm.yaml", None);
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[test]
fn deeply_nested_hcl_is_reported_at_its_line() {
    let depth = 20_000;
    let repo = Repo::new();
    repo.file(
        "infra/deep.tf",
        format!(
            "resource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"logs\"\n  x = {}1{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    )
    .file(
        "infra/objects.tf",
        format!(
            "resource \"aws_s3_bucket\" \"objects\" {{\n  x = {}1{}\n}}\n",
            "{a = ".repeat(depth),
            "}".repeat(depth)
        ),
    )
    .file(
        "infra/blocks.tf",
        format!(
            "resource \"aws_s3_bucket\" \"blocks\" {{\n{}{}}}\n",
            "dynamic \"x\" {\n".repeat(depth),
            "}\n".repeat(depth)
        ),
    )
    .file(
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n  tags = { team = \"shop\" }\n}\n",
    );
    let run = repo.evidence(&[]);
    run.expect("invalid-hcl", "infra/deep.tf", Some(3));
    run.expect("invalid-hcl", "infra/objects.tf", Some(2));
    run.expect("invalid-hcl", "infra/blocks.tf", None);
    let resources: Vec<&str> = run
        .items("iac_resources")
        .iter()
        .filter_map(|r| r["source"]["path"].as_str())
        .collect();
    assert!(resources.contains(&"infra/main.tf"), "{resources:?}");
}

#[test]
fn deeply_nested_json_and_pathological_markdown_are_bounded() {
    let repo = Repo::new();
    repo.file(
        ".github/renovate.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .file(
        "renovate.json5",
        format!(
            "{{extends: {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .file(
        "package.json",
        format!(
            "{{\"name\": \"shop\",\n\"renovate\": {}1{}}}",
            "{\"a\":".repeat(100_000),
            "}".repeat(100_000)
        ),
    )
    .file("docs/runbooks/quotes.md", ">".repeat(50_000))
    .file("docs/runbooks/brackets.md", "[".repeat(50_000))
    .file("docs/runbooks/links.md", "[a](".repeat(50_000))
    .file(
        "docs/runbooks/checkout.md",
        "# Checkout runbook\n\n## Symptoms\n\nErrors.\n\n## Mitigation\n\nRoll back.\n",
    )
    .file("slos/good.yaml", openslo("checkout"));
    let run = repo.evidence(&[]);
    run.expect("invalid-json", ".github/renovate.json", Some(1));
    run.expect("invalid-json", "package.json", Some(2));
    run.expect("invalid-json5", "renovate.json5", Some(1));
    for path in ["quotes.md", "brackets.md", "links.md"] {
        run.expect_none_for(&format!("docs/runbooks/{path}"));
    }
    let runbooks: Vec<&str> = run
        .items("runbooks")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert!(
        runbooks.contains(&"docs/runbooks/checkout.md"),
        "{runbooks:?}"
    );
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[test]
fn deeply_nested_folders_are_walked_and_their_gitignores_honoured() {
    let deep = vec!["d"; 1_000].join("/");
    let repo = Repo::new();
    repo.file(".gitignore", "*.tmp.yaml\n")
        .file(&format!("{deep}/.gitignore"), "!keep.tmp.yaml\n")
        .file(&format!("{deep}/slo.yaml"), openslo("deep"))
        .file(&format!("{deep}/skip.tmp.yaml"), openslo("ignored"))
        .file(&format!("{deep}/keep.tmp.yaml"), openslo("kept"));
    let run = repo.evidence(&[]);
    assert!(run.diagnostics().is_empty(), "{}", run.listing());
    assert_eq!(run.names("slos"), ["deep", "kept"]);
}

// ---------------------------------------------------------------------------------------
// Files that are not text, or too large.
// ---------------------------------------------------------------------------------------

#[test]
fn a_binary_file_named_yaml_is_skipped_with_a_warning() {
    let mut binary = b"apiVersion: openslo/v1\nkind: SLO\n".to_vec();
    binary.extend((0..4096u32).map(|i| (i % 256) as u8));
    let repo = Repo::new();
    repo.file("slos/image.yaml", &binary)
        .file("slos/good.yaml", openslo("checkout"));
    let run = repo.check(&[]);
    let diag = run.expect("binary-file", "slos/image.yaml", None);
    assert_eq!(diag["severity"], "warning");
    assert_eq!(run.count("slos"), 1);
}

#[test]
fn non_utf8_files_are_reported_at_the_line_of_the_first_bad_byte() {
    let repo = Repo::new();
    repo.file(
        "slos/latin1.yaml",
        b"apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: caf\xe9\n".as_slice(),
    )
    .file(
        "docs/runbooks/latin1.md",
        b"# Checkout runbook\n\n## Mitigation\n\nRestart the caf\xe9 service.\n".as_slice(),
    )
    .file("slos/good.yaml", openslo("checkout"));
    let run = repo.check(&[]);
    run.expect("not-utf8", "slos/latin1.yaml", Some(4));
    run.expect("not-utf8", "docs/runbooks/latin1.md", Some(5));
    assert_eq!(run.count("slos"), 1);
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_warning() {
    let mut big = openslo("big");
    big.push_str(&format!("# {}\n", "x".repeat(3000)));
    let repo = Repo::new();
    repo.file("slos/big.yaml", &big)
        .file(
            "alerts/big.yaml",
            format!("{}# {}\n", rules("Big"), "x".repeat(3000)),
        )
        .file("slos/good.yaml", openslo("checkout"))
        .file("alerts/good.yaml", rules("CheckoutDown"));
    let run = repo.evidence(&["--max-file-size", "2000"]);
    for path in ["slos/big.yaml", "alerts/big.yaml"] {
        let diag = run.expect("file-too-large", path, None);
        let message = diag["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("2000 B") || message.contains("KiB"),
            "{diag}"
        );
    }
    assert_eq!(run.names("slos"), ["checkout"]);
    assert_eq!(run.names("alerts"), ["CheckoutDown"]);
    // With the default limit, the same files are read.
    let run = repo.evidence(&[]);
    assert_eq!(run.names("slos"), ["big", "checkout"]);
}

// ---------------------------------------------------------------------------------------
// Odd but valid files: empty, `---` only, CRLF, BOM, duplicate keys.
// ---------------------------------------------------------------------------------------

#[test]
fn empty_files_and_bare_document_markers_are_quietly_empty() {
    let repo = Repo::new();
    repo.file("slos/empty.yaml", "")
        .file("slos/dashes.yaml", "---\n")
        .file("slos/markers.yaml", "---\n---\n...\n")
        .file("alerts/empty.yaml", "")
        .file("infra/empty.tf", "")
        .file("docs/runbooks/empty.md", "")
        .file(
            "slos/leading-empty-docs.yaml",
            format!("---\n---\n{}", openslo("after-empty-docs")),
        );
    let run = repo.evidence(&[]);
    assert!(run.diagnostics().is_empty(), "{}", run.listing());
    let slo = &run.items("slos")[0];
    assert_eq!(slo["name"], "after-empty-docs");
    assert_eq!(slo["source"]["line"], 3);
}

#[test]
fn crlf_line_endings_keep_lines_right() {
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let repo = Repo::new();
    repo.file(
        "slos/crlf.yaml",
        crlf(&format!("# SLOs\n\n{}", openslo("crlf"))),
    )
    .file(
        "alerts/crlf.yaml",
        crlf(&format!("# rules\n{}", rules("CrlfDown"))),
    )
    .file(
        "slos/broken-crlf.yaml",
        crlf("apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: broken\nspec: [\n"),
    );
    let run = repo.evidence(&[]);
    run.expect("invalid-yaml", "slos/broken-crlf.yaml", Some(5));
    let slo = &run.items("slos")[0];
    assert_eq!(
        (slo["name"].as_str(), slo["source"]["line"].as_u64()),
        (Some("crlf"), Some(3))
    );
    let alert = &run.items("alerts")[0];
    assert_eq!(
        (alert["name"].as_str(), alert["source"]["line"].as_u64()),
        (Some("CrlfDown"), Some(5))
    );
}

#[test]
fn a_utf8_bom_is_ignored() {
    let bom = |text: String| [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let repo = Repo::new();
    repo.file("slos/bom.yaml", bom(openslo("bom")))
        .file("alerts/bom.yaml", bom(rules("BomDown")));
    let run = repo.evidence(&[]);
    assert!(run.diagnostics().is_empty(), "{}", run.listing());
    let slo = &run.items("slos")[0];
    assert_eq!(
        (slo["name"].as_str(), slo["source"]["line"].as_u64()),
        (Some("bom"), Some(1))
    );
    let alert = &run.items("alerts")[0];
    assert_eq!(
        (alert["name"].as_str(), alert["source"]["line"].as_u64()),
        (Some("BomDown"), Some(4))
    );
}

#[test]
fn duplicate_keys_are_read_last_one_wins() {
    // YAML forbids duplicate keys; opready reads them as most loaders do (the last one
    // wins) rather than losing the file.
    let repo = Repo::new();
    repo.file(
        "slos/dup.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: first\n  name: last\nspec:\n  objectives:\n    - target: 0.9\n      target: 0.99\n",
    );
    let run = repo.evidence(&[]);
    run.expect_none_for("slos/dup.yaml");
    let slo = &run.items("slos")[0];
    assert_eq!(slo["name"], "last");
    assert_eq!(slo["objective"], 0.99);
}

// ---------------------------------------------------------------------------------------
// Symlinks: loops, escapes out of the root, and nothing outside the root read.
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed() {
    let repo = Repo::new();
    repo.symlink("loop-b.yaml", "loop-a.yaml")
        .symlink("loop-a.yaml", "loop-b.yaml")
        .symlink("self.yaml", "self.yaml")
        // A folder link back up the tree: followed, it would never end.
        .symlink("..", "slos/up")
        .symlink("../..", "slos/deeper/up2")
        .file("slos/good.yaml", openslo("checkout"));
    let run = repo.evidence(&[]);
    for path in ["loop-a.yaml", "loop-b.yaml", "self.yaml"] {
        run.expect("symlink-loop", path, None);
    }
    run.expect_none_for("slos/up");
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_reported_and_never_read() {
    let repo = Repo::new();
    let slo = repo.outside_file("slo.yaml", openslo("outside-slo"));
    let alert = repo.outside_file("rules.yaml", rules("OutsideAlert"));
    repo.outside_file("dir/slo.yaml", openslo("outside-dir-slo"));
    repo.outside_file("dir/rules.yaml", rules("OutsideDirAlert"));
    repo.symlink(&slo, "slos/linked.yaml")
        .symlink(&alert, "alerts/linked.yaml")
        .symlink("../../outside/rules.yaml", "alerts/relative.yaml")
        .symlink(repo.outside().join("dir"), "linked-dir")
        .symlink(repo.outside().join("missing.yaml"), "slos/dangling.yaml")
        .symlink("/etc/passwd", "docs/passwd.md")
        .file("slos/good.yaml", openslo("checkout"))
        .file("alerts/good.yaml", rules("CheckoutDown"));
    let run = repo.evidence(&[]);
    for path in [
        "slos/linked.yaml",
        "alerts/linked.yaml",
        "alerts/relative.yaml",
        "linked-dir",
        "docs/passwd.md",
    ] {
        run.expect("symlink-outside-root", path, None);
    }
    run.expect("broken-symlink", "slos/dangling.yaml", None);
    assert_eq!(run.names("slos"), ["checkout"]);
    assert_eq!(run.names("alerts"), ["CheckoutDown"]);
    let text = run.json.to_string();
    for name in [
        "outside-slo",
        "outside-dir-slo",
        "OutsideAlert",
        "OutsideDirAlert",
    ] {
        assert!(!text.contains(name), "{name} was read: {text}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_are_read_where_they_point() {
    let repo = Repo::new();
    repo.file("slos/real.yaml", openslo("real"))
        .symlink("real.yaml", "slos/alias.yaml")
        .symlink("slos", "slos-link");
    let run = repo.evidence(&[]);
    assert!(run.diagnostics().is_empty(), "{}", run.listing());
    // The folder link is not walked a second time (the file link may be read as a second
    // path to the same SLO).
    let paths: Vec<&str> = run
        .items("slos")
        .iter()
        .filter_map(|s| s["source"]["path"].as_str())
        .collect();
    assert!(paths.contains(&"slos/real.yaml"), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.starts_with("slos-link/")),
        "{paths:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_gitignore_symlinked_out_of_the_root_is_not_read() {
    let repo = Repo::new();
    let patterns = repo.outside_file("ignore-everything", "*\n");
    repo.symlink(&patterns, ".gitignore")
        .file("slos/good.yaml", openslo("checkout"));
    let run = repo.evidence(&[]);
    run.expect("symlink-outside-root", ".gitignore", None);
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[cfg(unix)]
#[test]
fn pipes_and_links_to_pipes_are_never_opened() {
    let repo = Repo::new();
    repo.file("slos/good.yaml", openslo("checkout"));
    let made = Command::new("mkfifo")
        .arg(repo.root().join("slos/pipe.yaml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: pipes not tested");
        return;
    }
    repo.symlink("pipe.yaml", "slos/link.yaml");
    let run = repo.evidence(&[]);
    run.expect("special-file", "slos/pipe.yaml", None);
    run.expect("special-file", "slos/link.yaml", None);
    assert_eq!(run.names("slos"), ["checkout"]);
}

#[test]
fn runbook_links_out_of_the_root_do_not_resolve() {
    let repo = Repo::new();
    repo.outside_file(
        "runbook.md",
        "# Outside runbook\n\n## Mitigation\n\nDo it.\n",
    );
    let alert = |name: &str, url: &str| {
        format!(
            "      - alert: {name}\n        expr: up == 0\n        labels:\n          severity: critical\n        annotations:\n          runbook_url: {url}\n"
        )
    };
    repo.file(
        "alerts/rules.yaml",
        format!(
            "groups:\n  - name: shop\n    rules:\n{}{}{}",
            alert("Passwd", "../../../../etc/passwd"),
            alert("Sibling", "../../outside/runbook.md"),
            alert("Absolute", "/etc/passwd"),
        ),
    );
    let run = repo.evidence(&[]);
    let alerts = run.items("alerts");
    assert_eq!(alerts.len(), 3);
    for alert in alerts {
        assert_eq!(alert["runbook_resolves"], false, "{alert}");
        assert!(alert["runbook_problem"].is_string(), "{alert}");
    }
    assert!(
        run.items("runbooks").is_empty(),
        "nothing outside the root is a runbook: {:?}",
        run.items("runbooks")
    );
    assert!(!run.json.to_string().contains("Outside runbook"));
}

// ---------------------------------------------------------------------------------------
// Unreadable files and folders.
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    repo.file("slos/good.yaml", openslo("checkout"))
        .file("slos/locked.yaml", openslo("locked"))
        .file("locked-dir/slo.yaml", openslo("in-locked-dir"));
    let root = repo.root();
    let lock = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    lock(&root.join("slos/locked.yaml"), 0o000);
    lock(&root.join("locked-dir"), 0o000);
    let enforced = std::fs::read(root.join("slos/locked.yaml")).is_err();
    if enforced {
        let run = repo.evidence(&[]);
        run.expect("unreadable-file", "slos/locked.yaml", None);
        let diag = run.expect("unreadable-path", "locked-dir", None);
        let message = diag["message"].as_str().unwrap_or_default();
        assert!(!message.contains(&root.display().to_string()), "{diag}");
        assert_eq!(run.names("slos"), ["checkout"]);
    } else {
        eprintln!(
            "file permissions are not enforced for this user (root?): the unreadable file and folder cases are skipped"
        );
    }
    // Let the temporary folder be removed.
    lock(&root.join("locked-dir"), 0o755);
    lock(&root.join("slos/locked.yaml"), 0o644);
}

// ---------------------------------------------------------------------------------------
// Everything at once: one repository holding every kind of bad input.
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn one_repository_with_every_bad_input_still_gets_a_report() {
    let repo = Repo::new();
    repo.file("slos/good.yaml", openslo("checkout"))
        .file("alerts/good.yaml", rules("CheckoutDown"))
        .file("slos/broken.yaml", "apiVersion: openslo/v1\nkind: [\n")
        .file(
            "slos/bomb.yaml",
            format!(
                "apiVersion: openslo/v1\nkind: SLO\nspec:\n{}",
                alias_bomb("  ")
            ),
        )
        .file("slos/binary.yaml", [0u8, 1, 2, 255, 0, 7].repeat(100))
        .file(
            "slos/latin1.yaml",
            b"apiVersion: openslo/v1\nname: \xe9\n".as_slice(),
        )
        .file("docs/runbooks/quotes.md", ">".repeat(50_000))
        .file(
            "slos/one-long-line.yaml",
            format!(
                "apiVersion: openslo/v1\nkind: SLO\nspec: {}\n",
                "[".repeat(100_000)
            ),
        )
        .symlink("loop", "loop")
        .symlink("/etc", "etc-link");
    let run = repo.check(&[]);
    assert!(run.code == 0 || run.code == 1);
    assert_eq!(run.count("slos"), 1);
    assert_eq!(run.count("alerts"), 1);
    for code in [
        "invalid-yaml",
        "binary-file",
        "not-utf8",
        "symlink-loop",
        "symlink-outside-root",
    ] {
        assert!(
            run.diagnostics().iter().any(|d| d["code"] == code),
            "no `{code}`:\n{}",
            run.listing()
        );
    }
    run.expect("invalid-yaml", "slos/one-long-line.yaml", Some(3));
    // The human report renders the same repository, without printing the 100 KB line
    // as a source snippet.
    let output = Command::new(env!("CARGO_BIN_EXE_opready"))
        .arg("check")
        .arg(repo.root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run opready");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let printed = output.stdout.len() + output.stderr.len();
    assert!(
        printed < 100_000,
        "the human report printed {printed} bytes"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("one-long-line.yaml"));
}

// ---------------------------------------------------------------------------------------
// Probe: the shared file reader, every file in every form, on a small stack.
// ---------------------------------------------------------------------------------------

mod probe {
    use super::*;
    use opready::diagnostic::{Diagnostic, Severity};
    use opready::evidence::{Collector, Detection, Detector, FileContext, RepoPath, detect};
    use opready::scan::{FileIndex, WalkOptions};

    /// Asks for every file in the form its extension names, and notes what it got.
    struct Probe;

    impl Detector for Probe {
        fn id(&self) -> &'static str {
            "probe"
        }
        fn summary(&self) -> &'static str {
            "test probe: reads every file as its extension says"
        }
        fn accepts(&self, _path: &RepoPath) -> bool {
            true
        }
        fn detect(&self, file: &FileContext, out: &mut Collector) {
            let read = match file.path.ext().as_str() {
                "yaml" | "yml" => file
                    .yaml(self.id())
                    .map(|docs| format!("{} documents", docs.len())),
                "json" => file.json().map(|_| "json".to_string()),
                "tf" => file.hcl().map(|_| "hcl".to_string()),
                "md" => file
                    .markdown()
                    .map(|md| format!("{} headings, {} words", md.headings.len(), md.words)),
                _ => file.text().map(|t| format!("{} bytes", t.len())),
            };
            if let Some(read) = read {
                out.diagnostic(
                    Diagnostic::new(Severity::Note, "probe-read", read)
                        .at(file.path.as_str(), None),
                );
            }
        }
    }

    /// Runs the probe over `files` on a thread with a small (2 MiB) stack, like a worker
    /// of a parallel scan, failing after [`HANG_LIMIT`].
    fn probe(files: &[(&str, Vec<u8>)]) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, contents) in files {
            write(&dir.path().join(path), contents);
        }
        let (index, _) = FileIndex::walk(dir.path(), &WalkOptions::default()).expect("walk");
        let (send, receive) = mpsc::channel::<Detection>();
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let _ = send.send(detect(&index, &[&Probe]));
            })
            .expect("spawn");
        match receive.recv_timeout(HANG_LIMIT) {
            Ok(detection) => detection.diagnostics,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("the probe hung"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the probe panicked"),
        }
    }

    #[track_caller]
    fn find<'d>(diags: &'d [Diagnostic], code: &str, path: &str) -> &'d Diagnostic {
        diags
            .iter()
            .find(|d| d.code == code && d.path.as_deref() == Some(path))
            .unwrap_or_else(|| panic!("no `{code}` for {path}: {diags:#?}"))
    }

    #[test]
    fn probe_non_utf8_markdown_is_reported_at_its_line() {
        let diags = probe(&[
            (
                "docs/runbooks/latin1.md",
                b"# Runbook\n\n## Mitigation\n\nRestart the caf\xe9 service.\n".to_vec(),
            ),
            (
                "docs/runbooks/ok.md",
                b"# Runbook\n\n## Mitigation\n".to_vec(),
            ),
        ]);
        assert_eq!(
            find(&diags, "not-utf8", "docs/runbooks/latin1.md").line,
            Some(5)
        );
        assert_eq!(
            find(&diags, "probe-read", "docs/runbooks/ok.md").message,
            "2 headings, 2 words"
        );
    }

    #[test]
    fn probe_pathological_markdown_is_read_in_bounded_time() {
        // 1000 levels of nested lists (about 1 MB).
        let nested_lists: String = (0..1_000)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let diags = probe(&[
            ("quotes.md", ">".repeat(50_000).into_bytes()),
            (
                "quotes-lines.md",
                "> ".repeat(50_000).replace("> > ", "> >\n").into_bytes(),
            ),
            ("brackets.md", "[".repeat(50_000).into_bytes()),
            ("links.md", "[a](".repeat(50_000).into_bytes()),
            ("emphasis.md", "*a **b ".repeat(30_000).into_bytes()),
            ("lists.md", nested_lists.into_bytes()),
            (
                "front-matter.md",
                format!("---\n{}\n---\n# T\n", alias_bomb("")).into_bytes(),
            ),
            ("backticks.md", "`".repeat(50_000).into_bytes()),
            ("html.md", "<div>".repeat(50_000).into_bytes()),
        ]);
        for path in [
            "quotes.md",
            "quotes-lines.md",
            "brackets.md",
            "links.md",
            "emphasis.md",
            "lists.md",
            "front-matter.md",
            "backticks.md",
            "html.md",
        ] {
            find(&diags, "probe-read", path);
        }
        // A front matter that does not load is left out; the heading is still read.
        assert_eq!(
            find(&diags, "probe-read", "front-matter.md").message,
            "1 headings, 1 words"
        );
    }

    #[test]
    fn probe_deep_json_is_reported_not_overflowed() {
        let diags = probe(&[
            (
                "arrays.json",
                format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            ),
            (
                "objects.json",
                format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)).into_bytes(),
            ),
            ("broken.json", b"{\n  \"a\": 1,\n  \"b\": [\n}\n".to_vec()),
            ("ok.json", b"{\"a\": [1, 2]}".to_vec()),
        ]);
        let deep = find(&diags, "invalid-json", "arrays.json");
        assert_eq!(deep.line, Some(1));
        find(&diags, "invalid-json", "objects.json");
        assert_eq!(find(&diags, "invalid-json", "broken.json").line, Some(4));
        find(&diags, "probe-read", "ok.json");
    }

    #[test]
    fn probe_yaml_and_hcl_limits_hold_on_a_small_stack() {
        let diags = probe(&[
            (
                "flow.yaml",
                format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            ),
            ("bomb.yaml", alias_bomb("").into_bytes()),
            (
                "deep.tf",
                format!("a = {}1{}\n", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(),
            ),
            ("empty.yaml", Vec::new()),
            ("dashes.yaml", b"---\n".to_vec()),
            ("empty.tf", Vec::new()),
            ("empty.json", Vec::new()),
            ("empty.md", Vec::new()),
        ]);
        find(&diags, "invalid-yaml", "flow.yaml");
        find(&diags, "invalid-yaml", "bomb.yaml");
        find(&diags, "invalid-hcl", "deep.tf");
        assert_eq!(
            find(&diags, "probe-read", "empty.yaml").message,
            "0 documents"
        );
        assert_eq!(
            find(&diags, "probe-read", "dashes.yaml").message,
            "0 documents"
        );
        find(&diags, "probe-read", "empty.tf");
        find(&diags, "probe-read", "empty.md");
        // An empty file is not JSON: reported, not a crash.
        find(&diags, "invalid-json", "empty.json");
    }
}
