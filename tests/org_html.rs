//! The HTML dashboard end to end: a synthetic organisation scanned through the binary with
//! `--format html`, the page checked as text (self-contained, the script allowed by the
//! page's Content-Security-Policy, the same bytes from `org merge`) and then opened in
//! headless Chromium: it renders, its script runs, its DOM holds every service and every
//! activity column, a hostile service name stays text, and a screenshot is written to
//! `target/org-dashboard.png` (or `$OPREADY_DASHBOARD_PNG`), the page beside it.
//!
//! Chromium is looked for as `$OPREADY_CHROMIUM`, else `chromium`, `chromium-browser`,
//! `google-chrome` on the PATH; without one the browser part says SKIPPED and why.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/synthetic_org.rs"]
mod synthetic_org;

use synthetic_org::{BROKEN, synthetic_org, write};

const TODAY: &str = "2025-06-02";

/// The hostile repository's service name: a script that would retitle the page.
const EVIL_SERVICE: &str = "<script>document.title='pwned'</script>";
const EVIL_TEAM: &str = "<img src=x onerror=\"document.title='pwned'\">";

fn opready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(args)
        .env("OPREADY_TODAY", TODAY)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `target/` (or `$CARGO_TARGET_DIR`): the binary lives in `target/<profile>/`.
fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_opready"));
    bin.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The organisation: the synthetic one (with its broken repository) plus one repository
/// whose name and owner are HTML.
fn organisation(root: &Path, count: usize) -> Vec<String> {
    let mut paths = synthetic_org(root, count);
    let evil = root.join("zz-evil");
    write(&evil, ".git/HEAD", b"ref: refs/heads/main\n");
    let config = format!(
        "service: {}\nowner: {}\n",
        serde_json::to_string(EVIL_SERVICE).unwrap(),
        serde_json::to_string(EVIL_TEAM).unwrap()
    );
    write(&evil, ".opready.yaml", config.as_bytes());
    write(&evil, "README.md", b"# evil\n");
    paths.push("zz-evil".to_string());
    paths
}

#[test]
fn dashboard_is_self_contained_and_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    // `OPREADY_DASHBOARD_REPOS=500` for the size of a large organisation's page.
    let count = std::env::var("OPREADY_DASHBOARD_REPOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(130)
        .max(BROKEN + 1);
    let paths = organisation(&org, count);
    let page = dir.path().join("dashboard.html");
    let json = dir.path().join("org.json");

    let out = opready(&[
        "org",
        "scan",
        s(&org),
        "--format",
        "html",
        "--output",
        s(&page),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = opready(&["org", "scan", s(&org), "-f", "json", "-o", s(&json)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let html = fs::read_to_string(&page).unwrap();
    eprintln!(
        "dashboard of {} repositories: {} bytes",
        count + 1,
        html.len()
    );
    let report: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    let repositories = report["repositories"].as_array().unwrap();
    assert_eq!(repositories.len(), paths.len());

    // A saved report renders to the same bytes (and a scan is deterministic).
    let merged = opready(&["org", "merge", s(&json), "--format", "html"]);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert!(
        merged.stdout == html.as_bytes(),
        "org merge renders the same page"
    );

    check_self_contained(&html);
    check_script_hash(&html);
    // The hostile names are text, not markup.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));

    let Some(chromium) = chromium() else {
        eprintln!(
            "SKIPPED the browser part of the dashboard test: no Chromium found (set \
             OPREADY_CHROMIUM or install Debian's `chromium` package, as .ci/run does)"
        );
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", s(&page));

    // The DOM after the page's script ran, with the console logged to standard error.
    let run = run_chromium(
        &chromium,
        profile.path(),
        &["--enable-logging=stderr", "--v=0", "--dump-dom", &url],
    );
    let console = stderr(&run);
    for problem in ["Content Security Policy", "Uncaught"] {
        let lines: Vec<&str> = console.lines().filter(|l| l.contains(problem)).collect();
        assert!(lines.is_empty(), "the page logged {problem:?}: {lines:#?}");
    }
    let dom = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        dom.contains("<html lang=\"en\" data-js=\"on\">"),
        "the script ran (CSP hash): {}",
        &dom[..dom.len().min(2000)]
    );
    assert!(
        dom.contains("<div id=\"controls\">"),
        "the controls are shown"
    );
    let rows = repositories.len();
    assert!(
        dom.contains(&format!("{rows} of {rows} shown")),
        "every row counted"
    );
    assert!(
        dom.contains("<title>Operational readiness"),
        "the hostile name did not retitle the page"
    );
    assert!(!dom.contains("pwned</title>"));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "no script element from the data"
    );
    assert!(!dom.contains("<img"), "no image element from the data");

    for repo in repositories {
        let path = repo["path"].as_str().unwrap();
        match repo["service"].as_str() {
            Some(service) => assert!(
                dom.contains(&format!("<th scope=\"row\">{}", dom_text(service))),
                "service {service} ({path}) in the heat map"
            ),
            None => assert!(
                dom.contains(&format!("<th scope=\"row\">{}</th>", dom_text(path))),
                "unrated {path} in the heat map"
            ),
        }
    }
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with(&format!("svc-{BROKEN:03}")))
    );
    assert!(dom.contains("id=\"errors\""));
    for activity in report["policy"]["activities"].as_array().unwrap() {
        let column = format!(
            "<th scope=\"col\" title=\"{}\">{}</th>",
            dom_attr(activity["id"].as_str().unwrap()),
            dom_text(activity["title"].as_str().unwrap())
        );
        assert!(dom.contains(&column), "column {column}");
    }
    // Every ranked blocker links to an explanation on the page.
    for blocker in report["aggregate"]["blockers"].as_array().unwrap() {
        let id = blocker["criterion"].as_str().unwrap();
        assert!(dom.contains(&format!("href=\"#c-{id}\"")), "{id}");
        assert!(dom.contains(&format!("<article id=\"c-{id}\">")), "{id}");
    }

    // The screenshot: the header and the heat map, as the meeting's screen shows them.
    let png = std::env::var_os("OPREADY_DASHBOARD_PNG")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("org-dashboard.png"));
    if let Some(parent) = png.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    let _ = fs::remove_file(&png);
    // The page beside its picture, to open or publish from a CI run.
    fs::copy(&page, png.with_extension("html")).unwrap();
    let shot = format!("--screenshot={}", s(&png));
    run_chromium(
        &chromium,
        profile.path(),
        &[&shot, "--window-size=1400,1000", "--hide-scrollbars", &url],
    );
    let bytes =
        fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 1000));
    assert!(
        bytes.len() > 30_000,
        "a page, not a blank: {} bytes",
        bytes.len()
    );
    eprintln!(
        "dashboard screenshot: {} ({} bytes)",
        png.display(),
        bytes.len()
    );
}

/// Nothing in the page can fetch: no external URL anywhere, no element that loads
/// something, every link a fragment of the page itself, no CSS import or `url()`, and a
/// Content-Security-Policy that forbids fetching anyway. Text from the repositories is
/// escaped, so every `<` followed by a letter starts one of the page's own tags.
fn check_self_contained(html: &str) {
    for needle in ["http://", "https://", "url(", "@import"] {
        assert!(!html.contains(needle), "the page references {needle:?}");
    }
    let mut tags = 0;
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let tag = &rest[..rest.find('>').expect("tags are closed")];
        tags += 1;
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            ![
                "img", "link", "iframe", "object", "embed", "audio", "video", "source", "base",
                "form"
            ]
            .contains(&name.to_ascii_lowercase().as_str()),
            "a loading element: <{tag}>"
        );
        // Attribute values are double-quoted: the even parts are names, the odd ones values.
        let parts: Vec<&str> = tag.split('"').collect();
        for (j, part) in parts.iter().enumerate().step_by(2) {
            assert!(!part.contains(" src="), "a source: <{tag}>");
            if part.ends_with(" href=") {
                let value = parts.get(j + 1).copied().unwrap_or("");
                assert!(value.starts_with('#'), "a link off the page: <{tag}>");
            }
        }
    }
    assert!(tags > 1000, "{tags} tags");
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
    );
}

/// The CSP allows the inline script by its SHA-256; recompute it (with Python's hashlib)
/// so that a change to the script without its hash fails here with the right value.
fn check_script_hash(html: &str) {
    let start = html.find("<script>").unwrap() + "<script>".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let script = &html[start..end];
    let python = Command::new("python3")
        .args([
            "-c",
            "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut python) = python else {
        eprintln!("SKIPPED the script hash check: python3 is not available");
        return;
    };
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = python.wait_with_output().unwrap();
    let hash = String::from_utf8(out.stdout).unwrap();
    let allowed = format!("script-src 'sha256-{}'", hash.trim());
    assert!(
        html.contains(&allowed),
        "the CSP must allow the script: set SCRIPT_SHA256 in src/org/render/html.rs to \
         \"sha256-{}\"",
        hash.trim()
    );
}

/// Text as Chromium serialises a DOM text node.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A value as Chromium serialises an attribute.
fn dom_attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OPREADY_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium with a fresh profile; kills it after two minutes.
fn run_chromium(chromium: &Path, profile: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", s(profile)))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    // Read both pipes on threads so a chatty browser cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    assert!(
        output.status.success(),
        "chromium {args:?} failed: {}",
        stderr(&output)
    );
    output
}
