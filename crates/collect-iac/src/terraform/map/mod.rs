//! Terraform resources → canonical resources. Each provider module maps the resource types it
//! knows; "augmenting" types (`aws_s3_bucket_versioning`, `aws_security_group_rule`, …) are folded
//! into the resource they configure, so one canonical resource carries what the API would show.
//!
//! When an attribute is absent from the configuration, the mapping writes the value the provider
//! or the cloud gives it by default (documented in docs/iac.md); when it is present but unknown, the
//! canonical attribute is left out, so rules on it are `unknown`.

mod aws;
mod azure;
mod gcp;

use super::eval::{EBlock, TfResource};
use crate::hcl::value::V;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A canonical resource being built from one or more Terraform resources.
#[derive(Debug, Clone)]
pub struct Build {
    pub kind: &'static str,
    pub name: Option<String>,
    pub attrs: Map<String, Value>,
    pub lines: BTreeMap<String, u32>,
    /// (relation type, value that refers to the target: a `Ref` or a literal id).
    pub relations: Vec<(&'static str, V)>,
    /// Record lines? Off while folding in a resource from another file.
    pub record: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Conv {
    Bool,
    Int,
    Str,
    /// A list of strings (a single string becomes a one-element list).
    Strs,
    /// Any value as JSON.
    Json,
    /// An IAM policy document given as JSON text or an object.
    Policy,
    /// Set but computed (another resource's id or ARN): a placeholder naming the source, so
    /// that `exists` decides while the value stays visibly not a real id.
    Presence,
}

impl Build {
    pub fn new(kind: &'static str) -> Self {
        Build { kind, name: None, attrs: Map::new(), lines: BTreeMap::new(), relations: Vec::new(), record: true }
    }

    /// Sets `attrs.<path>` (dot-separated) and records the line it came from.
    pub fn put(&mut self, path: &str, v: Value, line: Option<u32>) {
        let mut cur = &mut self.attrs;
        let mut parts = path.split('.').peekable();
        while let Some(p) = parts.next() {
            if parts.peek().is_none() {
                cur.insert(p.to_string(), v);
                break;
            }
            let slot = cur.entry(p.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(next) = slot else { return };
            cur = next;
        }
        if let Some(l) = line {
            self.line(path, l);
        }
    }

    pub fn line(&mut self, path: &str, line: u32) {
        if self.record && line > 0 {
            self.lines.insert(format!("attrs.{path}"), line);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut cur = self.attrs.get(parts.next()?)?;
        for p in parts {
            cur = cur.get(p)?;
        }
        Some(cur)
    }

    /// `attrs.<path>` from attribute `tf` of `b`: converted when known, `default` when absent
    /// from the configuration, left out when unknown.
    pub fn field(&mut self, path: &str, b: &EBlock, tf: &str, conv: Conv, default: Option<Value>) {
        match b.attr(tf) {
            Some((v, line)) => {
                if let Some(j) = convert(v, conv) {
                    self.put(path, j, Some(*line));
                }
            }
            None => {
                if let Some(d) = default {
                    self.put(path, d, None);
                }
            }
        }
    }

    /// A relation to whatever `v` refers to (a reference or a list of them).
    pub fn rel(&mut self, rel: &'static str, v: Option<&V>) {
        match v {
            Some(V::List(items)) => {
                for i in items {
                    self.rel(rel, Some(i));
                }
            }
            Some(V::Ref(_)) | Some(V::Str(_)) => self.relations.push((rel, v.cloned().unwrap_or(V::Unknown))),
            _ => {}
        }
    }
}

pub fn convert(v: &V, conv: Conv) -> Option<Value> {
    match conv {
        Conv::Bool => v.as_bool().map(Value::Bool),
        Conv::Int => v.as_num().map(|n| Value::from(n as i64)),
        Conv::Str => match v {
            V::Null => Some(Value::Null),
            other => other.to_text().map(Value::String),
        },
        Conv::Strs => match v {
            V::Null => Some(Value::Array(Vec::new())),
            V::List(_) => v.to_json(),
            other => other.to_text().map(|s| Value::Array(vec![Value::String(s)])),
        },
        Conv::Json => v.to_json(),
        Conv::Policy => match v {
            V::Str(s) => posture_aws_policy::parse_policy(s).ok(),
            V::Obj(_) => posture_aws_policy::normalise(&v.to_json()?).ok(),
            V::Null => Some(Value::Null),
            _ => None,
        },
        Conv::Presence => match v {
            V::Ref(addr) => Some(Value::String(format!("${{{addr}}}"))),
            V::Null => Some(Value::Null),
            V::Str(s) if s.is_empty() => Some(Value::Null),
            other => other.to_text().map(Value::String),
        },
    }
}

/// Maps a primary resource type (one that becomes a canonical resource of its own).
pub fn primary(r: &TfResource) -> Option<Build> {
    let t = r.rtype.as_str();
    if t.starts_with("aws_") {
        aws::primary(t, &r.body)
    } else if t.starts_with("azurerm_") {
        azure::primary(t, &r.body)
    } else if t.starts_with("google_") {
        gcp::primary(t, &r.body)
    } else if t.starts_with("AWS::") {
        crate::cfn::map::primary(t, &r.body)
    } else if t.starts_with("Microsoft.") {
        crate::arm::primary(t, &r.body)
    } else {
        None
    }
}

/// How an augmenting type finds the resource it configures.
pub struct Target {
    /// Terraform type(s) of the configured resource.
    pub types: &'static [&'static str],
    /// The augmenting resource's attribute that names it.
    pub via: &'static str,
    /// The configured resource's attribute a literal name is compared with.
    pub key: &'static str,
}

pub fn target(rtype: &str) -> Option<Target> {
    aws::target(rtype)
        .or_else(|| azure::target(rtype))
        .or_else(|| gcp::target(rtype))
        .or_else(|| crate::cfn::map::target(rtype))
        .or_else(|| crate::arm::target(rtype))
}

/// Folds augmenting resource `r` into `into`.
pub fn augment(r: &TfResource, into: &mut Build) {
    let t = r.rtype.as_str();
    if t.starts_with("aws_") {
        aws::augment(t, &r.body, into)
    } else if t.starts_with("azurerm_") {
        azure::augment(t, &r.body, into)
    } else if t.starts_with("google_") {
        gcp::augment(t, &r.body, into)
    } else if t.starts_with("AWS::") {
        crate::cfn::map::augment(t, &r.body, into)
    } else if t.starts_with("Microsoft.") {
        crate::arm::augment(t, &r.body, into)
    }
}

/// Appends `item` to the array at `path`, creating it; its line is recorded as `path[i]`.
pub fn push(b: &mut Build, path: &str, item: Value, line: u32) {
    let idx = match b.get(path) {
        Some(Value::Array(a)) => a.len(),
        _ => {
            b.put(path, Value::Array(Vec::new()), None);
            0
        }
    };
    let mut cur = &mut b.attrs;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            if let Some(Value::Array(a)) = cur.get_mut(*p) {
                a.push(item);
            }
            break;
        }
        match cur.get_mut(*p) {
            Some(Value::Object(next)) => cur = next,
            _ => return,
        }
    }
    b.line(&format!("{path}[{idx}]"), line);
}

/// A block attribute as a JSON bool/num/str, for small nested objects.
pub fn jv(b: &EBlock, tf: &str, conv: Conv) -> Option<Value> {
    b.value(tf).and_then(|v| convert(v, conv))
}

pub fn line_of(b: &EBlock, tf: &str) -> u32 {
    b.attr(tf).map_or(b.line, |(_, l)| *l)
}

/// Tags (`tags`, `labels`) as strings; unknown values left out.
pub fn tags(body: &EBlock) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for key in ["tags", "labels"] {
        if let Some(V::Obj(m)) = body.value(key) {
            for (k, v) in m {
                if let Some(t) = v.to_text() {
                    out.insert(k.clone(), t);
                }
            }
        }
        // ARM: an object read as a block.
        if let Some(b) = body.block(key) {
            out.extend(b.attrs.iter().filter_map(|(k, (v, _))| Some((k.clone(), v.to_text()?))));
        }
    }
    // CloudFormation: a list of {Key, Value}.
    for t in body.blocks("Tags") {
        if let (Some(k), Some(v)) = (t.value("Key").and_then(V::to_text), t.value("Value").and_then(V::to_text)) {
            out.insert(k, v);
        }
    }
    out
}
