//! The built-in packs are embedded from `rules/` by `include_dir!`, which
//! Cargo does not watch on stable Rust: rebuild when anything there changes.
fn main() {
    println!("cargo:rerun-if-changed=../rules");
}
