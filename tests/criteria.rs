//! Every built-in criterion has a fixture repository where it passes
//! (`fixtures/service-best-practice/`) and one where it fails
//! (`fixtures/criteria/<criterion-id>/`), and its failure points at the evidence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use opready::check::{CheckOptions, Checked, check, evidence_document};

/// The day the fixtures are checked as of.
const FIXTURE_TODAY: &str = "2026-11-23";
use opready::eval::{Finding, Status};
use opready::policy::{self, Pack};
use serde_json::Value;

fn pack() -> Pack {
    policy::load::builtin().unwrap_or_else(|e| panic!("built-in pack does not load:\n{e}"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn run(path: &Path, pack: &Pack) -> Checked {
    // Review dates and waivers depend on the day: pin it so the fixtures never expire.
    let options = CheckOptions {
        today: opready::config::parse_date(FIXTURE_TODAY).unwrap(),
        ..CheckOptions::default()
    };
    check(path, pack, &options)
        .unwrap_or_else(|e| panic!("checking {} failed: {e}", path.display()))
}

/// Status and findings of every criterion of a report, by id.
fn verdicts(checked: &Checked) -> BTreeMap<&str, (Status, &[Finding])> {
    checked
        .report
        .activities
        .iter()
        .flat_map(|a| &a.criteria)
        .map(|c| (c.id.as_str(), (c.status, c.findings.as_slice())))
        .collect()
}

fn show(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "  (no findings)".to_string();
    }
    findings
        .iter()
        .map(|f| {
            let at = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}: "),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            format!("  - {at}{}", f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// For each path, whether some evidence item found there has a line.
fn item_lines(evidence: &Value) -> BTreeMap<String, bool> {
    fn walk(value: &Value, out: &mut BTreeMap<String, bool>) {
        match value {
            Value::Object(map) => {
                if let Some(source) = map.get("source")
                    && let Some(path) = source.get("path").and_then(Value::as_str)
                {
                    let has_line = source.get("line").and_then(Value::as_u64).is_some();
                    *out.entry(path.to_string()).or_insert(false) |= has_line;
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(evidence, &mut out);
    out
}

/// The alternative a finding belongs to: `option 2: …` → `Some("2")`.
fn option_of(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("option ")?;
    let (n, _) = rest.split_once(": ")?;
    n.chars().all(|c| c.is_ascii_digit()).then_some(n)
}

#[test]
fn best_practice_fixture_passes_every_criterion_at_level_3() {
    let pack = pack();
    let path = fixtures().join("service-best-practice");
    let checked = run(&path, &pack);
    let report = &checked.report;
    assert!(
        report.diagnostics.is_empty(),
        "service-best-practice has diagnostics: {:#?}",
        report.diagnostics
    );
    let got = verdicts(&checked);
    let mut problems = Vec::new();
    for criterion in pack.criteria() {
        match got.get(criterion.id.as_str()) {
            Some((Status::Pass, _)) => {}
            Some((status, findings)) => problems.push(format!(
                "{} ({}) is {} on service-best-practice, expected pass:\n{}",
                criterion.id,
                criterion.title,
                status.as_str(),
                show(findings)
            )),
            None => problems.push(format!("{} is missing from the report", criterion.id)),
        }
    }
    for activity in &report.activities {
        if activity.level != Some(3) {
            problems.push(format!(
                "activity {} is at level {:?} on service-best-practice, expected 3",
                activity.id, activity.level
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_criterion_fails_on_its_own_fixture_and_says_where() {
    let pack = pack();
    let root = fixtures().join("criteria");
    let mut problems = Vec::new();
    for criterion in pack.criteria() {
        let id = criterion.id.as_str();
        let path = root.join(id);
        if !path.is_dir() {
            problems.push(format!(
                "{id}: no fixture fixtures/criteria/{id}/ where it fails"
            ));
            continue;
        }
        let checked = run(&path, &pack);
        let got = verdicts(&checked);
        let Some((status, findings)) = got.get(id) else {
            problems.push(format!("{id}: missing from the report"));
            continue;
        };
        if *status != Status::Fail {
            problems.push(format!(
                "{id} ({}) is {} on fixtures/criteria/{id}, expected fail:\n{}",
                criterion.title,
                status.as_str(),
                show(findings)
            ));
            continue;
        }
        if findings.is_empty() {
            problems.push(format!("{id}: fails on its fixture without any finding"));
            continue;
        }
        let lines = item_lines(&evidence_document(&checked.evidence));
        for f in findings.iter() {
            if let Some(p) = &f.path
                && f.line.is_none()
                && lines.get(p).copied().unwrap_or(false)
            {
                problems.push(format!(
                    "{id}: finding names {p} without a line, though the evidence there has one: {}",
                    f.message
                ));
            }
        }
        // A count that falls short without pointing at an item must say where opready
        // looked, or be followed by the items that did not qualify (per alternative).
        for f in findings.iter().filter(|f| f.path.is_none()) {
            let option = option_of(&f.message);
            let items_named = findings
                .iter()
                .any(|g| g.path.is_some() && option_of(&g.message) == option);
            if !f.message.contains("looked for") && !items_named {
                problems.push(format!(
                    "{id}: finding says neither where opready looked nor which items did not qualify: {}",
                    f.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn criteria_fixtures_are_named_after_known_criteria_and_say_what_they_show() {
    let pack = pack();
    let known: BTreeSet<&str> = pack.criteria().map(|c| c.id.as_str()).collect();
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(fixtures().join("criteria")).expect("fixtures/criteria/");
    for entry in entries {
        let entry = entry.expect("readable fixtures/criteria/");
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            problems.push(format!("fixtures/criteria/{name} is not a folder"));
            continue;
        }
        if !known.contains(name.as_str()) {
            problems.push(format!(
                "fixtures/criteria/{name}/ is named after no criterion of the built-in pack"
            ));
            continue;
        }
        let readme = std::fs::read_to_string(entry.path().join("README.md")).unwrap_or_default();
        if !readme.contains(&name) {
            problems.push(format!(
                "fixtures/criteria/{name}/README.md should say what the fixture demonstrates, naming `{name}`"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
