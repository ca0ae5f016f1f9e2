//! Renovate configuration (`renovate.json`, `renovate.json5`, `.renovaterc`,
//! `.renovaterc.json(5)`, the same under `.github/` and `.gitlab/`, and the `renovate` key
//! of the root `package.json`).
//!
//! ## What it finds
//! One dependency-update configuration. Renovate updates every ecosystem it detects unless
//! `enabledManagers` restricts it, so `all_ecosystems` is true unless that list is set (its
//! managers are then mapped to ecosystem names) or Renovate is disabled (`enabled: false`).
//! Managers switched off — a per-manager block (`"gomod": {"enabled": false}`), or a
//! `packageRules` entry that matches whole managers (`matchManagers`, nothing narrower)
//! with `enabled: false`, unless a later rule enables them again — do not count: their
//! ecosystems are left out of `ecosystems` and, once every manager of an ecosystem is off,
//! listed in `disabled_ecosystems`, which `all_ecosystems` does not cover.
//! `automerge` is true when `automerge: true` appears anywhere in the configuration
//! (top level, `packageRules`, per-manager or per-update-type blocks) or a preset in
//! `extends` turns it on (`:automergeMinor`, `github>org/presets:automerge`).
//!
//! JSON5 files are parsed with the `json5` crate after a bracket-depth check, since a
//! scanned repository controls the file and the parser recurses.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::evidence::{Collector, DependencyUpdates, Detector, FileContext, RepoPath, Source};

pub struct Renovate;

const NAMES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

/// Deepest nesting of arrays and objects accepted in a JSON5 file. Real configurations
/// nest four or five levels.
const MAX_DEPTH: usize = 64;

impl Detector for Renovate {
    fn id(&self) -> &'static str {
        "renovate"
    }

    fn summary(&self) -> &'static str {
        "Renovate configuration (`renovate.json(5)`, `.renovaterc`, `package.json#renovate`): ecosystems updated and automerge"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        let dir = path.dir();
        let name = path.name();
        (NAMES.contains(&name) && matches!(dir, "" | ".github" | ".gitlab"))
            || path.as_str() == "package.json"
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let path = file.path.as_str();
        let Some(text) = file.text() else {
            return;
        };
        let config = if path == "package.json" {
            if !text.contains("\"renovate\"") {
                return;
            }
            match file.json().and_then(|j| j.get("renovate")) {
                Some(c) => c.clone(),
                None => return,
            }
        } else if path.ends_with(".json5") {
            match parse_json5(text) {
                Ok(v) => v,
                Err((message, pos)) => {
                    out.diagnostic(
                        Diagnostic::new(
                            Severity::Error,
                            "invalid-json5",
                            format!(
                                "invalid JSON5; the Renovate configuration was skipped: {message}"
                            ),
                        )
                        .at(path, pos),
                    );
                    return;
                }
            }
        } else {
            match file.json() {
                Some(v) => v.clone(),
                None => return,
            }
        };
        let Some(updates) = read_config(&config) else {
            out.diagnostic(
                Diagnostic::new(
                    Severity::Error,
                    "invalid-renovate-config",
                    "a Renovate configuration must be a JSON object; it was skipped",
                )
                .at(path, Some(Position::new(1, 1))),
            );
            return;
        };
        out.evidence.dependency_updates.push(DependencyUpdates {
            source: Source::file(path),
            ..updates
        });
    }
}

/// Parses JSON5 after checking that brackets do not nest deeper than [`MAX_DEPTH`].
pub fn parse_json5(text: &str) -> Result<Value, (String, Option<Position>)> {
    if let Some(line) = too_deep(text, MAX_DEPTH) {
        return Err((
            format!("nested deeper than {MAX_DEPTH} levels"),
            Some(Position::new(line, 1)),
        ));
    }
    json5::from_str::<Value>(text).map_err(|e| {
        let pos = e
            .position()
            .map(|p| Position::new(p.line as u32 + 1, p.column as u32 + 1));
        let message = e.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        (message, pos)
    })
}

/// The line where brackets first nest deeper than `max`, skipping strings and comments.
fn too_deep(text: &str, max: usize) -> Option<u32> {
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' | '\'' => {
                let quote = c;
                while let Some(s) = chars.next() {
                    match s {
                        '\\' if chars.next() == Some('\n') => {
                            line += 1;
                        }
                        '\n' => line += 1,
                        _ if s == quote => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for s in chars.by_ref() {
                    if s == '\n' {
                        line += 1;
                    }
                    if prev == '*' && s == '/' {
                        break;
                    }
                    prev = s;
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > max {
                    return Some(line);
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads a configuration object; `None` when it is not an object.
fn read_config(config: &Value) -> Option<DependencyUpdates> {
    let object = config.as_object()?;
    let enabled = object.get("enabled").and_then(Value::as_bool) != Some(false);
    let managers: Option<Vec<&str>> = object
        .get("enabledManagers")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect());
    let disabled = disabled_managers(object);
    let ecosystems: BTreeSet<String> = managers
        .iter()
        .flatten()
        .filter(|m| !disabled.contains(**m))
        .filter_map(|m| manager_ecosystem(m))
        .map(String::from)
        .collect();
    let disabled_ecosystems: BTreeSet<String> = disabled
        .iter()
        .filter_map(|m| manager_ecosystem(m))
        .filter(|eco| {
            !ecosystems.contains(*eco)
                && MANAGERS
                    .iter()
                    .filter(|(m, e)| e == eco && !SECONDARY_MANAGERS.contains(m))
                    .all(|(m, _)| disabled.contains(*m))
        })
        .map(String::from)
        .collect();
    let presets_automerge = object
        .get("extends")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter().filter_map(Value::as_str).any(|p| {
                let p = p.to_ascii_lowercase();
                p.contains("automerge") && !p.contains("disabled")
            })
        });
    Some(DependencyUpdates {
        tool: "renovate".to_string(),
        ecosystems: if enabled {
            ecosystems.into_iter().collect()
        } else {
            Vec::new()
        },
        all_ecosystems: enabled && managers.is_none(),
        disabled_ecosystems: if enabled {
            disabled_ecosystems.into_iter().collect()
        } else {
            Vec::new()
        },
        automerge: enabled && (presets_automerge || automerge_anywhere(config, 0)),
        source: Source::default(),
    })
}

/// Managers switched off as a whole: a per-manager block with `enabled: false`, or a
/// `packageRules` entry whose only condition is `matchManagers` (or a match-everything
/// package pattern) with `enabled: false`. A later rule that sets `enabled: true` for a
/// manager, whatever else it matches, turns it (partly) back on.
fn disabled_managers(config: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    let mut disabled: BTreeSet<String> = config
        .iter()
        .filter(|(key, block)| {
            manager_ecosystem(key).is_some()
                && block.get("enabled").and_then(Value::as_bool) == Some(false)
        })
        .map(|(key, _)| key.clone())
        .collect();
    let rules = config.get("packageRules").and_then(Value::as_array);
    for rule in rules.into_iter().flatten() {
        let Some(rule) = rule.as_object() else {
            continue;
        };
        let Some(enabled) = rule.get("enabled").and_then(Value::as_bool) else {
            continue;
        };
        let managers: Vec<&str> = match rule.get("matchManagers") {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(one)) => vec![one.as_str()],
            _ => continue,
        };
        if enabled {
            for m in managers {
                disabled.remove(m);
            }
        } else if rule.iter().all(|(k, v)| whole_manager_condition(k, v)) {
            disabled.extend(managers.into_iter().map(String::from));
        }
    }
    disabled
}

/// A `packageRules` key that does not narrow a rule below whole managers.
fn whole_manager_condition(key: &str, value: &Value) -> bool {
    let everything = |v: &Value| {
        v.as_array().is_some_and(|list| {
            !list.is_empty()
                && list
                    .iter()
                    .all(|p| matches!(p.as_str(), Some("*" | ".*" | "/.*/" | "**")))
        })
    };
    match key {
        "matchManagers" | "enabled" | "description" => true,
        "matchPackageNames" | "matchPackagePatterns" | "matchDepNames" | "matchDepPatterns" => {
            everything(value)
        }
        k => !(k.starts_with("match") || k.starts_with("exclude")),
    }
}

/// `"automerge": true` at any depth (bounded).
fn automerge_anywhere(value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "automerge" && v.as_bool() == Some(true)) || automerge_anywhere(v, depth + 1)
        }),
        Value::Array(items) => items.iter().any(|v| automerge_anywhere(v, depth + 1)),
        _ => false,
    }
}

/// The `ecosystems` name a Renovate manager updates; `None` for managers outside the
/// ecosystems opready tracks (e.g. `regex`, `kubernetes`).
pub fn manager_ecosystem(manager: &str) -> Option<&'static str> {
    MANAGERS
        .iter()
        .find(|(m, _)| *m == manager)
        .map(|(_, eco)| *eco)
}

/// Renovate managers and the ecosystem whose packages they update.
const MANAGERS: &[(&str, &str)] = &[
    ("cargo", "cargo"),
    ("npm", "npm"),
    ("meteor", "npm"),
    ("gomod", "gomod"),
    ("pip_requirements", "pip"),
    ("pip_setup", "pip"),
    ("pip-compile", "pip"),
    ("pipenv", "pip"),
    ("poetry", "pip"),
    ("pep621", "pip"),
    ("pep723", "pip"),
    ("setup-cfg", "pip"),
    ("pixi", "pip"),
    ("maven", "maven"),
    ("maven-wrapper", "maven"),
    ("gradle", "gradle"),
    ("gradle-wrapper", "gradle"),
    ("nuget", "nuget"),
    ("bundler", "bundler"),
    ("composer", "composer"),
    ("mix", "mix"),
    ("pub", "pub"),
    ("swift", "swift"),
    ("dockerfile", "docker"),
    ("docker-compose", "docker"),
    ("github-actions", "github-actions"),
    ("terraform", "terraform"),
    ("terragrunt", "terraform"),
    ("helmv3", "helm"),
    ("helm-values", "helm"),
    ("helmfile", "helm"),
    ("helmsman", "helm"),
    ("helm-requirements", "helm"),
    ("git-submodules", "gitsubmodule"),
    ("devcontainer", "devcontainers"),
];

/// Managers that do not read the manifests `ecosystems` lists for their ecosystem (see
/// [`super::ecosystems`]): wrappers update the build tool, `docker-compose` reads compose
/// files (not Dockerfiles), `terragrunt` reads `terragrunt.hcl`, `helm-values`,
/// `helmfile` and `helmsman` read other files than `Chart.yaml`, `pip-compile` matches no
/// file unless configured, `pep723` reads scripts, `pixi` reads `pixi.toml`. An ecosystem
/// is switched off once the managers of its manifests are.
const SECONDARY_MANAGERS: &[&str] = &[
    "maven-wrapper",
    "gradle-wrapper",
    "docker-compose",
    "terragrunt",
    "helm-values",
    "helmfile",
    "helmsman",
    "pip-compile",
    "pep723",
    "pixi",
    "meteor",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> crate::evidence::Detection {
        crate::evidence::testing::detect_files(&[(path, text)], &Renovate)
    }

    #[test]
    fn json5_with_comments_covers_everything() {
        let text = "{\n  // base presets\n  extends: ['config:recommended', 'schedule:earlyMondays',],\n  'pip-compile': { enabled: true },\n}\n";
        let d = scan(".github/renovate.json5", text);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let u = &d.evidence.dependency_updates[0];
        assert_eq!(u.tool, "renovate");
        assert!(u.all_ecosystems);
        assert!(u.ecosystems.is_empty());
        assert!(!u.automerge);
        assert_eq!(u.source.path, ".github/renovate.json5");
        assert_eq!(u.source.line, Some(1));
    }

    #[test]
    fn enabled_managers_and_automerge() {
        let text = r#"{
  "extends": ["config:base"],
  "enabledManagers": ["terraform", "dockerfile", "pip_requirements", "poetry", "regex"],
  "packageRules": [{ "matchUpdateTypes": ["patch"], "automerge": true }]
}"#;
        let d = scan("renovate.json", text);
        let u = &d.evidence.dependency_updates[0];
        assert!(!u.all_ecosystems);
        assert_eq!(u.ecosystems, vec!["docker", "pip", "terraform"]);
        assert!(u.automerge);
    }

    #[test]
    fn automerge_presets_and_disabled_configs() {
        let d = scan(
            ".renovaterc",
            r#"{"extends": ["config:recommended", ":automergeMinor"]}"#,
        );
        assert!(d.evidence.dependency_updates[0].automerge);
        let d = scan(".renovaterc.json", r#"{"extends": [":automergeDisabled"]}"#);
        assert!(!d.evidence.dependency_updates[0].automerge);
        let d = scan("renovate.json", r#"{"enabled": false, "automerge": true}"#);
        let u = &d.evidence.dependency_updates[0];
        assert!(!u.all_ecosystems && !u.automerge && u.ecosystems.is_empty());
    }

    #[test]
    fn managers_switched_off_do_not_count() {
        let text = r#"{
  "extends": ["config:recommended"],
  "gomod": {"enabled": false},
  "dockerfile": {"enabled": false},
  "vulnerabilityAlerts": {"enabled": false},
  "packageRules": [
    {"description": "Terraform is updated by the platform team", "matchManagers": ["terraform"], "enabled": false},
    {"matchManagers": ["pip_requirements"], "enabled": false},
    {"matchManagers": ["npm"], "matchDepTypes": ["devDependencies"], "enabled": false},
    {"matchManagers": ["github-actions"], "matchPackageNames": ["*"], "enabled": false},
    {"matchManagers": ["github-actions"], "matchPackageNames": ["actions/**"], "enabled": true},
    {"matchManagers": ["maven"], "enabled": false}
  ]
}"#;
        let d = scan("renovate.json", text);
        let u = &d.evidence.dependency_updates[0];
        assert!(u.all_ecosystems);
        assert!(u.ecosystems.is_empty());
        // npm is switched off only for dev dependencies, github-actions is enabled again
        // for `actions/**`, pip keeps `pyproject.toml` (poetry, pep621) and `Pipfile`; the
        // compose files and Maven wrapper left on are no Dockerfiles or Maven packages.
        assert_eq!(
            u.disabled_ecosystems,
            ["docker", "gomod", "maven", "terraform"]
        );

        // An explicit list loses its disabled managers.
        let text =
            r#"{"enabledManagers": ["gomod", "npm", "dockerfile"], "npm": {"enabled": false}}"#;
        let d = scan("renovate.json", text);
        let u = &d.evidence.dependency_updates[0];
        assert!(!u.all_ecosystems);
        assert_eq!(u.ecosystems, ["docker", "gomod"]);
        assert_eq!(u.disabled_ecosystems, ["npm"]);
    }

    #[test]
    fn ecosystems_switched_off_are_not_covered() {
        let d = crate::evidence::testing::detect_files_with(
            &[
                ("renovate.json", r#"{"gomod": {"enabled": false}}"#),
                ("go.mod", "module example.com/x\n"),
                ("web/package.json", "{}"),
            ],
            &[
                &Renovate,
                &crate::evidence::deps::ecosystems::PackageEcosystems,
            ],
        );
        let covered: Vec<(&str, bool)> = d
            .evidence
            .ecosystems
            .iter()
            .map(|e| (e.name.as_str(), e.updates))
            .collect();
        assert_eq!(covered, [("gomod", false), ("npm", true)]);
    }

    #[test]
    fn package_json_renovate_key() {
        let d = scan(
            "package.json",
            r#"{"name": "x", "renovate": {"extends": ["config:base"]}}"#,
        );
        assert!(d.evidence.dependency_updates[0].all_ecosystems);
        let d = scan("package.json", r#"{"name": "x"}"#);
        assert!(d.evidence.dependency_updates.is_empty());
        let d = scan("web/package.json", r#"{"renovate": {}}"#);
        assert!(d.evidence.dependency_updates.is_empty());
    }

    #[test]
    fn broken_and_hostile_files_are_diagnosed() {
        let d = scan("renovate.json5", "{ extends: [ }");
        assert_eq!(d.diagnostics[0].code, "invalid-json5");
        assert!(d.diagnostics[0].line.is_some());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let d = scan("renovate.json5", &deep);
        assert_eq!(d.diagnostics[0].code, "invalid-json5");
        // Brackets inside strings and comments do not count.
        assert!(
            too_deep(
                &format!("{{ a: '{}' }} // {}", "[".repeat(100), "{".repeat(100)),
                8
            )
            .is_none()
        );
        let d = scan("renovate.json", "[1, 2]");
        assert_eq!(d.diagnostics[0].code, "invalid-renovate-config");
        let d = scan("renovate.json", "{ nope");
        assert_eq!(d.diagnostics[0].code, "invalid-json");
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-renovate", &Renovate);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let u = &d.evidence.dependency_updates[0];
        assert!(u.all_ecosystems && u.automerge);
        assert_eq!(u.disabled_ecosystems, ["gomod"]);
    }
}
