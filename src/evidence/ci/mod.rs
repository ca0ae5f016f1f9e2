use crate::evidence::Detector;

pub static DETECTORS: &[&dyn Detector] = &[];

/// Which ecosystems a vulnerability scanner covers.
pub enum ScanCoverage {
    All,
    Some(&'static [&'static str]),
}

pub fn scanner_coverage(_scanner: &str) -> ScanCoverage {
    ScanCoverage::Some(&[])
}
