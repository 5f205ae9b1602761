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
    binary_link_options();
}

/// Link options for the binaries, each used where this build's linker takes it (probed by
/// linking and running an empty program with the same rustc and flags, so an older
/// toolchain or another linker links as before):
/// - packed relative relocations (DT_RELR, glibc 2.36+): a position-independent
///   executable keeps a relocation for every pointer in its read-only data, 7.4 MB of
///   govscan's 105 MB in the older format, a hundredth of that packed; address-space
///   layout randomisation stays;
/// - identical code folding (LLD, rustc's linker on x86-64 Linux since 1.90): one copy of
///   the many generic functions that compile to the same machine code, 7% of the binary.
///   `all` rather than `safe`: rustc marks no address as significant, so `safe` folds
///   nothing, and Rust promises no distinct addresses for distinct functions.
fn binary_link_options() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    if env("CARGO_CFG_TARGET_OS") != "linux" || env("TARGET") != env("HOST") {
        return;
    }
    let out = PathBuf::from(env("OUT_DIR"));
    let source = out.join("link_probe.rs");
    std::fs::write(&source, "fn main() {}\n").unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustflags: Vec<String> = env("CARGO_ENCODED_RUSTFLAGS")
        .split('\x1f')
        .filter(|f| !f.is_empty())
        .map(String::from)
        .collect();
    for (i, option) in ["-Wl,-z,pack-relative-relocs", "-Wl,--icf=all"]
        .into_iter()
        .enumerate()
    {
        let probe = out.join(format!("link_probe_{i}"));
        let linked = std::process::Command::new(&rustc)
            .args(&rustflags)
            .args([
                "--edition",
                "2021",
                "-C",
                &format!("link-arg={option}"),
                "-o",
            ])
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
            println!("cargo:rustc-link-arg-bins={option}");
        }
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
