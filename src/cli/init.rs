//! `opready init [PATH] [--scaffold]`: write `.opready.yaml`, and with `--scaffold` starter
//! files for what the repository lacks; never overwrite anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::{self, CheckError, CheckOptions, Checked};
use crate::cli::{
    EXIT_ERROR, EXIT_GATE_FAILED, EXIT_MET, load_pack, render_problems, stderr_color,
};
use crate::eval::Status;
use crate::init::{self, InitOptions, Outcome};
use crate::policy::Pack;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The repository to set up.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Also write starter files for what the repository lacks: CODEOWNERS, a runbook, an
    /// incident process, a postmortem template, SLOs and an error-budget policy.
    #[arg(long)]
    pub scaffold: bool,
    /// Policy pack whose tiers `.opready.yaml` describes. Default: the built-in pack.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
}

pub(crate) fn run_init(args: &InitArgs) -> u8 {
    let pack = match load_pack(args.policy.as_deref()) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    let today = match super::today_from_env() {
        Ok(day) => day,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    if !args.path.is_dir() {
        eprintln!(
            "error: {} is not a folder; pass the repository to set up",
            args.path.display()
        );
        return EXIT_ERROR;
    }
    let existing = crate::config::CONFIG_FILES
        .iter()
        .find(|name| std::fs::symlink_metadata(args.path.join(name)).is_ok())
        .copied();
    if let (Some(name), false) = (existing, args.scaffold) {
        eprintln!(
            "error: {} already exists; opready init never overwrites it (`opready init --scaffold` writes only the missing starter files)",
            args.path.join(name).display()
        );
        return EXIT_GATE_FAILED;
    }
    let options = CheckOptions {
        today,
        display_path: Some(args.path.display().to_string()),
        ..CheckOptions::default()
    };
    let before = match run_check(&args.path, &pack, &options) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let steps = init::plan(
        &pack,
        &before,
        existing,
        &InitOptions {
            scaffold: args.scaffold,
            today,
        },
    );
    let outcomes = init::apply(&args.path, steps);
    print!("{}", render_outcomes(&outcomes));

    let wrote = outcomes.iter().any(|o| matches!(o, Outcome::Wrote { .. }));
    if args.scaffold && wrote {
        match run_check(&args.path, &pack, &options) {
            Ok(after) => print!("{}", newly_passing(&before, &after)),
            Err(code) => return code,
        }
    }
    if wrote {
        println!(
            "\nNext: replace the TODOs, choose a tier in .opready.yaml, then run `opready check {}`.",
            args.path.display()
        );
    }
    if outcomes.iter().any(|o| matches!(o, Outcome::Failed { .. })) {
        EXIT_ERROR
    } else {
        EXIT_MET
    }
}

fn run_check(root: &Path, pack: &Pack, options: &CheckOptions) -> Result<Checked, u8> {
    check::check(root, pack, options).map_err(|err| {
        match err {
            CheckError::Config(problems) => {
                eprint!(
                    "{}",
                    render_problems::render_in(&problems, stderr_color(), Some(root))
                );
                eprintln!("error: fix the configuration first; opready init does not rewrite it");
            }
            err => eprintln!("error: {err}"),
        }
        EXIT_ERROR
    })
}

/// One line per file: written or skipped, with what it is or why it was left alone.
fn render_outcomes(outcomes: &[Outcome]) -> String {
    let width = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Wrote { path, .. }
            | Outcome::Skipped { path, .. }
            | Outcome::Failed { path, .. } => path.chars().count(),
        })
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for outcome in outcomes {
        let (verb, path, text) = match outcome {
            Outcome::Wrote { path, what } => ("wrote", path, what),
            Outcome::Skipped { path, reason } => ("skipped", path, reason),
            Outcome::Failed { path, error } => ("FAILED", path, error),
        };
        out.push_str(&format!("{verb:<8} {path:<width$}  {text}\n"));
    }
    out
}

/// The criteria that failed before the scaffold and pass after it, per activity.
fn newly_passing(before: &Checked, after: &Checked) -> String {
    let status_before: BTreeMap<&str, Status> = before
        .report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    let mut lines = Vec::new();
    for activity in &after.report.activities {
        let fixed: Vec<&str> = activity
            .criteria
            .iter()
            .filter(|c| {
                c.status == Status::Pass && status_before.get(c.id.as_str()) == Some(&Status::Fail)
            })
            .map(|c| c.id.as_str())
            .collect();
        if !fixed.is_empty() {
            lines.push(format!("  {}: {}", activity.id, fixed.join(", ")));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nNow passing (starter files still need their TODOs filled in):\n{}\n",
        lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_aligned() {
        let text = render_outcomes(&[
            Outcome::Wrote {
                path: ".opready.yaml".into(),
                what: "configuration".into(),
            },
            Outcome::Skipped {
                path: "docs/runbooks/example.md".into(),
                reason: "runbooks exist: ops/a.md".into(),
            },
        ]);
        assert_eq!(
            text,
            "wrote    .opready.yaml             configuration\n\
             skipped  docs/runbooks/example.md  runbooks exist: ops/a.md\n"
        );
    }
}
