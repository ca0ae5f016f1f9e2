//! Format parsers shared by detectors: each keeps source positions.

pub mod asciidoc;
pub mod hcl;
pub mod markdown;
pub(crate) mod outline;
pub mod rst;
pub mod yaml;
