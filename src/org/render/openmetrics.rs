//! `--format openmetrics`: the OpenMetrics 1.0 text format, for a Pushgateway, a
//! textfile collector or any scraper, so readiness can be graphed and alerted on next to
//! everything else.
//!
//! Families (all gauges), each with `# TYPE` then `# HELP`:
//!
//! | family | labels | value |
//! |---|---|---|
//! | `opready_activity_level` | repository, service, team, activity | level reached (no sample when not applicable) |
//! | `opready_activity_target` | repository, service, team, activity | target level (no sample without a target) |
//! | `opready_activity_met` | repository, service, team, activity | 1 when the level meets the target (or there is none), else 0 |
//! | `opready_repository_met` | repository, service, team | 1 when every target is met, 0 otherwise or when it could not be rated |
//! | `opready_scan_repositories` | — | repositories in the report |
//! | `opready_scan_errors` | — | repositories that could not be rated |
//!
//! A missing service or team is an empty label value (which OpenMetrics reads as no label).
//! Label values are escaped as the spec requires (`\\`, `\"`, `\n`); the exposition ends
//! with `# EOF`. No timestamps: the scraper or push time is the scan time.

use std::fmt::Write;

use crate::org::OrgReport;

struct Family {
    name: &'static str,
    help: &'static str,
}

const ACTIVITY_LEVEL: Family = Family {
    name: "opready_activity_level",
    help: "Maturity level the repository reaches for the activity (absent when the activity does not apply).",
};
const ACTIVITY_TARGET: Family = Family {
    name: "opready_activity_target",
    help: "Target maturity level of the activity for the repository (absent without a target).",
};
const ACTIVITY_MET: Family = Family {
    name: "opready_activity_met",
    help: "1 when the activity meets its target or has none, 0 when it is below its target.",
};
const REPOSITORY_MET: Family = Family {
    name: "opready_repository_met",
    help: "1 when every activity of the repository meets its target, 0 when one does not or the repository could not be rated.",
};
const SCAN_REPOSITORIES: Family = Family {
    name: "opready_scan_repositories",
    help: "Repositories in the org scan.",
};
const SCAN_ERRORS: Family = Family {
    name: "opready_scan_errors",
    help: "Repositories of the org scan that could not be rated.",
};

pub fn render(report: &OrgReport) -> String {
    let mut out = String::new();
    let repo_labels = |r: &crate::org::OrgRepository| {
        vec![
            ("repository", r.path.clone()),
            ("service", r.service.clone().unwrap_or_default()),
            ("team", r.team.clone().unwrap_or_default()),
        ]
    };
    let per_activity =
        |out: &mut String,
         family: &Family,
         value: &dyn Fn(&crate::report::ActivityReport) -> Option<u64>| {
            header(out, family);
            for repo in &report.repositories {
                let Some(rep) = repo.report() else { continue };
                for a in &rep.activities {
                    if let Some(v) = value(a) {
                        let mut labels = repo_labels(repo);
                        labels.push(("activity", a.id.clone()));
                        sample(out, family.name, &labels, v);
                    }
                }
            }
        };
    per_activity(&mut out, &ACTIVITY_LEVEL, &|a| a.level.map(u64::from));
    per_activity(&mut out, &ACTIVITY_TARGET, &|a| a.target.map(u64::from));
    per_activity(&mut out, &ACTIVITY_MET, &|a| Some(u64::from(a.met)));
    header(&mut out, &REPOSITORY_MET);
    for repo in &report.repositories {
        sample(
            &mut out,
            REPOSITORY_MET.name,
            &repo_labels(repo),
            u64::from(repo.met),
        );
    }
    header(&mut out, &SCAN_REPOSITORIES);
    sample(
        &mut out,
        SCAN_REPOSITORIES.name,
        &[],
        u64::from(report.aggregate.repositories),
    );
    header(&mut out, &SCAN_ERRORS);
    sample(
        &mut out,
        SCAN_ERRORS.name,
        &[],
        u64::from(report.aggregate.errors),
    );
    out.push_str("# EOF\n");
    out
}

fn header(out: &mut String, family: &Family) {
    let _ = writeln!(out, "# TYPE {} gauge", family.name);
    let _ = writeln!(out, "# HELP {} {}", family.name, escape(family.help));
}

fn sample(out: &mut String, name: &str, labels: &[(&str, String)], value: u64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (key, val)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{key}=\"{}\"", escape(val));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// OpenMetrics escaping of label values and help text: backslash, double quote and line
/// feed. A carriage return (which the format forbids as a line end) is escaped too, as
/// `\r` would be read as an undefined escape, so it becomes a space.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::org::{ErrorKind, OrgPolicy, OrgRepository, ScanSettings, tool_info};
    use std::collections::{BTreeMap, BTreeSet};

    /// A sample as read back: family, labels, value.
    pub(crate) type Sample = (String, BTreeMap<String, String>, String);

    /// Reads an exposition strictly by the OpenMetrics 1.0 text ABNF as far as this
    /// renderer uses it (gauges, TYPE/HELP metadata, no timestamps), and checks the
    /// structural rules: metadata before samples, TYPE before HELP, one of each per
    /// family, no interleaved families, unique label sets, `# EOF` last.
    pub(crate) fn parse(text: &str) -> Result<Vec<Sample>, String> {
        let body = text
            .strip_suffix("# EOF\n")
            .ok_or("the exposition must end with `# EOF\\n`")?;
        if text.contains('\r') {
            return Err("carriage return".into());
        }
        let mut samples = Vec::new();
        let mut families_done: BTreeSet<String> = BTreeSet::new();
        let mut current: Option<String> = None;
        let mut typed = false;
        let mut helped = false;
        let mut sampled = false;
        let mut label_sets: BTreeSet<(String, Vec<(String, String)>)> = BTreeSet::new();
        for (n, line) in body.lines().enumerate() {
            let n = n + 1;
            if let Some(rest) = line.strip_prefix("# ") {
                let mut parts = rest.splitn(3, ' ');
                let kind = parts.next().unwrap_or("");
                let name = parts.next().ok_or(format!("line {n}: no metric name"))?;
                let arg = parts.next().unwrap_or("");
                valid_metric_name(name).map_err(|e| format!("line {n}: {e}"))?;
                if current.as_deref() != Some(name) {
                    if let Some(done) = current.take() {
                        families_done.insert(done);
                    }
                    if families_done.contains(name) {
                        return Err(format!("line {n}: family {name} interleaved"));
                    }
                    current = Some(name.to_string());
                    (typed, helped, sampled) = (false, false, false);
                }
                if sampled {
                    return Err(format!("line {n}: metadata after samples"));
                }
                match kind {
                    "TYPE" if !typed && !helped => {
                        if arg != "gauge" {
                            return Err(format!("line {n}: type {arg}"));
                        }
                        typed = true;
                    }
                    "HELP" if !helped => {
                        unescape(arg).map_err(|e| format!("line {n}: {e}"))?;
                        helped = true;
                    }
                    _ => return Err(format!("line {n}: unexpected `# {kind}`")),
                }
                continue;
            }
            let (name, labels, value) = sample_line(line).map_err(|e| format!("line {n}: {e}"))?;
            if current.as_deref() != Some(name.as_str()) {
                return Err(format!("line {n}: sample of {name} outside its family"));
            }
            if !typed || !helped {
                return Err(format!("line {n}: sample before TYPE and HELP"));
            }
            sampled = true;
            let key: Vec<(String, String)> = labels.clone().into_iter().collect();
            if !label_sets.insert((name.clone(), key)) {
                return Err(format!("line {n}: duplicate label set"));
            }
            samples.push((name, labels, value));
        }
        Ok(samples)
    }

    fn valid_metric_name(name: &str) -> Result<(), String> {
        let mut chars = name.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if ok {
            Ok(())
        } else {
            Err(format!("bad metric name `{name}`"))
        }
    }

    fn sample_line(line: &str) -> Result<(String, BTreeMap<String, String>, String), String> {
        let name_end = line.find(['{', ' ']).ok_or("no value")?;
        let name = &line[..name_end];
        valid_metric_name(name)?;
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(mut s) = rest.strip_prefix('{') {
            if let Some(after) = s.strip_prefix('}') {
                rest = after;
            } else {
                loop {
                    let eq = s.find('=').ok_or("expected `=`")?;
                    let key = &s[..eq];
                    let mut kc = key.chars();
                    if !(kc
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && kc.all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    {
                        return Err(format!("bad label name `{key}`"));
                    }
                    s = s[eq..].strip_prefix("=\"").ok_or("expected `=\"`")?;
                    let mut end = None;
                    let mut escaped = false;
                    for (i, c) in s.char_indices() {
                        match (escaped, c) {
                            (true, _) => escaped = false,
                            (false, '\\') => escaped = true,
                            (false, '"') => {
                                end = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    let end = end.ok_or("unterminated label value")?;
                    let value = unescape(&s[..end])?;
                    if labels.insert(key.to_string(), value).is_some() {
                        return Err(format!("label {key} twice"));
                    }
                    s = &s[end + 1..];
                    if let Some(after) = s.strip_prefix('}') {
                        rest = after;
                        break;
                    }
                    s = s.strip_prefix(',').ok_or("expected `,` or `}`")?;
                }
            }
        }
        let value = rest
            .strip_prefix(' ')
            .ok_or("expected one space before the value")?;
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("value `{value}` is not an integer"));
        }
        Ok((name.to_string(), labels, value.to_string()))
    }

    fn unescape(text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    other => return Err(format!("undefined escape \\{other:?}")),
                },
                '"' => return Err("unescaped double quote".into()),
                '\n' => return Err("line feed".into()),
                c => out.push(c),
            }
        }
        Ok(out)
    }

    #[test]
    fn escaping_follows_the_spec() {
        assert_eq!(escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(unescape(&escape("x\"\\\n\ty")).unwrap(), "x\"\\\n\ty");
        assert!(unescape("a\\t").is_err());
    }

    #[test]
    fn the_parser_rejects_what_the_spec_forbids() {
        let ok = "# TYPE a gauge\n# HELP a h\na{x=\"1\"} 1\n# EOF\n";
        assert!(parse(ok).is_ok());
        for bad in [
            "# TYPE a gauge\n# HELP a h\na 1\n",        // no EOF
            "# HELP a h\n# TYPE a gauge\na 1\n# EOF\n", // HELP first
            "# TYPE a gauge\n# HELP a h\na{x=\"1\"} 1\na{x=\"1\"} 2\n# EOF\n", // duplicate
            "# TYPE a gauge\n# HELP a h\na{x=\"\n\"} 1\n# EOF\n", // raw newline
            "# TYPE a gauge\n# HELP a h\na{x=\"\"\"} 1\n# EOF\n", // raw quote
            "# TYPE a gauge\n# HELP a h\na 1\n# TYPE b gauge\n# HELP b h\nb 1\na 2\n# EOF\n",
            "# TYPE a gauge\n# HELP a h\n\na 1\n# EOF\n", // blank line
            "# TYPE a gauge\n# HELP a h\na 1.5x\n# EOF\n",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn renders_every_family_and_escapes_labels() {
        let pack = crate::policy::load::builtin().unwrap();
        let mut report = crate::org::testing::bare_report(&[("slo", 2)]);
        report.service.owner = Some("@acme/\"pay\"\\ments\nteam".into());
        let repos = vec![
            OrgRepository::rated("pay/bare".into(), report),
            OrgRepository::failed("broken".into(), ErrorKind::Config, "bad".into()),
        ];
        let org = crate::org::OrgReport::new(
            tool_info(),
            OrgPolicy::of(&pack),
            ScanSettings::default(),
            None,
            repos,
        );
        let text = render(&org);
        let samples = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let find = |name: &str, activity: Option<&str>| {
            samples
                .iter()
                .filter(|(n, l, _)| n == name && l.get("activity").map(String::as_str) == activity)
                .collect::<Vec<_>>()
        };
        let slo = find("opready_activity_level", Some("slo"));
        assert_eq!(slo.len(), 1);
        assert_eq!(slo[0].1["team"], "@acme/\"pay\"\\ments\nteam");
        assert_eq!(slo[0].1["repository"], "pay/bare");
        assert_eq!(slo[0].2, "1");
        assert!(
            find("opready_activity_level", Some("cost")).is_empty(),
            "n/a has no level"
        );
        assert_eq!(find("opready_activity_target", Some("slo"))[0].2, "2");
        assert!(find("opready_activity_target", Some("monitoring")).is_empty());
        assert_eq!(find("opready_activity_met", Some("slo"))[0].2, "0");
        assert_eq!(find("opready_activity_met", Some("cost"))[0].2, "1");
        let met = find("opready_repository_met", None);
        assert_eq!(met.len(), 2);
        assert!(met.iter().all(|(_, _, v)| v == "0"));
        assert_eq!(find("opready_scan_repositories", None)[0].2, "2");
        assert_eq!(find("opready_scan_errors", None)[0].2, "1");
        assert!(
            text.contains("team=\"@acme/\\\"pay\\\"\\\\ments\\nteam\""),
            "{text}"
        );
    }
}
