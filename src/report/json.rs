//! `--format json`: the report as pretty-printed JSON, documented by `opready schema report`.

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
