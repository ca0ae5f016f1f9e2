//! `opready init`: writes `.opready.yaml` for a repository and, with `--scaffold`, starter
//! files for the operational documents and configuration it lacks.
//!
//! What is missing is decided from the evidence of a real check of the repository, so a
//! repository that already keeps runbooks somewhere gets no runbook stub, and one that
//! does not look like an operated service gets no operational stubs at all. Nothing is
//! ever overwritten: every file is created with `create_new`, and a path that exists is
//! reported as skipped.
//!
//! Planning ([`plan`]) is pure — it turns a check result into the list of files to write
//! and to skip — and writing ([`apply`]) is a separate step, so both can be tested apart.
//! The texts are templates under `src/init/templates/`, embedded with `include_str!` so
//! that they can be reviewed as files.

use std::io::Write;
use std::path::Path;

use crate::check::Checked;
use crate::policy::Pack;

mod config_file;
mod scaffold;

pub use scaffold::{service_slug, usable_codeowners_owner};

/// The configuration file `opready init` writes.
pub const CONFIG_FILE: &str = ".opready.yaml";

/// Placeholder owner written where no usable owner is known.
pub const PLACEHOLDER_OWNER: &str = "@your-org/your-team";

/// What the caller chooses for a run.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Also write starter files for what is missing.
    pub scaffold: bool,
    /// Today, as days since 1970-01-01 (runbook review date, waiver example expiry).
    pub today: i64,
}

/// One file `opready init` means to write, or leaves alone and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Write {
        /// Repository-relative path, `/`-separated.
        path: String,
        /// What the file is, in a few words.
        what: String,
        text: String,
    },
    Skip {
        path: String,
        reason: String,
    },
}

impl Step {
    pub fn path(&self) -> &str {
        match self {
            Step::Write { path, .. } | Step::Skip { path, .. } => path,
        }
    }
}

/// What happened to one planned file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Wrote { path: String, what: String },
    Skipped { path: String, reason: String },
    Failed { path: String, error: String },
}

/// Plans the files to write for the repository that `checked` describes.
///
/// `existing_config` names the configuration file the repository already has, if any: it
/// is then skipped, never rewritten.
pub fn plan(
    pack: &Pack,
    checked: &Checked,
    existing_config: Option<&str>,
    options: &InitOptions,
) -> Vec<Step> {
    let mut steps = vec![match existing_config {
        Some(name) => Step::Skip {
            path: name.to_string(),
            reason: "already exists; opready init never overwrites it".to_string(),
        },
        None => config_file::step(pack, &checked.report, options.today),
    }];
    if options.scaffold {
        steps.extend(scaffold::steps(checked, options.today));
    }
    steps
}

/// Writes the planned files under `root`, never overwriting anything.
pub fn apply(root: &Path, steps: Vec<Step>) -> Vec<Outcome> {
    steps
        .into_iter()
        .map(|step| match step {
            Step::Skip { path, reason } => Outcome::Skipped { path, reason },
            Step::Write { path, what, text } => match write_new(root, &path, &text) {
                Ok(()) => Outcome::Wrote { path, what },
                Err(WriteError::Exists) => Outcome::Skipped {
                    path,
                    reason: "already exists; opready init never overwrites a file".to_string(),
                },
                Err(WriteError::Other(error)) => Outcome::Failed { path, error },
            },
        })
        .collect()
}

enum WriteError {
    Exists,
    Other(String),
}

/// Creates `root/relative` with `text`, failing when anything is already there, and
/// refusing to follow a symlink on the way (it could lead outside the repository).
fn write_new(root: &Path, relative: &str, text: &str) -> Result<(), WriteError> {
    let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
    let mut at = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        if *part == ".." || *part == "." {
            return Err(WriteError::Other(format!("invalid path `{relative}`")));
        }
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(if i + 1 == parts.len() {
                    WriteError::Exists
                } else {
                    WriteError::Other(format!(
                        "`{}` is a symbolic link; not writing through it",
                        parts[..=i].join("/")
                    ))
                });
            }
            Ok(_) if i + 1 == parts.len() => return Err(WriteError::Exists),
            Ok(meta) if !meta.is_dir() => {
                return Err(WriteError::Other(format!(
                    "`{}` is a file, not a folder",
                    parts[..=i].join("/")
                )));
            }
            Ok(_) => {}
            Err(_) if i + 1 == parts.len() => {}
            Err(_) => {
                std::fs::create_dir(&at).map_err(|e| {
                    WriteError::Other(format!("cannot create `{}`: {e}", parts[..=i].join("/")))
                })?;
            }
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&at)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => WriteError::Exists,
            _ => WriteError::Other(format!("cannot create: {e}")),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| WriteError::Other(format!("cannot write: {e}")))
}

/// Fills `{{name}}` placeholders of a template; unknown placeholders stay as they are
/// (Sloth's `{{.window}}` is one).
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_placeholders_only() {
        let text = fill(
            "a {{x}} b {{.window}} {{y}} {{x}}",
            &[("x", "1"), ("y", "two")],
        );
        assert_eq!(text, "a 1 b {{.window}} two 1");
    }

    #[test]
    fn apply_never_overwrites_and_creates_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.md"), "mine").unwrap();
        let outcomes = apply(
            dir.path(),
            vec![
                Step::Write {
                    path: "keep.md".into(),
                    what: "x".into(),
                    text: "theirs".into(),
                },
                Step::Write {
                    path: "docs/runbooks/new.md".into(),
                    what: "runbook".into(),
                    text: "# New\n".into(),
                },
                Step::Skip {
                    path: "slos/a.yaml".into(),
                    reason: "SLOs exist".into(),
                },
            ],
        );
        assert!(
            matches!(&outcomes[0], Outcome::Skipped { reason, .. } if reason.contains("never overwrites"))
        );
        assert_eq!(
            outcomes[1],
            Outcome::Wrote {
                path: "docs/runbooks/new.md".into(),
                what: "runbook".into()
            }
        );
        assert!(matches!(&outcomes[2], Outcome::Skipped { .. }));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("keep.md")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("docs/runbooks/new.md")).unwrap(),
            "# New\n"
        );
    }

    #[test]
    fn apply_reports_a_file_in_the_way_of_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("docs"), "a file").unwrap();
        let outcomes = apply(
            dir.path(),
            vec![Step::Write {
                path: "docs/incident-response.md".into(),
                what: "x".into(),
                text: "y".into(),
            }],
        );
        assert!(
            matches!(&outcomes[0], Outcome::Failed { error, .. } if error.contains("`docs` is a file")),
            "{outcomes:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn apply_does_not_write_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("docs")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.md"), dir.path().join("dangling.md"))
            .unwrap();
        let outcomes = apply(
            dir.path(),
            vec![
                Step::Write {
                    path: "docs/runbooks/example.md".into(),
                    what: "x".into(),
                    text: "y".into(),
                },
                Step::Write {
                    path: "dangling.md".into(),
                    what: "x".into(),
                    text: "y".into(),
                },
            ],
        );
        assert!(
            matches!(&outcomes[0], Outcome::Failed { error, .. } if error.contains("symbolic link")),
            "{outcomes:?}"
        );
        assert!(matches!(&outcomes[1], Outcome::Skipped { .. }));
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}
