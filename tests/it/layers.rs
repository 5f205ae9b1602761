//! The library's modules sit in layers and none reaches up: a module names `crate::X` only
//! for an X in its own layer or below. Read from the source, so a new upward import fails
//! here, naming the file and the line, before it grows into a cycle.

use std::path::Path;

use crate::common::manifest_dir;

/// The top-level modules of src/, lowest first; a module may use its own layer and those
/// before it.
const LAYERS: &[&[&str]] = &[
    &["aws", "store"],
    &["progress", "collect", "trail", "policy"],
    &["engine", "export"],
    &["rules"],
    &["checks", "hunt"],
    &["report"],
    &["audit"],
    &["cli", "commands", "fuzz_targets"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file under src/ belongs to (`src/store/remote.rs` → `store`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a path under src/");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_owned()
}

#[test]
fn no_module_imports_one_above_it() {
    let src = manifest_dir().join("src");
    let mut upward = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let module = module_of(relative);
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            panic!(
                "src/{}: module {module} is in no layer of LAYERS",
                relative.display()
            );
        };
        files += 1;
        let text = std::fs::read_to_string(path).unwrap();
        for (number, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("crate::") {
                let used: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // `$crate::` inside a macro names the crate of the macro, not a module.
                if line[..at].ends_with('$') {
                    continue;
                }
                match layer_of(&used) {
                    Some(layer) if layer > own => upward.push(format!(
                        "src/{}:{}: {module} uses crate::{used}",
                        relative.display(),
                        number + 1
                    )),
                    Some(_) => {}
                    None => panic!(
                        "src/{}:{}: crate::{used} is in no layer of LAYERS",
                        relative.display(),
                        number + 1
                    ),
                }
            }
        }
    }
    assert!(files > 50, "read {files} files under src/");
    assert!(
        upward.is_empty(),
        "imports that reach up:\n{}",
        upward.join("\n")
    );
}
