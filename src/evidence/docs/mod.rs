use crate::evidence::{Detector, Runbook, RunbookSections, Source};
use crate::parse::markdown::Markdown;

pub static DETECTORS: &[&dyn Detector] = &[];

pub fn runbook_from_markdown(path: &str, md: &Markdown, found_by: &str) -> Runbook {
    Runbook {
        path: path.to_string(),
        title: md.title(),
        headings: md.headings.iter().map(|h| h.text.clone()).collect(),
        sections: RunbookSections::default(),
        structured: false,
        found_by: found_by.to_string(),
        source: Source::file(path),
    }
}
