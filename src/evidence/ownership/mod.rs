//! Ownership and service catalog: who owns the code and the service.

use crate::evidence::Detector;

pub mod backstage;
pub mod codeowners;

pub static DETECTORS: &[&dyn Detector] =
    &[&codeowners::CodeOwnersFile, &backstage::BackstageCatalog];

#[cfg(test)]
pub(crate) use crate::evidence::testing::{detect_files, detect_fixture};
