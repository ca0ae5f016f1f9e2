//! Rating many repositories at once: the pure [`check`] per repository, on a rayon pool
//! sharing one pack. A repository that cannot be rated becomes an error entry and the scan
//! goes on; nothing here prints (progress is reported through a callback).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use rayon::prelude::*;

use crate::check::{CheckError, CheckOptions, check};
use crate::org::{
    ErrorKind, OrgPolicy, OrgReport, OrgRepository, RepositoryEntry, ScanSettings, Shard, tool_info,
};
use crate::policy::Pack;

/// Stack of each worker thread. Parsers recurse on nested input; they grow their stack on
/// demand (`stacker`), and a generous base keeps that rare.
pub const WORKER_STACK: usize = 16 * 1024 * 1024;

/// What the caller chooses for an org scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Applied to every repository (its `display_path` is set per repository).
    pub check: CheckOptions,
    /// Worker threads; `None` for one per core (or `RAYON_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Rate only this share of the repositories.
    pub shard: Option<Shard>,
}

/// What a scan reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// This many repositories are about to be rated (after sharding).
    Started { total: usize },
    /// One repository is done (from any worker thread, in any order).
    Rated { path: &'a str },
}

/// Checks that `--tier` and `--require` fit the pack before anything is rated: the same
/// mistake would otherwise be reported once per repository.
pub fn validate_options(pack: &Pack, options: &CheckOptions) -> Result<(), String> {
    if let Some(tier) = &options.tier
        && pack.tier_key(tier).is_none()
    {
        let known: Vec<&str> = pack.tiers.keys().map(String::as_str).collect();
        return Err(format!(
            "tier `{tier}` (from --tier) is not defined by the policy pack `{}`; known tiers: {}",
            pack.name,
            known.join(", ")
        ));
    }
    for (activity, level) in &options.require {
        if pack.activity(activity).is_none() {
            let known: Vec<&str> = pack.activities.iter().map(|a| a.id.as_str()).collect();
            return Err(format!(
                "unknown activity `{activity}` in --require; known activities: {}",
                known.join(", ")
            ));
        }
        if *level < 1 || *level > pack.max_level() {
            return Err(format!(
                "target {level} for `{activity}` in --require is out of range 1..={}",
                pack.max_level()
            ));
        }
    }
    Ok(())
}

/// Rates every repository of `entries` that belongs to the shard, in parallel.
///
/// Fails only when the options do not fit the pack or no thread pool can be built; a
/// repository that cannot be rated is an error entry of the report.
pub fn scan(
    entries: &[RepositoryEntry],
    pack: &Pack,
    options: &ScanOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<OrgReport, String> {
    validate_options(pack, &options.check)?;
    let selected: Vec<&RepositoryEntry> = entries
        .iter()
        .filter(|e| options.shard.is_none_or(|s| s.contains(&e.path)))
        .collect();
    progress(Progress::Started {
        total: selected.len(),
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("opready-org-{i}"))
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let repositories: Vec<OrgRepository> = pool.install(|| {
        selected
            .par_iter()
            .map(|entry| {
                let rated = rate(entry, pack, &options.check);
                progress(Progress::Rated { path: &entry.path });
                rated
            })
            .collect()
    });
    let settings = ScanSettings {
        tier: options.check.tier.clone(),
        require: options.check.require.iter().cloned().collect(),
    };
    Ok(OrgReport::new(
        tool_info(),
        OrgPolicy::of(pack),
        settings,
        options.shard,
        repositories,
    ))
}

/// Rates one repository; never fails, never panics out.
pub fn rate(entry: &RepositoryEntry, pack: &Pack, options: &CheckOptions) -> OrgRepository {
    let path = entry.path.clone();
    if let Err((kind, message)) = readable_directory(&entry.root) {
        return OrgRepository::failed(path, kind, message);
    }
    let options = CheckOptions {
        display_path: Some(entry.path.clone()),
        ..options.clone()
    };
    // `check` does not panic on repository input; should a bug make it, one repository's
    // entry says so and the other hundreds are still rated.
    match catch_unwind(AssertUnwindSafe(|| check(&entry.root, pack, &options))) {
        Ok(Ok(checked)) => OrgRepository::rated(path, checked.report),
        Ok(Err(err)) => {
            let kind = match &err {
                CheckError::Config(_) => ErrorKind::Config,
                CheckError::Usage(_) => ErrorKind::Usage,
                CheckError::Repository(_) => ErrorKind::Unreadable,
            };
            OrgRepository::failed(path, kind, err.to_string().trim_end().to_string())
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            OrgRepository::failed(
                path,
                ErrorKind::Internal,
                format!("opready failed on this repository (please report it): {what}"),
            )
        }
    }
}

fn readable_directory(root: &Path) -> Result<(), (ErrorKind, String)> {
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => match std::fs::read_dir(root) {
            Ok(_) => Ok(()),
            Err(e) => Err((
                ErrorKind::Unreadable,
                format!("cannot read the directory: {e}"),
            )),
        },
        Ok(_) => Err((
            ErrorKind::NotADirectory,
            "not a directory (a repository is a checked-out folder)".to_string(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err((ErrorKind::Unreadable, "does not exist".to_string()))
        }
        Err(e) => Err((ErrorKind::Unreadable, format!("cannot read it: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name)
    }

    fn entry(path: &str, root: PathBuf) -> RepositoryEntry {
        RepositoryEntry {
            path: path.to_string(),
            root,
        }
    }

    #[test]
    fn rates_each_repository_and_reports_the_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("broken")).unwrap();
        fs::write(dir.path().join("broken/.opready.yaml"), "tier: [\n").unwrap();
        fs::write(dir.path().join("file"), "").unwrap();
        let entries = vec![
            entry("z-bare", fixture("service-bare")),
            entry("best", fixture("service-best-practice")),
            entry("broken", dir.path().join("broken")),
            entry("file", dir.path().join("file")),
            entry("gone", dir.path().join("gone")),
        ];
        let pack = crate::policy::load::builtin().unwrap();
        let seen = AtomicUsize::new(0);
        let report = scan(
            &entries,
            &pack,
            &ScanOptions {
                threads: Some(2),
                ..ScanOptions::default()
            },
            &|p| {
                if let Progress::Rated { .. } = p {
                    seen.fetch_add(1, Ordering::Relaxed);
                }
            },
        )
        .unwrap();
        assert_eq!(seen.load(Ordering::Relaxed), 5);
        let got: Vec<(&str, Option<ErrorKind>)> = report
            .repositories
            .iter()
            .map(|r| (r.path.as_str(), r.error().map(|e| e.kind)))
            .collect();
        assert_eq!(
            got,
            [
                ("best", None),
                ("broken", Some(ErrorKind::Config)),
                ("file", Some(ErrorKind::NotADirectory)),
                ("gone", Some(ErrorKind::Unreadable)),
                ("z-bare", None),
            ]
        );
        let best = &report.repositories[0];
        assert_eq!(best.report().unwrap().repository.path, "best");
        assert_eq!(best.team, best.report().unwrap().service.owner);
        assert!(
            report.repositories[1]
                .error()
                .unwrap()
                .message
                .contains(".opready.yaml:"),
            "{:?}",
            report.repositories[1]
        );
        assert_eq!(report.aggregate.errors, 3);
        assert!(!report.met());
    }

    #[test]
    fn options_that_do_not_fit_the_pack_fail_before_any_repository() {
        let pack = crate::policy::load::builtin().unwrap();
        let mut options = ScanOptions::default();
        options.check.require = vec![("nope".into(), 2)];
        let err = scan(&[], &pack, &options, &|_| {}).unwrap_err();
        assert!(err.contains("unknown activity `nope`"), "{err}");
        options.check.require = vec![("slo".into(), 9)];
        assert!(scan(&[], &pack, &options, &|_| {}).is_err());
        options.check.require = vec![];
        options.check.tier = Some("platinum".into());
        let err = scan(&[], &pack, &options, &|_| {}).unwrap_err();
        assert!(err.contains("tier `platinum`"), "{err}");
    }

    #[test]
    fn a_shard_rates_only_its_share() {
        let pack = crate::policy::load::builtin().unwrap();
        let entries: Vec<RepositoryEntry> = (0..8)
            .map(|i| entry(&format!("r{i}"), fixture("library")))
            .collect();
        let mut all = Vec::new();
        for index in 1..=3 {
            let options = ScanOptions {
                shard: Some(Shard { index, count: 3 }),
                threads: Some(1),
                ..ScanOptions::default()
            };
            let report = scan(&entries, &pack, &options, &|_| {}).unwrap();
            assert_eq!(report.shard, Some(Shard { index, count: 3 }));
            all.extend(report.repositories.into_iter().map(|r| r.path));
        }
        all.sort();
        assert_eq!(all.len(), 8);
        all.dedup();
        assert_eq!(all.len(), 8);
    }
}
