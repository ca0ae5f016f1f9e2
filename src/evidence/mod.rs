//! Detectors turn files into typed evidence; the link stage cross-checks the evidence
//! (runbook links, ecosystem coverage) and derives facts.
//!
//! A detector is one format: it says which paths it wants, and reads only those. Files
//! are opened lazily, the first time a detector asks for their text, and parsed at most
//! once per format, so a run costs little more than the walk for files no detector wants.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::parse::hcl::{self, Body, LineIndex};
use crate::parse::markdown::{self, Markdown};
use crate::parse::yaml::{self, Node, YamlError};
use crate::parse::{asciidoc, rst};
use crate::scan::{FileEntry, FileIndex, ReadError};

pub mod facts;
pub mod helm;
pub mod kinds;
pub mod link;
pub mod model;
pub mod path;
pub mod registry;
pub mod routing;
pub mod terraform;
#[cfg(test)]
pub(crate) mod testing;

pub mod alerts;
pub mod ci;
pub mod deps;
pub mod docs;
pub mod gitops;
pub mod iac;
pub mod ownership;
pub mod slo;
pub mod toil;

pub use model::*;
pub use path::RepoPath;
pub use terraform::TerraformFile;

/// Recognises one format of evidence.
pub trait Detector: Sync {
    /// Stable kebab-case id, shown by `opready list`.
    fn id(&self) -> &'static str;
    /// One sentence: what it recognises and where it looks.
    fn summary(&self) -> &'static str;
    /// Whether a file may hold this detector's evidence, judged by its path alone.
    fn accepts(&self, path: &RepoPath) -> bool;
    /// Reads the file and adds what it finds.
    fn detect(&self, file: &FileContext, out: &mut Collector);
}

/// What detectors add to: the evidence document, diagnostics and side tables used by
/// the link stage.
#[derive(Debug, Default)]
pub struct Collector {
    pub evidence: Evidence,
    pub diagnostics: Vec<Diagnostic>,
    /// Outline of every document read (Markdown, reStructuredText, AsciiDoc), for
    /// resolving runbook links and anchors.
    pub outlines: BTreeMap<String, Markdown>,
    /// Parsed rules of every CODEOWNERS file, by path, for ownership of evidence files.
    pub codeowners_rules: BTreeMap<String, Vec<ownership::codeowners::OwnerRule>>,
    /// Terraform provider default tags seen so far, to mark resources of their folders.
    pub terraform_defaults: iac::terraform::TerraformDefaults,
    /// What SLO detectors connect once every file is read (slo-generator policies, …).
    pub slo_links: slo::PendingLinks,

    /// Alert routing trees found (Alertmanager routes with their matchers and receivers),
    /// for routing every alert through them in the link stage.
    pub routing_trees: Vec<routing::RoutingTree>,

    /// Helm chart default values and the guards of chart templates, for leaving out
    /// templates their chart switches off (see [`helm`]).
    pub helm: helm::HelmTables,
}

impl Collector {
    pub fn diagnostic(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// The result of detection over one repository.
#[derive(Debug)]
pub struct Detection {
    pub evidence: Evidence,
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files opened.
    pub files_read: u32,
}

/// One file as seen by detectors: text and parsed forms are produced on first use.
pub struct FileContext<'a> {
    pub path: RepoPath<'a>,
    entry: &'a FileEntry,
    index: &'a FileIndex,
    text: OnceCell<Result<String, ReadError>>,
    yaml: OnceCell<Result<ParsedYaml, YamlError>>,
    markdown: OnceCell<Option<Markdown>>,
    json: OnceCell<Result<serde_json::Value, (String, Option<Position>)>>,
    hcl: OnceCell<Result<(Body, LineIndex), hcl::HclError>>,
    /// Detectors that asked for the YAML form, named in a parse-error diagnostic.
    yaml_requested_by: RefCell<Vec<&'static str>>,
}

struct ParsedYaml {
    docs: Vec<Node>,
    templated: bool,
}

impl<'a> FileContext<'a> {
    fn new(entry: &'a FileEntry, index: &'a FileIndex) -> Self {
        FileContext {
            path: RepoPath::new(&entry.path),
            entry,
            index,
            text: OnceCell::new(),
            yaml: OnceCell::new(),
            markdown: OnceCell::new(),
            json: OnceCell::new(),
            hcl: OnceCell::new(),
            yaml_requested_by: RefCell::new(Vec::new()),
        }
    }

    /// The file's text; `None` when it cannot be read (a diagnostic says why).
    pub fn text(&self) -> Option<&str> {
        self.text
            .get_or_init(|| self.index.read(self.entry))
            .as_ref()
            .ok()
            .map(String::as_str)
    }

    /// The YAML documents of the file. Helm/Go-templated files that are not valid YAML are
    /// read tolerantly (see [`FileContext::is_templated`]). `None` when the file is not
    /// YAML; a diagnostic then names `detector` as one that expected it to be.
    pub fn yaml(&self, detector: &'static str) -> Option<&[Node]> {
        {
            let mut requested = self.yaml_requested_by.borrow_mut();
            if !requested.contains(&detector) {
                requested.push(detector);
            }
        }
        let text = self.text()?;
        self.yaml
            .get_or_init(|| match yaml::parse_documents(text) {
                Ok(docs) => Ok(ParsedYaml {
                    docs,
                    templated: false,
                }),
                // When the tolerant parse fails too, its error is the one to report: the
                // strict parse stops at the first template action, often on line 1.
                Err(_) if yaml::looks_templated(text) => {
                    yaml::parse_templated(text).map(|docs| ParsedYaml {
                        docs,
                        templated: true,
                    })
                }
                Err(err) => Err(err),
            })
            .as_ref()
            .ok()
            .map(|p| p.docs.as_slice())
    }

    /// Whether the YAML was read tolerantly as a Helm/Go template.
    pub fn is_templated(&self) -> bool {
        matches!(
            self.yaml.get(),
            Some(Ok(ParsedYaml {
                templated: true,
                ..
            }))
        )
    }

    /// The outline of the document: Markdown, or reStructuredText (`.rst`) and AsciiDoc
    /// (`.adoc`, `.asciidoc`, `.asc`) read into the same [`Markdown`] outline, chosen by
    /// extension. `None` when the file cannot be read, or for an `.asc` file that is a
    /// PGP signature or key rather than AsciiDoc.
    pub fn markdown(&self) -> Option<&Markdown> {
        self.markdown
            .get_or_init(|| {
                let text = self.text()?;
                if self.path.is_rst() {
                    Some(rst::parse(text))
                } else if self.path.is_asciidoc() {
                    let pgp =
                        self.path.ext() == "asc" && text.trim_start().starts_with("-----BEGIN PGP");
                    (!pgp).then(|| asciidoc::parse(text))
                } else {
                    Some(markdown::parse(text))
                }
            })
            .as_ref()
    }

    /// The file as JSON; `None` (with a diagnostic) when it is not valid JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        let text = self.text()?;
        self.json
            .get_or_init(|| {
                serde_json::from_str(text).map_err(|e| {
                    let pos =
                        (e.line() > 0).then(|| Position::new(e.line() as u32, e.column() as u32));
                    (strip_json_position(&e.to_string()), pos)
                })
            })
            .as_ref()
            .ok()
    }

    /// The file as an HCL body with a line index for its spans.
    pub fn hcl(&self) -> Option<(&Body, &LineIndex)> {
        let text = self.text()?;
        self.hcl
            .get_or_init(|| hcl::parse(text).map(|body| (body, LineIndex::new(text))))
            .as_ref()
            .ok()
            .map(|(b, i)| (b, i))
    }

    /// Whether a repository-relative file exists.
    pub fn repo_has(&self, path: &str) -> bool {
        self.index.contains(path)
    }

    /// The diagnostics produced by reading and parsing this file.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let path = self.path.as_str();
        let mut out = Vec::new();
        if let Some(Err(err)) = self.text.get() {
            out.push(err.to_diagnostic(path));
        }
        if let Some(Err(err)) = self.yaml.get() {
            let wanted = self.yaml_requested_by.borrow().join(", ");
            let templated = self.text().is_some_and(yaml::looks_templated);
            let (severity, code, what) = if templated {
                (
                    Severity::Note,
                    "unreadable-template",
                    "a Helm/Go template that could not be read as YAML even tolerantly; its evidence was skipped",
                )
            } else {
                (
                    Severity::Error,
                    "invalid-yaml",
                    "invalid YAML; its evidence was skipped",
                )
            };
            out.push(
                Diagnostic::new(
                    severity,
                    code,
                    format!("{what} (looked like {wanted}): {}", err.message),
                )
                .at(path, err.pos),
            );
        }
        if let Some(Err((message, pos))) = self.json.get() {
            out.push(
                Diagnostic::new(
                    Severity::Error,
                    "invalid-json",
                    format!("invalid JSON; its evidence was skipped: {message}"),
                )
                .at(path, *pos),
            );
        }
        if let Some(Err(err)) = self.hcl.get() {
            out.push(
                Diagnostic::new(
                    Severity::Error,
                    "invalid-hcl",
                    format!("invalid HCL; its resources were skipped: {}", err.message),
                )
                .at(path, err.pos),
            );
        }
        out
    }

    fn was_read(&self) -> bool {
        self.text.get().is_some()
    }
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Runs `detectors` over every file of `index` that one of them accepts, then links the
/// evidence and derives facts.
pub fn detect(index: &FileIndex, detectors: &[&dyn Detector]) -> Detection {
    detect_entries(index, detectors, index.files().iter())
}

/// Like [`detect`], but opens only the files of `index` named in `only` (pre-commit mode).
/// The whole index stays visible to the cross-checks, so a runbook link to a file that is
/// not read still resolves, and facts still see every file name.
pub fn detect_only(
    index: &FileIndex,
    detectors: &[&dyn Detector],
    only: &std::collections::BTreeSet<String>,
) -> Detection {
    let entries = index.files().iter().filter(|f| only.contains(&f.path));
    detect_entries(index, detectors, entries)
}

fn detect_entries<'a>(
    index: &'a FileIndex,
    detectors: &[&dyn Detector],
    entries: impl Iterator<Item = &'a FileEntry>,
) -> Detection {
    let mut out = Collector::default();
    let mut files_read = 0u32;
    let mut wanting: Vec<&dyn Detector> = Vec::with_capacity(detectors.len());
    for entry in entries {
        let path = RepoPath::new(&entry.path);
        wanting.clear();
        wanting.extend(detectors.iter().copied().filter(|d| d.accepts(&path)));
        if wanting.is_empty() {
            continue;
        }
        let file = FileContext::new(entry, index);
        for detector in &wanting {
            detector.detect(&file, &mut out);
        }
        if file.was_read() {
            files_read += 1;
            // A chart template wrapped whole in `{{ if … }}`: remember its guard.
            if let Some(text) = file.text() {
                helm::record_guard(&path, text, &mut out.helm);
                if let Some(diagnostic) = unfinished_scaffold(&entry.path, text) {
                    out.diagnostics.push(diagnostic);
                }
            }
        }
        out.diagnostics.extend(file.diagnostics());
        if let Some(Some(md)) = file.markdown.into_inner() {
            out.outlines.insert(entry.path.clone(), md);
        }
    }
    link::run(&mut out, index);
    out.evidence.facts = facts::derive(&out.evidence, index, &out.terraform_defaults.roots);
    out.evidence.sort();
    out.diagnostics.sort();
    out.diagnostics.dedup();
    Detection {
        evidence: out.evidence,
        diagnostics: out.diagnostics,
        files_read,
    }
}

/// What every starter file of `opready init --scaffold` says about itself.
pub const SCAFFOLD_MARKER: &str = "Written by `opready init --scaffold`";

/// A warning for a starter file of `opready init --scaffold` that still has its TODOs: it
/// counts as evidence (so a team sees criteria pass as it fills it in), and this says
/// plainly that until then those criteria rate a template, not the team's practice.
fn unfinished_scaffold(path: &str, text: &str) -> Option<Diagnostic> {
    if !text.contains(SCAFFOLD_MARKER) {
        return None;
    }
    // "replace every TODO" is the instruction, not a placeholder.
    let todos_in = |line: &str| line.matches("TODO").count() - line.matches("every TODO").count();
    let (line, _) = text
        .lines()
        .enumerate()
        .find(|(_, line)| todos_in(line) > 0)?;
    let todos: usize = text.lines().map(todos_in).sum();
    Some(
        Diagnostic::new(
            Severity::Warning,
            "unfinished-scaffold",
            format!(
                "starter file from `opready init --scaffold` with {todos} TODO{} left: the criteria it meets rate a template, not your practice, until they are replaced",
                if todos == 1 { "" } else { "s" }
            ),
        )
        .at(path, Some(Position::new(line as u32 + 1, 1))),
    )
}

#[cfg(test)]
mod scaffold_tests {
    use super::*;

    #[test]
    fn a_starter_file_with_todos_left_is_pointed_at() {
        let text = "<!-- Written by `opready init --scaffold`: replace every TODO. -->\n# Runbook\n\nPage TODO, then TODO.\n";
        let d = unfinished_scaffold("docs/runbooks/x.md", text).expect("a warning");
        assert_eq!(d.code, "unfinished-scaffold");
        assert_eq!(d.line, Some(4));
        assert!(d.message.contains("with 2 TODOs left"), "{}", d.message);
        // Filled in: only the instruction is left, and nothing is said.
        let done = "<!-- Written by `opready init --scaffold`: replace every TODO. -->\n# Runbook\n\nPage @oncall.\n";
        assert_eq!(unfinished_scaffold("docs/runbooks/x.md", done), None);
        // A team's own TODOs are its own business.
        assert_eq!(
            unfinished_scaffold("docs/runbooks/x.md", "# Runbook\nTODO\n"),
            None
        );
    }
}

/// Applies `$body` to every evidence list, by name (`mut` for mutable access). A test
/// checks that every list of [`Evidence`] is here.
macro_rules! for_each_list {
    (mut $evidence:expr, |$name:ident, $list:ident| $body:expr) => {{
        let e = $evidence;
        {
            let $name = "slos";
            let $list = &mut e.slos;
            $body
        }
        {
            let $name = "slis";
            let $list = &mut e.slis;
            $body
        }
        {
            let $name = "alert_policies";
            let $list = &mut e.alert_policies;
            $body
        }
        {
            let $name = "error_budget_policies";
            let $list = &mut e.error_budget_policies;
            $body
        }
        {
            let $name = "alerts";
            let $list = &mut e.alerts;
            $body
        }
        {
            let $name = "recording_rules";
            let $list = &mut e.recording_rules;
            $body
        }
        {
            let $name = "rule_tests";
            let $list = &mut e.rule_tests;
            $body
        }
        {
            let $name = "alert_routing";
            let $list = &mut e.alert_routing;
            $body
        }
        {
            let $name = "receivers";
            let $list = &mut e.receivers;
            $body
        }
        {
            let $name = "oncall";
            let $list = &mut e.oncall;
            $body
        }
        {
            let $name = "runbooks";
            let $list = &mut e.runbooks;
            $body
        }
        {
            let $name = "incident_docs";
            let $list = &mut e.incident_docs;
            $body
        }
        {
            let $name = "postmortems";
            let $list = &mut e.postmortems;
            $body
        }
        {
            let $name = "docs";
            let $list = &mut e.docs;
            $body
        }
        {
            let $name = "pipelines";
            let $list = &mut e.pipelines;
            $body
        }
        {
            let $name = "dependency_updates";
            let $list = &mut e.dependency_updates;
            $body
        }
        {
            let $name = "ecosystems";
            let $list = &mut e.ecosystems;
            $body
        }
        {
            let $name = "codeowners";
            let $list = &mut e.codeowners;
            $body
        }
        {
            let $name = "catalog";
            let $list = &mut e.catalog;
            $body
        }
        {
            let $name = "iac_resources";
            let $list = &mut e.iac_resources;
            $body
        }
        {
            let $name = "budgets";
            let $list = &mut e.budgets;
            $body
        }
        {
            let $name = "workloads";
            let $list = &mut e.workloads;
            $body
        }
        {
            let $name = "autoscalers";
            let $list = &mut e.autoscalers;
            $body
        }
        {
            let $name = "automation";
            let $list = &mut e.automation;
            $body
        }
        {
            let $name = "dashboards";
            let $list = &mut e.dashboards;
            $body
        }
        {
            let $name = "gitops";
            let $list = &mut e.gitops;
            $body
        }
        {
            let $name = "api_specs";
            let $list = &mut e.api_specs;
            $body
        }
    }};
    ($evidence:expr, |$name:ident, $list:ident| $body:expr) => {{
        let e = $evidence;
        {
            let $name = "slos";
            let $list = &e.slos;
            $body
        }
        {
            let $name = "slis";
            let $list = &e.slis;
            $body
        }
        {
            let $name = "alert_policies";
            let $list = &e.alert_policies;
            $body
        }
        {
            let $name = "error_budget_policies";
            let $list = &e.error_budget_policies;
            $body
        }
        {
            let $name = "alerts";
            let $list = &e.alerts;
            $body
        }
        {
            let $name = "recording_rules";
            let $list = &e.recording_rules;
            $body
        }
        {
            let $name = "rule_tests";
            let $list = &e.rule_tests;
            $body
        }
        {
            let $name = "alert_routing";
            let $list = &e.alert_routing;
            $body
        }
        {
            let $name = "receivers";
            let $list = &e.receivers;
            $body
        }
        {
            let $name = "oncall";
            let $list = &e.oncall;
            $body
        }
        {
            let $name = "runbooks";
            let $list = &e.runbooks;
            $body
        }
        {
            let $name = "incident_docs";
            let $list = &e.incident_docs;
            $body
        }
        {
            let $name = "postmortems";
            let $list = &e.postmortems;
            $body
        }
        {
            let $name = "docs";
            let $list = &e.docs;
            $body
        }
        {
            let $name = "pipelines";
            let $list = &e.pipelines;
            $body
        }
        {
            let $name = "dependency_updates";
            let $list = &e.dependency_updates;
            $body
        }
        {
            let $name = "ecosystems";
            let $list = &e.ecosystems;
            $body
        }
        {
            let $name = "codeowners";
            let $list = &e.codeowners;
            $body
        }
        {
            let $name = "catalog";
            let $list = &e.catalog;
            $body
        }
        {
            let $name = "iac_resources";
            let $list = &e.iac_resources;
            $body
        }
        {
            let $name = "budgets";
            let $list = &e.budgets;
            $body
        }
        {
            let $name = "workloads";
            let $list = &e.workloads;
            $body
        }
        {
            let $name = "autoscalers";
            let $list = &e.autoscalers;
            $body
        }
        {
            let $name = "automation";
            let $list = &e.automation;
            $body
        }
        {
            let $name = "dashboards";
            let $list = &e.dashboards;
            $body
        }
        {
            let $name = "gitops";
            let $list = &e.gitops;
            $body
        }
        {
            let $name = "api_specs";
            let $list = &e.api_specs;
            $body
        }
    }};
}

/// Every evidence item has a source; lists are kept in source order.
pub trait Sourced {
    fn source(&self) -> &Source;
    fn source_mut(&mut self) -> &mut Source;
}

macro_rules! sourced {
    ($($t:ty),* $(,)?) => {
        $(impl Sourced for $t {
            fn source(&self) -> &Source { &self.source }
            fn source_mut(&mut self) -> &mut Source { &mut self.source }
        })*
    };
}

sourced!(
    Slo,
    Sli,
    AlertPolicy,
    ErrorBudgetPolicy,
    Alert,
    RecordingRule,
    RuleTest,
    AlertRouting,
    Receiver,
    OnCall,
    Runbook,
    IncidentDoc,
    Postmortem,
    Doc,
    Pipeline,
    DependencyUpdates,
    Ecosystem,
    CodeOwners,
    CatalogEntity,
    IacResource,
    Budget,
    Workload,
    Autoscaler,
    Automation,
    Dashboard,
    GitOpsDeployment,
    ApiSpec,
);

fn sort_by_source<T: Sourced>(list: &mut [T]) {
    list.sort_by(|a, b| a.source().cmp(b.source()));
}

impl Evidence {
    /// Sorts every list by source so output does not depend on detector order.
    pub fn sort(&mut self) {
        for_each_list!(mut self, |_name, list| sort_by_source(list));
    }

    /// Keeps the items of every list whose source passes `keep`.
    pub fn retain_sources(&mut self, keep: impl Fn(&Source) -> bool) {
        for_each_list!(mut self, |_name, list| list.retain(|item| keep(item.source())));
    }

    /// Applies `f` to the source of every item, with the name of its list.
    pub fn for_each_source_mut(&mut self, mut f: impl FnMut(&str, &mut Source)) {
        for_each_list!(mut self, |name, list| list
            .iter_mut()
            .for_each(|item| f(name, item.source_mut())));
    }

    /// The files some evidence item comes from.
    pub fn source_paths(&self) -> std::collections::BTreeSet<&str> {
        let mut paths = std::collections::BTreeSet::new();
        for_each_list!(self, |_name, list| paths
            .extend(list.iter().map(|item| item.source().path.as_str())));
        paths
    }

    /// Number of items in each list, by list name, in document order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts = Vec::new();
        for_each_list!(self, |name, list| counts.push((name, list.len())));
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::WalkOptions;

    /// Asks for every YAML file as YAML.
    struct AnyYaml;

    impl Detector for AnyYaml {
        fn id(&self) -> &'static str {
            "any-yaml"
        }
        fn summary(&self) -> &'static str {
            "test detector: reads every YAML file"
        }
        fn accepts(&self, path: &RepoPath) -> bool {
            path.is_yaml()
        }
        fn detect(&self, file: &FileContext, _out: &mut Collector) {
            file.yaml(self.id());
        }
    }

    fn diagnostics_of(files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let (index, _) = FileIndex::walk(dir.path(), &WalkOptions::default()).unwrap();
        detect(&index, &[&AnyYaml]).diagnostics
    }

    #[test]
    fn an_unreadable_template_is_reported_where_the_tolerant_parse_stopped() {
        let diags = diagnostics_of(&[(
            "t.yaml",
            "{{- if .Values.enabled }}\nkind: CronJob\nspec:\n  schedule: {{ .s }}\n    bad: [\n{{- end }}\n",
        )]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d.code, "unreadable-template");
        assert_eq!(d.line, Some(5), "{d:?}");
        assert!(!d.message.contains(" at line "), "{d:?}");
    }

    #[test]
    fn a_template_read_tolerantly_and_plain_broken_yaml() {
        let diags = diagnostics_of(&[
            (
                "ok.yaml",
                "spec:\n  {{ if .tz }}timeZone: \"{{ .tz }}\"{{- end }}\n",
            ),
            ("broken.yaml", "a: 1\nb: [\n"),
        ]);
        let got: Vec<(&str, &str, Option<u32>)> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.path.as_deref().unwrap_or(""), d.line))
            .collect();
        assert_eq!(got, [("invalid-yaml", "broken.yaml", Some(2))]);
    }
}

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn every_evidence_list_is_sorted_and_counted() {
        let doc = serde_json::to_value(Evidence::default()).unwrap();
        let lists: Vec<&str> = doc
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v.is_array())
            .map(|(k, _)| k.as_str())
            .collect();
        let counted: Vec<&str> = Evidence::default()
            .counts()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            counted, lists,
            "for_each_list! must name every list of Evidence, in order"
        );
    }
}
