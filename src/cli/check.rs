//! `opready check`: rate one repository and render the report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::check::{self, CheckError, CheckOptions};
use crate::cli::{
    EXIT_ERROR, EXIT_GATE_FAILED, EXIT_MET, explain, load_pack, render_problems, stderr_color,
    write_output,
};
use crate::report::{self, human::HumanOptions};

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
    /// Compare with a baseline (`opready baseline write`): fail only when something got
    /// worse since, whether or not targets are met.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Pre-commit mode: check only these files (relative to the repository), not the
    /// whole repository's rating. Exit 1 when one of them has a problem.
    #[arg(long, num_args = 0.., value_name = "FILE", conflicts_with_all = ["evidence", "all", "tier", "require", "baseline"])]
    pub files: Option<Vec<PathBuf>>,
    /// More files for `--files` (pre-commit appends them after any `args:`).
    #[arg(hide = true, requires = "files")]
    pub more_files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// A scorecard for a pull-request comment or the job summary.
    Markdown,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output going to a terminal (`to_terminal`) or not: `auto` colours
    /// only a terminal, and never when `NO_COLOR` is set.
    pub(crate) fn enabled(self, to_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal && super::no_color_unset(),
        }
    }
}

pub(crate) fn parse_require(text: &str) -> Result<(String, u8), String> {
    let (activity, level) = text
        .split_once('=')
        .ok_or_else(|| format!("expected ACTIVITY=LEVEL (e.g. slo=2), got `{text}`"))?;
    let level: u8 = level
        .trim()
        .parse()
        .map_err(|_| format!("level must be a number, got `{level}`"))?;
    Ok((activity.trim().to_string(), level))
}

pub(crate) fn run_check(args: &CheckArgs) -> u8 {
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let baseline = match args.baseline.as_deref().map(super::baseline::load) {
        Some(Ok(baseline)) => Some(baseline),
        Some(Err(code)) => return code,
        None => None,
    };
    let today = match super::today_from_env() {
        Ok(day) => day,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    if let Some(files) = &args.files {
        return crate::cli::files::run(args, files, &pack, today);
    }
    let options = CheckOptions {
        today,
        tier: args.tier.clone(),
        require: args.require.clone(),
        max_file_size: args.max_file_size,
        display_path: Some(args.path.display().to_string()),
    };
    let mut checked = match check::check(&args.path, &pack, &options) {
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
    if let (Some(baseline), Some(path)) = (&baseline, &args.baseline) {
        super::baseline::apply(&mut checked.report, baseline, path);
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = args.color.enabled(to_terminal);
    let text = if args.evidence {
        match args.format {
            Format::Json => explain::evidence_json(&checked),
            Format::Human => explain::evidence_listing(&checked),
            _ => {
                eprintln!("error: --evidence prints human or json only");
                return EXIT_ERROR;
            }
        }
    } else {
        let width = if to_terminal {
            terminal_width().unwrap_or(100)
        } else {
            100
        };
        let options = RenderOptions {
            color,
            width,
            all: args.all,
        };
        render_report(&checked.report, args.format, &args.path, &options)
    };
    if let Err(err) = write_output(args.output.as_deref(), &text) {
        eprintln!("error: {err}");
        return EXIT_ERROR;
    }
    if checked.report.gate_passed() {
        EXIT_MET
    } else {
        EXIT_GATE_FAILED
    }
}

/// How the terminal-facing formats are drawn.
pub(crate) struct RenderOptions {
    pub color: bool,
    pub width: usize,
    /// Every failing criterion, not only those blocking the next level.
    pub all: bool,
}

/// Renders `report` of the repository at `root` in `format` (any but the evidence
/// listings). `opready check` and `opready report --from` share it, so a saved report
/// renders exactly as a fresh one.
pub(crate) fn render_report(
    report: &report::Report,
    format: Format,
    root: &Path,
    options: &RenderOptions,
) -> String {
    match format {
        Format::Json => report::json::render(report),
        Format::Human => {
            let options = HumanOptions {
                color: options.color,
                width: options.width,
                all: options.all,
                ..HumanOptions::default()
            };
            report::human::render(report, Some(root), &options)
        }
        Format::Sarif => report::sarif::render(
            report,
            &report::sarif::SarifOptions {
                checkout: checkout(root),
                anchor: report::sarif::anchor_for(root),
            },
        ),
        Format::Markdown => report::markdown::render(
            report,
            &report::markdown::MarkdownOptions {
                checkout: checkout(root),
                ..Default::default()
            },
        ),
        Format::Junit => report::junit::render(report),
        Format::Github => report::github::render(
            report,
            &report::github::GithubOptions {
                checkout: checkout(root),
            },
        ),
    }
}

/// Where the repository sits in the checkout CI knows (`GITHUB_WORKSPACE`, else the
/// current directory), and its files' URL when running in GitHub Actions.
fn checkout(path: &Path) -> report::Checkout {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let root = var("GITHUB_WORKSPACE")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok());
    let browse_url = match (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_SHA"),
    ) {
        (Some(server), Some(repository), Some(sha)) => Some(format!(
            "{}/{repository}/blob/{sha}",
            server.trim_end_matches('/')
        )),
        _ => None,
    };
    root.map(|root| report::Checkout::locate(path, &root, browse_url))
        .unwrap_or_default()
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 60)
}
