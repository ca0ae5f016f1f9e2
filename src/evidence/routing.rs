//! Alert routing trees, and which receivers an alert reaches through them.
//!
//! Detectors of routing configurations (Alertmanager files and `AlertmanagerConfig`
//! resources; Grafana notification policies can push theirs with
//! [`RoutingSystem::Grafana`]) keep each tree in `Collector::routing_trees`; the link
//! stage routes every alert of the repository through the trees of its kind and fills
//! `routed_to`, `route_problem` and `routed_to_paging` on the alert and `routed_alerts`
//! on each receiver.
//!
//! ## Semantics
//! Alertmanager's: the tree is walked depth first from the top-level route, which matches
//! every alert. A route matches when all its matchers (`match`, `match_re`, `matchers`)
//! hold on the alert's labels; a matching route hands the alert to its first matching
//! child, and to the siblings after it too when that child has `continue: true`. A
//! matching route none of whose children match delivers to its own receiver, inherited
//! from its parent when unset. Regular expressions are anchored (`^(?:re)$`).
//!
//! ## What a rule file cannot say
//! An alert's labels at run time are its rule's labels plus its series' labels plus the
//! external labels of the Prometheus that evaluates it; a rule file states only the first.
//! - `alertname` and the labels the rule sets are known.
//! - A label that other rules of the repository set themselves (`severity`, `team`,
//!   `destination`) but this rule does not is taken as absent, as Alertmanager compares a
//!   missing label (`""`) — unless it is one that series and external labels usually
//!   carry ([`SERIES_LABELS`]: `namespace`, `cluster`, `environment`, …).
//! - Any other label, and a value set from a template (`{{ $labels.team }}`), is unknown:
//!   a matcher on it may hold or not. Routing follows both, remembering what it assumed
//!   (so that `env="prod"` and `env!="prod"` on two siblings are never both false), and
//!   `routed_to` lists every receiver the alert *can* reach.
//!
//! Prometheus Operator adds a `namespace="<namespace of the resource>"` matcher to the
//! top-level route of every `AlertmanagerConfig` (unless the Alertmanager sets
//! `alertmanagerConfigMatcherStrategy: None`). The namespace an alert fires in comes from
//! its series, so this matcher is added and usually stays undecided: the alert may reach
//! the resource's routes. Each `AlertmanagerConfig` is routed on its own, as if it were
//! the whole configuration; the operator's merge into the Alertmanager's main tree (where
//! these routes come first, with `continue: true`) is not rebuilt.

use std::collections::BTreeSet;

use regex::{Regex, RegexBuilder};

use crate::evidence::{Alert, Source};
use crate::parse::yaml::TEMPLATE_PLACEHOLDER;

/// Largest compiled size of a matcher's regular expression: real matchers are a few
/// alternatives; a larger one is refused rather than allowed to cost time and memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Deepest route nesting followed; real trees are a few levels deep.
const MAX_DEPTH: u32 = 64;

/// The alerts a routing tree handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingSystem {
    /// Alertmanager: alerts evaluated by Prometheus and compatible rulers (Thanos, Loki,
    /// Mimir, Cortex, vmalert).
    Alertmanager,
    /// Grafana notification policies: Grafana-managed alerts.
    Grafana,
}

/// Alert formats (by prefix) whose alerts are sent to Alertmanager.
const ALERTMANAGER_FORMATS: &[&str] = &[
    "prometheus",
    "thanos",
    "loki",
    "mimir",
    "cortex",
    "vmalert",
    "victoriametrics",
];

impl RoutingSystem {
    /// The routing system alerts of a format go through, `None` for alerts that notify
    /// by themselves (a Datadog monitor, a CloudWatch alarm).
    pub fn of_alert_format(format: &str) -> Option<RoutingSystem> {
        if format.starts_with("grafana") {
            Some(RoutingSystem::Grafana)
        } else if ALERTMANAGER_FORMATS.iter().any(|f| format.starts_with(f)) {
            Some(RoutingSystem::Alertmanager)
        } else {
            None
        }
    }
}

/// One routing configuration: a tree of routes and the receivers it defines.
#[derive(Debug, Clone)]
pub struct RoutingTree {
    pub system: RoutingSystem,
    /// `alertmanager` or `alertmanager-config-crd`, as in `alert_routing`.
    pub format: String,
    /// Where the configuration is: the source of its `alert_routing` item.
    pub source: Source,
    /// The top-level route.
    pub root: Route,
    /// Whether the top-level route's own matchers apply: an `AlertmanagerConfig`'s top
    /// route is a child of the Alertmanager's tree, an Alertmanager's root matches all.
    pub root_matchers_apply: bool,
    /// The receivers defined, in order.
    pub receivers: Vec<TreeReceiver>,
    /// Receivers a route names that are not defined (templated names excluded).
    pub undefined: BTreeSet<String>,
}

/// A receiver defined by a tree, as listed in `receivers`.
#[derive(Debug, Clone)]
pub struct TreeReceiver {
    pub name: String,
    pub paging: bool,
    /// The source of its `receivers` item.
    pub source: Source,
}

/// One route of a tree.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub receiver: Option<String>,
    pub matchers: Vec<Matcher>,
    /// `continue: true`: siblings after this route are tried even when it matches.
    pub continue_: bool,
    pub routes: Vec<Route>,
}

/// How a matcher compares a label with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    pub fn parse(op: &str) -> Option<MatchOp> {
        Some(match op.trim() {
            "=" | "" => MatchOp::Equal,
            "!=" => MatchOp::NotEqual,
            "=~" => MatchOp::Regex,
            "!~" => MatchOp::NotRegex,
            _ => return None,
        })
    }

    fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }
}

/// A label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// The value is not known until deployment (a template, a namespace chosen at install).
    pub value_unknown: bool,
    /// The anchored expression, for regex matchers whose value is known and compiles.
    regex: Option<Regex>,
    /// Why the matcher is one Alertmanager refuses (a regex that does not compile): it
    /// never holds.
    pub error: Option<String>,
}

impl Matcher {
    /// A matcher. A regex that does not compile gives a matcher that never holds, with the
    /// compiler's reason in `error` for the caller to report.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Matcher {
        let value_unknown = is_templated(value);
        let mut matcher = Matcher {
            name: name.trim().to_string(),
            op,
            value: value.to_string(),
            value_unknown,
            regex: None,
            error: None,
        };
        if op.is_regex() && !value_unknown {
            match RegexBuilder::new(&format!("^(?:{value})$"))
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(re) => matcher.regex = Some(re),
                Err(err) => matcher.error = Some(first_line(&err.to_string())),
            }
        }
        matcher
    }

    /// A matcher that never holds: one Alertmanager refuses, for `why`.
    pub fn never(name: &str, why: &str) -> Matcher {
        Matcher {
            name: name.to_string(),
            op: MatchOp::Equal,
            value: String::new(),
            value_unknown: false,
            regex: None,
            error: Some(why.to_string()),
        }
    }

    /// A matcher whose value is not known statically (`namespace` of a resource whose
    /// namespace is chosen at install time).
    pub fn unknown(name: &str, op: MatchOp) -> Matcher {
        Matcher {
            name: name.to_string(),
            op,
            value: String::new(),
            value_unknown: true,
            regex: None,
            error: None,
        }
    }

    /// Whether the matcher holds on `labels`.
    pub fn holds(&self, labels: &AlertLabels) -> Truth {
        if self.error.is_some() {
            return Truth::No;
        }
        if self.value_unknown {
            return Truth::Maybe;
        }
        match labels.get(&self.name) {
            Some(actual) => Truth::from(self.holds_on(actual)),
            None => Truth::Maybe,
        }
    }

    /// Whether the matcher holds when its label has the value `actual` (`""` when absent,
    /// as Alertmanager compares a missing label).
    fn holds_on(&self, actual: &str) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.op {
            MatchOp::Equal => actual == self.value,
            MatchOp::NotEqual => actual != self.value,
            MatchOp::Regex => self.regex.as_ref().is_some_and(|re| re.is_match(actual)),
            MatchOp::NotRegex => self.regex.as_ref().is_some_and(|re| !re.is_match(actual)),
        }
    }

    /// The value the label must have when this matcher holds (`holds`) or fails.
    fn pins(&self, holds: bool) -> Option<&str> {
        match (self.op, holds) {
            (MatchOp::Equal, true) | (MatchOp::NotEqual, false) => Some(&self.value),
            _ => None,
        }
    }
}

fn first_line(text: &str) -> String {
    // The regex crate's messages are multi-line drawings of the pattern; keep the verdict.
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .or_else(|| text.lines().next())
        .unwrap_or_default()
        .trim()
        .trim_start_matches("error:")
        .trim()
        .to_string()
}

/// Whether a value holds a template expression, whose value is not known.
pub fn is_templated(value: &str) -> bool {
    value.contains(TEMPLATE_PLACEHOLDER)
        || value.contains("{{")
        || value.contains("$labels")
        || value.contains("${")
}

/// Parses one entry of Alertmanager's `matchers` list: one matcher (`severity = "critical"`,
/// `team!=db`, `alertname=~"Kube.*"`) or several in the list syntax
/// (`{severity="critical", team=~"db|storage"}`), as Alertmanager reads them: values may
/// be double-quoted (with `\"`, `\\` and `\n` escapes) or bare; label names may be quoted.
/// A regex that does not compile gives a matcher with an `error`.
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let trimmed = text.trim();
    let inner = trimmed.strip_prefix('{').unwrap_or(trimmed);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    let mut out = Vec::new();
    for token in split_outside_quotes(inner) {
        let token = token.trim();
        if token.is_empty() {
            continue;
        }
        out.push(parse_matcher(token)?);
    }
    if out.is_empty() {
        return Err("no matcher in it".to_string());
    }
    Ok(out)
}

/// Splits at commas that are not inside double quotes.
fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\\' => {
                escaped = !escaped;
                continue;
            }
            '"' if !escaped => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        escaped = false;
    }
    parts.push(&text[start..]);
    parts
}

fn parse_matcher(token: &str) -> Result<Matcher, String> {
    let bad = || "not of the form `label=value` (or `!=`, `=~`, `!~`)".to_string();
    let (name, rest) = if let Some(quoted) = token.strip_prefix('"') {
        let (name, len) = unquote(quoted).ok_or_else(bad)?;
        (name, quoted[len..].trim_start())
    } else {
        let end = token
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(token.len());
        let name = &token[..end];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad());
        }
        (name.to_string(), token[end..].trim_start())
    };
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .ok_or_else(bad)?;
    let op = MatchOp::parse(op).ok_or_else(bad)?;
    let value = match value.strip_prefix('"') {
        Some(quoted) => {
            let (value, len) =
                unquote(quoted).ok_or_else(|| "the value's quote is not closed".to_string())?;
            if !quoted[len..].trim().is_empty() {
                return Err("text after the quoted value".to_string());
            }
            value
        }
        None => value.to_string(),
    };
    Ok(Matcher::new(&name, op, &value))
}

/// Reads a double-quoted string whose opening quote is already consumed: the unescaped
/// text and the number of bytes read, closing quote included.
fn unquote(text: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            match c {
                'n' => out.push('\n'),
                '"' | '\\' => out.push(c),
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return Some((out, i + 1));
        } else {
            out.push(c);
        }
    }
    None
}

/// Whether a condition holds, when some labels are only known at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No,
    /// Depends on labels the rule does not state.
    Maybe,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b { Truth::Yes } else { Truth::No }
    }
}

impl Truth {
    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Maybe, _) | (_, Truth::Maybe) => Truth::Maybe,
            _ => Truth::Yes,
        }
    }
}

/// Labels that targets, series and external labels usually carry: never taken as absent
/// from an alert whose rule does not set them.
pub const SERIES_LABELS: &[&str] = &[
    "namespace",
    "cluster",
    "environment",
    "env",
    "region",
    "job",
    "instance",
    "pod",
    "container",
    "service",
    "node",
    "prometheus",
    "tenant",
];

/// What is known of an alert's labels at run time: the labels its rule states (with
/// `alertname`), and the labels known to be absent. Any other label may come from the
/// series or external labels and is unknown.
#[derive(Debug, Clone, Default)]
pub struct AlertLabels {
    labels: Vec<(String, String)>,
    absent: BTreeSet<String>,
}

impl AlertLabels {
    /// The labels of `alert`. `rule_labels` are label names that rules of the repository
    /// set themselves (`severity`, `team`, `destination`): an alert whose rule does not set
    /// one lacks it, unless it is one of [`SERIES_LABELS`]. Templated values are unknown.
    pub fn of(alert: &Alert, rule_labels: &BTreeSet<String>) -> Self {
        let mut labels: Vec<(String, String)> = alert
            .labels
            .iter()
            .filter(|(k, v)| k.as_str() != "alertname" && !is_templated(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !is_templated(&alert.name) {
            labels.push(("alertname".to_string(), alert.name.clone()));
        }
        let absent = rule_labels
            .iter()
            .filter(|l| !alert.labels.contains_key(*l) && !SERIES_LABELS.contains(&l.as_str()))
            .cloned()
            .collect();
        AlertLabels { labels, absent }
    }

    /// Label names that rules set themselves, from the labels of `alerts`.
    pub fn rule_labels<'a>(alerts: impl Iterator<Item = &'a Alert>) -> BTreeSet<String> {
        alerts
            .flat_map(|a| a.labels.keys())
            .filter(|k| !is_templated(k))
            .cloned()
            .collect()
    }

    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        AlertLabels {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            absent: BTreeSet::new(),
        }
    }

    /// Marks labels as known to be absent.
    pub fn without(mut self, absent: &[&str]) -> Self {
        self.absent.extend(absent.iter().map(|a| a.to_string()));
        self
    }

    /// The label's value: `""` when known to be absent, `None` when unknown.
    fn get(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.absent.contains(name).then_some(""))
    }
}

/// Most label assignments tried per alert and tree before settling for the coarser
/// answer of [`visit`].
const MAX_WORLDS: usize = 512;

impl RoutingTree {
    /// Every receiver the alert can reach, sorted; empty when no route can take it.
    ///
    /// Each matcher on an unknown label splits the alert in two: one whose label makes the
    /// matcher hold, one whose label makes it fail. Assumptions are remembered, so that
    /// `environment="production"` and `environment!="production"` on two siblings are
    /// not both taken as failing. Every consistent assignment is routed (up to
    /// `MAX_WORLDS`; beyond that, each undecided matcher is followed both ways on its own).
    pub fn reach(&self, labels: &AlertLabels) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut pending: Vec<Vec<bool>> = vec![Vec::new()];
        let mut worlds = 0usize;
        while let Some(decisions) = pending.pop() {
            worlds += 1;
            if worlds > MAX_WORLDS {
                out.clear();
                visit(
                    &self.root,
                    labels,
                    None,
                    self.root_matchers_apply,
                    0,
                    &mut out,
                );
                return out;
            }
            let mut world = World {
                labels,
                decisions: &decisions,
                taken: Vec::new(),
                branches: Vec::new(),
                assumed: Vec::new(),
            };
            deliver(
                &self.root,
                &mut world,
                None,
                self.root_matchers_apply,
                0,
                &mut out,
            );
            pending.extend(world.branches);
        }
        out
    }

    /// Whether the receiver a route names is defined here (or cannot be known).
    pub fn defines(&self, name: &str) -> bool {
        !self.undefined.contains(name)
    }

    pub fn is_paging(&self, name: &str) -> bool {
        self.receivers.iter().any(|r| r.name == name && r.paging)
    }
}

/// One assignment of the unknown labels, decided as routing meets them.
struct World<'a> {
    labels: &'a AlertLabels,
    /// Decisions to replay (`true`: the matcher holds), from an earlier run.
    decisions: &'a [bool],
    /// Decisions taken in this run.
    taken: Vec<bool>,
    /// Runs still to make: a prefix of decisions ending in a `false` not yet tried.
    branches: Vec<Vec<bool>>,
    /// Matchers on unknown labels, with whether they were taken to hold.
    assumed: Vec<(&'a Matcher, bool)>,
}

impl<'a> World<'a> {
    fn decide(&mut self, m: &'a Matcher) -> bool {
        if m.error.is_some() {
            return false;
        }
        if m.value_unknown {
            return self.choose();
        }
        if let Some(actual) = self.labels.get(&m.name) {
            return m.holds_on(actual);
        }
        let on_label: Vec<(&Matcher, bool)> = self
            .assumed
            .iter()
            .filter(|(a, _)| a.name == m.name)
            .copied()
            .collect();
        if let Some(value) = on_label.iter().find_map(|(a, held)| a.pins(*held)) {
            return m.holds_on(value);
        }
        let implied = match m.op {
            // `x` is ruled out as the value when an assumption contradicts it.
            MatchOp::Equal | MatchOp::NotEqual => {
                let possible = on_label
                    .iter()
                    .all(|(a, held)| a.holds_on(&m.value) == *held);
                (!possible).then_some(m.op == MatchOp::NotEqual)
            }
            MatchOp::Regex | MatchOp::NotRegex => on_label.iter().find_map(|(a, held)| {
                (a.op.is_regex() && a.value == m.value).then_some((a.op == m.op) == *held)
            }),
        };
        if let Some(holds) = implied {
            return holds;
        }
        let holds = self.choose();
        self.assumed.push((m, holds));
        holds
    }

    /// The next decision: replayed, or `true` now and `false` in a later run.
    fn choose(&mut self) -> bool {
        let i = self.taken.len();
        let holds = match self.decisions.get(i) {
            Some(d) => *d,
            None => {
                let mut other = self.taken.clone();
                other.push(false);
                self.branches.push(other);
                true
            }
        };
        self.taken.push(holds);
        holds
    }
}

/// Routes the alert of `world` through `route` as Alertmanager does; adds the receivers
/// it delivers to and returns whether the route matched.
fn deliver<'a>(
    route: &'a Route,
    world: &mut World<'a>,
    inherited: Option<&'a str>,
    check_matchers: bool,
    depth: u32,
    out: &mut BTreeSet<String>,
) -> bool {
    if check_matchers && !route.matchers.iter().all(|m| world.decide(m)) {
        return false;
    }
    let receiver = route.receiver.as_deref().or(inherited);
    let mut taken = false;
    if depth < MAX_DEPTH {
        for child in &route.routes {
            if deliver(child, world, receiver, true, depth + 1, out) {
                taken = true;
                if !child.continue_ {
                    break;
                }
            }
        }
    }
    if !taken && let Some(receiver) = receiver {
        out.insert(receiver.to_string());
    }
    true
}

/// The coarse walk, for trees with too many undecided matchers: walks `route` for
/// `labels`, following each undecided matcher both ways on its own; adds the receivers it
/// can deliver to and returns whether its matchers hold (`None` when they certainly do
/// not).
fn visit(
    route: &Route,
    labels: &AlertLabels,
    inherited: Option<&str>,
    check_matchers: bool,
    depth: u32,
    out: &mut BTreeSet<String>,
) -> Option<Truth> {
    let truth = if check_matchers {
        route
            .matchers
            .iter()
            .fold(Truth::Yes, |t, m| t.and(m.holds(labels)))
    } else {
        Truth::Yes
    };
    if truth == Truth::No {
        return None;
    }
    let receiver = route.receiver.as_deref().or(inherited);
    // Whether some child certainly takes the alert, so that this route's own receiver
    // is not used.
    let mut taken = false;
    if depth < MAX_DEPTH {
        for child in &route.routes {
            let Some(child_truth) = visit(child, labels, receiver, true, depth + 1, out) else {
                continue;
            };
            if child_truth == Truth::Yes {
                taken = true;
                if !child.continue_ {
                    break;
                }
            }
            // A child that may match: the alert goes there, or on to the next sibling.
        }
    }
    if !taken && let Some(receiver) = receiver {
        out.insert(receiver.to_string());
    }
    Some(truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(text: &str) -> Matcher {
        let mut parsed = parse_matchers(text).expect("parses");
        assert_eq!(parsed.len(), 1, "{text}");
        let m = parsed.remove(0);
        assert!(m.error.is_none(), "{:?}", m.error);
        m
    }

    fn described(m: &Matcher) -> (String, MatchOp, String) {
        (m.name.clone(), m.op, m.value.clone())
    }

    #[test]
    fn alerts_go_to_the_routing_of_their_kind() {
        use RoutingSystem::*;
        assert_eq!(
            RoutingSystem::of_alert_format("prometheus-rules"),
            Some(Alertmanager)
        );
        assert_eq!(
            RoutingSystem::of_alert_format("prometheus-rule-crd"),
            Some(Alertmanager)
        );
        assert_eq!(
            RoutingSystem::of_alert_format("loki-rules"),
            Some(Alertmanager)
        );
        assert_eq!(
            RoutingSystem::of_alert_format("grafana-alert-rule"),
            Some(Grafana)
        );
        assert_eq!(RoutingSystem::of_alert_format("datadog-monitor"), None);
        assert_eq!(RoutingSystem::of_alert_format("cloudwatch-alarm"), None);
    }

    #[test]
    fn matcher_syntax() {
        let cases: &[(&str, (&str, MatchOp, &str))] = &[
            (
                "severity = critical",
                ("severity", MatchOp::Equal, "critical"),
            ),
            (
                "severity = \"critical\"",
                ("severity", MatchOp::Equal, "critical"),
            ),
            (
                "severity=\"critical\"",
                ("severity", MatchOp::Equal, "critical"),
            ),
            ("team!=db", ("team", MatchOp::NotEqual, "db")),
            (
                "alertname =~ \"Kube.*|Node.*\"",
                ("alertname", MatchOp::Regex, "Kube.*|Node.*"),
            ),
            (
                "severity =~ warning|info",
                ("severity", MatchOp::Regex, "warning|info"),
            ),
            (
                "namespace!~\"kube-.*\"",
                ("namespace", MatchOp::NotRegex, "kube-.*"),
            ),
            (
                "msg=\"a \\\"quoted\\\" word\"",
                ("msg", MatchOp::Equal, "a \"quoted\" word"),
            ),
            (
                "\"team name\"=\"sre\"",
                ("team name", MatchOp::Equal, "sre"),
            ),
            ("empty=\"\"", ("empty", MatchOp::Equal, "")),
            ("{severity=\"page\"}", ("severity", MatchOp::Equal, "page")),
        ];
        for (text, (name, op, value)) in cases {
            assert_eq!(
                described(&matcher(text)),
                (name.to_string(), *op, value.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn list_syntax_with_commas_inside_quotes() {
        let parsed = parse_matchers(r#"{severity="critical", team=~"db|storage", msg="a, b"}"#)
            .expect("parses");
        let got: Vec<_> = parsed.iter().map(described).collect();
        assert_eq!(
            got,
            [
                ("severity".into(), MatchOp::Equal, "critical".into()),
                ("team".into(), MatchOp::Regex, "db|storage".into()),
                ("msg".into(), MatchOp::Equal, "a, b".into()),
            ]
        );
    }

    #[test]
    fn malformed_matchers_are_errors() {
        for text in [
            "severity critical",
            "=critical",
            "9lives=x",
            "a=\"unterminated",
            "a=\"x\" trailing",
            "{}",
            "",
        ] {
            assert!(parse_matchers(text).is_err(), "{text}");
        }
    }

    #[test]
    fn regexes_are_anchored_and_invalid_ones_never_match() {
        let labels = AlertLabels::from_pairs(&[("severity", "critical-ish"), ("team", "db")]);
        assert_eq!(matcher("severity=~critical").holds(&labels), Truth::No);
        assert_eq!(matcher("severity=~critical.*").holds(&labels), Truth::Yes);
        assert_eq!(matcher("team!~d").holds(&labels), Truth::Yes);
        let bad = Matcher::new("team", MatchOp::Regex, "(db");
        assert_eq!(bad.error.as_deref(), Some("unclosed group"));
        assert_eq!(bad.holds(&labels), Truth::No);
        let huge = Matcher::new("team", MatchOp::Regex, "a{1000}{1000}");
        assert!(huge.error.is_some());
        assert_eq!(huge.holds(&labels), Truth::No);
    }

    #[test]
    fn labels_the_rule_does_not_set_may_match() {
        let labels = AlertLabels::from_pairs(&[("severity", "critical")]);
        assert_eq!(matcher("namespace=prod").holds(&labels), Truth::Maybe);
        assert_eq!(matcher("namespace!=prod").holds(&labels), Truth::Maybe);
        let tpl = Matcher::new("team", MatchOp::Equal, "{{ .Values.team }}");
        assert_eq!(tpl.holds(&labels), Truth::Maybe);
        assert_eq!(
            Matcher::unknown("namespace", MatchOp::Equal).holds(&labels),
            Truth::Maybe
        );
    }

    fn alert(name: &str) -> Alert {
        let mut alert = crate::evidence::alerts::new_alert(
            name.to_string(),
            "prometheus-rules",
            Source::file("rules.yaml"),
        );
        alert.expr = "up == 0".into();
        alert.paging = true;
        alert
    }

    fn route(receiver: Option<&str>, matchers: &[&str], routes: Vec<Route>) -> Route {
        Route {
            receiver: receiver.map(str::to_string),
            matchers: matchers.iter().map(|m| matcher(m)).collect(),
            continue_: false,
            routes,
        }
    }

    fn continuing(mut r: Route) -> Route {
        r.continue_ = true;
        r
    }

    fn tree(root: Route) -> RoutingTree {
        RoutingTree {
            system: RoutingSystem::Alertmanager,
            format: "alertmanager".into(),
            source: Source::file("alertmanager.yml"),
            root,
            root_matchers_apply: false,
            receivers: Vec::new(),
            undefined: BTreeSet::new(),
        }
    }

    fn reach(t: &RoutingTree, labels: &[(&str, &str)]) -> Vec<String> {
        t.reach(&AlertLabels::from_pairs(labels))
            .into_iter()
            .collect()
    }

    #[test]
    fn first_matching_child_wins_and_the_deepest_match_delivers() {
        let t = tree(route(
            Some("default"),
            &[],
            vec![
                route(
                    Some("oncall"),
                    &["severity=critical"],
                    vec![route(Some("db-oncall"), &["team=db"], vec![])],
                ),
                route(Some("catch-critical"), &["severity=~crit.*"], vec![]),
                route(Some("slack"), &["severity=warning"], vec![]),
            ],
        ));
        let known = |sev: &'static str, team: &'static str| {
            reach(&t, &[("alertname", "X"), ("severity", sev), ("team", team)])
        };
        assert_eq!(known("critical", "db"), ["db-oncall"]);
        assert_eq!(known("critical", "web"), ["oncall"]);
        assert_eq!(known("warning", "web"), ["slack"]);
        assert_eq!(known("info", "web"), ["default"]);
    }

    #[test]
    fn continue_keeps_looking_at_siblings() {
        let t = tree(route(
            Some("default"),
            &[],
            vec![
                continuing(route(Some("audit-log"), &["alertname=~.+"], vec![])),
                route(Some("oncall"), &["severity=critical"], vec![]),
                route(Some("never"), &["severity=critical"], vec![]),
            ],
        ));
        assert_eq!(
            reach(&t, &[("alertname", "X"), ("severity", "critical")]),
            ["audit-log", "oncall"]
        );
        // A continuing route that matches still takes the alert from the parent.
        assert_eq!(
            reach(&t, &[("alertname", "X"), ("severity", "info")]),
            ["audit-log"]
        );
    }

    #[test]
    fn receivers_are_inherited_from_the_parent() {
        let t = tree(route(
            Some("team-slack"),
            &[],
            vec![route(
                None,
                &["team=payments"],
                vec![route(
                    Some("payments-pager"),
                    &["severity=critical"],
                    vec![],
                )],
            )],
        ));
        assert_eq!(
            reach(&t, &[("team", "payments"), ("severity", "warning")]),
            ["team-slack"]
        );
        assert_eq!(
            reach(&t, &[("team", "payments"), ("severity", "critical")]),
            ["payments-pager"]
        );
    }

    #[test]
    fn unknown_labels_follow_both_ways() {
        let t = tree(route(
            Some("dev-null"),
            &[],
            vec![route(
                Some("product-slack"),
                &["product=docs"],
                vec![route(
                    Some("docs-pager"),
                    &["space=production", "severity=p2"],
                    vec![],
                )],
            )],
        ));
        // `space` comes from the series: the alert may or may not reach the pager.
        assert_eq!(
            reach(&t, &[("product", "docs"), ("severity", "p2")]),
            ["docs-pager", "product-slack"]
        );
        // Its severity rules the pager out whatever the space.
        assert_eq!(
            reach(&t, &[("product", "docs"), ("severity", "p4")]),
            ["product-slack"]
        );
    }

    #[test]
    fn complementary_matchers_on_an_unknown_label_exclude_each_other() {
        // alphagov/govuk-helm-charts: production and non-production alerts of a team.
        let t = tree(route(
            Some("null"),
            &[],
            vec![
                route(
                    Some("search-production"),
                    &["destination=search", "environment=production"],
                    vec![],
                ),
                route(
                    Some("search-other"),
                    &["destination=search", "environment!=production"],
                    vec![],
                ),
                route(Some("chat"), &["destination=chat"], vec![]),
            ],
        ));
        assert_eq!(
            reach(&t, &[("destination", "search")]),
            ["search-other", "search-production"]
        );
        // Exclusive values of one label; the last route takes every other value, so the
        // root's own receiver is never used.
        let t = tree(route(
            Some("root"),
            &[],
            vec![
                route(Some("prod"), &["env=prod"], vec![]),
                route(Some("staging"), &["env=staging"], vec![]),
                route(Some("not-prod"), &["env!=prod"], vec![]),
            ],
        ));
        assert_eq!(reach(&t, &[]), ["not-prod", "prod", "staging"]);
    }

    #[test]
    fn labels_other_rules_set_are_absent_from_alerts_that_do_not() {
        let t = tree(route(
            Some("null"),
            &[],
            vec![
                route(Some("chat"), &["destination=chat"], vec![]),
                route(Some("search"), &["destination=search"], vec![]),
                route(Some("unrouted"), &["destination=\"\""], vec![]),
            ],
        ));
        let labels = AlertLabels::from_pairs(&[("severity", "warning")]);
        assert_eq!(
            t.reach(&labels).into_iter().collect::<Vec<_>>(),
            ["chat", "null", "search", "unrouted"]
        );
        let labels = labels.without(&["destination"]);
        assert_eq!(
            t.reach(&labels).into_iter().collect::<Vec<_>>(),
            ["unrouted"]
        );
    }

    #[test]
    fn rule_labels_are_absent_unless_series_carry_them() {
        let mut alert = alert("A");
        alert.labels.insert("severity".into(), "critical".into());
        let rule_labels: BTreeSet<String> = ["severity", "team", "namespace"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let labels = AlertLabels::of(&alert, &rule_labels);
        assert_eq!(labels.get("alertname"), Some("A"));
        assert_eq!(labels.get("severity"), Some("critical"));
        assert_eq!(labels.get("team"), Some(""));
        assert_eq!(labels.get("namespace"), None, "series carry it");
        assert_eq!(labels.get("cluster"), None);
    }

    #[test]
    fn too_many_undecided_regexes_fall_back_to_the_coarse_walk() {
        let children: Vec<Route> = (0..20)
            .map(|i| {
                continuing(route(
                    Some(&format!("r{i}")),
                    &[&format!("l{i}=~a.*")],
                    vec![],
                ))
            })
            .collect();
        let t = tree(route(Some("root"), &[], children));
        let got = reach(&t, &[]);
        assert_eq!(got.len(), 21, "{got:?}");
    }

    #[test]
    fn a_resource_route_applies_its_own_matchers() {
        let mut t = tree(route(
            Some("team"),
            &["team=payments"],
            vec![route(Some("pager"), &["severity=page"], vec![])],
        ));
        t.root
            .matchers
            .push(Matcher::unknown("namespace", MatchOp::Equal));
        t.root_matchers_apply = true;
        assert_eq!(
            reach(&t, &[("team", "payments"), ("severity", "page")]),
            ["pager"]
        );
        assert!(reach(&t, &[("team", "search")]).is_empty());
    }

    #[test]
    fn deep_trees_stop_at_the_depth_limit() {
        let mut r = route(Some("leaf"), &[], vec![]);
        for _ in 0..200 {
            r = route(None, &[], vec![r]);
        }
        let t = tree(route(Some("root"), &[], vec![r]));
        assert_eq!(reach(&t, &[]), ["root"]);
    }
}
