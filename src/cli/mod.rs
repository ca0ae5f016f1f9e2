//! The command line: arguments, dispatch, and the one place errors become exit codes
//! (0 targets met, 1 gate failed, 2 usage, config or policy error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::policy::{self, Pack, Problem};
use crate::report;

mod baseline;
mod check;
mod explain;
mod files;
mod init;
mod org;
mod render_problems;
mod report_cmd;

pub use check::{CheckArgs, ColorChoice, Format};

/// Rates a service repository's operational readiness: SLOs, alerting, on-call, runbooks,
/// postmortems, CI/CD, vulnerability, cost and toil management, each on a maturity level
/// with the evidence and the fix for what blocks the next level.
#[derive(Debug, Parser)]
#[command(name = "opready", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rate one repository. Exit 0 when every target is met, 1 when one is not.
    Check(CheckArgs),
    /// Print the documentation of a criterion, activity, detector, evidence list or
    /// diagnostic code.
    Explain {
        /// e.g. `slo-defined`, `monitoring`, `prometheus-rules`, `alerts`, `invalid-yaml`
        id: String,
        /// Policy pack to read it from (default: built-in).
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
    /// List activities, criteria, detectors and diagnostic codes.
    List {
        #[arg(value_enum, default_value = "all")]
        what: ListWhat,
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
    /// Save a baseline to ratchet from: `check --baseline FILE` then fails only on regressions.
    Baseline {
        #[command(subcommand)]
        command: baseline::BaselineCommand,
    },
    /// Write `.opready.yaml` for a repository; with --scaffold also starter files for what
    /// it lacks. Never overwrites a file.
    Init(init::InitArgs),
    /// Render a saved JSON report (`opready check --format json`) in another format.
    Report(report_cmd::ReportArgs),
    /// Rate every repository of an organisation; merge shard results.
    Org(org::OrgArgs),
    /// Print a JSON Schema: of the report, the org report, the evidence document, policy
    /// files or `.opready.yaml`.
    Schema {
        #[arg(value_enum)]
        which: SchemaWhich,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListWhat {
    All,
    Activities,
    Criteria,
    Detectors,
    Diagnostics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaWhich {
    Report,
    Evidence,
    Policy,
    Config,
    Org,
}

/// Exit codes.
pub const EXIT_MET: u8 = 0;
pub const EXIT_GATE_FAILED: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_MET
            });
        }
    };
    ExitCode::from(dispatch(cli))
}

/// The day waiver expiry and runbook reviews are judged against: `OPREADY_TODAY`
/// (YYYY-MM-DD) when set, else the clock. Every command that rates reads it here.
pub(crate) fn today_from_env() -> Result<i64, String> {
    match std::env::var("OPREADY_TODAY") {
        Ok(text) if !text.is_empty() => crate::config::parse_date(&text)
            .ok_or_else(|| format!("OPREADY_TODAY must be a date as YYYY-MM-DD, got `{text}`")),
        _ => Ok(crate::config::today()),
    }
}

fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check::run_check(&args),
        Command::Baseline { command } => baseline::run(&command),
        Command::Org(args) => org::run(&args),
        Command::Explain { id, policy } => match load_pack(policy.as_deref()) {
            Ok(pack) => match explain::explain(&pack, &id) {
                Some(text) => {
                    print!("{text}");
                    EXIT_MET
                }
                None => {
                    eprintln!(
                        "error: no criterion, activity, detector, evidence list or diagnostic code is called `{id}`; `opready list` shows them all"
                    );
                    EXIT_ERROR
                }
            },
            Err(code) => code,
        },
        Command::List { what, policy } => match load_pack(policy.as_deref()) {
            Ok(pack) => {
                print!("{}", explain::list(&pack, what));
                EXIT_MET
            }
            Err(code) => code,
        },
        Command::Init(args) => init::run_init(&args),
        Command::Report(args) => report_cmd::run_report(&args),
        Command::Schema { which } => {
            let schema = match which {
                SchemaWhich::Report => serde_json::to_value(schemars::schema_for!(report::Report)),
                SchemaWhich::Evidence => {
                    serde_json::to_value(schemars::schema_for!(crate::evidence::Evidence))
                }
                SchemaWhich::Policy => {
                    serde_json::to_value(schemars::schema_for!(policy::load::PolicyFile))
                }
                SchemaWhich::Config => {
                    serde_json::to_value(schemars::schema_for!(crate::config::Config))
                }
                SchemaWhich::Org => org::schema(),
            };
            match schema.and_then(|s| serde_json::to_string_pretty(&s)) {
                Ok(text) => {
                    println!("{text}");
                    EXIT_MET
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    EXIT_ERROR
                }
            }
        }
    }
}

pub(crate) fn load_pack(path: Option<&Path>) -> Result<Pack, u8> {
    let loaded = match path {
        Some(path) => policy::load::load_path(path),
        None => policy::load::builtin(),
    };
    loaded.map_err(|err| {
        let count = err.problems.len();
        eprint!("{}", render_problems::render(&err.problems, stderr_color()));
        eprintln!("error: the policy pack has {count} problem(s)");
        EXIT_ERROR
    })
}

pub(crate) fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && no_color_unset()
}

pub(crate) fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
    }
}

/// Renders policy or config problems, for callers outside the CLI.
pub fn render_problems(problems: &[Problem]) -> String {
    render_problems::render(problems, false)
}
