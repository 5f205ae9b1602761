-- id: iam-root-hardware-mfa
-- title: The root user's MFA is a hardware device, or it has no password
-- severity: high
-- description: >
--   A virtual MFA lives on a phone with its own attack surface; CIS level 2 asks for a
--   hardware device for the root user. The CIS audit (v7.0 2.6): AccountMFAEnabled 0 with
--   AccountPasswordPresent 1 fails; with MFA, a virtual device of the root user
--   (arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device in ListVirtualMFADevices) fails; a root
--   user without a password (centralized root access removed it) passes.
-- remediation: Replace the root user's virtual MFA with a hardware or FIDO security key, or remove the member account's root password with centralized root access.
-- frameworks: { cis-aws-5.0: ["1.5"], cis-aws-6.0: ["2.5"], cis-aws-7.0: ["2.6"] }
-- tables: [iam_account_summary, iam_mfa_devices]
-- requires: [GetAccountSummary, ListVirtualMFADevices]
WITH summary AS (
  SELECT account_id,
         max(CASE WHEN name = 'AccountMFAEnabled' THEN value END) AS mfa,
         max(CASE WHEN name = 'AccountPasswordPresent' THEN value END) AS password
  FROM iam_account_summary GROUP BY account_id
), virtual_root AS (
  SELECT DISTINCT account_id FROM iam_mfa_devices
  WHERE device_type = 'virtual' AND (user_name = '<root_account>' OR user_arn LIKE 'arn:%:iam::%:root'
                                     OR serial_number LIKE '%:mfa/root-account-mfa-device')
)
SELECT
  'arn:aws:iam::' || s.account_id || ':root' AS resource_id,
  s.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE
    WHEN s.mfa = 1 AND v.account_id IS NULL THEN 'PASS'
    WHEN COALESCE(s.mfa, 0) <> 1 AND s.password = 0 THEN 'PASS'
    ELSE 'FAIL'
  END AS status,
  CASE
    WHEN s.mfa = 1 AND v.account_id IS NOT NULL THEN 'the root user uses a virtual MFA device'
    WHEN s.mfa = 1 THEN 'the root user uses a hardware MFA device'
    WHEN s.password = 0 THEN 'the root user has no password (no console sign-in), so needs no MFA'
    ELSE 'the root user has a password and no MFA device'
  END AS reason
FROM summary s
LEFT JOIN virtual_root v ON v.account_id = s.account_id
WHERE s.mfa IS NOT NULL OR s.password IS NOT NULL
