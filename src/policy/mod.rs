//! The IAM policy engine: documents parsed in every shape AWS accepts ([`document`]),
//! wildcards as IAM matches them ([`pattern`]), conditions and policy variables
//! ([`condition`]), the action catalog ([`catalog`]), and requests decided the way AWS
//! decides them ([`eval`]).

pub mod catalog;
pub mod condition;
pub mod document;
pub mod eval;
pub mod pattern;
pub mod privesc;
pub mod snapshot;
pub mod tables;

pub use condition::Context;
pub use document::{Policy, PolicyError};
pub use eval::{evaluate, Decision, DecisionKind, Policies, Request};
