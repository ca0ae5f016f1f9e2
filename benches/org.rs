//! Org scan throughput: `cargo bench --bench org`.
//!
//! Generates an organisation of 500 repositories (the fixtures copied with varied owners,
//! tiers and layouts, as tests/org.rs does), then rates it with `opready::org::scan::scan`
//! on one worker thread and on one per core, and prints wall time, CPU time (user +
//! system of the whole process, from /proc/self/stat) and the speed-up. CPU time above
//! wall time means several cores were busy.

use std::path::Path;
use std::time::{Duration, Instant};

use opready::org::{discover, scan};
use opready::policy;

#[path = "../tests/support/synthetic_org.rs"]
mod synthetic_org;

/// CPU time (user + system) of this process so far, all threads, when the platform says.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Clock ticks: USER_HZ, 100 on every Linux ABI in use.
    Some(Duration::from_millis((utime + stime) * 10))
}

struct Run {
    wall: Duration,
    cpu: Option<Duration>,
    threads: usize,
}

fn run(root: &Path, threads: Option<usize>) -> Run {
    let pack = policy::load::builtin().unwrap();
    let entries = discover::in_folder(root).unwrap();
    let options = scan::ScanOptions {
        threads,
        ..scan::ScanOptions::default()
    };
    let used = std::sync::atomic::AtomicUsize::new(0);
    let cpu_before = cpu_time();
    let start = Instant::now();
    let report = scan::scan(&entries, &pack, &options, &|event| {
        if let scan::Progress::Rated { .. } = event {
            used.fetch_max(
                rayon::current_num_threads(),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
    })
    .unwrap();
    let wall = start.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    assert_eq!(report.repositories.len(), 500);
    Run {
        wall,
        cpu,
        threads: used.into_inner(),
    }
}

fn best_of(root: &Path, threads: Option<usize>, runs: usize) -> Run {
    (0..runs)
        .map(|_| run(root, threads))
        .min_by_key(|r| r.wall)
        .unwrap()
}

fn show(label: &str, r: &Run) {
    let cpu = r
        .cpu
        .map(|c| {
            format!(
                "{:.2} s CPU ({:.2} cores busy)",
                c.as_secs_f64(),
                c.as_secs_f64() / r.wall.as_secs_f64()
            )
        })
        .unwrap_or_else(|| "CPU time not available".to_string());
    println!(
        "{label:<12} {} rayon thread(s): {:.2} s wall, {cpu}, {:.1} ms per repository",
        r.threads,
        r.wall.as_secs_f64(),
        r.wall.as_secs_f64() * 1000.0 / 500.0
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let paths = synthetic_org::synthetic_org(dir.path(), 500);
    println!(
        "generated {} repositories in {:.2} s; {} cores available",
        paths.len(),
        start.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // Warm the page cache so both measurements read from memory.
    run(dir.path(), None);
    let one = best_of(dir.path(), Some(1), 3);
    let all = best_of(dir.path(), None, 3);
    show("1 thread", &one);
    show("all threads", &all);
    println!(
        "speed-up: {:.2}x with {} threads",
        one.wall.as_secs_f64() / all.wall.as_secs_f64(),
        all.threads
    );
}
