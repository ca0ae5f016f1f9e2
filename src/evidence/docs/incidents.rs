//! `incident-docs`: documents describing the incident response process and being on call.
//!
//! ## What it recognises
//! Markdown, reStructuredText and AsciiDoc documents that [`super::classify`] puts in the
//! incident-process family:
//! - **by path**: folders `incident-response/`, `incident-management/`, `oncall/`,
//!   `on-call/`; names about on call, escalation, severity levels, or incidents in general
//!   (`incident-process`, `manage-an-incident`, `security_incident_response`), but not
//!   incident records (`incidents/2020-02-12.md`, `incident-report-*`), which are
//!   postmortems;
//! - **by headings**: headings that speak of incidents ("During an incident") and of a
//!   process topic (roles, severities, escalation, communication, postmortem, on call), or
//!   of two topics one of which is roles, severities or on call;
//! - guidance about the postmortem process itself (`effective_post_mortems.md`: named
//!   after postmortems, but with no postmortem sections, no placeholders and no date).
//!
//! A document that merely mentions an incident in its prose is not one. `covers` reads the
//! headings and the prose: roles (incident commander, scribe, communications lead,
//! deputy), severities (SEV-1, P1, severity levels), escalation, communication (status
//! page, stakeholders), postmortem (post-incident review, retrospective), on call (pager,
//! rota).
//!
//! ## Why it matters
//! A written incident process tells responders who leads, how severe is severe, whom to
//! tell and when to escalate, before the incident rather than during it.

use crate::evidence::docs::classify::{self, Family, Outline};
use crate::evidence::docs::doc_title;
use crate::evidence::{Collector, Detector, FileContext, IncidentDoc, RepoPath, Source};

pub struct IncidentDocs;

impl Detector for IncidentDocs {
    fn id(&self) -> &'static str {
        "incident-docs"
    }

    fn summary(&self) -> &'static str {
        "Markdown, reStructuredText or AsciiDoc about the incident response process and on call: incident-response/, on-call/, manage-an-incident, severity levels, or headings about incident roles, severities and escalation"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_doc()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(md) = file.markdown() else {
            return;
        };
        let path = file.path;
        let title = doc_title(md);
        let outline = Outline::new(md, file.text());
        if classify::classify(&path, md, &outline, title.as_deref()) != Some(Family::IncidentDoc) {
            return;
        }
        out.evidence.incident_docs.push(IncidentDoc {
            path: path.as_str().to_string(),
            title,
            covers: classify::incident_coverage(&outline, md),
            source: Source::file(path.as_str()),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::evidence::IncidentDoc;

    fn run(files: &[(&str, &str)]) -> Vec<IncidentDoc> {
        crate::evidence::testing::detect_files_with(files, &[&super::IncidentDocs])
            .evidence
            .incident_docs
    }

    #[test]
    fn process_documents_with_what_they_cover() {
        let docs = run(&[
            (
                "docs/incident-process.md",
                "# Incident Process\n\n## Assign roles\n\nThe incident commander and the scribe. \
                 Declare a SEV-1 when customers are affected. Update the status page. \
                 Hold a blameless postmortem afterwards.\n",
            ),
            (
                "docs/oncall/being_oncall.md",
                "## What is On-Call?\n\nYou carry the pager. Escalate when stuck.\n",
            ),
            (
                "docs/deploy.md",
                "# Deploy\n\nIf there is an incident, roll back.\n\n## Steps\n",
            ),
        ]);
        let paths: Vec<&str> = docs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            ["docs/incident-process.md", "docs/oncall/being_oncall.md"]
        );
        let c = &docs[0].covers;
        assert!(c.roles && c.severities && c.communication && c.postmortem);
        assert!(!c.escalation && !c.oncall);
        assert_eq!(docs[0].title.as_deref(), Some("Incident Process"));
        let c = &docs[1].covers;
        assert!(c.oncall && c.escalation && !c.roles);
        assert_eq!(docs[1].title, None);
    }
}
