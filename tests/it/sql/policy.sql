-- policy_allows(document, action, resource) reads the document as an identity-based
-- policy alone: an explicit Deny wins, wildcards match as IAM's do, a condition on a key the
-- request would carry is not met, and a document that does not parse is NULL.
SELECT name, policy_allows(doc, action, resource) AS allowed
FROM (VALUES
    ('allow s3 read',
     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}',
     's3:GetObject', 'arn:aws:s3:::b/k'),
    ('not covered',
     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}',
     's3:PutObject', 'arn:aws:s3:::b/k'),
    ('deny wins',
     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}',
     's3:GetObject', 'arn:aws:s3:::b/k'),
    ('resource outside the pattern',
     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/public/*"}]}',
     's3:GetObject', 'arn:aws:s3:::b/private/k'),
    ('condition not met without context',
     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}',
     'iam:CreateUser', '*'),
    ('not a policy', '{"Statement": 5}', 's3:GetObject', '*')
) AS t(name, doc, action, resource);

-- action_access_level(action) is the service authorization reference's level; an action it
-- does not list is NULL. expand_actions(pattern) lists the actions a pattern matches.
SELECT action, action_access_level(action) AS level
FROM (VALUES
    ('s3:GetObject'),
    ('s3:ListAllMyBuckets'),
    ('iam:CreatePolicyVersion'),
    ('iam:TagRole'),
    ('s3:PutObject'),
    ('s3:NoSuchAction')
) AS t(action);

SELECT expand_actions('iam:CreatePolicyVersion') AS one,
       cardinality(expand_actions('s3:*')) > 100 AS many,
       cardinality(expand_actions('nosuchservice:*')) AS none;

-- Whether a policy denies an action to every principal: by a wildcard, a NotAction, or a
-- deny whose condition only exempts named principals; not a deny narrowed to a region.
SELECT
  policy_denies('{"Statement": {"Effect": "Deny", "Action": "cloudtrail:Stop*", "Resource": "*"}}', 'cloudtrail:StopLogging') AS wildcard,
  policy_denies('{"Statement": {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}}', 'cloudtrail:DeleteTrail') AS not_action,
  policy_denies('{"Statement": {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Security"}}}}', 'cloudtrail:StopLogging') AS role_exempted,
  policy_denies('{"Statement": {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}}', 'cloudtrail:StopLogging') AS region_narrowed,
  policy_denies('not json', 'cloudtrail:StopLogging') AS not_a_policy;

-- Condition values, operator and key matched case-insensitively, lists and scalars alike.
SELECT
  condition_values('{"Bool": {"aws:SecureTransport": "false"}}', 'bool', 'AWS:SECURETRANSPORT') AS one,
  condition_values('{"bool": {"aws:securetransport": [false]}}', 'Bool', 'aws:SecureTransport') AS boolean_list,
  condition_values('{"NumericLessThan": {"s3:TlsVersion": 1.2}}', 'NumericLessThan', 's3:TlsVersion') AS number,
  condition_values('{"Bool": {"aws:SecureTransport": "false"}}', 'StringEquals', 'aws:SecureTransport') AS other_operator,
  condition_values('[1]', 'Bool', 'aws:SecureTransport') AS not_a_block;

-- What a trail records, from its basic or advanced event selectors.
SELECT
  trail_records('[{"read_write_type": "WriteOnly", "include_management_events": true}, {"read_write_type": "All", "include_management_events": true}]', NULL, 'management') AS second_selector_counts,
  trail_records(NULL, '[{"field_selectors": [{"field": "eventCategory", "equals": ["Management"]}, {"field": "readOnly", "equals": ["false"]}]}]', 'management') AS writes_only,
  trail_records('[{"read_write_type": "ReadOnly", "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]', NULL, 's3_object_read') AS reads_of_all_buckets,
  trail_records(NULL, NULL, 'nonsense') AS unknown_question;

-- What a firewall rule admits: all protocols, or TCP/UDP (name or number) over a port range.
SELECT
  rule_admits_port('-1', NULL, NULL, 22) AS all_protocols,
  rule_admits_port('tcp', 0, 3389, 22) AS range_includes,
  rule_admits_port('6', 443, 443, 22) AS other_port,
  rule_admits_port('icmp', -1, -1, 22) AS icmp,
  rule_admits_port(NULL, 22, 22, 22) AS no_protocol;
