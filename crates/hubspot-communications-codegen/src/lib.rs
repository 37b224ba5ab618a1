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

mod error;
pub mod manifest;
pub mod merge;
pub mod patch;
pub mod render;

use std::path::Path;

pub use error::{Error, Result};
pub use manifest::Manifest;

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
