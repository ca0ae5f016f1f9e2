//! The evidence document: everything opready recognised in a repository, as typed items.
//!
//! This is the contract between detectors (which fill it) and policies (which select from
//! it). It is serialised to JSON for policy evaluation, and `opready schema evidence`
//! prints its JSON Schema, generated from these types, so that policy authors know exactly
//! which lists and fields they can select. Every item carries its `source`.
//!
//! Conventions: lists are named after what they hold (`slos`, `alerts`); optional fields
//! that are unknown are left out of the document a policy sees (not set to `null`), so a
//! policy demands a field with JSON Schema's `required`; enumerations are kebab-case.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::diagnostic::Position;

/// Where an evidence item was found: repository-relative path (`/`-separated), 1-based
/// line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema, Default)]
pub struct Source {
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The item lives in an examples, samples or test-fixture folder, or in a reusable
    /// Terraform module that no root module of the repository applies. It is listed as
    /// evidence, but criteria do not count it (unless they set `include_examples`): an
    /// example of an SLO is not the team's SLO.
    pub example: bool,
}

/// Folder names whose content illustrates rather than operates.
pub const EXAMPLE_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "testdata",
    "test-data",
    "fixtures",
    "__fixtures__",
];

/// Whether a repository-relative path lies in an examples, samples or fixtures folder.
pub fn is_example_path(path: &str) -> bool {
    let dirs = path.rsplit_once('/').map_or("", |(d, _)| d);
    dirs.split('/')
        .any(|d| EXAMPLE_DIRS.iter().any(|e| d.eq_ignore_ascii_case(e)))
}

impl Source {
    pub fn new(path: &str, pos: Option<Position>) -> Self {
        Source {
            path: path.to_string(),
            line: pos.map(|p| p.line).filter(|l| *l > 0),
            column: pos.map(|p| p.column).filter(|c| *c > 0),
            example: is_example_path(path),
        }
    }

    /// `path:line` (or just the path), for messages.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }

    /// The whole file, when an item is a file (a README, a CODEOWNERS file).
    pub fn file(path: &str) -> Self {
        Source::new(path, Some(Position::new(1, 1)))
    }
}

/// The full evidence document of one repository.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Evidence {
    /// Facts about the repository derived from all evidence, for `applies` conditions.
    pub facts: Facts,
    /// Service level objectives: OpenSLO, Sloth, Pyrra.
    pub slos: Vec<Slo>,
    /// Stand-alone service level indicators (OpenSLO `kind: SLI`).
    pub slis: Vec<Sli>,
    /// Alerting policies defined next to SLOs (OpenSLO `kind: AlertPolicy`).
    pub alert_policies: Vec<AlertPolicy>,
    /// Written error-budget policies (what the team does when the budget is spent).
    pub error_budget_policies: Vec<ErrorBudgetPolicy>,
    /// Alerting rules: Prometheus rule files and `PrometheusRule` resources.
    pub alerts: Vec<Alert>,
    /// Prometheus recording rules.
    pub recording_rules: Vec<RecordingRule>,
    /// Unit tests of alerting rules (promtool `rule_files` + `tests`).
    pub rule_tests: Vec<RuleTest>,
    /// Alert routing configurations (Alertmanager config files and `AlertmanagerConfig`).
    pub alert_routing: Vec<AlertRouting>,
    /// Notification receivers of alert routing configurations.
    pub receivers: Vec<Receiver>,
    /// On-call and escalation configuration: PagerDuty and Opsgenie resources, service
    /// catalog annotations, paging receivers.
    pub oncall: Vec<OnCall>,
    /// Runbooks: documents found by path (`runbooks/`, `*runbook*`, `sop/`) or by headings.
    pub runbooks: Vec<Runbook>,
    /// Documents describing the incident response process.
    pub incident_docs: Vec<IncidentDoc>,
    /// Postmortem templates and written postmortems.
    pub postmortems: Vec<Postmortem>,
    /// Other documents opready recognises: README, architecture, ADRs, security policy, …
    pub docs: Vec<Doc>,
    /// CI/CD pipelines: GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Jenkins,
    /// Buildkite, Bitbucket Pipelines.
    pub pipelines: Vec<Pipeline>,
    /// Automated dependency-update configurations: Dependabot, Renovate.
    pub dependency_updates: Vec<DependencyUpdates>,
    /// Package ecosystems present in the repository, with whether updates and scans cover them.
    pub ecosystems: Vec<Ecosystem>,
    /// CODEOWNERS files.
    pub codeowners: Vec<CodeOwners>,
    /// Service catalog entities (Backstage `catalog-info.yaml`).
    pub catalog: Vec<CatalogEntity>,
    /// Infrastructure-as-code resources (Terraform).
    pub iac_resources: Vec<IacResource>,
    /// Cloud budgets and spend alerts defined as code.
    pub budgets: Vec<Budget>,
    /// Kubernetes workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, …).
    pub workloads: Vec<Workload>,
    /// Autoscalers (HorizontalPodAutoscaler, KEDA ScaledObject, VerticalPodAutoscaler).
    pub autoscalers: Vec<Autoscaler>,
    /// Scripted operations: Makefile, justfile, Taskfile, `scripts/` folders.
    pub automation: Vec<Automation>,
    /// Monitoring dashboards (Grafana JSON and provisioning, dashboards as code).
    pub dashboards: Vec<Dashboard>,
    /// GitOps deployments (Argo CD Applications, Flux Kustomizations and HelmReleases).
    pub gitops: Vec<GitOpsDeployment>,
    /// API specifications (OpenAPI, AsyncAPI, protobuf, GraphQL).
    pub api_specs: Vec<ApiSpec>,
}

/// Facts derived from the evidence and the file list.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Facts {
    /// The repository deploys a running service (container image, Kubernetes manifests,
    /// Helm chart, infrastructure as code, a deploy step, a service catalog entry, SLOs or
    /// alerts), as opposed to a library or documentation.
    pub deployable: bool,
    /// Why `deployable` is true or false, in words.
    pub deployable_reason: String,
    /// The repository deploys a service or holds the evidence of operating one (SLOs,
    /// alerts, on-call, runbooks, incident process, postmortems): the operational
    /// activities apply to it.
    pub operated: bool,
    /// Why `operated` is true or false, in words.
    pub operated_reason: String,
    /// Infrastructure as code is present (Terraform files).
    pub has_iac: bool,
    /// Cloud resources that can carry cost tags are defined as code.
    pub has_cloud_resources: bool,
    /// Kubernetes workloads are defined.
    pub has_kubernetes: bool,
    /// At least one CI pipeline is defined.
    pub has_ci: bool,
    /// Package ecosystems present (names as in `ecosystems`).
    pub ecosystems: Vec<String>,
    /// Number of files in the repository that were considered (after ignores).
    pub files: u32,
}

// ---------------------------------------------------------------------------------------
// SLOs

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Slo {
    pub name: String,
    /// The service the SLO belongs to, when stated.
    pub service: Option<String>,
    pub description: Option<String>,
    /// `openslo`, `sloth`, `pyrra`.
    pub format: String,
    /// The objective as a ratio (0.999 for 99.9 %). The strictest when several are given.
    /// Absent when the SLO states none.
    pub objective: Option<f64>,
    /// Every objective stated, as ratios.
    pub objectives: Vec<f64>,
    /// Compliance window as written (`28d`, `4w`, `1M`).
    pub window: Option<String>,
    /// Whether the window is rolling (`true`) or calendar-aligned (`false`), when stated.
    pub rolling: Option<bool>,
    /// `occurrences`, `timeslices`, `ratio-timeslices`, when stated.
    pub budgeting_method: Option<String>,
    /// The indicator, or `null` when the SLO has none.
    pub sli: Option<SliSpec>,
    /// The SLO is alerted on by burn rate: by its own alerting section (Sloth, Pyrra),
    /// an OpenSLO alert policy with a burn-rate condition, or a multi-window burn-rate
    /// alert in the repository that refers to it.
    pub burn_rate_alerting: bool,
    /// How burn-rate alerting was established, in words (`null` when it was not).
    pub burn_rate_alerting_via: Option<String>,
    /// Names of alert policies or generated alerts attached to the SLO.
    pub alert_policies: Vec<String>,
    /// Owners of the file the SLO is defined in, from CODEOWNERS (last matching rule).
    pub owners: Vec<String>,
    pub source: Source,
}

/// How an indicator is measured.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SliSpec {
    /// `ratio` (good/total or bad/total events), `threshold`, `raw` (a ready error ratio),
    /// `latency`, `bool-gauge`, `plugin`, `reference` (an SLI defined elsewhere by name).
    pub kind: String,
    /// The queries, in the order written.
    pub queries: Vec<String>,
    /// Metric source or plugin, when stated (`prometheus`, `datadog`, a plugin id).
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Sli {
    pub name: String,
    pub format: String,
    pub spec: SliSpec,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AlertPolicy {
    pub name: String,
    pub format: String,
    /// At least one condition is a burn-rate condition.
    pub burn_rate: bool,
    /// Severity stated by the policy, when any.
    pub severity: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBudgetPolicy {
    pub name: String,
    /// `document` for a written policy (Markdown, reStructuredText, AsciiDoc),
    /// `slo-generator` for an
    /// `error_budget_policies` entry of a slo-generator config.
    pub format: String,
    /// Windows the policy evaluates burn rate over (`1h`, `12h`, `7d`, …), when stated.
    pub windows: Vec<String>,
    /// The policy alerts on burn rate (a step with `alert: true`), when it says.
    pub alerting: Option<bool>,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Alerts and routing

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Alert {
    pub name: String,
    /// Rule group name.
    pub group: Option<String>,
    /// `prometheus-rules` (a rule file) or `prometheus-rule-crd` (a `PrometheusRule`);
    /// `grafana` (a Grafana-managed rule), `grafana-legacy` (a Grafana 8 panel alert);
    /// `datadog` (Terraform `datadog_monitor`), `datadog-monitor-catalog`,
    /// `datadog-monitor-json`, `datadog-monitor-crd`; `newrelic`, `cloudwatch`,
    /// `azure-monitor`, `google-monitoring` (alerts written in Terraform).
    pub format: String,
    pub expr: String,
    /// The `for:` duration as written. For other tools, the wait or evaluation window as
    /// written: Datadog's query window (`last_15m`), New Relic's threshold duration,
    /// CloudWatch's evaluation periods × period, Azure's `window_size`, Google's condition
    /// `duration`.
    #[serde(rename = "for")]
    pub for_: Option<String>,
    /// `severity` label, when set (Datadog: a `severity:` tag or the priority, `P1`…`P5`;
    /// Azure: `Sev0`…`Sev4`; Google: `critical`, `error`, `warning`).
    pub severity: Option<String>,
    /// The alert is considered paging: its severity is `critical`, `page`, `p1`, … or it
    /// has no severity at all (an unclassified alert reaches the default route).
    pub paging: bool,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `summary` annotation (or `message` / `title`).
    pub summary: Option<String>,
    pub description: Option<String>,
    /// `runbook_url` (or `runbook` / `playbook`) annotation or label.
    pub runbook_url: Option<String>,
    /// `true` when a repository-relative runbook link resolves to a file (and heading, for
    /// `#anchor` links); `false` when it does not. Absent when there is no link, and for
    /// an external or templated URL, which cannot be checked offline.
    pub runbook_resolves: Option<bool>,
    /// Why the runbook link does not resolve, in words.
    pub runbook_problem: Option<String>,
    /// The expression compares an error-budget burn rate against a threshold.
    pub burn_rate: bool,
    /// The burn-rate expression checks two or more windows (e.g. 5m and 1h).
    pub multi_window: bool,
    /// Windows found in a burn-rate expression (`5m`, `1h`, …).
    pub windows: Vec<String>,
    /// The alert does not fire on a single bad sample: a non-zero `for:` or multi-window
    /// burn-rate expression.
    pub debounced: bool,
    /// The rule file is a Helm/Go template; fields may hold `{{ … }}` expressions.
    pub templated: bool,
    /// The alert exists for the alerting pipeline, not for a human to act on: an
    /// always-firing watchdog or heartbeat (`vector(1)`, named `Watchdog`, `Heartbeat`,
    /// `DeadMansSwitch`) or an inhibition-only alert (named `Inhibition…`). Never paging.
    pub meta: bool,
    /// Notification targets the alert names itself: Datadog/New Relic `@pagerduty-…`,
    /// `@slack-…` handles in its message, CloudWatch alarm actions, Grafana contact points,
    /// Google notification channels.
    pub notifies: Vec<String>,
    /// Receivers the alert reaches through the repository's alert routing (Alertmanager
    /// route tree, Grafana notification policies), when the repository routes alerts.
    pub routed_to: Vec<String>,
    /// Why the alert's routing is broken (a receiver that is not defined), in words.
    pub route_problem: Option<String>,
    /// A receiver the alert reaches through the repository's alert routing pages a human
    /// (see `receivers[].paging`). Absent when the repository does not route alerts.
    pub routed_to_paging: Option<bool>,
    /// The objective a burn-rate alert's threshold assumes, as a ratio: `14.4 * 0.001`
    /// spends a budget of 0.001 (objective 0.999), `14 * (1-0.99)` names 0.99. Absent when
    /// the threshold does not spell out an error budget.
    pub budget_objective: Option<f64>,
    /// SLOs of the repository the burn-rate alert belongs to: the SLO its labels or
    /// selectors name (`sloth_slo`, `slo`, `slo_name`, with the service when given), else
    /// every SLO with the objective the alert assumes. Empty when the repository has no
    /// SLOs or none fits.
    pub slos: Vec<String>,
    /// Why the burn-rate alert does not fit the SLOs of the repository, in words: it assumes
    /// another objective than the SLO it names (`assumes a 99.5 % objective, but SLO
    /// `checkout-availability` says 99.9 %`), or than every SLO when it names none.
    pub slo_problem: Option<String>,
    /// Owners of the file the alert is defined in, from CODEOWNERS (last matching rule).
    pub owners: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordingRule {
    pub name: String,
    pub group: Option<String>,
    pub expr: String,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleTest {
    /// Rule files the test loads.
    pub rule_files: Vec<String>,
    /// Number of test cases.
    pub tests: u32,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AlertRouting {
    /// `alertmanager` (config file) or `alertmanager-config-crd`; `grafana` (notification
    /// policies).
    pub format: String,
    /// Receiver of the top-level route.
    pub default_receiver: Option<String>,
    /// Number of routes below the top-level route, recursively.
    pub routes: u32,
    pub receivers: u32,
    /// Receivers referenced by a route but not defined.
    pub undefined_receivers: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Receiver {
    pub name: String,
    /// Integrations configured: `pagerduty`, `opsgenie`, `slack`, `email`, `webhook`,
    /// `msteams`, `victorops`, `pushover`, `sns`, `telegram`, `discord`, `webex`, `wechat`.
    pub integrations: Vec<String>,
    /// Pages a human (PagerDuty, Opsgenie, VictorOps, Pushover).
    pub paging: bool,
    /// How alerts refer to the receiver when it is not by name: the Terraform address
    /// (`google_monitoring_notification_channel.pagerduty`).
    pub address: Option<String>,
    /// Referenced by at least one route.
    pub used: bool,
    /// Number of the repository's alerts that can reach it through its routing. Absent
    /// when no alert of the repository is routed through its configuration.
    pub routed_alerts: Option<u32>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OnCall {
    /// `pagerduty`, `opsgenie` or `splunk-oncall`.
    pub provider: String,
    /// `service`, `escalation-policy`, `schedule`, `team`, `integration`,
    /// `catalog-annotation`, `receiver`.
    pub kind: String,
    pub name: String,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Documents

/// A heading of a document, with its anchor as GitHub renders it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct RunbookSections {
    /// Symptoms, impact or "what is happening".
    pub symptoms: bool,
    /// Investigation, diagnosis, troubleshooting.
    pub diagnosis: bool,
    /// Mitigation, remediation, resolution, recovery.
    pub mitigation: bool,
    /// Escalation, contacts, who to call.
    pub escalation: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Runbook {
    pub path: String,
    pub title: Option<String>,
    pub headings: Vec<String>,
    pub sections: RunbookSections,
    /// At least three of the four runbook sections are present.
    pub structured: bool,
    /// Why the document was taken for a runbook (`path`, `headings`, `folder-index`: below
    /// a folder whose index page is titled "… Runbooks", `linked-from-alert`).
    pub found_by: String,
    /// Date of the last review (front matter `last_reviewed_on`, `last_reviewed`,
    /// `reviewed`), as `YYYY-MM-DD`.
    pub last_reviewed: Option<String>,
    /// When the next review is due (`last_reviewed` plus front matter `review_in`, or a
    /// `review_by`/`next_review` date), as `YYYY-MM-DD`.
    pub review_due: Option<String>,
    /// The review is overdue on the day of the check. Absent without review metadata.
    pub review_overdue: Option<bool>,
    /// Owners of the runbook file, from CODEOWNERS (last matching rule).
    pub owners: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct IncidentCoverage {
    /// Incident roles (incident commander, scribe, communications lead, …).
    pub roles: bool,
    /// Severity or priority levels.
    pub severities: bool,
    /// Escalation path.
    pub escalation: bool,
    /// Internal and external communication (status page, stakeholders).
    pub communication: bool,
    /// Requires or describes a postmortem / incident review after the incident.
    pub postmortem: bool,
    /// Being on call, paging, hand-over.
    pub oncall: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncidentDoc {
    pub path: String,
    pub title: Option<String>,
    pub covers: IncidentCoverage,
    pub source: Source,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct PostmortemSections {
    pub summary: bool,
    pub impact: bool,
    pub timeline: bool,
    /// Root cause, contributing factors, "what went wrong".
    pub root_cause: bool,
    /// Action items, follow-ups, corrective actions.
    pub action_items: bool,
    /// Lessons learned, what went well, takeaways.
    pub lessons: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Postmortem {
    pub path: String,
    pub title: Option<String>,
    /// A template to copy (placeholders, "template" in the name), not a written postmortem.
    pub template: bool,
    pub sections: PostmortemSections,
    /// Uses or asks for blameless wording (e.g. "blameless", "no blame", focus on systems
    /// not people).
    pub blameless: bool,
    /// Action items carry an owner and a tracking reference (issue link, ticket, checkbox
    /// or an owner/status column).
    pub action_items_tracked: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Doc {
    pub path: String,
    /// `readme`, `architecture`, `adr`, `security-policy`, `changelog`, `contributing`,
    /// `oncall`, `toil-log`, `api-spec`.
    pub kind: String,
    pub title: Option<String>,
    pub headings: Vec<String>,
    /// Number of words of prose (code blocks excluded).
    pub words: u32,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// CI/CD

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Pipeline {
    /// `github-actions`, `gitlab-ci`, `azure-pipelines`, `circleci`, `jenkinsfile`,
    /// `buildkite`, `bitbucket-pipelines`.
    pub system: String,
    pub name: String,
    pub path: String,
    /// What starts it: `push`, `pull-request`, `schedule`, `manual`, `tag`, `release`,
    /// `workflow-call`, `workflow-run`, `other`.
    pub triggers: Vec<String>,
    pub jobs: u32,
    pub steps: Vec<Step>,
    /// Union of the kinds of all steps, sorted.
    pub step_kinds: Vec<String>,
    /// The pipeline is itself a reusable workflow/template called by others.
    pub reusable: bool,
    /// Reusable workflows or templates it calls.
    pub calls: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Step {
    pub job: String,
    pub name: Option<String>,
    /// The action used or the first line of the command run.
    pub run: String,
    /// `test`, `lint`, `build`, `deploy`, `security-scan` (any security scanner: SAST,
    /// secrets, dependencies), `vulnerability-scan` (a scanner of vulnerable dependencies or
    /// images), `iac-scan`, `cost-estimate`, `release`, `automerge`.
    pub kinds: Vec<String>,
    /// The vulnerability or IaC scanner used, when the step is a scan (`trivy`, `codeql`, …).
    pub scanner: Option<String>,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Dependencies

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DependencyUpdates {
    /// `dependabot` or `renovate`.
    pub tool: String,
    /// Ecosystems covered, with the names used in `ecosystems`.
    pub ecosystems: Vec<String>,
    /// Covers every ecosystem it can detect (Renovate without `enabledManagers`), except
    /// `disabled_ecosystems`.
    pub all_ecosystems: bool,
    /// Ecosystems the configuration switches off, with the names used in `ecosystems`:
    /// Renovate managers disabled by a per-manager block (`"gomod": {"enabled": false}`) or
    /// by a `packageRules` entry that matches whole managers (`matchManagers` and nothing
    /// narrower) with `enabled: false`. An ecosystem is listed once every manager of its
    /// manifests is off (switching off `pip_requirements` leaves `poetry` and `pep621` for
    /// `pyproject.toml`, so `pip` stays covered). Never in `ecosystems`; `all_ecosystems`
    /// does not cover them. Empty for Dependabot.
    pub disabled_ecosystems: Vec<String>,
    /// Some updates are merged automatically.
    pub automerge: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Ecosystem {
    /// `cargo`, `npm`, `gomod`, `pip`, `maven`, `gradle`, `nuget`, `bundler`, `composer`,
    /// `mix`, `pub`, `swift`, `docker`, `github-actions`, `terraform`, `helm`.
    pub name: String,
    /// `package` for language packages, `container`, `ci`, `iac`.
    pub category: String,
    /// Manifest files found (up to 20).
    pub manifests: Vec<String>,
    /// Automated dependency updates cover it.
    pub updates: bool,
    /// A vulnerability scan in CI covers it.
    pub scanned: bool,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Ownership and catalog

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CodeOwners {
    pub path: String,
    pub rules: u32,
    /// Owners of the catch-all `*` rule, if any.
    pub default_owners: Vec<String>,
    /// Every owner named, sorted.
    pub owners: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CatalogEntity {
    /// `Component`, `System`, `API`, `Resource`, …
    pub kind: String,
    pub name: String,
    pub owner: Option<String>,
    /// `spec.type` (`service`, `website`, `library`, …).
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub lifecycle: Option<String>,
    pub system: Option<String>,
    /// Tier from an annotation or label, when present.
    pub tier: Option<String>,
    pub annotations: BTreeMap<String, String>,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Infrastructure and cost

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IacResource {
    /// `terraform`.
    pub tool: String,
    /// Resource type, e.g. `aws_instance`; `module` for module calls.
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    /// `aws`, `google`, `azurerm`, `pagerduty`, … (the type's prefix).
    pub provider: String,
    /// The resource is known to accept cost-allocation tags or labels.
    pub taggable: bool,
    /// Tags or labels are set on it, or a provider `default_tags` block applies.
    pub tagged: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Budget {
    /// `aws`, `google`, `azure`.
    pub provider: String,
    /// Resource type, e.g. `aws_budgets_budget`.
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Workload {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`, `Rollout`, `Pod`.
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub containers: u32,
    /// Every container sets CPU and memory requests.
    /// Absent when a Helm template fills `resources` from values opready cannot see.
    pub requests: Option<bool>,
    /// Every container sets a memory limit (CPU limits are often omitted on purpose).
    /// Absent when a Helm template fills `resources` from values opready cannot see.
    pub limits: Option<bool>,
    /// Every long-running container has a readiness or liveness probe.
    pub probes: bool,
    pub labels: BTreeMap<String, String>,
    /// Read from a Helm/Go template.
    pub templated: bool,
    /// A CronJob or Job with `spec.suspend: true`: defined, but it runs nothing until it is
    /// resumed, so it is no scheduled automation. (A Deployment scaled to `replicas: 0`
    /// is not suspended: it is scaled, often by an autoscaler, and still needs requests.)
    pub suspended: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Autoscaler {
    /// `HorizontalPodAutoscaler`, `ScaledObject`, `VerticalPodAutoscaler`.
    pub kind: String,
    pub name: String,
    /// Target workload name, when stated.
    pub target: Option<String>,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Toil

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Automation {
    /// `makefile`, `justfile`, `taskfile`, `scripts`.
    pub kind: String,
    pub path: String,
    /// Targets or tasks defined (Makefile targets, just recipes, Taskfile tasks); script
    /// file names for `scripts`.
    pub targets: Vec<String>,
    pub source: Source,
}

// ---------------------------------------------------------------------------------------
// Dashboards, GitOps, API specifications

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Dashboard {
    /// `grafana`, `datadog`, `newrelic`, `cloudwatch`, `google`.
    pub tool: String,
    pub title: String,
    /// Number of panels or widgets.
    pub panels: u32,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GitOpsDeployment {
    /// `argocd` or `flux`.
    pub tool: String,
    /// `Application`, `ApplicationSet`, `Kustomization`, `HelmRelease`.
    pub kind: String,
    pub name: String,
    /// What it deploys: a repository path, chart or source reference.
    pub target: Option<String>,
    /// Changes are applied without a manual sync (Argo CD `syncPolicy.automated`; Flux
    /// always reconciles).
    pub automated: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ApiSpec {
    /// `openapi`, `asyncapi`, `protobuf`, `graphql`.
    pub format: String,
    pub path: String,
    pub title: Option<String>,
    /// Specification or API version, when stated.
    pub version: Option<String>,
    pub source: Source,
}
