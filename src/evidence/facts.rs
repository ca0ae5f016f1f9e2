//! Facts derived from the evidence and the file list, for criteria's `applies` conditions.

use crate::evidence::{Evidence, Facts, RepoPath, is_example_path};
use crate::scan::FileIndex;

/// `terraform_roots`: folders that configure a Terraform provider or backend.
pub fn derive(
    evidence: &Evidence,
    index: &FileIndex,
    terraform_roots: &std::collections::BTreeSet<String>,
) -> Facts {
    let real = |path: &str| !is_example_path(path);
    let mut ecosystems: Vec<String> = evidence
        .ecosystems
        .iter()
        .filter(|e| !e.source.example)
        .map(|e| e.name.clone())
        .collect();
    ecosystems.sort();
    ecosystems.dedup();

    let has_terraform = index
        .files()
        .iter()
        .any(|f| real(&f.path) && RepoPath::new(&f.path).ext() == "tf");
    let has_iac = has_terraform || evidence.iac_resources.iter().any(|r| !r.source.example);
    let has_cloud_resources = evidence
        .iac_resources
        .iter()
        .any(|r| !r.source.example && r.taggable);
    let has_kubernetes = evidence.workloads.iter().any(|w| !w.source.example);
    let has_ci = evidence.pipelines.iter().any(|p| !p.source.example);
    // Terraform is deployed from root modules (a provider or backend configured, or
    // variable files and Terragrunt configs that apply it); a library of reusable modules
    // configures none of them and deploys nothing itself.
    let iac_root = terraform_roots
        .iter()
        .find(|dir| !is_example_path(&format!("{dir}/main.tf")))
        .cloned()
        .or_else(|| {
            index
                .files()
                .iter()
                .filter(|f| real(&f.path))
                .find(|f| {
                    let name = RepoPath::new(&f.path).name().to_string();
                    name.ends_with(".tfvars") || name == "terragrunt.hcl"
                })
                .map(|f| RepoPath::new(&f.path).dir().to_string())
        });
    let (deployable, deployable_reason) =
        deployable(evidence, index, iac_root.as_deref(), has_kubernetes);
    let (operated, operated_reason) = if deployable {
        (true, deployable_reason.clone())
    } else {
        operated(evidence)
    };

    Facts {
        deployable,
        deployable_reason,
        operated,
        operated_reason,
        has_iac,
        has_cloud_resources,
        has_kubernetes,
        has_ci,
        ecosystems,
        files: index.len() as u32,
    }
}

/// A repository deploys a service when it ships something that runs. The first sign found
/// is given as the reason, so a surprising verdict can be traced.
fn deployable(
    evidence: &Evidence,
    index: &FileIndex,
    iac_root: Option<&str>,
    has_kubernetes: bool,
) -> (bool, String) {
    let file_sign = index.files().iter().find_map(|f| {
        if is_example_path(&f.path) {
            return None;
        }
        let path = RepoPath::new(&f.path);
        let name = path.name();
        let what = match name {
            "Dockerfile" | "Containerfile" => "a container image",
            "Chart.yaml" => "a Helm chart",
            "kustomization.yaml" | "kustomization.yml" => "Kubernetes manifests (kustomize)",
            "serverless.yml" | "serverless.yaml" => "a Serverless Framework service",
            "Procfile" => "a Procfile",
            "fly.toml" => "a Fly.io app",
            "app.yaml" if path.dir().is_empty() => "a Google App Engine app",
            "skaffold.yaml" => "a Skaffold deployment",
            _ if name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile") => {
                "a container image"
            }
            _ => return None,
        };
        (!path.in_dir_named(&[".devcontainer", "test", "tests"]))
            .then(|| format!("{what} (`{}`)", f.path))
    });
    if let Some(sign) = file_sign {
        return (true, format!("it builds or deploys {sign}"));
    }
    if has_kubernetes {
        let w = evidence.workloads.iter().find(|w| !w.source.example);
        if let Some(w) = w {
            return (
                true,
                format!("it defines Kubernetes workloads (`{}`)", w.source.path),
            );
        }
    }
    if let Some(root) = iac_root {
        let place = if root.is_empty() {
            "the root folder".to_string()
        } else {
            format!("`{root}`")
        };
        return (
            true,
            format!("it applies infrastructure as code (a Terraform root module in {place})"),
        );
    }
    if let Some(app) = evidence.gitops.iter().find(|g| !g.source.example) {
        return (
            true,
            format!(
                "a GitOps {} deploys it (`{}`)",
                app.kind,
                app.source.location()
            ),
        );
    }
    if let Some(step) = evidence
        .pipelines
        .iter()
        .filter(|p| !p.source.example)
        .flat_map(|p| &p.steps)
        .find(|s| s.kinds.iter().any(|k| k == "deploy"))
    {
        return (
            true,
            format!("a pipeline deploys it (`{}`)", step.source.location()),
        );
    }
    if let Some(entity) = evidence
        .catalog
        .iter()
        .find(|c| !c.source.example && matches!(c.type_.as_deref(), Some("service" | "website")))
    {
        return (
            true,
            format!(
                "the service catalog lists it as a {}",
                entity.type_.as_deref().unwrap_or("service")
            ),
        );
    }
    if let Some(slo) = evidence.slos.iter().find(|s| !s.source.example) {
        return (true, format!("it defines SLOs (`{}`)", slo.source.path));
    }
    if let Some(alert) = evidence.alerts.iter().find(|a| !a.source.example) {
        return (true, format!("it defines alerts (`{}`)", alert.source.path));
    }
    (
        false,
        "no Dockerfile, Kubernetes manifests, Helm chart, applied infrastructure as code (a Terraform root module), deploy step, service catalog entry, SLOs or alerts were found outside example folders".to_string(),
    )
}

/// Evidence that the team operates a service even when the repository does not deploy it
/// (an ops or runbook repository): the first sign found, as the reason.
fn operated(evidence: &Evidence) -> (bool, String) {
    let signs: [(&str, Option<&crate::evidence::Source>); 5] = [
        (
            "on-call configuration",
            evidence
                .oncall
                .iter()
                .map(|o| &o.source)
                .find(|s| !s.example),
        ),
        (
            "alert routing",
            evidence
                .alert_routing
                .iter()
                .map(|o| &o.source)
                .find(|s| !s.example),
        ),
        (
            "runbooks",
            evidence
                .runbooks
                .iter()
                .map(|o| &o.source)
                .find(|s| !s.example),
        ),
        (
            "an incident process",
            evidence
                .incident_docs
                .iter()
                .map(|o| &o.source)
                .find(|s| !s.example),
        ),
        (
            "postmortems",
            evidence
                .postmortems
                .iter()
                .map(|o| &o.source)
                .find(|s| !s.example),
        ),
    ];
    for (what, source) in signs {
        if let Some(source) = source {
            return (true, format!("it holds {what} (`{}`)", source.path));
        }
    }
    (
        false,
        "it neither deploys a service (no Dockerfile, Kubernetes manifests, Helm chart, applied infrastructure as code (a Terraform root module), deploy step, catalog entry, SLOs or alerts) nor holds on-call, runbooks, incident or postmortem documents, outside example folders".to_string(),
    )
}
