//! Datadog SLOs defined in Terraform: `resource "datadog_service_level_objective"`.
//!
//! ## What it recognises
//! One SLO per resource, named by `name` (the resource label when it is computed), with
//! `description` and the service of a `service:NAME` tag. Each `thresholds` block (or
//! the top-level `target_threshold` and `timeframe`) states a target, a percentage, over
//! a rolling `timeframe` (`7d`, `30d`, `90d`); the SLO's objective is the strictest target
//! and its window that target's timeframe. The indicator follows `type`:
//! - `metric` → `ratio`, the `query` block's `numerator` and `denominator` as queries;
//! - `monitor` → `reference` (the SLO is the uptime of monitors defined elsewhere); its
//!   `monitor_ids` are listed as the SLO's alerts (`datadog_monitor.LABEL` for a reference);
//! - `time_slice` → `threshold`, the queries of `sli_specification`.
//!
//! Computed values (`each.value.name`, a `dynamic "thresholds"` block fed from a
//! variable) are left unset without a diagnostic. A resource switched off literally
//! (`count = 0`, `for_each = {}`) is not read.
//!
//! ## Alerting
//! A `datadog_monitor` of `type = "slo alert"` in the same module whose query is a
//! `burn_rate(…)` of `datadog_service_level_objective.LABEL` alerts on the SLO's burn rate
//! (an `error_budget(…)` alert is not a burn-rate alert).

use crate::evidence::slo::terraform::{attribute, push_slo, record_alert};
use crate::evidence::slo::{ObjectiveField, Scale, new_slo, objective_of, sli_spec};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, SliSpec, Source, TerraformFile};
use crate::parse::hcl::value::{
    attr_text_as_parsed, blocks, blocks_of, first, quoted, referenced_names, text_as_parsed,
};
use crate::parse::hcl::{Block, Body};
use hcl_edit::expr::Expression;

pub struct DatadogSlo;

const FORMAT: &str = "datadog-slo";
const RESOURCE: &str = "datadog_service_level_objective";

impl Detector for DatadogSlo {
    fn id(&self) -> &'static str {
        "datadog-slo"
    }

    fn summary(&self) -> &'static str {
        "Datadog SLOs in Terraform (`datadog_service_level_objective`), with `slo alert` monitors on their burn rate"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| text.contains(RESOURCE)) else {
            return;
        };
        let body = tf.body;
        for (label, block) in blocks_of(body, "resource", RESOURCE) {
            read_slo(label, block, &tf, out);
        }
        for (label, block) in blocks_of(body, "resource", "datadog_monitor") {
            let is_slo_alert = quoted(&block.body, "type").as_deref() == Some("slo alert");
            let Some(query) = attr_text_as_parsed(&block.body, "query") else {
                continue;
            };
            if !is_slo_alert || !query.contains("burn_rate(") {
                continue;
            }
            let name = quoted(&block.body, "name").unwrap_or_else(|| label.to_string());
            for slo in referenced_names(&query, RESOURCE) {
                record_alert(
                    out,
                    &tf,
                    format!("{RESOURCE}.{slo}"),
                    format!("Datadog burn-rate SLO alert `{name}`"),
                );
            }
        }
    }
}

fn read_slo(label: &str, block: &Block, tf: &TerraformFile, out: &mut Collector) {
    let body = &block.body;
    let name = quoted(body, "name").unwrap_or_else(|| label.to_string());
    let mut slo = new_slo(name, FORMAT, Source::new(tf.path, tf.pos(block)));
    slo.description = quoted(body, "description");
    slo.service = service_tag(body);

    // (objective, timeframe) of every threshold, top-level fields first.
    let mut targets: Vec<(f64, Option<String>)> = Vec::new();
    let mut read_target = |body: &Body, field: &str, slo_name: &str, out: &mut Collector| {
        let at = ObjectiveField {
            slo: slo_name,
            field,
            format: "Datadog",
            scale: Scale::Percent,
            path: tf.path,
        };
        if let Some(objective) = objective_of(attribute(body, field, tf).as_ref(), &at, out) {
            targets.push((objective, quoted(body, "timeframe")));
        }
    };
    read_target(body, "target_threshold", &slo.name, out);
    for threshold in blocks(body, "thresholds") {
        read_target(threshold, "target", &slo.name, out);
    }
    slo.objectives = targets.iter().map(|(o, _)| *o).collect();
    if let Some((objective, timeframe)) = targets
        .iter()
        .reduce(|best, t| if t.0 > best.0 { t } else { best })
    {
        slo.objective = Some(*objective);
        slo.window = timeframe.clone().filter(|t| t != "custom");
        slo.rolling = slo.window.as_ref().map(|_| true);
    }
    let type_ = quoted(body, "type").or_else(|| {
        // A computed type: the blocks it needs tell it.
        if first(body, "query").is_some() {
            Some("metric".into())
        } else if body.get_attribute("monitor_ids").is_some() {
            Some("monitor".into())
        } else if first(body, "sli_specification").is_some() {
            Some("time_slice".into())
        } else {
            None
        }
    });
    let (sli, budgeting) = match type_.as_deref() {
        Some("metric") => (Some(metric_sli(body)), Some("occurrences")),
        Some("monitor") => (
            Some(sli_spec("reference", Vec::new(), Some("datadog".into()))),
            Some("timeslices"),
        ),
        Some("time_slice") => (Some(time_slice_sli(body)), Some("timeslices")),
        _ => (None, None),
    };
    slo.sli = sli;
    slo.budgeting_method = budgeting.map(str::to_string);
    slo.alert_policies = monitor_ids(body);
    push_slo(out, tf, format!("{RESOURCE}.{label}"), slo);
}

/// The `service:NAME` tag of a literal tag list.
fn service_tag(body: &Body) -> Option<String> {
    let tags = body.get_attribute("tags")?.value.as_array()?;
    tags.iter()
        .filter_map(|t| t.as_str())
        .find_map(|t| t.trim().strip_prefix("service:").map(str::to_string))
        .filter(|s| !s.is_empty())
}

fn metric_sli(body: &Body) -> SliSpec {
    let mut queries = Vec::new();
    if let Some(query) = first(body, "query") {
        for key in ["numerator", "denominator"] {
            queries.extend(attr_text_as_parsed(query, key));
        }
    }
    sli_spec("ratio", queries, Some("datadog".into()))
}

fn time_slice_sli(body: &Body) -> SliSpec {
    let mut queries = Vec::new();
    if let Some(spec) = first(body, "sli_specification") {
        nested_queries(spec, &mut queries);
    }
    sli_spec("threshold", queries, Some("datadog".into()))
}

/// Every `query` and `formula_expression` text under `body`, in the order written.
fn nested_queries(body: &Body, out: &mut Vec<String>) {
    for attr in body.attributes() {
        if matches!(attr.key.as_str(), "query" | "formula_expression")
            && let Some(query) = text_as_parsed(&attr.value)
        {
            out.push(query);
        }
    }
    for block in body.blocks() {
        nested_queries(&block.body, out);
    }
}

/// `monitor_ids` written as a list: ids as written, references as `datadog_monitor.LABEL`.
fn monitor_ids(body: &Body) -> Vec<String> {
    let Some(ids) = body
        .get_attribute("monitor_ids")
        .and_then(|a| a.value.as_array())
    else {
        return Vec::new();
    };
    ids.iter()
        .filter_map(|id| match id {
            Expression::Number(n) => Some(n.to_string()),
            Expression::String(s) => Some(s.value().trim().to_string()),
            Expression::Traversal(_) => {
                let written = id.to_string();
                referenced_names(&written, "datadog_monitor")
                    .into_iter()
                    .next()
                    .map(|label| format!("datadog_monitor.{label}"))
            }
            _ => None,
        })
        .filter(|id| !id.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{run, run_fixture, slo_rows};

    const SLO: &str = r#"resource "datadog_service_level_objective" "checkout_availability" {
  name        = "Checkout availability"
  type        = "metric"
  description = "Checkout requests that do not fail"

  query {
    numerator   = "sum:trace.http.request.hits{service:checkout}.as_count() - sum:trace.http.request.errors{service:checkout}.as_count()"
    denominator = "sum:trace.http.request.hits{service:${var.service}}.as_count()"
  }

  thresholds {
    timeframe = "7d"
    target    = 99.9
    warning   = 99.95
  }

  thresholds {
    timeframe = "30d"
    target    = 99.5
  }

  tags = ["service:checkout", "team:payments"]
}

resource "datadog_service_level_objective" "checkout_uptime" {
  name        = "Checkout uptime"
  type        = "monitor"
  monitor_ids = [12345, datadog_monitor.checkout_health.id]

  thresholds {
    timeframe = "30d"
    target    = "99"
  }
}

resource "datadog_monitor" "checkout_fast_burn" {
  name    = "Checkout fast burn"
  type    = "slo alert"
  message = "@pagerduty-checkout"
  query   = <<-EOT
    burn_rate("${datadog_service_level_objective.checkout_availability.id}").over("7d").long_window("1h").short_window("5m") > 14.4
  EOT
}

resource "datadog_monitor" "checkout_budget" {
  name  = "Checkout budget"
  type  = "slo alert"
  query = "error_budget(\"${datadog_service_level_objective.checkout_uptime.id}\").over(\"30d\") > 75"
}
"#;

    #[test]
    fn reads_metric_and_monitor_slos_and_burn_rate_monitors() {
        let d = run(&DatadogSlo, &[("datadog/slo.tf", SLO)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [a, u] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.name, "Checkout availability");
        assert_eq!(a.format, "datadog-slo");
        assert_eq!(a.service.as_deref(), Some("checkout"));
        assert_eq!(a.objectives, [0.999, 0.995]);
        assert_eq!(a.objective, Some(0.999));
        assert_eq!(a.window.as_deref(), Some("7d"));
        assert_eq!(a.rolling, Some(true));
        assert_eq!(a.budgeting_method.as_deref(), Some("occurrences"));
        let sli = a.sli.as_ref().unwrap();
        assert_eq!(
            (sli.kind.as_str(), sli.source.as_deref()),
            ("ratio", Some("datadog"))
        );
        assert_eq!(sli.queries.len(), 2);
        assert!(sli.queries[1].contains("${var.service}"));
        assert!(a.burn_rate_alerting);
        assert_eq!(
            a.burn_rate_alerting_via.as_deref(),
            Some("Datadog burn-rate SLO alert `Checkout fast burn`")
        );

        assert_eq!(u.objective, Some(0.99));
        assert_eq!(u.window.as_deref(), Some("30d"));
        assert_eq!(u.sli.as_ref().unwrap().kind, "reference");
        assert_eq!(
            u.alert_policies,
            ["12345", "datadog_monitor.checkout_health"]
        );
        assert!(
            !u.burn_rate_alerting,
            "an error-budget alert is not a burn-rate alert"
        );
        assert_eq!(u.source.line, Some(25));
    }

    #[test]
    fn computed_values_are_not_reported() {
        let text = r#"resource "datadog_service_level_objective" "metric_slo" {
  for_each = local.datadog_metric_slos
  name     = each.value.name
  type     = each.value.type

  query {
    denominator = each.value.query.denominator
    numerator   = each.value.query.numerator
  }

  dynamic "thresholds" {
    for_each = each.value.thresholds
    content {
      target    = lookup(thresholds.value, "target", null)
      timeframe = lookup(thresholds.value, "timeframe", null)
    }
  }

  tags = [for k, v in each.value.tags : "${k}:${v}"]
}

resource "datadog_service_level_objective" "monitor_slo" {
  for_each = local.datadog_monitor_slos
  name     = each.value.name
  type     = each.value.type
  monitor_ids = try(each.value.monitor_ids, null) != null ? each.value.monitor_ids : []
}
"#;
        let d = run(&DatadogSlo, &[("modules/slo/main.tf", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let got: Vec<_> = d
            .evidence
            .slos
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.objective,
                    s.window.as_deref(),
                    s.sli.as_ref().map(|i| (i.kind.as_str(), i.queries.len())),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("metric_slo", None, None, Some(("ratio", 0))),
                ("monitor_slo", None, None, Some(("reference", 0))),
            ]
        );
    }

    #[test]
    fn time_slices_top_level_targets_and_bad_targets() {
        let text = r#"resource "datadog_service_level_objective" "latency" {
  name             = "Latency"
  type             = "time_slice"
  timeframe        = "30d"
  target_threshold = 99.5
  sli_specification {
    time_slice {
      comparator = "<="
      threshold  = 0.3
      query {
        formula {
          formula_expression = "query1"
        }
        query {
          metric_query {
            name  = "query1"
            query = "p95:trace.http.request{service:checkout}"
          }
        }
      }
    }
  }
}

resource "datadog_service_level_objective" "bad" {
  name = "Bad"
  type = "metric"
  thresholds {
    timeframe = "7d"
    target    = 0.999
  }
  thresholds {
    timeframe = "30d"
    target    = 101
  }
}
"#;
        let d = run(&DatadogSlo, &[("slo.tf", text)]);
        let [latency, bad] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(latency.objective, Some(0.995));
        assert_eq!(latency.window.as_deref(), Some("30d"));
        let sli = latency.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "threshold");
        assert_eq!(
            sli.queries,
            ["query1", "p95:trace.http.request{service:checkout}"]
        );
        assert_eq!(
            bad.objective,
            Some(0.00999),
            "0.999 % is a valid, if odd, target"
        );
        let codes: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(
            codes,
            [
                ("invalid-slo-objective", Some(34)),
                ("suspicious-slo-objective", Some(30))
            ]
        );
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-datadog-slo", &DatadogSlo);
        let slos = slo_rows(&d.evidence, |i| i.kind.as_str());
        assert_eq!(
            slos,
            [
                (
                    "Checkout availability",
                    Some(0.999),
                    Some("30d"),
                    true,
                    Some("ratio")
                ),
                (
                    "Checkout uptime",
                    Some(0.995),
                    Some("7d"),
                    false,
                    Some("reference")
                ),
            ]
        );
    }
}
