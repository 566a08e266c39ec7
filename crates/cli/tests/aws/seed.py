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


def tolerate(what, call, *args, **kwargs):
    """Runs a seeding call that this moto version may not implement; the gap is reported on stderr."""
    try:
        return call(*args, **kwargs)
    except Exception as e:  # moto answers unimplemented calls with assorted errors
        print(f"seed: {what} not seeded: {e}", file=sys.stderr)
        return None

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
logs_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}]}
iam.put_role_policy(RoleName="fn-exec", PolicyName="write-logs", PolicyDocument=json.dumps(logs_doc))
iam.put_user_policy(UserName="ci-bot", PolicyName="deploy-artifacts", PolicyDocument=json.dumps(  # AWS.IAM.8 (inline)
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::nw-app-data/builds/*"}]}))
iam.create_group(GroupName="platform-admins")  # an inline admin policy through a group; bob is a member
iam.put_group_policy(GroupName="platform-admins", PolicyName="everything", PolicyDocument=json.dumps(admin_doc))
iam.attach_group_policy(GroupName="platform-admins", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
iam.add_user_to_group(GroupName="platform-admins", UserName="bob")

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
logs, cw, sns = client("logs"), client("cloudwatch"), client("sns")
logs.create_log_group(logGroupName="org-trail-events", kmsKeyId=rotated["Arn"])
logs.put_retention_policy(logGroupName="org-trail-events", retentionInDays=365)
trail_group_arn = f"arn:aws:logs:{region}:123456789012:log-group:org-trail-events:*"
ct.create_trail(Name="org-trail", S3BucketName="nw-trail-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True,
                CloudWatchLogsLogGroupArn=trail_group_arn,
                CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/trail-to-logs")
ct.start_logging(Name="org-trail")
ct.create_trail(Name="scratch-trail", S3BucketName="nw-trail-logs")  # single region, no validation, not logging
# Object-level events of nw-app-data only (AWS.S3.15, .16 pass there and fail on the other buckets);
# scratch-trail selects every bucket but does not log, so it covers none.
ct.put_event_selectors(TrailName="org-trail", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::nw-app-data/"]}]}])
ct.put_event_selectors(TrailName="scratch-trail", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])

# --- RDS ---------------------------------------------------------------------------------------
rds.create_db_instance(DBInstanceIdentifier="orders-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword="not-a-real-one", AllocatedStorage=20,
                       PubliclyAccessible=True, StorageEncrypted=False, BackupRetentionPeriod=1)  # AWS.RDS.1, .2, .3
# orders-db stays on its default group, of which moto lists no parameters: AWS.RDS.14 is unknown there.
# ledger-db's own group forces TLS (AWS.RDS.14 passes); an engine default would count as well.
rds.create_db_parameter_group(DBParameterGroupName="pg16-tls", DBParameterGroupFamily="postgres16",
                              Description="postgres 16 with forced TLS")
rds.modify_db_parameter_group(DBParameterGroupName="pg16-tls", Parameters=[
    {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
rds.create_db_instance(DBInstanceIdentifier="ledger-db", Engine="postgres", EngineVersion="16.3",
                       DBInstanceClass="db.t3.micro", MasterUsername="ledger", MasterUserPassword="not-a-real-one",
                       AllocatedStorage=20, PubliclyAccessible=False, StorageEncrypted=True, BackupRetentionPeriod=7,
                       DBParameterGroupName="pg16-tls")

# --- Lambda ------------------------------------------------------------------------------------
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    return 'ok'\n")
lam.create_function(FunctionName="nightly-export", Runtime="python3.12", Role=fn_role["Role"]["Arn"], Handler="handler.handler",
                    Code={"ZipFile": buf.getvalue()}, Environment={"Variables": {"DB_PASSWORD": "x", "TABLE_NAME": "orders"}})  # AWS.LAMBDA.3

# --- CloudWatch: the root-usage monitoring chain on the trail's log group (AWS.CLOUDWATCH.3 passes;
# the other CIS 4.x filters are missing, so e.g. AWS.CLOUDWATCH.1 fails on org-trail) -------------
alerts = sns.create_topic(Name="security-alerts", Attributes={"KmsMasterKeyId": rotated["Arn"]})["TopicArn"]
sns.subscribe(TopicArn=alerts, Protocol="email", Endpoint="secops@example.com")
# Every category of every DB instance reaches the alerts topic (AWS.RDS.31 passes); no subscription
# covers parameter groups or DB security groups (AWS.RDS.32, .33: unknown in a collection narrowed
# to one region, which proves no absence).
rds.create_event_subscription(SubscriptionName="db-instance-events", SnsTopicArn=alerts, SourceType="db-instance",
                              Enabled=True)
logs.put_metric_filter(logGroupName="org-trail-events", filterName="RootAccountUsage",
                       filterPattern='{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
                       metricTransformations=[{"metricName": "RootAccountUsage", "metricNamespace": "SecurityMonitoring", "metricValue": "1"}])
cw.put_metric_alarm(AlarmName="RootAccountUsageAlarm", MetricName="RootAccountUsage", Namespace="SecurityMonitoring",
                    Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1,
                    ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[alerts], ActionsEnabled=True)
cw.put_metric_alarm(AlarmName="silenced-cpu", MetricName="CPUUtilization", Namespace="AWS/EC2",  # AWS.CLOUDWATCH.18, .19
                    Statistic="Average", Period=300, EvaluationPeriods=1, Threshold=90,
                    ComparisonOperator="GreaterThanThreshold", ActionsEnabled=False)
logs.create_log_group(logGroupName="app-debug")  # a week of retention, no KMS key: AWS.CLOUDWATCH.16, .17
logs.put_retention_policy(logGroupName="app-debug", retentionInDays=7)

# --- SNS / SQS ---------------------------------------------------------------------------------------
open_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}]}
sns.create_topic(Name="public-events", Attributes={"Policy": json.dumps(open_doc)})  # AWS.SNS.1, .2
sqs = client("sqs")
dlq = sqs.create_queue(QueueName="jobs-dlq", tags={"role": "dlq"},
                       Attributes={"KmsMasterKeyId": rotated["Arn"]})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.create_queue(QueueName="jobs", Attributes={"KmsMasterKeyId": rotated["Arn"],  # healthy
                                               "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})})
sqs.create_queue(QueueName="plain-queue", Attributes={"SqsManagedSseEnabled": "false"})  # AWS.SQS.1, .3

# --- Secrets Manager ---------------------------------------------------------------------------------
sm = client("secretsmanager")
leaky = sm.create_secret(Name="db-password", SecretString="not-a-real-one")["ARN"]  # AWS.SECRETSMANAGER.1, .5
sm.put_resource_policy(SecretId=leaky, ResourcePolicy=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))

# --- ECR ---------------------------------------------------------------------------------------------
ecr = client("ecr")
ecr.create_repository(repositoryName="legacy-images")  # mutable tags, no scan on push: AWS.ECR.1, .2
ecr.create_repository(repositoryName="app-images", imageTagMutability="IMMUTABLE",
                      imageScanningConfiguration={"scanOnPush": True})

# --- EKS ---------------------------------------------------------------------------------------------
eks = client("eks")
subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
eks_role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
eks.create_cluster(name="dev-cluster", version="1.29", roleArn=eks_role,  # AWS.EKS.1, .2, .3, .4
                   resourcesVpcConfig={"subnetIds": subnets[:2], "endpointPublicAccess": True, "endpointPrivateAccess": False,
                                       "publicAccessCidrs": ["0.0.0.0/0"]})
eks.create_cluster(name="prod-cluster", version="1.33", roleArn=eks_role,
                   resourcesVpcConfig={"subnetIds": subnets[:2], "endpointPublicAccess": False, "endpointPrivateAccess": True,
                                       "publicAccessCidrs": ["10.0.0.0/8"]},
                   logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
                   encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": rotated["Arn"]}}],
                   accessConfig={"authenticationMode": "API"})

# --- DynamoDB ----------------------------------------------------------------------------------------
ddb = client("dynamodb")
key_schema = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
ddb.create_table(TableName="sessions", **key_schema)  # no PITR, no deletion protection: AWS.DYNAMODB.1, .2
ddb.create_table(TableName="ledger", DeletionProtectionEnabled=True, **key_schema)
ddb.update_continuous_backups(TableName="ledger", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

# --- ELB (classic) and ELBv2 --------------------------------------------------------------------------
elb, elbv2 = client("elb"), client("elbv2")
elb.create_load_balancer(LoadBalancerName="legacy-web", AvailabilityZones=["us-east-1a"],  # AWS.ELB.1, .3
                         Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80}])
elb.create_load_balancer(LoadBalancerName="internal-api", AvailabilityZones=["us-east-1a"], Scheme="internal",
                         Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 8443, "InstanceProtocol": "TCP", "InstancePort": 8443}])
elb.modify_load_balancer_attributes(LoadBalancerName="internal-api", LoadBalancerAttributes={
    "AccessLog": {"Enabled": True, "S3BucketName": "nw-trail-logs", "EmitInterval": 60}})
lb_subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]][:2]
tg = elbv2.create_target_group(Name="web-targets", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
public_alb = elbv2.create_load_balancer(Name="public-alb", Subnets=lb_subnets, SecurityGroups=[web],  # AWS.ELBV2.1, .2, .4
                                        Scheme="internet-facing", Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
elbv2.create_listener(LoadBalancerArn=public_alb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
edge_alb = elbv2.create_load_balancer(Name="edge-alb", Subnets=lb_subnets, SecurityGroups=[web],
                                      Scheme="internet-facing", Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
elbv2.create_listener(LoadBalancerArn=edge_alb, Protocol="HTTP", Port=80, DefaultActions=[
    {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
elbv2.modify_load_balancer_attributes(LoadBalancerArn=edge_alb, Attributes=[
    {"Key": "deletion_protection.enabled", "Value": "true"},
    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
    {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "nw-trail-logs"}])

# --- Regional security services: Security Hub on, GuardDuty off (a `detector/none` record fails
# AWS.GUARDDUTY.1), AWS Config recording everything but stopped (AWS.CONFIG.1) ------------------
tolerate("Security Hub", client("securityhub").enable_security_hub, EnableDefaultStandards=False)
config = client("config")
config.put_configuration_recorder(ConfigurationRecorder={
    "name": "default", "roleARN": "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "nw-trail-logs"})

# --- EC2: a public unencrypted snapshot, a private encrypted one, a public AMI --------------------------
leak = ec2.create_snapshot(VolumeId=plain["VolumeId"], Description="nightly")["SnapshotId"]  # AWS.EC2.16, .17
ec2.modify_snapshot_attribute(SnapshotId=leak, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"])
kept = ec2.create_snapshot(VolumeId=sealed["VolumeId"], Description="nightly")["SnapshotId"]
ids["public_snapshot"], ids["private_snapshot"] = leak, kept
ami = ec2.create_image(InstanceId=bastion["InstanceId"], Name="bastion-golden")["ImageId"]  # AWS.EC2.18
ec2.modify_image_attribute(ImageId=ami, LaunchPermission={"Add": [{"Group": "all"}]})

# --- Organizations: SCPs on, an OU whose SCP denies leaving, a sandbox account without it ---------------
org = client("organizations")
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
tolerate("SCP policy type", org.enable_policy_type, RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
deny_leave = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}
scp = org.create_policy(Name="deny-leave", Description="accounts stay", Type="SERVICE_CONTROL_POLICY",
                        Content=json.dumps(deny_leave))["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=scp, TargetId=ou)
prod = org.create_account(AccountName="prod", Email="prod@example.com")["CreateAccountStatus"]["AccountId"]
org.move_account(AccountId=prod, SourceParentId=root, DestinationParentId=ou)
org.create_account(AccountName="sandbox", Email="sandbox@example.com")  # AWS.ORGANIZATIONS.3

# --- EC2 network: a public route table (0.0.0.0/0 to an internet gateway) on a new subnet, a NAT
# gateway with its Elastic IP, and an Elastic IP nobody uses (AWS.EC2.23) ------------------------------
net = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
public_subnet = ec2.create_subnet(VpcId=net, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net)
public_rt = ec2.create_route_table(VpcId=net)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public_subnet)
nat_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=public_subnet, AllocationId=nat_ip)["NatGateway"]["NatGatewayId"]
spare_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
bastion_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
ec2.associate_address(AllocationId=bastion_ip, InstanceId=bastion["InstanceId"])
ids.update({"net_vpc": net, "public_subnet": public_subnet, "igw": igw, "public_rt": public_rt, "nat": nat,
            "nat_ip": nat_ip, "spare_ip": spare_ip, "bastion_ip": bastion_ip})

print(json.dumps(ids))
