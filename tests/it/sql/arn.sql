-- The ARN functions split on the first five colons: the resource keeps its own colons and
-- slashes; IAM and S3 ARNs have an empty region (and S3 an empty account), not NULL; a text
-- that is not an ARN gives NULL.
SELECT arn,
       arn_partition(arn) AS partition,
       arn_service(arn) AS service,
       arn_region(arn) AS region,
       arn_account(arn) AS account,
       arn_resource(arn) AS resource
FROM (VALUES
    ('arn:aws:iam::123456789012:role/path/app-role'),
    ('arn:aws:s3:::logs-bucket/AWSLogs/*'),
    ('arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:/aws/x:*'),
    ('arn:aws:s3'),
    ('not-an-arn'),
    (NULL)
) AS t(arn);
