-- id: iam-expired-server-certificates
-- title: No expired server certificate is stored in IAM
-- severity: medium
-- description: An expired certificate can be deployed by mistake and breaks the service that uses it.
-- remediation: Delete the expired certificate (aws iam delete-server-certificate).
-- frameworks: { cis-aws-5.0: ["1.18"], cis-aws-6.0: ["2.18"], cis-aws-7.0: ["2.17"] }
-- tables: [iam_server_certificates, snapshot_info]
-- requires: [ListServerCertificates]
SELECT
  c.arn AS resource_id,
  c.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN c.expiration < i.collected_at THEN 'FAIL' ELSE 'PASS' END AS status,
  'expires ' || CAST(CAST(c.expiration AS DATE) AS VARCHAR) AS reason
FROM iam_server_certificates c CROSS JOIN snapshot_info i
