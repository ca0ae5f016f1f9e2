//! Scripted operations: Makefiles, justfiles, Taskfiles and `scripts/` or `bin/` folders.
//!
//! ## What it recognises
//! - `Makefile`, `GNUmakefile`, `makefile`, `*.mk`: explicit targets (not `.PHONY` and
//!   other special targets, not `%` pattern rules, not variable assignments).
//! - `justfile`, `Justfile`, `.justfile`: recipes.
//! - `Taskfile.yml`/`.yaml` (any case of the `t`): the keys of `tasks:`.
//! - `scripts/` and `bin/` folders at any depth holding shell, Python or PowerShell
//!   scripts: one item per folder naming its scripts (judged by file name only; the
//!   scripts are not read).
//!
//! ## Why it matters
//! An operation written down as a target or a script is repeatable by anyone on the team,
//! reviewable, and the first step to automating the toil away.

use crate::evidence::{Automation, Collector, Detector, FileContext, RepoPath, Source};
use crate::parse::yaml::Node;

pub struct OpsAutomation;

const ID: &str = "ops-automation";

/// Folder names that hold operational scripts.
const SCRIPT_DIRS: &[&str] = &["scripts", "bin"];

/// Script extensions recognised in those folders.
const SCRIPT_EXTS: &[&str] = &["sh", "bash", "zsh", "ksh", "py", "ps1"];

/// Folders of tool-managed environments whose `bin/` is not the team's automation.
const ENV_DIRS: &[&str] = &[".venv", "venv", ".tox", "site-packages", ".git"];

/// Scripts listed per folder, at most.
const MAX_SCRIPTS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Make,
    Just,
    Task,
    /// A script in this folder, listed under this name (relative to the folder).
    Script,
}

fn format_of(path: &RepoPath) -> Option<Format> {
    let name = path.name();
    match name {
        "Makefile" | "makefile" | "GNUmakefile" => return Some(Format::Make),
        "justfile" | "Justfile" | "JUSTFILE" | ".justfile" => return Some(Format::Just),
        "Taskfile.yml" | "Taskfile.yaml" | "taskfile.yml" | "taskfile.yaml" => {
            return Some(Format::Task);
        }
        _ => {}
    }
    let ext = path.ext();
    if ext == "mk" {
        return Some(Format::Make);
    }
    (SCRIPT_EXTS.contains(&ext.as_str())
        && script_dir(path.as_str()).is_some()
        && !path.in_dir_named(ENV_DIRS))
    .then_some(Format::Script)
}

/// The innermost `scripts`/`bin` folder holding the file, and the file's path below it.
fn script_dir(path: &str) -> Option<(&str, &str)> {
    let mut end = path.rfind('/')?;
    loop {
        let dir = &path[..end];
        let last = dir.rsplit('/').next().unwrap_or(dir);
        if SCRIPT_DIRS.contains(&last) {
            return Some((dir, &path[end + 1..]));
        }
        end = dir.rfind('/')?;
    }
}

impl Detector for OpsAutomation {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Scripted operations: Makefile targets, justfile recipes, Taskfile tasks, and the scripts in scripts/ or bin/ folders"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        format_of(path).is_some()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(format) = format_of(&file.path) else {
            return;
        };
        let path = file.path.as_str();
        if format == Format::Script {
            if let Some((dir, name)) = script_dir(path) {
                add_script(out, dir, name);
            }
            return;
        }
        let Some(text) = file.text() else {
            return;
        };
        let (kind, targets) = match format {
            Format::Make => ("makefile", make_targets(text)),
            Format::Just => ("justfile", just_recipes(text)),
            Format::Task => {
                if !text.contains("tasks:") {
                    return;
                }
                let Some(docs) = file.yaml(ID) else {
                    return;
                };
                ("taskfile", taskfile_tasks(docs))
            }
            Format::Script => return,
        };
        out.evidence.automation.push(Automation {
            kind: kind.to_string(),
            path: path.to_string(),
            targets,
            source: Source::file(path),
        });
    }
}

/// Adds a script to its folder's item, creating the item for the folder's first script.
fn add_script(out: &mut Collector, dir: &str, name: &str) {
    let list = &mut out.evidence.automation;
    let index = match list
        .iter()
        .position(|a| a.kind == "scripts" && a.path == dir)
    {
        Some(i) => i,
        None => {
            list.push(Automation {
                kind: "scripts".to_string(),
                path: dir.to_string(),
                targets: Vec::new(),
                source: Source::new(dir, None),
            });
            list.len() - 1
        }
    };
    let targets = &mut list[index].targets;
    if let Err(at) = targets.binary_search_by(|t| t.as_str().cmp(name)) {
        targets.insert(at, name.to_string());
        targets.truncate(MAX_SCRIPTS);
    }
}

/// Explicit targets of a Makefile, in order, without duplicates.
pub fn make_targets(text: &str) -> Vec<String> {
    let mut targets: Vec<String> = Vec::new();
    let mut in_define = false;
    let mut continued = false;
    for line in text.lines() {
        let was_continued = continued;
        continued = line.ends_with('\\');
        if was_continued {
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        if in_define {
            in_define = word != "endef";
            continue;
        }
        let second = line.split_whitespace().nth(1).unwrap_or("");
        if word == "define"
            || (matches!(word, "override" | "export" | "private") && second == "define")
        {
            in_define = true;
            continue;
        }
        // Recipes are indented; comments and directives are not targets.
        if line.starts_with([' ', '\t', '#']) || line.is_empty() {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let (head, rest) = (&line[..colon], &line[colon..]);
        // `VAR := x`, `VAR ::= x`, `VAR :::= x`, `VAR = a:b`, `VAR ?= a:b`.
        if head.contains('=') || rest.trim_start_matches(':').starts_with('=') {
            continue;
        }
        for name in head.split_whitespace() {
            if name.starts_with('.') || name.contains('%') || name.contains('$') {
                continue;
            }
            if !targets.iter().any(|t| t == name) {
                targets.push(name.to_string());
            }
        }
    }
    targets
}

/// Recipes of a justfile, in order.
pub fn just_recipes(text: &str) -> Vec<String> {
    let mut recipes: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#', '[']) || line.is_empty() {
            continue;
        }
        let body = line.strip_prefix('@').unwrap_or(line);
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(body.len());
        let (name, rest) = body.split_at(name_len);
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            || matches!(
                name,
                "set" | "alias" | "export" | "import" | "mod" | "unexport"
            ) && rest.starts_with(' ')
        {
            continue;
        }
        let rest = rest.trim_start();
        // `name := value` is an assignment; a recipe has `name params…:`.
        if rest.starts_with(":=") || rest.starts_with('=') {
            continue;
        }
        let Some(colon) = rest.find(':') else {
            continue;
        };
        if rest[colon + 1..].starts_with('=') {
            continue;
        }
        if !recipes.iter().any(|r| r == name) {
            recipes.push(name.to_string());
        }
    }
    recipes
}

/// Task names of a Taskfile (`tasks:` keys), in order.
fn taskfile_tasks(docs: &[Node]) -> Vec<String> {
    docs.iter()
        .filter_map(|d| d.get("tasks"))
        .flat_map(|t| t.as_map().iter().filter_map(|(k, _)| k.scalar_text()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::toil::detect_files;

    #[test]
    fn makefile_targets() {
        let text = "\
SHELL := /bin/bash
VERSION ?= $(shell git describe):dirty
IMAGE = repo/app:latest
export PATH := $(PWD)/bin:$(PATH)
.PHONY: build test deploy
.DEFAULT_GOAL := build

define HELP
usage: make target
endef

build: deps ## Build it
\tgo build ./... \\
\t  -o bin/app
test lint: build
\tgo test ./...
%.o: %.c
\tcc -c $<
$(BIN)/tool:
\tcurl -o $@
deploy:: 
\tkubectl apply -f k8s/
deploy: IMAGE = other:tag
";
        assert_eq!(make_targets(text), vec!["build", "test", "lint", "deploy"]);
    }

    #[test]
    fn justfile_recipes() {
        let text = "\
set shell := [\"bash\", \"-c\"]
alias b := build
version := `git describe`
export RUST_LOG := \"info\"

# Build everything
build target='debug': fmt
    cargo build
@fmt:
    cargo fmt
[private]
_helper:
    echo hi
deploy env=\"staging\" *args:
    ./deploy.sh {{env}}
";
        assert_eq!(
            just_recipes(text),
            vec!["build", "fmt", "_helper", "deploy"]
        );
    }

    #[test]
    fn every_format_end_to_end() {
        let d = detect_files(
            &[
                ("Makefile", "build:\n\tcargo build\n"),
                ("justfile", "test:\n    cargo test\n"),
                (
                    "Taskfile.yml",
                    "version: '3'\ntasks:\n  deploy:\n    cmds: [./deploy.sh]\n  rollback: {cmds: [x]}\n",
                ),
                ("scripts/restore-db.sh", "#!/bin/sh\n"),
                ("scripts/ci/lint.py", ""),
                ("scripts/README.md", "# scripts\n"),
                ("tools/bin/rotate-keys.sh", ""),
                (".venv/bin/activate.ps1", ""),
                ("bin/setup", ""),
            ],
            &OpsAutomation,
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, &str, Vec<&str>)> = d
            .evidence
            .automation
            .iter()
            .map(|a| {
                (
                    a.kind.as_str(),
                    a.path.as_str(),
                    a.targets.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("makefile", "Makefile", vec!["build"]),
                ("taskfile", "Taskfile.yml", vec!["deploy", "rollback"]),
                ("justfile", "justfile", vec!["test"]),
                ("scripts", "scripts", vec!["ci/lint.py", "restore-db.sh"]),
                ("scripts", "tools/bin", vec!["rotate-keys.sh"]),
            ]
        );
        assert_eq!(d.evidence.automation[0].source.line, Some(1));
        assert_eq!(d.evidence.automation[3].source.line, None);
    }

    #[test]
    fn scripts_are_capped_and_sorted() {
        let names: Vec<String> = (0..60).map(|i| format!("ops/scripts/s{i:02}.sh")).collect();
        let files: Vec<(&str, &str)> = names.iter().rev().map(|n| (n.as_str(), "")).collect();
        let d = detect_files(&files, &OpsAutomation);
        let a = &d.evidence.automation[0];
        assert_eq!(a.targets.len(), MAX_SCRIPTS);
        assert_eq!(a.targets[0], "s00.sh");
        assert_eq!(a.targets[49], "s49.sh");
        assert!(!d.evidence.automation[0].source.example);
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::toil::detect_fixture("format-ops-automation", &OpsAutomation);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<(&str, Vec<&str>)> = d
            .evidence
            .automation
            .iter()
            .map(|a| {
                (
                    a.path.as_str(),
                    a.targets.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("Makefile", vec!["build", "test", "deploy", "rollback"]),
                ("Taskfile.yml", vec!["restore-backup", "drain-node"]),
                ("justfile", vec!["rotate-credentials", "restart-workers"]),
                (
                    "scripts",
                    vec!["db/restore.sh", "db/rotate-credentials.sh", "handover.py"]
                ),
                ("tools/bin", vec!["renew-certs.sh"]),
            ]
        );
    }
}
