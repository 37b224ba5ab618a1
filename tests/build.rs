//! Tells the suites whether `redis-server` is installed (`cfg(redis_server)`), so that the
//! shared rate limit's tests run where it is and are reported as ignored, with what to
//! install, where it is not. Under CI (`CI` set) a missing `redis-server` fails the build:
//! there the tests must run.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(redis_server)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
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
        None if under_ci() => {
            eprintln!(
                "CI is set and redis-server is not on the PATH: the shared rate limit's tests \
                 must run under CI (Debian: apt-get install redis-server)"
            );
            std::process::exit(1);
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
