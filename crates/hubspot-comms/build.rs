//! Tells the test suite whether `redis-server` is installed (`cfg(redis_server)`), so that the
//! relay's tests run where it is and are reported as ignored, with what to install, where it is
//! not; and whether this is CI (`cfg(relay_ci)`: `CI` set), where they run anyway and fail
//! without one. Nothing here can fail a build: this crate is published, and `cargo install`
//! runs in CI jobs that have no `redis-server` (the workspace's `tests` package fails the build
//! instead; its build script is never run by a user's install).

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(redis_server)");
    println!("cargo::rustc-check-cfg=cfg(relay_ci)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    if under_ci() {
        println!("cargo::rustc-cfg=relay_ci");
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    match dirs
        .iter()
        .map(|dir| dir.join("redis-server"))
        .find(|file| file.is_file())
    {
        Some(server) => {
            println!("cargo::rustc-cfg=redis_server");
            println!("cargo::rerun-if-changed={}", server.display());
        }
        None => {
            // Built again when one is installed: installing adds a file to a PATH folder.
            for dir in dirs.iter().filter(|dir| dir.is_absolute() && dir.is_dir()) {
                println!("cargo::rerun-if-changed={}", dir.display());
            }
        }
    }
}

/// `CI` set to anything but empty, `0` or `false` (`CI=true` on most services).
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}
