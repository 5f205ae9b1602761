//! Tables about the collection itself, written by the run rather than by a collector.

use crate::store::{col, ColumnType::*, TableDef};

pub static COLLECTION_ERRORS: TableDef = TableDef {
    name: "collection_errors",
    key: &[],
    doc: "One row per AWS call that failed: what could not be read is not assessed.",
    columns: &[
        col("account_id", Text, "Account the call was made in"),
        col(
            "region",
            Text,
            "Region of the call; null for a global service",
        ),
        col(
            "service",
            Text,
            "govscan service name (org, iam, s3, config, cloudtrail, sts, ec2, kms, rds, ...: see --services)",
        ),
        col("operation", Text, "AWS API operation, e.g. GetBucketPolicy"),
        col(
            "resource",
            Text,
            "Resource the call was about, when it was about one",
        ),
        col(
            "error_code",
            Text,
            "AWS error code (AccessDenied, ...) or HTTP<status> / DispatchFailure / Timeout",
        ),
        col(
            "error_message",
            Text,
            "Error message, truncated to 1000 bytes",
        ),
        col("occurred_at", Timestamp, "When the call failed"),
    ],
};

pub static COLLECTION_PARTS: TableDef = TableDef {
    name: "collection_parts",
    key: &[],
    doc: "One row per (account, region, service) attempted, so checks can tell 'nothing there' from 'not read'.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region; null for a global service"),
        col("service", Text, "govscan service name"),
        col("status", Text, "ok, partial (some calls failed) or failed (nothing read)"),
        col("rows", Int, "Rows written by this part across its tables"),
        col("errors", Int, "Failed calls, as rows in collection_errors"),
        col("api_calls", Int, "HTTP requests made, retries included"),
    ],
};
