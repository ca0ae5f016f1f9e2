//! `opready org`: scan an organisation's repositories, merge shard results, list a
//! shard's repositories; record scans in a history, compare them (`diff`) and list them
//! (`history`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};

use crate::check::CheckOptions;
use crate::cli::check::parse_require;
use crate::cli::{EXIT_ERROR, EXIT_GATE_FAILED, EXIT_MET, load_pack, write_output};
use crate::org::changes::{HistoryContext, OrgChanges, ScanRef};
use crate::org::history::{self, History};
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
    /// What changed between two scans recorded in a history (by default the last two), or
    /// between two saved org reports (`OLD.json NEW.json`): levels up and down per
    /// service and team, new and fixed blockers, repositories added and removed. Exit 0.
    Diff(DiffArgs),
    /// List the scans recorded in a history: id, time, repositories, how many meet their
    /// targets.
    History(HistoryArgs),
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
    /// Record the scan in this SQLite history (created when missing); the Markdown then
    /// shows the changes since the previous recorded scan and the trend per activity.
    /// `OPREADY_NOW` (RFC 3339) fixes the recorded time.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
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
    /// Record the merged report in this SQLite history, as `org scan --history` records an
    /// unsharded scan.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub source: Source,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("compare").required(true).args(["history", "reports"])))]
pub struct DiffArgs {
    /// Two saved org reports (`org scan --format json`), the earlier first; instead of a
    /// history.
    #[arg(
        value_names = ["OLD.json", "NEW.json"],
        num_args = 2,
        action = clap::ArgAction::Set,
        conflicts_with = "history"
    )]
    pub reports: Vec<PathBuf>,
    /// The history to read the scans from.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// The earlier scan's id (default: the scan recorded before --to).
    #[arg(long, value_name = "ID", requires = "history")]
    pub from: Option<i64>,
    /// The later scan's id (default: the latest).
    #[arg(long, value_name = "ID", requires = "history")]
    pub to: Option<i64>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "markdown")]
    pub format: HistoryFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The history to list.
    #[arg(long, value_name = "FILE")]
    pub history: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "markdown")]
    pub format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// A page (or table) to read.
    Markdown,
    /// The data: `OrgChanges` for diff, the list of scans for history.
    Json,
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
        OrgCommand::Diff(args) => run_diff(args),
        OrgCommand::History(args) => run_history(args),
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
    if let (Some(_), Some(shard)) = (&args.history, args.source.shard) {
        eprintln!(
            "error: --history records whole organisations, not one shard ({shard}): record the result of `opready org merge --history FILE` instead"
        );
        return EXIT_ERROR;
    }
    // The history is checked before the (long) scan, so a wrong file costs nothing.
    let mut history = match open_history(args.history.as_deref()) {
        Ok(history) => history,
        Err(code) => return code,
    };
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let today = match super::today_from_env() {
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
    record_and_finish(
        &report,
        history.as_mut(),
        args.format,
        args.output.as_deref(),
    )
}

/// The history of `--history FILE` with the time to record at, opened (and created) now.
fn open_history(path: Option<&std::path::Path>) -> Result<Option<(History, String)>, u8> {
    let Some(path) = path else {
        return Ok(None);
    };
    let now = std::env::var("OPREADY_NOW").ok();
    let recorded_at = match history::clock::recorded_at(now.as_deref()) {
        Ok(time) => time,
        Err(err) => {
            eprintln!("error: {err}");
            return Err(EXIT_ERROR);
        }
    };
    match History::open(path) {
        Ok(history) => Ok(Some((history, recorded_at))),
        Err(err) => {
            eprintln!("error: {err}");
            Err(EXIT_ERROR)
        }
    }
}

/// Records `report` in the history (when there is one), then renders it with what the
/// history adds. A failure to record still writes the report, then exits 2.
fn record_and_finish(
    report: &OrgReport,
    history: Option<&mut (History, String)>,
    format: OrgFormat,
    output: Option<&std::path::Path>,
) -> u8 {
    let Some((history, recorded_at)) = history else {
        return finish(report, None, format, output);
    };
    let context = history
        .record(report, recorded_at)
        .and_then(|scan| history.context(&scan, report));
    match context {
        Ok(context) => finish(report, Some(&context), format, output),
        Err(err) => {
            eprintln!("error: {err}");
            finish(report, None, format, output);
            EXIT_ERROR
        }
    }
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
    let report = match merge::merge(parts) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    if let (Some(_), Some(shard)) = (&args.history, report.shard) {
        eprintln!(
            "error: --history records whole organisations, and this is one shard ({shard}): merge every shard of the split"
        );
        return EXIT_ERROR;
    }
    let mut history = match open_history(args.history.as_deref()) {
        Ok(history) => history,
        Err(code) => return code,
    };
    record_and_finish(
        &report,
        history.as_mut(),
        args.format,
        args.output.as_deref(),
    )
}

fn run_diff(args: &DiffArgs) -> u8 {
    let compared = match &args.history {
        Some(path) => History::open_existing(path)
            .and_then(|h| h.diff(args.from, args.to))
            .map_err(|e| e.to_string())
            .map(|changes| {
                let name = |scan: &Option<ScanRef>| {
                    scan.as_ref().map_or_else(String::new, |s| {
                        format!("scan {} of {}", s.id, s.recorded_at)
                    })
                };
                let (from, to) = (name(&changes.previous), name(&changes.current));
                (changes, from, to)
            }),
        None => diff_reports(&args.reports),
    };
    let (changes, from, to) = match compared {
        Ok(compared) => compared,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let text = match args.format {
        HistoryFormat::Markdown => render::markdown::render_changes(&changes, &from, &to),
        HistoryFormat::Json => to_json(&changes),
    };
    match write_output(args.output.as_deref(), &text) {
        Ok(()) => EXIT_MET,
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

/// The changes between two saved org reports, and their names.
fn diff_reports(files: &[PathBuf]) -> Result<(OrgChanges, String, String), String> {
    let [old, new] = files else {
        return Err("give two saved org reports (OLD.json NEW.json) or --history FILE".into());
    };
    let read = |file: &PathBuf| {
        let name = file.display().to_string();
        std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {name}: {e}"))
            .and_then(|text| merge::parse(&name, &text))
            .map(|report| (name, report))
    };
    let (old_name, old) = read(old)?;
    let (new_name, new) = read(new)?;
    Ok((OrgChanges::between(&old, &new), old_name, new_name))
}

fn run_history(args: &HistoryArgs) -> u8 {
    let scans = match History::open_existing(&args.history).and_then(|h| h.scans()) {
        Ok(scans) => scans,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let text = match args.format {
        HistoryFormat::Json => to_json(&scans),
        HistoryFormat::Markdown => {
            let mut text = String::from(
                "| Scan | Recorded at | Repositories | Rated | Meet targets | Below target | Not rated | Policy | opready |\n|---:|---|---:|---:|---:|---:|---:|---|---|\n",
            );
            for s in &scans {
                text.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} `{}` | {} |\n",
                    s.id,
                    s.recorded_at,
                    s.repositories,
                    s.rated,
                    s.met,
                    s.below_target,
                    s.errors,
                    s.policy_name.replace('|', "\\|"),
                    s.policy_digest,
                    s.tool_version
                ));
            }
            text
        }
    };
    match write_output(None, &text) {
        Ok(()) => EXIT_MET,
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
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
        OrgFormat::Markdown => render::markdown::render_with_history(report, history),
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

/// The JSON Schema of the org report, for `opready schema org`.
pub(crate) fn schema() -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(schemars::schema_for!(org::OrgReport))
}
