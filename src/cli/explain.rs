//! `opready explain`, `opready list` and `check --evidence`: documentation and evidence
//! listings, from the same sources the code runs on.

use std::fmt::Write as _;

use serde_json::Value;

use crate::check::Checked;
use crate::cli::ListWhat;
use crate::diagnostic::codes::{self, CodeDoc};
use crate::evidence::{kinds, registry};
use crate::policy::{Activity, Check, Criterion, Pack};

pub fn explain(pack: &Pack, id: &str) -> Option<String> {
    if let Some(c) = pack.criterion(id) {
        return Some(explain_criterion(pack, c));
    }
    if let Some(a) = pack.activity(id) {
        return Some(explain_activity(pack, a));
    }
    if let Some(d) = registry::all().into_iter().find(|d| d.id() == id) {
        return Some(format!("{} (detector)\n\n{}\n", d.id(), d.summary()));
    }
    if let Some(k) = kinds::kind(id) {
        return Some(format!(
            "{} (evidence list: {})\n\nLooked for in: {}.\n\nSee `opready schema evidence` for its fields.\n",
            k.id, k.plural, k.looked_for
        ));
    }
    if let Some(doc) = codes::lookup(id) {
        return Some(explain_code(doc));
    }
    None
}

fn explain_code(doc: &CodeDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", doc.code, doc.title);
    let _ = writeln!(out, "diagnostic code · severity: {}", doc.severity.as_str());
    section(&mut out, "What it means", &wrap(doc.meaning, 88));
    section(&mut out, "What to do", &wrap(doc.action, 88));
    out
}

/// `text` broken into lines of at most `width` characters where it has spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

fn explain_criterion(pack: &Pack, c: &Criterion) -> String {
    let activity = pack
        .activity(&c.activity)
        .map_or(c.activity.as_str(), |a| a.title.as_str());
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", c.id, c.title);
    let _ = writeln!(
        out,
        "activity: {activity} ({}) · level {} ({}) · owner: {} · delegation: {} ({} of 7)",
        c.activity,
        c.level,
        pack.level_name(c.level),
        c.owner.as_str(),
        c.delegation.as_str(),
        c.delegation.number()
    );
    let _ = writeln!(out, "defined at: {}:{}", c.source.file, c.source.line);
    section(&mut out, "Why it matters", &c.why);
    section(&mut out, "How to fix it", &c.fix);
    if let Some(example) = &c.example {
        section(&mut out, "Example", example);
    }
    if let Some(applies) = &c.applies {
        section(&mut out, "Applies", &format!("only when {}", applies.when));
    }
    let checks: Vec<String> = c.checks.iter().map(describe_check).collect();
    let what = if checks.len() == 1 {
        checks[0].clone()
    } else {
        format!(
            "passes when any of these holds:\n{}",
            checks
                .iter()
                .map(|c| format!("- {c}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    section(&mut out, "What it checks", &what);
    out
}

fn describe_check(check: &Check) -> String {
    let plural = kinds::kind(&check.select).map_or(check.select.as_str(), |k| k.plural);
    let mut parts = vec![format!("{plural} (`{}`)", check.select)];
    if let Some(w) = &check.where_ {
        parts.push(format!("that match {}", compact(w)));
    }
    match (check.min, check.max) {
        (Some(min), Some(max)) => parts.push(format!("between {min} and {max} of them")),
        (Some(min), None) => parts.push(format!("at least {min}")),
        (None, Some(max)) => parts.push(format!("at most {max}")),
        (None, None) if check.each.is_none() => parts.push("at least 1".to_string()),
        _ => {}
    }
    if let Some(e) = &check.each {
        parts.push(format!("each satisfying {}", compact(e)));
    }
    if !check.include_examples {
        parts.push("(items in example folders are not counted)".to_string());
    }
    parts.join(", ")
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn section(out: &mut String, title: &str, body: &str) {
    let _ = writeln!(out, "\n{title}");
    for line in body.trim_end().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
}

fn explain_activity(pack: &Pack, a: &Activity) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", a.id, a.title);
    let _ = writeln!(
        out,
        "delegation target: {} ({} of 7) · defined at: {}",
        a.delegation.as_str(),
        a.delegation.number(),
        a.source.file
    );
    section(&mut out, "About", &a.description);
    for level in 1..=a.max_level() {
        let what = a.levels.get(&level).map_or("", String::as_str);
        let _ = writeln!(out, "\nLevel {level} — {}: {what}", pack.level_name(level));
        let criteria: Vec<&Criterion> = a.criteria.iter().filter(|c| c.level == level).collect();
        if level == 1 {
            let _ = writeln!(out, "  (the floor: no evidence needed)");
        }
        for c in criteria {
            let _ = writeln!(out, "  - {}: {}", c.id, c.title);
        }
    }
    let tiers: Vec<String> = pack
        .tiers
        .iter()
        .filter_map(|(k, t)| {
            t.targets
                .get(&a.id)
                .map(|l| format!("tier {k} ({}): {l}", t.name))
        })
        .collect();
    if !tiers.is_empty() {
        section(&mut out, "Targets", &tiers.join("\n"));
    }
    out
}

pub fn list(pack: &Pack, what: ListWhat) -> String {
    let mut out = String::new();
    if matches!(what, ListWhat::All | ListWhat::Activities) {
        let _ = writeln!(out, "Activities ({})", pack.activities.len());
        for a in &pack.activities {
            let _ = writeln!(
                out,
                "  {:<20} {} [{} criteria, delegation: {}]",
                a.id,
                a.title,
                a.criteria.len(),
                a.delegation.as_str()
            );
        }
        out.push('\n');
    }
    if matches!(what, ListWhat::All | ListWhat::Criteria) {
        let _ = writeln!(out, "Criteria ({})", pack.criteria().count());
        for a in &pack.activities {
            for c in &a.criteria {
                let _ = writeln!(out, "  {:<36} {:<18} L{}  {}", c.id, a.id, c.level, c.title);
            }
        }
        out.push('\n');
    }
    if matches!(what, ListWhat::All | ListWhat::Detectors) {
        let detectors = registry::all();
        let _ = writeln!(out, "Detectors ({})", detectors.len());
        for d in detectors {
            let _ = writeln!(out, "  {:<22} {}", d.id(), d.summary());
        }
    }
    if matches!(what, ListWhat::All | ListWhat::Diagnostics) {
        if what == ListWhat::All {
            out.push('\n');
        }
        let _ = writeln!(out, "Diagnostics ({})", codes::CODES.len());
        for doc in codes::CODES {
            let _ = writeln!(
                out,
                "  {:<30} {:<8} {}",
                doc.code,
                doc.severity.as_str(),
                doc.title
            );
        }
    }
    out
}

/// `check --evidence --format json`: the evidence document and the diagnostics.
pub fn evidence_json(checked: &Checked) -> String {
    let doc = serde_json::json!({
        "evidence": crate::check::evidence_document(&checked.evidence),
        "summary": checked.report.evidence,
        "diagnostics": checked.report.diagnostics,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `check --evidence`: every evidence item with its source, list by list.
pub fn evidence_listing(checked: &Checked) -> String {
    let doc = crate::check::evidence_document(&checked.evidence);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Evidence in {} ({} files, {} read)\n",
        checked.report.repository.path,
        checked.report.evidence.files,
        checked.report.evidence.files_read
    );
    for kind in kinds::KINDS {
        let Some(items) = doc.get(kind.id).and_then(Value::as_array) else {
            continue;
        };
        if items.is_empty() {
            let _ = writeln!(out, "{} (0)", kind.id);
            continue;
        }
        let _ = writeln!(out, "{} ({})", kind.id, items.len());
        for item in items {
            let place = match (
                item.pointer("/source/path").and_then(Value::as_str),
                item.pointer("/source/line").and_then(Value::as_u64),
            ) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.to_string(),
                _ => String::new(),
            };
            let label = crate::eval::label(item).unwrap_or_default();
            let format = ["format", "system", "tool", "kind", "provider"]
                .iter()
                .find_map(|k| item.get(*k).and_then(Value::as_str))
                .unwrap_or("");
            let example = if item.pointer("/source/example") == Some(&Value::Bool(true)) {
                " (example, not counted)"
            } else {
                ""
            };
            let format = if format.is_empty() {
                String::new()
            } else {
                format!(" [{format}]")
            };
            let _ = writeln!(out, "  {place}  {label}{format}{example}");
        }
    }
    if let Some(facts) = doc.get("facts") {
        let _ = writeln!(
            out,
            "\nfacts: {}",
            serde_json::to_string(facts).unwrap_or_default()
        );
    }
    if !checked.report.diagnostics.is_empty() {
        let _ = writeln!(out, "\ndiagnostics ({})", checked.report.diagnostics.len());
        for d in &checked.report.diagnostics {
            let place = match (&d.path, d.line) {
                (Some(p), Some(l)) => format!("{p}:{l}: "),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {place}{} [{}]", d.message, d.code);
        }
    }
    out
}
