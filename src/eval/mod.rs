//! Evaluation: evidence × policy → verdicts and levels.
//!
//! A criterion selects an evidence list, filters it with `where`, counts it against
//! `min`/`max` and checks every counted item with `each` (both JSON Schema). Findings
//! name each offending item with its file:line; a count that falls short names every item
//! that was considered but did not match, and says where opready looked. Schemas are
//! compiled on first use and cached in the pack, so a run compiles only what it needs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::evidence::kinds;
use crate::policy::{Activity, Applies, Check, Combine, Criterion, Pack};
use crate::validate;

/// The outcome of one criterion.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
    /// Failing, but excused by an unexpired waiver.
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        }
    }

    /// Whether the criterion lets its level be reached.
    pub fn holds(self) -> bool {
        self != Status::Fail
    }
}

/// One reason a criterion fails, pointing at the evidence or at where it was looked for.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Finding {
    pub message: String,
    /// Identifies the finding across runs without line numbers (criterion, file and the
    /// evidence item or the shape of the message): baselines match findings by it.
    #[serde(default)]
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub criterion: String,
    pub status: Status,
    /// Why the criterion does not apply, passes thanks to something, or is waived.
    pub reason: Option<String>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub struct ActivityVerdict {
    pub activity: String,
    /// `None` when no criterion of the activity applies to the repository.
    pub level: Option<u8>,
    pub verdicts: Vec<Verdict>,
}

/// A criterion whose failure is excused until a date.
#[derive(Debug, Clone)]
pub struct Excuse {
    pub criterion: String,
    /// `Some(text)` while it holds ("waived until 2026-12-31 by @alice: reason"),
    /// `None` with `expired` set when the date passed.
    pub reason: String,
    pub expired: bool,
}

/// Most findings listed per criterion; the rest are counted.
pub const MAX_FINDINGS: usize = 50;

/// Evaluates every activity of `pack` over an evidence document.
pub fn evaluate(pack: &Pack, evidence: &Value, excuses: &[Excuse]) -> Vec<ActivityVerdict> {
    pack.activities
        .iter()
        .map(|activity| evaluate_activity(activity, evidence, excuses))
        .collect()
}

fn evaluate_activity(activity: &Activity, evidence: &Value, excuses: &[Excuse]) -> ActivityVerdict {
    if let Some(reason) = activity
        .applies
        .as_ref()
        .and_then(|a| not_applicable(a, evidence))
    {
        return ActivityVerdict {
            activity: activity.id.clone(),
            level: None,
            verdicts: activity
                .criteria
                .iter()
                .map(|c| Verdict {
                    criterion: c.id.clone(),
                    status: Status::NotApplicable,
                    reason: Some(format!("the activity {reason}")),
                    findings: Vec::new(),
                })
                .collect(),
        };
    }
    let verdicts: Vec<Verdict> = activity
        .criteria
        .iter()
        .map(|c| {
            let mut verdict = excuse(evaluate_criterion(c, evidence), c, excuses);
            for finding in &mut verdict.findings {
                finding.fingerprint = fingerprint(&c.id, finding);
            }
            verdict
        })
        .collect();
    let level = level_reached(&activity.criteria, &verdicts, activity.max_level());
    ActivityVerdict {
        activity: activity.id.clone(),
        level,
        verdicts,
    }
}

fn excuse(mut verdict: Verdict, criterion: &Criterion, excuses: &[Excuse]) -> Verdict {
    let Some(excuse) = excuses.iter().find(|e| e.criterion == criterion.id) else {
        return verdict;
    };
    if verdict.status != Status::Fail {
        return verdict;
    }
    if excuse.expired {
        verdict.findings.insert(
            0,
            Finding {
                message: excuse.reason.clone(),
                path: None,
                line: None,
                column: None,
                fingerprint: String::new(),
            },
        );
    } else {
        verdict.status = Status::Waived;
        verdict.reason = Some(excuse.reason.clone());
    }
    verdict
}

/// Levels are cumulative: a level is reached when every applicable criterion of it and of
/// every lower level holds. `None` when nothing applies.
pub fn level_reached(criteria: &[Criterion], verdicts: &[Verdict], max_level: u8) -> Option<u8> {
    if verdicts.iter().all(|v| v.status == Status::NotApplicable) {
        return None;
    }
    let mut level = 1;
    for next in 2..=max_level {
        let holds = criteria
            .iter()
            .zip(verdicts)
            .filter(|(c, _)| c.level <= next)
            .all(|(_, v)| v.status.holds());
        if !holds {
            break;
        }
        level = next;
    }
    Some(level)
}

fn evaluate_criterion(criterion: &Criterion, evidence: &Value) -> Verdict {
    let mut verdict = Verdict {
        criterion: criterion.id.clone(),
        status: Status::Pass,
        reason: None,
        findings: Vec::new(),
    };
    if let Some(reason) = criterion
        .applies
        .as_ref()
        .and_then(|a| not_applicable(a, evidence))
    {
        verdict.status = Status::NotApplicable;
        verdict.reason = Some(reason);
        return verdict;
    }
    let outcomes: Vec<Outcome> = criterion
        .checks
        .iter()
        .map(|c| run_check(c, evidence))
        .collect();
    let passes = match criterion.combine {
        Combine::Any => outcomes.iter().any(|o| matches!(o, Outcome::Pass)),
        Combine::All => {
            outcomes.iter().any(|o| matches!(o, Outcome::Pass))
                && !outcomes.iter().any(|o| matches!(o, Outcome::Fail(_)))
        }
    };
    if passes {
        return verdict;
    }
    if outcomes.iter().all(|o| matches!(o, Outcome::Empty(_))) {
        verdict.status = Status::NotApplicable;
        verdict.reason = Some(
            outcomes
                .iter()
                .filter_map(|o| match o {
                    Outcome::Empty(why) => Some(why.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("; "),
        );
        return verdict;
    }
    verdict.status = Status::Fail;
    let alternatives = outcomes.len() > 1 && criterion.combine == Combine::Any;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let findings = match outcome {
            Outcome::Fail(findings) => findings,
            // With `all`, a check with nothing to check does not fail the criterion.
            Outcome::Empty(_) if criterion.combine == Combine::All => continue,
            Outcome::Empty(why) => vec![Finding {
                message: why,
                path: None,
                line: None,
                column: None,
                fingerprint: String::new(),
            }],
            Outcome::Pass => continue,
        };
        for mut finding in findings {
            if alternatives {
                finding.message = format!("option {}: {}", i + 1, finding.message);
            }
            verdict.findings.push(finding);
        }
    }
    verdict
}

/// Why an `applies` condition does not hold, or `None` when it does.
fn not_applicable(applies: &Applies, evidence: &Value) -> Option<String> {
    let facts_hold = applies
        .facts
        .iter()
        .all(|f| evidence.pointer(&format!("/facts/{f}")) == Some(&Value::Bool(true)));
    let check_holds = applies
        .check
        .as_ref()
        .is_none_or(|c| matches!(run_check(c, evidence), Outcome::Pass));
    if facts_hold && check_holds {
        return None;
    }
    let mut reason = format!("applies only when {}", applies.when);
    let why_not = applies
        .facts
        .iter()
        .filter(|f| evidence.pointer(&format!("/facts/{f}")) != Some(&Value::Bool(true)))
        .find_map(|f| {
            evidence
                .pointer(&format!("/facts/{f}_reason"))
                .and_then(Value::as_str)
        });
    if let Some(why) = why_not {
        reason.push_str(&format!(", and {why}"));
    }
    Some(reason)
}

enum Outcome {
    Pass,
    Fail(Vec<Finding>),
    /// Nothing to check (`each` over an empty selection, no `min`): the reason.
    Empty(String),
}

fn run_check(check: &Check, evidence: &Value) -> Outcome {
    let kind = kinds::kind(&check.select);
    let (singular, plural, looked_for) = kind
        .map_or((check.select.as_str(), check.select.as_str(), ""), |k| {
            (k.singular, k.plural, k.looked_for)
        });
    let empty = Vec::new();
    let all = evidence
        .get(&check.select)
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let (selected, examples): (Vec<&Value>, Vec<&Value>) = all.iter().partition(|item| {
        check.include_examples || item.pointer("/source/example") != Some(&Value::Bool(true))
    });

    let mut counted = Vec::new();
    let mut misses = Vec::new();
    match &check.where_ {
        Some(schema) => match check.compiled_where(schema) {
            Ok(validator) => {
                for item in &selected {
                    let errors: Vec<_> = validator.iter_errors(item).collect();
                    if errors.is_empty() {
                        counted.push(*item);
                    } else if !errors.iter().any(is_kind_filter) {
                        let why = errors
                            .iter()
                            .map(|e| validate::describe_in(e, schema, item))
                            .collect::<Vec<_>>()
                            .join("; ");
                        misses.push((*item, why));
                    }
                }
            }
            Err(err) => return Outcome::Fail(vec![policy_finding("where", &err)]),
        },
        None => counted.extend(selected.iter().copied()),
    }

    let min = match (check.min, check.max, &check.each) {
        (None, None, None) => Some(1),
        (min, _, _) => min,
    };
    let mut findings = Vec::new();
    if let Some(min) = min.filter(|m| counted.len() < *m as usize) {
        let mut message = if selected.is_empty() {
            format!("no {plural} found")
        } else if check.where_.is_some() {
            format!(
                "{} of {} {plural} qualify, at least {min} needed",
                counted.len(),
                selected.len()
            )
        } else {
            format!("{} {plural} found, at least {min} needed", counted.len())
        };
        if !examples.is_empty() {
            message.push_str(&format!(
                " ({} more in example folders or unapplied modules are not counted, e.g. {})",
                examples.len(),
                location(examples[0]).unwrap_or_default()
            ));
        }
        // No near miss is listed below (nothing was found, or everything found is of
        // another sort): say what was wanted and where opready looked.
        if misses.is_empty() {
            if counted.is_empty()
                && !selected.is_empty()
                && let Some(filter) = check.where_.as_ref().and_then(kind_filter_text)
            {
                message.push_str(&format!(": none has {filter}"));
            }
            if !looked_for.is_empty() {
                message.push_str(&format!("; looked for {looked_for}"));
            }
        }
        findings.push(Finding {
            message,
            path: None,
            line: None,
            column: None,
            fingerprint: String::new(),
        });
        for (item, why) in misses.iter().take(MAX_FINDINGS) {
            findings.push(item_finding(
                item,
                singular,
                &format!("does not qualify: {why}"),
            ));
        }
        if misses.len() > MAX_FINDINGS {
            findings.push(more(misses.len() - MAX_FINDINGS, plural));
        }
    }
    if let Some(max) = check.max.filter(|m| counted.len() > *m as usize) {
        findings.push(Finding {
            message: format!("{} {plural} found, at most {max} allowed", counted.len()),
            path: None,
            line: None,
            column: None,
            fingerprint: String::new(),
        });
        for item in counted.iter().take(MAX_FINDINGS) {
            findings.push(item_finding(item, singular, "counted here"));
        }
    }
    if let Some(schema) = &check.each {
        match check.compiled_each(schema) {
            Ok(validator) => {
                let mut failing = 0usize;
                for item in &counted {
                    let mut messages: Vec<String> = validator
                        .iter_errors(item)
                        .map(|e| validate::describe_in(&e, schema, item))
                        .collect();
                    if messages.is_empty() {
                        continue;
                    }
                    failing += 1;
                    if failing > MAX_FINDINGS {
                        continue;
                    }
                    messages.dedup();
                    let mut text = messages.join("; ");
                    if let Some(problem) = item.get("runbook_problem").and_then(Value::as_str)
                        && text.contains("runbook_resolves")
                    {
                        text.push_str(&format!(" ({problem})"));
                    }
                    findings.push(item_finding(item, singular, &text));
                }
                if failing > MAX_FINDINGS {
                    findings.push(more(failing - MAX_FINDINGS, plural));
                }
                if counted.is_empty() && min.is_none() && findings.is_empty() {
                    let filter = if check.where_.is_some() {
                        " that qualify"
                    } else {
                        ""
                    };
                    let mut why = format!("nothing to check: no {plural}{filter} found");
                    if !examples.is_empty() {
                        why.push_str(&format!(
                            " outside example folders ({} in examples)",
                            examples.len()
                        ));
                    }
                    return Outcome::Empty(why);
                }
            }
            Err(err) => return Outcome::Fail(vec![policy_finding("each", &err)]),
        }
    }
    if findings.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(findings)
    }
}

/// A `where` error on a top-level `const`/`enum` (e.g. `kind: readme`, `template: true`)
/// means the item is of another sort, not a near miss worth listing.
fn is_kind_filter(err: &jsonschema::ValidationError) -> bool {
    use jsonschema::error::ValidationErrorKind as K;
    matches!(err.kind(), K::Constant { .. } | K::Enum { .. })
        && err.instance_path().as_str().matches('/').count() == 1
}

/// The top-level `const`/`enum` conditions of a `where` schema in words
/// (`` `kind` = "readme" ``), the filters [`is_kind_filter`] keeps out of near misses.
fn kind_filter_text(schema: &Value) -> Option<String> {
    let properties = schema.get("properties")?.as_object()?;
    let parts: Vec<String> = properties
        .iter()
        .filter_map(|(name, condition)| {
            if let Some(value) = condition.get("const") {
                Some(format!("`{name}` = {value}"))
            } else {
                let values = condition.get("enum")?.as_array()?;
                let listed: Vec<String> = values.iter().map(Value::to_string).collect();
                Some(format!("`{name}` in {}", listed.join(", ")))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

fn policy_finding(part: &str, err: &str) -> Finding {
    Finding {
        message: format!("policy error: `{part}` is not a valid JSON Schema: {err}"),
        path: None,
        line: None,
        column: None,
        fingerprint: String::new(),
    }
}

fn more(n: usize, plural: &str) -> Finding {
    Finding {
        message: format!("… and {n} more {plural}"),
        path: None,
        line: None,
        column: None,
        fingerprint: String::new(),
    }
}

/// How an item is named in messages: its name, title or path.
pub fn label(item: &Value) -> Option<String> {
    ["name", "title", "path"]
        .iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

fn location(item: &Value) -> Option<String> {
    let path = item.pointer("/source/path")?.as_str()?;
    Some(match item.pointer("/source/line").and_then(Value::as_u64) {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    })
}

fn item_finding(item: &Value, singular: &str, what: &str) -> Finding {
    let name = label(item).map_or_else(|| singular.to_string(), |l| format!("{singular} `{l}`"));
    Finding {
        message: format!("{name}: {what}"),
        path: item
            .pointer("/source/path")
            .and_then(Value::as_str)
            .map(str::to_string),
        line: item
            .pointer("/source/line")
            .and_then(Value::as_u64)
            .map(|l| l as u32),
        column: item
            .pointer("/source/column")
            .and_then(Value::as_u64)
            .map(|c| c as u32),
        fingerprint: String::new(),
    }
}

/// A fingerprint that survives edits elsewhere in the file: the criterion, the file and
/// what the finding is about (the evidence item it names, or the message with its numbers
/// left out), never the line.
pub fn fingerprint(criterion: &str, finding: &Finding) -> String {
    let subject = match &finding.path {
        // Item findings read "alert `X`: what is wrong"; the item is the identity.
        Some(_) => finding
            .message
            .split(": ")
            .next()
            .unwrap_or(&finding.message)
            .to_string(),
        None => finding
            .message
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect(),
    };
    let key = format!(
        "{criterion}\u{1f}{}\u{1f}{subject}",
        finding.path.as_deref().unwrap_or("")
    );
    // FNV-1a, 64 bits: stable across versions and platforms, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Criteria failing at exactly `level`: what blocks an activity from reaching it.
pub fn blockers<'a>(
    activity: &'a Activity,
    verdict: &'a ActivityVerdict,
    level: u8,
) -> Vec<&'a Criterion> {
    activity
        .criteria
        .iter()
        .zip(&verdict.verdicts)
        .filter(|(c, v)| c.level == level && v.status == Status::Fail)
        .map(|(c, _)| c)
        .collect()
}

/// Counts per status, for summaries.
pub fn status_counts(verdicts: &[ActivityVerdict]) -> BTreeMap<Status, usize> {
    let mut counts = BTreeMap::new();
    for v in verdicts.iter().flat_map(|a| &a.verdicts) {
        *counts.entry(v.status).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::load::load_in_memory;
    use serde_json::json;

    const PACK: &str = "name: t\nlevels:\n  - {level: 1, name: one}\n  - {level: 2, name: two}\n  - {level: 3, name: three}\nactivities: [a.yaml]\n";

    fn pack(criteria: &str) -> Pack {
        let activity = format!(
            "id: act\ntitle: Act\ndescription: d\ndelegation: inquire\nlevels: {{1: a, 2: b, 3: c}}\ncriteria:\n{criteria}"
        );
        load_in_memory(&[("pack.yaml", PACK), ("a.yaml", &activity)])
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn alert(name: &str, paging: bool, runbook: Option<bool>, line: u32) -> Value {
        let mut a = json!({"name": name, "paging": paging, "source": {"path": "rules.yaml", "line": line, "example": false}});
        if let Some(r) = runbook {
            a["runbook_url"] = json!("docs/x.md");
            a["runbook_resolves"] = json!(r);
        }
        a
    }

    const RUNBOOK: &str = "  - id: paging-runbook\n    level: 2\n    title: t\n    why: w\n    fix: f\n    select: alerts\n    where: {properties: {paging: {const: true}}}\n    each: {required: [runbook_url], properties: {runbook_resolves: {const: true}}}\n";

    #[test]
    fn each_names_every_offending_item_with_its_line() {
        let p = pack(RUNBOOK);
        let evidence = json!({"alerts": [
            alert("A", true, Some(true), 3),
            alert("B", true, None, 9),
            alert("C", true, Some(false), 14),
            alert("D", false, None, 20),
        ]});
        let v = &evaluate(&p, &evidence, &[])[0];
        assert_eq!(v.level, Some(1));
        let verdict = &v.verdicts[0];
        assert_eq!(verdict.status, Status::Fail);
        let got: Vec<(Option<u32>, &str)> = verdict
            .findings
            .iter()
            .map(|f| (f.line, f.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(9), "alert `B`: `runbook_url` is missing"),
                (
                    Some(14),
                    "alert `C`: `runbook_resolves` is false, expected true"
                ),
            ]
        );
    }

    #[test]
    fn each_over_nothing_is_not_applicable_and_never_lowers_a_level() {
        let p = pack(RUNBOOK);
        let v = &evaluate(&p, &json!({"alerts": [alert("D", false, None, 1)]}), &[])[0];
        assert_eq!(v.verdicts[0].status, Status::NotApplicable);
        assert_eq!(v.level, None, "nothing applies, so no level");
    }

    #[test]
    fn min_failure_says_where_it_looked_and_lists_near_misses() {
        let p = pack(
            "  - id: tests\n    level: 2\n    title: t\n    why: w\n    fix: f\n    select: pipelines\n    where: {properties: {step_kinds: {contains: {const: test}}}}\n    min: 1\n",
        );
        let none = &evaluate(&p, &json!({"pipelines": []}), &[])[0].verdicts[0];
        assert_eq!(none.status, Status::Fail);
        assert!(
            none.findings[0]
                .message
                .starts_with("no CI/CD pipelines found; looked for GitHub Actions"),
            "{:?}",
            none.findings
        );
        let evidence = json!({"pipelines": [{"name": "ci", "step_kinds": ["lint"], "source": {"path": ".github/workflows/ci.yml", "line": 1, "example": false}}]});
        let miss = &evaluate(&p, &evidence, &[])[0].verdicts[0];
        assert_eq!(
            miss.findings[0].message,
            "0 of 1 CI/CD pipelines qualify, at least 1 needed"
        );
        assert_eq!(
            miss.findings[1].path.as_deref(),
            Some(".github/workflows/ci.yml")
        );
        assert!(
            miss.findings[1]
                .message
                .contains("`step_kinds` ([\"lint\"]) has no matching entry"),
            "{:?}",
            miss.findings
        );
    }

    #[test]
    fn min_failure_over_items_of_another_sort_says_what_was_wanted_and_where() {
        let p = pack(
            "  - id: readme\n    level: 2\n    title: t\n    why: w\n    fix: f\n    select: docs\n    where: {properties: {kind: {const: readme}, words: {minimum: 30}}}\n    min: 1\n",
        );
        let evidence = json!({"docs": [
            {"path": "ARCHITECTURE.md", "kind": "architecture", "words": 300, "source": {"path": "ARCHITECTURE.md", "line": 1, "example": false}},
        ]});
        let v = &evaluate(&p, &evidence, &[])[0].verdicts[0];
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
        assert!(
            v.findings[0].message.starts_with(
                "0 of 1 documents qualify, at least 1 needed: none has `kind` = \"readme\"; looked for README"
            ),
            "{:?}",
            v.findings
        );
        // A near miss is named instead.
        let evidence = json!({"docs": [
            {"path": "README.md", "kind": "readme", "words": 3, "source": {"path": "README.md", "line": 1, "example": false}},
        ]});
        let v = &evaluate(&p, &evidence, &[])[0].verdicts[0];
        assert_eq!(
            v.findings[0].message,
            "0 of 1 documents qualify, at least 1 needed"
        );
        assert_eq!(v.findings[1].path.as_deref(), Some("README.md"));
    }

    #[test]
    fn examples_are_not_counted_but_mentioned() {
        let p = pack(
            "  - id: slo\n    level: 2\n    title: t\n    why: w\n    fix: f\n    select: slos\n    min: 1\n",
        );
        let evidence = json!({"slos": [{"name": "x", "source": {"path": "examples/slo.yaml", "line": 4, "example": true}}]});
        let v = &evaluate(&p, &evidence, &[])[0].verdicts[0];
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.findings[0]
                .message
                .contains("1 more in example folders or unapplied modules are not counted, e.g. examples/slo.yaml:4"),
            "{:?}",
            v.findings
        );
    }

    #[test]
    fn levels_are_cumulative_and_any_passes_on_one_alternative() {
        let p = pack(concat!(
            "  - {id: two, level: 2, title: t, why: w, fix: f, select: slos, min: 1}\n",
            "  - id: three\n    level: 3\n    title: t\n    why: w\n    fix: f\n    any:\n      - {select: runbooks, min: 1}\n      - {select: docs, min: 1}\n",
        ));
        let src = json!({"path": "a", "line": 1, "example": false});
        let only_three = json!({"docs": [{"path": "a", "source": src}]});
        assert_eq!(
            evaluate(&p, &only_three, &[])[0].level,
            Some(1),
            "level 3 passing does not lift a failed level 2"
        );
        let both =
            json!({"docs": [{"path": "a", "source": src}], "slos": [{"name": "s", "source": src}]});
        assert_eq!(evaluate(&p, &both, &[])[0].level, Some(3));
    }

    #[test]
    fn an_activity_tops_out_at_its_highest_criterion() {
        // Five level names, criteria up to level 3: levels 4 and 5 need evidence nobody
        // asks for, so they are not reached.
        let five = "name: t\nlevels:\n  - {level: 1, name: a}\n  - {level: 2, name: b}\n  - {level: 3, name: c}\n  - {level: 4, name: d}\n  - {level: 5, name: e}\nactivities: [a.yaml]\n";
        let activity = "id: act\ntitle: Act\ndescription: d\ndelegation: inquire\nlevels: {1: a, 2: b, 3: c, 4: d, 5: e}\ncriteria:\n  - {id: two, level: 2, title: t, why: w, fix: f, select: slos, min: 1}\n  - {id: three, level: 3, title: t, why: w, fix: f, select: slos, min: 1}\n";
        let p = load_in_memory(&[("pack.yaml", five), ("a.yaml", activity)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.max_level(), 5);
        assert_eq!(p.activities[0].max_level(), 3);
        let src = json!({"path": "a", "line": 1, "example": false});
        let v = &evaluate(&p, &json!({"slos": [{"name": "s", "source": src}]}), &[])[0];
        assert_eq!(v.level, Some(3));
    }

    #[test]
    fn all_needs_every_check_and_ignores_checks_with_nothing_to_check() {
        let p = pack(concat!(
            "  - id: owned\n    level: 2\n    title: t\n    why: w\n    fix: f\n    all:\n",
            "      - {select: slos, each: {properties: {owners: {minItems: 1}}}}\n",
            "      - {select: runbooks, each: {properties: {owners: {minItems: 1}}}}\n",
        ));
        let src = |line: u32| json!({"path": "a", "line": line, "example": false});
        let owned = json!({"slos": [{"name": "s", "owners": ["@a"], "source": src(1)}]});
        let v = &evaluate(&p, &owned, &[])[0].verdicts[0];
        assert_eq!(
            v.status,
            Status::Pass,
            "no runbooks: nothing to check there"
        );
        let unowned = json!({
            "slos": [{"name": "s", "owners": ["@a"], "source": src(1)}],
            "runbooks": [{"path": "r.md", "owners": [], "source": src(2)}],
        });
        let v = &evaluate(&p, &unowned, &[])[0].verdicts[0];
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
        assert_eq!(v.findings[0].line, Some(2));
        let nothing = &evaluate(&p, &json!({}), &[])[0].verdicts[0];
        assert_eq!(nothing.status, Status::NotApplicable);
    }

    #[test]
    fn applies_makes_a_criterion_not_applicable_with_a_reason() {
        let p = pack(
            "  - id: c\n    level: 2\n    title: t\n    why: w\n    fix: f\n    applies: {when: the repository has IaC, facts: [has_iac]}\n    select: budgets\n    min: 1\n",
        );
        let v = &evaluate(&p, &json!({"facts": {"has_iac": false}}), &[])[0];
        assert_eq!(v.verdicts[0].status, Status::NotApplicable);
        assert_eq!(
            v.verdicts[0].reason.as_deref(),
            Some("applies only when the repository has IaC")
        );
        let v = &evaluate(&p, &json!({"facts": {"has_iac": true}}), &[])[0];
        assert_eq!(v.verdicts[0].status, Status::Fail);
    }

    #[test]
    fn fingerprints_ignore_lines_and_counts() {
        let at = |line: u32, message: &str| Finding {
            message: message.to_string(),
            path: Some("rules.yaml".into()),
            line: Some(line),
            ..Default::default()
        };
        assert_eq!(
            fingerprint("c", &at(3, "alert `A`: `summary` is missing")),
            fingerprint("c", &at(40, "alert `A`: `summary` is missing"))
        );
        assert_ne!(
            fingerprint("c", &at(3, "alert `A`: x")),
            fingerprint("c", &at(3, "alert `B`: x"))
        );
        let count = |m: &str| Finding {
            message: m.to_string(),
            ..Default::default()
        };
        assert_eq!(
            fingerprint(
                "c",
                &count("0 of 3 CI/CD pipelines qualify, at least 1 needed")
            ),
            fingerprint(
                "c",
                &count("0 of 4 CI/CD pipelines qualify, at least 1 needed")
            )
        );
        assert_eq!(fingerprint("c", &count("x")).len(), 16);
    }

    #[test]
    fn waivers_excuse_until_they_expire() {
        let p = pack("  - {id: c, level: 2, title: t, why: w, fix: f, select: slos, min: 1}\n");
        let active = Excuse {
            criterion: "c".into(),
            reason: "waived until 2099-01-01 by @a: later".into(),
            expired: false,
        };
        let v = &evaluate(&p, &json!({}), &[active])[0];
        assert_eq!(v.verdicts[0].status, Status::Waived);
        assert_eq!(
            v.level,
            Some(2),
            "the waived criterion holds; no criterion asks for level 3"
        );
        let expired = Excuse {
            criterion: "c".into(),
            reason: "waiver expired on 2000-01-01".into(),
            expired: true,
        };
        let v = &evaluate(&p, &json!({}), &[expired])[0];
        assert_eq!(v.verdicts[0].status, Status::Fail);
        assert!(v.verdicts[0].findings[0].message.contains("expired"));
    }
}
