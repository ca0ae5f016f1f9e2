//! YAML documents as a tree of nodes that remember where they came from.
//!
//! Detectors need the line and column of every evidence item (an alert rule, an SLO, a
//! receiver), so instead of deserializing into typed structs we load a generic tree whose
//! every node carries its position, and let each detector read what it needs. Parsing goes
//! through serde-saphyr, which enforces budgets against alias bombs, deep nesting and
//! document storms and never panics on malformed input.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostic::Position;

/// One YAML node with its position in the file (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Position,
}

/// The value of a YAML node; maps keep their order and their keys' positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Why a file could not be loaded as YAML, with the position when the parser knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub pos: Option<Position>,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Limits chosen so that a hostile file costs a few milliseconds at most, while real
/// Kubernetes manifests and rule files (thousands of nodes, rarely deeper than 20) load.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 128,
            max_documents: 4_096,
            max_nodes: 2_000_000,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_events: 4_000_000,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 200_000,
        },
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        with_snippet: false,
    }
}

/// Parses every document of a YAML stream. Empty documents are dropped.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let docs: Vec<Option<Node>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(to_error)?;
    Ok(docs
        .into_iter()
        .flatten()
        .filter(|d| !matches!(d.value, Value::Null))
        .collect())
}

/// Whether the text holds Go/Helm template actions (`{{ … }}`) outside YAML strings would
/// make it invalid YAML. A cheap check, used to decide whether a parse failure is a broken
/// file or a template.
pub fn looks_templated(text: &str) -> bool {
    text.contains("{{") && text.contains("}}")
}

/// Parses a Helm/Go-templated YAML file tolerantly: control actions (`{{ if }}`,
/// `{{ end }}`, `{{ range }}`, comments, assignments, …) and actions alone on their lines
/// are dropped, other inline actions replaced by a placeholder; lines are kept, and
/// columns (of nodes and of an error) are mapped back to the template. What the template
/// would have generated is unknown, but the rules, resources and fields written literally
/// are read.
pub fn parse_templated(text: &str) -> Result<Vec<Node>, YamlError> {
    let detemplated = detemplate(text);
    match parse_documents(&detemplated.text) {
        Ok(mut docs) => {
            for doc in &mut docs {
                detemplated.remap(doc);
            }
            Ok(docs)
        }
        Err(mut err) => {
            err.pos = err.pos.map(|p| detemplated.original(p));
            Err(err)
        }
    }
}

/// The byte ranges of a Helm/Go template's actions (`{{ … }}`, comments included), in
/// text order.
pub fn template_actions(text: &str) -> Vec<std::ops::Range<usize>> {
    scan_actions(text)
        .0
        .into_iter()
        .map(|a| a.start..a.end)
        .collect()
}

/// Placeholder for an inline template action.
pub const TEMPLATE_PLACEHOLDER: &str = "TEMPLATED";

/// A template with its actions taken out, and where its columns moved.
struct Detemplated {
    text: String,
    /// Where the text after each action starts: (line, column in `text`, column in the
    /// template), 1-based, columns in characters, in text order.
    shifts: Vec<(u32, u32, u32)>,
}

impl Detemplated {
    /// The template position of a position in the detemplated text.
    fn original(&self, pos: Position) -> Position {
        let shift = self
            .shifts
            .iter()
            .rev()
            .find(|(line, out, _)| *line == pos.line && *out <= pos.column);
        match shift {
            Some((_, out, orig)) => Position::new(pos.line, orig + (pos.column - out)),
            None => pos,
        }
    }

    fn remap(&self, node: &mut Node) {
        if self.shifts.is_empty() {
            return;
        }
        node.pos = self.original(node.pos);
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| self.remap(n)),
            Value::Map(entries) => {
                for (k, v) in entries {
                    self.remap(k);
                    self.remap(v);
                }
            }
            _ => {}
        }
    }
}

/// One template action: its byte range, the (0-based) lines it starts and ends on, and
/// whether it writes nothing.
struct Action {
    start: usize,
    end: usize,
    first_line: usize,
    last_line: usize,
    control: bool,
}

/// Takes the actions out of a template in linear time (a hostile file may hold a
/// hundred thousand actions on one line).
fn detemplate(text: &str) -> Detemplated {
    let (actions, line_has_text) = scan_actions(text);
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::with_capacity(actions.len());
    // Characters since the last newline, in `out` and in `text`.
    let (mut out_col, mut in_col) = (0u32, 0u32);
    let mut i = 0;
    for action in &actions {
        let literal = &text[i..action.start];
        out.push_str(literal);
        advance(&mut out_col, literal);
        advance(&mut in_col, literal);
        // Actions alone on their lines write lines the template would compute, not values.
        let alone = !line_has_text[action.first_line] && !line_has_text[action.last_line];
        if !action.control && !alone {
            out.push_str(TEMPLATE_PLACEHOLDER);
            advance(&mut out_col, TEMPLATE_PLACEHOLDER);
        }
        let written = &text[action.start..action.end];
        let newlines = action.last_line - action.first_line;
        if newlines > 0 {
            out.extend(std::iter::repeat_n('\n', newlines));
            out_col = 0;
        }
        advance(&mut in_col, written);
        shifts.push((action.last_line as u32 + 1, out_col + 1, in_col + 1));
        i = action.end;
    }
    out.push_str(&text[i..]);
    Detemplated { text: out, shifts }
}

/// Moves a column (characters since the last newline) over `s`.
fn advance(column: &mut u32, s: &str) {
    match s.rfind('\n') {
        Some(p) => *column = s[p + 1..].chars().count() as u32,
        None => *column += s.chars().count() as u32,
    }
}

/// The actions of a template, and for every line whether it holds text outside them.
fn scan_actions(text: &str) -> (Vec<Action>, Vec<bool>) {
    let mut actions = Vec::new();
    let mut line_has_text = vec![false];
    let mut line = 0;
    let mut comment_ends = CommentEnds::default();
    let mut i = 0;
    loop {
        let next = text[i..].find("{{").map(|p| i + p);
        for c in text[i..next.unwrap_or(text.len())].chars() {
            if c == '\n' {
                line += 1;
                line_has_text.push(false);
            } else if !c.is_whitespace() {
                line_has_text[line] = true;
            }
        }
        let Some(start) = next else {
            break;
        };
        let end = action_end(text, start, &mut comment_ends);
        let first_line = line;
        let newlines = text[start..end].matches('\n').count();
        line += newlines;
        line_has_text.extend(std::iter::repeat_n(false, newlines));
        actions.push(Action {
            start,
            end,
            first_line,
            last_line: line,
            control: is_control(&text[start..end]),
        });
        i = end;
    }
    (actions, line_has_text)
}

/// Remembers where the search for a comment's `*/` got to, so that many unterminated
/// comments do not each search the rest of the file.
#[derive(Default)]
struct CommentEnds {
    /// The last `*/` found, or the end of the text when there is none after it.
    found: Option<Option<usize>>,
}

impl CommentEnds {
    fn after(&mut self, text: &str, from: usize) -> Option<usize> {
        match self.found {
            Some(Some(p)) if p >= from => return Some(p),
            Some(None) => return None,
            _ => {}
        }
        let p = text[from..].find("*/").map(|p| from + p);
        self.found = Some(p);
        p
    }
}

/// The end (exclusive) of the action starting at `start`: after its `}}`, or after the
/// `*/ }}` of a comment, which may hold `}}`. An action that is never closed runs to the
/// end of the text.
fn action_end(text: &str, start: usize, comment_ends: &mut CommentEnds) -> usize {
    let inner = text[start + 2..].trim_start_matches('-').trim_start();
    let from = if inner.starts_with("/*") {
        comment_ends.after(text, start + 2).unwrap_or(start)
    } else {
        start
    };
    text[from..].find("}}").map_or(text.len(), |e| from + e + 2)
}

/// Whether an action (`{{ … }}`) writes nothing where it stands: control structure,
/// comments, definitions and variable assignments. `{{ template }}` writes the named
/// template's output, so it is a value like `{{ include }}`.
fn is_control(action: &str) -> bool {
    let inner = action
        .strip_prefix("{{")
        .unwrap_or(action)
        .trim_start_matches('-')
        .trim_start();
    if inner.starts_with("/*") {
        return true;
    }
    let word: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if matches!(
        word.as_str(),
        "if" | "else" | "end" | "range" | "with" | "define" | "block" | "break" | "continue"
    ) {
        return true;
    }
    // `$name := …` or `$name = …` assigns; `$name` alone or piped is a value.
    let Some(var) = inner.strip_prefix('$') else {
        return false;
    };
    let after = var
        .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
        .trim_start();
    after.starts_with(":=") || (after.starts_with('=') && !after.starts_with("=="))
}

fn to_error(err: serde_saphyr::Error) -> YamlError {
    let pos = err.location().and_then(|loc| {
        (loc.line() > 0).then(|| Position::new(loc.line() as u32, loc.column() as u32))
    });
    // serde-saphyr's Display appends locations (` at line 6, column 18 (defined at …)`),
    // which may differ from the primary one reported; the diagnostic carries its own
    // file:line, so keep only the first line, without them.
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default();
    let message = first
        .find(" at line ")
        .map_or(first, |i| &first[..i])
        .trim();
    let message = if message.is_empty() {
        "invalid YAML"
    } else {
        message
    };
    YamlError {
        message: message.to_string(),
        pos,
    }
}

impl Node {
    /// The value under `key` when this node is a map with string keys.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of map keys, e.g. `["spec", "groups"]`.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The map entry (key node and value) under `key`: the key's position is where a
    /// human reads the field to start.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text: strings as they are, numbers and booleans as written.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A number, also when written as a string (`target: "99.5"`).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean, also when written as a string (`"true"`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_map(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// String-keyed entries of a map whose values are scalars, as text.
    pub fn string_map(&self) -> Vec<(String, String)> {
        self.as_map()
            .iter()
            .filter_map(|(k, v)| Some((k.scalar_text()?, v.scalar_text()?)))
            .collect()
    }

    /// A list of strings, also accepting a single string.
    pub fn string_list(&self) -> Vec<String> {
        match &self.value {
            Value::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
            _ => self.scalar_text().into_iter().collect(),
        }
    }

    /// Converts to JSON, e.g. to validate against a JSON Schema. Non-string keys are
    /// rendered as text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The node at a JSON pointer (`/criteria/3/id`), for mapping schema errors back to lines.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(_) => node.get(&segment)?,
                Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Like [`Node::pointer`] but returns the deepest node that exists on the way, so an
    /// error about a missing field still points at its parent.
    pub fn nearest(&self, pointer: &str) -> &Node {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(_) => node.entry(&segment).map(|(k, _)| k).and_then(|k| {
                    // Prefer the value, but fall back to the key position for scalars.
                    node.get(&segment).or(Some(k))
                }),
                Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let loc = spanned.referenced;
        Ok(Node {
            value: spanned.value,
            pos: Position::new(loc.line() as u32, loc.column() as u32),
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// Each nesting level costs tens of kilobytes of stack in debug builds; growing the stack
/// on demand keeps deep (but within budget) documents from overflowing small thread stacks.
fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, f)
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = grow(|| seq.next_element::<Node>())? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = grow(|| map.next_entry::<Node, Node>())? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

/// YAML held in a string of another YAML document (`alertmanager.yaml: |` in a Secret,
/// `alerts.yaml: |` in a ConfigMap), parsed with its positions mapped to the outer file;
/// a Go-templated string is read tolerantly, as [`parse_templated`] does.
///
/// `key` and `value` are the map entry holding the string. Lines map exactly for a literal
/// block scalar (`|`); other strings are folded or unescaped by YAML, so every position
/// inside them is mapped to the start of the value. An error's position is mapped the same
/// way (the start of the value when the parser gives none).
pub fn parse_embedded(file_text: &str, key: &Node, value: &Node) -> Result<Vec<Node>, YamlError> {
    let content = value.as_str().unwrap_or_default();
    let shift = if is_literal_block(file_text, key) {
        // The value's position is its first non-blank line; leading blank lines are part
        // of the content.
        let blank_lines = content.len() - content.trim_start_matches('\n').len();
        Shift::Offset {
            first_line: value.pos.line,
            blank_lines: blank_lines as u32,
            column: value.pos.column,
        }
    } else {
        Shift::Fixed(value.pos)
    };
    let parsed = match parse_documents(content) {
        Ok(docs) => Ok(docs),
        Err(err) if looks_templated(content) => parse_templated(content).map_err(|_| err),
        Err(err) => Err(err),
    };
    match parsed {
        Ok(mut docs) => {
            for doc in &mut docs {
                shift.apply(doc);
            }
            Ok(docs)
        }
        Err(err) => Err(YamlError {
            pos: Some(match err.pos {
                Some(pos) => shift.map(pos),
                None => value.pos,
            }),
            message: err.message,
        }),
    }
}

/// How positions inside an embedded string map to the outer file.
enum Shift {
    Offset {
        first_line: u32,
        blank_lines: u32,
        column: u32,
    },
    Fixed(Position),
}

impl Shift {
    fn map(&self, pos: Position) -> Position {
        match *self {
            Shift::Offset {
                first_line,
                blank_lines,
                column,
            } => Position::new(
                (first_line + pos.line.saturating_sub(1)).saturating_sub(blank_lines),
                column + pos.column.saturating_sub(1),
            ),
            Shift::Fixed(fixed) => fixed,
        }
    }

    fn apply(&self, node: &mut Node) {
        node.pos = self.map(node.pos);
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| self.apply(n)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                self.apply(k);
                self.apply(v);
            }),
            _ => {}
        }
    }
}

/// Whether the value of the map entry whose key is `key` is written as a literal block
/// scalar (`key: |`, `key: |-`, `key: |2`).
fn is_literal_block(file_text: &str, key: &Node) -> bool {
    value_written_with(file_text, key, '|')
}

/// Whether, in the source, the value of the map entry whose key is `key` starts with
/// `first` after the colon (`key: |` for a literal block, `key: !=` for a tag): for what
/// the parsed value no longer shows.
pub fn value_written_with(file_text: &str, key: &Node, first: char) -> bool {
    let Some(line) = file_text
        .lines()
        .nth(key.pos.line.saturating_sub(1) as usize)
    else {
        return false;
    };
    let from_key: String = line
        .chars()
        .skip(key.pos.column.saturating_sub(1) as usize)
        .collect();
    from_key
        .split_once(':')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_nested_nodes() {
        let docs = parse_documents("a: 1\nlist:\n  - name: x\n    v: true\n").unwrap();
        let item = &docs[0].get("list").unwrap().as_seq()[0];
        assert_eq!(item.pos.line, 3);
        let name = item.get("name").unwrap();
        assert_eq!(name.as_str(), Some("x"));
        assert_eq!((name.pos.line, name.pos.column), (3, 11));
        assert_eq!(item.get("v").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn reads_multiple_documents_and_drops_empty_ones() {
        let docs = parse_documents("---\na: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].pos.line, 5);
    }

    #[test]
    fn malformed_yaml_reports_a_line() {
        let err = parse_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse_documents(&text).unwrap_err();
        assert!(err.message.contains("alias"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_documents(&text).is_err());
        let block: String = (0..2000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(parse_documents(&block).is_err());
    }

    #[test]
    fn templated_yaml_is_read_with_lines_kept() {
        let text = "groups:\n{{- if .Values.enabled }}\n- name: g\n  rules:\n  - alert: A\n    expr: {{ .Values.expr }}\n    labels:\n      {{- include \"x\" . | nindent 6 }}\n{{- end }}\n";
        assert!(parse_documents(text).is_err());
        let docs = parse_templated(text).unwrap();
        let rule = &docs[0].get("groups").unwrap().as_seq()[0]
            .get("rules")
            .unwrap()
            .as_seq()[0];
        assert_eq!(rule.get("alert").unwrap().pos.line, 5);
        assert_eq!(
            rule.get("expr").unwrap().as_str(),
            Some(TEMPLATE_PLACEHOLDER)
        );
    }

    #[test]
    fn inline_control_actions_write_nothing() {
        let cases = [
            (
                "      {{ if .timeZone }}timeZone: \"{{ .timeZone }}\"{{- end }}",
                "      timeZone: \"TEMPLATED\"",
            ),
            ("a: {{- if .x }}1{{- else }}2{{ end -}}", "a: 12"),
            ("a: {{ if .x }}1{{ else if .y }}2{{ end }}", "a: 12"),
            ("{{ range .items }}- {{ . }}{{ end }}", "- TEMPLATED"),
            ("{{- with .x }}a: {{ .y }}{{- end }}", "a: TEMPLATED"),
            ("{{ define \"x\" }}a: 1{{ end }}", "a: 1"),
            ("{{ block \"b\" . }}a: 1{{ end }}", "a: 1"),
            ("{{/* a }} comment */}}a: 1", "a: 1"),
            ("a: 1{{- /* trimmed */ -}}", "a: 1"),
            ("{{ $x := .a }}{{ $y = 2 }}a: 1", "a: 1"),
            (
                "{{ range $i, $e := .l }}a: {{ $e }}{{ end }}",
                "a: TEMPLATED",
            ),
            ("{{ break }}{{ continue }}a: 1", "a: 1"),
            // Value actions write a placeholder, `template` included (it writes the named
            // template), and so does a function whose name starts like a keyword.
            ("a: {{ template \"x\" . }}", "a: TEMPLATED"),
            ("a: {{ $x }}", "a: TEMPLATED"),
            ("a: {{ endpoint . }}", "a: TEMPLATED"),
            ("a: {{ .x | quote }}-{{ .y }}", "a: TEMPLATED-TEMPLATED"),
            // Lines of actions only, values included, write nothing.
            ("  {{- include \"x\" . | nindent 4 }}{{ .y }}", "  "),
        ];
        for (template, expected) in cases {
            assert_eq!(detemplate(template).text, expected, "{template}");
        }
        // Lines are kept, also for actions and comments spanning lines.
        assert_eq!(
            detemplate("a: 1\n{{/* two\nlines */}}\nb: {{ .x\n }}\nc: 3").text,
            "a: 1\n\n\nb: TEMPLATED\n\nc: 3"
        );
    }

    #[test]
    fn templated_nodes_keep_the_template_columns() {
        let text = "spec:\n  {{ if .timeZone }}timeZone: \"{{ .timeZone }}\"{{- end }}\n  suspend: {{ .s }}\n";
        let docs = parse_templated(text).unwrap();
        let (key, value) = docs[0].get("spec").unwrap().entry("timeZone").unwrap();
        assert_eq!((key.pos.line, key.pos.column), (2, 21));
        assert_eq!(value.as_str(), Some(TEMPLATE_PLACEHOLDER));
        assert_eq!((value.pos.line, value.pos.column), (2, 31));
        let suspend = docs[0].at(&["spec", "suspend"]).unwrap();
        assert_eq!((suspend.pos.line, suspend.pos.column), (3, 12));
    }

    #[test]
    fn a_template_that_stays_unreadable_reports_where_it_breaks() {
        let text = "{{- if .Values.enabled }}\na: 1\nb: {{ .v }}\n  c: [\n{{- end }}\n";
        let strict = parse_documents(text).unwrap_err();
        assert_eq!(strict.pos.map(|p| p.line), Some(1));
        let tolerant = parse_templated(text).unwrap_err();
        assert!(tolerant.pos.is_some_and(|p| p.line >= 3), "{tolerant:?}");
        assert!(!tolerant.message.contains(" at line "), "{tolerant:?}");
        // A column after an inline action maps back to the template.
        let mapped = detemplate("x: {{ if .a }}[1{{ end }}\n");
        assert_eq!(mapped.text, "x: [1\n");
        assert_eq!(mapped.original(Position::new(1, 5)), Position::new(1, 16));
        assert_eq!(mapped.original(Position::new(1, 2)), Position::new(1, 2));
    }

    #[test]
    fn detemplating_is_linear_on_hostile_input() {
        let many = "{{ .x }}".repeat(200_000);
        assert_eq!(detemplate(&many).text, "");
        let inline = format!("a: {}", "{{ .x }}".repeat(200_000));
        assert_eq!(detemplate(&inline).text.len(), 3 + 9 * 200_000);
        let comments = "{{/* unterminated }} ".repeat(100_000);
        assert!(detemplate(&comments).text.len() < comments.len());
        assert!(detemplate("a: {{ .x").text.starts_with("a: "));
    }

    #[test]
    fn pointer_and_nearest() {
        let doc = &parse_documents("a:\n  b:\n    - c: 1\n").unwrap()[0];
        assert_eq!(doc.pointer("/a/b/0/c").unwrap().pos.line, 3);
        assert_eq!(doc.nearest("/a/b/0/missing").pos.line, 3);
    }

    fn entry<'a>(doc: &'a Node, key: &str) -> (&'a Node, &'a Node) {
        doc.entry(key).expect("entry")
    }

    #[test]
    fn embedded_literal_block_keeps_lines_and_columns() {
        let text = "kind: ConfigMap\ndata:\n  rules.yaml: |\n    groups:\n    - name: g\n      rules:\n      - alert: A\n        expr: up == 0\n";
        let doc = &parse_documents(text).unwrap()[0];
        let (k, v) = entry(doc.get("data").unwrap(), "rules.yaml");
        let docs = parse_embedded(text, k, v).unwrap();
        let rule = &docs[0].at(&["groups"]).unwrap().as_seq()[0]
            .get("rules")
            .unwrap()
            .as_seq()[0];
        assert_eq!((rule.pos.line, rule.pos.column), (7, 9));
        assert_eq!(rule.get("alert").unwrap().pos.column, 16);
        assert_eq!(text.lines().nth(6).unwrap().find("alert"), Some(8));
    }

    #[test]
    fn embedded_block_with_leading_blank_lines() {
        let text = "data:\n  a: |\n\n    route:\n      receiver: x\n";
        let doc = &parse_documents(text).unwrap()[0];
        let (k, v) = entry(doc.get("data").unwrap(), "a");
        let docs = parse_embedded(text, k, v).unwrap();
        assert_eq!(docs[0].at(&["route", "receiver"]).unwrap().pos.line, 5);
    }

    #[test]
    fn embedded_quoted_string_maps_to_the_value() {
        let text = "data:\n  a: \"route:\\n  receiver: x\\n\"\n";
        let doc = &parse_documents(text).unwrap()[0];
        let (k, v) = entry(doc.get("data").unwrap(), "a");
        let docs = parse_embedded(text, k, v).unwrap();
        assert_eq!(docs[0].at(&["route", "receiver"]).unwrap().pos, v.pos);
    }

    #[test]
    fn embedded_errors_point_into_the_outer_file() {
        let text = "data:\n  a: |\n    route:\n      receiver: [x\n  b: \"route: [\"\n";
        let doc = &parse_documents(text).unwrap()[0];
        let (k, v) = entry(doc.get("data").unwrap(), "a");
        let err = parse_embedded(text, k, v).unwrap_err();
        assert!(err.pos.is_some_and(|p| p.line >= 3), "{err:?}");
        let (k, v) = entry(doc.get("data").unwrap(), "b");
        assert_eq!(parse_embedded(text, k, v).unwrap_err().pos, Some(v.pos));
    }
}
