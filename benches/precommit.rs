//! Cost of pre-commit mode: `cargo bench --bench precommit`.
//!
//! Times `opready::precommit::check_files` for a handful of evidence files, against the
//! full `check` of the same repository: on a generated service repository of 5,000 files,
//! and on every repository of ../shared/corpus when present (its first five files the
//! hook runs on). The target (issue 4): tens of milliseconds, whatever the repository's
//! size, so that the hook goes unnoticed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opready::check::{CheckOptions, check};
use opready::policy::{self, Pack};
use opready::precommit::check_files;
use opready::scan::{FileIndex, WalkOptions};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

/// A service repository: rules, runbooks, manifests and many source files.
fn synthetic_repo(root: &Path, files: usize) -> Vec<PathBuf> {
    write(root, ".github/CODEOWNERS", "* @acme/payments\n");
    write(root, "Dockerfile", "FROM alpine:3.20\n");
    let mut n = 2;
    for i in 0..20 {
        let rules: String = (0..20)
            .map(|j| format!("  - alert: Alert{i}x{j}\n    expr: rate(errors_total[5m]) > 1\n    for: 5m\n    labels: {{severity: critical}}\n    annotations:\n      summary: s\n      runbook_url: docs/runbooks/r{i}.md#mitigation\n"))
            .collect();
        write(
            root,
            &format!("monitoring/rules{i}.yaml"),
            &format!("groups:\n- name: g{i}\n  rules:\n{rules}"),
        );
        write(
            root,
            &format!("docs/runbooks/r{i}.md"),
            "# Runbook\n## Symptoms\n## Diagnosis\n## Mitigation\n## Escalation\n",
        );
        n += 2;
    }
    for i in 0..50 {
        write(
            root,
            &format!("deploy/app{i}.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n"
            ),
        );
        n += 1;
    }
    let mut i = 0;
    while n < files {
        write(
            root,
            &format!("internal/pkg{}/file{i}.go", i % 100),
            &format!("package pkg\n\nfunc F{i}() int {{ return {i} }}\n"),
        );
        n += 1;
        i += 1;
    }
    [
        "monitoring/rules3.yaml",
        "monitoring/rules4.yaml",
        "docs/runbooks/r3.md",
        "deploy/app7.yaml",
        "internal/pkg1/file1.go",
    ]
    .iter()
    .map(PathBuf::from)
    .collect()
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// Medians in ms of `check_files` and of the full `check`.
fn time(root: &Path, files: &[PathBuf], pack: &Pack, runs: usize) -> (f64, f64) {
    let options = CheckOptions::default();
    let mut some = Vec::with_capacity(runs);
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        check_files(root, files, pack, &options).unwrap();
        some.push(start.elapsed());
        let start = Instant::now();
        check(root, pack, &options).unwrap();
        all.push(start.elapsed());
    }
    (median(some), median(all))
}

/// The first `n` files of a repository the hook runs on (YAML, Markdown, Terraform, …).
fn hook_files(root: &Path, n: usize) -> Vec<PathBuf> {
    let (index, _) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
    let wanted = ["yaml", "yml", "json", "md", "tf", "rst", "adoc"];
    index
        .files()
        .iter()
        .filter(|f| {
            f.path
                .rsplit_once('.')
                .is_some_and(|(_, ext)| wanted.contains(&ext))
        })
        .take(n)
        .map(|f| PathBuf::from(&f.path))
        .collect()
}

fn main() {
    let start = Instant::now();
    let pack = policy::load::builtin().unwrap();
    println!(
        "load built-in pack: {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );

    let dir = tempfile::tempdir().unwrap();
    let files = synthetic_repo(dir.path(), 5000);
    let (some, all) = time(dir.path(), &files, &pack, 20);
    println!(
        "synthetic repo, 5000 files: --files with {} files {some:.1} ms, full check {all:.1} ms",
        files.len()
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
    println!(
        "  {:<58} {:>12} {:>12}",
        "corpus repository", "--files (5)", "full check"
    );
    for repo in &repos {
        let files = hook_files(repo, 5);
        let (some, all) = time(repo, &files, &pack, 5);
        println!(
            "  {:<58} {some:>9.1} ms {all:>9.1} ms",
            repo.file_name().unwrap().to_string_lossy()
        );
    }
}
