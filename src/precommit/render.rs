//! Renderings of a [`FilesReport`]: compact human lines (`path:line: [id] message`, the fix
//! of each failed criterion once), JSON, and GitHub workflow commands (annotations).

use std::fmt::Write as _;

use owo_colors::OwoColorize;

use crate::diagnostic::Severity;
use crate::precommit::{FileProblem, FilesReport};

/// Width the fix texts are wrapped to.
const WIDTH: usize = 100;

/// One line per problem, then how to fix each failed criterion, then one summary line.
pub fn human(report: &FilesReport, color: bool) -> String {
    let mut out = String::new();
    for p in &report.problems {
        let location = location(p);
        let id = format!("[{}]", p.id);
        let (location, id) = if color {
            let id = match p.severity {
                Severity::Error => id.red().bold().to_string(),
                _ => id.yellow().bold().to_string(),
            };
            (location.bold().to_string(), id)
        } else {
            (location, id)
        };
        let warning = if p.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        let _ = writeln!(out, "{location}{id} {warning}{}", p.message);
    }
    if !report.fixes.is_empty() {
        out.push('\n');
        for fix in &report.fixes {
            let head = format!("[{}] {}", fix.criterion, fix.title);
            let head = if color { head.bold().to_string() } else { head };
            let _ = writeln!(out, "{head}");
            for line in wrap(&fix.fix, WIDTH - 2) {
                let _ = writeln!(out, "  {line}");
            }
        }
        let _ = writeln!(out, "  (more: opready explain <criterion>)");
    }
    let summary = summary_line(report);
    let summary = match (color, report.summary.passed) {
        (false, _) => summary,
        (true, true) => summary.green().to_string(),
        (true, false) => summary.red().bold().to_string(),
    };
    if !report.problems.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{summary}");
    out
}

fn location(p: &FileProblem) -> String {
    match (&p.path, p.line) {
        (Some(path), Some(line)) => format!("{path}:{line}: "),
        (Some(path), None) => format!("{path}: "),
        (None, _) => String::new(),
    }
}

fn summary_line(report: &FilesReport) -> String {
    let s = &report.summary;
    let checked = report.files.checked.len();
    let files = if report.files.given == checked {
        plural(checked, "evidence file")
    } else {
        format!(
            "{} of {} given",
            plural(checked, "evidence file"),
            report.files.given
        )
    };
    let mut text = if s.errors == 0 && s.warnings == 0 {
        format!("opready: {files} checked, no problems")
    } else {
        let mut counts = Vec::new();
        if s.errors > 0 {
            counts.push(plural(s.errors, "error"));
        }
        if s.warnings > 0 {
            counts.push(plural(s.warnings, "warning"));
        }
        format!("opready: {} in {files}", counts.join(", "))
    };
    if s.waived > 0 {
        let _ = write!(text, " ({} waived in .opready.yaml)", s.waived);
    }
    text
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The report as pretty JSON (see the module documentation of [`crate::precommit`]).
pub fn json(report: &FilesReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// GitHub Actions workflow commands: one `::error`/`::warning` annotation per problem
/// (with the criterion's fix), then the summary line.
pub fn github(report: &FilesReport) -> String {
    let fixes = super::fixes_by_criterion(report);
    let mut out = String::new();
    for p in &report.problems {
        let level = match p.severity {
            Severity::Error => "error",
            _ => "warning",
        };
        let mut properties = Vec::new();
        if let Some(path) = &p.path {
            properties.push(format!("file={}", escape_property(path)));
        }
        if let Some(line) = p.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = p.column {
            properties.push(format!("col={column}"));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("opready {}", p.id))
        ));
        let mut message = p.message.clone();
        if let Some(fix) = fixes.get(p.id.as_str()) {
            let _ = write!(message, "\n\nfix: {}", fix.fix);
        }
        let _ = writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precommit::{FilesChecked, FilesSummary, Fix, ProblemKind};
    use crate::report::ToolInfo;

    fn report() -> FilesReport {
        FilesReport {
            schema_version: 1,
            tool: ToolInfo {
                name: "opready".into(),
                version: "0".into(),
            },
            root: ".".into(),
            files: FilesChecked {
                given: 3,
                checked: vec!["a.yaml".into(), "b.json".into()],
            },
            problems: vec![
                FileProblem {
                    path: Some("a.yaml".into()),
                    line: Some(7),
                    column: Some(5),
                    id: "alerts-have-severity".into(),
                    kind: ProblemKind::Criterion,
                    severity: Severity::Error,
                    message: "alert `Down`: `severity` is missing".into(),
                    fingerprint: Some("f".into()),
                },
                FileProblem {
                    path: Some("b.json".into()),
                    line: None,
                    column: None,
                    id: "file-too-large".into(),
                    kind: ProblemKind::Diagnostic,
                    severity: Severity::Warning,
                    message: "skipped: 3 MiB, 50%".into(),
                    fingerprint: None,
                },
            ],
            fixes: vec![Fix {
                criterion: "alerts-have-severity".into(),
                title: "Every alert has a severity".into(),
                fix: "Add `labels.severity` to every alerting rule.".into(),
            }],
            summary: FilesSummary {
                errors: 1,
                warnings: 1,
                waived: 0,
                passed: false,
            },
        }
    }

    #[test]
    fn human_lines_are_path_line_id_message_with_each_fix_once() {
        let text = human(&report(), false);
        assert_eq!(
            text,
            "a.yaml:7: [alerts-have-severity] alert `Down`: `severity` is missing\n\
             b.json: [file-too-large] warning: skipped: 3 MiB, 50%\n\
             \n\
             [alerts-have-severity] Every alert has a severity\n  \
             Add `labels.severity` to every alerting rule.\n  \
             (more: opready explain <criterion>)\n\
             \n\
             opready: 1 error, 1 warning in 2 evidence files of 3 given\n"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(human(&report(), true).contains('\u{1b}'));
    }

    #[test]
    fn a_clean_report_is_one_line() {
        let mut r = report();
        r.problems.clear();
        r.fixes.clear();
        r.files.given = 2;
        r.summary = FilesSummary {
            errors: 0,
            warnings: 0,
            waived: 2,
            passed: true,
        };
        assert_eq!(
            human(&r, false),
            "opready: 2 evidence files checked, no problems (2 waived in .opready.yaml)\n"
        );
    }

    #[test]
    fn github_annotations_escape_their_properties_and_data() {
        let text = github(&report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=a.yaml,line=7,col=5,title=opready alerts-have-severity::alert `Down`: `severity` is missing%0A%0Afix: Add `labels.severity` to every alerting rule."
        );
        assert_eq!(
            lines[1],
            "::warning file=b.json,title=opready file-too-large::skipped: 3 MiB, 50%25"
        );
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn json_has_the_documented_shape() {
        let value: serde_json::Value = serde_json::from_str(&json(&report())).unwrap();
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["files"]["checked"][1], "b.json");
        let p = &value["problems"][0];
        assert_eq!(p["path"], "a.yaml");
        assert_eq!(p["line"], 7);
        assert_eq!(p["kind"], "criterion");
        assert_eq!(p["severity"], "error");
        assert_eq!(p["id"], "alerts-have-severity");
        assert!(value["problems"][1].get("line").is_none());
        assert_eq!(value["summary"]["passed"], false);
        assert_eq!(value["fixes"][0]["criterion"], "alerts-have-severity");
    }

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
        assert_eq!(wrap("verylongword x", 4), ["verylongword", "x"]);
    }
}
