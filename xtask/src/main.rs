//! The project's maintenance commands: `cargo xtask <command>`.
//!
//! - `fetch [--from DIR]`: get the pinned upstream specs into `spec/upstream/`, verifying each
//!   sha256.
//! - `regen [--check]`: generate the raw client; with `--check`, fail with a diff if the
//!   checked-in code is not what the pinned specs produce.
//! - `pin COMMIT [--from DIR]`: move every pin to an upstream commit, show what changed in the
//!   API, and leave regeneration to `regen`.
//! - `msrv`: check that no dependency needs a newer Rust than the declared `rust-version`.
//! - `public-api [--check]`: list each published crate's public API into `xtask/public-api/`;
//!   with `--check`, fail with a diff if the committed listings are not the code's API.
//! - `circles`: fail if the file modules of any crate target import each other in a circle.

mod api_diff;
mod api_snapshot;
mod circles;
mod download;
mod msrv;
mod pins;
mod regen;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Maintenance commands of the hubspot-communications workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the pinned upstream specs into spec/upstream/ and verify their sha256.
    Fetch {
        /// Copy the files from this folder instead of downloading them.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Generate crates/hubspot-communications-raw/src/generated.rs from the pinned specs.
    Regen {
        /// Do not write: exit non-zero with a diff when the checked-in file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Move the pins to another upstream commit and show what changed in the API.
    Pin {
        /// The upstream commit (40 hex digits).
        commit: String,
        /// Take the files from this folder instead of downloading them.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Check that no dependency needs a newer Rust than the declared rust-version.
    Msrv,
    /// Check that no crate's file modules import each other in a circle.
    Circles,
    /// List each published crate's public API into xtask/public-api/ (rustdoc JSON).
    PublicApi {
        /// Do not write: exit non-zero with a diff when a committed listing is not the API.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Command::Fetch { from } => pins::fetch(&root, from.as_deref()),
        Command::Regen { check } => regen::regen(&root, check),
        Command::Msrv => msrv::msrv(&root),
        Command::Circles => circles::circles(&root),
        Command::PublicApi { check } => api_snapshot::public_api(&root, check),
        Command::Pin { commit, from } => {
            pins::pin(&root, &commit, from.as_deref()).map(|report| print!("{report}"))
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_owned()
}
