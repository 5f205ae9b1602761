//! govscan: an AWS governance scanner and CloudTrail analyzer.
//!
//! Collectors ([`collect`]) snapshot AWS configuration into Parquet ([`store`]); later
//! stages run SQL checks and detections over the snapshot.

pub mod audit;
pub mod aws;
pub mod checks;
pub mod collect;
pub mod engine;
pub mod export;
pub mod fuzz_targets;
pub mod hunt;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rules;
pub mod store;
pub mod trail;
