//! Toil: scripted operations that replace manual work.

use crate::evidence::Detector;

pub mod automation;

pub static DETECTORS: &[&dyn Detector] = &[&automation::OpsAutomation];

#[cfg(test)]
pub(crate) use crate::evidence::testing::{detect_files, detect_fixture};
