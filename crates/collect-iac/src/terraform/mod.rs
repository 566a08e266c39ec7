//! Terraform: HCL configurations (root modules and the local modules they call), plan JSON from
//! `terraform show -json`, and state files (for code-to-cloud links).

mod downloaded;
pub mod eval;
pub(crate) mod map;
pub mod plan;
pub mod policy_doc;
pub mod state;

use crate::hcl::value::V;
use crate::{Issue, Located, SourceFile};
use eval::{normalize, ModuleSrc, Project, TfFile, TfResource};
use map::Build;
use posture_model::{Origin, Relation, Resource};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Parses and evaluates every Terraform directory among `files`; local modules called from
/// another directory are evaluated through their calls, not as roots.
pub fn scan(files: &[&SourceFile], account: &str) -> (Vec<Located>, Vec<Issue>) {
    let mut issues = Vec::new();
    let mut modules: HashMap<PathBuf, ModuleSrc> = HashMap::new();
    for f in files {
        let dir = normalize(f.path.parent().unwrap_or(Path::new(".")));
        let m = modules.entry(dir.clone()).or_insert_with(|| ModuleSrc { dir, files: Vec::new(), tfvars: BTreeMap::new() });
        let name = f.rel.rsplit('/').next().unwrap_or_default();
        if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
            if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") || name == "terraform.tfvars.json" || name.ends_with(".auto.tfvars.json") {
                read_tfvars(f, &mut m.tfvars, &mut issues);
            }
            continue;
        }
        match crate::hcl::parse_body(&f.text) {
            Ok(body) => m.files.push(TfFile { rel: f.rel.clone(), body }),
            Err(e) => issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("Terraform syntax: {}", e.message) }),
        }
    }
    for m in modules.values_mut() {
        m.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    }
    let called = called_dirs(&modules);
    let mut roots: Vec<PathBuf> = modules.keys().filter(|d| !called.contains(*d) && !modules[*d].files.is_empty()).cloned().collect();
    roots.sort();
    let mut downloaded = HashMap::new();
    for root in &roots {
        let rel = modules[root].files.first().map_or("", |f| f.rel.rsplit_once('/').map_or("", |(d, _)| d)).to_string();
        let calls = downloaded::load(root, &rel, &mut modules, &mut issues);
        downloaded.insert(root.clone(), calls);
    }
    let project = Project { modules: &modules, downloaded: &downloaded };
    let mut out = Vec::new();
    for root in &roots {
        let o = project.eval_root(root);
        issues.extend(o.issues.into_iter().map(|i| Issue { file: i.file, line: i.line, message: i.message }));
        out.extend(to_canonical(o.resources, account));
    }
    (out, issues)
}

fn read_tfvars(f: &SourceFile, into: &mut BTreeMap<String, V>, issues: &mut Vec<Issue>) {
    if f.rel.ends_with(".json") {
        match serde_json::from_str::<serde_json::Value>(&f.text) {
            Ok(serde_json::Value::Object(m)) => into.extend(m.iter().map(|(k, v)| (k.clone(), V::from_json(v)))),
            _ => issues.push(Issue { file: f.rel.clone(), line: 1, message: "variables file is not a JSON object".into() }),
        }
        return;
    }
    match crate::hcl::parse_body(&f.text) {
        Ok(body) => {
            struct NoScope;
            impl crate::hcl::eval::Scope for NoScope {
                fn lookup(&self, _: &str, steps: &[crate::hcl::eval::Step]) -> (V, usize) {
                    (V::Unknown, steps.len())
                }
            }
            for a in &body.attrs {
                into.insert(a.name.clone(), crate::hcl::eval::Eval::new(&NoScope).eval(&a.expr));
            }
        }
        Err(e) => issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("Terraform syntax: {}", e.message) }),
    }
}

/// Directories used as local module sources by another scanned directory.
fn called_dirs(modules: &HashMap<PathBuf, ModuleSrc>) -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    for m in modules.values() {
        for f in &m.files {
            for b in f.body.blocks.iter().filter(|b| b.kind == "module") {
                let src = b.body.attrs.iter().find(|a| a.name == "source").and_then(|a| match &a.expr {
                    crate::hcl::ast::Expr::Template(p) => match p.as_slice() {
                        [crate::hcl::ast::Part::Lit(s)] => Some(s.clone()),
                        _ => None,
                    },
                    _ => None,
                });
                if let Some(s) = src.filter(|s| s.starts_with("./") || s.starts_with("../")) {
                    let d = normalize(&m.dir.join(s));
                    if d != m.dir {
                        out.insert(d);
                    }
                }
            }
        }
    }
    out
}

/// `a.b[0]` and `a.b` name the same resource when one of them has no index.
fn same_address(reference: &str, address: &str) -> bool {
    let strip = |s: &str| s.strip_suffix(']').and_then(|x| x.rsplit_once('[')).map_or(s.to_string(), |(a, _)| a.to_string());
    reference == address || strip(address) == reference || strip(reference) == address
}

/// Maps evaluated resources to canonical ones, folding augmenting resources into their targets.
pub fn to_canonical(resources: Vec<TfResource>, account: &str) -> Vec<Located> {
    let mut builds: Vec<(usize, Build)> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if let Some(b) = map::primary(r) {
            builds.push((i, b));
        }
    }
    for r in &resources {
        let Some(t) = map::target(&r.rtype) else { continue };
        // `a|b`: the first of these attributes the configuration sets.
        let Some(via) = t.via.split('|').find_map(|a| r.body.value(a)) else { continue };
        for (i, b) in builds.iter_mut() {
            let target = &resources[*i];
            if !t.types.contains(&target.rtype.as_str()) {
                continue;
            }
            let hit = match via {
                V::Ref(addr) => same_address(addr, &target.address),
                V::Str(s) => target.body.value(t.key).and_then(V::to_text).as_deref() == Some(s.as_str()),
                _ => false,
            };
            if hit {
                b.record = r.file == target.file;
                map::augment(r, b);
                b.record = true;
            }
        }
    }
    let mut extra = default_security_groups(&resources, &builds, account);
    let uids: Vec<(String, String)> = builds.iter().map(|(i, _)| (resources[*i].address.clone(), uid(&resources[*i]))).collect();
    builds
        .into_iter()
        .map(|(i, b)| {
            let r = &resources[i];
            let relations = b
                .relations
                .iter()
                .filter_map(|(rel, v)| match v {
                    V::Ref(addr) => uids.iter().find(|(a, _)| same_address(addr, a)).map(|(_, u)| Relation { rel: rel.to_string(), target: u.clone() }),
                    _ => None,
                })
                .collect();
            finish(r, b, relations, account)
        })
        .chain(extra.drain(..))
        .collect()
}

/// Every new VPC gets a default security group that admits traffic from its own members and
/// allows all egress; Terraform leaves it so unless `aws_default_security_group` manages it.
fn default_security_groups(resources: &[TfResource], builds: &[(usize, Build)], account: &str) -> Vec<Located> {
    let managed: Vec<&V> = resources.iter().filter(|r| r.rtype == "aws_default_security_group").filter_map(|r| r.body.value("vpc_id")).collect();
    let mut out = Vec::new();
    for (i, _) in builds {
        let vpc = &resources[*i];
        if vpc.rtype != "aws_vpc" || managed.iter().any(|v| matches!(v, V::Ref(a) if same_address(a, &vpc.address))) {
            continue;
        }
        let rule = |peer: serde_json::Value, cidr: serde_json::Value| {
            serde_json::json!({"rule_id": null, "protocol": "all", "port_range": {"from": 0, "to": 65535}, "icmp_type": null, "icmp_code": null,
                "cidr_ipv4": cidr, "cidr_ipv6": null, "prefix_list_id": null, "referenced_group_id": peer, "description": null})
        };
        let mut b = Build::new("aws.ec2.security_group");
        b.name = Some("default".into());
        b.put("group_name", serde_json::json!("default"), None);
        b.put("is_default", serde_json::json!(true), None);
        b.put("ingress_rules", serde_json::json!([rule(serde_json::json!("self"), serde_json::Value::Null)]), None);
        b.put("egress_rules", serde_json::json!([rule(serde_json::Value::Null, serde_json::json!("0.0.0.0/0"))]), None);
        let r = TfResource {
            rtype: "aws_default_security_group".into(),
            address: format!("{}.default_security_group", vpc.address),
            file: vpc.file.clone(),
            line: vpc.line,
            end_line: vpc.end_line,
            body: Default::default(),
        };
        let rel = Relation { rel: "in_vpc".into(), target: uid(vpc) };
        out.push(finish(&r, b, vec![rel], account));
    }
    out
}

fn uid(r: &TfResource) -> String {
    format!("iac:{}#{}", r.file, r.address)
}

fn finish(r: &TfResource, b: Build, relations: Vec<Relation>, account: &str) -> Located {
    let mut res = Resource::new(uid(r), b.kind);
    res.account = account.to_string();
    res.name = b.name.clone().unwrap_or_else(|| r.address.rsplit('.').next().unwrap_or_default().to_string());
    res.tags = map::tags(&r.body);
    res.region = ["region", "location"].iter().find_map(|k| r.body.value(k).and_then(V::to_text));
    res.attrs = b.attrs;
    res.relations = relations;
    res.origin = Some(Origin::Iac { file: r.file.clone(), line: r.line, address: r.address.clone(), lines: b.lines });
    Located { resource: res, file: r.file.clone(), start: r.line, end: r.end_line.max(r.line), spans: Vec::new() }
}
