//! `--format json`: the org report as pretty-printed JSON (`opready schema org`). The one
//! format `org merge` reads back.

use crate::org::OrgReport;

pub fn render(report: &OrgReport) -> String {
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
