//! The fuzz targets' seed corpus and the inputs that once crashed them (fuzz/corpus/<target>,
//! fuzz/regressions/<target>), replayed on stable through the same checks the targets run
//! (govscan_policy::fuzz_targets), so a fixed crash stays fixed without nightly.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = 0;
    for folder in ["corpus", "regressions"] {
        let dir = root.join(folder).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its target", path.display());
            inputs += 1;
        }
    }
    assert!(inputs >= 5, "{target}: only {inputs} inputs to replay");
}

#[test]
fn policy_eval_line_corpus_replays() {
    replay(
        "policy_eval_line",
        govscan_policy::fuzz_targets::policy_eval_line,
    );
}

#[test]
fn policy_document_corpus_replays() {
    replay(
        "policy_document",
        govscan_policy::fuzz_targets::policy_document,
    );
}
