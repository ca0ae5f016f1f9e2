//! `opready org`: scan an organisation's repositories, merge shard results, list a
//! shard's repositories.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};

use crate::check::CheckOptions;
use crate::cli::check::parse_require;
use crate::cli::{EXIT_ERROR, EXIT_GATE_FAILED, EXIT_MET, load_pack, write_output};
use crate::org::changes::HistoryContext;
use crate::org::{self, OrgReport, RepositoryEntry, Shard, discover, merge, render, scan};

#[derive(Debug, clap::Args)]
pub struct OrgArgs {
    #[command(subcommand)]
    pub command: OrgCommand,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Rate every repository in a folder of checkouts (or listed in a file), in parallel.
    /// Exit 0 when every repository meets its targets, 1 when one does not or could not be
    /// rated, 2 for usage errors.
    Scan(ScanArgs),
    /// Combine the JSON results of every shard of a `--shard I/N` split into the report an
    /// unsharded scan gives (or re-render one saved report).
    Merge(MergeArgs),
    /// Print the repositories a scan would rate (of one shard, with --shard), one per line:
    /// e.g. to clone only a shard's share.
    List(ListArgs),
}

/// Where the repositories are.
#[derive(Debug, clap::Args)]
pub struct Source {
    /// A folder of checkouts: every directory holding `.git`, down to 3 levels (or every
    /// subdirectory when none does).
    #[arg(required_unless_present = "repos", conflicts_with = "repos")]
    pub dir: Option<PathBuf>,
    /// A file listing repository paths, one per line (`#` comments; relative paths are
    /// resolved against the file's folder).
    #[arg(long, value_name = "FILE")]
    pub repos: Option<PathBuf>,
    /// Only the I-th of N shards (1-based): the repositories whose path hashes to I.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: Source,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "markdown")]
    pub format: OrgFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Policy pack (a pack.yaml or a folder holding one). Default: the built-in pack.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Require ACTIVITY to reach LEVEL in every repository (repeatable).
    #[arg(long, value_name = "ACTIVITY=LEVEL", value_parser = parse_require)]
    pub require: Vec<(String, u8)>,
    /// Rate every repository as this tier, overriding its own.
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// No progress bar (there is none anyway when standard error is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Skip evidence files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::scan::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard results (`org scan --shard I/N --format json`), every shard once.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "json")]
    pub format: OrgFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrgFormat {
    /// The org report (`opready schema org`); what `org merge` reads.
    Json,
    /// One row per repository and activity.
    Csv,
    /// Summary tables for the meeting.
    Markdown,
    /// OpenMetrics text (Prometheus), for a Pushgateway or textfile collector.
    Openmetrics,
    /// The dashboard: one self-contained HTML page (heat map, teams, blockers).
    Html,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse()
}

pub(crate) fn run(args: &OrgArgs) -> u8 {
    match &args.command {
        OrgCommand::Scan(args) => run_scan(args),
        OrgCommand::Merge(args) => run_merge(args),
        OrgCommand::List(args) => run_list(args),
    }
}

fn repositories(source: &Source) -> Result<Vec<RepositoryEntry>, String> {
    let (entries, from) = match (&source.dir, &source.repos) {
        (_, Some(file)) => (discover::in_list_file(file)?, file),
        (Some(dir), None) => (discover::in_folder(dir)?, dir),
        (None, None) => return Err("give a folder of checkouts or --repos FILE".to_string()),
    };
    if entries.is_empty() {
        return Err(format!("no repositories found in {}", from.display()));
    }
    Ok(entries)
}

fn run_list(args: &ListArgs) -> u8 {
    let entries = match repositories(&args.source) {
        Ok(entries) => entries,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let text: String = entries
        .iter()
        .filter(|e| args.source.shard.is_none_or(|s| s.contains(&e.path)))
        .map(|e| format!("{}\n", e.path))
        .collect();
    match write_output(None, &text) {
        Ok(()) => EXIT_MET,
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

fn run_scan(args: &ScanArgs) -> u8 {
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let today = match today() {
        Ok(today) => today,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let entries = match repositories(&args.source) {
        Ok(entries) => entries,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let options = scan::ScanOptions {
        check: CheckOptions {
            tier: args.tier.clone(),
            require: args.require.clone(),
            max_file_size: args.max_file_size,
            today,
            display_path: None,
        },
        threads: args.jobs.map(usize::from),
        shard: args.source.shard,
    };
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} rating repositories [{bar:30}] {pos}/{len} {elapsed} {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    };
    let report = scan::scan(&entries, &pack, &options, &|event| match event {
        scan::Progress::Started { total } => bar.set_length(total as u64),
        scan::Progress::Rated { path } => {
            bar.set_message(path.to_string());
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    let report = match report {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    finish(&report, None, args.format, args.output.as_deref())
}

fn run_merge(args: &MergeArgs) -> u8 {
    let mut parts = Vec::new();
    for file in &args.files {
        let name = file.display().to_string();
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {name}: {e}"))
            .and_then(|text| merge::parse(&name, &text));
        match parsed {
            Ok(report) => parts.push((name, report)),
            Err(err) => {
                eprintln!("error: {err}");
                return EXIT_ERROR;
            }
        }
    }
    match merge::merge(parts) {
        Ok(report) => finish(&report, None, args.format, args.output.as_deref()),
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

/// Renders `report` (with what the history adds, when a history was given) and exits as
/// the scan gate says.
fn finish(
    report: &OrgReport,
    history: Option<&HistoryContext>,
    format: OrgFormat,
    output: Option<&std::path::Path>,
) -> u8 {
    let text = match format {
        OrgFormat::Json => render::json::render(report),
        OrgFormat::Csv => render::csv::render(report),
        OrgFormat::Markdown => render::markdown::render(report),
        OrgFormat::Openmetrics => render::openmetrics::render(report),
        OrgFormat::Html => render::html::render(report, history),
    };
    if let Err(err) = write_output(output, &text) {
        eprintln!("error: {err}");
        return EXIT_ERROR;
    }
    if report.met() {
        EXIT_MET
    } else {
        EXIT_GATE_FAILED
    }
}

/// Today for waiver expiry: `OPREADY_TODAY=YYYY-MM-DD`, else the clock (as `check`).
fn today() -> Result<i64, String> {
    match std::env::var("OPREADY_TODAY") {
        Ok(text) if !text.is_empty() => crate::config::parse_date(&text)
            .ok_or_else(|| format!("OPREADY_TODAY must be a date as YYYY-MM-DD, got `{text}`")),
        _ => Ok(crate::config::today()),
    }
}

/// The JSON Schema of the org report, for `opready schema org`.
pub(crate) fn schema() -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(schemars::schema_for!(org::OrgReport))
}
