//! Dashboard JSON models, shared by the detectors that find dashboards in JSON files, in
//! Kubernetes YAML and in Terraform: the Grafana dashboard model, and the widget lists of
//! Datadog, CloudWatch and Google Cloud Monitoring dashboards.

use serde_json::{Map, Value};

/// Nested rows deeper than this are not followed.
const MAX_ROW_DEPTH: u8 = 4;

/// What a Grafana dashboard model says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct GrafanaDashboard {
    pub title: Option<String>,
    /// Panels, counting those nested in rows, not counting the rows themselves.
    pub panels: u32,
    /// The JSON model holding `panels`/`rows` (for legacy panel alerts).
    pub model: Option<Map<String, Value>>,
}

/// Whether a text may hold a Grafana dashboard: the cheap test before parsing.
pub fn may_hold_grafana_dashboard(text: &str) -> bool {
    text.contains("\"panels\"") || text.contains("\"rows\"") || text.contains("\"elements\"")
}

/// Whether a JSON file reads as a Grafana dashboard before it is parsed: it has panels and
/// the settings every exported dashboard carries (`schemaVersion`), or panels that look
/// like Grafana panels (`gridPos`, `targets`, `datasource`), or is a `dashboard.grafana.app`
/// resource. Stricter than [`may_hold_grafana_dashboard`], so that other JSON with a
/// `rows` or `panels` key is not parsed (and, when broken, not reported as a dashboard).
pub fn may_be_grafana_dashboard_file(text: &str) -> bool {
    may_hold_grafana_dashboard(text)
        && (text.contains("\"schemaVersion\"")
            || text.contains("dashboard.grafana.app/")
            || ["\"gridPos\"", "\"targets\"", "\"datasource\""]
                .iter()
                .any(|k| text.contains(k)))
}

/// Parses JSON. serde_json refuses nesting deeper than 128 levels with an error (not a
/// stack overflow), so hostile input costs nothing more than a failed parse.
pub fn parse_json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// The Grafana dashboard a JSON value holds: a dashboard model (`panels` or `rows`, with a
/// `schemaVersion`, or a `title` next to other dashboard settings), the HTTP API's
/// `{"dashboard": …, "meta": …}` wrapper, or a `dashboard.grafana.app` resource (schema v1
/// `spec` holding the model, schema v2 `spec.elements`).
pub fn grafana_dashboard(value: &Value) -> Option<GrafanaDashboard> {
    let obj = value.as_object()?;
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if api_version.starts_with("dashboard.grafana.app/")
        && obj.get("kind").and_then(Value::as_str) == Some("Dashboard")
    {
        let spec = obj.get("spec")?.as_object()?;
        let title = string(spec, "title").or_else(|| {
            obj.get("metadata")
                .and_then(Value::as_object)
                .and_then(|m| string(m, "name"))
        });
        if let Some(elements) = spec.get("elements").and_then(Value::as_object) {
            let panels = elements
                .values()
                .filter(|e| {
                    matches!(
                        e.get("kind").and_then(Value::as_str),
                        Some("Panel" | "LibraryPanel")
                    )
                })
                .count() as u32;
            return Some(GrafanaDashboard {
                title,
                panels,
                model: None,
            });
        }
        if has_panels(spec) {
            return Some(GrafanaDashboard {
                title,
                panels: count_model(spec),
                model: Some(spec.clone()),
            });
        }
        return None;
    }
    if let Some(inner) = obj.get("dashboard").and_then(Value::as_object)
        && is_model(inner)
    {
        return Some(model_dashboard(inner));
    }
    is_model(obj).then(|| model_dashboard(obj))
}

fn model_dashboard(model: &Map<String, Value>) -> GrafanaDashboard {
    GrafanaDashboard {
        title: string(model, "title"),
        panels: count_model(model),
        model: Some(model.clone()),
    }
}

fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn has_panels(obj: &Map<String, Value>) -> bool {
    obj.get("panels").is_some_and(Value::is_array) || obj.get("rows").is_some_and(Value::is_array)
}

/// A dashboard model, told from other JSON that has a `panels` list by the settings every
/// exported dashboard carries.
fn is_model(obj: &Map<String, Value>) -> bool {
    if !has_panels(obj) {
        return false;
    }
    if obj.get("schemaVersion").is_some_and(Value::is_number) {
        return true;
    }
    obj.get("title").is_some_and(Value::is_string)
        && [
            "uid",
            "time",
            "templating",
            "annotations",
            "timezone",
            "refresh",
        ]
        .iter()
        .any(|k| obj.contains_key(*k))
}

fn count_model(model: &Map<String, Value>) -> u32 {
    let top = model
        .get("panels")
        .and_then(Value::as_array)
        .map_or(0, |p| count_panels(p, 0));
    let rows: u32 = model
        .get("rows")
        .and_then(Value::as_array)
        .map_or(0, |rows| {
            rows.iter()
                .filter_map(|r| r.get("panels").and_then(Value::as_array))
                .map(|p| count_panels(p, 1))
                .sum()
        });
    top + rows
}

/// Panels in a list; a row (`"type": "row"`) counts for the panels it holds.
fn count_panels(panels: &[Value], depth: u8) -> u32 {
    panels
        .iter()
        .filter_map(Value::as_object)
        .map(|p| {
            if p.get("type").and_then(Value::as_str) == Some("row") {
                if depth >= MAX_ROW_DEPTH {
                    return 0;
                }
                p.get("panels")
                    .and_then(Value::as_array)
                    .map_or(0, |nested| count_panels(nested, depth + 1))
            } else {
                1
            }
        })
        .sum()
}

/// Every panel of a dashboard model, rows' nested panels included (rows themselves are
/// not panels).
pub fn panels(model: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    fn collect<'a>(list: &'a [Value], depth: u8, out: &mut Vec<&'a Map<String, Value>>) {
        for p in list.iter().filter_map(Value::as_object) {
            if p.get("type").and_then(Value::as_str) == Some("row") {
                if depth < MAX_ROW_DEPTH
                    && let Some(nested) = p.get("panels").and_then(Value::as_array)
                {
                    collect(nested, depth + 1, out);
                }
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(list) = model.get("panels").and_then(Value::as_array) {
        collect(list, 0, &mut out);
    }
    for row in model
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(list) = row.get("panels").and_then(Value::as_array) {
            collect(list, 1, &mut out);
        }
    }
    out
}

/// Widgets of a Datadog dashboard JSON (`widgets`, group widgets counted by what they
/// hold) or of a CloudWatch dashboard body (`widgets`).
pub fn count_widgets(value: &Value) -> u32 {
    fn count(list: &[Value], depth: u8) -> u32 {
        list.iter()
            .map(|w| {
                let nested = w
                    .get("definition")
                    .and_then(|d| d.get("widgets"))
                    .and_then(Value::as_array);
                match nested {
                    Some(inner) if depth < MAX_ROW_DEPTH => count(inner, depth + 1),
                    _ => 1,
                }
            })
            .sum()
    }
    value
        .get("widgets")
        .and_then(Value::as_array)
        .map_or(0, |w| count(w, 0))
}

/// Widgets of a Google Cloud Monitoring dashboard JSON, whichever layout it uses.
pub fn count_google_widgets(value: &Value) -> u32 {
    let len = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, |a| a.len() as u32);
    let nested = |layout: &str, list: &str| -> u32 {
        value
            .get(layout)
            .and_then(|l| l.get(list))
            .and_then(Value::as_array)
            .map_or(0, |items| items.iter().map(|i| len(i.get("widgets"))).sum())
    };
    len(value.pointer("/mosaicLayout/tiles"))
        + len(value.pointer("/gridLayout/widgets"))
        + nested("rowLayout", "rows")
        + nested("columnLayout", "columns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn panels_are_counted_through_rows() {
        let d = json!({
            "title": "Checkout",
            "uid": "abc",
            "schemaVersion": 39,
            "panels": [
                {"type": "timeseries", "title": "Requests"},
                {"type": "row", "title": "Latency", "collapsed": true, "panels": [
                    {"type": "heatmap"}, {"type": "stat"}
                ]},
                {"type": "row", "title": "Open row", "panels": []},
                {"type": "stat"}
            ]
        });
        let g = grafana_dashboard(&d).unwrap();
        assert_eq!(g.title.as_deref(), Some("Checkout"));
        assert_eq!(g.panels, 4);
        assert_eq!(panels(g.model.as_ref().unwrap()).len(), 4);
    }

    #[test]
    fn legacy_rows_api_wrapper_and_resources() {
        let legacy = json!({"title": "Old", "schemaVersion": 14, "rows": [
            {"panels": [{"type": "graph"}, {"type": "graph"}]}, {"panels": [{"type": "text"}]}
        ]});
        assert_eq!(grafana_dashboard(&legacy).unwrap().panels, 3);
        let wrapped = json!({"meta": {"slug": "x"}, "dashboard": {"title": "W", "uid": "w", "panels": [{"type": "stat"}]}});
        assert_eq!(
            grafana_dashboard(&wrapped).unwrap().title.as_deref(),
            Some("W")
        );
        let v1 = json!({"apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard",
            "metadata": {"name": "adw"}, "spec": {"title": "Quotas", "panels": [{"type": "timeseries"}]}});
        assert_eq!(grafana_dashboard(&v1).unwrap().panels, 1);
        let v2 = json!({"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard",
            "metadata": {"name": "n"}, "spec": {"title": "T", "elements": {
                "panel-1": {"kind": "Panel"}, "panel-2": {"kind": "LibraryPanel"}}}});
        let g = grafana_dashboard(&v2).unwrap();
        assert_eq!((g.title.as_deref(), g.panels), (Some("T"), 2));
    }

    #[test]
    fn other_json_with_panels_is_not_a_dashboard() {
        assert!(grafana_dashboard(&json!({"panels": [1, 2]})).is_none());
        assert!(grafana_dashboard(&json!({"title": "x", "panels": []})).is_none());
        assert!(grafana_dashboard(&json!([{"panels": []}])).is_none());
        assert!(grafana_dashboard(&json!({"title": "x", "uid": "y", "panels": "no"})).is_none());
    }

    #[test]
    fn deep_nesting_fails_to_parse_without_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_json(&deep), None);
        let panels = format!(
            "{{\"title\": \"t\", \"schemaVersion\": 1, \"panels\": {}{}}}",
            "[".repeat(120),
            "]".repeat(120)
        );
        assert_eq!(
            parse_json(&panels)
                .and_then(|v| grafana_dashboard(&v))
                .map(|g| g.panels),
            Some(0)
        );
    }

    #[test]
    fn widgets_of_other_tools() {
        let dd = json!({"title": "x", "widgets": [
            {"definition": {"type": "timeseries"}},
            {"definition": {"type": "group", "widgets": [{"definition": {}}, {"definition": {}}]}}
        ]});
        assert_eq!(count_widgets(&dd), 3);
        let google = json!({"displayName": "g", "mosaicLayout": {"tiles": [{}, {}]},
            "rowLayout": {"rows": [{"widgets": [{}, {}, {}]}]}});
        assert_eq!(count_google_widgets(&google), 5);
    }
}
