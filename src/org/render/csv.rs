//! `--format csv`: one row per repository × activity, for spreadsheets and ad-hoc queries.
//!
//! Columns: `repository, service, team, tier, activity, level, target, met, blockers,
//! error`. `level` and `target` are empty when there is none (`n/a`, no target); `met` is
//! `true`/`false`; `blockers` are the ids of the criteria blocking the next level, joined
//! by `;`. A repository that could not be rated has one row with an empty activity,
//! `met` false, and the reason in `error`. Rows follow the report: repositories by path,
//! activities in pack order.
//!
//! RFC 4180: CRLF line ends, a header row, and a field quoted (with quotes doubled) when
//! it holds a comma, a quote or a line break. Written with the `csv` crate, whose reader
//! the tests use to read it back. Values are written as found: a spreadsheet that turns
//! a cell starting with `=` into a formula should import the file as text.

use crate::org::OrgReport;

pub const HEADER: [&str; 10] = [
    "repository",
    "service",
    "team",
    "tier",
    "activity",
    "level",
    "target",
    "met",
    "blockers",
    "error",
];

pub fn render(report: &OrgReport) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut rows: Vec<[String; 10]> = Vec::new();
    for repo in &report.repositories {
        let who = |activity: &str| {
            [
                repo.path.clone(),
                repo.service.clone().unwrap_or_default(),
                repo.team.clone().unwrap_or_default(),
                repo.tier.clone().unwrap_or_default(),
                activity.to_string(),
            ]
        };
        match (repo.report(), repo.error()) {
            (Some(rep), _) => {
                for a in &rep.activities {
                    let [r, s, t, tier, act] = who(&a.id);
                    rows.push([
                        r,
                        s,
                        t,
                        tier,
                        act,
                        a.level.map(|l| l.to_string()).unwrap_or_default(),
                        a.target.map(|l| l.to_string()).unwrap_or_default(),
                        a.met.to_string(),
                        a.blockers.join(";"),
                        String::new(),
                    ]);
                }
            }
            (None, Some(error)) => {
                let [r, s, t, tier, act] = who("");
                rows.push([
                    r,
                    s,
                    t,
                    tier,
                    act,
                    String::new(),
                    String::new(),
                    "false".to_string(),
                    String::new(),
                    error.message.clone(),
                ]);
            }
            (None, None) => {}
        }
    }
    // Writing to memory fails only on a bug; fall back to an empty document rather than
    // panic.
    let written = writer
        .write_record(HEADER)
        .and_then(|_| rows.iter().try_for_each(|row| writer.write_record(row)));
    let bytes = match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => bytes,
        _ => Vec::new(),
    };
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{ErrorKind, OrgPolicy, OrgRepository, ScanSettings, tool_info};

    #[test]
    fn rows_quote_what_needs_quoting_and_read_back() {
        let pack = crate::policy::load::builtin().unwrap();
        let mut report = crate::org::testing::bare_report(&[("slo", 2)]);
        report.service.owner = Some("@acme/pay, \"ments\"".into());
        let repos = vec![
            OrgRepository::rated("svc,1".into(), report),
            OrgRepository::failed(
                "broken".into(),
                ErrorKind::Config,
                ".opready.yaml:1:7: bad\n.opready.yaml:2:1: worse".into(),
            ),
        ];
        let org = crate::org::OrgReport::new(
            tool_info(),
            OrgPolicy::of(&pack),
            ScanSettings::default(),
            None,
            repos,
        );
        let text = render(&org);
        assert!(text.starts_with(
            "repository,service,team,tier,activity,level,target,met,blockers,error\r\n"
        ));
        assert!(text.contains("\"@acme/pay, \"\"ments\"\"\""), "{text}");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1 + pack.activities.len());
        assert_eq!(&rows[0][0], "broken");
        assert_eq!(&rows[0][4], "");
        assert_eq!(
            &rows[0][9],
            ".opready.yaml:1:7: bad\n.opready.yaml:2:1: worse"
        );
        let slo = rows.iter().find(|r| &r[4] == "slo").unwrap();
        assert_eq!(&slo[0], "svc,1");
        assert_eq!(&slo[2], "@acme/pay, \"ments\"");
        assert_eq!((&slo[5], &slo[6], &slo[7]), ("1", "2", "false"));
        assert_eq!(&slo[8], "slo-defined");
        let cost = rows.iter().find(|r| &r[4] == "cost").unwrap();
        assert_eq!((&cost[5], &cost[6], &cost[7]), ("", "", "true"));
    }
}
