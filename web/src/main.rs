//! The page's entry point; everything else is in the library (lib.rs).

fn main() {
    raft_playground_web::start();
}
