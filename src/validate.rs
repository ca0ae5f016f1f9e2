//! JSON Schema validation of YAML documents, with errors mapped back to lines, and plain
//! English for schema errors (used for policy and config files, and for criterion
//! findings).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::diagnostic::Position;
use crate::parse::yaml::Node;

/// One way a document does not match its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer of the offending value, e.g. `/criteria/2/level`.
    pub pointer: String,
    pub message: String,
    pub pos: Option<Position>,
}

/// Compiles a JSON Schema, explaining why it is not one.
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

/// Validates a YAML document against a compiled schema.
pub fn validate_node(node: &Node, validator: &jsonschema::Validator) -> Vec<Violation> {
    let json = node.to_json();
    let mut out: Vec<Violation> = validator
        .iter_errors(&json)
        .map(|err| {
            let pointer = err.instance_path().as_str().to_string();
            let mut pos = node.nearest(&pointer).pos;
            // Point at the unexpected key itself, not at its parent map.
            if let ValidationErrorKind::AdditionalProperties { unexpected } = err.kind()
                && let Some(first) = unexpected.first()
                && let Some((key, _)) = node.nearest(&pointer).entry(first)
            {
                pos = key.pos;
            }
            Violation {
                message: describe(&err, &pointer),
                pointer,
                pos: Some(pos),
            }
        })
        .collect();
    out.sort_by(|a, b| a.pos.cmp(&b.pos).then(a.message.cmp(&b.message)));
    out.dedup();
    out
}

/// A field path for messages: `/annotations/runbook_url` → `annotations.runbook_url`.
pub fn field_name(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A schema error in the words of the schema's author when the failing schema, or one
/// enclosing it, has a `message` (a keyword of opready's packs, ignored by JSON Schema
/// itself): `debounced: {const: true, message: "fires on a single evaluation: …"}`.
/// `{field}` in a message is replaced by that top-level field of `item` (the value that
/// was validated), e.g. `was due on {review_due}`. Otherwise [`describe`]'s plain words.
pub fn describe_in(err: &jsonschema::ValidationError, schema: &Value, item: &Value) -> String {
    match custom_message(err, schema) {
        Some(message) => fill(&message, item),
        None => describe(err, err.instance_path().as_str()),
    }
}

/// `{name}` → the item's `name` field (strings as they are, other values as JSON); an
/// unknown or missing field is left as written.
fn fill(message: &str, item: &Value) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = item.get(name).filter(|v| !v.is_null())?;
            Some((close, value))
        });
        match value {
            Some((close, value)) => {
                match value.as_str() {
                    Some(text) => out.push_str(text),
                    None => out.push_str(&value.to_string()),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `message` of the deepest schema on the error's schema path that has one, up to
/// (not including) the root: a root message would hide which field failed.
fn custom_message(err: &jsonschema::ValidationError, schema: &Value) -> Option<String> {
    let path = err.schema_path().as_str();
    let mut end = path.len();
    while let Some(cut) = path[..end].rfind('/') {
        if cut == 0 {
            break;
        }
        let prefix = &path[..cut];
        if let Some(message) = schema
            .pointer(prefix)
            .and_then(|s| s.get("message"))
            .and_then(Value::as_str)
        {
            return Some(message.to_string());
        }
        end = cut;
    }
    None
}

/// A schema error in plain words, naming the field.
pub fn describe(err: &jsonschema::ValidationError, pointer: &str) -> String {
    let field = field_name(pointer);
    let subject = if field.is_empty() {
        "the item".to_string()
    } else {
        format!("`{field}`")
    };
    let instance = err.instance();
    // A `*_problem` field already says in words what is wrong: a policy that forbids it
    // gets that sentence, whole, not a schema error about a string.
    if field.ends_with("_problem")
        && let Some(problem) = instance.as_str()
    {
        return problem.to_string();
    }
    let shown = short(instance);
    match err.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            if field.is_empty() {
                format!("`{name}` is missing")
            } else {
                format!("`{field}.{name}` is missing")
            }
        }
        ValidationErrorKind::Type { kind } if instance.is_null() => {
            let _ = kind;
            format!("{subject} is missing")
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!(
                "{subject} is {shown}, but should be {}",
                with_article(&expected)
            )
        }
        ValidationErrorKind::Constant { expected_value } => {
            if instance.is_null() {
                format!("{subject} is missing (expected {})", short(expected_value))
            } else {
                format!("{subject} is {shown}, expected {}", short(expected_value))
            }
        }
        ValidationErrorKind::Enum { options } => {
            let options = match options.as_ref() {
                Value::Array(items) => items.iter().map(short).collect::<Vec<_>>().join(", "),
                other => short(other),
            };
            if instance.is_null() {
                format!("{subject} is missing (expected one of {options})")
            } else {
                format!("{subject} is {shown}, expected one of {options}")
            }
        }
        ValidationErrorKind::Contains => {
            format!("{subject} ({shown}) has no matching entry")
        }
        ValidationErrorKind::MinItems { limit } => match array_len(instance) {
            0 if instance.is_array() => format!("{subject} is empty; at least {limit} needed"),
            0 => format!("{subject} is missing; at least {limit} needed"),
            n => format!("{subject} has {n}, at least {limit} needed"),
        },
        ValidationErrorKind::MaxItems { limit } => {
            format!(
                "{subject} has {} item(s), at most {limit} allowed",
                array_len(instance)
            )
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{subject} is {shown}, below the minimum of {limit}")
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{subject} is {shown}, above the maximum of {limit}")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("{subject} is shorter than {limit} characters")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{subject} ({shown}) does not match `{pattern}`")
        }
        ValidationErrorKind::Not { schema } => {
            format!(
                "{subject} is {shown}, which is not allowed (must not match {})",
                short(schema)
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names = unexpected
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let place = if field.is_empty() {
                String::new()
            } else {
                format!(" in `{field}`")
            };
            format!("unknown field {names}{place}")
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            format!("{subject} matches none of the allowed forms")
        }
        _ => {
            let text = err.to_string();
            if field.is_empty() {
                text
            } else {
                format!("`{field}`: {text}")
            }
        }
    }
}

fn with_article(t: &str) -> String {
    match t.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

fn array_len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// A value shortened for messages.
pub fn short(v: &Value) -> String {
    let text = match v {
        Value::Null => "missing".to_string(),
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_documents;
    use serde_json::json;

    fn messages(schema: Value, instance: Value) -> Vec<String> {
        let v = compile(&schema).unwrap();
        v.iter_errors(&instance)
            .map(|e| describe_in(&e, &schema, &instance))
            .collect()
    }

    #[test]
    fn a_message_in_the_schema_says_it_in_the_authors_words() {
        let schema = json!({
            "required": ["summary"],
            "properties": {
                "debounced": {"const": true, "message": "pages on a single evaluation"},
                "sections": {
                    "message": "the template lacks a section",
                    "properties": {"impact": {"const": true}}
                }
            }
        });
        assert_eq!(
            messages(schema.clone(), json!({"summary": "s", "debounced": false})),
            ["pages on a single evaluation"]
        );
        // The nearest enclosing message counts; a failure elsewhere keeps plain words.
        assert_eq!(
            messages(schema.clone(), json!({"sections": {"impact": false}})),
            ["`summary` is missing", "the template lacks a section"]
        );
        let due =
            json!({"properties": {"overdue": {"const": false, "message": "was due {due} {x}"}}});
        assert_eq!(
            messages(due.clone(), json!({"overdue": true, "due": "2025-01-01"})),
            ["was due 2025-01-01 {x}"]
        );
        assert_eq!(
            messages(due, json!({"overdue": true, "due": null})),
            ["was due {due} {x}"]
        );
    }

    #[test]
    fn messages_name_the_field_in_plain_words() {
        assert_eq!(
            messages(json!({"required": ["runbook_url"]}), json!({})),
            ["`runbook_url` is missing"]
        );
        assert_eq!(
            messages(
                json!({"properties": {"objective": {"type": "number"}}}),
                json!({"objective": null})
            ),
            ["`objective` is missing"]
        );
        assert_eq!(
            messages(
                json!({"properties": {"runbook_resolves": {"const": true}}}),
                json!({"runbook_resolves": false})
            ),
            ["`runbook_resolves` is false, expected true"]
        );
        assert_eq!(
            messages(
                json!({"properties": {"sections": {"properties": {"impact": {"const": true}}}}}),
                json!({"sections": {"impact": false}})
            ),
            ["`sections.impact` is false, expected true"]
        );
        assert_eq!(
            messages(
                json!({"properties": {"kinds": {"contains": {"const": "test"}}}}),
                json!({"kinds": ["lint"]})
            ),
            ["`kinds` ([\"lint\"]) has no matching entry"]
        );
        let owners = json!({"properties": {"owners": {"minItems": 2}}});
        assert_eq!(
            messages(owners.clone(), json!({"owners": []})),
            ["`owners` is empty; at least 2 needed"]
        );
        assert_eq!(
            messages(owners, json!({"owners": ["@a"]})),
            ["`owners` has 1, at least 2 needed"]
        );
    }

    #[test]
    fn a_forbidden_problem_field_reads_as_its_own_sentence() {
        let long =
            "routes to receiver `team-x`, which is not defined in alertmanager.yaml (routes: 3)";
        assert_eq!(
            messages(
                json!({"properties": {"route_problem": {"not": {"type": "string"}}}}),
                json!({"route_problem": long})
            ),
            [long]
        );
    }

    #[test]
    fn violations_point_at_lines_and_unknown_keys() {
        let doc = &parse_documents("id: x\nlevle: 2\nlist:\n  - a: 1\n").unwrap()[0];
        let schema = json!({
            "type": "object",
            "properties": {"id": {"type": "string"}, "list": {"items": {"properties": {"a": {"type": "string"}}}}},
            "additionalProperties": false
        });
        let v = validate_node(doc, &compile(&schema).unwrap());
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].pos.unwrap().line, 2);
        assert!(v[0].message.contains("unknown field `levle`"), "{v:?}");
        assert_eq!(v[1].pos.unwrap().line, 4);
        assert_eq!(v[1].message, "`list.0.a` is 1, but should be a string");
    }
}
