//! `opready report --from report.json --format F`: render a saved JSON report (from
//! `opready check --format json`) in another format, so CI can rate a repository once and
//! publish the result several ways (job log, step summary, annotations, SARIF).
//!
//! It renders; it does not gate: the exit code is 0 whenever the report could be read and
//! written, whatever the report says. Gate on the exit code of `opready check`, or on
//! `summary.met` in the JSON.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use crate::cli::check::{RenderOptions, render_report};
use crate::cli::{ColorChoice, EXIT_ERROR, EXIT_MET, Format, write_output};
use crate::report::{Report, SCHEMA_VERSION};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A report written by `opready check --format json` (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show every failing criterion, not only those blocking the next level.
    #[arg(long)]
    pub all: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

pub(crate) fn run_report(args: &ReportArgs) -> u8 {
    let report = match read_report(&args.from) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = args.color.enabled(to_terminal);
    let text = render(&report, args.format, color, args.all);
    match write_output(args.output.as_deref(), &text) {
        Ok(()) => EXIT_MET,
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

/// Reads and checks a saved report.
pub(crate) fn read_report(from: &Path) -> Result<Report, String> {
    let name = from.display();
    let text = if from.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(from).map_err(|e| format!("cannot read {name}: {e}"))?
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!("{name} is not JSON ({e}); write it with `opready check --format json`")
    })?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(SCHEMA_VERSION)) {
        return Err(format!(
            "{name} is not an opready report of schema version {SCHEMA_VERSION} (found {}); write it with `opready check --format json` of this version",
            version.map_or_else(|| "none".to_string(), |v| v.to_string())
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("{name} is not a valid opready report: {e}"))
}

/// Renders a report in `format`. Source snippets and SARIF anchors are read from the
/// repository path recorded in the report, relative to the working directory.
pub(crate) fn render(report: &Report, format: Format, color: bool, all: bool) -> String {
    let root = Path::new(&report.repository.path);
    let options = RenderOptions {
        color,
        width: 100,
        all,
    };
    render_report(report, format, root, &options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, check};
    use crate::report;

    fn saved_report() -> (tempfile::TempDir, Report, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let pack = crate::policy::load::builtin().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/service-bare");
        let options = CheckOptions {
            today: crate::config::parse_date("2026-01-10").unwrap(),
            require: vec![("slo".to_string(), 2)],
            ..CheckOptions::default()
        };
        let report = check(&fixture, &pack, &options).unwrap().report;
        let path = dir.path().join("report.json");
        std::fs::write(&path, report::json::render(&report)).unwrap();
        (dir, report, path)
    }

    #[test]
    fn a_saved_report_reads_back_and_renders_alike() {
        let (_dir, report, path) = saved_report();
        let read = read_report(&path).unwrap();
        assert_eq!(read, report);
        assert_eq!(
            render(&read, Format::Json, false, false),
            report::json::render(&report)
        );
        let human = render(&read, Format::Human, false, false);
        assert!(human.contains("slo-defined"), "{human}");
    }

    #[test]
    fn what_is_not_a_report_is_refused_with_the_reason() {
        let (dir, _report, _path) = saved_report();
        let other = dir.path().join("other.json");
        std::fs::write(&other, "{\"schema_version\": 99}").unwrap();
        let err = read_report(&other).unwrap_err();
        assert!(err.contains("schema version 1 (found 99)"), "{err}");
        std::fs::write(&other, "not json").unwrap();
        assert!(read_report(&other).unwrap_err().contains("is not JSON"));
        std::fs::write(&other, "{\"schema_version\": 1}").unwrap();
        assert!(
            read_report(&other)
                .unwrap_err()
                .contains("not a valid opready report")
        );
        assert!(
            read_report(&dir.path().join("missing.json"))
                .unwrap_err()
                .contains("cannot read")
        );
    }
}
