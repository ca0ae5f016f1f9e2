//! Renderings of an org report, one file per format. Each is a pure function of the
//! report, so a merged report renders exactly like an unsharded one.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod openmetrics;
