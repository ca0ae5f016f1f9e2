//! What the Terraform SLO detectors (`google-monitoring-slo`, `datadog-slo`,
//! `newrelic-service-level`) share: reading literal values out of HCL, telling them from
//! expressions, and tying alerts to the SLO resources they refer to.
//!
//! A value Terraform computes (`var.goal`, `local.goal`, `each.value.target`, a
//! function call, a `dynamic` block's iterator) is not a number opready can read: the
//! field is left unset and nothing is reported, as for a Helm-templated value. Only a
//! literal that cannot be an objective is reported (`invalid-slo-objective`).
//!
//! Burn-rate alerts on an SLO resource live in other resources, often in another file of
//! the same module (folder): a Google Cloud Monitoring alert policy filtering on
//! `select_slo_burn_rate(google_monitoring_slo.x.name, …)`, a Datadog `slo alert` monitor
//! on `burn_rate(datadog_service_level_objective.x.id)`, a New Relic
//! `newrelic_service_level_alert_helper` of a burn type. Detectors record both sides;
//! [`link_alerts`] connects them once every file is read.

use hcl_edit::expr::{Expression, UnaryOperator};
use hcl_edit::template::{Element, Template};

use crate::diagnostic::Position;
use crate::evidence::Collector;
use crate::parse::hcl::{Block, Body, LineIndex, offset_of};
use crate::parse::yaml::{Node, Value};

/// A Terraform file being read: its path and line index, for positions.
pub(crate) struct TfFile<'a> {
    pub path: &'a str,
    pub lines: &'a LineIndex,
}

impl TfFile<'_> {
    pub fn pos(&self, item: &impl hcl_edit::Span) -> Option<Position> {
        offset_of(item).map(|o| self.lines.position(o))
    }

    /// The module (folder) the file belongs to: references resolve within it.
    pub fn module(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

pub(crate) fn label(block: &Block, i: usize) -> Option<&str> {
    block
        .labels
        .get(i)
        .map(|l| l.as_str())
        .filter(|s| !s.is_empty())
}

/// Top-level `resource "TYPE" "LABEL"` blocks of one type (`data` blocks with
/// `kind: "data"`), with their labels.
pub(crate) fn blocks_of<'b>(
    body: &'b Body,
    kind: &'b str,
    type_: &'b str,
) -> impl Iterator<Item = (&'b str, &'b Block)> + 'b {
    body.blocks()
        .filter(move |b| b.ident.as_str() == kind && label(b, 0) == Some(type_))
        .filter_map(|b| Some((label(b, 1)?, b)))
}

/// The bodies of the nested blocks named `ident`: written out, or the `content` of a
/// `dynamic "ident"` block (then `true`: its values are usually computed).
pub(crate) fn nested<'b>(body: &'b Body, ident: &'b str) -> Vec<(&'b Body, bool)> {
    body.blocks()
        .filter_map(|b| {
            if b.ident.as_str() == ident {
                Some((&b.body, false))
            } else if b.ident.as_str() == "dynamic" && label(b, 0) == Some(ident) {
                b.body.get_blocks("content").next().map(|c| (&c.body, true))
            } else {
                None
            }
        })
        .collect()
}

/// The first nested block named `ident`, written out or dynamic.
pub(crate) fn first<'b>(body: &'b Body, ident: &'b str) -> Option<&'b Body> {
    nested(body, ident).into_iter().next().map(|(b, _)| b)
}

/// A literal value as a YAML node at `pos`, so the objective checks shared with the YAML
/// formats apply; `None` for anything Terraform computes.
pub(crate) fn literal(expr: &Expression, pos: Position) -> Option<Node> {
    let value = match expr {
        Expression::Number(n) => Value::Float(n.as_f64()?),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => match &op.expr {
            Expression::Number(n) => Value::Float(-n.as_f64()?),
            _ => return None,
        },
        Expression::Parenthesis(p) => return literal(p.inner(), pos),
        _ => return None,
    };
    Some(Node { value, pos })
}

/// The literal value of attribute `key`, as a node at the attribute's value.
pub(crate) fn attribute(body: &Body, key: &str, file: &TfFile) -> Option<Node> {
    let attr = body.get_attribute(key)?;
    let pos = file
        .pos(&attr.value)
        .or_else(|| file.pos(attr))
        .unwrap_or(Position::new(1, 1));
    literal(&attr.value, pos)
}

/// A literal, non-empty string attribute.
pub(crate) fn string(body: &Body, key: &str) -> Option<String> {
    body.get_attribute(key)
        .and_then(|a| a.value.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The text of a string, string template or heredoc (a query or filter that interpolates
/// a variable is still that query); `None` for other expressions.
pub(crate) fn text(expr: &Expression) -> Option<String> {
    let text = match expr {
        Expression::String(s) => s.value().clone(),
        Expression::StringTemplate(t) => template_text(t),
        Expression::HeredocTemplate(h) => template_text(&h.template),
        Expression::Parenthesis(p) => return text(p.inner()),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A template as written, with its interpolations in `${…}`.
fn template_text(template: &Template) -> String {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(literal) => out.push_str(literal.value()),
            Element::Interpolation(i) => {
                out.push_str("${");
                out.push_str(i.expr.to_string().trim());
                out.push('}');
            }
            // `%{ if }` / `%{ for }` directives: what they produce is unknown.
            Element::Directive(_) => out.push_str("%{…}"),
        }
    }
    out
}

/// The text of attribute `key` (see [`text`]).
pub(crate) fn attribute_text(body: &Body, key: &str) -> Option<String> {
    body.get_attribute(key).and_then(|a| text(&a.value))
}

/// Labels of the `TYPE.LABEL` references in `text` (`google_monitoring_slo.checkout.name`,
/// `${datadog_service_level_objective.api[each.key].id}`), in order, without repeats.
pub(crate) fn references(text: &str, type_: &str) -> Vec<String> {
    let needle = format!("{type_}.");
    let mut labels: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + needle.len()..];
        // `xgoogle_monitoring_slo.` is another identifier.
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let label: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !label.is_empty() && !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
}

/// An SLO resource and the burn-rate alerts that refer to it, recorded during detection.
#[derive(Debug, Default)]
pub(crate) struct Links {
    /// SLO resources: module folder, address (`TYPE.LABEL`), and the SLO's path and line.
    slos: Vec<(String, String, String, Option<u32>)>,
    /// Burn-rate alerts: module folder, the address they refer to, and how, in words.
    alerts: Vec<(String, String, String)>,
}

/// Records that the SLO just pushed (at `path`, `line`) is the resource `TYPE.LABEL`.
pub(crate) fn record_slo(out: &mut Collector, file: &TfFile, address: String, line: Option<u32>) {
    out.slo_links.terraform.slos.push((
        file.module().to_string(),
        address,
        file.path.to_string(),
        line,
    ));
}

/// Records a burn-rate alert on the resource `address` of the file's module.
pub(crate) fn record_alert(out: &mut Collector, file: &TfFile, address: String, via: String) {
    out.slo_links
        .terraform
        .alerts
        .push((file.module().to_string(), address, via));
}

/// Marks Terraform SLOs with a burn-rate alert of their module as alerted on.
pub(crate) fn link_alerts(out: &mut Collector) {
    let links = std::mem::take(&mut out.slo_links.terraform);
    for (module, address, via) in &links.alerts {
        for (_, _, path, line) in links
            .slos
            .iter()
            .filter(|(m, a, _, _)| m == module && a == address)
        {
            if let Some(slo) = out
                .evidence
                .slos
                .iter_mut()
                .find(|s| &s.source.path == path && s.source.line == *line)
                && !slo.burn_rate_alerting
            {
                slo.burn_rate_alerting = true;
                slo.burn_rate_alerting_via = Some(via.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::hcl;

    fn attr(text: &str) -> (Body, LineIndex) {
        (hcl::parse(text).unwrap(), LineIndex::new(text))
    }

    #[test]
    fn literals_are_read_expressions_are_not() {
        let text = "a = 0.999\nb = \"99.5\"\nc = var.goal\nd = each.value.target\ne = -1\nf = local.x == null ? 1 : 2\ng = (0.9)\nh = \"${var.x}\"\n";
        let (body, lines) = attr(text);
        let file = TfFile {
            path: "main.tf",
            lines: &lines,
        };
        let get = |k| attribute(&body, k, &file).and_then(|n| n.as_f64());
        assert_eq!(get("a"), Some(0.999));
        assert_eq!(get("b"), Some(99.5));
        assert_eq!(get("c"), None);
        assert_eq!(get("d"), None);
        assert_eq!(get("e"), Some(-1.0));
        assert_eq!(get("f"), None);
        assert_eq!(get("g"), Some(0.9));
        assert_eq!(get("h"), None);
        assert_eq!(attribute(&body, "a", &file).unwrap().pos.line, 1);
        assert_eq!(
            attribute(&body, "b", &file).unwrap().pos,
            Position::new(2, 5)
        );
    }

    #[test]
    fn texts_keep_interpolations() {
        let text = "a = \"sum:hits{service:${var.service}}.as_count()\"\nb = <<EOF\nmetric.type=\"x\"\nEOF\nc = var.q\nd = \"plain\"\n";
        let (body, _) = attr(text);
        assert_eq!(
            attribute_text(&body, "a").as_deref(),
            Some("sum:hits{service:${var.service}}.as_count()")
        );
        assert_eq!(
            attribute_text(&body, "b").as_deref(),
            Some("metric.type=\"x\"")
        );
        assert_eq!(attribute_text(&body, "c"), None);
        assert_eq!(attribute_text(&body, "d").as_deref(), Some("plain"));
    }

    #[test]
    fn references_name_resource_labels() {
        let text = r#"select_slo_burn_rate("${google_monitoring_slo.checkout.name}", "1h") && google_monitoring_slo.api[0].id xgoogle_monitoring_slo.no google_monitoring_slo.checkout.id"#;
        assert_eq!(
            references(text, "google_monitoring_slo"),
            ["checkout", "api"]
        );
    }

    #[test]
    fn dynamic_blocks_are_nested_blocks_too() {
        let text = "thresholds {\n  target = 99\n}\ndynamic \"thresholds\" {\n  for_each = var.t\n  content {\n    target = thresholds.value.target\n  }\n}\ndynamic \"other\" {\n  content {}\n}\n";
        let (body, _) = attr(text);
        let found: Vec<bool> = nested(&body, "thresholds")
            .iter()
            .map(|(_, d)| *d)
            .collect();
        assert_eq!(found, [false, true]);
    }
}
