//! Helm templates that their chart's values switch off.
//!
//! A chart template wrapped whole in `{{ if .Values.hpa.enabled }} … {{ end }}` renders
//! nothing while the flag is off, so what is written in it is no evidence of practice.
//! Detection records, for every templated YAML file below a `templates/` folder, its
//! *guard*: the first action of the file is `if`, `with` or `range` (after comments and
//! variable assignments) and its matching `end` is the last, with no `else` and only
//! blank lines, YAML comments or `---` outside them. The `helm-values` detector keeps the
//! default values of every chart (`values.yaml` beside `Chart.yaml`).
//!
//! In the link stage, [`skip_switched_off_templates`] evaluates each guard of a file that
//! holds evidence against its chart's defaults (the nearest `templates/` folder whose
//! parent has a `values.yaml` and a `Chart.yaml`) with Go template truthiness: `false`,
//! `0`, `""`, `null`, an empty list or map and a key absent from its map are false. When
//! the guard is false, other values files of the repository that set the same keys
//! (`values-prod.yaml`, a deployment's `config/prod.yaml`, an umbrella chart's
//! `<chart>:` block) are read too, since a release may be installed with them; only when
//! no combination of the values found turns the guard on is the file's evidence dropped,
//! with a note.
//!
//! Only simple guards are understood: `.Values.a.b`, `not`, `and`/`or` of those (also
//! parenthesised), `empty`, and `eq`/`ne` of a value and literals. Anything else —
//! another function, a pipe, `.Capabilities`, a key whose parent map is missing (Helm
//! fails to render it), an `eq` against an unset or empty placeholder (set per
//! installation) — is unknown, and the evidence is kept.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::evidence::{Collector, RepoPath, is_example_path};
use crate::parse::yaml::{self, Node, Value};
use crate::scan::FileIndex;

/// What detection learns about Helm charts, for the link stage.
#[derive(Debug, Default)]
pub struct HelmTables {
    /// Default values of each chart, by chart folder (`""` for the repository root).
    pub values: BTreeMap<String, ChartValues>,
    /// Whole-file guards of chart templates, by template path.
    pub guards: BTreeMap<String, Guard>,
}

/// A chart's default values file.
#[derive(Debug, Clone)]
pub struct ChartValues {
    pub path: String,
    pub root: Node,
}

/// The condition a whole template is rendered under.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    /// `if`, `with` or `range`.
    pub keyword: &'static str,
    /// The condition as written (`.Values.hpa.enabled`).
    pub expr: String,
    pub cond: Cond,
    /// Where the guard's action starts.
    pub pos: Position,
}

/// A guard condition over the chart's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// The truthiness of `.Values.<path>`.
    Value(Vec<String>),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    /// `eq .Values.<path> lit…` (any literal matches), or `ne` when `equal` is false.
    Eq {
        path: Vec<String>,
        literals: Vec<Literal>,
        equal: bool,
    },
    Const(bool),
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
}

/// Records the guard of a chart template; called for every file detectors read.
pub fn record_guard(path: &RepoPath, text: &str, tables: &mut HelmTables) {
    if !path.is_yaml() || !path.as_str().split('/').any(|c| c == "templates") {
        return;
    }
    if !yaml::looks_templated(text) {
        return;
    }
    if let Some(guard) = file_guard(text) {
        tables.guards.insert(path.as_str().to_string(), guard);
    }
}

/// The guard wrapping a whole template, if it has one.
pub fn file_guard(text: &str) -> Option<Guard> {
    let actions = yaml::template_actions(text);
    let mut i = 0;
    let mut literal_from = 0;
    // Comments and assignments before the guard write nothing.
    let start = loop {
        let action = actions.get(i)?;
        if !inert(&text[literal_from..action.start]) {
            return None;
        }
        let body = inner(&text[action.clone()]);
        if body.starts_with("/*") || is_assignment(body) {
            literal_from = action.end;
            i += 1;
            continue;
        }
        break action.clone();
    };
    let body = inner(&text[start.clone()]);
    let (keyword, rest) = split_word(body);
    let keyword = match keyword {
        "if" => "if",
        "with" => "with",
        "range" => "range",
        _ => return None,
    };
    let expr = match keyword {
        // `range $i, $item := .Values.list`, `with $x := .Values.y`.
        "range" | "with" => rest.split_once(":=").map_or(rest, |(_, e)| e).trim(),
        _ => rest.trim(),
    };
    let mut depth = 1u32;
    for (j, action) in actions.iter().enumerate().skip(i + 1) {
        let (word, _) = split_word(inner(&text[action.clone()]));
        match word {
            "if" | "range" | "with" | "define" | "block" => depth += 1,
            "else" if depth == 1 => return None,
            "end" => {
                depth -= 1;
                if depth == 0 {
                    return only_comments_after(text, &actions[j + 1..], action.end).then(|| {
                        Guard {
                            keyword,
                            expr: expr.to_string(),
                            cond: parse_condition(expr),
                            pos: position(text, start.start),
                        }
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the actions and text after the guard's `end` write nothing.
fn only_comments_after(text: &str, rest: &[Range<usize>], mut from: usize) -> bool {
    for action in rest {
        if !inert(&text[from..action.start]) || !inner(&text[action.clone()]).starts_with("/*") {
            return false;
        }
        from = action.end;
    }
    inert(&text[from..])
}

/// Text outside actions that renders no YAML: blank lines, comments, document markers.
fn inert(literal: &str) -> bool {
    literal.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---"
    })
}

/// The inside of an action, without braces and trim markers.
fn inner(action: &str) -> &str {
    let s = action.strip_prefix("{{").unwrap_or(action);
    let s = s.strip_suffix("}}").unwrap_or(s);
    let s = match s.strip_prefix('-') {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest,
        _ => s,
    };
    let s = match s.strip_suffix('-') {
        Some(rest) if rest.ends_with(char::is_whitespace) => rest,
        _ => s,
    };
    s.trim()
}

fn is_assignment(body: &str) -> bool {
    let Some(var) = body.strip_prefix('$') else {
        return false;
    };
    let after = var
        .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
        .trim_start();
    after.starts_with(":=") || (after.starts_with('=') && !after.starts_with("=="))
}

fn split_word(body: &str) -> (&str, &str) {
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    (&body[..end], &body[end..])
}

fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    Position::new(line, column)
}

// ---------------------------------------------------------------------------------------
// Conditions

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Pipe,
    /// `.Values.a.b` as `["a", "b"]`; `None` for any other field or variable.
    Field(Option<Vec<String>>),
    Lit(Literal),
    Ident(String),
    Other,
}

fn tokenize(expr: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '|' => {
                chars.next();
                out.push(Token::Pipe);
            }
            '"' | '`' => {
                chars.next();
                let mut s = String::new();
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == c {
                        closed = true;
                        break;
                    }
                    if d == '\\' && c == '"' {
                        if let Some((_, e)) = chars.next() {
                            s.push(e);
                        }
                        continue;
                    }
                    s.push(d);
                }
                out.push(if closed {
                    Token::Lit(Literal::Str(s))
                } else {
                    Token::Other
                });
            }
            _ => {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '|' | '"' | '`') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push(word_token(&expr[i..end]));
            }
        }
    }
    out
}

fn word_token(word: &str) -> Token {
    let field = word.strip_prefix('$').unwrap_or(word);
    if let Some(chain) = field.strip_prefix('.') {
        let segments: Vec<&str> = chain.split('.').collect();
        return Token::Field(match segments.split_first() {
            // `.Values` alone is the whole map: not a flag.
            Some((&"Values", rest)) if !rest.is_empty() && rest.iter().all(|s| !s.is_empty()) => {
                Some(rest.iter().map(|s| s.to_string()).collect())
            }
            _ => None,
        });
    }
    if word.starts_with('$') {
        return Token::Field(None);
    }
    match word {
        "true" => Token::Lit(Literal::Bool(true)),
        "false" => Token::Lit(Literal::Bool(false)),
        _ => {
            if let Ok(n) = word.parse::<f64>() {
                Token::Lit(Literal::Num(n))
            } else if word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                Token::Ident(word.to_string())
            } else {
                Token::Other
            }
        }
    }
}

/// One argument of a command.
#[derive(Debug, Clone)]
enum Operand {
    Path(Vec<String>),
    Lit(Literal),
    Func(String),
    Cond(Cond),
    Unknown,
}

/// Parses a guard's pipeline into a condition; what is not understood is `Unknown`.
pub fn parse_condition(expr: &str) -> Cond {
    let tokens = tokenize(expr);
    let mut pos = 0;
    let cond = command(&tokens, &mut pos, 0);
    if pos == tokens.len() {
        cond
    } else {
        Cond::Unknown
    }
}

/// How deep parentheses may nest.
const MAX_NESTING: u32 = 16;

/// A command: operands up to a closing parenthesis or the end.
fn command(tokens: &[Token], pos: &mut usize, depth: u32) -> Cond {
    let mut operands = Vec::new();
    let mut piped = false;
    while let Some(token) = tokens.get(*pos) {
        match token {
            Token::Close => break,
            Token::Pipe => {
                piped = true;
                *pos += 1;
            }
            Token::Open => {
                *pos += 1;
                let inner = if depth >= MAX_NESTING {
                    skip_group(tokens, pos);
                    Cond::Unknown
                } else {
                    command(tokens, pos, depth + 1)
                };
                if tokens.get(*pos) == Some(&Token::Close) {
                    *pos += 1;
                }
                operands.push(Operand::Cond(inner));
            }
            Token::Field(Some(path)) => {
                *pos += 1;
                operands.push(Operand::Path(path.clone()));
            }
            Token::Lit(l) => {
                *pos += 1;
                operands.push(Operand::Lit(l.clone()));
            }
            Token::Ident(name) => {
                *pos += 1;
                operands.push(Operand::Func(name.clone()));
            }
            Token::Field(None) | Token::Other => {
                *pos += 1;
                operands.push(Operand::Unknown);
            }
        }
    }
    if piped {
        return Cond::Unknown;
    }
    apply(operands)
}

/// Skips to the `)` closing the group just opened.
fn skip_group(tokens: &[Token], pos: &mut usize) {
    let mut depth = 1u32;
    while let Some(token) = tokens.get(*pos) {
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
        *pos += 1;
    }
}

fn apply(operands: Vec<Operand>) -> Cond {
    let mut operands = operands.into_iter();
    let Some(first) = operands.next() else {
        return Cond::Unknown;
    };
    let args: Vec<Operand> = operands.collect();
    let Operand::Func(name) = first else {
        return if args.is_empty() {
            as_cond(first)
        } else {
            Cond::Unknown
        };
    };
    match (name.as_str(), args.len()) {
        ("and", 1..) => Cond::And(args.into_iter().map(as_cond).collect()),
        ("or", 1..) => Cond::Or(args.into_iter().map(as_cond).collect()),
        ("not", 1) => Cond::Not(Box::new(as_cond(
            args.into_iter().next().unwrap_or(Operand::Unknown),
        ))),
        ("empty", 1) => Cond::Not(Box::new(as_cond(
            args.into_iter().next().unwrap_or(Operand::Unknown),
        ))),
        ("eq" | "ne", 2..) => comparison(name == "eq", args),
        _ => Cond::Unknown,
    }
}

/// `eq .Values.x "a" "b"` (or `eq "a" .Values.x`): one value against literals.
fn comparison(equal: bool, args: Vec<Operand>) -> Cond {
    let mut path = None;
    let mut literals = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        match arg {
            // Go compares the first argument with each of the others.
            Operand::Path(p) if i == 0 => path = Some(p),
            Operand::Lit(l) => literals.push(l),
            _ => return Cond::Unknown,
        }
    }
    match (path, literals.len()) {
        (Some(path), 1..) => Cond::Eq {
            path,
            literals,
            equal,
        },
        _ => Cond::Unknown,
    }
}

fn as_cond(operand: Operand) -> Cond {
    match operand {
        Operand::Path(p) => Cond::Value(p),
        Operand::Lit(l) => Cond::Const(match l {
            Literal::Str(s) => !s.is_empty(),
            Literal::Num(n) => n != 0.0,
            Literal::Bool(b) => b,
        }),
        Operand::Cond(c) => c,
        Operand::Func(_) | Operand::Unknown => Cond::Unknown,
    }
}

impl Cond {
    /// The value paths the condition reads, in order of appearance, once each.
    fn paths(&self, out: &mut Vec<Vec<String>>) {
        match self {
            Cond::Value(p) | Cond::Eq { path: p, .. } => {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
            Cond::Not(c) => c.paths(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.paths(out)),
            Cond::Const(_) | Cond::Unknown => {}
        }
    }

    /// Kleene evaluation with `values` giving what each path holds.
    fn eval<'a>(&self, values: &dyn Fn(&[String]) -> Lookup<'a>) -> Tri {
        match self {
            Cond::Value(p) => match values(p) {
                Lookup::Found(node) => truthy(node),
                Lookup::Absent => Tri::False,
                Lookup::Unknown => Tri::Unknown,
            },
            Cond::Not(c) => c.eval(values).not(),
            Cond::And(cs) => cs.iter().fold(Tri::True, |acc, c| acc.and(c.eval(values))),
            Cond::Or(cs) => cs.iter().fold(Tri::False, |acc, c| acc.or(c.eval(values))),
            Cond::Eq {
                path,
                literals,
                equal,
            } => {
                let Lookup::Found(node) = values(path) else {
                    return Tri::Unknown;
                };
                let mut result = Tri::False;
                for literal in literals {
                    result = result.or(compare(node, literal));
                }
                if *equal { result } else { result.not() }
            }
            Cond::Const(b) => Tri::from(*b),
            Cond::Unknown => Tri::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

/// What a values file holds at a path.
#[derive(Debug, Clone, Copy)]
enum Lookup<'a> {
    Found(&'a Node),
    /// Its parent map is there, without the key: `nil`, false.
    Absent,
    /// A parent is missing or not a map (Helm fails to render), or the value is
    /// templated.
    Unknown,
}

fn lookup<'a>(root: &'a Node, path: &[String]) -> Lookup<'a> {
    let mut node = root;
    for (i, segment) in path.iter().enumerate() {
        match &node.value {
            Value::Map(entries) => {
                match entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k.as_str() == Some(segment))
                {
                    Some((_, v)) => node = v,
                    None if i + 1 == path.len() => return Lookup::Absent,
                    None => return Lookup::Unknown,
                }
            }
            // An empty values file is an empty map.
            Value::Null if i == 0 && path.len() == 1 => return Lookup::Absent,
            _ => return Lookup::Unknown,
        }
    }
    Lookup::Found(node)
}

fn templated(s: &str) -> bool {
    s.contains("{{") || s.contains("${")
}

/// Go template truthiness.
fn truthy(node: &Node) -> Tri {
    match &node.value {
        Value::Null => Tri::False,
        Value::Bool(b) => Tri::from(*b),
        Value::Int(i) => Tri::from(*i != 0),
        Value::Float(f) => Tri::from(*f != 0.0),
        Value::String(s) if templated(s) => Tri::Unknown,
        Value::String(s) => Tri::from(!s.is_empty()),
        Value::Seq(items) => Tri::from(!items.is_empty()),
        Value::Map(entries) => Tri::from(!entries.is_empty()),
    }
}

/// `eq` of a value and a literal; unknown for an unset or empty placeholder (set per
/// installation) and for values of another type (Go fails to compare them).
fn compare(node: &Node, literal: &Literal) -> Tri {
    match (&node.value, literal) {
        (Value::String(s), _) if s.is_empty() || templated(s) => Tri::Unknown,
        (Value::String(s), Literal::Str(l)) => Tri::from(s == l),
        (Value::Int(i), Literal::Num(n)) => Tri::from((*i as f64 - n).abs() < f64::EPSILON),
        (Value::Float(f), Literal::Num(n)) => Tri::from((f - n).abs() < f64::EPSILON),
        (Value::Bool(b), Literal::Bool(l)) => Tri::from(b == l),
        _ => Tri::Unknown,
    }
}

/// How a value reads in a note.
fn describe(lookup: &Lookup) -> String {
    let node = match lookup {
        Lookup::Found(node) => node,
        Lookup::Absent => return "not set".to_string(),
        Lookup::Unknown => return "unknown".to_string(),
    };
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) if s.is_empty() => "an empty string".to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Seq(items) if items.is_empty() => "an empty list".to_string(),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(entries) if entries.is_empty() => "an empty map".to_string(),
        Value::Map(_) => "a map".to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// The link-stage pass

/// Combinations of values tried per guard; beyond it, a guard is taken as unknown.
const MAX_COMBINATIONS: usize = 256;

/// Values files larger than this are not read for overrides.
const MAX_OVERRIDE_FILE: u64 = 1 << 20;

/// Values kept per path from other files; a path set in more places than this may well be
/// switched on somewhere, and its templates are kept.
const MAX_OVERRIDES: usize = 64;

/// A template whose guard is false with its chart's defaults.
struct Candidate<'a> {
    file: &'a str,
    guard: &'a Guard,
    chart: &'a ChartValues,
    paths: Vec<Vec<String>>,
}

/// Drops the evidence of chart templates that no values file of the repository switches
/// on, with a note per file (see the module documentation). Reads the repository's other
/// values files only when some template is switched off by its chart's defaults.
pub fn skip_switched_off_templates(out: &mut Collector, index: &FileIndex) {
    let tables = &out.helm;
    if tables.guards.is_empty() {
        return;
    }
    let with_evidence = out.evidence.source_paths();
    let mut candidates = Vec::new();
    for (file, guard) in &tables.guards {
        if !with_evidence.contains(file.as_str()) {
            continue;
        }
        let Some(chart) = chart_of(file, &tables.values) else {
            continue;
        };
        let defaults = |p: &[String]| lookup(&chart.root, p);
        if guard.cond.eval(&defaults) != Tri::False {
            continue;
        }
        let mut paths = Vec::new();
        guard.cond.paths(&mut paths);
        candidates.push(Candidate {
            file,
            guard,
            chart,
            paths,
        });
    }
    if candidates.is_empty() {
        return;
    }
    let wanted: BTreeSet<&Vec<String>> = candidates.iter().flat_map(|c| &c.paths).collect();
    let chart_values: BTreeSet<&str> = tables.values.values().map(|v| v.path.as_str()).collect();
    let overrides = find_overrides(index, &wanted, &chart_values);

    let mut dropped: BTreeSet<String> = BTreeSet::new();
    let mut notes = Vec::new();
    for candidate in &candidates {
        if let Some(note) = switched_off(candidate, &overrides) {
            dropped.insert(candidate.file.to_string());
            notes.push(note);
        }
    }
    out.evidence.retain_sources(|s| !dropped.contains(&s.path));
    out.routing_trees
        .retain(|t| !dropped.contains(&t.source.path));
    out.diagnostics.extend(notes);
}

/// The chart a template belongs to: the nearest `templates/` folder above it whose parent
/// holds the chart's values.
fn chart_of<'a>(file: &str, values: &'a BTreeMap<String, ChartValues>) -> Option<&'a ChartValues> {
    let parts: Vec<&str> = file.split('/').collect();
    (0..parts.len().saturating_sub(1))
        .rev()
        .filter(|&i| parts[i] == "templates")
        .find_map(|i| values.get(&parts[..i].join("/")))
}

/// Values other files set for each wanted path: `(file, value)`, in file order.
type Overrides = BTreeMap<Vec<String>, Vec<(String, Node)>>;

/// Looks for the wanted paths in the repository's YAML files (outside `templates/` folders
/// and example folders): at any depth, since a release's values may sit below a subchart
/// key, a `values:` block or an Argo CD `valuesObject`; in other charts' default values
/// only below a key (as subchart values), since at their top they configure that chart.
fn find_overrides(
    index: &FileIndex,
    wanted: &BTreeSet<&Vec<String>>,
    chart_values: &BTreeSet<&str>,
) -> Overrides {
    let mut found: Overrides = BTreeMap::new();
    for entry in index.files() {
        let path = RepoPath::new(&entry.path);
        if !path.is_yaml()
            || entry.size > MAX_OVERRIDE_FILE
            || path.as_str().split('/').any(|c| c == "templates")
            || is_example_path(path.as_str())
            || matches!(path.name(), "Chart.yaml" | "Chart.yml")
        {
            continue;
        }
        let Ok(text) = index.read(entry) else {
            continue;
        };
        let mentioned: Vec<&&Vec<String>> = wanted
            .iter()
            .filter(|p| p.iter().all(|segment| text.contains(segment.as_str())))
            .collect();
        if mentioned.is_empty() {
            continue;
        }
        let docs = match yaml::parse_documents(&text) {
            Ok(docs) => docs,
            Err(_) if yaml::looks_templated(&text) => match yaml::parse_templated(&text) {
                Ok(docs) => docs,
                Err(_) => continue,
            },
            Err(_) => continue,
        };
        let nested_only = chart_values.contains(path.as_str());
        for wanted_path in mentioned {
            let mut nodes = Vec::new();
            let mut budget = 100_000u32;
            for doc in &docs {
                find_path(doc, wanted_path, !nested_only, 0, &mut budget, &mut nodes);
            }
            if nodes.is_empty() {
                continue;
            }
            let values = found.entry((*wanted_path).clone()).or_default();
            for node in nodes {
                if values.len() > MAX_OVERRIDES {
                    break;
                }
                values.push((entry.path.clone(), node.clone()));
            }
        }
    }
    found
}

/// Every node reached by `path` from some map at or below `node`.
fn find_path<'a>(
    node: &'a Node,
    path: &[String],
    here: bool,
    depth: u32,
    budget: &mut u32,
    out: &mut Vec<&'a Node>,
) {
    if depth > 32 || *budget == 0 {
        return;
    }
    *budget -= 1;
    match &node.value {
        Value::Map(entries) => {
            if here && let Lookup::Found(value) = lookup(node, path) {
                out.push(value);
            }
            for (_, v) in entries {
                find_path(v, path, true, depth + 1, budget, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                find_path(item, path, true, depth + 1, budget, out);
            }
        }
        _ => {}
    }
}

/// The note for a candidate that stays off with every combination of the values found;
/// `None` when some combination (or an unknown) may switch it on.
fn switched_off(candidate: &Candidate, overrides: &Overrides) -> Option<Diagnostic> {
    let chart = candidate.chart;
    // Each path's possible values: the default, then every override.
    let options: Vec<Vec<Lookup>> = candidate
        .paths
        .iter()
        .map(|p| {
            let mut o = vec![lookup(&chart.root, p)];
            if let Some(found) = overrides.get(p) {
                if found.len() > MAX_OVERRIDES {
                    o.push(Lookup::Unknown);
                }
                o.extend(found.iter().map(|(_, n)| Lookup::Found(n)));
            }
            o
        })
        .collect();
    let combinations = options
        .iter()
        .try_fold(1usize, |acc, o| acc.checked_mul(o.len()))
        .filter(|n| *n <= MAX_COMBINATIONS)?;
    for mut k in 0..combinations {
        let mut choice = Vec::with_capacity(options.len());
        for o in &options {
            choice.push(o[k % o.len()]);
            k /= o.len();
        }
        let values = |p: &[String]| {
            candidate
                .paths
                .iter()
                .position(|q| q.as_slice() == p)
                .map_or(Lookup::Unknown, |i| choice[i])
        };
        if candidate.guard.cond.eval(&values) != Tri::False {
            return None;
        }
    }
    Some(note(candidate, overrides))
}

fn note(candidate: &Candidate, overrides: &Overrides) -> Diagnostic {
    let chart = candidate.chart;
    let guard = candidate.guard;
    let bare = matches!(guard.cond, Cond::Value(_)) && candidate.paths.len() == 1;
    let facts: Vec<String> = candidate
        .paths
        .iter()
        .map(|p| {
            let mut fact = format!(
                "`.Values.{}` is {}",
                p.join("."),
                describe(&lookup(&chart.root, p))
            );
            if bare {
                fact.push_str(&format!(" in {}", chart.path));
            }
            if let Some(found) = overrides.get(p) {
                let elsewhere: Vec<String> = found
                    .iter()
                    .map(|(file, node)| format!("{} in {file}", describe(&Lookup::Found(node))))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                fact.push_str(&format!(" (and {})", join(&elsewhere)));
            }
            fact
        })
        .collect();
    let message = if bare {
        format!("skipped: {}", facts.join(""))
    } else {
        format!(
            "skipped: `{} {}` is false with {}: {}",
            guard.keyword,
            guard.expr,
            chart.path,
            join(&facts)
        )
    };
    Diagnostic::new(Severity::Note, "helm-template-switched-off", message)
        .at(candidate.file, Some(guard.pos))
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::iac::{helm_values::HelmValues, kubernetes::Kubernetes};

    fn detect(files: &[(&str, &str)]) -> Detection {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut entries = Vec::new();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(&full, text).expect("write");
            entries.push((path.to_string(), text.len() as u64));
        }
        let index = FileIndex::from_entries(dir.path(), entries);
        crate::evidence::detect(&index, &[&Kubernetes, &HelmValues])
    }

    fn guard(text: &str) -> Option<(&'static str, String, u32)> {
        file_guard(text).map(|g| (g.keyword, g.expr, g.pos.line))
    }

    #[test]
    fn whole_file_guards() {
        assert_eq!(
            guard("{{- if .Values.hpa.enabled -}}\nkind: HorizontalPodAutoscaler\n{{- end }}\n"),
            Some(("if", ".Values.hpa.enabled".to_string(), 1))
        );
        // Comments, assignments and document markers around it write nothing.
        let text = "# HPA\n---\n{{/* scaling */}}\n{{- $name := include \"x\" . }}\n{{- range $i, $job := .Values.cronTasks }}\n---\nkind: CronJob\n{{- if $job.suspend }}\n  suspend: true\n{{- end }}\n{{- end }}\n{{/* done */}}\n";
        assert_eq!(
            guard(text),
            Some(("range", ".Values.cronTasks".to_string(), 5))
        );
        assert_eq!(
            guard("{{ with .Values.monitor }}\nkind: ServiceMonitor\n{{ end }}"),
            Some(("with", ".Values.monitor".to_string(), 1))
        );
        // Not a whole-file guard: content before or after it, an `else`, no guard.
        for text in [
            "kind: Service\n{{- if .Values.x }}\nkind: Deployment\n{{- end }}\n",
            "{{- if .Values.x }}\nkind: Deployment\n{{- end }}\nkind: Service\n",
            "{{- if .Values.x }}\nkind: Deployment\n{{- else }}\nkind: Pod\n{{- end }}\n",
            "{{- if .Values.x }}\nkind: Deployment\n{{- end }}\n{{ include \"more\" . }}\n",
            "{{- if .Values.x }}\nkind: Deployment\n{{- end }}\n{{- if .Values.y }}\nkind: Pod\n{{- end }}\n",
            "kind: Deployment\nname: {{ .Values.name }}\n",
            "{{- if .Values.x }}\nkind: Deployment\n",
        ] {
            assert_eq!(guard(text), None, "{text}");
        }
        // A nested `else` is the inner block's.
        assert!(
            guard("{{ if .Values.a }}\n{{ if .Values.b }}x: 1{{ else }}x: 2{{ end }}\n{{ end }}")
                .is_some()
        );
    }

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    #[test]
    fn conditions() {
        use Cond::*;
        let v = |p: &str| Value(path(p));
        assert_eq!(parse_condition(".Values.hpa.enabled"), v("hpa.enabled"));
        assert_eq!(parse_condition("$.Values.hpa.enabled"), v("hpa.enabled"));
        assert_eq!(
            parse_condition("(and .Values.workers.enabled .Values.monitoring.enabled)"),
            And(vec![v("workers.enabled"), v("monitoring.enabled")])
        );
        assert_eq!(
            parse_condition("not (or .Values.a (not .Values.b))"),
            Not(Box::new(Or(vec![v("a"), Not(Box::new(v("b")))])))
        );
        assert_eq!(
            parse_condition("eq .Values.provider.kind \"capa\" \"capz\""),
            Eq {
                path: path("provider.kind"),
                literals: vec![Literal::Str("capa".into()), Literal::Str("capz".into())],
                equal: true,
            }
        );
        assert_eq!(
            parse_condition("ne `ephemeral` .Values.env"),
            Unknown,
            "Go compares the first argument with the others"
        );
        assert_eq!(
            parse_condition("and .Values.pdb (gt (int .Values.replicaCount) 1)"),
            And(vec![v("pdb"), Unknown])
        );
        for unknown in [
            ".Values.x | default true",
            ".Capabilities.APIVersions.Has \"policy/v1\"",
            "$job.enabled",
            "include \"x\" .",
            "eq .Values.a .Values.b",
            ".Values",
            "",
            "not",
            "(((",
        ] {
            assert_eq!(parse_condition(unknown), Unknown, "{unknown}");
        }
    }

    fn eval(cond: &str, values: &str) -> Tri {
        let root = yaml::parse_documents(values)
            .expect("values")
            .into_iter()
            .next()
            .expect("a document");
        parse_condition(cond).eval(&|p: &[String]| lookup(&root, p))
    }

    #[test]
    fn go_template_truthiness() {
        let values = "up: {flag: true, text: \"false\", num: 1, list: [1], map: {a: 1}}\ndown: {flag: false, text: '', num: 0, list: [], map: {}, none: ~}\nscalar: 3\nnothing:\nprovider: {kind: '', flavor: capi}\n";
        for key in ["flag", "text", "num", "list", "map"] {
            assert_eq!(
                eval(&format!(".Values.up.{key}"), values),
                Tri::True,
                "{key}"
            );
            assert_eq!(
                eval(&format!(".Values.down.{key}"), values),
                Tri::False,
                "{key}"
            );
        }
        assert_eq!(eval(".Values.down.none", values), Tri::False);
        // An absent key is false; below a missing or non-map parent Helm fails: unknown.
        assert_eq!(eval(".Values.down.absent", values), Tri::False);
        assert_eq!(eval(".Values.absent", values), Tri::False);
        assert_eq!(eval(".Values.missing.flag", values), Tri::Unknown);
        assert_eq!(eval(".Values.scalar.flag", values), Tri::Unknown);
        assert_eq!(eval(".Values.nothing.flag", values), Tri::Unknown);
        assert_eq!(eval("not .Values.up.flag", values), Tri::False);
        assert_eq!(eval("and .Values.down.flag (gt 1 2)", values), Tri::False);
        assert_eq!(eval("or .Values.up.flag (gt 1 2)", values), Tri::True);
        assert_eq!(eval("and .Values.up.flag (gt 1 2)", values), Tri::Unknown);
        // `eq` against an empty placeholder is unknown; against a real value it is known.
        assert_eq!(
            eval("eq .Values.provider.kind \"capa\"", values),
            Tri::Unknown
        );
        assert_eq!(
            eval("eq .Values.provider.flavor \"capi\"", values),
            Tri::True
        );
        assert_eq!(
            eval("ne .Values.provider.flavor \"capi\"", values),
            Tri::False
        );
        assert_eq!(eval("eq .Values.up.num 1", values), Tri::True);
        assert_eq!(eval("eq .Values.up.num \"1\"", values), Tri::Unknown);
        assert_eq!(
            eval("eq .Values.provider.absent \"x\"", values),
            Tri::Unknown
        );
    }

    const CHART: &str = "apiVersion: v2\nname: shop\nversion: 1.0.0\n";
    const VALUES: &str =
        "replicas: 2\nautoscaling:\n  enabled: false\nworker:\n  enabled: false\nmonitoring: {}\n";
    const HPA: &str = "{{- if .Values.autoscaling.enabled }}\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  scaleTargetRef: {kind: Deployment, name: shop}\n{{- end }}\n";
    const WORKER: &str = "{{- if and .Values.worker.enabled (not .Values.monitoring.disabled) }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers: [{name: w, image: w:1}]\n{{- end }}\n";
    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: web:1}]\n";

    #[test]
    fn templates_switched_off_by_the_chart_are_dropped_with_a_note() {
        let d = detect(&[
            ("chart/Chart.yaml", CHART),
            ("chart/values.yaml", VALUES),
            ("chart/templates/hpa.yaml", HPA),
            ("chart/templates/worker.yaml", WORKER),
            ("chart/templates/deployment.yaml", DEPLOYMENT),
        ]);
        assert!(d.evidence.autoscalers.is_empty());
        let names: Vec<&str> = d
            .evidence
            .workloads
            .iter()
            .map(|w| w.name.as_str())
            .collect();
        assert_eq!(names, ["web"]);
        let notes: Vec<(&str, &str, Option<u32>, &str)> = d
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.path.as_deref().unwrap_or(""),
                    d.line,
                    d.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            notes,
            [
                (
                    "helm-template-switched-off",
                    "chart/templates/hpa.yaml",
                    Some(1),
                    "skipped: `.Values.autoscaling.enabled` is false in chart/values.yaml"
                ),
                (
                    "helm-template-switched-off",
                    "chart/templates/worker.yaml",
                    Some(1),
                    "skipped: `if and .Values.worker.enabled (not .Values.monitoring.disabled)` is false with chart/values.yaml: `.Values.worker.enabled` is false and `.Values.monitoring.disabled` is not set"
                ),
            ]
        );
        assert!(d.diagnostics.iter().all(|d| d.severity == Severity::Note));
    }

    #[test]
    fn values_files_that_switch_a_template_on_keep_it() {
        let d = detect(&[
            ("chart/Chart.yaml", CHART),
            ("chart/values.yaml", VALUES),
            ("chart/templates/hpa.yaml", HPA),
            ("chart/templates/worker.yaml", WORKER),
            // A release's values next to the chart, or anywhere in the repository.
            (
                "chart/values-production.yaml",
                "autoscaling:\n  enabled: true\n",
            ),
            ("deploy/prod.yaml", "worker: {enabled: false}\n"),
        ]);
        assert_eq!(d.evidence.autoscalers.len(), 1);
        // The worker stays off in every values file; the note names them all.
        assert!(d.evidence.workloads.is_empty());
        assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
        assert_eq!(
            d.diagnostics[0].message,
            "skipped: `if and .Values.worker.enabled (not .Values.monitoring.disabled)` is false with chart/values.yaml: `.Values.worker.enabled` is false (and false in deploy/prod.yaml) and `.Values.monitoring.disabled` is not set"
        );

        // An umbrella chart's values switch its subchart's template on; another chart's
        // top-level values do not.
        let d = detect(&[
            ("umbrella/Chart.yaml", CHART),
            (
                "umbrella/values.yaml",
                "shop:\n  autoscaling:\n    enabled: true\n",
            ),
            ("umbrella/charts/shop/Chart.yaml", CHART),
            ("umbrella/charts/shop/values.yaml", VALUES),
            ("umbrella/charts/shop/templates/hpa.yaml", HPA),
        ]);
        assert_eq!(d.evidence.autoscalers.len(), 1, "{:?}", d.diagnostics);
        let d = detect(&[
            ("charts/other/Chart.yaml", CHART),
            (
                "charts/other/values.yaml",
                "autoscaling:\n  enabled: true\n",
            ),
            ("charts/shop/Chart.yaml", CHART),
            ("charts/shop/values.yaml", VALUES),
            ("charts/shop/templates/hpa.yaml", HPA),
        ]);
        assert!(d.evidence.autoscalers.is_empty());
    }

    #[test]
    fn ranges_over_empty_lists_render_nothing() {
        let cron = "{{- range .Values.cronTasks }}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {{ .name }}\nspec:\n  schedule: {{ .schedule | quote }}\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: task, image: app:1}]\n{{- end }}\n";
        let d = detect(&[
            ("app/Chart.yaml", CHART),
            ("app/values.yaml", "cronTasks: []\n"),
            ("app/templates/cron.yaml", cron),
        ]);
        assert!(d.evidence.workloads.is_empty());
        assert_eq!(
            d.diagnostics[0].message,
            "skipped: `.Values.cronTasks` is an empty list in app/values.yaml"
        );
        let d = detect(&[
            ("app/Chart.yaml", CHART),
            (
                "app/values.yaml",
                "cronTasks:\n  - {name: expire, schedule: '@daily'}\n",
            ),
            ("app/templates/cron.yaml", cron),
        ]);
        assert_eq!(d.evidence.workloads.len(), 1);
    }

    #[test]
    fn unknown_guards_and_templates_without_chart_values_are_kept() {
        let unknown = HPA.replace(
            ".Values.autoscaling.enabled",
            ".Capabilities.APIVersions.Has \"autoscaling/v2\"",
        );
        let templated = "autoscaling:\n  enabled: {{ .Values.hpa }}\n";
        let d = detect(&[
            ("a/Chart.yaml", CHART),
            ("a/values.yaml", VALUES),
            ("a/templates/hpa.yaml", &unknown),
            // No values.yaml beside this chart: nothing to evaluate against.
            ("b/Chart.yaml", CHART),
            ("b/templates/hpa.yaml", HPA),
            // Not a chart at all.
            ("c/templates/hpa.yaml", HPA),
        ]);
        assert_eq!(d.evidence.autoscalers.len(), 3);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        // A templated override may switch it on.
        let d = detect(&[
            ("chart/Chart.yaml", CHART),
            ("chart/values.yaml", VALUES),
            ("chart/templates/hpa.yaml", HPA),
            ("chart/ci/values.yaml", templated),
        ]);
        assert_eq!(d.evidence.autoscalers.len(), 1);
    }
}
