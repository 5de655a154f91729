//! The page's entry point; everything else is in the library (lib.rs).

// Talc instead of Rust's default dlmalloc: 2.9 KB less gzip wasm (docs/performance.md).
#[cfg(target_family = "wasm")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    raft_playground_web::start();
}
