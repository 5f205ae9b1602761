//! The IAM policy engine: documents parsed in every shape AWS accepts ([`document`]),
//! wildcards as IAM matches them ([`pattern`]), conditions and policy variables
//! ([`condition`]), the action catalog ([`catalog`]), requests decided the way AWS decides
//! them ([`eval`]), and the JSON request lines of `govscan policy eval` ([`request_line`]).
//!
//! Nothing here reads a snapshot or knows SQL: govscan's `policy` module assembles a
//! principal's policies from a snapshot and asks this crate.

pub mod catalog;
pub mod condition;
pub mod document;
pub mod eval;
mod fast_hash;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod net;
pub mod pattern;
pub mod request_line;

pub use condition::Context;
pub use document::{Policy, PolicyError};
pub use eval::{evaluate, Decision, DecisionKind, Policies, Request};
