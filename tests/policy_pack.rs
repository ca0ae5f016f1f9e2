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

fn opready_in(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_opready"))
        .env("OPREADY_TODAY", "2026-11-23")
        .args(args)
        .output()
        .unwrap()
}

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A deployable service with a README and a CI pipeline running tests, and no SLO.
fn small_service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:3.20\n");
    write(
        root,
        "README.md",
        "# Checkout\n\nThe checkout service takes payments for the shop. It runs on Kubernetes and talks to the payments provider. Build it with make and deploy it from CI.\n",
    );
    write(
        root,
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n",
    );
    dir
}

const FIVE_LEVELS: &str = "name: acme\nextends: builtin\nlevels:\n  - {level: 1, name: Absent}\n  - {level: 2, name: Reactive}\n  - {level: 3, name: Proactive}\n  - {level: 4, name: Strategic}\n  - {level: 5, name: Visionary}\ntiers:\n  \"1\":\n    name: critical\n    targets: {resilience: 5, slo: 3}\nactivities: [resilience.yaml]\n";

fn resilience(level_of_last: u8) -> String {
    format!(
        "id: resilience\ntitle: Resilience\ndescription: How well the service survives failure.\ndelegation: advise\nlevels: {{1: nothing, 2: documented, 3: built in CI, 4: objectives, 5: tested}}\ncriteria:\n  - {{id: res-readme, level: 2, title: The service is described, why: w, fix: f, select: docs, min: 1}}\n  - {{id: res-ci, level: 3, title: The service is built in CI, why: w, fix: f, select: pipelines, min: 1}}\n  - {{id: res-slo, level: 4, title: The service has objectives, why: w, fix: f, select: slos, min: 1}}\n  - id: res-tested\n    level: {level_of_last}\n    title: Alerts are unit-tested\n    why: w\n    fix: f\n    select: rule_tests\n    min: 1\n"
    )
}

#[test]
fn a_user_pack_with_five_level_names_rates_through_the_binary() {
    let pack = tempfile::tempdir().unwrap();
    write(pack.path(), "pack.yaml", FIVE_LEVELS);
    write(pack.path(), "resilience.yaml", &resilience(5));
    let pack_file = pack.path().join("pack.yaml");
    let pack_arg = pack_file.to_str().unwrap();
    let repo = small_service();
    let path = repo.path().to_str().unwrap();

    let out = opready_in(&["check", path, "--policy", pack_arg, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["policy"]["levels"],
        serde_json::json!(["Absent", "Reactive", "Proactive", "Strategic", "Visionary"])
    );
    let activity = |id: &str| {
        report["activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone()
    };
    let res = activity("resilience");
    assert_eq!(res["level"], 3);
    assert_eq!(res["level_name"], "Proactive");
    assert_eq!(res["max_level"], 5);
    assert_eq!(res["blockers"], serde_json::json!(["res-slo"]));
    // Built-in criteria keep their levels, so built-in activities top out at 3: levels
    // 4 and 5 have no criterion of theirs to reach them by.
    let delivery = activity("delivery");
    assert_eq!(delivery["max_level"], 3);
    let slo_defined = activity("slo")["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "slo-defined")
        .unwrap()
        .clone();
    assert_eq!(slo_defined["level"], 2);

    let out = opready_in(&["check", path, "--policy", pack_arg, "--tier", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3/5 Proactive"), "{text}");
    assert!(text.contains("5 ✗"), "{text}");

    let out = opready_in(&["check", path, "--policy", pack_arg, "--require", "slo=4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("out of range 1..=3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = opready_in(&["explain", "resilience", "--policy", pack_arg]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Level 5 — Visionary: tested"), "{text}");
}

#[test]
fn errors_in_a_five_level_pack_point_at_its_file_and_line() {
    let pack = tempfile::tempdir().unwrap();
    write(pack.path(), "pack.yaml", FIVE_LEVELS);
    write(pack.path(), "resilience.yaml", &resilience(6));
    let pack_file = pack.path().join("pack.yaml");
    let out = opready_in(&["check", ".", "--policy", pack_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("{}:11:12", pack.path().join("resilience.yaml").display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("level must be between 2 and 5"), "{stderr}");

    // Fewer level names than the built-in criteria need.
    write(
        pack.path(),
        "pack.yaml",
        "name: acme\nextends: builtin\nlevels:\n  - {level: 1, name: Missing}\n  - {level: 2, name: Present}\n",
    );
    let err = policy::load::load_path(&pack_file).unwrap_err().to_string();
    assert!(
        err.contains("pack.yaml:4:") && err.contains("the pack names 2 levels, but "),
        "{err}"
    );
}

#[test]
fn the_tier_follows_the_catalog_lifecycle_unless_a_tier_is_written() {
    let repo = small_service();
    let path = repo.path().to_str().unwrap();
    let catalog = |lifecycle: &str, annotation: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n{annotation}spec:\n  type: service\n  owner: team-payments\n  lifecycle: {lifecycle}\n"
        )
    };
    let service = |extra: &[&str]| {
        let mut args = vec!["check", path, "--format", "json"];
        args.extend_from_slice(extra);
        let out = opready_in(&args);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["service"].clone()
    };

    write(repo.path(), "catalog-info.yaml", &catalog("production", ""));
    let s = service(&[]);
    assert_eq!(s["tier"], "2");
    assert_eq!(
        s["tier_source"],
        "catalog-info.yaml (spec.lifecycle: production)"
    );
    write(
        repo.path(),
        "catalog-info.yaml",
        &catalog("Experimental", ""),
    );
    assert_eq!(service(&[])["tier"], "3", "compared case-insensitively");
    write(repo.path(), "catalog-info.yaml", &catalog("deprecated", ""));
    assert_eq!(service(&[])["tier"], Value::Null, "no tier claims it");

    // A tier annotation, `.opready.yaml` and `--tier` all win over the lifecycle.
    write(
        repo.path(),
        "catalog-info.yaml",
        &catalog(
            "production",
            "  annotations:\n    opready.dev/tier: \"1\"\n",
        ),
    );
    let s = service(&[]);
    assert_eq!(s["tier"], "1");
    assert_eq!(s["tier_source"], "catalog-info.yaml");
    write(repo.path(), "catalog-info.yaml", &catalog("production", ""));
    write(repo.path(), ".opready.yaml", "tier: 3\n");
    assert_eq!(service(&[])["tier"], "3");
    assert_eq!(service(&["--tier", "1"])["tier"], "1");
}

#[test]
fn a_lifecycle_names_one_tier() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pack.yaml",
        "name: acme\nextends: builtin\ntiers:\n  \"1\":\n    name: critical\n    targets: {slo: 3}\n    lifecycles: [production]\n  \"4\":\n    name: sandbox\n    targets: {}\n    lifecycles: [experimental, Production]\n",
    );
    let err = policy::load::load_path(&dir.path().join("pack.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("pack.yaml:11:")
            && err.contains("lifecycle `Production` already puts services in tier 1"),
        "{err}"
    );
    // A lifecycle the extending pack names moves to its tier from the built-in one.
    write(
        dir.path(),
        "pack.yaml",
        "name: acme\nextends: builtin\ntiers:\n  \"1\":\n    name: critical\n    targets: {slo: 3}\n    lifecycles: [production]\n",
    );
    let pack =
        policy::load::load_path(&dir.path().join("pack.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pack.tier_for_lifecycle("production").as_deref(), Some("1"));
    assert_eq!(
        pack.tier_for_lifecycle("experimental").as_deref(),
        Some("3")
    );
    let builtin = policy::load::builtin().unwrap();
    assert_eq!(
        builtin.tier_for_lifecycle("production").as_deref(),
        Some("2")
    );
    assert_eq!(builtin.tier_for_lifecycle("deprecated"), None);
}
