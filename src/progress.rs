//! Progress reporting without coupling: library code calls this trait, and only the CLI
//! draws bars.

use crate::store::manifest::Status;

pub trait Progress: Send + Sync {
    /// An account is ready and will run `parts` parts.
    fn account_planned(&self, _account_id: &str, _parts: usize) {}
    fn part_finished(
        &self,
        _account_id: &str,
        _service: &str,
        _region: Option<&str>,
        _status: Status,
    ) {
    }
    /// An account could not be entered at all (AssumeRole failed).
    fn account_failed(&self, _account_id: &str, _reason: &str) {}
    fn finished(&self) {}
}

/// For library callers and tests that want no progress output.
pub struct NoProgress;

impl Progress for NoProgress {}
