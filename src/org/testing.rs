//! Test helpers for the org modules: real per-repository reports (of
//! `fixtures/service-bare`) shaped into the levels a test needs.

use std::sync::OnceLock;

use crate::org::OrgRepository;
use crate::report::Report;

/// Activity id, level, target, blockers.
pub type Row<'a> = (&'a str, Option<u8>, Option<u8>, &'a [&'a str]);

/// The report of `fixtures/service-bare` with these `--require` targets.
pub fn bare_report(require: &[(&str, u8)]) -> Report {
    crate::check::check(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/service-bare"),
        &crate::policy::load::builtin().unwrap(),
        &crate::check::CheckOptions {
            require: require.iter().map(|(a, l)| (a.to_string(), *l)).collect(),
            ..Default::default()
        },
    )
    .unwrap()
    .report
}

/// A rated repository at `path`, owned by `team`, with only the activities of `rows` at
/// their level, target and blockers (met when the level reaches the target).
pub fn rated(path: &str, team: Option<&str>, rows: &[Row]) -> OrgRepository {
    static BASE: OnceLock<Report> = OnceLock::new();
    let mut report = BASE.get_or_init(|| bare_report(&[])).clone();
    report.service.name = path.to_string();
    report.service.owner = team.map(str::to_string);
    report
        .activities
        .retain(|a| rows.iter().any(|(id, ..)| *id == a.id));
    for (id, level, target, blockers) in rows {
        let a = report
            .activities
            .iter_mut()
            .find(|a| a.id == *id)
            .unwrap_or_else(|| panic!("no activity {id}"));
        a.level = *level;
        a.target = *target;
        a.met = match (level, target) {
            (Some(l), Some(t)) => l >= t,
            _ => true,
        };
        a.blockers = blockers.iter().map(|b| b.to_string()).collect();
    }
    report.summary.met = report.activities.iter().all(|a| a.met);
    OrgRepository::rated(path.to_string(), report)
}
