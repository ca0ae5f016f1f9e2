//! What a CI step does, from its text alone: the action it uses, the commands it runs and
//! its name. Shared by every CI format (GitHub Actions, GitLab CI, Azure Pipelines,
//! CircleCI, Jenkins, Buildkite, Bitbucket Pipelines; their named tasks, orbs, pipes and
//! plugins are in [`super::tasks`]), and pure, so that each rule is a unit-tested condition.
//!
//! A step gets zero or more kinds (`test`, `lint`, `build`, `deploy`, `security-scan`,
//! `iac-scan`, `cost-estimate`, `release`, `automerge`) and, for scans, the scanner's name.
//! Scanner names distinguish what is scanned when that changes the coverage
//! (`trivy` scans the repository's dependencies, `trivy-image` a container image,
//! `trivy-config` IaC files); [`scanner_coverage`] says which package ecosystems each covers.
//!
//! Decisions worth knowing:
//! - Pushing an artifact (an image, a package, a chart) is `release`, not `deploy`: deploy
//!   means changing a running environment (`kubectl apply`, `helm upgrade`, `terraform
//!   apply`, `gcloud run deploy`, …). Publishing a static site to GitHub Pages is `release`
//!   too, so a library's documentation site does not make it look deployable.
//! - A step's name is read only when its commands say nothing: a command that is only
//!   plumbing (`echo`, `curl`, `git`, installing packages) never becomes a test because its
//!   step is called "Report tests".
//! - Deploying into a throw-away cluster (kind, minikube, k3d) is testing; the formats
//!   apply that per job with [`creates_ephemeral_cluster`].

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::commands::{classify_script, starts_cluster};

pub const TEST: &str = "test";
pub const LINT: &str = "lint";
pub const BUILD: &str = "build";
pub const DEPLOY: &str = "deploy";
pub const SECURITY_SCAN: &str = "security-scan";
/// A security scan that finds vulnerable dependencies or images (not SAST or secrets).
pub const VULNERABILITY_SCAN: &str = "vulnerability-scan";
pub const IAC_SCAN: &str = "iac-scan";
pub const COST_ESTIMATE: &str = "cost-estimate";
pub const RELEASE: &str = "release";
pub const AUTOMERGE: &str = "automerge";

/// Which package ecosystems a vulnerability scanner covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanCoverage {
    /// Every package ecosystem it finds in the repository (not CI workflows).
    All,
    /// These ecosystems only (names as in `ecosystems`); empty for code (SAST) and secret
    /// scanners, which find no vulnerable dependencies.
    Some(&'static [&'static str]),
}

/// Scanners, the kind of step they make and the ecosystems they cover.
const SCANNERS: &[(&str, &str, ScanCoverage)] = &[
    // Dependency scanners that read every lock file they know.
    ("trivy", SECURITY_SCAN, ScanCoverage::All),
    ("grype", SECURITY_SCAN, ScanCoverage::All),
    ("snyk", SECURITY_SCAN, ScanCoverage::All),
    ("osv-scanner", SECURITY_SCAN, ScanCoverage::All),
    ("dependency-review", SECURITY_SCAN, ScanCoverage::All),
    (
        "gitlab-dependency-scanning",
        SECURITY_SCAN,
        ScanCoverage::All,
    ),
    ("dependency-check", SECURITY_SCAN, ScanCoverage::All),
    ("jfrog-xray", SECURITY_SCAN, ScanCoverage::All),
    ("mend", SECURITY_SCAN, ScanCoverage::All),
    // Azure DevOps: Advanced Security dependency scanning and Component Governance.
    (
        "advanced-security-dependencies",
        SECURITY_SCAN,
        ScanCoverage::All,
    ),
    ("component-governance", SECURITY_SCAN, ScanCoverage::All),
    // One ecosystem each.
    ("cargo-audit", SECURITY_SCAN, ScanCoverage::Some(&["cargo"])),
    ("cargo-deny", SECURITY_SCAN, ScanCoverage::Some(&["cargo"])),
    ("npm-audit", SECURITY_SCAN, ScanCoverage::Some(&["npm"])),
    ("yarn-audit", SECURITY_SCAN, ScanCoverage::Some(&["npm"])),
    ("pnpm-audit", SECURITY_SCAN, ScanCoverage::Some(&["npm"])),
    ("retire", SECURITY_SCAN, ScanCoverage::Some(&["npm"])),
    ("govulncheck", SECURITY_SCAN, ScanCoverage::Some(&["gomod"])),
    ("nancy", SECURITY_SCAN, ScanCoverage::Some(&["gomod"])),
    ("pip-audit", SECURITY_SCAN, ScanCoverage::Some(&["pip"])),
    ("safety", SECURITY_SCAN, ScanCoverage::Some(&["pip"])),
    (
        "bundler-audit",
        SECURITY_SCAN,
        ScanCoverage::Some(&["bundler"]),
    ),
    (
        "composer-audit",
        SECURITY_SCAN,
        ScanCoverage::Some(&["composer"]),
    ),
    (
        "dotnet-vulnerable",
        SECURITY_SCAN,
        ScanCoverage::Some(&["nuget"]),
    ),
    ("mix-audit", SECURITY_SCAN, ScanCoverage::Some(&["mix"])),
    (
        "zizmor",
        SECURITY_SCAN,
        ScanCoverage::Some(&["github-actions"]),
    ),
    // Container images.
    (
        "trivy-image",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "grype-image",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "snyk-container",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "docker-scout",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "gitlab-container-scanning",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "gcp-artifact-analysis",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    (
        "ecr-image-scan",
        SECURITY_SCAN,
        ScanCoverage::Some(&["docker"]),
    ),
    // Code, secrets, supply chain: no dependency coverage.
    ("codeql", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("semgrep", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("snyk-code", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("sonarqube", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("gitleaks", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("trufflehog", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("detect-secrets", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("scorecard", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("gosec", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("bandit", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("brakeman", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("fossa", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("trivy-k8s", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("gitlab-sast", SECURITY_SCAN, ScanCoverage::Some(&[])),
    (
        "gitlab-secret-detection",
        SECURITY_SCAN,
        ScanCoverage::Some(&[]),
    ),
    ("gitlab-dast", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("credscan", SECURITY_SCAN, ScanCoverage::Some(&[])),
    ("git-secrets", SECURITY_SCAN, ScanCoverage::Some(&[])),
    (
        "microsoft-security-devops",
        SECURITY_SCAN,
        ScanCoverage::Some(&[]),
    ),
    // Microsoft's 1ES pipeline templates inject SDL tools (CredScan, PoliCheck, BinSkim, …).
    ("1es-sdl", SECURITY_SCAN, ScanCoverage::Some(&[])),
    (
        "jenkins-security-scan",
        SECURITY_SCAN,
        ScanCoverage::Some(&[]),
    ),
    // Infrastructure as code.
    ("checkov", IAC_SCAN, ScanCoverage::Some(&[])),
    ("tfsec", IAC_SCAN, ScanCoverage::Some(&[])),
    ("kics", IAC_SCAN, ScanCoverage::Some(&[])),
    ("terrascan", IAC_SCAN, ScanCoverage::Some(&[])),
    ("trivy-config", IAC_SCAN, ScanCoverage::Some(&[])),
    ("snyk-iac", IAC_SCAN, ScanCoverage::Some(&[])),
    ("kubesec", IAC_SCAN, ScanCoverage::Some(&[])),
    ("kubescape", IAC_SCAN, ScanCoverage::Some(&[])),
    ("gitlab-iac-sast", IAC_SCAN, ScanCoverage::Some(&[])),
];

/// Which package ecosystems a scanner (as named in `Step.scanner`) covers.
pub fn scanner_coverage(scanner: &str) -> ScanCoverage {
    SCANNERS
        .iter()
        .find(|(name, _, _)| *name == scanner)
        .map_or(ScanCoverage::Some(&[]), |(_, _, coverage)| *coverage)
}

/// The kind of step a scanner makes (`security-scan` or `iac-scan`).
fn scanner_kind(scanner: &'static str) -> &'static str {
    SCANNERS
        .iter()
        .find(|(name, _, _)| *name == scanner)
        .map_or(SECURITY_SCAN, |(_, kind, _)| kind)
}

/// The kinds of a step and, for a scan, its scanner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    pub kinds: BTreeSet<&'static str>,
    pub scanner: Option<&'static str>,
}

impl Classification {
    pub fn of(kinds: &[&'static str]) -> Self {
        Classification {
            kinds: kinds.iter().copied().collect(),
            scanner: None,
        }
    }

    /// A scan by `scanner`, of the kind the scanner makes.
    pub fn scan(scanner: &'static str) -> Self {
        let mut c = Classification::default();
        c.add_scan(scanner);
        c
    }

    pub fn add(&mut self, kind: &'static str) {
        self.kinds.insert(kind);
    }

    pub fn add_scan(&mut self, scanner: &'static str) {
        self.kinds.insert(scanner_kind(scanner));
        if matches!(scanner_coverage(scanner), ScanCoverage::All)
            || matches!(scanner_coverage(scanner), ScanCoverage::Some(list) if !list.is_empty())
        {
            self.kinds.insert(VULNERABILITY_SCAN);
        }
        self.scanner.get_or_insert(scanner);
    }

    pub fn merge(&mut self, other: Classification) {
        self.kinds.extend(other.kinds);
        if self.scanner.is_none() {
            self.scanner = other.scanner;
        }
    }

    pub fn has(&self, kind: &str) -> bool {
        self.kinds.contains(kind)
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The kinds as sorted strings, for the evidence document.
    pub fn kind_names(&self) -> Vec<String> {
        self.kinds.iter().map(|k| k.to_string()).collect()
    }
}

/// The text of one step, as written in the pipeline.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepText<'a> {
    /// `uses:` reference of a GitHub action or reusable workflow (`owner/repo/path@ref`,
    /// `./local`, `docker://image`).
    pub uses: Option<&'a str>,
    /// The whole script run (`run:`, `script:` lines).
    pub run: Option<&'a str>,
    /// The step's own name.
    pub name: Option<&'a str>,
    /// Inputs given to the action (`with:`), as text.
    pub with: &'a [(String, String)],
}

/// What classifying a step found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepClass {
    pub class: Classification,
    /// The step only does plumbing (checks out, installs, logs in, prints, calls an API):
    /// its name and its job's name must not give it a kind.
    pub plumbing: bool,
}

/// Classifies a step from its action and commands; its name is used only when they are
/// inconclusive and the step is more than plumbing.
pub fn classify(step: &StepText) -> StepClass {
    let mut class = Classification::default();
    let mut plumbing = true;
    if let Some(uses) = step.uses {
        match classify_action(uses, step.with) {
            Some(c) => {
                plumbing &= c.is_empty();
                class.merge(c);
            }
            None => plumbing = false,
        }
    }
    if let Some(run) = step.run {
        let script = classify_script(run);
        plumbing &= script.plumbing;
        class.merge(script.class);
    }
    if step.uses.is_none() && step.run.is_none() {
        plumbing = false;
    }
    if class.is_empty()
        && !plumbing
        && let Some(name) = step.name
    {
        class.merge(classify_name(name));
        // "Install the plugin", "Post a message": the step says it is plumbing.
        plumbing = class.is_empty() && name_is_plumbing(name);
    }
    StepClass { class, plumbing }
}

// ---------------------------------------------------------------------------------------
// Actions and reusable workflows

struct ActionRule {
    /// `owner/repo` or `owner/repo/path`, lowercase; matches at a `/` boundary.
    prefix: &'static str,
    kinds: &'static [&'static str],
    scanner: Option<&'static str>,
}

const fn act(prefix: &'static str, kinds: &'static [&'static str]) -> ActionRule {
    ActionRule {
        prefix,
        kinds,
        scanner: None,
    }
}

const fn scan(prefix: &'static str, scanner: &'static str) -> ActionRule {
    ActionRule {
        prefix,
        kinds: &[],
        scanner: Some(scanner),
    }
}

/// Well-known actions and reusable workflows. Longer prefixes first where they overlap.
const ACTIONS: &[ActionRule] = &[
    // Security scans.
    scan("github/codeql-action/init", "codeql"),
    scan("github/codeql-action/analyze", "codeql"),
    act("github/codeql-action/autobuild", &[BUILD]),
    act("github/codeql-action/upload-sarif", &[]),
    scan("actions/dependency-review-action", "dependency-review"),
    scan("google/osv-scanner-action", "osv-scanner"),
    scan("rustsec/audit-check", "cargo-audit"),
    scan("actions-rs/audit-check", "cargo-audit"),
    scan("embarkstudios/cargo-deny-action", "cargo-deny"),
    scan("golang/govulncheck-action", "govulncheck"),
    scan("pypa/gh-action-pip-audit", "pip-audit"),
    scan("pyupio/safety-action", "safety"),
    scan("gitleaks/gitleaks-action", "gitleaks"),
    scan("zricethezav/gitleaks-action", "gitleaks"),
    scan("trufflesecurity/trufflehog", "trufflehog"),
    scan("returntocorp/semgrep-action", "semgrep"),
    scan("semgrep/semgrep-action", "semgrep"),
    scan("ossf/scorecard-action", "scorecard"),
    scan("zizmorcore/zizmor-action", "zizmor"),
    scan("sonarsource/sonarqube-scan-action", "sonarqube"),
    scan("sonarsource/sonarcloud-github-action", "sonarqube"),
    scan("sonarsource/sonarqube-quality-gate-action", "sonarqube"),
    scan(
        "dependency-check/dependency-check_action",
        "dependency-check",
    ),
    scan("docker/scout-action", "docker-scout"),
    scan("fossas/fossa-action", "fossa"),
    scan("securego/gosec", "gosec"),
    scan(
        "jenkins-infra/jenkins-security-scan",
        "jenkins-security-scan",
    ),
    scan("bridgecrewio/checkov-action", "checkov"),
    scan("aquasecurity/tfsec-action", "tfsec"),
    scan("aquasecurity/tfsec-pr-commenter-action", "tfsec"),
    scan("aquasecurity/tfsec-sarif-action", "tfsec"),
    scan("checkmarx/kics-github-action", "kics"),
    scan("checkmarx/kics-action", "kics"),
    scan("tenable/terrascan-action", "terrascan"),
    scan("accurics/terrascan-action", "terrascan"),
    scan("controlplaneio/kubesec-action", "kubesec"),
    scan("kubescape/github-action", "kubescape"),
    // Lint.
    act("golangci/golangci-lint-action", &[LINT]),
    act("github/super-linter", &[LINT]),
    act("super-linter/super-linter", &[LINT]),
    act("oxsecurity/megalinter", &[LINT]),
    act("hadolint/hadolint-action", &[LINT]),
    act("ludeeus/action-shellcheck", &[LINT]),
    act("davidanson/markdownlint-cli2-action", &[LINT]),
    act("articulate/actions-markdownlint", &[LINT]),
    act("nosborn/github-action-markdown-cli", &[LINT]),
    act("ibiqlik/action-yamllint", &[LINT]),
    act("karancode/yamllint-github-action", &[LINT]),
    act("rhysd/actionlint", &[LINT]),
    act("raven-actions/actionlint", &[LINT]),
    act("devops-actions/actionlint", &[LINT]),
    act("reviewdog/action-actionlint", &[LINT]),
    act("pre-commit/action", &[LINT]),
    act("pre-commit-ci/lite-action", &[LINT]),
    act("astral-sh/ruff-action", &[LINT]),
    act("chartboost/ruff-action", &[LINT]),
    act("psf/black", &[LINT]),
    act("codespell-project/actions-codespell", &[LINT]),
    act("crate-ci/typos", &[LINT]),
    act("lycheeverse/lychee-action", &[LINT]),
    act("gaurav-nelson/github-action-markdown-link-check", &[LINT]),
    act("errata-ai/vale-action", &[LINT]),
    act("wagoid/commitlint-github-action", &[LINT]),
    act("amannn/action-semantic-pull-request", &[LINT]),
    act("bufbuild/buf-lint-action", &[LINT]),
    act("bufbuild/buf-breaking-action", &[LINT]),
    act("stackrox/kube-linter-action", &[LINT]),
    act("instrumenta/kubeval-action", &[LINT]),
    act("kubevious/cli", &[LINT]),
    act("gradle/actions/wrapper-validation", &[]),
    act("gradle/wrapper-validation-action", &[]),
    act("terraform-docs/gh-actions", &[]),
    act("actions-rs/clippy-check", &[LINT]),
    act("giraffate/clippy-action", &[LINT]),
    act("dominikh/staticcheck-action", &[LINT]),
    act("biomejs/setup-biome", &[]),
    // Tests.
    act("cypress-io/github-action", &[TEST]),
    act("helm/chart-testing-action", &[]),
    act("codecov/codecov-action", &[]),
    // Throw-away clusters for tests: setup.
    act("helm/kind-action", &[]),
    act("engineerd/setup-kind", &[]),
    act("container-tools/kind-action", &[]),
    act("medyagh/setup-minikube", &[]),
    act("manusa/actions-setup-minikube", &[]),
    act("absaoss/k3d-action", &[]),
    act("nolar/setup-k3d-k3s", &[]),
    act("debianmaster/actions-k3s", &[]),
    act("jupyterhub/action-k3s-helm", &[]),
    act("rancher/k3d-action", &[]),
    act("coverallsapp/github-action", &[]),
    act("dorny/test-reporter", &[]),
    act("mikepenz/action-junit-report", &[]),
    // Build.
    act("docker/build-push-action", &[BUILD]),
    act("depot/build-push-action", &[BUILD]),
    act("docker/bake-action", &[BUILD]),
    act("depot/bake-action", &[BUILD]),
    act("redhat-actions/buildah-build", &[BUILD]),
    act("redhat-actions/push-to-registry", &[RELEASE]),
    act("goreleaser/goreleaser-action", &[BUILD, RELEASE]),
    act("gradle/gradle-build-action", &[BUILD]),
    act("docker/metadata-action", &[]),
    // Deploy.
    act("google-github-actions/deploy-cloudrun", &[DEPLOY]),
    act("google-github-actions/deploy-appengine", &[DEPLOY]),
    act("google-github-actions/deploy-cloud-functions", &[DEPLOY]),
    act("google-github-actions/deploy-gke", &[DEPLOY]),
    act("azure/webapps-deploy", &[DEPLOY]),
    act("azure/k8s-deploy", &[DEPLOY]),
    act("azure/functions-action", &[DEPLOY]),
    act("azure/arm-deploy", &[DEPLOY]),
    act("azure/container-apps-deploy-action", &[DEPLOY]),
    act("azure/static-web-apps-deploy", &[DEPLOY]),
    act("azure/aci-deploy", &[DEPLOY]),
    act("aws-actions/amazon-ecs-deploy-task-definition", &[DEPLOY]),
    act("aws-actions/aws-cloudformation-github-deploy", &[DEPLOY]),
    act("aws-actions/aws-lambda-deploy", &[DEPLOY]),
    act("aws-actions/amazon-ecs-render-task-definition", &[]),
    act("dflook/terraform-apply", &[DEPLOY]),
    act("dflook/tofu-apply", &[DEPLOY]),
    act(
        "hashicorp/tfc-workflows-github/actions/apply-run",
        &[DEPLOY],
    ),
    act("cloudflare/wrangler-action", &[DEPLOY]),
    act("cloudflare/pages-action", &[DEPLOY]),
    act("amondnet/vercel-action", &[DEPLOY]),
    act("nwtgck/actions-netlify", &[DEPLOY]),
    act("firebaseextended/action-hosting-deploy", &[DEPLOY]),
    act("akhileshns/heroku-deploy", &[DEPLOY]),
    act("omegion/argocd-actions", &[DEPLOY]),
    // Release (publishing artifacts, docs sites and release notes).
    act("googleapis/release-please-action", &[RELEASE]),
    act("google-github-actions/release-please-action", &[RELEASE]),
    act("googlecloudplatform/release-please-action", &[RELEASE]),
    act("softprops/action-gh-release", &[RELEASE]),
    act("ncipollo/release-action", &[RELEASE]),
    act("actions/create-release", &[RELEASE]),
    act("actions/upload-release-asset", &[RELEASE]),
    act("marvinpinto/action-automatic-releases", &[RELEASE]),
    act("cycjimmy/semantic-release-action", &[RELEASE]),
    act("changesets/action", &[RELEASE]),
    act("helm/chart-releaser-action", &[RELEASE]),
    act("stefanprodan/helm-gh-pages", &[RELEASE]),
    act("pypa/gh-action-pypi-publish", &[RELEASE]),
    act("js-devtools/npm-publish", &[RELEASE]),
    act("release-drafter/release-drafter", &[RELEASE]),
    act("xresloader/upload-to-github-release", &[RELEASE]),
    act("peaceiris/actions-gh-pages", &[RELEASE]),
    act("actions/deploy-pages", &[RELEASE]),
    act("jamesives/github-pages-deploy-action", &[RELEASE]),
    // Automerge.
    act("pascalgn/automerge-action", &[AUTOMERGE]),
    act("ahmadnassri/action-dependabot-auto-merge", &[AUTOMERGE]),
    act("fastify/github-action-merge-dependabot", &[AUTOMERGE]),
    act("peter-evans/enable-pull-request-automerge", &[AUTOMERGE]),
    act("dependabot/fetch-metadata", &[]),
];

/// The lowercased path of an action reference without its version: `owner/repo/path`,
/// `./local/path`, or `docker://image`.
fn action_path(uses: &str) -> String {
    let uses = uses.trim();
    let without_version = match uses.strip_prefix("docker://") {
        Some(image) => return format!("docker://{}", image.to_ascii_lowercase()),
        None => uses.split('@').next().unwrap_or(uses),
    };
    without_version
        .trim_end_matches('/')
        .to_ascii_lowercase()
        .replace("/.github/workflows/", "/")
}

fn with_value<'a>(with: &'a [(String, String)], key: &str) -> Option<&'a str> {
    with.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
}

/// Classifies an action or reusable-workflow reference with its inputs. `None` when the
/// action is unknown and its name says nothing.
pub fn classify_action(uses: &str, with: &[(String, String)]) -> Option<Classification> {
    let path = action_path(uses);
    if let Some(image) = path.strip_prefix("docker://") {
        let args = with_value(with, "args").unwrap_or("");
        let command = format!("{} {args}", image_tool(image));
        let script = classify_script(&command);
        return (!script.class.is_empty()).then_some(script.class);
    }
    if let Some(c) = classify_action_with_inputs(&path, with) {
        return Some(c);
    }
    let rule = ACTIONS.iter().find(|r| {
        path == r.prefix
            || path
                .strip_prefix(r.prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    if let Some(rule) = rule {
        let mut c = Classification::of(rule.kinds);
        if let Some(scanner) = rule.scanner {
            c.add_scan(scanner);
        }
        if (rule.prefix == "docker/build-push-action"
            || rule.prefix == "depot/build-push-action"
            || rule.prefix.ends_with("bake-action"))
            && with_value(with, "push").is_some_and(|v| v == "true")
        {
            c.add(RELEASE);
        }
        return Some(c);
    }
    let c = classify_reference_words(&path, with);
    if c.scanner.is_none() && is_setup_action(uses) {
        // `./.github/actions/setup-deploy` sets up; it does not deploy.
        return Some(Classification::default());
    }
    (!c.is_empty()).then_some(c)
}

/// Actions whose kind depends on their inputs.
fn classify_action_with_inputs(path: &str, with: &[(String, String)]) -> Option<Classification> {
    let owner_repo: String = path.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    match owner_repo.as_str() {
        "aquasecurity/trivy-action" => {
            let scan_type = with_value(with, "scan-type").unwrap_or("image");
            Some(Classification::scan(match scan_type {
                "fs" | "filesystem" | "repo" | "repository" | "rootfs" | "sbom" => "trivy",
                "config" => "trivy-config",
                "k8s" | "kubernetes" => "trivy-k8s",
                _ => "trivy-image",
            }))
        }
        "anchore/scan-action" => Some(Classification::scan(
            if with_value(with, "image").is_some() {
                "grype-image"
            } else {
                "grype"
            },
        )),
        "snyk/actions" => {
            let tool = path.split('/').nth(2).unwrap_or("");
            let command = with_value(with, "command").unwrap_or("test");
            Some(match tool {
                "setup" => Classification::default(),
                "docker" => Classification::scan("snyk-container"),
                "iac" => Classification::scan("snyk-iac"),
                _ if command.starts_with("code") => Classification::scan("snyk-code"),
                _ => Classification::scan("snyk"),
            })
        }
        "pulumi/actions" => Some(match with_value(with, "command").unwrap_or("") {
            "up" | "update" => Classification::of(&[DEPLOY]),
            _ => Classification::default(),
        }),
        "superfly/flyctl-actions" | "serverless/github-action" => {
            let args = with_value(with, "args").unwrap_or("");
            Some(if words(args).iter().any(|w| w == "deploy") {
                Classification::of(&[DEPLOY])
            } else {
                Classification::default()
            })
        }
        "goreleaser/goreleaser-action" => {
            let args = with_value(with, "args").unwrap_or("release");
            Some(classify_script(&format!("goreleaser {args}")).class)
        }
        "gradle/gradle-build-action" | "gradle/actions"
            if with_value(with, "arguments").is_some() =>
        {
            let args = with_value(with, "arguments").unwrap_or("");
            Some(classify_script(&format!("gradle {args}")).class)
        }
        "infracost/actions" => Some(if path.ends_with("/setup") {
            Classification::default()
        } else {
            Classification::of(&[COST_ESTIMATE])
        }),
        _ => None,
    }
}

/// Setup, authentication, caching and artifact plumbing: known to do nothing a policy
/// counts.
pub fn is_setup_action(uses: &str) -> bool {
    let path = action_path(uses);
    let last = path.rsplit('/').next().unwrap_or("");
    let tokens = words(&path);
    path.starts_with("actions/")
        || tokens.iter().any(|t| SETUP_WORDS.contains(t))
        || last.starts_with("setup-")
}

/// Kinds read from the words of an unknown action or reusable workflow reference
/// (`giantswarm/github-workflows/gitleaks.yaml`, `./.github/workflows/build-images.yml`)
/// and from its inputs' names (`checkov_exclude`).
fn classify_reference_words(path: &str, with: &[(String, String)]) -> Classification {
    // The owner names an organisation, not what the step does.
    let tail = if path.starts_with("./") || path.starts_with("../") {
        path.rsplit('/').next().unwrap_or(path)
    } else {
        path.split_once('/').map_or(path, |(_, rest)| rest)
    };
    let mut c = classify_words(tail, Words::Name);
    for (key, _) in with {
        for w in words(key) {
            if let Some(scanner) = scanner_word(&w) {
                c.add_scan(scanner);
            }
        }
    }
    c
}

/// The tool a container image runs: `ghcr.io/yannh/kubeconform:latest` → `kubeconform`.
pub(super) fn image_tool(image: &str) -> String {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split([':', '@']).next().unwrap_or(name);
    name.to_string()
}

// ---------------------------------------------------------------------------------------
// Words: make targets, npm scripts, script names, step and job names

/// Where words come from; names are read more cautiously than targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    /// A make target, an npm script, a script file's stem: names of a task that runs.
    Target,
    /// A step's, job's or stage's name: prose.
    Name,
}

/// Lowercased alphanumeric words of a text (`Run unit-tests (Go)` → run, unit, tests, go).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Scanner named by a single word.
fn scanner_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "trivy" => "trivy",
        "grype" => "grype",
        "snyk" => "snyk",
        "codeql" => "codeql",
        "gitleaks" => "gitleaks",
        "trufflehog" => "trufflehog",
        "semgrep" => "semgrep",
        "govulncheck" => "govulncheck",
        "osv" | "osvscanner" => "osv-scanner",
        "zizmor" => "zizmor",
        "scorecard" | "scorecards" => "scorecard",
        "checkov" => "checkov",
        "tfsec" => "tfsec",
        "kics" => "kics",
        "terrascan" => "terrascan",
        "kubescape" => "kubescape",
        "sonarqube" | "sonarcloud" | "sonar" => "sonarqube",
        _ => return None,
    })
}

/// Whether `word` is one of the whitespace-separated words of `list` (for short lists).
pub(super) fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// A list of words, written as one string for readability, looked up in a set built on
/// first use.
pub(super) struct WordList {
    text: &'static str,
    set: OnceLock<BTreeSet<&'static str>>,
}

impl WordList {
    pub(super) const fn new(text: &'static str) -> Self {
        WordList {
            text,
            set: OnceLock::new(),
        }
    }

    pub(super) fn contains(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.text.split_whitespace().collect())
            .contains(word)
    }
}

/// Words of an action reference that mark setup and plumbing.
static SETUP_WORDS: WordList = WordList::new(
    "\
    setup install installer checkout cache login auth credentials configure artifact metadata \
    token secrets decrypt unlock cleanup slack notify label labeler comment stale",
);
/// Words of deployment environments that are real (not publishing gates).
static ENVIRONMENT_WORDS: WordList = WordList::new(
    "\
    prod production prd staging stage stg live preprod preproduction uat dev development qa \
    sandbox review preview canary demo",
);

/// Verbs that start a plumbing step's name ("Upload test results", "Set up Go").
static PLUMBING_VERBS: WordList = WordList::new(
    "\
    setup set install installing checkout cache restore save login log configure config \
    download upload prepare cleanup clean notify post comment report send get fetch wait debug \
    print show echo collect archive store add remove delete label assign close cancel skip \
    free mask export load unlock decrypt authenticate auth determine compute calculate find \
    read extract parse list declare filter update generate create monitor track watch bump",
);
/// Words that name a test task.
static TEST_WORDS: WordList = WordList::new(
    "\
    test tests testing unittest unittests e2e terratest smoketest smoketests pytest jest \
    vitest rspec phpunit",
);
/// Words that name a lint task.
static LINT_WORDS: WordList = WordList::new(
    "\
    lint lints linter linters linting vet fmtcheck stylecheck staticcheck typecheck mypy \
    golangci eslint ruff flake8 pylint clippy shellcheck yamllint hadolint markdownlint \
    actionlint tflint codespell spellcheck prettier rubocop precommit validate validation",
);
/// Words that name a deployment.
static DEPLOY_WORDS: WordList = WordList::new(
    "\
    deploy deploys deployment deployments deploying redeploy rollout",
);
/// Words that name a security scan.
static SECURITY_WORDS: WordList = WordList::new(
    "\
    audit vulnerability vulnerabilities vuln vulns cve cves sast",
);

/// Verbs that start a plumbing step's name ("Upload test results", "Set up Go").
fn is_plumbing_verb(word: &str) -> bool {
    PLUMBING_VERBS.contains(word)
}

/// A step name that starts with a plumbing verb ("Install …", "Upload …", "Set up …").
pub fn name_is_plumbing(name: &str) -> bool {
    let name = strip_expressions(name);
    let ws = words(&name);
    let mut first = ws.iter().skip_while(|w| {
        matches!(w.as_str(), "stage" | "step" | "job" | "run" | "and")
            || w.chars().all(|c| c.is_ascii_digit())
    });
    first.next().is_some_and(|w| is_plumbing_verb(w))
}

/// Kinds named by words. `create` and `update` are plumbing verbs for names, except that
/// "Create release" is a release.
pub fn classify_words(text: &str, source: Words) -> Classification {
    let mut ws = words(text);
    let mut c = Classification::default();
    if source == Words::Name {
        // "Stage 4: Deploy to staging" → "deploy to staging".
        while ws
            .first()
            .is_some_and(|w| matches!(w.as_str(), "stage" | "step" | "job" | "run" | "and"))
            || ws
                .first()
                .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        {
            ws.remove(0);
        }
        if let Some(first) = ws.first() {
            let release_verb = matches!(first.as_str(), "create" | "update" | "generate")
                && ws.iter().any(|w| w.starts_with("release"));
            if is_plumbing_verb(first) && !release_verb {
                return c;
            }
        }
    }
    let has = |w: &str| ws.iter().any(|x| x == w);
    for w in &ws {
        let w = w.as_str();
        let test_prefix = source == Words::Target && w.starts_with("test") && w.len() <= 9;
        if test_prefix
            || TEST_WORDS.contains(w)
            || (source == Words::Target
                && matches!(w, "spec" | "specs" | "acceptance" | "integration"))
        {
            c.add(TEST);
        }
        if LINT_WORDS.contains(w) {
            c.add(LINT);
        }
        if matches!(
            w,
            "build" | "builds" | "compile" | "assemble" | "crossbuild"
        ) || (source == Words::Target && matches!(w, "dist" | "package" | "image" | "images"))
        {
            c.add(BUILD);
        }
        if source == Words::Target && w == "push" {
            // `make docker-push`, `task push-image`: publishes an artifact.
            c.add(RELEASE);
        }
        if DEPLOY_WORDS.contains(w) {
            c.add(DEPLOY);
        }
        if matches!(
            w,
            "release" | "releases" | "releasing" | "releaser" | "publish" | "publishing"
        ) {
            c.add(RELEASE);
        }
        if matches!(w, "automerge" | "automerging") {
            c.add(AUTOMERGE);
        }
        if SECURITY_WORDS.contains(w) {
            c.add(SECURITY_SCAN);
        }
        if w == "infracost" {
            c.add(COST_ESTIMATE);
        }
        if let Some(scanner) = scanner_word(w) {
            c.add_scan(scanner);
        }
    }
    // Compound phrases.
    if has("apply")
        && [
            "terraform",
            "tf",
            "terragrunt",
            "tofu",
            "kubectl",
            "k8s",
            "manifests",
        ]
        .iter()
        .any(|w| has(w))
    {
        c.add(DEPLOY);
    }
    if (has("check") || has("checks") || has("verify") || has("validate"))
        && [
            "format",
            "formatting",
            "fmt",
            "style",
            "types",
            "typing",
            "lint",
        ]
        .iter()
        .any(|w| has(w))
    {
        c.add(LINT);
    }
    if has("static") && has("analysis") {
        c.add(LINT);
    }
    if source == Words::Name
        && ["matrix", "summary", "list", "report", "comment", "message"]
            .iter()
            .any(|w| has(w))
    {
        // "Build account matrix", "Build summary": not a software build.
        c.kinds.remove(BUILD);
    }
    if has("auto") && has("merge") {
        c.add(AUTOMERGE);
    }
    if has("pre") && has("commit") {
        c.add(LINT);
    }
    if source == Words::Target && ws.len() == 1 && has("check") {
        // `make check` runs the test suite by convention.
        c.add(TEST);
    }
    c
}

/// Classifies a step or job name.
pub fn classify_name(name: &str) -> Classification {
    // `${{ matrix.name }}` says nothing.
    let name = strip_expressions(name);
    classify_words(&name, Words::Name)
}

/// Replaces `${{ … }}` expressions by a space.
fn strip_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        out.push(' ');
        rest = match rest[start..].find("}}") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------
// Job-level signals

const EPHEMERAL_CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "debianmaster/actions-k3s",
    "jupyterhub/action-k3s-helm",
    "rancher/k3d-action",
];

/// The step creates a throw-away Kubernetes cluster (kind, minikube, k3d, k3s): deploys
/// into it are tests.
pub fn creates_ephemeral_cluster(step: &StepText) -> bool {
    let action = step.uses.map(action_path).unwrap_or_default();
    let by_action = EPHEMERAL_CLUSTER_ACTIONS
        .iter()
        .any(|a| action == *a || action.starts_with(&format!("{a}/")));
    let by_command = step.run.is_some_and(starts_cluster);
    by_action || by_command
}

/// A deployment environment's name that reads like a real environment
/// (`production`, `staging`, `prod-eu`), not a publishing gate (`pypi`, `github-pages`).
pub fn environment_deploys(name: &str) -> bool {
    if name.contains("${{") || name.contains('$') && !name.contains('/') {
        return false;
    }
    words(name)
        .iter()
        .any(|w| ENVIRONMENT_WORDS.contains(w) || w.starts_with("prod"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(reference: &str, with: &[(&str, &str)]) -> (Vec<&'static str>, Option<&'static str>) {
        let with: Vec<(String, String)> = with
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let c = classify(&StepText {
            uses: Some(reference),
            with: &with,
            ..Default::default()
        })
        .class;
        (c.kinds.into_iter().collect(), c.scanner)
    }

    /// `reference | input=value;… | kinds | scanner`, one action per line.
    const ACTION_CASES: &str = "
        actions/checkout@v4 | | |
        actions/setup-go@v5 | | |
        github/codeql-action/init@v3 | | security-scan | codeql
        github/codeql-action/analyze@v3 | | security-scan | codeql
        github/codeql-action/upload-sarif@v3 | | |
        aquasecurity/trivy-action@0.28.0 | scan-type=fs | security-scan | trivy
        aquasecurity/trivy-action@master | image-ref=app:1 | security-scan | trivy-image
        aquasecurity/trivy-action@master | scan-type=config | iac-scan | trivy-config
        anchore/scan-action@v3 | image=app:1 | security-scan | grype-image
        anchore/scan-action@v3 | path=. | security-scan | grype
        snyk/actions/node@master | | security-scan | snyk
        snyk/actions/docker@master | | security-scan | snyk-container
        snyk/actions/iac@master | | iac-scan | snyk-iac
        google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v1 | | security-scan | osv-scanner
        actions/dependency-review-action@v4 | | security-scan | dependency-review
        rustsec/audit-check@v2 | | security-scan | cargo-audit
        EmbarkStudios/cargo-deny-action@v2 | | security-scan | cargo-deny
        golang/govulncheck-action@v1 | | security-scan | govulncheck
        pypa/gh-action-pip-audit@v1 | | security-scan | pip-audit
        gitleaks/gitleaks-action@v2 | | security-scan | gitleaks
        giantswarm/github-workflows/.github/workflows/gitleaks.yaml@main | | security-scan | gitleaks
        ossf/scorecard-action@v2 | | security-scan | scorecard
        open-telemetry/shared-workflows/.github/workflows/scorecard.yml@main | | security-scan | scorecard
        zizmorcore/zizmor-action@v0.1 | | security-scan | zizmor
        jenkins-infra/jenkins-security-scan/.github/workflows/jenkins-security-scan.yaml@v2 | | security-scan | jenkins-security-scan
        bridgecrewio/checkov-action@v12 | | iac-scan | checkov
        aquasecurity/tfsec-action@v1 | | iac-scan | tfsec
        Checkmarx/kics-github-action@v2 | | iac-scan | kics
        ministryofjustice/modernisation-platform-github-actions/terraform-static-analysis@x | checkov_exclude=CKV_1 | iac-scan,lint | checkov
        infracost/actions/setup@v3 | | |
        golangci/golangci-lint-action@v6 | | lint |
        super-linter/super-linter@v7 | | lint |
        pre-commit/action@v3 | | lint |
        hadolint/hadolint-action@v3 | | lint |
        docker://ghcr.io/yannh/kubeconform:latest-alpine | args=-strict manifests | lint |
        docker/build-push-action@v6 | | build |
        docker/build-push-action@v6 | push=true | build,release |
        goreleaser/goreleaser-action@v6 | args=release --clean | build,release |
        google-github-actions/deploy-cloudrun@v2 | | deploy |
        azure/webapps-deploy@v3 | | deploy |
        aws-actions/amazon-ecs-deploy-task-definition@v2 | | deploy |
        pulumi/actions@v5 | command=up | deploy |
        pulumi/actions@v5 | command=preview | |
        superfly/flyctl-actions@1 | args=deploy --remote-only | deploy |
        googleapis/release-please-action@v4 | | release |
        GoogleCloudPlatform/release-please-action@v4 | | release |
        softprops/action-gh-release@v2 | | release |
        helm/chart-releaser-action@v1 | | release |
        actions/deploy-pages@v4 | | release |
        dependabot/fetch-metadata@v2 | | |
        pascalgn/automerge-action@v0.16 | | automerge |
        jenkins-infra/github-reusable-workflows/.github/workflows/auto-merge-safe-deps.yml@v1 | | automerge |
        ./.github/workflows/component-build-images.yml | | build |
        ./.github/workflows/reusable_terraform_plan_apply.yml | | deploy |
        cypress-io/github-action@v6 | | test |
        helm/kind-action@v1 | | |
        some-org/unknown-thing@v1 | | |
";

    fn finds_vulnerable_dependencies(scanner: &str) -> bool {
        match scanner_coverage(scanner) {
            ScanCoverage::All => true,
            ScanCoverage::Some(list) => !list.is_empty(),
        }
    }

    #[test]
    fn only_dependency_and_image_scanners_are_vulnerability_scans() {
        let kinds = |s: &'static str| Classification::scan(s).kind_names();
        assert_eq!(kinds("trivy"), ["security-scan", "vulnerability-scan"]);
        assert_eq!(
            kinds("govulncheck"),
            ["security-scan", "vulnerability-scan"]
        );
        assert_eq!(
            kinds("trivy-image"),
            ["security-scan", "vulnerability-scan"]
        );
        assert_eq!(kinds("gitleaks"), ["security-scan"]);
        assert_eq!(kinds("codeql"), ["security-scan"]);
        assert_eq!(kinds("scorecard"), ["security-scan"]);
        assert_eq!(kinds("checkov"), ["iac-scan"]);
    }

    #[test]
    fn actions_by_kind() {
        for line in ACTION_CASES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            let with: Vec<(&str, &str)> = fields[1]
                .split(';')
                .filter_map(|kv| kv.split_once('='))
                .collect();
            let scanner = fields.get(3).copied().filter(|s| !s.is_empty());
            let mut want: Vec<&str> = fields[2].split(',').filter(|k| !k.is_empty()).collect();
            if scanner.is_some_and(finds_vulnerable_dependencies) {
                want.push(VULNERABILITY_SCAN);
                want.sort();
            }
            let (kinds, found) = uses(fields[0], &with);
            assert_eq!(kinds, want, "{line}");
            assert_eq!(found, scanner, "{line}");
        }
    }

    #[test]
    fn names_only_when_commands_are_inconclusive() {
        let step = |name: &str, run: &str| {
            classify(&StepText {
                name: Some(name),
                run: Some(run),
                ..Default::default()
            })
        };
        // An unknown command: the name decides.
        assert!(step("Run integration tests", "./ci/run.sh").class.has(TEST));
        assert!(
            step("Stage 4: Deploy to staging", "chartctl up")
                .class
                .has(DEPLOY)
        );
        // Plumbing is never renamed into a kind.
        let s = step("Upload test results", "curl -F f=@out.xml https://x");
        assert!(s.class.is_empty() && s.plumbing);
        let s = step("Report deployment", "./notify.sh");
        assert!(s.class.is_empty(), "{s:?}");
        let s = step("trivy", "echo 'trivy-action step removed'");
        assert!(s.class.is_empty() && s.plumbing);
        // A conclusive command wins over the name.
        let s = step("Run tests", "cargo clippy");
        assert_eq!(s.class.kind_names(), vec!["lint"]);
        // Setup steps are plumbing.
        assert!(
            classify(&StepText {
                uses: Some("actions/setup-node@v4"),
                name: Some("Setup node for tests"),
                ..Default::default()
            })
            .plumbing
        );
    }

    #[test]
    fn words_of_names_and_targets() {
        let name = |n: &str| classify_name(n).kind_names();
        assert_eq!(name("Unit tests"), vec!["test"]);
        assert_eq!(name("Lint and test"), vec!["lint", "test"]);
        assert_eq!(name("Check formatting"), vec!["lint"]);
        assert_eq!(name("Set up test environment"), Vec::<String>::new());
        assert_eq!(name("Create release"), vec!["release"]);
        assert_eq!(name("Run ${{ matrix.name }}"), Vec::<String>::new());
        assert_eq!(name("Vulnerability scan"), vec!["security-scan"]);
        let target = |t: &str| classify_words(t, Words::Target).kind_names();
        assert_eq!(target("test_race"), vec!["test"]);
        assert_eq!(target("check"), vec!["test"]);
        assert_eq!(target("acceptance-test"), vec!["test"]);
        assert_eq!(target("docker-build"), vec!["build"]);
        assert_eq!(target("docker-push"), vec!["release"]);
        assert_eq!(target("crossbuild"), vec!["build"]);
    }

    #[test]
    fn coverage_by_scanner() {
        assert_eq!(scanner_coverage("trivy"), ScanCoverage::All);
        assert_eq!(scanner_coverage("grype"), ScanCoverage::All);
        assert_eq!(scanner_coverage("dependency-review"), ScanCoverage::All);
        assert_eq!(
            scanner_coverage("cargo-audit"),
            ScanCoverage::Some(&["cargo"])
        );
        assert_eq!(scanner_coverage("yarn-audit"), ScanCoverage::Some(&["npm"]));
        assert_eq!(
            scanner_coverage("govulncheck"),
            ScanCoverage::Some(&["gomod"])
        );
        assert_eq!(
            scanner_coverage("trivy-image"),
            ScanCoverage::Some(&["docker"])
        );
        assert_eq!(
            scanner_coverage("zizmor"),
            ScanCoverage::Some(&["github-actions"])
        );
        assert_eq!(scanner_coverage("codeql"), ScanCoverage::Some(&[]));
        assert_eq!(scanner_coverage("unheard-of"), ScanCoverage::Some(&[]));
        // Every scanner a rule can produce has a coverage entry.
        for rule in ACTIONS {
            if let Some(s) = rule.scanner {
                assert!(SCANNERS.iter().any(|(n, _, _)| *n == s), "{s}");
            }
        }
    }

    #[test]
    fn ephemeral_clusters_and_environments() {
        assert!(creates_ephemeral_cluster(&StepText {
            uses: Some("helm/kind-action@v1.10.0"),
            ..Default::default()
        }));
        assert!(creates_ephemeral_cluster(&StepText {
            run: Some("kind create cluster --name ci"),
            ..Default::default()
        }));
        assert!(creates_ephemeral_cluster(&StepText {
            run: Some(
                "docker run -d --name microshift --privileged quay.io/microshift/microshift-aio:latest"
            ),
            ..Default::default()
        }));
        assert!(!creates_ephemeral_cluster(&StepText {
            run: Some("kubectl apply -f k8s/"),
            ..Default::default()
        }));
        assert!(environment_deploys("production"));
        assert!(environment_deploys("staging-eu"));
        assert!(environment_deploys("prod"));
        assert!(!environment_deploys("pypi"));
        assert!(!environment_deploys("github-pages"));
        assert!(!environment_deploys("${{ inputs.environment }}"));
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for text in [
            "",
            "\\",
            "$(",
            "`",
            "${{",
            "}}",
            "&&&&",
            "| | |",
            "sudo",
            "timeout",
            "npx -p",
            "docker run",
            "go run",
            "yarn workspace",
            "python -m",
            "ééé ü",
            "make -C",
        ] {
            let _ = classify_script(text);
            let _ = classify_name(text);
            let _ = classify_action(text, &[]);
        }
    }
}
