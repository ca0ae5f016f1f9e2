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

/// Parses a Helm/Go-templated YAML file tolerantly: template actions alone on their lines
/// are dropped, inline ones replaced by a placeholder, line numbers kept. What the template
/// would have generated is unknown, but the rules, resources and fields written literally
/// are read.
pub fn parse_templated(text: &str) -> Result<Vec<Node>, YamlError> {
    parse_documents(&detemplate(text))
}

/// Placeholder for an inline template action.
pub const TEMPLATE_PLACEHOLDER: &str = "TEMPLATED";

fn detemplate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = text[i..].find("{{") {
        let start = i + found;
        let end = text[start..]
            .find("}}")
            .map_or(text.len(), |e| start + e + 2);
        out.push_str(&text[i..start]);
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
        let alone =
            text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty();
        if !alone {
            out.push_str(TEMPLATE_PLACEHOLDER);
        }
        let newlines = text[start..end].matches('\n').count();
        out.extend(std::iter::repeat_n('\n', newlines));
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

fn to_error(err: serde_saphyr::Error) -> YamlError {
    let pos = err.location().and_then(|loc| {
        (loc.line() > 0).then(|| Position::new(loc.line() as u32, loc.column() as u32))
    });
    // serde-saphyr's Display may append a location suffix; keep only the first line so the
    // message reads well next to our own file:line.
    let text = err.to_string();
    let message = text
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string();
    YamlError { message, pos }
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
    fn pointer_and_nearest() {
        let doc = &parse_documents("a:\n  b:\n    - c: 1\n").unwrap()[0];
        assert_eq!(doc.pointer("/a/b/0/c").unwrap().pos.line, 3);
        assert_eq!(doc.nearest("/a/b/0/missing").pos.line, 3);
    }
}
