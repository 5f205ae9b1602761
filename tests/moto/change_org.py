"""Changes the seeded moto organization between two audits, with boto3, independently of
govscan.

    change_org.py ENDPOINT deactivate-mfa USER SERIAL   (the management account's user)
    change_org.py ENDPOINT public-bucket NAME           (a bucket anyone may read)
"""

import json
import sys

import boto3


def main():
    endpoint, command = sys.argv[1], sys.argv[2]
    if command == "deactivate-mfa":
        user, serial = sys.argv[3], sys.argv[4]
        boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1").deactivate_mfa_device(
            UserName=user, SerialNumber=serial
        )
    elif command == "public-bucket":
        name = sys.argv[3]
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{name}/*"}],
        }))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
