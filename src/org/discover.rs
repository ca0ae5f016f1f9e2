//! Which repositories an org scan rates: those found in a folder of checkouts, or those a
//! list file names.
//!
//! In a folder, a repository is a directory holding `.git` (a folder, or a file as in a
//! worktree or submodule), looked for down to [`MAX_DEPTH`] levels below the folder
//! (`DIR/repo`, `DIR/org/repo`, `DIR/host/org/repo`) without descending into a repository
//! or a hidden directory. When no directory holds `.git` (an export, a tarball of
//! sources), every immediate subdirectory is a repository. A list file names one path per
//! line; `#` starts a comment, blank lines are ignored, relative paths are resolved
//! against the list file's folder.
//!
//! Each repository gets its report path: relative to the folder, or as written in the
//! list (cleaned of `.` segments and trailing slashes), always with `/` separators. The
//! list is sorted by that path and has no duplicates.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// How deep below the scanned folder repositories are looked for.
pub const MAX_DEPTH: usize = 3;

/// A repository to rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryEntry {
    /// The path in the report: relative to the scanned folder, or as listed; `/` separators.
    pub path: String,
    /// Where to read it.
    pub root: PathBuf,
}

/// The repositories in a folder of checkouts, sorted by path.
pub fn in_folder(dir: &Path) -> Result<Vec<RepositoryEntry>, String> {
    let meta = fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let children = subdirectories(dir, true)
        .map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for (name, path) in &children {
        search(path, name, 1, &mut found);
    }
    let any_git = found.iter().any(|f: &Found| f.git);
    let entries = if any_git {
        found
            .into_iter()
            .filter(|f| f.git || f.unreadable)
            .map(|f| f.entry)
            .collect()
    } else {
        children
            .into_iter()
            .map(|(name, root)| RepositoryEntry { path: name, root })
            .collect()
    };
    Ok(sorted_unique(entries))
}

struct Found {
    entry: RepositoryEntry,
    /// Holds `.git`.
    git: bool,
    /// A directory that could not be listed: it may be a repository, so it is reported
    /// (as an error when it is rated) rather than silently left out.
    unreadable: bool,
}

fn search(dir: &Path, rel: &str, depth: usize, found: &mut Vec<Found>) {
    let entry = || RepositoryEntry {
        path: rel.to_string(),
        root: dir.to_path_buf(),
    };
    if fs::symlink_metadata(dir.join(".git")).is_ok() {
        found.push(Found {
            entry: entry(),
            git: true,
            unreadable: false,
        });
        return;
    }
    if depth >= MAX_DEPTH {
        return;
    }
    match subdirectories(dir, false) {
        Ok(children) => {
            for (name, path) in children {
                search(&path, &format!("{rel}/{name}"), depth + 1, found);
            }
        }
        Err(_) => found.push(Found {
            entry: entry(),
            git: false,
            unreadable: true,
        }),
    }
}

/// Visible subdirectories, sorted by name. Symbolic links to directories count only when
/// `follow_links`: in the scanned folder itself, whose layout is the operator's (`ln -s
/// ~/src/svc org/svc`), never below it, where a link may come from a checkout and point
/// anywhere on the machine. Names that are not UTF-8 are skipped: they cannot be written
/// into a report faithfully.
fn subdirectories(dir: &Path, follow_links: bool) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let meta = if follow_links {
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        };
        if meta.is_ok_and(|m| m.is_dir()) {
            out.push((name, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The repositories a list file names, sorted by path.
pub fn in_list_file(file: &Path) -> Result<Vec<RepositoryEntry>, String> {
    let text =
        fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let base = file.parent().unwrap_or(Path::new(""));
    Ok(parse_list(&text, base))
}

/// Parses a list of repositories: one path per line, `#` comments (a whole line, or after
/// whitespace), blank lines ignored; relative paths are resolved against `base`.
pub fn parse_list(text: &str, base: &Path) -> Vec<RepositoryEntry> {
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        let written = Path::new(line);
        let path = match clean(written) {
            cleaned if cleaned.is_empty() => ".".to_string(),
            cleaned => cleaned,
        };
        let root = if written.is_absolute() {
            written.to_path_buf()
        } else {
            base.join(written)
        };
        entries.push(RepositoryEntry { path, root });
    }
    sorted_unique(entries)
}

fn strip_comment(line: &str) -> &str {
    let mut after_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && after_space {
            return &line[..i];
        }
        after_space = c.is_whitespace();
    }
    line
}

/// The path with `.` segments and trailing separators removed, `/` separated. `..` stays:
/// it is where the user pointed.
fn clean(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for component in path.components() {
        match component {
            Component::RootDir => absolute = true,
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => parts.push("..".to_string()),
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Sorted by path; a path listed twice is rated once (the first root given wins).
fn sorted_unique(entries: Vec<RepositoryEntry>) -> Vec<RepositoryEntry> {
    let mut by_path = BTreeMap::new();
    for entry in entries {
        by_path.entry(entry.path.clone()).or_insert(entry);
    }
    by_path.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(entries: &[RepositoryEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.path.as_str()).collect()
    }

    fn mkdir(root: &Path, rel: &str) {
        fs::create_dir_all(root.join(rel)).unwrap();
    }

    #[test]
    fn finds_git_checkouts_without_descending_into_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        mkdir(root, "web/.git");
        mkdir(root, "web/vendor/lib/.git"); // inside a repository: not separate
        mkdir(root, "payments/checkout/.git");
        mkdir(root, "payments/ledger");
        fs::write(
            root.join("payments/ledger/.git"),
            "gitdir: ../../.m/ledger\n",
        )
        .unwrap();
        mkdir(root, "payments/docs"); // no .git: not a repository
        mkdir(root, "github.com/acme/search/.git"); // depth 3
        mkdir(root, "too/deep/for/us/.git"); // depth 4
        mkdir(root, ".cache/thing/.git"); // hidden
        fs::write(root.join("notes.txt"), "").unwrap();
        let found = in_folder(root).unwrap();
        assert_eq!(
            paths(&found),
            [
                "github.com/acme/search",
                "payments/checkout",
                "payments/ledger",
                "web"
            ]
        );
        assert_eq!(found[1].root, root.join("payments").join("checkout"));
    }

    /// A link in the scanned folder is the operator's own layout and is followed; a link
    /// below it may come from a checkout and is not: it must not pull a repository from
    /// elsewhere on the machine into the scan.
    #[cfg(unix)]
    #[test]
    fn links_are_followed_in_the_scanned_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        let (org, elsewhere) = (dir.path().join("org"), dir.path().join("elsewhere"));
        mkdir(&elsewhere, "linked/.git");
        mkdir(&elsewhere, "secret/.git");
        mkdir(&org, "team/own/.git");
        mkdir(&org, "export/src");
        std::os::unix::fs::symlink(elsewhere.join("linked"), org.join("linked")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("secret"), org.join("team/secret")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, org.join("export/src/up")).unwrap();
        let found = in_folder(&org).unwrap();
        assert_eq!(paths(&found), ["linked", "team/own"]);
    }

    #[test]
    fn without_any_git_every_subdirectory_is_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        mkdir(root, "b/src");
        mkdir(root, "a");
        mkdir(root, ".hidden");
        fs::write(root.join("file"), "").unwrap();
        assert_eq!(paths(&in_folder(root).unwrap()), ["a", "b"]);
    }

    #[test]
    fn a_missing_folder_or_a_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(in_folder(&dir.path().join("nope")).is_err());
        fs::write(dir.path().join("f"), "").unwrap();
        let err = in_folder(&dir.path().join("f")).unwrap_err();
        assert!(err.contains("not a directory"), "{err}");
    }

    #[test]
    fn list_files_have_comments_and_relative_paths() {
        let base = Path::new("/srv/org");
        let text = "# the payments team\npayments/checkout\n\n  ./web/  # trailing comment\n/abs/repo\npayments/checkout\nweird#name\n\t# indented comment\n../sibling\n";
        let entries = parse_list(text, base);
        assert_eq!(
            paths(&entries),
            [
                "../sibling",
                "/abs/repo",
                "payments/checkout",
                "web",
                "weird#name"
            ]
        );
        let web = entries.iter().find(|e| e.path == "web").unwrap();
        assert_eq!(web.root, base.join("./web/"));
        let abs = entries.iter().find(|e| e.path == "/abs/repo").unwrap();
        assert_eq!(abs.root, PathBuf::from("/abs/repo"));
        assert!(parse_list("\n# nothing\n", base).is_empty());
        assert_eq!(paths(&parse_list("./\n", base)), ["."]);
    }
}
