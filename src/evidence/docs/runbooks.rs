//! `runbooks`: runbooks in Markdown, reStructuredText or AsciiDoc (read into the same
//! outline, see [`crate::evidence::FileContext::markdown`]), found by path, by headings, or
//! by the runbook site they belong to.
//!
//! ## What it recognises
//! - **by path**: documents under `runbooks/`, `runbook/`, `playbooks/`, `sop/`, `sops/`,
//!   or a team's operations guide (`sre-guide/`, `operation(s)-guide/`, `ops-guide/`), or
//!   named `*runbook*`, `*playbook*`, `*_sop*` (`found_by: path`); a folder README that
//!   only lists runbooks is kept too, but it is not `structured`;
//! - **by headings**: at least two of symptoms/impact, diagnosis/troubleshooting,
//!   mitigation/resolution/steps, escalation/contacts (`found_by: headings`);
//! - **by folder index**: every document below a folder whose index page (`index.md`,
//!   `README.md`, `index.html.md.erb`, `index.rst`, `index.adoc`…) is titled "… Runbooks", "… Playbooks" or "… SOPs"
//!   (`found_by: folder-index`): runbook sites built with Middleman or MkDocs keep their
//!   pages under `source/` or `docs/`, and only the index says what they are.
//!
//! The folder-index rule looks at other files through `Collector::outlines`: it relies on
//! detection visiting files in path order and recording each document's outline once the
//! file is done. Pages read before their index are claimed when the index is read, pages
//! read after it find it in the outlines; either way the result does not depend on order.
//!
//! A document that reads as a postmortem or as the incident process is left to those
//! detectors (see [`super::classify`]). Sections come from headings and bold labels
//! (`**Impact**:`); a file documenting many alerts is one runbook whose sections are the
//! union of its sub-headings. `structured` = three of the four sections.
//!
//! ## Why it matters
//! A runbook turns a page at 3 a.m. into a checklist; a structured one also says how to
//! tell the impact, how to diagnose, and whom to call when it does not work.

use std::collections::BTreeSet;

use crate::evidence::docs::classify::{self, Family, Outline};
use crate::evidence::docs::{doc_title, project_docs, runbook};
use crate::evidence::{Collector, Detector, FileContext, RepoPath};

pub struct Runbooks;

/// `found_by` of documents taken as runbooks because a folder index says so.
const FOLDER_INDEX: &str = "folder-index";

/// Index page names, tried in each folder above a document.
const INDEX_NAMES: &[&str] = &[
    "README.md",
    "readme.md",
    "Readme.md",
    "README.markdown",
    "index.md",
    "_index.md",
    "index.mdx",
    "index.markdown",
    "index.html.md.erb",
    "index.md.erb",
    "index.html.md",
    "index.rst",
    "README.rst",
    "index.adoc",
    "README.adoc",
    "index.asciidoc",
    "README.asciidoc",
];

impl Detector for Runbooks {
    fn id(&self) -> &'static str {
        "runbooks"
    }

    fn summary(&self) -> &'static str {
        "Runbooks in Markdown, reStructuredText or AsciiDoc: under runbooks/, playbooks/, sop/ or an SRE/operations guide folder, named *runbook*/*playbook*, with runbook headings (symptoms, diagnosis, mitigation, escalation), or pages of a site whose index is titled \"Runbooks\""
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_doc()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(md) = file.markdown() else {
            return;
        };
        let raw = file.text();
        let path = file.path;
        let title = doc_title(md);
        let outline = Outline::new(md, raw);
        match classify::classify(&path, md, &outline, title.as_deref()) {
            Some(Family::Runbook(by)) => {
                out.evidence
                    .runbooks
                    .push(runbook(path.as_str(), md, raw, by.as_str()));
            }
            Some(_) => {}
            None => {
                let is_index = classify::is_runbook_collection_index(&path, title.as_deref());
                if eligible_member(&path) && (is_index || in_collection(&path, out)) {
                    out.evidence
                        .runbooks
                        .push(runbook(path.as_str(), md, raw, FOLDER_INDEX));
                }
            }
        }
        if classify::is_runbook_collection_index(&path, title.as_deref()) {
            add_earlier_members(path.dir(), out);
        }
    }
}

/// Documents a runbook site's index cannot claim: postmortem records, issue templates,
/// and project documents (changelog, contributing guide, ADRs…).
fn eligible_member(path: &RepoPath) -> bool {
    !classify::in_postmortem_dir(path)
        && !classify::is_issue_template(path)
        && project_docs::doc_kind(path, None).is_none()
}

/// Whether a folder above `path` has an index page, already read, that is titled as a
/// runbook collection. Files are visited in path order, so an index read later catches
/// up with [`add_earlier_members`].
fn in_collection(path: &RepoPath, out: &Collector) -> bool {
    let mut dir = path.dir();
    loop {
        for name in INDEX_NAMES {
            let candidate = if dir.is_empty() {
                (*name).to_string()
            } else {
                format!("{dir}/{name}")
            };
            if candidate == path.as_str() {
                continue;
            }
            if let Some(md) = out.outlines.get(&candidate) {
                let title = doc_title(md);
                if classify::is_runbook_collection_index(
                    &RepoPath::new(&candidate),
                    title.as_deref(),
                ) {
                    return true;
                }
            }
        }
        if dir.is_empty() {
            return false;
        }
        dir = dir.rfind('/').map_or("", |i| &dir[..i]);
    }
}

/// When a runbook collection's index is read, the documents below it that were read
/// before it (and belong to no family) become runbooks too.
fn add_earlier_members(dir: &str, out: &mut Collector) {
    let claimed: BTreeSet<&str> = out
        .evidence
        .runbooks
        .iter()
        .map(|r| r.path.as_str())
        .chain(out.evidence.incident_docs.iter().map(|d| d.path.as_str()))
        .chain(out.evidence.postmortems.iter().map(|d| d.path.as_str()))
        .collect();
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let added: Vec<_> = out
        .outlines
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .filter(|(p, _)| !claimed.contains(p.as_str()))
        .filter(|(p, _)| {
            let rp = RepoPath::new(p);
            rp.is_doc() && eligible_member(&rp)
        })
        .map(|(p, md)| runbook(p, md, None, FOLDER_INDEX))
        .collect();
    out.evidence.runbooks.extend(added);
}

#[cfg(test)]
mod tests {
    use crate::evidence::Runbook;

    fn run(files: &[(&str, &str)]) -> Vec<Runbook> {
        crate::evidence::testing::detect_files_with(files, super::super::DETECTORS)
            .evidence
            .runbooks
    }

    fn found(runbooks: &[Runbook]) -> Vec<(&str, &str)> {
        runbooks
            .iter()
            .map(|r| (r.path.as_str(), r.found_by.as_str()))
            .collect()
    }

    #[test]
    fn by_path_and_by_headings() {
        let rbs = run(&[
            (
                "docs/runbooks/README.md",
                "# Runbooks\n\n- [Disk](disk.md)\n",
            ),
            (
                "docs/runbooks/disk.md",
                "# Disk full\n## Impact\n## Diagnosis\n## Mitigation\n## Escalation\n",
            ),
            ("ops/latency.md", "# Latency\n## Symptoms\n## Remediation\n"),
            ("docs/guide.md", "# Guide\n## Install\n## Usage\n"),
        ]);
        assert_eq!(
            found(&rbs),
            [
                ("docs/runbooks/README.md", "path"),
                ("docs/runbooks/disk.md", "path"),
                ("ops/latency.md", "headings"),
            ]
        );
        assert!(!rbs[0].structured);
        assert!(rbs[1].structured);
        assert_eq!(rbs[1].title.as_deref(), Some("Disk full"));
        assert_eq!(rbs[1].source.line, Some(1));
        assert!(!rbs[2].structured);
    }

    #[test]
    fn rst_and_asciidoc_runbooks_but_not_pgp_signatures() {
        let rbs = run(&[
            (
                "runbooks/disk.rst",
                "Disk full\n=========\n\nImpact\n------\n\nDiagnosis\n---------\n\nMitigation\n----------\n",
            ),
            ("runbooks/restart.asc", "= Restart\n\n== Steps\n"),
            (
                "runbooks/release-key.asc",
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----\n",
            ),
            (
                "ops/latency.adoc",
                "= Latency\n\n== Symptoms\n\n== Remediation\n",
            ),
        ]);
        assert_eq!(
            found(&rbs),
            [
                ("ops/latency.adoc", "headings"),
                ("runbooks/disk.rst", "path"),
                ("runbooks/restart.asc", "path"),
            ]
        );
        assert!(rbs[1].structured);
        assert_eq!(rbs[2].title.as_deref(), Some("Restart"));
    }

    #[test]
    fn incident_process_and_postmortems_are_not_runbooks() {
        let rbs = run(&[
            (
                "runbooks/manage-an-incident.md",
                "# Incident process\n## Assign roles\n## Escalation\n",
            ),
            (
                "runbooks/postmortem-template.md",
                "# Postmortem\n## Impact\n## Resolution\n## Timeline\n",
            ),
            ("runbooks/restart.md", "# Restart\n## Steps\n"),
        ]);
        assert_eq!(found(&rbs), [("runbooks/restart.md", "path")]);
    }

    #[test]
    fn a_site_index_titled_runbooks_claims_its_pages_in_any_order() {
        let rbs = run(&[
            (
                "source/access-cluster.html.md.erb",
                "---\ntitle: Access the cluster\n---\n# <%= current_page.data.title %>\n## Pre-requisites\n",
            ),
            (
                "source/index.html.md.erb",
                "---\ntitle: Cloud Platform Runbooks\n---\n# Cloud Platform Runbooks\n",
            ),
            (
                "source/upgrade.html.md.erb",
                "# Upgrade the cluster\n## Planning\n",
            ),
            ("source/sub/index.html.md.erb", "# Sub section\n"),
            (
                "source/incidents/2020-02-12.html.md.erb",
                "# Incident on 2020-02-12\n",
            ),
            ("source/incidents/index.html.md.erb", "# Incident log\n"),
            ("source/on-call.html.md.erb", "# Going on call\n"),
            ("docs/other.md", "# Other\n## Install\n"),
        ]);
        assert_eq!(
            found(&rbs),
            [
                ("source/access-cluster.html.md.erb", "folder-index"),
                ("source/index.html.md.erb", "folder-index"),
                ("source/sub/index.html.md.erb", "folder-index"),
                ("source/upgrade.html.md.erb", "folder-index"),
            ]
        );
        assert_eq!(rbs[0].title.as_deref(), Some("Access the cluster"));
        assert_eq!(rbs[0].headings, ["Access the cluster", "Pre-requisites"]);
    }
}
