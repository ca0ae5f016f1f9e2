//! opready: rates a service repository's operational readiness.
//!
//! Data flows one way: files ([`scan`]) → evidence ([`evidence`]) → verdicts ([`eval`])
//! → reports ([`report`]). The core entry point, [`check`], is a pure function of a
//! repository path and a policy: no global state, no printing.

pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod eval;
pub mod evidence;
pub mod parse;
pub mod policy;
pub mod report;
pub mod scan;
pub mod validate;

use std::path::Path;

pub use evidence::Detection;

/// Walks `root` and runs every detector: the evidence document and the diagnostics.
pub fn collect_evidence(root: &Path, options: &scan::WalkOptions) -> Result<Detection, String> {
    let (index, mut walk_diagnostics) = scan::FileIndex::walk(root, options)?;
    let mut detection = evidence::detect(&index, &evidence::registry::all());
    walk_diagnostics.append(&mut detection.diagnostics);
    walk_diagnostics.sort();
    detection.diagnostics = walk_diagnostics;
    Ok(detection)
}
