//! `api-specs`: API specifications: OpenAPI (and Swagger 2.0), AsyncAPI, protobuf and
//! GraphQL schemas.
//!
//! ## What it recognises
//! - **OpenAPI / Swagger / AsyncAPI**: a YAML or JSON document with a top-level
//!   `openapi: 3.x`, `swagger: "2.0"` or `asyncapi: 2.x` key whose value is a version
//!   number; `title` and `version` come from `info` (the API's version, as written:
//!   `1.0` stays `1.0`). A file is parsed only when its text has such a key at the start
//!   of a line (YAML) or as a JSON property, so other YAML and JSON files are not read as
//!   specifications. The item points at the `openapi`/`swagger`/`asyncapi` key;
//! - **protobuf**: one item per `*.proto` file, `title` = its `package`, `version` = its
//!   `syntax` (`proto3`) or `edition` (`edition 2023`). Copies of other projects' protos
//!   are skipped by path: folders `vendor/`, `third_party/`, `third-party/`,
//!   `thirdparty/`, `external/`, `node_modules/`, and include trees of well-known types
//!   (`google/`, `gogoproto/`, `validate/`, `protoc-gen-openapiv2/`);
//! - **GraphQL**: `*.graphql`, `*.graphqls`, `*.gql` files that define types (`type`,
//!   `schema`, `interface`, `input`, `enum`, `scalar`, `union`, `directive`, `extend`);
//!   files of queries and fragments only are the client's, not a schema.
//!
//! ## Why it matters
//! A written API contract is what clients, tests and on-call engineers read to know what
//! the service promises; it is also where SLIs (which endpoints, which errors) start.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Position;
use crate::evidence::{ApiSpec, Collector, Detector, FileContext, RepoPath, Source};
use crate::parse::yaml::{Node, Value};

pub struct ApiSpecs;

/// Top-level keys of the specification formats, with the format they name.
const SPEC_KEYS: &[(&str, &str)] = &[
    ("openapi", "openapi"),
    ("swagger", "openapi"),
    ("asyncapi", "asyncapi"),
];

/// Folders holding other projects' protos (vendored or include trees).
const PROTO_INCLUDE_DIRS: &[&str] = &[
    "vendor",
    "third_party",
    "third-party",
    "thirdparty",
    "external",
    "node_modules",
    "google",
    "gogoproto",
    "validate",
    "protoc-gen-openapiv2",
];

impl Detector for ApiSpecs {
    fn id(&self) -> &'static str {
        "api-specs"
    }

    fn summary(&self) -> &'static str {
        "API specifications: OpenAPI/Swagger and AsyncAPI documents (top-level `openapi:`, `swagger:`, `asyncapi:` in YAML or JSON), *.proto files (by package) and GraphQL schemas (*.graphql, *.graphqls)"
    }

    fn accepts(&self, path: &RepoPath) -> bool {
        match path.ext().as_str() {
            "proto" => !path.in_dir_named(PROTO_INCLUDE_DIRS),
            "graphql" | "graphqls" | "gql" => !path.in_dir_named(&["node_modules", "vendor"]),
            _ => path.is_yaml() || path.is_json(),
        }
    }

    fn detect(&self, file: &FileContext, out: &mut Collector) {
        match file.path.ext().as_str() {
            "proto" => protobuf(file, out),
            "graphql" | "graphqls" | "gql" => graphql(file, out),
            "json" => self.json_spec(file, out),
            _ => self.yaml_spec(file, out),
        }
    }
}

impl ApiSpecs {
    fn yaml_spec(&self, file: &FileContext, out: &mut Collector) {
        static TOP_KEY: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?m)^["']?(?:openapi|swagger|asyncapi)["']?[ \t]*:"#)
                .expect("valid key pattern")
        });
        let Some(text) = file.text() else {
            return;
        };
        let json_like = text.trim_start().starts_with('{');
        if !(TOP_KEY.is_match(text) || json_like && json_key(text).is_some()) {
            return;
        }
        let Some(docs) = file.yaml(self.id()) else {
            return;
        };
        let path = file.path.as_str();
        for doc in docs {
            let Some((format, key, version)) = SPEC_KEYS
                .iter()
                .find_map(|(name, format)| doc.entry(name).map(|(k, v)| (*format, k, v)))
            else {
                continue;
            };
            if !scalar_text(version, text).is_some_and(|v| looks_like_version(&v)) {
                continue;
            }
            let info = doc.get("info");
            out.evidence.api_specs.push(ApiSpec {
                format: format.to_string(),
                path: path.to_string(),
                title: info
                    .and_then(|i| i.get("title"))
                    .and_then(|t| scalar_text(t, text))
                    .filter(|t| !t.trim().is_empty()),
                version: info
                    .and_then(|i| i.get("version"))
                    .and_then(|v| scalar_text(v, text))
                    .filter(|v| !v.trim().is_empty()),
                source: Source::new(path, Some(key.pos)),
            });
        }
    }

    fn json_spec(&self, file: &FileContext, out: &mut Collector) {
        let Some(text) = file.text() else {
            return;
        };
        let Some(_) = json_key(text) else {
            return;
        };
        let Some(serde_json::Value::Object(doc)) = file.json() else {
            return;
        };
        let Some((name, format, version)) = SPEC_KEYS
            .iter()
            .find_map(|(name, format)| doc.get(*name).map(|v| (*name, *format, v)))
        else {
            return;
        };
        let version = match version {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return,
        };
        if !looks_like_version(&version) {
            return;
        }
        let info_text = |field: &str| -> Option<String> {
            match doc.get("info")?.get(field)? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let path = file.path.as_str();
        out.evidence.api_specs.push(ApiSpec {
            format: format.to_string(),
            path: path.to_string(),
            title: info_text("title"),
            version: info_text("version"),
            source: Source::new(path, Some(key_position(text, name))),
        });
    }
}

/// The first `"openapi":`, `"swagger":` or `"asyncapi":` property in a JSON text.
fn json_key(text: &str) -> Option<regex::Match<'_>> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""(?:openapi|swagger|asyncapi)"\s*:"#).expect("valid key pattern")
    });
    KEY.find(text)
}

/// Line and column of the first `"name"` property in a JSON text.
fn key_position(text: &str, name: &str) -> Position {
    let quoted = format!("\"{name}\"");
    let offset = text.find(&quoted).unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) as u32
        + 1;
    Position::new(line, column)
}

/// `3.0.3`, `2.0`, `3.1`: a specification version.
fn looks_like_version(text: &str) -> bool {
    text.trim().starts_with(|c: char| c.is_ascii_digit())
}

/// A scalar as written in the source: YAML reads `version: 1.0` as the number 1, but the
/// API's version is `1.0`.
fn scalar_text(node: &Node, text: &str) -> Option<String> {
    if let Value::Float(_) = node.value
        && let Some(line) = text.lines().nth(node.pos.line.saturating_sub(1) as usize)
    {
        let written: String = line
            .chars()
            .skip(node.pos.column.saturating_sub(1) as usize)
            .take_while(|c| !c.is_whitespace() && *c != '#' && *c != ',' && *c != '}')
            .collect();
        if !written.is_empty() {
            return Some(written);
        }
    }
    node.scalar_text()
}

/// One item per `.proto` file: its package and syntax (or edition).
fn protobuf(file: &FileContext, out: &mut Collector) {
    static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^\s*(?:(?P<kw>syntax|edition)\s*=\s*["'](?P<v>[\w.]+)["']|package\s+(?P<pkg>[\w.]+)\s*;)"#,
        )
        .expect("valid proto pattern")
    });
    let Some(text) = file.text() else {
        return;
    };
    let mut package = None;
    let mut version = None;
    let mut in_comment = false;
    for line in text.lines() {
        let line = strip_proto_comments(line, &mut in_comment);
        let Some(c) = STATEMENT.captures(&line) else {
            continue;
        };
        if let Some(pkg) = c.name("pkg") {
            package.get_or_insert_with(|| pkg.as_str().to_string());
        } else if let (Some(kw), Some(v)) = (c.name("kw"), c.name("v")) {
            version.get_or_insert_with(|| match kw.as_str() {
                "edition" => format!("edition {}", v.as_str()),
                _ => v.as_str().to_string(),
            });
        }
        if package.is_some() && version.is_some() {
            break;
        }
    }
    let path = file.path.as_str();
    out.evidence.api_specs.push(ApiSpec {
        format: "protobuf".to_string(),
        path: path.to_string(),
        title: package,
        version,
        source: Source::file(path),
    });
}

/// The line without `//` and `/* … */` comments; `in_comment` carries an open block
/// comment to the next line.
fn strip_proto_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("*/") {
                Some(end) => {
                    rest = &rest[end + 2..];
                    *in_comment = false;
                }
                None => return out,
            }
        }
        let line_comment = rest.find("//");
        let block = rest.find("/*");
        match (line_comment, block) {
            (Some(l), Some(b)) if b < l => {
                out.push_str(&rest[..b]);
                rest = &rest[b + 2..];
                *in_comment = true;
            }
            (None, Some(b)) => {
                out.push_str(&rest[..b]);
                rest = &rest[b + 2..];
                *in_comment = true;
            }
            (Some(l), _) => {
                out.push_str(&rest[..l]);
                return out;
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// A GraphQL file that defines types is a schema; one of queries only is not.
fn graphql(file: &FileContext, out: &mut Collector) {
    static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(?:extend\s+)?(?:type|schema|interface|input|enum|scalar|union|directive)\b",
        )
        .expect("valid GraphQL pattern")
    });
    let Some(text) = file.text() else {
        return;
    };
    let mut in_description = false;
    let defines = text.lines().any(|line| {
        let quotes = line.matches("\"\"\"").count();
        let was_in = in_description;
        if quotes % 2 == 1 {
            in_description = !in_description;
        }
        !was_in && quotes == 0 && DEFINITION.is_match(line.split('#').next().unwrap_or(""))
    });
    if !defines {
        return;
    }
    let path = file.path.as_str();
    out.evidence.api_specs.push(ApiSpec {
        format: "graphql".to_string(),
        path: path.to_string(),
        title: None,
        version: None,
        source: Source::file(path),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    fn run(files: &[(&str, &str)]) -> (Vec<ApiSpec>, Vec<Diagnostic>) {
        let d = crate::evidence::testing::detect_files_with(files, &[&ApiSpecs]);
        (d.evidence.api_specs, d.diagnostics)
    }

    type Row<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<u32>,
    );

    fn rows(specs: &[ApiSpec]) -> Vec<Row<'_>> {
        specs
            .iter()
            .map(|s| {
                (
                    s.format.as_str(),
                    s.path.as_str(),
                    s.title.as_deref(),
                    s.version.as_deref(),
                    s.source.line,
                )
            })
            .collect()
    }

    #[test]
    fn openapi_swagger_and_asyncapi_documents() {
        let (specs, diags) = run(&[
            (
                "api/openapi.yaml",
                "# Orders API\nopenapi: 3.0.3\ninfo:\n  title: Orders\n  version: 1.0\npaths: {}\n",
            ),
            (
                "api/swagger.json",
                "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"Legacy\", \"version\": \"0.9.1\"}\n}\n",
            ),
            (
                "events/asyncapi.yml",
                "asyncapi: '2.6.0'\ninfo:\n  title: Order events\n  version: '2'\n",
            ),
            // Not specifications: a nested key, a map value, other JSON and YAML.
            ("config/app.yaml", "server:\n  openapi: true\n"),
            ("config/gen.yaml", "openapi:\n  output: ./gen\n"),
            (
                "package.json",
                "{\"dependencies\": {\"swagger-ui\": \"5\"}}\n",
            ),
            ("broken.json", "{ not json"),
            ("broken.yaml", "a: [\n"),
        ]);
        assert_eq!(
            rows(&specs),
            [
                (
                    "openapi",
                    "api/openapi.yaml",
                    Some("Orders"),
                    Some("1.0"),
                    Some(2)
                ),
                (
                    "openapi",
                    "api/swagger.json",
                    Some("Legacy"),
                    Some("0.9.1"),
                    Some(2)
                ),
                (
                    "asyncapi",
                    "events/asyncapi.yml",
                    Some("Order events"),
                    Some("2"),
                    Some(1)
                ),
            ]
        );
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn protobuf_files_by_package_and_syntax() {
        let (specs, _) = run(&[
            (
                "proto/inventory/v1/inventory.proto",
                "// Inventory service.\n/* package not.this; */\nsyntax = \"proto3\";\n\npackage inventory.v1; // the API\n\nservice Inventory {}\n",
            ),
            ("proto/legacy.proto", "edition = \"2023\";\nmessage X {}\n"),
            (
                "third_party/google/protobuf/empty.proto",
                "syntax = \"proto3\";\npackage google.protobuf;\n",
            ),
            (
                "proto/google/api/http.proto",
                "syntax = \"proto3\";\npackage google.api;\n",
            ),
        ]);
        assert_eq!(
            rows(&specs),
            [
                (
                    "protobuf",
                    "proto/inventory/v1/inventory.proto",
                    Some("inventory.v1"),
                    Some("proto3"),
                    Some(1)
                ),
                (
                    "protobuf",
                    "proto/legacy.proto",
                    None,
                    Some("edition 2023"),
                    Some(1)
                ),
            ]
        );
    }

    #[test]
    fn graphql_schemas_not_queries() {
        let (specs, _) = run(&[
            (
                "schema.graphql",
                "\"\"\"\nThe root\n\"\"\"\ntype Query {\n  item(id: ID!): Item\n}\n",
            ),
            (
                "api/items.graphqls",
                "extend type Query { items: [Item] }\n",
            ),
            (
                "web/queries/getItem.graphql",
                "# type Foo is not here\nquery GetItem {\n  item(id: 1) { name }\n}\n",
            ),
            (
                "web/doc.graphql",
                "\"\"\"\ntype of thing\n\"\"\"\nquery Q { a }\n",
            ),
        ]);
        let paths: Vec<&str> = specs.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["api/items.graphqls", "schema.graphql"]);
        assert!(specs.iter().all(|s| s.format == "graphql"));
    }

    #[test]
    fn fixture() {
        let d = crate::evidence::testing::detect_fixture("format-api-specs", &ApiSpecs);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(
            rows(&d.evidence.api_specs),
            [
                (
                    "asyncapi",
                    "api/events.asyncapi.yaml",
                    Some("Inventory events"),
                    Some("1.2.0"),
                    Some(1)
                ),
                (
                    "openapi",
                    "api/openapi.yaml",
                    Some("Inventory API"),
                    Some("2.1"),
                    Some(1)
                ),
                ("graphql", "graphql/schema.graphqls", None, None, Some(1)),
                (
                    "protobuf",
                    "proto/inventory/v1/inventory.proto",
                    Some("inventory.v1"),
                    Some("proto3"),
                    Some(1)
                ),
            ]
        );
    }
}
