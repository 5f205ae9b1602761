"""Seeds a moto server with an AWS organization for govscan's integration tests.

Usage: python seed_org.py ENDPOINT OUT.json [--bulk-users N --bulk-roles N --bulk-buckets N]

Writes OUT.json with the ids moto generated (accounts, OUs, policies) so the Rust tests can
assert that the snapshot holds exactly what was seeded. Everything is created through boto3
against the moto server, as a real client would.
"""

import argparse
import json
import re
import sys

import boto3

REGION = "us-east-1"
ROLE = "OrganizationAccountAccessRole"


def session(endpoint, creds=None):
    kw = dict(endpoint_url=endpoint, region_name=REGION)
    if creds:
        kw.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def make(service, region=REGION):
        client = boto3.client(service, **{**kw, "region_name": region})
        if service == "s3control":
            # S3 Control puts the account id in front of the host, which a loopback
            # endpoint cannot resolve: send it to the endpoint as given.
            client.meta.events.register("before-sign.s3-control", strip_account_prefix)
        return client

    return make


def strip_account_prefix(request, **_):
    request.url = re.sub(r"//\d{12}\.", "//", request.url)


def assume(endpoint, account_id):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="seed"
    )["Credentials"]
    return session(endpoint, creds)


def self_signed_certificate(name):
    """A throwaway certificate for UploadServerCertificate (moto parses it)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem_cert = cert.public_bytes(serialization.Encoding.PEM).decode()
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    return pem_cert, pem_key


def policy(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
READONLY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def seed_management(c, account_id, out):
    iam = c("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    # alice: console password, virtual MFA, one access key, admin by group.
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN_ARN)
    iam.put_group_policy(
        GroupName="admins",
        PolicyName="deny-billing",
        PolicyDocument=policy([{"Effect": "Deny", "Action": "aws-portal:*", "Resource": "*"}]),
    )
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "platform"}])
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=mfa["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    out["alice_mfa_serial"] = mfa["SerialNumber"]
    out["alice_key"] = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    # bob: no MFA, two access keys (one inactive), an inline policy, a customer policy.
    iam.create_user(UserName="bob", Path="/engineering/")
    k1 = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    k2 = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="bob", AccessKeyId=k2, Status="Inactive")
    out["bob_keys"] = {"active": k1, "inactive": k2}
    iam.put_user_policy(
        UserName="bob",
        PolicyName="bob-s3",
        PolicyDocument=policy(
            [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::private-data/*"}]
        ),
    )
    # A policy with two versions: the snapshot must hold the default (v2) document.
    arn = iam.create_policy(
        PolicyName="s3-read-custom",
        Description="read the data bucket",
        PolicyDocument=policy([{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]),
    )["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=arn,
        PolicyDocument=policy(
            [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}]
        ),
        SetAsDefault=True,
    )
    iam.attach_user_policy(UserName="bob", PolicyArn=arn)
    out["custom_policy_arn"] = arn
    # carol: no credentials at all; a readers group with ReadOnlyAccess.
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=READONLY_ARN)
    iam.add_user_to_group(GroupName="readers", UserName="carol")
    # Roles: an EC2 app role with a boundary, and a role trusting another account.
    boundary = iam.create_policy(
        PolicyName="boundary-s3-only",
        PolicyDocument=policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    )["Policy"]["Arn"]
    out["boundary_arn"] = boundary
    iam.create_role(
        RoleName="app-role",
        AssumeRolePolicyDocument=policy(
            [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        ),
        PermissionsBoundary=boundary,
        Description="the app",
    )
    iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
    iam.put_role_policy(
        RoleName="app-role",
        PolicyName="app-logs",
        PolicyDocument=policy([{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]),
    )
    iam.create_role(
        RoleName="audit-from-security",
        AssumeRolePolicyDocument=policy(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{out['accounts']['security']}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ]
        ),
    )
    iam.attach_role_policy(RoleName="audit-from-security", PolicyArn=READONLY_ARN)
    # A vendor outside the organization may assume this one (with an external id).
    iam.create_role(
        RoleName="vendor-audit",
        AssumeRolePolicyDocument=policy(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "vendor-7f3a"}},
                }
            ]
        ),
    )
    iam.attach_role_policy(RoleName="vendor-audit", PolicyArn=READONLY_ARN)
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app-role")
    iam.create_saml_provider(
        Name="okta",
        SAMLMetadataDocument="<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata'>" + "x" * 1000 + "</EntityDescriptor>",
    )
    cert, key = self_signed_certificate("legacy.example.com")
    iam.upload_server_certificate(ServerCertificateName="legacy-elb", CertificateBody=cert, PrivateKey=key)
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )

    # S3: a public bucket, a locked-down private one, and a log bucket in eu-west-1.
    s3 = c("s3")
    s3.create_bucket(Bucket="public-site")
    s3.put_bucket_policy(
        Bucket="public-site",
        Policy=policy(
            [{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-site/*"}]
        ),
    )
    s3.create_bucket(Bucket="mgmt-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.create_bucket(Bucket="access-logs", ACL="log-delivery-write")
    s3.create_bucket(Bucket="private-data", ObjectLockEnabledForBucket=True)
    s3.put_bucket_policy(
        Bucket="private-data",
        Policy=policy(
            [
                {
                    "Sid": "OnlyApp",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:role/app-role"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::private-data/*",
                }
            ]
        ),
    )
    s3.put_public_access_block(
        Bucket="private-data",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket="private-data",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/data"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(Bucket="private-data", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket="private-data",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "private-data/"}},
    )
    s3.put_bucket_ownership_controls(
        Bucket="private-data", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket="private-data",
        LifecycleConfiguration={"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]},
    )
    s3.put_bucket_tagging(Bucket="private-data", Tagging={"TagSet": [{"Key": "classification", "Value": "confidential"}]})
    c("s3control").put_public_access_block(
        AccountId=account_id,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )

    # EC2 in us-east-1: EBS encryption by default on, and a security group with SSH open to
    # the world (CIS 6.3 fails it) next to one with HTTPS only.
    ec2 = c("ec2")
    ec2.enable_ebs_encryption_by_default()
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ssh = ec2.create_security_group(GroupName="admin-ssh", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=ssh,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    web = ec2.create_security_group(GroupName="web", Description="https", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    out["ssh_security_group"] = ssh
    # Two instances: one with the app role's profile and IMDSv2 required (CIS 2.16 and 6.7
    # pass), one with neither (both fail); a flow log on the default VPC (CIS 4.7), none on a
    # second VPC.
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    good = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
        IamInstanceProfile={"Name": "app-profile"},
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    bare = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    out["instances"] = {"with_role": good, "bare": bare}
    unlogged = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    # Delivery to a log group that does not exist fails, as AWS reports it.
    c("logs").create_log_group(logGroupName="vpc-flow-logs")
    ec2.create_flow_logs(
        ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT",
        LogDestinationType="cloud-watch-logs", LogGroupName="vpc-flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{account_id}:role/app-role",
    )
    out["vpcs"] = {"logged": vpc, "unlogged": unlogged}

    # KMS in us-east-1: a customer key that rotates, whose policy (the default account
    # statement, and decrypt for the vendor's account) shares it outside the organization,
    # and one that does not rotate (CIS 4.6 fails it).
    kms = c("kms")
    shared = kms.create_key(
        Description="app data",
        Policy=policy([
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "VendorDecrypt", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "kms:Decrypt", "Resource": "*"},
        ]),
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=shared["KeyId"])
    kms.create_alias(AliasName="alias/app-data", TargetKeyId=shared["KeyId"])
    static = kms.create_key(Description="static")["KeyMetadata"]
    # A key only the app role may use: its key policy does not delegate to IAM policies, so
    # even an administrator cannot create an alias for it (the key half of CreateAlias).
    locked = kms.create_key(Description="app role only", Policy=policy([
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:role/app-role"}, "Action": "kms:*", "Resource": "*"},
    ]))["KeyMetadata"]
    kms.create_alias(AliasName="alias/locked", TargetKeyId=locked["KeyId"])
    out["kms_keys"] = {"rotating": shared["Arn"], "static": static["Arn"], "locked": locked["Arn"]}

    # A queue anyone may send to, and the alarm topic that lets CloudWatch of this account
    # alone publish (open to "*" under aws:SourceAccount: restricted, not public).
    sqs = c("sqs")
    queue_url = sqs.create_queue(QueueName="public-intake")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy([
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue_arn}
    ])})
    sns = c("sns")
    topic = sns.create_topic(Name="security-alarms")["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy([
        {"Sid": "CloudWatchAlarms", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": topic,
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}
    ]))
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    out["exposure"] = {"queue": queue_arn, "topic": topic}

    # A security contact for the management account (CIS 2.3); a secret shared with the
    # organization only (restricted) and a default event bus anyone may put events on.
    c("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security team", Title="SecOps",
        EmailAddress="security@example.com", PhoneNumber="+10000000000",
    )
    sm = c("secretsmanager")
    secret = sm.create_secret(Name="db-password", SecretString="not-read-by-govscan")["ARN"]
    sm.put_resource_policy(SecretId=secret, ResourcePolicy=policy([
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": out["organization_id"]}}}
    ]))
    c("events").put_permission(EventBusName="default", Action="events:PutEvents", Principal="*", StatementId="anyone")
    out["exposure"]["secret"] = secret
    out["exposure"]["bus"] = f"arn:aws:events:us-east-1:{account_id}:event-bus/default"

    # Security Hub on in us-east-1 only (CIS 5.16); an encrypted and a plain EFS file
    # system (CIS 3.3.1).
    c("securityhub").enable_security_hub()
    efs = c("efs")
    out["efs"] = {
        "encrypted": efs.create_file_system(CreationToken="enc", Encrypted=True)["FileSystemArn"],
        "plain": efs.create_file_system(CreationToken="plain", Encrypted=False)["FileSystemArn"],
    }

    # RDS in the default VPC, whose main route table goes to its internet gateway: a
    # public, unencrypted instance without minor upgrades (CIS 3.2.1 to 3.2.3 fail) and a
    # private, encrypted one (all pass).
    # moto's default VPC has no internet gateway; AWS's has one, on the main route table.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    # An S3 gateway endpoint in the default VPC (CIS 6.8 evidence); none in the other VPC.
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
                            RouteTableIds=[main["RouteTableId"]])
    subnets = [sn["SubnetId"] for sn in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    rds = c("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="default-vpc", DBSubnetGroupDescription="default VPC", SubnetIds=subnets[:2])
    common = dict(DBInstanceClass="db.t3.micro", Engine="postgres", AllocatedStorage=20,
                  MasterUsername="admin1", MasterUserPassword="password-1234", DBSubnetGroupName="default-vpc")
    public_db = rds.create_db_instance(DBInstanceIdentifier="public-db", PubliclyAccessible=True,
                                       StorageEncrypted=False, AutoMinorVersionUpgrade=False, **common)["DBInstance"]["DBInstanceArn"]
    private_db = rds.create_db_instance(DBInstanceIdentifier="private-db", PubliclyAccessible=False,
                                        StorageEncrypted=True, AutoMinorVersionUpgrade=True, **common)["DBInstance"]["DBInstanceArn"]
    out["rds"] = {"public": public_db, "private": private_db}

    # Web front ends (CIS 4.10 evidence): an application load balancer writing access logs and
    # one that does not; a CloudFront distribution without standard logging; a REST API stage
    # with an access log destination and an HTTP API stage without one.
    elb = c("elbv2")
    logged_alb = elb.create_load_balancer(Name="logged-alb", Subnets=subnets[:2], Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(LoadBalancerArn=logged_alb, Attributes=[
        {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "mgmt-logs"}])
    silent_alb = elb.create_load_balancer(Name="silent-alb", Subnets=subnets[:2], Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    distribution = c("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "site", "Comment": "site", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "example.com",
                                              "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
    })["Distribution"]["ARN"]
    apigw = c("apigateway")
    rest_api = apigw.create_rest_api(name="shop")["id"]
    root = apigw.get_resources(restApiId=rest_api)["items"][0]["id"]
    apigw.put_method(restApiId=rest_api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=rest_api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=rest_api)["id"]
    apigw.create_stage(restApiId=rest_api, stageName="prod", deploymentId=deployment)
    apigw.update_stage(restApiId=rest_api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": f"arn:aws:logs:us-east-1:{account_id}:log-group:api-access"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"}])
    http_api = c("apigatewayv2").create_api(Name="hooks", ProtocolType="HTTP")["ApiId"]
    c("apigatewayv2").create_stage(ApiId=http_api, StageName="live")
    out["web"] = {
        "logged_alb": logged_alb, "silent_alb": silent_alb, "distribution": distribution,
        "rest_stage": f"arn:aws:apigateway:us-east-1::/restapis/{rest_api}/stages/prod",
        "http_stage": f"arn:aws:apigateway:us-east-1::/apis/{http_api}/stages/live",
    }

    # CloudTrail: a multi-region organization trail with validation, logging.
    ct = c("cloudtrail")
    # Its events also go to CloudWatch Logs, where a metric filter for root use (CIS 5.3)
    # counts into a metric whose alarm notifies the security-alarms topic, which has a
    # subscriber: the monitoring chain of section 5, in the management account.
    logs = c("logs")
    logs.create_log_group(logGroupName="org-trail-events")
    trail_group = f"arn:aws:logs:us-east-1:{account_id}:log-group:org-trail-events:*"
    logs.put_metric_filter(
        logGroupName="org-trail-events", filterName="root-usage",
        filterPattern='{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }',
        metricTransformations=[{"metricName": "RootUsage", "metricNamespace": "CISBenchmark", "metricValue": "1"}],
    )
    c("cloudwatch").put_metric_alarm(
        AlarmName="root-usage", MetricName="RootUsage", Namespace="CISBenchmark", Statistic="Sum",
        Period=300, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )
    ct.create_trail(
        Name="org-trail",
        S3BucketName="mgmt-logs",
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        EnableLogFileValidation=True,
        IncludeGlobalServiceEvents=True,
        CloudWatchLogsLogGroupArn=trail_group,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{account_id}:role/app-role",
    )
    ct.start_logging(Name="org-trail")
    ct.put_event_selectors(
        TrailName="org-trail",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::private-data/"]}],
            }
        ],
    )
    # Config: a recording recorder, a delivery channel and one managed rule, in us-east-1.
    cfg = c("config")
    cfg.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account_id}:role/config-role",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "mgmt-logs"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    cfg.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "s3-bucket-versioning-enabled",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
        }
    )


def seed_member(c, name, out, page_users=0):
    iam = c("iam")
    iam.create_user(UserName=f"{name}-engineer")
    # The engineer may publish new versions of the policy attached to them: a documented
    # privilege escalation (iam:CreatePolicyVersion on one's own policy, pathfinding.cloud
    # iam-001), open wherever no SCP denies it.
    tools = iam.create_policy(
        PolicyName="engineer-tools",
        PolicyDocument=policy(
            [
                {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "iam:Get*", "iam:List*"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": f"arn:aws:iam::*:policy/engineer-tools"},
            ]
        ),
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName=f"{name}-engineer", PolicyArn=tools)
    iam.create_role(
        RoleName=f"{name}-deploy",
        AssumeRolePolicyDocument=policy(
            [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{out['management_account_id']}:root"}, "Action": "sts:AssumeRole"}]
        ),
    )
    c("s3").create_bucket(Bucket=f"{name}-artifacts")
    # More users than one page of ListUsers / GetAccountAuthorizationDetails (100).
    for i in range(page_users):
        iam.create_user(UserName=f"{name}-user-{i:03d}")


def seed_bulk(c, users, roles, buckets):
    """A large single account for the collection benchmark."""
    iam = c("iam")
    for i in range(users):
        iam.create_user(UserName=f"bulk-user-{i:04d}")
        if i % 2 == 0:
            iam.create_access_key(UserName=f"bulk-user-{i:04d}")
    for i in range(roles):
        iam.create_role(
            RoleName=f"bulk-role-{i:04d}",
            AssumeRolePolicyDocument=policy(
                [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
            ),
        )
    s3 = c("s3")
    for i in range(buckets):
        s3.create_bucket(Bucket=f"bulk-bucket-{i:04d}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("endpoint")
    p.add_argument("out")
    p.add_argument("--bulk-users", type=int, default=0)
    p.add_argument("--bulk-roles", type=int, default=0)
    p.add_argument("--bulk-buckets", type=int, default=0)
    p.add_argument("--page-users", type=int, default=120)
    args = p.parse_args()
    c = session(args.endpoint)
    out = {}

    if args.bulk_users or args.bulk_roles or args.bulk_buckets:
        out["management_account_id"] = c("sts").get_caller_identity()["Account"]
        seed_bulk(c, args.bulk_users, args.bulk_roles, args.bulk_buckets)
        json.dump(out, open(args.out, "w"), indent=2)
        return

    org = c("organizations")
    o = org.create_organization(FeatureSet="ALL")["Organization"]
    out["organization_id"] = o["Id"]
    out["management_account_id"] = o["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    out["root_id"] = root
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")

    ous = {}
    ous["Security"] = org.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]["Id"]
    ous["Workloads"] = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    ous["Prod"] = org.create_organizational_unit(ParentId=ous["Workloads"], Name="Prod")["OrganizationalUnit"]["Id"]
    ous["Dev"] = org.create_organizational_unit(ParentId=ous["Workloads"], Name="Dev")["OrganizationalUnit"]["Id"]
    out["ous"] = ous

    placement = {"security": "Security", "prod": "Prod", "dev": "Dev", "sandbox": None}
    accounts = {}
    for name, ou in placement.items():
        acct = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
        accounts[name] = acct
        if ou:
            org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ous[ou])
    out["accounts"] = accounts

    policies = {}
    policies["deny-leave-org"] = org.create_policy(
        Name="deny-leave-org",
        Description="members cannot leave",
        Type="SERVICE_CONTROL_POLICY",
        Content=policy([{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policies["deny-leave-org"], TargetId=root)
    policies["region-lock"] = org.create_policy(
        Name="region-lock",
        Description="only two regions",
        Type="SERVICE_CONTROL_POLICY",
        Content=policy(
            [
                {
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "organizations:*", "sts:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
                }
            ]
        ),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policies["region-lock"], TargetId=ous["Workloads"])
    org.attach_policy(PolicyId=policies["region-lock"], TargetId=accounts["sandbox"])
    policies["rcp-no-public-s3"] = org.create_policy(
        Name="rcp-no-public-s3",
        Description="no anonymous S3",
        Type="RESOURCE_CONTROL_POLICY",
        Content=policy(
            [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ]
        ),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policies["rcp-no-public-s3"], TargetId=ous["Prod"])
    # Prod may not rewrite IAM policies: the escalation that the engineers' identity
    # policies allow in every member account (see seed_member) is closed in prod only.
    policies["deny-policy-rewrite"] = org.create_policy(
        Name="deny-policy-rewrite",
        Description="no new policy versions in prod",
        Type="SERVICE_CONTROL_POLICY",
        Content=policy(
            [{"Effect": "Deny", "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], "Resource": "*"}]
        ),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policies["deny-policy-rewrite"], TargetId=ous["Prod"])
    out["policies"] = policies
    # Trusted access for GuardDuty (delegated to the security account) and CloudTrail (not
    # delegated: CIS v7.0 2.1.6 fails it). The sandbox account stays directly under the root.
    for service in ["guardduty.amazonaws.com", "cloudtrail.amazonaws.com"]:
        org.enable_aws_service_access(ServicePrincipal=service)
    org.register_delegated_administrator(AccountId=accounts["security"], ServicePrincipal="guardduty.amazonaws.com")

    seed_management(c, out["management_account_id"], out)
    for name, acct in accounts.items():
        seed_member(assume(args.endpoint, acct), name, out, page_users=args.page_users if name == "sandbox" else 0)

    json.dump(out, open(args.out, "w"), indent=2)


if __name__ == "__main__":
    sys.exit(main())
