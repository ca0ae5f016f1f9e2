//! Loading and validating packs: YAML → schema check (with lines) → typed files →
//! semantic checks (unique ids, known evidence lists and facts, levels in range) → [`Pack`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostic::Position;
use crate::evidence::kinds;
use crate::parse::yaml::{self, Node};
use crate::policy::model::*;
use crate::policy::{BOOLEAN_FACTS, builtin};
use crate::validate;

/// One problem in a policy file, with the file's text for a source snippet.
#[derive(Debug, Clone)]
pub struct Problem {
    pub file: String,
    pub text: Option<Arc<str>>,
    pub pos: Option<Position>,
    pub message: String,
}

/// A pack that could not be loaded: every problem found, not just the first.
#[derive(Debug, Clone)]
pub struct PolicyError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.pos {
                Some(pos) => write!(f, "{}:{}:{}: {}", p.file, pos.line, pos.column, p.message)?,
                None => write!(f, "{}: {}", p.file, p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A parsed policy file: its label, text and YAML tree.
struct SourceFile {
    label: String,
    text: Arc<str>,
    node: Node,
}

struct Loader {
    /// Validate against the JSON Schema (user packs) or trust the file (built-in pack).
    check_schema: bool,
    problems: Vec<Problem>,
}

impl Loader {
    fn problem(&mut self, file: &SourceFile, pos: Option<Position>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.label.clone(),
            text: Some(file.text.clone()),
            pos,
            message: message.into(),
        });
    }

    fn problem_at(&mut self, file: &SourceFile, pointer: &str, message: impl Into<String>) {
        let pos = file.node.nearest(pointer).pos;
        self.problem(file, Some(pos), message);
    }

    fn parse(&mut self, label: &str, text: &str) -> Option<SourceFile> {
        let text: Arc<str> = Arc::from(text);
        match yaml::parse_documents(&text) {
            Ok(mut docs) if docs.len() == 1 => Some(SourceFile {
                label: label.to_string(),
                node: docs.remove(0),
                text,
            }),
            Ok(docs) => {
                self.problems.push(Problem {
                    file: label.to_string(),
                    text: Some(text),
                    pos: docs.get(1).map(|d| d.pos),
                    message: format!("expected one YAML document, found {}", docs.len()),
                });
                None
            }
            Err(err) => {
                self.problems.push(Problem {
                    file: label.to_string(),
                    text: Some(text),
                    pos: err.pos,
                    message: format!("invalid YAML: {}", err.message),
                });
                None
            }
        }
    }

    /// Schema-checks (when asked) and deserialises a file.
    fn typed<T: DeserializeOwned + schemars::JsonSchema>(
        &mut self,
        file: &SourceFile,
    ) -> Option<T> {
        if self.check_schema {
            let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
            match validate::compile(&schema) {
                Ok(validator) => {
                    let violations = validate::validate_node(&file.node, &validator);
                    if !violations.is_empty() {
                        for v in violations {
                            self.problem(file, v.pos, v.message);
                        }
                        return None;
                    }
                }
                Err(err) => {
                    self.problem(
                        file,
                        None,
                        format!("internal error: policy schema does not compile: {err}"),
                    );
                    return None;
                }
            }
        }
        match serde_json::from_value::<T>(file.node.to_json()) {
            Ok(t) => Some(t),
            Err(err) => {
                self.problem(
                    file,
                    Some(file.node.pos),
                    format!("not a valid policy file: {err}"),
                );
                None
            }
        }
    }
}

/// The built-in pack.
pub fn builtin() -> Result<Pack, PolicyError> {
    load_with(false, "built-in", |name| {
        builtin::file(name)
            .map(|t| (format!("builtin:policies/{name}"), t.to_string()))
            .ok_or_else(|| format!("the built-in pack has no file {name}"))
    })
}

/// The built-in pack, fully validated against the policy schema (for tests and
/// `opready policy check`).
pub fn builtin_validated() -> Result<Pack, PolicyError> {
    load_with(true, "built-in", |name| {
        builtin::file(name)
            .map(|t| (format!("policies/{name}"), t.to_string()))
            .ok_or_else(|| format!("the built-in pack has no file {name}"))
    })
}

/// A pack from disk: `path` is a pack file (or a folder holding `pack.yaml`). Activity
/// files are read relative to it; a pack that `extends: builtin` starts from the built-in
/// pack.
pub fn load_path(path: &Path) -> Result<Pack, PolicyError> {
    let pack_file = if path.is_dir() {
        path.join("pack.yaml")
    } else {
        path.to_path_buf()
    };
    let base = pack_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let pack_name = pack_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pack.yaml".to_string());
    let origin = pack_file.display().to_string();
    load_with(true, &origin, |name| {
        let full = if name == "pack.yaml" {
            pack_file.clone()
        } else {
            base.join(name)
        };
        let label = if name == "pack.yaml" {
            origin.clone()
        } else {
            full.display().to_string()
        };
        let _ = &pack_name;
        std::fs::read_to_string(&full)
            .map(|t| (label, t))
            .map_err(|e| format!("cannot read {}: {e}", full.display()))
    })
}

fn load_with(
    check_schema: bool,
    origin: &str,
    read: impl Fn(&str) -> Result<(String, String), String>,
) -> Result<Pack, PolicyError> {
    let mut loader = Loader {
        check_schema,
        problems: Vec::new(),
    };
    let fail = |file: &str, message: String| PolicyError {
        problems: vec![Problem {
            file: file.to_string(),
            text: None,
            pos: None,
            message,
        }],
    };
    let (label, text) = read("pack.yaml").map_err(|m| fail(origin, m))?;
    let pack_src = loader.parse(&label, &text).ok_or_else(|| PolicyError {
        problems: loader.problems.clone(),
    })?;
    let pack_file: PackFile = loader.typed(&pack_src).ok_or_else(|| PolicyError {
        problems: loader.problems.clone(),
    })?;

    let mut pack = match pack_file.extends.as_deref() {
        None => Pack {
            name: pack_file.name.clone(),
            description: pack_file.description.clone(),
            origin: origin.to_string(),
            level_names: Vec::new(),
            tiers: BTreeMap::new(),
            activities: Vec::new(),
        },
        Some("builtin" | "built-in" | "opready-builtin") => {
            let mut base = builtin()?;
            base.name = pack_file.name.clone();
            base.description = pack_file.description.clone().or(base.description);
            base.origin = origin.to_string();
            base
        }
        Some(other) => {
            let pos = pack_src.node.get("extends").map(|n| n.pos);
            loader.problem(
                &pack_src,
                pos,
                format!("unknown pack `{other}` to extend; only `builtin` can be extended"),
            );
            return Err(PolicyError {
                problems: loader.problems,
            });
        }
    };

    if !pack_file.levels.is_empty() {
        pack.level_names = pack_file.levels.iter().map(|l| l.name.clone()).collect();
        for (i, level) in pack_file.levels.iter().enumerate() {
            if usize::from(level.level) != i + 1 {
                loader.problem_at(
                    &pack_src,
                    &format!("/levels/{i}/level"),
                    format!(
                        "levels must be numbered 1, 2, 3, … in order; found {} at position {}",
                        level.level,
                        i + 1
                    ),
                );
            }
        }
    }
    if pack.level_names.len() < 2 {
        loader.problem_at(
            &pack_src,
            "/levels",
            "a pack needs at least two levels (level 1 is the floor)",
        );
    }
    check_lifecycles(&mut loader, &pack_src, &pack_file);
    for (key, tier) in &pack_file.tiers {
        // A lifecycle this pack names moves to its tier from any tier it extends.
        for other in pack.tiers.values_mut() {
            other
                .lifecycles
                .retain(|l| !tier.lifecycles.iter().any(|m| m.eq_ignore_ascii_case(l)));
        }
        pack.tiers.insert(key.clone(), tier.clone());
    }

    let disabled: BTreeSet<&str> = pack_file.disable.iter().map(String::as_str).collect();
    let mut activity_srcs: Vec<(SourceFile, ActivityFile)> = Vec::new();
    for (i, name) in pack_file.activities.iter().enumerate() {
        match read(name) {
            Ok((label, text)) => {
                if let Some(src) = loader.parse(&label, &text)
                    && let Some(file) = loader.typed::<ActivityFile>(&src)
                {
                    activity_srcs.push((src, file));
                }
            }
            Err(message) => loader.problem_at(&pack_src, &format!("/activities/{i}"), message),
        }
    }

    for (src, file) in &activity_srcs {
        let activity = build_activity(&mut loader, src, file, pack.max_level());
        match pack.activities.iter_mut().find(|a| a.id == activity.id) {
            // An activity with a known id refines it: same-id criteria are replaced, new
            // ones added, and its texts win.
            Some(existing) => {
                existing.title = activity.title;
                existing.description = activity.description;
                existing.delegation = activity.delegation;
                existing.levels.extend(activity.levels);
                if activity.applies.is_some() {
                    existing.applies = activity.applies;
                }
                existing.source = activity.source;
                for criterion in activity.criteria {
                    match existing.criteria.iter_mut().find(|c| c.id == criterion.id) {
                        Some(c) => *c = criterion,
                        None => existing.criteria.push(criterion),
                    }
                }
            }
            None => pack.activities.push(activity),
        }
    }
    for (i, id) in pack_file.disable.iter().enumerate() {
        let known = pack.activities.iter().any(|a| &a.id == id)
            || pack
                .activities
                .iter()
                .flat_map(|a| &a.criteria)
                .any(|c| &c.id == id);
        if !known {
            loader.problem_at(
                &pack_src,
                &format!("/disable/{i}"),
                format!("`{id}` is neither an activity nor a criterion of the pack"),
            );
        }
    }
    pack.activities
        .retain(|a| !disabled.contains(a.id.as_str()));
    for tier in pack.tiers.values_mut() {
        tier.targets
            .retain(|activity, _| !disabled.contains(activity.as_str()));
    }
    for activity in &mut pack.activities {
        activity
            .criteria
            .retain(|c| !disabled.contains(c.id.as_str()));
    }

    check_pack(&mut loader, &pack_src, &pack);
    if loader.problems.is_empty() {
        Ok(pack)
    } else {
        Err(PolicyError {
            problems: loader.problems,
        })
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn build_activity(
    loader: &mut Loader,
    src: &SourceFile,
    file: &ActivityFile,
    max_level: u8,
) -> Activity {
    if !is_kebab(&file.id) {
        loader.problem_at(
            src,
            "/id",
            format!("activity id `{}` must be kebab-case", file.id),
        );
    }
    for level in 1..=max_level {
        if !file.levels.contains_key(&level) {
            loader.problem_at(src, "/levels", format!("level {level} is not described"));
        }
    }
    let applies = file
        .applies
        .as_ref()
        .map(|a| build_applies(loader, src, "/applies", a));
    let criteria = file
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| build_criterion(loader, src, &format!("/criteria/{i}"), c, file, max_level))
        .collect();
    Activity {
        id: file.id.clone(),
        title: file.title.clone(),
        description: file.description.clone(),
        delegation: file.delegation,
        levels: file.levels.clone(),
        applies,
        criteria,
        source: PolicySource {
            file: src.label.clone(),
            line: src.node.pos.line,
        },
    }
}

fn build_criterion(
    loader: &mut Loader,
    src: &SourceFile,
    at: &str,
    c: &CriterionFile,
    activity: &ActivityFile,
    max_level: u8,
) -> Criterion {
    if !is_kebab(&c.id) {
        loader.problem_at(
            src,
            &format!("{at}/id"),
            format!("criterion id `{}` must be kebab-case", c.id),
        );
    }
    if c.level < 2 || c.level > max_level {
        loader.problem_at(
            src,
            &format!("{at}/level"),
            format!("level must be between 2 and {max_level} (level 1 needs no evidence)"),
        );
    }
    for (field, text) in [("title", &c.title), ("why", &c.why), ("fix", &c.fix)] {
        if text.trim().is_empty() {
            loader.problem_at(
                src,
                &format!("{at}/{field}"),
                format!("`{field}` must not be empty"),
            );
        }
    }
    let mut checks = Vec::new();
    let inline_parts = c.where_.is_some() || c.each.is_some() || c.min.is_some() || c.max.is_some();
    let to_check = |a: &CheckFile| Check {
        select: a.select.clone(),
        where_: a.where_.clone(),
        each: a.each.clone(),
        min: a.min,
        max: a.max,
        include_examples: a.include_examples,
        compiled: Default::default(),
    };
    let (combine, group) = match (&c.select, &c.any, &c.all) {
        (Some(select), None, None) => {
            checks.push(Check {
                select: select.clone(),
                where_: c.where_.clone(),
                each: c.each.clone(),
                min: c.min,
                max: c.max,
                include_examples: c.include_examples,
                compiled: Default::default(),
            });
            (Combine::Any, None)
        }
        (None, Some(list), None) | (None, None, Some(list)) if !inline_parts => {
            let (combine, name) = if c.any.is_some() {
                (Combine::Any, "any")
            } else {
                (Combine::All, "all")
            };
            if list.is_empty() {
                loader.problem_at(
                    src,
                    &format!("{at}/{name}"),
                    format!("`{name}` needs at least one check"),
                );
            }
            checks.extend(list.iter().map(to_check));
            (combine, Some(name))
        }
        (None, None, None) if inline_parts => {
            loader.problem_at(src, at, "`where`, `each`, `min` and `max` need a `select`");
            (Combine::Any, None)
        }
        (None, None, None) => {
            loader.problem_at(
                src,
                at,
                "a criterion needs `select` (or `any` / `all`) to say which evidence it checks",
            );
            (Combine::Any, None)
        }
        _ => {
            loader.problem_at(src, at, "use exactly one of `select`, `any` and `all` (with `where`/`each`/`min`/`max` only beside `select`)");
            (Combine::Any, None)
        }
    };
    for (i, check) in checks.iter().enumerate() {
        let base = match group {
            Some(name) => format!("{at}/{name}/{i}"),
            None => at.to_string(),
        };
        check_check(loader, src, &base, check);
    }
    let applies = c
        .applies
        .as_ref()
        .map(|a| build_applies(loader, src, &format!("{at}/applies"), a));
    Criterion {
        id: c.id.clone(),
        activity: activity.id.clone(),
        level: c.level,
        title: c.title.clone(),
        why: c.why.clone(),
        fix: c.fix.clone(),
        example: c.example.clone(),
        delegation: c.delegation.unwrap_or(activity.delegation),
        owner: c.owner.unwrap_or(activity.owner),
        applies,
        no_waiver: c.no_waiver,
        checks,
        combine,
        source: PolicySource {
            file: src.label.clone(),
            line: src.node.nearest(at).pos.line,
        },
    }
}

fn build_applies(loader: &mut Loader, src: &SourceFile, at: &str, a: &AppliesFile) -> Applies {
    for (i, fact) in a.facts.iter().enumerate() {
        if !BOOLEAN_FACTS.contains(&fact.as_str()) {
            loader.problem_at(
                src,
                &format!("{at}/facts/{i}"),
                format!(
                    "unknown fact `{fact}`; known facts: {}",
                    BOOLEAN_FACTS.join(", ")
                ),
            );
        }
    }
    let check = a.select.as_ref().map(|select| Check {
        select: select.clone(),
        where_: a.where_.clone(),
        each: None,
        min: Some(a.min.unwrap_or(1)),
        max: None,
        include_examples: a.include_examples,
        compiled: Default::default(),
    });
    if let Some(check) = &check {
        check_check(loader, src, at, check);
    }
    if a.facts.is_empty() && check.is_none() {
        loader.problem_at(src, at, "`applies` needs `facts` or `select`");
    }
    Applies {
        when: a.when.clone(),
        facts: a.facts.clone(),
        check,
    }
}

fn check_check(loader: &mut Loader, src: &SourceFile, at: &str, check: &Check) {
    if kinds::kind(&check.select).is_none() {
        let known = kinds::KINDS
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>()
            .join(", ");
        loader.problem_at(
            src,
            &format!("{at}/select"),
            format!(
                "unknown evidence list `{}`; known lists: {known}",
                check.select
            ),
        );
    }
    if let (Some(min), Some(max)) = (check.min, check.max)
        && min > max
    {
        loader.problem_at(
            src,
            &format!("{at}/min"),
            format!("`min` ({min}) is greater than `max` ({max})"),
        );
    }
    // Sub-schemas are compiled here only for packs being validated; the built-in pack is
    // proven by a test, and the evaluator compiles what a run needs.
    if loader.check_schema {
        for (name, schema) in [("where", &check.where_), ("each", &check.each)] {
            if let Some(schema) = schema
                && let Err(err) = validate::compile(schema)
            {
                loader.problem_at(
                    src,
                    &format!("{at}/{name}"),
                    format!("`{name}` is not a valid JSON Schema: {err}"),
                );
            }
        }
    }
}

/// A lifecycle may put a service in one tier only, and must not be blank.
fn check_lifecycles(loader: &mut Loader, pack_src: &SourceFile, pack_file: &PackFile) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (key, tier) in &pack_file.tiers {
        for (i, lifecycle) in tier.lifecycles.iter().enumerate() {
            let pointer = format!("/tiers/{key}/lifecycles/{i}");
            let normalised = lifecycle.trim().to_ascii_lowercase();
            if normalised.is_empty() {
                loader.problem_at(pack_src, &pointer, "a lifecycle must not be empty");
            } else if let Some(prev) = seen.insert(normalised, key) {
                loader.problem_at(
                    pack_src,
                    &pointer,
                    format!(
                        "lifecycle `{lifecycle}` already puts services in tier {prev}; a lifecycle may name one tier"
                    ),
                );
            }
        }
    }
}

fn check_pack(loader: &mut Loader, pack_src: &SourceFile, pack: &Pack) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for activity in &pack.activities {
        if seen.insert(&activity.id, &activity.source.file).is_some() {
            loader.problem_at(
                pack_src,
                "/activities",
                format!("activity id `{}` is used twice", activity.id),
            );
        }
        for criterion in &activity.criteria {
            if let Some(prev) = seen.insert(&criterion.id, &criterion.source.file) {
                loader.problems.push(Problem {
                    file: criterion.source.file.clone(),
                    text: None,
                    pos: Some(Position::new(criterion.source.line, 1)),
                    message: format!("id `{}` is already used in {prev}", criterion.id),
                });
            }
        }
    }
    // Criteria inherited from an extended pack must fit the level names this pack gives.
    let above: Vec<&Criterion> = pack
        .criteria()
        .filter(|c| c.level > pack.max_level())
        .collect();
    if let Some(highest) = above.iter().map(|c| c.level).max() {
        let mut named: Vec<String> = above
            .iter()
            .take(5)
            .map(|c| format!("`{}` ({}:{})", c.id, c.source.file, c.source.line))
            .collect();
        if above.len() > 5 {
            named.push(format!("and {} more", above.len() - 5));
        }
        loader.problem_at(
            pack_src,
            "/levels",
            format!(
                "the pack names {} levels, but {} criteria are required for higher levels: {}; name at least {highest} levels or disable them",
                pack.max_level(),
                above.len(),
                named.join(", ")
            ),
        );
    }
    for (key, tier) in &pack.tiers {
        for (activity, level) in &tier.targets {
            let pointer = format!("/tiers/{key}/targets/{activity}");
            match pack.activity(activity) {
                None => loader.problem_at(
                    pack_src,
                    &pointer,
                    format!("tier {key} targets unknown activity `{activity}`"),
                ),
                Some(a) if *level < 1 || *level > a.max_level() => loader.problem_at(
                    pack_src,
                    &pointer,
                    format!(
                        "target must be between 1 and {} (`{activity}` has no criterion above level {})",
                        a.max_level(),
                        a.max_level()
                    ),
                ),
                Some(_) => {}
            }
        }
    }
}

/// Either kind of policy file, for `opready schema policy` (editors match by shape).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
#[schemars(title = "opready policy file (pack.yaml or an activity file)")]
pub enum PolicyFile {
    Pack(PackFile),
    Activity(ActivityFile),
}

/// A pack from in-memory files (`pack.yaml` plus the activity files it names), fully
/// validated. For tests and embedding.
pub fn load_in_memory(files: &[(&str, &str)]) -> Result<Pack, PolicyError> {
    load_with(true, "in-memory", |name| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .ok_or_else(|| format!("no file {name}"))
    })
}
