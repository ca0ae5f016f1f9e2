//! Positions in files and the diagnostics a scan produces about files it could not use.
//!
//! Findings (a criterion that fails on a piece of evidence) are verdict data; diagnostics
//! are about the input itself: a file that could not be read or parsed, a symlink that
//! leads out of the repository, a file too large to open. A diagnostic never stops a scan.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod codes;

/// A 1-based line and column in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The file looked like evidence but could not be used: a finding may be missing.
    Error,
    /// Something was skipped on purpose (too large, outside the root) or read only in part.
    Warning,
    /// Worth knowing, changes nothing (e.g. a templated file read tolerantly).
    Note,
}

impl Severity {
    /// The name used in reports: `error`, `warning` or `note`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A problem with an input file, reported next to the verdicts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `invalid-yaml`, `file-too-large`.
    pub code: String,
    pub message: String,
    /// Repository-relative path with `/` separators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: message.into(),
            path: None,
            line: None,
            column: None,
        }
    }

    pub fn at(mut self, path: &str, pos: Option<Position>) -> Self {
        self.path = Some(path.to_string());
        if let Some(pos) = pos {
            self.line = Some(pos.line);
            self.column = (pos.column > 0).then_some(pos.column);
        }
        self
    }
}
