//! A crash-consistency test hook. With `GOVSCAN_CRASH_AFTER_WRITES=N` in the environment the
//! process aborts right after its Nth durable write (a file renamed into place, an object
//! PUT, a file synced, a folder published or deleted): no destructors run and no temporary
//! file is cleaned up, as after a SIGKILL or a power cut at that point. The crash tests
//! (tests/it/crash.rs) run each command with N = 1, 2, ... and check what every reader would
//! find after each. Unset, it costs one relaxed atomic add per write.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const VARIABLE: &str = "GOVSCAN_CRASH_AFTER_WRITES";

static WRITES: AtomicU64 = AtomicU64::new(0);

fn limit() -> Option<u64> {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    *LIMIT.get_or_init(|| std::env::var(VARIABLE).ok().and_then(|v| v.parse().ok()))
}

/// Counts one durable write of `what`; aborts the process when the count reaches the limit.
/// With the hook set, every write is named on stderr (`GOVSCAN_CRASH_AFTER_WRITES: write N:
/// PATH`), so a test can run a command once with a limit it never reaches and pick its crash
/// points from what the command writes.
pub fn wrote(what: &std::path::Path) {
    let n = WRITES.fetch_add(1, Ordering::Relaxed) + 1;
    let Some(limit) = limit() else { return };
    eprintln!("{VARIABLE}: write {n}: {}", what.display());
    if n == limit {
        eprintln!("{VARIABLE}: aborting after write {n}");
        std::process::abort();
    }
}
