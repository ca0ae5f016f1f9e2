//! Fixed cost of a check: `cargo bench --bench check`.
//!
//! Generates a repository of 1,000 files shaped like a real service (mostly source code,
//! some YAML manifests, workflows, rules, Markdown and Terraform), then times
//! `opready::check::check` on it, plus every repository of ../shared/corpus when present.
//! The target (issue 2): tens of milliseconds for a thousand-file repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opready::check::{CheckOptions, check};
use opready::policy;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

/// A service repository of exactly `files` files.
fn synthetic_repo(root: &Path, files: usize) {
    let n = std::cell::Cell::new(0usize);
    let add = |rel: String, text: String| {
        write(root, &rel, &text);
        n.set(n.get() + 1);
    };
    add(
        "README.md".into(),
        "# Checkout\n\nThe checkout service takes payments.\n\n## Running\n\n`make run`\n"
            .repeat(3),
    );
    add(
        "Dockerfile".into(),
        "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n".into(),
    );
    add(
        "go.mod".into(),
        "module example.com/checkout\n\ngo 1.22\n".into(),
    );
    add(".github/CODEOWNERS".into(), "* @acme/payments\n".into());
    add(".github/dependabot.yml".into(), "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule: {interval: weekly}\n".into());
    add(
        "Makefile".into(),
        "build:\n\tgo build ./...\ntest:\n\tgo test ./...\n".into(),
    );
    for i in 0..5 {
        add(
            format!(".github/workflows/wf{i}.yml"),
            "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n      - run: golangci-lint run\n".into(),
        );
    }
    for i in 0..20 {
        add(
            format!("deploy/k8s/app{i}.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n"
            ),
        );
    }
    for i in 0..10 {
        let rules: String = (0..20)
            .map(|j| format!("  - alert: Alert{i}x{j}\n    expr: rate(errors_total[5m]) > 1\n    for: 5m\n    labels: {{severity: critical}}\n    annotations:\n      summary: s\n      runbook_url: docs/runbooks/r{i}.md\n"))
            .collect();
        add(
            format!("monitoring/rules{i}.yaml"),
            format!("groups:\n- name: g{i}\n  rules:\n{rules}"),
        );
        add(
            format!("docs/runbooks/r{i}.md"),
            "# Runbook\n## Symptoms\n## Diagnosis\n## Mitigation\n## Escalation\n".into(),
        );
    }
    for i in 0..30 {
        add(
            format!("docs/guide/page{i}.md"),
            format!("# Page {i}\n\nSome text about the service.\n\n## Details\n\nMore text.\n"),
        );
    }
    for i in 0..20 {
        add(
            format!("terraform/res{i}.tf"),
            format!(
                "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b{i}\"\n  tags = {{ team = \"payments\" }}\n}}\n"
            ),
        );
    }
    for i in 0..40 {
        add(
            format!("config/app{i}.yaml"),
            format!("name: app{i}\nport: 80{i}\nfeatures: [a, b]\n"),
        );
    }
    for i in 0..20 {
        add(
            format!("testdata/case{i}.json"),
            format!("{{\"case\": {i}}}\n"),
        );
    }
    let mut i = 0;
    while n.get() < files {
        add(
            format!("internal/pkg{}/file{i}.go", i % 40),
            format!("package pkg\n\nfunc F{i}() int {{ return {i} }}\n"),
        );
        i += 1;
    }
}

fn time(root: &Path, runs: usize) -> (Duration, Duration, usize) {
    let pack = policy::load::builtin().unwrap();
    let options = CheckOptions::default();
    let mut samples = Vec::with_capacity(runs);
    let mut files = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let checked = check(root, &pack, &options).unwrap();
        samples.push(start.elapsed());
        files = checked.report.evidence.files as usize;
    }
    samples.sort();
    (samples[0], samples[samples.len() / 2], files)
}

fn main() {
    // Builtin pack loading is part of every run of the binary: time it too.
    let start = Instant::now();
    for _ in 0..20 {
        policy::load::builtin().unwrap();
    }
    println!(
        "load built-in pack: {:.2} ms per load",
        start.elapsed().as_secs_f64() * 1000.0 / 20.0
    );

    let dir = tempfile::tempdir().unwrap();
    synthetic_repo(dir.path(), 1000);
    let (min, median, files) = time(dir.path(), 30);
    println!(
        "synthetic service repo, {files} files: min {:.1} ms, median {:.1} ms",
        min.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1000.0
    );

    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = fs::read_dir(&corpus) else {
        println!("../shared/corpus not found: corpus timings skipped");
        return;
    };
    let mut repos: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let mut total = Duration::ZERO;
    for repo in &repos {
        let (_, median, files) = time(repo, 5);
        total += median;
        println!(
            "  {:<62} {files:>5} files  {:>6.1} ms",
            repo.file_name().unwrap().to_string_lossy(),
            median.as_secs_f64() * 1000.0
        );
    }
    println!(
        "corpus: {} repositories, {:.0} ms in all (medians)",
        repos.len(),
        total.as_secs_f64() * 1000.0
    );
}
