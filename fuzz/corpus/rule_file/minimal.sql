-- id: x
-- title: T
-- severity: low
-- kind: event
SELECT 1
