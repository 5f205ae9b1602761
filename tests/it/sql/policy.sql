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
