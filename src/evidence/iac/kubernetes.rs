//! Kubernetes workloads and autoscalers in YAML manifests, plain or Helm-templated.
//!
//! ## What it recognises
//! Documents with `apiVersion` and a `kind` of Deployment, StatefulSet, DaemonSet,
//! ReplicaSet, Job, CronJob, Pod or Argo Rollout (also inside `kind: List`): their
//! containers, whether every container requests CPU and memory, sets a memory limit and
//! (for long-running workloads) has a readiness or liveness probe, and their labels.
//! A CronJob or Job with `spec.suspend: true` is listed as `suspended`: it is defined but
//! runs nothing until resumed, so it is no scheduled automation; its requests and limits
//! still matter for when it is resumed, so it stays a workload. A Deployment scaled to
//! `replicas: 0` is an ordinary workload (scaled, often by an autoscaler).
//! HorizontalPodAutoscaler, KEDA ScaledObject and VerticalPodAutoscaler documents with
//! the workload they scale.
//!
//! Helm templates are read tolerantly: a field produced by a template action
//! (`{{ toYaml .Values.resources | nindent 12 }}`) is unknown and reads as missing, so
//! `requests`/`limits` may be `false` where the rendered chart sets them; `templated`
//! tells a policy so.
//!
//! ## Why it matters
//! Requests and limits let the scheduler pack nodes and bound a runaway pod's cost;
//! probes let Kubernetes route around and restart broken pods; autoscalers match
//! capacity (and spend) to load.

use crate::evidence::{Autoscaler, Collector, Detector, FileContext, RepoPath, Source, Workload};
use crate::parse::yaml::Node;

pub struct Kubernetes;

const ID: &str = "kubernetes";

/// Kinds that run pods, and where their pod spec lives.
const WORKLOAD_KINDS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Rollout", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("Pod", &["spec"]),
];

/// Autoscaler kinds, and where the name of the scaled workload is.
const AUTOSCALER_KINDS: &[(&str, &[&str])] = &[
    (
        "HorizontalPodAutoscaler",
        &["spec", "scaleTargetRef", "name"],
    ),
    ("ScaledObject", &["spec", "scaleTargetRef", "name"]),
    ("VerticalPodAutoscaler", &["spec", "targetRef", "name"]),
];

impl Detector for Kubernetes {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Kubernetes workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, Argo Rollout) with requests, limits and probes; HPA, KEDA and VPA autoscalers"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !looks_like_manifest(text) {
            return;
        }
        let Some(docs) = file.yaml(ID) else {
            return;
        };
        let templated = file.is_templated();
        let path = file.path.as_str();
        for doc in docs {
            // `kind: List` holds `items`; an OpenShift `kind: Template` holds `objects`.
            let members = match doc.get("kind").and_then(Node::as_str) {
                Some("List") => doc.get("items"),
                Some("Template") => doc.get("objects"),
                _ => None,
            };
            match members {
                Some(members) => {
                    for item in members.as_seq() {
                        read_object(item, path, templated, out);
                    }
                }
                None => read_object(doc, path, templated, out),
            }
        }
    }
}

/// `kind:` followed by one of our kinds somewhere in the text: cheap, and keeps unrelated
/// YAML from being parsed (and reported as invalid under this detector's name).
fn looks_like_manifest(text: &str) -> bool {
    text.contains("kind:")
        && WORKLOAD_KINDS
            .iter()
            .chain(AUTOSCALER_KINDS)
            .any(|(kind, _)| text.contains(kind))
}

fn read_object(doc: &Node, path: &str, templated: bool, out: &mut Collector) {
    if doc.get("apiVersion").is_none() {
        return;
    }
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        return;
    };
    let metadata = doc.get("metadata");
    let Some(name) = metadata
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text)
    else {
        return;
    };
    let source = Source::new(path, Some(doc.pos));
    // A Helm test pod (`helm.sh/hook: test`) checks a release; it is not part of it.
    let helm_test = metadata
        .and_then(|m| m.at(&["annotations", "helm.sh/hook"]))
        .and_then(Node::as_str)
        .is_some_and(|hook| hook.split(',').any(|h| h.trim().starts_with("test")));
    if helm_test {
        return;
    }
    if let Some((_, spec_path)) = WORKLOAD_KINDS.iter().find(|(k, _)| *k == kind) {
        let pod = doc.at(spec_path);
        let containers = pod
            .and_then(|p| p.get("containers"))
            .map_or(&[][..], Node::as_seq);
        if is_patch(doc, containers) {
            return;
        }
        let all = |check: fn(&Node) -> bool| !containers.is_empty() && containers.iter().all(check);
        // `resources:` written by a template action (`{{ toYaml .Values.resources }}`) is
        // set at render time from values opready does not evaluate: unknown, not missing.
        let resources_unknown = templated && containers.iter().any(resources_templated);
        let known = |check: fn(&Node) -> bool| (!resources_unknown).then(|| all(check));
        out.evidence.workloads.push(Workload {
            kind: kind.to_string(),
            name,
            namespace: metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Node::scalar_text),
            containers: containers.len() as u32,
            requests: known(has_requests),
            limits: known(has_memory_limit),
            probes: runs_to_completion(kind, pod) || all(has_probe),
            labels: metadata
                .and_then(|m| m.get("labels"))
                .map(Node::string_map)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            templated,
            suspended: matches!(kind, "CronJob" | "Job")
                && doc.at(&["spec", "suspend"]).and_then(Node::as_bool) == Some(true),
            source,
        });
    } else if let Some((_, target_path)) = AUTOSCALER_KINDS.iter().find(|(k, _)| *k == kind) {
        out.evidence.autoscalers.push(Autoscaler {
            kind: kind.to_string(),
            name,
            target: doc.at(target_path).and_then(Node::scalar_text),
            source,
        });
    }
}

/// A kustomize patch (`$patch: delete`, or a strategic-merge patch whose containers name
/// no image) changes a workload defined elsewhere; it is not a workload itself.
fn is_patch(doc: &Node, containers: &[Node]) -> bool {
    doc.get("$patch").is_some() || containers.iter().any(|c| !set(c.get("image")))
}

/// A value that is present and not null.
fn set(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !matches!(n.value, crate::parse::yaml::Value::Null))
}

/// A container whose `resources` is filled by a template action: the key is there, its
/// value is empty or the template placeholder.
fn resources_templated(container: &Node) -> bool {
    match container.entry("resources") {
        Some((_, value)) => {
            matches!(value.value, crate::parse::yaml::Value::Null)
                || value.as_str() == Some(crate::parse::yaml::TEMPLATE_PLACEHOLDER)
        }
        None => false,
    }
}

fn has_requests(container: &Node) -> bool {
    set(container.at(&["resources", "requests", "cpu"]))
        && set(container.at(&["resources", "requests", "memory"]))
}

fn has_memory_limit(container: &Node) -> bool {
    set(container.at(&["resources", "limits", "memory"]))
}

fn has_probe(container: &Node) -> bool {
    set(container.get("readinessProbe")) || set(container.get("livenessProbe"))
}

/// Jobs, CronJobs and pods that are not restarted run to completion: probes do not apply.
fn runs_to_completion(kind: &str, pod: Option<&Node>) -> bool {
    match kind {
        "Job" | "CronJob" => true,
        "Pod" => pod
            .and_then(|p| p.get("restartPolicy"))
            .and_then(Node::as_str)
            .is_some_and(|p| matches!(p, "Never" | "OnFailure")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::iac::detect_files;

    const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
    team: checkout
    replicas: 3
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: migrate
      containers:
        - name: web
          image: web:1
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
        - name: sidecar
          image: proxy:1
          resources:
            requests: {cpu: 10m, memory: 16Mi}
            limits: {memory: 32Mi}
          livenessProbe:
            tcpSocket: {port: 15000}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: backup:1
              resources:
                requests: {cpu: 100m}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: debug}
    spec:
      containers: [{name: sh, image: busybox}]
  - apiVersion: autoscaling.k8s.io/v1
    kind: VerticalPodAutoscaler
    metadata: {name: web-vpa}
    spec:
      targetRef: {kind: Deployment, name: web}
";

    #[test]
    fn workloads_and_autoscalers() {
        let d = detect_files(&[("k8s/app.yaml", MANIFESTS)], &Kubernetes);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let w = &d.evidence.workloads;
        assert_eq!(w.len(), 3);
        let web = &w[0];
        assert_eq!(
            (web.kind.as_str(), web.name.as_str()),
            ("Deployment", "web")
        );
        assert_eq!(web.namespace.as_deref(), Some("shop"));
        assert_eq!(web.containers, 2);
        assert_eq!((web.requests, web.limits), (Some(true), Some(true)));
        assert!(web.probes);
        assert_eq!(web.labels.get("team").map(String::as_str), Some("checkout"));
        assert_eq!(web.labels.get("replicas").map(String::as_str), Some("3"));
        assert!(!web.templated);
        assert_eq!(web.source.line, Some(1));

        let backup = &w[1];
        assert_eq!(backup.kind, "CronJob");
        assert_eq!(backup.source.line, Some(32));
        assert_eq!(backup.containers, 1);
        assert_eq!(backup.requests, Some(false), "memory request missing");
        assert_eq!(backup.limits, Some(false));
        assert!(backup.probes, "jobs need no probes");

        let debug = &w[2];
        assert_eq!((debug.kind.as_str(), debug.name.as_str()), ("Pod", "debug"));
        assert!(!debug.probes);
        assert_eq!(debug.source.line, Some(59));

        let a = &d.evidence.autoscalers;
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].kind, "HorizontalPodAutoscaler");
        assert_eq!(a[0].target.as_deref(), Some("web"));
        assert_eq!(a[1].kind, "VerticalPodAutoscaler");
        assert_eq!(a[1].target.as_deref(), Some("web"));
    }

    #[test]
    fn suspended_cronjobs_and_jobs_are_listed_as_suspended() {
        let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly-report}
spec:
  schedule: '0 2 * * *'
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: report, image: report:1}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cleanup}
spec:
  schedule: '0 4 * * *'
  suspend: false
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: cleanup, image: cleanup:1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: backfill}
spec:
  suspend: true
  template:
    spec:
      containers: [{name: backfill, image: backfill:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idle}
spec:
  replicas: 0
  template:
    spec:
      containers: [{name: idle, image: idle:1}]
";
        let d = detect_files(&[("k8s/jobs.yaml", text)], &Kubernetes);
        let w: Vec<(&str, bool)> = d
            .evidence
            .workloads
            .iter()
            .map(|w| (w.name.as_str(), w.suspended))
            .collect();
        assert_eq!(
            w,
            [
                ("nightly-report", true),
                ("cleanup", false),
                ("backfill", true),
                // Scaled to zero is not suspended: it is still a workload to size.
                ("idle", false),
            ]
        );
    }

    #[test]
    fn helm_template_with_templated_resources() {
        let text = "\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template \"app.fullname\" . }}
  labels:
    {{- include \"app.labels\" . | nindent 4 }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: \"{{ .Values.image }}\"
          livenessProbe:
            httpGet: {path: /, port: http}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
{{- end }}
";
        let d = detect_files(&[("chart/templates/deployment.yaml", text)], &Kubernetes);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let w = &d.evidence.workloads[0];
        assert!(w.templated);
        assert_eq!(w.name, "TEMPLATED");
        assert_eq!(w.containers, 1);
        assert!(w.probes);
        assert_eq!(
            (w.requests, w.limits),
            (None, None),
            "resources come from values"
        );
        assert_eq!(w.source.line, Some(2));
    }

    #[test]
    fn openshift_templates_and_kustomize_patches() {
        let template = "\
apiVersion: template.openshift.io/v1
kind: Template
metadata: {name: app}
objects:
- apiVersion: v1
  kind: Service
  metadata: {name: app}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: app, namespace: obs}
  spec:
    template:
      spec:
        containers:
        - name: app
          image: ${IMAGE}
";
        let patches = "\
$patch: delete
apiVersion: apps/v1
kind: Deployment
metadata: {name: loadgenerator}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  template:
    spec:
      containers:
      - name: server
        env: [{name: X, value: y}]
";
        let d = detect_files(
            &[("template.yaml", template), ("patches.yaml", patches)],
            &Kubernetes,
        );
        assert_eq!(d.evidence.workloads.len(), 1);
        let w = &d.evidence.workloads[0];
        assert_eq!((w.kind.as_str(), w.name.as_str()), ("StatefulSet", "app"));
        assert_eq!(w.source.line, Some(8));
    }

    #[test]
    fn unrelated_yaml_is_not_parsed() {
        let d = detect_files(
            &[
                ("config.yaml", "key: [unclosed\n"),
                (
                    "kustomization.yaml",
                    "kind: Kustomization\nresources: [a.yaml]\n",
                ),
                ("values.yaml", "kind: Deployment\nreplicas: 2\n"),
            ],
            &Kubernetes,
        );
        assert!(d.diagnostics.is_empty());
        assert!(d.evidence.workloads.is_empty());
    }

    #[test]
    fn helm_test_pods_are_not_workloads() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test\n  annotations:\n    \"helm.sh/hook\": test-success\nspec:\n  containers:\n    - name: t\n      image: busybox\n";
        let d = detect_files(&[("chart/templates/tests/web.yaml", text)], &Kubernetes);
        assert!(d.evidence.workloads.is_empty());
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::iac::detect_fixture("format-kubernetes", &Kubernetes);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        /// name, requests, limits, probes, templated, suspended
        type Row<'a> = (&'a str, Option<bool>, Option<bool>, bool, bool, bool);
        let w: Vec<Row> = d
            .evidence
            .workloads
            .iter()
            .map(|w| {
                (
                    w.name.as_str(),
                    w.requests,
                    w.limits,
                    w.probes,
                    w.templated,
                    w.suspended,
                )
            })
            .collect();
        assert_eq!(
            w,
            vec![
                ("TEMPLATED", None, None, true, true, false),
                ("expire-carts", Some(true), Some(true), true, false, false),
                ("checkout", Some(true), Some(true), true, false, false),
                ("reindex-search", Some(true), Some(true), true, false, true),
                (
                    "checkout-worker",
                    Some(false),
                    Some(false),
                    false,
                    false,
                    false
                ),
            ]
        );
        // The chart's HPA is read too; with the `helm-values` detector, which knows the
        // chart leaves it switched off, it is left out (see `helm_values::tests`).
        let a: Vec<(&str, Option<u32>)> = d
            .evidence
            .autoscalers
            .iter()
            .map(|a| (a.source.path.as_str(), a.source.line))
            .collect();
        assert_eq!(
            a,
            [
                ("chart/templates/hpa.yaml", Some(4)),
                ("deploy/deployment.yaml", Some(39))
            ]
        );
    }
}
