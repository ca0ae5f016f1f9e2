//! Infrastructure as code: Terraform resources (cost tags, budgets, on-call) and
//! Kubernetes workloads (requests, limits, probes, autoscalers).

use crate::evidence::Detector;

pub mod helm_values;
pub mod kubernetes;
pub mod terraform;

pub static DETECTORS: &[&dyn Detector] = &[
    &terraform::Terraform,
    &kubernetes::Kubernetes,
    &helm_values::HelmValues,
];

/// Runs one detector over a throw-away repository holding `files`.
#[cfg(test)]
pub(crate) fn detect_files(
    files: &[(&str, &str)],
    detector: &dyn Detector,
) -> crate::evidence::Detection {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut entries = Vec::new();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(&full, text).expect("write");
        entries.push((path.to_string(), text.len() as u64));
    }
    let index = crate::scan::FileIndex::from_entries(dir.path(), entries);
    crate::evidence::detect(&index, &[detector])
}

/// Runs one detector over a fixture repository (`fixtures/<name>`).
#[cfg(test)]
pub(crate) fn detect_fixture(name: &str, detector: &dyn Detector) -> crate::evidence::Detection {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let (index, _) =
        crate::scan::FileIndex::walk(&root, &Default::default()).expect("fixture exists");
    crate::evidence::detect(&index, &[detector])
}
