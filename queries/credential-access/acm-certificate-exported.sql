-- id: acm-certificate-exported
-- title: "A certificate's private key exported from ACM"
-- severity: medium
-- kind: event
-- description: >
--   ExportCertificate returns a private CA certificate's (or an exportable public certificate's) private key: whoever holds it can impersonate the service it names, or decrypt traffic recorded with weak ciphers.
-- mitre: {tactics: [TA0006], techniques: [T1552.004]}
-- references: [https://docs.aws.amazon.com/acm/latest/APIReference/API_ExportCertificate.html]
-- false_positives: [Installing a certificate on servers outside AWS]
-- remediation: >
--   Check who exported it and where it went; revoke the certificate and issue a new one if the export was not planned.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'private key of ' || coalesce(json_get_str(request_parameters, 'certificateArn'), '?') || ' exported' || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'acm.amazonaws.com' AND event_name = 'ExportCertificate'
