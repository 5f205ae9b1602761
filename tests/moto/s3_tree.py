"""Moves folders in and out of a moto S3 bucket with boto3, independently of govscan.

    s3_tree.py ENDPOINT upload LOCAL_DIR s3://bucket/prefix   (creates the bucket)
    s3_tree.py ENDPOINT download s3://bucket/prefix LOCAL_DIR
    s3_tree.py ENDPOINT list s3://bucket/prefix               (one key per line)
"""

import os
import sys

import boto3


def split(url):
    assert url.startswith("s3://"), url
    bucket, _, prefix = url[len("s3://"):].partition("/")
    return bucket, prefix.strip("/")


def keys(s3, bucket, prefix):
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix + "/" if prefix else ""
    )
    for page in pages:
        for obj in page.get("Contents", []):
            yield obj["Key"]


def main():
    endpoint, command = sys.argv[1], sys.argv[2]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    if command == "upload":
        local, (bucket, prefix) = sys.argv[3], split(sys.argv[4])
        existing = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)
        for root, _, files in os.walk(local):
            for name in files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, local).replace(os.sep, "/")
                key = f"{prefix}/{rel}" if prefix else rel
                s3.upload_file(path, bucket, key)
    elif command == "download":
        (bucket, prefix), local = split(sys.argv[3]), sys.argv[4]
        for key in keys(s3, bucket, prefix):
            rel = key[len(prefix) + 1:] if prefix else key
            path = os.path.join(local, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            s3.download_file(bucket, key, path)
    elif command == "list":
        bucket, prefix = split(sys.argv[3])
        for key in keys(s3, bucket, prefix):
            print(key)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
