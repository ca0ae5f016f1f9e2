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

#[cfg(test)]
pub(crate) use crate::evidence::testing::{detect_files, detect_fixture};
