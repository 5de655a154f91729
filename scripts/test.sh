#!/usr/bin/env bash
# Runs the whole test suite. Installs what is missing first (idempotent; fast when warm).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# raft-core must build without std: prove it on a target that has no std at all.
rustup target list --installed | grep -qx thumbv7em-none-eabi || rustup target add thumbv7em-none-eabi

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "raft-core builds for a no_std target"
cargo build -p raft-core --no-default-features --target thumbv7em-none-eabi
cargo build -p raft-core --target thumbv7em-none-eabi

step "unit, paper, scenario and CLI tests"
cargo test --workspace --release

step "chaos: 2000 seeds x 60 s of faults, then liveness"
cargo run --release -q -p raft-cli -- chaos --seeds 2000 --duration 60000

step "page: release build, then end-to-end tests in headless Chromium"
scripts/install-web-tools.sh --browser
export PATH="$PWD/node_modules/.bin:$PATH"
cargo build --release -q -p raft-cli
node --test tests/tools/
scripts/build.sh
node --test --test-concurrency=1 tests/e2e/

step "page: component tests (wasm-bindgen-test in headless Chromium)"
# Mounts the Yew app into a div and checks the DOM (web/tests/components.rs). The runner adds
# --headless --no-sandbox; web/webdriver.json adds the offline flags. Timeouts: 2 shared cores.
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=60 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p raft-playground-web --target wasm32-unknown-unknown --test components

echo
echo "all tests passed"
