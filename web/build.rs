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
}
