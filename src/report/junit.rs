//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab, Jenkins,
//! Azure DevOps, CircleCI).
//!
//! One `<testsuite>` per activity (its level and target as properties), one `<testcase>`
//! per criterion: a failing criterion has a `<failure>` listing its findings (its `type`
//! says how much it matters: `below-target`, `blocks-next-level`, `blocks-higher-level`);
//! a criterion that does not apply, or is waived, is `<skipped>` with the reason or the
//! waiver. Files opready could not use are listed in `<system-err>` of the root.
//!
//! The document is written by hand with a small escaper: it is a few fixed elements, and
//! the escaper also replaces characters XML 1.0 cannot carry at all (control characters
//! from a scanned file), which a generic writer would pass through.

use std::fmt::Write as _;

use crate::eval::Status;
use crate::report::{ActivityReport, CriterionReport, Impact, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (tests, failures, skipped) = counts(report.activities.iter().flat_map(|a| &a.criteria));
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        attr(&format!("opready: {}", report.service.name))
    );
    for activity in &report.activities {
        suite(&mut out, activity);
    }
    if !report.diagnostics.is_empty() {
        let mut text = String::new();
        for d in &report.diagnostics {
            let place = match (&d.path, d.line) {
                (Some(p), Some(l)) => format!("{p}:{l}: "),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            let _ = writeln!(text, "{place}{} [{}]", d.message, d.code);
        }
        let _ = writeln!(out, "  <system-err>{}</system-err>", body(&text));
    }
    out.push_str("</testsuites>\n");
    out
}

fn counts<'a>(criteria: impl Iterator<Item = &'a CriterionReport>) -> (usize, usize, usize) {
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for c in criteria {
        tests += 1;
        match c.status {
            Status::Fail => failures += 1,
            Status::NotApplicable | Status::Waived => skipped += 1,
            Status::Pass => {}
        }
    }
    (tests, failures, skipped)
}

fn suite(out: &mut String, activity: &ActivityReport) {
    let (tests, failures, skipped) = counts(activity.criteria.iter());
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        attr(&activity.id)
    );
    out.push_str("    <properties>\n");
    let mut property = |name: &str, value: &str| {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(value)
        );
    };
    property("title", &activity.title);
    let level = match (activity.level, &activity.level_name) {
        (Some(level), Some(name)) => format!("{level} {name}"),
        (Some(level), None) => level.to_string(),
        _ => "n/a".to_string(),
    };
    property("level", &level);
    property("max-level", &activity.max_level.to_string());
    property(
        "target",
        &activity
            .target
            .map_or("none".to_string(), |t| t.to_string()),
    );
    property("met", if activity.met { "true" } else { "false" });
    out.push_str("    </properties>\n");
    for criterion in &activity.criteria {
        case(out, activity, criterion);
    }
    out.push_str("  </testsuite>\n");
}

fn case(out: &mut String, activity: &ActivityReport, criterion: &CriterionReport) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&activity.id),
        attr(&format!("{}: {}", criterion.id, criterion.title))
    );
    match criterion.status {
        Status::Pass => out.push_str("/>\n"),
        Status::NotApplicable | Status::Waived => {
            let reason = criterion.reason.as_deref().unwrap_or("");
            let message = match criterion.status {
                Status::Waived => reason.to_string(),
                _ => format!("not applicable: {reason}"),
            };
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&message)
            );
        }
        Status::Fail => {
            let impact = Impact::of(activity, criterion);
            let message = match criterion.findings.first() {
                Some(first) if criterion.findings.len() > 1 => format!(
                    "{} (and {} more findings)",
                    first.message,
                    criterion.findings.len() - 1
                ),
                Some(first) => first.message.clone(),
                None => criterion.title.clone(),
            };
            let mut text = String::new();
            for f in &criterion.findings {
                let place = match (&f.path, f.line) {
                    (Some(p), Some(l)) => format!("{p}:{l}: "),
                    (Some(p), None) => format!("{p}: "),
                    _ => String::new(),
                };
                let _ = writeln!(text, "{place}{}", f.message);
            }
            let _ = write!(
                text,
                "\nlevel {} of {}; fix: {}\nwhy: {}\nmore: opready explain {}\n",
                criterion.level,
                activity.id,
                criterion.fix.trim(),
                criterion.why.trim(),
                criterion.id
            );
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attr(&message),
                impact.as_str(),
                body(&text)
            );
        }
    }
}

/// Escapes text for an attribute value (line breaks kept as character references, which
/// attribute-value normalisation would otherwise turn into spaces).
fn attr(text: &str) -> String {
    escape(text, true)
}

/// Escapes element text.
fn body(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c if allowed_in_xml(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// XML 1.0's `Char` production: no control characters but TAB, LF and CR, no lone
/// surrogates (impossible in a Rust `str`) and no U+FFFE/U+FFFF.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_report;
    use quick_xml::events::Event;

    /// Parses the document with a real XML parser (as GitLab and Jenkins do): elements with
    /// their attributes, and the text of `<failure>` elements.
    /// An element's name and attributes.
    type Element = (String, Vec<(String, String)>);

    fn parse(xml: &str) -> (Vec<Element>, Vec<String>) {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut elements = Vec::new();
        let mut texts = Vec::new();
        // The text of the `<failure>` being read; references arrive as events of their own.
        let mut failure: Option<String> = None;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    let element = element(&e);
                    if element.0 == "failure" {
                        failure = Some(String::new());
                    }
                    elements.push(element);
                }
                Event::Empty(e) => elements.push(element(&e)),
                Event::Text(t) => {
                    if let Some(text) = &mut failure {
                        text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(text) = &mut failure {
                        let name = r.borrow().into_inner().into_owned();
                        match name.as_str() {
                            "lt" => text.push('<'),
                            "gt" => text.push('>'),
                            "amp" => text.push('&'),
                            "quot" => text.push('"'),
                            "apos" => text.push('\''),
                            _ => text.push(r.resolve_char_ref().unwrap().expect("known reference")),
                        }
                    }
                }
                Event::End(e) if e.name().as_ref() == "failure" => {
                    texts.extend(failure.take());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (elements, texts)
    }

    fn element(e: &quick_xml::events::BytesStart) -> Element {
        let attributes = e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect();
        (e.name().as_ref().to_string(), attributes)
    }

    fn attribute<'a>(element: &'a Element, name: &str) -> &'a str {
        element
            .1
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} on {element:?}"))
    }

    #[test]
    fn suites_cases_and_counts_as_a_parser_reads_them() {
        let xml = render(&test_report());
        let (elements, _) = parse(&xml);
        let root = &elements[0];
        assert_eq!(root.0, "testsuites");
        assert_eq!(attribute(root, "tests"), "6");
        assert_eq!(attribute(root, "failures"), "2");
        assert_eq!(attribute(root, "skipped"), "3");
        let suites: Vec<&str> = elements
            .iter()
            .filter(|e| e.0 == "testsuite")
            .map(|e| attribute(e, "name"))
            .collect();
        assert_eq!(suites, ["slo", "monitoring", "cost"]);
        let cases: Vec<(&str, &str)> = elements
            .iter()
            .filter(|e| e.0 == "testcase")
            .map(|e| (attribute(e, "classname"), attribute(e, "name")))
            .collect();
        assert_eq!(cases.len(), 6);
        assert_eq!(
            cases[0],
            ("slo", "slo-defined: At least one SLO is defined")
        );
        let failures: Vec<&str> = elements
            .iter()
            .filter(|e| e.0 == "failure")
            .map(|e| attribute(e, "type"))
            .collect();
        assert_eq!(failures, ["below-target", "blocks-higher-level"]);
        let skipped: Vec<&str> = elements
            .iter()
            .filter(|e| e.0 == "skipped")
            .map(|e| attribute(e, "message"))
            .collect();
        assert_eq!(
            skipped,
            [
                "waived until 2099-12-31 by @acme/sre: rules move to the platform",
                "not applicable: nothing to check: no paging alerts",
                "not applicable: the activity applies only when the repository has infrastructure as code",
            ]
        );
        let level = elements
            .iter()
            .find(|e| e.0 == "property" && attribute(e, "name") == "target")
            .unwrap();
        assert_eq!(attribute(level, "value"), "2");
    }

    #[test]
    fn hostile_text_survives_the_round_trip() {
        let mut report = test_report();
        report.activities[1].criteria[1].status = Status::Fail;
        report.activities[1].criteria[1].findings[0].message =
            "alert `a\"b' <c> & d`\u{1b}[31m\nline two".into();
        let xml = render(&report);
        let (elements, texts) = parse(&xml);
        let failure = elements
            .iter()
            .find(|e| e.0 == "failure" && attribute(e, "message").starts_with("alert"))
            .unwrap();
        assert_eq!(
            attribute(failure, "message"),
            "alert `a\"b' <c> & d`\u{fffd}[31m\nline two"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("monitoring/my rules.yaml:12: alert `a\"b' <c> & d`")),
            "{texts:?}"
        );
    }

    #[test]
    fn xml_characters() {
        assert_eq!(attr("a\"<&>\n"), "a&quot;&lt;&amp;&gt;&#10;");
        assert_eq!(body("a\u{0}b\u{fffe}\n"), "a\u{fffd}b\u{fffd}\n");
    }
}
