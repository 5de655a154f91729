#!/usr/bin/env bash
# Installs what building, serving and testing the page needs, checking first, so a warm machine
# is ready in seconds and a fresh one still works (~15 minutes: trunk and wasm-bindgen compile).
#
#   scripts/install-web-tools.sh             wasm target, trunk, wasm-bindgen, wasm-opt, terser, playwright-core
#   scripts/install-web-tools.sh --browser   the same, plus Chromium (for browser tests)
#
# Why these versions: trunk 0.21.14 is the last that builds with rustc 1.95; wasm-bindgen must
# equal the crate version in Cargo.lock; Debian's wasm-opt (108) cannot read what rustc emits,
# npm binaryen 132 can; Chromium comes from apt (never `npx playwright install`).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
    echo "cannot find wasm-bindgen's version in Cargo.lock" >&2
    exit 1
fi

browser=false
for arg in "$@"; do
    case "$arg" in
        --browser) browser=true ;;
        *) echo "unknown option $arg (known: --browser)" >&2; exit 2 ;;
    esac
done

say() { printf '== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# The page's release build compiles the standard library for size (scripts/page-env.sh).
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
    say "adding the rust-src component"
    rustup component add rust-src || echo "warning: could not add rust-src; the page will be built with the prebuilt std (heavier)" >&2
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes)"
    # Without --locked: its lock file names a crate version the registry here lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132" \
    || [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/terser/package.json ]; then
    say "installing binaryen (wasm-opt), terser and playwright-core from package-lock.json"
    npm ci --no-audit --no-fund
fi

if $browser && ! command -v chromium >/dev/null; then
    say "installing Chromium"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update
    $SUDO apt-get install -y chromium chromium-driver
fi

say "web tools ready: $(trunk --version), $(wasm-bindgen --version), $(node_modules/.bin/wasm-opt --version)"
