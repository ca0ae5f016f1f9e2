//! The built-in pack is valid, complete and documented, and every field a criterion names
//! exists in the evidence document.

use std::collections::BTreeSet;

use opready::policy::{self, Check, Pack};
use serde_json::Value;

fn builtin() -> Pack {
    policy::load::builtin_validated().unwrap_or_else(|e| panic!("built-in pack is invalid:\n{e}"))
}

#[test]
fn builtin_pack_validates_against_the_policy_schema() {
    let validated = builtin();
    let fast = policy::load::builtin().unwrap();
    assert_eq!(validated.activities.len(), fast.activities.len());
    assert_eq!(validated.max_level(), 3);
}

#[test]
fn every_activity_of_the_spec_is_rated_with_two_criteria_per_level() {
    let pack = builtin();
    let ids: Vec<&str> = pack.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "slo",
            "monitoring",
            "incident-response",
            "postmortem",
            "documentation",
            "toil",
            "cost",
            "vulnerability",
            "delivery"
        ]
    );
    for activity in &pack.activities {
        for level in 2..=3 {
            let n = activity
                .criteria
                .iter()
                .filter(|c| c.level == level)
                .count();
            assert!(
                n >= 2,
                "{} has {n} criteria at level {level}, needs at least 2",
                activity.id
            );
        }
        for level in 1..=3 {
            assert!(
                activity.levels.contains_key(&level),
                "{} does not describe level {level}",
                activity.id
            );
        }
    }
}

#[test]
fn every_criterion_is_documented_and_explained() {
    let pack = builtin();
    for c in pack.criteria() {
        for (what, text) in [("title", &c.title), ("why", &c.why), ("fix", &c.fix)] {
            assert!(
                text.trim().len() >= 20,
                "{}: `{what}` is too short to help anyone",
                c.id
            );
        }
        assert!(c.source.line > 0, "{} has no source line", c.id);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opready"))
            .args(["explain", &c.id])
            .output()
            .unwrap();
        assert!(out.status.success(), "explain {} failed", c.id);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&c.title), "explain {} lacks the title", c.id);
        assert!(
            text.contains("Why it matters") && text.contains("How to fix it"),
            "explain {}:\n{text}",
            c.id
        );
        assert!(text.contains(&format!("owner: {}", c.owner.as_str())));
        assert!(text.contains(&format!("delegation: {}", c.delegation.as_str())));
    }
    for a in &pack.activities {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opready"))
            .args(["explain", &a.id])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for c in &a.criteria {
            assert!(
                text.contains(&c.id),
                "explain {} does not list {}",
                a.id,
                c.id
            );
        }
    }
}

/// The evidence schema, with `$ref`s resolved on demand.
struct EvidenceSchema {
    root: Value,
}

impl EvidenceSchema {
    fn new() -> Self {
        EvidenceSchema {
            root: serde_json::to_value(schemars::schema_for!(opready::evidence::Evidence)).unwrap(),
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = r.trim_start_matches('#');
            return self.resolve(
                self.root
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("bad ref {r}")),
            );
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array)
                && let Some(obj) = options
                    .iter()
                    .map(|o| self.resolve(o))
                    .find(|o| o.get("properties").is_some() || o.get("items").is_some())
            {
                return obj;
            }
        }
        schema
    }

    /// The schema of one item of an evidence list.
    fn item(&self, list: &str) -> &Value {
        let list_schema = self.resolve(&self.root["properties"][list]);
        self.resolve(&list_schema["items"])
    }

    /// Checks that every property a criterion schema names exists where it is used.
    fn check_names(
        &self,
        criterion: &str,
        schema: &Value,
        target: &Value,
        errors: &mut Vec<String>,
    ) {
        let target = self.resolve(target);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                match target.get("properties").and_then(|p| p.get(name)) {
                    Some(field) => self.check_names(criterion, sub, field, errors),
                    None => errors.push(format!("{criterion}: unknown evidence field `{name}`")),
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if target.get("properties").and_then(|p| p.get(name)).is_none() {
                    errors.push(format!(
                        "{criterion}: requires unknown evidence field `{name}`"
                    ));
                }
            }
        }
        for key in ["anyOf", "allOf", "oneOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array) {
                for o in options {
                    self.check_names(criterion, o, target, errors);
                }
            }
        }
    }
}

#[test]
fn every_field_a_criterion_names_exists_in_the_evidence_document() {
    let pack = builtin();
    let schema = EvidenceSchema::new();
    let mut errors = Vec::new();
    let lists: BTreeSet<String> = schema.root["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut check = |id: &str, check: &Check| {
        assert!(
            lists.contains(&check.select),
            "{id}: selects unknown list {}",
            check.select
        );
        let item = schema.item(&check.select).clone();
        for part in [&check.where_, &check.each].into_iter().flatten() {
            schema.check_names(id, part, &item, &mut errors);
        }
    };
    for c in pack.criteria() {
        for ch in &c.checks {
            check(&c.id, ch);
        }
        if let Some(applies) = &c.applies
            && let Some(ch) = &applies.check
        {
            check(&c.id, ch);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn every_evidence_list_is_described_for_messages() {
    let schema = EvidenceSchema::new();
    for (name, prop) in schema.root["properties"].as_object().unwrap() {
        if schema.resolve(prop).get("items").is_some()
            || prop.get("type") == Some(&Value::String("array".into()))
        {
            assert!(
                opready::evidence::kinds::kind(name).is_some(),
                "evidence list {name} has no entry in kinds.rs"
            );
        }
    }
}

#[test]
fn a_broken_user_pack_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.yaml"),
        "name: acme\nextends: builtin\nactivities: [slo.yaml]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("slo.yaml"),
        "id: slo\ntitle: SLO\ndescription: d\ndelegation: inquire\nlevels: {1: a, 2: b, 3: c}\ncriteria:\n  - id: acme-slo\n    level: 2\n    title: t\n    why: w\n    fix: f\n    select: slox\n    min: 1\n  - id: acme-two\n    levle: 3\n",
    )
    .unwrap();
    let err = policy::load::load_path(&dir.path().join("pack.yaml")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("slo.yaml:15:5: unknown field `levle`"),
        "{text}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(["check", ".", "--policy"])
        .arg(dir.path().join("pack.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("levle"), "{stderr}");
}

#[test]
fn a_user_pack_extends_disables_and_adds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.yaml"),
        "name: acme\nextends: builtin\ndisable: [toil, alert-rules-tested]\nactivities: [slo.yaml]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("slo.yaml"),
        "id: slo\ntitle: SLOs at Acme\ndescription: d\ndelegation: inquire\nlevels: {1: a, 2: b, 3: c}\ncriteria:\n  - id: acme-slo-reviewed\n    level: 3\n    title: SLOs are reviewed every quarter\n    why: w\n    fix: f\n    select: slos\n    min: 1\n",
    )
    .unwrap();
    let pack =
        policy::load::load_path(&dir.path().join("pack.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(pack.activity("toil").is_none());
    assert!(pack.criterion("alert-rules-tested").is_none());
    let slo = pack.activity("slo").unwrap();
    assert_eq!(slo.title, "SLOs at Acme");
    assert!(
        slo.criteria.iter().any(|c| c.id == "slo-defined"),
        "built-in criteria are kept"
    );
    assert!(slo.criteria.iter().any(|c| c.id == "acme-slo-reviewed"));
}
