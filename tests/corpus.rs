//! opready over the real repositories of ../shared/corpus: it must never fail or panic on
//! them, never call a valid real file broken, and find what a reader of each repository
//! finds. The expected counts below were checked by hand against the files (see
//! ../shared/corpus/SOURCES.md); when a count changes, fix detection, not the number.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "NOTE: {} does not exist; the corpus tests check nothing on this machine",
            dir.display()
        );
        None
    }
}

fn repos(corpus: &Path) -> Vec<PathBuf> {
    let mut repos: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    repos
}

fn run(args: &[&str], repo: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_opready"))
        .args(args)
        .arg(repo)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "opready was killed by a signal on {}:\n{}",
            repo.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: output is not JSON ({e}); stderr:\n{}",
            repo.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// Counts of evidence items outside example folders (or in all folders), by list.
fn count(
    evidence: &Value,
    list: &str,
    include_examples: bool,
    filter: impl Fn(&Value) -> bool,
) -> usize {
    evidence[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| include_examples || i["source"]["example"] != Value::Bool(true))
                .filter(|i| filter(i))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn every_corpus_repository_is_rated_without_errors() {
    let Some(corpus) = corpus() else { return };
    let repos = repos(&corpus);
    assert!(
        repos.len() >= 30,
        "expected the ~33 corpus repositories, found {}",
        repos.len()
    );
    let mut problems = Vec::new();
    for repo in &repos {
        let name = repo.file_name().unwrap().to_string_lossy().to_string();
        let (code, report) = run(&["check", "--format", "json"], repo);
        if code != 0 && code != 1 {
            problems.push(format!("{name}: exit code {code}"));
            continue;
        }
        assert_eq!(report["schema_version"], 1);
        assert_eq!(report["activities"].as_array().unwrap().len(), 9, "{name}");
        // A valid real file is never reported as broken: every error diagnostic must be
        // one we have looked at and agree with.
        for d in report["diagnostics"].as_array().unwrap() {
            if d["severity"] == "error" {
                problems.push(format!("{name}: error diagnostic on a real file: {d}"));
            }
        }
        // Every finding that names a file names a line too, and the file exists.
        for activity in report["activities"].as_array().unwrap() {
            for criterion in activity["criteria"].as_array().unwrap() {
                for f in criterion["findings"].as_array().unwrap() {
                    if let Some(path) = f["path"].as_str()
                        && !repo.join(path).exists()
                    {
                        problems.push(format!("{name}: finding points at missing file {path}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// (repository, evidence list, what is counted, expected count)
type Expectation = (&'static str, &'static str, &'static str, usize);

const EXPECTED: &[Expectation] = &[
    // Pyrra SLOs with the bare `apiVersion: v1alpha1`, one per file.
    ("rhobs__configuration", "slos", "pyrra", 109),
    ("rhobs__configuration", "alerts", "all", 554),
    ("rhobs__configuration", "alerts", "runbook_url", 554),
    // Pyrra-generated burn-rate alerts: each names its SLO (`slo` label) and assumes its
    // objective (`(1-0.99)`, `(1-0.9)`), checked against the ServiceLevelObjectives.
    ("rhobs__configuration", "alerts", "burn_rate", 304),
    ("rhobs__configuration", "alerts", "slo_tied", 304),
    ("rhobs__configuration", "alerts", "slo_problem", 0),
    // 139 alerts in manifests/*-prometheusRule.yaml, all with runbook_url (the one in
    // examples/ is not counted).
    ("prometheus-operator__kube-prometheus", "alerts", "all", 139),
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "runbook_url",
        139,
    ),
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "burn_rate",
        4,
    ),
    // Burn-rate alerts that spell out a budget: (14.40 * 0.01000), a 99 % objective; the
    // repository has no SLO to tie them to.
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "budget_objective",
        4,
    ),
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "slo_tied",
        0,
    ),
    // Routed through manifests/alertmanager-secret.yaml: 34 critical alerts reach
    // `Critical`, 103 reach `Default`, Watchdog and InfoInhibitor theirs. None pages: the
    // receivers are placeholders without integrations.
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "routed",
        139,
    ),
    (
        "prometheus-operator__kube-prometheus",
        "alerts",
        "routed_to_paging",
        0,
    ),
    ("alphagov__govuk-helm-charts", "alerts", "all", 74),
    ("alphagov__govuk-helm-charts", "alerts", "runbook_url", 56),
    ("alphagov__govuk-helm-charts", "oncall", "all", 1),
    // Routed through the AlertmanagerConfig: the 8 alerts with `severity: page` reach
    // `pagerduty`; no route names an undefined receiver.
    ("alphagov__govuk-helm-charts", "alerts", "routed", 74),
    (
        "alphagov__govuk-helm-charts",
        "alerts",
        "routed_to_paging",
        8,
    ),
    ("alphagov__govuk-helm-charts", "alerts", "route_problem", 0),
    // Every alert routes: 5 data-gov-uk alerts to `dgu-pagerduty`, 5 `severity: page`
    // alerts to `re-observe-pagerduty`, the Notify p2 alert to `notify-p2`, all PagerDuty.
    (
        "alphagov__prometheus-aws-configuration-beta",
        "alerts",
        "routed",
        22,
    ),
    (
        "alphagov__prometheus-aws-configuration-beta",
        "alerts",
        "routed_to_paging",
        11,
    ),
    (
        "alphagov__prometheus-aws-configuration-beta",
        "alerts",
        "route_problem",
        0,
    ),
    // 8 of the 17 receivers get an alert of this repository; the Verify, GOV.UK and DCS
    // receivers are for alerts defined elsewhere.
    (
        "alphagov__prometheus-aws-configuration-beta",
        "receivers",
        "routed_alerts",
        8,
    ),
    // Helm-templated PrometheusRules, read tolerantly.
    ("giantswarm__prometheus-rules", "alerts", "all", 387),
    ("giantswarm__prometheus-rules", "alerts", "runbook_url", 332),
    ("giantswarm__prometheus-meta-operator", "oncall", "all", 1),
    (
        "ministryofjustice__modernisation-platform",
        "oncall",
        "escalation-policy",
        6,
    ),
    (
        "ministryofjustice__modernisation-platform",
        "oncall",
        "schedule",
        5,
    ),
    (
        "ministryofjustice__cloud-platform",
        "postmortems",
        "all",
        39,
    ),
    ("ministryofjustice__cloud-platform", "docs", "adr", 49),
    (
        "ministryofjustice__modernisation-platform",
        "docs",
        "adr",
        45,
    ),
    (
        "dastergon__postmortem-templates",
        "postmortems",
        "template",
        7,
    ),
    ("2i2c-org__infrastructure", "budgets", "all", 4),
    ("PagerDuty__backstage-plugin", "catalog", "all", 1),
    ("gitlabhq__gitlab-shell", "pipelines", "all", 1),
    // CI systems besides GitHub Actions and GitLab CI, one pipeline per file: Azure
    // Pipelines (azure-pipelines.yml extends a 1ES template; azure-pipelines-pr.yml),
    // Jenkins (`buildPlugin(…)`), CircleCI (.circleci/config.yml).
    (
        "microsoft__reverse-proxy",
        "pipelines",
        "azure-pipelines",
        2,
    ),
    ("jenkinsci__git-plugin", "pipelines", "jenkinsfile", 1),
    ("thanos-io__thanos", "pipelines", "circleci", 1),
    ("rhobs__configuration", "pipelines", "circleci", 1),
    ("giantswarm__prometheus-rules", "pipelines", "circleci", 1),
    (
        "giantswarm__prometheus-meta-operator",
        "pipelines",
        "circleci",
        1,
    ),
    // Helm-templated Argo CD Applications of the monitoring charts, all synced automatically.
    ("alphagov__govuk-helm-charts", "gitops", "argocd", 7),
    // slo-generator: 40 SLO configs, all under samples/ (examples), and the 2 policies
    // (`default`, `cloud_service_monitoring`) of samples/config.yaml.
    // Grafana-managed alerting provisioned from src/grafana/provisioning/alerting: 1 cart
    // rule + 10 collector rules (10 with runbook_url), one contact point (e-mail) and one
    // root notification policy; 10 dashboards in provisioning/dashboards/demo.
    (
        "open-telemetry__opentelemetry-demo",
        "alerts",
        "grafana",
        11,
    ),
    (
        "open-telemetry__opentelemetry-demo",
        "alerts",
        "runbook_url",
        10,
    ),
    ("open-telemetry__opentelemetry-demo", "receivers", "all", 1),
    (
        "open-telemetry__opentelemetry-demo",
        "alert_routing",
        "grafana",
        1,
    ),
    (
        "open-telemetry__opentelemetry-demo",
        "dashboards",
        "grafana",
        10,
    ),
    // catalog/monitors/*.yaml: 48 monitors, one of them `enabled: false`; three
    // `datadog_monitor` blocks (two driven by for_each over a catalog: one alert each), in
    // reusable modules that nothing in the repository applies (listed, not counted).
    (
        "cloudposse__terraform-datadog-platform",
        "alerts",
        "datadog-monitor-catalog",
        47,
    ),
    (
        "cloudposse__terraform-datadog-platform",
        "alerts",
        "datadog+examples",
        3,
    ),
    (
        "newrelic-experimental__monitoring-kubernetes-with-opentelemetry",
        "alerts",
        "newrelic",
        27,
    ),
    (
        "newrelic-experimental__monitoring-kubernetes-with-opentelemetry",
        "dashboards",
        "newrelic",
        6,
    ),
    // terraform/uptime-checks: 3 google_monitoring_alert_policy; terraform/aws: 2 CloudWatch
    // alarms; receivers: 3 PagerDuty channels, the budget e-mail channel, the SNS topic.
    ("2i2c-org__infrastructure", "alerts", "google-monitoring", 3),
    ("2i2c-org__infrastructure", "alerts", "cloudwatch", 2),
    ("2i2c-org__infrastructure", "receivers", "all", 5),
    ("2i2c-org__infrastructure", "dashboards", "grafana", 1),
    // 22 dashboards in grafana-data/dashboards; their two legacy panel alerts notify
    // nobody and are not alerts.
    (
        "jupyterhub__mybinder.org-deploy",
        "dashboards",
        "grafana",
        22,
    ),
    ("jupyterhub__mybinder.org-deploy", "alerts", "all", 0),
    ("alphagov__govuk-helm-charts", "dashboards", "grafana", 16),
    // Dashboard JSON held in three ConfigMaps.
    ("rhobs__configuration", "dashboards", "grafana", 3),
    ("google__slo-generator", "slos", "all", 0),
    (
        "google__slo-generator",
        "slos",
        "slo-generator+examples",
        40,
    ),
    (
        "google__slo-generator",
        "error_budget_policies",
        "slo-generator+examples",
        2,
    ),
    // modules/slo-native/dynamic.tf: one `google_monitoring_slo` whose values all come from
    // the module's config (a reusable module: listed, not counted); examples/slo-generator/*/configs: 12 SLO configs and 7 shared
    // configs with a `default` policy each.
    (
        "terraform-google-modules__terraform-google-slo",
        "slos",
        "google-monitoring-slo+examples",
        1,
    ),
    (
        "terraform-google-modules__terraform-google-slo",
        "slos",
        "slo-generator+examples",
        12,
    ),
    (
        "terraform-google-modules__terraform-google-slo",
        "error_budget_policies",
        "slo-generator+examples",
        7,
    ),
    // modules/slo/{metric,monitor}_slo.tf: two `datadog_service_level_objective` resources
    // fed from a variable, in reusable modules (listed, not counted); examples/slo/catalog: two catalog SLOs.
    (
        "cloudposse__terraform-datadog-platform",
        "slos",
        "datadog-slo+examples",
        2,
    ),
    (
        "cloudposse__terraform-datadog-platform",
        "slos",
        "datadog-slo-catalog+examples",
        2,
    ),
    ("karpathy__micrograd", "docs", "readme", 1),
    // reStructuredText and AsciiDoc project documents, read through the same outline as
    // Markdown (README.rst titled "Warehouse", README.adoc titled "Git Plugin").
    ("pypi__warehouse", "docs", "readme", 1),
    ("pypi__warehouse", "docs", "contributing", 1),
    ("jenkinsci__git-plugin", "docs", "readme", 1),
    ("jenkinsci__git-plugin", "docs", "contributing", 1),
    // Runbooks with `last_reviewed_on` front matter: all but the two index pages and
    // runbooks/README.md in cloud-platform; all 56 in modernisation-platform (one of them,
    // auth0-dedicated-endpoints-migration, has its front matter below a heading).
    (
        "ministryofjustice__cloud-platform",
        "runbooks",
        "reviewed",
        101,
    ),
    (
        "ministryofjustice__modernisation-platform",
        "runbooks",
        "reviewed",
        56,
    ),
    // Helm templates switched off by their chart's values are no evidence. govuk's
    // generic-govuk-app leaves workers, redis, DB migrations, error-page uploads, cron
    // tasks (`cronTasks: []`) and autoscaling (`podAutoscaling` unset) off, and nothing in
    // the repository switches them on: its Deployment and assets-upload Job remain, with
    // the renovate CronJob. mybinder's `awsEcrRegistryCleaner` is off everywhere, but
    // config/prod.yaml switches the BinderHub HPA on (`binderhub.hpa.enabled`), and
    // podinfo's values-prod.yaml its chart's HPA (`hpa.enabled`): both are kept.
    ("alphagov__govuk-helm-charts", "workloads", "all", 3),
    ("alphagov__govuk-helm-charts", "autoscalers", "all", 0),
    ("jupyterhub__mybinder.org-deploy", "workloads", "all", 9),
    ("jupyterhub__mybinder.org-deploy", "autoscalers", "all", 1),
    ("stefanprodan__podinfo", "autoscalers", "all", 9),
    // The copies hold no API specification (opentelemetry-demo's protos and podinfo's
    // swagger.json were not copied): nothing must be taken for one.
    ("open-telemetry__opentelemetry-demo", "api_specs", "all", 0),
    ("stefanprodan__podinfo", "api_specs", "all", 0),
];

fn matches(item: &Value, what: &str) -> bool {
    match what {
        "all" => true,
        "runbook_url" => item.get("runbook_url").is_some(),
        "burn_rate" => item["burn_rate"] == Value::Bool(true),
        "template" => item["template"] == Value::Bool(true),
        "reviewed" => item.get("last_reviewed").is_some() && item.get("review_due").is_some(),
        "budget_objective" => item.get("budget_objective").is_some_and(Value::is_number),
        "slo_tied" => item["slos"].as_array().is_some_and(|s| !s.is_empty()),
        "slo_problem" => item.get("slo_problem").is_some_and(Value::is_string),
        "routed" => item.get("routed_to_paging").is_some_and(Value::is_boolean),
        "routed_to_paging" => item["routed_to_paging"] == Value::Bool(true),
        "route_problem" => item.get("route_problem").is_some_and(Value::is_string),
        "routed_alerts" => item["routed_alerts"].as_u64().is_some_and(|n| n > 0),
        other => ["format", "kind", "provider", "tool", "system"]
            .iter()
            .any(|k| item[*k] == other),
    }
}

#[test]
fn corpus_evidence_counts_match_what_a_reader_finds() {
    let Some(corpus) = corpus() else { return };
    let mut wrong = Vec::new();
    let mut last: Option<(&str, Value)> = None;
    for (repo, list, what, expected) in EXPECTED {
        let evidence = match &last {
            Some((name, doc)) if name == repo => doc.clone(),
            _ => {
                let (_, doc) = run(
                    &["check", "--evidence", "--format", "json"],
                    &corpus.join(repo),
                );
                last = Some((repo, doc.clone()));
                doc
            }
        };
        // `WHAT+examples` counts items in example folders too.
        let (what, include_examples) = match what.strip_suffix("+examples") {
            Some(what) => (what, true),
            None => (*what, false),
        };
        let found = count(&evidence["evidence"], list, include_examples, |i| {
            matches(i, what)
        });
        if found != *expected {
            wrong.push(format!(
                "{repo}: {list} ({what}): found {found}, expected {expected}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every evidence list of every corpus repository, counted: items that count towards
/// levels, and items in example folders. The snapshot is the pinned record of what opready
/// finds; the hand-checked EXPECTED table above says why the key numbers are right. A
/// change here must come from a detection change that a reader of the files agrees with.
#[test]
fn corpus_evidence_counts_per_repository_and_list() {
    let Some(corpus) = corpus() else { return };
    let mut table = String::new();
    for repo in repos(&corpus) {
        let name = repo.file_name().unwrap().to_string_lossy().to_string();
        let (_, doc) = run(&["check", "--evidence", "--format", "json"], &repo);
        let mut cells = Vec::new();
        for (list, items) in doc["evidence"].as_object().unwrap() {
            let Some(items) = items.as_array() else {
                continue;
            };
            if items.is_empty() {
                continue;
            }
            let examples = items
                .iter()
                .filter(|i| i["source"]["example"] == Value::Bool(true))
                .count();
            let counted = items.len() - examples;
            cells.push(if examples > 0 {
                format!("{list}={counted}(+{examples} ex)")
            } else {
                format!("{list}={counted}")
            });
        }
        table.push_str(&format!("{name}: {}\n", cells.join(" ")));
    }
    insta::assert_snapshot!("corpus_evidence_counts", table);
}

/// docs/accuracy.md states the level of every activity of every corpus repository, with a
/// judgement of whether a reader would agree. The levels there must be the levels opready
/// gives now: a change of rating must come with a look at the judgement.
#[test]
fn the_accuracy_document_states_the_current_levels() {
    let Some(corpus) = corpus() else { return };
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/accuracy.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/accuracy.md exists");
    let mut stated: Vec<(String, String, String)> = Vec::new();
    let mut repo = None;
    for line in doc.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            repo = Some(name.trim().to_string());
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let (Some(repo), [_, activity, level, ..]) = (&repo, cells.as_slice())
            && !activity.is_empty()
            && *activity != "activity"
            && !activity.starts_with("---")
        {
            stated.push((repo.clone(), activity.to_string(), level.to_string()));
        }
    }
    let repos = repos(&corpus);
    assert_eq!(
        stated.len(),
        repos.len() * 9,
        "docs/accuracy.md must cover every activity of every repository"
    );
    let mut wrong = Vec::new();
    for path in repos {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_opready"))
            .env("OPREADY_TODAY", "2026-11-23")
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        for activity in report["activities"].as_array().unwrap() {
            let id = activity["id"].as_str().unwrap();
            let level = activity["level"]
                .as_u64()
                .map_or("n/a".to_string(), |l| l.to_string());
            match stated.iter().find(|(r, a, _)| *r == name && a == id) {
                Some((_, _, doc_level)) if *doc_level == level => {}
                Some((_, _, doc_level)) => wrong.push(format!(
                    "{name} {id}: docs/accuracy.md says {doc_level}, opready says {level}"
                )),
                None => wrong.push(format!("{name} {id}: missing from docs/accuracy.md")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
