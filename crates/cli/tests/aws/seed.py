"""Seeds a moto server with a small, deliberately mixed AWS estate for the collector tests.

Usage: seed.py ENDPOINT_URL. Prints a JSON object of the ids the test needs.
Healthy and misconfigured resources side by side; each misconfiguration names the rule it trips.
"""
import io
import json
import sys
import zipfile

import boto3

endpoint = sys.argv[1]
region = "us-east-1"


def client(name):
    return boto3.client(name, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


iam, s3, ec2, kms = client("iam"), client("s3"), client("ec2"), client("kms")
rds, ct, lam = client("rds"), client("cloudtrail"), client("lambda")
ids = {}

# --- IAM ---------------------------------------------------------------------------------------
iam.update_account_password_policy(MinimumPasswordLength=8, RequireSymbols=True)  # AWS.IAM.9, .10
iam.create_user(UserName="alice")  # console user without MFA: AWS.IAM.4
iam.create_login_profile(UserName="alice", Password="Ch4nge-me-now!")
iam.create_user(UserName="bob")  # console user with MFA: healthy for AWS.IAM.4
iam.create_login_profile(UserName="bob", Password="An0ther-secret!")
mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
iam.enable_mfa_device(UserName="bob", SerialNumber=mfa["SerialNumber"],
                      AuthenticationCode1="123456", AuthenticationCode2="654321")
iam.create_user(UserName="ci-bot")  # two active keys: AWS.IAM.7
iam.create_access_key(UserName="ci-bot")
iam.create_access_key(UserName="ci-bot")
admin_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
admin = iam.create_policy(PolicyName="break-glass-admin", PolicyDocument=json.dumps(admin_doc))  # AWS.IAM.11
iam.attach_user_policy(UserName="alice", PolicyArn=admin["Policy"]["Arn"])  # AWS.IAM.8 (policy on a user)
read_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::nw-app-data/*"}]}
iam.create_policy(PolicyName="app-read", PolicyDocument=json.dumps(read_doc))
trust_any = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
iam.create_role(RoleName="vendor-access", AssumeRolePolicyDocument=json.dumps(trust_any))  # AWS.IAM.12
trust_ec2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="app-server", AssumeRolePolicyDocument=json.dumps(trust_ec2))
iam.create_instance_profile(InstanceProfileName="app-server")
iam.add_role_to_instance_profile(InstanceProfileName="app-server", RoleName="app-server")
trust_lambda = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
fn_role = iam.create_role(RoleName="fn-exec", AssumeRolePolicyDocument=json.dumps(trust_lambda))

# --- KMS ---------------------------------------------------------------------------------------
rotated = kms.create_key(Description="app data")["KeyMetadata"]
kms.enable_key_rotation(KeyId=rotated["KeyId"])
stale = kms.create_key(Description="legacy exports")["KeyMetadata"]  # no rotation: AWS.KMS.1
ids["rotated_key"], ids["stale_key"] = rotated["Arn"], stale["Arn"]

# --- S3 ----------------------------------------------------------------------------------------
s3.create_bucket(Bucket="nw-app-data")  # healthy
s3.put_public_access_block(Bucket="nw-app-data", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_bucket_encryption(Bucket="nw-app-data", ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": rotated["Arn"]}}]})
s3.put_bucket_versioning(Bucket="nw-app-data", VersioningConfiguration={"Status": "Enabled"})
tls_only = {"Version": "2012-10-17", "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::nw-app-data", "arn:aws:s3:::nw-app-data/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
s3.put_bucket_policy(Bucket="nw-app-data", Policy=json.dumps(tls_only))
s3.create_bucket(Bucket="nw-public-site")  # public-read ACL, no block: AWS.S3.1, AWS.S3.3
s3.put_bucket_acl(Bucket="nw-public-site", ACL="public-read")

# --- EC2 ---------------------------------------------------------------------------------------
vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
open_ssh = ec2.create_security_group(GroupName="legacy-admin", Description="legacy admin access", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=open_ssh, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])  # AWS.EC2.2
web = ec2.create_security_group(GroupName="web", Description="public web", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
image = "ami-12c6146b"
bastion = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SecurityGroupIds=[open_ssh],
                            MetadataOptions={"HttpTokens": "optional"})["Instances"][0]  # AWS.EC2.1
app = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small", SecurityGroupIds=[web],
                        IamInstanceProfile={"Name": "app-server"}, MetadataOptions={"HttpTokens": "required"})["Instances"][0]
ids["bastion"], ids["app"] = bastion["InstanceId"], app["InstanceId"]
ids["open_ssh_sg"], ids["web_sg"] = open_ssh, web
plain = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20)  # AWS.EC2.6
sealed = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, Encrypted=True, KmsKeyId=rotated["KeyId"])
ids["plain_volume"], ids["sealed_volume"] = plain["VolumeId"], sealed["VolumeId"]

# --- CloudTrail ----------------------------------------------------------------------------------
s3.create_bucket(Bucket="nw-trail-logs")
ct.create_trail(Name="org-trail", S3BucketName="nw-trail-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True)
ct.start_logging(Name="org-trail")
ct.create_trail(Name="scratch-trail", S3BucketName="nw-trail-logs")  # single region, no validation, not logging

# --- RDS ---------------------------------------------------------------------------------------
rds.create_db_instance(DBInstanceIdentifier="orders-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword="not-a-real-one", AllocatedStorage=20,
                       PubliclyAccessible=True, StorageEncrypted=False, BackupRetentionPeriod=1)  # AWS.RDS.1, .2, .3

# --- Lambda ------------------------------------------------------------------------------------
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    return 'ok'\n")
lam.create_function(FunctionName="nightly-export", Runtime="python3.12", Role=fn_role["Role"]["Arn"], Handler="handler.handler",
                    Code={"ZipFile": buf.getvalue()}, Environment={"Variables": {"DB_PASSWORD": "x", "TABLE_NAME": "orders"}})  # AWS.LAMBDA.3

print(json.dumps(ids))
