//! The `.opready.yaml` that `opready init` writes: the service and its owner as opready
//! found them, the pack's tiers (what each requires, and whether the repository meets it
//! today) above a commented `tier:` line, and commented examples of `exclude`, `targets`
//! and `waivers`. Nothing in it changes the gate until the team uncomments a tier.

use crate::config::format_date;
use crate::eval::Status;
use crate::init::{CONFIG_FILE, PLACEHOLDER_OWNER, Step, fill};
use crate::policy::Pack;
use crate::report::Report;

const TEMPLATE: &str = include_str!("templates/opready.yaml");

/// Days a waiver example is valid for.
const WAIVER_DAYS: i64 = 90;

/// Comment lines are wrapped at this width.
const WIDTH: usize = 92;

pub(super) fn step(pack: &Pack, report: &Report, today: i64) -> Step {
    let service = &report.service;
    let service_line = format!(
        "service: {}  # from {}",
        quote(&service.name),
        service.name_source
    );
    let owner_line = match (&service.owner, &service.owner_source) {
        (Some(owner), source) => format!(
            "owner: {}  # from {}",
            quote(owner),
            source.as_deref().unwrap_or("the repository")
        ),
        (None, _) => format!(
            "# owner: \"{PLACEHOLDER_OWNER}\"  # no owner found (no catalog-info.yaml owner, no CODEOWNERS `*` rule)"
        ),
    };
    let mut tiers = tier_lines(pack, report);
    if let (Some(tier), Some(source)) = (&service.tier, &service.tier_source) {
        tiers.push_str("#\n");
        push_wrapped(
            &mut tiers,
            "# ",
            "# ",
            &format!("{source} already sets tier {tier}; a tier here would override it."),
        );
    }
    let waiver_criterion = report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .find(|c| c.status == Status::Fail && pack.criterion(&c.id).is_some_and(|p| !p.no_waiver))
        .map_or("slo-error-budget-policy", |c| c.id.as_str());
    let target_activity = pack
        .activity("cost")
        .or_else(|| pack.activities.first())
        .map_or("cost", |a| a.id.as_str());
    let text = fill(
        TEMPLATE,
        &[
            ("service_line", &service_line),
            ("owner_line", &owner_line),
            ("pack", &pack.name),
            ("tiers", tiers.trim_end()),
            ("suggested_tier", &suggested_tier(pack, report)),
            ("target_example", &format!("{target_activity}: 1")),
            ("waiver_criterion", waiver_criterion),
            (
                "waiver_reason",
                "TODO: why it cannot be met yet, and the ticket that tracks the fix",
            ),
            (
                "waiver_owner",
                service.owner.as_deref().unwrap_or(PLACEHOLDER_OWNER),
            ),
            ("waiver_expires", &format_date(today + WAIVER_DAYS)),
        ],
    );
    let what = format!(
        "configuration: service {}, owner {}; choose a tier in it",
        service.name,
        service.owner.as_deref().unwrap_or("unknown")
    );
    Step::Write {
        path: CONFIG_FILE.to_string(),
        what,
        text,
    }
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// One block per tier: its key, name and description, what it requires, and how the
/// repository fares against it today.
fn tier_lines(pack: &Pack, report: &Report) -> String {
    if pack.tiers.is_empty() {
        return "#   (the pack defines no tiers; set `targets` instead)\n".to_string();
    }
    let mut out = String::new();
    for (key, tier) in &pack.tiers {
        let head = match &tier.description {
            Some(d) => format!("{key} ({}): {}", tier.name, d.trim()),
            None => format!("{key} ({})", tier.name),
        };
        push_wrapped(&mut out, "#   ", "#       ", &head);
        if !tier.lifecycles.is_empty() {
            push_wrapped(
                &mut out,
                "#       ",
                "#       ",
                &format!(
                    "catalog spec.lifecycle {} also means this tier",
                    tier.lifecycles.join(" or ")
                ),
            );
        }
        let requires = ordered_targets(pack, &tier.targets)
            .iter()
            .map(|(a, l)| unbreakable(&format!("{a} {l}")))
            .collect::<Vec<_>>()
            .join(", ");
        push_wrapped(
            &mut out,
            "#       ",
            "#       ",
            &format!("requires {requires}"),
        );
        let below = below(pack, report, &tier.targets);
        let today = if below.is_empty() {
            "met today".to_string()
        } else {
            let below: Vec<String> = below.iter().map(|b| unbreakable(b)).collect();
            format!("below today: {}", below.join(", "))
        };
        push_wrapped(&mut out, "#       ", "#       ", &today);
    }
    out
}

/// A tier's targets in the pack's activity order.
fn ordered_targets<'a>(
    pack: &'a Pack,
    targets: &'a std::collections::BTreeMap<String, u8>,
) -> Vec<(&'a str, u8)> {
    let mut out: Vec<(&str, u8)> = pack
        .activities
        .iter()
        .filter_map(|a| targets.get(&a.id).map(|l| (a.id.as_str(), *l)))
        .collect();
    // Targets naming an activity the pack does not have, last (the pack validator
    // normally rejects them).
    out.extend(
        targets
            .iter()
            .filter(|(a, _)| pack.activity(a).is_none())
            .map(|(a, l)| (a.as_str(), *l)),
    );
    out
}

/// Activities below a tier's targets today, as `slo (1 of 3)`.
fn below(
    pack: &Pack,
    report: &Report,
    targets: &std::collections::BTreeMap<String, u8>,
) -> Vec<String> {
    ordered_targets(pack, targets)
        .into_iter()
        .filter_map(|(id, target)| {
            let level = report.activities.iter().find(|a| a.id == id)?.level?;
            (level < target).then(|| format!("{id} ({level} of {target})"))
        })
        .collect()
}

/// The tier the repository already has, else the most demanding tier it meets today,
/// else the least demanding one.
fn suggested_tier(pack: &Pack, report: &Report) -> String {
    if let Some(tier) = &report.service.tier {
        return tier.clone();
    }
    pack.tiers
        .iter()
        .find(|(_, t)| below(pack, report, &t.targets).is_empty())
        .or_else(|| pack.tiers.iter().next_back())
        .map_or_else(|| "1".to_string(), |(k, _)| k.clone())
}

/// Spaces that [`push_wrapped`] does not break lines at.
const NO_BREAK: char = '\u{a0}';

fn unbreakable(text: &str) -> String {
    text.replace(' ', &NO_BREAK.to_string())
}

/// Appends `text` as comment lines of at most [`WIDTH`] characters, breaking at spaces
/// (not at the spaces of [`unbreakable`] text).
fn push_wrapped(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line.trim_end().replace(NO_BREAK, " "));
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line.trim_end().replace(NO_BREAK, " "));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, check};
    use crate::config::parse_date;

    fn report_of(files: &[(&str, &str)]) -> (Pack, Report) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("payments-api");
        std::fs::create_dir(&root).unwrap();
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let pack = crate::policy::load::builtin().unwrap();
        let options = CheckOptions {
            today: parse_date("2026-01-10").unwrap(),
            ..CheckOptions::default()
        };
        let report = check(&root, &pack, &options).unwrap().report;
        (pack, report)
    }

    fn text_of(step: Step) -> String {
        match step {
            Step::Write { text, .. } => text,
            Step::Skip { .. } => panic!("skipped"),
        }
    }

    #[test]
    fn service_and_owner_come_from_the_repository_and_the_gate_is_unchanged() {
        let (pack, report) = report_of(&[
            ("Dockerfile", "FROM scratch\n"),
            (".github/CODEOWNERS", "* @acme/payments\n"),
        ]);
        let text = text_of(step(&pack, &report, parse_date("2026-01-10").unwrap()));
        assert!(
            text.contains("service: \"payments-api\"  # from folder name\n"),
            "{text}"
        );
        assert!(
            text.contains("owner: \"@acme/payments\"  # from .github/CODEOWNERS\n"),
            "{text}"
        );
        // Every tier is described with what it requires; the tier line itself is a comment.
        assert!(text.contains("#   1 (critical): Customer-facing"), "{text}");
        assert!(
            text.contains("#       requires slo 3, monitoring 3, incident-response 3,"),
            "{text}"
        );
        assert!(text.contains("#       below today: slo (1 of 3)"), "{text}");
        assert!(text.contains("\n# tier: 3\n"), "{text}");
        // The waiver example names a failing criterion and expires in 90 days.
        assert!(text.contains("#   - criterion: slo-defined\n"), "{text}");
        assert!(text.contains("#     expires: 2026-04-10\n"), "{text}");
        assert!(
            text.lines().all(|l| l.chars().count() <= WIDTH + 30),
            "{text}"
        );
        // It is a valid configuration that sets nothing but the service and the owner.
        let loaded = crate::config::parse(".opready.yaml", &text).unwrap();
        assert_eq!(loaded.config.service.as_deref(), Some("payments-api"));
        assert_eq!(loaded.config.owner.as_deref(), Some("@acme/payments"));
        assert!(loaded.config.tier.is_none() && loaded.config.waivers.is_empty());
    }

    #[test]
    fn uncommented_examples_are_valid_configuration() {
        let (pack, report) = report_of(&[("Dockerfile", "FROM scratch\n")]);
        let text = text_of(step(&pack, &report, parse_date("2026-01-10").unwrap()));
        assert!(text.contains("# owner: \"@your-org/your-team\""), "{text}");
        // Uncomment every example line (a comment line that is YAML: `# key:` or `#   `
        // followed by a key or list item), as a user would.
        let uncommented: String = text
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if ["tier:", "owner:", "exclude:", "targets:", "waivers:"]
                        .iter()
                        .any(|k| rest.starts_with(k))
                        || (rest.starts_with("  ")
                            && (rest.trim_start().starts_with("- ")
                                || rest.trim_start().contains(": ")
                                    && !rest.trim_start().starts_with(|c: char| {
                                        c.is_ascii_digit() || c == '('
                                    })
                                    && !rest.trim_start().starts_with("requires")
                                    && !rest.trim_start().starts_with("below"))) =>
                {
                    format!("{rest}\n")
                }
                _ => format!("{line}\n"),
            })
            .collect();
        let loaded = crate::config::parse(".opready.yaml", &uncommented)
            .unwrap_or_else(|e| panic!("{e:?}\n{uncommented}"));
        assert_eq!(
            loaded.config.tier.map(|t| t.as_string()),
            Some("3".to_string())
        );
        assert_eq!(loaded.config.exclude, vec!["docs/archive/**"]);
        assert_eq!(loaded.config.targets.get("cost"), Some(&1));
        let waiver = &loaded.config.waivers[0];
        assert_eq!(waiver.owner, "@your-org/your-team");
        assert!(waiver.reason.starts_with("TODO"));
        assert!(pack.criterion(&waiver.criterion).is_some());
    }

    #[test]
    fn a_tier_from_the_catalog_is_named_and_suggested() {
        let catalog = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n  annotations:\n    opready.dev/tier: \"2\"\nspec:\n  type: service\n  owner: group:payments\n";
        let (pack, report) = report_of(&[
            ("Dockerfile", "FROM scratch\n"),
            ("catalog-info.yaml", catalog),
        ]);
        assert_eq!(report.service.tier.as_deref(), Some("2"));
        let text = text_of(step(&pack, &report, 0));
        assert!(
            text.contains("service: \"checkout\"  # from catalog-info.yaml"),
            "{text}"
        );
        assert!(
            text.contains("owner: \"group:payments\"  # from catalog-info.yaml"),
            "{text}"
        );
        assert!(
            text.contains("# catalog-info.yaml already sets tier 2"),
            "{text}"
        );
        assert!(text.contains("\n# tier: 2\n"), "{text}");
    }

    #[test]
    fn wrapping() {
        let mut out = String::new();
        push_wrapped(&mut out, "# ", "#   ", &"word ".repeat(40));
        assert!(out.lines().count() > 1);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH));
        assert!(out.lines().skip(1).all(|l| l.starts_with("#   word")));
    }
}
