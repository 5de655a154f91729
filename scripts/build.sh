#!/usr/bin/env bash
# Builds the page for release into dist/: what the e2e tests and the benchmark load. Installs the
# tools first if they are missing. Extra arguments go to `trunk build`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
# Trunk takes wasm-opt from PATH: put binaryen 132 first, ahead of any older system copy.
export PATH="$PWD/node_modules/.bin:$PATH"
cargo fetch
source scripts/page-env.sh
exec trunk build --release "$@"
