//! The built-in pack, embedded from `policies/`.

/// `(file name, text)` of every file of the built-in pack; `pack.yaml` first.
pub const FILES: &[(&str, &str)] = &[
    ("pack.yaml", include_str!("../../policies/pack.yaml")),
    ("slo.yaml", include_str!("../../policies/slo.yaml")),
    (
        "monitoring.yaml",
        include_str!("../../policies/monitoring.yaml"),
    ),
    (
        "incident-response.yaml",
        include_str!("../../policies/incident-response.yaml"),
    ),
    (
        "postmortem.yaml",
        include_str!("../../policies/postmortem.yaml"),
    ),
    (
        "documentation.yaml",
        include_str!("../../policies/documentation.yaml"),
    ),
    ("toil.yaml", include_str!("../../policies/toil.yaml")),
    ("cost.yaml", include_str!("../../policies/cost.yaml")),
    (
        "vulnerability.yaml",
        include_str!("../../policies/vulnerability.yaml"),
    ),
    (
        "delivery.yaml",
        include_str!("../../policies/delivery.yaml"),
    ),
];

pub fn file(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
