//! `manifest.json`: what a snapshot covers, and what could not be collected.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bumped whenever a column changes meaning or type; adding a table or column does not.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub snapshot_id: String,
    pub schema_version: u32,
    pub tool_version: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Who ran the collection. An ARN and ids only: credentials never reach a snapshot.
    pub caller: CallerIdentity,
    pub organization_id: Option<String>,
    pub accounts: Vec<AccountEntry>,
    pub regions: Vec<String>,
    pub services: Vec<String>,
    /// One entry per (account, region, service) that was attempted.
    pub parts: Vec<PartEntry>,
    pub tables: BTreeMap<String, TableEntry>,
    pub api_calls: u64,
    pub error_count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallerIdentity {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AccountAccess {
    /// Collected with the caller's own credentials.
    Caller,
    /// Collected through AssumeRole into `--role-name`.
    AssumedRole,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every operation answered.
    Ok,
    /// Some operations failed; what was read is in the tables, the rest is not assessed.
    Partial,
    /// Nothing could be read.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccountEntry {
    pub account_id: String,
    pub name: Option<String>,
    pub access: AccountAccess,
    pub status: Status,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartEntry {
    pub account_id: String,
    /// None for global services (IAM, S3 listing, Organizations).
    pub region: Option<String>,
    pub service: String,
    pub status: Status,
    pub rows: BTreeMap<String, u64>,
    pub api_calls: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableEntry {
    pub file: String,
    pub rows: u64,
}

impl Manifest {
    pub fn failed_parts(&self) -> usize {
        self.parts.iter().filter(|p| p.status != Status::Ok).count()
    }
}
