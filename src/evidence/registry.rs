//! Every detector, in the order they run on a file. Adding a format is one detector file
//! in its area plus one line in that area's `DETECTORS`.

use crate::evidence::{Detector, alerts, ci, deps, docs, gitops, iac, ownership, slo, toil};

/// All built-in detectors.
pub fn all() -> Vec<&'static dyn Detector> {
    [
        slo::DETECTORS,
        alerts::DETECTORS,
        ci::DETECTORS,
        deps::DETECTORS,
        docs::DETECTORS,
        ownership::DETECTORS,
        iac::DETECTORS,
        toil::DETECTORS,
        gitops::DETECTORS,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for d in super::all() {
            let id = d.id();
            assert!(seen.insert(id), "duplicate detector id {id}");
            assert!(
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "detector id {id} is not kebab-case"
            );
            assert!(d.summary().len() > 20, "detector {id} needs a summary");
        }
    }
}
