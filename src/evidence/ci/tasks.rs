//! Named building blocks of CI systems: Azure Pipelines tasks, CircleCI orb commands and
//! jobs, Bitbucket pipes, Buildkite plugins, Jenkins steps and shared-library calls.
//!
//! Each is looked up in a table of well-known names (with its inputs, when they decide
//! what it does: `DotNetCoreCLI@2` with `command: test`, `HelmDeploy@0` with `command:
//! upgrade`); an unknown name is read by its words (`aws-ecs/deploy-service-update`,
//! `deployToProduction`), keeping only kinds a name states plainly. Inline scripts given
//! as inputs (`AzureCLI@2` `inlineScript`) are classified like any script.

use super::commands::classify_script;
use super::steps::{
    BUILD, Classification, DEPLOY, LINT, RELEASE, StepText, TEST, Words, classify_words,
    creates_ephemeral_cluster,
};

/// What a named building block does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    pub class: Classification,
    /// Known to do nothing a policy counts (installs a tool, copies files, logs in).
    pub plumbing: bool,
    /// Runs a script of the user's: the job's name may speak for it when the script says
    /// nothing.
    pub opaque: bool,
    /// Publishes test results: the job it is in ran tests.
    pub reports_tests: bool,
    /// Waits for a person (an approval gate).
    pub manual: bool,
    /// Creates a throw-away Kubernetes cluster.
    pub ephemeral_cluster: bool,
}

impl Named {
    fn of(kinds: &[&'static str]) -> Named {
        Named {
            class: Classification::of(kinds),
            ..Default::default()
        }
    }

    fn scan(scanner: &'static str) -> Named {
        Named {
            class: Classification::scan(scanner),
            ..Default::default()
        }
    }

    fn plumbing() -> Named {
        Named {
            plumbing: true,
            ..Default::default()
        }
    }

    fn reports_tests() -> Named {
        Named {
            plumbing: true,
            reports_tests: true,
            ..Default::default()
        }
    }

    fn manual() -> Named {
        Named {
            plumbing: true,
            manual: true,
            ..Default::default()
        }
    }

    /// A script run by the block: classified like any script, and opaque to the job.
    pub fn script(script: &str) -> Named {
        let c = classify_script(script);
        Named {
            class: c.class,
            plumbing: c.plumbing,
            opaque: true,
            ephemeral_cluster: creates_ephemeral_cluster(&StepText {
                run: Some(script),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// An unknown block: what its name says plainly (test, lint, build, deploy, release,
    /// a scanner), else nothing.
    pub fn by_words(name: &str) -> Named {
        let mut c = classify_words(&split_words(name), Words::Name);
        if c.scanner.is_none() {
            c.kinds
                .retain(|k| matches!(*k, TEST | LINT | BUILD | DEPLOY | RELEASE));
        }
        Named {
            class: c,
            ..Default::default()
        }
    }
}

/// Words of a name written in camelCase, PascalCase, kebab-case or snake_case, separated
/// by spaces: `deployToProd` → `deploy To Prod`, `PublishTestResults` → `Publish Test
/// Results`.
pub fn split_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if let Some(p) = prev
            && c.is_ascii_uppercase()
            && (p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push(' ');
        }
        out.push(if c.is_ascii_alphanumeric() { c } else { ' ' });
        prev = Some(c);
    }
    out
}

fn input<'a>(inputs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    inputs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn lower(s: Option<&str>) -> String {
    s.unwrap_or("").to_ascii_lowercase()
}

// ---------------------------------------------------------------------------------------
// Azure Pipelines

/// An Azure Pipelines task (`DotNetCoreCLI@2`, `1ES.PublishBuildArtifacts@1`) with its
/// `inputs:`.
pub fn azure_task(task: &str, inputs: &[(String, String)]) -> Named {
    let written = task.trim().split('@').next().unwrap_or("");
    let written = written
        .strip_prefix("1ES.")
        .or_else(|| written.strip_prefix("1es."))
        .unwrap_or(written);
    let lowered = written.to_ascii_lowercase();
    let name = lowered.as_str();
    let i = |k: &str| input(inputs, k);
    let command = |default: &str| lower(i("command").or(Some(default)));
    match name {
        // Scripts.
        "cmdline" | "bash" | "powershell" | "pythonscript" | "shellscript" | "batchscript" => {
            let inline = i("script").or_else(|| i("inline"));
            let file = i("filePath")
                .or_else(|| i("scriptPath"))
                .or_else(|| i("filename"));
            match (inline, file) {
                (Some(s), _) => Named::script(s),
                (None, Some(f)) => Named::script(f),
                (None, None) => Named {
                    opaque: true,
                    ..Default::default()
                },
            }
        }
        "azurecli" | "azurepowershell" | "awsshellscript" | "awspowershellmodulescript" => {
            let script = i("inlineScript")
                .or_else(|| i("Inline"))
                .or_else(|| i("scriptPath"))
                .or_else(|| i("ScriptPath"))
                .or_else(|| i("filePath"));
            script.map_or(
                Named {
                    opaque: true,
                    ..Default::default()
                },
                Named::script,
            )
        }
        // Build and test tools.
        "dotnetcorecli" => {
            let command = command("build");
            let args = i("arguments").unwrap_or("");
            match command.as_str() {
                "custom" => Named::script(&format!("dotnet {} {args}", i("custom").unwrap_or(""))),
                "push" => Named::of(&[RELEASE]),
                _ => Named::script(&format!("dotnet {command} {args}")),
            }
        }
        "vstest" => Named::of(&[TEST]),
        "publishtestresults" | "publishcodecoverageresults" => Named::reports_tests(),
        "maven" => Named::script(&format!(
            "mvn {} {}",
            i("goals").unwrap_or("package"),
            i("options").unwrap_or("")
        )),
        "gradle" => Named::script(&format!(
            "gradle {} {}",
            i("tasks").unwrap_or("build"),
            i("options").unwrap_or("")
        )),
        "npm" => match command("install").as_str() {
            "publish" => Named::of(&[RELEASE]),
            "custom" => Named::script(&format!("npm {}", i("customCommand").unwrap_or(""))),
            _ => Named::plumbing(),
        },
        "nugetcommand" => match command("restore").as_str() {
            "push" => Named::of(&[RELEASE]),
            "pack" => Named::of(&[BUILD]),
            "custom" => Named::script(&format!("nuget {}", i("arguments").unwrap_or(""))),
            _ => Named::plumbing(),
        },
        "go" => Named::script(&format!(
            "go {} {}",
            command("build"),
            i("arguments").unwrap_or("")
        )),
        "msbuild" | "vsbuild" | "xcode" | "xamarinandroid" | "xamarinios" | "ant" | "cmake" => {
            Named::of(&[BUILD])
        }
        "universalpackages" => match command("download").as_str() {
            "publish" => Named::of(&[RELEASE]),
            _ => Named::plumbing(),
        },
        "githubrelease" | "publishsymbols" => Named::of(&[RELEASE]),
        // Containers.
        "docker" => {
            let command = command("buildAndPush");
            let c = command.replace(' ', "");
            if c.contains("buildandpush") {
                Named::of(&[BUILD, RELEASE])
            } else if c.starts_with("build") {
                Named::of(&[BUILD])
            } else if c.starts_with("push") {
                Named::of(&[RELEASE])
            } else {
                Named::plumbing()
            }
        }
        "dockercompose" => {
            let action = lower(i("action"));
            if action.starts_with("build") {
                Named::of(&[BUILD])
            } else if action.starts_with("push") {
                Named::of(&[RELEASE])
            } else {
                Named::plumbing()
            }
        }
        // Deployments.
        "kubernetesmanifest" => match lower(i("action").or(Some("deploy"))).as_str() {
            "deploy" | "promote" | "reject" | "patch" | "scale" => Named::of(&[DEPLOY]),
            "bake" => Named::of(&[BUILD]),
            _ => Named::plumbing(),
        },
        "kubernetes" => {
            let command = command("");
            if command.is_empty() || command == "login" || command == "logout" {
                Named::plumbing()
            } else {
                Named::script(&format!(
                    "kubectl {command} {}",
                    i("arguments").unwrap_or("")
                ))
            }
        }
        "helmdeploy" => match command("ls").as_str() {
            "install" | "upgrade" | "rollback" => Named::of(&[DEPLOY]),
            "package" => Named::of(&[BUILD]),
            "push" | "save" => Named::of(&[RELEASE]),
            "lint" => Named::of(&[LINT]),
            "test" => Named::of(&[TEST]),
            _ => Named::plumbing(),
        },
        "azureresourcemanagertemplatedeployment" | "azureresourcegroupdeployment" => {
            if lower(i("deploymentMode")) == "validation" {
                Named::of(&[LINT])
            } else {
                Named::of(&[DEPLOY])
            }
        }
        "azurewebapp"
        | "azurewebappcontainer"
        | "azurermwebappdeployment"
        | "azurefunctionapp"
        | "azurefunctionappcontainer"
        | "azurefunctiononkubernetes"
        | "azurecontainerapps"
        | "azurespringcloud"
        | "azurestaticwebapp"
        | "azureappservicemanage"
        | "azurevmssdeployment"
        | "sqlazuredacpacdeployment"
        | "azuremysqldeployment"
        | "azurecloudpowershelldeployment"
        | "iiswebappdeploymentonmachinegroup"
        | "iiswebappdeployment"
        | "servicefabricdeploy"
        | "cloudformationcreateorupdatestack"
        | "lambdadeployfunction"
        | "codedeploydeployment"
        | "beanstalkdeployapplication" => Named::of(&[DEPLOY]),
        "terraformtaskv1" | "terraformtaskv2" | "terraformtaskv3" | "terraformtaskv4"
        | "terraformtask" | "terraformcli" | "terraform" => {
            let command = command("init");
            let provider_command = lower(i("commandOptions"));
            Named::script(&format!("terraform {command} {provider_command}"))
        }
        "manualvalidation" => Named::manual(),
        // Security scans.
        "codeql3000init"
        | "codeql3000finalize"
        | "advancedsecurity-codeql-init"
        | "advancedsecurity-codeql-analyze" => Named::scan("codeql"),
        "advancedsecurity-codeql-autobuild" => Named::of(&[BUILD]),
        "advancedsecurity-dependency-scanning" => Named::scan("advanced-security-dependencies"),
        "credscan" => Named::scan("credscan"),
        "componentgovernancecomponentdetection" => Named::scan("component-governance"),
        "sonarqubeprepare" | "sonarqubeanalyze" | "sonarcloudprepare" | "sonarcloudanalyze" => {
            Named::scan("sonarqube")
        }
        "whitesource" | "whitesourcebolt" | "mend" => Named::scan("mend"),
        "snyksecurityscan" => Named::scan(match lower(i("testType")).as_str() {
            "container" => "snyk-container",
            "code" => "snyk-code",
            _ => "snyk",
        }),
        "microsoftsecuritydevops" => Named::scan("microsoft-security-devops"),
        "trivy" => Named::scan(if i("image").is_some() {
            "trivy-image"
        } else {
            "trivy"
        }),
        "dependency-check-build-task" | "dependencycheck" => Named::scan("dependency-check"),
        // Plumbing: artifacts, files, authentication, tool installers.
        "publishbuildartifacts"
        | "publishpipelineartifact"
        | "downloadbuildartifacts"
        | "downloadpipelineartifact"
        | "downloadsecurefile"
        | "copyfiles"
        | "copyfilesoverssh"
        | "archivefiles"
        | "extractfiles"
        | "deletefiles"
        | "cache"
        | "cachebeta"
        | "azurekeyvault"
        | "filetransform"
        | "replacetokens"
        | "s3upload"
        | "azurefilecopy"
        | "publishhtmlreport"
        | "installsshkey"
        | "installapplecertificate"
        | "installappleprovisioningprofile"
        | "gitversion"
        | "setvariable" => Named::plumbing(),
        n if n.starts_with("use")
            || n.ends_with("installer")
            || n.ends_with("authenticate")
            || n.ends_with("toolinstaller")
            || n == "nodetool"
            || n == "gotool"
            || n == "javatoolinstaller" =>
        {
            Named::plumbing()
        }
        _ => Named::by_words(written),
    }
}

// ---------------------------------------------------------------------------------------
// CircleCI orbs

/// A command or job of an orb: `orb` is the orb's registry name when the config declares
/// it (`circleci/node`, `giantswarm/architect`), else its alias; `item` the command or
/// job (`test`, `go-build`).
pub fn circleci_orb(orb: &str, item: &str) -> Named {
    let orb = orb.split('@').next().unwrap_or(orb).to_ascii_lowercase();
    let orb_name = orb.rsplit('/').next().unwrap_or(&orb);
    let item = item.to_ascii_lowercase().replace('_', "-");
    match (orb_name, item.as_str()) {
        // Giant Swarm's architect orb: go-build also runs the tests; pushing to an app
        // collection rolls the app out to the installations that use it.
        ("architect", "go-build") => Named::of(&[BUILD, TEST]),
        ("architect", "go-test" | "run-tests-with-ats" | "integration-test" | "run-kat-tests") => {
            Named::of(&[TEST])
        }
        ("architect", "push-to-registries" | "push-to-docker" | "push-to-docker-legacy")
        | ("architect", "push-to-app-catalog" | "push-to-app-catalog-legacy")
        | ("architect", "push-to-quay" | "push-to-aliyun") => Named::of(&[RELEASE]),
        ("architect", "push-to-app-collection") => Named::of(&[DEPLOY]),
        ("docker", "publish") => Named::of(&[BUILD, RELEASE]),
        ("docker", "build") => Named::of(&[BUILD]),
        ("docker", "push") => Named::of(&[RELEASE]),
        ("docker", "hadolint" | "dockerlint") => Named::of(&[LINT]),
        ("aws-ecr", "build-and-push-image" | "build-image" | "build-and-push") => {
            Named::of(&[BUILD, RELEASE])
        }
        ("aws-ecr", "push-image") => Named::of(&[RELEASE]),
        ("kubernetes", "create-or-update-resource" | "update-container-image") => {
            Named::of(&[DEPLOY])
        }
        ("helm", "upgrade-helm-chart" | "install-helm-chart") => Named::of(&[DEPLOY]),
        ("aws-eks", "update-container-image" | "create-or-update-resource") => Named::of(&[DEPLOY]),
        ("gcp-gke", "rollout-image" | "publish-and-rollout-image") => Named::of(&[DEPLOY]),
        ("terraform", "apply") => Named::of(&[DEPLOY]),
        ("terraform", "validate" | "fmt" | "lint") => Named::of(&[LINT]),
        ("terraform", _) => Named::plumbing(),
        ("snyk", "scan") => Named::scan("snyk"),
        ("sonarcloud" | "sonarqube", "scan") => Named::scan("sonarqube"),
        ("ruby", "rubocop-check") => Named::of(&[LINT]),
        ("ruby", "rspec-test") => Named::of(&[TEST]),
        ("codecov" | "coveralls" | "slack" | "git-shallow-clone" | "browser-tools", _)
        | ("aws-cli" | "gcp-cli" | "azure-cli" | "jq" | "github-cli", _)
        | (_, "install" | "setup" | "checkout" | "install-packages" | "install-deps")
        | (_, "mod-download" | "mod-download-cached" | "load-cache" | "save-cache") => {
            Named::plumbing()
        }
        _ => Named::by_words(&item),
    }
}

// ---------------------------------------------------------------------------------------
// Bitbucket pipes

/// A Bitbucket pipe (`atlassian/aws-ecs-deploy:1.12.1`, `docker://org/image:tag`) with its
/// `variables:`.
pub fn bitbucket_pipe(pipe: &str, variables: &[(String, String)]) -> Named {
    let reference = pipe.trim().trim_start_matches("docker://");
    let without_version = reference.split([':', '@']).next().unwrap_or(reference);
    let name = without_version
        .rsplit('/')
        .next()
        .unwrap_or(without_version)
        .to_ascii_lowercase();
    let v = |k: &str| input(variables, k);
    match name.as_str() {
        "snyk-scan" => Named::scan(match lower(v("LANGUAGE")).as_str() {
            "docker" => "snyk-container",
            _ => "snyk",
        }),
        "git-secrets-scan" => Named::scan("git-secrets"),
        "sonarcloud-scan"
        | "sonarqube-scan"
        | "sonarcloud-quality-gate"
        | "sonarqube-quality-gate" => Named::scan("sonarqube"),
        "trivy-pipe" | "trivy" => Named::scan(
            match lower(v("scanType").or_else(|| v("SCAN_TYPE"))).as_str() {
                "fs" | "filesystem" | "repo" => "trivy",
                "config" => "trivy-config",
                _ => "trivy-image",
            },
        ),
        "checkov-pipe" | "checkov" => Named::scan("checkov"),
        "kubectl-run" | "aws-eks-kubectl-run" | "google-gke-kubectl-run" => {
            match v("KUBECTL_COMMAND") {
                Some(cmd) => {
                    let mut n = Named::script(&format!("kubectl {cmd}"));
                    n.opaque = false;
                    n
                }
                None => Named::of(&[DEPLOY]),
            }
        }
        "aws-ecr-push-image" | "google-gcr-push-image" | "azure-acr-push-image" => {
            Named::of(&[RELEASE])
        }
        "trigger-pipeline"
        | "bitbucket-trigger-pipeline"
        | "slack-notify"
        | "email-notify"
        | "bitbucket-upload-file"
        | "opsgenie-send-alert"
        | "jira-transition"
        | "bitbucket-build-statuses" => Named::plumbing(),
        "ssh-run" => Named {
            opaque: true,
            ..Named::by_words(&name)
        },
        _ => Named::by_words(&name),
    }
}

// ---------------------------------------------------------------------------------------
// Buildkite plugins

/// A Buildkite plugin (`docker-compose#v5.2.0`, `org/thing#v1`) with the keys of its
/// configuration.
pub fn buildkite_plugin(plugin: &str, keys: &[String]) -> Named {
    let without_version = plugin.split('#').next().unwrap_or(plugin).trim();
    let name = without_version
        .trim_end_matches(".git")
        .rsplit('/')
        .next()
        .unwrap_or(without_version)
        .to_ascii_lowercase();
    let name = name.trim_end_matches("-buildkite-plugin");
    let has = |k: &str| keys.iter().any(|x| x == k);
    match name {
        "docker-compose" => {
            let mut kinds = Vec::new();
            if has("build") {
                kinds.push(BUILD);
            }
            if has("push") {
                kinds.push(RELEASE);
            }
            if kinds.is_empty() {
                Named::plumbing()
            } else {
                Named::of(&kinds)
            }
        }
        "test-collector" | "junit-annotate" | "test-summary" => Named::reports_tests(),
        "shellcheck" | "hadolint" | "golangci-lint" => Named::of(&[LINT]),
        "trivy" => Named::scan("trivy"),
        "snyk" => Named::scan("snyk"),
        "docker"
        | "ecr"
        | "docker-login"
        | "artifacts"
        | "cache"
        | "git-clean"
        | "secrets"
        | "vault-secrets"
        | "aws-sm"
        | "aws-assume-role-with-web-identity"
        | "monorepo-diff"
        | "plugin-linter"
        | "kubernetes"
        | "metahook"
        | "git-ssh-checkout"
        | "cluster-secrets"
        | "docker-cache"
        | "podman" => Named::plumbing(),
        _ => Named::by_words(name),
    }
}

// ---------------------------------------------------------------------------------------
// Jenkins

/// A Jenkins pipeline step or shared-library call that does something a policy counts;
/// `None` for steps that only structure or move data (`echo`, `stash`, `dir`).
pub fn jenkins_step(name: &str) -> Option<Named> {
    Some(match name {
        "junit" | "xunit" | "nunit" | "mstest" | "testNG" | "publishTestResults"
        | "recordCoverage" | "publishCoverage" | "jacoco" | "cobertura" => Named::reports_tests(),
        "withSonarQubeEnv" | "waitForQualityGate" => Named::scan("sonarqube"),
        "dependencyCheck" => Named::scan("dependency-check"),
        "snykSecurity" => Named::scan("snyk"),
        "kubernetesDeploy"
        | "kubernetesApply"
        | "azureWebAppPublish"
        | "azureFunctionAppPublish"
        | "openshiftDeploy"
        | "helmDeploy"
        | "ansiblePlaybook"
        | "ansibleTower"
        | "ecsDeploy"
        | "awsCodeDeploy"
        | "sshPublisher"
        | "deploy"
        | "cfPush" => Named::of(&[DEPLOY]),
        // The Jenkins project's shared library: buildPlugin builds the plugin and runs its
        // tests (and spotbugs, checkstyle) on every platform configured.
        "buildPlugin" | "buildPluginWithGradle" => Named::of(&[BUILD, TEST]),
        "runATH" | "runPCT" | "essentialsTest" => Named::of(&[TEST]),
        "buildDockerAndPublishImage" => Named::of(&[BUILD, RELEASE]),
        "input" => Named::manual(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(n: &Named) -> String {
        let mut out = n.class.kind_names().join(",");
        if let Some(s) = n.class.scanner {
            out = format!("{out}:{s}");
        }
        if n.reports_tests {
            out.push_str("+reports-tests");
        }
        if n.manual {
            out.push_str("+manual");
        }
        if n.plumbing && out.is_empty() {
            out.push_str("plumbing");
        }
        out
    }

    fn inputs(text: &str) -> Vec<(String, String)> {
        text.split(';')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }

    /// `task | input=value;… | expected`, one per line.
    const AZURE_CASES: &str = "
        DotNetCoreCLI@2 | command=test;projects=**/*Tests.csproj | test
        DotNetCoreCLI@2 | command=build | build
        DotNetCoreCLI@2 | | build
        DotNetCoreCLI@2 | command=publish | build
        DotNetCoreCLI@2 | command=restore | plumbing
        DotNetCoreCLI@2 | command=push | release
        VSTest@2 | | test
        PublishTestResults@2 | testResultsFiles=**/TEST-*.xml | +reports-tests
        Maven@4 | goals=clean verify | test
        Gradle@3 | tasks=build | build,test
        Npm@1 | command=ci | plumbing
        Npm@1 | command=custom;customCommand=run lint | lint
        NuGetCommand@2 | command=push | release
        Docker@2 | command=buildAndPush | build,release
        Docker@2 | command=build | build
        Docker@2 | command=login | plumbing
        Docker@2 | | build,release
        AzureWebApp@1 | appName=web | deploy
        AzureFunctionApp@2 | | deploy
        AzureRmWebAppDeployment@4 | | deploy
        AzureResourceManagerTemplateDeployment@3 | deploymentMode=Validation | lint
        KubernetesManifest@1 | action=deploy | deploy
        KubernetesManifest@1 | action=bake | build
        KubernetesManifest@1 | action=createSecret | plumbing
        HelmDeploy@0 | command=upgrade | deploy
        HelmDeploy@0 | command=package | build
        HelmDeploy@0 | command=login | plumbing
        Kubernetes@1 | command=apply;arguments=-f k8s/ | deploy
        AzureCLI@2 | scriptType=bash;inlineScript=az webapp deploy --name x | deploy
        AzureCLI@2 | inlineScript=az account show | plumbing
        Bash@3 | targetType=inline;script=make test | test
        PowerShell@2 | filePath=build/run-tests.ps1 | test
        TerraformTaskV4@4 | command=apply | deploy
        TerraformTaskV4@4 | command=validate | lint
        TerraformTaskV4@4 | command=plan | plumbing
        ManualValidation@0 | | +manual
        CodeQL3000Init@0 | | security-scan:codeql
        AdvancedSecurity-Dependency-Scanning@1 | | security-scan,vulnerability-scan:advanced-security-dependencies
        CredScan@3 | | security-scan:credscan
        ComponentGovernanceComponentDetection@0 | | security-scan,vulnerability-scan:component-governance
        SonarQubeAnalyze@5 | | security-scan:sonarqube
        SnykSecurityScan@1 | testType=container | security-scan,vulnerability-scan:snyk-container
        1ES.PublishBuildArtifacts@1 | | plumbing
        PublishPipelineArtifact@1 | | plumbing
        UseDotNet@2 | | plumbing
        NodeTool@0 | | plumbing
        NuGetAuthenticate@1 | | plumbing
        HelmInstaller@1 | | plumbing
        ContosoDeployToProduction@1 | | deploy
        SomethingUnheardOf@3 | |
";

    #[test]
    fn azure_tasks() {
        for line in AZURE_CASES.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            let got = kinds(&azure_task(f[0], &inputs(f[1])));
            assert_eq!(got, f[2], "{line}");
        }
    }

    #[test]
    fn circleci_orbs() {
        let cases = [
            ("circleci/node", "test", "test"),
            ("node", "install-packages", "plumbing"),
            ("circleci/docker", "publish", "build,release"),
            ("circleci/aws-ecs", "deploy-service-update", "deploy"),
            ("circleci/aws-ecr", "build_and_push_image", "build,release"),
            ("giantswarm/architect", "go-build", "build,test"),
            ("giantswarm/architect", "push-to-registries", "release"),
            ("giantswarm/architect", "push-to-app-catalog", "release"),
            ("giantswarm/architect", "push-to-app-collection", "deploy"),
            ("circleci/go", "mod-download-cached", "plumbing"),
            ("guitarrapc/git-shallow-clone", "checkout", "plumbing"),
            ("snyk/snyk", "scan", "security-scan,vulnerability-scan:snyk"),
            ("circleci/terraform", "apply", "deploy"),
            ("circleci/helm", "upgrade-helm-chart", "deploy"),
            ("acme/tools", "frobnicate", ""),
        ];
        for (orb, item, want) in cases {
            assert_eq!(kinds(&circleci_orb(orb, item)), want, "{orb}/{item}");
        }
    }

    #[test]
    fn bitbucket_pipes() {
        let cases = [
            ("atlassian/aws-ecs-deploy:1.12.1", "", "deploy"),
            ("atlassian/aws-elasticbeanstalk-deploy:1.0.2", "", "deploy"),
            (
                "snyk/snyk-scan:1.0.1",
                "",
                "security-scan,vulnerability-scan:snyk",
            ),
            (
                "snyk/snyk-scan:1.0.1",
                "LANGUAGE=docker",
                "security-scan,vulnerability-scan:snyk-container",
            ),
            (
                "atlassian/git-secrets-scan:3.1.0",
                "",
                "security-scan:git-secrets",
            ),
            (
                "sonarsource/sonarcloud-scan:2.0.0",
                "",
                "security-scan:sonarqube",
            ),
            (
                "atlassian/kubectl-run:3.1.2",
                "KUBECTL_COMMAND=apply",
                "deploy",
            ),
            (
                "atlassian/kubectl-run:3.1.2",
                "KUBECTL_COMMAND=get pods",
                "plumbing",
            ),
            ("atlassian/npm-publish:0.3.2", "", "release"),
            ("atlassian/slack-notify:2.0.0", "", "plumbing"),
            ("docker://acme/lint-everything:1", "", "lint"),
        ];
        for (pipe, vars, want) in cases {
            assert_eq!(kinds(&bitbucket_pipe(pipe, &inputs(vars))), want, "{pipe}");
        }
    }

    #[test]
    fn buildkite_plugins() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kinds(&buildkite_plugin("docker-compose#v5.2.0", &keys(&["run"]))),
            "plumbing"
        );
        assert_eq!(
            kinds(&buildkite_plugin(
                "docker-compose#v5.2.0",
                &keys(&["build", "push"])
            )),
            "build,release"
        );
        assert_eq!(
            kinds(&buildkite_plugin("test-collector#v1.0.0", &[])),
            "+reports-tests"
        );
        assert_eq!(
            kinds(&buildkite_plugin(
                "https://github.com/acme/deploy-ecs-buildkite-plugin.git#v1",
                &[]
            )),
            "deploy"
        );
        assert_eq!(kinds(&buildkite_plugin("ecr#v2.7.0", &[])), "plumbing");
    }

    #[test]
    fn jenkins_steps() {
        let k = |n: &str| jenkins_step(n).map(|n| kinds(&n));
        assert_eq!(k("buildPlugin").as_deref(), Some("build,test"));
        assert_eq!(k("junit").as_deref(), Some("+reports-tests"));
        assert_eq!(
            k("withSonarQubeEnv").as_deref(),
            Some("security-scan:sonarqube")
        );
        assert_eq!(k("kubernetesDeploy").as_deref(), Some("deploy"));
        assert_eq!(k("input").as_deref(), Some("+manual"));
        assert_eq!(k("echo"), None);
    }

    #[test]
    fn words_of_names() {
        assert_eq!(split_words("deployToProd"), "deploy To Prod");
        assert_eq!(split_words("PublishTestResults"), "Publish Test Results");
        assert_eq!(split_words("aws-ecs/deploy_x"), "aws ecs deploy x");
        assert_eq!(kinds(&Named::by_words("runIntegrationTests")), "test");
        assert_eq!(kinds(&Named::by_words("installTools")), "");
    }
}
