-- id: instance-credentials-from-several-ips
-- title: One instance's role credentials used from several public addresses
-- severity: high
-- kind: threshold
-- description: >
--   Credentials an EC2 instance gets from its metadata service belong to that instance; used from more than one public address (outside trusted_cidrs) they have likely been copied off it.
-- mitre: {tactics: [TA0006], techniques: [T1552.005]}
-- references: [https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#unauthorizedaccess-iam-instancecredentialexfiltrationoutsideaws]
-- false_positives: [Instances whose public address changed (stop/start without an Elastic IP)]
WITH trusted AS (
  SELECT unnest(trusted_cidrs) AS cidr FROM hunt_params
), candidates AS (
  SELECT * FROM hunt_events
  WHERE user_identity['type'] = 'AssumedRole'
    AND user_identity['principal_id'] LIKE '%:i-%'
    -- An address (not a service name such as ec2.amazonaws.com) that is public.
    AND cidr_contains('0.0.0.0/0', source_ip_address) IS NOT NULL
    AND NOT coalesce(cidr_contains('10.0.0.0/8', source_ip_address) OR cidr_contains('172.16.0.0/12', source_ip_address)
                     OR cidr_contains('192.168.0.0/16', source_ip_address), false)
), uses AS (
  SELECT c.* FROM candidates c
  LEFT JOIN trusted t ON cidr_contains(t.cidr, c.source_ip_address)
  WHERE t.cidr IS NULL
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CAST(NULL AS VARCHAR) AS source_ip_address, array_agg(event_id) AS event_ids,
       'session ' || user_identity['principal_id'] || ' used from ' || count(DISTINCT source_ip_address) || ' addresses: '
         || string_agg(DISTINCT source_ip_address, ', ') AS reason
FROM uses
GROUP BY principal, user_identity['principal_id']
HAVING count(DISTINCT source_ip_address) > 1
