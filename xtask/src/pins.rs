//! `spec/pins.toml`, and the `fetch` and `pin` commands that read and move it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::download;

/// The pin file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// `owner/name` of HubSpot's spec repository on GitHub.
    pub repository: String,
    /// The pinned files.
    #[serde(rename = "file")]
    pub files: Vec<Pin>,
}

/// One pinned upstream file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The local name, under spec/upstream/.
    pub name: String,
    /// The path in the upstream repository.
    pub path: String,
    /// The upstream commit.
    pub commit: String,
    /// The sha256 of the file at that commit.
    pub sha256: String,
}

const PINS_HEADER: &str = "\
# The upstream files the client is generated from: HubSpot's published OpenAPI specs, pinned by
# commit and sha256. `cargo xtask fetch` downloads them into spec/upstream/ (git-ignored) and
# verifies each hash; `cargo xtask pin <commit>` moves the pins and shows what changed.
# Written by `cargo xtask pin`; edit by hand only to add or remove a file.
";

impl Pins {
    pub fn path(root: &Path) -> PathBuf {
        root.join("spec/pins.toml")
    }

    pub fn load(root: &Path) -> Result<Self> {
        let path = Self::path(root);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))
    }

    fn save(&self, root: &Path) -> Result<()> {
        let body = toml::to_string(self)?;
        let path = Self::path(root);
        std::fs::write(&path, format!("{PINS_HEADER}\n{body}"))
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

pub fn upstream_dir(root: &Path) -> PathBuf {
    root.join("spec/upstream")
}

/// `cargo xtask fetch`.
pub fn fetch(root: &Path, from: Option<&Path>) -> Result<()> {
    let pins = Pins::load(root)?;
    let dir = upstream_dir(root);
    std::fs::create_dir_all(&dir)?;
    for pin in &pins.files {
        let bytes = obtain(&pins.repository, pin, &pin.commit, from)?;
        let actual = sha256(&bytes);
        ensure!(
            actual == pin.sha256,
            "{}: sha256 mismatch\n  expected {} (spec/pins.toml)\n  got      {actual}\n\
             The file is not the pinned one; if HubSpot's file is meant to change, move the pin \
             with `cargo xtask pin <commit>`.",
            pin.name,
            pin.sha256,
        );
        std::fs::write(dir.join(&pin.name), &bytes)?;
        println!("fetched {} ({} bytes, sha256 ok)", pin.name, bytes.len());
    }
    Ok(())
}

/// `cargo xtask pin`: moves every pin to `commit`; returns the report of what changed in the API.
pub fn pin(root: &Path, commit: &str, from: Option<&Path>) -> Result<String> {
    ensure!(
        commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
        "`{commit}` is not a full 40-hex-digit commit"
    );
    let mut pins = Pins::load(root)?;
    let dir = upstream_dir(root);
    std::fs::create_dir_all(&dir)?;
    let mut changed = false;
    let mut report = String::new();
    for pin in &mut pins.files {
        let bytes = obtain(&pins.repository, pin, commit, from)?;
        let new_sha = sha256(&bytes);
        let local = dir.join(&pin.name);
        if new_sha == pin.sha256 {
            let _ = writeln!(report, "{}: unchanged", pin.name);
        } else {
            changed = true;
            let _ = writeln!(report, "{}: {} -> {new_sha}", pin.name, pin.sha256);
            let old = std::fs::read(&local)
                .ok()
                .filter(|old| sha256(old) == pin.sha256);
            match old {
                Some(old) => report.push_str(&crate::api_diff::describe(&old, &bytes)?),
                None => report
                    .push_str("  (run `cargo xtask fetch` first to see what changed in the API)\n"),
            }
        }
        pin.commit = commit.to_owned();
        pin.sha256 = new_sha;
        std::fs::write(&local, &bytes)?;
    }
    pins.save(root)?;
    report.push_str(&newer_versions_report(&pins, commit, from));
    let _ = if changed {
        writeln!(
            report,
            "\nspec/pins.toml moved to {commit}. Next: `cargo xtask regen`, then review the diff of generated.rs."
        )
    } else {
        writeln!(
            report,
            "\nNo pinned file changed; spec/pins.toml now names {commit}."
        )
    };
    Ok(report)
}

/// Whether a folder name is a HubSpot date version, `YYYY-MM`.
pub fn is_date_version(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
}

/// A pinned file's rollout folder and version folder:
/// `…/Objects/Rollouts/424/2026-09/objects.json` gives (`…/Objects/Rollouts/424`, `2026-09`).
fn rollout(pin: &Pin) -> Option<(&str, &str)> {
    let (folder, _file) = pin.path.rsplit_once('/')?;
    folder.rsplit_once('/')
}

/// The date versions upstream at `commit` newer than the newest pinned in each rollout folder
/// (HubSpot ships one each March and September), by folder. Read from `from` when given:
/// either a copy of the upstream tree (`from/<rollout folder>/<version>/`) or a flat folder of
/// local names (`crm-objects-2027-03.json` beside the pinned `crm-objects-2026-09.json`).
pub fn newer_versions(
    pins: &Pins,
    commit: &str,
    from: Option<&Path>,
) -> Result<Vec<(String, Vec<String>)>> {
    let mut newest: std::collections::BTreeMap<&str, (&str, &Pin)> = Default::default();
    for pin in &pins.files {
        if let Some((folder, version)) = rollout(pin).filter(|(_, v)| is_date_version(v)) {
            let entry = newest.entry(folder).or_insert((version, pin));
            if version > entry.0 {
                *entry = (version, pin);
            }
        }
    }
    let mut out = Vec::new();
    for (folder, (pinned, pin)) in newest {
        let mut upstream = upstream_versions(&pins.repository, folder, pin, pinned, commit, from)?;
        upstream.retain(|v| is_date_version(v) && v.as_str() > pinned);
        upstream.sort();
        upstream.dedup();
        if !upstream.is_empty() {
            out.push((folder.to_owned(), upstream));
        }
    }
    Ok(out)
}

/// The version folders of a rollout folder upstream.
fn upstream_versions(
    repository: &str,
    folder: &str,
    pin: &Pin,
    pinned: &str,
    commit: &str,
    from: Option<&Path>,
) -> Result<Vec<String>> {
    let names = |dir: &Path| -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        Ok(names)
    };
    if let Some(from) = from {
        let tree = from.join(folder);
        if tree.is_dir() {
            return names(&tree);
        }
        // A flat folder of local names: `<stem>-<version>.json`.
        let Some(stem) = pin.name.strip_suffix(&format!("-{pinned}.json")) else {
            return Ok(Vec::new());
        };
        return Ok(names(from)?
            .into_iter()
            .filter_map(|name| {
                name.strip_prefix(&format!("{stem}-"))?
                    .strip_suffix(".json")
                    .map(str::to_owned)
            })
            .collect());
    }
    let url = format!(
        "https://api.github.com/repos/{repository}/contents/{}?ref={commit}",
        folder.replace(' ', "%20")
    );
    let text = match download::get(&url, 16 * 1024 * 1024)
        .with_context(|| format!("cannot list {url}"))?
    {
        download::Answer::Found(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        download::Answer::NotFound => bail!("{url}: not found"),
    };
    let listing: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("the listing of {url} is not JSON"))?;
    Ok(listing
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["type"] == "dir")
        .filter_map(|entry| entry["name"].as_str().map(str::to_owned))
        .collect())
}

/// The part of `pin`'s report on newer date versions; a listing that fails is said, not fatal.
fn newer_versions_report(pins: &Pins, commit: &str, from: Option<&Path>) -> String {
    let mut report = String::new();
    match newer_versions(pins, commit, from) {
        Ok(newer) if newer.is_empty() => {
            report.push_str("No date version upstream is newer than the pinned ones.\n");
        }
        Ok(newer) => {
            for (folder, versions) in newer {
                let _ = writeln!(
                    report,
                    "Newer date version upstream, not pinned: {} in {folder}",
                    versions.join(", ")
                );
            }
            report.push_str(
                "  To speak it: ARCHITECTURE.md, \"add a HubSpot date version\" (spec/pins.toml, \
                 spec/client.toml, one enum variant in the facade).\n",
            );
        }
        Err(e) => {
            let _ = writeln!(report, "Could not look for newer date versions: {e:#}");
        }
    }
    report
}

/// The file's bytes, from `from` or downloaded from GitHub at `commit`.
fn obtain(repository: &str, pin: &Pin, commit: &str, from: Option<&Path>) -> Result<Vec<u8>> {
    if let Some(from) = from {
        let path = from.join(&pin.name);
        return std::fs::read(&path)
            .with_context(|| format!("{}: cannot read {} (--from)", pin.name, path.display()));
    }
    let url = format!(
        "https://raw.githubusercontent.com/{repository}/{commit}/{}",
        pin.path.replace(' ', "%20")
    );
    match download::get(&url, 64 * 1024 * 1024) {
        Ok(download::Answer::Found(bytes)) => Ok(bytes),
        Ok(download::Answer::NotFound) => bail!(
            "{}: not found upstream at {url} (moved, or wrong commit?)",
            pin.name
        ),
        Err(e) => bail!(
            "{}: cannot download {url}: {e:#}\n(no network? take the files from a folder with --from DIR)",
            pin.name
        ),
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
