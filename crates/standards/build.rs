//! Embeds the standard files (`standards/*.yaml`, except the control catalogue `controls.yaml`,
//! which belongs to the rules) so the binary works anywhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let dir = root.join("standards");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.retain(|f| f.strip_prefix(&dir).map_or(true, |rel| rel != Path::new("controls.yaml")));
    files.sort();
    let mut code = String::from("pub static BUILTIN_STANDARDS: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        writeln!(code, "    ({rel:?}, include_str!({:?})),", abs.display().to_string()).ok();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
