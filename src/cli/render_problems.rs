//! Policy and configuration problems as miette diagnostics with source snippets.

use std::fmt;
use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::policy::Problem;

#[derive(Debug)]
struct ProblemDiag {
    message: String,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
}

impl fmt::Display for ProblemDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProblemDiag {}

impl Diagnostic for ProblemDiag {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

pub fn render(problems: &[Problem], color: bool) -> String {
    render_in(problems, color, None)
}

/// `root` prefixes file names in headings (config files live in the repository).
pub fn render_in(problems: &[Problem], color: bool, root: Option<&Path>) -> String {
    let handler = GraphicalReportHandler::new_themed(if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    })
    .with_width(100)
    .with_links(false);
    let mut out = String::new();
    for p in problems {
        let name = match root {
            Some(root) => root.join(&p.file).display().to_string(),
            None => p.file.clone(),
        };
        let place = match p.pos {
            Some(pos) => format!("{name}:{}:{}", pos.line, pos.column),
            None => name.clone(),
        };
        let (source, label) = match (&p.text, p.pos) {
            (Some(text), Some(pos)) => {
                let offset = offset(text, pos.line, pos.column);
                (
                    Some(NamedSource::new(&name, text.to_string())),
                    Some(LabeledSpan::new(Some("here".to_string()), offset, 1)),
                )
            }
            _ => (None, None),
        };
        let diag = ProblemDiag {
            message: format!("{place}: {}", p.message),
            source,
            label,
        };
        let _ = handler.render_report(&mut out, &diag);
    }
    out
}

fn offset(text: &str, line: u32, column: u32) -> usize {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line as usize - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let rest = &text[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    start
        + rest[..end]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(0, |(i, _)| i)
}
