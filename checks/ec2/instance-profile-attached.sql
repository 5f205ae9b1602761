-- id: ec2-instance-profile-attached
-- title: Every instance reaches AWS through an IAM role of an instance profile
-- severity: medium
-- description: >
--   Code on an instance that calls AWS either carries long-term access keys or uses the
--   temporary credentials of the role in the instance's profile, which AWS rotates. The CIS
--   audit (v7.0 2.16): each instance has an instance profile ARN, and that profile holds a
--   role ("No roles attached to instance profile" is a failure too). One row per instance
--   that is not terminated, stopped ones included: they run again as they are.
-- remediation: Attach an instance profile with a least-privilege role (aws ec2 associate-iam-instance-profile), and remove access keys from the instance.
-- frameworks: { cis-aws-5.0: ["1.17"], cis-aws-6.0: ["2.17"], cis-aws-7.0: ["2.16"] }
-- tables: [ec2_instances, iam_roles]
-- requires: [DescribeInstances, GetAccountAuthorizationDetails]
WITH profile_roles AS (
  SELECT p.arn AS profile_arn, r.role_name
  FROM (SELECT role_name, unnest(instance_profile_arns) AS arn FROM iam_roles) r
  JOIN (SELECT DISTINCT instance_profile_arn AS arn FROM ec2_instances) p ON p.arn = r.arn
)
SELECT
  'arn:aws:ec2:' || i.region || ':' || i.account_id || ':instance/' || i.instance_id AS resource_id,
  i.account_id,
  i.region,
  CASE WHEN i.instance_profile_arn IS NOT NULL AND max(pr.role_name) IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN i.instance_profile_arn IS NULL THEN 'no instance profile attached (' || coalesce(i.state, 'unknown state') || ')'
    WHEN max(pr.role_name) IS NULL THEN 'no role in instance profile ' || i.instance_profile_arn
    ELSE 'role ' || max(pr.role_name) || ' through ' || i.instance_profile_arn
  END AS reason
FROM ec2_instances i
LEFT JOIN profile_roles pr ON pr.profile_arn = i.instance_profile_arn
GROUP BY i.account_id, i.region, i.instance_id, i.instance_profile_arn, i.state
