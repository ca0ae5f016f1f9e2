//! Format parsers shared by detectors: each keeps source positions.

pub mod hcl;
pub mod markdown;
pub mod yaml;
