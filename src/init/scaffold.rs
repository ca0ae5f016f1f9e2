//! `opready init --scaffold`: starter files for what the repository lacks — CODEOWNERS, a
//! runbook, an incident process, a postmortem template, SLOs with burn-rate alerting and,
//! when there are SLOs, an error-budget policy.
//!
//! "Lacks" is read from the evidence of the check, not from fixed paths: a repository
//! with runbooks in `ops/playbooks/` gets no runbook stub. Items in example folders do not
//! count (an example SLO is not the team's SLO). The operational documents are only
//! written for a repository that looks deployed or operated; the check says why not
//! otherwise, and `deployable: true` in `.opready.yaml` changes its mind.

use crate::check::Checked;
use crate::config::format_date;
use crate::evidence::Source;
use crate::init::{PLACEHOLDER_OWNER, Step, fill};

const CODEOWNERS: &str = include_str!("templates/CODEOWNERS");
const RUNBOOK: &str = include_str!("templates/runbook.md");
const INCIDENT_RESPONSE: &str = include_str!("templates/incident-response.md");
const POSTMORTEM_TEMPLATE: &str = include_str!("templates/postmortem-template.md");
const SLO: &str = include_str!("templates/slo.yaml");
const ERROR_BUDGET_POLICY: &str = include_str!("templates/error-budget-policy.md");

pub const CODEOWNERS_PATH: &str = ".github/CODEOWNERS";
pub const RUNBOOK_PATH: &str = "docs/runbooks/example.md";
pub const INCIDENT_PATH: &str = "docs/incident-response.md";
pub const POSTMORTEM_PATH: &str = "docs/postmortems/template.md";
pub const ERROR_BUDGET_POLICY_PATH: &str = "docs/error-budget-policy.md";

/// The starter files, in a fixed order, each to write or to skip with the reason.
pub(super) fn steps(checked: &Checked, today: i64) -> Vec<Step> {
    let evidence = &checked.evidence;
    let service = &checked.report.service;
    let slug = service_slug(&service.name);
    let owner_text = service.owner.as_deref().unwrap_or("the owning team");
    let today = format_date(today);
    let docs_values: [(&str, &str); 3] = [
        ("service", &service.name),
        ("owner", owner_text),
        ("today", &today),
    ];
    let operated = evidence.facts.operated;
    let not_operated = || {
        format!(
            "the repository does not look like an operated service ({}); set `deployable: true` in .opready.yaml if it is one",
            evidence.facts.operated_reason
        )
    };
    let mut steps = Vec::new();

    // CODEOWNERS: ownership applies to every repository.
    steps.push(match first(evidence.codeowners.iter().map(|c| &c.source)) {
        Some(found) => skip(CODEOWNERS_PATH, format!("code owners exist: {found}")),
        None => codeowners(service.owner.as_deref()),
    });

    let operational: [(&str, Option<String>, &str, &str); 3] = [
        (
            RUNBOOK_PATH,
            first(evidence.runbooks.iter().map(|r| &r.source))
                .map(|f| format!("runbooks exist: {f}")),
            RUNBOOK,
            "example runbook: symptoms, diagnosis, mitigation, escalation; reviewed today, due in 6 months",
        ),
        (
            INCIDENT_PATH,
            first(evidence.incident_docs.iter().map(|d| &d.source))
                .map(|f| format!("an incident process is documented: {f}")),
            INCIDENT_RESPONSE,
            "incident process: declaring, roles, severities, escalation, communication, postmortems",
        ),
        (
            POSTMORTEM_PATH,
            first(
                evidence
                    .postmortems
                    .iter()
                    .filter(|p| p.template)
                    .map(|p| &p.source),
            )
            .map(|f| format!("a postmortem template exists: {f}")),
            POSTMORTEM_TEMPLATE,
            "blameless postmortem template: impact, timeline, root cause, action items with owner and ticket",
        ),
    ];
    for (path, found, template, what) in operational {
        steps.push(match (found, operated) {
            (Some(found), _) => skip(path, found),
            (None, false) => skip(path, not_operated()),
            (None, true) => Step::Write {
                path: path.to_string(),
                what: what.to_string(),
                text: fill(template, &docs_values),
            },
        });
    }

    let slo_path = format!("slos/{slug}.yaml");
    let existing_slos = first(evidence.slos.iter().map(|s| &s.source));
    let slo_step = match (&existing_slos, operated) {
        (Some(found), _) => skip(&slo_path, format!("SLOs are defined: {found}")),
        (None, false) => skip(&slo_path, not_operated()),
        (None, true) => Step::Write {
            path: slo_path.clone(),
            what: "Sloth SLOs (availability, latency) with multi-window burn-rate page and ticket alerts".to_string(),
            text: fill(
                SLO,
                &[("file", slug.as_str()), ("alert", &alert_prefix(&slug))],
            ),
        },
    };
    let slos_planned = existing_slos.is_some() || matches!(slo_step, Step::Write { .. });
    steps.push(slo_step);

    let policy = first(
        evidence
            .error_budget_policies
            .iter()
            .filter(|p| p.format == "document")
            .map(|p| &p.source),
    );
    steps.push(match (policy, slos_planned) {
        (Some(found), _) => skip(
            ERROR_BUDGET_POLICY_PATH,
            format!("an error-budget policy is written: {found}"),
        ),
        (None, false) => skip(
            ERROR_BUDGET_POLICY_PATH,
            "no SLOs, so no error budget to set a policy for".to_string(),
        ),
        (None, true) => Step::Write {
            path: ERROR_BUDGET_POLICY_PATH.to_string(),
            what: "error-budget policy: what happens when the budget is spent, who decides"
                .to_string(),
            text: fill(ERROR_BUDGET_POLICY, &docs_values),
        },
    });
    steps
}

fn skip(path: &str, reason: String) -> Step {
    Step::Skip {
        path: path.to_string(),
        reason,
    }
}

/// The first item outside example folders, as `path:line` (`path` for an item that is the
/// whole file), and how many more there are.
fn first<'a>(sources: impl Iterator<Item = &'a Source>) -> Option<String> {
    let real: Vec<&Source> = sources.filter(|s| !s.example).collect();
    let at = real.first()?;
    let place = match at.line {
        Some(line) if line > 1 => format!("{}:{line}", at.path),
        _ => at.path.clone(),
    };
    Some(match real.len() {
        1 => place,
        n => format!("{place} and {} more", n - 1),
    })
}

fn codeowners(owner: Option<&str>) -> Step {
    let usable = owner.and_then(usable_codeowners_owner);
    let (owner_value, note, what) = match (usable, owner) {
        (Some(owner), _) => (
            owner.clone(),
            String::new(),
            format!("code owners: `*` owned by {owner}"),
        ),
        (None, Some(found)) => (
            PLACEHOLDER_OWNER.to_string(),
            format!(
                "\n# TODO: replace the placeholder owner with the GitHub team (or user) that owns the\n# repository; opready found the owner `{}`, which is not a GitHub handle.",
                found.replace('\n', " ")
            ),
            format!("code owners with a placeholder owner ({PLACEHOLDER_OWNER}): replace it"),
        ),
        (None, None) => (
            PLACEHOLDER_OWNER.to_string(),
            "\n# TODO: replace the placeholder owner with the GitHub team (or user) that owns the\n# repository.".to_string(),
            format!("code owners with a placeholder owner ({PLACEHOLDER_OWNER}): replace it"),
        ),
    };
    Step::Write {
        path: CODEOWNERS_PATH.to_string(),
        what,
        text: fill(
            CODEOWNERS,
            &[("owner", &owner_value), ("owner_note", &note)],
        ),
    }
}

/// The owner as CODEOWNERS owners, when every word of it is a GitHub handle
/// (`@user`, `@org/team`) or an e-mail address; `group:payments` is not.
pub fn usable_codeowners_owner(owner: &str) -> Option<String> {
    let words: Vec<&str> = owner.split_whitespace().collect();
    let handle = |w: &str| {
        w.strip_prefix('@').is_some_and(|rest| {
            let mut parts = rest.split('/');
            let ok = |p: &str| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            };
            let org = parts.next().is_some_and(ok);
            let team = parts.next().is_none_or(ok);
            org && team && parts.next().is_none()
        })
    };
    let email = |w: &str| {
        w.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !w.contains(':')
    };
    (!words.is_empty() && words.iter().all(|w| handle(w) || email(w))).then(|| words.join(" "))
}

/// The service name as a file name and Prometheus label value: lowercase letters, digits
/// and single dashes.
pub fn service_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "service".to_string()
    } else {
        slug
    }
}

/// `payments-api` → `PaymentsApi`, the prefix of the SLO alert names.
fn alert_prefix(slug: &str) -> String {
    slug.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, check};
    use crate::config::parse_date;

    #[test]
    fn slugs_and_alert_names() {
        assert_eq!(service_slug("Payments API"), "payments-api");
        assert_eq!(service_slug("checkout_svc.v2"), "checkout-svc-v2");
        assert_eq!(service_slug("--"), "service");
        assert_eq!(service_slug("ünïcode"), "n-code");
        assert_eq!(alert_prefix("payments-api"), "PaymentsApi");
        assert_eq!(alert_prefix("x"), "X");
    }

    #[test]
    fn codeowners_owners() {
        assert_eq!(
            usable_codeowners_owner("@acme/payments @alice"),
            Some("@acme/payments @alice".to_string())
        );
        assert_eq!(
            usable_codeowners_owner("ops@acme.example"),
            Some("ops@acme.example".to_string())
        );
        assert_eq!(usable_codeowners_owner("group:payments"), None);
        assert_eq!(usable_codeowners_owner("team-payments"), None);
        assert_eq!(usable_codeowners_owner("@acme/pay/ments"), None);
        assert_eq!(usable_codeowners_owner(""), None);
    }

    fn steps_for(files: &[(&str, &str)]) -> Vec<Step> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let pack = crate::policy::load::builtin().unwrap();
        let today = parse_date("2026-01-10").unwrap();
        let options = CheckOptions {
            today,
            ..CheckOptions::default()
        };
        let checked = check(dir.path(), &pack, &options).unwrap();
        steps(&checked, today)
    }

    fn summary(steps: &[Step]) -> Vec<(String, bool)> {
        steps
            .iter()
            .map(|s| (s.path().to_string(), matches!(s, Step::Write { .. })))
            .collect()
    }

    #[test]
    fn an_empty_service_gets_every_starter_file() {
        let steps = steps_for(&[("Dockerfile", "FROM scratch\n")]);
        let got = summary(&steps);
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".github/CODEOWNERS",
                "docs/runbooks/example.md",
                "docs/incident-response.md",
                "docs/postmortems/template.md",
                &format!("slos/{}.yaml", steps_slug(&steps)),
                "docs/error-budget-policy.md",
            ]
        );
        assert!(got.iter().all(|(_, write)| *write), "{steps:?}");
        let Step::Write { text, .. } = &steps[1] else {
            unreachable!()
        };
        assert!(
            text.starts_with("---\nlast_reviewed_on: 2026-01-10\n"),
            "{text}"
        );
        let Step::Write { text, .. } = &steps[0] else {
            unreachable!()
        };
        assert!(text.contains("\n*    @your-org/your-team\n"), "{text}");
        assert!(
            text.contains("# TODO: replace the placeholder owner"),
            "{text}"
        );
    }

    fn steps_slug(steps: &[Step]) -> String {
        steps
            .iter()
            .find_map(|s| {
                s.path()
                    .strip_prefix("slos/")
                    .and_then(|p| p.strip_suffix(".yaml"))
            })
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn what_exists_anywhere_is_not_scaffolded() {
        let runbook = "# Disk full\n## Symptoms\nx\n## Mitigation\ny\n";
        let slo = "version: prometheus/v1\nservice: a\nslos:\n  - name: avail\n    objective: 99.9\n    sli:\n      raw:\n        error_ratio_query: x\n    alerting:\n      name: A\n";
        let steps = steps_for(&[
            ("Dockerfile", "FROM scratch\n"),
            ("CODEOWNERS", "* @acme/ops\n"),
            ("ops/playbooks/disk-full.md", runbook),
            ("monitoring/slo.yaml", slo),
        ]);
        let skipped: Vec<(&str, &str)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Skip { path, reason } if path.starts_with("slos/") => {
                    Some(("slos/*", reason.as_str()))
                }
                Step::Skip { path, reason } => Some((path.as_str(), reason.as_str())),
                Step::Write { .. } => None,
            })
            .collect();
        assert_eq!(
            skipped,
            [
                (".github/CODEOWNERS", "code owners exist: CODEOWNERS"),
                (
                    "docs/runbooks/example.md",
                    "runbooks exist: ops/playbooks/disk-full.md"
                ),
                ("slos/*", "SLOs are defined: monitoring/slo.yaml:4"),
            ]
        );
        // There are SLOs, so the error-budget policy is written.
        assert!(
            steps
                .iter()
                .any(|s| matches!(s, Step::Write { path, .. } if path == ERROR_BUDGET_POLICY_PATH))
        );
    }

    #[test]
    fn examples_do_not_count_and_a_library_gets_no_operational_stubs() {
        let runbook = "# Disk full\n## Symptoms\nx\n## Mitigation\ny\n";
        let steps = steps_for(&[
            ("Cargo.toml", "[package]\nname = \"lib\"\n"),
            ("examples/runbooks/disk-full.md", runbook),
        ]);
        let got = summary(&steps);
        // Only CODEOWNERS is written; the rest is skipped as not operated.
        assert_eq!(got.iter().filter(|(_, w)| *w).count(), 1, "{steps:?}");
        assert!(got[0].1);
        for step in &steps[1..] {
            let Step::Skip { reason, .. } = step else {
                panic!("{step:?}")
            };
            assert!(
                reason.contains("does not look like an operated service")
                    || reason.starts_with("no SLOs"),
                "{reason}"
            );
        }
    }

    #[test]
    fn a_github_owner_goes_into_codeowners() {
        let step = codeowners(Some("@acme/payments"));
        let Step::Write { text, what, .. } = step else {
            unreachable!()
        };
        assert!(text.contains("\n*    @acme/payments\n"), "{text}");
        assert!(!text.contains("TODO"), "{text}");
        assert!(what.contains("@acme/payments"));
        let Step::Write { text, .. } = codeowners(Some("group:payments")) else {
            unreachable!()
        };
        assert!(text.contains("`group:payments`"), "{text}");
        assert!(text.contains("\n*    @your-org/your-team\n"), "{text}");
    }
}
