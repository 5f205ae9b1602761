-- id: iam-console-user-mfa
-- title: Every IAM user with a console password has MFA
-- severity: high
-- description: A console password without MFA is one phished secret away from the console.
-- remediation: Assign an MFA device to the user, or remove its console password.
-- frameworks: { cis-aws-5.0: ["1.9"], cis-aws-6.0: ["2.9"], cis-aws-7.0: ["2.10"] }
-- tables: [iam_users, iam_mfa_devices]
-- requires: [ListUsers, GetLoginProfile, ListMFADevices]
SELECT
  u.arn AS resource_id,
  u.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN m.user_name IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN m.user_name IS NULL THEN 'console password without MFA' ELSE 'console password with MFA' END AS reason
FROM iam_users u
LEFT JOIN (SELECT DISTINCT account_id, user_name FROM iam_mfa_devices WHERE assigned) m
  ON m.account_id = u.account_id AND m.user_name = u.user_name
WHERE u.has_login_profile
