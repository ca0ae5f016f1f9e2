//! `project-docs`: the documents a project keeps next to its code: README, architecture,
//! architecture decision records, security policy, changelog, contributing guide, toil
//! log.
//!
//! ## What it recognises
//! One kind per file, tried in this order:
//! - `readme`: the README at the repository root only (`README.md`, `README`,
//!   `README.rst`, `README.adoc`…); nested READMEs describe a folder, not the project;
//! - `adr`: each numbered decision (`0001-use-postgres.md`, `adr-007.md`) in a folder
//!   `adr/`, `adrs/`, `decisions/`, `architecture-decision-record(s)/`,
//!   `architecture-decisions/`, `decision-records/` (their README, index and template
//!   are not decisions);
//! - `security-policy`: `SECURITY.md` at the root, in `.github/` or `docs/` (where GitHub
//!   looks for it); a lowercase `docs/security.md` is usually a hardening guide, not a
//!   disclosure policy, and is not taken;
//! - `changelog`: `CHANGELOG*` anywhere, `HISTORY*`, `RELEASES*`, `CHANGES*`,
//!   `RELEASE_NOTES*` when capitalised (a lowercase `history.md` is usually prose);
//! - `contributing`: `CONTRIBUTING*`;
//! - `architecture`: `ARCHITECTURE.md` and files named `architecture*`, documents in an
//!   `architecture/` folder, and design documents whose title begins or ends with
//!   "Architecture";
//! - `toil-log`: files named `toil*`, or titled "Toil log" / "Toil budget".
//!
//! Markdown, reStructuredText and AsciiDoc are read through the shared outline (titles,
//! headings and words alike); a README, changelog or contributing guide in plain text
//! (no extension, `.txt`) is read as text (headings from underlined lines and `=` lines,
//! words by whitespace).
//!
//! ## Why it matters
//! A newcomer on call starts from the README and the architecture; ADRs say why the
//! system is the way it is; a security policy says how to report a vulnerability.

use std::sync::LazyLock;

use regex::Regex;

use crate::evidence::docs::classify::{has_any, words};
use crate::evidence::docs::{doc_title, heading_texts};
use crate::evidence::{Collector, Detector, Doc, FileContext, RepoPath, Source};

pub struct ProjectDocs;

/// Extensions of plain-text documents, read without an outline.
const TEXT_EXTS: &[&str] = &["", "txt"];

impl Detector for ProjectDocs {
    fn id(&self) -> &'static str {
        "project-docs"
    }

    fn summary(&self) -> &'static str {
        "Project documents in Markdown, reStructuredText, AsciiDoc or plain text: root README, ARCHITECTURE and architecture docs, numbered ADRs, SECURITY.md, CHANGELOG, CONTRIBUTING and toil logs"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_doc() || text_doc_kind(path).is_some()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let path = file.path;
        if path.is_doc() {
            // The kind by path first; only an unnamed document needs its title read.
            let Some(md) = file.markdown() else {
                return;
            };
            let title = doc_title(md);
            let Some(kind) = doc_kind(&path, title.as_deref()) else {
                return;
            };
            out.evidence.docs.push(Doc {
                path: path.as_str().to_string(),
                kind: kind.to_string(),
                headings: heading_texts(md, title.as_deref()),
                title,
                words: md.words,
                source: Source::file(path.as_str()),
            });
        } else {
            let Some(kind) = text_doc_kind(&path) else {
                return;
            };
            let Some(text) = file.text() else {
                return;
            };
            let headings = text_headings(text);
            out.evidence.docs.push(Doc {
                path: path.as_str().to_string(),
                kind: kind.to_string(),
                title: headings.first().cloned(),
                headings,
                words: text.split_whitespace().count() as u32,
                source: Source::file(path.as_str()),
            });
        }
    }
}

/// Folders whose numbered documents are architecture decision records.
const ADR_DIRS: &[&str] = &[
    "adr",
    "adrs",
    "decisions",
    "architecture-decision-record",
    "architecture-decision-records",
    "architecture-decisions",
    "decision-records",
    "decision-log",
];

/// The kind of project document at `path` (with its title, when known), or `None`.
pub fn doc_kind(path: &RepoPath, title: Option<&str>) -> Option<&'static str> {
    let name = path.name();
    let stem = path.stem_lower().replace('_', "-");
    let dir = path.dir();
    let dirs: Vec<String> = path
        .dirs()
        .map(|d| d.to_lowercase().replace('_', "-"))
        .collect();
    let upper_start = |prefixes: &[&str]| {
        prefixes
            .iter()
            .any(|p| name.starts_with(p) || name.starts_with(&capitalised(p)))
    };

    if dir.is_empty() && stem.starts_with("readme") {
        return Some("readme");
    }
    let in_adr_dir = dirs.iter().any(|d| ADR_DIRS.contains(&d.as_str()));
    if in_adr_dir && is_numbered(&stem) && !stem.contains("template") {
        return Some("adr");
    }
    if stem == "security"
        && (matches!(dir, "" | ".github" | ".gitlab")
            || (matches!(dir, "docs" | "doc") && name.starts_with("SECURITY")))
    {
        return Some("security-policy");
    }
    if stem.starts_with("changelog")
        || upper_start(&[
            "HISTORY",
            "RELEASES",
            "CHANGES",
            "RELEASE_NOTES",
            "RELEASE-NOTES",
        ])
    {
        return Some("changelog");
    }
    if stem.starts_with("contributing") {
        return Some("contributing");
    }
    if !in_adr_dir
        && (stem.starts_with("architecture")
            || dirs.iter().any(|d| d == "architecture")
            || title.is_some_and(architecture_title))
    {
        return Some("architecture");
    }
    if stem.starts_with("toil")
        || title.is_some_and(|t| has_any(&words(t), &["toil log", "toil budget", "toil tracking"]))
    {
        return Some("toil-log");
    }
    None
}

/// The kind of a plain-text document (`README`, `CHANGES`, `HISTORY.txt`,
/// `docs/adr/0001-x.txt`). Only names count: a file without extension in
/// an `architecture/` folder is likely a script or a diagram source, not a document.
pub fn text_doc_kind(path: &RepoPath) -> Option<&'static str> {
    let ext = path.ext();
    if !TEXT_EXTS.contains(&ext.as_str()) {
        return None;
    }
    let kind = doc_kind(path, None)?;
    let named = !matches!(kind, "adr" | "architecture" | "toil-log")
        || (kind == "architecture" && path.stem_lower().starts_with("architecture"))
        || (kind == "toil-log" && !ext.is_empty())
        || (kind == "adr" && !ext.is_empty());
    named.then_some(kind)
}

/// `HISTORY` → `History`.
fn capitalised(upper: &str) -> String {
    let lower = upper.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `0001-record-decisions`, `001_use_x`, `adr-007`, `ADR0012-foo`, `20200101-foo`.
fn is_numbered(stem: &str) -> bool {
    static NUMBERED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:adr[-. ]?)?[0-9]+(?:$|[-. ])").expect("valid pattern"));
    NUMBERED.is_match(stem)
}

/// A design document: the title begins or ends with "Architecture" ("Architecture
/// overview", "Modsec logging architecture"), and is not a decision record.
fn architecture_title(title: &str) -> bool {
    let w = words(title);
    let first_or_last = w.first().is_some_and(|f| f == "architecture")
        || w.last().is_some_and(|l| l == "architecture");
    first_or_last && !has_any(&w, &["decision*", "adr"])
}

/// Headings of a reStructuredText or AsciiDoc document: a line underlined with one
/// repeated punctuation character at least as long as the line, or a line starting with
/// `=` and a space.
fn text_headings(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('=') {
            let rest = rest.trim_start_matches('=');
            if rest.starts_with(' ') && !rest.trim().is_empty() {
                out.push(rest.trim().to_string());
                continue;
            }
        }
        let Some(next) = lines.get(i + 1) else {
            continue;
        };
        let next = next.trim_end();
        let Some(c) = next.chars().next() else {
            continue;
        };
        if trimmed.is_empty()
            || !trimmed.chars().any(char::is_alphanumeric)
            || line.starts_with(char::is_whitespace)
            || !"=-~^\"'`#*+".contains(c)
            || !next.chars().all(|x| x == c)
            || next.chars().count() < trimmed.chars().count()
        {
            continue;
        }
        out.push(trimmed.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> Option<&'static str> {
        doc_kind(&RepoPath::new(path), None)
    }

    #[test]
    fn kinds_by_path() {
        assert_eq!(kind("README.md"), Some("readme"));
        assert_eq!(kind("README"), Some("readme"));
        assert_eq!(kind("README.rst"), Some("readme"));
        assert_eq!(kind("docs/README.md"), None);
        assert_eq!(
            kind("architecture-decision-record/001-Use-AWS.md"),
            Some("adr")
        );
        assert_eq!(kind("doc/adr/0002-use-x.md"), Some("adr"));
        assert_eq!(
            kind("docs/architecture/decisions/adr-007-y.md"),
            Some("adr")
        );
        assert_eq!(kind("docs/adr/README.md"), None);
        assert_eq!(kind("docs/adr/template.md"), None);
        assert_eq!(kind("docs/adr/0000-template.md"), None);
        assert_eq!(kind("SECURITY.md"), Some("security-policy"));
        assert_eq!(kind(".github/SECURITY.md"), Some("security-policy"));
        assert_eq!(kind("docs/SECURITY.md"), Some("security-policy"));
        assert_eq!(kind("docs/security.md"), None);
        assert_eq!(kind("src/SECURITY.md"), None);
        assert_eq!(kind("CHANGELOG.md"), Some("changelog"));
        assert_eq!(kind("charts/x/CHANGELOG.md"), Some("changelog"));
        assert_eq!(kind("HISTORY.rst"), Some("changelog"));
        assert_eq!(kind("docs/history.md"), None);
        assert_eq!(kind("CONTRIBUTING.rst"), Some("contributing"));
        assert_eq!(kind("contributing.md"), Some("contributing"));
        assert_eq!(kind("ARCHITECTURE.md"), Some("architecture"));
        assert_eq!(kind("docs/dev/architecture.md"), Some("architecture"));
        assert_eq!(kind("docs/Architecture-Official.md"), Some("architecture"));
        assert_eq!(kind("docs/architecture/overview.md"), Some("architecture"));
        assert_eq!(kind("docs/toil-log.md"), Some("toil-log"));
        assert_eq!(kind("docs/guide.md"), None);
    }

    #[test]
    fn plain_text_documents_count_by_name() {
        let k = |p| text_doc_kind(&RepoPath::new(p));
        assert_eq!(k("README"), Some("readme"));
        assert_eq!(k("CHANGES"), Some("changelog"));
        assert_eq!(k("HISTORY.txt"), Some("changelog"));
        assert_eq!(k("docs/adr/0003-use-x.txt"), Some("adr"));
        // reStructuredText and AsciiDoc are documents with an outline, not plain text.
        assert_eq!(k("CONTRIBUTING.adoc"), None);
        assert_eq!(k("docs/adr/0003-use-x.rst"), None);
        assert_eq!(kind("CONTRIBUTING.adoc"), Some("contributing"));
        assert_eq!(kind("docs/adr/0003-use-x.rst"), Some("adr"));
        assert_eq!(k("docs/architecture/Makefile"), None);
        assert_eq!(k("docs/architecture/notes.txt"), None);
        assert_eq!(k("ARCHITECTURE.txt"), Some("architecture"));
        assert_eq!(k("README.md"), None);
        assert_eq!(k("CHANGELOG.json"), None);
    }

    #[test]
    fn kinds_by_title() {
        let k = |t| doc_kind(&RepoPath::new("docs/x.md"), Some(t));
        assert_eq!(k("System architecture"), Some("architecture"));
        assert_eq!(k("Architecture overview"), Some("architecture"));
        assert_eq!(k("Architecture Decision Records"), None);
        assert_eq!(k("Pushing logs (architecture notes inside)"), None);
        assert_eq!(k("Team toil log"), Some("toil-log"));
        assert_eq!(k("Q3 Toil Budget"), Some("toil-log"));
    }

    #[test]
    fn rst_and_adoc_headings() {
        let rst = "Warehouse\n=========\n\nText here.\n\nGetting started\n---------------\n\n- a\n";
        assert_eq!(text_headings(rst), ["Warehouse", "Getting started"]);
        let adoc = "= Git plugin\n\nIntro.\n\n== Usage\n";
        assert_eq!(text_headings(adoc), ["Git plugin", "Usage"]);
        assert!(text_headings("Text.\n\n----\n\nMore.\n").is_empty());
    }

    #[test]
    fn documents_end_to_end() {
        let files = [
            ("README.rst", "Warehouse\n=========\n\nThe PyPI server.\n"),
            ("docs/README.md", "# Docs\n"),
            (
                "docs/adr/0001-record.md",
                "# 1. Record decisions\n\nWe will.\n",
            ),
            (
                "docs/design.md",
                "---\ntitle: Payments architecture\n---\nText.\n",
            ),
            (".github/SECURITY.md", "# Security Policy\n\n## Reporting\n"),
        ];
        let docs = crate::evidence::testing::detect_files_with(&files, &[&ProjectDocs])
            .evidence
            .docs;
        let got: Vec<(&str, &str, Option<&str>)> = docs
            .iter()
            .map(|d| (d.path.as_str(), d.kind.as_str(), d.title.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    ".github/SECURITY.md",
                    "security-policy",
                    Some("Security Policy")
                ),
                ("README.rst", "readme", Some("Warehouse")),
                (
                    "docs/adr/0001-record.md",
                    "adr",
                    Some("1. Record decisions")
                ),
                (
                    "docs/design.md",
                    "architecture",
                    Some("Payments architecture")
                ),
            ]
        );
        // Words of the title and the prose; the underline is no word.
        assert_eq!(docs[1].words, 4);
        assert_eq!(docs[0].headings, ["Security Policy", "Reporting"]);
    }
}
