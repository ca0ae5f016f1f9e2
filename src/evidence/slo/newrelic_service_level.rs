//! New Relic service levels defined in Terraform: `resource "newrelic_service_level"`.
//!
//! ## What it recognises
//! One SLO per resource, named by `name` (the resource label when it is computed), with
//! its `description`. The indicator is a `ratio` of events: its queries are the
//! `valid_events`, `good_events` and `bad_events` of the `events` block, written as NRQL
//! (`FROM Transaction WHERE …`). The `objective` block states the target, a percentage,
//! and its rolling `time_window` (`rolling { count = 28, unit = "DAY" }` → `28d`).
//! Computed values are left unset without a diagnostic. A resource or data source switched
//! off literally (`count = 0`, `for_each = {}`) is not read.
//!
//! ## Alerting
//! A `newrelic_service_level_alert_helper` data source of the same module for the
//! service level's `sli_guid`, of type `fast_burn`, `slow_burn` or `custom`, exists to
//! build a burn-rate alert condition: the service level is alerted on by burn rate.

use crate::evidence::slo::terraform::{attribute, push_slo, record_alert};
use crate::evidence::slo::{
    ObjectiveField, Scale, new_slo, objective_of, sli_spec, strictest, window_shorthand,
};
use crate::evidence::{
    Collector, Detector, FileContext, RepoPath, SliSpec, Slo, Source, TerraformFile,
};
use crate::parse::hcl::value::{
    attr_text_as_parsed, blocks, blocks_of, first, quoted, referenced_names,
};
use crate::parse::hcl::{Block, Body};

pub struct NewRelicServiceLevel;

const FORMAT: &str = "newrelic-service-level";
const RESOURCE: &str = "newrelic_service_level";
const ALERT_HELPER: &str = "newrelic_service_level_alert_helper";

impl Detector for NewRelicServiceLevel {
    fn id(&self) -> &'static str {
        "newrelic-service-level"
    }

    fn summary(&self) -> &'static str {
        "New Relic service levels in Terraform (`newrelic_service_level`), with burn-rate `newrelic_service_level_alert_helper` alerts"
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
            read_service_level(label, block, &tf, out);
        }
        for (label, block) in blocks_of(body, "data", ALERT_HELPER) {
            let kind = quoted(&block.body, "alert_type").unwrap_or_default();
            if !matches!(kind.as_str(), "fast_burn" | "slow_burn" | "custom") {
                continue;
            }
            let Some(guid) = block.body.get_attribute("sli_guid") else {
                continue;
            };
            for level in referenced_names(&guid.value.to_string(), RESOURCE) {
                record_alert(
                    out,
                    &tf,
                    format!("{RESOURCE}.{level}"),
                    format!("New Relic {kind} alert helper `{label}`"),
                );
            }
        }
    }
}

fn read_service_level(label: &str, block: &Block, tf: &TerraformFile, out: &mut Collector) {
    let body = &block.body;
    let name = quoted(body, "name").unwrap_or_else(|| label.to_string());
    let mut slo = new_slo(name, FORMAT, Source::new(tf.path, tf.pos(block)));
    slo.description = quoted(body, "description");
    for objective in blocks(body, "objective") {
        read_objective(objective, &mut slo, tf, out);
    }
    slo.objective = strictest(&slo.objectives);
    slo.sli = first(body, "events").map(events);
    push_slo(out, tf, format!("{RESOURCE}.{label}"), slo);
}

fn read_objective(objective: &Body, slo: &mut Slo, tf: &TerraformFile, out: &mut Collector) {
    let at = ObjectiveField {
        slo: &slo.name,
        field: "target",
        format: "New Relic",
        scale: Scale::Percent,
        path: tf.path,
    };
    slo.objectives.extend(objective_of(
        attribute(objective, "target", tf).as_ref(),
        &at,
        out,
    ));
    let rolling = first(objective, "time_window").and_then(|w| first(w, "rolling"));
    if let Some(rolling) = rolling
        && slo.window.is_none()
    {
        let count = attribute(rolling, "count", tf).and_then(|n| n.as_f64());
        let unit = quoted(rolling, "unit");
        slo.window = count
            .zip(unit)
            .and_then(|(count, unit)| window_shorthand(count, &unit));
        slo.rolling = Some(true);
    }
}

/// The events of the indicator as NRQL, in the order written.
fn events(events: &Body) -> SliSpec {
    let mut queries = Vec::new();
    for block in events.blocks() {
        if !matches!(
            block.ident.as_str(),
            "valid_events" | "good_events" | "bad_events"
        ) {
            continue;
        }
        let Some(from) = attr_text_as_parsed(&block.body, "from") else {
            continue;
        };
        queries.push(match attr_text_as_parsed(&block.body, "where") {
            Some(filter) => format!("FROM {from} WHERE {filter}"),
            None => format!("FROM {from}"),
        });
    }
    sli_spec("ratio", queries, Some("newrelic".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::{run, run_fixture, slo_rows};

    const LEVELS: &str = r#"resource "newrelic_service_level" "checkout_latency" {
  guid        = var.checkout_entity_guid
  name        = "Checkout latency"
  description = "Checkout web transactions faster than 300 ms"

  events {
    account_id = var.account_id
    valid_events {
      from  = "Transaction"
      where = "appName = 'checkout' AND transactionType = 'Web'"
    }
    good_events {
      from  = "Transaction"
      where = "appName = 'checkout' AND transactionType = 'Web' AND duration < 0.3"
    }
  }

  objective {
    target = 99.5
    time_window {
      rolling {
        count = 7
        unit  = "DAY"
      }
    }
  }
}

resource "newrelic_service_level" "computed" {
  guid = var.guid
  name = "${var.app} errors"
  events {
    account_id = var.account_id
    valid_events {
      from = var.from
    }
    bad_events {
      from  = "TransactionError"
      where = "appName = '${var.app}'"
    }
  }
  objective {
    target = var.target
    time_window {
      rolling {
        count = var.days
        unit  = "DAY"
      }
    }
  }
}
"#;

    const HELPERS: &str = r#"data "newrelic_service_level_alert_helper" "checkout_fast_burn" {
  alert_type = "fast_burn"
  sli_guid   = newrelic_service_level.checkout_latency.sli_guid
}

data "newrelic_service_level_alert_helper" "other" {
  alert_type = "something_else"
  sli_guid   = newrelic_service_level.computed.sli_guid
}
"#;

    #[test]
    fn reads_service_levels_and_burn_rate_helpers() {
        let d = run(
            &NewRelicServiceLevel,
            &[("newrelic/slo.tf", LEVELS), ("newrelic/alerts.tf", HELPERS)],
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [latency, computed] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(latency.name, "Checkout latency");
        assert_eq!(latency.format, "newrelic-service-level");
        assert_eq!(latency.objective, Some(0.995));
        assert_eq!(latency.window.as_deref(), Some("7d"));
        assert_eq!(latency.rolling, Some(true));
        let sli = latency.sli.as_ref().unwrap();
        assert_eq!(
            (sli.kind.as_str(), sli.source.as_deref()),
            ("ratio", Some("newrelic"))
        );
        assert_eq!(
            sli.queries,
            [
                "FROM Transaction WHERE appName = 'checkout' AND transactionType = 'Web'",
                "FROM Transaction WHERE appName = 'checkout' AND transactionType = 'Web' AND duration < 0.3",
            ]
        );
        assert!(latency.burn_rate_alerting);
        assert_eq!(
            latency.burn_rate_alerting_via.as_deref(),
            Some("New Relic fast_burn alert helper `checkout_fast_burn`")
        );

        assert_eq!(computed.name, "computed");
        assert_eq!(
            (computed.objective, computed.window.as_deref()),
            (None, None)
        );
        assert_eq!(
            computed.sli.as_ref().unwrap().queries,
            ["FROM TransactionError WHERE appName = '${var.app}'"]
        );
        assert!(!computed.burn_rate_alerting);
    }

    #[test]
    fn a_ratio_written_as_a_target_is_flagged() {
        let text = "resource \"newrelic_service_level\" \"x\" {\n  name = \"x\"\n  objective {\n    target = 0.995\n  }\n}\n";
        let d = run(&NewRelicServiceLevel, &[("x.tf", text)]);
        let codes: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(codes, [("suspicious-slo-objective", Some(4))]);
        assert_eq!(
            d.evidence.slos[0].sli.as_ref().map(|s| s.kind.as_str()),
            None
        );
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-newrelic-service-level", &NewRelicServiceLevel);
        let slos = slo_rows(&d.evidence, |i| i.queries.len());
        assert_eq!(
            slos,
            [
                (
                    "Checkout availability",
                    Some(0.999),
                    Some("28d"),
                    true,
                    Some(2)
                ),
                ("Checkout latency", Some(0.99), Some("28d"), false, Some(2)),
            ]
        );
    }
}
