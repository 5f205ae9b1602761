-- id: web-frontend-access-logging
-- title: Web front ends (CloudFront, load balancers, API Gateway stages) write access logs
-- severity: medium
-- description: >
--   Access logs are the record of who asked a web front end for what; without them an
--   intrusion through the web tier leaves no trace but the application's own. CIS v7.0 4.10
--   (manual) asks that every AWS-managed web front end log its access. Which front ends
--   matter is the reviewer's call, so this is evidence: one row per CloudFront distribution
--   (standard logging to S3 in its configuration), application load balancer
--   (access_logs.s3.enabled) and API Gateway stage (an access log destination). Network and
--   gateway load balancers carry no HTTP access logs and are left out. A distribution that
--   logs only through CloudWatch Logs deliveries (standard logging v2) or real-time logs fails
--   here for review: those are not in its configuration.
-- remediation: >
--   CloudFront, aws cloudfront update-distribution with Logging Enabled and a bucket (or a
--   CloudWatch Logs delivery); an application load balancer, aws elbv2
--   modify-load-balancer-attributes --attributes Key=access_logs.s3.enabled,Value=true
--   Key=access_logs.s3.bucket,Value=BUCKET; an API Gateway stage, aws apigateway update-stage
--   --patch-operations op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN.
-- frameworks: { cis-aws-7.0: ["4.10"] }
-- tables: [cloudfront_distributions, elbv2_load_balancers, apigateway_stages]
-- requires: [ListDistributions, GetDistributionConfig, DescribeLoadBalancers, DescribeLoadBalancerAttributes, GetRestApis, GetApis, GetStages]
SELECT arn AS resource_id, account_id, CAST(NULL AS VARCHAR) AS region,
       CASE WHEN logging_enabled THEN 'PASS' ELSE 'FAIL' END AS status,
       CASE WHEN logging_enabled THEN 'CloudFront standard logs to ' || coalesce(logging_bucket, 'a bucket')
            ELSE 'CloudFront distribution ' || id || ' has no standard logging in its configuration (review: a CloudWatch Logs delivery or real-time logs are not shown here)' END AS reason
FROM cloudfront_distributions
UNION ALL
SELECT arn, account_id, region,
       CASE WHEN access_logs_enabled THEN 'PASS' ELSE 'FAIL' END,
       CASE WHEN access_logs_enabled THEN 'load balancer access logs to ' || coalesce(access_logs_bucket, 'a bucket')
            ELSE coalesce(scheme, '') || ' application load balancer ' || coalesce(name, arn) || ' writes no access logs' END
FROM elbv2_load_balancers
WHERE type = 'application'
UNION ALL
SELECT arn, account_id, region,
       CASE WHEN access_log_destination IS NOT NULL THEN 'PASS' ELSE 'FAIL' END,
       CASE WHEN access_log_destination IS NOT NULL THEN protocol || ' API stage access logs to ' || access_log_destination
            ELSE protocol || ' API ' || coalesce(api_name, api_id) || ' stage ' || stage_name || ' writes no access logs' END
FROM apigateway_stages
