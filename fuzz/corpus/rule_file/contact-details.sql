-- id: account-contact-details
-- title: Every account has a primary contact with a name, phone number and address
-- severity: low
-- description: >
--   AWS reaches an account's owner through its primary contact when it sees abuse or a
--   compromise; stale details mean the notice reaches no one. CIS v7.0 2.2 (manual) asks that
--   the contact details be current and reach more than one person, which only the owner can
--   judge, so this is evidence: one row per collected account, failing for review when
--   GetContactInformation has no contact or one without a name, phone number or address.
--   The email address is the root user's (Organizations DescribeAccount), not part of it.
-- remediation: aws account put-contact-information --contact-information FullName=...,PhoneNumber=...,AddressLine1=...,City=...,PostalCode=...,CountryCode=... (for members, from the management account with --account-id).
-- frameworks: { cis-aws-5.0: ["1.1"], cis-aws-6.0: ["2.1"], cis-aws-7.0: ["2.2"] }
-- tables: [account_contact_information, collection_parts]
-- requires: [GetContactInformation]
SELECT
  'account/' || p.account_id || '/contact-details' AS resource_id,
  p.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN nullif(trim(c.full_name), '') IS NOT NULL AND nullif(trim(c.phone_number), '') IS NOT NULL
            AND nullif(trim(c.address_line_1), '') IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN c.account_id IS NULL THEN 'no primary contact (review the account settings)'
       WHEN nullif(trim(c.full_name), '') IS NULL OR nullif(trim(c.phone_number), '') IS NULL
            OR nullif(trim(c.address_line_1), '') IS NULL
         THEN 'primary contact lacks a name, phone number or address: ' || coalesce(c.full_name, '(no name)')
       ELSE 'primary contact ' || c.full_name || ', ' || c.phone_number || ', ' || coalesce(c.city, '') || ' '
            || coalesce(c.country_code, '') || ' (review that it is current and reaches more than one person)'
  END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'account') p
LEFT JOIN account_contact_information c ON c.account_id = p.account_id
