//! The catalogue of diagnostic codes: for each code opready can emit, its usual severity,
//! a one-line title, what it means and what to do. `opready explain CODE` prints an entry,
//! `opready list diagnostics` lists them all.
//!
//! A test below fails when a code emitted anywhere in `src/` has no entry here, or when an
//! entry names a code that nothing emits.

use super::Severity;

/// The documentation of one diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    /// The stable kebab-case code, e.g. `invalid-yaml`.
    pub code: &'static str,
    /// The severity opready gives it.
    pub severity: Severity,
    /// One line: what happened.
    pub title: &'static str,
    /// Why opready says it and what it changes in the result.
    pub meaning: &'static str,
    /// What to do about it.
    pub action: &'static str,
}

/// Every diagnostic code, sorted by code.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "alert-disabled",
        severity: Severity::Note,
        title: "An alert rule is switched off",
        meaning: "The alert is defined but disabled or paused (e.g. `enabled = false`, `is_paused = true`, `isPaused: true`, or `actions_enabled = false` on a CloudWatch alarm), so it never pages anyone. opready still lists it, but it is no evidence that the condition is watched.",
        action: "If the alert should protect the service, switch it back on. If it is retired, delete it so the repository shows what really pages.",
    },
    CodeDoc {
        code: "binary-file",
        severity: Severity::Warning,
        title: "A file that could be evidence holds binary data",
        meaning: "opready only reads text. The file's name looked like evidence (YAML, JSON, Markdown, Terraform, …) but its content is binary, so it was skipped and its evidence is missing.",
        action: "Check the file: a committed binary under a text name is usually a mistake. If it is meant to be binary, exclude it with `exclude:` in `.opready.yaml`.",
    },
    CodeDoc {
        code: "broken-runbook-link",
        severity: Severity::Error,
        title: "An alert's runbook link points at nothing",
        meaning: "Reported by `opready check --files` (the pre-commit mode): the alert links to a runbook inside the repository, but the file or the `#heading` it names does not exist. The on-call engineer who follows the link from the page lands nowhere.",
        action: "Fix the link in the alert's annotation (path relative to the repository, heading anchor as the Markdown renderer writes it), or write the missing runbook section.",
    },
    CodeDoc {
        code: "broken-symlink",
        severity: Severity::Warning,
        title: "A symlink whose target cannot be read",
        meaning: "The symlink points at a file that does not exist or cannot be opened, so opready skipped it and anything it would have held is missing.",
        action: "Remove the stale symlink or point it at the right file inside the repository.",
    },
    CodeDoc {
        code: "dependabot-no-updates",
        severity: Severity::Warning,
        title: "A Dependabot configuration that updates nothing",
        meaning: "`.github/dependabot.yml` exists but has no `updates` entries, so Dependabot opens no version-update pull requests. It does not count as keeping any ecosystem up to date.",
        action: "Add one `updates` entry per package ecosystem the repository uses (`package-ecosystem`, `directory`, `schedule`), or delete the file.",
    },
    CodeDoc {
        code: "dependabot-updates-disabled",
        severity: Severity::Note,
        title: "A Dependabot update entry switched off with a limit of 0",
        meaning: "`open-pull-requests-limit: 0` stops version updates for that ecosystem, so opready does not count the entry as keeping it up to date. Security updates are a repository setting and are not affected.",
        action: "Remove the limit (or set it above 0) if you want version updates for that ecosystem; otherwise leave it, knowing the ecosystem counts as uncovered.",
    },
    CodeDoc {
        code: "duplicate-waiver",
        severity: Severity::Warning,
        title: "The same criterion is waived twice in `.opready.yaml`",
        meaning: "Only the first waiver for a criterion applies; this one has no effect, and its reason, owner or end date may differ from the one that does.",
        action: "Delete the duplicate, keeping the waiver with the right reason, owner and `expires` date.",
    },
    CodeDoc {
        code: "file-too-large",
        severity: Severity::Warning,
        title: "A file larger than the size limit was skipped",
        meaning: "opready does not open files above the evidence size limit (2 MiB by default) so a scan stays fast and bounded. Evidence in this file is missing from the result.",
        action: "Usually the file is generated or vendored and not evidence: exclude it with `exclude:` in `.opready.yaml`. If it is real evidence, split it, or raise the limit with `--max-file-size BYTES`.",
    },
    CodeDoc {
        code: "helm-template-switched-off",
        severity: Severity::Note,
        title: "A Helm template that the chart's values switch off",
        meaning: "The template is wrapped in an `if` (e.g. `{{- if .Values.alerts.enabled }}`) that is false with the chart's `values.yaml`, so a default install renders nothing from it. opready skipped its evidence; the note says which values decide it.",
        action: "If the alerts, dashboards or monitors in the template should be deployed, switch them on in `values.yaml` (or in the values file you deploy with). Otherwise nothing to do.",
    },
    CodeDoc {
        code: "invalid-alertmanager-config",
        severity: Severity::Error,
        title: "An Alertmanager configuration that Alertmanager refuses",
        meaning: "The configuration breaks a rule Alertmanager enforces (e.g. the top-level route has no `receiver`, or a route matcher cannot be parsed). Alertmanager would not load it, so no alert would be routed; opready reads what it can and takes a broken matcher as never matching.",
        action: "Fix the configuration as the message says and check it with `amtool check-config`.",
    },
    CodeDoc {
        code: "invalid-catalog-entity",
        severity: Severity::Error,
        title: "A Backstage catalog entity that cannot be used",
        meaning: "A `backstage.io` entity (e.g. in `catalog-info.yaml`) lacks something Backstage requires, such as `kind` or `metadata.name`. It was skipped, so its owner, tier and on-call information are missing.",
        action: "Add the missing field the message names; Backstage's catalog would reject the entity too.",
    },
    CodeDoc {
        code: "invalid-codeowners-line",
        severity: Severity::Warning,
        title: "CODEOWNERS lines that name no valid owner",
        meaning: "GitHub and GitLab ignore a CODEOWNERS line whose owner is not `@user`, `@org/team` or an e-mail address, so the paths on those lines have no owner and reviews are not requested.",
        action: "Write each owner as `@user`, `@org/team` or an e-mail address.",
    },
    CodeDoc {
        code: "invalid-embedded-json",
        severity: Severity::Error,
        title: "A Grafana dashboard in a ConfigMap is not valid JSON",
        meaning: "The dashboard JSON held under a key of the ConfigMap cannot be parsed, so Grafana cannot load it and opready skipped it.",
        action: "Fix the JSON under the key the message names (an exported dashboard pasted whole is usually safest).",
    },
    CodeDoc {
        code: "invalid-embedded-yaml",
        severity: Severity::Error,
        title: "YAML held inside another YAML file is broken",
        meaning: "A rule file or Alertmanager configuration stored as a string in a ConfigMap or Secret is not valid YAML. The system that reads it would fail the same way; opready skipped its rules or routes.",
        action: "Fix the YAML under the key the message names; the position given is in the outer file.",
    },
    CodeDoc {
        code: "invalid-hcl",
        severity: Severity::Error,
        title: "A Terraform file that cannot be parsed",
        meaning: "The `.tf` file is not valid HCL, so its resources (alerts, monitors, cost tags, budgets, …) were skipped and criteria may fail for lack of them.",
        action: "Fix the syntax error at the position given; `terraform validate` shows the same problem.",
    },
    CodeDoc {
        code: "invalid-json",
        severity: Severity::Error,
        title: "A JSON file that looked like evidence cannot be parsed",
        meaning: "The file (e.g. a Grafana dashboard or a Renovate configuration) is not valid JSON, so its evidence was skipped.",
        action: "Fix the syntax error at the position given (a trailing comma or a comment is the usual cause).",
    },
    CodeDoc {
        code: "invalid-json5",
        severity: Severity::Error,
        title: "A Renovate `.json5` configuration that cannot be parsed",
        meaning: "The Renovate configuration is not valid JSON5, so Renovate cannot read it and opready skipped it: dependency updates are not counted.",
        action: "Fix the syntax error at the position given; Renovate's `renovate-config-validator` checks the file too.",
    },
    CodeDoc {
        code: "invalid-renovate-config",
        severity: Severity::Error,
        title: "A Renovate configuration that is not a JSON object",
        meaning: "The file parses, but its top level is not an object (e.g. a list or a string), which Renovate rejects. It was skipped.",
        action: "Make the top level an object, e.g. `{ \"extends\": [\"config:recommended\"] }`.",
    },
    CodeDoc {
        code: "invalid-rule",
        severity: Severity::Error,
        title: "A Prometheus rule that Prometheus refuses",
        meaning: "A rule has an `expr` but neither `alert` nor `record`, or an alerting rule has no `expr`. Prometheus refuses the whole rule file, so none of its alerts would run.",
        action: "Complete the rule as the message says and check the file with `promtool check rules`.",
    },
    CodeDoc {
        code: "invalid-slo",
        severity: Severity::Error,
        title: "An SLO document without a field it needs",
        meaning: "An SLO, SLI or alert policy (OpenSLO, Nobl9, Pyrra, slo-generator, …) lacks a required field such as `metadata.name`, so it was skipped and does not count as an SLO.",
        action: "Add the field the message names; the SLO tool would reject the document too.",
    },
    CodeDoc {
        code: "invalid-slo-objective",
        severity: Severity::Warning,
        title: "An SLO objective that is out of range or not a number",
        meaning: "The objective cannot be a target (e.g. `1.5` as a ratio, `0` or `120` as a percentage, or text). The SLO is read without an objective, so criteria on its target fail.",
        action: "Write the objective in the unit the format expects: a ratio like `0.999`, or a percentage like `99.9`, as the message shows.",
    },
    CodeDoc {
        code: "invalid-yaml",
        severity: Severity::Error,
        title: "A file that looked like evidence is not valid YAML",
        meaning: "A detector recognised the file (the message says which: \"looked like …\") but it cannot be parsed as YAML, so its evidence (alerts, SLOs, pipelines, …) was skipped and criteria may fail for lack of it. The tool that reads the file (Prometheus, Kubernetes, your CI) would fail on it too.",
        action: "Fix the syntax at the line and column given (indentation, an unclosed bracket or quote, a tab). `yamllint` or your editor's YAML mode shows the same error.",
    },
    CodeDoc {
        code: "not-utf8",
        severity: Severity::Warning,
        title: "A file that is not valid UTF-8 text",
        meaning: "opready reads evidence files as UTF-8. This one has an invalid byte at the line given (often a file saved as Latin-1 or UTF-16), so it was skipped.",
        action: "Re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`).",
    },
    CodeDoc {
        code: "special-file",
        severity: Severity::Warning,
        title: "A pipe, socket or device file in the repository",
        meaning: "The path is not a regular file, so opready does not read it (reading a pipe could block forever).",
        action: "Nothing, unless it got there by mistake; exclude its folder with `exclude:` in `.opready.yaml` to silence it.",
    },
    CodeDoc {
        code: "suspicious-slo-objective",
        severity: Severity::Warning,
        title: "A percentage objective written as a ratio",
        meaning: "The field is a percentage, but its value is between 0 and 1 (e.g. `objective: 0.999`). That asks for 0.999 %, an SLO met even while the service is down. opready reads the value as written.",
        action: "Write the percentage, e.g. `99.9`, if that is what you meant.",
    },
    CodeDoc {
        code: "symlink-loop",
        severity: Severity::Warning,
        title: "A symlink that leads back to itself",
        meaning: "Following the link never reaches a file, so it was skipped.",
        action: "Remove the link or point it at a real file inside the repository.",
    },
    CodeDoc {
        code: "symlink-outside-root",
        severity: Severity::Warning,
        title: "A symlink that points outside the repository",
        meaning: "opready never reads outside the scanned repository, so it skipped the link. Evidence that lives outside (e.g. in a shared checkout) does not count for this repository.",
        action: "Copy the evidence into the repository, or link within it. If the link is unrelated to operations, exclude it with `exclude:` in `.opready.yaml`.",
    },
    CodeDoc {
        code: "terraform-not-created",
        severity: Severity::Note,
        title: "A Terraform resource or module that is never created",
        meaning: "The block is written to create nothing (`count = 0`, `for_each = {}` or `for_each = []`), so it was not counted as evidence.",
        action: "If the resource should exist, fix `count`/`for_each`. If it is off on purpose, nothing to do.",
    },
    CodeDoc {
        code: "undefined-error-budget-policy",
        severity: Severity::Warning,
        title: "An slo-generator SLO names an error-budget policy nobody defines",
        meaning: "The SLO refers to an error-budget policy that no shared slo-generator config of the repository defines, so slo-generator cannot compute it and opready does not know its window.",
        action: "Define the policy in the shared config (the message lists the ones that exist), or use one of those names.",
    },
    CodeDoc {
        code: "unfinished-scaffold",
        severity: Severity::Warning,
        title: "A starter file from `opready init --scaffold` still has TODOs",
        meaning: "The file counts as evidence so you see criteria pass as you fill it in, but until its TODOs are replaced the criteria it meets rate a template, not your practice.",
        action: "Replace every TODO with your team's real content (the warning points at the first one).",
    },
    CodeDoc {
        code: "unknown-package-ecosystem",
        severity: Severity::Warning,
        title: "A Dependabot `package-ecosystem` that Dependabot does not know",
        meaning: "Dependabot rejects the configuration when an entry names an unknown ecosystem (often a typo such as `npm-js`, or `yarn` for `npm`), so nothing is updated.",
        action: "Use one of Dependabot's ecosystem names (`npm`, `pip`, `gomod`, `cargo`, `docker`, `github-actions`, `terraform`, …).",
    },
    CodeDoc {
        code: "unknown-waiver",
        severity: Severity::Warning,
        title: "A waiver in `.opready.yaml` for a criterion that does not exist",
        meaning: "No criterion of the policy pack has that id (a typo, or a criterion renamed or removed), so the waiver excuses nothing.",
        action: "Fix the id (`opready list criteria` shows them) or delete the waiver.",
    },
    CodeDoc {
        code: "unreadable-file",
        severity: Severity::Warning,
        title: "A file that could not be read",
        meaning: "Opening or reading the file failed (the message gives the operating system's reason, e.g. permission denied), so it was skipped.",
        action: "Check the file's permissions for the user running opready.",
    },
    CodeDoc {
        code: "unreadable-path",
        severity: Severity::Warning,
        title: "A path that could not be listed while walking the repository",
        meaning: "A folder or file could not be read during the walk (e.g. permission denied), so everything below it was skipped.",
        action: "Check permissions for the user running opready, or exclude the path with `exclude:` in `.opready.yaml`.",
    },
    CodeDoc {
        code: "unreadable-template",
        severity: Severity::Note,
        title: "A Helm/Go template that could not be read even tolerantly",
        meaning: "The file holds template syntax (`{{ … }}`). opready reads such files tolerantly, but this one is still not YAML once the template parts are set aside, so its evidence was skipped. The template may well render fine.",
        action: "Nothing is wrong if `helm template` renders it. To have its alerts or SLOs counted, keep template logic out of the YAML structure (e.g. in values) where you can.",
    },
    CodeDoc {
        code: "waiver-not-allowed",
        severity: Severity::Warning,
        title: "A waiver for a criterion the policy pack says cannot be waived",
        meaning: "The criterion is marked `no-waiver` in the policy pack, so the waiver is ignored and the criterion is rated as it is.",
        action: "Meet the criterion, or ask the owners of the policy pack; then delete the waiver.",
    },
    CodeDoc {
        code: "yaml-tag-as-value",
        severity: Severity::Warning,
        title: "An unquoted `!` value that YAML reads as a tag",
        meaning: "In YAML, `matchType: !=` or `!~` starts a tag, not text, so the value is empty. Prometheus Operator then takes the matcher as `=`, the opposite of what was meant.",
        action: "Quote the operator, e.g. `matchType: \"!=\"`.",
    },
];

/// The entry for `code`, if it is a diagnostic code.
pub fn lookup(code: &str) -> Option<&'static CodeDoc> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use regex::Regex;

    use super::*;

    /// Codes chosen at run time, so no pattern below finds them next to a `Diagnostic`:
    /// `symlink-loop` is picked in a `(code, message)` tuple in `scan::resolve_symlink`.
    const DYNAMIC: &[&str] = &["symlink-loop"];

    /// Files whose `Diagnostic::new` takes its code from a variable; the values that
    /// variable can take are found by the tuple pattern or listed in [`DYNAMIC`]. A new
    /// such call site must be added here after checking its codes are catalogued.
    const CODE_FROM_VARIABLE: &[&str] = &["src/evidence/mod.rs", "src/scan/mod.rs"];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every code emitted in `src/`, with the severities written next to it.
    fn emitted() -> BTreeMap<String, BTreeSet<String>> {
        const CODE: &str = r#""([a-z0-9]+(?:-[a-z0-9]+)*)""#;
        // `Diagnostic::new(Severity::Error, "code", …)` and `(Severity::Error, "code", …)`.
        let with_severity = Regex::new(&format!(r"Severity::(\w+)\s*,\s*{CODE}")).unwrap();
        // `Diagnostic::new(severity, "code", …)`.
        let with_variable = Regex::new(&format!(
            r"Diagnostic::new\(\s*[a-z_][a-z0-9_]*\s*,\s*{CODE}"
        ))
        .unwrap();
        // Pre-commit problems built directly as diagnostics.
        let precommit = Regex::new(&format!(
            r"id:\s*{CODE}\.(?:to_string|into)\(\),\s*kind:\s*ProblemKind::Diagnostic"
        ))
        .unwrap();
        let code_variable =
            Regex::new(r"Diagnostic::new\(\s*[A-Za-z_][\w:]*\s*,\s*[a-z_]").unwrap();

        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let mut files = Vec::new();
        rust_files(root, &mut files);
        let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let rel = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "src/diagnostic/codes.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for c in with_severity.captures_iter(&text) {
                found
                    .entry(c[2].to_string())
                    .or_default()
                    .insert(c[1].to_lowercase());
            }
            for c in with_variable
                .captures_iter(&text)
                .chain(precommit.captures_iter(&text))
            {
                found.entry(c[1].to_string()).or_default();
            }
            assert!(
                !code_variable.is_match(&text) || CODE_FROM_VARIABLE.contains(&rel.as_str()),
                "{rel} passes a diagnostic code in a variable: find the codes it can hold, make sure they are catalogued, and add the file to CODE_FROM_VARIABLE"
            );
        }
        for code in DYNAMIC {
            found.entry(code.to_string()).or_default();
        }
        found
    }

    #[test]
    fn every_emitted_code_is_catalogued_and_every_entry_is_emitted() {
        let found = emitted();
        assert!(found.len() >= 30, "the scan found too few codes: {found:?}");
        let catalogued: BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
        let missing: Vec<&String> = found
            .keys()
            .filter(|c| !catalogued.contains(c.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "emitted but not in src/diagnostic/codes.rs: {missing:?}"
        );
        let unused: Vec<&&str> = catalogued
            .iter()
            .filter(|c| !found.contains_key(**c))
            .collect();
        assert!(
            unused.is_empty(),
            "catalogued but emitted nowhere in src/: {unused:?}"
        );
        for doc in CODES {
            if let Some(severities) = found.get(doc.code) {
                for s in severities {
                    assert_eq!(
                        s,
                        doc.severity.as_str(),
                        "{} is emitted as {s} but catalogued as {}",
                        doc.code,
                        doc.severity.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn entries_are_sorted_unique_and_filled_in() {
        let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            codes, sorted,
            "CODES must be sorted by code, without duplicates"
        );
        for doc in CODES {
            assert!(
                !doc.title.is_empty() && !doc.meaning.is_empty() && !doc.action.is_empty(),
                "{} is not filled in",
                doc.code
            );
            assert!(
                !doc.title.ends_with('.'),
                "{}: a title has no full stop",
                doc.code
            );
        }
        assert_eq!(
            lookup("invalid-yaml").map(|d| d.severity),
            Some(Severity::Error)
        );
        assert!(lookup("no-such-code").is_none());
    }

    #[test]
    fn codes_do_not_shadow_and_are_not_shadowed_by_other_ids() {
        let pack = crate::policy::load::builtin().unwrap();
        for doc in CODES {
            assert!(
                pack.criterion(doc.code).is_none(),
                "{} is a criterion",
                doc.code
            );
            assert!(
                pack.activity(doc.code).is_none(),
                "{} is an activity",
                doc.code
            );
            assert!(
                crate::evidence::registry::all()
                    .iter()
                    .all(|d| d.id() != doc.code),
                "{} is a detector",
                doc.code
            );
            assert!(
                crate::evidence::kinds::kind(doc.code).is_none(),
                "{} is an evidence list",
                doc.code
            );
        }
    }
}
