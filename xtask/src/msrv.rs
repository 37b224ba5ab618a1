//! `cargo xtask msrv`: no dependency may need a newer Rust than the workspace declares.
//!
//! This machine has one toolchain, so the MSRV cannot be compiled against here. Two checks stand
//! in for it: this one (every resolved package's `rust-version` is at most ours), and clippy's
//! `incompatible_msrv` lint (on by default, denied in CI), which flags std APIs newer than ours.
//! With rustup and network, `cargo +1.88 check --workspace` is the full check.

use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

pub fn msrv(root: &std::path::Path) -> Result<()> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    let ours = workspace_rust_version(&metadata)?;
    let too_new = packages_newer_than(&metadata, ours);
    if !too_new.is_empty() {
        bail!(
            "these dependencies need a newer Rust than the declared rust-version {}.{}:\n  {}",
            ours.0,
            ours.1,
            too_new.join("\n  ")
        );
    }
    println!(
        "every dependency builds with Rust {}.{} (rust-version)",
        ours.0, ours.1
    );
    Ok(())
}

fn workspace_rust_version(metadata: &Value) -> Result<(u64, u64)> {
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| members.contains(&p["id"].as_str().unwrap_or_default()))
        .filter_map(|p| p["rust_version"].as_str().and_then(parse))
        .max()
        .context("no workspace member declares rust-version")
}

fn packages_newer_than(metadata: &Value, ours: (u64, u64)) -> Vec<String> {
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let version = p["rust_version"].as_str()?;
            (parse(version)? > ours).then(|| {
                format!(
                    "{} {} needs {version}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect()
}

/// `1.88` or `1.88.0` as (1, 88).
fn parse(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_only_packages_needing_a_newer_rust() {
        let metadata = serde_json::json!({
            "workspace_members": ["ours"],
            "packages": [
                {"id": "ours", "name": "ours", "version": "0.1.0", "rust_version": "1.88"},
                {"id": "old", "name": "old", "version": "1.0.0", "rust_version": "1.70.0"},
                {"id": "none", "name": "none", "version": "1.0.0", "rust_version": null},
                {"id": "new", "name": "new", "version": "2.0.0", "rust_version": "1.90"}
            ]
        });
        let ours = workspace_rust_version(&metadata).unwrap();
        assert_eq!(ours, (1, 88));
        assert_eq!(
            packages_newer_than(&metadata, ours),
            ["new 2.0.0 needs 1.90"]
        );
    }
}
