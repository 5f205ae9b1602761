"""Scales the real CloudTrail records of demo/logs into a large
corpus in the S3 key layout a trail writes, for the ingestion benchmark.

Usage: python gen_trail_corpus.py OUT_DIR [--events 300000] [--per-file 1000]

Records are copied from the real ones with a fresh eventID and an eventTime spread over
30 days, so the corpus has the real shapes (and sizes) of requestParameters and the rest.
"""

import argparse
import datetime
import glob
import gzip
import json
import os
import random
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "demo", "logs", "AWSLogs")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--events", type=int, default=300_000)
    p.add_argument("--per-file", type=int, default=1000)
    args = p.parse_args()
    records = []
    for f in sorted(glob.glob(os.path.join(FIXTURE, "**", "*.json.gz"), recursive=True)):
        records.extend(json.load(gzip.open(f))["Records"])
    rng = random.Random(7)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    account = "218007301253"
    written = 0
    n = 0
    while written < args.events:
        count = min(args.per_file, args.events - written)
        t0 = start + datetime.timedelta(seconds=rng.randrange(30 * 86400))
        batch = []
        for _ in range(count):
            r = dict(rng.choice(records))
            r["eventID"] = str(uuid.UUID(int=rng.getrandbits(128)))
            r["eventTime"] = (t0 + datetime.timedelta(seconds=rng.randrange(300))).strftime("%Y-%m-%dT%H:%M:%SZ")
            batch.append(r)
        day = t0.strftime("%Y/%m/%d")
        d = os.path.join(args.out, "AWSLogs", account, "CloudTrail", "us-east-1", day)
        os.makedirs(d, exist_ok=True)
        name = f"{account}_CloudTrail_us-east-1_{t0.strftime('%Y%m%dT%H%MZ')}_{n:06d}.json.gz"
        with gzip.open(os.path.join(d, name), "wt", compresslevel=6) as fh:
            json.dump({"Records": batch}, fh, separators=(",", ":"))
        written += count
        n += 1
    print(f"{written} events in {n} files")


if __name__ == "__main__":
    main()
