//! Which actions give which level on which kind of AWS resource. A level holds when any of its
//! probes is allowed; `objects` probes ask about the objects under the resource (`uid/…`).

use super::eval::ResourceMode;
use crate::level::Level;

#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub action: &'static str,
    /// Asked of any object under the resource (`arn:aws:s3:::bucket/…`) instead of the resource.
    pub objects: bool,
}

const fn on(action: &'static str) -> Probe {
    Probe { action, objects: false }
}

const fn objects(action: &'static str) -> Probe {
    Probe { action, objects: true }
}

#[derive(Debug)]
pub struct KindAccess {
    pub kind: &'static str,
    pub mode: ResourceMode,
    /// The attribute holding the resource policy, if the kind has one.
    pub policy_attr: Option<&'static str>,
    pub read: &'static [Probe],
    pub write: &'static [Probe],
    pub admin: &'static [Probe],
    pub execute: &'static [Probe],
}

impl KindAccess {
    pub fn probes(&self, level: Level) -> &'static [Probe] {
        match level {
            Level::Read => self.read,
            Level::Write => self.write,
            Level::Admin => self.admin,
            Level::Execute => self.execute,
        }
    }
}

use ResourceMode::{None as NoPolicy, Optional, Required};

pub static KINDS: &[KindAccess] = &[
    KindAccess {
        kind: "aws.s3.bucket",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[objects("s3:GetObject")],
        write: &[objects("s3:PutObject"), objects("s3:DeleteObject")],
        admin: &[on("s3:PutBucketPolicy"), on("s3:PutBucketAcl"), on("s3:DeleteBucketPolicy")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.kms.key",
        mode: Required,
        policy_attr: Some("policy"),
        read: &[on("kms:Decrypt")],
        write: &[on("kms:ScheduleKeyDeletion"), on("kms:DisableKey")],
        admin: &[on("kms:PutKeyPolicy"), on("kms:CreateGrant")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.secretsmanager.secret",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("secretsmanager:GetSecretValue")],
        write: &[
            on("secretsmanager:PutSecretValue"),
            on("secretsmanager:UpdateSecret"),
            on("secretsmanager:DeleteSecret"),
        ],
        admin: &[on("secretsmanager:PutResourcePolicy")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.sqs.queue",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("sqs:ReceiveMessage")],
        write: &[on("sqs:SendMessage"), on("sqs:PurgeQueue")],
        admin: &[on("sqs:SetQueueAttributes"), on("sqs:AddPermission")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.sns.topic",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("sns:Subscribe")],
        write: &[on("sns:Publish")],
        admin: &[on("sns:SetTopicAttributes"), on("sns:AddPermission")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.lambda.function",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("lambda:GetFunction")],
        write: &[on("lambda:UpdateFunctionConfiguration")],
        admin: &[on("lambda:AddPermission")],
        execute: &[on("lambda:UpdateFunctionCode")],
    },
    KindAccess {
        kind: "aws.dynamodb.table",
        mode: NoPolicy,
        policy_attr: None,
        read: &[on("dynamodb:GetItem"), on("dynamodb:Scan"), on("dynamodb:Query")],
        write: &[on("dynamodb:PutItem"), on("dynamodb:UpdateItem"), on("dynamodb:DeleteItem")],
        admin: &[on("dynamodb:DeleteTable")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.rds.db_instance",
        mode: NoPolicy,
        policy_attr: None,
        read: &[on("rds:CreateDBSnapshot")],
        write: &[on("rds:ModifyDBInstance")],
        admin: &[on("rds:DeleteDBInstance"), on("rds:ModifyDBInstance")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.rds.db_cluster",
        mode: NoPolicy,
        policy_attr: None,
        read: &[on("rds:CreateDBClusterSnapshot")],
        write: &[on("rds:ModifyDBCluster")],
        admin: &[on("rds:DeleteDBCluster"), on("rds:ModifyDBCluster")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.redshift.cluster",
        mode: NoPolicy,
        policy_attr: None,
        read: &[on("redshift:GetClusterCredentials")],
        write: &[on("redshift:ModifyCluster")],
        admin: &[on("redshift:DeleteCluster")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.ec2.instance",
        mode: NoPolicy,
        policy_attr: None,
        read: &[],
        write: &[on("ec2:ModifyInstanceAttribute")],
        admin: &[on("ec2:TerminateInstances")],
        execute: &[on("ssm:SendCommand"), on("ssm:StartSession")],
    },
    KindAccess {
        kind: "aws.ecr.repository",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("ecr:BatchGetImage")],
        write: &[on("ecr:PutImage")],
        admin: &[on("ecr:SetRepositoryPolicy")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.efs.file_system",
        mode: Optional,
        policy_attr: Some("policy"),
        read: &[on("elasticfilesystem:ClientMount")],
        write: &[on("elasticfilesystem:ClientWrite")],
        admin: &[on("elasticfilesystem:PutFileSystemPolicy")],
        execute: &[],
    },
    KindAccess {
        kind: "aws.opensearch.domain",
        mode: Optional,
        policy_attr: Some("access_policies"),
        read: &[objects("es:ESHttpGet")],
        write: &[objects("es:ESHttpPut")],
        admin: &[on("es:UpdateDomainConfig")],
        execute: &[],
    },
];

/// What AWS access means on `kind`, if Posture evaluates it.
pub fn kind_access(kind: &str) -> Option<&'static KindAccess> {
    KINDS.iter().find(|k| k.kind == kind)
}
