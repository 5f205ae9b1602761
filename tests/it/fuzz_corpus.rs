//! The fuzz targets of govscan's parsers (govscan::fuzz_targets) on stable: over their seed
//! corpus and the inputs that once broke them (fuzz/corpus/<target>, fuzz/regressions/<target>,
//! and the repository folders `fuzz/corpus/<target>/.seed-dirs` names: the real rules,
//! Sigma fixtures and trail logs, which scripts/fuzz seeds from too), and over
//! deterministic mutations of every seed (bytes flipped, cut short, repeated, and hostile
//! tokens spliced in), so CI tries thousands of bad inputs without nightly.

use std::path::Path;

use crate::common::manifest_dir;

/// Tokens that break parsers and SQL: quotes, escapes, comment and statement ends,
/// YAML and JSON structure, a NUL, invalid UTF-8, Sigma wildcards and modifiers.
const HOSTILE: &[&[u8]] = &[
    b"'",
    b"\"",
    b"\\",
    b"'; DROP TABLE t; --",
    b"' OR '1'='1",
    b"\0",
    b"\xff\xfe",
    b"{",
    b"}}",
    b"[",
    b"]]",
    b"\n---\n",
    b": ",
    b"*",
    b"?",
    b"|re",
    b"|base64offset|contains",
    b"&a *a",
    b"\x1f\x8b",
    b"1e999",
    b"-9223372036854775809",
    b"\"Records\":",
    b"\xe2\x80\xae",
];

/// Mutants of `seed`: deterministic, `count` of them.
fn mutants(seed: &[u8], count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ seed.len() as u64;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound.max(1)
    };
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut m = seed.to_vec();
        match i % 5 {
            0 => m.truncate(next(seed.len() + 1)),
            1 => {
                for _ in 0..1 + next(4) {
                    if !m.is_empty() {
                        let at = next(m.len());
                        m[at] ^= 1 << next(8);
                    }
                }
            }
            2 => {
                let token = HOSTILE[next(HOSTILE.len())];
                let at = next(m.len() + 1);
                m.splice(at..at, token.iter().copied());
            }
            3 => {
                let from = next(m.len() + 1);
                let to = (from + next(64)).min(m.len());
                let piece = m[from..to].to_vec();
                let at = next(m.len() + 1);
                m.splice(at..at, piece);
            }
            _ => {
                let from = next(m.len() + 1);
                let to = (from + next(32)).min(m.len());
                m.drain(from..to);
            }
        }
        out.push(m);
    }
    out
}

fn replay(target: &str, check: fn(&[u8]), mutants_per_seed: usize) {
    let root = manifest_dir().join("fuzz");
    let mut seeds = Vec::new();
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
            seeds.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    let own = seeds.len();
    if let Ok(dirs) = std::fs::read_to_string(root.join("corpus").join(target).join(".seed-dirs")) {
        for dir in dirs.lines().filter(|l| !l.trim().is_empty()) {
            for entry in walkdir::WalkDir::new(manifest_dir().join(dir.trim())) {
                let entry = entry.unwrap();
                if entry.file_type().is_file() {
                    seeds.push((
                        entry.path().to_owned(),
                        std::fs::read(entry.path()).unwrap(),
                    ));
                }
            }
        }
    }
    assert!(seeds.len() >= 5, "{target}: only {} seeds", seeds.len());
    for (i, (path, data)) in seeds.iter().enumerate() {
        run_one(target, check, path, data);
        // The corpus's own seeds are few and small: many mutants each; the repository's
        // files are many: a few each.
        let count = if i < own {
            mutants_per_seed
        } else {
            mutants_per_seed / 10
        };
        for m in mutants(data, count) {
            run_one(target, check, path, &m);
        }
    }
}

fn run_one(target: &str, check: fn(&[u8]), seed: &Path, data: &[u8]) {
    if std::panic::catch_unwind(|| check(data)).is_err() {
        let dir = std::env::temp_dir().join(format!("govscan-fuzz-{target}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("crash-{:016x}", fxhash(data)));
        std::fs::write(&file, data).unwrap();
        panic!(
            "{target}: an input derived from {} fails the target; it is saved as {} (copy it to fuzz/regressions/{target}/ with the fix)",
            seed.display(),
            file.display()
        );
    }
}

fn fxhash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn trail_file_corpus_and_mutants_parse_or_fail_cleanly() {
    replay("trail_file", govscan::fuzz_targets::trail_file, 300);
}

#[test]
fn sigma_rule_corpus_and_mutants_translate_to_one_query_or_not_at_all() {
    replay("sigma_rule", govscan::fuzz_targets::sigma_rule, 300);
}

#[test]
fn rule_file_corpus_and_mutants_parse_or_fail_cleanly() {
    replay("rule_file", govscan::fuzz_targets::rule_file, 300);
}

#[test]
fn yaml_config_corpus_and_mutants_parse_or_fail_cleanly() {
    replay("yaml_configs", govscan::fuzz_targets::yaml_configs, 300);
}
