#!/usr/bin/env bash
# Serves the playground on http://127.0.0.1:8080 (release build, rebuilt on change). Installs
# the tools first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
# Trunk takes wasm-opt from PATH: put binaryen 132 first, ahead of any older system copy.
export PATH="$PWD/node_modules/.bin:$PATH"
cargo fetch
# Trunk refuses to start when a folder its watcher ignores (Trunk.toml) does not exist yet, as
# target/ and dist/ do not in a fresh clone.
mkdir -p target dist
source scripts/page-env.sh
echo "Raft Playground: http://127.0.0.1:8080/"
exec trunk serve --release --address 127.0.0.1 --port 8080
