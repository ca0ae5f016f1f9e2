//! A synthetic organisation for the org tests and the org benchmark: the repository
//! fixtures copied many times over with varied owners, tiers and layouts.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// A fixture repository's files, read once and written many times.
pub struct Template {
    pub files: Vec<(String, Vec<u8>)>,
}

fn read_tree(root: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            read_tree(root, &child, out);
        } else {
            out.push((child, fs::read(entry.path()).unwrap()));
        }
    }
}

/// Every fixture repository: the service examples, one per format, one per criterion.
pub fn templates() -> Vec<Template> {
    let mut dirs = vec![
        fixtures().join("service-best-practice"),
        fixtures().join("service-bare"),
        fixtures().join("library"),
    ];
    for parent in [fixtures(), fixtures().join("criteria")] {
        let mut found: Vec<PathBuf> = fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.is_dir()
                    && (parent.ends_with("criteria")
                        || p.file_name()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with("format-"))
            })
            .collect();
        found.sort();
        dirs.extend(found);
    }
    dirs.iter()
        .map(|dir| {
            let mut files = Vec::new();
            read_tree(dir, "", &mut files);
            Template { files }
        })
        .collect()
}

pub const TEAMS: [&str; 7] = [
    "@acme/payments",
    "@acme/search",
    "@acme/platform",
    "@acme/identity",
    "group:team-data",
    "@acme/web",
    "@acme/mobile",
];

/// The index of the repository whose `.opready.yaml` is broken.
pub const BROKEN: usize = 123;

/// Writes an organisation of `count` repositories under `root` and returns their paths
/// (relative, as the org report names them). Layouts vary: `svc`, `team/svc`,
/// `host/team/svc`; `.git` is a folder or a file. Owners and tiers come from
/// `.opready.yaml`, from the fixture (CODEOWNERS, catalog) or are missing.
pub fn synthetic_org(root: &Path, count: usize) -> Vec<String> {
    let templates = templates();
    let mut paths = Vec::new();
    for i in 0..count {
        let template = &templates[(i * 7) % templates.len()];
        let team = TEAMS[(i / 3) % TEAMS.len()];
        let folder = team.trim_start_matches('@').replace([':', '/'], "-");
        let path = match i % 5 {
            0 => format!("svc-{i:03}"),
            3 => format!("github.com/{folder}/svc-{i:03}"),
            _ => format!("{folder}/svc-{i:03}"),
        };
        let repo = root.join(&path);
        for (rel, bytes) in &template.files {
            write(&repo, rel, bytes);
        }
        if i % 10 == 4 {
            write(&repo, ".git", b"gitdir: ../../.worktrees/x\n");
        } else {
            write(&repo, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        let config = match i % 4 {
            0 => format!(
                "service: svc-{i:03}\nowner: \"{team}\"\ntier: {}\n",
                (i / 4) % 3 + 1
            ),
            1 => "tier: 2\n".to_string(),
            2 => String::new(),
            _ => format!("owner: \"{team}\"\ntargets: {{slo: 2, delivery: 2}}\n"),
        };
        if i == BROKEN {
            write(&repo, ".opready.yaml", b"tier: [1,\nowner: {\n");
        } else if !config.is_empty() {
            write(&repo, ".opready.yaml", config.as_bytes());
        }
        paths.push(path);
    }
    // Folders that are not repositories: no `.git`.
    write(root, "docs/README.md", b"# The org\n");
    write(root, "acme-web/notes/todo.md", b"- nothing\n");
    paths.sort();
    paths
}
