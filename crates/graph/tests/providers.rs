//! Derived edges and insights per provider, on small estates built inline: exposure through
//! security groups, NSGs and firewalls; AWS scope-wide grants, denies, resource and trust
//! policies, SCPs and missing data; Azure, GCP and Kubernetes role inheritance.

use posture_graph::{insight, query, Certainty, Graph, GraphBuilder, Options};
use posture_model::Resource;
use serde_json::{json, Value};

fn build(resources: Vec<Value>) -> Graph {
    let mut b = GraphBuilder::new(&Options::default());
    for v in resources {
        let r: Resource = serde_json::from_value(v).expect("a resource");
        b.add(r);
    }
    b.finish()
}

fn res(uid: &str, kind: &str, account: &str, attrs: Value, relations: &[(&str, &str)]) -> Value {
    let rels: Vec<Value> = relations.iter().map(|(t, x)| json!({"type": t, "target": x})).collect();
    let name = uid.rsplit(['/', ':']).next().unwrap_or(uid);
    json!({"uid": uid, "kind": kind, "provider": kind.split('.').next().unwrap(), "account": account, "name": name, "attrs": attrs, "relations": rels})
}

fn rows(g: &Graph, q: &str) -> Vec<(String, Certainty)> {
    let c = query::Compiled::new(g, query::parse(q).unwrap()).unwrap_or_else(|e| panic!("{}", e.render(q)));
    c.run(1000)
        .rows
        .iter()
        .map(|r| {
            let names: Vec<&str> = r.marks.iter().map(|m| g.name(r.chain[*m])).collect();
            (names.join(" -> "), r.certainty())
        })
        .collect()
}

fn names(g: &Graph, q: &str) -> Vec<String> {
    rows(g, q).into_iter().map(|(n, _)| n).collect()
}

fn stmt(effect: &str, actions: &[&str], resources: &[&str]) -> Value {
    json!({"sid": null, "effect": effect, "actions": actions, "not_actions": [], "resources": resources, "not_resources": [],
           "principals": null, "not_principals": null, "conditions": []})
}

fn user(name: &str, statements: Vec<Value>, extra: Value) -> Value {
    let mut attrs = json!({"mfa_active": true, "access_keys": [], "attached_policies": [], "inline_policy_names": ["p"],
        "inline_policies": [{"policy_name": "p", "document": {"statements": statements}}], "groups": [], "permissions_boundary_arn": null});
    if let (Some(a), Some(e)) = (attrs.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    res(&format!("arn:aws:iam::111:user/{name}"), "aws.iam.user", "111", attrs, &[])
}

fn bucket(name: &str, account: &str, policy: Value) -> Value {
    res(&format!("arn:aws:s3:::{name}"), "aws.s3.bucket", account, json!({"policy": policy}), &[])
}

#[test]
fn aws_scope_wide_grants_are_evaluated_per_target_with_denies() {
    let g = build(vec![
        user(
            "reader",
            vec![stmt("Allow", &["s3:GetObject"], &["*"]), stmt("Deny", &["s3:*"], &["arn:aws:s3:::vault/*"])],
            json!({}),
        ),
        bucket("logs", "111", Value::Null),
        bucket("vault", "111", Value::Null),
        bucket("elsewhere", "222", Value::Null),
    ]);
    assert_eq!(names(&g, "aws.iam.user -can_read-> aws.s3.bucket"), vec!["reader -> logs"]);
    assert_eq!(names(&g, "aws.s3.bucket <-can_read- aws.iam.user"), vec!["logs -> reader"]);
    assert!(names(&g, "aws.iam.user -can_write-> *").is_empty());
}

#[test]
fn aws_resource_policies_public_access_and_block_public_access() {
    let public = json!({"statements": [{"sid": "Public", "effect": "Allow", "actions": ["s3:GetObject"], "not_actions": [],
        "resources": ["arn:aws:s3:::site/*", "arn:aws:s3:::blocked/*"], "not_resources": [],
        "principals": {"aws": ["*"], "service": [], "federated": [], "canonical_user": []}, "not_principals": null, "conditions": []}]});
    let mut blocked = bucket("blocked", "111", public.clone());
    blocked["attrs"]["public_access_block"] = json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true});
    let partner = json!({"statements": [{"sid": "Partner", "effect": "Allow", "actions": ["s3:GetObject"], "not_actions": [],
        "resources": ["arn:aws:s3:::shared/*"], "not_resources": [],
        "principals": {"aws": ["arn:aws:iam::999:root"], "service": [], "federated": [], "canonical_user": []}, "not_principals": null, "conditions": []}]});
    let g = build(vec![bucket("site", "111", public), blocked, bucket("shared", "111", partner)]);
    assert_eq!(names(&g, "*[public]"), vec!["site"]);
    assert_eq!(names(&g, "posture.virtual.internet -can_read-> *"), vec!["Internet (anyone) -> site"]);
    assert_eq!(names(&g, "*[external] -can_read-> *"), vec!["external account 999 -> shared"]);
}

#[test]
fn aws_trust_policies_and_conditions() {
    let trust = |principals: Value, conditions: Value| {
        json!({"statements": [{"sid": null, "effect": "Allow", "actions": ["sts:AssumeRole"], "not_actions": [], "resources": [], "not_resources": [],
            "principals": principals, "not_principals": null, "conditions": conditions}]})
    };
    let role = |name: &str, t: Value| {
        res(
            &format!("arn:aws:iam::111:role/{name}"),
            "aws.iam.role",
            "111",
            json!({"trust_policy": t, "attached_policies": [], "inline_policy_names": [], "permissions_boundary_arn": null}),
            &[],
        )
    };
    let aws = |p: &str| json!({"aws": [p], "service": [], "federated": [], "canonical_user": []});
    let g = build(vec![
        role("open", trust(aws("*"), json!([]))),
        role(
            "vendor",
            trust(
                aws("arn:aws:iam::999:root"),
                json!([{"operator": "StringEquals", "key": "sts:ExternalId", "values": ["x"]}]),
            ),
        ),
        role(
            "in-org",
            trust(aws("*"), json!([{"operator": "StringEquals", "key": "aws:PrincipalOrgID", "values": ["o-mine"]}])),
        ),
        role("by-name", trust(aws("arn:aws:iam::111:user/ops"), json!([]))),
        user("ops", vec![], json!({})),
        user("other", vec![stmt("Allow", &["sts:AssumeRole"], &["*"])], json!({})),
    ]);
    let r = rows(&g, "aws.iam.role <-can_assume- *");
    assert_eq!(
        r,
        vec![
            ("open -> Internet (anyone)".to_string(), Certainty::Certain),
            ("vendor -> external account 999".to_string(), Certainty::Conditional),
            ("by-name -> ops".to_string(), Certainty::Certain),
        ],
        "a trust naming a user needs no identity policy; an org condition keeps outsiders out"
    );
}

#[test]
fn aws_scps_and_missing_policies() {
    let g = build(vec![
        user("admin", vec![stmt("Allow", &["*"], &["*"])], json!({})),
        user("grouped", vec![], json!({"groups": ["uncollected"]})),
        res(
            "arn:aws:organizations::111:policy/o-1/service_control_policy/p-1",
            "aws.organizations.policy",
            "111",
            json!({"type": "SERVICE_CONTROL_POLICY", "target_ids": ["111"], "document": {"statements": [
                stmt("Allow", &["*"], &["*"]), stmt("Deny", &["s3:*"], &["arn:aws:s3:::data", "arn:aws:s3:::data/*"])]}}),
            &[],
        ),
        bucket("data", "111", Value::Null),
        bucket("logs", "111", Value::Null),
    ]);
    assert_eq!(
        names(&g, "aws.iam.user[name = admin] -can_read-> aws.s3.bucket"),
        vec!["admin -> logs"],
        "the SCP denies the data bucket"
    );
    assert_eq!(names(&g, "aws.iam.user[privileged]"), vec!["admin"]);
    let unknown = rows(&g, "aws.iam.user[name = grouped] -can_read-> aws.s3.bucket");
    assert_eq!(
        unknown,
        vec![("grouped -> logs".to_string(), Certainty::Unknown)],
        "an uncollected group may grant anything but the SCP"
    );
    assert_eq!(names(&g, "*[permissions_incomplete]"), vec!["grouped"]);
}

fn nsg(uid: &str, rules: Value) -> Value {
    res(uid, "azure.network.network_security_group", "sub", json!({"security_rules": rules}), &[])
}

fn nsg_rule(name: &str, priority: i64, access: &str, source: &str, port: &str) -> Value {
    json!({"name": name, "priority": priority, "direction": "Inbound", "access": access, "protocol": "Tcp",
           "source_address_prefixes": [source], "destination_port_ranges": [port]})
}

#[test]
fn azure_nsgs_decide_exposure_by_priority() {
    let vm = |name: &str, nsg_uid: &str| {
        let nic =
            format!("/subscriptions/sub/resourcegroups/rg/providers/microsoft.network/networkinterfaces/{name}-nic");
        let ip =
            format!("/subscriptions/sub/resourcegroups/rg/providers/microsoft.network/publicipaddresses/{name}-ip");
        vec![
            res(
                &format!("/subscriptions/sub/resourcegroups/rg/providers/microsoft.compute/virtualmachines/{name}"),
                "azure.compute.virtual_machine",
                "sub",
                json!({"public_ip_addresses": []}),
                &[("has_network_interface", &nic)],
            ),
            res(
                &nic,
                "azure.network.network_interface",
                "sub",
                json!({"network_security_group_id": nsg_uid, "ip_configurations": [{"public_ip_address_id": ip}]}),
                &[("has_public_ip", &ip)],
            ),
            res(
                &ip,
                "azure.network.public_ip_address",
                "sub",
                json!({"ip_address": "20.0.0.1", "sku_name": "Standard"}),
                &[],
            ),
        ]
    };
    let open = "/subscriptions/sub/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/open";
    let shut = "/subscriptions/sub/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/shut";
    let mut all = vec![
        nsg(open, json!([nsg_rule("rdp", 100, "Allow", "Internet", "3389"), nsg_rule("deny", 4000, "Deny", "*", "*")])),
        nsg(
            shut,
            json!([nsg_rule("deny-rdp", 100, "Deny", "*", "3389"), nsg_rule("rdp", 200, "Allow", "Internet", "3389")]),
        ),
    ];
    all.extend(vm("exposed", open));
    all.extend(vm("closed", shut));
    let g = build(all);
    assert_eq!(
        names(&g, "azure.compute.virtual_machine[exposed_to_internet and exposure.ports contains 3389]"),
        vec!["exposed"]
    );
}

#[test]
fn azure_role_assignments_inherit_down_scopes() {
    let sa =
        |rg: &str| format!("/subscriptions/sub/resourcegroups/{rg}/providers/microsoft.storage/storageaccounts/st{rg}");
    let assign = |id: &str, role: &str, scope: &str| {
        res(
            &format!("/subscriptions/sub/providers/microsoft.authorization/roleassignments/{id}"),
            "azure.authorization.role_assignment",
            "sub",
            json!({"principal_id": id, "principal_type": "User", "principal_display_name": id, "role_definition_id": "", "role_name": role, "scope": scope, "condition": null}),
            &[],
        )
    };
    let g = build(vec![
        res(&sa("a"), "azure.storage.account", "sub", json!({}), &[]),
        res(&sa("b"), "azure.storage.account", "sub", json!({}), &[]),
        assign("reader", "Storage Blob Data Reader", "/subscriptions/sub/resourceGroups/a"),
        assign("viewer", "Reader", "/subscriptions/sub"),
        assign("owner", "Owner", "/subscriptions/sub"),
    ]);
    assert_eq!(names(&g, "azure.virtual.principal[name = reader] -can_read-> *"), vec!["reader -> sta"]);
    assert!(names(&g, "azure.virtual.principal[name = viewer] -can_read-> *").is_empty(), "Reader cannot list keys");
    assert_eq!(names(&g, "*[privileged]"), vec!["owner"]);
    assert_eq!(names(&g, "azure.storage.account[name = stb] <-can_read- *"), vec!["stb -> owner"]);
}

#[test]
fn gcp_bindings_firewalls_and_public_buckets() {
    let project = res(
        "//cloudresourcemanager.googleapis.com/projects/1",
        "gcp.resourcemanager.project",
        "p",
        json!({"project_id": "p", "iam_members": [
        {"role": "roles/editor", "member": "serviceAccount:app@p.iam.gserviceaccount.com", "condition_title": null},
        {"role": "roles/viewer", "member": "user:v@example.com", "condition_title": null},
        {"role": "roles/custom.thing", "member": "user:c@example.com", "condition_title": null}]}),
        &[],
    );
    let sa = res(
        "//iam.googleapis.com/projects/p/serviceAccounts/1",
        "gcp.iam.service_account",
        "p",
        json!({"email": "app@p.iam.gserviceaccount.com"}),
        &[],
    );
    let public = |name: &str, pap: &str| {
        res(
            &format!("//storage.googleapis.com/projects/_/buckets/{name}"),
            "gcp.storage.bucket",
            "p",
            json!({
            "iam_configuration": {"public_access_prevention": pap},
            "iam_members": [{"role": "roles/storage.objectViewer", "member": "allUsers", "condition_title": null}]}),
            &[],
        )
    };
    let fw = |name: &str, priority: i64, allowed: Value, denied: Value| {
        res(
            &format!("//compute.googleapis.com/projects/p/global/firewalls/{name}"),
            "gcp.compute.firewall",
            "p",
            json!({
            "network": "net", "direction": "INGRESS", "priority": priority, "disabled": false, "source_ranges": ["0.0.0.0/0"],
            "target_tags": [], "target_service_accounts": [], "allowed": allowed, "denied": denied}),
            &[],
        )
    };
    let vm = res(
        "//compute.googleapis.com/projects/p/zones/z/instances/vm",
        "gcp.compute.instance",
        "p",
        json!({
        "network_interfaces": [{"network": "net", "access_configs": [{"nat_ip": "34.1.1.1"}]}],
        "service_accounts": [{"email": "app@p.iam.gserviceaccount.com", "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}]}),
        &[],
    );
    let g = build(vec![
        project,
        sa,
        public("open", "inherited"),
        public("guarded", "enforced"),
        fw("deny-ssh", 100, json!([]), json!([{"ip_protocol": "tcp", "ports": ["22"]}])),
        fw("allow-ssh-web", 1000, json!([{"ip_protocol": "tcp", "ports": ["22", "443"]}]), json!([])),
        vm,
    ]);
    assert_eq!(names(&g, "gcp.storage.bucket[public]"), vec!["open"]);
    assert_eq!(names(&g, "gcp.compute.instance[exposure.ports contains 443]"), vec!["vm"]);
    assert!(names(&g, "gcp.compute.instance[exposure.ports contains 22]").is_empty(), "the deny at priority 100 wins");
    assert_eq!(
        names(&g, "gcp.compute.instance -can_read-> gcp.storage.bucket"),
        vec!["vm -> open", "vm -> guarded"],
        "roles/editor on the project reads every bucket of it"
    );
    assert!(names(&g, "gcp.virtual.member[name = \"user:v@example.com\"] -can_read-> *").is_empty());
    assert_eq!(names(&g, "*[permissions_incomplete]"), vec!["user:c@example.com"]);
}

#[test]
fn kubernetes_bindings_namespaces_and_node_ports() {
    let c = "c1";
    let k =
        |uid: &str, kind: &str, attrs: Value, rels: &[(&str, &str)]| res(&format!("{c}/{uid}"), kind, c, attrs, rels);
    let g = build(vec![
        k("a/ServiceAccount/deployer", "k8s.core.service_account", json!({"namespace": "a"}), &[]),
        k("a/ServiceAccount/app", "k8s.core.service_account", json!({"namespace": "a"}), &[]),
        k("a/Secret/db", "k8s.core.secret", json!({"namespace": "a"}), &[]),
        k("b/Secret/other", "k8s.core.secret", json!({"namespace": "b"}), &[]),
        k(
            "a/RoleBinding/deployer-edit",
            "k8s.rbac.role_binding",
            json!({"namespace": "a",
            "role_ref": {"kind": "ClusterRole", "name": "edit"}, "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "a"}]}),
            &[],
        ),
        k(
            "a/Pod/web",
            "k8s.core.pod",
            json!({"namespace": "a"}),
            &[("uses_service_account", "c1/a/ServiceAccount/app")],
        ),
        k(
            "a/Service/web",
            "k8s.core.service",
            json!({"namespace": "a", "type": "NodePort", "ports": [{"protocol": "TCP", "port": 80}]}),
            &[("selects", "c1/a/Pod/web")],
        ),
    ]);
    assert_eq!(
        names(&g, "k8s.core.service_account[name = deployer] -can_read-> k8s.core.secret"),
        vec!["deployer -> db"]
    );
    assert_eq!(
        names(&g, "k8s.core.service_account[name = deployer] -can_authenticate_as-> k8s.core.service_account"),
        vec!["deployer -> app"],
        "edit creates pods, so it runs as any service account of the namespace"
    );
    let pods = rows(&g, "k8s.core.pod[exposed_to_internet]");
    assert_eq!(pods, vec![("web".to_string(), Certainty::Certain)]);
    assert_eq!(
        names(&g, "k8s.core.pod[exposure.certainty = unknown]"),
        vec!["web"],
        "node ports are as exposed as the nodes, which is unknown"
    );
    let sa = g.find("c1/a/ServiceAccount/deployer").unwrap();
    assert!(!g.has(sa, insight::PRIVILEGED));
}

#[test]
fn aws_escalation_methods() {
    let role = |name: &str| {
        res(
            &format!("arn:aws:iam::111:role/{name}"),
            "aws.iam.role",
            "111",
            json!({"trust_policy": {"statements": [{"sid": null, "effect": "Allow", "actions": ["sts:AssumeRole"], "not_actions": [], "resources": [],
                "not_resources": [], "principals": {"aws": [], "service": ["ec2.amazonaws.com"], "federated": [], "canonical_user": []},
                "not_principals": null, "conditions": []}]},
                "attached_policies": [], "inline_policy_names": [], "permissions_boundary_arn": null}),
            &[],
        )
    };
    let group = res(
        "arn:aws:iam::111:group/admins",
        "aws.iam.group",
        "111",
        json!({"attached_policies": [], "inline_policy_names": ["all"],
        "inline_policies": [{"policy_name": "all", "document": {"statements": [stmt("Allow", &["*"], &["*"])]}}]}),
        &[],
    );
    let g = build(vec![
        role("target"),
        group,
        user(
            "self-attach",
            vec![stmt("Allow", &["iam:AttachUserPolicy"], &["arn:aws:iam::111:user/self-attach"])],
            json!({}),
        ),
        user("keys", vec![stmt("Allow", &["iam:CreateAccessKey"], &["arn:aws:iam::111:user/*"])], json!({})),
        user(
            "trust",
            vec![stmt("Allow", &["iam:UpdateAssumeRolePolicy"], &["arn:aws:iam::111:role/target"])],
            json!({}),
        ),
        user("joiner", vec![stmt("Allow", &["iam:AddUserToGroup"], &["*"])], json!({})),
        user(
            "launcher",
            vec![stmt("Allow", &["iam:PassRole"], &["*"]), stmt("Allow", &["ec2:RunInstances"], &["*"])],
            json!({}),
        ),
        user("harmless", vec![stmt("Allow", &["iam:Get*", "iam:List*"], &["*"])], json!({})),
    ]);
    let q = query::Compiled::new(&g, query::parse("aws.iam.user -can_escalate-> *").unwrap()).unwrap();
    let mut found: Vec<String> = q
        .run(1000)
        .rows
        .iter()
        .map(|r| {
            let why = posture_graph::text::step_text(&g, r.chain[0], &r.steps[0]);
            format!(
                "{} -> {}: {}",
                g.name(r.chain[0]),
                g.name(*r.chain.last().unwrap()),
                why.split(": ").next().unwrap_or_default()
            )
        })
        .collect();
    found.sort();
    found.dedup();
    insta::assert_snapshot!(found.join("\n"));
    assert_eq!(names(&g, "aws.iam.group[privileged]"), vec!["admins"]);
    assert!(names(&g, "aws.iam.user[name = harmless] -can_escalate-> *").is_empty());
}

#[test]
fn gcp_folder_and_azure_management_group_inheritance() {
    let g = build(vec![
        res(
            "//cloudresourcemanager.googleapis.com/folders/7",
            "gcp.resourcemanager.folder",
            "org",
            json!({"parent": "organizations/1",
            "iam_members": [{"role": "roles/storage.objectViewer", "member": "group:auditors@example.com", "condition_title": null}]}),
            &[],
        ),
        res(
            "//cloudresourcemanager.googleapis.com/projects/42",
            "gcp.resourcemanager.project",
            "p",
            json!({"project_id": "p", "parent": "folders/7", "iam_members": []}),
            &[],
        ),
        res("//storage.googleapis.com/projects/_/buckets/b", "gcp.storage.bucket", "p", json!({}), &[]),
        res(
            "/subscriptions/s1",
            "azure.resources.subscription",
            "s1",
            json!({"management_group_ancestors": ["corp", "root"]}),
            &[],
        ),
        res(
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv",
            "azure.keyvault.vault",
            "s1",
            json!({}),
            &[],
        ),
        res(
            "/providers/microsoft.management/managementgroups/corp/providers/microsoft.authorization/roleassignments/x",
            "azure.authorization.role_assignment",
            "s1",
            json!({"principal_id": "p1", "principal_type": "Group", "principal_display_name": "secops", "role_definition_id": "", "role_name": "Key Vault Secrets User",
                   "scope": "/providers/Microsoft.Management/managementGroups/corp", "condition": null}),
            &[],
        ),
    ]);
    assert_eq!(names(&g, "gcp.virtual.member -can_read-> gcp.storage.bucket"), vec!["group:auditors@example.com -> b"]);
    assert_eq!(names(&g, "azure.virtual.principal -can_read-> *[stores_credentials]"), vec!["secops -> kv"]);
}

/// An organization, two folders under it and a project with a bucket under the first folder;
/// `bindings` are (folder or organization number path, role, member).
fn gcp_hierarchy(bindings: &[(&str, &str, &str)]) -> Graph {
    let crm = "//cloudresourcemanager.googleapis.com";
    let iam = |scope: &str| -> Value {
        let list: Vec<Value> = bindings
            .iter()
            .filter(|(s, _, _)| *s == scope)
            .map(|(_, role, member)| json!({"role": role, "member": member, "condition_title": null}))
            .collect();
        Value::Array(list)
    };
    let org = "organizations/1";
    build(vec![
        res(&format!("{crm}/{org}"), "gcp.resourcemanager.organization", org, json!({"iam_members": iam(org)}), &[]),
        res(
            &format!("{crm}/folders/7"),
            "gcp.resourcemanager.folder",
            org,
            json!({"parent": org, "iam_members": iam("folders/7")}),
            &[],
        ),
        res(
            &format!("{crm}/folders/8"),
            "gcp.resourcemanager.folder",
            org,
            json!({"parent": org, "iam_members": iam("folders/8")}),
            &[],
        ),
        res(
            &format!("{crm}/projects/42"),
            "gcp.resourcemanager.project",
            "shop",
            json!({"project_id": "shop", "parent": "folders/7", "iam_members": []}),
            &[],
        ),
        res("//storage.googleapis.com/projects/_/buckets/orders", "gcp.storage.bucket", "shop", json!({}), &[]),
    ])
}

#[test]
fn gcp_folder_and_organization_bindings_reach_the_resources_of_projects_below() {
    let lee = r#"gcp.virtual.member[name = "user:lee@example.com"]"#;
    let g = gcp_hierarchy(&[("folders/7", "roles/owner", "user:lee@example.com")]);
    let q = format!("{lee} -can_admin-> gcp.storage.bucket");
    assert_eq!(rows(&g, &q), vec![("user:lee@example.com -> orders".to_string(), Certainty::Certain)]);
    assert_eq!(names(&g, &format!("{lee} -can_read-> gcp.storage.bucket")), vec!["user:lee@example.com -> orders"]);
    // Owner of the folder administers the project below it.
    assert_eq!(
        names(
            &g,
            r#"gcp.virtual.member[name = "user:lee@example.com" and privileged] -can_admin-> gcp.resourcemanager.project"#
        ),
        vec!["user:lee@example.com -> 42"]
    );
    // Folders and the organization are not projects: no project scope is invented for them.
    assert_eq!(names(&g, "gcp.resourcemanager.project"), vec!["42"]);

    // Two levels up: a storage admin of the organization.
    let g = gcp_hierarchy(&[("organizations/1", "roles/storage.admin", "group:data@example.com")]);
    assert_eq!(
        names(&g, r#"gcp.virtual.member[name = "group:data@example.com"] -can_write-> gcp.storage.bucket"#),
        vec!["group:data@example.com -> orders"]
    );
}

#[test]
fn gcp_a_binding_on_another_folder_reaches_nothing() {
    let lee = r#"gcp.virtual.member[name = "user:lee@example.com"]"#;
    let g = gcp_hierarchy(&[("folders/8", "roles/owner", "user:lee@example.com")]);
    assert!(names(&g, &format!("{lee} -*-> *")).is_empty(), "{:?}", names(&g, &format!("{lee} -*-> *")));
    assert!(names(&g, &format!("{lee} -can_admin|can_read|can_write-> gcp.storage.bucket")).is_empty());
    let g = gcp_hierarchy(&[]);
    assert!(names(&g, "gcp.virtual.member -can_read|can_write|can_admin-> *").is_empty());
}

/// One cluster: its `k8s.core.cluster` (when `listed` is given), nodes with these ExternalIPs
/// (`None`: addresses unknown), a NodePort service selecting a pod, and an internal LoadBalancer.
fn cluster_with_nodes(c: &str, listed: Option<bool>, nodes: &[Option<&[&str]>]) -> Vec<Value> {
    let k =
        |uid: &str, kind: &str, attrs: Value, rels: &[(&str, &str)]| res(&format!("{c}/{uid}"), kind, c, attrs, rels);
    let mut out = Vec::new();
    if let Some(l) = listed {
        out.push(k(
            &format!("_cluster/Cluster/{c}"),
            "k8s.core.cluster",
            json!({"source": "api", "nodes_listed": l}),
            &[],
        ));
    }
    for (i, ips) in nodes.iter().enumerate() {
        let attrs = match ips {
            Some(ips) => json!({"internal_ips": [format!("10.0.0.{i}")], "external_ips": ips}),
            None => json!({}),
        };
        out.push(k(&format!("_cluster/Node/{c}-n{i}"), "k8s.core.node", attrs, &[]));
    }
    out.push(k("a/Pod/web", "k8s.core.pod", json!({"namespace": "a"}), &[]));
    let pod = format!("{c}/a/Pod/web");
    out.push(k(
        "a/Service/web",
        "k8s.core.service",
        json!({"namespace": "a", "type": "NodePort", "ports": [{"protocol": "TCP", "port": 80, "node_port": 30080}]}),
        &[("selects", pod.as_str())],
    ));
    out.push(k(
        "a/Service/internal",
        "k8s.core.service",
        json!({"namespace": "a", "type": "LoadBalancer", "internal_load_balancer": true,
               "ports": [{"protocol": "TCP", "port": 443, "node_port": 31443}]}),
        &[],
    ));
    out
}

fn exposed_in(g: &Graph, kind: &str, cluster: &str) -> Vec<(String, String)> {
    let q = format!(r#"{kind}[exposed_to_internet and account = "{cluster}"]"#);
    let c = query::Compiled::new(g, query::parse(&q).unwrap()).unwrap();
    c.run(100)
        .rows
        .iter()
        .map(|r| {
            let n = r.chain[0];
            let e = g.exposure(n).expect("an exposed node has its exposure");
            (
                g.name(n).to_string(),
                format!("{:?} {}", e.certainty, e.ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")),
            )
        })
        .collect()
}

#[test]
fn kubernetes_node_ports_are_as_exposed_as_the_nodes() {
    let mut estate = cluster_with_nodes("open", Some(true), &[Some(&[]), Some(&["52.1.2.3"])]);
    estate.extend(cluster_with_nodes("closed", Some(true), &[Some(&[]), Some(&[])]));
    estate.extend(cluster_with_nodes("nodeless", None, &[]));
    estate.extend(cluster_with_nodes("partial", Some(false), &[Some(&[])]));
    estate.extend(cluster_with_nodes("manifest", Some(true), &[None]));
    let g = build(estate);

    // Some node has an ExternalIP: the node ports of both services are open, unless a cloud
    // firewall in front of the nodes closes them (conditional).
    let mut open = exposed_in(&g, "k8s.core.service", "open");
    open.sort();
    assert_eq!(
        open,
        vec![
            ("internal".to_string(), "Conditional tcp/31443".to_string()),
            ("web".to_string(), "Conditional tcp/30080".to_string())
        ]
    );
    assert_eq!(exposed_in(&g, "k8s.core.pod", "open"), vec![("web".to_string(), "Conditional tcp/30080".to_string())]);
    let web = g.find("open/a/Service/web").unwrap();
    let steps = &g.exposure(web).unwrap().steps;
    assert!(steps.iter().any(|s| s.contains("open-n1 (52.1.2.3)")), "{steps:?}");

    // Every node listed, none with an ExternalIP: not exposed.
    assert!(exposed_in(&g, "k8s.core.service", "closed").is_empty());
    assert!(exposed_in(&g, "k8s.core.pod", "closed").is_empty());

    // No node collected, a partial listing, or nodes of unknown addresses: unknown, never closed.
    for cluster in ["nodeless", "partial", "manifest"] {
        assert_eq!(
            exposed_in(&g, "k8s.core.service", cluster),
            vec![("web".to_string(), "Unknown tcp/30080".to_string())],
            "{cluster}: a NodePort stays unknown; an internal load balancer is judged by itself"
        );
    }
}

fn azure_estate(deny: Option<Value>) -> Graph {
    let rg = "/subscriptions/s1/resourcegroups/rg-app";
    let assign = |id: &str, principal: &str, name: &str, role: &str| {
        res(
            &format!("/subscriptions/s1/providers/microsoft.authorization/roleassignments/{id}"),
            "azure.authorization.role_assignment",
            "s1",
            json!({"principal_id": principal, "principal_type": "User", "principal_display_name": name, "role_definition_id": "",
                   "role_name": role, "scope": "/subscriptions/s1", "condition": null}),
            &[],
        )
    };
    let mut v = vec![
        res("/subscriptions/s1", "azure.resources.subscription", "s1", json!({}), &[]),
        res(
            &format!("{rg}/providers/microsoft.storage/storageaccounts/st"),
            "azure.storage.account",
            "s1",
            json!({}),
            &[],
        ),
        res(&format!("{rg}/providers/microsoft.keyvault/vaults/kv"), "azure.keyvault.vault", "s1", json!({}), &[]),
        res(
            "/subscriptions/s1/resourcegroups/rg-other/providers/microsoft.storage/storageaccounts/free",
            "azure.storage.account",
            "s1",
            json!({}),
            &[],
        ),
        assign("a1", "u-ana", "ana", "Owner"),
        assign("a3", "u-ana", "ana", "Key Vault Secrets User"),
        assign("a2", "u-bo", "bo", "Storage Blob Data Reader"),
    ];
    if let Some(attrs) = deny {
        v.push(res(
            &format!("{rg}/providers/microsoft.authorization/denyassignments/d1"),
            "azure.authorization.deny_assignment",
            "s1",
            attrs,
            &[],
        ));
    }
    build(v)
}

fn deny_attrs(child_scopes: bool, exclude: Value) -> Value {
    json!({"deny_assignment_name": "managed app lock", "scope": "/subscriptions/s1/resourcegroups/rg-app", "scope_type": "resource_group",
           "do_not_apply_to_child_scopes": !child_scopes,
           "permissions": [{"actions": ["*"], "not_actions": ["*/read"], "data_actions": ["*"], "not_data_actions": []}],
           "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}], "exclude_principals": exclude})
}

#[test]
fn azure_deny_assignments_take_away_what_roles_allow_at_and_below_their_scope() {
    let reach = |g: &Graph, who: &str, edge: &str| -> Vec<String> {
        let mut n = names(
            g,
            &format!(
                r#"azure.virtual.principal[name = {who}] -{edge}-> azure.*[kind = "azure.storage.account" or kind = "azure.keyvault.vault"]"#
            ),
        );
        n.sort();
        n
    };
    let open = azure_estate(None);
    assert_eq!(reach(&open, "ana", "can_read"), vec!["ana -> free", "ana -> kv", "ana -> st"]);
    assert_eq!(reach(&open, "bo", "can_read"), vec!["bo -> free", "bo -> st"]);

    let g = azure_estate(Some(deny_attrs(true, json!([{"id": "u-bo", "type": "User"}]))));
    // Everyone but bo is denied every action but reads in rg-app: listKeys, blob and secret reads.
    assert_eq!(reach(&g, "ana", "can_read"), vec!["ana -> free"]);
    assert_eq!(reach(&g, "ana", "can_admin"), vec!["ana -> free"]);
    assert_eq!(reach(&g, "bo", "can_read"), vec!["bo -> free", "bo -> st"], "excluded from the deny");
    // The subscription itself is above the deny's scope: ana stays its administrator.
    assert_eq!(
        names(&g, "azure.virtual.principal[privileged] -can_admin-> azure.resources.subscription"),
        vec!["ana -> s1"]
    );

    // A deny at the resource group only does not reach the resources in it.
    let g = azure_estate(Some(deny_attrs(false, json!([]))));
    assert_eq!(reach(&g, "ana", "can_read"), vec!["ana -> free", "ana -> kv", "ana -> st"]);
    // Unknown exclusions: the deny cannot be applied and access is not hidden on a guess.
    let mut unknown = deny_attrs(true, json!([]));
    unknown.as_object_mut().unwrap().remove("exclude_principals");
    assert_eq!(reach(&azure_estate(Some(unknown)), "ana", "can_read"), vec!["ana -> free", "ana -> kv", "ana -> st"]);
}

#[test]
fn azure_a_deny_on_assigning_roles_removes_the_administrator_edge() {
    let deny = json!({"deny_assignment_name": "no role changes", "scope": "/subscriptions/s1", "do_not_apply_to_child_scopes": false,
        "permissions": [{"actions": ["Microsoft.Authorization/*/write"], "not_actions": [], "data_actions": [], "not_data_actions": []}],
        "principals": [{"id": "u-ana", "type": "User"}], "exclude_principals": []});
    let g = azure_estate(Some(deny));
    assert!(names(&g, "azure.virtual.principal[name = ana] -can_admin-> azure.resources.subscription").is_empty());
    assert!(names(&g, "azure.virtual.principal[privileged]").is_empty());
    // Reading is not denied.
    assert_eq!(names(&g, "azure.virtual.principal[name = ana] -can_read-> azure.keyvault.vault"), vec!["ana -> kv"]);
}
