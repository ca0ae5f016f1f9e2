//! `CODEOWNERS` files (GitHub and GitLab): who reviews and owns which paths.
//!
//! ## What it recognises
//! `CODEOWNERS` at the repository root, in `.github/`, `docs/` or `.gitlab/`. Each line is
//! a gitignore-style pattern followed by owners (`@user`, `@org/team`, an e-mail address).
//! GitLab `[Section]` headers group rules; a section header may name default owners that
//! apply to the section's rules written without owners.
//!
//! ## Why it matters
//! An owner for every path is how alerts, incidents and reviews reach the right team.

use std::collections::BTreeMap;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::evidence::{CodeOwners, Collector, Detector, FileContext, RepoPath, Source};

pub struct CodeOwnersFile;

/// Folders GitHub and GitLab look in for a `CODEOWNERS` file.
const LOCATIONS: &[&str] = &["", ".github", "docs", ".gitlab"];

impl Detector for CodeOwnersFile {
    fn id(&self) -> &'static str {
        "codeowners"
    }

    fn summary(&self) -> &'static str {
        "CODEOWNERS files at the root, in .github/, docs/ or .gitlab/: rules, default owners and every owner named"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.name() == "CODEOWNERS" && LOCATIONS.contains(&path.dir())
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        let (rules, invalid) = parse_checked(text);
        let path = file.path.as_str();
        if let Some(first) = invalid.first() {
            out.diagnostic(
                Diagnostic::new(
                    Severity::Warning,
                    "invalid-codeowners-line",
                    format!(
                        "{} line(s) of CODEOWNERS are ignored by GitHub and GitLab: `{}` is not an owner (write @user, @org/team or an e-mail address)",
                        invalid.len(),
                        first.token
                    ),
                )
                .at(path, Some(Position::new(first.line, 1))),
            );
        }
        let mut owners: Vec<String> = rules.iter().flat_map(|r| r.owners.clone()).collect();
        owners.sort();
        owners.dedup();
        out.evidence.codeowners.push(CodeOwners {
            path: path.to_string(),
            rules: rules.iter().filter(|r| !r.owners.is_empty()).count() as u32,
            default_owners: default_owners(&rules),
            owners,
            source: Source::file(path),
        });
        out.codeowners_rules.insert(path.to_string(), rules);
    }
}

/// One line of a `CODEOWNERS` file that names a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRule {
    /// The pattern as written (gitignore syntax, relative to the repository root).
    pub pattern: String,
    /// Owners of matching paths; empty when the line removes ownership (GitHub) and its
    /// section names no default owners.
    pub owners: Vec<String>,
    /// GitLab section the rule belongs to (lowercased), `None` before any section.
    pub section: Option<String>,
    pub line: u32,
}

impl OwnerRule {
    /// A pattern that matches every path of the repository.
    pub fn is_catch_all(&self) -> bool {
        matches!(self.pattern.as_str(), "*" | "/" | "/**" | "**")
    }
}

/// A line GitHub and GitLab ignore because an owner is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidLine {
    pub line: u32,
    /// The first token that is not an owner.
    pub token: String,
}

/// Parses the rules of a `CODEOWNERS` file, in file order. Never fails: a line that is not
/// a rule is skipped, as GitHub skips it.
pub fn parse(text: &str) -> Vec<OwnerRule> {
    parse_checked(text).0
}

/// `@user`, `@org/team`, `@group/subgroup`, GitLab `@@role`, or an e-mail address.
fn is_owner(token: &str) -> bool {
    match token.strip_prefix('@') {
        Some(rest) => !rest.is_empty(),
        None => token
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')),
    }
}

/// The rules, and the lines ignored because they name something that is not an owner.
pub fn parse_checked(text: &str) -> (Vec<OwnerRule>, Vec<InvalidLine>) {
    let mut invalid = Vec::new();
    let mut rules = Vec::new();
    let mut section: Option<String> = None;
    let mut section_owners: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, defaults)) = section_header(line) {
            section = Some(name.to_lowercase());
            section_owners = defaults;
            continue;
        }
        let mut tokens = split_tokens(line).into_iter();
        let Some(pattern) = tokens.next() else {
            continue;
        };
        // Negation is not supported by CODEOWNERS; GitHub reports such a line as an error.
        if pattern.starts_with('!') {
            continue;
        }
        let mut owners: Vec<String> = tokens.take_while(|t| !t.starts_with('#')).collect();
        if let Some(bad) = owners.iter().find(|o| !is_owner(o)) {
            invalid.push(InvalidLine {
                line: line_no,
                token: bad.clone(),
            });
            continue;
        }
        if owners.is_empty() {
            owners = section_owners.clone();
        }
        rules.push(OwnerRule {
            pattern,
            owners,
            section: section.clone(),
            line: line_no,
        });
    }
    (rules, invalid)
}

/// `[Name]`, `^[Name]`, `[Name][2]`, each optionally followed by default owners.
fn section_header(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let end = rest.find(']')?;
    let name = rest[..end].trim().to_string();
    let mut after = &rest[end + 1..];
    // Optional approval count: `[2]`.
    if let Some(count) = after.strip_prefix('[') {
        after = count.find(']').map_or("", |e| &count[e + 1..]);
    }
    let owners = after
        .split_whitespace()
        .take_while(|t| !t.starts_with('#'))
        .map(str::to_string)
        .collect();
    Some((name, owners))
}

/// Splits on whitespace, keeping backslash-escaped spaces inside a pattern.
fn split_tokens(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Owners of the last catch-all rule (`*`, `/`, `/**`, `**`): the owners of any path no
/// later rule claims.
pub fn default_owners(rules: &[OwnerRule]) -> Vec<String> {
    rules
        .iter()
        .rev()
        .find(|r| r.is_catch_all())
        .map(|r| r.owners.clone())
        .unwrap_or_default()
}

/// Matches repository paths against parsed rules.
pub struct OwnerMatcher<'a> {
    rules: Vec<(&'a OwnerRule, Option<Gitignore>)>,
}

impl<'a> OwnerMatcher<'a> {
    /// Compiles every rule's pattern with gitignore semantics (as GitHub and GitLab do).
    /// A pattern that does not compile never matches.
    pub fn new(rules: &'a [OwnerRule]) -> Self {
        let rules = rules
            .iter()
            .map(|rule| {
                let matcher = if rule.is_catch_all() {
                    None
                } else {
                    let mut builder = GitignoreBuilder::new("");
                    builder
                        .add_line(None, &rule.pattern)
                        .ok()
                        .and_then(|b| b.build().ok())
                };
                (rule, matcher)
            })
            .collect();
        OwnerMatcher { rules }
    }

    fn matches(&self, rule: &OwnerRule, matcher: Option<&Gitignore>, path: &str) -> bool {
        if rule.is_catch_all() {
            return true;
        }
        matcher.is_some_and(|m| {
            // Unlike gitignore, GitHub's `docs/*` owns the files directly in `docs/`, not
            // those in its subfolders: the folder's match must not be inherited.
            let found = if rule.pattern.ends_with("/*") {
                m.matched(path, false)
            } else {
                m.matched_path_or_any_parents(path, false)
            };
            matches!(found, Match::Ignore(_))
        })
    }

    /// The owners of a repository-relative file path: in each section the last matching
    /// rule wins (GitHub has one implicit section); GitLab combines the sections' owners.
    /// Sorted and without duplicates; empty when no rule claims the path.
    pub fn owners_of(&self, path: &str) -> Vec<String> {
        let path = path
            .strip_prefix("./")
            .unwrap_or(path)
            .trim_start_matches('/');
        if path.is_empty() {
            return Vec::new();
        }
        let mut by_section: BTreeMap<Option<&str>, &OwnerRule> = BTreeMap::new();
        for (rule, matcher) in &self.rules {
            if self.matches(rule, matcher.as_ref(), path) {
                by_section.insert(rule.section.as_deref(), rule);
            }
        }
        let mut owners: Vec<String> = by_section
            .values()
            .flat_map(|r| r.owners.iter().cloned())
            .collect();
        owners.sort();
        owners.dedup();
        owners
    }
}

/// The owners of one repository-relative path under `rules` (see [`OwnerMatcher`] to
/// match many paths).
pub fn owners_of(rules: &[OwnerRule], path: &str) -> Vec<String> {
    OwnerMatcher::new(rules).owners_of(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::ownership::detect_files;

    const GITHUB: &str = "\
# Default owners
*       @acme/platform

/docs/  @acme/docs  docs@example.com
*.tf    @acme/infra # terraform
/src/payments/ @acme/payments
/src/payments/vendor/
apps/**/config.yml @alice
";

    #[test]
    fn parses_rules_and_owners() {
        let rules = parse(GITHUB);
        assert_eq!(rules.len(), 6);
        assert_eq!(rules[0].pattern, "*");
        assert_eq!(rules[0].line, 2);
        assert_eq!(rules[2].owners, vec!["@acme/infra"]);
        assert!(rules[4].owners.is_empty());
        assert_eq!(default_owners(&rules), vec!["@acme/platform"]);
    }

    #[test]
    fn last_matching_rule_wins() {
        let rules = parse(GITHUB);
        let m = OwnerMatcher::new(&rules);
        assert_eq!(m.owners_of("README.md"), vec!["@acme/platform"]);
        assert_eq!(
            m.owners_of("docs/runbooks/db.md"),
            vec!["@acme/docs", "docs@example.com"]
        );
        assert_eq!(m.owners_of("infra/main.tf"), vec!["@acme/infra"]);
        assert_eq!(m.owners_of("src/payments/api.rs"), vec!["@acme/payments"]);
        // A later rule without owners leaves the path unowned (GitHub semantics).
        assert!(m.owners_of("src/payments/vendor/lib.rs").is_empty());
        assert_eq!(m.owners_of("apps/a/b/config.yml"), vec!["@alice"]);
        // Anchored: `/docs/` does not match a nested docs folder.
        assert_eq!(m.owners_of("lib/docs/x.md"), vec!["@acme/platform"]);
        assert_eq!(owners_of(&rules, "/docs/a.md").len(), 2);
        assert_eq!(
            m.owners_of(".github/workflows/ci.yml"),
            vec!["@acme/platform"]
        );
        assert_eq!(m.owners_of("./infra/main.tf"), vec!["@acme/infra"]);
    }

    #[test]
    fn single_star_folder_patterns_do_not_reach_subfolders() {
        let rules = parse("* @all\ndocs/* @docs\n");
        assert_eq!(owners_of(&rules, "docs/intro.md"), vec!["@docs"]);
        assert_eq!(owners_of(&rules, "docs/guides/setup.md"), vec!["@all"]);
    }

    #[test]
    fn later_catch_all_wins_for_default_owners() {
        let rules = parse("* @a\n/** @b\n");
        assert_eq!(default_owners(&rules), vec!["@b"]);
        assert!(default_owners(&parse("/src/ @a\n")).is_empty());
    }

    #[test]
    fn gitlab_sections_carry_default_owners() {
        let text = "* @gitlab-org/maintainers\n\n[Documentation] @docs-team\n*.md\n/doc/\n^[Optional][2] @opt\n/spec/ @qa\n";
        let rules = parse(text);
        assert_eq!(rules.len(), 4);
        assert_eq!(rules[1].owners, vec!["@docs-team"]);
        assert_eq!(rules[1].section.as_deref(), Some("documentation"));
        assert_eq!(rules[3].owners, vec!["@qa"]);
        let m = OwnerMatcher::new(&rules);
        // Sections combine: the default section and the Documentation section both match.
        assert_eq!(
            m.owners_of("doc/install.md"),
            vec!["@docs-team", "@gitlab-org/maintainers"]
        );
        assert_eq!(m.owners_of("main.go"), vec!["@gitlab-org/maintainers"]);
    }

    #[test]
    fn odd_lines_do_not_break_parsing() {
        let rules = parse("!negated @a\n[unclosed\n\\#hash @b\npath\\ with\\ space @c\n\n");
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[1].pattern, "\\#hash");
        assert_eq!(rules[2].pattern, "path\\ with\\ space");
        assert_eq!(owners_of(&rules, "#hash"), vec!["@b"]);
        assert!(owners_of(&parse("[bad\n"), "x").is_empty());
    }

    #[test]
    fn lines_naming_non_owners_are_ignored_and_reported() {
        let text = "- alice\n- bob\n/src/ @team\n";
        let (rules, invalid) = parse_checked(text);
        assert_eq!(rules.len(), 1);
        assert_eq!(invalid.len(), 2);
        assert_eq!(invalid[0].token, "alice");
        assert!(is_owner("@@maintainer") && is_owner("ops@example.com"));
        assert!(!is_owner("@") && !is_owner("team") && !is_owner("a@b"));
        let d = detect_files(&[("CODEOWNERS", text)], &CodeOwnersFile);
        assert_eq!(d.evidence.codeowners[0].rules, 1);
        assert_eq!(d.evidence.codeowners[0].owners, vec!["@team"]);
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "invalid-codeowners-line");
        assert_eq!(d.diagnostics[0].line, Some(1));
    }

    #[test]
    fn detects_files_in_known_locations_only() {
        let d = detect_files(
            &[
                (".github/CODEOWNERS", GITHUB),
                ("src/CODEOWNERS", "* @nobody\n"),
            ],
            &CodeOwnersFile,
        );
        assert_eq!(d.evidence.codeowners.len(), 1);
        let c = &d.evidence.codeowners[0];
        assert_eq!(c.path, ".github/CODEOWNERS");
        assert_eq!(c.rules, 5);
        assert_eq!(c.default_owners, vec!["@acme/platform"]);
        assert_eq!(
            c.owners,
            vec![
                "@acme/docs",
                "@acme/infra",
                "@acme/payments",
                "@acme/platform",
                "@alice",
                "docs@example.com"
            ]
        );
        assert_eq!(c.source.line, Some(1));
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::ownership::detect_fixture("format-codeowners", &CodeOwnersFile);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let c = &d.evidence.codeowners[0];
        assert_eq!(c.path, ".github/CODEOWNERS");
        assert_eq!(c.rules, 5);
        assert_eq!(c.default_owners, vec!["@acme/platform"]);
        assert_eq!(
            c.owners,
            vec!["@acme/payments", "@acme/platform", "@acme/sre"]
        );
    }
}
