# Sourced by scripts/build.sh and scripts/serve.sh before Trunk builds the page for release.
#
# The page's wasm is smaller when the standard library is compiled with it, for size, and a
# panic aborts at once instead of formatting a message (-16 KB gzip, docs/performance.md):
#   -Zbuild-std=std,panic_abort with the std feature optimize_for_size, and -Cpanic=immediate-abort.
# These are unstable options. RUSTC_BOOTSTRAP=1 lets the machine's stable rustc (1.95) accept
# them, for this build only: nothing else (the CLI, the tests, clippy) sees these variables.
# They need the rust-src component (scripts/install-web-tools.sh adds it). Without it the page
# is built with the prebuilt std, as before: it works the same, and is heavier.
#
# With immediate-abort a panic in the page traps with no message; index.html turns the trap into
# the "stopped because of a bug" banner. Debug builds keep the panic hook's full message.
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
    export RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort"
    # Trunk runs cargo --offline (Trunk.toml), so the standard library's own dependencies are
    # fetched now, from its lock file, as `cargo fetch` does the workspace's.
    cargo fetch --locked --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
else
    echo "warning: the rust-src component is missing, so the page is built with the prebuilt std (about 16 KB gzip heavier); rustup component add rust-src" >&2
fi
