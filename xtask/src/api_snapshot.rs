//! `cargo xtask public-api [--check]`: a listing of each published library's public API,
//! committed under `xtask/public-api/`, so that every change to what a dependent can name shows
//! in review.
//!
//! Each crate is documented as rustdoc JSON on the stable toolchain (`RUSTC_BOOTSTRAP=1` lets
//! stable rustdoc take `-Z unstable-options --output-format json`, as `cargo public-api` and
//! `cargo semver-checks` do), in a target dir of its own (`target/public-api`), and read by the
//! `public-api` library, the engine of `cargo public-api`. That library reads exactly one JSON
//! format version (its `rustdoc-types` dependency's); the JSON's own `format_version` is checked
//! against it first, so a toolchain that moved on is named as such instead of failing to parse.
//!
//! What is listed, and why:
//! - The published crates are the workspace members that may be published and have a library
//!   (found with `cargo metadata`, so a new one is listed without editing this file).
//! - Each with every feature (as docs.rs builds them: `all-features = true`), since the semver
//!   promise covers the documented features, and they are all documented; but for
//!   [`NO_API_FEATURES`], which only choose a backend and would bring OpenSSL into the build.
//!   The header of each listing names the features it was made with.
//! - Every item, impl and trait impl, auto traits (`Send`, `Sync`, `Unpin`…) and derives
//!   included, since losing one breaks a dependent; but not blanket impls (`impl<T> From<T> for
//!   T`, `Any`, `Borrow`…), a dozen lines under every type that follow from the rest.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Where the listings are committed, one `<package>.txt` per published crate: beside the tool
/// that writes them, not in the crates, so that they are not packaged.
pub const SNAPSHOT_DIR: &str = "xtask/public-api";

/// Features that add no API of their own: listing with them would only cost build time.
/// `native-tls` chooses reqwest's TLS backend (and needs OpenSSL's headers to build).
pub const NO_API_FEATURES: &[&str] = &["native-tls"];

/// A published library crate of the workspace.
#[derive(Debug, PartialEq)]
pub struct Published {
    pub package: String,
    /// The library target's name (`hubspot_communications`): rustdoc names its JSON after it.
    pub lib: String,
    /// The features it is documented with, sorted (`default` is always on).
    pub features: Vec<String>,
}

pub fn public_api(root: &Path, check: bool) -> Result<()> {
    let metadata = cargo_metadata(root)?;
    let crates = published(&metadata);
    if crates.is_empty() {
        bail!("no workspace member is a published library");
    }
    let target_dir = metadata["target_directory"]
        .as_str()
        .map(|dir| PathBuf::from(dir).join("public-api"))
        .context("cargo metadata names no target directory")?;
    let jsons = rustdoc_json(root, &target_dir, &crates)?;
    let mut stale = Vec::new();
    for (krate, json) in crates.iter().zip(&jsons) {
        let listing = listing(krate, json)?;
        let name = snapshot_path(&krate.package);
        let path = root.join(&name);
        if check {
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            match diff(&name, &current, &listing) {
                None => println!("{name} is up to date"),
                Some(diff) => {
                    eprint!("{diff}");
                    stale.push(name);
                }
            }
        } else {
            std::fs::create_dir_all(root.join(SNAPSHOT_DIR))
                .with_context(|| format!("cannot create {SNAPSHOT_DIR}"))?;
            std::fs::write(&path, &listing).with_context(|| format!("cannot write {name}"))?;
            println!("wrote {name}");
        }
    }
    if !stale.is_empty() {
        bail!(
            "the public API changed ({}): if the change is meant, run `cargo xtask public-api` \
             and commit the listings with it, so the review shows it (and the CHANGELOG says it)",
            stale.join(", ")
        );
    }
    Ok(())
}

/// `xtask/public-api/<package>.txt`.
pub fn snapshot_path(package: &str) -> String {
    format!("{SNAPSHOT_DIR}/{package}.txt")
}

fn cargo_metadata(root: &Path) -> Result<Value> {
    let output = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The workspace members that may be published (`publish` is not `false`) and have a library,
/// sorted by package name.
pub fn published(metadata: &Value) -> Vec<Published> {
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out: Vec<Published> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| members.contains(&p["id"].as_str().unwrap_or_default()))
        // `publish = false` is `[]` in cargo metadata; null means anywhere.
        .filter(|p| p["publish"].as_array().is_none_or(|to| !to.is_empty()))
        .filter_map(|p| {
            let lib = p["targets"].as_array()?.iter().find(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"))
            })?;
            let mut features: Vec<String> = p["features"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name.clone())
                .filter(|name| name != "default" && !NO_API_FEATURES.contains(&name.as_str()))
                .collect();
            features.sort();
            Some(Published {
                package: p["name"].as_str()?.to_owned(),
                lib: lib["name"].as_str()?.replace('-', "_"),
                features,
            })
        })
        .collect();
    out.sort_by(|a, b| a.package.cmp(&b.package));
    out
}

/// Documents every crate as rustdoc JSON into `target_dir`, in one cargo run so that their
/// dependencies are resolved and checked once (one run per crate checked tokio, hyper, serde
/// and the rest again under each crate's feature set: a cold run took 3 CPU-minutes instead of
/// 2). The unified features change no listing (the listings were the same bytes either way): the
/// crates are documented with every feature that has an API anyway, and the dependencies' types
/// appear only by name. Cargo documents them again on every run (it sees no HTML output, so
/// never thinks them fresh): about 15 s when the dependencies are checked. Answers each crate's
/// JSON path.
fn rustdoc_json(root: &Path, target_dir: &Path, crates: &[Published]) -> Result<Vec<PathBuf>> {
    let mut command = Command::new(cargo());
    // Stable rustdoc takes the JSON output's unstable flag with RUSTC_BOOTSTRAP; nothing else
    // changes. RUSTDOCFLAGS reach only the documented crates (`--no-deps`), not the checks of
    // their dependencies.
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(" -Z unstable-options --output-format json");
    command
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTDOCFLAGS", flags.trim_start())
        .args(["doc", "--locked", "--no-deps", "--lib"])
        .arg("--target-dir")
        .arg(target_dir);
    let mut features = Vec::new();
    for krate in crates {
        command.args(["-p", &krate.package]);
        features.extend(
            krate
                .features
                .iter()
                .map(|f| format!("{}/{f}", krate.package)),
        );
    }
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let status = command.status().context("cannot run cargo doc")?;
    if !status.success() {
        bail!("cargo doc (rustdoc JSON) failed");
    }
    Ok(crates
        .iter()
        .map(|krate| target_dir.join("doc").join(format!("{}.json", krate.lib)))
        .collect())
}

/// The committed text: a header naming how it was made, then one line per public item in
/// `public-api`'s order (sorted by path, each item's members grouped under it).
pub fn listing(krate: &Published, json: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(json).with_context(|| format!("cannot read {}", json.display()))?;
    check_format_version(&text)?;
    let api = public_api::Builder::from_rustdoc_json(json)
        .omit_blanket_impls(true)
        .build()
        .with_context(|| format!("cannot read the public API in {}", json.display()))?;
    let features = if krate.features.is_empty() {
        "default".to_owned()
    } else {
        format!("default, {}", krate.features.join(", "))
    };
    Ok(format!(
        "// @generated by `cargo xtask public-api`: the public API of {}, features: {features}.\n\
         // Blanket impls omitted. Do not edit: a change here is a change to what dependents see.\n\
         {api}",
        krate.package
    ))
}

/// The `format_version` of a rustdoc JSON document, found without parsing the rest (a compact
/// document of megabytes; rustdoc writes the key once, at the top level, and inside a JSON
/// string the quotes around it would be escaped).
pub fn format_version(json: &str) -> Option<u32> {
    const KEY: &str = "\"format_version\":";
    let start = json.rfind(KEY)? + KEY.len();
    let rest = json[start..].trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn check_format_version(json: &str) -> Result<()> {
    let found = format_version(json).context("the rustdoc JSON has no format_version")?;
    let read = rustdoc_types::FORMAT_VERSION;
    if found != read {
        bail!(
            "rustdoc wrote JSON format {found}, and the pinned public-api reads format {read}: \
             move the `public-api` pin in Cargo.toml to the release built on the rustdoc-types \
             of format {found} (and `rustdoc-types` with it)"
        );
    }
    Ok(())
}

/// A unified diff from the committed listing to the fresh one, or `None` when they agree.
pub fn diff(name: &str, committed: &str, fresh: &str) -> Option<String> {
    if committed == fresh {
        return None;
    }
    Some(
        similar::TextDiff::from_lines(committed, fresh)
            .unified_diff()
            .context_radius(2)
            .header(&format!("{name} (committed)"), "the code's public API")
            .to_string(),
    )
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
