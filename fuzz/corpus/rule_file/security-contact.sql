-- id: account-security-contact
-- title: Every account has a security alternate contact
-- severity: medium
-- description: >
--   AWS writes to the security contact about abuse, compromised credentials and security
--   findings; without one, those notices go to the root email alone. The CIS audit (v7.0
--   2.3): GetAlternateContact of type SECURITY answers with a contact (ResourceNotFound
--   fails). One row per collected account.
-- remediation: aws account put-alternate-contact --alternate-contact-type SECURITY --name NAME --title TITLE --email-address ADDRESS --phone-number PHONE (for members, from the management account with --account-id).
-- frameworks: { cis-aws-5.0: ["1.2"], cis-aws-6.0: ["2.2"], cis-aws-7.0: ["2.3"] }
-- tables: [account_alternate_contacts, collection_parts]
-- requires: [GetAlternateContact]
SELECT
  'account/' || p.account_id || '/security-contact' AS resource_id,
  p.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN c.account_id IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN c.account_id IS NOT NULL THEN 'security contact ' || coalesce(c.email_address, c.name, 'registered')
       ELSE 'no security alternate contact' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'account') p
LEFT JOIN account_alternate_contacts c ON c.account_id = p.account_id AND c.contact_type = 'SECURITY'
