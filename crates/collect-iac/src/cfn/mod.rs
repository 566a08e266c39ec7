//! CloudFormation templates (YAML, with short-form tags, or JSON): parameters with defaults,
//! conditions, mappings and the intrinsic functions, resolved the way a stack created with
//! default parameters would see them. Values only AWS knows (`AWS::AccountId`, `Fn::GetAtt`,
//! `Fn::ImportValue`, …) stay unknown; `Ref` and `GetAtt` to a resource link to it.

mod apigw;
pub(crate) mod map;
mod sam;

use crate::hcl::value::{num_text, V};
use crate::terraform::eval::{EBlock, TfResource};
use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, Located, SourceFile};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The other scanned files by relative path (nested stacks' templates).
pub type Files<'a> = HashMap<&'a str, &'a SourceFile>;

pub fn scan(f: &SourceFile, account: &str, files: &Files) -> (Vec<Located>, Vec<Issue>) {
    let mut evaluated = Vec::new();
    let mut issues = Vec::new();
    stack(f, &Call::default(), files, &mut evaluated, &mut issues);
    (crate::terraform::to_canonical(evaluated, account), issues)
}

/// How a template is evaluated: the parameters a parent stack passes, the parent's logical id
/// as an address prefix (`Network.Vpc`), and the nesting depth.
#[derive(Default)]
struct Call {
    params: HashMap<String, V>,
    prefix: String,
    depth: usize,
}

const MAX_NESTING: usize = 8;

fn stack(f: &SourceFile, call: &Call, files: &Files, evaluated: &mut Vec<TfResource>, issues: &mut Vec<Issue>) {
    let docs = match parse_all(&f.text) {
        Ok(d) => d,
        Err(e) => return issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("CloudFormation template: {}", e.message) }),
    };
    let Some(doc) = docs.first() else { return };
    if doc.get("Resources").is_none() {
        return issues.push(Issue { file: f.rel.clone(), line: 1, message: "CloudFormation template without Resources".into() });
    }
    let resources: Vec<(String, YNode)> = if sam::is_sam(doc) { sam::expand(doc) } else { doc.get("Resources").map(YNode::entries).unwrap_or_default().to_vec() };
    let tpl = Template::new(doc, &resources, call);
    for (id, node) in &resources {
        let Some(t) = node.get("Type").and_then(YNode::as_str) else {
            issues.push(Issue { file: f.rel.clone(), line: node.key_line, message: format!("resource {id} has no Type") });
            continue;
        };
        if let Some(c) = node.get("Condition").and_then(YNode::as_str) {
            if tpl.condition(c) == Some(false) {
                continue;
            }
        }
        if matches!(t, "AWS::CloudFormation::Stack" | "AWS::Serverless::Application") {
            nested(f, (id.as_str(), node), (&tpl, call), files, evaluated, issues);
            continue;
        }
        let mut body = match node.get("Properties") {
            Some(p) => tpl.block(p, p.key_line, 0),
            None => EBlock { line: node.key_line, ..EBlock::default() },
        };
        body.line = node.key_line;
        let end = node.last_line().max(node.key_line);
        let address = format!("{}{id}", call.prefix);
        evaluated.push(TfResource { rtype: t.to_string(), address, file: f.rel.clone(), line: node.key_line, end_line: end, body });
    }
}

/// A nested stack: a local template is evaluated with the parameters passed; a remote one (or
/// one that cannot be found) is an issue that names it, its resources not scanned.
fn nested(f: &SourceFile, (id, node): (&str, &YNode), (tpl, call): (&Template, &Call), files: &Files, evaluated: &mut Vec<TfResource>, issues: &mut Vec<Issue>) {
    let props = node.get("Properties");
    let url_node = props.and_then(|p| p.get("TemplateURL").or_else(|| p.get("Location")));
    let url = url_node.and_then(|n| tpl.eval(n, 0)).and_then(|v| v.to_text());
    let mut issue = |m: String| issues.push(Issue { file: f.rel.clone(), line: node.key_line, message: format!("nested stack {id}: {m}; its resources are not scanned") });
    let Some(url) = url else { return issue("the template location cannot be resolved".into()) };
    if url.contains("://") || url.starts_with("s3:") {
        return issue(format!("the template {url} is remote and not fetched"));
    }
    let path = crate::kustomize::join(crate::kustomize::dir_of(&f.rel), &url);
    let Some(child) = files.get(path.as_str()) else { return issue(format!("the template {url} is not in the scanned files")) };
    if call.depth >= MAX_NESTING {
        return issue("stacks nested too deep".into());
    }
    let mut params = HashMap::new();
    for (k, v) in props.and_then(|p| p.get("Parameters")).map(YNode::entries).unwrap_or_default() {
        // `AWS::NoValue` passes nothing: the child's default applies.
        if let Some(v) = tpl.eval(v, 0) {
            params.insert(k.clone(), v);
        }
    }
    let sub = Call { params, prefix: format!("{}{id}.", call.prefix), depth: call.depth + 1 };
    stack(child, &sub, files, evaluated, issues);
}

/// Local templates this one uses as nested stacks (evaluated through the parent, not alone).
pub fn children(f: &SourceFile) -> Vec<String> {
    if !f.text.contains("TemplateURL") && !f.text.contains("AWS::Serverless::Application") {
        return Vec::new();
    }
    let Some(doc) = parse_all(&f.text).ok().and_then(|d| d.into_iter().next()) else { return Vec::new() };
    let dir = crate::kustomize::dir_of(&f.rel);
    doc.get("Resources")
        .map(YNode::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(_, r)| r.get("Properties").and_then(|p| p.get("TemplateURL").or_else(|| p.get("Location"))).and_then(YNode::as_str))
        .filter(|u| !u.contains("://") && !u.starts_with("s3:"))
        .map(|u| crate::kustomize::join(dir, u))
        .collect()
}

struct Template<'a> {
    /// The address prefix of a nested stack's resources (`Parent.`).
    prefix: String,
    params: HashMap<String, V>,
    conditions: HashMap<String, &'a YNode>,
    cond_cache: RefCell<HashMap<String, Option<bool>>>,
    in_progress: RefCell<HashSet<String>>,
    mappings: Option<&'a YNode>,
    resources: HashSet<String>,
}

const MAX_DEPTH: usize = 64;

impl<'a> Template<'a> {
    fn new(doc: &'a YNode, resources: &[(String, YNode)], call: &Call) -> Self {
        let mut t = Template {
            prefix: call.prefix.clone(),
            params: HashMap::new(),
            conditions: HashMap::new(),
            cond_cache: RefCell::default(),
            in_progress: RefCell::default(),
            mappings: doc.get("Mappings"),
            resources: resources.iter().map(|(k, _)| k.clone()).collect(),
        };
        for (name, p) in doc.get("Parameters").map(YNode::entries).unwrap_or_default() {
            let v = match (call.params.get(name), p.get("Default")) {
                (Some(passed), _) => passed.clone(),
                (None, Some(d)) => literal(d),
                (None, None) => V::Unknown,
            };
            t.params.insert(name.clone(), v);
        }
        for (name, c) in doc.get("Conditions").map(YNode::entries).unwrap_or_default() {
            t.conditions.insert(name.clone(), c);
        }
        t
    }

    fn condition(&self, name: &str) -> Option<bool> {
        if let Some(c) = self.cond_cache.borrow().get(name) {
            return *c;
        }
        let node = self.conditions.get(name)?;
        if !self.in_progress.borrow_mut().insert(name.to_string()) {
            return None;
        }
        let v = self.eval(node, 0).and_then(|v| v.as_bool());
        self.in_progress.borrow_mut().remove(name);
        self.cond_cache.borrow_mut().insert(name.to_string(), v);
        v
    }

    /// Properties as a block: plain mappings are nested blocks, lists of plain mappings repeated
    /// blocks, everything else an attribute with its key's line.
    fn block(&self, node: &YNode, line: u32, depth: usize) -> EBlock {
        let mut b = EBlock { line, ..EBlock::default() };
        if depth > MAX_DEPTH {
            return b;
        }
        for (k, v) in node.entries() {
            if intrinsic(v).is_none() {
                match &v.value {
                    YVal::Map(_) => {
                        b.blocks.push((k.clone(), self.block(v, v.key_line, depth + 1)));
                        continue;
                    }
                    YVal::Seq(items) if !items.is_empty() && items.iter().all(|i| intrinsic(i).is_none() && matches!(i.value, YVal::Map(_))) => {
                        for i in items {
                            b.blocks.push((k.clone(), self.block(i, i.line, depth + 1)));
                        }
                        continue;
                    }
                    _ => {}
                }
            }
            match self.eval(v, depth + 1) {
                None => {}
                Some(V::Obj(m)) => b.blocks.push((k.clone(), obj_block(&m, v.key_line))),
                Some(val) => {
                    b.attrs.insert(k.clone(), (val, v.key_line));
                }
            }
        }
        b
    }

    /// The value of a node; `None` for `AWS::NoValue` (the property is left out).
    fn eval(&self, n: &YNode, depth: usize) -> Option<V> {
        if depth > MAX_DEPTH {
            return Some(V::Unknown);
        }
        if let Some((name, arg)) = intrinsic(n) {
            return self.call(name, arg, depth + 1);
        }
        Some(match &n.value {
            YVal::Map(m) => V::Obj(m.iter().filter_map(|(k, v)| Some((k.clone(), self.eval(v, depth + 1)?))).collect()),
            YVal::Seq(s) => V::List(s.iter().filter_map(|v| self.eval(v, depth + 1)).collect()),
            _ => literal(n),
        })
    }

    fn call(&self, name: &str, arg: &YNode, depth: usize) -> Option<V> {
        let args = arg.items();
        let ev = |i: usize| args.get(i).and_then(|a| self.eval(a, depth)).unwrap_or(V::Unknown);
        Some(match name {
            "Ref" => return self.reference(arg.as_str().unwrap_or_default()),
            "Fn::GetAtt" => {
                let target = match &arg.value {
                    YVal::Str(s) => s.split('.').next().unwrap_or_default().to_string(),
                    _ => args.first().and_then(YNode::as_str).unwrap_or_default().to_string(),
                };
                if self.resources.contains(&target) {
                    V::Ref(format!("{}{target}", self.prefix))
                } else {
                    V::Unknown
                }
            }
            "Fn::Sub" => self.sub(arg, depth),
            "Fn::Join" => {
                let sep = ev(0).to_text().unwrap_or_default();
                match ev(1) {
                    V::List(items) => items.iter().map(V::to_text).collect::<Option<Vec<_>>>().map_or(V::Unknown, |p| V::Str(p.join(&sep))),
                    _ => V::Unknown,
                }
            }
            "Fn::Select" => match (ev(0).as_num(), ev(1)) {
                (Some(i), V::List(l)) if i >= 0.0 => l.get(i as usize).cloned().unwrap_or(V::Unknown),
                _ => V::Unknown,
            },
            "Fn::Split" => match (ev(0).to_text(), ev(1).to_text()) {
                (Some(sep), Some(s)) if !sep.is_empty() => V::List(s.split(sep.as_str()).map(V::str).collect()),
                _ => V::Unknown,
            },
            "Fn::If" => {
                let cond = args.first().and_then(YNode::as_str).and_then(|c| self.condition(c));
                match cond {
                    Some(true) => return args.get(1).and_then(|a| self.eval(a, depth)),
                    Some(false) => return args.get(2).and_then(|a| self.eval(a, depth)),
                    None => {
                        let (a, b) = (ev(1), ev(2));
                        if a == b {
                            a
                        } else {
                            V::Unknown
                        }
                    }
                }
            }
            "Fn::FindInMap" => self.find_in_map(&ev(0), &ev(1), &ev(2)),
            "Fn::Equals" => {
                let (a, b) = (ev(0), ev(1));
                if a.is_wholly_known() && b.is_wholly_known() {
                    V::Bool(a.to_text().or_else(|| a.to_json().map(|j| j.to_string())) == b.to_text().or_else(|| b.to_json().map(|j| j.to_string())))
                } else {
                    V::Unknown
                }
            }
            "Fn::And" | "Fn::Or" => {
                let vals: Vec<Option<bool>> = (0..args.len()).map(|i| ev(i).as_bool()).collect();
                let and = name == "Fn::And";
                if vals.contains(&Some(!and)) {
                    V::Bool(!and)
                } else if vals.iter().all(Option::is_some) {
                    V::Bool(and)
                } else {
                    V::Unknown
                }
            }
            "Fn::Not" => ev(0).as_bool().map_or(V::Unknown, |b| V::Bool(!b)),
            "Condition" => arg.as_str().and_then(|c| self.condition(c)).map_or(V::Unknown, V::Bool),
            "Fn::Base64" => self.eval(arg, depth).unwrap_or(V::Unknown),
            "Fn::ToJsonString" => self.eval(arg, depth).and_then(|v| v.to_json()).and_then(|j| serde_json::to_string(&j).ok()).map_or(V::Unknown, V::Str),
            _ => V::Unknown,
        })
    }

    fn reference(&self, name: &str) -> Option<V> {
        Some(match name {
            "AWS::NoValue" => return None,
            "AWS::Partition" => V::str("aws"),
            "AWS::URLSuffix" => V::str("amazonaws.com"),
            n if self.params.contains_key(n) => self.params.get(n).cloned().unwrap_or(V::Unknown),
            n if self.resources.contains(n) => V::Ref(format!("{}{n}", self.prefix)),
            _ => V::Unknown,
        })
    }

    fn find_in_map(&self, map: &V, k1: &V, k2: &V) -> V {
        let (Some(m), Some(a), Some(b)) = (map.to_text(), k1.to_text(), k2.to_text()) else { return V::Unknown };
        match self.mappings.and_then(|x| x.get(&m)).and_then(|x| x.get(&a)).and_then(|x| x.get(&b)) {
            Some(n) => self.eval(n, 1).unwrap_or(V::Unknown),
            None => V::Unknown,
        }
    }

    fn sub(&self, arg: &YNode, depth: usize) -> V {
        let (text, vars) = match &arg.value {
            YVal::Str(s) => (s.as_str(), None),
            YVal::Seq(items) => (items.first().and_then(YNode::as_str).unwrap_or_default(), items.get(1)),
            _ => return V::Unknown,
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { return V::Unknown };
            let name = &after[..end];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else {
                let v = match vars.and_then(|m| m.get(name)) {
                    Some(n) => self.eval(n, depth).unwrap_or(V::Unknown),
                    None if name.contains('.') => V::Unknown,
                    None => self.reference(name).unwrap_or(V::Unknown),
                };
                match v.to_text() {
                    Some(t) => out.push_str(&t),
                    None => return V::Unknown,
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        V::Str(out)
    }
}

/// `(function, argument)` of an intrinsic: a short-form tag or a one-key `Fn::…`/`Ref` mapping.
fn intrinsic(n: &YNode) -> Option<(&str, &YNode)> {
    if let Some(tag) = &n.tag {
        let name = match tag.as_str() {
            "Ref" => "Ref",
            "Condition" => "Condition",
            other => SHORT.iter().find(|(s, _)| *s == other).map_or("unknown", |(_, l)| *l),
        };
        return Some((name, n));
    }
    match &n.value {
        YVal::Map(m) if m.len() == 1 => {
            let (k, v) = &m[0];
            (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), v))
        }
        _ => None,
    }
}

const SHORT: &[(&str, &str)] = &[
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("FindInMap", "Fn::FindInMap"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Base64", "Fn::Base64"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Cidr", "Fn::Cidr"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// A node without intrinsics as a value.
fn literal(n: &YNode) -> V {
    match &n.value {
        YVal::Null => V::Null,
        YVal::Bool(b) => V::Bool(*b),
        YVal::Num(x) => V::Num(*x),
        YVal::Str(s) => V::Str(s.clone()),
        YVal::Seq(s) => V::List(s.iter().map(literal).collect()),
        YVal::Map(m) => V::Obj(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
    }
}

fn obj_block(m: &BTreeMap<String, V>, line: u32) -> EBlock {
    let mut b = EBlock { line, ..EBlock::default() };
    for (k, v) in m {
        match v {
            V::Obj(inner) => b.blocks.push((k.clone(), obj_block(inner, line))),
            V::List(items) if !items.is_empty() && items.iter().all(|i| matches!(i, V::Obj(_))) => {
                for i in items {
                    if let V::Obj(inner) = i {
                        b.blocks.push((k.clone(), obj_block(inner, line)));
                    }
                }
            }
            other => {
                b.attrs.insert(k.clone(), (other.clone(), line));
            }
        }
    }
    b
}

/// Numbers in templates are often strings (`"80"`); both read as numbers where one is expected.
pub fn text_num(v: &V) -> Option<String> {
    match v {
        V::Num(n) => Some(num_text(*n)),
        other => other.to_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl(text: &str) -> Vec<Located> {
        let f = SourceFile { path: "t.yaml".into(), rel: "t.yaml".into(), text: text.into() };
        let (r, i) = scan(&f, "iac:t", &Files::new());
        assert!(i.is_empty(), "{i:?}");
        r
    }

    #[test]
    fn resolves_intrinsics_and_conditions() {
        let r = tpl("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env: {Type: String, Default: prod}\n  Key: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${Env}-data'\n      VersioningConfiguration:\n        Status: !If [IsProd, Enabled, Suspended]\n      LoggingConfiguration:\n        DestinationBucketName: !Ref Logs\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: aws:kms\n              KMSMasterKeyID: !Ref Key\n");
        let data = r.iter().find(|l| l.resource.uid.ends_with("#Data")).unwrap();
        assert_eq!(data.resource.name, "prod-data");
        assert_eq!(data.resource.attrs["versioning"]["enabled"], serde_json::json!(true));
        assert_eq!(data.resource.attrs["logging"]["target_bucket"], serde_json::json!("${Logs}"));
        assert_eq!(data.resource.attrs["encryption"]["sse_algorithm"], serde_json::json!("aws:kms"));
        let Some(posture_model::Origin::Iac { line, lines, .. }) = &data.resource.origin else { panic!() };
        assert_eq!(*line, 10);
        assert_eq!(lines.get("attrs.versioning.enabled"), Some(&15));
    }
}
