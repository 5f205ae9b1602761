//! The IAM permissions the collectors need: one entry per AWS operation a collector calls
//! (by the name it records a failure under), with the IAM action that allows it. The
//! least-privilege policies of docs/permissions.md are generated from this list, and a test
//! reads the collectors' source so that a call without an entry here fails it.

use std::collections::BTreeSet;

/// Where a call is made: a collector's service, or `setup` (entering accounts, listing
/// regions and the organization's accounts, done by the run for every collector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub service: &'static str,
    pub operation: &'static str,
    pub action: &'static str,
}

const fn p(service: &'static str, operation: &'static str, action: &'static str) -> Permission {
    Permission {
        service,
        operation,
        action,
    }
}

pub static PERMISSIONS: &[Permission] = &[
    p("setup", "GetCallerIdentity", "sts:GetCallerIdentity"),
    p("setup", "AssumeRole", "sts:AssumeRole"),
    p("setup", "DescribeRegions", "ec2:DescribeRegions"),
    p("setup", "ListAccounts", "organizations:ListAccounts"),
    p(
        "org",
        "DescribeOrganization",
        "organizations:DescribeOrganization",
    ),
    p("org", "DescribePolicy", "organizations:DescribePolicy"),
    p(
        "org",
        "DescribeResourcePolicy",
        "organizations:DescribeResourcePolicy",
    ),
    p(
        "org",
        "ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
    ),
    p("org", "ListAccounts", "organizations:ListAccounts"),
    p(
        "org",
        "ListAccountsForParent",
        "organizations:ListAccountsForParent",
    ),
    p(
        "org",
        "ListDelegatedAdministrators",
        "organizations:ListDelegatedAdministrators",
    ),
    p(
        "org",
        "ListDelegatedServicesForAccount",
        "organizations:ListDelegatedServicesForAccount",
    ),
    p(
        "org",
        "ListOrganizationalUnitsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    ),
    // Centralized root access is an IAM API, read in the management account.
    p(
        "org",
        "ListOrganizationsFeatures",
        "iam:ListOrganizationsFeatures",
    ),
    p("org", "ListPolicies", "organizations:ListPolicies"),
    p("org", "ListRoots", "organizations:ListRoots"),
    p(
        "org",
        "ListTargetsForPolicy",
        "organizations:ListTargetsForPolicy",
    ),
    p(
        "iam",
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
    ),
    p("iam", "GetPolicy", "iam:GetPolicy"),
    p("iam", "GetPolicyVersion", "iam:GetPolicyVersion"),
    p("iam", "ListPolicies", "iam:ListPolicies"),
    p(
        "iam",
        "GenerateCredentialReport",
        "iam:GenerateCredentialReport",
    ),
    p("iam", "GetCredentialReport", "iam:GetCredentialReport"),
    p("iam", "GetLoginProfile", "iam:GetLoginProfile"),
    p("iam", "GetAccessKeyLastUsed", "iam:GetAccessKeyLastUsed"),
    p("iam", "ListAccessKeys", "iam:ListAccessKeys"),
    p("iam", "ListMFADevices", "iam:ListMFADevices"),
    p("iam", "ListUsers", "iam:ListUsers"),
    p("iam", "ListVirtualMFADevices", "iam:ListVirtualMFADevices"),
    p(
        "iam",
        "GetAccountPasswordPolicy",
        "iam:GetAccountPasswordPolicy",
    ),
    p("iam", "GetAccountSummary", "iam:GetAccountSummary"),
    p(
        "iam",
        "GetOpenIDConnectProvider",
        "iam:GetOpenIDConnectProvider",
    ),
    p(
        "iam",
        "ListOpenIDConnectProviders",
        "iam:ListOpenIDConnectProviders",
    ),
    p("iam", "ListSAMLProviders", "iam:ListSAMLProviders"),
    p(
        "iam",
        "ListServerCertificates",
        "iam:ListServerCertificates",
    ),
    // S3's operation and action names differ in places.
    p("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    p("s3", "GetBucketLocation", "s3:GetBucketLocation"),
    p("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
    p("s3", "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
    // GetPublicAccessBlock of a bucket, and S3 Control's of the account.
    p(
        "s3",
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    p(
        "s3",
        "GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
    ),
    p("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    p("s3", "GetBucketVersioning", "s3:GetBucketVersioning"),
    p("s3", "GetBucketLogging", "s3:GetBucketLogging"),
    p(
        "s3",
        "GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
    ),
    p(
        "s3",
        "GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
    ),
    p("s3", "GetBucketAcl", "s3:GetBucketAcl"),
    p(
        "s3",
        "GetBucketReplication",
        "s3:GetReplicationConfiguration",
    ),
    p(
        "s3",
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ),
    p("s3", "GetBucketTagging", "s3:GetBucketTagging"),
    p(
        "config",
        "DescribeComplianceByConfigRule",
        "config:DescribeComplianceByConfigRule",
    ),
    p(
        "config",
        "DescribeConfigRules",
        "config:DescribeConfigRules",
    ),
    p(
        "config",
        "DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
    ),
    p(
        "config",
        "DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorders",
    ),
    p(
        "config",
        "DescribeDeliveryChannelStatus",
        "config:DescribeDeliveryChannelStatus",
    ),
    p(
        "config",
        "DescribeDeliveryChannels",
        "config:DescribeDeliveryChannels",
    ),
    p("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    p(
        "cloudtrail",
        "GetEventSelectors",
        "cloudtrail:GetEventSelectors",
    ),
    p(
        "cloudtrail",
        "GetInsightSelectors",
        "cloudtrail:GetInsightSelectors",
    ),
    p("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"),
    p("ec2", "DescribeFlowLogs", "ec2:DescribeFlowLogs"),
    p("ec2", "DescribeInstances", "ec2:DescribeInstances"),
    p("ec2", "DescribeNetworkAcls", "ec2:DescribeNetworkAcls"),
    p("ec2", "DescribeRouteTables", "ec2:DescribeRouteTables"),
    p(
        "ec2",
        "DescribeSecurityGroups",
        "ec2:DescribeSecurityGroups",
    ),
    p("ec2", "DescribeVpcEndpoints", "ec2:DescribeVpcEndpoints"),
    p("ec2", "DescribeVpcs", "ec2:DescribeVpcs"),
    p(
        "ec2",
        "GetEbsEncryptionByDefault",
        "ec2:GetEbsEncryptionByDefault",
    ),
    p("kms", "DescribeKey", "kms:DescribeKey"),
    p("kms", "GetKeyPolicy", "kms:GetKeyPolicy"),
    p("kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
    p("kms", "ListAliases", "kms:ListAliases"),
    p("kms", "ListKeys", "kms:ListKeys"),
    p("sns", "GetTopicAttributes", "sns:GetTopicAttributes"),
    p("sns", "ListSubscriptions", "sns:ListSubscriptions"),
    p("sns", "ListTopics", "sns:ListTopics"),
    p("sqs", "GetQueueAttributes", "sqs:GetQueueAttributes"),
    p("sqs", "ListQueues", "sqs:ListQueues"),
    p(
        "accessanalyzer",
        "ListAnalyzers",
        "access-analyzer:ListAnalyzers",
    ),
    p("securityhub", "DescribeHub", "securityhub:DescribeHub"),
    p(
        "efs",
        "DescribeFileSystems",
        "elasticfilesystem:DescribeFileSystems",
    ),
    p(
        "elbv2",
        "DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancers",
    ),
    p(
        "elbv2",
        "DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
    ),
    p(
        "cloudfront",
        "ListDistributions",
        "cloudfront:ListDistributions",
    ),
    p(
        "cloudfront",
        "GetDistributionConfig",
        "cloudfront:GetDistributionConfig",
    ),
    // API Gateway authorizes by HTTP method on its resources.
    p("apigateway", "GetRestApis", "apigateway:GET"),
    p("apigateway", "GetApis", "apigateway:GET"),
    p("apigateway", "GetStages", "apigateway:GET"),
    p("rds", "DescribeDBInstances", "rds:DescribeDBInstances"),
    p(
        "logs",
        "DescribeMetricFilters",
        "logs:DescribeMetricFilters",
    ),
    p("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
    p("lambda", "ListFunctions", "lambda:ListFunctions"),
    p("lambda", "GetPolicy", "lambda:GetPolicy"),
    p(
        "secretsmanager",
        "ListSecrets",
        "secretsmanager:ListSecrets",
    ),
    p(
        "secretsmanager",
        "GetResourcePolicy",
        "secretsmanager:GetResourcePolicy",
    ),
    p("events", "ListEventBuses", "events:ListEventBuses"),
    p(
        "account",
        "GetAlternateContact",
        "account:GetAlternateContact",
    ),
    p(
        "account",
        "GetContactInformation",
        "account:GetContactInformation",
    ),
];

/// The actions the collector role needs in every account: all but the organization's
/// reads and entering other accounts, which only the management account does.
pub fn member_actions() -> BTreeSet<&'static str> {
    PERMISSIONS
        .iter()
        .filter(|p| p.service != "org" && !matches!(p.action, "sts:AssumeRole"))
        .filter(|p| !p.action.starts_with("organizations:"))
        .map(|p| p.action)
        .collect()
}

/// The actions of the identity that runs `collect --org` in the management (or delegated
/// administrator) account: the member actions (its account is audited too), the
/// organization's reads, and AssumeRole into the member role.
pub fn management_actions() -> BTreeSet<&'static str> {
    PERMISSIONS.iter().map(|p| p.action).collect()
}

/// The least-privilege policy documents, as JSON: for the role in member accounts, and for
/// the identity in the management account (AssumeRole limited to `role_name`).
pub fn policy_documents(role_name: &str) -> (serde_json::Value, serde_json::Value) {
    let member: Vec<&str> = member_actions().into_iter().collect();
    let management: Vec<&str> = management_actions()
        .into_iter()
        .filter(|a| *a != "sts:AssumeRole")
        .collect();
    let member_doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "GovscanCollectReadOnly", "Effect": "Allow", "Action": member, "Resource": "*"}]
    });
    let management_doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "GovscanCollectReadOnly", "Effect": "Allow", "Action": management, "Resource": "*"},
            {"Sid": "GovscanEnterMemberAccounts", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": format!("arn:aws:iam::*:role/{role_name}")}
        ]
    });
    (member_doc, management_doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use govscan_policy::catalog::{catalog, AccessLevel};

    /// Every operation the collectors' source records a failure under has its permission:
    /// a new call without one fails here, naming the file.
    #[test]
    fn every_call_the_collectors_make_has_its_permission() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collect");
        let patterns = [
            "record_error(",
            ".error(",
            ".take(",
            "errors.push((",
            "sink_error(",
            // A failure carried out of a fan-out as (error, operation).
            "error_info(&e), ",
        ];
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("permissions.rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str();
            let service = match first.to_string_lossy().trim_end_matches(".rs") {
                "run" => "setup".to_owned(),
                other => other.to_owned(),
            };
            let text = std::fs::read_to_string(path).unwrap();
            for pattern in patterns {
                for (at, _) in text.match_indices(pattern) {
                    let rest = text[at + pattern.len()..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let operation: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if operation.is_empty() || !operation.starts_with(char::is_uppercase) {
                        continue;
                    }
                    seen += 1;
                    let known = PERMISSIONS
                        .iter()
                        .any(|p| p.operation == operation && (p.service == service));
                    if !known {
                        missing.push(format!("{}: {service} {operation}", relative.display()));
                    }
                }
            }
        }
        assert!(seen > 80, "the scan found only {seen} calls");
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "no permission for {missing:?}");
    }

    /// Every action exists in AWS's service authorization reference and only reads.
    #[test]
    fn every_permission_is_a_real_read_only_action() {
        for p in PERMISSIONS {
            let action = catalog()
                .action(p.action)
                .unwrap_or_else(|| panic!("{} is not an AWS action", p.action));
            let read_only = action
                .levels
                .iter()
                .all(|l| matches!(l, AccessLevel::List | AccessLevel::Read));
            // Generating the credential report changes nothing but the report itself.
            let allowed_write = ["iam:GenerateCredentialReport", "sts:AssumeRole"];
            assert!(
                read_only || allowed_write.contains(&p.action),
                "{} is {:?}",
                p.action,
                action.levels
            );
        }
        let (member, management) = policy_documents("OrganizationAccountAccessRole");
        let actions =
            |doc: &serde_json::Value| doc["Statement"][0]["Action"].as_array().unwrap().len();
        assert!(actions(&member) < actions(&management));
        assert!(!member.to_string().contains("organizations:"));
        assert_eq!(
            management["Statement"][1]["Resource"],
            "arn:aws:iam::*:role/OrganizationAccountAccessRole"
        );
    }
}
