//! Repository-relative paths with the tests detectors use to decide which files to read.

/// A path written relative to the folder `dir`, as a repository path: `.` and `..`
/// resolved and empty components dropped (`envs/prod` and `../shared/net` give
/// `envs/shared/net`). `None` when it climbs out of the repository.
pub fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(relative.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A repository-relative, `/`-separated path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoPath<'a> {
    path: &'a str,
}

impl<'a> RepoPath<'a> {
    pub fn new(path: &'a str) -> Self {
        RepoPath { path }
    }

    pub fn as_str(&self) -> &'a str {
        self.path
    }

    /// The file name (last component).
    pub fn name(&self) -> &'a str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// The folder holding the file, `""` at the root.
    pub fn dir(&self) -> &'a str {
        self.path.rfind('/').map_or("", |i| &self.path[..i])
    }

    /// The folder components.
    pub fn dirs(&self) -> impl Iterator<Item = &'a str> {
        let dir = self.dir();
        dir.split('/').filter(|s| !s.is_empty())
    }

    /// Whether any folder on the path has this name, compared case-insensitively.
    pub fn in_dir_named(&self, names: &[&str]) -> bool {
        self.dirs()
            .any(|d| names.iter().any(|n| d.eq_ignore_ascii_case(n)))
    }

    /// The path starts with this folder (`".github/workflows"`).
    pub fn under(&self, dir: &str) -> bool {
        self.path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The extension after the last dot, lowercased (`"yaml"`), `""` when none.
    pub fn ext(&self) -> String {
        let name = self.name();
        match name.rfind('.') {
            Some(i) if i > 0 => name[i + 1..].to_ascii_lowercase(),
            _ => String::new(),
        }
    }

    pub fn is_yaml(&self) -> bool {
        matches!(self.ext().as_str(), "yaml" | "yml")
    }

    pub fn is_json(&self) -> bool {
        self.ext() == "json"
    }

    /// Markdown by extension, including `.mdx` and Middleman's `.html.md.erb`.
    pub fn is_markdown(&self) -> bool {
        let name = self.name().to_ascii_lowercase();
        [".md", ".markdown", ".mdx", ".md.erb", ".mdown", ".mkd"]
            .iter()
            .any(|ext| name.ends_with(ext))
    }

    /// reStructuredText by extension (`.rst`, `.rest`).
    pub fn is_rst(&self) -> bool {
        matches!(self.ext().as_str(), "rst" | "rest")
    }

    /// AsciiDoc by extension (`.adoc`, `.asciidoc`, `.asc`).
    pub fn is_asciidoc(&self) -> bool {
        matches!(self.ext().as_str(), "adoc" | "asciidoc" | "asc")
    }

    /// A Terraform configuration (`*.tf`) of the repository itself: not one of the copies
    /// Terraform and Terragrunt download into `.terraform/` and `.terragrunt-cache/`.
    pub fn is_terraform(&self) -> bool {
        self.ext() == "tf" && !self.in_dir_named(&[".terraform", ".terragrunt-cache"])
    }

    /// A document detectors read as an outline: Markdown, reStructuredText or AsciiDoc.
    pub fn is_doc(&self) -> bool {
        self.is_markdown() || self.is_rst() || self.is_asciidoc()
    }

    /// The file name without Markdown extensions, lowercased (`runbook` for `Runbook.md`).
    pub fn stem_lower(&self) -> String {
        let name = self.name().to_ascii_lowercase();
        for ext in [
            ".html.md.erb",
            ".md.erb",
            ".markdown",
            ".mdown",
            ".mdx",
            ".mkd",
            ".md",
            ".yaml",
            ".yml",
            ".json",
            ".txt",
            ".rst",
            ".rest",
            ".adoc",
            ".asciidoc",
            ".asc",
        ] {
            if let Some(stem) = name.strip_suffix(ext) {
                return stem.to_string();
            }
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let p = RepoPath::new("docs/Runbooks/High-Latency.html.md.erb");
        assert_eq!(p.name(), "High-Latency.html.md.erb");
        assert_eq!(p.dir(), "docs/Runbooks");
        assert!(p.in_dir_named(&["runbooks"]));
        assert!(p.is_markdown());
        assert_eq!(p.stem_lower(), "high-latency");
        assert!(p.under("docs"));
        assert!(!p.under("doc"));
        assert_eq!(RepoPath::new("README").ext(), "");
        assert_eq!(RepoPath::new(".gitlab-ci.yml").ext(), "yml");
        assert_eq!(RepoPath::new("a.yaml").dir(), "");
        let rst = RepoPath::new("docs/Runbook.rst");
        assert!(rst.is_rst() && rst.is_doc() && !rst.is_markdown());
        assert_eq!(rst.stem_lower(), "runbook");
        for adoc in ["README.adoc", "x/y.asciidoc", "ops.asc"] {
            let p = RepoPath::new(adoc);
            assert!(p.is_asciidoc() && p.is_doc(), "{adoc}");
        }
        assert_eq!(RepoPath::new("guide.asciidoc").stem_lower(), "guide");
        assert!(!RepoPath::new("notes.txt").is_doc());
        assert!(RepoPath::new("infra/main.tf").is_terraform());
        assert_eq!(
            join("envs/prod", "../shared/net").as_deref(),
            Some("envs/shared/net")
        );
        assert_eq!(join("", "./a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(join("a", "..").as_deref(), Some(""));
        assert_eq!(join("a", "../../x"), None);
        assert!(!RepoPath::new("infra/.terraform/modules/vpc/main.tf").is_terraform());
        assert!(!RepoPath::new("live/.terragrunt-cache/x/main.tf").is_terraform());
        assert!(!RepoPath::new("infra/main.tfvars").is_terraform());
    }
}
