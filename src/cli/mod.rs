//! The command line: arguments, dispatch, and the one place errors become exit codes
//! (0 targets met, 1 gate failed, 2 usage, config or policy error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, CheckError, CheckOptions};
use crate::policy::{self, Pack, Problem};
use crate::report::{self, human::HumanOptions};

mod explain;
mod render_problems;

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
    /// Print the documentation of a criterion, activity, detector or evidence list.
    Explain {
        /// e.g. `slo-defined`, `monitoring`, `prometheus-rules`, `alerts`
        id: String,
        /// Policy pack to read it from (default: built-in).
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
    /// List activities, criteria and detectors.
    List {
        #[arg(value_enum, default_value = "all")]
        what: ListWhat,
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
    /// Print a JSON Schema: of the report, the evidence document, policy files or `.opready.yaml`.
    Schema {
        #[arg(value_enum)]
        which: SchemaWhich,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The repository to rate.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Policy pack (a pack.yaml or a folder holding one). Default: the built-in pack.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Require ACTIVITY to reach LEVEL (repeatable); overrides the tier's targets.
    #[arg(long, value_name = "ACTIVITY=LEVEL", value_parser = parse_require)]
    pub require: Vec<(String, u8)>,
    /// Service tier, overriding `.opready.yaml` and `catalog-info.yaml`.
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// List every evidence item found, with its source, instead of the rating.
    #[arg(long)]
    pub evidence: bool,
    /// Show every failing criterion, not only those blocking the next level.
    #[arg(long)]
    pub all: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Skip evidence files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::scan::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListWhat {
    All,
    Activities,
    Criteria,
    Detectors,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaWhich {
    Report,
    Evidence,
    Policy,
    Config,
}

fn parse_require(text: &str) -> Result<(String, u8), String> {
    let (activity, level) = text
        .split_once('=')
        .ok_or_else(|| format!("expected ACTIVITY=LEVEL (e.g. slo=2), got `{text}`"))?;
    let level: u8 = level
        .trim()
        .parse()
        .map_err(|_| format!("level must be a number, got `{level}`"))?;
    Ok((activity.trim().to_string(), level))
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

fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Explain { id, policy } => match load_pack(policy.as_deref()) {
            Ok(pack) => match explain::explain(&pack, &id) {
                Some(text) => {
                    print!("{text}");
                    EXIT_MET
                }
                None => {
                    eprintln!(
                        "error: no criterion, activity, detector or evidence list is called `{id}`; `opready list` shows them all"
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

fn load_pack(path: Option<&Path>) -> Result<Pack, u8> {
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

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && no_color_unset()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn run_check(args: &CheckArgs) -> u8 {
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let today = match std::env::var("OPREADY_TODAY") {
        Ok(text) if !text.is_empty() => match crate::config::parse_date(&text) {
            Some(day) => day,
            None => {
                eprintln!("error: OPREADY_TODAY must be a date as YYYY-MM-DD, got `{text}`");
                return EXIT_ERROR;
            }
        },
        _ => crate::config::today(),
    };
    let options = CheckOptions {
        today,
        tier: args.tier.clone(),
        require: args.require.clone(),
        max_file_size: args.max_file_size,
        display_path: Some(args.path.display().to_string()),
    };
    let checked = match check::check(&args.path, &pack, &options) {
        Ok(checked) => checked,
        Err(CheckError::Config(problems)) => {
            eprint!(
                "{}",
                render_problems::render_in(&problems, stderr_color(), Some(&args.path))
            );
            eprintln!(
                "error: {} in {} is invalid",
                problems.len().max(1),
                problems
                    .first()
                    .map_or(".opready.yaml", |p| p.file.as_str())
            );
            return EXIT_ERROR;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && no_color_unset(),
    };
    let text = if args.evidence {
        match args.format {
            Format::Json => explain::evidence_json(&checked),
            Format::Human => explain::evidence_listing(&checked),
        }
    } else {
        match args.format {
            Format::Json => report::json::render(&checked.report),
            Format::Human => {
                let width = if to_terminal {
                    terminal_width().unwrap_or(100)
                } else {
                    100
                };
                let options = HumanOptions {
                    color,
                    width,
                    all: args.all,
                    ..HumanOptions::default()
                };
                report::human::render(&checked.report, Some(&args.path), &options)
            }
        }
    };
    if let Err(err) = write_output(args.output.as_deref(), &text) {
        eprintln!("error: {err}");
        return EXIT_ERROR;
    }
    if checked.report.summary.met {
        EXIT_MET
    } else {
        EXIT_GATE_FAILED
    }
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 60)
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
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
