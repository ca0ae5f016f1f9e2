//! Reading values out of Terraform (HCL) configurations, for every detector that reads
//! `.tf` files: resources, their labels and positions, and the values of their attributes.
//!
//! Terraform computes most values at plan time. A detector can only use what is written:
//! a literal string, number or boolean is a value; a string template is read as written
//! (`"K8s | ${var.cluster} | Nodes"`), marked as not literal; any other expression
//! (`each.value.name`, `format(…)`, `var.x`) is unknown and reads as `None`.
//!
//! Where detectors read the same thing differently, both readings are here under their
//! own names, each saying how it differs: [`literal`] and [`quoted`] (heredocs),
//! [`attr_text`] and [`attr_text_as_parsed`] (indented heredocs), [`switched_off`] and
//! [`never_created`] (`count = "0"`), [`number`] and [`scalar`].

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};

use super::{Block, Body};

/// Nesting deeper than this is not followed (hcl-edit bounds what it parses; this bounds
/// what we walk).
const MAX_DEPTH: usize = 64;

// ---------------------------------------------------------------------------------------
// Blocks

/// A block's label `i` (`resource "TYPE" "NAME"`: 0 is the type, 1 the name); `None` when
/// missing or empty.
pub fn label(block: &Block, i: usize) -> Option<&str> {
    block
        .labels
        .get(i)
        .map(|l| l.as_str())
        .filter(|s| !s.is_empty())
}

/// `resource "TYPE" "NAME" { … }` blocks of a file that Terraform may create: (type, name,
/// block). A resource switched off literally (see [`switched_off`]) is left out; one
/// switched by an expression (`count = var.enabled ? 1 : 0`) cannot be told and stays.
pub fn resources(body: &Body) -> impl Iterator<Item = (&str, &str, &Block)> {
    typed_blocks(body, "resource")
}

/// Top-level `KIND "TYPE" "NAME"` blocks of one type (`resource`, or `data` for data
/// sources), with their names, in the order written; blocks switched off literally (see
/// [`switched_off`]) are left out.
pub fn blocks_of<'a>(
    body: &'a Body,
    kind: &'a str,
    type_: &'a str,
) -> impl Iterator<Item = (&'a str, &'a Block)> + 'a {
    typed_blocks(body, kind)
        .filter(move |(t, _, _)| *t == type_)
        .map(|(_, name, block)| (name, block))
}

fn typed_blocks<'a>(
    body: &'a Body,
    kind: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, &'a Block)> + 'a {
    body.blocks()
        .filter(move |b| b.ident.as_str() == kind)
        .filter(|b| !switched_off(&b.body))
        .filter_map(|b| Some((label(b, 0)?, label(b, 1)?, b)))
}

/// Whether a block creates nothing by what is written: `count = 0` (a number, also written
/// as a string `"0"` or in parentheses, as [`number`] reads it), `for_each = {}` or
/// `for_each = []`. Used by [`resources`] and [`blocks_of`].
pub fn switched_off(body: &Body) -> bool {
    not_created(body, number).is_some()
}

/// Why a `resource` or `module` block creates nothing, in words for a note: `count = 0`
/// written as a bare number, `for_each = {}` or `for_each = []`. Stricter than
/// [`switched_off`] about `count`: `count = "0"` and `count = (0)` are not read.
pub fn never_created(body: &Body) -> Option<&'static str> {
    not_created(body, |e| match e {
        Expression::Number(n) => n.value().as_f64(),
        _ => None,
    })
}

fn not_created(body: &Body, count: impl Fn(&Expression) -> Option<f64>) -> Option<&'static str> {
    if attr(body, "count").and_then(count) == Some(0.0) {
        return Some("count = 0");
    }
    match attr(body, "for_each")? {
        Expression::Object(o) if o.is_empty() => Some("for_each = {}"),
        Expression::Array(a) if a.is_empty() => Some("for_each = []"),
        _ => None,
    }
}

/// Nested blocks of `body` named `ident`, in the order written, also as
/// `dynamic "ident" { content { … } }` (its `content` block stands for the blocks it
/// generates). Terraform allows one `content` block in a `dynamic` block; a second one is
/// not read.
pub fn nested<'a>(body: &'a Body, ident: &'a str) -> Vec<&'a Block> {
    body.blocks()
        .filter_map(|block| match block.ident.as_str() {
            i if i == ident => Some(block),
            "dynamic" if label(block, 0) == Some(ident) => block.body.get_blocks("content").next(),
            _ => None,
        })
        .collect()
}

/// Bodies of the nested blocks of `body` named `ident` (see [`nested`]).
pub fn blocks<'a>(body: &'a Body, ident: &'a str) -> Vec<&'a Body> {
    nested(body, ident).into_iter().map(|b| &b.body).collect()
}

/// The body of the first nested block named `ident`, written out or dynamic.
pub fn first<'a>(body: &'a Body, ident: &'a str) -> Option<&'a Body> {
    nested(body, ident).into_iter().next().map(|b| &b.body)
}

// ---------------------------------------------------------------------------------------
// Attributes

/// The expression of an attribute.
pub fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// A text value and whether it was written literally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// `false` for a string template or heredoc with interpolations or directives.
    pub literal: bool,
}

/// The text of an expression: a literal string, or a template or heredoc written back with
/// its interpolations (`${…}`; directives as `%{…}`); `None` for any other expression.
/// An indented heredoc (`<<-EOT`) loses the indentation common to its non-blank lines, as
/// Terraform reads it. Not trimmed.
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

/// A template as written, with its interpolations in `${…}` and its directives (`%{ if }`,
/// `%{ for }`: what they produce is unknown) as `%{…}`.
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

/// Removes the indentation common to all non-blank lines (`<<-EOT` heredocs). hcl-edit
/// has dedented them already, but counts whitespace-only lines too.
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

/// The trimmed, non-empty text of an attribute (see [`text`]).
pub fn attr_text(body: &Body, key: &str) -> Option<Text> {
    attr(body, key)
        .and_then(text)
        .map(|t| Text {
            text: t.text.trim().to_string(),
            literal: t.literal,
        })
        .filter(|t| !t.text.is_empty())
}

/// The trimmed, non-empty text of a string, string template or heredoc (a query that
/// interpolates a variable is still that query), as [`text`] reads it except that an
/// indented heredoc keeps what hcl-edit's dedent leaves: a whitespace-only line
/// shallower than the others counts towards the common indentation. The reading of the
/// SLO detectors.
pub fn text_as_parsed(expr: &Expression) -> Option<String> {
    let text = match expr {
        Expression::String(s) => s.value().clone(),
        Expression::StringTemplate(t) => render(t).text,
        Expression::HeredocTemplate(h) => render(&h.template).text,
        Expression::Parenthesis(p) => return text_as_parsed(p.inner()),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The text of attribute `key` (see [`text_as_parsed`]).
pub fn attr_text_as_parsed(body: &Body, key: &str) -> Option<String> {
    attr(body, key).and_then(text_as_parsed)
}

/// A literal, non-empty string attribute, trimmed: a quoted string, or a heredoc or
/// parenthesised string without interpolations (see [`attr_text`]).
pub fn literal(body: &Body, key: &str) -> Option<String> {
    attr_text(body, key).filter(|t| t.literal).map(|t| t.text)
}

/// A string attribute written in plain quotes (not a heredoc, template or parenthesised),
/// trimmed; `None` when blank.
pub fn quoted(body: &Body, key: &str) -> Option<String> {
    quoted_as_written(body, key).map(|s| s.trim().to_string())
}

/// Like [`quoted`], but as written: surrounding blanks are kept.
pub fn quoted_as_written<'a>(body: &'a Body, key: &str) -> Option<&'a str> {
    attr(body, key)
        .and_then(Expression::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A number written literally (also as a literal string, `"300"`, or in parentheses).
pub fn number(expr: &Expression) -> Option<f64> {
    match expr {
        Expression::Number(n) => n.value().as_f64(),
        Expression::String(s) => s.value().trim().parse().ok(),
        Expression::Parenthesis(p) => number(p.inner()),
        _ => None,
    }
}

/// A numeric attribute written literally (see [`number`]).
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

/// A literal value as written, of whatever type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Number(f64),
    /// A quoted string, untrimmed (a string holding a number stays a string).
    String(&'a str),
    Bool(bool),
}

/// The literal value of an expression: a number (also negated, `-(1)`), a quoted string or
/// a boolean, also in parentheses; `None` for anything Terraform computes (a template
/// included).
pub fn scalar(expr: &Expression) -> Option<Scalar<'_>> {
    Some(match expr {
        Expression::Number(n) => Scalar::Number(n.as_f64()?),
        Expression::String(s) => Scalar::String(s.value()),
        Expression::Bool(b) => Scalar::Bool(*b.value()),
        Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => match &op.expr {
            Expression::Number(n) => Scalar::Number(-n.as_f64()?),
            _ => return None,
        },
        Expression::Parenthesis(p) => return scalar(p.inner()),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// References

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

/// Names of the resources of type `type_` that `text` refers to (`TYPE.NAME`:
/// `google_monitoring_slo.checkout.name`, `${datadog_service_level_objective.api[each.key].id}`),
/// in order, without repeats.
pub fn referenced_names(text: &str, type_: &str) -> Vec<String> {
    let needle = format!("{type_}.");
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + needle.len()..];
        // `xgoogle_monitoring_slo.` is another identifier.
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Whether a text depends on the instance of a `for_each` or `count` resource: one block
/// then stands for several objects, and such a value names none of them.
pub fn per_instance(text: &str) -> bool {
    text.contains("${each.") || text.contains("${count.")
}

/// The name of a resource from the first of `keys` it sets: a literal, or a template read
/// as written; the resource's label when the name is an expression or differs per
/// instance. The flag tells that the name is not literal.
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

// ---------------------------------------------------------------------------------------
// JSON

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

/// The JSON an attribute holds: `jsonencode({…})`, or a literal JSON string or heredoc
/// (an object or array). `None` when it is computed (`file(…)`, `templatefile(…)`, a
/// variable) or not JSON.
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
            serde_json::from_str(trimmed).ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::hcl;

    fn body(text: &str) -> Body {
        hcl::parse(text).expect("valid HCL")
    }

    #[test]
    fn labels() {
        let b = body("resource \"aws_instance\" \"web\" {}\nterraform {}\n");
        let blocks: Vec<&Block> = b.blocks().collect();
        assert_eq!(label(blocks[0], 0), Some("aws_instance"));
        assert_eq!(label(blocks[0], 1), Some("web"));
        assert_eq!(label(blocks[0], 2), None);
        assert_eq!(label(blocks[1], 0), None);
    }

    #[test]
    fn texts_literal_templates_and_expressions() {
        let b = body(
            "a = \"plain\"\nb = \"K8s | ${var.cluster} | Nodes\"\nc = each.value.name\nd = <<-EOT\n    first\n      second ${var.x}\n    EOT\ne = <<EOF\nraw\nEOF\nf = (\"in parentheses\")\ng = \"  \"\n",
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
        assert_eq!(literal(&b, "f").as_deref(), Some("in parentheses"));
        assert_eq!(literal(&b, "g"), None);
        // `quoted` reads plain quoted strings only.
        assert_eq!(quoted(&b, "a").as_deref(), Some("plain"));
        assert_eq!(quoted(&b, "e"), None);
        assert_eq!(quoted(&b, "f"), None);
        assert_eq!(quoted(&b, "g"), None);
    }

    #[test]
    fn quoted_strings_trimmed_or_as_written() {
        let b = body("a = \" Primary \"\n");
        assert_eq!(quoted(&b, "a").as_deref(), Some("Primary"));
        assert_eq!(quoted_as_written(&b, "a"), Some(" Primary "));
    }

    #[test]
    fn texts_as_parsed_keep_interpolations() {
        let b = body(
            "a = \"sum:hits{service:${var.service}}.as_count()\"\nb = <<EOF\nmetric.type=\"x\"\nEOF\nc = var.q\nd = \"plain\"\ne = \" \"\n",
        );
        assert_eq!(
            attr_text_as_parsed(&b, "a").as_deref(),
            Some("sum:hits{service:${var.service}}.as_count()")
        );
        assert_eq!(
            attr_text_as_parsed(&b, "b").as_deref(),
            Some("metric.type=\"x\"")
        );
        assert_eq!(attr_text_as_parsed(&b, "c"), None);
        assert_eq!(attr_text_as_parsed(&b, "d").as_deref(), Some("plain"));
        assert_eq!(attr_text_as_parsed(&b, "e"), None);
    }

    #[test]
    fn indented_heredocs_with_a_shallow_blank_line() {
        // hcl-edit counts the two-space blank line towards the common indentation;
        // `text` removes the indentation common to the lines with text.
        let b = body("a = <<-EOT\n    first\n  \n      second\n    EOT\n");
        assert_eq!(attr_text(&b, "a").unwrap().text, "first\n\n  second");
        assert_eq!(
            attr_text_as_parsed(&b, "a").as_deref(),
            Some("first\n\n    second")
        );
    }

    #[test]
    fn numbers_booleans_and_scalars() {
        let b = body(
            "n = 300\ns = \"60\"\nt = true\nf = \"false\"\np = (0.9)\nm = -1\nu = -(2)\nv = var.x\nq = \"99.5\"\n",
        );
        assert_eq!(attr_number(&b, "n"), Some(300.0));
        assert_eq!(attr_number(&b, "s"), Some(60.0));
        assert_eq!(attr_number(&b, "p"), Some(0.9));
        assert_eq!(attr_number(&b, "m"), Some(-1.0));
        assert_eq!(attr_number(&b, "v"), None);
        assert_eq!(attr_bool(&b, "t"), Some(true));
        assert_eq!(attr_bool(&b, "f"), Some(false));
        assert_eq!(attr_bool(&b, "n"), None);
        let get = |k| attr(&b, k).and_then(scalar);
        assert_eq!(get("n"), Some(Scalar::Number(300.0)));
        assert_eq!(get("q"), Some(Scalar::String("99.5")));
        assert_eq!(get("t"), Some(Scalar::Bool(true)));
        assert_eq!(get("p"), Some(Scalar::Number(0.9)));
        assert_eq!(get("m"), Some(Scalar::Number(-1.0)));
        assert_eq!(get("v"), None);
    }

    #[test]
    fn references_as_addresses() {
        let b = body(
            "r = [aws_sns_topic.alerts.arn, \"arn:aws:sns:eu-west-1:1:x\", data.x.y.z.id, google_monitoring_notification_channel.pd[0].name]\nv = var.channels\n",
        );
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
    fn references_in_text() {
        let text = "x = [google_monitoring_notification_channel.pd[0].id]\ny = aws_sns_topic.alerts_2.arn\n";
        assert!(refers_to(text, "google_monitoring_notification_channel.pd"));
        assert!(!refers_to(text, "aws_sns_topic.alerts"));
        assert!(refers_to(text, "aws_sns_topic.alerts_2"));
        let text = r#"select_slo_burn_rate("${google_monitoring_slo.checkout.name}", "1h") && google_monitoring_slo.api[0].id xgoogle_monitoring_slo.no google_monitoring_slo.checkout.id"#;
        assert_eq!(
            referenced_names(text, "google_monitoring_slo"),
            ["checkout", "api"]
        );
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
    fn blocks_switched_off_literally_are_left_out() {
        let b = body(
            "resource \"a\" \"off\" {\n  count = 0\n}\nresource \"a\" \"none\" {\n  for_each = {}\n}\nresource \"a\" \"maybe\" {\n  count = var.on ? 1 : 0\n}\nresource \"a\" \"on\" {}\nresource \"a\" \"text\" {\n  count = \"0\"\n}\nresource \"b\" \"other\" {}\ndata \"a\" \"d\" {}\ndata \"a\" \"d_off\" {\n  for_each = []\n}\n",
        );
        let names: Vec<&str> = resources(&b).map(|(_, n, _)| n).collect();
        assert_eq!(names, ["maybe", "on", "other"]);
        let of_a: Vec<&str> = blocks_of(&b, "resource", "a").map(|(n, _)| n).collect();
        assert_eq!(of_a, ["maybe", "on"]);
        let data: Vec<&str> = blocks_of(&b, "data", "a").map(|(n, _)| n).collect();
        assert_eq!(data, ["d"]);
        // `never_created` reads `count` only when written as a number, and says why.
        let reasons: Vec<Option<&str>> = b.blocks().map(|b| never_created(&b.body)).collect();
        assert_eq!(
            reasons,
            [
                Some("count = 0"),
                Some("for_each = {}"),
                None,
                None,
                None,
                None,
                None,
                Some("for_each = []"),
            ]
        );
    }

    #[test]
    fn dynamic_blocks_count_as_nested_blocks() {
        let b = body(
            "action { action_group_id = \"a\" }\ndynamic \"action\" {\n  for_each = var.x\n  content { action_group_id = action.value }\n}\ndynamic \"other\" {\n  content {}\n}\n",
        );
        assert_eq!(blocks(&b, "action").len(), 2);
        assert_eq!(nested(&b, "other").len(), 1);
        assert_eq!(
            first(&b, "action").and_then(|a| literal(a, "action_group_id")),
            Some("a".into())
        );
        assert!(first(&b, "missing").is_none());
    }
}
