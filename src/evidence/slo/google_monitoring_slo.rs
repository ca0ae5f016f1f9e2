//! Google Cloud Monitoring SLOs defined in Terraform: `resource "google_monitoring_slo"`.
//!
//! ## What it recognises
//! One SLO per resource, named by `display_name` (else `slo_id`, else the resource label
//! when both are computed), with its `service` (written, or the `service_id` of the
//! `google_monitoring_custom_service` of the same file it refers to), the `goal` (a
//! ratio) and the window: `rolling_period_days = 28` → `28d`, rolling;
//! `calendar_period = "MONTH"` → `1M`, calendar-aligned. The indicator comes from the SLI block:
//! - `basic_sli` → `latency` (with a `latency` block) or `ratio` (availability);
//! - `request_based_sli` → `ratio` (`good_total_ratio`) or `latency` (`distribution_cut`),
//!   budgeted by `occurrences`;
//! - `windows_based_sli` → `bool-gauge` (`good_bad_metric_filter`) or `threshold`
//!   (`good_total_ratio_threshold`, `metric_mean_in_range`, `metric_sum_in_range`),
//!   budgeted by `timeslices`;
//!
//! with the monitoring filters as queries. A module that chooses the SLI with `dynamic`
//! blocks has an indicator of `unknown` kind. Computed values (`var.goal`, `local.goal`)
//! are left unset without a diagnostic. A resource switched off literally (`count = 0`,
//! `for_each = {}`) is not read.
//!
//! ## Alerting
//! A `google_monitoring_alert_policy` of the same module whose condition filters on
//! `select_slo_burn_rate(…google_monitoring_slo.LABEL…)` alerts on the SLO's burn rate.

use crate::evidence::slo::terraform::{attribute, push_slo, record_alert};
use crate::evidence::slo::{
    ObjectiveField, Scale, new_slo, objective_of, sli_spec, window_shorthand,
};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, SliSpec, Source, TerraformFile};
use crate::parse::hcl::value::{
    attr_text_as_parsed, blocks, blocks_of, first, quoted, referenced_names,
};
use crate::parse::hcl::{Block, Body};

pub struct GoogleMonitoringSlo;

const FORMAT: &str = "google-monitoring-slo";
const RESOURCE: &str = "google_monitoring_slo";
const ALERT_POLICY: &str = "google_monitoring_alert_policy";
const CUSTOM_SERVICE: &str = "google_monitoring_custom_service";

impl Detector for GoogleMonitoringSlo {
    fn id(&self) -> &'static str {
        "google-monitoring-slo"
    }

    fn summary(&self) -> &'static str {
        "Google Cloud Monitoring SLOs in Terraform (`google_monitoring_slo`), with alert policies on `select_slo_burn_rate`"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| text.contains(RESOURCE)) else {
            return;
        };
        let body = tf.body;
        // Custom services of the file, by label, to name the service of an SLO that
        // refers to one (`service = google_monitoring_custom_service.checkout.service_id`).
        let services: Vec<(&str, String)> = blocks_of(body, "resource", CUSTOM_SERVICE)
            .filter_map(|(label, b)| {
                let id =
                    quoted(&b.body, "service_id").or_else(|| quoted(&b.body, "display_name"))?;
                Some((label, id))
            })
            .collect();
        for (label, block) in blocks_of(body, "resource", RESOURCE) {
            read_slo(label, block, &services, &tf, out);
        }
        for (label, block) in blocks_of(body, "resource", ALERT_POLICY) {
            let filters = block.body.to_string();
            if !filters.contains("select_slo_burn_rate") {
                continue;
            }
            let name = quoted(&block.body, "display_name").unwrap_or_else(|| label.to_string());
            for slo in referenced_names(&filters, RESOURCE) {
                record_alert(
                    out,
                    &tf,
                    format!("{RESOURCE}.{slo}"),
                    format!("Google Cloud Monitoring alert policy `{name}` (select_slo_burn_rate)"),
                );
            }
        }
    }
}

fn read_slo(
    label: &str,
    block: &Block,
    services: &[(&str, String)],
    tf: &TerraformFile,
    out: &mut Collector,
) {
    let body = &block.body;
    let name = quoted(body, "display_name")
        .or_else(|| quoted(body, "slo_id"))
        .unwrap_or_else(|| label.to_string());
    let pos = tf.pos(block);
    let mut slo = new_slo(name, FORMAT, Source::new(tf.path, pos));
    slo.service = quoted(body, "service").or_else(|| {
        let written = body.get_attribute("service")?.value.to_string();
        let service = referenced_names(&written, CUSTOM_SERVICE)
            .into_iter()
            .next()?;
        services
            .iter()
            .find(|(label, _)| *label == service)
            .map(|(_, id)| id.clone())
    });
    let at = ObjectiveField {
        slo: &slo.name,
        field: "goal",
        format: "google_monitoring_slo",
        scale: Scale::Ratio,
        path: tf.path,
    };
    slo.objectives = objective_of(attribute(body, "goal", tf).as_ref(), &at, out)
        .into_iter()
        .collect();
    slo.objective = slo.objectives.first().copied();
    if let Some(days) = attribute(body, "rolling_period_days", tf).and_then(|n| n.as_f64()) {
        slo.window = window_shorthand(days, "day");
        slo.rolling = Some(true);
    } else if let Some(period) = quoted(body, "calendar_period") {
        slo.window = calendar_window(&period);
        slo.rolling = Some(false);
    }
    let (sli, budgeting) = indicator(body);
    slo.sli = sli;
    slo.budgeting_method = budgeting.map(str::to_string);
    push_slo(out, tf, format!("{RESOURCE}.{label}"), slo);
}

fn calendar_window(period: &str) -> Option<String> {
    let window = match period.trim().to_ascii_uppercase().as_str() {
        "DAY" => "1d",
        "WEEK" => "1w",
        "FORTNIGHT" => "2w",
        "MONTH" => "1M",
        "QUARTER" => "1Q",
        "HALF" => "6M",
        "YEAR" => "1Y",
        _ => return None,
    };
    Some(window.to_string())
}

/// The SLI: its kind (from the one SLI block, `unknown` when `dynamic` blocks leave the
/// choice to the caller), its filters, and the budgeting method the block implies.
fn indicator(body: &Body) -> (Option<SliSpec>, Option<&'static str>) {
    let mut kinds: Vec<(&'static str, &'static str)> = Vec::new();
    let mut queries = Vec::new();
    for basic in blocks(body, "basic_sli") {
        let latency = !blocks(basic, "latency").is_empty();
        if latency {
            kinds.push(("latency", "occurrences"));
        }
        if !latency || !blocks(basic, "availability").is_empty() {
            kinds.push(("ratio", "occurrences"));
        }
    }
    for request in blocks(body, "request_based_sli") {
        for ratio in blocks(request, "good_total_ratio") {
            kinds.push(("ratio", "occurrences"));
            ratio_filters(ratio, &mut queries);
        }
        for cut in blocks(request, "distribution_cut") {
            kinds.push(("latency", "occurrences"));
            queries.extend(attr_text_as_parsed(cut, "distribution_filter"));
        }
    }
    for windows in blocks(body, "windows_based_sli") {
        if let Some(filter) = attr_text_as_parsed(windows, "good_bad_metric_filter") {
            kinds.push(("bool-gauge", "timeslices"));
            queries.push(filter);
        } else if windows.get_attribute("good_bad_metric_filter").is_some() {
            kinds.push(("bool-gauge", "timeslices"));
        }
        for threshold in blocks(windows, "good_total_ratio_threshold") {
            kinds.push(("threshold", "timeslices"));
            if let Some(performance) = first(threshold, "performance") {
                for ratio in blocks(performance, "good_total_ratio") {
                    ratio_filters(ratio, &mut queries);
                }
                for cut in blocks(performance, "distribution_cut") {
                    queries.extend(attr_text_as_parsed(cut, "distribution_filter"));
                }
            }
        }
        for key in ["metric_mean_in_range", "metric_sum_in_range"] {
            for range in blocks(windows, key) {
                kinds.push(("threshold", "timeslices"));
                queries.extend(attr_text_as_parsed(range, "time_series"));
            }
        }
    }
    let Some(&(kind, budgeting)) = kinds.first() else {
        return (None, None);
    };
    let same_kind = kinds.iter().all(|(k, _)| *k == kind);
    let same_budgeting = kinds.iter().all(|(_, b)| *b == budgeting);
    let kind = if same_kind { kind } else { "unknown" };
    (
        Some(sli_spec(
            kind,
            queries,
            Some("google-cloud-monitoring".into()),
        )),
        same_budgeting.then_some(budgeting),
    )
}

fn ratio_filters(ratio: &Body, queries: &mut Vec<String>) {
    for key in [
        "good_service_filter",
        "bad_service_filter",
        "total_service_filter",
    ] {
        queries.extend(attr_text_as_parsed(ratio, key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{run, run_fixture, slo_rows};

    const SLO: &str = r#"resource "google_monitoring_custom_service" "checkout" {
  service_id   = "checkout"
  display_name = "Checkout"
}

resource "google_monitoring_slo" "availability" {
  service      = google_monitoring_custom_service.checkout.service_id
  slo_id       = "checkout-availability"
  display_name = "99.9% of checkout requests succeed over 28 days"

  goal                = 0.999
  rolling_period_days = 28

  request_based_sli {
    good_total_ratio {
      good_service_filter  = "metric.type=\"run.googleapis.com/request_count\" metric.label.response_code_class=\"2xx\""
      total_service_filter = <<-EOT
        metric.type="run.googleapis.com/request_count"
        resource.label.service_name="${var.service}"
      EOT
    }
  }
}

resource "google_monitoring_slo" "latency" {
  service         = "checkout"
  slo_id          = var.slo_id
  goal            = 99
  calendar_period = "MONTH"

  windows_based_sli {
    window_period = "300s"
    metric_mean_in_range {
      time_series = "metric.type=\"loadbalancing.googleapis.com/https/total_latencies\""
      range {
        max = 300
      }
    }
  }
}
"#;

    const ALERTS: &str = r#"resource "google_monitoring_alert_policy" "fast_burn" {
  display_name = "Checkout fast burn"
  combiner     = "OR"
  conditions {
    display_name = "1h burn rate above 14.4"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${google_monitoring_slo.availability.name}\", \"3600s\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 14.4
      duration        = "0s"
    }
  }
}

resource "google_monitoring_alert_policy" "cpu" {
  display_name = "CPU"
  combiner     = "OR"
  conditions {
    display_name = "cpu"
    condition_threshold {
      filter = "metric.type=\"compute.googleapis.com/instance/cpu/utilization\" google_monitoring_slo.latency"
    }
  }
}
"#;

    #[test]
    fn reads_slos_and_their_burn_rate_alert_policies() {
        let d = run(
            &GoogleMonitoringSlo,
            &[("infra/slo.tf", SLO), ("infra/alerts.tf", ALERTS)],
        );
        let [a, l] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.name, "99.9% of checkout requests succeed over 28 days");
        assert_eq!(a.format, "google-monitoring-slo");
        assert_eq!(
            a.service.as_deref(),
            Some("checkout"),
            "the custom service of the file it refers to"
        );
        assert_eq!(a.objective, Some(0.999));
        assert_eq!(a.window.as_deref(), Some("28d"));
        assert_eq!(a.rolling, Some(true));
        assert_eq!(a.budgeting_method.as_deref(), Some("occurrences"));
        assert_eq!(a.source.line, Some(6));
        let sli = a.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(sli.source.as_deref(), Some("google-cloud-monitoring"));
        assert_eq!(sli.queries.len(), 2);
        assert!(
            sli.queries[1].contains("${var.service}"),
            "{:?}",
            sli.queries
        );
        assert!(a.burn_rate_alerting);
        assert_eq!(
            a.burn_rate_alerting_via.as_deref(),
            Some(
                "Google Cloud Monitoring alert policy `Checkout fast burn` (select_slo_burn_rate)"
            )
        );

        assert_eq!(l.name, "latency", "display_name absent, slo_id computed");
        assert_eq!(l.service.as_deref(), Some("checkout"));
        assert_eq!(l.objective, None);
        assert_eq!(l.window.as_deref(), Some("1M"));
        assert_eq!(l.rolling, Some(false));
        assert_eq!(l.budgeting_method.as_deref(), Some("timeslices"));
        assert_eq!(l.sli.as_ref().unwrap().kind, "threshold");
        assert!(!l.burn_rate_alerting, "not a burn-rate filter");

        let [diag] = &d.diagnostics[..] else {
            panic!("{:?}", d.diagnostics)
        };
        assert_eq!(diag.code, "invalid-slo-objective");
        assert_eq!(
            (diag.path.as_deref(), diag.line),
            (Some("infra/slo.tf"), Some(28))
        );
    }

    #[test]
    fn alerts_in_another_module_do_not_count() {
        let d = run(
            &GoogleMonitoringSlo,
            &[("infra/slo.tf", SLO), ("other/alerts.tf", ALERTS)],
        );
        assert!(d.evidence.slos.iter().all(|s| !s.burn_rate_alerting));
    }

    #[test]
    fn computed_values_and_dynamic_sli_blocks() {
        let text = r#"resource "google_monitoring_slo" "slo" {
  project             = local.project_id
  service             = local.service
  slo_id              = local.slo_id
  display_name        = local.display_name
  goal                = local.goal
  calendar_period     = local.calendar_period
  rolling_period_days = local.rolling_period_days

  dynamic "basic_sli" {
    for_each = local.type == "basic_sli" ? ["yes"] : []
    content {
      dynamic "availability" {
        for_each = ["yes"]
        content {
          enabled = true
        }
      }
    }
  }

  dynamic "windows_based_sli" {
    for_each = local.type == "windows_based_sli" ? ["yes"] : []
    content {
      window_period          = local.window_period
      good_bad_metric_filter = local.method == "boolean_filter" ? local.metric_filter : null
    }
  }
}
"#;
        let d = run(
            &GoogleMonitoringSlo,
            &[("modules/slo-native/dynamic.tf", text)],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [slo] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(slo.name, "slo");
        assert_eq!(
            (slo.objective, slo.window.as_deref(), slo.rolling),
            (None, None, None)
        );
        let sli = slo.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "unknown");
        assert!(sli.queries.is_empty());
        assert_eq!(slo.budgeting_method, None);
    }

    #[test]
    fn basic_slis_and_files_without_the_resource() {
        let text = "resource \"google_monitoring_slo\" \"gae\" {\n  service = \"gae:default\"\n  slo_id = \"gae-latency\"\n  goal = \"0.95\"\n  calendar_period = \"DAY\"\n  basic_sli {\n    latency {\n      threshold = \"0.5s\"\n    }\n  }\n}\n";
        let broken = "resource \"google_compute_instance\" {\n";
        let d = run(
            &GoogleMonitoringSlo,
            &[("slo.tf", text), ("broken.tf", broken)],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.name, "gae-latency");
        assert_eq!(slo.objective, Some(0.95));
        assert_eq!(slo.window.as_deref(), Some("1d"));
        assert_eq!(slo.sli.as_ref().unwrap().kind, "latency");
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-google-monitoring-slo", &GoogleMonitoringSlo);
        let slos = slo_rows(&d.evidence, |i| i.kind.as_str());
        assert_eq!(
            slos,
            [
                (
                    "Checkout availability",
                    Some(0.999),
                    Some("28d"),
                    true,
                    Some("ratio")
                ),
                (
                    "Checkout latency",
                    Some(0.99),
                    Some("28d"),
                    false,
                    Some("latency")
                ),
            ]
        );
    }
}
