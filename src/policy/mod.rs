//! Policy packs: YAML files that say which evidence each maturity level needs.
//!
//! The built-in pack lives in `policies/` and is embedded in the binary. A test proves it
//! valid against the policy schema, so loading it at run time skips schema compilation;
//! packs given with `--policy` are validated in full, with errors pointing at their lines.

pub mod builtin;
pub mod load;
pub mod model;

pub use load::{PolicyError, Problem};
pub use model::*;

/// Every boolean fact an `applies.facts` condition may name.
pub const BOOLEAN_FACTS: &[&str] = &[
    "deployable",
    "operated",
    "has_iac",
    "has_cloud_resources",
    "has_kubernetes",
    "has_ci",
];
