//! `terraform-grafana`: Grafana dashboards and Grafana-managed alerting written with the
//! Grafana Terraform provider (also Grafana's own HCL export).
//!
//! ## What it recognises
//! - `grafana_dashboard`: a dashboard of tool `grafana` with the title and panels of its
//!   `config_json` when the JSON is written in the file (`jsonencode`, a heredoc). A
//!   dashboard read with `file("…/x.json")` from a file of the repository is listed by
//!   `grafana-dashboards` from that file and is not counted twice; otherwise it is named
//!   after its label.
//! - `grafana_rule_group`: each `rule` is an alert of format `grafana`, read as a
//!   provisioned rule is (see `grafana-alerting`): name, queries of its `data` models,
//!   `for`, labels and annotations, `notification_settings.contact_point`; a paused rule
//!   (`is_paused = true`) is listed and noted.
//! - `grafana_contact_point`: a receiver whose integrations are its blocks (`pagerduty`,
//!   `slack`, `email`, …); PagerDuty, Opsgenie and VictorOps ones are on-call entries.
//! - `grafana_notification_policy`: an alert routing of format `grafana` with its nested
//!   `policy` blocks as routes.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::{
    AlertRouting, Collector, Dashboard, Detector, FileContext, OnCall, Receiver, RepoPath, Source,
};
use crate::parse::hcl::Body;
use crate::parse::hcl::value::{
    attr, attr_bool, attr_references, attr_text, blocks, file_argument, json_body, name_or_label,
    nested, resources, to_json,
};

use super::dashboard;
use super::duration;
use super::prometheus_rules::is_paging;

pub struct TerraformGrafana;

/// Contact point integrations that page, with their on-call provider, if any.
const PAGING: &[(&str, Option<&str>)] = &[
    ("pagerduty", Some("pagerduty")),
    ("opsgenie", Some("opsgenie")),
    ("victorops", Some("splunk-oncall")),
    ("pushover", None),
    ("oncall", None),
];

/// Blocks of a contact point that are not integrations.
const NOT_INTEGRATIONS: &[&str] = &["dynamic", "lifecycle", "timeouts"];

/// Nested notification policies deeper than this are not followed.
const MAX_DEPTH: u32 = 32;

impl Detector for TerraformGrafana {
    fn id(&self) -> &'static str {
        "terraform-grafana"
    }

    fn summary(&self) -> &'static str {
        "Grafana in Terraform: grafana_dashboard, grafana_rule_group alert rules, contact points and notification policies"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("\"grafana_dashboard\"")
                || text.contains("\"grafana_rule_group\"")
                || text.contains("\"grafana_contact_point\"")
                || text.contains("\"grafana_notification_policy\"")
        }) else {
            return;
        };
        let (path, body, lines) = (tf.path, tf.body, tf.lines);
        // Contact point names by label, to resolve `grafana_contact_point.x.name`.
        let contact_points: BTreeMap<&str, String> = resources(body)
            .filter(|(t, _, _)| *t == "grafana_contact_point")
            .map(|(_, l, b)| (l, name_or_label(&b.body, &["name"], l).0))
            .collect();
        let resolve = |name: String| match name.strip_prefix("grafana_contact_point.") {
            Some(l) => contact_points.get(l).cloned().unwrap_or(name),
            None => name,
        };
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut points = Vec::new();
        for (type_, label_, block) in resources(body) {
            let pos = lines.position_of(block);
            let source = Source::new(path, pos);
            let b = &block.body;
            match type_ {
                "grafana_dashboard" => {
                    if let Some(d) = dashboard_resource(b, label_, source, file) {
                        out.evidence.dashboards.push(d);
                    }
                }
                "grafana_rule_group" => {
                    let group = attr_text(b, "name").map(|t| t.text);
                    for rule_block in nested(b, "rule") {
                        let rule = &rule_block.body;
                        let rule_pos = lines.position_of(rule_block).or(pos);
                        let mut alert =
                            rule_alert(rule, group.clone(), Source::new(path, rule_pos));
                        alert.notifies = alert.notifies.drain(..).map(&resolve).collect();
                        used.extend(alert.notifies.iter().cloned());
                        if attr_bool(rule, "is_paused") == Some(true) {
                            out.diagnostic(super::paused_note(
                                path,
                                rule_pos,
                                &alert.name,
                                "`is_paused = true`",
                            ));
                        }
                        out.evidence.alerts.push(alert);
                    }
                }
                "grafana_contact_point" => points.push((label_, block, source)),
                "grafana_notification_policy" => {
                    let mut referenced = BTreeSet::new();
                    let mut routes = 0;
                    collect_policies(b, &mut referenced, &mut routes, 0);
                    let referenced: BTreeSet<String> =
                        referenced.into_iter().map(&resolve).collect();
                    let default_receiver = contact_point_of(b).map(&resolve);
                    used.extend(referenced.iter().cloned());
                    out.evidence.alert_routing.push(AlertRouting {
                        format: "grafana".to_string(),
                        default_receiver,
                        routes,
                        receivers: contact_points.len() as u32,
                        undefined_receivers: Vec::new(),
                        source,
                    });
                }
                _ => {}
            }
        }
        for (l, block, source) in points {
            let name = contact_points
                .get(l)
                .cloned()
                .unwrap_or_else(|| l.to_string());
            let mut integrations: Vec<String> = Vec::new();
            let mut paging = false;
            for inner in block.body.blocks() {
                let ident = inner.ident.as_str();
                if NOT_INTEGRATIONS.contains(&ident) {
                    continue;
                }
                let integration = match ident {
                    "teams" => "msteams",
                    "wecom" => "wechat",
                    other => other,
                };
                if let Some((_, provider)) = PAGING.iter().find(|(p, _)| *p == integration) {
                    paging = true;
                    if let Some(provider) = provider {
                        out.evidence.oncall.push(OnCall {
                            provider: provider.to_string(),
                            kind: "receiver".to_string(),
                            name: name.clone(),
                            source: Source::new(path, lines.position_of(inner)),
                        });
                    }
                }
                integrations.push(integration.to_string());
            }
            integrations.sort();
            integrations.dedup();
            out.evidence.receivers.push(Receiver {
                routed_alerts: None,
                address: Some(format!("grafana_contact_point.{l}")),
                used: used.contains(&name),
                name,
                integrations,
                paging,
                source,
            });
        }
    }
}

fn dashboard_resource(
    body: &Body,
    label_: &str,
    source: Source,
    file: &FileContext,
) -> Option<Dashboard> {
    let config = attr(body, "config_json");
    if let Some(json) = config.and_then(json_body) {
        let found = dashboard::grafana_dashboard(&json);
        return Some(Dashboard {
            tool: "grafana".to_string(),
            title: found
                .as_ref()
                .and_then(|f| f.title.clone())
                .unwrap_or_else(|| label_.to_string()),
            panels: found.map_or(0, |f| f.panels),
            source,
        });
    }
    if let Some(read) = config.and_then(file_argument)
        && let Some(target) = resolve(file.path.dir(), &read)
        && target.ends_with(".json")
        && file.repo_has(&target)
    {
        return None;
    }
    Some(Dashboard {
        tool: "grafana".to_string(),
        title: label_.to_string(),
        panels: 0,
        source,
    })
}

/// A path read by `file("${path.module}/…")`, relative to the repository.
fn resolve(dir: &str, written: &str) -> Option<String> {
    let rest = written
        .strip_prefix("${path.module}/")
        .or_else(|| written.strip_prefix("./"))
        .unwrap_or(written);
    if rest.contains("${") || rest.starts_with('/') {
        return None;
    }
    crate::evidence::path::join(dir, rest)
}

fn string_map(body: &Body, key: &str) -> BTreeMap<String, String> {
    attr(body, key)
        .map(to_json)
        .as_ref()
        .and_then(|v| v.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn rule_alert(rule: &Body, group: Option<String>, source: Source) -> crate::evidence::Alert {
    let (name, templated) = name_or_label(rule, &["name"], "rule");
    let mut alert = super::new_alert(name, "grafana", source);
    alert.group = group;
    alert.templated = templated;
    alert.expr = blocks(rule, "data")
        .into_iter()
        .filter(|d| attr_text(d, "datasource_uid").map(|t| t.text).as_deref() != Some("__expr__"))
        .filter_map(|d| {
            let model = attr(d, "model").and_then(json_body)?;
            ["expr", "query", "rawSql"].iter().find_map(|k| {
                model
                    .get(*k)
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
        })
        .collect::<Vec<_>>()
        .join("\n");
    let labels = string_map(rule, "labels");
    super::set_labels_and_annotations(&mut alert, labels, string_map(rule, "annotations"));
    alert.paging = is_paging(alert.severity.as_deref());
    alert.for_ = attr_text(rule, "for").map(|t| t.text);
    alert.debounced = duration::waits(alert.for_.as_deref());
    alert.notifies = blocks(rule, "notification_settings")
        .into_iter()
        .filter_map(contact_point_of)
        .collect();
    alert
}

/// The contact point a policy or notification setting names.
fn contact_point_of(body: &Body) -> Option<String> {
    attr_text(body, "contact_point")
        .map(|t| t.text)
        .or_else(|| attr_references(body, "contact_point")?.into_iter().next())
}

fn collect_policies(body: &Body, referenced: &mut BTreeSet<String>, routes: &mut u32, depth: u32) {
    if let Some(cp) = contact_point_of(body) {
        referenced.insert(cp);
    }
    if depth > MAX_DEPTH {
        return;
    }
    for policy in blocks(body, "policy") {
        *routes += 1;
        collect_policies(policy, referenced, routes, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&TerraformGrafana])
    }

    const ALERTING: &str = r#"resource "grafana_contact_point" "pager" {
  name = "checkout-pager"
  pagerduty {
    integration_key = var.pd_key
  }
  slack {
    url = var.slack_url
  }
}

resource "grafana_notification_policy" "root" {
  contact_point = grafana_contact_point.pager.name
  group_by      = ["alertname"]
  policy {
    contact_point = "team-email"
    matcher {
      label = "severity"
      match = "="
      value = "warning"
    }
    policy {
      contact_point = grafana_contact_point.pager.name
    }
  }
}

resource "grafana_rule_group" "checkout" {
  name             = "checkout"
  folder_uid       = grafana_folder.checkout.uid
  interval_seconds = 60

  rule {
    name      = "CheckoutDown"
    condition = "B"
    for       = "5m"
    data {
      ref_id         = "A"
      datasource_uid = "prometheus"
      model          = jsonencode({ expr = "up{job=\"checkout\"} == 0", refId = "A" })
    }
    data {
      ref_id         = "B"
      datasource_uid = "__expr__"
      model          = jsonencode({ type = "threshold", expression = "A" })
    }
    labels = {
      severity = "critical"
    }
    annotations = {
      summary     = "Checkout is down"
      runbook_url = "https://runbooks.example.com/checkout-down"
    }
    notification_settings {
      contact_point = grafana_contact_point.pager.name
    }
    is_paused = true
  }
}
"#;

    #[test]
    fn rules_contact_points_and_policies() {
        let d = detect(&[("grafana/alerting.tf", ALERTING)]);
        let a = &d.evidence.alerts[0];
        assert_eq!(a.name, "CheckoutDown");
        assert_eq!(a.format, "grafana");
        assert_eq!(a.group.as_deref(), Some("checkout"));
        assert_eq!(a.expr, "up{job=\"checkout\"} == 0");
        assert!(a.paging && a.debounced);
        assert_eq!(a.summary.as_deref(), Some("Checkout is down"));
        assert_eq!(a.notifies, ["checkout-pager"]);
        assert_eq!(a.source.line, Some(32));
        assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
        let r = &d.evidence.receivers[0];
        assert_eq!(r.name, "checkout-pager");
        assert_eq!(r.integrations, ["pagerduty", "slack"]);
        assert!(r.paging && r.used);
        assert_eq!(d.evidence.oncall.len(), 1);
        let routing = &d.evidence.alert_routing[0];
        assert_eq!(routing.default_receiver.as_deref(), Some("checkout-pager"));
        assert_eq!((routing.routes, routing.receivers), (2, 1));
    }

    #[test]
    fn dashboards_from_json_and_files() {
        let tf = r#"resource "grafana_dashboard" "inline" {
  config_json = jsonencode({
    title         = "Inline"
    schemaVersion = 39
    panels        = [{ type = "stat" }, { type = "timeseries" }]
  })
}

resource "grafana_dashboard" "from_repo" {
  config_json = file("${path.module}/dashboards/checkout.json")
}

resource "grafana_dashboard" "elsewhere" {
  config_json = file(var.path)
}
"#;
        let json = "{\"title\": \"Checkout\", \"schemaVersion\": 39, \"panels\": []}";
        let d = detect(&[
            ("infra/grafana/main.tf", tf),
            ("infra/grafana/dashboards/checkout.json", json),
        ]);
        let got: Vec<(&str, u32)> = d
            .evidence
            .dashboards
            .iter()
            .map(|x| (x.title.as_str(), x.panels))
            .collect();
        assert_eq!(got, [("Inline", 2), ("elsewhere", 0)]);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-terraform-grafana", &[&TerraformGrafana]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(d.evidence.alerts.len(), 1);
        assert_eq!(d.evidence.receivers.len(), 1);
        assert_eq!(d.evidence.alert_routing.len(), 1);
        assert_eq!(d.evidence.dashboards.len(), 1);
    }
}
