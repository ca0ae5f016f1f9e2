//! `opready check --files F…`: pre-commit mode (see [`crate::precommit`]).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::check::{CheckError, CheckOptions};
use crate::cli::check::{CheckArgs, Format};
use crate::cli::{
    EXIT_ERROR, EXIT_GATE_FAILED, EXIT_MET, render_problems, stderr_color, write_output,
};
use crate::policy::Pack;
use crate::precommit::{self, render};

pub(crate) fn run(args: &CheckArgs, files: &[PathBuf], pack: &Pack, today: i64) -> u8 {
    if !matches!(args.format, Format::Human | Format::Json | Format::Github) {
        eprintln!(
            "error: --format {} is not available with --files; use human, json or github",
            args.format
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        );
        return EXIT_ERROR;
    }
    // pre-commit runs `entry` + `args:` + the file names, so with `args:` the names come
    // after other options and land in PATH and the hidden rest: PATH is the repository
    // only when it is a folder.
    let mut files: Vec<PathBuf> = files.to_vec();
    let root = if args.path.is_dir() {
        args.path.clone()
    } else if !files.is_empty() && !args.path.exists() {
        eprintln!(
            "error: {} is not a folder; give the repository before --files",
            args.path.display()
        );
        return EXIT_ERROR;
    } else {
        files.insert(0, args.path.clone());
        PathBuf::from(".")
    };
    files.extend(args.more_files.iter().cloned());
    let files: Vec<PathBuf> = files.iter().map(|f| from_here(&root, f)).collect();

    let options = CheckOptions {
        today,
        max_file_size: args.max_file_size,
        display_path: Some(root.display().to_string()),
        ..CheckOptions::default()
    };
    let report = match precommit::check_files(&root, &files, pack, &options) {
        Ok(report) => report,
        Err(CheckError::Config(problems)) => {
            eprint!(
                "{}",
                render_problems::render_in(&problems, stderr_color(), Some(&root))
            );
            eprintln!(
                "error: {} is invalid",
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
    let color = args.color.enabled(to_terminal);
    let text = match args.format {
        Format::Json => render::json(&report),
        Format::Github => render::github(&report),
        _ => render::human(&report, color),
    };
    if let Err(err) = write_output(args.output.as_deref(), &text) {
        eprintln!("error: {err}");
        return EXIT_ERROR;
    }
    if report.passed() {
        EXIT_MET
    } else {
        EXIT_GATE_FAILED
    }
}

/// A relative file name is read from the repository root; when the root is another
/// folder and the name only exists from the current folder, it is taken from here.
fn from_here(root: &Path, file: &Path) -> PathBuf {
    if file.is_absolute() || root == Path::new(".") || root.join(file).exists() {
        return file.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) if cwd.join(file).exists() => cwd.join(file),
        _ => file.to_path_buf(),
    }
}
