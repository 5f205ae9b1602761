"""DuckDB running three detections of queries/ (cloudtrail-tampering, enumeration-burst,
access-denied-burst), translated to its dialect, over the same govscan trail lake, for the
hunt comparison in docs/benchmarks.md. Usage: python hunt_duckdb.py DATA_DIR/trail/cloudtrail_events
"""
import sys, time, duckdb
lake = sys.argv[1]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"CREATE VIEW ev AS SELECT *, coalesce(user_identity.session_context.session_issuer.arn, user_identity.arn, user_identity.invoked_by, user_identity.principal_id) AS principal FROM read_parquet('{lake}/*/*.parquet', hive_partitioning=true)")
queries = {
 "cloudtrail-tampering": """SELECT event_time, recipient_account_id, aws_region, principal, source_ip_address, [event_id],
   event_name || ' on ' || coalesce(json_extract_string(request_parameters, '$.name'), json_extract_string(request_parameters, '$.trailName'), 'a trail')
   || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END
   FROM ev WHERE event_source = 'cloudtrail.amazonaws.com' AND event_name IN ('StopLogging','DeleteTrail','UpdateTrail','PutEventSelectors','PutInsightSelectors','DeleteEventDataStore','StopEventDataStoreIngestion')""",
 "enumeration-burst": """WITH reads AS (SELECT *, CAST(floor(epoch(event_time) / 600) AS BIGINT) AS bucket FROM ev
   WHERE event_name LIKE 'List%' OR event_name LIKE 'Describe%' OR event_name LIKE 'Get%')
   SELECT min(event_time), min(recipient_account_id), min(aws_region), principal, array_agg(event_id), count(DISTINCT event_source || ':' || event_name)
   FROM reads GROUP BY principal, bucket HAVING count(DISTINCT event_source || ':' || event_name) >= 20""",
 "access-denied-burst": """WITH denied AS (SELECT *, CAST(floor(epoch(event_time) / 600) AS BIGINT) AS bucket FROM ev
   WHERE error_code IN ('AccessDenied','AccessDeniedException','UnauthorizedOperation','Client.UnauthorizedOperation','UnauthorizedAccess','Forbidden'))
   SELECT min(event_time), principal, array_agg(event_id), count(*) FROM denied GROUP BY principal, bucket HAVING count(*) >= 10""",
}
total = 0
for name, sql in queries.items():
    t = time.time()
    con.execute(f"CREATE OR REPLACE TEMP TABLE r AS {sql}")
    n = con.execute("SELECT count(*) FROM r").fetchone()[0]
    dt = time.time() - t; total += dt
    print(f"{name:22} {n:6} rows {dt:6.2f}s")
print(f"duckdb total {total:.2f}s")
