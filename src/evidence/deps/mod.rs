use crate::evidence::Detector;

pub static DETECTORS: &[&dyn Detector] = &[];
