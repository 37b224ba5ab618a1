//! The generator behind `hubspot-communications-raw`.
//!
//! It turns HubSpot's published OpenAPI files into one Rust client, in four steps that each
//! live in their own module:
//!
//! 1. [`manifest`]: `spec/client.toml` says which operations of which upstream file the client
//!    needs, which patches to apply, and which generated types and string formats to replace
//!    with hand-written types.
//! 2. [`merge`]: the selected operations of every file become one OpenAPI document. With API
//!    versions, each file's family base path is stripped, so an operation several versions
//!    share is one operation; operations and schemas that several files define must agree (or
//!    differ only as [`merge`] allows). Where one version departs from the others, a patch of
//!    that source alone (its `patches` in the manifest) makes them agree before the merge.
//! 3. [`patch`]: the project's RFC 6902 patches mend the defects of HubSpot's spec, each
//!    operation with its reason; schemas no operation reaches are then pruned.
//! 4. [`render`]: progenitor (builder interface) emits the client, prettyplease formats it;
//!    then the tables of our own (`OPERATION_PATHS`, `API_VERSIONS`).
//!
//! The output is a pure function of its inputs: the same files give the same bytes.

#![warn(missing_docs)]

pub mod manifest;
pub mod merge;
pub mod patch;
pub mod render;

use std::path::{Path, PathBuf};

pub use manifest::Manifest;

/// Everything that can stop a generation, each naming the file or operation at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error that stopped the read.
        source: std::io::Error,
    },
    /// `client.toml` is not valid.
    #[error("invalid manifest {path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An upstream spec or a patch file is not valid JSON of the expected shape.
    #[error("invalid JSON in {path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The manifest names an operation the upstream file does not have.
    #[error("{file} has no operation `{operation}` (did HubSpot remove or rename it?)")]
    MissingOperation {
        /// The upstream file.
        file: String,
        /// `METHOD /path` as written in the manifest.
        operation: String,
    },
    /// Two upstream files define one schema name differently.
    #[error(
        "schema `{name}` differs between {first} and {second}; add a patch that reconciles them"
    )]
    SchemaConflict {
        /// The schema name.
        name: String,
        /// The file that defined it first.
        first: String,
        /// The file that defines it differently.
        second: String,
    },
    /// Two upstream files define the same path and method.
    #[error("operation `{operation}` is selected from both {first} and {second}")]
    DuplicateOperation {
        /// `METHOD /path`.
        operation: String,
        /// The first file.
        first: String,
        /// The second file.
        second: String,
    },
    /// Two versions define one operation differently (beyond what the merge reconciles).
    #[error(
        "operation `{operation}` differs between {first} and {second} ({what}); mend it in a patch of one source (`patches` of its `[[source]]`) or select it from one version"
    )]
    OperationConflict {
        /// `METHOD /path`, the path version-relative.
        operation: String,
        /// The file that defined it first.
        first: String,
        /// The file that defines it differently.
        second: String,
        /// What differs.
        what: String,
    },
    /// A patch operation has no `reason` member.
    #[error(
        "{file}: operation #{index} has no \"reason\"; every patch operation must say why it exists"
    )]
    UnexplainedPatch {
        /// The patch file.
        file: String,
        /// The operation's index in the file.
        index: usize,
    },
    /// A patch operation did not apply (its target moved upstream, or a `test` failed).
    #[error(
        "{file}: operation #{index} ({operation}) does not apply: {message}\n  reason given: {reason}"
    )]
    PatchFailed {
        /// The patch file.
        file: String,
        /// The operation's index in the file.
        index: usize,
        /// The operation, as JSON.
        operation: String,
        /// Why it exists.
        reason: String,
        /// What went wrong.
        message: String,
    },
    /// The patched document is not an OpenAPI 3.0 document openapiv3 accepts.
    #[error("the patched document is not valid OpenAPI 3.0: {0}")]
    OpenApi(String),
    /// Progenitor refused the document.
    #[error("progenitor cannot generate a client from the patched document: {0}")]
    Progenitor(String),
    /// An operation's path has a segment that mixes literal text and a parameter, which the
    /// URL check that `operation_paths` serves cannot verify.
    #[error(
        "operation `{operation}`: path `{path}` has a segment mixing text and a parameter; `operation_paths` needs each parameter to be a whole segment"
    )]
    UncheckablePath {
        /// The operationId.
        operation: String,
        /// The path template.
        path: String,
    },
    /// An operation of a versioned client does not say which versions define it.
    #[error(
        "operation `{0}` has no `x-versions`: an operation a patch adds must list the versions that have it"
    )]
    UnversionedOperation(String),
    /// Progenitor's output did not parse as Rust.
    #[error("progenitor's output does not parse as Rust: {0}")]
    Syntax(String),
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Generates the client described by the manifest at `spec_dir/client.toml`, reading the
/// upstream files from `upstream_dir` and the patches from `spec_dir/patches`.
///
/// Returns formatted Rust source, without a header.
pub fn generate(spec_dir: &Path, upstream_dir: &Path) -> Result<String> {
    let document = patched_document(spec_dir, upstream_dir)?;
    let manifest = Manifest::load(&spec_dir.join("client.toml"))?;
    render::render(&document, &manifest)
}

/// Merges and patches the upstream files as the manifest says, and prunes what no operation
/// reaches: the exact document progenitor is given. `cargo xtask` uses it to show what an
/// upstream change does to the API.
pub fn patched_document(spec_dir: &Path, upstream_dir: &Path) -> Result<serde_json::Value> {
    let manifest = Manifest::load(&spec_dir.join("client.toml"))?;
    let mut sources = Vec::with_capacity(manifest.sources.len());
    for source in &manifest.sources {
        let path = upstream_dir.join(&source.file);
        let mut document = read_json(&path)?;
        for name in &source.patches {
            let path = spec_dir.join("patches").join(name);
            patch::Patch::parse(name, &read_json(&path)?)?.apply(&mut document)?;
        }
        sources.push((source, document));
    }
    let mut document = merge::merge(&manifest, &sources)?;
    for name in &manifest.patches {
        let path = spec_dir.join("patches").join(name);
        let patch = patch::Patch::parse(name, &read_json(&path)?)?;
        patch.apply(&mut document)?;
    }
    merge::prune_unreachable(&mut document);
    Ok(document)
}

pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
