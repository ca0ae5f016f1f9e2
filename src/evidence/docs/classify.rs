//! Pure rules that tell what an SRE document is, from its path and its outline.
//!
//! A document is put in at most one family — runbook, incident-process document or
//! postmortem — so that, say, a postmortem template with an "Impact" heading is not also
//! counted as a runbook. The rules are tried in a fixed order, strongest evidence first:
//!
//! 1. where the document lives and what it is called (a `postmortems/` folder, an
//!    `incident-response.md`, a `runbooks/` folder), postmortems before incident process
//!    before runbooks, because the more specific name wins (`runbooks/manage-an-incident`
//!    is the incident process, kept in the runbook folder);
//! 2. the headings, when the path says nothing: postmortem sections, then the incident
//!    process, then runbook sections.
//!
//! Every matcher works on words (lowercase, split at anything that is not a letter or a
//! digit), so `post-mortem`, `Post Mortem` and `post_mortem` read alike, and "fix" does
//! not match "prefix".

use std::sync::LazyLock;

use regex::Regex;

use crate::evidence::path::RepoPath;
use crate::evidence::{IncidentCoverage, PostmortemSections, RunbookSections};
use crate::parse::markdown::Markdown;

/// The SRE document families; a document belongs to at most one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A runbook, found by its path or by its headings.
    Runbook(FoundBy),
    /// A document about the incident response process or being on call.
    IncidentDoc,
    /// A postmortem, written or as a template.
    Postmortem,
}

/// Why a document was taken for a runbook (the `found_by` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundBy {
    Path,
    Headings,
}

impl FoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::Path => "path",
            FoundBy::Headings => "headings",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Words and phrases

/// Lowercase words of `text`: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether the words contain `phrase` (space-separated words; a word ending in `*`
/// matches every word it starts, `escalat*` matches "escalation" and "escalate"). A
/// phrase starting with `=` must be all the words ("=steps" matches a heading "Steps",
/// not "Next steps").
pub fn has_phrase<S: AsRef<str>>(words: &[S], phrase: &str) -> bool {
    if let Some(exact) = phrase.strip_prefix('=') {
        let wanted: Vec<&str> = exact.split(' ').collect();
        return words.len() == wanted.len()
            && words
                .iter()
                .zip(&wanted)
                .all(|(word, want)| word_matches(word.as_ref(), want));
    }
    let wanted: Vec<&str> = phrase.split(' ').collect();
    if wanted.is_empty() || words.len() < wanted.len() {
        return false;
    }
    words.windows(wanted.len()).any(|window| {
        window
            .iter()
            .zip(&wanted)
            .all(|(word, want)| word_matches(word.as_ref(), want))
    })
}

fn word_matches(word: &str, want: &str) -> bool {
    match want.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == want,
    }
}

/// Whether the words contain any of the phrases.
pub fn has_any<S: AsRef<str>>(words: &[S], phrases: &[&str]) -> bool {
    phrases.iter().any(|p| has_phrase(words, p))
}

// ---------------------------------------------------------------------------------------
// Paths

/// A path component reduced for name matching: lowercase, `_`, `.` and spaces as `-`.
fn normalize_name(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| {
            if c == '_' || c == ' ' || c == '.' {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The file name without its Markdown or text extensions, normalised.
fn stem(path: &RepoPath) -> String {
    normalize_name(&path.stem_lower())
}

/// The folder names, normalised.
fn dirs(path: &RepoPath) -> Vec<String> {
    path.dirs().map(normalize_name).collect()
}

/// `README`, `index` and `_index` pages introduce a folder rather than document one thing.
pub fn is_index_page(path: &RepoPath) -> bool {
    matches!(stem(path).as_str(), "readme" | "index" | "-index")
}

/// GitHub/GitLab issue and pull-request templates: forms, not documents. Only their
/// names count (a `postmortem.md` issue template is a postmortem template).
pub fn is_issue_template(path: &RepoPath) -> bool {
    let lower = path.as_str().to_lowercase();
    lower.contains("issue_template")
        || lower.contains("pull_request_template")
        || lower.contains(".gitlab/issue_templates/")
        || lower.contains(".gitlab/merge_request_templates/")
}

/// A date (`2020-02-12`, `20200212`) in a name or title marks a record of one event.
pub fn has_date(text: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^0-9])(?:19|20)[0-9]{2}[-_./]?(?:0[1-9]|1[0-2])[-_./]?(?:0[1-9]|[12][0-9]|3[01])(?:[^0-9]|$)")
            .expect("valid date pattern")
    });
    DATE.is_match(text)
}

/// Folders whose documents are runbooks: runbooks, playbooks and standard operating
/// procedures, and the team's operations or SRE guide (the how-tos of running the
/// service, as in `docs/sre-guide/`, `docs/operation_guide/`).
const RUNBOOK_DIRS: &[&str] = &[
    "runbooks",
    "runbook",
    "playbooks",
    "playbook",
    "sop",
    "sops",
    "sre-guide",
    "operation-guide",
    "operations-guide",
    "ops-guide",
    "operations-manual",
];

/// **Runbook by path**: a folder `runbooks/`, `runbook/`, `playbooks/`, `sop/`, `sops/`,
/// `sre-guide/`, `operation(s)-guide/`, `ops-guide/`, or a file name containing
/// "runbook" or "playbook" or the word "sop" (`remote_write_load_shedding_sop.md`).
pub fn runbook_by_path(path: &RepoPath) -> bool {
    let name = stem(path);
    dirs(path)
        .iter()
        .any(|d| RUNBOOK_DIRS.contains(&d.as_str()))
        || name.contains("runbook")
        || name.contains("playbook")
        || name.split('-').any(|w| w == "sop" || w == "sops")
}

/// Folders that hold postmortems or incident records.
const POSTMORTEM_DIRS: &[&str] = &[
    "postmortems",
    "postmortem",
    "post-mortems",
    "post-mortem",
    "incident-reports",
    "incident-report",
    "incident-reviews",
    "incidents",
];

/// Whether a folder on the path holds postmortems or incident records (`incidents/`,
/// `postmortems/`, `incident-reports/`).
pub fn in_postmortem_dir(path: &RepoPath) -> bool {
    dirs(path)
        .iter()
        .any(|d| POSTMORTEM_DIRS.contains(&d.as_str()))
}

/// Whether a name (normalised) reads as a postmortem: "postmortem", "post-mortem",
/// "incident-report", "incident-review", "post-incident".
fn postmortem_name(name: &str) -> bool {
    [
        "postmortem",
        "post-mortem",
        "incident-report",
        "incident-review",
        "post-incident",
    ]
    .iter()
    .any(|n| name.contains(n))
}

/// Whether a title reads as a postmortem ("Incident report: …", "Postmortem of …").
pub fn postmortem_title(title: &str) -> bool {
    let w = words(title);
    has_any(
        &w,
        &[
            "incident report",
            "incident review",
            "postmortem*",
            "post mortem*",
            "post incident review",
            "outage report",
        ],
    )
}

/// **Postmortem by name**: the file name or title reads as a postmortem, or the name is
/// an incident with a date (`incident-2023-01-05.md`).
pub fn postmortem_by_name(path: &RepoPath, title: Option<&str>) -> bool {
    let name = stem(path);
    postmortem_name(&name)
        || (name.split('-').any(|w| w == "incident" || w == "outage") && has_date(&name))
        || title.is_some_and(postmortem_title)
}

/// How strongly a path says "incident process".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentPath {
    No,
    /// A name with "incident" and nothing more (`security-incident.md`): the incident
    /// process, unless the document lives in a runbook folder, where it is the runbook
    /// for that kind of incident.
    Weak,
    /// A folder `incident-response/`, `incident-management/`, `incident-process/`,
    /// `oncall/`, `on-call/`; a name about on call (`on-call`, `oncall`), escalation,
    /// severity levels, or an incident with a process word (`manage-an-incident`,
    /// `incident-process`, `security_incident_response`, `during_an_incident`).
    Strong,
}

/// **Incident process by path**: see [`IncidentPath`]. Incident records
/// (`incident-report-*`, a dated incident) are postmortems, not the process.
pub fn incident_by_path(path: &RepoPath) -> IncidentPath {
    const DIRS: &[&str] = &[
        "incident-response",
        "incident-management",
        "incident-process",
        "incident-handling",
        "oncall",
        "on-call",
        "on-call-guide",
    ];
    const PROCESS_WORDS: &[&str] = &[
        "response",
        "process",
        "management",
        "manage",
        "managing",
        "handling",
        "commander",
        "roles",
        "lifecycle",
        "policy",
        "procedure",
        "procedures",
        "severity",
        "levels",
        "major",
        "declare",
        "declaring",
        "during",
        "after",
        "before",
    ];
    if dirs(path).iter().any(|d| DIRS.contains(&d.as_str())) {
        return IncidentPath::Strong;
    }
    let name = stem(path);
    let parts: Vec<&str> = name.split('-').collect();
    let has = |w: &str| parts.contains(&w);
    if name.contains("oncall") || name.contains("on-call") || has("escalation") {
        return IncidentPath::Strong;
    }
    if (has("severity") || has("severities")) && (has("levels") || has("level") || parts.len() == 1)
    {
        return IncidentPath::Strong;
    }
    if !(has("incident") || has("incidents")) || postmortem_name(&name) || has_date(&name) {
        return IncidentPath::No;
    }
    if PROCESS_WORDS.iter().any(|w| has(w)) {
        IncidentPath::Strong
    } else {
        IncidentPath::Weak
    }
}

// ---------------------------------------------------------------------------------------
// Headings

/// The headings of a document as words, with bold labels (`**Impact**:`) read as
/// headings too, since many runbooks and incident records use them instead.
#[derive(Debug, Clone)]
pub struct Outline {
    pub headings: Vec<Vec<String>>,
    /// Which of `headings` is the document's title (its first level-1 heading).
    title: Option<usize>,
}

impl Outline {
    pub fn new(md: &Markdown, raw: Option<&str>) -> Self {
        let mut headings: Vec<Vec<String>> = md.headings.iter().map(|h| words(&h.text)).collect();
        if let Some(raw) = raw {
            headings.extend(bold_labels(raw).iter().map(|(label, _)| words(label)));
        }
        Outline {
            headings,
            title: md.headings.iter().position(|h| h.level == 1),
        }
    }

    /// The outline without the title heading: a README's title names the project, not
    /// what the page is about.
    pub fn without_title(&self) -> Outline {
        let headings = self
            .headings
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != self.title)
            .map(|(_, h)| h.clone())
            .collect();
        Outline {
            headings,
            title: None,
        }
    }

    /// Whether some heading contains any of the phrases.
    pub fn any(&self, phrases: &[&str]) -> bool {
        self.headings.iter().any(|h| has_any(h, phrases))
    }
}

/// Labels written in bold at the start of a line and followed by a colon
/// (`- **Impact**: …`, `**Root cause:** …`), outside code blocks, with their lines.
pub fn bold_labels(raw: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in raw.lines().enumerate() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    Some(open) if open == marker => None,
                    None => Some(marker),
                    other => other,
                };
            }
        }
        if fence.is_some() {
            continue;
        }
        let body = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
            .or_else(|| trimmed.strip_prefix("+ "))
            .unwrap_or(trimmed)
            .trim_start();
        let Some(rest) = body.strip_prefix("**") else {
            continue;
        };
        let Some(end) = rest.find("**") else {
            continue;
        };
        let label = rest[..end].trim();
        let after = rest[end + 2..].trim_start();
        // `**Impact**: …`, `**Impact:** …`, or a bold line of its own (`- **Key events**`
        // followed by a nested list); bold words inside a sentence are no label.
        let colon = label.ends_with(':') || after.starts_with(':') || after.is_empty();
        let label = label.trim_end_matches(':').trim();
        if colon && !label.is_empty() && label.len() <= 40 {
            out.push((label.to_string(), i as u32 + 1));
        }
    }
    out
}

/// Runbook section: symptoms, impact, "what is happening", the alert's meaning, the
/// problem.
const RB_SYMPTOMS: &[&str] = &[
    "symptom*",
    "impact*",
    "what is happening",
    "what s happening",
    "meaning",
    "problem",
    "problem description",
    "signs",
];
/// Runbook section: diagnosis, investigation, troubleshooting, "how to check".
const RB_DIAGNOSIS: &[&str] = &[
    "diagnos*",
    "investigate",
    "investigating",
    "investigation*",
    "troubleshoot*",
    "debug*",
    "triage",
    "how to check",
    "how to verify",
    "detect*",
];
/// Runbook section: mitigation, remediation, resolution, recovery, steps, fix.
const RB_MITIGATION: &[&str] = &[
    "mitigat*",
    "remediat*",
    "resolution*",
    "resolv*",
    "resolve",
    "recover*",
    "restor*",
    "=steps",
    "steps to*",
    "resolution steps",
    "recovery steps",
    "remediation steps",
    "mitigation steps",
    "runbook steps",
    "fix*",
    "solution*",
    "workaround*",
    "rollback",
    "roll back",
    "what to do",
];
/// Runbook section: escalation, contacts, who to call.
const RB_ESCALATION: &[&str] = &[
    "escalat*",
    "contact*",
    "who to call",
    "who to contact",
    "getting help",
    "get help",
    "further help",
    "ownership",
    "=owner",
    "=owners",
    "service owner*",
    "on call",
    "oncall",
];

/// The runbook sections a document's headings (and bold labels) name.
pub fn runbook_sections(outline: &Outline) -> RunbookSections {
    RunbookSections {
        symptoms: outline.any(RB_SYMPTOMS),
        diagnosis: outline.any(RB_DIAGNOSIS),
        mitigation: outline.any(RB_MITIGATION),
        escalation: outline.any(RB_ESCALATION),
    }
}

pub fn runbook_section_count(s: &RunbookSections) -> usize {
    [s.symptoms, s.diagnosis, s.mitigation, s.escalation]
        .iter()
        .filter(|b| **b)
        .count()
}

/// **Structured runbook**: at least three of the four sections (symptoms, diagnosis,
/// mitigation, escalation).
pub fn is_structured(s: &RunbookSections) -> bool {
    runbook_section_count(s) >= 3
}

const PM_SUMMARY: &[&str] = &[
    "summary",
    "executive summary",
    "issue summary",
    "overview",
    "what happened",
    "outage description",
];
const PM_IMPACT: &[&str] = &["impact*", "affected users", "customer impact"];
const PM_TIMELINE: &[&str] = &[
    "timeline*",
    "key events",
    "chain of events",
    "sequence of events",
    "incident timing",
];
const PM_ROOT_CAUSE: &[&str] = &[
    "root cause*",
    "contributing factor*",
    "contributing condition*",
    "what went wrong",
    "what caused",
    "causes",
    "trigger",
    "how did this happen",
];
const PM_ACTION_ITEMS: &[&str] = &[
    "action item*",
    "follow up*",
    "followup*",
    "corrective*",
    "preventative measures",
    "preventive measures",
    "next steps",
    "review actions",
    "actions following review",
    "future actions",
    "remediation items",
    "recommendations",
];
const PM_LESSONS: &[&str] = &[
    "lessons*",
    "what went well",
    "takeaway*",
    "what can we learn",
    "where we got lucky",
    "learnings",
];

/// The postmortem sections a document's headings (and bold labels) name.
pub fn postmortem_sections(outline: &Outline) -> PostmortemSections {
    PostmortemSections {
        summary: outline.any(PM_SUMMARY),
        impact: outline.any(PM_IMPACT),
        timeline: outline.any(PM_TIMELINE),
        root_cause: outline.any(PM_ROOT_CAUSE),
        action_items: outline.any(PM_ACTION_ITEMS),
        lessons: outline.any(PM_LESSONS),
    }
}

fn postmortem_section_count(s: &PostmortemSections) -> usize {
    [
        s.summary,
        s.impact,
        s.timeline,
        s.root_cause,
        s.action_items,
        s.lessons,
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

/// **Postmortem by headings**: at least three of summary, impact, timeline, root cause,
/// action items and lessons, one of them other than summary and impact (which runbooks
/// have too).
pub fn postmortem_by_headings(s: &PostmortemSections) -> bool {
    postmortem_section_count(s) >= 3 && (s.timeline || s.root_cause || s.action_items || s.lessons)
}

const IR_ROLES: &[&str] = &[
    "incident commander*",
    "commander",
    "ic",
    "scribe*",
    "scribing",
    "incident lead",
    "incident manager",
    "communications lead",
    "comms lead",
    "deputy",
    "liaison",
    "incident roles",
    "response roles",
    "assign roles",
    "assigning roles",
    "roles and responsibilities",
    "responder*",
];
const IR_SEVERITIES: &[&str] = &[
    "severity",
    "severities",
    "sev",
    "sev1",
    "sev 1",
    "sev2",
    "p1",
    "priority levels",
    "which priority",
    "incident priority",
];
const IR_ESCALATION: &[&str] = &["escalat*"];
const IR_COMMUNICATION: &[&str] = &[
    "status page",
    "statuspage",
    "stakeholder*",
    "communicat*",
    "comms",
];
const IR_POSTMORTEM: &[&str] = &[
    "postmortem*",
    "post mortem*",
    "post incident*",
    "retrospective*",
    "incident review*",
    "incident report*",
    "reviewing the incident",
];
const IR_ONCALL: &[&str] = &[
    "on call",
    "oncall",
    "pager",
    "pagers",
    "paging",
    "paged",
    "pagerduty",
    "opsgenie",
    "victorops",
    "rota",
    "support rotation*",
    "out of hours",
    "handover",
    "hand over",
    "hand off",
];
const IR_INCIDENT: &[&str] = &["incident", "incidents", "major incident*", "outage*"];

/// Which incident-process topics a list of word lists (headings, or the prose as one
/// list) covers.
fn incident_topics<S: AsRef<str>>(lists: &[&[S]]) -> IncidentCoverage {
    let any = |phrases: &[&str]| lists.iter().any(|w| has_any(w, phrases));
    IncidentCoverage {
        roles: any(IR_ROLES),
        severities: any(IR_SEVERITIES),
        escalation: any(IR_ESCALATION),
        communication: any(IR_COMMUNICATION),
        postmortem: any(IR_POSTMORTEM),
        oncall: any(IR_ONCALL),
    }
}

fn topic_count(c: &IncidentCoverage) -> usize {
    [
        c.roles,
        c.severities,
        c.escalation,
        c.communication,
        c.postmortem,
        c.oncall,
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

/// **Incident process by headings**: the headings speak of incidents ("During an
/// incident", "Declare the incident") and of at least one process topic (roles,
/// severities, escalation, communication, postmortem, on call); or, without the word,
/// of roles, severities or on call together with another topic ("On-call rota" and
/// "Escalation"); or two headings are about postmortems ("Why do postmortems", "When to
/// do a postmortem": the postmortem process). A document that only mentions an incident
/// in its prose is not one.
pub fn incident_by_headings(outline: &Outline) -> bool {
    let lists: Vec<&[String]> = outline.headings.iter().map(Vec::as_slice).collect();
    let topics = incident_topics(&lists);
    let incident_word = outline.any(IR_INCIDENT);
    let n = topic_count(&topics);
    let postmortem_headings = outline
        .headings
        .iter()
        .filter(|h| has_any(h, IR_POSTMORTEM))
        .count();
    (incident_word && n >= 1)
        || (n >= 2 && (topics.roles || topics.severities || topics.oncall))
        || postmortem_headings >= 2
}

/// Headings that instruct ("Create a timeline", "Document impact", "Analyze the
/// incident") belong to a guide on writing postmortems; a postmortem's headings name
/// what it reports ("Timeline", "Impact", "Root cause").
pub fn headings_instruct(outline: &Outline) -> bool {
    const VERBS: &[&str] = &[
        "create",
        "document",
        "write",
        "analyze",
        "analyse",
        "describe",
        "identify",
        "determine",
        "define",
        "list",
        "add",
        "record",
        "capture",
        "schedule",
        "assign",
        "explain",
        "summarize",
        "summarise",
    ];
    outline
        .headings
        .iter()
        .filter(|h| h.first().is_some_and(|w| VERBS.contains(&w.as_str())))
        .count()
        >= 2
}

/// What an incident-process document covers, from its headings and its prose.
pub fn incident_coverage(outline: &Outline, md: &Markdown) -> IncidentCoverage {
    let prose = words(&md.text);
    let mut lists: Vec<&[String]> = outline.headings.iter().map(Vec::as_slice).collect();
    lists.push(&prose);
    let mut covers = incident_topics(&lists);
    // "IC" and "sev" alone are too short to trust in prose; the headings may use them.
    covers.roles = outline.any(IR_ROLES)
        || has_any(
            &prose,
            &[
                "incident commander*",
                "scribe*",
                "incident lead*",
                "incident manager*",
                "communications lead*",
                "comms lead*",
                "deputy",
                "customer liaison",
                "internal liaison",
            ],
        );
    covers.severities = outline.any(IR_SEVERITIES)
        || has_any(
            &prose,
            &[
                "sev1",
                "sev 1",
                "sev2",
                "sev 2",
                "sev0",
                "sev 0",
                "severity level*",
                "severity 1",
                "priority 1",
                "p1",
                "p2",
                "priority level*",
                "severities",
            ],
        );
    covers
}

// ---------------------------------------------------------------------------------------
// Classification

/// The family of a document, or `None` when it is none of them. `raw` is the source
/// text, for bold labels; `title` as returned by [`super::doc_title`].
pub fn classify(
    path: &RepoPath,
    md: &Markdown,
    outline: &Outline,
    title: Option<&str>,
) -> Option<Family> {
    let index_page = is_index_page(path);
    // A README's or index's title names the project or the folder, not the page's topic.
    let body;
    let (outline, title) = if index_page {
        body = outline.without_title();
        (&body, None)
    } else {
        (outline, title)
    };
    let pm = postmortem_sections(outline);

    // 1. By path. Issue templates count by name only.
    if (in_postmortem_dir(path) && !index_page) || postmortem_by_name(path, title) {
        // Guidance about writing postmortems ("effective_post_mortems.md") is not a
        // postmortem: it names no postmortem sections, is no template and no dated record.
        let record = in_postmortem_dir(path) && !index_page;
        let dated = has_date(&stem(path)) || title.is_some_and(has_date);
        if record || dated || is_template_path(path) || postmortem_section_count(&pm) >= 2 {
            return Some(Family::Postmortem);
        }
        return Some(Family::IncidentDoc);
    }
    let incident_path = incident_by_path(path);
    if incident_path == IncidentPath::Strong {
        return Some(Family::IncidentDoc);
    }
    if runbook_by_path(path) {
        return Some(Family::Runbook(FoundBy::Path));
    }
    if incident_path == IncidentPath::Weak {
        return Some(Family::IncidentDoc);
    }
    // A changelog's "Fixed" and "Troubleshooting" entries are releases, not a runbook.
    if super::project_docs::doc_kind(path, None) == Some("changelog") {
        return None;
    }
    if is_issue_template(path) {
        return None;
    }
    // The index of a folder of postmortems lists them; it may describe how incidents are
    // reported, but it is no runbook and no postmortem itself.
    let records_index = index_page && in_postmortem_dir(path);

    // 2. By headings.
    if postmortem_by_headings(&pm) && !records_index && !headings_instruct(outline) {
        return Some(Family::Postmortem);
    }
    let rb = runbook_sections(outline);
    let rb_count = runbook_section_count(&rb);
    // A runbook with an "Escalation" and a "Severity" heading is still a runbook, unless
    // its headings speak of incidents.
    let runbook_first = rb_count >= 3 && !outline.any(IR_INCIDENT);
    if !runbook_first && incident_by_headings(outline) {
        return Some(Family::IncidentDoc);
    }
    if rb_count >= 2
        && runbook_headings_dominate(outline)
        && !records_index
        && !index_page_of_nothing(index_page, md)
    {
        return Some(Family::Runbook(FoundBy::Headings));
    }
    None
}

/// **Runbook by headings** also needs the runbook headings to be a real part of the
/// document (at least one heading in seven): a long developer guide that ends with a
/// "Troubleshooting" section and mentions "Recovery codes" is no runbook.
fn runbook_headings_dominate(outline: &Outline) -> bool {
    let all = [RB_SYMPTOMS, RB_DIAGNOSIS, RB_MITIGATION, RB_ESCALATION];
    let matching = outline
        .headings
        .iter()
        .filter(|h| all.iter().any(|cues| has_any(h, cues)))
        .count();
    matching * 7 >= outline.headings.len()
}

/// An index page with hardly any prose is a table of contents, whatever its headings.
fn index_page_of_nothing(index_page: bool, md: &Markdown) -> bool {
    index_page && md.words < 30
}

// ---------------------------------------------------------------------------------------
// Postmortem details

/// A folder or file name containing "template".
pub fn is_template_path(path: &RepoPath) -> bool {
    stem(path).contains("template") || dirs(path).iter().any(|d| d.contains("template"))
}

/// **Postmortem template**: "template" in the name or folder, or placeholders in the
/// text: `{{ incident name }}`, `<insert …>`, `[date]`, `xx:xx`, `hh:mm`, `yyyy-mm-dd`,
/// "replace this", `TODO`, or HTML comments telling the writer what to put where.
/// Written postmortems have dates and specifics instead.
pub fn is_template(path: &RepoPath, md: &Markdown, raw: Option<&str>) -> bool {
    if is_template_path(path) {
        return true;
    }
    let headings: String = md
        .headings
        .iter()
        .map(|h| h.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" \n");
    let prose = format!("{headings} \n{}", md.text);
    if has_mustache_placeholder(&prose) {
        return true;
    }
    const MARKERS: &[&str] = &[
        "xx:xx",
        "hh:mm",
        "yyyy-mm-dd",
        "yyyy/mm/dd",
        "dd/mm/yyyy",
        "mm/dd/yyyy",
        "[date]",
        "[time]",
        "[insert",
        "<insert",
        "[your ",
        "[name]",
        "[link]",
        "replace this",
        "replace with your",
        "fill in the",
        "fill this in",
    ];
    if MARKERS.iter().any(|m| prose.contains(m)) {
        return true;
    }
    let Some(raw) = raw else {
        return false;
    };
    let lower = raw.to_lowercase();
    if ["<insert", "<date>", "<time>", "<name>", "<link>", "<your "]
        .iter()
        .any(|m| lower.contains(m))
    {
        return true;
    }
    raw.contains("TODO") || has_instruction_comment(raw)
}

/// `{{ incident name }}`: words in double braces; `{{ $value }}` and `{{ .Values }}`
/// are template code, not placeholders.
fn has_mustache_placeholder(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return false;
        };
        let inner = after[..end].trim();
        if !inner.is_empty()
            && !inner.starts_with(['$', '.', '-', '/', '#'])
            && inner.chars().any(char::is_alphabetic)
            && !inner.contains(['(', '|', '"'])
        {
            return true;
        }
        rest = &after[end + 2..];
    }
    false
}

/// The texts of the HTML comments in `raw`.
fn html_comments(raw: &str) -> impl Iterator<Item = &str> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        let start = rest.find("<!--")?;
        let after = &rest[start + 4..];
        let end = after.find("-->").unwrap_or(after.len());
        let comment = &after[..end];
        rest = after.get(end + 3..).unwrap_or("");
        Some(comment)
    })
}

/// An HTML comment of several words telling the writer what to do.
fn has_instruction_comment(raw: &str) -> bool {
    html_comments(raw).any(|text| {
        let comment = words(text);
        comment.len() >= 4
            && has_any(
                &comment,
                &[
                    "describe*",
                    "fill*",
                    "replace*",
                    "include*",
                    "list",
                    "add",
                    "write",
                    "explain*",
                    "summari*",
                    "e g",
                    "example",
                ],
            )
    })
}

/// **Blameless**: the prose, or a template's instruction comments (`<!-- keep it
/// blameless -->`), say blameless, blame-free, blame-aware, "no blame", "without blame"
/// or "not about who".
pub fn is_blameless(md: &Markdown, raw: Option<&str>) -> bool {
    let mut prose = words(&md.text);
    if let Some(raw) = raw {
        prose.extend(html_comments(raw).flat_map(words));
    }
    has_any(
        &prose,
        &[
            "blameless*",
            "blame free",
            "blamefree",
            "blame aware",
            "no blame",
            "without blame",
            "not about who",
            "not to blame",
            "not to assign blame",
        ],
    )
}

/// **Action items tracked**: the action-items section (up to the next heading of the same
/// or a higher level) has task checkboxes, issue or ticket references (`#123`, `/issues/`,
/// `/pull/`, `JIRA-123`, a Jira or Linear link), a table with an owner, status, due
/// date or ticket column, or (in a template) asks for a ticket or issue per item.
pub fn action_items_tracked(md: &Markdown, raw: Option<&str>) -> bool {
    let Some(raw) = raw else {
        return false;
    };
    let lines: Vec<&str> = raw.lines().collect();
    let mut labels_ranges = Vec::new();
    for (i, h) in md.headings.iter().enumerate() {
        if !has_any(&words(&h.text), PM_ACTION_ITEMS) {
            continue;
        }
        let end = md.headings[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(lines.len(), |n| n.line.saturating_sub(1) as usize);
        labels_ranges.push((h.line as usize, end));
    }
    // Bold labels ("**Review actions**:") own the lines up to the next bold label.
    let labels = bold_labels(raw);
    for (k, (label, line)) in labels.iter().enumerate() {
        if has_any(&words(label), PM_ACTION_ITEMS) {
            let end = labels
                .get(k + 1)
                .map_or(lines.len(), |(_, l)| l.saturating_sub(1) as usize);
            labels_ranges.push((line.saturating_sub(1) as usize, end));
        }
    }
    labels_ranges.iter().any(|&(start, end)| {
        let section = lines
            .get(start.min(lines.len())..end.min(lines.len()))
            .unwrap_or(&[]);
        tracks_items(section)
    })
}

fn tracks_items(lines: &[&str]) -> bool {
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?x)
            (?:^|[\s(\[])\#[0-9]+\b            # #123
            | /issues/[0-9]+ | /pull/[0-9]+ | /-/issues/ | /merge_requests/
            | /browse/[A-Z][A-Z0-9]+-[0-9]+    # Jira links
            | \b[A-Z][A-Z0-9]{1,9}-[0-9]+\b    # ticket ids
            | linear\.app/ | atlassian\.net/
            | ^\s*[-*+]\s+\[[\ xX]\]           # task checkboxes
            ",
        )
        .expect("valid reference pattern")
    });
    let prose = words(&lines.join(" "));
    // A template asks for tracking in words: "each action item should be a JIRA ticket".
    if has_any(
        &prose,
        &[
            "jira",
            "ticket*",
            "github issue*",
            "issue tracker",
            "tracked in",
            "linked issue*",
        ],
    ) {
        return true;
    }
    lines.iter().any(|line| {
        if REFERENCE.is_match(line) {
            return true;
        }
        // A table header naming who, state or when.
        line.trim_start().starts_with('|')
            && has_any(
                &words(line),
                &[
                    "owner*",
                    "assignee*",
                    "status",
                    "due",
                    "ticket*",
                    "issue*",
                    "bug*",
                    "jira",
                ],
            )
    })
}

// ---------------------------------------------------------------------------------------
// Runbook collections

/// **Runbook collection index**: an index page (`index.md`, `README.md`,
/// `index.html.md.erb`) titled with runbooks, playbooks or SOPs in the plural ("Cloud
/// Platform Runbooks"). Documents below its folder are runbooks, whatever their names
/// (a Middleman or MkDocs runbook site keeps its pages under `source/` or `docs/`).
pub fn is_runbook_collection_index(path: &RepoPath, title: Option<&str>) -> bool {
    is_index_page(path)
        && title.is_some_and(|t| {
            has_any(
                &words(t),
                &[
                    "runbooks",
                    "playbooks",
                    "sops",
                    "standard operating procedures",
                ],
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown::parse;

    fn p(path: &str) -> RepoPath<'_> {
        RepoPath::new(path)
    }

    fn family(path: &str, text: &str) -> Option<Family> {
        let md = parse(text);
        let outline = Outline::new(&md, Some(text));
        let title = crate::evidence::docs::doc_title(&md);
        classify(&p(path), &md, &outline, title.as_deref())
    }

    #[test]
    fn phrases_match_whole_words_and_prefixes() {
        let w = words("How to Fix: post-mortem & Escalation (prefix)");
        assert!(has_phrase(&w, "fix*"));
        assert!(has_phrase(&w, "post mortem"));
        assert!(has_phrase(&w, "escalat*"));
        assert!(!has_phrase(&w, "pre"));
        assert!(!has_phrase(&words("prefix"), "fix*"));
        assert!(has_phrase(&words("Steps"), "=steps"));
        assert!(!has_phrase(&words("Next steps"), "=steps"));
    }

    #[test]
    fn runbook_paths() {
        assert!(runbook_by_path(&p("docs/runbooks/high-latency.md")));
        assert!(runbook_by_path(&p("mixin/runbook.md")));
        assert!(runbook_by_path(&p("ops/Playbooks/db.md")));
        assert!(runbook_by_path(&p("docs/sop/observatorium.md")));
        assert!(runbook_by_path(&p(
            "docs/remote_write_load_shedding_sop.md"
        )));
        assert!(runbook_by_path(&p("source/runbooks/x.html.md.erb")));
        assert!(runbook_by_path(&p("docs/sre-guide/node-scale-up/aws.md")));
        assert!(runbook_by_path(&p(
            "docs/source/operation_guide/federation.md"
        )));
        assert!(!runbook_by_path(&p("docs/operating/https.md")));
        assert!(!runbook_by_path(&p("docs/desktop.md")));
        assert!(!runbook_by_path(&p("docs/isopods.md")));
    }

    #[test]
    fn incident_paths() {
        use IncidentPath::*;
        let k = |path| incident_by_path(&p(path));
        assert_eq!(k("source/runbooks/manage-an-incident.html.md.erb"), Strong);
        assert_eq!(k("docs/incident-response.md"), Strong);
        assert_eq!(k("docs/oncall/whos_oncall.md"), Strong);
        assert_eq!(k("source/on-call.html.md.erb"), Strong);
        assert_eq!(k("docs/before/severity_levels.md"), Strong);
        assert_eq!(k("docs/during/security_incident_response.md"), Strong);
        assert_eq!(k("docs/before/complex_incidents.md"), Weak);
        assert_eq!(k("docs/incident-2023-01-05.md"), No);
        assert_eq!(k("docs/incident-report-x.md"), No);
        assert_eq!(k("docs/alerting.md"), No);
    }

    #[test]
    fn a_runbook_for_a_kind_of_incident_stays_a_runbook() {
        let text = "# Security incident\n## Contain\n## Rotate keys\n";
        assert_eq!(
            family("runbooks/security-incident.md", text),
            Some(Family::Runbook(FoundBy::Path))
        );
        assert_eq!(
            family("docs/security-incident.md", text),
            Some(Family::IncidentDoc)
        );
    }

    #[test]
    fn changelogs_are_no_runbooks() {
        let text = "# Changelog\n## 1.2\n### Fixed\n### Troubleshooting\n";
        assert_eq!(family("CHANGELOG.md", text), None);
    }

    #[test]
    fn postmortem_names_and_records() {
        assert!(postmortem_by_name(
            &p("templates/postmortem-template-srebook.md"),
            None
        ));
        assert!(postmortem_by_name(
            &p("docs/after/post_mortem_template.md"),
            None
        ));
        assert!(postmortem_by_name(
            &p("posts/2024-07-08-incident-report-leaked-token.md"),
            None
        ));
        assert!(postmortem_by_name(
            &p("posts/2023-12-04-account-takeover.md"),
            Some("Incident Report: User Account Takeover")
        ));
        assert!(postmortem_by_name(&p("ops/incident-2023-01-05.md"), None));
        assert!(!postmortem_by_name(
            &p("docs/incident-process.md"),
            Some("Incident process")
        ));
        assert!(in_postmortem_dir(&p(
            "source/incidents/2020-02-12.html.md.erb"
        )));
        assert!(has_date("2020-02-12"));
        assert!(has_date("incident on 2020-02-12 nginx"));
        assert!(has_date("20200212-x"));
        assert!(!has_date("v1.2.3"));
        assert!(!has_date("2020"));
    }

    #[test]
    fn bold_labels_are_read_outside_code() {
        let raw = "- **Key events**\n  - 11:45 fault\n- **Impact**:\n  - things\n**Root cause:** x\n```\n**Code**: no\n```\n**Bold** text\n";
        let labels: Vec<(String, u32)> = bold_labels(raw);
        assert_eq!(
            labels,
            [
                ("Key events".to_string(), 1),
                ("Impact".to_string(), 3),
                ("Root cause".to_string(), 5)
            ]
        );
    }

    #[test]
    fn runbook_by_headings_needs_two_sections() {
        let text = "# Disk full\n\n## Symptoms\n\nx\n\n## Mitigation\n\ny\n";
        assert_eq!(
            family("docs/disk.md", text),
            Some(Family::Runbook(FoundBy::Headings))
        );
        let text = "# Tool\n\n## Troubleshooting\n\nx\n\n## Install\n";
        assert_eq!(family("docs/tool.md", text), None);
    }

    #[test]
    fn a_troubleshooting_corner_does_not_make_a_guide_a_runbook() {
        let mut text = String::from("# Getting started\n");
        for i in 0..30 {
            text.push_str(&format!("## Install part {i}\n"));
        }
        text.push_str("## Troubleshooting\n### Recovery codes\n### Problem with make\n");
        assert_eq!(family("docs/getting-started.md", &text), None);
    }

    #[test]
    fn runbook_sections_and_structure() {
        let md = parse("# HighErrorRate\n## Impact\n## Diagnosis\n## Mitigation\n## Escalation\n");
        let s = runbook_sections(&Outline::new(&md, None));
        assert!(s.symptoms && s.diagnosis && s.mitigation && s.escalation);
        assert!(is_structured(&s));
        let md =
            parse("# Alerts\n## Impact\n## Summary\n## Severity\n## Access Required\n## Steps\n");
        let s = runbook_sections(&Outline::new(&md, None));
        assert!(s.symptoms && s.mitigation && !s.diagnosis && !s.escalation);
        assert!(!is_structured(&s));
    }

    #[test]
    fn bold_label_sections_count() {
        let raw = "# Alert\n\n**Impact**: users see errors\n\n**Diagnosis**: check logs\n\n**Mitigation**: restart\n";
        let md = parse(raw);
        let s = runbook_sections(&Outline::new(&md, Some(raw)));
        assert!(s.symptoms && s.diagnosis && s.mitigation);
    }

    #[test]
    fn postmortem_by_headings_and_not_runbook() {
        let text = "# Outage\n## Summary\n## Impact\n## Timeline\n## Root cause\n## Action items\n";
        assert_eq!(family("docs/outage.md", text), Some(Family::Postmortem));
        // Summary and impact alone are runbook-like, not a postmortem.
        let text = "# Alert\n## Summary\n## Impact\n## Steps\n";
        assert_eq!(
            family("docs/alert.md", text),
            Some(Family::Runbook(FoundBy::Headings))
        );
    }

    #[test]
    fn postmortem_template_in_runbook_folder_is_a_postmortem() {
        let text = "# Postmortem template\n## Impact\n## Mitigation\n## Timeline\n";
        assert_eq!(
            family("runbooks/postmortem-template.md", text),
            Some(Family::Postmortem)
        );
    }

    #[test]
    fn guides_to_writing_postmortems_are_incident_process() {
        let text = "## Create a Timeline\n## Document Impact\n## Analyze the Incident\n## Follow-Up Actions\n## Postmortem Review\n";
        assert_eq!(
            family("docs/how_to_write/writing.md", text),
            Some(Family::IncidentDoc)
        );
        let text = "## Why Do Postmortems\n## When to Do a Postmortem\n";
        assert_eq!(family("docs/what_is.md", text), Some(Family::IncidentDoc));
    }

    #[test]
    fn a_readme_title_is_not_its_topic() {
        let text = "# PagerDuty Incident Response Documentation\n## Development\n## Deploying\n";
        assert_eq!(family("README.md", text), None);
        let text = "# Postmortem Templates\n## Template List\n";
        assert_eq!(family("README.md", text), None);
    }

    #[test]
    fn guidance_about_postmortems_is_incident_process() {
        let text = "## Dos\n\nWrite blameless postmortems.\n\n## Don'ts\n";
        assert_eq!(
            family("docs/after/effective_post_mortems.md", text),
            Some(Family::IncidentDoc)
        );
    }

    #[test]
    fn incident_records_folder_but_not_its_index() {
        assert_eq!(
            family(
                "source/incidents/2020-02-12.html.md.erb",
                "# Incident on 2020-02-12\n"
            ),
            Some(Family::Postmortem)
        );
        assert_eq!(
            family(
                "source/incidents/index.html.md.erb",
                "# Incident Log\n## Q1 2026\n"
            ),
            None
        );
    }

    #[test]
    fn incident_process_by_path_beats_runbook_folder() {
        let text = "# Incident Process\n## Declare the incident\n## Assign roles\n";
        assert_eq!(
            family("source/runbooks/manage-an-incident.html.md.erb", text),
            Some(Family::IncidentDoc)
        );
    }

    #[test]
    fn incident_process_by_headings() {
        let text =
            "## During an incident\n\n## Steps for Incident Commander\n\n## Steps for Scribe\n";
        assert_eq!(family("docs/during/x.md", text), Some(Family::IncidentDoc));
        let text = "# Support\n## On-call rota\n## Escalation\n";
        assert_eq!(family("docs/support.md", text), Some(Family::IncidentDoc));
    }

    #[test]
    fn mentioning_an_incident_once_is_not_an_incident_doc() {
        let text =
            "# Deploying\n\nIf an incident happens, tell the team.\n\n## Build\n## Release\n";
        assert_eq!(family("docs/deploy.md", text), None);
        let text = "# Contributing\n## Communication\n## Code review\n";
        assert_eq!(family("CONTRIBUTING.md", text), None);
    }

    #[test]
    fn issue_templates_count_by_name_only() {
        let text = "## Summary\n## Impact\n## Timeline\n## Action items\n";
        assert_eq!(family(".github/ISSUE_TEMPLATE/bug.md", text), None);
        assert_eq!(
            family(".github/ISSUE_TEMPLATE/postmortem.md", text),
            Some(Family::Postmortem)
        );
    }

    #[test]
    fn templates_are_told_from_written_postmortems() {
        let written = "# 2018-02-22 NGINX crash\n## Summary\nNGINX crashed at 16:30.\n";
        let md = parse(written);
        assert!(!is_template(
            &p("incident-reports/2018-02-22-nginx.md"),
            &md,
            Some(written)
        ));
        let tpl = "# {{ incident date: yyyy-mm-dd }}, {{ incident name }}\n## Summary\n";
        let md = parse(tpl);
        assert!(is_template(&p("incident-reports/x.md"), &md, Some(tpl)));
        let md = parse("# Title\n");
        assert!(is_template(
            &p("templates/postmortem-template-azure.md"),
            &md,
            None
        ));
        let tpl = "# Incident\n<!-- Describe what happened and list the affected services -->\n";
        assert!(is_template(&p("pm.md"), &parse(tpl), Some(tpl)));
        let tpl = "# Incident\n\nStarted at xx:xx UTC\n";
        assert!(is_template(&p("pm.md"), &parse(tpl), Some(tpl)));
        let alerts = "# Alerts\n\nFiring {{ $value }} and {{ .Labels.job }}\n";
        assert!(!is_template(&p("pm.md"), &parse(alerts), Some(alerts)));
    }

    #[test]
    fn blameless_wording() {
        let blameless = |t: &str| is_blameless(&parse(t), Some(t));
        assert!(blameless("This is a blameless postmortem."));
        assert!(blameless("It is not about who made the mistake."));
        assert!(blameless("Keep it blame-free."));
        assert!(blameless(
            "# PM\n<!-- Keep it blameless: systems, not people. -->\n"
        ));
        assert!(!blameless("We blame the network. <!-- no comment -->"));
    }

    #[test]
    fn action_items_tracking() {
        let raw = "# PM\n## Action items\n- [ ] add alert (owner: @bob)\n## Lessons\n- #12\n";
        assert!(action_items_tracked(&parse(raw), Some(raw)));
        let raw = "# PM\n## Action Items\n_Each action item should be a JIRA ticket._\n";
        assert!(action_items_tracked(&parse(raw), Some(raw)));
        let raw = "# PM\n## Action items\n- add alert\n## Lessons\n- see #12\n";
        assert!(!action_items_tracked(&parse(raw), Some(raw)));
        let raw =
            "# PM\n## Action Items\n\n| Action | Owner | Bug |\n|---|---|---|\n| x | y | z |\n";
        assert!(action_items_tracked(&parse(raw), Some(raw)));
        let raw = "# PM\n## Action items\n### Process\n- Fix it https://github.com/o/r/issues/42\n";
        assert!(action_items_tracked(&parse(raw), Some(raw)));
        let raw = "# PM\n- **Review actions**:\n  - Track in CP-123\n";
        assert!(action_items_tracked(&parse(raw), Some(raw)));
    }

    #[test]
    fn incident_coverage_from_headings_and_prose() {
        let raw = "# Incident process\n## Roles\nThe incident commander leads. Sev-1 pages the on-call engineer. Escalate to the lead. Update the status page. Write a postmortem.\n";
        let md = parse(raw);
        let c = incident_coverage(&Outline::new(&md, Some(raw)), &md);
        assert!(
            c.roles && c.severities && c.escalation && c.communication && c.postmortem && c.oncall
        );
        let md = parse("# Deploy\nThe ic card is on the desk.\n");
        let c = incident_coverage(&Outline::new(&md, None), &md);
        assert!(!c.roles && !c.severities);
    }

    #[test]
    fn runbook_collection_indexes() {
        assert!(is_runbook_collection_index(
            &p("source/index.html.md.erb"),
            Some("Cloud Platform Runbooks")
        ));
        assert!(is_runbook_collection_index(
            &p("docs/README.md"),
            Some("Team playbooks")
        ));
        assert!(!is_runbook_collection_index(
            &p("docs/README.md"),
            Some("Runbook for X")
        ));
        assert!(!is_runbook_collection_index(
            &p("docs/guide.md"),
            Some("Runbooks")
        ));
    }
}
