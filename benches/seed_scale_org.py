"""Seeds a moto server with an organization of N member accounts for scripts/bench-org:
each account gets a few users (one with an access key), roles with inline policies, a
customer managed policy attached to a user, and buckets with a bucket policy.

Usage: python seed_scale_org.py ENDPOINT N
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

REGION = "us-east-1"


def client(endpoint, service, creds=None):
    kw = {}
    if creds:
        kw = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **kw)


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def seed_account(endpoint, management, account_id):
    creds = client(endpoint, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    iam, s3 = client(endpoint, "iam", creds), client(endpoint, "s3", creds)
    policy = iam.create_policy(PolicyName="app-read", PolicyDocument=doc(
        [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]))["Policy"]["Arn"]
    for u in ("alice", "bob", "deploy"):
        iam.create_user(UserName=u)
    iam.create_access_key(UserName="deploy")
    iam.attach_user_policy(UserName="deploy", PolicyArn=policy)
    for r in ("app", "ci", "audit"):
        iam.create_role(RoleName=r, AssumeRolePolicyDocument=doc(
            [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management}:root"}, "Action": "sts:AssumeRole"}]))
        iam.put_role_policy(RoleName=r, PolicyName="inline", PolicyDocument=doc(
            [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]))
    for b in ("data", "logs"):
        name = f"{b}-{account_id}"
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=doc(
            [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{name}/*",
              "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]))


def main():
    endpoint, n = sys.argv[1], int(sys.argv[2])
    org = client(endpoint, "organizations")
    org.create_organization(FeatureSet="ALL")
    management = client(endpoint, "sts").get_caller_identity()["Account"]
    ids = [org.create_account(Email=f"a{i}@example.com", AccountName=f"a{i}")["CreateAccountStatus"]["AccountId"]
           for i in range(n)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda a: seed_account(endpoint, management, a), ids))
    print(len(ids))


if __name__ == "__main__":
    main()
