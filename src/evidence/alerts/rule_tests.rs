//! `promtool-tests`: unit tests of Prometheus rules, run with `promtool test rules`.
//!
//! ## What it recognises
//! YAML documents with `rule_files:` and a `tests:` list: the rule files they load and the
//! number of test cases. A Prometheus server configuration also has `rule_files:` but no
//! `tests:`, and is not taken for a test.

use super::documents;
use crate::evidence::{Collector, Detector, FileContext, RepoPath, RuleTest, Source};

pub struct RuleTests;

impl Detector for RuleTests {
    fn id(&self) -> &'static str {
        "promtool-tests"
    }

    fn summary(&self) -> &'static str {
        "promtool unit tests of Prometheus rules (`rule_files:` with `tests:`)"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_yaml()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        if !(text.contains("rule_files") && text.contains("tests")) {
            return;
        }
        let Some(docs) = documents(file, self.id(), out) else {
            return;
        };
        for doc in docs.nodes.iter() {
            let (Some(rule_files), Some(tests)) = (doc.get("rule_files"), doc.get("tests")) else {
                continue;
            };
            if !tests.is_seq() {
                continue;
            }
            out.evidence.rule_tests.push(RuleTest {
                rule_files: rule_files.string_list(),
                tests: tests.as_seq().len().try_into().unwrap_or(u32::MAX),
                source: Source::new(file.path.as_str(), Some(doc.pos)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::alerts::test_support::{run, run_fixture};

    #[test]
    fn promtool_test_files() {
        let text = r#"rule_files:
  - alerts.yaml
  - rules.yaml

evaluation_interval: 1m

tests:
  - interval: 1m
    input_series:
      - series: 'up{job="api"}'
        values: '1 0 0 0 0 0'
    alert_rule_test:
      - eval_time: 5m
        alertname: ApiDown
  - interval: 1m
    input_series: []
---
rule_files: [other.yaml]
tests: []
"#;
        let d = run(&[("rules/alerts_test.yaml", text)], &[&RuleTests]);
        let t = &d.evidence.rule_tests;
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].rule_files, ["alerts.yaml", "rules.yaml"]);
        assert_eq!(t[0].tests, 2);
        assert_eq!(t[0].source.line, Some(1));
        assert_eq!(t[1].rule_files, ["other.yaml"]);
        assert_eq!(t[1].tests, 0);
        assert_eq!(t[1].source.line, Some(18));
    }

    #[test]
    fn prometheus_server_config_is_not_a_test() {
        let text = "global:\n  scrape_interval: 15s\nrule_files:\n  - /etc/prometheus/rules/*.yaml\nscrape_configs:\n  - job_name: tests\n";
        let d = run(&[("prometheus.yml", text)], &[&RuleTests]);
        assert!(d.evidence.rule_tests.is_empty());
    }

    #[test]
    fn fixture_repository() {
        let d = run_fixture("format-promtool-tests", &[&RuleTests]);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let t = &d.evidence.rule_tests;
        assert_eq!(t.len(), 1, "prometheus.yml is not a test");
        assert_eq!(t[0].source.path, "rules/service.rules_test.yaml");
        assert_eq!(t[0].rule_files, ["service.rules.yaml"]);
        assert_eq!(t[0].tests, 2);
    }
}
