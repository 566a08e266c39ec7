//! `data "aws_iam_policy_document"` rendered to the JSON its `.json` attribute holds.

use super::eval::EBlock;
use crate::hcl::value::V;
use serde_json::{json, Map, Value};

/// The policy JSON as a string; unknown when a statement's effect, actions or principals are.
/// An unknown resource ARN (another resource's, before apply) is kept as a placeholder: rules
/// read principals, actions and conditions, and a reference is never a wildcard.
pub fn render(body: &EBlock) -> V {
    let mut statements = Vec::new();
    for s in body.blocks("statement") {
        match statement(s) {
            Some(st) => statements.push(st),
            None => return V::Unknown,
        }
    }
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    serde_json::to_string(&doc).map_or(V::Unknown, V::Str)
}

fn strings(v: Option<&V>, placeholder: bool) -> Option<Vec<Value>> {
    match v {
        None | Some(V::Null) => Some(Vec::new()),
        Some(V::List(items)) => items.iter().map(|i| text(i, placeholder)).collect(),
        Some(other) => text(other, placeholder).map(|t| vec![t]),
    }
}

fn text(v: &V, placeholder: bool) -> Option<Value> {
    match v {
        V::Ref(addr) if placeholder => Some(Value::String(format!("${{{addr}}}"))),
        other => other.to_text().map(Value::String),
    }
}

fn statement(s: &EBlock) -> Option<Value> {
    let mut out = Map::new();
    if let Some(sid) = s.value("sid").and_then(V::to_text) {
        out.insert("Sid".into(), json!(sid));
    }
    let effect = match s.value("effect") {
        None => "Allow".to_string(),
        Some(v) => v.to_text()?,
    };
    out.insert("Effect".into(), json!(effect));
    for (tf, key, placeholder) in [("actions", "Action", false), ("not_actions", "NotAction", false), ("resources", "Resource", true), ("not_resources", "NotResource", true)] {
        let list = strings(s.value(tf), placeholder)?;
        if !list.is_empty() {
            out.insert(key.into(), Value::Array(list));
        }
    }
    for (tf, key) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        let mut p = Map::new();
        for b in s.blocks(tf) {
            let kind = b.value("type")?.to_text()?;
            let ids = strings(b.value("identifiers"), false)?;
            if let Some(Value::Array(existing)) = p.get_mut(&kind) {
                existing.extend(ids);
            } else {
                p.insert(kind, Value::Array(ids));
            }
        }
        if !p.is_empty() {
            out.insert(key.into(), Value::Object(p));
        }
    }
    let mut cond = Map::new();
    for c in s.blocks("condition") {
        let test = c.value("test")?.to_text()?;
        let var = c.value("variable")?.to_text()?;
        let values = strings(c.value("values"), false)?;
        let slot = cond.entry(test).or_insert_with(|| json!({}));
        if let Value::Object(m) = slot {
            m.insert(var, Value::Array(values));
        }
    }
    if !cond.is_empty() {
        out.insert("Condition".into(), Value::Object(cond));
    }
    Some(Value::Object(out))
}
