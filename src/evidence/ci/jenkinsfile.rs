//! Jenkins pipelines (`Jenkinsfile`, `*.jenkinsfile`, `Jenkinsfile.*`).
//!
//! ## What it finds
//! One pipeline per file, declarative (`pipeline { stages { stage('Test') { steps { … } } } }`)
//! or scripted (`node { stage('Build') { … } }`), read with a tolerant Groovy reader
//! ([`super::groovy`]): one job per stage; steps from `sh`, `bat`, `powershell` and `pwsh`
//! (classified like any script), from known steps (`junit` publishes test results,
//! `withSonarQubeEnv` scans, `kubernetesDeploy` deploys, `docker.build`, `input` waits for
//! a person) and from shared-library calls (`buildPlugin(…)`, which builds and tests a
//! Jenkins plugin, or a team's own `deployToProduction()`), recorded in `calls` with the
//! libraries loaded by `@Library`.
//!
//! ## Triggers
//! A Jenkinsfile is built on pushes (multibranch and webhook jobs build every change);
//! `triggers { cron(…) }` and `pollSCM(…)` add `schedule`, `when { changeRequest() }` (or a
//! `PR-*` branch, `env.CHANGE_ID`) `pull-request`, `buildingTag()` `tag`, `upstream(…)`
//! `workflow-run`, and an `input` step `manual`.

use std::collections::BTreeSet;

use crate::diagnostic::Position;
use crate::evidence::ci::groovy::{self, Statement};
use crate::evidence::ci::job::{self, Draft, Found, JobFacts};
use crate::evidence::ci::steps::{BUILD, RELEASE, WordList};
use crate::evidence::ci::tasks::{self, Named};
use crate::evidence::{Collector, Detector, FileContext, RepoPath};

pub struct Jenkinsfile;

const SYSTEM: &str = "jenkinsfile";

/// Jenkins core steps, declarative directives and Groovy words that are not calls of a
/// shared library.
static CORE: WordList = WordList::new(
    "\
    pipeline agent any none label docker dockerfile kubernetes node stages stage steps post \
    always success failure unstable changed fixed regression aborted cleanup unsuccessful \
    options environment parameters triggers tools when input matrix axes axis values name \
    excludes exclude parallel script sh bat powershell pwsh echo error checkout git scm dir \
    ws timeout retry waitUntil sleep withEnv withCredentials withMaven withGradle \
    withDockerRegistry withDockerContainer withDockerServer withKubeConfig withAWS \
    withVault withFolderProperties withNPM withPythonEnv container podTemplate \
    containerTemplate stash unstash archiveArtifacts archive cleanWs deleteDir fileExists \
    readFile writeFile readJSON readYaml writeJSON writeYaml readProperties readTrusted \
    readCSV findFiles touch zip unzip tar untar mail emailext slackSend office365ConnectorSend \
    mattermostSend hipchatSend build catchError warnError unstable currentBuild properties \
    pipelineTriggers buildDiscarder logRotator disableConcurrentBuilds disableResume \
    timestamps ansiColor lock milestone isUnix tool env params library load publishHTML \
    recordIssues step sshagent githubNotify setGitHubPullRequestStatus gitlabCommitStatus \
    updateGitlabCommitStatus gitlabBuilds addBadge addShortText buildName buildDescription \
    copyArtifacts fingerprint httpRequest configFileProvider string booleanParam choice text \
    password credentials file usernamePassword usernameColonPassword sshUserPrivateKey \
    certificate cron pollSCM upstream githubPush branch expression allOf anyOf not \
    changeRequest buildingTag tag changelog changeset equals triggeredBy beforeAgent \
    beforeInput beforeOptions skipDefaultCheckout failFast parallelsAlwaysFailFast \
    quietPeriod checkoutToSubdirectory newContainerPerStage preserveStashes \
    overrideIndexTriggers skipStagesAfterUnstable durabilityHint rateLimitBuilds \
    copyArtifactPermission gitLabConnection jdk maven gradle nodejs go message ok submitter \
    if else for while switch case default try catch finally return def new throw assert \
    break continue in instanceof println print each eachWithIndex collect find findAll any \
    every times with import true false null this super class static void boolean int long \
    map list set keySet values toString trim split contains startsWith endsWith replace \
    readMavenPom writeMavenPom sha1 sha256 junit input nodesByLabel getContext \
    cleanWorkspace wrap withSonarQubeEnv waitForQualityGate",
);

/// Blocks whose contents configure the pipeline rather than run steps.
const CONFIG_BLOCKS: &[&str] = &[
    "options",
    "triggers",
    "parameters",
    "environment",
    "tools",
    "agent",
    "when",
    "input",
    "properties",
    "libraries",
    "axes",
];

/// The Jenkins project's shared-library steps (jenkins-infra/pipeline-library).
const LIBRARY_STEPS: &[&str] = &[
    "buildPlugin",
    "buildPluginWithGradle",
    "runATH",
    "runPCT",
    "essentialsTest",
    "buildDockerAndPublishImage",
];

fn is_jenkinsfile(path: &RepoPath) -> bool {
    let name = path.name().to_ascii_lowercase();
    name == "jenkinsfile" || name.ends_with(".jenkinsfile") || name.starts_with("jenkinsfile.")
}

impl Detector for Jenkinsfile {
    fn id(&self) -> &'static str {
        SYSTEM
    }

    fn summary(&self) -> &'static str {
        "Jenkins pipelines (`Jenkinsfile`, `*.jenkinsfile`), declarative or scripted: stages, `sh`/`bat` steps, known steps, shared-library calls and triggers"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        is_jenkinsfile(path)
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if text.trim().is_empty() {
            return;
        }
        out.evidence
            .pipelines
            .push(read_jenkinsfile(file.path.as_str(), text).build());
    }
}

/// Where a statement stands.
#[derive(Clone, Default)]
struct Ctx {
    /// The stage (or, outside stages, the top-level statement) its steps belong to.
    job: Option<String>,
    /// Inside `options {}`, `triggers {}`, `when {}`, …: configuration, not steps.
    config: bool,
    in_when: bool,
}

struct Reader<'a> {
    path: &'a str,
    methods: &'a BTreeSet<String>,
    /// Docker Pipeline is used (`docker.build`, `docker.image`): `.push()` pushes images.
    docker: bool,
    groups: Vec<(String, Vec<Found>)>,
    stages: BTreeSet<String>,
    calls: BTreeSet<String>,
    triggers: BTreeSet<String>,
}

fn read_jenkinsfile(path: &str, text: &str) -> Draft {
    let script = groovy::parse(text);
    let mut reader = Reader {
        path,
        methods: &script.methods,
        docker: text.contains("docker."),
        groups: Vec::new(),
        stages: BTreeSet::new(),
        calls: BTreeSet::new(),
        triggers: BTreeSet::from(["push".to_string()]),
    };
    for statement in &script.statements {
        reader.statement(statement, &Ctx::default());
    }
    if text.contains("env.CHANGE_ID") || text.contains("CHANGE_TARGET") {
        reader.triggers.insert("pull-request".to_string());
    }
    if text.contains("env.TAG_NAME") {
        reader.triggers.insert("tag".to_string());
    }
    let jobs = if reader.stages.is_empty() {
        reader.groups.len().max(1)
    } else {
        reader.stages.len()
    } as u32;
    let mut steps = Vec::new();
    for (name, mut found) in reader.groups {
        job::finish(
            &mut found,
            &JobFacts {
                name: &name,
                ..Default::default()
            },
        );
        steps.extend(found.into_iter().map(|f| f.step));
    }
    Draft {
        system: SYSTEM,
        name: RepoPath::new(path).name().to_string(),
        path: path.to_string(),
        triggers: reader.triggers,
        jobs,
        steps,
        reusable: false,
        calls: reader.calls,
        at: Position::new(1, 1),
    }
}

impl Reader<'_> {
    fn statement(&mut self, st: &Statement, ctx: &Ctx) {
        self.triggers_of(st, ctx);
        for call in &st.calls {
            self.triggers_of(call, ctx);
        }
        let job = ctx.job.clone().unwrap_or_else(|| {
            if st.name.is_empty() {
                "pipeline".to_string()
            } else {
                st.name.clone()
            }
        });
        if !ctx.config {
            self.invocation(st, &job);
            for call in &st.calls {
                self.invocation(call, &job);
            }
        }
        let mut inner = ctx.clone();
        inner.job = Some(job);
        let defines = matches!(st.name.as_str(), "def" | "void") && !st.blocks.is_empty();
        if let Some(method) = st.calls.first().filter(|_| defines) {
            // `def deploy(env) { … }`: its steps run wherever it is called.
            inner.job = Some(method.name.clone());
        } else if st.name == "stage" {
            if let Some(stage) = st
                .named("name")
                .or_else(|| st.strings.first().map(String::as_str))
            {
                self.stages.insert(stage.to_string());
                inner.job = Some(stage.to_string());
            }
        } else if CONFIG_BLOCKS.contains(&st.name.as_str()) {
            inner.config = true;
            inner.in_when |= st.name == "when";
        }
        for block in &st.blocks {
            for s in block {
                self.statement(s, &inner);
            }
        }
    }

    fn triggers_of(&mut self, st: &Statement, ctx: &Ctx) {
        let trigger = match st.name.as_str() {
            "cron" | "pollSCM" | "parameterizedCron" => "schedule",
            "changeRequest" => "pull-request",
            "buildingTag" => "tag",
            "tag" if ctx.in_when => "tag",
            "branch" if ctx.in_when && st.strings.iter().any(|b| b.starts_with("PR-")) => {
                "pull-request"
            }
            "upstream" => "workflow-run",
            "GenericTrigger" | "issueCommentTrigger" => "other",
            _ => return,
        };
        self.triggers.insert(trigger.to_string());
    }

    fn push(&mut self, job: &str, found: Found) {
        match self.groups.iter_mut().find(|(name, _)| name == job) {
            Some((_, list)) => list.push(found),
            None => self.groups.push((job.to_string(), vec![found])),
        }
    }

    /// The step a call makes, if any.
    fn invocation(&mut self, call: &Statement, job: &str) {
        let name = call.name.as_str();
        if name.is_empty() || !call.called {
            return;
        }
        let at = Position::new(call.line, call.col);
        let last = name.rsplit('.').next().unwrap_or(name);
        match name {
            "sh" | "bat" | "powershell" | "pwsh" => {
                let Some(script) = call
                    .named("script")
                    .or_else(|| call.strings.first().map(String::as_str))
                else {
                    return;
                };
                let label = call.named("label").map(String::from);
                let found = Found::script(self.path, job, label, script, at);
                self.push(job, found);
            }
            "@Library" | "library" => {
                for lib in call
                    .strings
                    .iter()
                    .map(String::as_str)
                    .chain(call.named("identifier"))
                {
                    self.calls.insert(lib.to_string());
                }
            }
            "build" => {
                let Some(target) = call
                    .named("job")
                    .or_else(|| call.strings.first().map(String::as_str))
                else {
                    return;
                };
                self.calls.insert(target.to_string());
                let named = Named::by_words(target);
                let found = Found::named(
                    self.path,
                    job,
                    None,
                    &format!("build job: {target}"),
                    named,
                    at,
                );
                self.push(job, found);
            }
            "docker.build" => {
                let found = Found::named(self.path, job, None, name, named_of(&[BUILD]), at);
                self.push(job, found);
            }
            _ if last == "push" && name.contains('.') && self.docker => {
                let found = Found::named(self.path, job, None, name, named_of(&[RELEASE]), at);
                self.push(job, found);
            }
            _ => {
                if let Some(named) = tasks::jenkins_step(name) {
                    if named.manual {
                        self.triggers.insert("manual".to_string());
                    }
                    if LIBRARY_STEPS.contains(&name) {
                        self.calls.insert(name.to_string());
                    }
                    if named.manual && named.class.is_empty() {
                        return;
                    }
                    let found = Found::named(self.path, job, None, name, named, at);
                    self.push(job, found);
                } else if self.is_library_call(name) {
                    self.calls.insert(name.to_string());
                    let named = Named {
                        opaque: true,
                        ..Named::by_words(name)
                    };
                    let found = Found::named(self.path, job, None, name, named, at);
                    self.push(job, found);
                }
            }
        }
    }

    /// A call of a step that is neither Jenkins' own nor defined in the file: a shared
    /// library's.
    fn is_library_call(&self, name: &str) -> bool {
        !name.contains('.')
            && !name.starts_with('@')
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !CORE.contains(name)
            && !self.methods.contains(name)
    }
}

fn named_of(kinds: &[&'static str]) -> Named {
    Named {
        class: crate::evidence::ci::steps::Classification::of(kinds),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn scan(files: &[(&str, &str)]) -> Evidence {
        crate::evidence::testing::evidence_of(files, &Jenkinsfile)
    }

    const DECLARATIVE: &str = r#"@Library('acme-pipelines@v3') _

pipeline {
  agent { label 'linux' }
  options { timeout(time: 1, unit: 'HOURS'); timestamps() }
  triggers { cron('H 3 * * 1-5') }
  stages {
    stage('Build') {
      steps {
        sh './gradlew assemble'
      }
    }
    stage('Test') {
      steps {
        sh label: 'Unit tests', script: './ci/run.sh'
      }
      post {
        always { junit 'build/test-results/**/*.xml' }
      }
    }
    stage('Analysis') {
      when { changeRequest() }
      steps {
        withSonarQubeEnv('sonar') {
          sh './gradlew sonar'
        }
      }
    }
    stage('Deploy') {
      when { branch 'main' }
      steps {
        input message: 'Deploy to production?'
        deployToProduction(service: 'checkout')
      }
    }
  }
  post {
    failure { slackSend channel: '#ci', message: 'Build failed' }
  }
}
"#;

    #[test]
    fn reads_a_declarative_pipeline() {
        let e = scan(&[("Jenkinsfile", DECLARATIVE)]);
        let p = &e.pipelines[0];
        assert_eq!(p.system, "jenkinsfile");
        assert_eq!(p.name, "Jenkinsfile");
        assert_eq!(p.jobs, 4);
        assert_eq!(p.triggers, ["manual", "pull-request", "push", "schedule"]);
        assert_eq!(p.calls, ["acme-pipelines@v3", "deployToProduction"]);
        let got: Vec<(&str, &str, Vec<String>, Option<u32>)> = p
            .steps
            .iter()
            .map(|s| {
                (
                    s.job.as_str(),
                    s.run.as_str(),
                    s.kinds.clone(),
                    s.source.line,
                )
            })
            .collect();
        let k = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("Build", "./gradlew assemble", k(&["build"]), Some(10)),
                // An opaque script in a stage that publishes JUnit results ran the tests.
                ("Test", "./ci/run.sh", k(&["test"]), Some(15)),
                ("Test", "junit", k(&[]), Some(18)),
                (
                    "Analysis",
                    "withSonarQubeEnv",
                    k(&["security-scan"]),
                    Some(24)
                ),
                (
                    "Analysis",
                    "./gradlew sonar",
                    k(&["security-scan"]),
                    Some(25)
                ),
                ("Deploy", "deployToProduction", k(&["deploy"]), Some(33)),
            ]
        );
        assert_eq!(p.steps[1].name.as_deref(), Some("Unit tests"));
    }

    #[test]
    fn a_shared_library_call_alone_builds_and_tests() {
        let text = "/*\n See the documentation\n*/\nbuildPlugin(\n  forkCount: '1C', // a JVM per core\n  useContainerAgent: false,\n  configurations: [\n    [platform: 'linux', jdk: 25],\n    [platform: 'windows', jdk: 21],\n])\n";
        let e = scan(&[("Jenkinsfile", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.jobs, 1);
        assert_eq!(p.triggers, ["push"]);
        assert_eq!(p.calls, ["buildPlugin"]);
        assert_eq!(p.step_kinds, ["build", "test"]);
        assert_eq!(p.steps[0].source.line, Some(4));
        assert_eq!(p.steps[0].job, "buildPlugin");
    }

    #[test]
    fn reads_a_scripted_pipeline() {
        let text = r#"def helm(String args) {
  sh "helm ${args}"
}

node('docker') {
  properties([pipelineTriggers([pollSCM('H/15 * * * *')])])
  stage('Checkout') {
    checkout scm
  }
  stage('Image') {
    def image = docker.build("acme/web:${env.BUILD_ID}")
    docker.withRegistry('https://registry.acme.io', 'creds') {
      image.push()
    }
  }
  if (env.TAG_NAME) {
    stage('Deploy') {
      sh 'kubectl apply -f k8s/'
      helm('upgrade web chart/')
    }
  }
}
"#;
        let e = scan(&[("ci/release.jenkinsfile", text)]);
        let p = &e.pipelines[0];
        assert_eq!(p.jobs, 3);
        assert_eq!(p.triggers, ["push", "schedule", "tag"]);
        // `helm` is defined in the file: not a library call.
        assert!(p.calls.is_empty(), "{:?}", p.calls);
        let runs: Vec<(&str, &str)> = p
            .steps
            .iter()
            .map(|s| (s.job.as_str(), s.run.as_str()))
            .collect();
        assert_eq!(
            runs,
            [
                ("helm", "helm ${args}"),
                ("Image", "docker.build"),
                ("Image", "image.push"),
                ("Deploy", "kubectl apply -f k8s/"),
            ]
        );
        assert_eq!(p.step_kinds, ["build", "deploy", "release"]);
    }

    #[test]
    fn other_names_and_broken_files() {
        let e = scan(&[
            ("Jenkinsfile.release", "node { sh 'make release' }"),
            (
                "Jenkinsfile.broken",
                "pipeline { stages { stage('x') { steps { sh 'make test",
            ),
            ("jenkins/Jenkinsfile", ""),
        ]);
        assert_eq!(e.pipelines.len(), 2);
        let broken = e
            .pipelines
            .iter()
            .find(|p| p.name == "Jenkinsfile.broken")
            .unwrap();
        assert_eq!(broken.step_kinds, ["test"]);
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture("format-jenkinsfile", &Jenkinsfile);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let p = &d.evidence.pipelines[0];
        assert_eq!(p.triggers, ["pull-request", "push", "schedule"]);
        assert_eq!(
            p.step_kinds,
            [
                "build",
                "deploy",
                "lint",
                "security-scan",
                "test",
                "vulnerability-scan"
            ]
        );
    }
}
