//! Dependencies: automated update configuration (Dependabot, Renovate) and the package
//! ecosystems present in the repository, which the link stage marks as covered or not.

use crate::evidence::Detector;

pub mod dependabot;
pub mod ecosystems;
pub mod renovate;

pub static DETECTORS: &[&dyn Detector] = &[
    &dependabot::Dependabot,
    &renovate::Renovate,
    &ecosystems::PackageEcosystems,
];
