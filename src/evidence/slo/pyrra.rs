//! Pyrra `ServiceLevelObjective` resources (`apiVersion: pyrra.dev/v1alpha1`, also the
//! group-less `apiVersion: v1alpha1` some repositories write).
//!
//! ## What it recognises
//! One SLO per resource: `spec.target` is a percentage (written as a string, `"99.5"`),
//! `spec.window` the rolling window. The indicator is `ratio` (errors and total metrics),
//! `latency` (success and total histogram metrics), `latencyNative` (→ `latency`) or
//! `bool_gauge` (→ `bool-gauge`); its queries are the metric selectors. The service is
//! the `pyrra.dev/service`, `service` or `app` label when one is set.
//!
//! Google's slo-generator also uses `kind: ServiceLevelObjective` (with
//! `apiVersion: sre.google.com/v2`); those documents are not Pyrra's and are left alone.
//!
//! ## Alerting
//! Pyrra generates multi-window burn-rate alerts for every SLO unless
//! `spec.alerting.disabled: true` or `spec.alerting.burnrates: false`.

use crate::evidence::slo::{
    ObjectiveField, Scale, new_slo, objective_of, sli_spec, text_of, top_level_values, unnamed,
};
use crate::evidence::{Collector, Detector, FileContext, RepoPath, SliSpec, Source};
use crate::parse::yaml::Node;

pub struct Pyrra;

const FORMAT: &str = "pyrra";

/// Labels that name the service an SLO belongs to, in order of preference.
const SERVICE_LABELS: &[&str] = &["pyrra.dev/service", "service", "app"];

impl Detector for Pyrra {
    fn id(&self) -> &'static str {
        "pyrra"
    }

    fn summary(&self) -> &'static str {
        "Pyrra `ServiceLevelObjective` resources (`apiVersion: pyrra.dev/v1alpha1`) in YAML files"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else { return };
        if !text.contains("ServiceLevelObjective")
            || !top_level_values(text, "apiVersion").any(is_pyrra_api)
        {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            let is_slo = doc.get("kind").and_then(Node::as_str) == Some("ServiceLevelObjective")
                && doc
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(is_pyrra_api);
            if is_slo {
                read_slo(doc, path, out);
            }
        }
    }
}

/// `pyrra.dev/…`, or a version without an API group (`v1alpha1`). Other groups that
/// share the kind (`sre.google.com/v2`) are not Pyrra.
fn is_pyrra_api(api: &str) -> bool {
    let api = api.trim();
    api.starts_with("pyrra.dev/")
        || (!api.contains('/')
            && api.starts_with('v')
            && api[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn read_slo(doc: &Node, path: &str, out: &mut Collector) {
    let Some(name) = text_of(doc.at(&["metadata", "name"])) else {
        out.diagnostic(unnamed(
            "Pyrra ServiceLevelObjective",
            "metadata.name",
            path,
            doc,
        ));
        return;
    };
    let mut slo = new_slo(name, FORMAT, Source::new(path, Some(doc.pos)));
    let labels = doc.at(&["metadata", "labels"]);
    slo.service = SERVICE_LABELS
        .iter()
        .find_map(|key| text_of(labels.and_then(|l| l.get(key))));
    let spec = doc.get("spec");
    let get = |key: &str| spec.and_then(|s| s.get(key));
    slo.description = text_of(get("description"));
    let objective = ObjectiveField {
        slo: &slo.name,
        field: "target",
        format: "Pyrra",
        scale: Scale::Percent,
        path,
    };
    slo.objectives = objective_of(get("target"), &objective, out)
        .into_iter()
        .collect();
    slo.objective = slo.objectives.first().copied();
    slo.window = text_of(get("window"));
    slo.rolling = slo.window.is_some().then_some(true);
    slo.sli = get("indicator").and_then(read_indicator);

    let alerting = get("alerting");
    let flag = |key: &str| alerting.and_then(|a| a.get(key)).and_then(Node::as_bool);
    if flag("disabled") != Some(true) && flag("burnrates") != Some(false) {
        slo.burn_rate_alerting = true;
        slo.burn_rate_alerting_via = Some("Pyrra multi-window burn-rate alerts".into());
        slo.alert_policies = text_of(alerting.and_then(|a| a.get("name")))
            .into_iter()
            .collect();
    }
    out.evidence.slos.push(slo);
}

fn read_indicator(indicator: &Node) -> Option<SliSpec> {
    let (kind, body) = [
        ("ratio", "ratio"),
        ("latency", "latency"),
        ("latencyNative", "latency"),
        ("bool_gauge", "bool-gauge"),
        ("boolGauge", "bool-gauge"),
    ]
    .into_iter()
    .find_map(|(key, kind)| Some((kind, indicator.get(key)?)))?;
    // Metric selectors in the order written: `errors`/`success` and `total`, or the
    // bool gauge's own `metric`.
    let mut queries: Vec<String> = text_of(body.get("metric")).into_iter().collect();
    queries.extend(
        body.as_map()
            .iter()
            .filter_map(|(_, v)| text_of(v.get("metric"))),
    );
    Some(sli_spec(kind, queries, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::slo::test_support::run;

    const SLOS: &str = r#"apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-errors
  namespace: shop
  labels:
    pyrra.dev/service: checkout
spec:
  target: "99.5"
  window: 28d
  description: Checkout requests succeed.
  alerting:
    name: CheckoutErrorBudgetBurn
  indicator:
    ratio:
      errors:
        metric: http_requests_total{job="checkout",code=~"5.."}
      total:
        metric: http_requests_total{job="checkout"}
---
apiVersion: v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-latency
  labels:
    app: checkout
spec:
  target: '95'
  window: 4w
  alerting:
    burnrates: false
  indicator:
    latencyNative:
      latency: 200ms
      total:
        metric: http_request_duration_seconds{job="checkout"}
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: not-pyrra
spec:
  goal: 0.99
"#;

    #[test]
    fn reads_pyrra_slos_and_skips_slo_generator() {
        let d = run(&Pyrra, &[("slos/checkout.yaml", SLOS)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let [a, b] = &d.evidence.slos[..] else {
            panic!("{:?}", d.evidence.slos)
        };
        assert_eq!(a.name, "checkout-errors");
        assert_eq!(a.service.as_deref(), Some("checkout"));
        assert_eq!(a.description.as_deref(), Some("Checkout requests succeed."));
        assert_eq!(a.objective, Some(0.995));
        assert_eq!(a.window.as_deref(), Some("28d"));
        assert_eq!(a.source.line, Some(1));
        let sli = a.sli.as_ref().unwrap();
        assert_eq!(sli.kind, "ratio");
        assert_eq!(
            sli.queries,
            [
                r#"http_requests_total{job="checkout",code=~"5.."}"#,
                r#"http_requests_total{job="checkout"}"#
            ]
        );
        assert!(a.burn_rate_alerting);
        assert_eq!(a.alert_policies, ["CheckoutErrorBudgetBurn"]);

        assert_eq!(b.name, "checkout-latency");
        assert_eq!(b.service.as_deref(), Some("checkout"));
        assert_eq!(b.objective, Some(0.95));
        assert_eq!(b.sli.as_ref().unwrap().kind, "latency");
        assert_eq!(b.sli.as_ref().unwrap().queries.len(), 1);
        assert!(!b.burn_rate_alerting);
        assert_eq!(b.source.line, Some(21));
    }

    #[test]
    fn bool_gauge_and_missing_parts() {
        let text = "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: probes\nspec:\n  indicator:\n    bool_gauge:\n      metric: probe_success\n  alerting:\n    disabled: true\n";
        let d = run(&Pyrra, &[("p.yaml", text)]);
        let slo = &d.evidence.slos[0];
        assert_eq!(slo.sli.as_ref().unwrap().kind, "bool-gauge");
        assert_eq!(slo.sli.as_ref().unwrap().queries, ["probe_success"]);
        assert_eq!((slo.objective, slo.window.as_deref()), (None, None));
        assert_eq!(slo.service, None);
        assert!(!slo.burn_rate_alerting);
    }

    #[test]
    fn a_zero_target_is_reported_where_written() {
        let text = "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: zero\nspec:\n  target: \"0\"\n  window: 4w\n";
        let d = run(&Pyrra, &[("s.yaml", text)]);
        assert_eq!(d.evidence.slos[0].objective, None);
        let [diag] = &d.diagnostics[..] else {
            panic!("{:?}", d.diagnostics)
        };
        assert_eq!(
            (diag.code.as_str(), diag.path.as_deref(), diag.line),
            ("invalid-slo-objective", Some("s.yaml"), Some(6))
        );
        assert_eq!(
            diag.message,
            "SLO `zero`: `target: \"0\"` is out of range: the Pyrra `target` is a percentage greater than 0 and at most 100 (e.g. `target: 99.9`); the SLO is read without this objective"
        );
    }

    #[test]
    fn api_versions() {
        assert!(is_pyrra_api("pyrra.dev/v1alpha1"));
        assert!(is_pyrra_api("v1alpha1"));
        assert!(!is_pyrra_api("sre.google.com/v2"));
        assert!(!is_pyrra_api("openslo/v1"));
        assert!(!is_pyrra_api("v"));
    }
}
