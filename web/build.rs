//! Writes the scenario catalog: the name and title of each built-in scenario, in the library's
//! order. The page embeds only this list and fetches a scenario's file when it is opened, which
//! keeps ~18 KB (gzip) of scenario text out of the wasm every visitor downloads.

use std::fmt::Write;

fn main() {
    let mut out = String::from("pub const CATALOG: &[(&str, &str)] = &[\n");
    for (name, text) in raft_sim::library::SCENARIOS {
        let v: serde_json::Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("scenario {name} is not valid JSON: {e}"));
        let title = v["title"].as_str().filter(|t| !t.is_empty()).unwrap_or(name);
        writeln!(out, "    ({name:?}, {title:?}),").unwrap();
    }
    out.push_str("];\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(path, out).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
    // The page's stack: 256 KB, not the linker's 1 MB. The stack comes first in memory, so the
    // data's addresses start where it ends; below 1 MB each of the ~3,200 references to them in
    // the code is a byte shorter (-0.6 KB gzip wasm), and the page's memory is 768 KB smaller.
    // An overflow still traps (the stack grows down towards address 0) rather than corrupting
    // data. The deepest the page went, in every built-in scenario and at 9 and 11 nodes, was
    // 31 KB (the lowest stack byte written, read from the wasm memory).
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size=262144");
    }
}
