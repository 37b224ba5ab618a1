#!/usr/bin/env bash
# What a newcomer's first run costs, measured side by side from empty target directories (the
# crates already downloaded: run `cargo fetch` first): a reference crate on reqwest (json),
# serde (derive), serde_json and tokio (macros, rt-multi-thread); a crate on
# hubspot-communications alone; the quickstart's first `cargo run` in a fresh clone with nothing
# beside it; then `cargo test --workspace` there. Prints wall and CPU (user + system) seconds.
#
#   tests/benches/first-run.sh [WORK_DIR]      # default: a new temporary directory
#
# Goals (issue 18): quickstart ≤ 2× the reference, the facade crate ≤ 1.3×, the tests after
# the quickstart under 5 minutes. Compare CPU seconds on a machine that is doing other work.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
TIMEFORMAT='%R %U %S'

measure() { # NAME DIR COMMAND...
    local name=$1 dir=$2; shift 2
    local times
    times=$( { time (cd "$dir" && "$@" >"$work/$name.log" 2>&1); } 2>&1 ) ||
        { echo "$name failed: see $work/$name.log" >&2; exit 1; }
    read -r wall user sys <<<"$times"
    printf '%-12s wall %7.1f s   cpu %7.1f s\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}

crate() { # DIR DEPENDENCIES
    mkdir -p "$1/src"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n%s\n' \
        "$(basename "$1")" "$2" >"$1/Cargo.toml"
    echo 'fn main() {}' >"$1/src/main.rs"
}

rm -rf "$work/clone" "$work/reference" "$work/facade"
git clone -q "$repo" "$work/clone"
crate "$work/reference" 'reqwest = { version = "0.13", features = ["json"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }'
crate "$work/facade" "hubspot-communications = { path = \"$work/clone/crates/hubspot-communications\" }"

measure reference "$work/reference" cargo build
measure facade "$work/facade" cargo build
measure quickstart "$work/clone" cargo run --example quickstart
measure tests "$work/clone" cargo test --workspace
