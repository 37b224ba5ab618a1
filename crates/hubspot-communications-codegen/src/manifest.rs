//! `spec/client.toml`: what the generated client is made of.

use std::collections::BTreeMap;
use std::path::Path;

use progenitor_impl::TypeImpl;
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
    /// Generated types replaced by hand-written ones: component schema name to the type.
    #[serde(default)]
    pub replace: BTreeMap<String, Replacement>,
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
    /// The hand-written struct the `API_VERSIONS` table is made of, as a Rust path (e.g.
    /// `crate::ApiVersionPaths`); with it, the table is emitted (it needs `[[version]]`s).
    #[serde(default)]
    pub version_table: Option<String>,
    /// The API versions the client speaks, each with the base path of every family of
    /// operations. Empty for a client whose paths are not version-relative.
    #[serde(default, rename = "version")]
    pub versions: Vec<Version>,
    /// Families whose operations the merged document keys under a prefix of their own
    /// (family name to prefix, e.g. `properties = "/properties"`), because their
    /// version-relative paths are another family's: the properties API's `GET /{objectType}`
    /// is the objects API's list. The generated client leaves the prefix out of its URLs and
    /// of `OPERATION_PATHS` (a client for the family is built on the family's base URL).
    #[serde(default, rename = "namespace")]
    pub namespaces: BTreeMap<String, String>,
}

/// One API version (`v3`, `2026-09`, …): the base path of each family of operations. Sources
/// of this version name a family; the generator strips its base from their paths, so that an
/// operation the versions share is generated once.
#[derive(Debug, Clone, Deserialize)]
pub struct Version {
    /// The version's name, as the `API_VERSIONS` table gives it.
    pub name: String,
    /// Family name (a field of the version table's struct) to base path, e.g.
    /// `objects = "/crm/objects/2026-09"`. Every version declares the same families.
    #[serde(flatten)]
    pub families: BTreeMap<String, String>,
}

/// A hand-written type that replaces the one generated for a component schema (progenitor's
/// `with_replacement`), with the traits it implements: the generator relies on them where the
/// type is used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Replacement {
    /// `Name = "crate::Type"`: an enum that implements `Display` and `FromStr`, as the enums
    /// typify generates do.
    Enum(String),
    /// `Name = { type = "crate::Type", impls = ["Default"] }`: any type, e.g. a struct whose
    /// `Debug` must not print a secret, with the traits among `Display`, `FromStr` and
    /// `Default` it implements.
    Type(ReplacementType),
}

/// The table form of a [`Replacement`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplacementType {
    /// The Rust path, e.g. `crate::CreateTokenBody`.
    #[serde(rename = "type")]
    pub rust_type: String,
    /// The traits it implements, by name: `Display`, `FromStr`, `Default`.
    #[serde(default)]
    pub impls: Vec<String>,
}

impl Replacement {
    /// The Rust path of the type.
    pub fn rust_type(&self) -> &str {
        match self {
            Self::Enum(rust_type) => rust_type,
            Self::Type(replacement) => &replacement.rust_type,
        }
    }

    /// The traits the type implements, as progenitor names them.
    pub fn impls(&self) -> Result<Vec<TypeImpl>, String> {
        match self {
            Self::Enum(_) => Ok(vec![TypeImpl::Display, TypeImpl::FromStr]),
            Self::Type(replacement) => replacement
                .impls
                .iter()
                .map(|name| {
                    name.parse()
                        .map_err(|_| format!("`{name}` is not one of Display, FromStr, Default"))
                })
                .collect(),
        }
    }
}

/// The `info` of the merged document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    /// The document's title, e.g. "HubSpot CRM Communications".
    pub title: String,
    /// The versions the document covers, e.g. "v3, 2026-03, 2026-09" (progenitor's
    /// `api-version` header would carry it; the client's hook drops that header).
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
    /// The API version the file belongs to (a `[[version]]` name); with versions only.
    #[serde(default)]
    pub version: Option<String>,
    /// Instead of `version`: every version whose client calls this file's operations (an API
    /// HubSpot publishes in one version only, such as the webhooks journal's 2026-03, which
    /// every version's client calls, as v3's calls OAuth v1). [`Manifest::load`] reads such a
    /// source as one source per version, so the operations are merged once and listed in
    /// each version's `x-versions`.
    #[serde(default)]
    pub versions: Vec<String>,
    /// The family its operations belong to (a family of that version), whose base path is
    /// stripped from each operation's path; with versions only.
    #[serde(default)]
    pub family: Option<String>,
    /// Operations as `METHOD /path`, written as the upstream file writes them, e.g.
    /// `GET /crm/v3/objects/{objectType}`.
    pub operations: Vec<String>,
    /// Patch files under `patches/` applied to this file alone, in order, before the merge:
    /// for what one version defines differently from the others (a parameter or a body
    /// property only it has) where the merge rightly refuses to guess, so that the versions'
    /// operations agree. Each operation says why, like every patch.
    #[serde(default)]
    pub patches: Vec<String>,
}

impl Manifest {
    /// Reads and checks a manifest.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut manifest: Self = toml::from_str(&text).map_err(|e| Error::Manifest {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        manifest
            .expand_versions()
            .map_err(|message| Error::Manifest {
                path: path.to_owned(),
                message,
            })?;
        manifest.check().map_err(|message| Error::Manifest {
            path: path.to_owned(),
            message,
        })?;
        Ok(manifest)
    }

    /// Reads each source of several `versions` as one source per version (in the order
    /// given), so that the rest of the generator sees sources of one version each. Fails for a
    /// source that names both `version` and `versions`.
    pub fn expand_versions(&mut self) -> Result<(), String> {
        let mut expanded = Vec::with_capacity(self.sources.len());
        for source in std::mem::take(&mut self.sources) {
            if source.versions.is_empty() {
                expanded.push(source);
                continue;
            }
            if source.version.is_some() {
                return Err(format!(
                    "{}: a source names `version` or `versions`, not both",
                    source.file
                ));
            }
            for version in &source.versions {
                expanded.push(Source {
                    version: Some(version.clone()),
                    versions: Vec::new(),
                    ..source.clone()
                });
            }
        }
        self.sources = expanded;
        Ok(())
    }

    /// What `load` checks: every operation is `METHOD /path`; with versions, every source
    /// names a declared version and family, and every operation lies under the family's base.
    pub fn check(&self) -> Result<(), String> {
        let families = self
            .versions
            .first()
            .map(|v| v.families.keys().collect::<Vec<_>>());
        for version in &self.versions {
            if Some(version.families.keys().collect::<Vec<_>>()) != families {
                return Err(format!(
                    "version `{}` does not declare the same families as `{}`",
                    version.name, self.versions[0].name
                ));
            }
            if let Some((family, base)) = version
                .families
                .iter()
                .find(|(_, base)| !base.starts_with('/') || base.ends_with('/'))
            {
                return Err(format!(
                    "version `{}`: the base path of `{family}` must start with `/` and not end with one, not `{base}`",
                    version.name
                ));
            }
        }
        let mut names: Vec<&str> = self.versions.iter().map(|v| v.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err("a version is declared twice".into());
        }
        for (schema, replacement) in &self.replace {
            replacement
                .impls()
                .map_err(|e| format!("[replace] {schema}: {e}"))?;
        }
        for (family, prefix) in &self.namespaces {
            if !families.as_ref().is_some_and(|f| f.contains(&family)) {
                return Err(format!(
                    "[namespace] `{family}` is not a family of the `[[version]]`s"
                ));
            }
            let segment = prefix.strip_prefix('/').unwrap_or_default();
            if segment.is_empty() || segment.contains(['/', '{', '}']) {
                return Err(format!(
                    "[namespace] `{family}`: the prefix must be one literal segment such as `/{family}`, not `{prefix}`"
                ));
            }
        }
        let mut prefixes: Vec<&String> = self.namespaces.values().collect();
        prefixes.sort_unstable();
        if prefixes.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err("[namespace]: two families have one prefix".into());
        }
        if self.version_table.is_some() && self.versions.is_empty() {
            return Err("`version_table` needs at least one `[[version]]`".into());
        }
        for source in &self.sources {
            if !source.versions.is_empty() {
                return Err(format!(
                    "{}: `versions` not expanded (Manifest::expand_versions)",
                    source.file
                ));
            }
            let base = self.base(source)?;
            for operation in &source.operations {
                let Some((_, path)) = parse_operation(operation) else {
                    return Err(format!(
                        "`{operation}` in {} is not `METHOD /path`",
                        source.file
                    ));
                };
                if let Some(base) = base
                    && relative(base, path).is_none()
                {
                    return Err(format!(
                        "`{operation}` in {} does not lie under its family's base `{base}`",
                        source.file
                    ));
                }
            }
        }
        Ok(())
    }

    /// The base path of a source's family, or `None` for a manifest without versions.
    pub(crate) fn base(&self, source: &Source) -> Result<Option<&str>, String> {
        match (&source.version, &source.family, self.versions.is_empty()) {
            (None, None, true) => Ok(None),
            (Some(version), Some(family), false) => {
                let declared = self
                    .versions
                    .iter()
                    .find(|v| &v.name == version)
                    .ok_or_else(|| {
                        format!("{}: no `[[version]]` is named `{version}`", source.file)
                    })?;
                declared
                    .families
                    .get(family)
                    .map(|base| Some(base.as_str()))
                    .ok_or_else(|| {
                        format!(
                            "{}: version `{version}` has no family `{family}`",
                            source.file
                        )
                    })
            }
            (_, _, true) => Err(format!(
                "{}: `version` and `family` need `[[version]]` tables",
                source.file
            )),
            (_, _, false) => Err(format!(
                "{}: with `[[version]]` tables, every source names its `version` and `family`",
                source.file
            )),
        }
    }
}

impl Manifest {
    /// The prefix the merged document keys a family's operations under, if it has one.
    pub fn namespace(&self, family: Option<&str>) -> Option<&str> {
        family
            .and_then(|family| self.namespaces.get(family))
            .map(String::as_str)
    }

    /// An operation's path as the generated client sends it, relative to its family's base:
    /// the document's key without the family's namespace prefix, if it has one.
    pub fn client_path<'a>(&self, document_path: &'a str) -> &'a str {
        self.namespaces
            .values()
            .find_map(|prefix| {
                document_path
                    .strip_prefix(prefix.as_str())
                    .filter(|rest| rest.starts_with('/'))
            })
            .unwrap_or(document_path)
    }
}

/// `path` without the family's `base` (`/crm/v3/objects/{objectType}` under `/crm/v3/objects`
/// is `/{objectType}`), if it lies under it.
pub(crate) fn relative<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    path.strip_prefix(base).filter(|rest| rest.starts_with('/'))
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
