//! Helpers for the detectors' unit tests: run detectors over a throw-away repository or
//! a fixture, through the same walk and detection as a real check.

use crate::evidence::{Detection, Detector, Evidence, detect};
use crate::scan::{FileIndex, WalkOptions};

/// Runs `detectors` over a temporary repository holding `files` (path, text).
pub(crate) fn detect_files_with(files: &[(&str, &str)], detectors: &[&dyn Detector]) -> Detection {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, text).expect("write");
    }
    let (index, _) = FileIndex::walk(dir.path(), &WalkOptions::default()).expect("walk");
    detect(&index, detectors)
}

/// Runs one detector over a temporary repository holding `files`.
pub(crate) fn detect_files(files: &[(&str, &str)], detector: &dyn Detector) -> Detection {
    detect_files_with(files, &[detector])
}

/// The evidence one detector finds in a temporary repository holding `files`; the test
/// fails on any diagnostic.
pub(crate) fn evidence_of(files: &[(&str, &str)], detector: &dyn Detector) -> Evidence {
    let detection = detect_files(files, detector);
    assert!(
        detection.diagnostics.is_empty(),
        "{:?}",
        detection.diagnostics
    );
    detection.evidence
}

/// Runs `detectors` over the fixture repository `fixtures/<name>`.
pub(crate) fn detect_fixture_with(name: &str, detectors: &[&dyn Detector]) -> Detection {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let (index, _) = FileIndex::walk(&root, &WalkOptions::default()).expect("fixture exists");
    detect(&index, detectors)
}

/// Runs one detector over the fixture repository `fixtures/<name>`.
pub(crate) fn detect_fixture(name: &str, detector: &dyn Detector) -> Detection {
    detect_fixture_with(name, &[detector])
}
