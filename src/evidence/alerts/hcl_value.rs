//! Reading values out of Terraform (HCL) expressions, for the detectors of monitors,
//! alarms, alert policies and dashboards written in Terraform.
//!
//! Terraform computes most values at plan time. A detector can only use what is written:
//! a literal string, number or boolean is a value; a string template is read as written
//! (`"K8s | ${var.cluster} | Nodes"`), marked as not literal; any other expression
//! (`each.value.name`, `format(…)`, `var.x`) is unknown and leaves the field unset.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Element, Template};

use crate::diagnostic::Position;
use crate::parse::hcl::{Block, Body, LineIndex, offset_of};

/// Nesting deeper than this is not followed (hcl-edit bounds what it parses; this bounds
/// what we walk).
const MAX_DEPTH: usize = 64;

/// A text value and whether it was written literally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// `false` for a string template or heredoc with interpolations or directives.
    pub literal: bool,
}

/// A block's label.
pub fn label(block: &Block, i: usize) -> Option<&str> {
    block
        .labels
        .get(i)
        .map(|l| l.as_str())
        .filter(|s| !s.is_empty())
}

/// `resource "TYPE" "NAME" { … }` blocks of a file: (type, name, block). A resource
/// switched off literally (`count = 0`, `for_each = {}`) creates nothing and is left out;
/// one switched by an expression (`count = var.enabled ? 1 : 0`) cannot be told and stays.
pub fn resources(body: &Body) -> impl Iterator<Item = (&str, &str, &Block)> {
    body.blocks()
        .filter(|b| b.ident.as_str() == "resource")
        .filter(|b| !switched_off(&b.body))
        .filter_map(|b| Some((label(b, 0)?, label(b, 1)?, b)))
}

fn switched_off(body: &Body) -> bool {
    attr_number(body, "count") == Some(0.0)
        || match attr(body, "for_each") {
            Some(Expression::Object(o)) => o.is_empty(),
            Some(Expression::Array(a)) => a.is_empty(),
            _ => false,
        }
}

/// Where a block starts.
pub fn position(block: &Block, lines: &LineIndex) -> Option<Position> {
    offset_of(block).map(|o| lines.position(o))
}

/// The expression of an attribute.
pub fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// The text of an expression: a literal string, or a template or heredoc written back with
/// its interpolations (`${…}`); `None` for any other expression.
pub fn text(expr: &Expression) -> Option<Text> {
    match expr {
        Expression::String(s) => Some(Text {
            text: s.value().to_string(),
            literal: true,
        }),
        Expression::StringTemplate(t) => Some(render(t)),
        Expression::HeredocTemplate(h) => {
            let rendered = render(&h.template);
            Some(Text {
                text: if h.indent().is_some() {
                    dedent(&rendered.text)
                } else {
                    rendered.text
                },
                literal: rendered.literal,
            })
        }
        Expression::Parenthesis(p) => text(p.inner()),
        _ => None,
    }
}

fn render(template: &Template) -> Text {
    let mut out = String::new();
    let mut literal = true;
    for element in template.iter() {
        match element {
            Element::Literal(s) => out.push_str(s.value()),
            Element::Interpolation(i) => {
                literal = false;
                out.push_str("${");
                out.push_str(i.expr.to_string().trim());
                out.push('}');
            }
            Element::Directive(_) => {
                literal = false;
                out.push_str("%{…}");
            }
        }
    }
    Text { text: out, literal }
}

/// Removes the indentation common to all non-blank lines (`<<-EOT` heredocs).
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The trimmed, non-empty text of an attribute.
pub fn attr_text(body: &Body, key: &str) -> Option<Text> {
    attr(body, key)
        .and_then(text)
        .map(|t| Text {
            text: t.text.trim().to_string(),
            literal: t.literal,
        })
        .filter(|t| !t.text.is_empty())
}

/// A literal, non-empty string attribute.
pub fn literal(body: &Body, key: &str) -> Option<String> {
    attr_text(body, key).filter(|t| t.literal).map(|t| t.text)
}

/// A number written literally (also as a literal string, `"300"`).
pub fn number(expr: &Expression) -> Option<f64> {
    match expr {
        Expression::Number(n) => n.value().as_f64(),
        Expression::String(s) => s.value().trim().parse().ok(),
        Expression::Parenthesis(p) => number(p.inner()),
        _ => None,
    }
}

/// A numeric attribute written literally.
pub fn attr_number(body: &Body, key: &str) -> Option<f64> {
    attr(body, key).and_then(number)
}

/// A boolean written literally (also `"true"`).
pub fn attr_bool(body: &Body, key: &str) -> Option<bool> {
    match attr(body, key)? {
        Expression::Bool(b) => Some(*b.value()),
        Expression::String(s) => match s.value().trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// What a list of targets names, each as written: literal strings as they are
/// (`"arn:aws:sns:…"`), references as the resource they name
/// (`aws_sns_topic.alerts.arn` → `aws_sns_topic.alerts`). `None` when the list itself is an
/// expression (`var.channels`) and its content is unknown.
pub fn references(expr: &Expression) -> Option<Vec<String>> {
    let items: Vec<&Expression> = match expr {
        Expression::Array(a) => a.iter().collect(),
        Expression::Traversal(_) | Expression::String(_) | Expression::StringTemplate(_) => {
            vec![expr]
        }
        _ => return None,
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let name = match item {
            Expression::Traversal(t) => Some(resource_address(item, t)),
            other => text(other).map(|t| t.text.trim().to_string()),
        };
        match name {
            Some(n) if !n.is_empty() => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            // An element that is an expression of its own (a function call, a `for`).
            _ => return None,
        }
    }
    Some(out)
}

/// The address of what a traversal refers to: `TYPE.NAME` for a resource, `data.TYPE.NAME`
/// for a data source, the whole path for `var.`, `local.`, `module.`.
fn resource_address(expr: &Expression, t: &hcl_edit::expr::Traversal) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Expression::Variable(v) = &t.expr {
        parts.push(v.value().as_str().to_string());
    } else {
        return expr.to_string().trim().to_string();
    }
    for op in &t.operators {
        if let TraversalOperator::GetAttr(ident) = op.value() {
            parts.push(ident.value().as_str().to_string());
        }
    }
    let keep = match parts.first().map(String::as_str) {
        Some("data") => 3,
        Some("var" | "local" | "module" | "each" | "count") => parts.len(),
        _ => 2,
    };
    parts.truncate(keep);
    parts.join(".")
}

/// An attribute's list of targets (see [`references`]).
pub fn attr_references(body: &Body, key: &str) -> Option<Vec<String>> {
    attr(body, key).and_then(references)
}

/// The value of an expression as JSON, for `jsonencode({…})` bodies and literal JSON
/// strings: objects, arrays and literals are kept, anything computed becomes `null`.
pub fn to_json(expr: &Expression) -> serde_json::Value {
    to_json_at(expr, 0)
}

fn to_json_at(expr: &Expression, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return J::Null;
    }
    match expr {
        Expression::Null(_) => J::Null,
        Expression::Bool(b) => J::Bool(*b.value()),
        Expression::Number(n) => n
            .value()
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(J::Null, J::Number),
        Expression::Array(a) => J::Array(a.iter().map(|e| to_json_at(e, depth + 1)).collect()),
        Expression::Object(o) => J::Object(
            o.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().as_str().to_string(),
                        ObjectKey::Expression(e) => text(e)?.text,
                    };
                    Some((key, to_json_at(v.expr(), depth + 1)))
                })
                .collect(),
        ),
        Expression::Parenthesis(p) => to_json_at(p.inner(), depth + 1),
        other => text(other).map_or(J::Null, |t| J::String(t.text)),
    }
}

/// The JSON a dashboard-body attribute holds: `jsonencode({…})`, or a literal JSON string or
/// heredoc. `None` when it is computed (`file(…)`, `templatefile(…)`, a variable) or not
/// JSON.
pub fn json_body(expr: &Expression) -> Option<serde_json::Value> {
    match expr {
        Expression::FuncCall(call) if call.name.name.value().as_str() == "jsonencode" => {
            call.args.iter().next().map(to_json)
        }
        other => {
            let t = text(other)?;
            let trimmed = t.text.trim();
            if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
                return None;
            }
            super::dashboard::parse_json(trimmed)
        }
    }
}

/// The file a `file("…")` or `templatefile("…", …)` call reads, as written.
pub fn file_argument(expr: &Expression) -> Option<String> {
    match expr {
        Expression::FuncCall(call)
            if matches!(call.name.name.value().as_str(), "file" | "templatefile") =>
        {
            call.args.iter().next().and_then(text).map(|t| t.text)
        }
        _ => None,
    }
}

/// Whether the text of a Terraform file refers to the resource at `address`
/// (`google_monitoring_notification_channel.pager.name`, `…pager[0].id`).
pub fn refers_to(text: &str, address: &str) -> bool {
    text.match_indices(address).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + address.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '"')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

/// Whether a text depends on the instance of a `for_each` or `count` resource: one block
/// then stands for several objects, and such a value names none of them.
pub fn per_instance(text: &str) -> bool {
    text.contains("${each.") || text.contains("${count.")
}

/// The name of a resource: a literal, or a template read as written; the resource's label
/// when the name is an expression or differs per instance.
pub fn name_or_label(body: &Body, keys: &[&str], label: &str) -> (String, bool) {
    for key in keys {
        if let Some(t) = attr_text(body, key) {
            if t.literal {
                return (t.text, false);
            }
            if !per_instance(&t.text) {
                return (t.text, true);
            }
            return (label.to_string(), true);
        }
        if attr(body, key).is_some() {
            return (label.to_string(), true);
        }
    }
    (label.to_string(), false)
}

/// Bodies of the nested blocks of `body` named `ident` (see [`nested`]).
pub fn blocks<'a>(body: &'a Body, ident: &'a str) -> Vec<&'a Body> {
    nested(body, ident).into_iter().map(|b| &b.body).collect()
}

/// Nested blocks of `body` named `ident`, also as `dynamic "ident" { content { … } }`, in
/// the order written.
pub fn nested<'a>(body: &'a Body, ident: &'a str) -> Vec<&'a Block> {
    let mut out: Vec<&Block> = Vec::new();
    for block in body.blocks() {
        match block.ident.as_str() {
            i if i == ident => out.push(block),
            "dynamic" if label(block, 0) == Some(ident) => {
                out.extend(block.body.get_blocks("content"));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::hcl;

    fn body(text: &str) -> Body {
        hcl::parse(text).expect("valid HCL")
    }

    #[test]
    fn texts_literal_templates_and_expressions() {
        let b = body(
            "a = \"plain\"\nb = \"K8s | ${var.cluster} | Nodes\"\nc = each.value.name\nd = <<-EOT\n    first\n      second ${var.x}\n    EOT\ne = <<EOF\nraw\nEOF\n",
        );
        assert_eq!(
            attr_text(&b, "a"),
            Some(Text {
                text: "plain".into(),
                literal: true
            })
        );
        let t = attr_text(&b, "b").unwrap();
        assert_eq!(t.text, "K8s | ${var.cluster} | Nodes");
        assert!(!t.literal);
        assert_eq!(attr_text(&b, "c"), None);
        assert_eq!(attr_text(&b, "d").unwrap().text, "first\n  second ${var.x}");
        assert_eq!(literal(&b, "e").as_deref(), Some("raw"));
    }

    #[test]
    fn numbers_booleans_and_references() {
        let b = body(
            "n = 300\ns = \"60\"\nt = true\nr = [aws_sns_topic.alerts.arn, \"arn:aws:sns:eu-west-1:1:x\", data.x.y.z.id, google_monitoring_notification_channel.pd[0].name]\nv = var.channels\n",
        );
        assert_eq!(attr_number(&b, "n"), Some(300.0));
        assert_eq!(attr_number(&b, "s"), Some(60.0));
        assert_eq!(attr_bool(&b, "t"), Some(true));
        assert_eq!(
            attr_references(&b, "r").unwrap(),
            [
                "aws_sns_topic.alerts",
                "arn:aws:sns:eu-west-1:1:x",
                "data.x.y",
                "google_monitoring_notification_channel.pd"
            ]
        );
        assert_eq!(attr_references(&b, "v"), Some(vec!["var.channels".into()]));
        let b = body("v = concat(var.a, var.b)\n");
        assert_eq!(attr_references(&b, "v"), None);
    }

    #[test]
    fn names_fall_back_to_the_label() {
        let b = body("name = each.value.name\n");
        assert_eq!(
            name_or_label(&b, &["name"], "default"),
            ("default".into(), true)
        );
        let b = body("name = \"${each.value.domain} on ${each.value.cluster}\"\n");
        assert_eq!(
            name_or_label(&b, &["name"], "uptime"),
            ("uptime".into(), true)
        );
        let b = body("name = \"K8s | ${var.c}\"\n");
        assert_eq!(
            name_or_label(&b, &["name"], "x"),
            ("K8s | ${var.c}".into(), true)
        );
        let b = body("display_name = \"Up\"\n");
        assert_eq!(
            name_or_label(&b, &["name", "display_name"], "x"),
            ("Up".into(), false)
        );
    }

    #[test]
    fn json_bodies() {
        let b = body(
            "a = jsonencode({ widgets = [{ type = \"metric\" }, { type = \"text\", x = var.x }] })\nb = <<EOF\n{\"widgets\": [1, 2, 3]}\nEOF\nc = file(\"dash.json\")\n",
        );
        let a = json_body(attr(&b, "a").unwrap()).unwrap();
        assert_eq!(a["widgets"].as_array().unwrap().len(), 2);
        assert_eq!(a["widgets"][1]["x"], serde_json::Value::Null);
        let j = json_body(attr(&b, "b").unwrap()).unwrap();
        assert_eq!(j["widgets"].as_array().unwrap().len(), 3);
        assert_eq!(json_body(attr(&b, "c").unwrap()), None);
        assert_eq!(
            file_argument(attr(&b, "c").unwrap()).as_deref(),
            Some("dash.json")
        );
    }

    #[test]
    fn resources_switched_off_literally_are_left_out() {
        let b = body(
            "resource \"a\" \"off\" {\n  count = 0\n}\nresource \"a\" \"none\" {\n  for_each = {}\n}\nresource \"a\" \"maybe\" {\n  count = var.on ? 1 : 0\n}\nresource \"a\" \"on\" {}\n",
        );
        let names: Vec<&str> = resources(&b).map(|(_, n, _)| n).collect();
        assert_eq!(names, ["maybe", "on"]);
    }

    #[test]
    fn references_to_a_resource() {
        let text = "x = [google_monitoring_notification_channel.pd[0].id]\ny = aws_sns_topic.alerts_2.arn\n";
        assert!(refers_to(text, "google_monitoring_notification_channel.pd"));
        assert!(!refers_to(text, "aws_sns_topic.alerts"));
        assert!(refers_to(text, "aws_sns_topic.alerts_2"));
    }

    #[test]
    fn dynamic_blocks_count_as_blocks() {
        let b = body(
            "action { action_group_id = \"a\" }\ndynamic \"action\" {\n  for_each = var.x\n  content { action_group_id = action.value }\n}\n",
        );
        assert_eq!(blocks(&b, "action").len(), 2);
    }
}
