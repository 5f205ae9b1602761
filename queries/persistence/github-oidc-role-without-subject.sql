-- id: github-oidc-role-without-subject
-- title: A role trusts GitHub Actions without limiting which repository
-- severity: high
-- kind: event
-- description: >
--   A role whose trust policy lets token.actions.githubusercontent.com federate without a condition on the token's sub (or with a sub that is only a wildcard) can be assumed by a workflow in any GitHub repository, including one an attacker creates: the role is open to the internet.
-- mitre: {tactics: [TA0001, TA0003], techniques: [T1078.004, T1098.003]}
-- references: [https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services, https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/]
-- false_positives: ["None: AWS itself now refuses new roles like this, but older roles and other OIDC providers of CI systems are not checked by AWS"]
-- remediation: >
--   Add a StringLike condition on token.actions.githubusercontent.com:sub naming the organization and repository (repo:ORG/REPO:*), and check the role's sessions since the change.
WITH statements AS (
  SELECT e.*, unnest(policy_statements(coalesce(json_get_str(request_parameters, 'policyDocument'), json_get_str(request_parameters, 'assumeRolePolicyDocument')))) AS s
  FROM hunt_events e
  WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('UpdateAssumeRolePolicy', 'CreateRole') AND error_code IS NULL
)
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  coalesce(json_get_str(request_parameters, 'roleName'), '?') || ' trusts GitHub Actions of any repository' AS reason
FROM statements
WHERE s['effect'] = 'Allow'
  AND strpos(coalesce(s['principal'], ''), 'token.actions.githubusercontent.com') > 0
  -- A sub condition naming a GitHub organization (repo:ORG/...) limits the repositories.
  AND NOT regexp_like(coalesce(s['condition'], ''), 'token\.actions\.githubusercontent\.com:sub"\s*:\s*(\[\s*)?"repo:[^"*/]+/')
