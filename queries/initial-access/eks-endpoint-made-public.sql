-- id: eks-endpoint-made-public
-- title: "An EKS cluster's API endpoint opened to the internet"
-- severity: medium
-- kind: event
-- description: >
--   UpdateClusterConfig turning the public endpoint on without limiting its source networks (or with 0.0.0.0/0) puts the Kubernetes API of the cluster on the internet, where its authentication is all that stands between it and anyone.
-- mitre: {tactics: [TA0001], techniques: [T1190, T1133]}
-- references: [https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html]
-- false_positives: [Clusters administered from networks without fixed addresses]
-- remediation: >
--   Limit publicAccessCidrs to the networks administrators use, or turn the public endpoint off and use the private one.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'API endpoint of cluster ' || coalesce(json_get_str(request_parameters, 'name'), '?') || ' open to '
    || coalesce(json_get_json(request_parameters, 'resourcesVpcConfig', 'publicAccessCidrs'), 'any address') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'eks.amazonaws.com' AND event_name = 'UpdateClusterConfig'
  AND json_get_bool(request_parameters, 'resourcesVpcConfig', 'endpointPublicAccess')
  AND (json_get(request_parameters, 'resourcesVpcConfig', 'publicAccessCidrs') IS NULL
       OR strpos(json_get_json(request_parameters, 'resourcesVpcConfig', 'publicAccessCidrs'), '"0.0.0.0/0"') > 0)
