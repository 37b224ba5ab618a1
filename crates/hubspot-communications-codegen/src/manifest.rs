//! `spec/client.toml`: what the generated client is made of.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::{Error, Result};

/// The generator's manifest, read from `client.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The `info` of the merged document (progenitor puts it in the client's docs).
    pub info: Info,
    /// Patch files under `patches/`, applied in this order to the merged document.
    #[serde(default)]
    pub patches: Vec<String>,
    /// The upstream files and the operations taken from each.
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
    /// Generated types replaced by hand-written ones: schema name to Rust path.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
    /// String formats decoded by hand-written types: format name (e.g. `date-time`) to Rust path.
    #[serde(default)]
    pub formats: BTreeMap<String, String>,
    /// A hand-written type the client carries and its hooks can read (progenitor's inner type).
    #[serde(default)]
    pub inner_type: Option<String>,
    /// The function that encodes each path parameter in place of progenitor_client's
    /// `encode_path`, as a Rust path (e.g. `crate::path::encode_segment`).
    #[serde(default)]
    pub path_encoder: Option<String>,
    /// Whether to emit `OPERATION_PATHS`, every operation's path template by operationId,
    /// for a request hook to check URLs against.
    #[serde(default)]
    pub operation_paths: bool,
}

/// The `info` of the merged document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Description, in Markdown.
    #[serde(default)]
    pub description: Option<String>,
}

/// One upstream file and the operations the client takes from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The file name under the upstream folder.
    pub file: String,
    /// Operations as `METHOD /path`, e.g. `GET /crm/v3/objects/communications`.
    pub operations: Vec<String>,
}

impl Manifest {
    /// Reads and checks a manifest.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let manifest: Self = toml::from_str(&text).map_err(|e| Error::Manifest {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        for source in &manifest.sources {
            for operation in &source.operations {
                if parse_operation(operation).is_none() {
                    return Err(Error::Manifest {
                        path: path.to_owned(),
                        message: format!("`{operation}` in {} is not `METHOD /path`", source.file),
                    });
                }
            }
        }
        Ok(manifest)
    }
}

/// Splits `GET /path` into the lower-case method OpenAPI uses as a key, and the path.
pub(crate) fn parse_operation(operation: &str) -> Option<(String, &str)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let (method, path) = operation.split_once(' ')?;
    let method = method.to_ascii_lowercase();
    (METHODS.contains(&method.as_str()) && path.starts_with('/')).then_some((method, path))
}
