//! opready: rates a service repository's operational readiness.

pub mod diagnostic;
pub mod evidence;
pub mod parse;
pub mod scan;
