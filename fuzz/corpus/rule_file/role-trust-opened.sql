-- id: role-trust-opened
-- title: A role's trust policy opened to another account or to everyone
-- severity: high
-- kind: event
-- description: >
--   UpdateAssumeRolePolicy with a policy that lets a principal of another AWS account, or any principal ("*"), assume the role: a backdoor that survives the removal of every user.
-- mitre: {tactics: [TA0003], techniques: [T1098.003]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-backdoor-role/]
-- false_positives: [Cross-account roles for your own other accounts or vendors]
WITH statements AS (
  SELECT e.*, unnest(policy_statements(json_get_str(request_parameters, 'policyDocument'))) AS s
  FROM hunt_events e
  WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('UpdateAssumeRolePolicy', 'CreateRole') AND error_code IS NULL
), opened AS (
  SELECT *,
    -- With the role's own account id removed, any 12-digit account left is another account's.
    regexp_match(regexp_replace(s['principal'], account_id, '', 'g'), '[0-9]{12}') AS other_account,
    s['principal'] = '"*"' OR json_get_str(s['principal'], 'AWS') = '*' AS anyone
  FROM statements
  WHERE s['effect'] = 'Allow' AND s['principal'] IS NOT NULL
)
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  json_get_str(request_parameters, 'roleName') || ' can be assumed by '
    || CASE WHEN anyone THEN 'anyone' ELSE 'account ' || other_account[1] END AS reason
FROM opened
WHERE anyone OR other_account IS NOT NULL
