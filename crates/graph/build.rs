//! Embeds the query templates (`graph/queries/*.yaml`) and path definitions (`graph/paths/*.yaml`).

use std::fmt::Write as _;
use std::path::PathBuf;

fn embed(code: &mut String, name: &str, dir: &PathBuf, root: &PathBuf) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")));
    files.sort();
    writeln!(code, "pub static {name}: &[(&str, &str)] = &[").ok();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap_or(f).display().to_string();
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        writeln!(code, "    ({rel:?}, include_str!({:?})),", abs.display().to_string()).ok();
    }
    code.push_str("];\n");
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let mut code = String::new();
    embed(&mut code, "QUERY_TEMPLATES", &root.join("graph/queries"), &root);
    embed(&mut code, "PATH_DEFINITIONS", &root.join("graph/paths"), &root);
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
