//! The evidence lists, in words: what each holds and where opready looks for it. Used to
//! explain a criterion that found nothing ("no SLOs found; looked for …").

pub struct Kind {
    /// The list's name in the evidence document.
    pub id: &'static str,
    pub singular: &'static str,
    pub plural: &'static str,
    /// Where and how opready looks, in words, so a "none found" names the places searched.
    pub looked_for: &'static str,
}

pub const KINDS: &[Kind] = &[
    Kind {
        id: "slos",
        singular: "SLO",
        plural: "SLOs",
        looked_for: "YAML files declaring OpenSLO (`apiVersion: openslo/v1`, `openslo/v1alpha`), Sloth (`version: prometheus/v1`, `kind: PrometheusServiceLevel`), Pyrra (`kind: ServiceLevelObjective`), slo-generator (`apiVersion: sre.google.com/v2`) or Nobl9 (`apiVersion: n9/v1alpha`, `kind: SLO`) SLOs, Datadog SLO catalogs, and Terraform `google_monitoring_slo`, `datadog_service_level_objective` and `newrelic_service_level` resources",
    },
    Kind {
        id: "slis",
        singular: "SLI",
        plural: "SLIs",
        looked_for: "OpenSLO `kind: SLI` documents",
    },
    Kind {
        id: "alert_policies",
        singular: "alert policy",
        plural: "alert policies",
        looked_for: "OpenSLO `kind: AlertPolicy` documents",
    },
    Kind {
        id: "error_budget_policies",
        singular: "error-budget policy",
        plural: "error-budget policies",
        looked_for: "documents named or titled \"error budget policy\" (e.g. `docs/error-budget-policy.md`)",
    },
    Kind {
        id: "alerts",
        singular: "alert",
        plural: "alerts",
        looked_for: "Prometheus rule files (`groups:` with `alert:` rules) and `PrometheusRule` resources; Grafana-managed alert rules (provisioning files, exports, `grafana_rule_group`); Datadog monitors (`datadog_monitor`, monitor catalogs); New Relic NRQL conditions, CloudWatch alarms, Azure Monitor alerts and Google Cloud alert policies in Terraform",
    },
    Kind {
        id: "recording_rules",
        singular: "recording rule",
        plural: "recording rules",
        looked_for: "Prometheus rule files and `PrometheusRule` resources (`record:` rules)",
    },
    Kind {
        id: "rule_tests",
        singular: "rule test file",
        plural: "rule test files",
        looked_for: "promtool rule unit-test files (`rule_files:` with `tests:`)",
    },
    Kind {
        id: "alert_routing",
        singular: "alert routing configuration",
        plural: "alert routing configurations",
        looked_for: "Alertmanager configuration (`route:` and `receivers:`), also inside Secrets and `AlertmanagerConfig` resources",
    },
    Kind {
        id: "receivers",
        singular: "notification receiver",
        plural: "notification receivers",
        looked_for: "receivers of Alertmanager configurations, Grafana contact points, and the notification channels, action groups and SNS topics of alerts in Terraform",
    },
    Kind {
        id: "oncall",
        singular: "on-call configuration",
        plural: "on-call configurations",
        looked_for: "Terraform `pagerduty_*` and `opsgenie_*` resources, PagerDuty/Opsgenie annotations in `catalog-info.yaml`, and Alertmanager receivers that page (PagerDuty, Opsgenie, VictorOps)",
    },
    Kind {
        id: "runbooks",
        singular: "runbook",
        plural: "runbooks",
        looked_for: "Markdown, reStructuredText and AsciiDoc documents under `runbooks/`, `playbooks/` or `sop/`, files named `*runbook*`/`*playbook*`, documents whose headings read like a runbook, pages below a folder whose index page (`index.md`, `README.md`, `index.html.md.erb`, `index.rst`, `index.adoc`) is titled \"… Runbooks\", and files that alerts' `runbook_url` link to",
    },
    Kind {
        id: "incident_docs",
        singular: "incident process document",
        plural: "incident process documents",
        looked_for: "Markdown about incident response or on-call (`incident*`, `on-call*`, `oncall/`, or headings such as \"Severity levels\", \"Incident commander\")",
    },
    Kind {
        id: "postmortems",
        singular: "postmortem",
        plural: "postmortems",
        looked_for: "Markdown named or placed as postmortems (`*postmortem*`, `*post-mortem*`, `incidents/`, `*incident-report*`) or with postmortem headings (impact, timeline, root cause, action items)",
    },
    Kind {
        id: "docs",
        singular: "document",
        plural: "documents",
        looked_for: "README, ARCHITECTURE, ADR folders (`adr/`, `decisions/`), SECURITY.md, CHANGELOG, CONTRIBUTING and toil logs, in Markdown, reStructuredText, AsciiDoc or plain text",
    },
    Kind {
        id: "pipelines",
        singular: "CI/CD pipeline",
        plural: "CI/CD pipelines",
        looked_for: "GitHub Actions workflows (`.github/workflows/*.yml`), GitLab CI (`.gitlab-ci.yml`), Azure Pipelines (`azure-pipelines.yml`, `.azure-pipelines/`), CircleCI (`.circleci/config.yml`), Jenkins (`Jenkinsfile`), Buildkite (`.buildkite/pipeline.yml`) and Bitbucket Pipelines (`bitbucket-pipelines.yml`)",
    },
    Kind {
        id: "dependency_updates",
        singular: "dependency-update configuration",
        plural: "dependency-update configurations",
        looked_for: "Dependabot (`.github/dependabot.yml`) and Renovate (`renovate.json`, `.github/renovate.json`, `.renovaterc`, …) configuration",
    },
    Kind {
        id: "ecosystems",
        singular: "package ecosystem",
        plural: "package ecosystems",
        looked_for: "package manifests (Cargo.toml, package.json, go.mod, requirements*.txt, pyproject.toml, pom.xml, build.gradle, Gemfile, composer.json, *.csproj, Dockerfile, Chart.yaml, *.tf, GitHub workflows)",
    },
    Kind {
        id: "codeowners",
        singular: "CODEOWNERS file",
        plural: "CODEOWNERS files",
        looked_for: "`CODEOWNERS`, `.github/CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`",
    },
    Kind {
        id: "catalog",
        singular: "service catalog entity",
        plural: "service catalog entities",
        looked_for: "Backstage `catalog-info.yaml` (any YAML with `apiVersion: backstage.io/…`)",
    },
    Kind {
        id: "iac_resources",
        singular: "infrastructure-as-code resource",
        plural: "infrastructure-as-code resources",
        looked_for: "Terraform `resource` and `module` blocks in `*.tf` files",
    },
    Kind {
        id: "budgets",
        singular: "cloud budget",
        plural: "cloud budgets",
        looked_for: "Terraform `aws_budgets_budget`, `google_billing_budget` and `azurerm_consumption_budget_*` resources",
    },
    Kind {
        id: "workloads",
        singular: "Kubernetes workload",
        plural: "Kubernetes workloads",
        looked_for: "Kubernetes Deployment, StatefulSet, DaemonSet, Job, CronJob and Argo Rollout manifests in YAML files",
    },
    Kind {
        id: "autoscalers",
        singular: "autoscaler",
        plural: "autoscalers",
        looked_for: "HorizontalPodAutoscaler, KEDA ScaledObject and VerticalPodAutoscaler manifests",
    },
    Kind {
        id: "automation",
        singular: "scripted operations file",
        plural: "scripted operations files",
        looked_for: "Makefile, justfile, Taskfile.yml and `scripts/` or `bin/` folders",
    },
    Kind {
        id: "dashboards",
        singular: "dashboard",
        plural: "dashboards",
        looked_for: "Grafana dashboard JSON (files, ConfigMaps, Helm values, `GrafanaDashboard` resources) and dashboards as code in Terraform (Grafana, Datadog, New Relic, CloudWatch, Google Cloud)",
    },
    Kind {
        id: "gitops",
        singular: "GitOps deployment",
        plural: "GitOps deployments",
        looked_for: "Argo CD `Application`/`ApplicationSet` (`apiVersion: argoproj.io/…`, also in Helm templates) and Flux `Kustomization`/`HelmRelease` (`*.toolkit.fluxcd.io/…`) manifests in YAML files",
    },
    Kind {
        id: "api_specs",
        singular: "API specification",
        plural: "API specifications",
        looked_for: "OpenAPI, Swagger and AsyncAPI documents (a top-level `openapi:`, `swagger:` or `asyncapi:` version in YAML or JSON), `*.proto` files outside vendored and include folders (`vendor/`, `third_party/`, `google/`), and GraphQL schemas (`*.graphql`, `*.graphqls` defining types)",
    },
];

/// The kind for an evidence list name, e.g. `slos`.
pub fn kind(id: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.id == id)
}
