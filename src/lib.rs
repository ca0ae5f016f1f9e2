//! opready: rates a service repository's operational readiness.
//!
//! Data flows one way: files ([`scan`]) → evidence ([`evidence`]) → verdicts ([`eval`])
//! → reports ([`report`]). The core entry point, [`check`], is a pure function of a
//! repository path and a policy: no global state, no printing.

pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod eval;
pub mod evidence;
pub mod init;
pub mod org;
pub mod parse;
pub mod policy;
pub mod precommit;
pub mod report;
pub mod scan;
pub mod validate;

pub use check::{CheckOptions, Checked, check};
