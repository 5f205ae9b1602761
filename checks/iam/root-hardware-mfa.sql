-- id: iam-root-hardware-mfa
-- title: The root user's MFA is a hardware device
-- severity: high
-- description: >
--   A virtual MFA lives on a phone with its own attack surface; CIS level 2 asks for a
--   hardware device for the root user. A root user with a virtual device, or none, fails.
-- remediation: Replace the root user's virtual MFA with a hardware or FIDO security key.
-- frameworks: { cis-aws-5.0: ["1.5"] }
-- tables: [iam_account_summary, iam_mfa_devices]
-- requires: [GetAccountSummary, ListVirtualMFADevices]
SELECT
  'arn:aws:iam::' || s.account_id || ':root' AS resource_id,
  s.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN s.value = 1 AND v.account_id IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN s.value <> 1 THEN 'the root user has no MFA device'
    WHEN v.account_id IS NOT NULL THEN 'the root user uses a virtual MFA device'
    ELSE 'the root user uses a hardware MFA device'
  END AS reason
FROM iam_account_summary s
LEFT JOIN (
  SELECT DISTINCT account_id FROM iam_mfa_devices WHERE user_name = '<root_account>' AND device_type = 'virtual'
) v ON v.account_id = s.account_id
WHERE s.name = 'AccountMFAEnabled'
