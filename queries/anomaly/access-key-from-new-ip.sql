-- id: access-key-from-new-ip
-- title: A long-term access key used from a new address
-- severity: medium
-- kind: first-seen
-- description: >
--   An IAM user's access key (AKIA...) with history before the window used from a source address it had not used within the history window (addresses in trusted_cidrs excepted): the key may have been copied.
-- mitre: {tactics: [TA0001], techniques: [T1078.004]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html]
-- false_positives: [Users who travel or change networks; CI runners with changing addresses]
WITH key_uses AS (
  SELECT user_identity['access_key_id'] AS key_id, source_ip_address, min(event_time) AS first_time
  FROM hunt_history
  WHERE user_identity['access_key_id'] LIKE 'AKIA%'
    AND cidr_contains('0.0.0.0/0', source_ip_address) IS NOT NULL
  GROUP BY 1, 2
), known_keys AS (
  SELECT DISTINCT k.key_id FROM key_uses k CROSS JOIN hunt_params p WHERE k.first_time < p.new_after
), trusted AS (
  SELECT unnest(trusted_cidrs) AS cidr FROM hunt_params
), new_addresses AS (
  SELECT k.* FROM key_uses k CROSS JOIN hunt_params p
  JOIN known_keys USING (key_id)
  LEFT JOIN trusted t ON cidr_contains(t.cidr, k.source_ip_address)
  WHERE k.first_time >= p.new_after AND t.cidr IS NULL
)
SELECT e.event_time, e.account_id, e.aws_region AS region, e.principal, e.source_ip_address,
       make_array(e.event_id) AS event_ids,
       'key ' || n.key_id || ' used from ' || n.source_ip_address || ' for the first time (' || e.event_source || ':' || e.event_name || ')' AS reason
FROM new_addresses n
JOIN hunt_events e ON e.user_identity['access_key_id'] = n.key_id AND e.source_ip_address = n.source_ip_address
                  AND e.event_time = n.first_time
