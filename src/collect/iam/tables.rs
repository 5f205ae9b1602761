//! The tables the IAM collector fills.

use crate::store::{col, ColumnType::*, TableDef};

pub static IAM_USERS: TableDef = TableDef {
    name: "iam_users",
    key: &[],
    doc: "IAM users, with console access and group membership.",
    columns: &[
        col("account_id", Text, "Account"),
        col("user_name", Text, "User name"),
        col("user_id", Text, "Unique id (AIDA...)"),
        col("arn", Text, "User ARN"),
        col("path", Text, "IAM path"),
        col("create_date", Timestamp, "When the user was created"),
        col(
            "password_last_used",
            Timestamp,
            "Last console sign-in; null if never or no password",
        ),
        col(
            "has_login_profile",
            Bool,
            "True if the user has a console password",
        ),
        col(
            "login_profile_created_at",
            Timestamp,
            "When the console password was created",
        ),
        col(
            "password_reset_required",
            Bool,
            "Must change password at next sign-in",
        ),
        col(
            "permissions_boundary_arn",
            Text,
            "Managed policy set as permissions boundary",
        ),
        col("group_names", TextList, "Groups the user belongs to"),
        col("tags", Json, "Tags as a JSON object"),
    ],
};

pub static IAM_GROUPS: TableDef = TableDef {
    name: "iam_groups",
    key: &[],
    doc: "IAM groups.",
    columns: &[
        col("account_id", Text, "Account"),
        col("group_name", Text, "Group name"),
        col("group_id", Text, "Unique id (AGPA...)"),
        col("arn", Text, "Group ARN"),
        col("path", Text, "IAM path"),
        col("create_date", Timestamp, "When the group was created"),
    ],
};

pub static IAM_GROUP_MEMBERS: TableDef = TableDef {
    name: "iam_group_members",
    key: &["group_arn", "user_name"],
    doc: "Which user is in which group.",
    columns: &[
        col("account_id", Text, "Account"),
        col("group_name", Text, "Group name"),
        col("group_arn", Text, "Group ARN"),
        col("user_name", Text, "Member user name"),
        col("user_arn", Text, "Member user ARN"),
    ],
};

pub static IAM_ROLES: TableDef = TableDef {
    name: "iam_roles",
    key: &[],
    doc: "IAM roles, with trust policy, permissions boundary and last use.",
    columns: &[
        col("account_id", Text, "Account"),
        col("role_name", Text, "Role name"),
        col("role_id", Text, "Unique id (AROA...)"),
        col("arn", Text, "Role ARN"),
        col(
            "path",
            Text,
            "IAM path (/aws-service-role/ for service-linked roles)",
        ),
        col("create_date", Timestamp, "When the role was created"),
        col("description", Text, "Description"),
        col(
            "max_session_duration",
            Int,
            "Maximum session length in seconds",
        ),
        col("assume_role_policy", Json, "Trust policy document"),
        col(
            "permissions_boundary_arn",
            Text,
            "Managed policy set as permissions boundary",
        ),
        col(
            "last_used_date",
            Timestamp,
            "Last time the role was assumed and used",
        ),
        col("last_used_region", Text, "Region of that last use"),
        col(
            "instance_profile_arns",
            TextList,
            "Instance profiles that carry the role",
        ),
        col(
            "is_service_linked",
            Bool,
            "True for service-linked roles (SCPs do not restrict them)",
        ),
        col("tags", Json, "Tags as a JSON object"),
    ],
};

pub static IAM_POLICIES: TableDef = TableDef {
    name: "iam_policies",
    key: &[],
    doc: "Customer managed policies, and the AWS managed policies that are attached or used as boundaries, with the default version's document.",
    columns: &[
        col("account_id", Text, "Account"),
        col("policy_name", Text, "Policy name"),
        col("policy_id", Text, "Unique id (ANPA...)"),
        col("arn", Text, "Policy ARN"),
        col("path", Text, "IAM path"),
        col("aws_managed", Bool, "True for AWS managed policies (arn:aws:iam::aws:policy/...)"),
        col("default_version_id", Text, "Version in effect, e.g. v3"),
        col("attachment_count", Int, "Users, groups and roles it is attached to"),
        col("permissions_boundary_usage_count", Int, "Entities using it as permissions boundary"),
        col("is_attachable", Bool, "Whether it can be attached"),
        col("description", Text, "Description"),
        col("create_date", Timestamp, "When it was created"),
        col("update_date", Timestamp, "When its default version last changed"),
        col("document", Json, "The default version's policy document, URL-decoded"),
    ],
};

pub static IAM_POLICY_ATTACHMENTS: TableDef = TableDef {
    name: "iam_policy_attachments",
    key: &[],
    doc: "Which user, group or role has which managed policy attached.",
    columns: &[
        col("account_id", Text, "Account"),
        col("policy_arn", Text, "Attached managed policy"),
        col("policy_name", Text, "Its name"),
        col("principal_type", Text, "user, group or role"),
        col("principal_name", Text, "Name of the user, group or role"),
        col("principal_arn", Text, "ARN of the user, group or role"),
    ],
};

pub static IAM_INLINE_POLICIES: TableDef = TableDef {
    name: "iam_inline_policies",
    key: &[],
    doc: "Inline policies embedded in users, groups and roles.",
    columns: &[
        col("account_id", Text, "Account"),
        col("principal_type", Text, "user, group or role"),
        col("principal_name", Text, "Name of the user, group or role"),
        col("principal_arn", Text, "ARN of the user, group or role"),
        col("policy_name", Text, "Inline policy name"),
        col("document", Json, "Policy document, URL-decoded"),
    ],
};

pub static IAM_ACCESS_KEYS: TableDef = TableDef {
    name: "iam_access_keys",
    key: &["access_key_id"],
    doc: "Access keys of IAM users (ids only; secrets are never readable).",
    columns: &[
        col("account_id", Text, "Account"),
        col("user_name", Text, "Owner"),
        col("user_arn", Text, "Owner ARN"),
        col("access_key_id", Text, "Key id (AKIA...)"),
        col("status", Text, "Active or Inactive"),
        col("create_date", Timestamp, "When the key was created"),
        col("last_used_date", Timestamp, "Last use; null if never used"),
        col("last_used_service", Text, "Service of the last use"),
        col("last_used_region", Text, "Region of the last use"),
    ],
};

pub static IAM_MFA_DEVICES: TableDef = TableDef {
    name: "iam_mfa_devices",
    key: &["account_id", "serial_number"],
    doc: "MFA devices: virtual, hardware and FIDO, assigned or not, including the root user's.",
    columns: &[
        col("account_id", Text, "Account"),
        col(
            "serial_number",
            Text,
            "Device ARN (virtual, FIDO) or serial (hardware)",
        ),
        col("device_type", Text, "virtual, hardware or fido"),
        col(
            "user_name",
            Text,
            "Assigned user; <root_account> for the root user; null if unassigned",
        ),
        col("user_arn", Text, "Assigned user ARN"),
        col("enable_date", Timestamp, "When it was enabled for the user"),
        col("assigned", Bool, "True if assigned to a user"),
    ],
};

pub static IAM_CREDENTIAL_REPORT: TableDef = TableDef {
    name: "iam_credential_report",
    key: &[],
    doc: "The IAM credential report, typed: one row per user, including <root_account>.",
    columns: &[
        col("account_id", Text, "Account"),
        col("user", Text, "User name, or <root_account>"),
        col("arn", Text, "User ARN"),
        col("user_creation_time", Timestamp, "When the user was created"),
        col(
            "password_enabled",
            Bool,
            "Has a console password (null for root: not_supported)",
        ),
        col("password_last_used", Timestamp, "Last console sign-in"),
        col("password_last_changed", Timestamp, "Last password change"),
        col(
            "password_next_rotation",
            Timestamp,
            "When the password policy requires a change",
        ),
        col("mfa_active", Bool, "Has an MFA device"),
        col("access_key_1_active", Bool, "First key is active"),
        col(
            "access_key_1_last_rotated",
            Timestamp,
            "First key created or rotated",
        ),
        col(
            "access_key_1_last_used_date",
            Timestamp,
            "First key last used",
        ),
        col("access_key_1_last_used_region", Text, "Region of that use"),
        col(
            "access_key_1_last_used_service",
            Text,
            "Service of that use",
        ),
        col("access_key_2_active", Bool, "Second key is active"),
        col(
            "access_key_2_last_rotated",
            Timestamp,
            "Second key created or rotated",
        ),
        col(
            "access_key_2_last_used_date",
            Timestamp,
            "Second key last used",
        ),
        col("access_key_2_last_used_region", Text, "Region of that use"),
        col(
            "access_key_2_last_used_service",
            Text,
            "Service of that use",
        ),
        col("cert_1_active", Bool, "First signing certificate is active"),
        col(
            "cert_1_last_rotated",
            Timestamp,
            "First certificate created or rotated",
        ),
        col(
            "cert_2_active",
            Bool,
            "Second signing certificate is active",
        ),
        col(
            "cert_2_last_rotated",
            Timestamp,
            "Second certificate created or rotated",
        ),
    ],
};

pub static IAM_PASSWORD_POLICY: TableDef = TableDef {
    name: "iam_password_policy",
    key: &["account_id"],
    doc: "The account password policy; one row per account, policy_exists false when none is set.",
    columns: &[
        col("account_id", Text, "Account"),
        col(
            "policy_exists",
            Bool,
            "False when the account has no password policy (AWS defaults apply)",
        ),
        col("minimum_password_length", Int, "Minimum length"),
        col("require_symbols", Bool, "Requires a symbol"),
        col("require_numbers", Bool, "Requires a number"),
        col(
            "require_uppercase_characters",
            Bool,
            "Requires an uppercase letter",
        ),
        col(
            "require_lowercase_characters",
            Bool,
            "Requires a lowercase letter",
        ),
        col(
            "allow_users_to_change_password",
            Bool,
            "Users may change their own password",
        ),
        col("expire_passwords", Bool, "Passwords expire"),
        col("max_password_age", Int, "Days before a password expires"),
        col(
            "password_reuse_prevention",
            Int,
            "Previous passwords that cannot be reused",
        ),
        col(
            "hard_expiry",
            Bool,
            "Expired passwords need an administrator reset",
        ),
    ],
};

pub static IAM_ACCOUNT_SUMMARY: TableDef = TableDef {
    name: "iam_account_summary",
    key: &["account_id", "name"],
    doc: "GetAccountSummary as name/value rows (AccountMFAEnabled, AccountAccessKeysPresent, Users, ...).",
    columns: &[
        col("account_id", Text, "Account"),
        col("name", Text, "Summary key, e.g. AccountMFAEnabled"),
        col("value", Int, "Its value"),
    ],
};

pub static IAM_SERVER_CERTIFICATES: TableDef = TableDef {
    name: "iam_server_certificates",
    key: &[],
    doc: "Server certificates stored in IAM.",
    columns: &[
        col("account_id", Text, "Account"),
        col("name", Text, "Certificate name"),
        col("certificate_id", Text, "Unique id"),
        col("arn", Text, "ARN"),
        col("path", Text, "IAM path"),
        col("upload_date", Timestamp, "When it was uploaded"),
        col("expiration", Timestamp, "When it expires"),
    ],
};

pub static IAM_SAML_PROVIDERS: TableDef = TableDef {
    name: "iam_saml_providers",
    key: &[],
    doc: "SAML identity providers.",
    columns: &[
        col("account_id", Text, "Account"),
        col("arn", Text, "Provider ARN"),
        col("create_date", Timestamp, "When it was created"),
        col("valid_until", Timestamp, "Metadata expiry"),
    ],
};

pub static IAM_OIDC_PROVIDERS: TableDef = TableDef {
    name: "iam_oidc_providers",
    key: &[],
    doc: "OpenID Connect identity providers, with audiences and thumbprints.",
    columns: &[
        col("account_id", Text, "Account"),
        col("arn", Text, "Provider ARN"),
        col("url", Text, "Issuer URL"),
        col("client_ids", TextList, "Audiences"),
        col("thumbprints", TextList, "Server certificate thumbprints"),
        col("create_date", Timestamp, "When it was created"),
    ],
};

pub(super) static TABLES: &[&TableDef] = &[
    &IAM_USERS,
    &IAM_GROUPS,
    &IAM_GROUP_MEMBERS,
    &IAM_ROLES,
    &IAM_POLICIES,
    &IAM_POLICY_ATTACHMENTS,
    &IAM_INLINE_POLICIES,
    &IAM_ACCESS_KEYS,
    &IAM_MFA_DEVICES,
    &IAM_CREDENTIAL_REPORT,
    &IAM_PASSWORD_POLICY,
    &IAM_ACCOUNT_SUMMARY,
    &IAM_SERVER_CERTIFICATES,
    &IAM_SAML_PROVIDERS,
    &IAM_OIDC_PROVIDERS,
];
