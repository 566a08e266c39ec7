//! Insights: derived facts on nodes (DESIGN §5), as bits a query can test by name
//! (`aws.ec2.instance[exposed_to_internet and not privileged]`).

/// One insight bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insight(pub u32);

pub const EXPOSED: Insight = Insight(1 << 0);
pub const PUBLIC: Insight = Insight(1 << 1);
pub const SENSITIVE: Insight = Insight(1 << 2);
pub const CREDENTIALS: Insight = Insight(1 << 3);
pub const KEY_STORE: Insight = Insight(1 << 4);
pub const PRIVILEGED: Insight = Insight(1 << 5);
pub const LACKS_MFA: Insight = Insight(1 << 6);
pub const ACCESS_KEYS: Insight = Insight(1 << 7);
pub const CONSOLE: Insight = Insight(1 << 8);
pub const COMPUTE: Insight = Insight(1 << 9);
pub const DATA_STORE: Insight = Insight(1 << 10);
pub const IDENTITY: Insight = Insight(1 << 11);
pub const PERMS_INCOMPLETE: Insight = Insight(1 << 12);
pub const VIRTUAL: Insight = Insight(1 << 13);
pub const EXTERNAL: Insight = Insight(1 << 14);
pub const SCOPE: Insight = Insight(1 << 15);
pub const CRITICAL_FINDINGS: Insight = Insight(1 << 16);
pub const HIGH_FINDINGS: Insight = Insight(1 << 17);
pub const CAN_ESCALATE: Insight = Insight(1 << 18);
pub const NETWORK: Insight = Insight(1 << 19);

/// Name, bit, meaning: the insights a query can name.
pub const INSIGHTS: &[(&str, Insight, &str)] = &[
    (
        "exposed_to_internet",
        EXPOSED,
        "reachable from the internet through its network configuration (see `exposure.*`)",
    ),
    ("public", PUBLIC, "a resource policy, ACL or IAM binding lets anyone read or use it"),
    ("sensitive_data", SENSITIVE, "tagged as holding confidential, restricted or personal data"),
    ("stores_credentials", CREDENTIALS, "holds secrets: secrets managers, key vault secrets, Kubernetes secrets"),
    ("key_store", KEY_STORE, "a key store: KMS keys, key vaults, Cloud KMS keys"),
    (
        "privileged",
        PRIVILEGED,
        "an identity with administrative rights over its account, subscription, project or cluster",
    ),
    ("lacks_mfa", LACKS_MFA, "a user with a console password or active access keys and no MFA device"),
    ("has_access_keys", ACCESS_KEYS, "a user with active long-term access keys"),
    ("console_access", CONSOLE, "a user with a console password"),
    ("compute", COMPUTE, "runs code: VMs, instances, functions, pods and workloads, web apps"),
    ("data_store", DATA_STORE, "stores data: buckets, databases, storage accounts, tables, file systems"),
    ("identity", IDENTITY, "an identity: users, roles, groups, service accounts, managed identities"),
    (
        "permissions_incomplete",
        PERMS_INCOMPLETE,
        "some policy or role of this identity was not collected: its edges may be incomplete",
    ),
    ("virtual", VIRTUAL, "made by the graph, not collected: the Internet, account scopes, external principals"),
    ("external", EXTERNAL, "referenced by a relation or policy but not in the estate"),
    ("scope", SCOPE, "an account, subscription, project, resource group, cluster or namespace"),
    ("critical_findings", CRITICAL_FINDINGS, "has open findings of critical severity"),
    ("high_findings", HIGH_FINDINGS, "has open findings of high severity or above"),
    ("can_escalate", CAN_ESCALATE, "an identity that can escalate its privileges (has can_escalate edges)"),
    ("network", NETWORK, "a network control: security groups, NSGs, firewall rules, network ACLs"),
];

pub fn by_name(name: &str) -> Option<Insight> {
    INSIGHTS.iter().find(|(n, _, _)| *n == name).map(|(_, i, _)| *i)
}

/// The names of the insights set in `flags`.
pub fn names(flags: u32) -> Vec<&'static str> {
    INSIGHTS.iter().filter(|(_, i, _)| flags & i.0 != 0).map(|(n, _, _)| *n).collect()
}

pub fn is_compute(kind: &str) -> bool {
    matches!(
        kind,
        "aws.ec2.instance"
            | "aws.lambda.function"
            | "aws.ecs.service"
            | "aws.ecs.task_definition"
            | "aws.sagemaker.notebook_instance"
            | "azure.compute.virtual_machine"
            | "azure.web.site"
            | "gcp.compute.instance"
            | "gcp.cloudfunctions.function"
            | "gcp.dataproc.cluster"
            | "k8s.core.pod"
            | "k8s.apps.deployment"
            | "k8s.apps.daemonset"
            | "k8s.apps.statefulset"
            | "k8s.batch.job"
            | "k8s.batch.cronjob"
    )
}

pub fn is_data_store(kind: &str) -> bool {
    matches!(
        kind,
        "aws.s3.bucket"
            | "aws.rds.db_instance"
            | "aws.rds.db_cluster"
            | "aws.rds.db_snapshot"
            | "aws.rds.db_cluster_snapshot"
            | "aws.dynamodb.table"
            | "aws.redshift.cluster"
            | "aws.efs.file_system"
            | "aws.opensearch.domain"
            | "aws.elasticache.cache_cluster"
            | "aws.elasticache.replication_group"
            | "aws.ec2.snapshot"
            | "aws.ec2.volume"
            | "aws.backup.recovery_point"
            | "azure.storage.account"
            | "azure.sql.server"
            | "azure.dbforpostgresql.flexible_server"
            | "azure.dbformysql.flexible_server"
            | "azure.documentdb.database_account"
            | "azure.compute.disk"
            | "gcp.storage.bucket"
            | "gcp.sql.instance"
            | "gcp.bigquery.dataset"
            | "gcp.bigquery.table"
    )
}

pub fn is_credentials(kind: &str) -> bool {
    matches!(
        kind,
        "aws.secretsmanager.secret"
            | "azure.keyvault.vault"
            | "azure.keyvault.secret"
            | "k8s.core.secret"
            | "gcp.secretmanager.secret"
    )
}

pub fn is_key_store(kind: &str) -> bool {
    matches!(kind, "aws.kms.key" | "azure.keyvault.key" | "azure.keyvault.vault" | "gcp.kms.crypto_key")
}

pub fn is_identity(kind: &str) -> bool {
    matches!(
        kind,
        "aws.iam.user"
            | "aws.iam.role"
            | "aws.iam.group"
            | "gcp.iam.service_account"
            | "k8s.core.service_account"
            | "azure.virtual.principal"
            | "gcp.virtual.member"
            | "aws.virtual.principal"
            | "k8s.virtual.subject"
    )
}

pub fn is_network(kind: &str) -> bool {
    matches!(
        kind,
        "aws.ec2.security_group"
            | "aws.ec2.network_acl"
            | "azure.network.network_security_group"
            | "gcp.compute.firewall"
            | "k8s.networking.network_policy"
    )
}

pub fn is_scope(kind: &str) -> bool {
    matches!(
        kind,
        "aws.iam.account"
            | "azure.resources.subscription"
            | "azure.resources.resource_group"
            | "gcp.resourcemanager.project"
            | "k8s.virtual.cluster"
            | "k8s.core.namespace"
    )
}

/// Flags that follow from the kind alone.
pub fn kind_flags(kind: &str) -> u32 {
    let mut f = 0;
    for (yes, bit) in [
        (is_compute(kind), COMPUTE),
        (is_data_store(kind), DATA_STORE),
        (is_credentials(kind), CREDENTIALS),
        (is_key_store(kind), KEY_STORE),
        (is_identity(kind), IDENTITY),
        (is_network(kind), NETWORK),
        (is_scope(kind), SCOPE),
    ] {
        if yes {
            f |= bit.0;
        }
    }
    f
}

/// Tag keys that classify data (compared without case, `-`/`_`/spaces ignored).
const CLASSIFICATION_KEYS: &[&str] =
    &["dataclassification", "dataclass", "classification", "sensitivity", "datasensitivity", "confidentiality"];
const SENSITIVE_VALUES: &[&str] = &[
    "confidential",
    "highlyconfidential",
    "sensitive",
    "restricted",
    "secret",
    "topsecret",
    "pii",
    "phi",
    "pci",
    "personal",
];

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Whether tags mark the resource as holding sensitive data.
pub fn sensitive_tag(key: &str, value: &str) -> bool {
    let k = squash(key);
    let v = squash(value);
    (CLASSIFICATION_KEYS.contains(&k.as_str()) && SENSITIVE_VALUES.contains(&v.as_str()))
        || (["pii", "containspii", "phi", "pci"].contains(&k.as_str()) && matches!(v.as_str(), "true" | "yes" | "1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bits_are_distinct() {
        let mut seen = 0u32;
        for (n, i, _) in INSIGHTS {
            assert_eq!(seen & i.0, 0, "{n} reuses a bit");
            seen |= i.0;
            assert_eq!(by_name(n), Some(*i));
        }
        assert_eq!(names(EXPOSED.0 | PRIVILEGED.0), vec!["exposed_to_internet", "privileged"]);
    }

    #[test]
    fn sensitive_tags() {
        assert!(sensitive_tag("data-classification", "Confidential"));
        assert!(sensitive_tag("data_classification", "sensitive"));
        assert!(sensitive_tag("Data Class", "PII"));
        assert!(sensitive_tag("contains-pii", "true"));
        assert!(!sensitive_tag("data-class", "public"));
        assert!(!sensitive_tag("env", "confidential"));
    }
}
