//! Walks a repository into a sorted index of files, without reading them.
//!
//! The walk honours `.gitignore` (also outside a git checkout), skips dependency and build
//! folders, never follows a symlink out of the root and never reads anything above the
//! root (no parent or global ignore files). Files are opened later, and only when a
//! detector asks for them by path.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::diagnostic::{Diagnostic, Severity};

/// Folders that hold other people's code or build output, never a team's evidence.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    "target",
    ".terraform",
    ".terragrunt-cache",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".gradle",
    ".next",
    ".nuxt",
    ".cache",
    ".idea",
];

/// Default cap on the size of a file opened as evidence: real rule files and dashboards
/// stay well below it, generated bundles and data dumps do not.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub max_file_size: u64,
    /// Extra glob patterns (repository-relative) to leave out, e.g. from `.opready.yaml`.
    pub exclude: Vec<String>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
        }
    }
}

/// One file of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub size: u64,
    /// For a symlink that stays inside the root: the file it points to.
    target: Option<PathBuf>,
}

/// The sorted list of files of one repository.
#[derive(Debug)]
pub struct FileIndex {
    root: PathBuf,
    files: Vec<FileEntry>,
    max_file_size: u64,
    dirs: BTreeSet<String>,
}

/// Why a file's text could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    TooLarge { size: u64, limit: u64 },
    Binary,
    NotUtf8 { line: u32 },
    Io(String),
}

impl ReadError {
    pub fn to_diagnostic(&self, path: &str) -> Diagnostic {
        let (severity, code, message, line) = match self {
            ReadError::TooLarge { size, limit } => (
                Severity::Warning,
                "file-too-large",
                format!(
                    "skipped: {} is larger than the {} limit for evidence files",
                    human_size(*size),
                    human_size(*limit)
                ),
                None,
            ),
            ReadError::Binary => (
                Severity::Warning,
                "binary-file",
                "skipped: the file holds binary data, not text".to_string(),
                None,
            ),
            ReadError::NotUtf8 { line } => (
                Severity::Warning,
                "not-utf8",
                "skipped: the file is not valid UTF-8 text".to_string(),
                Some(*line),
            ),
            ReadError::Io(err) => (
                Severity::Warning,
                "unreadable-file",
                format!("skipped: could not read the file: {err}"),
                None,
            ),
        };
        Diagnostic::new(severity, code, message)
            .at(path, line.map(|l| crate::diagnostic::Position::new(l, 0)))
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

impl FileIndex {
    /// Walks `root`. Problems with single entries become diagnostics; only a root that
    /// cannot be read at all is an error.
    pub fn walk(
        root: &Path,
        options: &WalkOptions,
    ) -> Result<(FileIndex, Vec<Diagnostic>), String> {
        let meta =
            fs::metadata(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
        if !meta.is_dir() {
            return Err(format!("{} is not a directory", root.display()));
        }
        let canonical_root = fs::canonicalize(root)
            .map_err(|e| format!("cannot resolve {}: {e}", root.display()))?;
        let exclude = build_globset(&options.exclude)?;

        let mut diagnostics = Vec::new();
        let mut files = Vec::new();
        let mut links: Vec<(String, String)> = Vec::new();
        let mut dirs = BTreeSet::new();

        let gitignores = Arc::new(GitIgnores::new(root));
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_global(false)
            .git_exclude(false)
            .git_ignore(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if entry.depth() == 0 {
                    return true;
                }
                let skipped =
                    is_dir && SKIPPED_DIRS.contains(&entry.file_name().to_string_lossy().as_ref());
                !skipped && !gitignores.is_ignored(entry.path(), is_dir)
            })
            .build();

        for result in walker {
            let entry = match result {
                Ok(entry) => entry,
                Err(err) => {
                    let path = error_path(&err).and_then(|p| relative(root, &p));
                    // The I/O error's own message names the absolute path; its kind
                    // says what went wrong.
                    let reason = match err.io_error() {
                        Some(io) => format!("cannot be read ({})", io.kind()),
                        None => strip_path_prefix(&err.to_string()),
                    };
                    let mut diag = Diagnostic::new(
                        Severity::Warning,
                        "unreadable-path",
                        format!("skipped: {reason}"),
                    );
                    diag.path = path;
                    diagnostics.push(diag);
                    continue;
                }
            };
            if entry.depth() == 0 {
                continue;
            }
            let Some(rel) = relative(root, entry.path()) else {
                continue;
            };
            if exclude.is_match(&rel) {
                continue;
            }
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                dirs.insert(rel);
                continue;
            }
            if file_type.is_symlink() {
                match resolve_symlink(entry.path(), &canonical_root) {
                    Ok(Some((target, size))) => {
                        if let Some(real) = relative(&canonical_root, &target) {
                            links.push((rel.clone(), real));
                        }
                        files.push(FileEntry {
                            path: rel,
                            size,
                            target: Some(target),
                        });
                    }
                    Ok(None) => {} // a directory inside the root: scanned where it really is
                    Err(diag) => diagnostics.push(diag.at(&rel, None)),
                }
                continue;
            }
            if !file_type.is_file() {
                diagnostics.push(special_file("the path is").at(&rel, None));
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            // A name that is not valid UTF-8 is shown lossily; open the file by its real name.
            let target = entry
                .path()
                .to_str()
                .is_none()
                .then(|| entry.path().to_path_buf());
            files.push(FileEntry {
                path: rel,
                size,
                target,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        // A link to a file that is scanned where it really is would count its evidence twice.
        let linked: BTreeSet<&String> = links.iter().map(|(link, _)| link).collect();
        let duplicate_links: BTreeSet<String> = links
            .iter()
            .filter(|(_, real)| {
                files
                    .binary_search_by(|f| f.path.as_str().cmp(real))
                    .is_ok_and(|i| !linked.contains(&files[i].path))
            })
            .map(|(link, _)| link.clone())
            .collect();
        files.retain(|f| !duplicate_links.contains(&f.path));
        diagnostics.sort();
        Ok((
            FileIndex {
                root: root.to_path_buf(),
                files,
                max_file_size: options.max_file_size,
                dirs,
            },
            diagnostics,
        ))
    }

    /// An index over an explicit list of files (pre-commit mode and tests).
    pub fn from_entries(root: &Path, mut paths: Vec<(String, u64)>) -> FileIndex {
        paths.sort();
        paths.dedup();
        let mut dirs = BTreeSet::new();
        for (p, _) in &paths {
            let mut cur = p.as_str();
            while let Some(i) = cur.rfind('/') {
                cur = &cur[..i];
                dirs.insert(cur.to_string());
            }
        }
        FileIndex {
            root: root.to_path_buf(),
            files: paths
                .into_iter()
                .map(|(path, size)| FileEntry {
                    path,
                    size,
                    target: None,
                })
                .collect(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            dirs,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn files(&self) -> &[FileEntry] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether a repository-relative file exists (after ignores).
    pub fn contains(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }

    /// Whether a repository-relative folder exists and holds at least one indexed file.
    pub fn contains_dir(&self, path: &str) -> bool {
        self.dirs.contains(path.trim_end_matches('/'))
    }

    /// Files directly or indirectly below `dir` (repository-relative, no trailing slash).
    pub fn files_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a FileEntry> + 'a {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let start = self
            .files
            .partition_point(|f| f.path.as_str() < prefix.as_str());
        self.files[start..]
            .iter()
            .take_while(move |f| f.path.starts_with(&prefix))
    }

    /// Reads a file as UTF-8 text, refusing files over the size limit, binary files and
    /// invalid UTF-8. A leading byte-order mark is dropped.
    pub fn read(&self, entry: &FileEntry) -> Result<String, ReadError> {
        if entry.size > self.max_file_size {
            return Err(ReadError::TooLarge {
                size: entry.size,
                limit: self.max_file_size,
            });
        }
        let full = match &entry.target {
            Some(target) => target.clone(),
            None => self.root.join(&entry.path),
        };
        let file = fs::File::open(&full).map_err(|e| ReadError::Io(e.to_string()))?;
        // Read one byte past the limit so a file that grew since the walk is still refused.
        let mut bytes = Vec::with_capacity(entry.size as usize);
        file.take(self.max_file_size + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        if bytes.len() as u64 > self.max_file_size {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_file_size,
            });
        }
        decode(bytes)
    }
}

/// Decodes file bytes as UTF-8 text, refusing binary data.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(ReadError::Binary);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        ReadError::NotUtf8 { line }
    })
}

fn build_globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let glob =
            Glob::new(pattern).map_err(|e| format!("invalid exclude pattern {pattern:?}: {e}"))?;
        builder.add(glob);
        // `dir` and `dir/**` both mean "the folder and everything in it".
        if !pattern.contains('*') {
            let below = format!("{pattern}/**");
            builder.add(
                Glob::new(&below)
                    .map_err(|e| format!("invalid exclude pattern {pattern:?}: {e}"))?,
            );
        }
    }
    builder
        .build()
        .map_err(|e| format!("invalid exclude patterns: {e}"))
}

/// Resolves a symlink. `Ok(Some)` for a file inside the root, `Ok(None)` for a directory
/// inside the root, `Err` (a diagnostic without a path) otherwise.
fn resolve_symlink(
    link: &Path,
    canonical_root: &Path,
) -> Result<Option<(PathBuf, u64)>, Diagnostic> {
    let target = match fs::canonicalize(link) {
        Ok(t) => t,
        Err(err) => {
            let is_loop = err.raw_os_error() == Some(40) // ELOOP on Linux
                || err.to_string().to_lowercase().contains("symbolic links");
            let (code, message) = if is_loop {
                (
                    "symlink-loop",
                    "skipped: symlink loop (the link leads back to itself)".to_string(),
                )
            } else {
                (
                    "broken-symlink",
                    format!("skipped: the symlink's target cannot be read ({err})"),
                )
            };
            return Err(Diagnostic::new(Severity::Warning, code, message));
        }
    };
    if !target.starts_with(canonical_root) {
        return Err(Diagnostic::new(
            Severity::Warning,
            "symlink-outside-root",
            "skipped: the symlink points outside the scanned repository, which opready never reads",
        ));
    }
    let meta = fs::metadata(&target).map_err(|e| {
        Diagnostic::new(Severity::Warning, "broken-symlink", format!("skipped: {e}"))
    })?;
    if meta.is_dir() {
        return Ok(None);
    }
    if !meta.is_file() {
        return Err(special_file("the symlink points at"));
    }
    Ok(Some((target, meta.len())))
}

/// A pipe, socket or device: opening one could block the scan forever.
fn special_file(what: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "special-file",
        format!("skipped: {what} a pipe, socket or device, not a regular file"),
    )
}

/// The `.gitignore` files of a walk, honoured also outside a git checkout.
///
/// Read here rather than by the `ignore` crate, which opens a symlinked `.gitignore`
/// wherever it points, even outside the repository. Like git itself (since 2.32), a
/// `.gitignore` that is a symlink is not followed.
struct GitIgnores {
    root: PathBuf,
    /// The innermost `.gitignore` scope of each folder seen, `None` when none applies.
    by_dir: Mutex<HashMap<PathBuf, Option<Arc<Scope>>>>,
}

/// One `.gitignore` and the scope of the folder above it: the files that apply in a
/// folder, deepest first.
struct Scope {
    gitignore: Gitignore,
    parent: Option<Arc<Scope>>,
}

/// A `.gitignore` larger than this is not a list of patterns anyone wrote.
const MAX_GITIGNORE_SIZE: u64 = 1024 * 1024;

impl GitIgnores {
    fn new(root: &Path) -> Self {
        GitIgnores {
            root: root.to_path_buf(),
            by_dir: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `path` (below the root) is ignored: the deepest `.gitignore` with a
    /// matching pattern decides, as in git. Folders are checked before their contents, so
    /// a file in an ignored folder is never asked about.
    fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let scope = self.scope_of(parent);
        let mut scope = scope.as_deref();
        while let Some(s) = scope {
            match s.gitignore.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
            scope = s.parent.as_deref();
        }
        false
    }

    /// The scope of `dir`, built from the nearest folder above it already known, so each
    /// folder costs one lookup however deep it is.
    fn scope_of(&self, dir: &Path) -> Option<Arc<Scope>> {
        let mut by_dir = self.by_dir.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pending = Vec::new();
        let mut inherited = None;
        let mut current = Some(dir);
        while let Some(d) = current.filter(|d| d.starts_with(&self.root)) {
            if let Some(known) = by_dir.get(d) {
                inherited = known.clone();
                break;
            }
            pending.push(d);
            current = d.parent();
        }
        for d in pending.into_iter().rev() {
            let scope = match load_gitignore(d) {
                Some(gitignore) => Some(Arc::new(Scope {
                    gitignore,
                    parent: inherited,
                })),
                None => inherited,
            };
            by_dir.insert(d.to_path_buf(), scope.clone());
            inherited = scope;
        }
        inherited
    }
}

fn load_gitignore(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    let meta = fs::symlink_metadata(&file).ok()?;
    if !meta.is_file() || meta.len() > MAX_GITIGNORE_SIZE {
        return None;
    }
    let bytes = fs::read(&file).ok()?;
    let mut builder = GitignoreBuilder::new(dir);
    for line in String::from_utf8_lossy(&bytes).lines() {
        // A malformed pattern is skipped, as git does.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok()
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// `ignore` prefixes messages with the absolute path; the diagnostic carries the relative
/// path separately, so keep the message free of machine-specific prefixes.
fn strip_path_prefix(message: &str) -> String {
    match message.find(": ") {
        Some(i) if message[..i].contains('/') => message[i + 2..].to_string(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_binary_and_reports_the_line_of_bad_utf8() {
        assert_eq!(decode(b"a\0b".to_vec()), Err(ReadError::Binary));
        assert_eq!(
            decode(b"ok\nok\n\xff".to_vec()),
            Err(ReadError::NotUtf8 { line: 3 })
        );
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec()), Ok("hi".to_string()));
    }

    #[test]
    fn walk_honours_gitignore_and_skips_dependency_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("node_modules/x")).unwrap();
        fs::create_dir_all(root.join("docs")).unwrap();
        fs::write(root.join("node_modules/x/README.md"), "x").unwrap();
        fs::write(root.join(".gitignore"), "secret.yaml\n").unwrap();
        fs::write(root.join("secret.yaml"), "a: 1").unwrap();
        fs::write(root.join("docs/b.md"), "b").unwrap();
        fs::write(root.join("a.md"), "a").unwrap();
        let (index, diags) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
        let paths: Vec<&str> = index.files().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".gitignore", "a.md", "docs/b.md"]);
        assert!(diags.is_empty());
        assert!(index.contains("docs/b.md"));
        assert!(index.contains_dir("docs"));
        assert_eq!(index.files_under("docs").count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_and_loops_are_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
        let root = dir.path();
        fs::write(root.join("real.md"), "# Real").unwrap();
        std::os::unix::fs::symlink(outside.path().join("passwd"), root.join("escape.md")).unwrap();
        std::os::unix::fs::symlink(root.join("loop-b"), root.join("loop-a")).unwrap();
        std::os::unix::fs::symlink(root.join("loop-a"), root.join("loop-b")).unwrap();
        std::os::unix::fs::symlink(root.join("real.md"), root.join("alias.md")).unwrap();
        let (index, diags) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
        let paths: Vec<&str> = index.files().iter().map(|f| f.path.as_str()).collect();
        // The link to real.md is dropped: real.md is read where it is, once.
        assert_eq!(paths, ["real.md"]);
        let codes: Vec<(&str, &str)> = diags
            .iter()
            .map(|d| (d.path.as_deref().unwrap(), d.code.as_str()))
            .collect();
        assert!(
            codes.contains(&("escape.md", "symlink-outside-root")),
            "{codes:?}"
        );
        assert!(codes.contains(&("loop-a", "symlink-loop")), "{codes:?}");
        assert_eq!(index.read(&index.files()[0]).unwrap(), "# Real");
    }

    /// The files the `ignore` crate's own `.gitignore` handling keeps, as the oracle.
    fn kept_by_the_ignore_crate(root: &Path) -> Vec<String> {
        let mut paths: Vec<String> = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_global(false)
            .git_exclude(false)
            .git_ignore(true)
            .require_git(false)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter_map(|e| relative(root, e.path()))
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn nested_gitignores_keep_what_git_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let full = root.join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        };
        write(
            ".gitignore",
            "# comment\n*.log\n/build\n!keep.log\nx/\nnested.yaml\n[bad\n",
        );
        write("a/.gitignore", "!z.log\n*.tmp\n");
        write("a/b/.gitignore", "c/\n/e.yaml\n");
        for path in [
            "a.log",
            "keep.log",
            "z.log",
            "a/z.log",
            "a/q.tmp",
            "a/b/c/d.yaml",
            "a/b/e.yaml",
            "a/b/f/e.yaml",
            "build/x.yaml",
            "logs/build",
            "nested.yaml",
            "a/nested.yaml",
            "x/y/z.yaml",
            "q/x",
            "keep/a.tmp",
        ] {
            write(path, "k: 1");
        }
        let (index, _) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
        let paths: Vec<String> = index.files().iter().map(|f| f.path.clone()).collect();
        assert_eq!(paths, kept_by_the_ignore_crate(root));
        assert!(paths.contains(&"a/z.log".to_string()), "{paths:?}");
        assert!(!paths.contains(&"a/b/e.yaml".to_string()), "{paths:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_gitignore_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("patterns"), "*.yaml\n").unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("a.yaml"), "a: 1").unwrap();
        fs::write(root.join("sub/b.yaml"), "b: 1").unwrap();
        std::os::unix::fs::symlink(outside.path().join("patterns"), root.join(".gitignore"))
            .unwrap();
        std::os::unix::fs::symlink("../a.yaml", root.join("sub/.gitignore")).unwrap();
        let (index, diags) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
        let paths: Vec<&str> = index.files().iter().map(|f| f.path.as_str()).collect();
        // sub/.gitignore links to a.yaml, which is scanned where it is.
        assert_eq!(paths, ["a.yaml", "sub/b.yaml"]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "symlink-outside-root");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_are_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.yaml"))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo is not available; pipes not tested");
            return;
        }
        std::os::unix::fs::symlink("pipe.yaml", root.join("link.yaml")).unwrap();
        let (index, diags) = FileIndex::walk(root, &WalkOptions::default()).unwrap();
        assert!(index.is_empty(), "{:?}", index.files());
        let mut codes: Vec<(&str, &str)> = diags
            .iter()
            .map(|d| (d.path.as_deref().unwrap_or(""), d.code.as_str()))
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [("link.yaml", "special-file"), ("pipe.yaml", "special-file")]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_whose_name_is_not_utf8_is_still_read() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
        fs::write(dir.path().join(name), "a: 1").unwrap();
        let (index, _) = FileIndex::walk(dir.path(), &WalkOptions::default()).unwrap();
        assert_eq!(index.files()[0].path, "caf\u{fffd}.yaml");
        assert_eq!(index.read(&index.files()[0]).unwrap(), "a: 1");
    }

    #[test]
    fn large_files_are_refused_when_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big.yaml"), vec![b'a'; 2048]).unwrap();
        let options = WalkOptions {
            max_file_size: 1024,
            ..Default::default()
        };
        let (index, _) = FileIndex::walk(dir.path(), &options).unwrap();
        assert!(matches!(
            index.read(&index.files()[0]),
            Err(ReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn exclude_patterns_leave_out_folders_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("examples/x")).unwrap();
        fs::write(dir.path().join("examples/x/a.yaml"), "a: 1").unwrap();
        fs::write(dir.path().join("b.yaml"), "b: 1").unwrap();
        fs::write(dir.path().join("c.tmp"), "c").unwrap();
        let options = WalkOptions {
            exclude: vec!["examples".into(), "*.tmp".into()],
            ..Default::default()
        };
        let (index, _) = FileIndex::walk(dir.path(), &options).unwrap();
        let paths: Vec<&str> = index.files().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["b.yaml"]);
    }
}
