//! `opready baseline write`: save today's report as the baseline `check --baseline`
//! ratchets from; and the `--baseline` step of `opready check`.

use std::path::{Path, PathBuf};

use crate::baseline::{self, Baseline};
use crate::check::{self, CheckError, CheckOptions};
use crate::cli::check::parse_require;
use crate::cli::{EXIT_ERROR, EXIT_MET, load_pack, render_problems, stderr_color, write_output};
use crate::report::Report;

#[derive(Debug, clap::Subcommand)]
pub enum BaselineCommand {
    /// Save the repository's current report as its baseline. `opready check --baseline
    /// FILE` then fails only on what got worse since.
    Write(WriteArgs),
}

#[derive(Debug, clap::Args)]
pub struct WriteArgs {
    /// The repository to rate.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write the baseline (`-` for standard output). Default:
    /// `.opready-baseline.json` in the repository.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Policy pack (a pack.yaml or a folder holding one). Default: the built-in pack.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Require ACTIVITY to reach LEVEL (repeatable); recorded in the baseline's targets.
    #[arg(long, value_name = "ACTIVITY=LEVEL", value_parser = parse_require)]
    pub require: Vec<(String, u8)>,
    /// Service tier, overriding `.opready.yaml` and `catalog-info.yaml`.
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// Skip evidence files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::scan::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

pub(crate) fn run(command: &BaselineCommand) -> u8 {
    match command {
        BaselineCommand::Write(args) => write(args),
    }
}

fn write(args: &WriteArgs) -> u8 {
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let today = match super::today_from_env() {
        Ok(today) => today,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let options = CheckOptions {
        today,
        tier: args.tier.clone(),
        require: args.require.clone(),
        max_file_size: args.max_file_size,
        // The file is committed: keep it the same wherever it is written from.
        display_path: Some(".".to_string()),
    };
    let checked = match check::check(&args.path, &pack, &options) {
        Ok(checked) => checked,
        Err(CheckError::Config(problems)) => {
            eprint!(
                "{}",
                render_problems::render_in(&problems, stderr_color(), Some(&args.path))
            );
            eprintln!("error: the repository's configuration is invalid");
            return EXIT_ERROR;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let text = crate::report::json::render(&checked.report);
    let target = match &args.output {
        Some(path) if path.as_os_str() == "-" => None,
        Some(path) => Some(path.clone()),
        None => Some(args.path.join(baseline::DEFAULT_FILE)),
    };
    if let Err(err) = write_output(target.as_deref(), &text) {
        eprintln!("error: {err}");
        return EXIT_ERROR;
    }
    if let Some(target) = target {
        eprintln!("wrote {}: {}", target.display(), describe(&checked.report));
    }
    EXIT_MET
}

/// "9 activities, 4 failing criteria with 11 findings".
fn describe(report: &Report) -> String {
    let failing: Vec<_> = report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .filter(|c| c.status == crate::eval::Status::Fail)
        .collect();
    let findings: usize = failing.iter().map(|c| c.findings.len()).sum();
    format!(
        "{} activities, {} failing criteria with {} findings accepted as the baseline",
        report.activities.len(),
        failing.len(),
        findings
    )
}

/// Reads `--baseline FILE`, or says why not (a usage error).
pub(crate) fn load(path: &Path) -> Result<Baseline, u8> {
    Baseline::read(path).map_err(|message| {
        eprintln!("error: {message}");
        EXIT_ERROR
    })
}

/// Compares the report with the baseline and records the result in the report.
pub(crate) fn apply(report: &mut Report, baseline: &Baseline, path: &Path) {
    report.baseline = Some(baseline::compare(
        baseline,
        &path.display().to_string(),
        report,
    ));
}
