//! Compiles the checks (`checks/**/*.sql`), framework definitions
//! (`checks/frameworks/*.yaml`) and detections (`queries/**/*.sql`) into the binary, so
//! `govscan check` and `govscan hunt` work anywhere without the source tree; `--checks DIR`
//! and `--queries DIR` still read a folder at run time.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Every file below `dir` that `wanted` accepts, in path order.
fn collect_where(dir: &Path, wanted: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        if entry.file_type().is_file() && wanted(entry.path()) {
            out.push(entry.into_path());
        }
    }
}

/// The checks', frameworks' and detections' files.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let sql_or_yaml = |p: &Path| p.extension().is_some_and(|e| e == "sql" || e == "yaml");
    collect_where(dir, &sql_or_yaml, out);
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
        embed(&mut code, name, "&str", "include_str", &list, dir);
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    std::fs::write(out, code).unwrap();
    demo_trail(&root);
    pack_relative_relocations();
}

/// Links the binaries with packed relative relocations (DT_RELR, glibc 2.36+) where the
/// linker and C library take them: a position-independent executable keeps a relocation
/// for every pointer in its read-only data, 7.4 MB of govscan's 105 MB in the older
/// format, about a hundredth of that packed. Address-space layout randomisation stays.
/// Probed by linking and running an empty C program, so an older system links as before.
fn pack_relative_relocations() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    if env("CARGO_CFG_TARGET_OS") != "linux"
        || env("CARGO_CFG_TARGET_ENV") != "gnu"
        || env("TARGET") != env("HOST")
    {
        return;
    }
    let out = PathBuf::from(env("OUT_DIR"));
    let (source, probe) = (out.join("relr_probe.c"), out.join("relr_probe"));
    std::fs::write(&source, "int main(void) { return 0; }\n").unwrap();
    let flag = "-Wl,-z,pack-relative-relocs";
    let linked = std::process::Command::new("cc")
        .args([flag, "-o"])
        .arg(&probe)
        .arg(&source)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if linked
        && std::process::Command::new(&probe)
            .status()
            .is_ok_and(|s| s.success())
    {
        println!("cargo:rustc-link-arg-bins={flag}");
    }
}

/// The real CloudTrail logs `govscan demo` ingests (demo/logs, MIT),
/// embedded so the demo needs nothing but the binary.
fn demo_trail(root: &Path) {
    let dir = root.join("demo/logs");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect_where(&dir, &|_| true, &mut files);
    files.sort();
    let mut code = String::from(
        "/// (path under the demo's logs folder, file bytes) of the bundled CloudTrail logs.\n",
    );
    embed(
        &mut code,
        "DEMO_TRAIL",
        "&[u8]",
        "include_bytes",
        &files,
        &dir,
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("demo_trail.rs");
    std::fs::write(out, code).unwrap();
}

/// `pub static NAME: &[(&str, TYPE)]` of (path relative to `dir`, `include!(file)`).
fn embed(code: &mut String, name: &str, ty: &str, include: &str, files: &[PathBuf], dir: &Path) {
    writeln!(code, "pub static {name}: &[(&str, {ty})] = &[").unwrap();
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({rel:?}, {include}!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
}
