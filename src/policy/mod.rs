//! The IAM policy engine over a snapshot. The engine itself (documents, wildcards,
//! conditions, the action catalog, evaluation) is the `govscan-policy` crate, re-exported
//! here; this module assembles each principal's policies from a snapshot ([`snapshot`]),
//! finds privilege-escalation paths ([`privesc`]) and serves the computed tables ([`tables`]).

pub use govscan_policy::{catalog, condition, document, eval, net, pattern, request_line};

pub mod can;
pub mod exposure;
pub mod privesc;
pub mod snapshot;
pub mod tables;
pub mod who_can;

pub use govscan_policy::{
    evaluate, Context, Decision, DecisionKind, Policies, Policy, PolicyError, Request,
};
