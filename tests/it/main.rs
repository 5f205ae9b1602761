//! govscan's integration tests, one binary: each module was once its own test target, and
//! each of those linked DataFusion and the AWS SDK again. Shared harness in [`common`].

mod common;

mod audit;
mod checks;
mod cluster;
mod collect_moto;
mod crash;
mod export;
mod fuzz_corpus;
mod hostile;
mod hunt;
mod layers;
mod policy;
mod reports;
mod s3_data_dir;
mod sql;
mod storm;
mod trail;
