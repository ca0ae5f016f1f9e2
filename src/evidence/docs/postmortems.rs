//! `postmortems`: postmortem templates and written postmortems.
//!
//! ## What it recognises
//! Markdown, reStructuredText and AsciiDoc documents that [`super::classify`] puts in the
//! postmortem family:
//! - **by path**: documents in `postmortems/`, `post-mortems/`, `incident-reports/`,
//!   `incidents/` (except the folder's index page); names containing "postmortem",
//!   "post-mortem", "incident-report", "incident-review"; titles such as "Incident
//!   Report: …" (blog posts); a dated incident (`incident-2023-01-05.md`);
//! - **by headings**: three of summary, impact, timeline, root cause / contributing
//!   factors, action items / follow-ups, lessons learned / what went well, one of them
//!   other than summary and impact. Bold labels (`- **Impact**:`) count as headings.
//!
//! `template` is set by "template" in the name or folder, or placeholders in the text
//! (`{{ incident name }}`, `<insert …>`, `[date]`, `xx:xx`, `TODO`, instruction comments).
//! `blameless` by the prose ("blameless", "blame-free", "not about who");
//! `action_items_tracked` when the action-items section has checkboxes, issue or ticket
//! references, or an owner/status/due column.
//!
//! ## Why it matters
//! Postmortems are how a team learns from incidents; a template makes writing one cheap,
//! and tracked action items make the learning stick.

use crate::evidence::docs::classify::{self, Family, Outline};
use crate::evidence::docs::doc_title;
use crate::evidence::{Collector, Detector, FileContext, Postmortem, RepoPath, Source};

pub struct Postmortems;

impl Detector for Postmortems {
    fn id(&self) -> &'static str {
        "postmortems"
    }

    fn summary(&self) -> &'static str {
        "Postmortem templates and written postmortems in Markdown, reStructuredText or AsciiDoc: postmortems/, incidents/, incident-reports/, *postmortem*, \"Incident report\" posts, or postmortem headings (impact, timeline, root cause, action items)"
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
        if classify::classify(&path, md, &outline, title.as_deref()) != Some(Family::Postmortem) {
            return;
        }
        out.evidence.postmortems.push(Postmortem {
            path: path.as_str().to_string(),
            title,
            template: classify::is_template(&path, md, raw),
            sections: classify::postmortem_sections(&outline),
            blameless: classify::is_blameless(md, raw),
            action_items_tracked: classify::action_items_tracked(md, raw),
            source: Source::file(path.as_str()),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::evidence::Postmortem;

    fn run(files: &[(&str, &str)]) -> Vec<Postmortem> {
        crate::evidence::testing::detect_files_with(files, &[&super::Postmortems])
            .evidence
            .postmortems
    }

    #[test]
    fn templates_and_written_postmortems() {
        let pms = run(&[
            (
                "docs/incident-reports/2018-02-22-nginx-down.md",
                "# 2018-02-22 NGINX crash\n\n## Summary\n\nNGINX crashed for 5 minutes.\n\n\
                 ## Timeline\n\n### 16:30\n\nAlert fired.\n\n## Lessons learnt\n\n\
                 ## Action items\n\n- [ ] Add a readiness probe (#512)\n",
            ),
            (
                "docs/incident-reports/template-incident-report.md",
                "# {{ incident date: yyyy-mm-dd }}, {{ incident name }}\n\n## Summary\n\n\
                 ## Timeline\n\n## Action items\n\nThis is a blameless process.\n",
            ),
            (
                "docs/incident-reports/index.md",
                "# Incident reporting\n\nHow we report.\n",
            ),
            ("docs/guide.md", "# Guide\n## Impact\n"),
        ]);
        let got: Vec<(&str, bool)> = pms.iter().map(|p| (p.path.as_str(), p.template)).collect();
        assert_eq!(
            got,
            [
                ("docs/incident-reports/2018-02-22-nginx-down.md", false),
                ("docs/incident-reports/template-incident-report.md", true),
            ]
        );
        let written = &pms[0];
        assert_eq!(written.title.as_deref(), Some("2018-02-22 NGINX crash"));
        assert!(written.sections.summary && written.sections.timeline);
        assert!(written.sections.lessons && written.sections.action_items);
        assert!(!written.sections.root_cause && !written.sections.impact);
        assert!(written.action_items_tracked);
        assert!(!written.blameless);
        assert!(pms[1].blameless);
        assert!(!pms[1].action_items_tracked);
    }
}
