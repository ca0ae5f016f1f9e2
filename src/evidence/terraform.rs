//! A Terraform file as the detectors of Terraform resources read it (monitors, alarms and
//! alert policies; SLOs; resources, budgets and on-call): its path and text, its HCL body
//! and the line index that turns spans into positions. The values of its blocks are read
//! with [`crate::parse::hcl::value`].

use crate::diagnostic::Position;
use crate::evidence::FileContext;
use crate::parse::hcl::{Body, LineIndex};

/// A parsed Terraform file (see [`FileContext::terraform`]).
pub struct TerraformFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub body: &'a Body,
    pub lines: &'a LineIndex,
}

impl TerraformFile<'_> {
    /// Where a block, attribute or expression starts.
    pub fn pos(&self, item: &impl hcl_edit::Span) -> Option<Position> {
        self.lines.position_of(item)
    }

    /// The module (folder) the file belongs to: references resolve within it.
    pub fn module(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

impl FileContext<'_> {
    /// The file read as Terraform, when its text passes `looks_like`: the cheap test of the
    /// text (`text.contains("\"aws_cloudwatch_metric_alarm\"")`) that keeps files holding
    /// nothing for the detector from being parsed. `None` when the text fails it, or is not
    /// valid HCL (a diagnostic then says so).
    pub fn terraform(&self, looks_like: impl FnOnce(&str) -> bool) -> Option<TerraformFile<'_>> {
        let text = self.text()?;
        if !looks_like(text) {
            return None;
        }
        let (body, lines) = self.hcl()?;
        Some(TerraformFile {
            path: self.path.as_str(),
            text,
            body,
            lines,
        })
    }
}
