//! `alertmanager`: Alertmanager routing trees and notification receivers.
//!
//! ## What it recognises
//! Alertmanager configuration (`route:` with `receivers:`) in a plain config file, held as
//! a string in a Kubernetes Secret or ConfigMap (`stringData: {alertmanager.yaml: |…}`),
//! in Helm values (`alertmanager: {config: {route, receivers}}` as kube-prometheus-stack
//! has it) and in templates (Helm's `{{ }}` and operators' `[[ ]]` delimiters); and
//! `AlertmanagerConfig` resources (`spec.route`, `spec.receivers` with camelCase
//! `pagerdutyConfigs`, `opsgenieConfigs`, …). Configuration that is not in effect is
//! skipped: a section switched off with `enabled: false`, and kube-prometheus-stack's
//! `alertmanager.config` when `alertmanagerSpec.useExistingSecret` is set. Base64 Secret
//! `data` is not decoded.
//!
//! Each configuration gives its routing (default receiver, number of routes, receivers
//! referenced but not defined), its receivers (integrations, whether they page a human,
//! whether a route uses them) and an on-call entry for each receiver that pages through
//! PagerDuty, Opsgenie or VictorOps.
//!
//! The route tree itself, with its matchers (`match`, `match_re`, `matchers` strings and
//! the `{name, value, matchType}` objects of `AlertmanagerConfig`), is kept for the link
//! stage, which routes every alert of the repository through it (see
//! [`crate::evidence::routing`]). A matcher Alertmanager would refuse (a malformed
//! string, a regex that does not compile) is reported and never matches.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::routing::{self, MatchOp, Matcher, Route, RoutingSystem, RoutingTree};
use crate::evidence::{
    AlertRouting, Collector, Detector, FileContext, OnCall, Receiver, RepoPath, Source,
};
use crate::parse::yaml::{Node, TEMPLATE_PLACEHOLDER, Value};

use super::{documents, embedded_yaml, is_disabled, kind, text_of};

pub struct Alertmanager;

/// Integrations that page a human rather than post to a channel.
const PAGING_INTEGRATIONS: &[&str] = &["pagerduty", "opsgenie", "victorops", "pushover"];

/// Paging integrations that are on-call platforms, listed under `oncall`.
const ONCALL_PROVIDERS: &[&str] = &["pagerduty", "opsgenie", "victorops"];

/// The integration a receiver key configures: `pagerduty_configs` and `pagerdutyConfigs`
/// are `pagerduty`; `None` for keys that are not integrations (`name`).
pub fn integration(key: &str) -> Option<String> {
    let stem = key
        .strip_suffix("_configs")
        .or_else(|| key.strip_suffix("Configs"))?;
    if stem.is_empty() {
        return None;
    }
    let stem = stem.to_ascii_lowercase().replace('_', "");
    Some(match stem.as_str() {
        "msteamsv2" => "msteams".to_string(),
        _ => stem,
    })
}

/// Whether the text may hold Alertmanager configuration: the cheap test before parsing.
fn looks_like_alertmanager(text: &str) -> bool {
    text.contains("receivers") && (text.contains("route") || text.contains("AlertmanagerConfig"))
}

impl Detector for Alertmanager {
    fn id(&self) -> &'static str {
        "alertmanager"
    }

    fn summary(&self) -> &'static str {
        "Alertmanager routes and receivers: config files, Secrets and Helm values holding one, AlertmanagerConfig resources"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
            || (matches!(
                path.ext().as_str(),
                "tpl" | "tmpl" | "gotmpl" | "j2" | "template"
            ) && path.name().to_ascii_lowercase().contains("alertmanager"))
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_alertmanager(text) {
            return;
        }
        let Some(docs) = documents(file, self.id(), out) else {
            return;
        };
        let mut walk = Walk {
            path: file.path.as_str(),
            text,
            templated: docs.templated,
            out,
        };
        for doc in docs.nodes.iter() {
            walk.node(doc, 0);
        }
    }
}

struct Walk<'a> {
    path: &'a str,
    text: &'a str,
    templated: bool,
    out: &'a mut Collector,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node, embedded: u8) {
        match &node.value {
            Value::Map(entries) => {
                if is_disabled(node) {
                    return;
                }
                if kind(node) == Some("AlertmanagerConfig") {
                    if let Some(spec) = node.get("spec") {
                        self.config(spec, "alertmanager-config-crd", node);
                    }
                    return;
                }
                if node.get("route").is_some_and(Node::is_map)
                    && node.get("receivers").is_some_and(Node::is_seq)
                {
                    self.config(node, "alertmanager", node);
                    return;
                }
                // kube-prometheus-stack values: with `useExistingSecret` the chart renders no
                // configuration from `config`; the Secret named elsewhere is used instead.
                let existing_secret = node
                    .at(&["alertmanagerSpec", "useExistingSecret"])
                    .and_then(Node::as_bool)
                    == Some(true);
                for (key, value) in entries {
                    if existing_secret && key.as_str() == Some("config") {
                        continue;
                    }
                    if let Value::String(s) = &value.value {
                        if embedded == 0 && s.contains('\n') && looks_like_alertmanager(s) {
                            self.embedded(key, value);
                        }
                        continue;
                    }
                    self.node(value, embedded);
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.node(item, embedded);
                }
            }
            _ => {}
        }
    }

    fn embedded(&mut self, key: &Node, value: &Node) {
        let (what, skipped) = (
            "the Alertmanager configuration",
            "its routes and receivers were",
        );
        let docs = embedded_yaml(self.text, self.path, key, value, what, skipped, self.out);
        for doc in &docs {
            self.node(doc, 1);
        }
    }

    /// One configuration: `config` holds `route` and `receivers`; `start` is where it is
    /// reported (the resource for an `AlertmanagerConfig`).
    fn config(&mut self, config: &Node, format: &str, start: &Node) {
        let route = config.get("route");
        let default_receiver = route.and_then(|r| text_of(r.get("receiver")));
        let mut referenced = BTreeSet::new();
        let mut routes = 0u32;
        if let Some(route) = route {
            collect_routes(route, &mut referenced, &mut routes, 0);
        }
        if format == "alertmanager" && default_receiver.is_none() && !self.templated {
            self.out.diagnostic(
                Diagnostic::new(
                    Severity::Error,
                    "invalid-alertmanager-config",
                    "the top-level route has no `receiver`; Alertmanager refuses the configuration",
                )
                .at(self.path, route.map(|r| r.pos)),
            );
        }

        let mut defined = BTreeSet::new();
        let mut tree_receivers = Vec::new();
        let mut receivers = 0u32;
        for item in config
            .get("receivers")
            .map(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(name) = text_of(item.get("name")) else {
                continue;
            };
            receivers += 1;
            defined.insert(name.clone());
            let mut integrations: Vec<(String, &Node)> = item
                .as_map()
                .iter()
                .filter(|(_, v)| !is_empty(v))
                .filter_map(|(k, _)| Some((integration(k.as_str()?)?, k)))
                .collect();
            integrations.sort_by(|a, b| a.0.cmp(&b.0));
            integrations.dedup_by(|a, b| a.0 == b.0);
            let paging = integrations
                .iter()
                .any(|(i, _)| PAGING_INTEGRATIONS.contains(&i.as_str()));
            for (provider, key) in &integrations {
                if ONCALL_PROVIDERS.contains(&provider.as_str()) {
                    self.out.evidence.oncall.push(OnCall {
                        // VictorOps is now Splunk On-Call; one provider name across formats.
                        provider: if provider == "victorops" {
                            "splunk-oncall".to_string()
                        } else {
                            provider.clone()
                        },
                        kind: "receiver".to_string(),
                        name: name.clone(),
                        source: Source::new(self.path, Some(key.pos)),
                    });
                }
            }
            let source = Source::new(self.path, Some(item.pos));
            tree_receivers.push(routing::TreeReceiver {
                name: name.clone(),
                paging,
                source: source.clone(),
            });
            self.out.evidence.receivers.push(Receiver {
                address: None,
                used: referenced.contains(&name),
                name,
                integrations: integrations.into_iter().map(|(i, _)| i).collect(),
                paging,
                routed_alerts: None,
                source,
            });
        }

        let undefined_receivers: Vec<String> = referenced
            .iter()
            .filter(|r| !defined.contains(*r))
            .filter(|r| !(r.contains(TEMPLATE_PLACEHOLDER) || r.contains("{{")))
            .cloned()
            .collect();
        let source = Source::new(self.path, Some(start.pos));
        if let Some(route) = route {
            let crd = format == "alertmanager-config-crd";
            let mut root = self.route(route, 0);
            if crd {
                root.matchers.push(namespace_matcher(start));
            }
            self.out.routing_trees.push(RoutingTree {
                system: RoutingSystem::Alertmanager,
                format: format.to_string(),
                source: source.clone(),
                root,
                root_matchers_apply: crd,
                receivers: tree_receivers,
                undefined: undefined_receivers.iter().cloned().collect(),
            });
        }
        self.out.evidence.alert_routing.push(AlertRouting {
            format: format.to_string(),
            default_receiver,
            routes,
            receivers,
            undefined_receivers,
            source,
        });
    }

    /// The route tree below `node`, with its matchers.
    fn route(&mut self, node: &Node, depth: u32) -> Route {
        let mut route = Route {
            receiver: text_of(node.get("receiver")),
            continue_: node.get("continue").and_then(Node::as_bool) == Some(true),
            ..Route::default()
        };
        for (op, key) in [(MatchOp::Equal, "match"), (MatchOp::Regex, "match_re")] {
            for (name, value) in node.get(key).map(Node::as_map).unwrap_or_default() {
                let (Some(name), Some(text)) = (name.scalar_text(), value.scalar_text()) else {
                    continue;
                };
                let matcher = Matcher::new(&name, op, &text);
                if let Some(why) = &matcher.error {
                    self.bad_matcher(value, &format!("{name}=~{text:?}"), why);
                }
                route.matchers.push(matcher);
            }
        }
        for item in node.get("matchers").map(Node::as_seq).unwrap_or_default() {
            self.matcher_item(item, &mut route.matchers);
        }
        if depth < 64 {
            for sub in node.get("routes").map(Node::as_seq).unwrap_or_default() {
                if sub.is_map() {
                    route.routes.push(self.route(sub, depth + 1));
                }
            }
        }
        route
    }

    /// One entry of `matchers`: a string (`severity="critical"`, `{a="b", c=~"d"}`) or
    /// an `AlertmanagerConfig` object (`{name, value, matchType}` or the older `regex`).
    fn matcher_item(&mut self, item: &Node, matchers: &mut Vec<Matcher>) {
        if item.is_map() {
            let name = text_of(item.get("name")).unwrap_or_default();
            if let Some((key, value)) = item.entry("matchType")
                && matches!(value.value, Value::Null)
                && self.written_as_tag(key)
            {
                self.out.diagnostic(
                    Diagnostic::new(
                        Severity::Warning,
                        "yaml-tag-as-value",
                        format!(
                            "`matchType: !…` is a YAML tag, not text: the matcher on `{name}` has an empty match type, which Prometheus Operator takes for `=` (when the API server accepts it); quote the operator, e.g. `matchType: \"!=\"`"
                        ),
                    )
                    .at(self.path, Some(key.pos)),
                );
            }
            let value = item
                .get("value")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let op = match text_of(item.get("matchType")) {
                Some(op) => MatchOp::parse(&op),
                None if item.get("regex").and_then(Node::as_bool) == Some(true) => {
                    Some(MatchOp::Regex)
                }
                None => Some(MatchOp::Equal),
            };
            let Some(op) = op else {
                let shown = text_of(item.get("matchType")).unwrap_or_default();
                if routing::is_templated(&shown) {
                    matchers.push(Matcher::unknown(&name, MatchOp::Equal));
                } else {
                    let why = format!("unknown matchType `{shown}`");
                    self.bad_matcher(item, &name, &why);
                    matchers.push(Matcher::never(&name, &why));
                }
                return;
            };
            let matcher = Matcher::new(&name, op, &value);
            if let Some(why) = &matcher.error {
                self.bad_matcher(item, &format!("{name}=~{value:?}"), why);
            }
            matchers.push(matcher);
            return;
        }
        let Some(text) = item.scalar_text() else {
            return;
        };
        match routing::parse_matchers(&text) {
            Ok(parsed) => {
                for matcher in parsed {
                    if let Some(why) = &matcher.error {
                        self.bad_matcher(item, &text, why);
                    }
                    matchers.push(matcher);
                }
            }
            Err(_) if routing::is_templated(&text) => {
                matchers.push(Matcher::unknown("", MatchOp::Equal));
            }
            Err(why) => {
                self.bad_matcher(item, &text, &why);
                matchers.push(Matcher::never(&text, &why));
            }
        }
    }

    /// Whether the value of the entry whose key is `key` is written as a tag (`key: !=`).
    fn written_as_tag(&self, key: &Node) -> bool {
        crate::parse::yaml::value_written_with(self.text, key, '!')
    }

    fn bad_matcher(&mut self, at: &Node, matcher: &str, why: &str) {
        self.out.diagnostic(
            Diagnostic::new(
                Severity::Error,
                "invalid-alertmanager-config",
                format!(
                    "the route matcher `{matcher}` is not valid ({why}); Alertmanager refuses the configuration, and opready takes the matcher as never matching"
                ),
            )
            .at(self.path, Some(at.pos)),
        );
    }
}

/// The matcher Prometheus Operator adds to the top-level route of an `AlertmanagerConfig`:
/// `namespace` equal to the resource's namespace, unknown when the namespace is chosen at
/// install time (not written, or templated).
fn namespace_matcher(resource: &Node) -> Matcher {
    match text_of(resource.at(&["metadata", "namespace"])) {
        Some(ns) => Matcher::new("namespace", MatchOp::Equal, &ns),
        None => Matcher::unknown("namespace", MatchOp::Equal),
    }
}

/// Receivers referenced by `route` and its sub-routes, and the number of sub-routes.
fn collect_routes(route: &Node, referenced: &mut BTreeSet<String>, routes: &mut u32, depth: u32) {
    if let Some(receiver) = text_of(route.get("receiver")) {
        referenced.insert(receiver);
    }
    if depth > 64 {
        return;
    }
    for sub in route.get("routes").map(Node::as_seq).unwrap_or_default() {
        if sub.is_map() {
            *routes += 1;
            collect_routes(sub, referenced, routes, depth + 1);
        }
    }
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Detection;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    fn detect(files: &[(&str, &str)]) -> Detection {
        run(files, &[&Alertmanager])
    }

    #[test]
    fn integration_names() {
        assert_eq!(
            integration("pagerduty_configs").as_deref(),
            Some("pagerduty")
        );
        assert_eq!(integration("opsgenieConfigs").as_deref(), Some("opsgenie"));
        assert_eq!(integration("msteamsv2_configs").as_deref(), Some("msteams"));
        assert_eq!(integration("webex_configs").as_deref(), Some("webex"));
        assert_eq!(integration("name"), None);
        assert_eq!(integration("_configs"), None);
    }

    const CONFIG: &str = r#"global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity = "critical"']
      receiver: oncall
      routes:
        - matchers: ['team = "db"']
          receiver: db-oncall
    - matchers: ['severity = "warning"']
      receiver: team-slack
    - matchers: ['alertname = "Watchdog"']
      receiver: deadmans-snitch
receivers:
  - name: default
    email_configs:
      - to: team@example.com
  - name: oncall
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/pagerduty
    slack_configs:
      - channel: '#incidents'
  - name: team-slack
    slack_configs:
      - channel: '#alerts'
  - name: unused-opsgenie
    opsgenie_configs:
      - api_key_file: /etc/alertmanager/opsgenie
  - name: 'null'
"#;

    #[test]
    fn plain_configuration() {
        let d = detect(&[("alertmanager/alertmanager.yml", CONFIG)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let routing = &d.evidence.alert_routing;
        assert_eq!(routing.len(), 1);
        let r = &routing[0];
        assert_eq!(r.format, "alertmanager");
        assert_eq!(r.default_receiver.as_deref(), Some("default"));
        assert_eq!(r.routes, 4);
        assert_eq!(r.receivers, 5);
        assert_eq!(r.undefined_receivers, ["db-oncall", "deadmans-snitch"]);
        assert_eq!(r.source.line, Some(1));

        let receivers = &d.evidence.receivers;
        let names: Vec<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["default", "oncall", "team-slack", "unused-opsgenie", "null"]
        );
        let oncall = &receivers[1];
        assert_eq!(oncall.integrations, ["pagerduty", "slack"]);
        assert!(oncall.paging && oncall.used);
        assert_eq!(oncall.source.line, Some(20));
        assert!(!receivers[2].paging && receivers[2].used);
        assert!(receivers[3].paging && !receivers[3].used);
        assert!(receivers[4].integrations.is_empty() && !receivers[4].used);

        let on: Vec<(&str, &str, &str, Option<u32>)> = d
            .evidence
            .oncall
            .iter()
            .map(|o| {
                (
                    o.provider.as_str(),
                    o.kind.as_str(),
                    o.name.as_str(),
                    o.source.line,
                )
            })
            .collect();
        assert_eq!(
            on,
            [
                ("pagerduty", "receiver", "oncall", Some(21)),
                ("opsgenie", "receiver", "unused-opsgenie", Some(29)),
            ]
        );
    }

    #[test]
    fn secret_holding_the_configuration() {
        let text = r#"apiVersion: v1
kind: Secret
metadata:
  name: alertmanager-main
stringData:
  alertmanager.yaml: |-
    "receivers":
    - "name": "Default"
    - "name": "Critical"
      "pagerduty_configs":
      - "service_key": "xyz"
    "route":
      "receiver": "Default"
      "routes":
      - "matchers":
        - "severity = critical"
        "receiver": "Critical"
type: Opaque
"#;
        let d = detect(&[("manifests/alertmanager-secret.yaml", text)]);
        let r = &d.evidence.alert_routing[0];
        assert_eq!(r.routes, 1);
        assert_eq!(r.source.line, Some(7));
        let critical = &d.evidence.receivers[1];
        assert_eq!(critical.name, "Critical");
        assert_eq!(
            (critical.source.line, critical.source.column),
            (Some(9), Some(7))
        );
        assert!(critical.paging && critical.used);
    }

    #[test]
    fn alertmanager_config_resource() {
        let text = r#"apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: general
spec:
  route:
    receiver: 'null'
    routes:
    - matchers:
        - name: severity
          value: page
      receiver: pagerduty
  receivers:
  - name: 'null'
  - name: pagerduty
    pagerdutyConfigs:
    - routingKey:
        name: alertmanager-receivers
        key: pagerduty_routing_key
  - name: slack
    slackConfigs:
    - channel: '#alerts'
"#;
        let d = detect(&[("charts/am/templates/amc.yaml", text)]);
        let r = &d.evidence.alert_routing[0];
        assert_eq!(r.format, "alertmanager-config-crd");
        assert_eq!(r.source.line, Some(1));
        assert_eq!((r.routes, r.receivers), (1, 3));
        let pd = &d.evidence.receivers[1];
        assert_eq!(pd.integrations, ["pagerduty"]);
        assert!(pd.paging && pd.used);
        assert!(!d.evidence.receivers[2].used);
        assert_eq!(d.evidence.oncall.len(), 1);
    }

    #[test]
    fn helm_values_enabled_and_disabled() {
        let text = r#"alertmanager:
  config:
    route:
      receiver: ops
    receivers:
      - name: ops
        opsgenie_configs:
          - api_key: x
staging:
  alertmanager:
    enabled: false
    config:
      route:
        receiver: off
      receivers:
        - name: off
"#;
        let d = detect(&[("values.yaml", text)]);
        assert_eq!(d.evidence.alert_routing.len(), 1);
        assert_eq!(d.evidence.alert_routing[0].source.line, Some(3));
        assert_eq!(d.evidence.receivers[0].name, "ops");
    }

    #[test]
    fn helm_values_using_an_existing_secret_render_no_config() {
        let text = r#"alertmanager:
  alertmanagerSpec:
    useExistingSecret: true
    configSecret: alertmanager-prod
  config:
    route:
      receiver: default-from-chart
    receivers:
      - name: default-from-chart
"#;
        let d = detect(&[("values.yaml", text)]);
        assert!(d.evidence.alert_routing.is_empty());
        assert!(d.evidence.receivers.is_empty());
    }

    #[test]
    fn bracket_delimited_template() {
        let text = r#"route:
  receiver: root
  routes:
  [[- if .MimirEnabled ]]
  - receiver: heartbeat
    matchers:
    - alertname="Heartbeat"
  [[- end ]]
  - receiver: opsgenie_router
    matchers:
    - severity="page"
receivers:
- name: root
[[- if .MimirEnabled ]]
- name: heartbeat
  webhook_configs:
  - url: https://api.opsgenie.com/v2/heartbeats/[[ .Installation ]]/ping
[[- end ]]
- name: opsgenie_router
  opsgenie_configs:
  - api_key: [[ .OpsgenieKey ]]
    tags: "{{ (index .Alerts 0).Labels.alertname }}"
"#;
        let d = detect(&[("files/templates/alertmanager/alertmanager.yaml", text)]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let r = &d.evidence.alert_routing[0];
        assert_eq!((r.routes, r.receivers), (2, 3));
        assert!(r.undefined_receivers.is_empty());
        let og = &d.evidence.receivers[2];
        assert_eq!(og.name, "opsgenie_router");
        assert_eq!(og.source.line, Some(19));
        assert!(og.paging && og.used);
    }

    #[test]
    fn terraform_template_file_and_missing_root_receiver() {
        let text = "route:\n  group_by: [alertname]\nreceivers:\n  - name: x\n    pagerduty_configs:\n      - service_key: \"${pd_key}\"\n";
        let d = detect(&[("terraform/modules/am/templates/alertmanager.tpl", text)]);
        assert_eq!(d.evidence.alert_routing.len(), 1);
        let codes: Vec<&str> = d.diagnostics.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, ["invalid-alertmanager-config"]);
    }

    #[test]
    fn otel_collector_receivers_are_not_alertmanager() {
        let text = "receivers:\n  otlp:\n    protocols: {grpc: {}}\nconnectors:\n  routing:\n    table:\n      - statement: route()\n";
        let d = detect(&[("otel/config.yaml", text)]);
        assert!(d.evidence.alert_routing.is_empty() && d.diagnostics.is_empty());
    }

    fn routed(config: (&str, &str), rules: &str) -> Detection {
        run(
            &[config, ("rules/alerts.rules.yml", rules)],
            &[
                &Alertmanager,
                &super::super::prometheus_rules::PrometheusRules,
            ],
        )
    }

    fn routed_to<'a>(d: &'a Detection, alert: &str) -> Vec<&'a str> {
        d.evidence
            .alerts
            .iter()
            .find(|a| a.name == alert)
            .map(|a| a.routed_to.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    const TEAM_RULES: &str = r#"groups:
  - name: g
    rules:
      - alert: DbDown
        expr: up{job="db"} == 0
        labels: {severity: critical, team: db}
      - alert: WebSlow
        expr: latency_seconds > 1
        labels: {severity: warning, team: web}
"#;

    #[test]
    fn route_matchers_of_every_form_are_kept_for_routing() {
        let config = r#"route:
  receiver: default
  routes:
    - match: {team: db}
      match_re: {severity: "crit.*"}
      receiver: db-pager
    - matchers: ['team="web"', 'severity!~"crit.*"']
      receiver: web-slack
receivers:
  - name: default
  - name: db-pager
  - name: web-slack
"#;
        let d = routed(("alertmanager.yml", config), TEAM_RULES);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(routed_to(&d, "DbDown"), ["db-pager"]);
        assert_eq!(routed_to(&d, "WebSlow"), ["web-slack"]);
    }

    #[test]
    fn alertmanager_config_matcher_objects() {
        let config = r#"apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: teams}
spec:
  route:
    receiver: default
    routes:
      - matchers:
          - {name: team, value: "db|storage", matchType: "=~"}
        receiver: db
      - matchers:
          - {name: severity, value: "crit.*", regex: true}
        receiver: critical
      - matchers:
          - {name: team, value: db, matchType: "!="}
        receiver: not-db
  receivers:
    - name: default
    - name: db
    - name: critical
    - name: not-db
"#;
        let d = routed(("amc.yaml", config), TEAM_RULES);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(routed_to(&d, "DbDown"), ["db"]);
        assert_eq!(routed_to(&d, "WebSlow"), ["not-db"]);
    }

    #[test]
    fn an_unquoted_match_type_is_a_yaml_tag() {
        // alphagov/govuk-helm-charts writes `matchType: !=` unquoted: YAML reads a tag
        // and an empty value, which Prometheus Operator takes for `=`.
        let config = r#"apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: teams}
spec:
  route:
    receiver: default
    routes:
      - matchers:
          - name: team
            value: db
            matchType: !=
        receiver: not-db
  receivers:
    - name: default
    - name: not-db
"#;
        let d = routed(("amc.yaml", config), TEAM_RULES);
        let got: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|x| (x.code.as_str(), x.line))
            .collect();
        assert_eq!(got, [("yaml-tag-as-value", Some(11))]);
        assert_eq!(d.diagnostics[0].severity, Severity::Warning);
        assert_eq!(routed_to(&d, "DbDown"), ["not-db"]);
        assert_eq!(routed_to(&d, "WebSlow"), ["default"]);
    }

    #[test]
    fn matchers_alertmanager_refuses_are_reported_and_never_match() {
        let config = r#"route:
  receiver: default
  routes:
    - matchers: ['team=~"(db"']
      receiver: broken-regex
    - matchers: ['team db']
      receiver: broken-matcher
    - match_re: {severity: "[crit"}
      receiver: broken-match-re
receivers:
  - name: default
  - name: broken-regex
  - name: broken-matcher
  - name: broken-match-re
"#;
        let d = routed(("alertmanager.yml", config), TEAM_RULES);
        let mut got: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|x| (x.code.as_str(), x.line))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("invalid-alertmanager-config", Some(4)),
                ("invalid-alertmanager-config", Some(6)),
                ("invalid-alertmanager-config", Some(8)),
            ]
        );
        assert!(
            d.diagnostics
                .iter()
                .any(|x| x.line == Some(4) && x.message.contains("`team=~\"(db\"`")),
            "{:?}",
            d.diagnostics
        );
        assert_eq!(routed_to(&d, "DbDown"), ["default"]);
    }

    #[test]
    fn templated_matchers_may_match() {
        let config = r#"route:
  receiver: default
  routes:
    - matchers: ['team="{{ .Values.team }}"']
      receiver: team
    - matchers: ['{{ .Values.extraMatcher }}']
      receiver: extra
receivers:
  - name: default
  - name: team
  - name: extra
"#;
        let d = routed(("templates/alertmanager.yaml", config), TEAM_RULES);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(routed_to(&d, "DbDown"), ["default", "extra", "team"]);
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-alertmanager", &[&Alertmanager]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let routing: Vec<(&str, &str, Option<&str>, u32)> = d
            .evidence
            .alert_routing
            .iter()
            .map(|r| {
                (
                    r.source.path.as_str(),
                    r.format.as_str(),
                    r.default_receiver.as_deref(),
                    r.routes,
                )
            })
            .collect();
        assert_eq!(
            routing,
            [
                (
                    "alertmanager/alertmanager.yml",
                    "alertmanager",
                    Some("team-slack"),
                    3
                ),
                (
                    "deploy/alertmanager-secret.yaml",
                    "alertmanager",
                    Some("default"),
                    1
                ),
                (
                    "deploy/alertmanagerconfig.yaml",
                    "alertmanager-config-crd",
                    Some("payments-slack"),
                    1
                ),
            ]
        );
        let providers: Vec<&str> = d
            .evidence
            .oncall
            .iter()
            .map(|o| o.provider.as_str())
            .collect();
        assert_eq!(providers, ["pagerduty", "opsgenie", "splunk-oncall"]);
        assert!(d.evidence.receivers.iter().all(|r| r.used));
    }
}
