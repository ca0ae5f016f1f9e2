//! What the Terraform SLO detectors (`google-monitoring-slo`, `datadog-slo`,
//! `newrelic-service-level`) share: literal values as YAML nodes for the objective checks
//! (the values themselves are read with [`crate::parse::hcl::value`]), and tying alerts to
//! the SLO resources they refer to.
//!
//! Resources and data sources switched off literally (`count = 0`, `for_each = {}`) create
//! nothing: they are not read (see [`crate::parse::hcl::value::blocks_of`]).
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

use crate::diagnostic::Position;
use crate::evidence::{Collector, Slo, TerraformFile};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{Scalar, scalar};
use crate::parse::yaml::{Node, Value};

/// The literal value of attribute `key` (see [`scalar`]) as a YAML node at the attribute's
/// value, so the objective checks shared with the YAML formats apply; `None` for anything
/// Terraform computes.
pub(crate) fn attribute(body: &Body, key: &str, file: &TerraformFile) -> Option<Node> {
    let attr = body.get_attribute(key)?;
    let pos = file
        .pos(&attr.value)
        .or_else(|| file.pos(attr))
        .unwrap_or(Position::new(1, 1));
    let value = match scalar(&attr.value)? {
        Scalar::Number(n) => Value::Float(n),
        Scalar::String(s) => Value::String(s.to_string()),
        Scalar::Bool(b) => Value::Bool(b),
    };
    Some(Node { value, pos })
}

/// An SLO resource and the burn-rate alerts that refer to it, recorded during detection.
#[derive(Debug, Default)]
pub(crate) struct Links {
    /// SLO resources: module folder, address (`TYPE.LABEL`), and the SLO's path and line.
    slos: Vec<(String, String, String, Option<u32>)>,
    /// Burn-rate alerts: module folder, the address they refer to, and how, in words.
    alerts: Vec<(String, String, String)>,
}

/// Pushes `slo`, read from the resource `address` (`TYPE.LABEL`) of `file`, and records it
/// for [`link_alerts`].
pub(crate) fn push_slo(out: &mut Collector, file: &TerraformFile, address: String, slo: Slo) {
    out.slo_links.terraform.slos.push((
        file.module().to_string(),
        address,
        file.path.to_string(),
        slo.source.line,
    ));
    out.evidence.slos.push(slo);
}

/// Records a burn-rate alert on the resource `address` of the file's module.
pub(crate) fn record_alert(
    out: &mut Collector,
    file: &TerraformFile,
    address: String,
    via: String,
) {
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
    use crate::parse::hcl::{self, LineIndex};

    fn attr(text: &str) -> (Body, LineIndex) {
        (hcl::parse(text).unwrap(), LineIndex::new(text))
    }

    #[test]
    fn literals_are_read_expressions_are_not() {
        let text = "a = 0.999\nb = \"99.5\"\nc = var.goal\nd = each.value.target\ne = -1\nf = local.x == null ? 1 : 2\ng = (0.9)\nh = \"${var.x}\"\n";
        let (body, lines) = attr(text);
        let file = TerraformFile {
            path: "main.tf",
            text,
            body: &body,
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
    fn slos_and_alerts_switched_off_literally_are_not_read() {
        use crate::evidence::slo::datadog_slo::DatadogSlo;
        use crate::evidence::slo::google_monitoring_slo::GoogleMonitoringSlo;
        use crate::evidence::slo::newrelic_service_level::NewRelicServiceLevel;
        let text = r#"resource "google_monitoring_slo" "off" {
  count        = 0
  display_name = "Off"
  goal         = 0.99
}

resource "google_monitoring_slo" "on" {
  count        = var.enabled ? 1 : 0
  display_name = "On"
  goal         = 0.99
}

resource "datadog_service_level_objective" "none" {
  for_each = {}
  name     = "None"
  type     = "metric"
}

resource "newrelic_service_level" "empty" {
  for_each = []
  name     = "Empty"
}

resource "newrelic_service_level" "kept" {
  name = "Kept"
}

data "newrelic_service_level_alert_helper" "fast" {
  count      = 0
  alert_type = "fast_burn"
  sli_guid   = newrelic_service_level.kept.sli_guid
}
"#;
        let d = crate::evidence::testing::detect_files_with(
            &[("slo/main.tf", text)],
            &[&GoogleMonitoringSlo, &DatadogSlo, &NewRelicServiceLevel],
        );
        let names: Vec<(&str, bool)> = d
            .evidence
            .slos
            .iter()
            .map(|s| (s.name.as_str(), s.burn_rate_alerting))
            .collect();
        assert_eq!(names, [("On", false), ("Kept", false)]);
    }
}
