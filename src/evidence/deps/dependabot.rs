//! Dependabot version updates (`.github/dependabot.yml`).
//!
//! ## What it finds
//! One dependency-update configuration listing the ecosystems its `updates` entries cover,
//! with Dependabot's `package-ecosystem` values normalised to the names used in
//! `ecosystems` (`npm` also covers Yarn and pnpm, `uv` is `pip`, `docker-compose` is
//! `docker`, `opentofu` is `terraform`).
//!
//! Dependabot never merges on its own, so `automerge` is false; an auto-merge workflow
//! shows up as an `automerge` CI step instead.
//!
//! An entry with `open-pull-requests-limit: 0` opens no version-update pull requests: it
//! does not cover its ecosystem, and a note says so. (Security updates, which that limit
//! does not stop, are switched on in the repository's settings, not in this file, so they
//! cannot be seen here.)

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{Collector, DependencyUpdates, Detector, FileContext, RepoPath, Source};
use crate::parse::yaml::Node;

pub struct Dependabot;

impl Detector for Dependabot {
    fn id(&self) -> &'static str {
        "dependabot"
    }

    fn summary(&self) -> &'static str {
        "Dependabot version updates in `.github/dependabot.yml`: the package ecosystems kept up to date"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        matches!(
            path.as_str(),
            ".github/dependabot.yml" | ".github/dependabot.yaml"
        )
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let path = file.path.as_str();
        let Some(text) = file.text() else {
            return;
        };
        if !text.contains("updates") && !text.contains("package-ecosystem") {
            out.diagnostic(
                Diagnostic::new(
                    Severity::Warning,
                    "dependabot-no-updates",
                    "Dependabot configuration has no `updates` entries: it keeps nothing up to date",
                )
                .at(path, None),
            );
            return;
        }
        let Some(doc) = file.yaml(self.id()).and_then(|d| d.first()) else {
            return;
        };
        let mut ecosystems = BTreeSet::new();
        let updates = doc.get("updates").map(Node::as_seq).unwrap_or(&[]);
        if updates.is_empty() {
            out.diagnostic(
                Diagnostic::new(
                    Severity::Warning,
                    "dependabot-no-updates",
                    "Dependabot configuration has no `updates` entries: it keeps nothing up to date",
                )
                .at(path, Some(doc.pos)),
            );
        }
        for update in updates {
            let Some(value) = update.get("package-ecosystem") else {
                continue;
            };
            let Some(raw) = value.scalar_text() else {
                continue;
            };
            let name = ecosystem_name(&raw);
            if let Some((limit, _)) = update
                .entry("open-pull-requests-limit")
                .filter(|(_, v)| v.as_f64() == Some(0.0))
            {
                let directory = update
                    .get("directory")
                    .and_then(Node::scalar_text)
                    .or_else(|| {
                        let dirs = update.get("directories")?.string_list();
                        (!dirs.is_empty()).then(|| dirs.join(", "))
                    })
                    .map_or_else(String::new, |d| format!(" in `{}`", d.trim()));
                out.diagnostic(
                    Diagnostic::new(
                        Severity::Note,
                        "dependabot-updates-disabled",
                        format!(
                            "`open-pull-requests-limit: 0` switches off version updates for `{}`{directory}, so this entry does not count as keeping it up to date (Dependabot security updates are switched on in the repository settings, not in this file)",
                            name.unwrap_or(raw.trim())
                        ),
                    )
                    .at(path, Some(limit.pos)),
                );
                continue;
            }
            match name {
                Some(name) => {
                    ecosystems.insert(name.to_string());
                }
                None => {
                    out.diagnostic(
                        Diagnostic::new(
                            Severity::Warning,
                            "unknown-package-ecosystem",
                            format!("`{raw}` is not a Dependabot package ecosystem; Dependabot rejects this configuration"),
                        )
                        .at(path, Some(value.pos)),
                    );
                    ecosystems.insert(raw.trim().to_ascii_lowercase());
                }
            }
        }
        out.evidence.dependency_updates.push(DependencyUpdates {
            tool: "dependabot".to_string(),
            ecosystems: ecosystems.into_iter().collect(),
            all_ecosystems: false,
            disabled_ecosystems: Vec::new(),
            automerge: false,
            source: Source::new(path, Some(doc.pos)),
        });
    }
}

/// The `ecosystems` name of a Dependabot `package-ecosystem` value; `None` when Dependabot
/// does not know it.
pub fn ecosystem_name(value: &str) -> Option<&'static str> {
    Some(match value.trim().to_ascii_lowercase().as_str() {
        "npm" | "yarn" | "pnpm" | "bun" => "npm",
        "pip" | "pipenv" | "pip-compile" | "poetry" | "uv" => "pip",
        "docker" | "docker-compose" => "docker",
        "terraform" | "opentofu" => "terraform",
        "gomod" => "gomod",
        "github-actions" => "github-actions",
        "gradle" => "gradle",
        "maven" => "maven",
        "cargo" => "cargo",
        "bundler" => "bundler",
        "composer" => "composer",
        "nuget" => "nuget",
        "mix" => "mix",
        "pub" => "pub",
        "swift" => "swift",
        "helm" => "helm",
        "gitsubmodule" => "gitsubmodule",
        "devcontainers" => "devcontainers",
        "elm" => "elm",
        "dotnet-sdk" => "dotnet-sdk",
        "bazel" => "bazel",
        "julia" => "julia",
        "rust-toolchain" => "rust-toolchain",
        "vcpkg" => "vcpkg",
        "conda" => "conda",
        "pre-commit" => "pre-commit",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> crate::evidence::Detection {
        crate::evidence::testing::detect_files(&[(path, text)], &Dependabot)
    }

    #[test]
    fn normalises_ecosystems() {
        let text = r#"# keep things fresh
version: 2
updates:
  - package-ecosystem: "npm"
    directory: "/web"
    schedule: { interval: weekly }
  - package-ecosystem: yarn
    directory: "/"
  - package-ecosystem: uv
    directory: "/"
  - package-ecosystem: docker-compose
    directory: "/"
  - package-ecosystem: gomod
    directory: "/"
  - package-ecosystem: github-actions
    directory: "/"
"#;
        let d = scan(".github/dependabot.yml", text);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let u = &d.evidence.dependency_updates[0];
        assert_eq!(u.tool, "dependabot");
        assert_eq!(
            u.ecosystems,
            vec!["docker", "github-actions", "gomod", "npm", "pip"]
        );
        assert!(!u.all_ecosystems && !u.automerge);
        assert_eq!(u.source.line, Some(2));
    }

    #[test]
    fn unknown_ecosystems_and_empty_configs_are_reported() {
        let d = scan(
            ".github/dependabot.yaml",
            "version: 2\nupdates:\n  - package-ecosystem: gomodules\n    directory: /\n",
        );
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "unknown-package-ecosystem");
        assert_eq!(d.diagnostics[0].line, Some(3));
        assert_eq!(
            d.evidence.dependency_updates[0].ecosystems,
            vec!["gomodules"]
        );

        let d = scan(".github/dependabot.yml", "version: 2\nupdates: []\n");
        assert_eq!(d.diagnostics[0].code, "dependabot-no-updates");
        assert!(d.evidence.dependency_updates[0].ecosystems.is_empty());
    }

    #[test]
    fn entries_limited_to_zero_pull_requests_cover_nothing() {
        let text = r#"version: 2
updates:
  - package-ecosystem: npm
    directory: /web
    open-pull-requests-limit: 0
  - package-ecosystem: npm
    directory: /admin
  - package-ecosystem: gomod
    directory: /
    open-pull-requests-limit: 0
  - package-ecosystem: docker
    directories: [/, /tools]
    open-pull-requests-limit: 0
  - package-ecosystem: cargo
    directory: /
    open-pull-requests-limit: 5
"#;
        let d = scan(".github/dependabot.yml", text);
        // npm is still covered by its /admin entry.
        assert_eq!(
            d.evidence.dependency_updates[0].ecosystems,
            vec!["cargo", "npm"]
        );
        assert_eq!(d.diagnostics.len(), 3, "{:?}", d.diagnostics);
        assert!(
            d.diagnostics
                .iter()
                .all(|d| d.severity == Severity::Note && d.code == "dependabot-updates-disabled")
        );
        let npm = d
            .diagnostics
            .iter()
            .find(|d| d.message.contains("`npm`"))
            .unwrap();
        assert_eq!(npm.line, Some(5));
        assert!(
            npm.message.starts_with(
                "`open-pull-requests-limit: 0` switches off version updates for `npm` in `/web`"
            ),
            "{}",
            npm.message
        );
        assert!(npm.message.contains("repository settings"));
        assert!(
            d.diagnostics
                .iter()
                .any(|d| d.message.contains("`docker` in `/, /tools`"))
        );
    }

    #[test]
    fn other_paths_are_ignored() {
        let d = scan("docs/dependabot.yml", "version: 2\nupdates: []\n");
        assert!(d.evidence.dependency_updates.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-dependabot", &Dependabot);
        // The pip entry opens no pull requests: it covers nothing, and a note says why.
        assert_eq!(
            d.evidence.dependency_updates[0].ecosystems,
            vec!["docker", "github-actions", "gomod", "npm"]
        );
        let codes: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.severity, d.line))
            .collect();
        assert_eq!(
            codes,
            [("dependabot-updates-disabled", Severity::Note, Some(27))]
        );
    }
}
