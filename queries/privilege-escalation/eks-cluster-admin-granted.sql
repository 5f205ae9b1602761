-- id: eks-cluster-admin-granted
-- title: Cluster administrator access to an EKS cluster granted to an IAM principal
-- severity: medium
-- kind: event
-- description: >
--   An access entry with the AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy access policy, or in the system:masters group, makes an IAM principal administrator of the Kubernetes cluster: its secrets, its workloads and the node roles behind them.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1098, T1078.004]}
-- references: [https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html, https://securitylabs.datadoghq.com/articles/eks-cluster-access-management-deep-dive/]
-- false_positives: [Platform teams granting administrators through access entries]
-- remediation: >
--   Check the principal with the cluster's owners; delete the access entry (or disassociate the policy) if it is not planned.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  coalesce(json_get_str(request_parameters, 'principalArn'), '?') || ' made administrator of cluster ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'clusterName'), '?')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'eks.amazonaws.com'
  AND ((event_name = 'AssociateAccessPolicy'
        AND regexp_like(coalesce(json_get_str(request_parameters, 'policyArn'), ''), 'cluster-access-policy/AmazonEKS(Cluster)?AdminPolicy$'))
       OR (event_name IN ('CreateAccessEntry', 'UpdateAccessEntry')
           AND strpos(coalesce(json_get_json(request_parameters, 'kubernetesGroups'), ''), '"system:masters"') > 0))
