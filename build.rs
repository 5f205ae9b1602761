//! Compiles the checks (`checks/**/*.sql`), framework definitions
//! (`checks/frameworks/*.yaml`) and detections (`queries/**/*.sql`) into the binary, so
//! `govscan check` and `govscan hunt` work anywhere without the source tree; `--checks DIR`
//! and `--queries DIR` still read a folder at run time.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql" || e == "yaml") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let checks_dir = root.join("checks");
    println!("cargo:rerun-if-changed=checks");
    let mut files = Vec::new();
    collect(&checks_dir, &mut files);
    files.sort();
    let (frameworks, checks): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| f.extension().is_some_and(|e| e == "yaml"));
    let queries_dir = root.join("queries");
    println!("cargo:rerun-if-changed=queries");
    let mut queries = Vec::new();
    collect(&queries_dir, &mut queries);
    queries.sort();
    let mut code = String::new();
    for (name, list, dir) in [
        ("BUILTIN_CHECKS", checks, &checks_dir),
        ("BUILTIN_FRAMEWORKS", frameworks, &checks_dir),
        ("BUILTIN_QUERIES", queries, &queries_dir),
    ] {
        writeln!(
            code,
            "/// (path under its folder, file text) of every built-in file of this kind."
        )
        .unwrap();
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for f in &list {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = f
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            writeln!(
                code,
                "    ({rel:?}, include_str!({:?})),",
                f.display().to_string()
            )
            .unwrap();
        }
        code.push_str("];\n");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_checks.rs");
    std::fs::write(out, code).unwrap();
}
