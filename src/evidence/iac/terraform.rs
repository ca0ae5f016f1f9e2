//! Terraform configurations (`*.tf`): resources and modules, with cost tags; cloud budgets;
//! PagerDuty and Opsgenie on-call resources.
//!
//! ## What it recognises
//! Every `resource "TYPE" "NAME"` and `module "NAME"` block, read with an HCL parser.
//! A resource is *taggable* when its type is a common cost-bearing AWS, Google Cloud or
//! Azure resource that accepts tags or labels, or when it sets `tags`/`labels` itself. It
//! is *tagged* when it sets non-empty `tags`, `labels`, `tags_all` (or Google's
//! `resource_labels`/`user_labels`, an ASG `tag` block, a `dynamic "tag"` block), or when a
//! `provider "aws"` block with `default_tags` (`provider "google"` with `default_labels`)
//! is configured in its folder or in a folder that calls its folder as a local module.
//! `aws_budgets_budget`, `google_billing_budget` and `azurerm_consumption_budget_*` are
//! budgets; `pagerduty_*` and `opsgenie_*` services, schedules, escalation policies, teams
//! and integrations, and Google Cloud notification channels of type `pagerduty` or
//! `opsgenie`, are on-call configuration.
//!
//! A resource or module with a literal `count = 0`, `for_each = {}` or `for_each = []` is
//! not created: it adds nothing (no resource, budget or on-call item), and a note says so.
//! Any other `count`/`for_each` (a variable, a condition) may create it and counts.
//!
//! ## Why it matters
//! Untagged resources cannot be attributed to a team's cost; budgets catch overspend
//! before the invoice does; on-call as code is reviewed and versioned.

use std::collections::BTreeSet;

use hcl_edit::expr::Expression;

use crate::diagnostic::{Diagnostic, Severity};
use crate::evidence::{
    Budget, Collector, Detector, FileContext, IacResource, OnCall, RepoPath, Source,
};
use crate::parse::hcl::value::{label, never_created, quoted_as_written};
use crate::parse::hcl::{Block, Body};

pub struct Terraform;

impl Detector for Terraform {
    fn id(&self) -> &'static str {
        "terraform"
    }

    fn summary(&self) -> &'static str {
        "Terraform *.tf files: resources and modules with cost tags (incl. provider default_tags), budgets, PagerDuty/Opsgenie on-call resources"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        path.is_terraform()
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        let Some(tf) = file.terraform(|text| {
            text.contains("resource")
                || text.contains("module")
                || text.contains("provider")
                || text.contains("backend")
                || text.contains("cloud")
        }) else {
            return;
        };
        let (path, body, lines) = (tf.path, tf.body, tf.lines);
        let dir = file.path.dir();
        let mut defaults_changed = false;
        for block in body.blocks() {
            let pos = lines.position_of(block);
            let source = || Source::new(path, pos);
            if matches!(block.ident.as_str(), "module" | "resource")
                && let Some(why) = never_created(&block.body)
            {
                let name = block
                    .labels
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let what = if block.ident.as_str() == "module" {
                    format!("module.{name}")
                } else {
                    name
                };
                out.diagnostic(
                    Diagnostic::new(
                        Severity::Note,
                        "terraform-not-created",
                        format!("`{what}` is not created (`{why}`), so it was not counted"),
                    )
                    .at(path, pos),
                );
                continue;
            }
            match block.ident.as_str() {
                "terraform"
                    if block
                        .body
                        .blocks()
                        .any(|b| matches!(b.ident.as_str(), "backend" | "cloud")) =>
                {
                    out.terraform_defaults.roots.insert(dir.to_string());
                }
                "provider" => {
                    out.terraform_defaults.roots.insert(dir.to_string());
                    if let Some(provider) = default_tagging_provider(block) {
                        defaults_changed |= out
                            .terraform_defaults
                            .tagged_dirs
                            .insert((dir.to_string(), provider.to_string()));
                    }
                }
                "module" => {
                    let Some(name) = label(block, 0) else {
                        continue;
                    };
                    if let Some(called) = local_module_dir(dir, &block.body) {
                        defaults_changed |= out
                            .terraform_defaults
                            .module_calls
                            .insert((dir.to_string(), called));
                    }
                    out.evidence.iac_resources.push(IacResource {
                        tool: "terraform".to_string(),
                        type_: "module".to_string(),
                        name: name.to_string(),
                        provider: "module".to_string(),
                        taggable: sets_tag_argument(&block.body),
                        tagged: has_tags(&block.body),
                        source: source(),
                    });
                }
                "resource" => {
                    let (Some(type_), Some(name)) = (label(block, 0), label(block, 1)) else {
                        continue;
                    };
                    let provider = type_.split('_').next().unwrap_or(type_);
                    let inherited = out.terraform_defaults.applies(dir, provider);
                    out.evidence.iac_resources.push(IacResource {
                        tool: "terraform".to_string(),
                        type_: type_.to_string(),
                        name: name.to_string(),
                        provider: provider.to_string(),
                        taggable: is_taggable_type(type_) || sets_tag_argument(&block.body),
                        tagged: has_tags(&block.body) || inherited,
                        source: source(),
                    });
                    if let Some(cloud) = budget_provider(type_) {
                        out.evidence.budgets.push(Budget {
                            provider: cloud.to_string(),
                            type_: type_.to_string(),
                            name: literal_name(&block.body, &["name", "display_name"])
                                .unwrap_or_else(|| name.to_string()),
                            source: source(),
                        });
                    }
                    if let Some((provider, kind)) = oncall_kind(type_, &block.body) {
                        out.evidence.oncall.push(OnCall {
                            provider: provider.to_string(),
                            kind: kind.to_string(),
                            name: literal_name(&block.body, &["name", "display_name"])
                                .unwrap_or_else(|| name.to_string()),
                            source: source(),
                        });
                    }
                }
                _ => {}
            }
        }
        if defaults_changed && out.terraform_defaults.recompute() {
            apply_default_tags(out);
        }
    }
}

/// Provider-level tagging learnt while reading the `.tf` files of a repository. Providers
/// are usually configured in another file of the folder than the resources, and files are
/// read in path order, so resources read before their folder's provider are fixed up when
/// it is found (see [`apply_default_tags`]).
#[derive(Debug, Clone, Default)]
pub struct TerraformDefaults {
    /// `(folder, provider)` pairs whose provider block sets default tags or labels.
    pub tagged_dirs: BTreeSet<(String, String)>,
    /// `(calling folder, module folder)` for modules called with a local `source`.
    pub module_calls: BTreeSet<(String, String)>,
    /// `tagged_dirs` extended to the folders of the local modules they call, recursively.
    effective: BTreeSet<(String, String)>,
    /// Folders that configure a provider or a backend: root modules that are applied, as
    /// opposed to reusable modules (a module library configures neither).
    pub roots: BTreeSet<String>,
}

impl TerraformDefaults {
    /// Whether resources of `provider` in `dir` get tags from a provider configuration.
    pub fn applies(&self, dir: &str, provider: &str) -> bool {
        self.effective
            .contains(&(dir.to_string(), provider.to_string()))
    }

    /// Recomputes the folders covered; `true` when they changed.
    fn recompute(&mut self) -> bool {
        let mut effective = self.tagged_dirs.clone();
        loop {
            let added: Vec<(String, String)> = effective
                .iter()
                .flat_map(|(dir, provider)| {
                    self.module_calls
                        .iter()
                        .filter(move |(caller, _)| caller == dir)
                        .map(move |(_, called)| (called.clone(), provider.clone()))
                })
                .filter(|pair| !effective.contains(pair))
                .collect();
            if added.is_empty() {
                break;
            }
            effective.extend(added);
        }
        let changed = effective != self.effective;
        self.effective = effective;
        changed
    }
}

/// Marks resources already collected as tagged when a provider's default tags now cover
/// their folder.
pub fn apply_default_tags(out: &mut Collector) {
    let defaults = &out.terraform_defaults;
    for resource in &mut out.evidence.iac_resources {
        if resource.tagged || resource.tool != "terraform" {
            continue;
        }
        let dir = RepoPath::new(&resource.source.path).dir();
        if defaults.applies(dir, &resource.provider) {
            resource.tagged = true;
        }
    }
}

/// `aws` when a `provider "aws"` block sets a non-empty `default_tags { tags = … }`,
/// `google` when a `provider "google"`/`"google-beta"` block sets `default_labels`.
fn default_tagging_provider(block: &Block) -> Option<&'static str> {
    match label(block, 0)? {
        "aws" => block
            .body
            .get_blocks("default_tags")
            .any(|b| {
                b.body
                    .get_attribute("tags")
                    .is_some_and(|a| non_empty(&a.value))
            })
            .then_some("aws"),
        "google" | "google-beta" => block
            .body
            .get_attribute("default_labels")
            .is_some_and(|a| non_empty(&a.value))
            .then_some("google"),
        _ => None,
    }
}

/// The folder of a module called with a local path (`./modules/db`, `../shared`).
fn local_module_dir(dir: &str, body: &Body) -> Option<String> {
    let source = body.get_attribute("source")?.value.as_str()?;
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    crate::evidence::path::join(dir, source)
}

/// Arguments that carry cost-allocation tags or labels.
const TAG_ARGUMENTS: &[&str] = &[
    "tags",
    "labels",
    "tags_all",
    "resource_labels",
    "user_labels",
];

/// Nested blocks that carry labels of the resource itself (Cloud SQL `settings`, GKE
/// `node_config`, a GKE cluster's `node_config`).
const TAG_BLOCKS: &[&str] = &["settings", "node_config"];

fn sets_tag_argument(body: &Body) -> bool {
    TAG_ARGUMENTS.iter().any(|a| body.has_attribute(a))
}

/// Sets non-empty tags or labels (a literal map, or any expression that yields them).
fn has_tags(body: &Body) -> bool {
    let attribute = TAG_ARGUMENTS.iter().any(|a| {
        body.get_attribute(a)
            .is_some_and(|attr| non_empty(&attr.value))
    });
    let tag_blocks = body.blocks().any(|b| match b.ident.as_str() {
        // `aws_autoscaling_group` tags with repeated `tag { key, value }` blocks.
        "tag" | "tags" => true,
        "dynamic" => label(b, 0).is_some_and(|l| matches!(l, "tag" | "tags")),
        name if TAG_BLOCKS.contains(&name) => ["user_labels", "resource_labels"].iter().any(|a| {
            b.body
                .get_attribute(a)
                .is_some_and(|attr| non_empty(&attr.value))
        }),
        _ => false,
    });
    attribute || tag_blocks
}

fn non_empty(value: &Expression) -> bool {
    match value {
        Expression::Null(_) => false,
        Expression::Object(o) => !o.is_empty(),
        Expression::Array(a) => !a.is_empty(),
        Expression::String(s) => !s.is_empty(),
        Expression::Bool(b) => *b.value(),
        _ => true,
    }
}

/// A literal string argument (not an expression or interpolation), as written.
fn literal_name(body: &Body, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| quoted_as_written(body, k))
        .map(str::to_string)
}

fn budget_provider(type_: &str) -> Option<&'static str> {
    match type_ {
        "aws_budgets_budget" => Some("aws"),
        "google_billing_budget" => Some("google"),
        t if t.starts_with("azurerm_consumption_budget_") => Some("azure"),
        _ => None,
    }
}

fn oncall_kind(type_: &str, body: &Body) -> Option<(&'static str, &'static str)> {
    Some(match type_ {
        // A Cloud Monitoring notification channel that pages through PagerDuty/Opsgenie.
        "google_monitoring_notification_channel" => {
            match body.get_attribute("type").and_then(|a| a.value.as_str()) {
                Some("pagerduty") => ("pagerduty", "integration"),
                Some("opsgenie") => ("opsgenie", "integration"),
                _ => return None,
            }
        }
        "pagerduty_service" => ("pagerduty", "service"),
        "pagerduty_escalation_policy" => ("pagerduty", "escalation-policy"),
        "pagerduty_schedule" => ("pagerduty", "schedule"),
        "pagerduty_team" => ("pagerduty", "team"),
        "pagerduty_service_integration" => ("pagerduty", "integration"),
        "opsgenie_service" => ("opsgenie", "service"),
        "opsgenie_escalation" => ("opsgenie", "escalation-policy"),
        "opsgenie_schedule" => ("opsgenie", "schedule"),
        "opsgenie_team" => ("opsgenie", "team"),
        "opsgenie_api_integration" | "opsgenie_email_integration" => ("opsgenie", "integration"),
        _ => return None,
    })
}

/// Whether a resource type is a common cost-bearing cloud resource that accepts tags or
/// labels. Deliberately short: a resource not listed here still counts as taggable when
/// it sets tags itself.
pub fn is_taggable_type(type_: &str) -> bool {
    TAGGABLE_TYPES.binary_search(&type_).is_ok()
        || TAGGABLE_PREFIXES.iter().any(|p| type_.starts_with(p))
}

/// Families whose every member is a billed, taggable resource.
const TAGGABLE_PREFIXES: &[&str] = &["aws_fsx_", "aws_sagemaker_", "azurerm_kubernetes_"];

/// Sorted (checked by a test) for binary search.
const TAGGABLE_TYPES: &[&str] = &[
    "aws_alb",
    "aws_api_gateway_rest_api",
    "aws_apigatewayv2_api",
    "aws_autoscaling_group",
    "aws_backup_vault",
    "aws_batch_compute_environment",
    "aws_cloudfront_distribution",
    "aws_cloudwatch_log_group",
    "aws_db_instance",
    "aws_docdb_cluster",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_ec2_transit_gateway",
    "aws_ecr_repository",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_efs_file_system",
    "aws_eip",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticsearch_domain",
    "aws_elb",
    "aws_emr_cluster",
    "aws_glue_job",
    "aws_instance",
    "aws_kinesis_firehose_delivery_stream",
    "aws_kinesis_stream",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_launch_template",
    "aws_lb",
    "aws_memorydb_cluster",
    "aws_mq_broker",
    "aws_msk_cluster",
    "aws_nat_gateway",
    "aws_neptune_cluster",
    "aws_opensearch_domain",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_redshift_cluster",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_sfn_state_machine",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_subnet",
    "aws_transfer_server",
    "aws_vpc",
    "aws_vpc_endpoint",
    "aws_vpn_connection",
    "azurerm_app_service",
    "azurerm_app_service_plan",
    "azurerm_application_gateway",
    "azurerm_cdn_profile",
    "azurerm_container_group",
    "azurerm_container_registry",
    "azurerm_cosmosdb_account",
    "azurerm_eventhub_namespace",
    "azurerm_firewall",
    "azurerm_function_app",
    "azurerm_key_vault",
    "azurerm_lb",
    "azurerm_linux_function_app",
    "azurerm_linux_virtual_machine",
    "azurerm_linux_virtual_machine_scale_set",
    "azurerm_linux_web_app",
    "azurerm_log_analytics_workspace",
    "azurerm_managed_disk",
    "azurerm_mssql_database",
    "azurerm_mssql_server",
    "azurerm_mysql_flexible_server",
    "azurerm_nat_gateway",
    "azurerm_postgresql_flexible_server",
    "azurerm_postgresql_server",
    "azurerm_public_ip",
    "azurerm_redis_cache",
    "azurerm_resource_group",
    "azurerm_service_plan",
    "azurerm_servicebus_namespace",
    "azurerm_storage_account",
    "azurerm_virtual_machine",
    "azurerm_virtual_machine_scale_set",
    "azurerm_virtual_network",
    "azurerm_windows_function_app",
    "azurerm_windows_virtual_machine",
    "azurerm_windows_virtual_machine_scale_set",
    "azurerm_windows_web_app",
    "google_alloydb_cluster",
    "google_artifact_registry_repository",
    "google_bigquery_dataset",
    "google_bigquery_table",
    "google_bigtable_instance",
    "google_cloud_run_service",
    "google_cloud_run_v2_job",
    "google_cloud_run_v2_service",
    "google_cloudfunctions2_function",
    "google_cloudfunctions_function",
    "google_compute_disk",
    "google_compute_forwarding_rule",
    "google_compute_instance",
    "google_compute_instance_template",
    "google_container_cluster",
    "google_container_node_pool",
    "google_dataproc_cluster",
    "google_filestore_instance",
    "google_memcache_instance",
    "google_pubsub_subscription",
    "google_pubsub_topic",
    "google_redis_instance",
    "google_spanner_instance",
    "google_sql_database_instance",
    "google_storage_bucket",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::iac::detect_files;

    #[test]
    fn taggable_list_is_sorted() {
        let mut sorted = TAGGABLE_TYPES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, TAGGABLE_TYPES);
        assert!(is_taggable_type("aws_instance"));
        assert!(is_taggable_type("azurerm_kubernetes_cluster_node_pool"));
        assert!(!is_taggable_type("aws_iam_role_policy_attachment"));
        assert!(!is_taggable_type("google_compute_network"));
    }

    const MAIN: &str = r#"# Web tier
resource "aws_instance" "web" {
  ami  = "ami-123"
  tags = { team = "shop", cost-center = "42" }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_iam_role" "ci" {
  name = "ci"
  tags = {}
}

resource "google_storage_bucket" "assets" {
  labels = var.labels
}

resource "aws_autoscaling_group" "workers" {
  dynamic "tag" {
    for_each = var.tags
    content {}
  }
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
  tags   = local.tags
}

module "db" {
  source = "./modules/db"
}

data "aws_caller_identity" "current" {}
"#;

    fn find<'a>(d: &'a crate::evidence::Detection, name: &str) -> &'a IacResource {
        d.evidence
            .iac_resources
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no resource {name}"))
    }

    #[test]
    fn resources_modules_tags_and_lines() {
        let d = detect_files(&[("infra/main.tf", MAIN)], &Terraform);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(d.evidence.iac_resources.len(), 7);
        let web = find(&d, "web");
        assert_eq!(
            (web.type_.as_str(), web.provider.as_str()),
            ("aws_instance", "aws")
        );
        assert!(web.taggable && web.tagged);
        assert_eq!(web.source.line, Some(2));
        assert_eq!(web.source.column, Some(1));
        let logs = find(&d, "logs");
        assert!(logs.taggable && !logs.tagged);
        // Sets `tags = {}`: accepts tags, carries none.
        let ci = find(&d, "ci");
        assert!(ci.taggable && !ci.tagged);
        assert!(find(&d, "assets").tagged);
        assert!(find(&d, "workers").tagged);
        let vpc = find(&d, "vpc");
        assert_eq!(
            (vpc.type_.as_str(), vpc.provider.as_str()),
            ("module", "module")
        );
        assert!(vpc.taggable && vpc.tagged);
        let db = find(&d, "db");
        assert!(!db.taggable && !db.tagged);
    }

    #[test]
    fn provider_default_tags_apply_to_the_folder_and_its_local_modules() {
        let providers = r#"provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { team = "shop" }
  }
}
"#;
        let module = "resource \"aws_db_instance\" \"main\" {}\nresource \"google_sql_database_instance\" \"g\" {}\n";
        let other = "resource \"aws_sqs_queue\" \"q\" {}\n";
        let d = detect_files(
            &[
                // `infra/a.tf` is read before the provider file: fixed up afterwards.
                ("infra/a.tf", MAIN),
                ("infra/providers.tf", providers),
                ("infra/modules/db/main.tf", module),
                ("other/main.tf", other),
            ],
            &Terraform,
        );
        assert!(find(&d, "logs").tagged);
        assert!(find(&d, "ci").tagged);
        assert!(find(&d, "main").tagged);
        // Default tags of the AWS provider do not label Google resources.
        assert!(!find(&d, "g").tagged);
        assert!(!find(&d, "q").tagged);
    }

    #[test]
    fn budgets_and_oncall() {
        let text = r#"
resource "aws_budgets_budget" "monthly" {
  name         = "monthly-cost"
  budget_type  = "COST"
  limit_amount = "100"
}

resource "google_billing_budget" "budget" {
  display_name = "Budget ${var.project}"
}

resource "azurerm_consumption_budget_subscription" "sub" {
  name = "sub-budget"
}

resource "pagerduty_service" "api" {
  name              = "Checkout API"
  escalation_policy = pagerduty_escalation_policy.default.id
}

resource "pagerduty_escalation_policy" "default" {
  name = var.policy_name
}

resource "pagerduty_schedule" "primary" {
  name = "Primary"
}

resource "pagerduty_service_integration" "cloudwatch" {
  name = data.pagerduty_vendor.cloudwatch.name
}

resource "opsgenie_team" "sre" {
  name = "sre"
}

resource "google_monitoring_notification_channel" "pager" {
  display_name = "PagerDuty hubs"
  type         = "pagerduty"
}

resource "google_monitoring_notification_channel" "mail" {
  display_name = "Mail"
  type         = "email"
}
"#;
        let d = detect_files(&[("ops/main.tf", text)], &Terraform);
        let budgets: Vec<(&str, &str, &str)> = d
            .evidence
            .budgets
            .iter()
            .map(|b| (b.provider.as_str(), b.type_.as_str(), b.name.as_str()))
            .collect();
        assert_eq!(
            budgets,
            vec![
                ("aws", "aws_budgets_budget", "monthly-cost"),
                ("google", "google_billing_budget", "budget"),
                (
                    "azure",
                    "azurerm_consumption_budget_subscription",
                    "sub-budget"
                ),
            ]
        );
        assert_eq!(d.evidence.budgets[0].source.line, Some(2));
        let oncall: Vec<(&str, &str, &str)> = d
            .evidence
            .oncall
            .iter()
            .map(|o| (o.provider.as_str(), o.kind.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            oncall,
            vec![
                ("pagerduty", "service", "Checkout API"),
                ("pagerduty", "escalation-policy", "default"),
                ("pagerduty", "schedule", "Primary"),
                ("pagerduty", "integration", "cloudwatch"),
                ("opsgenie", "team", "sre"),
                ("pagerduty", "integration", "PagerDuty hubs"),
            ]
        );
        assert_eq!(d.evidence.oncall[0].source.line, Some(16));
    }

    #[test]
    fn resources_never_created_do_not_count() {
        let text = r#"resource "aws_budgets_budget" "off" {
  count = 0
  name  = "off"
}

resource "pagerduty_service" "legacy" {
  for_each = {}
  name     = "Legacy"
}

resource "aws_s3_bucket" "none" {
  for_each = []
  bucket   = each.value
}

module "cache" {
  source = "./modules/cache"
  count  = 0
}

resource "aws_budgets_budget" "maybe" {
  count = var.enabled ? 1 : 0
  name  = "maybe"
}

resource "pagerduty_service" "one" {
  count = 1
  name  = "One"
}

resource "aws_s3_bucket" "each" {
  for_each = toset(var.buckets)
}
"#;
        let d = detect_files(&[("infra/main.tf", text)], &Terraform);
        let names: Vec<&str> = d
            .evidence
            .iac_resources
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["maybe", "one", "each"]);
        assert_eq!(d.evidence.budgets.len(), 1);
        assert_eq!(d.evidence.oncall.len(), 1);
        let mut notes: Vec<(Option<u32>, &str)> = d
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        notes.sort();
        assert_eq!(
            notes,
            [
                (
                    Some(1),
                    "`aws_budgets_budget.off` is not created (`count = 0`), so it was not counted"
                ),
                (
                    Some(6),
                    "`pagerduty_service.legacy` is not created (`for_each = {}`), so it was not counted"
                ),
                (
                    Some(11),
                    "`aws_s3_bucket.none` is not created (`for_each = []`), so it was not counted"
                ),
                (
                    Some(16),
                    "`module.cache` is not created (`count = 0`), so it was not counted"
                ),
            ]
        );
        assert!(d.diagnostics.iter().all(|d| d.severity == Severity::Note));
    }

    #[test]
    fn invalid_hcl_is_one_diagnostic_and_files_without_blocks_are_not_parsed() {
        let d = detect_files(
            &[
                (
                    "bad/main.tf",
                    "resource \"aws_instance\" \"x\" {\n  ami = \n",
                ),
                ("vars/variables.tf", "variable \"x\" {\n  default = \n"),
            ],
            &Terraform,
        );
        assert!(d.evidence.iac_resources.is_empty());
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "invalid-hcl");
        assert_eq!(d.diagnostics[0].path.as_deref(), Some("bad/main.tf"));
    }

    #[test]
    fn local_module_paths() {
        let body = crate::parse::hcl::parse("source = \"../shared/net\"\n").expect("hcl");
        assert_eq!(
            local_module_dir("envs/prod", &body).as_deref(),
            Some("envs/shared/net")
        );
        let body = crate::parse::hcl::parse("source = \"../../../x\"\n").expect("hcl");
        assert_eq!(local_module_dir("a", &body), None);
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::iac::detect_fixture("format-terraform", &Terraform);
        // The staging budget has `count = 0`: not created, not counted, noted.
        let notes: Vec<(&str, Option<u32>)> = d
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(notes, [("terraform-not-created", Some(18))]);
        let e = &d.evidence;
        assert_eq!(e.iac_resources.len(), 11);
        // Every AWS resource is tagged through the provider's default_tags, the module's
        // ElastiCache cluster included.
        assert!(
            e.iac_resources
                .iter()
                .filter(|r| r.provider == "aws")
                .all(|r| r.tagged)
        );
        assert!(find(&d, "this").taggable);
        assert_eq!(e.budgets.len(), 1);
        let kinds: Vec<&str> = e.oncall.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "team",
                "schedule",
                "escalation-policy",
                "service",
                "integration"
            ]
        );
    }
}
