-- cidr_contains(block, address): IPv4 and IPv6, a bare address is a /32 or /128, and an
-- address CloudTrail logs as a service name ("AWS Internal") or a malformed block is NULL,
-- so a detection's filter neither matches nor fails on it.
SELECT block, address, cidr_contains(block, address) AS contained
FROM (VALUES
    ('10.0.0.0/8', '10.2.3.4'),
    ('10.0.0.0/8', '11.0.0.1'),
    ('0.0.0.0/0', '198.51.100.7'),
    ('192.0.2.1', '192.0.2.1'),
    ('2001:db8::/32', '2001:db8:1::1'),
    ('2001:db8::/32', '10.0.0.1'),
    ('10.0.0.0/33', '10.0.0.1'),
    ('10.0.0.0/8', 'AWS Internal'),
    (NULL, '10.0.0.1')
) AS t(block, address);
