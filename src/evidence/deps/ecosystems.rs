//! Package ecosystems present in the repository, recognised by manifest file names alone
//! (no file is opened).
//!
//! ## What it finds
//! One item per ecosystem (`cargo`, `npm`, `gomod`, `pip`, `maven`, `gradle`, `nuget`,
//! `bundler`, `composer`, `mix`, `pub`, `swift` as `package`; `docker` as `container`;
//! `github-actions` as `ci`; `terraform` and `helm` as `iac`), with up to 20 of its
//! manifests. The link stage then marks each as covered by dependency updates and by
//! vulnerability scans, so "updates and scans cover every ecosystem" can be checked.
//!
//! The item's source is its first manifest outside example folders when there is one, so
//! an ecosystem used only by examples stays an example.

use crate::evidence::{
    Collector, Detector, Ecosystem, FileContext, RepoPath, Source, is_example_path,
};

pub struct PackageEcosystems;

/// Manifests listed per ecosystem.
const MAX_MANIFESTS: usize = 20;

impl Detector for PackageEcosystems {
    fn id(&self) -> &'static str {
        "package-ecosystems"
    }

    fn summary(&self) -> &'static str {
        "Package ecosystems present, by manifest name (Cargo.toml, package.json, go.mod, requirements*.txt, pom.xml, Dockerfile, workflows, *.tf, Chart.yaml, …)"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        ecosystem_of(path).is_some()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some((name, category)) = ecosystem_of(&file.path) else {
            return;
        };
        add_manifest(
            &mut out.evidence.ecosystems,
            name,
            category,
            file.path.as_str(),
        );
    }
}

fn add_manifest(ecosystems: &mut Vec<Ecosystem>, name: &str, category: &str, path: &str) {
    let real = !is_example_path(path);
    match ecosystems.iter_mut().find(|e| e.name == name) {
        Some(eco) => {
            if eco.source.example && real {
                eco.source = Source::file(path);
            }
            if eco.manifests.len() < MAX_MANIFESTS {
                eco.manifests.push(path.to_string());
            } else if real {
                // Keep real manifests in view when examples filled the list.
                if let Some(i) = eco.manifests.iter().rposition(|m| is_example_path(m)) {
                    eco.manifests.remove(i);
                    eco.manifests.push(path.to_string());
                }
            }
        }
        None => ecosystems.push(Ecosystem {
            name: name.to_string(),
            category: category.to_string(),
            manifests: vec![path.to_string()],
            updates: false,
            scanned: false,
            source: Source::file(path),
        }),
    }
}

/// The ecosystem and category a manifest path belongs to.
pub fn ecosystem_of(path: &RepoPath) -> Option<(&'static str, &'static str)> {
    let name = path.name();
    let lower = name.to_ascii_lowercase();
    let ext = path.ext();
    if path.in_dir_named(&["node_modules", "vendor", ".terraform"]) {
        return None;
    }
    let package = |eco| Some((eco, "package"));
    match name {
        "Cargo.toml" => return package("cargo"),
        "package.json" => return package("npm"),
        "go.mod" => return package("gomod"),
        "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" => return package("pip"),
        "pom.xml" => return package("maven"),
        "build.gradle" | "build.gradle.kts" => return package("gradle"),
        "packages.config" => return package("nuget"),
        "Gemfile" | "gems.rb" => return package("bundler"),
        "composer.json" => return package("composer"),
        "mix.exs" => return package("mix"),
        "pubspec.yaml" => return package("pub"),
        "Package.swift" => return package("swift"),
        "Chart.yaml" => return Some(("helm", "iac")),
        "Dockerfile" | "Containerfile" => return Some(("docker", "container")),
        _ => {}
    }
    if (lower.starts_with("requirements") || path.in_dir_named(&["requirements"]))
        && matches!(ext.as_str(), "txt" | "in")
    {
        return package("pip");
    }
    if matches!(ext.as_str(), "csproj" | "fsproj" | "vbproj") {
        return package("nuget");
    }
    if lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile.")
    {
        return Some(("docker", "container"));
    }
    if path.dir() == ".github/workflows" && path.is_yaml() {
        return Some(("github-actions", "ci"));
    }
    if ext == "tf" {
        return Some(("terraform", "iac"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::detect;
    use crate::scan::FileIndex;
    use std::path::Path;

    fn of(path: &str) -> Option<&'static str> {
        ecosystem_of(&RepoPath::new(path)).map(|(name, _)| name)
    }

    #[test]
    fn manifests_by_name() {
        let cases = [
            ("Cargo.toml", Some("cargo")),
            ("web/package.json", Some("npm")),
            ("node_modules/x/package.json", None),
            ("go.mod", Some("gomod")),
            ("go.sum", None),
            ("requirements.txt", Some("pip")),
            ("requirements-dev.txt", Some("pip")),
            ("requirements/main.in", Some("pip")),
            ("requirements/main.txt", Some("pip")),
            ("pyproject.toml", Some("pip")),
            ("setup.py", Some("pip")),
            ("Pipfile", Some("pip")),
            ("pom.xml", Some("maven")),
            ("app/build.gradle.kts", Some("gradle")),
            ("src/Api/Api.csproj", Some("nuget")),
            ("packages.config", Some("nuget")),
            ("Gemfile", Some("bundler")),
            ("composer.json", Some("composer")),
            ("mix.exs", Some("mix")),
            ("pubspec.yaml", Some("pub")),
            ("Package.swift", Some("swift")),
            ("Dockerfile", Some("docker")),
            ("build/Dockerfile.dev", Some("docker")),
            ("images/api.Dockerfile", Some("docker")),
            ("Containerfile", Some("docker")),
            (".github/workflows/ci.yml", Some("github-actions")),
            (".github/workflows/templates/x.yml", None),
            ("infra/main.tf", Some("terraform")),
            ("charts/app/Chart.yaml", Some("helm")),
            ("README.md", None),
            ("docs/requirements.md", None),
        ];
        for (path, want) in cases {
            assert_eq!(of(path), want, "{path}");
        }
        assert_eq!(
            ecosystem_of(&RepoPath::new("Dockerfile")).map(|e| e.1),
            Some("container")
        );
        assert_eq!(
            ecosystem_of(&RepoPath::new("main.tf")).map(|e| e.1),
            Some("iac")
        );
        assert_eq!(
            ecosystem_of(&RepoPath::new("go.mod")).map(|e| e.1),
            Some("package")
        );
    }

    #[test]
    fn one_item_per_ecosystem_sourced_at_a_real_manifest() {
        // Files are never opened: the paths need not exist.
        let index = FileIndex::from_entries(
            Path::new("/nonexistent"),
            vec![
                ("examples/app/go.mod".into(), 1),
                ("go.mod".into(), 1),
                ("tools/go.mod".into(), 1),
                ("examples/Dockerfile".into(), 1),
            ],
        );
        let d = detect(&index, &[&PackageEcosystems]);
        assert_eq!(d.files_read, 0);
        let eco = &d.evidence.ecosystems;
        assert_eq!(eco.len(), 2);
        let go = eco.iter().find(|e| e.name == "gomod").unwrap();
        assert_eq!(
            go.manifests,
            vec!["examples/app/go.mod", "go.mod", "tools/go.mod"]
        );
        assert_eq!(go.source.path, "go.mod");
        assert!(!go.source.example);
        let docker = eco.iter().find(|e| e.name == "docker").unwrap();
        assert!(docker.source.example);
        assert_eq!(d.evidence.facts.ecosystems, vec!["gomod"]);
    }

    #[test]
    fn manifest_list_is_capped_but_keeps_real_ones() {
        let mut list = Vec::new();
        for i in 0..30 {
            add_manifest(
                &mut list,
                "terraform",
                "iac",
                &format!("examples/e{i:02}/main.tf"),
            );
        }
        add_manifest(&mut list, "terraform", "iac", "main.tf");
        let tf = &list[0];
        assert_eq!(tf.manifests.len(), MAX_MANIFESTS);
        assert!(tf.manifests.contains(&"main.tf".to_string()));
        assert_eq!(tf.source.path, "main.tf");
    }

    #[test]
    fn fixture_repository() {
        let d = crate::evidence::testing::detect_fixture(
            "format-package-ecosystems",
            &PackageEcosystems,
        );
        let names: Vec<(&str, &str)> = d
            .evidence
            .ecosystems
            .iter()
            .map(|e| (e.name.as_str(), e.category.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("github-actions", "ci"),
                ("cargo", "package"),
                ("docker", "container"),
                ("helm", "iac"),
                ("maven", "package"),
                ("terraform", "iac"),
                ("pip", "package"),
                ("gomod", "package"),
                ("npm", "package"),
            ]
        );
        // Only an example uses Maven.
        assert_eq!(
            d.evidence.facts.ecosystems,
            vec![
                "cargo",
                "docker",
                "github-actions",
                "gomod",
                "helm",
                "npm",
                "pip",
                "terraform"
            ]
        );
    }
}
